//! A server's hold on the WAL's first read mark, so that a read does not lock the file.
//!
//! Each read transaction in WAL mode takes a shared lock on one of the `-shm` file's read
//! marks and gives it back at its end. Within one process SQLite counts these locks in
//! memory and asks the OS (`fcntl`) only when the process's count goes from 0 to 1 and back,
//! with the `-shm` file's mutex held across the call: so a small read by key, alone on
//! its mark, paid two `fcntl` calls, and the other threads' reads waited on the mutex
//! (`futex`) meanwhile. When the WAL holds nothing the database file lacks (after a
//! checkpoint copied all of it), every read takes the first mark; [`Hold`] keeps one
//! connection in a read transaction on it, so the process's count never falls to 0 and a
//! read's lock stays in memory (bench/HISTORY.md, step 41).
//!
//! A checkpoint must have the first mark to itself to copy pages into the database file:
//! [`super::checkpoints`] releases the hold for each checkpoint, and takes it again once
//! the WAL is all copied.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::connection;
use crate::StoreError;

/// A connection that keeps a read transaction open between checkpoints.
pub struct Hold {
    connection: Connection,
}

impl Hold {
    /// Opens a connection to the file at `path` and takes the hold. The connection does
    /// not wait for other processes' locks: a hold not taken costs nothing but speed,
    /// and a checkpoint waits for the `take` that follows it.
    pub fn open(path: &Path) -> Result<Hold, StoreError> {
        let connection = connection::open(path)?;
        connection
            .busy_timeout(Duration::ZERO)
            .map_err(connection::backend)?;
        let hold = Hold { connection };
        hold.take();
        Ok(hold)
    }

    /// Whether the read transaction is open.
    #[cfg(test)]
    pub fn held(&self) -> bool {
        !self.connection.is_autocommit()
    }

    /// Begins the read transaction, unless it is open: a read makes it take a mark, the
    /// first one when the WAL holds nothing the file lacks, otherwise the one of the WAL's
    /// last commit, which keeps the WAL from starting over until the hold is released. A
    /// failure (another process recovering the WAL) leaves it released until the next try.
    pub fn take(&self) {
        if !self.connection.is_autocommit() {
            return;
        }
        let taken = connection::control(&self.connection, "BEGIN").and_then(|()| {
            let mut read = self
                .connection
                .prepare_cached("SELECT count(*) FROM sqlite_master")
                .map_err(connection::classify)?;
            read.query_row([], |_| Ok(())).map_err(connection::classify)
        });
        if let Err(error) = taken {
            tracing::debug!(%error, "the read mark's hold was not taken");
            self.release();
        }
    }

    /// Ends the read transaction, if one is open, so that a checkpoint can copy pages
    /// into the file. (It only read: a rollback ends it as a commit would.)
    pub fn release(&self) {
        if !self.connection.is_autocommit()
            && let Err(error) = connection::control(&self.connection, "ROLLBACK")
        {
            tracing::warn!(%error, "the read mark's hold was not released");
        }
    }
}
