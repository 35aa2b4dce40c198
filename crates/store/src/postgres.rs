//! The scale-out backend: PostgreSQL (and engines that speak its protocol and dialect),
//! shared by any number of stateless nodes.
//!
//! - Writes run at READ COMMITTED: every write is one statement that merges in the
//!   database (`UPDATE … SET only-the-given-columns`, `INSERT … ON CONFLICT DO UPDATE`),
//!   so concurrent writers queue on the row lock and none is lost. Multi-statement reads
//!   run at REPEATABLE READ, READ ONLY: a page, its count and its expansions see one
//!   snapshot, as on SQLite.
//! - A plan is one transaction. A plan of one statement runs alone, in autocommit: one
//!   statement is atomic and sees one snapshot by itself, so `BEGIN` and `COMMIT` would
//!   only add two round trips (and, for a write, keep its row locks through them). Any
//!   other plan is begun, committed and rolled back explicitly ([`attempt`]): a failed
//!   statement is rolled back before the connection goes back to the pool, and a failed
//!   `COMMIT` (which ends the transaction in PostgreSQL) is not followed by a `ROLLBACK`.
//!   Once it has a connection, the plan runs in a task of its own, so a client that
//!   disconnects (or a request timeout) cannot stop it half-way: it commits or rolls back
//!   whole.
//! - Writes of one row known before they run (a PATCH, a PUT, a DELETE, a `$ref`) that
//!   wait for each other are committed together, one transaction for those waiting at
//!   one moment ([`group`]): 32 clients on one row otherwise each wait for the commit,
//!   WAL flush included, of the one before.
//! - A plan may run again: serialization failures, deadlocks and lost connections
//!   (classified by SQLSTATE) are retried with backoff within a bounded budget, then
//!   reported as [`StoreError::Unavailable`]. A connection lost without an answer while a
//!   write commits (its `COMMIT`, or a write that runs alone) is not retried (the commit
//!   may have happened) but reported as unavailable too: never a silent loss, never a
//!   write applied twice.
//! - A pooled connection goes back to the pool as it is, and is checked with a round trip
//!   before use only after it has been idle for a while ([`pool`]): one that broke since
//!   is found by its first statement, whose failure is retried as above.
//! - Migrations run under an advisory lock, so nodes starting together lay out the schema
//!   once, and refuse a data set that disagrees with the schema ([`crate::migrate`]).

mod attempt;
mod codec;
mod failure;
mod group;
mod pool;

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, PgConnection, Postgres as Db};

use crate::StoreError;
use crate::catalog::Catalog;
use crate::engine::Executor;
use crate::executor::PoolUse;
use crate::migrate::migrate;
use crate::plan::{Expect, Plan, Rows, Statement};
use crate::sql::{Dialect, Postgres, column_indexes, quote};
use attempt::run_once;
use failure::{Failure, backend};
use group::Queues;
use pool::{Pool, Pooled, discard};

/// How many times a plan runs at most when it fails transiently.
const ATTEMPTS: u32 = 6;
/// Past this, a transient failure is not retried again.
const RETRY_BUDGET: Duration = Duration::from_secs(5);
/// The tables of the current schema, with their columns and types.
const INTROSPECT: &str = "SELECT table_name::text, column_name::text, data_type::text \
     FROM information_schema.columns WHERE table_schema = current_schema() \
     ORDER BY table_name, ordinal_position";
/// Which of the column indexes named by `$1` exist in the current schema without their
/// column sorted nulls first. Only this schema's are opened (`OFFSET 0` keeps the steps
/// apart): `pg_indexes` opened every index so named in the database, and failed when
/// another schema's was being dropped ("could not open relation with OID").
const STALE_INDEXES: &str = "SELECT name FROM (SELECT c.relname::text AS name, c.oid \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = current_schema() AND c.relkind IN ('i', 'I') AND c.relname = ANY($1) \
     OFFSET 0) AS ours WHERE pg_get_indexdef(oid) NOT LIKE '%NULLS FIRST%'";
/// Takes the advisory lock of schema migrations until the transaction ends (its key is
/// "localgraph" in ASCII, truncated: 0x6c6f_6361_6c67_7261).
const LOCK_MIGRATIONS: &str = "SELECT pg_advisory_xact_lock(7813573148592796257)";
/// How long dropping a schema waits for a lock before it gives up and leaves the schema:
/// for the migrations of other data sets, and for a transaction that still holds the
/// schema's tables (a test's runtime blocked while its guard drops), which would
/// otherwise hold them forever.
const DROP_LOCK_TIMEOUT: &str = "SET LOCAL lock_timeout = '20s'";

