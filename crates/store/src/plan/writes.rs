//! The writes' statements: inserts, updates, upserts and deletes of one target.
//!
//! A write that answers with the row it leaves ([`Planner::insert`], [`Planner::update`],
//! [`Planner::upsert`]) ends in `RETURNING` on PostgreSQL, which saves it a round trip.
//! On SQLite it is the write, then the row read back by key in the same transaction: SQLite
//! runs a statement with `RETURNING` as one that may have to be undone alone, so it copies
//! every page the write changes to an undo journal first, and buffers the returned rows
//! in a temporary table (about 45 pages for a device, whose table has 26 indexes;
//! bench/HISTORY.md "W12, a device's enrollment" and "Steps 22–26"). An insert on SQLite
//! is not read back where its row is known from what it binds ([`super::inserted`]).

use odata::Value;
use odata::value::Given;

use super::{Expect, Planner, Statement, Target, decode, inserted, statement};
use crate::Changes;
use crate::catalog::{Column, Stamp, Table};
use crate::sql::{Flavor, PARENT, Param, Sql, Stored, TENANT, TYPE, push_merged};

/// Which row a write leaves, to read it back: its key and, for an update, the types it
/// may have and the type it must have.
struct Row<'k> {
    key: Option<&'k str>,
    types: &'k [String],
    type_name: Option<&'k str>,
}

impl<'a> Planner<'a> {
    /// Inserts a new entity with key `key`; its row is the result, or on SQLite, where
    /// it is known from what the insert binds, [`Insert::row`].
    pub fn insert(
        &self,
        tenant: &str,
        target: &Target,
        key: &str,
        changes: &Changes,
        now: i64,
    ) -> Insert {
        let values = written(target.table, changes, now, true);
        let insert = self.insert_values(tenant, target, key, &changes.type_name, &values);
        if self.dialect.flavor() == Flavor::Sqlite {
            // The columns' values are the insert's last parameters.
            let bound = &insert.params[insert.params.len() - values.len()..];
            if let Some(row) = inserted::row(target.table, &changes.type_name, key, &values, bound)
            {
                return Insert {
                    statements: vec![insert],
                    row: Some(row),
                };
            }
        }
        let row = Row {
            key: Some(key),
            types: &[],
            type_name: None,
        };
        Insert {
            statements: self.with_row(insert, tenant, target, &row),
            row: None,
        }
    }

    /// Inserts a new entity with key `key`, answering nothing.
    pub fn insert_row(
        &self,
        tenant: &str,
        target: &Target,
        key: &str,
        changes: &Changes,
        now: i64,
    ) -> Statement {
        let values = written(target.table, changes, now, true);
        self.insert_values(tenant, target, key, &changes.type_name, &values)
    }

