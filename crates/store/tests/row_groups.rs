//! On PostgreSQL (when `TEST_DATABASE_URL` is set): writes of one row that wait for it
//! together are committed together (`postgres/group.rs`), and each is still answered for
//! itself. Another connection holds the row's lock while the writes arrive, so the first
//! waits in PostgreSQL and the others queue behind it on the node: they make one group.

mod common;

use std::time::{Duration, Instant};

use common::{Place, at};
use odata::Value;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use store::{Address, Changes, Columns, Store, StoreError};

const TENANT: &str = "t";
const SCRIPTS: &str = "deviceManagement/deviceManagementScripts";
const STATES: &str = "deviceManagement/deviceManagementScripts/deviceRunStates";

/// A change of the state: `values`, and `links`.
fn change(values: Vec<(&str, Value)>, links: Vec<(&str, &str)>) -> Changes {
    Changes {
        merged: Vec::new(),
        type_name: "deviceManagementScriptDeviceState".into(),
        values: values
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect(),
        links: links
            .into_iter()
            .map(|(name, key)| (name.to_string(), Some(key.to_string())))
            .collect(),
    }
}

/// The state's value of `property`.
async fn value(store: &dyn Store, state: &Address, property: &str) -> Value {
    let record = store
        .get(TENANT, state, &Columns::All, &[], None)
        .await
        .unwrap();
    record.get(property).cloned().unwrap_or(Value::Null)
}

/// Begins a transaction on `blocker` that holds the lock of every row of `table`.
async fn lock_rows(blocker: &mut PgConnection, table: &str) {
    sqlx::raw_sql("BEGIN").execute(&mut *blocker).await.unwrap();
    let lock = format!("SELECT 1 FROM \"{table}\" FOR UPDATE");
    sqlx::query(AssertSqlSafe(lock))
        .execute(&mut *blocker)
        .await
        .unwrap();
}

/// The number of the connection's transaction (given one here if it has none).
async fn transaction_number(connection: &mut PgConnection) -> i64 {
    let (number,): (String,) = sqlx::query_as("SELECT pg_current_xact_id()::text")
        .fetch_one(&mut *connection)
        .await
        .unwrap();
    number.parse().unwrap()
}

/// Waits until a backend of this database waits for a lock, watching from `watcher`, a
/// connection outside any transaction (a transaction sees one snapshot of the activity).
async fn until_a_write_waits(watcher: &mut PgConnection) {
    let started = Instant::now();
    loop {
        let (waiting,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut *watcher)
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no write waits"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_of_one_row_committed_together_are_each_answered_for_itself() {
    let place = Place::new().await;
    let Place::Postgres(schema) = &place else {
        return; // SQLite's writer groups every write: tests/concurrent_writes.rs.
    };
    let store = place.store().await;
    let scripts = at(store.as_ref(), &[(SCRIPTS, None)]);
    let script = Changes {
        type_name: "deviceManagementScript".into(),
        ..Changes::default()
    };
    let script = store.create(TENANT, &scripts, script).await.unwrap().id;
    let state = at(
        store.as_ref(),
        &[(SCRIPTS, Some(&script)), (STATES, Some("s"))],
    );
    store
        .create(TENANT, &state, change(Vec::new(), Vec::new()))
        .await
        .unwrap();

    let table = &store.catalog().table(state.target().table).sql_name;
    let mut blocker = PgConnection::connect(schema.url()).await.unwrap();
    let mut watcher = PgConnection::connect(schema.url()).await.unwrap();
    lock_rows(&mut blocker, table).await;

    let write = |changes: Changes| {
        let (store, state) = (store.clone(), state.clone());
        tokio::spawn(async move { store.update(TENANT, &state, changes).await })
    };
    // The first write waits for the lock in PostgreSQL; the others queue behind it.
    let first = write(change(vec![("errorCode", Value::Int(1))], Vec::new()));
    until_a_write_waits(&mut watcher).await;
    let described = write(change(
        vec![("errorDescription", Value::String("two".into()))],
        Vec::new(),
    ));
    // A write linking to a device that does not exist fails alone: its error code is
    // not kept, and the writes around it are.
    let orphan = write(change(
        vec![("errorCode", Value::Int(999))],
        vec![("managedDevice", "no-such-device")],
    ));
    // A write PostgreSQL itself refuses (text for an integer column), after it set a
    // description: the refusal aborts the transaction, the savepoint takes it back alone.
    let refused = write(change(
        vec![
            ("errorDescription", Value::String("refused".into())),
            ("errorCode", Value::String("not a number".into())),
        ],
        Vec::new(),
    ));
    let messaged = write(change(
        vec![("resultMessage", Value::String("three".into()))],
        Vec::new(),
    ));
    // A write whose caller goes away before its group starts is not made.
    let abandoned = write(change(
        vec![("runState", Value::Enum("fail".into()))],
        Vec::new(),
    ));
    tokio::time::sleep(Duration::from_millis(200)).await;
    abandoned.abort();
    assert!(abandoned.await.unwrap_err().is_cancelled());
    sqlx::raw_sql("COMMIT").execute(&mut blocker).await.unwrap();

    first.await.unwrap().unwrap();
    described.await.unwrap().unwrap();
    messaged.await.unwrap().unwrap();
    let refused = refused.await.unwrap();
    assert!(
        matches!(refused, Err(StoreError::Backend(_))),
        "{refused:?}"
    );
    let orphaned = orphan.await.unwrap();
    assert!(
        matches!(orphaned, Err(StoreError::InvalidReference)),
        "{orphaned:?}"
    );
    let store = store.as_ref();
    assert_eq!(value(store, &state, "errorCode").await, Value::Int(1));
    assert_eq!(
        value(store, &state, "errorDescription").await,
        Value::String("two".into())
    );
    assert_eq!(
        value(store, &state, "resultMessage").await,
        Value::String("three".into())
    );
    assert_eq!(
        value(store, &state, "runState").await,
        Value::Enum("unknown".into())
    );

    // Again, with every write of the group good: committed as one transaction, so the
    // database numbers two transactions that wrote (the first write, the group) between
    // the blocker's and the next, not 33.
    lock_rows(&mut blocker, table).await;
    let before = transaction_number(&mut blocker).await;
    let first = write(change(vec![("errorCode", Value::Int(2))], Vec::new()));
    until_a_write_waits(&mut watcher).await;
    let writes: Vec<_> = (3..35)
        .map(|code| {
            let changes = change(vec![("errorCode", Value::Int(code))], Vec::new());
            (code, write(changes))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    sqlx::raw_sql("COMMIT").execute(&mut blocker).await.unwrap();
    first.await.unwrap().unwrap();
    // Each write is answered the row as it left it: its own code.
    for (code, write) in writes {
        let record = write.await.unwrap().unwrap();
        assert_eq!(record.get("errorCode"), Some(&Value::Int(code)));
    }
    // Numbered across the whole cluster: some slack for other sessions, far below 34.
    let after = transaction_number(&mut blocker).await;
    assert!(
        after - before < 12,
        "{} transactions wrote between the blocker's two, not 2",
        after - before - 1
    );
    let kept = value(store, &state, "errorCode").await;
    assert!(matches!(kept, Value::Int(3..35)), "{kept:?}");
}
