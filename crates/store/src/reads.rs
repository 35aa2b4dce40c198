//! The statements that read collections: a page, its count, and expanded navigations.

use std::borrow::Cow;

use crate::catalog::{ColumnType, Table, TableKind};
use crate::columns::Selection;
use crate::list::{ExpandQuery, ListQuery, push_after, push_filter_condition, push_order};
use crate::plan::{Check, Expect, Planner, Statement, Target, push_exist, statement};
use crate::sql::{PARENT, Param, Sql, TENANT};

/// What an expansion reads: the table of the rows, which of its columns, and whether they
/// are linked entities (one per parent) rather than the parents' children.
pub struct Expansion<'a> {
    /// The table the rows come from.
    pub table: &'a Table,
    /// The columns read of each row.
    pub selection: Cow<'a, Selection>,
    /// Whether the navigation is a link.
    pub link: bool,
}

/// Whose children an expansion reads.
pub enum Parents<'q> {
    /// The entities of a page of the target collection (with its parents' checks, when
    /// the page's statement has them).
    Page(&'q ListQuery, &'q [Check<'q>]),
    /// One entity, by key.
    Key(String),
}

impl Planner<'_> {
    /// The selected columns of a page of the target collection: one row more than the
    /// page size, to know whether another page follows (read as an empty row, outside
    /// the budget: [`Expect::LookAhead`]). `checks`, parents that must
    /// exist, are taken into the statement: a page with rows shows that they do (an empty
    /// page does not say which was missing, the parents or the rows).
    pub fn page(
        &self,
        tenant: &str,
        target: &Target,
        query: &ListQuery,
        selection: &Selection,
        checks: &[Check],
    ) -> Statement {
        let mut sql = Sql::new(self.dialect);
        let rows = query.size.saturating_add(1);
        self.push_page_rows(&mut sql, tenant, target, (query, checks), rows, |sql| {
            sql.columns(selection);
        });
        statement(
            sql,
            Expect::LookAhead(query.size),
            selection.decode(target.table),
        )
    }

    /// Whether a page of `query` has no rows, in one statement with the `checks` of the
    /// target's parents: no row when a parent is missing, else one row whose one cell is
    /// NULL when the page is empty (and 1 when it is not).
    pub fn page_probe(
        &self,
        tenant: &str,
        target: &Target,
        query: &ListQuery,
        checks: &[Check],
    ) -> Statement {
        self.scalar_checked(tenant, checks, |sql| {
            sql.push("SELECT 1 FROM ").ident(&target.table.sql_name);
            // In no order: only whether a row is there counts.
            self.page_filter(sql, tenant, target, query, &[]);
            sql.push(" LIMIT 1");
            push_offset(sql, query);
        })
    }

    /// The number of rows matching the filter (all pages).
    pub fn count_matching(&self, tenant: &str, target: &Target, query: &ListQuery) -> Statement {
        let mut sql = Sql::new(self.dialect);
        push_count(&mut sql, tenant, target, query);
        statement(sql, Expect::Rows, vec![ColumnType::Integer])
    }

    /// [`Planner::count_matching`] in one statement with the `checks` of the target's
    /// parents, as [`Planner::select_one_checked`] reads an entity: no row when a parent
    /// is missing.
    pub fn count_checked(
        &self,
        tenant: &str,
        checks: &[Check],
        target: &Target,
        query: &ListQuery,
    ) -> Statement {
        if checks.is_empty() {
            return self.count_matching(tenant, target, query);
        }
        self.scalar_checked(tenant, checks, |sql| {
            push_count(sql, tenant, target, query);
        })
    }

    /// `SELECT (<scalar>) WHERE EXISTS (<parent 1>) AND …`: one integer (or NULL), or no
    /// row when a parent is missing.
    fn scalar_checked(
        &self,
        tenant: &str,
        checks: &[Check],
        scalar: impl FnOnce(&mut Sql),
    ) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT (");
        scalar(&mut sql);
        sql.push(")");
        push_exist(&mut sql, " WHERE ", tenant, checks);
        statement(sql, Expect::Rows, vec![ColumnType::Integer])
    }

    /// The children of `parents` along `expand` (or the entities they link to), each row
    /// with its parent's key last; `None` when the navigation has no table.
    pub fn expand(
        &self,
        tenant: &str,
        target: &Target,
        parents: &Parents,
        expand: &ExpandQuery,
    ) -> Option<(Statement, Expansion<'_>)> {
        if let Some(link) = target.table.link(&expand.navigation) {
            let home = self.catalog.table(link.link?);
            let selection = home.selection(&expand.columns, &[]);
            let mut sql = Sql::new(self.dialect);
            sql.push("SELECT ")
                .columns_of("t", home, &selection)
                .push(", s.")
                .ident("id");
            sql.push(" FROM ");
            match parents {
                Parents::Key(_) => {
                    sql.ident(&target.table.sql_name);
                }
                // The page's rows with their links, joined as they are: looking each id
                // up again in the target's table (`s.id IN (<the page's ids>)`) cost
                // a seek in its key's index and one in the table a row (W11's run states
                // expanded to their devices: bench/HISTORY.md, step 43).
                Parents::Page(query, checks) => {
                    sql.push("(");
                    self.push_page_rows(
                        &mut sql,
                        tenant,
                        target,
                        (query, checks),
                        query.size,
                        |sql| {
                            sql.ident(TENANT).push(", ").ident("id");
                            sql.push(", ").ident(&link.name);
                        },
                    );
                    sql.push(")");
                }
            }
            sql.push(" AS s JOIN ");
            sql.ident(&home.sql_name).push(" AS t ON t.").ident(TENANT);
            sql.push(" = s.").ident(TENANT).push(" AND t.").ident("id");
            sql.push(" = s.").ident(&link.name);
            if let Parents::Key(key) = parents {
                sql.push(" WHERE s.").ident(TENANT);
                sql.push(" = ").bind(Param::Text(tenant.into()));
                sql.push(" AND s.").ident("id").push(" = ");
                sql.bind(Param::Text(key.clone()));
            }
            let mut types = selection.decode(home);
            types.push(ColumnType::Text);
            let expansion = Expansion {
                table: home,
                selection,
                link: true,
            };
            return Some((statement(sql, Expect::Rows, types), expansion));
        }
        let child = self.catalog.child(target.table.id, &expand.navigation)?;
        let ranked = child.kind == TableKind::Collection && expand.top.is_some();
        let selection = child.selection(&expand.columns, &[]);
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT ")
            .columns(&selection)
            .push(", ")
            .ident(PARENT);
        if ranked {
            sql.push(" FROM (SELECT ")
                .columns(&selection)
                .push(", ")
                .ident(PARENT);
            sql.push(", ROW_NUMBER() OVER (PARTITION BY ").ident(PARENT);
            push_order(&mut sql, child, &expand.orderby);
            sql.push(") AS lg_rank");
        }
        sql.push(" FROM ")
            .ident(&child.sql_name)
            .push(" WHERE ")
            .ident(TENANT)
            .push(" = ");
        sql.bind(Param::Text(tenant.into()));
        sql.push(" AND ").ident(PARENT).push(" IN (");
        self.push_parents(&mut sql, tenant, target, parents);
        sql.push(")");
        push_filter_condition(&mut sql, child, expand.filter.as_ref());
        if let (true, Some(top)) = (ranked, expand.top) {
            sql.push(") AS lg_ranked WHERE lg_rank <= ")
                .bind(Param::Int(int(top)));
            sql.push(" ORDER BY ").ident(PARENT).push(", lg_rank");
        } else {
            push_order(&mut sql, child, &expand.orderby);
        }
        let mut types = selection.decode(child);
        types.push(ColumnType::Text);
        let expansion = Expansion {
            table: child,
            selection,
            link: false,
        };
        Some((statement(sql, Expect::Rows, types), expansion))
    }

    /// The keys of `parents`: one bound key, or the ids of the page.
    fn push_parents(&self, sql: &mut Sql, tenant: &str, target: &Target, parents: &Parents) {
        match parents {
            Parents::Key(key) => {
                sql.bind(Param::Text(key.clone()));
            }
            Parents::Page(query, checks) => {
                self.push_page_rows(sql, tenant, target, (query, checks), query.size, |sql| {
                    sql.ident("id");
                });
            }
        }
    }

    /// `SELECT <columns> FROM <target> WHERE scope AND filter AND after-cursor AND checks
    /// ORDER BY keys, id LIMIT <rows> [OFFSET skip]`: the rows of the page `query` reads,
    /// `rows` of them (the page's own statement reads one more, to know whether another
    /// follows; an expansion reads the page's).
    fn push_page_rows(
        &self,
        sql: &mut Sql,
        tenant: &str,
        target: &Target,
        (query, checks): (&ListQuery, &[Check]),
        rows: usize,
        columns: impl FnOnce(&mut Sql),
    ) {
        sql.push("SELECT ");
        columns(sql);
        sql.push(" FROM ").ident(&target.table.sql_name);
        self.page_filter(sql, tenant, target, query, checks);
        push_order(sql, target.table, &query.orderby);
        sql.push(" LIMIT ").bind(Param::Int(int(rows)));
        push_offset(sql, query);
    }

    /// `WHERE scope AND filter AND after-cursor AND checks`.
    fn page_filter(
        &self,
        sql: &mut Sql,
        tenant: &str,
        target: &Target,
        query: &ListQuery,
        checks: &[Check],
    ) {
        sql.scope(tenant, target.table, &target.parent, target.types);
        push_filter_condition(sql, target.table, query.filter.as_ref());
        if let Some(cursor) = &query.after {
            push_after(sql, target.table, &query.orderby, cursor);
        }
        push_exist(sql, " AND ", tenant, checks);
    }
}

/// `SELECT COUNT(*)` of the target's rows that match the query's filter.
fn push_count(sql: &mut Sql, tenant: &str, target: &Target, query: &ListQuery) {
    sql.push("SELECT COUNT(*) FROM ")
        .ident(&target.table.sql_name);
    sql.scope(tenant, target.table, &target.parent, target.types);
    push_filter_condition(sql, target.table, query.filter.as_ref());
}

/// `OFFSET skip` for a `$skip` (a cursor's page starts where the cursor says instead).
fn push_offset(sql: &mut Sql, query: &ListQuery) {
    if query.after.is_none() && query.skip > 0 {
        sql.push(" OFFSET ").bind(Param::Int(int(query.skip)));
    }
}

/// A count as an SQL integer; past `i64::MAX` (which no table reaches) it saturates.
fn int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
