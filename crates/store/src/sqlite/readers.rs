//! The reader threads: each owns a connection and takes read plans from one shared queue.

use std::path::Path;

use rusqlite::Connection;

use super::connection::{self, control};
use super::{Job, start_thread};
use crate::StoreError;
use crate::budget::RowBudget;
use crate::plan::{Plan, Rows};

/// Starts `count` reader threads on the file at `path`; returns their queue once every
/// connection is open.
pub async fn start(path: &Path, count: usize) -> Result<flume::Sender<Job>, StoreError> {
    let (jobs, queue) = flume::unbounded::<Job>();
    for n in 0..count {
        let queue = queue.clone();
        let serve = move |connection: Connection| serve(&connection, &queue);
        let name = format!("sqlite-reader-{n}");
        start_thread(name, path, connection::open_for_reads, serve).await?;
    }
    Ok(jobs)
}

/// Answers jobs until the executor is dropped.
fn serve(connection: &Connection, queue: &flume::Receiver<Job>) {
    while let Ok(job) = queue.recv() {
        if job.reply.is_closed() {
            continue;
        }
        let _ = job.reply.send(read(connection, job.plan));
    }
}

/// One read plan: statements after the first see the snapshot of the first (a page, its
/// count and its expansions agree); a single statement needs no explicit transaction.
pub(super) fn read(connection: &Connection, plan: Plan) -> Result<Vec<Rows>, StoreError> {
    let mut budget = RowBudget::new(plan.max_bytes);
    if plan.statements.len() < 2 {
        return connection::run(connection, &plan.statements, &mut budget);
    }
    control(connection, "BEGIN")?;
    let result = connection::run(connection, &plan.statements, &mut budget);
    let end = control(
        connection,
        if result.is_ok() { "COMMIT" } else { "ROLLBACK" },
    );
    let rows = result?;
    end.map(|_| rows)
}
