//! What the store's test binaries share: a fresh data set on either backend, and the
//! address of a place by its tables' paths. (Each binary uses part of it.)
#![allow(dead_code)]

use std::sync::Arc;

use store::{Address, Catalog, PostgresExecutor, SqlStore, SqliteExecutor, Step, Store};

/// A fresh data set: a schema of its own in `TEST_DATABASE_URL`'s PostgreSQL database, or
/// the SQLite file `name` in `dir`.
pub async fn open(dir: &std::path::Path, name: &str) -> Arc<dyn Store> {
    let catalog = Catalog::build(&intune::Schema::load().unwrap()).unwrap();
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = format!("lg_store_{}", uuid::Uuid::new_v4().simple());
            let url = PostgresExecutor::create_schema(&url, &schema)
                .await
                .unwrap();
            let executor = PostgresExecutor::connect(&url, 8).await.unwrap();
            Arc::new(SqlStore::open(catalog, executor).await.unwrap())
        }
        _ => {
            let executor = SqliteExecutor::open(&dir.join(name)).await.unwrap();
            Arc::new(SqlStore::open(catalog, executor).await.unwrap())
        }
    }
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
