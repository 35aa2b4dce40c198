//! [`SqlStore`]: the [`Store`] operations, planned once and run by any [`Executor`].

use async_trait::async_trait;
use odata::query::Expr;

use crate::catalog::{Address, Catalog, ColumnType, TableId, TableKind};
use crate::dump::raw_row;
use crate::list::{Cursor, ExpandQuery, ListQuery};
use crate::plan::{Expect, Plan, Planner, Rows, SETTINGS, Statement, first};
use crate::reads::Parents;
use crate::rows::{attach, defaults, record};
use crate::sql::{Dialect, Param, quote};
use crate::{
    Changes, ControlRow, ControlSet, Page, RawRow, Record, Snapshot, SnapshotInfo, Store,
    StoreError,
};

/// A database connection that runs plans.
#[async_trait]
pub trait Executor: Send + Sync {
    /// Runs a plan in one transaction and returns the rows of each `Rows` and `Affected`
    /// statement, in order.
    async fn run(&self, plan: Plan) -> Result<Vec<Rows>, StoreError>;

    /// Runs schema statements (idempotent DDL), then adds the columns `catalog` has and
    /// the database lacks.
    async fn migrate(&self, statements: &[String], catalog: &Catalog) -> Result<(), StoreError>;

    /// The SQL dialect.
    fn dialect(&self) -> &dyn Dialect;

