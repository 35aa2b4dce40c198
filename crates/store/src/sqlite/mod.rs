//! The embedded default backend: one SQLite file in WAL mode, run through rusqlite by
//! threads that own their connections.
//!
//! - A plan is one job: the async caller hands it to a thread and awaits one answer, so a
//!   query costs one handoff whatever its statements and rows (sqlx's SQLite driver
//!   handed every `BEGIN`, statement, row and `COMMIT` to its worker thread and back).
//!   Each thread keeps its statements prepared ([`connection`]).
//! - Reads go to a few reader threads sharing one queue; WAL readers see the last
//!   committed state and do not block the writer ([`readers`]). Reads by key (an
//!   entity, a summary: a few index lookups) run on the caller's thread instead, on a
//!   connection of that thread's: the handoff to a reader thread and back was most of
//!   such a read's cost. Reading connections map the file into memory
//!   ([`connection::open_for_reads`]).
//! - Writes go to the one writer thread, which commits the writes waiting at that moment
//!   together: one transaction (a failing write is undone alone), one commit; each is
//!   answered only once that commit is done ([`writer`]). The checkpoints that keep the
//!   WAL short run beside it ([`checkpoints`]). A server holds the WAL's first read mark
//!   between them, released for each, so that a read's lock stays in memory ([`hold`]).
//! - Waiting follows the caller: a job whose caller went away before its thread took it
//!   is dropped unrun. Once taken it runs whole, so a client that disconnects, or a
//!   request timeout, cannot stop a transaction half-way.
//! - The busy timeout covers other processes on the same file. The schema is laid out by
//!   the shared migration ([`crate::migrate`]) on a connection of its own.

mod checkpoints;
mod connection;
mod hold;
mod readers;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};
use thread_local::ThreadLocal;
use tokio::sync::oneshot;

use crate::StoreError;
use crate::catalog::Catalog;
use crate::engine::Executor;
use crate::executor::PoolUse;
use crate::migrate::migrate;
use crate::plan::{Plan, Rows};
use crate::sql::{Dialect, Sqlite};

/// The tables of the database, with their columns and declared types.
const INTROSPECT: &str = "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid";
/// How long a statement waits for a lock another process holds on the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Reader threads (and connections).
const READERS: usize = 4;

/// A plan, and where its answer goes.
struct Job {
    plan: Plan,
    reply: oneshot::Sender<Result<Vec<Rows>, StoreError>>,
}

/// Starts a thread named `name` that opens a connection to the file at `path` with `open`
/// and hands it to `serve`; returns once the connection is open (or failed to open).
async fn start_thread(
    name: String,
    path: &Path,
    open: fn(&Path) -> Result<rusqlite::Connection, StoreError>,
    serve: impl FnOnce(rusqlite::Connection) + Send + 'static,
) -> Result<(), StoreError> {
    let (opened, ready) = oneshot::channel();
    let path = path.to_path_buf();
    std::thread::Builder::new()
        .name(name)
        .spawn(move || match open(&path) {
            Ok(connection) => {
                let _ = opened.send(Ok(()));
                serve(connection);
            }
            Err(e) => {
                let _ = opened.send(Err(e));
            }
        })
        .map_err(|e| StoreError::Backend(e.into()))?;
    ready
        .await
        .map_err(|_| StoreError::Backend("an SQLite thread did not start".into()))?
}

/// One plan in flight, counted until it is answered or its caller is gone.
struct InFlight<'a>(&'a AtomicU32);

impl<'a> InFlight<'a> {
    fn count(counter: &'a AtomicU32) -> InFlight<'a> {
        counter.fetch_add(1, Ordering::Relaxed);
        InFlight(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Runs plans on an SQLite file.
pub struct SqliteExecutor {
    path: PathBuf,
    readers: flume::Sender<Job>,
    writer: flume::Sender<Job>,
    /// Each calling thread's connection, for reads by key (opened on its first one).
    by_key: ThreadLocal<rusqlite::Connection>,
    /// Plans sent and not answered yet (for the metrics' pool use).
    in_flight: AtomicU32,
}

impl SqliteExecutor {
    /// Opens (creating if needed) the database file at `path`, for a command that ends by
    /// itself (`seed`, `import`, `export`, `token`…).
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        Self::start(path, false).await
    }

    /// Opens (creating if needed) the database file at `path` for a server, which holds
    /// the WAL's first read mark between checkpoints so that its many reads do not lock
    /// the file ([`hold`]). Beside it, other processes' checkpoints cannot copy the WAL:
    /// the server's checkpointing thread copies what they commit within a second or so.
    pub async fn open_to_serve(path: &Path) -> Result<Self, StoreError> {
        Self::start(path, true).await
    }

    async fn start(path: &Path, holding: bool) -> Result<Self, StoreError> {
        let path = path.to_path_buf();
        // The writer's side opens the file first (a server's hold's connection, its
        // checkpoint thread's, then its own): it creates it and turns on WAL mode.
        let writer = writer::start(&path, holding).await?;
        let readers = readers::start(&path, READERS).await?;
        Ok(SqliteExecutor {
            path,
            readers,
            writer,
            by_key: ThreadLocal::new(),
            in_flight: AtomicU32::new(0),
        })
    }
}

#[async_trait]
impl Executor for SqliteExecutor {
    async fn run(&self, plan: Plan) -> Result<Vec<Rows>, StoreError> {
        if plan.by_key && !plan.write {
            let connection = self
                .by_key
                .get_or_try(|| connection::open_for_reads(&self.path))?;
            return readers::read(connection, plan);
        }
        let queue = if plan.write {
            &self.writer
        } else {
            &self.readers
        };
        let (reply, answer) = oneshot::channel();
        queue
            .send(Job { plan, reply })
            .map_err(|_| StoreError::Backend("the SQLite threads have stopped".into()))?;
        let _counted = InFlight::count(&self.in_flight);
        answer
            .await
            .map_err(|_| StoreError::Backend("an SQLite thread stopped mid-plan".into()))?
    }

    /// The reader threads and the writer are its connections, always open; those in use
    /// are the plans in flight (queued ones included), at most the threads.
    fn pool_use(&self) -> PoolUse {
        let threads = u32::try_from(READERS).unwrap_or(u32::MAX) + 1;
        let busy = self.in_flight.load(Ordering::Relaxed).min(threads);
        PoolUse {
            open: threads,
            idle: threads - busy,
            max: threads,
        }
    }

    async fn migrate(&self, statements: &[String], catalog: &Catalog) -> Result<(), StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(&self.path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let backend = |e: sqlx::Error| StoreError::Backend(e.into());
        let mut connection = SqliteConnection::connect_with(&options)
            .await
            .map_err(backend)?;
        let mut tx = connection
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        migrate::<sqlx::Sqlite>(&mut tx, &Sqlite, INTROSPECT, statements, catalog).await?;
        tx.commit().await.map_err(backend)?;
        connection.close().await.map_err(backend)
    }

    fn dialect(&self) -> &dyn Dialect {
        &Sqlite
    }
}
