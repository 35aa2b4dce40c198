//! One attempt at a plan on one pooled connection, and what it leaves the connection fit
//! for. Each way an attempt can end says whether the connection is idle after it (the
//! server answered, and no transaction or statement of the attempt is left open but rows
//! a read left unread after a row failed to decode, which sqlx drains before the
//! connection's next statement); [`settle`] alone acts on that, giving the connection
//! back to the pool or closing it.

use futures_util::TryStreamExt;
use sqlx::{AssertSqlSafe, PgConnection};

use super::codec::{bind, decode};
use super::failure::{CommitUnconfirmed, Failure, classify, connection_lost, sqlstate};
use super::pool::{Pooled, discard};
use crate::StoreError;
use crate::budget::RowBudget;
use crate::plan::{Expect, Plan, Rows};
use crate::sql::Param;

/// A failed attempt, and whether its connection is idle after it.
pub(super) struct Failed {
    failure: Failure,
    idle: bool,
}

impl Failed {
    /// A failure that leaves the connection idle unless the failure ended it (lost
    /// without an answer, or ended by the server: [`connection_lost`]).
    pub(super) fn answered(failure: Failure) -> Failed {
        let idle = match &failure {
            Failure::Transient(error) => !connection_lost(error),
            Failure::Final(_) => true,
        };
        Failed { failure, idle }
    }

    /// A failure after which the connection must not be used again.
    pub(super) fn closing(failure: Failure) -> Failed {
        Failed {
            failure,
            idle: false,
        }
    }

    /// A lost connection: for a write whose commit was under way, a final "it may or may
    /// not have happened"; otherwise worth running the plan again.
    fn lost(error: sqlx::Error, committing_write: bool) -> Failed {
        Failed::closing(if committing_write {
            Failure::Final(StoreError::Unavailable(Box::new(CommitUnconfirmed(error))))
        } else {
            Failure::Transient(error)
        })
    }
}

/// One attempt at `plan` on `connection`: alone in autocommit if it can, else in a
/// transaction of its own. The connection goes back to the pool if the attempt left it
/// idle, and is closed otherwise.
pub(super) async fn run_once(mut connection: Pooled, plan: &Plan) -> Result<Vec<Rows>, Failure> {
    let attempt = if runs_alone(plan) {
        alone(&mut connection, plan).await
    } else {
        transaction(&mut connection, plan).await
    };
    settle(connection, attempt)
}

/// The outcome of an attempt on `connection`, which goes back to the pool if the attempt
/// left it idle, and is closed otherwise.
pub(super) fn settle<T>(connection: Pooled, attempt: Result<T, Failed>) -> Result<T, Failure> {
    attempt.map_err(|Failed { failure, idle }| {
        if !idle {
            discard(connection);
        }
        failure
    })
}

/// Whether `plan` is one statement that nothing can fail once it has run: a write whose
/// returned rows have a budget could fail after its change, which must then be rolled
/// back, so it keeps its transaction.
fn runs_alone(plan: &Plan) -> bool {
    plan.statements.len() == 1 && !(plan.write && plan.max_bytes.is_some())
}

/// The plan's one statement in autocommit: PostgreSQL commits it, or rolls it back when
/// it fails, before it answers.
async fn alone(connection: &mut PgConnection, plan: &Plan) -> Result<Vec<Rows>, Failed> {
    statements(connection, plan)
        .await
        .map_err(|failure| match failure {
            // An answer with a SQLSTATE says the statement did not commit; a lost
            // connection says nothing: a write may have committed.
            Failure::Transient(error) if sqlstate(&error).is_none() => {
                Failed::lost(error, plan.write)
            }
            // A read stopped at its byte budget left rows unsent: the server would hold
            // its statement (and the table's lock) open until the connection's next use.
            failure @ Failure::Final(StoreError::TooLarge { .. }) => Failed::closing(failure),
            failure => Failed::answered(failure),
        })
}

/// One transaction on `connection`: `BEGIN`, the statements, then `COMMIT`, or
/// `ROLLBACK` after a failed statement.
async fn transaction(connection: &mut PgConnection, plan: &Plan) -> Result<Vec<Rows>, Failed> {
    let begin = if plan.write {
        "BEGIN"
    } else {
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    };
    if let Err(error) = sqlx::raw_sql(begin).execute(&mut *connection).await {
        return Err(Failed::answered(classify(error)));
    }
    let results = match statements(connection, plan).await {
        Ok(results) => results,
        Err(failure) => return Err(roll_back(connection, failure).await),
    };
    commit(connection, plan.write).await.map(|()| results)
}

/// Ends the open (or aborted) transaction after `failure`, before the connection goes
/// back to the pool; the connection is closed if it cannot be ended.
pub(super) async fn roll_back(connection: &mut PgConnection, failure: Failure) -> Failed {
    let idle = rollback(connection).await.is_ok();
    Failed { failure, idle }
}

/// `ROLLBACK` of the open (or aborted) transaction.
pub(super) async fn rollback(connection: &mut PgConnection) -> Result<(), sqlx::Error> {
    let rolled_back = sqlx::raw_sql("ROLLBACK").execute(&mut *connection).await;
    if let Err(error) = &rolled_back {
        tracing::debug!(%error, "rollback failed; closing the connection");
    }
    rolled_back.map(drop)
}

/// Commits the open transaction.
pub(super) async fn commit(connection: &mut PgConnection, write: bool) -> Result<(), Failed> {
    match sqlx::raw_sql("COMMIT").execute(&mut *connection).await {
        Ok(_) => Ok(()),
        // A failed COMMIT has ended the transaction: nothing to roll back. An answer
        // (a SQLSTATE) says it was rolled back (a serialization failure or a deadlock is
        // run again, see `classify`); a connection broken during COMMIT says nothing.
        Err(error) if sqlstate(&error).is_some() => Err(Failed::answered(classify(error))),
        Err(error) => Err(Failed::lost(error, write)),
    }
}

/// Runs the plan's statements (in the open transaction, if more than one).
pub(super) async fn statements(
    connection: &mut PgConnection,
    plan: &Plan,
) -> Result<Vec<Rows>, Failure> {
    let mut results = Vec::new();
    let mut budget = RowBudget::new(plan.max_bytes);
    for (index, statement) in plan.statements.iter().enumerate() {
        let query = bind(
            sqlx::query(AssertSqlSafe(statement.text.clone())),
            &statement.params,
        );
        match statement.expect {
            Expect::Exists | Expect::Referenced => {
                if query
                    .fetch_optional(&mut *connection)
                    .await
                    .map_err(classify)?
                    .is_none()
                {
                    return Err(Failure::Final(statement.expect.missing()));
                }
            }
            Expect::Rows | Expect::LookAhead(_) => {
                // Row by row, so a read over its budget stops reading.
                let mut rows = query.fetch(&mut *connection);
                let mut decoded = Vec::new();
                while let Some(row) = rows.try_next().await.map_err(classify)? {
                    if !statement.expect.decodes(decoded.len()) {
                        decoded.push(Vec::new());
                        continue;
                    }
                    let row = decode(&row, &statement.decode).map_err(Failure::Final)?;
                    budget
                        .take(&row, index, decoded.len())
                        .map_err(Failure::Final)?;
                    decoded.push(row);
                }
                results.push(decoded);
            }
            Expect::Affected => {
                let done = query.execute(&mut *connection).await.map_err(classify)?;
                results.push(vec![vec![Param::Int(done.rows_affected() as i64)]]);
            }
            Expect::Done => {
                query.execute(&mut *connection).await.map_err(classify)?;
            }
        }
    }
    Ok(results)
}
