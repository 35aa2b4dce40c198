//! A store operation as plans: short lists of statements that a backend runs in one
//! transaction each, first a check that every parent on the path exists, then the
//! operation (the writes' statements are in [`writes`]). Most reads take their parents'
//! checks into their own statement instead: an entity by key with nothing expanded
//! ([`Planner::select_one_checked`]), a count ([`Planner::count_checked`]) and a page
//! ([`Planner::page`]; an empty one takes a second plan, [`Planner::page_probe`]).

mod inserted;
mod writes;

pub use writes::Insert;

use crate::StoreError;
use crate::catalog::{Address, Catalog, ColumnType, Table, TableId, TableKind};
use crate::columns::Selection;
use crate::sql::{Dialect, Param, Sql, TENANT, quote};

/// What the backend does with a statement's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// At least one row, else the plan fails with `NotFound`.
    Exists,
    /// At least one row, else the plan fails with `InvalidReference`: an entity a write
    /// links to must exist.
    Referenced,
    /// The rows are the plan's result, decoded by `decode`.
    Rows,
    /// As `Rows`, but the rows past the first `n` are neither decoded nor weighed against
    /// the plan's budget: each is an empty row. A page reads one row past its end only to
    /// know whether another page follows; that row is not in the answer, so an entity a
    /// read by key may answer also fits a page of one.
    LookAhead(usize),
    /// The number of affected rows is the plan's result (one row, one integer).
    Affected,
    /// Only the statement's effect: it adds no result.
    Done,
}

impl Expect {
    /// Whether the row after `read` rows of the result is decoded (and weighed).
    pub fn decodes(self, read: usize) -> bool {
        match self {
            Expect::LookAhead(n) => read < n,
            _ => true,
        }
    }

    /// The failure of an `Exists` or `Referenced` statement that found no row.
    pub fn missing(self) -> StoreError {
        match self {
            Expect::Referenced => StoreError::InvalidReference,
            _ => StoreError::NotFound,
        }
    }
}

/// One statement of a plan.
#[derive(Debug, Clone)]
pub struct Statement {
    /// SQL text with placeholders.
    pub text: String,
    /// The bound parameters.
    pub params: Vec<Param>,
    /// What to do with the result.
    pub expect: Expect,
    /// The types of the returned columns, for `Rows`.
    pub decode: Vec<ColumnType>,
}

/// Statements run in one transaction; the results are those of the `Rows` and `Affected`
/// statements, in order.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Whether the plan writes (backends take the write lock up front).
    pub write: bool,
    /// Whether every statement reads rows by key: a few index lookups, whatever the
    /// size of the data (SQLite runs such a read on the caller's thread rather than
    /// handing it to a reader thread and back).
    pub by_key: bool,
    /// The statements, in order.
    pub statements: Vec<Statement>,
    /// The most bytes of row data (see [`crate::budget::RowBudget`]) the plan's `Rows` statements may
    /// return together; past it the plan fails with [`StoreError::TooLarge`] without
    /// reading further.
    pub max_bytes: Option<usize>,
    /// For a write of one row known before it runs, that row: writes of one row wait for
    /// each other's lock, so a backend may commit those waiting at one moment together
    /// (PostgreSQL's group commit, `postgres/group.rs`).
    pub row: Option<RowId>,
}

/// One row of one table, as a write names it: the key of a group commit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowId {
    table: TableId,
    tenant: String,
    parent: String,
    key: String,
}

/// Builds plans for one table layout and dialect.
pub struct Planner<'a> {
    /// The table layout.
    pub catalog: &'a Catalog,
    /// The SQL dialect.
    pub dialect: &'a dyn Dialect,
}

/// A target resolved from an address: its table, parent key, and own key if known.
pub struct Target<'a> {
    /// The table.
    pub table: &'a Table,
    /// The key of the parent entity ("" under a singleton).
    pub parent: String,
    /// The key: from the path, or derived for single-valued targets.
    pub key: Option<String>,
    /// The visible types.
    pub types: &'a [String],
    /// For the target of a link, where its key is read from.
    pub via: Option<Via<'a>>,
}

