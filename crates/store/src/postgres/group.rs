//! Group commit for the writes of one row.
//!
//! Writes of one row (PATCHes of one summary, say) wait for each other's row lock in
//! PostgreSQL, and each holds it through its commit's WAL flush: at 32 clients on one row
//! most of a write's time was the queue (bench/HISTORY.md "Group commit on PostgreSQL").
//! Here the writes of one row that arrive while one of them runs wait in a queue of the
//! node's instead, and those waiting at one moment are committed together: one
//! transaction, one flush, each write answered only after the `COMMIT`.
//!
//! Only writes of the same row are grouped. Every write of a group locks that row first,
//! so two nodes' groups of one row queue on it as their single writes would. A group
//! still holds the locks of its earlier writes while a later one takes its own (a parent
//! it links to, a summary it recomputes), which a single write never does, so a deadlock
//! with another node's writes is not impossible: PostgreSQL then aborts one transaction
//! (40P01) and the group runs again. Groups of writes of different rows would meet that
//! much more often (two nodes locking two rows in opposite orders), which is why there
//! is no node-wide group as on SQLite.
//!
//! A group first runs as it is, one write after the other. If a write fails (a missing
//! parent, a conflict), the transaction is rolled back and the group runs again, each
//! write inside a savepoint of its own, so that only the failing one is undone. A failure
//! worth a retry (a serialization failure, a lost connection) runs the whole group again
//! under the executor's retry budget; a connection lost during the group's `COMMIT`
//! answers each of its writes as unconfirmed (those that had failed alone too).
//!
//! The group's lines (a retry's warning) are logged in the request's span for a group of
//! one, and in a `group` span below the first write's request for a larger one.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sqlx::PgConnection;
use tokio::sync::oneshot;
use tracing::{Instrument, Span};

use super::PostgresExecutor;
use super::attempt::{Failed, commit, roll_back, rollback, settle, statements};
use super::failure::{Failure, classify};
use super::pool::Pooled;
use crate::StoreError;
use crate::plan::{Plan, RowId, Rows};

/// The most writes committed together.
const GROUP: usize = 64;

/// What a write of a group is answered.
type Answer = Result<Vec<Rows>, StoreError>;

/// The writes waiting for their row, by row: a row is in the map while a task commits
/// its writes.
#[derive(Default)]
pub(super) struct Queues {
    rows: Mutex<HashMap<RowId, Vec<Waiting>, foldhash::fast::RandomState>>,
}

/// A write waiting for its group.
struct Waiting {
    plan: Plan,
    reply: oneshot::Sender<Answer>,
    /// The span of the request that wrote it.
    span: Span,
}

impl PostgresExecutor {
    /// Runs `plan`, a write of `row`, in the next group of that row's writes. The first
    /// write of a row starts a task that commits the row's groups until none is waiting.
    /// A caller that goes away before its group starts leaves nothing behind.
    pub(super) async fn write_row(&self, row: RowId, plan: Plan) -> Answer {
        let (reply, answer) = oneshot::channel();
        let span = Span::current();
        let waiting = Waiting { plan, reply, span };
        let first = match self.queues.rows().entry(row) {
            Entry::Occupied(mut queue) => {
                queue.get_mut().push(waiting);
                None
            }
            Entry::Vacant(vacant) => {
                let row = vacant.key().clone();
                vacant.insert(vec![waiting]);
                Some(row)
            }
        };
        if let Some(row) = first {
            // Made before the task, so that the row leaves the map even if the task never
            // runs (a runtime shutting down).
            let leaving = Leaving {
                queues: self.queues.clone(),
                row: Some(row),
            };
            let executor = self.clone();
            tokio::spawn(async move { executor.commit_groups(leaving).await });
        }
        answer.await.unwrap_or_else(|_| {
            Err(StoreError::Backend(
                "the task committing the write stopped".into(),
            ))
        })
    }

    /// Commits the groups of `leaving`'s row until none is waiting, then takes the row out
    /// of the map (also if this task panics or is dropped: the writes still waiting are
    /// then answered with a failure, and the next write of the row starts again).
    async fn commit_groups(&self, mut leaving: Leaving) {
        while let Some(group) = leaving.next_group() {
            // Writes whose callers went away are dropped unrun.
            let group: Vec<Waiting> = group
                .into_iter()
                .filter(|waiting| !waiting.reply.is_closed())
                .collect();
            let span = match group.as_slice() {
                [] => continue,
                [one] => one.span.clone(),
                [first, ..] => {
                    tracing::info_span!(parent: &first.span, "group", writes = group.len())
                }
            };
            let (plans, replies): (Vec<Plan>, Vec<_>) = group
                .into_iter()
                .map(|waiting| (waiting.plan, waiting.reply))
                .unzip();
            let answers = self.commit_group(plans).instrument(span).await;
            for (reply, answer) in replies.into_iter().zip(answers) {
                let _ = reply.send(answer);
            }
        }
    }

