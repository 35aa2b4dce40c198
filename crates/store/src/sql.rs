//! SQL text for the catalog's tables, with every value a bound parameter. A [`Dialect`]
//! absorbs what differs between databases (placeholders, column types).

use odata::Value;

use crate::catalog::{Column, ColumnType, Table, TableKind};
use crate::columns::Selection;

/// Internal columns. Property names never start with `_`, so they cannot collide.
pub const TENANT: &str = "_tenant";
/// The key of the parent entity ("" under a singleton).
pub const PARENT: &str = "_parent";
/// The entity's concrete type.
pub const TYPE: &str = "_type";

/// What a bound parameter holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// A NULL of a column's type (typed, for databases that care).
    Null(ColumnType),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A float.
    Real(f64),
    /// Text.
    Text(String),
}

impl Param {
    /// The parameter that stores `value` in `column`.
    pub fn from_value(column: &Column, value: &Value) -> Param {
        Param::of(&column.ty, value)
    }

    /// The parameter that stores `value` in a column of type `ty`.
    pub fn of(ty: &ColumnType, value: &Value) -> Param {
        match (ty, value) {
            (ty, Value::Null) => Param::Null(ty.clone()),
            (ColumnType::Enum(members), Value::Enum(name)) => members
                .iter()
                .find(|(m, _)| m == name)
                .map_or(Param::Null(ty.clone()), |(_, v)| Param::Int(*v)),
            (_, Value::Int(i)) | (_, Value::DateTimeOffset(i)) => Param::Int(*i),
            (_, Value::Bool(b)) => Param::Bool(*b),
            (_, Value::Float(f)) => Param::Real(*f),
            (_, Value::String(s)) | (_, Value::Enum(s)) => Param::Text(s.clone()),
            (_, Value::Json(j)) => Param::Text(j.to_string()),
        }
    }
}

/// Which database family a dialect speaks, for the few statements written per family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// SQLite.
    Sqlite,
    /// PostgreSQL and compatible engines.
    Postgres,
}

/// What differs between SQL databases.
pub trait Dialect: Send + Sync {
    /// The database family.
    fn flavor(&self) -> Flavor;
    /// Appended to an `ORDER BY` term so nulls sort first ascending and last descending,
    /// as OData orders them.
    fn nulls_order(&self, descending: bool) -> &'static str;
    /// The placeholder of the `index`-th parameter (1-based).
    fn placeholder(&self, index: usize) -> String;
    /// The column type for a catalog column type.
    fn column_type(&self, ty: &ColumnType) -> &'static str;
    /// A literal for a DDL `DEFAULT` (only ever a schema default, never request data).
    fn literal(&self, value: &Param) -> String;
}

/// SQLite.
#[derive(Debug, Clone, Copy)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn flavor(&self) -> Flavor {
        Flavor::Sqlite
    }

    fn nulls_order(&self, _descending: bool) -> &'static str {
        // SQLite already sorts NULL as the smallest value.
        ""
    }

    fn placeholder(&self, _index: usize) -> String {
        "?".into()
    }

    fn column_type(&self, ty: &ColumnType) -> &'static str {
        match ty {
            ColumnType::Integer | ColumnType::Ticks | ColumnType::Enum(_) | ColumnType::Boolean => {
                "INTEGER"
            }
            ColumnType::Real => "REAL",
            ColumnType::Text | ColumnType::Json => "TEXT",
        }
    }

    fn literal(&self, value: &Param) -> String {
        match value {
            Param::Null(_) => "NULL".into(),
            Param::Int(i) => i.to_string(),
            Param::Bool(b) => i32::from(*b).to_string(),
            Param::Real(f) => format!("{f:?}"),
            Param::Text(t) => format!("'{}'", t.replace('\'', "''")),
        }
    }
}

/// PostgreSQL and the engines that speak its dialect.
///
/// Text columns are `COLLATE "C"`, so strings compare and sort by bytes, as in SQLite and
/// the in-memory evaluator, whatever the database's default collation.
#[derive(Debug, Clone, Copy)]
pub struct Postgres;

impl Dialect for Postgres {
    fn flavor(&self) -> Flavor {
        Flavor::Postgres
    }

