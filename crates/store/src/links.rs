//! The statements of links and whole child collections: a link's target checked and set,
//! the children an `assign` replaces removed.

use crate::Changes;
use crate::catalog::{ColumnType, Table};
use crate::plan::{Expect, Planner, Statement, Target, Via, statement};
use crate::sql::{Param, Sql, TENANT};

impl Planner<'_> {
    /// Checks that the target exists.
    pub fn exists(&self, tenant: &str, target: &Target) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT 1 FROM ").ident(&target.table.sql_name);
        self.target_condition(&mut sql, " WHERE ", tenant, target);
        statement(sql, Expect::Exists, Vec::new())
    }

    /// Sets the link column `via` names to `key` (or NULL).
    pub fn set_link(&self, tenant: &str, via: &Via, key: Option<&str>) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("UPDATE ").ident(&via.table.sql_name).push(" SET ");
        sql.ident(via.column).push(" = ");
        match key {
            Some(key) => sql.bind(Param::Text(key.into())),
            None => sql.bind(Param::Null(ColumnType::Text)),
        };
        sql.scope(tenant, via.table, &via.parent, &[])
            .and_key(&via.key);
        statement(sql, Expect::Affected, Vec::new())
    }

    /// Deletes every entity of `table` under the parent `parent`.
    pub fn delete_children(&self, tenant: &str, table: &Table, parent: &str) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("DELETE FROM ").ident(&table.sql_name);
        sql.scope(tenant, table, parent, &[]);
        statement(sql, Expect::Affected, Vec::new())
    }

    /// Checks that the entities `changes` links to exist (in the caller's tenant).
    pub fn link_checks(&self, tenant: &str, table: &Table, changes: &Changes) -> Vec<Statement> {
        let mut checks = Vec::new();
        for (navigation, key) in &changes.links {
            let (Some(key), Some(target)) = (key, table.link(navigation).and_then(|c| c.link))
            else {
                continue;
            };
            let mut sql = Sql::new(self.dialect);
            sql.push("SELECT 1 FROM ")
                .ident(&self.catalog.table(target).sql_name)
                .push(" WHERE ")
                .ident(TENANT)
                .push(" = ");
            sql.bind(Param::Text(tenant.into())).and_key(key);
            checks.push(statement(sql, Expect::Referenced, Vec::new()));
        }
        checks
    }
}
