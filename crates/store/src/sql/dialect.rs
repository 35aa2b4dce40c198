//! What differs between SQL databases: placeholders, column types, null order, literals.

use crate::catalog::ColumnType;

use super::Param;

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
    /// Appends the placeholder of the `index`-th parameter (1-based) to `text`.
    fn push_placeholder(&self, text: &mut String, index: usize);
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

    fn push_placeholder(&self, text: &mut String, _index: usize) {
        text.push('?');
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

    fn push_placeholder(&self, text: &mut String, index: usize) {
        text.push('$');
        text.push_str(itoa::Buffer::new().format(index));
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
