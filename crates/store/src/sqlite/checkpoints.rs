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
//! never waits for a lock, so readers are never blocked by it; whatever it could not
//! copy, the next one does. (The writer and the thread take turns at checkpointing, so
//! the writer's own checkpoints, below, may wait for the end of the thread's.)
//!
//! The WAL starts over only when a write begins after a checkpoint copied all of it (and
//! no reader still reads from it). A writer that never pauses keeps a checkpoint on
//! another thread from ever catching up, so past three times the threshold the writer
//! checkpoints itself, after answering its group, and the next group starts the WAL over
//! (unless a reader is still reading from it). Every write queued meanwhile waits for that
//! checkpoint, so it is made short: past the threshold the thread checkpoints again and
//! again, each pass copying what was committed during the last one, and only once a pass
//! found little left to copy does it ask the writer for the last, small, copy. (The
//! writer checkpointing itself at once, with the thread's last thousand pages still to
//! copy and sync, held every write up for 14–31 ms, four times a second, under W2's
//! inserts at c=32.) Past four times the threshold the writer checkpoints itself whatever
//! the thread has done, once the thread's pass in progress has ended (and again at each
//! 1,000 pages more, should the WAL still not start over): the WAL stays bounded when
//! commits outpace the thread's copies. The decisions are kept apart from SQLite
//! ([`Watch`], [`Series`]) so that they can be tested alone.
//!
//! A server's process holds the WAL's first read mark between checkpoints ([`Hold`]):
//! each checkpoint releases the hold, and takes it again only once the WAL is all copied
//! (taken on a later mark, it would keep the WAL from starting over until the next pass,
//! and spare the reads nothing once the next write commits). When nothing has woken it for
//! a second, a server's thread runs a pass anyway: other processes' commits wake no one
//! here, and the hold keeps their own checkpoints from copying. (Two servers on one file
//! do not keep each other from copying: a pass that cannot copy all, for the other's
//! hold, leaves its own released, so after a write a pass of each copies all.)

use std::cell::Cell;
use std::ffi::c_int;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::hooks::Wal;

use super::hold::Hold;
use super::{connection, start_thread};
use crate::StoreError;

/// The WAL's size, in pages, past which a checkpoint runs (SQLite's own default).
const WAKE_PAGES: c_int = 1000;
/// The WAL's size, in pages, past which the writer checkpoints itself once the thread has
/// caught up with it.
const WRITER_PAGES: c_int = 3 * WAKE_PAGES;
/// The WAL's size, in pages, past which the writer checkpoints itself at once.
const BOUND_PAGES: c_int = 4 * WAKE_PAGES;
/// Pages left to copy few enough for the writer to copy them while its queue waits.
const RESIDUE_PAGES: i64 = 128;
/// The thread's passes after one wake-up, at most.
const PASSES: usize = 8;
/// How long a server's thread waits for a wake-up before it runs a pass anyway.
const IDLE_PASS: Duration = Duration::from_secs(1);

thread_local! {
    /// The WAL's size after the last commit on this thread's connection.
    static WAL_PAGES: Cell<c_int> = const { Cell::new(0) };
}

/// The checkpointing thread, woken by the writer (and a server's, by the clock).
pub struct Checkpoints {
    /// One pending wake-up at most: a checkpoint copies everything committed before it.
    due: flume::Sender<()>,
    /// What the writer and the thread share.
    shared: Arc<Shared>,
    /// The writer's side of the decisions.
    watch: Watch,
}

impl Checkpoints {
    /// Starts the checkpointing thread on the file at `path`, holding the first read mark
    /// if `holding` (a server); it stops when this is dropped.
    pub async fn start(path: &Path, holding: bool) -> Result<Checkpoints, StoreError> {
        let (due, wake) = flume::bounded(1);
        let hold = if holding {
            let path = path.to_path_buf();
            let hold = tokio::task::spawn_blocking(move || Hold::open(&path))
                .await
                .map_err(|e| StoreError::Backend(e.into()))??;
            Some(hold)
        } else {
            None
        };
        let shared = Arc::new(Shared::new(hold));
        let theirs = shared.clone();
        let serve = move |connection: Connection| serve(&connection, &wake, &theirs, holding);
        start_thread("sqlite-checkpoints".into(), path, connection::open, serve).await?;
        Ok(Checkpoints {
            due,
            shared,
            watch: Watch::default(),
        })
    }

    /// Makes `connection` (the writer's, on this thread) note the WAL's size at each
    /// commit instead of checkpointing itself.
    pub fn watch(connection: &Connection) {
        connection.wal_hook(Some(note));
    }

