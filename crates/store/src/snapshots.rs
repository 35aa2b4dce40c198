//! A tenant's data as a whole: reset it, save it as a named snapshot, restore it.
//!
//! A snapshot lives in the database (`_snapshots`: tenant, name, creation time, row count,
//! and the rows as JSONL in export form, [`RawRow::to_json`]), so it survives restarts and
//! moves with export/import. Saving reads the tenant's rows of every table in one read
//! transaction (one consistent state), then writes the snapshot in one statement; restoring
//! deletes the tenant's rows and writes the snapshot's back in one write transaction. Rows
//! come back exactly as they were stored: ids, types, timestamps, every column.

use serde_json::Value as Json;

use crate::catalog::{ColumnType, TableId};
use crate::engine::{Executor, SqlStore, integer};
use crate::plan::{Expect, Planner, Statement, statement};
use crate::sql::{Dialect, Param, Sql, TENANT, quote};
use crate::{RawRow, Store, StoreError};

/// The table of snapshots.
pub const SNAPSHOTS: &str = "_snapshots";

/// What a snapshot is, without its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// The tenant whose data it holds.
    pub tenant: String,
    /// Its name, unique per tenant.
    pub name: String,
    /// When it was taken, in 100 ns ticks.
    pub created: i64,
    /// How many rows it holds.
    pub rows: u64,
}

/// A snapshot with its rows, parents before children (for export and import).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// What it is.
    pub info: SnapshotInfo,
    /// The rows, each with its table.
    pub rows: Vec<(TableId, RawRow)>,
}

/// The statement that lays out the snapshots' table, idempotently.
pub fn schema(dialect: &dyn Dialect) -> String {
    let text = dialect.column_type(&ColumnType::Text);
    let integer = dialect.column_type(&ColumnType::Integer);
    format!(
        "CREATE TABLE IF NOT EXISTS {} ({} {text} NOT NULL, name {text} NOT NULL, created {integer} NOT NULL, row_count {integer} NOT NULL, data {text} NOT NULL, PRIMARY KEY ({}, name))",
        quote(SNAPSHOTS),
        quote(TENANT),
        quote(TENANT)
    )
}

impl Planner<'_> {
    /// Deletes every row of the tenant, children before parents.
    fn delete_tenant(&self, tenant: &str) -> Vec<Statement> {
        self.catalog
            .tables()
            .iter()
            .rev()
            .map(|table| {
                let mut sql = Sql::new(self.dialect);
                sql.push("DELETE FROM ").ident(&table.sql_name);
                sql.push(" WHERE ").ident(TENANT).push(" = ");
                sql.bind(Param::Text(tenant.into()));
                statement(sql, Expect::Affected, Vec::new())
            })
            .collect()
    }

    fn snapshot_scope(&self, sql: &mut Sql, tenant: Option<&str>, name: Option<&str>) {
        sql.push(" WHERE TRUE");
        if let Some(tenant) = tenant {
            sql.push(" AND ").ident(TENANT).push(" = ");
            sql.bind(Param::Text(tenant.into()));
        }
        if let Some(name) = name {
            sql.push(" AND name = ").bind(Param::Text(name.into()));
        }
    }

    fn select_snapshots(&self, tenant: Option<&str>, name: Option<&str>, data: bool) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT ")
            .ident(TENANT)
            .push(", name, created, row_count");
        let mut decode = vec![
            ColumnType::Text,
            ColumnType::Text,
            ColumnType::Integer,
            ColumnType::Integer,
        ];
        if data {
            sql.push(", data");
            decode.push(ColumnType::Text);
        }
        sql.push(" FROM ").ident(SNAPSHOTS);
        self.snapshot_scope(&mut sql, tenant, name);
        sql.push(" ORDER BY ").ident(TENANT).push(", name");
        statement(sql, Expect::Rows, decode)
    }

    fn insert_snapshot(&self, info: &SnapshotInfo, data: String, replace: bool) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("INSERT INTO ").ident(SNAPSHOTS).push(" (");
        sql.ident(TENANT)
            .push(", name, created, row_count, data) VALUES (");
        sql.bind(Param::Text(info.tenant.clone())).push(", ");
        sql.bind(Param::Text(info.name.clone())).push(", ");
        sql.bind(Param::Int(info.created)).push(", ");
        sql.bind(Param::Int(i64::try_from(info.rows).unwrap_or(i64::MAX)))
            .push(", ");
        sql.bind(Param::Text(data)).push(")");
        if replace {
            sql.push(" ON CONFLICT (").ident(TENANT).push(", name)");
            sql.push(" DO UPDATE SET created = excluded.created, row_count = excluded.row_count, data = excluded.data");
        }
        statement(sql, Expect::Affected, Vec::new())
    }

    fn delete_snapshot(&self, tenant: &str, name: &str) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("DELETE FROM ").ident(SNAPSHOTS);
        self.snapshot_scope(&mut sql, Some(tenant), Some(name));
        statement(sql, Expect::Affected, Vec::new())
    }
}