impl Target<'_> {
    /// The row a write of the target changes, if its key is known before it runs.
    pub fn row(&self, tenant: &str) -> Option<RowId> {
        Some(RowId {
            table: self.table.id,
            tenant: tenant.to_string(),
            parent: self.parent.clone(),
            key: self.key.clone()?,
        })
    }
}

/// The linking entity of a link's target, and the column holding the target's key.
pub struct Via<'a> {
    /// The linking entity's table.
    pub table: &'a Table,
    /// The linking entity's parent key.
    pub parent: String,
    /// The linking entity's key.
    pub key: String,
    /// The link column.
    pub column: &'a str,
}

impl Via<'_> {
    /// The linking entity's row, which setting the link changes.
    pub fn row(&self, tenant: &str) -> RowId {
        RowId {
            table: self.table.id,
            tenant: tenant.to_string(),
            parent: self.parent.clone(),
            key: self.key.clone(),
        }
    }
}

/// An entity on the path to a target that must exist for the target to be found: an
/// entity of a collection (single-valued steps exist with their parent).
pub struct Check<'a> {
    table: &'a Table,
    parent: String,
    key: String,
    types: &'a [String],
}

impl Check<'_> {
    /// `WHERE` the checked entity: its scope and key.
    fn condition(&self, sql: &mut Sql, tenant: &str) {
        sql.scope(tenant, self.table, &self.parent, self.types)
            .and_key(&self.key);
    }
}

impl<'a> Planner<'a> {
    /// The parent checks of `at`, each a statement of its own, and the resolved target.
    pub fn resolve(&self, tenant: &str, at: &'a Address) -> (Vec<Statement>, Target<'a>) {
        let (checks, target) = self.locate(tenant, at);
        (self.checks(tenant, &checks), target)
    }

    /// The parents' `checks` of a read: to go into the read's own statement (`within`,
    /// the second of the pair), or as statements of their own to run before it (the
    /// first).
    pub fn split_checks<'c, 'b>(
        &self,
        tenant: &str,
        checks: &'c [Check<'b>],
        within: bool,
    ) -> (Vec<Statement>, &'c [Check<'b>]) {
        match within {
            true => (Vec::new(), checks),
            false => (self.checks(tenant, checks), &[]),
        }
    }

    /// `checks`, each a statement of its own.
    pub fn checks(&self, tenant: &str, checks: &[Check]) -> Vec<Statement> {
        checks
            .iter()
            .map(|check| {
                let mut sql = Sql::new(self.dialect);
                sql.push("SELECT 1 FROM ").ident(&check.table.sql_name);
                check.condition(&mut sql, tenant);
                statement(sql, Expect::Exists, Vec::new())
            })
            .collect()
    }

    /// The entities that must exist on the path to `at`, and the resolved target.
    pub fn locate(&self, tenant: &str, at: &'a Address) -> (Vec<Check<'a>>, Target<'a>) {
        let mut checks = Vec::new();
        let mut parent = String::new();
        let mut linking: Option<(&'a Table, String, String)> = None;
        let (last, ancestors) = at.steps.split_last().expect("an address has a step");
        for step in ancestors {
            let table = self.catalog.table(step.table);
            let key = match &step.key {
                Some(key) => key.clone(),
                None => table.derived_id(tenant, &parent),
            };
            // Single-valued targets exist with their parent, which is checked already.
            if table.kind == TableKind::Collection {
                checks.push(Check {
                    table,
                    parent: parent.clone(),
                    key: key.clone(),
                    types: &step.types,
                });
            }
            linking = Some((table, parent, key.clone()));
            parent = key;
        }
        let table = self.catalog.table(last.table);
        let via = match (&last.via, linking) {
            (Some(column), Some((source, source_parent, source_key))) => Some(Via {
                table: source,
                parent: source_parent,
                key: source_key,
                column: source.column(column).map_or(column.as_str(), |c| &c.name),
            }),
            _ => None,
        };
        let key = match (&last.key, table.kind) {
            (Some(key), _) => Some(key.clone()),
            (None, TableKind::Collection) => None,
            (None, _) => Some(table.derived_id(tenant, &parent)),
        };
        let target = Target {
            table,
            parent,
            key: if via.is_some() { None } else { key },
            types: &last.types,
            via,
        };
        (checks, target)
    }

    /// `WHERE` the target (or `ON`, as `keyword` says): its scope and key, or for a link's
    /// target the key the linking entity holds.
    pub fn target_condition(&self, sql: &mut Sql, keyword: &str, tenant: &str, target: &Target) {
        let Some(via) = &target.via else {
            sql.scope_after(keyword, tenant, target.table, &target.parent, target.types);
            if let Some(key) = &target.key {
                sql.and_key(key);
            }
            return;
        };
        sql.push(keyword).ident(TENANT).push(" = ");
        sql.bind(Param::Text(tenant.into()));
        sql.types(target.types);
        sql.push(" AND ")
            .ident("id")
            .push(" = (SELECT ")
            .ident(via.column);
        sql.push(" FROM ").ident(&via.table.sql_name);
        sql.scope(tenant, via.table, &via.parent, &[])
            .and_key(&via.key);
        sql.push(")");
    }

    /// Reads the selected columns of the entity the target names.
    pub fn select_one(&self, tenant: &str, target: &Target, selection: &Selection) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT ")
            .columns(selection)
            .push(" FROM ")
            .ident(&target.table.sql_name);
        self.target_condition(&mut sql, " WHERE ", tenant, target);
        statement(sql, Expect::Rows, selection.decode(target.table))
    }

    /// Reads the selected columns of the entity the target names, in one statement with
    /// the `checks` of its parents, so that one snapshot sees both on either backend with
    /// no transaction around them (on PostgreSQL, one round trip instead of four). It
    /// answers no row when a parent is missing, and a row of NULLs (`_type` first) when
    /// the parents exist and the entity does not.
    pub fn select_one_checked(
        &self,
        tenant: &str,
        checks: &[Check],
        target: &Target,
        selection: &Selection,
    ) -> Statement {
        if checks.is_empty() {
            return self.select_one(tenant, target, selection);
        }
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT ").columns(selection);
        // The derived table's one column is left unnamed, so that no name of the
        // target's can collide with it.
        sql.push(" FROM (SELECT 1");
        push_exist(&mut sql, " WHERE ", tenant, checks);
        sql.push(") AS ").ident("_parents");
        sql.push(" LEFT JOIN ").ident(&target.table.sql_name);
        self.target_condition(&mut sql, " ON ", tenant, target);
        statement(sql, Expect::Rows, selection.decode(target.table))
    }
}

