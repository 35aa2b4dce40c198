//! How a PostgreSQL statement failed, by SQLSTATE: worth running the plan again, or the
//! plan's answer.

use crate::StoreError;

/// How one attempt at a plan failed.
pub(super) enum Failure {
    /// Worth running the whole plan again.
    Transient(sqlx::Error),
    /// Final: the plan's answer.
    Final(StoreError),
}

impl Failure {
    /// The failure as the store reports it when no retry follows: a transient one makes
    /// the database unavailable.
    pub(super) fn unavailable(self) -> StoreError {
        match self {
            Failure::Transient(error) => StoreError::Unavailable(error.into()),
            Failure::Final(error) => error,
        }
    }
}

/// A write whose commit got no answer: it may have happened.
#[derive(Debug, thiserror::Error)]
#[error("the connection broke while the write committed: it may or may not have happened")]
pub(super) struct CommitUnconfirmed(#[source] pub(super) sqlx::Error);

/// The SQLSTATE of a database error.
pub(super) fn sqlstate(error: &sqlx::Error) -> Option<String> {
    match error {
        sqlx::Error::Database(e) => e.code().map(|code| code.into_owned()),
        _ => None,
    }
}

/// Whether a transient `error` ended its connection: lost without an answer, or ended by
/// the server (the connection exception class 08, a server shutting down, 57P).
pub(super) fn connection_lost(error: &sqlx::Error) -> bool {
    sqlstate(error).is_none_or(|code| code.starts_with("08") || code.starts_with("57P"))
}

/// SQLSTATEs worth running the plan again for: serialization failure, deadlock, the
/// connection exception class (08), too many connections, and a server shutting down or
/// starting up.
fn transient_state(code: &str) -> bool {
    matches!(
        code,
        "40001" | "40P01" | "57P01" | "57P02" | "57P03" | "53300"
    ) || code.starts_with("08")
}

/// By SQLSTATE: unique and foreign-key violations mean something to the caller (23505
/// conflict, 23503 a parent gone); conflicts between transactions and lost connections
/// are worth a retry; the rest is a backend failure.
pub(super) fn classify(error: sqlx::Error) -> Failure {
    match sqlstate(&error).as_deref() {
        Some("23505") => Failure::Final(StoreError::Conflict),
        Some("23503") => Failure::Final(StoreError::NotFound),
        Some(code) if transient_state(code) => Failure::Transient(error),
        Some(_) => Failure::Final(backend(error)),
        None => match error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut => Failure::Transient(error),
            _ => Failure::Final(backend(error)),
        },
    }
}

/// A failure of the database itself.
pub(super) fn backend(error: impl Into<crate::Cause>) -> StoreError {
    StoreError::Backend(error.into())
}
