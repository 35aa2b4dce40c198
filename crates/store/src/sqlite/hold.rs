//! The process's hold on the WAL's first read mark, so that a read does not lock the file.
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
//! A checkpoint must have the first mark to itself to copy pages into the database file,
//! so whoever checkpoints releases the hold first and takes it again once the WAL is all
//! copied ([`super::checkpoints`]). The checkpointing thread also runs a pass once a second
//! when nothing woke it: it copies in what other processes wrote (`localgraph import`
//! beside a running server), whose own checkpoints the hold keeps from copying.

use std::path::Path;

use rusqlite::Connection;

use super::connection;
use crate::StoreError;

/// A connection that keeps a read transaction open between checkpoints.
pub struct Hold {
    connection: Connection,
    held: bool,
}

impl Hold {
    /// Opens a connection to the file at `path` and takes the hold.
    pub fn open(path: &Path) -> Result<Hold, StoreError> {
        let mut hold = Hold {
            connection: connection::open(path)?,
            held: false,
        };
        hold.take();
        Ok(hold)
    }

    /// Whether the read transaction is open.
    #[cfg(test)]
    pub fn held(&self) -> bool {
        self.held
    }

    /// Begins the read transaction (a read makes it take a mark: the first one when the
    /// WAL holds nothing the file lacks, otherwise the one of the WAL's last commit, which
    /// keeps the WAL from starting over until the next checkpoint releases it). A failure
    /// (another process recovering the WAL) leaves it released until the next try.
    pub fn take(&mut self) {
        if self.held {
            return;
        }
        let taken = connection::control(&self.connection, "BEGIN").and_then(|()| {
            self.connection
                .query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
                .map_err(connection::classify)
        });
        match taken {
            Ok(()) => self.held = true,
            Err(error) => {
                tracing::debug!(%error, "the read mark's hold was not taken");
                let _ = connection::control(&self.connection, "ROLLBACK");
            }
        }
    }

    /// Ends the read transaction, so that a checkpoint can copy pages into the file.
    pub fn release(&mut self) {
        if std::mem::take(&mut self.held) {
            // Nothing to undo: it only read. A failure leaves the connection in a
            // transaction the next `take`'s `BEGIN` reports; `take` then rolls it back.
            let _ = connection::control(&self.connection, "COMMIT");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(wal, copied)` after a `PASSIVE` checkpoint on `connection`: the WAL's frames, and
    /// how many of them are in the database file.
    fn checkpoint(connection: &Connection) -> (i64, i64) {
        connection
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                Ok((row.get(1)?, row.get(2)?))
            })
            .unwrap()
    }

    #[test]
    fn a_hold_keeps_checkpoints_from_copying_until_it_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("held.sqlite");
        let mut hold = Hold::open(&path).unwrap();
        assert!(hold.held());
        let writer = connection::open(&path).unwrap();
        writer
            .execute_batch("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('a'), ('b');")
            .unwrap();

        let (wal, copied) = checkpoint(&writer);
        assert!(wal > 0, "the writes are in the WAL");
        assert_eq!(copied, 0, "held: nothing copied");

        hold.release();
        assert!(!hold.held());
        assert_eq!(checkpoint(&writer), (wal, wal), "released: all copied");

        // Taken again, and again released, it goes on working.
        hold.take();
        assert!(hold.held());
        writer.execute("INSERT INTO t VALUES ('c')", []).unwrap();
        let (wal, copied) = checkpoint(&writer);
        assert!(copied < wal, "held again: the new commit is not copied");
        hold.release();
        let (wal, copied) = checkpoint(&writer);
        assert_eq!(copied, wal);
    }
}
