//! On SQLite: checkpoints run beside the writer, and the WAL stays short under writes
//! that never pause (the WAL starts over only after a checkpoint caught up with it).

mod common;

use common::{Place, at};
use odata::Value;
use store::Changes;

const TENANT: &str = "t";
const SCRIPTS: &str = "deviceManagement/deviceManagementScripts";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_wal_stays_short_under_writes_that_never_pause() {
    let place = Place::new().await;
    let Place::Sqlite(dir) = &place else {
        return; // PostgreSQL keeps its own WAL.
    };
    let store = place.store().await;
    let scripts = at(store.as_ref(), &[(SCRIPTS, None)]);
    // About 8,000 pages of rows and index entries (32 MiB), written by 16 writers at once.
    let big = "x".repeat(16 * 1024);
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..16 {
        let (store, scripts, big) = (store.clone(), scripts.clone(), big.clone());
        writers.spawn(async move {
            for i in 0..64 {
                let changes = Changes {
                    type_name: "deviceManagementScript".into(),
                    values: vec![
                        ("displayName".into(), Value::String(format!("{w}-{i}"))),
                        ("description".into(), Value::String(big.clone())),
                    ],
                    ..Changes::default()
                };
                store.create(TENANT, &scripts, changes).await.unwrap();
            }
        });
    }
    while let Some(done) = writers.join_next().await {
        done.unwrap();
    }
    assert_eq!(store.count(TENANT, &scripts, None).await.unwrap(), 16 * 64);
    // The WAL file keeps the size of its longest stretch between two new starts.
    let wal = std::fs::metadata(dir.path().join("data.sqlite-wal"))
        .unwrap()
        .len();
    assert!(wal < 24 << 20, "a WAL of {} MiB", wal >> 20);
}
