//! The connection pool: deadpool's, holding sqlx connections.
//!
//! sqlx's own pool sends every connection a round trip (a `Sync` and its `ReadyForQuery`)
//! when it is released, in a task of its own, before another plan may have it: on
//! PostgreSQL a fifth of a small read's CPU in the server and a quarter of its throughput
//! (bench/HISTORY.md "The pool's check on release"). Here a connection goes back as it
//! is: plans never stop half-way (each runs in a task of its own), so a released
//! connection has ended its transaction. One a failure ended or may have left mid-way (a
//! read stopped at its byte budget in autocommit, whose statement the server would keep
//! open) is [`discard`]ed instead; which ones is decided in one place,
//! `attempt::settle`.
//!
//! A connection is checked with a round trip before use only after [`IDLE_CHECK`] has
//! passed since it was last handed out, and replaced after [`MAX_LIFETIME`] (sqlx's
//! default lifetime). The pool hands out the connection returned last, so under load the
//! same few stay warm and unchecked.

use std::time::Duration;

use deadpool::managed::{self, Metrics, PoolError, QueueMode, RecycleError, RecycleResult};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection as _, PgConnection};

use super::failure::{Failure, backend, classify};
use crate::StoreError;
use crate::executor::PoolUse;

/// How long a plan waits for a connection per attempt: for a free one, its check and a
/// new one, all told.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// A pooled connection last handed out longer ago is checked with a round trip before it
/// is used.
const IDLE_CHECK: Duration = Duration::from_secs(1);
/// A connection older than this is closed rather than used again.
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Opens and checks the pool's connections.
pub(super) struct Connections {
    options: PgConnectOptions,
}

impl managed::Manager for Connections {
    type Type = PgConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<PgConnection, sqlx::Error> {
        PgConnection::connect_with(&self.options).await
    }

    async fn recycle(
        &self,
        connection: &mut PgConnection,
        metrics: &Metrics,
    ) -> RecycleResult<sqlx::Error> {
        if metrics.age() > MAX_LIFETIME {
            return Err(RecycleError::message("past its lifetime"));
        }
        if metrics.last_used() > IDLE_CHECK {
            connection.ping().await?;
        }
        Ok(())
    }
}

/// The pool.
pub(super) type Pool = managed::Pool<Connections>;
/// A connection taken from the pool: it goes back when dropped.
pub(super) type Pooled = managed::Object<Connections>;

/// A pool of at most `size` connections to the database `options` name.
pub(super) fn pool(options: PgConnectOptions, size: u32) -> Result<Pool, StoreError> {
    managed::Pool::builder(Connections { options })
        .max_size(usize::try_from(size.max(1)).unwrap_or(usize::MAX))
        .queue_mode(QueueMode::Lifo)
        .build()
        .map_err(backend)
}

/// A connection within [`ACQUIRE_TIMEOUT`], or how waiting for one failed: a timeout or
/// a database that refused to connect are worth trying again. (Given up, a wait leaves
/// nothing behind: a connection being opened or checked for it is closed.)
pub(super) async fn acquire(pool: &Pool) -> Result<Pooled, Failure> {
    match tokio::time::timeout(ACQUIRE_TIMEOUT, pool.get()).await {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(PoolError::Backend(error))) => Err(classify(error)),
        Ok(Err(other)) => Err(Failure::Final(backend(other.to_string()))),
        Err(_) => Err(Failure::Transient(sqlx::Error::PoolTimedOut)),
    }
}

/// Closes `connection` instead of giving it back: a failure may have left it mid-way.
pub(super) fn discard(connection: Pooled) {
    drop(managed::Object::take(connection));
}

/// How the pool is used now.
pub(super) fn usage(pool: &Pool) -> PoolUse {
    let status = pool.status();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    PoolUse {
        open: count(status.size),
        idle: count(status.available),
        max: count(status.max_size),
    }
}
