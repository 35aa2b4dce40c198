//! What the store's test binaries share: a fresh data set on either backend, a place for
//! a data set that is opened again and again, and the address of a place by its tables'
//! paths. (Each binary uses part of it.)
#![allow(dead_code)]

use std::sync::Arc;

use store::{
    Address, Catalog, Executor, PostgresExecutor, SqlStore, SqliteExecutor, Step, Store, StoreError,
};

/// A fresh data set: a schema of its own in `TEST_DATABASE_URL`'s PostgreSQL database, or
/// the SQLite file `name` in `dir`.
pub async fn open(dir: &std::path::Path, name: &str) -> Arc<dyn Store> {
    let catalog = Catalog::build(&intune::Schema::load().unwrap()).unwrap();
    match fresh_schema().await {
        Some((url, _)) => {
            let executor = PostgresExecutor::connect(&url, 8).await.unwrap();
            Arc::new(SqlStore::open(catalog, executor).await.unwrap())
        }
        None => {
            let executor = SqliteExecutor::open(&dir.join(name)).await.unwrap();
            Arc::new(SqlStore::open(catalog, executor).await.unwrap())
        }
    }
}

/// A fresh schema of its own in `TEST_DATABASE_URL`'s PostgreSQL database, when that is
/// set: the URL that opens it, and its name.
async fn fresh_schema() -> Option<(String, String)> {
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let schema = format!("lg_store_{}", uuid::Uuid::new_v4().simple());
    let url = PostgresExecutor::create_schema(&url, &schema)
        .await
        .unwrap();
    Some((url, schema))
}

/// The address of `steps`: each a table's path and, but for the last, the key under it.
pub fn at(store: &dyn Store, steps: &[(&str, Option<&str>)]) -> Address {
    let tables = store.catalog().tables();
    Address {
        steps: steps
            .iter()
            .map(|(path, key)| Step {
                table: tables.iter().find(|t| t.path == *path).unwrap().id,
                key: key.map(str::to_string),
                types: Vec::new(),
                via: None,
            })
            .collect(),
    }
}

/// Where a data set lives, to be opened more than once: an SQLite file in a directory of
/// its own, or a schema of its own in `TEST_DATABASE_URL`'s PostgreSQL database.
pub enum Place {
    Sqlite(tempfile::TempDir),
    Postgres { url: String, schema: String },
}

impl Place {
    /// A fresh place.
    pub async fn new() -> Place {
        match fresh_schema().await {
            Some((url, schema)) => Place::Postgres { url, schema },
            None => Place::Sqlite(tempfile::tempdir().unwrap()),
        }
    }

    /// An executor on the place's database.
    pub async fn executor(&self) -> Result<Box<dyn Executor>, StoreError> {
        Ok(match self {
            Place::Sqlite(dir) => {
                Box::new(SqliteExecutor::open(&dir.path().join("data.sqlite")).await?)
            }
            Place::Postgres { url, .. } => Box::new(PostgresExecutor::connect(url, 4).await?),
        })
    }

    /// The data set laid out by `catalog` (migrated on opening).
    pub async fn open(&self, catalog: Catalog) -> Result<Arc<dyn Store>, StoreError> {
        Ok(match self {
            Place::Sqlite(dir) => {
                let executor = SqliteExecutor::open(&dir.path().join("data.sqlite")).await?;
                Arc::new(SqlStore::open(catalog, executor).await?)
            }
            Place::Postgres { url, .. } => {
                let executor = PostgresExecutor::connect(url, 4).await?;
                Arc::new(SqlStore::open(catalog, executor).await?)
            }
        })
    }

    /// The data set laid out by the served schema.
    pub async fn store(&self) -> Arc<dyn Store> {
        let catalog = Catalog::build(&intune::Schema::load().unwrap()).unwrap();
        self.open(catalog).await.unwrap()
    }

    /// Drops a PostgreSQL place's schema.
    pub async fn drop(self) {
        if let Place::Postgres { url, schema } = self {
            let base = url.split('?').next().unwrap().to_string();
            PostgresExecutor::drop_schema(&base, &schema).await.unwrap();
        }
    }
}
