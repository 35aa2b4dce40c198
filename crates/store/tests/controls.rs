//! Controls and snapshots through the `Store` trait, on SQLite and (with
//! `TEST_DATABASE_URL`) PostgreSQL: counted uses are taken atomically, every change moves
//! the generation, a reset keeps controls and snapshots, a snapshot moves whole.

mod common;

use common::open;
use odata::Value;
use store::{Address, Changes, Columns, ControlRow, Store, StoreError};

fn accounts(store: &dyn Store) -> Address {
    common::at(
        store,
        &[("deviceManagement/macOSSoftwareUpdateAccountSummaries", None)],
    )
}

fn rule(tenant: &str, id: &str, remaining: Option<i64>) -> ControlRow {
    ControlRow {
        tenant: tenant.into(),
        kind: "fault".into(),
        id: id.into(),
        value: r#"{"path":"**"}"#.into(),
        remaining,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counted_uses_are_taken_once_each_under_concurrency() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _schema) = open(dir.path(), "uses.sqlite").await;
    store.put_control(&rule("t", "r", Some(5))).await.unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.consume_control("t", "fault", "r").await.unwrap() })
        })
        .collect();
    let mut used = 0;
    for task in tasks {
        used += usize::from(task.await.unwrap());
    }
    assert_eq!(used, 5);
    let set = store.controls(Some("t")).await.unwrap();
    assert_eq!(set.rows[0].remaining, Some(0));
    assert!(
        !store.consume_control("u", "fault", "r").await.unwrap(),
        "another tenant's id"
    );
}

#[tokio::test]
async fn every_change_moves_the_generation_and_tenants_stay_apart() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _schema) = open(dir.path(), "generation.sqlite").await;
    let start = store.controls_generation().await.unwrap();
    store.put_control(&rule("a", "1", None)).await.unwrap();
    store.put_control(&rule("b", "1", None)).await.unwrap();
    let after_puts = store.controls_generation().await.unwrap();
    assert_eq!(after_puts, start + 2);
    assert_eq!(store.controls(None).await.unwrap().rows.len(), 2);
    let only_a = store.controls(Some("a")).await.unwrap();
    assert_eq!((only_a.generation, only_a.rows.len()), (after_puts, 1));
    assert_eq!(store.delete_controls("a", "fault", None).await.unwrap(), 1);
    assert_eq!(
        store
            .delete_controls("a", "fault", Some("1"))
            .await
            .unwrap(),
        0
    );
    assert!(store.controls_generation().await.unwrap() > after_puts);
    assert_eq!(store.controls(Some("b")).await.unwrap().rows.len(), 1);
}

#[tokio::test]
async fn snapshots_move_whole_and_a_reset_keeps_them_and_the_controls() {
    let dir = tempfile::tempdir().unwrap();
    let (from, _from_schema) = open(dir.path(), "from.sqlite").await;
    let at = accounts(from.as_ref());
    let changes = |name: &str| Changes {
        type_name: "macOSSoftwareUpdateAccountSummary".into(),
        values: vec![("displayName".into(), Value::String(name.into()))],
        ..Changes::default()
    };
    let kept = from.create("t", &at, changes("kept")).await.unwrap();
    from.put_control(&rule("t", "1", None)).await.unwrap();
    let info = from.save_snapshot("t", "s").await.unwrap();
    assert_eq!((info.rows, info.name.as_str()), (1, "s"));
    assert!(matches!(
        from.save_snapshot("t", "s").await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(from.reset_tenant("t").await.unwrap(), 1);
    assert_eq!(from.controls(Some("t")).await.unwrap().rows.len(), 1);
    assert_eq!(
        from.snapshots(Some("t")).await.unwrap(),
        std::slice::from_ref(&info)
    );

    let snapshot = from.export_snapshot("t", "s").await.unwrap();
    let (to, _to_schema) = open(dir.path(), "to.sqlite").await;
    to.import_snapshot(&snapshot).await.unwrap();
    to.import_snapshot(&snapshot).await.unwrap();
    assert_eq!(
        to.snapshots(None).await.unwrap(),
        std::slice::from_ref(&info)
    );
    assert_eq!(to.restore_snapshot("t", "s").await.unwrap(), info);
    let restored = to
        .get(
            "t",
            &accounts(to.as_ref()).with_key(&kept.id),
            &Columns::All,
            &[],
            None,
        )
        .await;
    assert_eq!(restored.unwrap(), kept);
    assert!(matches!(
        to.restore_snapshot("u", "s").await,
        Err(StoreError::NotFound)
    ));
    to.delete_snapshot("t", "s").await.unwrap();
    assert!(matches!(
        to.delete_snapshot("t", "s").await,
        Err(StoreError::NotFound)
    ));
}

trait WithKey {
    fn with_key(self, key: &str) -> Address;
}

impl WithKey for Address {
    fn with_key(mut self, key: &str) -> Address {
        self.steps[0].key = Some(key.to_string());
        self
    }
}
