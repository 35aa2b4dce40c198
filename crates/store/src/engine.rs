//! [`SqlStore`]: the [`Store`] operations, planned once and run by any [`Executor`].

use async_trait::async_trait;
use odata::Value;

use crate::catalog::{Address, Catalog, ColumnType, Table, TableKind};
use crate::plan::{Expect, Plan, Planner, SETTINGS, Statement, first};
use crate::sql::{Dialect, Param, quote};
use crate::{Changes, Page, PageRequest, Record, Store, StoreError};

/// A database connection that runs plans.
#[async_trait]
pub trait Executor: Send + Sync {
    /// Runs a plan in one transaction and returns the rows of its result statement.
    async fn run(&self, plan: Plan) -> Result<Vec<Vec<Param>>, StoreError>;

    /// Runs schema statements (idempotent DDL), then adds the columns `catalog` has and
    /// the database lacks.
    async fn migrate(&self, statements: &[String], catalog: &Catalog) -> Result<(), StoreError>;

    /// The SQL dialect.
    fn dialect(&self) -> &dyn Dialect;
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

    fn planner(&self) -> Planner<'_> {
        Planner {
            catalog: &self.catalog,
            dialect: self.executor.dialect(),
        }
    }

    async fn run_one(
        &self,
        write: bool,
        mut statements: Vec<Statement>,
        last: Statement,
    ) -> Result<Vec<Vec<Param>>, StoreError> {
        statements.push(last);
        self.executor.run(Plan { write, statements }).await
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
        page: &PageRequest,
    ) -> Result<Page, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.resolve(tenant, at);
        let select = planner.select(tenant, &target, Some(page));
        let mut rows = self.run_one(false, checks, select).await?;
        let more = rows.len() > page.size;
        rows.truncate(page.size);
        let records = rows.into_iter().map(|r| record(target.table, r)).collect();
        Ok(Page { records, more })
    }

    async fn count(&self, tenant: &str, at: &Address) -> Result<u64, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.resolve(tenant, at);
        let count = planner.count(tenant, &target);
        let row = first(self.run_one(false, checks, count).await?)?;
        match row.first() {
            Some(Param::Int(n)) => Ok(u64::try_from(*n).unwrap_or(0)),
            _ => Err(StoreError::Backend("COUNT(*) returned no integer".into())),
        }
    }

    async fn get(&self, tenant: &str, at: &Address) -> Result<Record, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.resolve(tenant, at);
        let select = planner.select(tenant, &target, None);
        let rows = self.run_one(false, checks, select).await?;
        match (rows.into_iter().next(), target.table.kind) {
            (Some(row), _) => Ok(record(target.table, row)),
            (None, TableKind::Referenced) => {
                Ok(defaults(target.table, target.key.unwrap_or_default()))
            }
            (None, _) => Err(StoreError::NotFound),
        }
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
        let row = first(self.run_one(true, checks, insert).await?)?;
        Ok(record(target.table, row))
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
                let stored = self.get(tenant, at).await?;
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
        let select = Statement {
            text: "SELECT 1".into(),
            params: Vec::new(),
            expect: Expect::Rows,
            decode: vec![ColumnType::Integer],
        };
        self.run_one(false, Vec::new(), select).await.map(|_| ())
    }
}

/// The current time in ticks.
fn now() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    odata::datetime::from_unix_nanos(since_epoch.as_nanos())
}

/// A decoded row (`_type`, `id`, then the table's columns) as a record.
fn record(table: &Table, row: Vec<Param>) -> Record {
    let mut cells = row.into_iter();
    let text = |p: Option<Param>| match p {
        Some(Param::Text(t)) => t,
        _ => String::new(),
    };
    let type_name = text(cells.next());
    let id = text(cells.next());
    let values = table
        .columns
        .iter()
        .zip(cells)
        .map(|(column, cell)| (column.name.clone(), value(&column.ty, cell)))
        .collect();
    Record {
        type_name,
        id,
        values,
    }
}

fn value(ty: &ColumnType, cell: Param) -> Value {
    match (ty, cell) {
        (_, Param::Null(_)) => Value::Null,
        (ColumnType::Ticks, Param::Int(t)) => Value::DateTimeOffset(t),
        (ColumnType::Enum(members), Param::Int(v)) => members
            .iter()
            .find(|(_, m)| *m == v)
            .map_or(Value::Int(v), |(name, _)| Value::Enum(name.clone())),
        (ColumnType::Json, Param::Text(t)) => {
            serde_json::from_str(&t).map_or(Value::String(t), Value::Json)
        }
        (ColumnType::Boolean, Param::Int(i)) => Value::Bool(i != 0),
        (_, Param::Int(i)) => Value::Int(i),
        (_, Param::Bool(b)) => Value::Bool(b),
        (_, Param::Real(f)) => Value::Float(f),
        (_, Param::Text(t)) => Value::String(t),
    }
}

/// What a `Referenced` target reads as before anything is written.
fn defaults(table: &Table, id: String) -> Record {
    Record {
        type_name: table.entity_type.clone(),
        id,
        values: table
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.default.clone().unwrap_or(Value::Null)))
            .collect(),
    }
}
