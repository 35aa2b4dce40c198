//! [`SqlStore`]: the [`Store`] operations, planned once and run by any [`Executor`].

pub use crate::executor::Executor;

mod entity;
mod page;
mod run;
mod settings;

pub(crate) use run::{integer, now};

use async_trait::async_trait;
use odata::query::Expr;

use crate::aggregate::{Holders, Write};
use crate::catalog::{Address, Catalog, TableId};
use crate::columns::Columns;
use crate::dump::raw_row;
use crate::list::{ExpandQuery, ListQuery};
use crate::plan::{Planner, Target, first};
use crate::rows::record;
use crate::sql::Param;
use crate::{
    Changes, ControlRow, ControlSet, Page, RawRow, Record, Snapshot, SnapshotInfo, Store,
    StoreError,
};

/// The store over a SQL database.
pub struct SqlStore<E> {
    catalog: Catalog,
    executor: E,
}

impl<E: Executor> SqlStore<E> {
    /// Lays out the catalog's tables in the database (idempotently) and returns the store.
    pub async fn open(catalog: Catalog, executor: E) -> Result<Self, StoreError> {
        let statements = crate::plan::schema(&catalog, executor.dialect());
        executor.migrate(&statements, &catalog).await?;
        Ok(SqlStore { catalog, executor })
    }

    pub(crate) fn planner(&self) -> Planner<'_> {
        Planner {
            catalog: &self.catalog,
            dialect: self.executor.dialect(),
        }
    }
}

#[async_trait]
impl<E: Executor> Store for SqlStore<E> {
    fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    async fn list(
        &self,
        tenant: &str,
        at: &Address,
        query: &ListQuery,
    ) -> Result<Page, StoreError> {
        self.page_within_budget(tenant, at, query).await
    }

