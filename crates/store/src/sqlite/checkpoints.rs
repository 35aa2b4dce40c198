//! Checkpoints off the writer thread.
//!
//! A checkpoint copies the pages the WAL holds back into the database file and syncs both
//! files, so that the WAL can start over. By default SQLite runs one inside the `COMMIT`
//! that takes the WAL past 1,000 pages, on the connection that commits: here the writer
//! thread, with every write queued behind it waiting (a device's enrollment writes about
//! 45 pages, so one write in twenty or so paid for a checkpoint and two syncs). Instead,
//! the writer's connection only notes the WAL's size at each commit (a WAL hook, which
//! replaces SQLite's automatic checkpoint), and past 1,000 pages wakes a thread of its
//! own, which runs the checkpoint on a connection of its own while the writer goes on
//! committing. The checkpoint is `PASSIVE`: it copies what no reader still needs and
//! never waits for a lock, so readers are never blocked by it (nor is the writer, until
//! the WAL is past its bound, below); whatever it could not copy, the next one does.
//!
//! The WAL starts over only when a write begins after a checkpoint copied all of it (and
//! no reader still reads from it). A writer that never pauses keeps a checkpoint on
//! another thread from ever catching up, so past three times the threshold the writer
//! checkpoints itself, after answering its group, and the next group starts the WAL over.
//! Every write queued meanwhile waits for that checkpoint, so it is made short: past the
//! threshold the thread checkpoints again and again, each pass copying what was committed
//! during the last one, and only once a pass found little new does it ask the writer for
//! the last, small, copy. (The writer checkpointing itself at once, with the thread's
//! last thousand pages still to copy and sync, held every write up for 14–31 ms, four
//! times a second, under W2's inserts at c=32.) Past four times the threshold the writer
//! checkpoints itself whatever the thread has done, once the thread's pass in progress has
//! ended: the WAL stays bounded when commits outpace the thread's copies.

use std::cell::Cell;
use std::ffi::c_int;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use rusqlite::hooks::Wal;

use super::start_thread;
use crate::StoreError;

/// The WAL's size, in pages, past which a checkpoint runs (SQLite's own default).
const WAKE_PAGES: c_int = 1000;
/// The WAL's size, in pages, past which the writer checkpoints itself once the thread has
/// caught up with it.
const WRITER_PAGES: c_int = 3 * WAKE_PAGES;
/// The WAL's size, in pages, past which the writer checkpoints itself at once.
const BOUND_PAGES: c_int = 4 * WAKE_PAGES;
/// Pages committed during one of the thread's passes few enough for the writer to copy
/// while its queue waits.
const RESIDUE_PAGES: c_int = 128;
/// The thread's passes after one wake-up, at most (a reader that keeps an old snapshot can
/// keep every pass from copying all).
const PASSES: usize = 8;

thread_local! {
    /// The WAL's size after the last commit on this thread's connection.
    static WAL_PAGES: Cell<c_int> = const { Cell::new(0) };
}

/// The checkpointing thread, woken by the writer.
pub struct Checkpoints {
    /// One pending wake-up at most: a checkpoint copies everything committed before it.
    due: flume::Sender<()>,
    /// What the thread tells the writer, and their turns at checkpointing.
    shared: Arc<Shared>,
    /// The WAL's size at the last wake-up (0 once it started over): the thread is woken
    /// again only once the WAL has grown by another [`WAKE_PAGES`]. Waking it at every
    /// commit past the threshold ran a second checkpoint, and two more syncs, for the few
    /// pages committed while the first ran.
    woken_at: Cell<c_int>,
    /// The WAL's size after the last commit that wrote pages: a smaller one means the WAL
    /// started over.
    last: Cell<c_int>,
}

impl Checkpoints {
    /// Starts the checkpointing thread on the file at `path`; it stops when this is
    /// dropped.
    pub async fn start(path: &Path) -> Result<Checkpoints, StoreError> {
        let (due, wake) = flume::bounded(1);
        let shared = Arc::new(Shared::default());
        let theirs = shared.clone();
        let serve = move |connection: Connection| serve(&connection, &wake, &theirs);
        start_thread("sqlite-checkpoints".into(), path, serve).await?;
        Ok(Checkpoints {
            due,
            shared,
            woken_at: Cell::new(0),
            last: Cell::new(0),
        })
    }

