//! On PostgreSQL (when `TEST_DATABASE_URL` is set): a pooled connection that the server
//! ended while it sat in the pool (as a restart or `pg_terminate_backend` does) costs a
//! write nothing. The write, which runs alone in autocommit, finds the server's answer
//! (57P01) on that connection, runs again on a new one, and happens once.

mod common;

use std::time::{Duration, Instant};

use common::{Place, at};
use odata::Value;
use store::catalog::ColumnType;
use store::plan::{Expect, Plan, Statement};
use store::sql::Param;
use store::{Catalog, Changes, Executor, PostgresExecutor, SqlStore, Store};

const TENANT: &str = "t";
const SCRIPTS: &str = "deviceManagement/deviceManagementScripts";

fn script(name: &str) -> Changes {
    Changes {
        type_name: "deviceManagementScript".into(),
        values: vec![("displayName".into(), Value::String(name.into()))],
        ..Changes::default()
    }
}

/// The first cell of the one row `text` answers.
async fn one(executor: &PostgresExecutor, text: String, column: ColumnType) -> Param {
    let select = Statement {
        text,
        params: Vec::new(),
        expect: Expect::Rows,
        decode: vec![column],
    };
    let plan = Plan {
        write: false,
        by_key: true,
        statements: vec![select],
        max_bytes: None,
        row: None,
    };
    let mut rows = executor.run(plan).await.unwrap().remove(0);
    rows.remove(0).remove(0)
}

#[tokio::test]
async fn a_write_on_a_connection_the_server_ended_runs_again_once() {
    let place = Place::new().await;
    let Place::Postgres(schema) = &place else {
        return; // SQLite has no connection to lose.
    };
    let url = schema.url();
    // One connection, so the write after the termination gets the terminated one.
    let executor = PostgresExecutor::connect(url, 1).await.unwrap();
    let catalog = Catalog::build(&intune::Schema::load().unwrap()).unwrap();
    let store = SqlStore::open(catalog, executor.clone()).await.unwrap();
    let scripts = at(&store, &[(SCRIPTS, None)]);
    store
        .create(TENANT, &scripts, script("first"))
        .await
        .unwrap();
    let backend = one(
        &executor,
        "SELECT pg_backend_pid()".into(),
        ColumnType::Integer,
    )
    .await;
    let Param::Int(pid) = backend else {
        panic!("a backend pid: {backend:?}")
    };

    let other = PostgresExecutor::connect(url, 1).await.unwrap();
    one(
        &other,
        format!("SELECT pg_terminate_backend({pid})"),
        ColumnType::Boolean,
    )
    .await;
    // Gone, and its last word sent, before the write.
    let deadline = Instant::now() + Duration::from_secs(10);
    let alive = format!("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = {pid}");
    while one(&other, alive.clone(), ColumnType::Integer).await != Param::Int(0) {
        assert!(Instant::now() < deadline, "backend {pid} still there");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let created = store.create(TENANT, &scripts, script("second")).await;
    assert!(created.is_ok(), "{created:?}");
    let count = store.count(TENANT, &scripts, None).await.unwrap();
    assert_eq!(count, 2, "the first script and the second, once");
    let now = one(
        &executor,
        "SELECT pg_backend_pid()".into(),
        ColumnType::Integer,
    )
    .await;
    assert_ne!(now, Param::Int(pid), "the pool opened a new connection");
}
