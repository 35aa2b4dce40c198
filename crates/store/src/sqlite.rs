//! The embedded default backend: one SQLite file in WAL mode.
//!
//! Writes go through a pool of one connection and start with `BEGIN IMMEDIATE`, so they
//! queue in the process instead of failing with "database is locked"; the busy timeout
//! covers other processes on the same file. Reads use a separate pool and see the last
//! committed state (WAL readers do not block the writer).

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::TryStreamExt;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row, Sqlite as Db};

use crate::StoreError;
use crate::budget::RowBudget;
use crate::catalog::{Catalog, ColumnType};
use crate::engine::Executor;
use crate::executor::PoolUse;
use crate::migrate::migrate;
use crate::plan::{Expect, Plan, Rows};
use crate::sql::{Dialect, Param, Sqlite};

/// The tables of the database, with their columns and declared types.
const INTROSPECT: &str = "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid";

/// Runs plans on an SQLite file.
pub struct SqliteExecutor {
    reader: SqlitePool,
    writer: SqlitePool,
}

impl SqliteExecutor {
    /// Opens (creating if needed) the database file at `path`.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL makes each commit durable against a crash of the process
            // (kill -9); only a power loss can take the last commits.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(backend)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(SqliteExecutor { reader, writer })
    }
}

#[async_trait]
impl Executor for SqliteExecutor {
    fn pool_use(&self) -> PoolUse {
        let reader = PoolUse::of(&self.reader);
        let writer = PoolUse::of(&self.writer);
        PoolUse {
            open: reader.open + writer.open,
            idle: reader.idle + writer.idle,
            max: reader.max + writer.max,
        }
    }

    async fn run(&self, plan: Plan) -> Result<Vec<Rows>, StoreError> {
        // Waiting for the connection follows the caller (a caller that goes away leaves
        // nothing behind); the transaction then runs in a task of its own, so a client
        // that disconnects, or a request timeout, cannot stop it half-way.
        let pool = if plan.write {
            &self.writer
        } else {
            &self.reader
        };
        let connection = pool.acquire().await.map_err(classify)?;
        tokio::spawn(transaction(connection, plan))
            .await
            .map_err(|e| StoreError::Backend(e.into()))?
    }

    async fn migrate(&self, statements: &[String], catalog: &Catalog) -> Result<(), StoreError> {
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        migrate::<Db>(&mut tx, &Sqlite, INTROSPECT, statements, catalog).await?;
        tx.commit().await.map_err(backend)
    }

    fn dialect(&self) -> &dyn Dialect {
        &Sqlite
    }
}

/// One transaction on `connection`: `BEGIN IMMEDIATE` for a write (on the one writer
/// connection), a read transaction otherwise.
async fn transaction(
    mut connection: PoolConnection<Db>,
    plan: Plan,
) -> Result<Vec<Rows>, StoreError> {
    let mut tx = if plan.write {
        sqlx::Connection::begin_with(&mut *connection, "BEGIN IMMEDIATE").await
    } else {
        sqlx::Connection::begin(&mut *connection).await
    }
    .map_err(classify)?;
    let mut results = Vec::new();
    let mut budget = RowBudget::new(plan.max_bytes);
    for (index, statement) in plan.statements.into_iter().enumerate() {
        let query = bind(sqlx::query(AssertSqlSafe(statement.text)), statement.params);
        match statement.expect {
            Expect::Exists | Expect::Referenced => {
                if query
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(classify)?
                    .is_none()
                {
                    return Err(statement.expect.missing());
                }
            }
            Expect::Rows => {
                // Row by row, so a read over its budget stops reading.
                let mut rows = query.fetch(&mut *tx);
                let mut decoded = Vec::new();
                while let Some(row) = rows.try_next().await.map_err(classify)? {
                    let row = decode(&row, &statement.decode)?;
                    budget.take(&row, index, decoded.len())?;
                    decoded.push(row);
                }
                results.push(decoded);
            }
            Expect::Affected => {
                let done = query.execute(&mut *tx).await.map_err(classify)?;
                results.push(vec![vec![Param::Int(done.rows_affected() as i64)]]);
            }
        }
    }
    tx.commit().await.map_err(classify)?;
    Ok(results)
}

type Query<'q> = sqlx::query::Query<'q, Db, SqliteArguments>;

fn bind(mut query: Query<'_>, params: Vec<Param>) -> Query<'_> {
    for param in params {
        query = match param {
            Param::Null(_) => query.bind(None::<String>),
            Param::Int(i) => query.bind(i),
            Param::Bool(b) => query.bind(b),
            Param::Real(f) => query.bind(f),
            Param::Text(t) => query.bind(t),
        };
    }
    query
}

fn decode(row: &SqliteRow, types: &[ColumnType]) -> Result<Vec<Param>, StoreError> {
    types
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            let cell = match ty {
                ColumnType::Real => row.try_get::<Option<f64>, _>(i).map(|v| v.map(Param::Real)),
                ColumnType::Text | ColumnType::Json => row
                    .try_get::<Option<String>, _>(i)
                    .map(|v| v.map(Param::Text)),
                _ => row.try_get::<Option<i64>, _>(i).map(|v| v.map(Param::Int)),
            };
            cell.map(|v| v.unwrap_or_else(|| Param::Null(ty.clone())))
                .map_err(backend)
        })
        .collect()
}

/// Constraint violations mean something to the caller; a lock held past the busy timeout
/// (another process on the file) is a transient unavailability; the rest is a backend
/// failure.
fn classify(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(e) if e.is_unique_violation() => StoreError::Conflict,
        sqlx::Error::Database(e) if e.is_foreign_key_violation() => StoreError::NotFound,
        // SQLITE_BUSY and SQLITE_LOCKED, with their extended codes.
        sqlx::Error::Database(e)
            if e.code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| matches!(c & 0xff, 5 | 6)) =>
        {
            StoreError::Unavailable(error.into())
        }
        sqlx::Error::PoolTimedOut => StoreError::Unavailable(error.into()),
        _ => backend(error),
    }
}

fn backend(error: sqlx::Error) -> StoreError {
    StoreError::Backend(error.into())
}