    async fn count(
        &self,
        tenant: &str,
        at: &Address,
        filter: Option<&Expr>,
    ) -> Result<u64, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.locate(tenant, at);
        let query = ListQuery {
            filter: filter.cloned(),
            ..ListQuery::default()
        };
        let count = planner.count_checked(tenant, &checks, &target, &query);
        // No row: a parent is missing.
        integer(self.run_one(false, Vec::new(), count).await?)
    }

    async fn get(
        &self,
        tenant: &str,
        at: &Address,
        columns: &Columns,
        expand: &[ExpandQuery],
        max_bytes: Option<usize>,
    ) -> Result<Record, StoreError> {
        self.entity(tenant, at, columns, expand, max_bytes).await
    }

    async fn create(
        &self,
        tenant: &str,
        at: &Address,
        changes: Changes,
    ) -> Result<Record, StoreError> {
        let planner = self.planner();
        let (mut checks, target) = planner.resolve(tenant, at);
        if target.table.kind.single() {
            // A single-valued target always exists: creating it sets it.
            return self.replace(tenant, at, changes).await;
        }
        checks.extend(planner.link_checks(tenant, target.table, &changes));
        let key = match &target.key {
            Some(key) => key.clone(),
            None => uuid::Uuid::now_v7().to_string(),
        };
        let insert = planner.insert(tenant, &target, &key, &changes, now());
        let after = planner.recomputes(tenant, at, Some(&key), Write::Create);
        let rows = self
            .run_write(None, checks, insert.statements, after)
            .await?;
        let row = match insert.row {
            Some(row) => row,
            None => first(rows)?,
        };
        Ok(record(target.table, &target.table.all, row))
    }

    async fn update(
        &self,
        tenant: &str,
        at: &Address,
        changes: Changes,
    ) -> Result<Record, StoreError> {
        let planner = self.planner();
        let (mut checks, target) = planner.resolve(tenant, at);
        checks.extend(planner.link_checks(tenant, target.table, &changes));
        if target.table.kind.single() {
            let stamp = now();
            let upsert = || planner.upsert(tenant, &target, &changes, false, stamp);
            let row = self.upsert(target.row(tenant), checks, upsert).await?;
            return Ok(record(target.table, &target.table.all, row));
        }
        let update = planner.update(tenant, &target, &changes, now());
        let after = planner.recomputes(tenant, at, None, Write::Update);
        match self
            .run_write(target.row(tenant), checks, update, after)
            .await?
            .into_iter()
            .next()
        {
            Some(row) => Ok(record(target.table, &target.table.all, row)),
            None => {
                // Nothing matched: either there is no such entity, or it has another type.
                let stored = self.get(tenant, at, &Columns::All, &[], None).await?;
                Err(StoreError::TypeMismatch {
                    stored: stored.type_name,
                    given: changes.type_name,
                })
            }
        }
    }

    async fn replace(
        &self,
        tenant: &str,
        at: &Address,
        changes: Changes,
    ) -> Result<Record, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.resolve(tenant, at);
        let stamp = now();
        let upsert = || planner.upsert(tenant, &target, &changes, true, stamp);
        let row = self.upsert(target.row(tenant), checks, upsert).await?;
        Ok(record(target.table, &target.table.all, row))
    }

    async fn delete(&self, tenant: &str, at: &Address) -> Result<(), StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.resolve(tenant, at);
        let delete = planner.delete(tenant, &target);
        let write = if target.table.kind.single() {
            Write::Reset
        } else {
            Write::Delete
        };
        let after = planner.recomputes(tenant, at, None, write);
        let row = target.row(tenant);
        let affected = first(self.run_write(row, checks, vec![delete], after).await?)?;
        match affected.first() {
            _ if target.table.kind.single() => Ok(()),
            Some(Param::Int(1..)) => Ok(()),
            _ => Err(StoreError::NotFound),
        }
    }

    async fn set_link(
        &self,
        tenant: &str,
        at: &Address,
        key: Option<&str>,
    ) -> Result<(), StoreError> {
        let planner = self.planner();
        let (mut checks, target) = planner.resolve(tenant, at);
        let Some(via) = &target.via else {
            return Err(StoreError::NotFound);
        };
        let navigation = via.column.trim_start_matches('_');
        let changes = Changes {
            links: vec![(navigation.to_string(), key.map(str::to_string))],
            ..Changes::default()
        };
        checks.extend(planner.link_checks(tenant, via.table, &changes));
        let set = planner.set_link(tenant, via, key);
        let row = Some(via.row(tenant));
        let affected = first(self.run_write(row, checks, vec![set], Vec::new()).await?)?;
        match affected.first() {
            Some(Param::Int(1..)) => Ok(()),
            _ => Err(StoreError::NotFound),
        }
    }

    async fn replace_children(
        &self,
        tenant: &str,
        at: &Address,
        children: Vec<(String, Vec<Changes>)>,
    ) -> Result<(), StoreError> {
        let planner = self.planner();
        let (mut checks, target) = planner.resolve(tenant, at);
        checks.push(planner.exists(tenant, &target));
        let key = target.key.clone().unwrap_or_default();
        let stamp = now();
        let mut statements = Vec::new();
        for (navigation, entities) in &children {
            let child = self
                .catalog
                .child(target.table.id, navigation)
                .ok_or(StoreError::NotFound)?;
            statements.push(planner.delete_children(tenant, child, &key));
            let under = Target {
                table: child,
                parent: key.clone(),
                key: None,
                types: &[],
                via: None,
            };
            for changes in entities {
                checks.extend(planner.link_checks(tenant, child, changes));
                let id = uuid::Uuid::now_v7().to_string();
                statements.push(planner.insert_row(tenant, &under, &id, changes, stamp));
            }
        }
        self.run(true, checks, statements).await.map(|_| ())
    }

    async fn analyze(&self) -> Result<(), StoreError> {
        self.executor.analyze(&self.catalog).await
    }

    async fn recompute_summaries(&self, tenant: &str) -> Result<(), StoreError> {
        let planner = self.planner();
        let statements = self
            .catalog
            .summaries()
            .iter()
            .map(|s| planner.recompute(tenant, s, Holders::All, false))
            .collect();
        self.run(true, Vec::new(), statements).await.map(|_| ())
    }

    async fn setting(&self, key: &str, initial: &str) -> Result<String, StoreError> {
        self.setting_or_insert(key, initial).await
    }

    async fn find_setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.read_setting(key).await
    }

    async fn add_to_setting(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        self.add_setting(key, delta).await
    }

    fn pool_use(&self) -> crate::PoolUse {
        self.executor.pool_use()
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.executor.ping().await
    }

    async fn export_rows(
        &self,
        table: TableId,
        tenant: Option<&str>,
        after: Option<&(String, String)>,
        limit: usize,
    ) -> Result<Vec<RawRow>, StoreError> {
        let table = self.catalog.table(table);
        let select = self.planner().export(table, tenant, after, limit);
        let rows = self.run_one(false, Vec::new(), select).await?;
        Ok(rows.into_iter().map(|row| raw_row(table, row)).collect())
    }

    async fn import_rows(&self, table: TableId, rows: &[RawRow]) -> Result<(), StoreError> {
        let table = self.catalog.table(table);
        let planner = self.planner();
        let statements = planner.import(table, rows);
        self.run(true, Vec::new(), statements).await.map(|_| ())
    }

    async fn settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.all_settings().await
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write_setting(key, value).await
    }

    async fn controls(&self, tenant: Option<&str>) -> Result<ControlSet, StoreError> {
        self.read_controls(tenant).await
    }

    async fn controls_generation(&self) -> Result<i64, StoreError> {
        self.read_generation().await
    }

    async fn put_control(&self, control: &ControlRow) -> Result<(), StoreError> {
        self.write_control(control).await
    }

    async fn delete_controls(
        &self,
        tenant: &str,
        kind: &str,
        id: Option<&str>,
    ) -> Result<u64, StoreError> {
        self.remove_controls(tenant, kind, id).await
    }

    async fn consume_control(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        self.use_control(tenant, kind, id).await
    }

    async fn reset_tenant(&self, tenant: &str) -> Result<u64, StoreError> {
        self.reset(tenant).await
    }

    async fn save_snapshot(&self, tenant: &str, name: &str) -> Result<SnapshotInfo, StoreError> {
        self.save(tenant, name).await
    }

    async fn snapshots(&self, tenant: Option<&str>) -> Result<Vec<SnapshotInfo>, StoreError> {
        self.list_snapshots(tenant).await
    }

    async fn restore_snapshot(&self, tenant: &str, name: &str) -> Result<SnapshotInfo, StoreError> {
        self.restore(tenant, name).await
    }

    async fn delete_snapshot(&self, tenant: &str, name: &str) -> Result<(), StoreError> {
        self.drop_snapshot(tenant, name).await
    }

    async fn export_snapshot(&self, tenant: &str, name: &str) -> Result<Snapshot, StoreError> {
        self.load(tenant, name).await
    }

    async fn import_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        self.put(snapshot, true).await
    }
}
