//! What the store's test binaries share: a fresh data set on either backend.

use std::sync::Arc;

use store::{Catalog, PostgresExecutor, SqlStore, SqliteExecutor, Store};

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
