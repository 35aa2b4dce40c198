//! The data set's settings through the `Store` trait, on SQLite and (with
//! `TEST_DATABASE_URL`) PostgreSQL: a setting is stored once whoever races to make it, and
//! counts add up atomically.

mod common;

use common::open;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_setting_is_made_once_and_counts_add_up_under_concurrency() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _schema) = open(dir.path(), "settings.sqlite").await;
    assert_eq!(
        store.find_setting("authority/signing-key").await.unwrap(),
        None
    );
    // Eight makers race with eight different values: all read the one stored.
    let makers: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .setting("authority/signing-key", &format!("key {i}"))
                    .await
            })
        })
        .collect();
    let mut kept = Vec::new();
    for maker in makers {
        kept.push(maker.await.unwrap().unwrap());
    }
    assert!(kept.iter().all(|k| *k == kept[0]), "{kept:?}");
    assert_eq!(
        store.find_setting("authority/signing-key").await.unwrap(),
        Some(kept[0].clone())
    );
    // Sixteen adders of 5 each: 80, none lost.
    let adders: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.add_to_setting("stats/rows_seeded", 5).await })
        })
        .collect();
    for adder in adders {
        adder.await.unwrap().unwrap();
    }
    assert_eq!(
        store.add_to_setting("stats/rows_seeded", 0).await.unwrap(),
        80
    );
    assert_eq!(
        store
            .find_setting("stats/rows_seeded")
            .await
            .unwrap()
            .as_deref(),
        Some("80")
    );
}