    /// Runs `plans` in one transaction (see the module's doc); returns each one's answer.
    async fn commit_group(&self, mut plans: Vec<Plan>) -> Vec<Answer> {
        match plans.len() {
            0 => Vec::new(),
            // Alone: in autocommit when it is one statement, as any other plan.
            1 => vec![self.run_here(plans.remove(0)).await],
            count => {
                let plans = Arc::new(plans);
                let attempt = |mut connection: Pooled| {
                    let plans = plans.clone();
                    async move {
                        let attempt = group(&mut connection, &plans).await;
                        settle(connection, attempt)
                    }
                };
                match self.with_retries(attempt).await {
                    Ok(answers) => answers,
                    Err(error) => (0..count).map(|_| Err(error.again())).collect(),
                }
            }
        }
    }
}

impl Queues {
    /// The map, locked (no code panics while it holds the lock).
    fn rows(&self) -> MutexGuard<'_, HashMap<RowId, Vec<Waiting>, foldhash::fast::RandomState>> {
        self.rows.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Takes the groups of one row out of the queues; dropped, takes the row out of the map.
struct Leaving {
    queues: Arc<Queues>,
    /// The row, until it has left the map.
    row: Option<RowId>,
}

impl Leaving {
    /// The writes waiting now (at most [`GROUP`]), or `None` when there are none left: the
    /// row has then left the map, under the same lock.
    fn next_group(&mut self) -> Option<Vec<Waiting>> {
        let key = self.row.as_ref()?;
        let mut rows = self.queues.rows();
        let queue = rows.get_mut(key)?;
        if queue.is_empty() {
            rows.remove(key);
            drop(rows);
            self.row = None;
            return None;
        }
        let take = queue.len().min(GROUP);
        Some(queue.drain(..take).collect())
    }
}

impl Drop for Leaving {
    fn drop(&mut self) {
        if let Some(row) = self.row.take() {
            // Dropping the writes left waiting answers each with a failure.
            self.queues.rows().remove(&row);
        }
    }
}

/// One attempt at a group of writes in one transaction on `connection`: as one first,
/// then each in a savepoint of its own if one of them fails.
async fn group(connection: &mut PgConnection, plans: &[Plan]) -> Result<Vec<Answer>, Failed> {
    begin(connection).await?;
    let mut answers = Vec::with_capacity(plans.len());
    for plan in plans {
        match statements(connection, plan).await {
            Ok(rows) => answers.push(Ok(rows)),
            Err(Failure::Final(_)) => break,
            Err(failure) => return Err(roll_back(connection, failure).await),
        }
    }
    if answers.len() < plans.len() {
        if let Err(error) = rollback(connection).await {
            return Err(Failed::closing(classify(error)));
        }
        begin(connection).await?;
        answers.clear();
        for plan in plans {
            answers.push(each_alone(connection, plan).await?);
        }
    }
    commit(connection, true).await.map(|()| answers)
}

/// `BEGIN` of a group's transaction.
async fn begin(connection: &mut PgConnection) -> Result<(), Failed> {
    match sqlx::raw_sql("BEGIN").execute(&mut *connection).await {
        Ok(_) => Ok(()),
        Err(error) => Err(Failed::answered(classify(error))),
    }
}

/// One write of a group in a savepoint of its own: its answer, with its changes undone
/// if it failed. `Err` when the group's transaction cannot go on.
async fn each_alone(connection: &mut PgConnection, plan: &Plan) -> Result<Answer, Failed> {
    control(connection, "SAVEPOINT write").await?;
    match statements(connection, plan).await {
        Ok(rows) => {
            control(connection, "RELEASE write").await?;
            Ok(Ok(rows))
        }
        Err(Failure::Final(error)) => {
            control(connection, "ROLLBACK TO write").await?;
            control(connection, "RELEASE write").await?;
            Ok(Err(error))
        }
        Err(failure) => Err(roll_back(connection, failure).await),
    }
}

/// A statement of the group's transaction itself; the transaction is rolled back if it
/// fails.
async fn control(connection: &mut PgConnection, sql: &'static str) -> Result<(), Failed> {
    match sqlx::raw_sql(sql).execute(&mut *connection).await {
        Ok(_) => Ok(()),
        Err(error) => Err(roll_back(connection, classify(error)).await),
    }
}