    /// Makes `connection` (the writer's, on this thread) note the WAL's size at each
    /// commit instead of checkpointing itself.
    pub fn watch(connection: &Connection) {
        connection.wal_hook(Some(note));
    }

    /// After a commit on the watched `connection`: wakes the checkpointing thread if the
    /// WAL has grown by [`WAKE_PAGES`] since its last wake-up, or checkpoints on `connection`
    /// past [`WRITER_PAGES`] once the thread has caught up, and past [`BOUND_PAGES`].
    pub fn after_commit(&self, connection: &Connection) {
        let pages = WAL_PAGES.replace(0);
        if pages == 0 {
            return; // Nothing was committed (a failed write, a rolled-back group).
        }
        if pages < self.last.replace(pages) {
            // The WAL started over: what the thread said was of the one before.
            self.woken_at.set(0);
            self.shared.caught_up.store(false, Ordering::Relaxed);
        }
        let caught_up =
            pages >= WRITER_PAGES && self.shared.caught_up.swap(false, Ordering::Relaxed);
        if caught_up || pages >= BOUND_PAGES {
            self.shared.checkpoint(connection);
        } else if pages >= self.woken_at.get() + WAKE_PAGES {
            self.woken_at.set(pages);
            let _ = self.due.try_send(());
        }
    }
}

/// What the writer and the checkpointing thread share.
#[derive(Default)]
struct Shared {
    /// Set by the thread when little is left for the writer to copy past [`WRITER_PAGES`].
    caught_up: AtomicBool,
    /// Held while either checkpoints: past [`BOUND_PAGES`] the writer waits for the end of
    /// the thread's pass rather than let the WAL grow on (a `PASSIVE` checkpoint gives up
    /// at once when another runs).
    turn: Mutex<()>,
}

impl Shared {
    /// A checkpoint on `connection`, once the other side's has ended.
    fn checkpoint(&self, connection: &Connection) -> Option<Pass> {
        // A panic while holding the lock leaves nothing to repair: it only takes turns.
        let _turn = self.turn.lock().unwrap_or_else(|e| e.into_inner());
        checkpoint(connection)
    }
}

/// The WAL hook: called by SQLite within each commit, with the WAL's size in pages.
fn note(_: &Wal, pages: c_int) -> rusqlite::Result<()> {
    WAL_PAGES.set(pages);
    Ok(())
}

/// Checkpoints at each wake-up until the writer is gone: once, or, with the WAL between
/// [`WRITER_PAGES`] and [`BOUND_PAGES`], until a pass copied all and found fewer than
/// [`RESIDUE_PAGES`] committed since the pass before, which it tells the writer through
/// `caught_up`.
fn serve(connection: &Connection, wake: &flume::Receiver<()>, shared: &Shared) {
    while wake.recv().is_ok() {
        let mut before = None;
        for _ in 0..PASSES {
            let Some(Pass { wal, copied }) = shared.checkpoint(connection) else {
                break;
            };
            // Below the writer's threshold one pass is enough; past the bound the writer
            // copies the rest itself, and another pass would only hold the lock it needs.
            if !(i64::from(WRITER_PAGES)..i64::from(BOUND_PAGES)).contains(&wal) {
                break;
            }
            if before.is_some_and(|before| wal - before < i64::from(RESIDUE_PAGES)) && copied == wal
            {
                shared.caught_up.store(true, Ordering::Relaxed);
                break;
            }
            before = Some(wal);
        }
    }
}

/// What a checkpoint did.
struct Pass {
    /// The WAL's size, in pages.
    wal: i64,
    /// The WAL's pages now in the database file.
    copied: i64,
}

/// A `PASSIVE` checkpoint on `connection`; a failure is logged (and `None`), and the next
/// commit past the threshold asks for another.
fn checkpoint(connection: &Connection) -> Option<Pass> {
    let result = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
        ))
    });
    match result {
        // `busy`: another process's checkpoint held SQLite's lock.
        Ok((busy, wal, copied)) => {
            tracing::debug!(busy, wal, copied, "SQLite checkpoint");
            Some(Pass { wal, copied })
        }
        Err(e) => {
            tracing::warn!(error = %e, "an SQLite checkpoint failed");
            None
        }
    }
}
