//! A throwaway PostgreSQL schema for one data set (a test's): made under a fresh name,
//! dropped with everything in it when its guard goes out of scope, so that runs against a
//! shared database leave no schemas behind.

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::postgres::MIGRATION_LOCK;
use crate::sql::quote;
use crate::{PostgresExecutor, StoreError};

/// How long the drop waits for a lock before it gives up and leaves the schema: for the
/// migrations of other data sets, and against a transaction of the data set's own runtime
/// that is blocked while the guard drops, which would otherwise hold its tables forever.
const LOCK_TIMEOUT: &str = "SET LOCAL lock_timeout = '20s'";

/// A schema of its own in a PostgreSQL database, dropped (`CASCADE`) when the guard drops.
///
/// Whatever serves the data set should be stopped, or at least idle, when the guard
/// drops: declare the guard before the servers and stores that use it, so that it drops
/// after them. A process killed before the drop (or a drop that fails) leaves the schema.
#[derive(Debug)]
pub struct ScratchSchema {
    /// The database's URL, without the schema's search path.
    database: String,
    /// The schema's name (letters, digits and `_`: `create_schema` refuses others).
    name: String,
    /// The URL that opens the data set: the database's with the schema as search path.
    url: String,
}

impl ScratchSchema {
    /// Makes the schema `{prefix}_{random}` in the database at `database`.
    pub async fn create(database: &str, prefix: &str) -> Result<ScratchSchema, StoreError> {
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        let url = PostgresExecutor::create_schema(database, &name).await?;
        Ok(ScratchSchema {
            database: database.to_string(),
            name,
            url,
        })
    }

    /// The URL that opens the data set (its search path is the schema).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ScratchSchema {
    fn drop(&mut self) {
        // Drop cannot await, and usually runs inside an async test's runtime, where
        // blocking on a future panics: a thread of its own drops the schema on a runtime
        // of its own, and this one waits for it.
        let (database, name) = (self.database.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime
                .block_on(drop_schema(&database, &name))
                .map_err(std::io::Error::other)
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::warn!(schema = %self.name, %error, "the schema was left behind");
            }
            Err(_) => tracing::warn!(schema = %self.name, "dropping the schema panicked"),
        }
    }
}

/// Drops the schema `name` with everything in it, under the migration lock: PostgreSQL's
/// catalog views fail ("could not open relation with OID …") when a migration reads them
/// (`pg_indexes`) while another schema's tables are being dropped, so drops wait for
/// migrations and migrations for drops.
async fn drop_schema(database: &str, name: &str) -> Result<(), sqlx::Error> {
    let mut connection = PgConnection::connect(database).await?;
    let mut transaction = connection.begin().await?;
    sqlx::query(LOCK_TIMEOUT).execute(&mut *transaction).await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *transaction)
        .await?;
    let statement = format!("DROP SCHEMA IF EXISTS {} CASCADE", quote(name));
    sqlx::query(AssertSqlSafe(statement))
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    connection.close().await
}
