//! What the store's test binaries share: a fresh data set on either backend, a place for
//! a data set that is opened again and again, and the address of a place by its tables'
//! paths. (Each binary uses part of it.)
#![allow(dead_code)]

pub mod below;

use std::sync::Arc;

use store::{
    Address, Catalog, Executor, PostgresExecutor, ScratchSchema, SqlStore, SqliteExecutor, Step,
    Store, StoreError,
};

/// A fresh data set: a schema of its own in `TEST_DATABASE_URL`'s PostgreSQL database, or
/// the SQLite file `name` in `dir`; and the schema's guard, which drops it: hold it as long
/// as the store.
pub async fn open(dir: &std::path::Path, name: &str) -> (Arc<dyn Store>, Option<ScratchSchema>) {
    let catalog = served_catalog();
    match fresh_schema().await {
        Some(schema) => {
            let executor = PostgresExecutor::connect(schema.url(), 8).await.unwrap();
            let store = SqlStore::open(catalog, executor).await.unwrap();
            (Arc::new(store), Some(schema))
        }
        None => {
            let executor = SqliteExecutor::open(&dir.join(name)).await.unwrap();
            (
                Arc::new(SqlStore::open(catalog, executor).await.unwrap()),
                None,
            )
        }
    }
}

/// A fresh schema of its own in `TEST_DATABASE_URL`'s PostgreSQL database, when that is
/// set.
async fn fresh_schema() -> Option<ScratchSchema> {
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    Some(ScratchSchema::create(&url, "lg_store").await.unwrap())
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
/// its own, or a schema of its own in `TEST_DATABASE_URL`'s PostgreSQL database (dropped
/// with the place).
pub enum Place {
    Sqlite(tempfile::TempDir),
    Postgres(ScratchSchema),
}

impl Place {
    /// A fresh place.
    pub async fn new() -> Place {
        match fresh_schema().await {
            Some(schema) => Place::Postgres(schema),
            None => Place::Sqlite(tempfile::tempdir().unwrap()),
        }
    }

    /// An executor on the place's database.
    pub async fn executor(&self) -> Result<Box<dyn Executor>, StoreError> {
        Ok(match self {
            Place::Sqlite(dir) => Box::new(SqliteExecutor::open(&sqlite_file(dir)).await?),
            Place::Postgres(schema) => Box::new(PostgresExecutor::connect(schema.url(), 4).await?),
        })
    }

    /// The data set laid out by `catalog` (migrated on opening).
    pub async fn open(&self, catalog: Catalog) -> Result<Arc<dyn Store>, StoreError> {
        Ok(match self {
            Place::Sqlite(dir) => {
                let executor = SqliteExecutor::open(&sqlite_file(dir)).await?;
                Arc::new(SqlStore::open(catalog, executor).await?)
            }
            Place::Postgres(schema) => {
                let executor = PostgresExecutor::connect(schema.url(), 4).await?;
                Arc::new(SqlStore::open(catalog, executor).await?)
            }
        })
    }

    /// The data set laid out by the served schema.
    pub async fn store(&self) -> Arc<dyn Store> {
        self.open(served_catalog()).await.unwrap()
    }

    /// The data set laid out by the served schema, opened as `localgraph serve` opens it:
    /// on SQLite, holding the WAL's first read mark between checkpoints.
    pub async fn served_store(&self) -> Arc<dyn Store> {
        match self {
            Place::Sqlite(dir) => {
                let executor = SqliteExecutor::open_to_serve(&sqlite_file(dir))
                    .await
                    .unwrap();
                Arc::new(SqlStore::open(served_catalog(), executor).await.unwrap())
            }
            Place::Postgres(_) => self.store().await,
        }
    }
}

/// A place's SQLite file.
pub fn sqlite_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("data.sqlite")
}

/// The storage layout of the served schema.
fn served_catalog() -> Catalog {
    Catalog::build(&intune::Schema::load().unwrap()).unwrap()
}
