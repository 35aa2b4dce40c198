//! On SQLite: checkpoints run beside the writer, and the WAL stays short under writes
//! that never pause (the WAL starts over only after a checkpoint caught up with it),
//! opened by a command or by a server (which holds the WAL's first read mark between
//! checkpoints).

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{Place, at, sqlite_file};
use odata::Value;
use store::{Changes, Store};

const TENANT: &str = "t";
const SCRIPTS: &str = "deviceManagement/deviceManagementScripts";
const WRITERS: u64 = 16;
const EACH: u64 = 192;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_wal_stays_short_under_writes_that_never_pause() {
    for serving in [false, true] {
        let place = Place::new().await;
        let Place::Sqlite(dir) = &place else {
            return; // PostgreSQL keeps its own WAL.
        };
        let store = if serving {
            place.served_store().await
        } else {
            place.store().await
        };
        let frames = wal_after_writes_that_never_pause(store, &sqlite_file(dir)).await;
        assert!(
            frames <= 5_000,
            "a WAL of {frames} pages (serving: {serving})"
        );
    }
}

/// The WAL's longest stretch, in pages, after 16 writers' creates at once through `store`,
/// fresh on the SQLite `file`.
async fn wal_after_writes_that_never_pause(store: Arc<dyn Store>, file: &Path) -> u64 {
    let scripts = at(store.as_ref(), &[(SCRIPTS, None)]);
    // 48 MiB of 16 KiB descriptions (each in overflow pages of its own): about 12,300
    // pages, and as many again of leaves written again at each commit, from 16 writers at
    // once.
    let big = "x".repeat(16 * 1024);
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..WRITERS {
        let (store, scripts, big) = (store.clone(), scripts.clone(), big.clone());
        writers.spawn(async move {
            for i in 0..EACH {
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
    assert_eq!(
        store.count(TENANT, &scripts, None).await.unwrap(),
        WRITERS * EACH
    );
    // The WAL file keeps the size of its longest stretch between two new starts: 4,000
    // pages and the group that took it past them, as the writer then waits for the
    // thread's checkpoint in progress and checkpoints itself (a group here is at most 16
    // writes of about 5 pages each).
    // The page size: bytes 16-17 of the file's header (not the whole 60 MB file).
    let mut header = [0u8; 18];
    std::io::Read::read_exact(&mut std::fs::File::open(file).unwrap(), &mut header).unwrap();
    let page = u64::from(u16::from_be_bytes([header[16], header[17]]));
    let wal = std::fs::metadata(file.with_extension("sqlite-wal"))
        .unwrap()
        .len();
    wal.saturating_sub(32) / (page + 24)
}