    fn nulls_order(&self, descending: bool) -> &'static str {
        // PostgreSQL sorts NULL as the largest value; OData (and SQLite) as the smallest.
        if descending {
            " NULLS LAST"
        } else {
            " NULLS FIRST"
        }
    }

    fn placeholder(&self, index: usize) -> String {
        format!("${index}")
    }

    fn column_type(&self, ty: &ColumnType) -> &'static str {
        match ty {
            ColumnType::Integer | ColumnType::Ticks | ColumnType::Enum(_) => "BIGINT",
            ColumnType::Boolean => "BOOLEAN",
            ColumnType::Real => "DOUBLE PRECISION",
            ColumnType::Text | ColumnType::Json => "TEXT COLLATE \"C\"",
        }
    }

    fn literal(&self, value: &Param) -> String {
        match value {
            Param::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            other => Sqlite.literal(other),
        }
    }
}

/// A statement under construction: text plus the parameters its placeholders bind.
pub struct Sql<'d> {
    dialect: &'d dyn Dialect,
    /// The SQL text.
    pub text: String,
    /// The parameters, in placeholder order.
    pub params: Vec<Param>,
}

impl<'d> Sql<'d> {
    /// An empty statement.
    pub fn new(dialect: &'d dyn Dialect) -> Self {
        Sql {
            dialect,
            text: String::with_capacity(1024),
            params: Vec::new(),
        }
    }

    /// The dialect's database family.
    pub fn flavor(&self) -> Flavor {
        self.dialect.flavor()
    }

    /// The dialect.
    pub fn dialect(&self) -> &'d dyn Dialect {
        self.dialect
    }

    /// Appends SQL text.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a quoted identifier.
    pub fn ident(&mut self, name: &str) -> &mut Self {
        push_quoted(&mut self.text, name);
        self
    }

    /// Appends a placeholder bound to `param`.
    pub fn bind(&mut self, param: Param) -> &mut Self {
        self.params.push(param);
        let placeholder = self.dialect.placeholder(self.params.len());
        self.text.push_str(&placeholder);
        self
    }

    /// `WHERE _tenant = ? AND _parent = ?`, plus the type filter.
    pub fn scope(&mut self, tenant: &str, parent: &str, types: &[String]) -> &mut Self {
        self.push(" WHERE ").ident(TENANT).push(" = ");
        self.bind(Param::Text(tenant.into()));
        self.push(" AND ").ident(PARENT).push(" = ");
        self.bind(Param::Text(parent.into()));
        self.types(types)
    }

    /// `AND _type IN (…)`, unless `types` is empty (every type).
    pub fn types(&mut self, types: &[String]) -> &mut Self {
        if !types.is_empty() {
            self.push(" AND ").ident(TYPE).push(" IN (");
            for (i, t) in types.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                self.bind(Param::Text(t.clone()));
            }
            self.push(")");
        }
        self
    }

    /// `AND id = ?`.
    pub fn and_key(&mut self, key: &str) -> &mut Self {
        self.push(" AND ").ident("id").push(" = ");
        self.bind(Param::Text(key.into()))
    }

    /// The selected columns of `table`, which is named `alias` in a join.
    pub fn columns_of(&mut self, alias: &str, table: &Table, selection: &Selection) -> &mut Self {
        self.push(alias).push(".").ident(TYPE);
        self.push(", ").push(alias).push(".").ident("id");
        for &at in &selection.positions {
            self.push(", ")
                .push(alias)
                .push(".")
                .ident(&table.columns[at].name);
        }
        self
    }

    /// The columns a read returns: `_type`, `id`, then the selected columns in table
    /// order.
    pub fn columns(&mut self, selection: &Selection) -> &mut Self {
        self.push(&selection.list)
    }
}

/// Quotes an identifier.
pub fn quote(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    push_quoted(&mut quoted, name);
    quoted
}

/// Appends `name` quoted as an identifier (a `"` in it doubled), without allocating: the
/// planner writes every column's name into every statement.
pub(crate) fn push_quoted(out: &mut String, name: &str) {
    out.push('"');
    // The catalog's names hold no `"`: one copy, without splitting.
    if !name.as_bytes().contains(&b'"') {
        out.push_str(name);
    } else {
        let mut parts = name.split('"');
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        for part in parts {
            out.push_str("\"\"");
            out.push_str(part);
        }
    }
    out.push('"');
}