    /// Merges changes into the existing entity of the target's type; its row is the
    /// result (none when nothing of that type matched).
    pub fn update(
        &self,
        tenant: &str,
        target: &Target,
        changes: &Changes,
        now: i64,
    ) -> Vec<Statement> {
        let values = written(target.table, changes, now, false);
        let mut sql = Sql::new(self.dialect);
        sql.push("UPDATE ")
            .ident(&target.table.sql_name)
            .push(" SET ");
        if values.is_empty() {
            sql.ident("id").push(" = ").ident("id");
        }
        for (i, (column, value)) in values.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.ident(&column.name).push(" = ");
            set(&mut sql, None, column, value, changes);
        }
        sql.scope(tenant, target.table, &target.parent, target.types);
        if let Some(key) = &target.key {
            sql.and_key(key);
        }
        sql.push(" AND ")
            .ident(TYPE)
            .push(" = ")
            .bind(Param::Text(changes.type_name.clone()));
        let row = Row {
            key: target.key.as_deref(),
            types: target.types,
            type_name: Some(&changes.type_name),
        };
        self.with_row(
            statement(sql, Expect::Done, Vec::new()),
            tenant,
            target,
            &row,
        )
    }

    /// Inserts or merges a `Referenced` target; with `whole`, properties left out are
    /// reset to their defaults. Its row is the result.
    pub fn upsert(
        &self,
        tenant: &str,
        target: &Target,
        changes: &Changes,
        whole: bool,
        now: i64,
    ) -> Vec<Statement> {
        let table = target.table;
        let mut values = written(table, changes, now, false);
        if whole {
            for column in &table.columns {
                if !values.iter().any(|(c, _)| c.name == column.name) {
                    values.push((column, column.default.clone().unwrap_or(Value::Null)));
                }
            }
        }
        let key = target.key.clone().unwrap_or_default();
        let mut sql = Sql::new(self.dialect);
        self.insert_head(&mut sql, tenant, target, &key, &changes.type_name, &values);
        sql.push(" ON CONFLICT (")
            .ident(TENANT)
            .push(", ")
            .ident("id")
            .push(") DO UPDATE SET ");
        sql.ident(TYPE).push(" = excluded.").ident(TYPE);
        for (column, value) in &values {
            sql.push(", ").ident(&column.name).push(" = ");
            if merged(changes, column).is_some() {
                set(&mut sql, Some(&table.sql_name), column, value, changes);
            } else {
                sql.push("excluded.").ident(&column.name);
            }
        }
        let row = Row {
            key: Some(&key),
            types: &[],
            type_name: None,
        };
        self.with_row(
            statement(sql, Expect::Done, Vec::new()),
            tenant,
            target,
            &row,
        )
    }

    /// Deletes the target (and, through the foreign keys, what it contains).
    pub fn delete(&self, tenant: &str, target: &Target) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("DELETE FROM ").ident(&target.table.sql_name);
        sql.scope(tenant, target.table, &target.parent, target.types);
        if let Some(key) = &target.key {
            sql.and_key(key);
        }
        statement(sql, Expect::Affected, Vec::new())
    }

    /// The write `write` (which answers nothing), with the row it leaves (`row`) as its
    /// result (see the module's doc): `RETURNING` on PostgreSQL, a read by key after it on
    /// SQLite.
    fn with_row(
        &self,
        mut write: Statement,
        tenant: &str,
        target: &Target,
        row: &Row,
    ) -> Vec<Statement> {
        let table = target.table;
        if self.dialect.flavor() == Flavor::Postgres {
            write.text.push_str(" RETURNING ");
            write.text.push_str(&table.all.list);
            write.expect = Expect::Rows;
            write.decode = decode(table);
            return vec![write];
        }
        let mut select = Sql::new(self.dialect);
        select.push("SELECT ").columns(&table.all);
        select.push(" FROM ").ident(&table.sql_name);
        select.scope(tenant, table, &target.parent, row.types);
        if let Some(key) = row.key {
            select.and_key(key);
        }
        if let Some(type_name) = row.type_name {
            select
                .push(" AND ")
                .ident(TYPE)
                .push(" = ")
                .bind(Param::Text(type_name.into()));
        }
        vec![write, statement(select, Expect::Rows, decode(table))]
    }

    /// `INSERT` of `values` (bound last, after the tenant, parent, id and type), answering
    /// nothing.
    fn insert_values(
        &self,
        tenant: &str,
        target: &Target,
        key: &str,
        type_name: &str,
        values: &[(&Column, Value)],
    ) -> Statement {
        let mut sql = Sql::new(self.dialect);
        self.insert_head(&mut sql, tenant, target, key, type_name, values);
        statement(sql, Expect::Done, Vec::new())
    }

    fn insert_head(
        &self,
        sql: &mut Sql,
        tenant: &str,
        target: &Target,
        key: &str,
        type_name: &str,
        values: &[(&Column, Value)],
    ) {
        sql.push("INSERT INTO ")
            .ident(&target.table.sql_name)
            .push(" (");
        sql.ident(TENANT)
            .push(", ")
            .ident(PARENT)
            .push(", ")
            .ident("id")
            .push(", ")
            .ident(TYPE);
        for (column, _) in values {
            sql.push(", ").ident(&column.name);
        }
        sql.push(") VALUES (");
        sql.bind(Param::Text(tenant.into())).push(", ");
        sql.bind(Param::Text(target.parent.clone())).push(", ");
        sql.bind(Param::Text(key.into())).push(", ");
        sql.bind(Param::Text(type_name.into()));
        for (column, value) in values {
            sql.push(", ").bind(Param::from_value(column, value));
        }
        sql.push(")");
    }
}

/// An insert's statements, and the row it leaves when that is known without reading it.
pub struct Insert {
    /// The insert, then (when `row` is not known) the read of its row.
    pub statements: Vec<Statement>,
    /// The row as a read of the table's columns returns it ([`inserted`]).
    pub row: Option<Vec<Param>>,
}

/// What a PATCH gives of the complex value it merges into `column`, if it merges one.
fn merged<'c>(changes: &'c Changes, column: &Column) -> Option<&'c Given> {
    changes
        .merged
        .iter()
        .find(|(name, _)| **name == *column.name)
        .map(|(_, given)| given)
}

/// Appends the value a write sets `column` to: `value` bound, or, for a complex value a
/// PATCH merges, the stored value (of `table`'s row, where the statement names two)
/// with the given members set ([`push_merged`]).
fn set(sql: &mut Sql, table: Option<&str>, column: &Column, value: &Value, changes: &Changes) {
    match (merged(changes, column), value) {
        (Some(given), Value::Json(written)) => {
            let stored = Stored {
                table,
                column: &column.name,
            };
            push_merged(sql, stored, written.as_ref(), given);
        }
        _ => {
            sql.bind(Param::from_value(column, value));
        }
    }
}

/// The columns and values a write sets: the given properties and links, plus the
/// timestamps the store keeps.
fn written<'t>(
    table: &'t Table,
    changes: &Changes,
    now: i64,
    creating: bool,
) -> Vec<(&'t Column, Value)> {
    let mut out: Vec<_> = changes
        .values
        .iter()
        .filter_map(|(name, value)| table.column(name).map(|c| (c, value.clone())))
        .filter(|(c, _)| c.stamp.is_none() && c.link.is_none())
        .collect();
    for (navigation, key) in &changes.links {
        if let Some(column) = table.link(navigation) {
            let value = key.clone().map_or(Value::Null, Value::String);
            out.push((column, value));
        }
    }
    for column in &table.columns {
        match column.stamp {
            Some(Stamp::Modified) => out.push((column, Value::DateTimeOffset(now))),
            Some(Stamp::Created) if creating => out.push((column, Value::DateTimeOffset(now))),
            _ => {}
        }
    }
    out
}