/// `keyword` (` WHERE`, ` AND`) each of `checks` exists.
pub(crate) fn push_exist(sql: &mut Sql, keyword: &str, tenant: &str, checks: &[Check]) {
    for (i, check) in checks.iter().enumerate() {
        sql.push(if i == 0 { keyword } else { " AND " });
        sql.push("EXISTS (SELECT 1 FROM ")
            .ident(&check.table.sql_name);
        check.condition(sql, tenant);
        sql.push(")");
    }
}

/// The types of a row of every column of `table`.
pub(crate) fn decode(table: &Table) -> Vec<ColumnType> {
    table.all.decode(table)
}

pub(crate) fn statement(sql: Sql, expect: Expect, decode: Vec<ColumnType>) -> Statement {
    Statement {
        text: sql.text,
        params: sql.params,
        expect,
        decode,
    }
}

/// The statements that create the catalog's tables, the settings, controls and snapshots
/// tables, idempotently.
pub fn schema(catalog: &Catalog, dialect: &dyn Dialect) -> Vec<String> {
    let text = dialect.column_type(&ColumnType::Text);
    let mut out = vec![format!(
        "CREATE TABLE IF NOT EXISTS {} (key {text} PRIMARY KEY, value {text} NOT NULL)",
        quote(SETTINGS)
    )];
    for table in catalog.tables() {
        let parent = table.parent.map(|p| catalog.table(p));
        out.extend(crate::sql::create_table(dialect, table, parent));
    }
    out.extend(crate::controls::schema(dialect));
    out.push(crate::snapshots::schema(dialect));
    out
}

/// The table of persistent settings.
pub const SETTINGS: &str = "_settings";

/// The rows of one statement.
pub type Rows = Vec<Vec<Param>>;

/// The first row of a result, or `NotFound`.
pub fn first(rows: Rows) -> Result<Vec<Param>, StoreError> {
    rows.into_iter().next().ok_or(StoreError::NotFound)
}