impl<E: Executor> SqlStore<E> {
    pub(crate) async fn reset(&self, tenant: &str) -> Result<u64, StoreError> {
        let results = self
            .run(true, Vec::new(), self.planner().delete_tenant(tenant))
            .await?;
        results.into_iter().map(integer).sum()
    }

    /// Every row of the tenant, in catalog order, read in one transaction.
    async fn tenant_rows(&self, tenant: &str) -> Result<Vec<(TableId, RawRow)>, StoreError> {
        let planner = self.planner();
        let tables = self.catalog().tables();
        let reads = tables
            .iter()
            .map(|table| planner.export(table, Some(tenant), None, i64::MAX as usize))
            .collect();
        let results = self.run(false, Vec::new(), reads).await?;
        Ok(tables
            .iter()
            .zip(results)
            .flat_map(|(table, rows)| {
                rows.into_iter()
                    .map(|row| (table.id, crate::dump::raw_row(table, row)))
            })
            .collect())
    }

    pub(crate) async fn save(&self, tenant: &str, name: &str) -> Result<SnapshotInfo, StoreError> {
        let rows = self.tenant_rows(tenant).await?;
        let snapshot = Snapshot {
            info: SnapshotInfo {
                tenant: tenant.into(),
                name: name.into(),
                created: crate::engine::now(),
                rows: rows.len() as u64,
            },
            rows,
        };
        self.put(&snapshot, false).await?;
        Ok(snapshot.info)
    }

    pub(crate) async fn put(&self, snapshot: &Snapshot, replace: bool) -> Result<(), StoreError> {
        let mut data = String::new();
        for (table, row) in &snapshot.rows {
            data.push_str(&row.to_json(self.catalog().table(*table)).to_string());
            data.push('\n');
        }
        let insert = self
            .planner()
            .insert_snapshot(&snapshot.info, data, replace);
        self.run(true, Vec::new(), vec![insert]).await.map(|_| ())
    }

    pub(crate) async fn list_snapshots(
        &self,
        tenant: Option<&str>,
    ) -> Result<Vec<SnapshotInfo>, StoreError> {
        let select = self.planner().select_snapshots(tenant, None, false);
        let rows = self.run_one(false, Vec::new(), select).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| info(row).map(|(i, _)| i))
            .collect())
    }

    pub(crate) async fn load(&self, tenant: &str, name: &str) -> Result<Snapshot, StoreError> {
        let select = self
            .planner()
            .select_snapshots(Some(tenant), Some(name), true);
        let rows = self.run_one(false, Vec::new(), select).await?;
        let (info, data) = rows
            .into_iter()
            .find_map(info)
            .ok_or(StoreError::NotFound)?;
        let rows = data
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                let json: Json = serde_json::from_str(line)
                    .map_err(|e| StoreError::Backend(format!("snapshot {name}: {e}").into()))?;
                let (table, mut row) = RawRow::from_json(self.catalog(), &json)
                    .map_err(|e| StoreError::Backend(format!("snapshot {name}: {e}").into()))?;
                // A snapshot only ever holds its own tenant's rows.
                row.tenant = tenant.to_string();
                Ok((table, row))
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Snapshot { info, rows })
    }

    pub(crate) async fn restore(
        &self,
        tenant: &str,
        name: &str,
    ) -> Result<SnapshotInfo, StoreError> {
        let snapshot = self.load(tenant, name).await?;
        let planner = self.planner();
        let mut statements = planner.delete_tenant(tenant);
        // The rows come table by table, parents first: one multi-row insert per table.
        for group in snapshot.rows.chunk_by(|a, b| a.0 == b.0) {
            let rows: Vec<RawRow> = group.iter().map(|(_, row)| row.clone()).collect();
            statements.extend(planner.import(self.catalog().table(group[0].0), &rows));
        }
        self.run(true, Vec::new(), statements).await?;
        Ok(snapshot.info)
    }

    pub(crate) async fn drop_snapshot(&self, tenant: &str, name: &str) -> Result<(), StoreError> {
        let delete = self.planner().delete_snapshot(tenant, name);
        match integer(self.run_one(true, Vec::new(), delete).await?)? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }
}

/// A snapshot row (tenant, name, created, row count[, data]) as its info and data.
fn info(row: Vec<Param>) -> Option<(SnapshotInfo, String)> {
    let mut cells = row.into_iter();
    let (Some(Param::Text(tenant)), Some(Param::Text(name))) = (cells.next(), cells.next()) else {
        return None;
    };
    let (Some(Param::Int(created)), Some(Param::Int(rows))) = (cells.next(), cells.next()) else {
        return None;
    };
    let data = match cells.next() {
        Some(Param::Text(data)) => data,
        _ => String::new(),
    };
    let info = SnapshotInfo {
        tenant,
        name,
        created,
        rows: u64::try_from(rows).unwrap_or(0),
    };
    Some((info, data))
}
