//! Per-tenant controls (throttling settings, the behaviour profile, fault rules), kept in
//! the database apart from the data, so every node of a deployment applies them and they
//! survive restarts. The store keeps each as opaque text; the server gives it meaning.
//!
//! A generation number changes with every change of a control, in the same transaction:
//! nodes keep the controls in memory and reload them when it moves.

use crate::StoreError;
use crate::catalog::ColumnType;
use crate::engine::{Executor, SqlStore, integer};
use crate::plan::{Expect, Planner, Statement, statement};
use crate::sql::{Dialect, Param, Sql, TENANT, quote};

/// The table of controls.
pub const CONTROLS: &str = "_controls";
/// The one-row table of the controls' generation.
pub const GENERATION: &str = "_controls_generation";

/// One control of a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRow {
    /// The tenant.
    pub tenant: String,
    /// What it is (`throttling`, `profile`, `fault`).
    pub kind: String,
    /// Which one of its kind: "" for a kind a tenant has one of, a rule's id for faults.
    pub id: String,
    /// The control itself, as the server wrote it.
    pub value: String,
    /// For a control used a limited number of times, the uses left.
    pub remaining: Option<i64>,
}

/// Controls and the generation they were read at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControlSet {
    /// The generation.
    pub generation: i64,
    /// The controls, by tenant, kind and id.
    pub rows: Vec<ControlRow>,
}

/// The statements that lay out the controls' tables, idempotently.
pub fn schema(dialect: &dyn Dialect) -> Vec<String> {
    let text = dialect.column_type(&ColumnType::Text);
    let integer = dialect.column_type(&ColumnType::Integer);
    vec![
        format!(
            "CREATE TABLE IF NOT EXISTS {} ({} {text} NOT NULL, kind {text} NOT NULL, id {text} NOT NULL, value {text} NOT NULL, remaining {integer}, PRIMARY KEY ({}, kind, id))",
            quote(CONTROLS),
            quote(TENANT),
            quote(TENANT)
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {} (singleton {integer} PRIMARY KEY, generation {integer} NOT NULL)",
            quote(GENERATION)
        ),
        format!(
            "INSERT INTO {} (singleton, generation) VALUES (1, 0) ON CONFLICT DO NOTHING",
            quote(GENERATION)
        ),
    ]
}

impl Planner<'_> {
    fn generation(&self) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT generation FROM ").ident(GENERATION);
        statement(sql, Expect::Rows, vec![ColumnType::Integer])
    }

    fn next_generation(&self) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("UPDATE ")
            .ident(GENERATION)
            .push(" SET generation = generation + 1");
        statement(sql, Expect::Affected, Vec::new())
    }

    fn select_controls(&self, tenant: Option<&str>) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT ").ident(TENANT);
        sql.push(", kind, id, value, remaining FROM ")
            .ident(CONTROLS);
        if let Some(tenant) = tenant {
            sql.push(" WHERE ").ident(TENANT).push(" = ");
            sql.bind(Param::Text(tenant.into()));
        }
        sql.push(" ORDER BY ").ident(TENANT).push(", kind, id");
        let text = ColumnType::Text;
        statement(
            sql,
            Expect::Rows,
            vec![
                text.clone(),
                text.clone(),
                text.clone(),
                text,
                ColumnType::Integer,
            ],
        )
    }

    fn put_control(&self, row: &ControlRow) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("INSERT INTO ").ident(CONTROLS).push(" (");
        sql.ident(TENANT)
            .push(", kind, id, value, remaining) VALUES (");
        for text in [&row.tenant, &row.kind, &row.id, &row.value] {
            sql.bind(Param::Text(text.clone())).push(", ");
        }
        sql.bind(
            row.remaining
                .map_or(Param::Null(ColumnType::Integer), Param::Int),
        );
        sql.push(") ON CONFLICT (")
            .ident(TENANT)
            .push(", kind, id)");
        sql.push(" DO UPDATE SET value = excluded.value, remaining = excluded.remaining");
        statement(sql, Expect::Affected, Vec::new())
    }

    fn control_scope(&self, sql: &mut Sql, tenant: &str, kind: &str, id: Option<&str>) {
        sql.push(" WHERE ").ident(TENANT).push(" = ");
        sql.bind(Param::Text(tenant.into()));
        sql.push(" AND kind = ").bind(Param::Text(kind.into()));
        if let Some(id) = id {
            sql.push(" AND id = ").bind(Param::Text(id.into()));
        }
    }

    fn delete_controls(&self, tenant: &str, kind: &str, id: Option<&str>) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("DELETE FROM ").ident(CONTROLS);
        self.control_scope(&mut sql, tenant, kind, id);
        statement(sql, Expect::Affected, Vec::new())
    }

    fn consume_control(&self, tenant: &str, kind: &str, id: &str) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("UPDATE ")
            .ident(CONTROLS)
            .push(" SET remaining = remaining - 1");
        self.control_scope(&mut sql, tenant, kind, Some(id));
        sql.push(" AND remaining > 0");
        statement(sql, Expect::Affected, Vec::new())
    }
}

impl<E: Executor> SqlStore<E> {
    pub(crate) async fn read_controls(
        &self,
        tenant: Option<&str>,
    ) -> Result<ControlSet, StoreError> {
        let planner = self.planner();
        // The generation first, in the same transaction: the rows are at least that new.
        let statements = vec![planner.generation(), planner.select_controls(tenant)];
        let mut results = self.run(false, Vec::new(), statements).await?.into_iter();
        let generation = integer(results.next().unwrap_or_default())? as i64;
        let rows = results
            .next()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|row| match <[Param; 5]>::try_from(row) {
                Ok(
                    [
                        Param::Text(tenant),
                        Param::Text(kind),
                        Param::Text(id),
                        Param::Text(value),
                        remaining,
                    ],
                ) => Some(ControlRow {
                    tenant,
                    kind,
                    id,
                    value,
                    remaining: match remaining {
                        Param::Int(n) => Some(n),
                        _ => None,
                    },
                }),
                _ => None,
            })
            .collect();
        Ok(ControlSet { generation, rows })
    }

    pub(crate) async fn read_generation(&self) -> Result<i64, StoreError> {
        let rows = self
            .run_one(false, Vec::new(), self.planner().generation())
            .await?;
        Ok(integer(rows)? as i64)
    }

    pub(crate) async fn write_control(&self, row: &ControlRow) -> Result<(), StoreError> {
        let planner = self.planner();
        let statements = vec![planner.put_control(row), planner.next_generation()];
        self.run(true, Vec::new(), statements).await.map(|_| ())
    }

    pub(crate) async fn remove_controls(
        &self,
        tenant: &str,
        kind: &str,
        id: Option<&str>,
    ) -> Result<u64, StoreError> {
        let planner = self.planner();
        let statements = vec![
            planner.delete_controls(tenant, kind, id),
            planner.next_generation(),
        ];
        let results = self.run(true, Vec::new(), statements).await?;
        integer(results.into_iter().next().unwrap_or_default())
    }

    pub(crate) async fn use_control(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        let consume = self.planner().consume_control(tenant, kind, id);
        Ok(integer(self.run_one(true, Vec::new(), consume).await?)? == 1)
    }
}