/// Runs plans on a PostgreSQL database through a connection pool.
#[derive(Clone)]
pub struct PostgresExecutor {
    pool: Pool,
    /// The writes of one row waiting to be committed together ([`group`]).
    queues: Arc<Queues>,
}

impl PostgresExecutor {
    /// Connects to `url` (`postgres://user:password@host:port/database`, libpq's URL
    /// parameters such as `options=-csearch_path%3Dschema` apply) with a pool of at most
    /// `pool_size` connections.
    pub async fn connect(url: &str, pool_size: u32) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)
            .map_err(backend)?
            .application_name("localgraph");
        let pool = pool::pool(options, pool_size)?;
        // One connection now: a database out of reach is said at start.
        drop(pool::acquire(&pool).await.map_err(Failure::unavailable)?);
        Ok(PostgresExecutor {
            pool,
            queues: Arc::default(),
        })
    }

    /// Creates the schema `name` (letters, digits and `_`) in the database at `url` if
    /// missing, and returns a URL whose connections work in it: several data sets (a test
    /// run's, say) can share one database.
    pub async fn create_schema(url: &str, name: &str) -> Result<String, StoreError> {
        let create = format!("CREATE SCHEMA IF NOT EXISTS {}", quote_schema(name)?);
        schema_ddl(url, &[&create]).await?;
        let separator = if url.contains('?') { '&' } else { '?' };
        Ok(format!("{url}{separator}options=-csearch_path%3D{name}"))
    }

    /// Drops the schema `name` of the database at `url` with everything in it, if it
    /// exists (a benchmark's or a test's data set), under the migration lock, so that no
    /// migration reads the catalog while the drop is under way (`pg_indexes` failed so,
    /// "could not open relation with OID …"; migrations no longer read it, and the lock
    /// stays as a guard). It gives up after 20 s waiting for a lock.
    pub async fn drop_schema(url: &str, name: &str) -> Result<(), StoreError> {
        let drop = format!("DROP SCHEMA IF EXISTS {} CASCADE", quote_schema(name)?);
        schema_ddl(url, &[DROP_LOCK_TIMEOUT, LOCK_MIGRATIONS, &drop]).await
    }

    /// Runs `plan` with retries (see the module's notes). Waiting for a connection
    /// follows the caller (a caller that goes away leaves nothing behind); once it has
    /// one, the transaction runs in a task of its own, so it cannot be stopped half-way,
    /// and at most the pool's connections run for callers that are gone.
    async fn run_with_retries(&self, plan: Plan) -> Result<Vec<Rows>, StoreError> {
        let plan = Arc::new(plan);
        self.with_retries(|connection| {
            let plan = plan.clone();
            async move {
                tokio::spawn(async move { run_once(connection, &plan).await })
                    .await
                    .unwrap_or_else(|e| Err(Failure::Final(StoreError::Backend(e.into()))))
            }
        })
        .await
    }

    /// Runs `plan` with retries in the calling task (one that nothing stops half-way).
    async fn run_here(&self, plan: Plan) -> Result<Vec<Rows>, StoreError> {
        let plan = Arc::new(plan);
        self.with_retries(|connection| {
            let plan = plan.clone();
            async move { run_once(connection, &plan).await }
        })
        .await
    }

    /// Makes `attempt`s, each on a connection of the pool, until one succeeds or fails
    /// for good, or the retry budget is spent.
    async fn with_retries<T, F>(
        &self,
        mut attempt: impl FnMut(Pooled) -> F,
    ) -> Result<T, StoreError>
    where
        F: Future<Output = Result<T, Failure>>,
    {
        let started = Instant::now();
        let mut attempts = 1;
        loop {
            let outcome = match pool::acquire(&self.pool).await {
                Ok(connection) => attempt(connection).await,
                Err(failure) => Err(failure),
            };
            match outcome {
                Ok(results) => return Ok(results),
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Transient(error)) => {
                    if attempts >= ATTEMPTS || started.elapsed() >= RETRY_BUDGET {
                        return Err(StoreError::Unavailable(error.into()));
                    }
                    tracing::warn!(attempt = attempts, %error, "transient database failure, retrying");
                    let backoff = Duration::from_millis(25 << attempts.min(6));
                    tokio::time::sleep(backoff).await;
                    attempts += 1;
                }
            }
        }
    }
}

/// A schema name of letters, digits and `_`, quoted (it is written into SQL).
fn quote_schema(name: &str) -> Result<String, StoreError> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(StoreError::Backend(
            format!("invalid schema name {name:?}").into(),
        ));
    }
    Ok(quote(name))
}

