//! The writer thread: the one connection that writes, committing the writes waiting at
//! one moment together (group commit).
//!
//! A group is one `BEGIN IMMEDIATE` … `COMMIT`: each write runs inside a savepoint of its
//! own, so a write that fails (a missing parent, a conflict) is rolled back alone and the
//! others go on; every write of the group is answered after the `COMMIT`, so none is
//! acknowledged before it is durable. Writes in a group see those before them, as they
//! would one after the other. If the transaction itself is lost (a failed `COMMIT`, an
//! I/O error, which SQLite answers by rolling back everything), every write of the group
//! is answered with that failure: none of them happened.
//!
//! In WAL mode SQLite copies every page a write changes inside a savepoint, or inside a
//! statement that may need undoing alone (one with `RETURNING`), to an undo journal (the
//! sub-journal); past 64 KiB it moves that journal to a temporary file, created and
//! unlinked in each transaction. A device's enrollment changes about 45 pages (its table
//! and 26 indexes, 180 KiB), so each one made a file. A group whose writes all change rows
//! by key ([`Plan::by_key`]: a bounded number of pages each) keeps the journal in memory
//! (`temp_store = MEMORY`, taken by SQLite when a transaction begins); any other group (a
//! delete that cascades, a tenant's reset: the journal as large as the data) keeps the
//! file.

use std::path::Path;

use rusqlite::Connection;

use super::connection::{self, classify, control};
use super::{Job, start_thread};
use crate::StoreError;
use crate::budget::RowBudget;
use crate::plan::{Plan, Rows};

/// The most writes committed together.
const GROUP: usize = 256;

/// Starts the writer thread on the file at `path` (creating it); returns its queue once
/// the connection is open.
pub async fn start(path: &Path) -> Result<flume::Sender<Job>, StoreError> {
    let (jobs, queue) = flume::unbounded::<Job>();
    let serve = move |connection: Connection| serve(&connection, &queue);
    start_thread("sqlite-writer".into(), path, serve).await?;
    Ok(jobs)
}

/// Commits groups of the queued jobs until the executor is dropped.
fn serve(connection: &Connection, queue: &flume::Receiver<Job>) {
    let mut journal = Journal::File;
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        // A caller that went away before its write began leaves nothing behind.
        group.retain(|job| !job.reply.is_closed());
        let (plans, replies): (Vec<Plan>, Vec<_>) =
            group.into_iter().map(|job| (job.plan, job.reply)).unzip();
        for (reply, result) in replies
            .into_iter()
            .zip(commit(connection, plans, &mut journal))
        {
            let _ = reply.send(result);
        }
    }
}

/// Where the transaction's sub-journal is kept (see the module's doc).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Journal {
    Memory,
    File,
}

impl Journal {
    /// Where the journal of a group of `plans` goes.
    fn of(plans: &[Plan]) -> Journal {
        if plans.iter().all(|plan| plan.by_key) {
            Journal::Memory
        } else {
            Journal::File
        }
    }

    /// Sets it on `connection` (outside a transaction), where it was `current`.
    fn set(self, connection: &Connection, current: &mut Journal) -> Result<(), StoreError> {
        if self == *current {
            return Ok(());
        }
        // Not through the statement cache: SQLite applies `temp_store` when it prepares it.
        let pragma = match self {
            Journal::Memory => "PRAGMA temp_store = MEMORY",
            Journal::File => "PRAGMA temp_store = DEFAULT",
        };
        connection.execute_batch(pragma).map_err(classify)?;
        *current = self;
        Ok(())
    }
}

/// Runs `plans` in one transaction, its sub-journal where `journal` says (moved there
/// if it was elsewhere); returns each one's result.
fn commit(
    connection: &Connection,
    plans: Vec<Plan>,
    journal: &mut Journal,
) -> Vec<Result<Vec<Rows>, StoreError>> {
    let count = plans.len();
    if count == 0 {
        return Vec::new();
    }
    // A transaction an earlier failure left open ends here.
    rollback(connection);
    if let Err(e) = Journal::of(&plans).set(connection, journal) {
        // Only where the undo journal is kept: the writes go on either way.
        tracing::warn!(error = %e, "cannot move the sub-journal");
    }
    if let Err(e) = control(connection, "BEGIN IMMEDIATE") {
        return lost(&e, count);
    }
    if count == 1 {
        let result = plans.into_iter().next().map(|plan| apply(connection, plan));
        let result = result.unwrap_or_else(|| Ok(Vec::new()));
        // A write that failed leaves nothing to keep.
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        return match control(connection, end) {
            Err(e) if result.is_ok() => {
                rollback(connection);
                vec![Err(e)]
            }
            _ => vec![result],
        };
    }
    let mut results = Vec::with_capacity(count);
    for plan in plans {
        results.push(within_savepoint(connection, plan));
        if connection.is_autocommit() {
            // SQLite rolled the whole transaction back (an I/O error, a full disk): none
            // of the group's writes happened.
            return match results.pop() {
                Some(Err(e)) => lost(&e, count),
                _ => lost(&StoreError::Backend("the transaction ended".into()), count),
            };
        }
    }
    match control(connection, "COMMIT") {
        Ok(()) => results,
        Err(e) => {
            rollback(connection);
            lost(&e, count)
        }
    }
}

/// Ends a transaction a failure may have left open.
fn rollback(connection: &Connection) {
    if !connection.is_autocommit()
        && let Err(e) = control(connection, "ROLLBACK")
    {
        tracing::error!(error = %e, "cannot roll back an unfinished transaction");
    }
}

/// One plan's statements.
fn apply(connection: &Connection, plan: Plan) -> Result<Vec<Rows>, StoreError> {
    let mut budget = RowBudget::new(plan.max_bytes);
    connection::run(connection, plan.statements, &mut budget)
}

/// One plan of a group, undone alone if it fails.
fn within_savepoint(connection: &Connection, plan: Plan) -> Result<Vec<Rows>, StoreError> {
    control(connection, "SAVEPOINT write")?;
    let result = apply(connection, plan);
    if result.is_err() && !connection.is_autocommit() {
        control(connection, "ROLLBACK TO write")?;
    }
    if !connection.is_autocommit() {
        control(connection, "RELEASE write")?;
    }
    result
}

/// `count` answers of a transaction that was lost with `error`: unavailable if it was
/// transient (a lock another process held past the timeout), failed otherwise.
fn lost(error: &StoreError, count: usize) -> Vec<Result<Vec<Rows>, StoreError>> {
    let transient = matches!(error, StoreError::Unavailable(_));
    (0..count)
        .map(|_| {
            let cause = std::error::Error::source(error)
                .map_or_else(|| error.to_string(), |source| source.to_string())
                .into();
            Err(if transient {
                StoreError::Unavailable(cause)
            } else {
                StoreError::Backend(cause)
            })
        })
        .collect()
}
