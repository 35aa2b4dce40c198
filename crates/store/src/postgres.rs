//! The scale-out backend: PostgreSQL (and engines that speak its protocol and dialect),
//! shared by any number of stateless nodes.
//!
//! - Writes run at READ COMMITTED: every write is one statement that merges in the
//!   database (`UPDATE … SET only-the-given-columns`, `INSERT … ON CONFLICT DO UPDATE`),
//!   so concurrent writers queue on the row lock and none is lost. Multi-statement reads
//!   run at REPEATABLE READ, READ ONLY: a page, its count and its expansions see one
//!   snapshot, as on SQLite.
//! - A plan is one transaction and may run again: serialization failures, deadlocks and
//!   lost connections are retried with backoff within a bounded budget, then reported as
//!   [`StoreError::Unavailable`]. A connection lost during `COMMIT` is not retried (the
//!   commit may have happened) but reported as unavailable too: never a silent loss.
//! - Migrations run under an advisory lock, so nodes starting together lay out the schema
//!   once.

use std::str::FromStr;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{AssertSqlSafe, Postgres as Db, Row};

use crate::StoreError;
use crate::catalog::{Catalog, ColumnType};
use crate::engine::Executor;
use crate::plan::{Expect, Plan, Rows};
use crate::sql::{Dialect, Param, Postgres, add_missing_columns, quote};

/// How many times a plan runs at most when it fails transiently.
const ATTEMPTS: u32 = 6;
/// Past this, a transient failure is not retried again.
const RETRY_BUDGET: Duration = Duration::from_secs(5);
/// How long a request waits for a pooled connection (or a new one) per attempt.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// The advisory lock key of schema migrations ("localgraph" in ASCII, truncated).
const MIGRATION_LOCK: i64 = 0x6c6f_6361_6c67_7261;

/// Runs plans on a PostgreSQL database through a connection pool.
pub struct PostgresExecutor {
    pool: PgPool,
}

/// How one attempt at a plan failed.
enum Failure {
    /// Worth running the whole plan again.
    Transient(String),
    /// Final: the plan's answer.
    Final(StoreError),
}

impl PostgresExecutor {
    /// Connects to `url` (`postgres://user:password@host:port/database`, libpq's URL
    /// parameters such as `options=-csearch_path%3Dschema` apply) with a pool of at most
    /// `pool_size` connections.
    pub async fn connect(url: &str, pool_size: u32) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("invalid database URL: {e}")))?
            .application_name("localgraph");
        let pool = PgPoolOptions::new()
            .max_connections(pool_size.max(1))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(PostgresExecutor { pool })
    }

    /// Creates the schema `name` (letters, digits and `_`) in the database at `url` if
    /// missing, and returns a URL whose connections work in it: several data sets (a test
    /// run's, say) can share one database.
    pub async fn create_schema(url: &str, name: &str) -> Result<String, StoreError> {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(StoreError::Backend(format!("invalid schema name {name:?}")));
        }
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("invalid database URL: {e}")))?;
        let mut connection = <sqlx::PgConnection as sqlx::Connection>::connect_with(&options)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        sqlx::query(AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS {}",
            quote(name)
        )))
        .execute(&mut connection)
        .await
        .map_err(backend)?;
        sqlx::Connection::close(connection).await.map_err(backend)?;
        let separator = if url.contains('?') { '&' } else { '?' };
        Ok(format!("{url}{separator}options=-csearch_path%3D{name}"))
    }

    async fn attempt(&self, plan: &Plan) -> Result<Vec<Rows>, Failure> {
        let begin = if plan.write {
            "BEGIN"
        } else {
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        };
        let mut tx = self.pool.begin_with(begin).await.map_err(classify)?;
        let mut results = Vec::new();
        for statement in &plan.statements {
            let query = bind(
                sqlx::query(AssertSqlSafe(statement.text.clone())),
                &statement.params,
            );
            match statement.expect {
                Expect::Exists | Expect::Referenced => {
                    if query
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(classify)?
                        .is_none()
                    {
                        return Err(Failure::Final(statement.expect.missing()));
                    }
                }
                Expect::Rows => {
                    let rows = query.fetch_all(&mut *tx).await.map_err(classify)?;
                    let decoded = rows
                        .iter()
                        .map(|row| decode(row, &statement.decode))
                        .collect::<Result<_, _>>()
                        .map_err(Failure::Final)?;
                    results.push(decoded);
                }
                Expect::Affected => {
                    let done = query.execute(&mut *tx).await.map_err(classify)?;
                    results.push(vec![vec![Param::Int(done.rows_affected() as i64)]]);
                }
            }
        }
        match tx.commit().await.map_err(classify) {
            Ok(()) => Ok(results),
            // The commit may or may not have happened: say so rather than run it twice.
            Err(Failure::Transient(detail)) if plan.write && !is_serialization(&detail) => {
                Err(Failure::Final(StoreError::Unavailable(format!(
                    "commit unconfirmed: {detail}"
                ))))
            }
            Err(failure) => Err(failure),
        }
    }
}