    /// After a commit on the watched `connection`: wakes the checkpointing thread, or
    /// checkpoints on `connection`, as [`Watch::after_commit`] decides.
    pub fn after_commit(&mut self, connection: &Connection) {
        let pages = WAL_PAGES.replace(0);
        if pages == 0 {
            return; // Nothing was committed (a failed write, a rolled-back group).
        }
        let caught_up = self.shared.caught_up.swap(0, Ordering::Relaxed);
        let step = self.watch.after_commit(pages, caught_up);
        self.shared
            .generation
            .store(self.watch.generation, Ordering::Relaxed);
        match step {
            Step::Wait => {}
            Step::Wake => {
                let _ = self.due.try_send(());
            }
            Step::Checkpoint => {
                tracing::debug!(pages, "the writer checkpoints");
                self.shared.checkpoint(connection, Logged::Debug);
            }
        }
    }
}

/// What the writer does after a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Nothing yet.
    Wait,
    /// Wake the thread.
    Wake,
    /// Checkpoint itself.
    Checkpoint,
}

/// The writer's side: when to wake the thread and when to checkpoint itself.
#[derive(Debug, Clone, Copy)]
struct Watch {
    /// The WAL's size at the thread's last wake-up (0 once it started over): the next
    /// comes only once the WAL has grown by another [`WAKE_PAGES`]. Waking the thread at
    /// every commit past the threshold ran a second checkpoint, and two more syncs, for the
    /// few pages committed while the first ran.
    woken_at: c_int,
    /// The WAL's size at the writer's last checkpoint (0 once it started over): past
    /// [`BOUND_PAGES`], should the WAL not start over, the next comes only once it has
    /// grown by another [`WAKE_PAGES`].
    checkpointed_at: c_int,
    /// The WAL's size after the last commit that wrote pages: a smaller one means the WAL
    /// started over.
    last: c_int,
    /// Counts the WAL's new starts (from 1), so that the thread's word on an earlier WAL
    /// is not taken for this one's.
    generation: u64,
}

impl Default for Watch {
    fn default() -> Self {
        Watch {
            woken_at: 0,
            checkpointed_at: 0,
            last: 0,
            generation: 1,
        }
    }
}

impl Watch {
    /// The step after a commit that left `pages` in the WAL (more than 0), `caught_up`
    /// being the generation the thread last said it caught up in (0: not since the last
    /// commit). The writer checkpoints past [`WRITER_PAGES`] when the thread has caught up
    /// with this WAL, and past [`BOUND_PAGES`] at once (then again at each [`WAKE_PAGES`]
    /// of growth); otherwise the thread is woken at each [`WAKE_PAGES`] of growth.
    fn after_commit(&mut self, pages: c_int, caught_up: u64) -> Step {
        if pages < std::mem::replace(&mut self.last, pages) {
            self.woken_at = 0;
            self.checkpointed_at = 0;
            self.generation += 1;
        }
        if (pages >= BOUND_PAGES && pages >= self.checkpointed_at + WAKE_PAGES)
            || (pages >= WRITER_PAGES && caught_up == self.generation)
        {
            // What the thread would copy now, the writer has just copied.
            self.checkpointed_at = pages;
            self.woken_at = pages;
            Step::Checkpoint
        } else if pages >= self.woken_at + WAKE_PAGES {
            self.woken_at = pages;
            Step::Wake
        } else {
            Step::Wait
        }
    }
}

/// The thread's side: whether to run another pass after one.
#[derive(Debug, Clone, Copy)]
struct Series {
    /// The WAL generation the passes were in.
    generation: u64,
    /// The pages the last pass left copied, in that generation.
    copied: Option<i64>,
}

/// What the thread does after a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Wait for the next wake-up.
    Stop,
    /// Run another pass.
    Again,
    /// Tell the writer, in this generation, that little is left to copy, and stop.
    CaughtUp(u64),
}

impl Series {
    /// A series of passes in `generation`.
    fn new(generation: u64) -> Series {
        Series {
            generation,
            copied: None,
        }
    }

    /// After a pass in `generation` that did `pass` (`None`: it failed). Below
    /// [`WRITER_PAGES`] one pass is enough; past [`BOUND_PAGES`] the writer copies the rest
    /// itself, and another pass would only hold the lock it needs. In between the thread
    /// goes on until a pass found fewer than [`RESIDUE_PAGES`] not copied by the one before
    /// (a reader that keeps an old snapshot can keep passes from copying all: they
    /// count as not copied).
    fn after_pass(&mut self, generation: u64, pass: Option<Pass>) -> Next {
        let Some(Pass { wal, copied }) = pass else {
            return Next::Stop; // Failed (a busy pass says -1 pages: out of range below).
        };
        if generation != self.generation {
            *self = Series::new(generation);
        }
        if !(i64::from(WRITER_PAGES)..i64::from(BOUND_PAGES)).contains(&wal) {
            return Next::Stop;
        }
        let before = self.copied.replace(copied);
        if before.is_some_and(|before| (0..RESIDUE_PAGES).contains(&(wal - before))) {
            return Next::CaughtUp(generation);
        }
        Next::Again
    }
}

