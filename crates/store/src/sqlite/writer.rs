//! The writer thread: the one connection that writes, committing the writes waiting at
//! one moment together (group commit).
//!
//! A group is one `BEGIN IMMEDIATE` … `COMMIT`, and every write of the group is answered
//! after the `COMMIT`, so none is acknowledged before it is durable. Writes in a group see
//! those before them, as they would one after the other. The group first runs as it is,
//! each write straight after the other: SQLite then keeps no undo copy of the pages they
//! change (in WAL mode a transaction is undone by dropping its frames). If a write fails
//! (a missing parent, a conflict), the group is rolled back and runs again, each write
//! inside a savepoint of its own, so that the failing one is rolled back alone and the
//! others go on; a savepoint makes SQLite copy every page a write changes to an undo
//! journal (the sub-journal, moved to a temporary file past 64 KiB: a device's enrollment
//! changes about 45 pages, its table and 26 indexes), which is why it is not the first
//! try. If the transaction itself is lost (a failed `COMMIT`, an I/O error, which SQLite
//! answers by rolling back everything), every write of the group is answered with that
//! failure: none of them happened. Checkpoints run on a thread of their own
//! ([`super::checkpoints`]).

use std::path::Path;

use rusqlite::Connection;

use super::checkpoints::Checkpoints;
use super::connection::{self, control};
use super::{Job, start_thread};
use crate::StoreError;
use crate::budget::RowBudget;
use crate::plan::{Plan, Rows};

/// The most writes committed together.
const GROUP: usize = 256;

/// Starts the writer thread on the file at `path` (creating it), with its checkpoint
/// thread (and a server's hold on the first read mark, if `holding`); returns its queue
/// once the connections are open.
pub async fn start(path: &Path, holding: bool) -> Result<flume::Sender<Job>, StoreError> {
    let (jobs, queue) = flume::unbounded::<Job>();
    let checkpoints = Checkpoints::start(path, holding).await?;
    let serve = move |connection: Connection| {
        let mut checkpoints = checkpoints;
        Checkpoints::watch(&connection);
        serve(&connection, &queue, &mut checkpoints);
    };
    start_thread("sqlite-writer".into(), path, connection::open, serve).await?;
    Ok(jobs)
}

/// Commits groups of the queued jobs until the executor is dropped.
fn serve(connection: &Connection, queue: &flume::Receiver<Job>, checkpoints: &mut Checkpoints) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        // Writes whose callers went away are dropped unrun.
        group.retain(|job| !job.reply.is_closed());
        let (plans, replies): (Vec<Plan>, Vec<_>) =
            group.into_iter().map(|job| (job.plan, job.reply)).unzip();
        for (reply, result) in replies.into_iter().zip(commit(connection, &plans)) {
            let _ = reply.send(result);
        }
        // After the answers: a checkpoint the writer runs itself delays the next group,
        // not this one.
        checkpoints.after_commit(connection);
    }
}

/// Runs `plans` in one transaction (see the module's doc); returns each one's result.
fn commit(connection: &Connection, plans: &[Plan]) -> Vec<Result<Vec<Rows>, StoreError>> {
    let count = plans.len();
    if count == 0 {
        return Vec::new();
    }
    // A transaction an earlier failure left open ends here.
    rollback(connection);
    if let Err(e) = control(connection, "BEGIN IMMEDIATE") {
        return lost(&e, count);
    }
    let results = match as_one(connection, plans) {
        Ok(results) => results,
        // A lone write that failed is its own answer: there is nothing else to keep.
        Err(e) if count == 1 => {
            rollback(connection);
            return vec![Err(e)];
        }
        Err(_) => {
            rollback(connection);
            if let Err(e) = control(connection, "BEGIN IMMEDIATE") {
                return lost(&e, count);
            }
            match each_alone(connection, plans) {
                Ok(results) => results,
                Err(e) => return lost(&e, count),
            }
        }
    };
    match control(connection, "COMMIT") {
        Ok(()) => results,
        Err(e) => {
            rollback(connection);
            lost(&e, count)
        }
    }
}

/// The group's writes one after the other, in the open transaction; the first failure
/// ends it (the caller rolls back).
fn as_one(
    connection: &Connection,
    plans: &[Plan],
) -> Result<Vec<Result<Vec<Rows>, StoreError>>, StoreError> {
    plans
        .iter()
        .map(|plan| apply(connection, plan).map(Ok))
        .collect()
}

/// The group's writes, each in a savepoint of its own, in the open transaction: a failing
/// write is undone alone. `Err` when the transaction itself was lost.
fn each_alone(
    connection: &Connection,
    plans: &[Plan],
) -> Result<Vec<Result<Vec<Rows>, StoreError>>, StoreError> {
    let mut results = Vec::with_capacity(plans.len());
    for plan in plans {
        results.push(within_savepoint(connection, plan));
        if connection.is_autocommit() {
            // SQLite rolled the whole transaction back (an I/O error, a full disk): none
            // of the group's writes happened.
            return Err(match results.pop() {
                Some(Err(e)) => e,
                _ => StoreError::Backend("the transaction ended".into()),
            });
        }
    }
    Ok(results)
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
fn apply(connection: &Connection, plan: &Plan) -> Result<Vec<Rows>, StoreError> {
    let mut budget = RowBudget::new(plan.max_bytes);
    connection::run(connection, &plan.statements, &mut budget)
}

/// One plan of a group, undone alone if it fails.
fn within_savepoint(connection: &Connection, plan: &Plan) -> Result<Vec<Rows>, StoreError> {
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

/// `count` answers of a transaction that was lost with `error`, each of its kind
/// (unavailable if it was transient, a lock another process held past the timeout).
fn lost(error: &StoreError, count: usize) -> Vec<Result<Vec<Rows>, StoreError>> {
    (0..count).map(|_| Err(error.again())).collect()
}