/// The DDL that creates a table and its indexes, idempotently.
pub fn create_table(dialect: &dyn Dialect, table: &Table, parent: Option<&Table>) -> Vec<String> {
    let name = quote(&table.sql_name);
    let text = dialect.column_type(&ColumnType::Text);
    let mut lines: Vec<String> = [TENANT, PARENT, "id", TYPE]
        .iter()
        .map(|column| format!("{} {text} NOT NULL", quote(column)))
        .collect();
    lines.extend(table.columns.iter().map(|c| column_definition(dialect, c)));
    lines.push(format!("PRIMARY KEY ({}, {})", quote(TENANT), quote("id")));
    if table.kind != TableKind::Collection {
        lines.push(format!("UNIQUE ({}, {})", quote(TENANT), quote(PARENT)));
    }
    if let Some(parent) = parent {
        lines.push(format!(
            "FOREIGN KEY ({}, {}) REFERENCES {} ({}, {}) ON DELETE CASCADE",
            quote(TENANT),
            quote(PARENT),
            quote(&parent.sql_name),
            quote(TENANT),
            quote("id")
        ));
    }
    let mut statements = vec![
        format!(
            "CREATE TABLE IF NOT EXISTS {name} (\n  {}\n)",
            lines.join(",\n  ")
        ),
        format!(
            "CREATE INDEX IF NOT EXISTS {} ON {name} ({}, {}, {})",
            quote(&format!("{}__by_parent", table.sql_name)),
            quote(TENANT),
            quote(PARENT),
            quote("id")
        ),
    ];
    // (tenant, parent, column, id): serves a range filter on the column and keyset pages
    // ordered by (column, id) in either direction. Nulls sort first in the index, as in
    // an ascending OData order, so that read backwards it is the descending order (nulls
    // last): PostgreSQL's default (nulls last) read backwards puts them first, which no
    // `ORDER BY … DESC NULLS LAST` can use, and sorted the whole collection per page.
    for column in table.indexed() {
        statements.push(format!(
            "CREATE INDEX IF NOT EXISTS {} ON {name} ({}, {}, {}{}, {})",
            quote(&index_name(&table.sql_name, &column.name)),
            quote(TENANT),
            quote(PARENT),
            quote(&column.name),
            dialect.nulls_order(false),
            quote("id")
        ));
    }
    statements
}

/// The names of the indexes [`create_table`] makes on the table's columns.
pub fn column_indexes(table: &Table) -> impl Iterator<Item = String> + '_ {
    table
        .indexed()
        .map(|column| index_name(&table.sql_name, &column.name))
}

/// `{table}__by_{column}`, or past 63 bytes (PostgreSQL's limit) the table name's first 40
/// bytes and a hash of the full name (table names are ASCII).
fn index_name(table: &str, column: &str) -> String {
    let full = format!("{table}__by_{column}");
    if full.len() <= 63 {
        return full;
    }
    // FNV-1a, as the catalog names long tables: stable across builds and platforms.
    let hash = full.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{}__{hash:016x}", &table[..table.len().min(40)])
}

/// The `ALTER TABLE … ADD COLUMN` statements that give `table` the columns the catalog has
/// and the database, which has `existing`, lacks: the migration of a schema change, the
/// same for every backend.
pub fn add_missing_columns(
    dialect: &dyn Dialect,
    table: &Table,
    existing: &[String],
) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| !existing.iter().any(|e| **e == *c.name))
        .map(|column| {
            tracing::info!(table = %table.sql_name, column = %column.name, "adding column");
            format!(
                "ALTER TABLE {} ADD COLUMN {}",
                quote(&table.sql_name),
                column_definition(dialect, column)
            )
        })
        .collect()
}

/// `"name" TYPE [NOT NULL DEFAULT x]`: non-nullable properties with a neutral value get it
/// as the default, so a row written through one version is complete in the other.
pub fn column_definition(dialect: &dyn Dialect, column: &Column) -> String {
    let mut out = format!(
        "{} {}",
        quote(&column.name),
        dialect.column_type(&column.ty)
    );
    if let Some(default) = &column.default {
        let literal = dialect.literal(&Param::from_value(column, default));
        out.push_str(&format!(" NOT NULL DEFAULT {literal}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn identifiers_are_quoted_with_inner_quotes_doubled() {
        assert_eq!(quote("lastSyncDateTime"), "\"lastSyncDateTime\"");
        assert_eq!(quote("a\"b\""), "\"a\"\"b\"\"\"");
        assert_eq!(quote(""), "\"\"");
    }
}