/// What the writer and the checkpointing thread share.
struct Shared {
    /// The WAL generation the writer last saw.
    generation: AtomicU64,
    /// The generation the thread caught up in (0: none since the writer last looked).
    caught_up: AtomicU64,
    /// Locked while either checkpoints: the writer waits for the end of the thread's pass
    /// rather than let the WAL grow on (a `PASSIVE` checkpoint gives up at once when
    /// another runs). Not fair: the thread may take one more pass first, which stops it.
    /// It keeps a server's read mark hold, released for each checkpoint.
    turn: Mutex<Option<Hold>>,
}

impl Shared {
    /// What a writer and its thread share, with a server's `hold`.
    fn new(hold: Option<Hold>) -> Shared {
        Shared {
            generation: AtomicU64::new(0),
            caught_up: AtomicU64::new(0),
            turn: Mutex::new(hold),
        }
    }

    /// A checkpoint on `connection`, once the other side's has ended, with the hold
    /// released; taken again if the checkpoint copied the whole WAL ([`copied_all`]).
    fn checkpoint(&self, connection: &Connection, logged: Logged) -> Option<Pass> {
        // A panic while locked leaves nothing to repair: `release` and `take` go by
        // whether the hold's connection is in a transaction.
        let hold = self.turn.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hold) = hold.as_ref() {
            hold.release();
        }
        let pass = checkpoint(connection, logged);
        if let Some(hold) = hold.as_ref()
            && copied_all(pass)
        {
            hold.take();
        }
        pass
    }
}

/// Whether `pass` copied the whole WAL: not one that failed, or found another checkpoint
/// running (-1 pages, as many copied).
fn copied_all(pass: Option<Pass>) -> bool {
    pass.is_some_and(|pass| pass.wal >= 0 && pass.copied == pass.wal)
}

/// The WAL hook: called by SQLite within each commit, with the WAL's size in pages.
fn note(_: &Wal, pages: c_int) -> rusqlite::Result<()> {
    WAL_PAGES.set(pages);
    Ok(())
}

/// Runs a series of passes at each wake-up (see [`Series`]), and, if `holding` (a
/// server's), one pass after each [`IDLE_PASS`] without one, until the writer is gone.
fn serve(connection: &Connection, wake: &flume::Receiver<()>, shared: &Shared, holding: bool) {
    loop {
        let woken = if holding {
            wake.recv_timeout(IDLE_PASS)
        } else {
            wake.recv()
                .map_err(|_| flume::RecvTimeoutError::Disconnected)
        };
        match woken {
            Ok(()) => {}
            Err(flume::RecvTimeoutError::Timeout) => {
                shared.checkpoint(connection, Logged::Trace);
                continue;
            }
            Err(flume::RecvTimeoutError::Disconnected) => return,
        }
        let mut series = Series::new(shared.generation.load(Ordering::Relaxed));
        for _ in 0..PASSES {
            let generation = shared.generation.load(Ordering::Relaxed);
            match series.after_pass(generation, shared.checkpoint(connection, Logged::Debug)) {
                Next::Stop => break,
                Next::Again => {}
                Next::CaughtUp(generation) => {
                    shared.caught_up.store(generation, Ordering::Relaxed);
                    break;
                }
            }
        }
    }
}

/// What a checkpoint did.
#[derive(Debug, Clone, Copy)]
struct Pass {
    /// The WAL's size, in pages.
    wal: i64,
    /// The WAL's pages now in the database file.
    copied: i64,
}

/// At what level a checkpoint's line is logged: the idle pass, once a second on a
/// server whether or not anything was written, at `trace`, so that `debug` shows the
/// checkpoints that writes asked for.
#[derive(Debug, Clone, Copy)]
enum Logged {
    Debug,
    Trace,
}

/// A `PASSIVE` checkpoint on `connection`, its line logged at `logged`; `None` when it
/// failed (logged as a warning). The next commit past the threshold asks for another.
fn checkpoint(connection: &Connection, logged: Logged) -> Option<Pass> {
    let result = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
        ))
    });
    match result {
        // `busy`: another connection's checkpoint held SQLite's lock (-1 pages): another
        // process's, or SQLite's automatic one on a connection of this process that
        // is not watched (the migration's, one closing).
        Ok((busy, wal, copied)) => {
            match logged {
                Logged::Debug => tracing::debug!(busy, wal, copied, "SQLite checkpoint"),
                Logged::Trace => tracing::trace!(busy, wal, copied, "SQLite checkpoint"),
            }
            Some(Pass { wal, copied })
        }
        Err(e) => {
            tracing::warn!(error = %e, "an SQLite checkpoint failed");
            None
        }
    }
}

#[cfg(test)]
mod tests;
