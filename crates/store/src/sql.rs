//! SQL text for the catalog's tables, with every value a bound parameter. A [`Dialect`]
//! absorbs what differs between databases (placeholders, column types).

mod ddl;
mod dialect;
mod merge;

pub use ddl::{
    add_missing_columns, column_definition, column_indexes, create_table, indexes_before,
};
pub use dialect::{Dialect, Flavor, Postgres, Sqlite};
pub use merge::{Stored, push_merged};

use odata::Value;

use crate::catalog::{Column, ColumnType, Table};
use crate::columns::Selection;

/// Internal columns. Property names never start with `_`, and link columns are `_` and a
/// navigation property's name (none of these), so they cannot collide.
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
            (_, Value::String(s)) => Param::Text(s.clone()),
            (_, Value::Enum(name)) => Param::Text(name.to_string()),
            (_, Value::Json(j)) => Param::Text(j.to_string()),
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
        self.dialect
            .push_placeholder(&mut self.text, self.params.len());
        self
    }

    /// `WHERE _tenant = ? AND _parent = ?` on the rows of `table`, plus the type filter.
    /// A table at the root leaves the parent out: its rows all have the parent `''`, and
    /// its indexes leave it out too ([`create_table`]).
    pub fn scope(
        &mut self,
        tenant: &str,
        table: &Table,
        parent: &str,
        types: &[String],
    ) -> &mut Self {
        self.scope_after(" WHERE ", tenant, table, parent, types)
    }

    /// [`Sql::scope`] after another keyword than `WHERE` (a join's `ON`).
    pub fn scope_after(
        &mut self,
        keyword: &str,
        tenant: &str,
        table: &Table,
        parent: &str,
        types: &[String],
    ) -> &mut Self {
        self.push(keyword).ident(TENANT).push(" = ");
        self.bind(Param::Text(tenant.into()));
        if !table.at_root() {
            self.push(" AND ").ident(PARENT).push(" = ");
            self.bind(Param::Text(parent.into()));
        }
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
