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
//! never waits for a lock, so readers and the writer are never blocked by it; whatever it
//! could not copy, the next one does.
//!
//! The WAL starts over only when a write begins after a checkpoint copied all of it (and
//! no reader still reads from it). A writer that never pauses can keep a checkpoint on
//! another thread from ever catching up, so past four times the threshold the writer
//! checkpoints itself, after answering its group, as SQLite would have: the WAL stays as
//! bounded as with SQLite's own checkpoints.

use std::cell::Cell;
use std::ffi::c_int;
use std::path::Path;

use rusqlite::Connection;
use rusqlite::hooks::Wal;

use super::start_thread;
use crate::StoreError;

/// The WAL's size, in pages, past which a checkpoint runs (SQLite's own default).
const WAKE_PAGES: c_int = 1000;
/// The WAL's size, in pages, past which the writer checkpoints itself.
const WRITER_PAGES: c_int = 4 * WAKE_PAGES;

thread_local! {
    /// The WAL's size after the last commit on this thread's connection.
    static WAL_PAGES: Cell<c_int> = const { Cell::new(0) };
}

/// The checkpointing thread, woken by the writer.
pub struct Checkpoints {
    /// One pending wake-up at most: a checkpoint copies everything committed before it.
    due: flume::Sender<()>,
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
        let serve = move |connection: Connection| serve(&connection, &wake);
        start_thread("sqlite-checkpoints".into(), path, serve).await?;
        Ok(Checkpoints {
            due,
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
    /// past [`WRITER_PAGES`].
    pub fn after_commit(&self, connection: &Connection) {
        let pages = WAL_PAGES.replace(0);
        if pages == 0 {
            return; // Nothing was committed (a failed write, a rolled-back group).
        }
        if pages < self.last.replace(pages) {
            self.woken_at.set(0);
        }
        if pages >= WRITER_PAGES {
            checkpoint(connection);
        } else if pages >= self.woken_at.get() + WAKE_PAGES {
            self.woken_at.set(pages);
            let _ = self.due.try_send(());
        }
    }
}

/// The WAL hook: called by SQLite within each commit, with the WAL's size in pages.
fn note(_: &Wal, pages: c_int) -> rusqlite::Result<()> {
    WAL_PAGES.set(pages);
    Ok(())
}

/// Checkpoints at each wake-up until the writer is gone.
fn serve(connection: &Connection, wake: &flume::Receiver<()>) {
    while wake.recv().is_ok() {
        checkpoint(connection);
    }
}

/// A `PASSIVE` checkpoint on `connection`; a failure is logged, and the next commit past
/// the threshold asks for another.
fn checkpoint(connection: &Connection) {
    let result = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
        ))
    });
    match result {
        // `busy`: another checkpoint held the lock; `wal`: the WAL's pages; `copied`: those
        // now in the database file.
        Ok((busy, wal, copied)) => tracing::debug!(busy, wal, copied, "SQLite checkpoint"),
        Err(e) => tracing::warn!(error = %e, "an SQLite checkpoint failed"),
    }
}
