//! Writes sent at once (which SQLite commits together, in groups): each is answered for
//! itself, a failing write takes none of the others with it, and every acknowledged write
//! is there after the data set is opened again; reads by key on any thread see each
//! acknowledged write (on PostgreSQL when `TEST_DATABASE_URL` is set, else SQLite).

mod common;

use common::{Place, at};
use odata::Value;
use store::{Changes, Columns, ListQuery, StoreError};

const TENANT: &str = "t";
const SCRIPTS: &str = "deviceManagement/deviceManagementScripts";
const STATES: &str = "deviceManagement/deviceManagementScripts/deviceRunStates";

fn state() -> Changes {
    Changes {
        type_name: "deviceManagementScriptDeviceState".into(),
        ..Changes::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_sent_at_once_are_each_answered_and_kept_unless_they_failed() {
    let place = Place::new().await;
    let store = place.store().await;
    let scripts = at(store.as_ref(), &[(SCRIPTS, None)]);
    let script = store
        .create(
            TENANT,
            &scripts,
            Changes {
                type_name: "deviceManagementScript".into(),
                ..Changes::default()
            },
        )
        .await
        .unwrap()
        .id;
    let states = at(store.as_ref(), &[(SCRIPTS, Some(&script)), (STATES, None)]);
    let orphans = at(
        store.as_ref(),
        &[(SCRIPTS, Some("no-such-script")), (STATES, None)],
    );
    // The state with the key `id` of `script`.
    let one = |script: &str, id: &str| {
        at(
            store.as_ref(),
            &[(SCRIPTS, Some(script)), (STATES, Some(id))],
        )
    };
    store
        .create(TENANT, &one(&script, "taken"), state())
        .await
        .unwrap();

    // 96 writes at once: 64 good ones, 16 under a script that does not exist, 16 with an
    // id that is taken.
    let mut writes = tokio::task::JoinSet::new();
    for i in 0..96 {
        let store = store.clone();
        let (target, expected) = match i % 6 {
            1 => (one("no-such-script", &format!("orphan-{i}")), "not found"),
            4 => (one(&script, "taken"), "conflict"),
            _ => (one(&script, &format!("s-{i}")), "ok"),
        };
        writes.spawn(async move {
            let result = store.create(TENANT, &target, state()).await;
            (i, expected, result)
        });
    }
    let mut acknowledged = Vec::new();
    while let Some(joined) = writes.join_next().await {
        let (i, expected, result) = joined.unwrap();
        match (expected, result) {
            ("ok", Ok(record)) => acknowledged.push(record.id),
            ("not found", Err(StoreError::NotFound)) => {}
            ("conflict", Err(StoreError::Conflict)) => {}
            (expected, other) => panic!("write {i}: expected {expected}, got {other:?}"),
        }
    }
    assert_eq!(acknowledged.len(), 64);
    drop(store);

    // Opened again: the acknowledged writes and the first one, nothing else.
    let store = place.store().await;
    let count = store.count(TENANT, &states, None).await.unwrap();
    assert_eq!(count, 65, "64 written at once and the one written before");
    let everything = ListQuery {
        size: 1000,
        ..ListQuery::default()
    };
    let page = store.list(TENANT, &states, &everything).await.unwrap();
    let mut kept: Vec<String> = page.records.into_iter().map(|r| r.id).collect();
    kept.sort();
    acknowledged.push("taken".into());
    acknowledged.sort();
    assert_eq!(kept, acknowledged);
    let orphans_there = store.count(TENANT, &orphans, None).await;
    assert!(
        matches!(orphans_there, Err(StoreError::NotFound)),
        "{orphans_there:?}"
    );
}

/// Reads by key run on the calling thread's own connection (SQLite): whichever thread
/// reads next, it sees each write once the write is acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_read_by_key_on_any_thread_sees_each_acknowledged_write() {
    let place = Place::new().await;
    let store = place.store().await;
    let scripts = at(store.as_ref(), &[(SCRIPTS, None)]);
    let named = |name: String| Changes {
        type_name: "deviceManagementScript".into(),
        values: vec![("displayName".into(), Value::String(name))],
        ..Changes::default()
    };
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..32 {
        let (store, scripts) = (store.clone(), scripts.clone());
        writers.spawn(async move {
            let id = store
                .create(TENANT, &scripts, named(format!("first-{i}")))
                .await
                .unwrap()
                .id;
            let script = at(store.as_ref(), &[(SCRIPTS, Some(&id))]);
            for round in 0..5 {
                let name = format!("round-{round}-{i}");
                store
                    .update(TENANT, &script, named(name.clone()))
                    .await
                    .unwrap();
                // Read from a task of its own, which any worker thread may run.
                let reader = {
                    let (store, script) = (store.clone(), script.clone());
                    tokio::spawn(async move {
                        store.get(TENANT, &script, &Columns::All, &[], None).await
                    })
                };
                let record = reader.await.unwrap().unwrap();
                assert_eq!(record.get("displayName"), Some(&Value::String(name)));
            }
        });
    }
    while let Some(joined) = writers.join_next().await {
        joined.unwrap();
    }
}
