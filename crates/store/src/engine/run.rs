//! Running planned statements through the executor: reads, writes with what follows
//! from them, and upserts that settle a race on their first write.

use super::{Executor, SqlStore};
use crate::StoreError;
use crate::metrics::Outcome;
use crate::plan::{Plan, RowId, Rows, Statement, first};
use crate::sql::Param;

/// How often an upsert runs at most when a concurrent first write wins the insert.
const UPSERT_TRIES: usize = 3;

impl<E: Executor> SqlStore<E> {
    /// Runs `checks` then `statements`; returns the results of `statements`.
    pub(crate) async fn run(
        &self,
        write: bool,
        checks: Vec<Statement>,
        statements: Vec<Statement>,
    ) -> Result<Vec<Rows>, StoreError> {
        self.run_within(write, checks, statements, None).await
    }

    /// [`Self::run`] with the rows returned limited to `max_bytes`.
    pub(super) async fn run_within(
        &self,
        write: bool,
        mut checks: Vec<Statement>,
        statements: Vec<Statement>,
        max_bytes: Option<usize>,
    ) -> Result<Vec<Rows>, StoreError> {
        checks.extend(statements);
        self.execute(Plan {
            write,
            by_key: false,
            statements: checks,
            max_bytes,
            row: None,
        })
        .await
    }

    /// Runs `plan` through the executor, timed for the metrics.
    pub(super) async fn execute(&self, plan: Plan) -> Result<Vec<Rows>, StoreError> {
        let write = plan.write;
        let started = std::time::Instant::now();
        let result = self.executor.run(plan).await;
        record(write, &result, started.elapsed());
        result
    }

    /// Runs `checks`, a write of `row` (if known before it runs), then the statements
    /// that follow from it (recomputed summaries); returns the rows of the write (its
    /// first result).
    pub(super) async fn run_write(
        &self,
        row: Option<RowId>,
        mut checks: Vec<Statement>,
        write: Vec<Statement>,
        after: Vec<Statement>,
    ) -> Result<Rows, StoreError> {
        checks.extend(write);
        checks.extend(after);
        let plan = Plan {
            write: true,
            by_key: false,
            statements: checks,
            max_bytes: None,
            row,
        };
        let results = self.execute(plan).await?;
        Ok(results.into_iter().next().unwrap_or_default())
    }

    /// Runs an insert-or-merge of a single-valued target; returns its row. Its first
    /// write can race another: `ON CONFLICT` settles a clash on the key, but the clash
    /// may surface on the table's other unique index (one row per parent, the same row),
    /// as a unique violation once the other writer commits. The row exists then: run
    /// the statement again, and it merges. `upsert` plans the statement for each try
    /// (a retry is rare: the first try takes the planned statement rather than a copy).
    pub(super) async fn upsert(
        &self,
        row: Option<RowId>,
        checks: Vec<Statement>,
        upsert: impl Fn() -> Vec<Statement>,
    ) -> Result<Vec<Param>, StoreError> {
        let mut tries = 1;
        loop {
            let write = self.run_write(row.clone(), checks.clone(), upsert(), Vec::new());
            match write.await {
                Err(StoreError::Conflict) if tries < UPSERT_TRIES => tries += 1,
                rows => return first(rows?),
            }
        }
    }

    /// Runs `checks` then one statement; returns its rows.
    pub(crate) async fn run_one(
        &self,
        write: bool,
        checks: Vec<Statement>,
        last: Statement,
    ) -> Result<Rows, StoreError> {
        let mut results = self.run(write, checks, vec![last]).await?;
        Ok(results.pop().unwrap_or_default())
    }
}

/// The one integer of a one-row, one-column result (a count, a number of rows affected).
pub(crate) fn integer(rows: Rows) -> Result<u64, StoreError> {
    match first(rows)?.first() {
        Some(Param::Int(n)) => Ok(u64::try_from(*n).unwrap_or(0)),
        _ => Err(StoreError::Backend("expected one integer".into())),
    }
}

/// The current time in ticks.
pub(crate) fn now() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    odata::datetime::from_unix_nanos(since_epoch.as_nanos())
}

/// One transaction's time (with its retries), by kind and outcome.
fn record(write: bool, result: &Result<Vec<Rows>, StoreError>, took: std::time::Duration) {
    let outcome = match result {
        Ok(_) => Outcome::Ok,
        Err(StoreError::Unavailable(_) | StoreError::Backend(_)) => Outcome::Failed,
        Err(_) => Outcome::Refused,
    };
    crate::metrics::record_transaction(write, outcome, took.as_secs_f64());
}
