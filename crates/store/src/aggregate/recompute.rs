//! The SQL that recomputes a summary from its states.

use super::{Source, Summary};
use crate::catalog::{Table, TableKind};
use crate::list::push_filter_condition;
use crate::plan::{Expect, Planner, Statement, statement};
use crate::sql::{PARENT, Param, Sql, TENANT, TYPE};

/// Which holder a recompute is for: one (by key, under a parent), or every holder of the
/// tenant (after a bulk load).
#[derive(Clone, Copy)]
pub enum Holders<'a> {
    /// The holder with this key, under this parent key.
    One {
        /// The holder's key.
        key: &'a str,
        /// The holder's parent key.
        parent: &'a str,
    },
    /// Every holder of the tenant.
    All,
}

/// How a recompute names the holder's key: bound, or a column of the updated row.
#[derive(Clone, Copy)]
enum HolderKey<'a> {
    Bound(&'a str),
    /// `"table"."column"` of the row being updated: its `id` when the row is the holder,
    /// its `_parent` when the holder is its parent.
    Outer(&'a str, &'static str),
}

impl Planner<'_> {
    /// Recomputes `summary` (only the columns copied from the holder when `holder_only`)
    /// for `holders`: for one holder, an upsert of its single-valued summary (or an update
    /// of the holder itself, for a collection summary); for all, an update of every
    /// summary row of the tenant.
    pub fn recompute(
        &self,
        tenant: &str,
        summary: &Summary,
        holders: Holders,
        holder_only: bool,
    ) -> Statement {
        let target = self.catalog.table(summary.target);
        let holder = self.catalog.table(summary.holder);
        let columns: Vec<&(String, Source)> = summary
            .columns
            .iter()
            .filter(|(_, s)| !holder_only || s.table().is_none())
            .collect();
        let mut sql = Sql::new(self.dialect);
        match (holders, target.kind) {
            (Holders::One { key, parent }, TableKind::Summary | TableKind::Contained) => {
                // INSERT … SELECT … ON CONFLICT: also creates a summary that has no row yet.
                sql.push("INSERT INTO ").ident(&target.sql_name).push(" (");
                sql.ident(TENANT).push(", ").ident(PARENT).push(", ");
                sql.ident("id").push(", ").ident(TYPE);
                for (name, _) in &columns {
                    sql.push(", ").ident(name);
                }
                sql.push(") SELECT ")
                    .bind(Param::Text(tenant.into()))
                    .push(", ");
                sql.bind(Param::Text(key.to_string())).push(", ");
                sql.bind(Param::Text(target.derived_id(tenant, key)))
                    .push(", ");
                sql.bind(Param::Text(target.entity_type.clone()));
                for (_, source) in &columns {
                    sql.push(", ");
                    self.value(&mut sql, tenant, holder, source, HolderKey::Bound(key));
                }
                sql.push(" FROM ").ident(&holder.sql_name);
                sql.scope(tenant, holder, parent, &[]).and_key(key);
                sql.push(" ON CONFLICT (")
                    .ident(TENANT)
                    .push(", ")
                    .ident("id");
                sql.push(") DO UPDATE SET ");
                for (i, (name, _)) in columns.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.ident(name).push(" = excluded.").ident(name);
                }
            }
            (holders, _) => {
                let key = match holders {
                    Holders::One { key, .. } => HolderKey::Bound(key),
                    Holders::All if holder.id == target.id => {
                        HolderKey::Outer(&target.sql_name, "id")
                    }
                    Holders::All => HolderKey::Outer(&target.sql_name, PARENT),
                };
                sql.push("UPDATE ").ident(&target.sql_name).push(" SET ");
                for (i, (name, source)) in columns.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.ident(name).push(" = ");
                    self.value(&mut sql, tenant, holder, source, key);
                }
                match holders {
                    Holders::One { key, parent } => {
                        sql.scope(tenant, target, parent, &[]).and_key(key);
                    }
                    Holders::All => {
                        sql.push(" WHERE ").ident(TENANT).push(" = ");
                        sql.bind(Param::Text(tenant.into()));
                    }
                }
            }
        }
        statement(sql, Expect::Affected, Vec::new())
    }

    /// The value of one computed column for the holder `key` names.
    fn value(&self, sql: &mut Sql, tenant: &str, holder: &Table, source: &Source, key: HolderKey) {
        match source {
            Source::Holder(column) => {
                sql.push("(SELECT ").ident(column).push(" FROM ");
                sql.ident(&holder.sql_name)
                    .push(" WHERE ")
                    .ident(TENANT)
                    .push(" = ");
                sql.bind(Param::Text(tenant.into()));
                sql.push(" AND ").ident("id").push(" = ");
                holder_key(sql, key);
                sql.push(")");
            }
            Source::Count(table, filter) => {
                let table = self.catalog.table(*table);
                sql.push("(SELECT COUNT(*) FROM ").ident(&table.sql_name);
                children_of(sql, tenant, key);
                push_filter_condition(sql, table, filter.as_ref());
                sql.push(")");
            }
            Source::Sum(table, column) => {
                let table = self.catalog.table(*table);
                sql.push("(SELECT COALESCE(SUM(")
                    .ident(column)
                    .push("), 0) FROM ");
                sql.ident(&table.sql_name);
                children_of(sql, tenant, key);
                sql.push(")");
            }
            Source::Latest(table, column, default) => {
                let table = self.catalog.table(*table);
                sql.push("(SELECT COALESCE(MAX(").ident(column).push("), ");
                match table.column(column) {
                    Some(c) => sql.bind(Param::from_value(c, default)),
                    None => sql.push("NULL"),
                };
                sql.push(") FROM ").ident(&table.sql_name);
                children_of(sql, tenant, key);
                sql.push(")");
            }
        }
    }
}

/// ` WHERE _tenant = ? AND _parent = <the holder's key>`.
fn children_of(sql: &mut Sql, tenant: &str, key: HolderKey) {
    sql.push(" WHERE ").ident(TENANT).push(" = ");
    sql.bind(Param::Text(tenant.into()));
    sql.push(" AND ").ident(PARENT).push(" = ");
    holder_key(sql, key);
}

fn holder_key(sql: &mut Sql, key: HolderKey) {
    match key {
        HolderKey::Bound(key) => {
            sql.bind(Param::Text(key.into()));
        }
        HolderKey::Outer(table, column) => {
            sql.ident(table).push(".").ident(column);
        }
    }
}