    /// Whether the database answers now (one attempt, no retries).
    async fn ping(&self) -> Result<(), StoreError> {
        let select = Statement {
            text: "SELECT 1".into(),
            params: Vec::new(),
            expect: Expect::Rows,
            decode: vec![ColumnType::Integer],
        };
        self.run(Plan {
            write: false,
            statements: vec![select],
        })
        .await
        .map(|_| ())
    }
}

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

    /// Runs `checks` then `statements`; returns the results of `statements`.
    pub(crate) async fn run(
        &self,
        write: bool,
        mut checks: Vec<Statement>,
        statements: Vec<Statement>,
    ) -> Result<Vec<Rows>, StoreError> {
        checks.extend(statements);
        self.executor
            .run(Plan {
                write,
                statements: checks,
            })
            .await
    }

    /// Runs `checks` then one statement; returns its rows.
    pub(crate) async fn run_one(
        &self,
        write: bool,
        checks: Vec<Statement>,
        last: Statement,
    ) -> Result<Rows, StoreError> {
        let mut results = self.run(write, checks, vec![last]).await?;
        Ok(results.pop().unwrap_or_default())
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
        let planner = self.planner();
        let (checks, target) = planner.resolve(tenant, at);
        let mut statements = vec![planner.page(tenant, &target, query)];
        if query.count {
            statements.push(planner.count_matching(tenant, &target, query));
        }
        let mut expansions = Vec::new();
        for expand in &query.expand {
            if let Some((statement, child)) =
                planner.expand(tenant, &target, &Parents::Page(query), expand)
            {
                statements.push(statement);
                expansions.push((expand, child));
            }
        }
        let mut results = self.run(false, checks, statements).await?.into_iter();
        let mut rows = results.next().unwrap_or_default();
        let more = rows.len() > query.size;
        rows.truncate(query.size);
        let mut records: Vec<Record> = rows.into_iter().map(|r| record(target.table, r)).collect();
        let count = if query.count {
            Some(integer(results.next().unwrap_or_default())?)
        } else {
            None
        };
        for ((expand, child), rows) in expansions.into_iter().zip(results) {
            attach(&mut records, &expand.navigation, child, rows, tenant, false);
        }
        let next = match (more, records.last()) {
            (true, Some(last)) => Some(Cursor::after(target.table, &query.orderby, last)),
            _ => None,
        };
        Ok(Page {
            records,
            next,
            count,
        })
    }

    async fn count(
        &self,
        tenant: &str,
        at: &Address,
        filter: Option<&Expr>,
    ) -> Result<u64, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.resolve(tenant, at);
        let query = ListQuery {
            filter: filter.cloned(),
            ..ListQuery::default()
        };
        let count = planner.count_matching(tenant, &target, &query);
        integer(self.run_one(false, checks, count).await?)
    }

    async fn get(
        &self,
        tenant: &str,
        at: &Address,
        expand: &[ExpandQuery],
    ) -> Result<Record, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.resolve(tenant, at);
        let key = target.key.clone().unwrap_or_default();
        let mut statements = vec![planner.select_one(tenant, &target)];
        let mut expansions = Vec::new();
        for e in expand {
            if let Some((statement, child)) =
                planner.expand(tenant, &target, &Parents::Key(key.clone()), e)
            {
                statements.push(statement);
                expansions.push((e, child));
            }
        }
        let mut results = self.run(false, checks, statements).await?.into_iter();
        let found = results.next().unwrap_or_default().into_iter().next();
        let mut entity = match (found, target.table.kind) {
            (Some(row), _) => record(target.table, row),
            (None, TableKind::Referenced) => defaults(target.table, key),
            (None, _) => return Err(StoreError::NotFound),
        };
        for ((e, child), rows) in expansions.into_iter().zip(results) {
            attach(
                std::slice::from_mut(&mut entity),
                &e.navigation,
                child,
                rows,
                tenant,
                false,
            );
        }
        Ok(entity)
    }

    async fn create(
        &self,
        tenant: &str,
        at: &Address,
        changes: Changes,
    ) -> Result<Record, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.resolve(tenant, at);
        let key = match &target.key {
            Some(key) => key.clone(),
            None => uuid::Uuid::now_v7().to_string(),
        };
        let insert = planner.insert(tenant, &target, &key, &changes, now());
        Ok(record(
            target.table,
            first(self.run_one(true, checks, insert).await?)?,
        ))
    }

    async fn update(
        &self,
        tenant: &str,
        at: &Address,
        changes: Changes,
    ) -> Result<Record, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.resolve(tenant, at);
        if target.table.kind == TableKind::Referenced {
            let upsert = planner.upsert(tenant, &target, &changes, false, now());
            return Ok(record(
                target.table,
                first(self.run_one(true, checks, upsert).await?)?,
            ));
        }
        let update = planner.update(tenant, &target, &changes, now());
        match self.run_one(true, checks, update).await?.into_iter().next() {
            Some(row) => Ok(record(target.table, row)),
            None => {
                // Nothing matched: either there is no such entity, or it has another type.
                let stored = self.get(tenant, at, &[]).await?;
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
        let upsert = planner.upsert(tenant, &target, &changes, true, now());
        Ok(record(
            target.table,
            first(self.run_one(true, checks, upsert).await?)?,
        ))
    }

    async fn delete(&self, tenant: &str, at: &Address) -> Result<(), StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.resolve(tenant, at);
        let delete = planner.delete(tenant, &target);
        let affected = first(self.run_one(true, checks, delete).await?)?;
        match (affected.first(), target.table.kind) {
            (_, TableKind::Referenced) | (Some(Param::Int(1..)), _) => Ok(()),
            _ => Err(StoreError::NotFound),
        }
    }

    async fn setting(&self, key: &str, initial: &str) -> Result<String, StoreError> {
        let dialect = self.executor.dialect();
        let table = quote(SETTINGS);
        let insert = Statement {
            text: format!(
                "INSERT INTO {table} (key, value) VALUES ({}, {}) ON CONFLICT (key) DO NOTHING",
                dialect.placeholder(1),
                dialect.placeholder(2)
            ),
            params: vec![Param::Text(key.into()), Param::Text(initial.into())],
            expect: Expect::Affected,
            decode: Vec::new(),
        };
        let select = Statement {
            text: format!(
                "SELECT value FROM {table} WHERE key = {}",
                dialect.placeholder(1)
            ),
            params: vec![Param::Text(key.into())],
            expect: Expect::Rows,
            decode: vec![ColumnType::Text],
        };
        let row = first(self.run_one(true, vec![insert], select).await?)?;
        match row.into_iter().next() {
            Some(Param::Text(value)) => Ok(value),
            _ => Err(StoreError::Backend(format!("setting {key} is not text"))),
        }
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
        let statements = rows.iter().map(|row| planner.import(table, row)).collect();
        self.run(true, Vec::new(), statements).await.map(|_| ())
    }

    async fn settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self
            .run_one(false, Vec::new(), self.planner().settings())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match <[Param; 2]>::try_from(row) {
                Ok([Param::Text(key), Param::Text(value)]) => Some((key, value)),
                _ => None,
            })
            .collect())
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let put = self.planner().put_setting(key, value);
        self.run(true, Vec::new(), vec![put]).await.map(|_| ())
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

/// The one integer of a one-row, one-column result (a count, a number of rows affected).
pub(crate) fn integer(rows: Rows) -> Result<u64, StoreError> {
    match first(rows)?.first() {
        Some(Param::Int(n)) => Ok(u64::try_from(*n).unwrap_or(0)),
        _ => Err(StoreError::Backend("expected one integer".into())),
    }
}

/// The current time in ticks.
pub(crate) fn now() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    odata::datetime::from_unix_nanos(since_epoch.as_nanos())
}
