//! A throwaway PostgreSQL schema for one data set (a test's): made under a fresh name,
//! dropped with everything in it when its guard goes out of scope, so that runs against a
//! shared database leave no schemas behind.

use crate::{PostgresExecutor, StoreError};

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
                .block_on(PostgresExecutor::drop_schema(&database, &name))
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