/// Runs schema statements, in one transaction, on a connection of its own to the
/// database at `url`.
async fn schema_ddl(url: &str, statements: &[&str]) -> Result<(), StoreError> {
    let options = PgConnectOptions::from_str(url).map_err(backend)?;
    let mut connection = <PgConnection as sqlx::Connection>::connect_with(&options)
        .await
        .map_err(|e| StoreError::Unavailable(e.into()))?;
    let mut transaction = sqlx::Connection::begin(&mut connection)
        .await
        .map_err(backend)?;
    for statement in statements {
        sqlx::query(AssertSqlSafe(statement.to_string()))
            .execute(&mut *transaction)
            .await
            .map_err(backend)?;
    }
    transaction.commit().await.map_err(backend)?;
    sqlx::Connection::close(connection).await.map_err(backend)
}

#[async_trait]
impl Executor for PostgresExecutor {
    fn pool_use(&self) -> PoolUse {
        pool::usage(&self.pool)
    }

    async fn run(&self, mut plan: Plan) -> Result<Vec<Rows>, StoreError> {
        match plan.row.take() {
            Some(row) if plan.write => self.write_row(row, plan).await,
            _ => self.run_with_retries(plan).await,
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        // One attempt: the health check reports the database as it is now.
        let mut connection = pool::acquire(&self.pool)
            .await
            .map_err(Failure::unavailable)?;
        match sqlx::query("SELECT 1").execute(&mut *connection).await {
            Ok(_) => Ok(()),
            Err(e) => {
                discard(connection);
                Err(StoreError::Unavailable(e.into()))
            }
        }
    }

    async fn migrate(&self, statements: &[String], catalog: &Catalog) -> Result<(), StoreError> {
        let mut connection = pool::acquire(&self.pool)
            .await
            .map_err(Failure::unavailable)?;
        let result = migrate_on(&mut connection, statements, catalog).await;
        if result.is_err() {
            // Its transaction may still be open on the server, holding the lock.
            discard(connection);
        }
        result
    }

    /// `ANALYZE` of every table: PostgreSQL reads a table it has never analyzed (its
    /// statistics say -1 rows) with whichever index matches a prefix of the key, and chose
    /// one that scans every row of the tenant for a read by id (10k macOS summaries, just
    /// seeded: 700 reads by id a second against 6,000 after `ANALYZE`), until autovacuum
    /// got to it.
    async fn analyze(&self, catalog: &Catalog) -> Result<(), StoreError> {
        let tables: Vec<String> = catalog
            .tables()
            .iter()
            .map(|table| quote(&table.sql_name))
            .collect();
        // A plan like any other: retried when transient (`ANALYZE` only reads), and its
        // connection closed if a failure ended it.
        let analyze = Statement {
            text: format!("ANALYZE {}", tables.join(", ")),
            params: Vec::new(),
            expect: Expect::Done,
            decode: Vec::new(),
        };
        let plan = Plan {
            write: false,
            by_key: false,
            statements: vec![analyze],
            max_bytes: None,
            row: None,
        };
        self.run_with_retries(plan).await.map(drop)
    }

    fn dialect(&self) -> &dyn Dialect {
        &Postgres
    }
}

/// Lays out the schema on `connection`, in one transaction under the migration lock.
async fn migrate_on(
    connection: &mut PgConnection,
    statements: &[String],
    catalog: &Catalog,
) -> Result<(), StoreError> {
    let mut tx = sqlx::Connection::begin(connection).await.map_err(backend)?;
    // Nodes starting together: one lays out the schema, the others wait and find it done.
    sqlx::query(LOCK_MIGRATIONS)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    drop_stale_indexes(&mut tx, catalog).await?;
    migrate::<Db>(&mut tx, &Postgres, INTROSPECT, statements, catalog).await?;
    tx.commit().await.map_err(backend)
}

/// Drops the column indexes laid out before they sorted nulls first (`sql::create_table`):
/// read backwards, they serve no descending page. The schema's statements make them again.
async fn drop_stale_indexes(
    connection: &mut PgConnection,
    catalog: &Catalog,
) -> Result<(), StoreError> {
    let names: Vec<String> = catalog.tables().iter().flat_map(column_indexes).collect();
    let stale: Vec<(String,)> = sqlx::query_as(STALE_INDEXES)
        .bind(&names)
        .fetch_all(&mut *connection)
        .await
        .map_err(backend)?;
    for (name,) in stale {
        tracing::info!(index = %name, "making an index again, nulls first");
        sqlx::query(AssertSqlSafe(format!("DROP INDEX {}", quote(&name))))
            .execute(&mut *connection)
            .await
            .map_err(backend)?;
    }
    Ok(())
}