#[async_trait]
impl Executor for PostgresExecutor {
    async fn run(&self, plan: Plan) -> Result<Vec<Rows>, StoreError> {
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            match self.attempt(&plan).await {
                Ok(results) => return Ok(results),
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Transient(detail)) => {
                    if attempt >= ATTEMPTS || started.elapsed() >= RETRY_BUDGET {
                        return Err(StoreError::Unavailable(detail));
                    }
                    tracing::warn!(attempt, error = %detail, "transient database failure, retrying");
                    let backoff = Duration::from_millis(25 << attempt.min(6));
                    tokio::time::sleep(backoff).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        // One attempt: the health check reports the database as it is now.
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    async fn migrate(&self, statements: &[String], catalog: &Catalog) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        // Nodes starting together: one lays out the schema, the others wait and find it done.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for statement in statements {
            sqlx::query(AssertSqlSafe(statement.as_str()))
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        for table in catalog.tables() {
            let existing: Vec<String> = sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind(&table.sql_name)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            for alter in add_missing_columns(&Postgres, table, &existing) {
                sqlx::query(AssertSqlSafe(alter))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
        }
        tx.commit().await.map_err(backend)
    }

    fn dialect(&self) -> &dyn Dialect {
        &Postgres
    }
}

type Query<'q> = sqlx::query::Query<'q, Db, PgArguments>;

/// Binds each parameter with its PostgreSQL type; NULLs are typed by their column.
fn bind<'q>(mut query: Query<'q>, params: &[Param]) -> Query<'q> {
    for param in params {
        query = match param {
            Param::Null(ColumnType::Boolean) => query.bind(None::<bool>),
            Param::Null(ColumnType::Real) => query.bind(None::<f64>),
            Param::Null(ColumnType::Text | ColumnType::Json) => query.bind(None::<String>),
            Param::Null(_) => query.bind(None::<i64>),
            Param::Int(i) => query.bind(*i),
            Param::Bool(b) => query.bind(*b),
            Param::Real(f) => query.bind(*f),
            Param::Text(t) => query.bind(t.clone()),
        };
    }
    query
}

fn decode(row: &PgRow, types: &[ColumnType]) -> Result<Vec<Param>, StoreError> {
    types
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            let cell = match ty {
                ColumnType::Boolean => row
                    .try_get::<Option<bool>, _>(i)
                    .map(|v| v.map(Param::Bool)),
                ColumnType::Real => row.try_get::<Option<f64>, _>(i).map(|v| v.map(Param::Real)),
                ColumnType::Text | ColumnType::Json => row
                    .try_get::<Option<String>, _>(i)
                    .map(|v| v.map(Param::Text)),
                // BIGINT columns and COUNT(*); a bare literal such as `SELECT 1` is INTEGER.
                _ => row
                    .try_get::<Option<i64>, _>(i)
                    .or_else(|_| row.try_get::<Option<i32>, _>(i).map(|v| v.map(i64::from)))
                    .map(|v| v.map(Param::Int)),
            };
            cell.map(|v| v.unwrap_or_else(|| Param::Null(ty.clone())))
                .map_err(backend)
        })
        .collect()
}

/// SQLSTATEs worth running the plan again for: serialization failure, deadlock, the
/// connection exception class, and a server shutting down or starting up.
fn transient_state(code: &str) -> bool {
    matches!(
        code,
        "40001" | "40P01" | "57P01" | "57P02" | "57P03" | "53300"
    ) || code.starts_with("08")
}

fn is_serialization(detail: &str) -> bool {
    detail.starts_with("40001") || detail.starts_with("40P01")
}

/// Constraint violations mean something to the caller; lost connections and conflicts
/// between transactions are worth a retry; the rest is a backend failure.
fn classify(error: sqlx::Error) -> Failure {
    match &error {
        sqlx::Error::Database(e) if e.is_unique_violation() => Failure::Final(StoreError::Conflict),
        sqlx::Error::Database(e) if e.is_foreign_key_violation() => {
            Failure::Final(StoreError::NotFound)
        }
        sqlx::Error::Database(e) => match e.code() {
            Some(code) if transient_state(&code) => {
                Failure::Transient(format!("{code}: {}", e.message()))
            }
            _ => Failure::Final(backend(error)),
        },
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut => Failure::Transient(error.to_string()),
        _ => Failure::Final(backend(error)),
    }
}

fn backend(error: sqlx::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}
