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

use std::path::Path;

use rusqlite::Connection;

use super::connection::{self, control};
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
        for (reply, result) in replies.into_iter().zip(commit(connection, plans)) {
            let _ = reply.send(result);
        }
    }
}

/// Runs `plans` in one transaction; returns each one's result.
fn commit(connection: &Connection, plans: Vec<Plan>) -> Vec<Result<Vec<Rows>, StoreError>> {
    let count = plans.len();
    if count == 0 {
        return Vec::new();
    }
    // A transaction an earlier failure left open ends here.
    rollback(connection);
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
