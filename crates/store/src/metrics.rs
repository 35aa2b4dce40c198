//! The metrics the store records (through the `metrics` facade; the server renders them at
//! `/metrics`): their names, and the transaction histograms, kept once registered.

use std::sync::OnceLock;

use metrics::Histogram;

/// A store transaction's time, with its retries, by kind (read, write) and outcome (ok;
/// refused: stopped by one of its checks (a parent or a linked entity not there, a
/// conflict) or its byte budget; failed: the database). A read that finds nothing, its
/// parents' checks in its own statement, is ok; an empty page below a parent takes a
/// second read, and a third if rows arrived in between (see `SqlStore::page`), each
/// counted.
pub const TRANSACTION_SECONDS: &str = "localgraph_store_transaction_seconds";
/// The database connections of this process: in use, idle, and the most its pools open
/// (read at each scrape).
pub const POOL_CONNECTIONS: &str = "localgraph_store_pool_connections";

/// A transaction's kinds, as [`TRANSACTION_SECONDS`] labels them (indexed by `write`).
const KINDS: [&str; 2] = ["read", "write"];

/// How a transaction ended, as [`TRANSACTION_SECONDS`] labels it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome {
    /// Done.
    Ok,
    /// An answer, not a database failure: a check found nothing, a conflict, a page over
    /// its budget.
    Refused,
    /// The database failed.
    Failed,
}

impl Outcome {
    const ALL: [Outcome; 3] = [Outcome::Ok, Outcome::Refused, Outcome::Failed];

    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// The transaction histograms, by kind then outcome, once [`register`] has made them.
static TRANSACTIONS: OnceLock<[[Histogram; 3]; 2]> = OnceLock::new();

/// Registers the store's histograms with the installed recorder and keeps them: each
/// transaction then records to its histogram without building and looking up its labels
/// (about a percent of a small read). Call it once the recorder is installed; until then
/// transactions look their histogram up each time, so none is lost.
pub fn register() {
    TRANSACTIONS.get_or_init(|| {
        KINDS.map(|kind| {
            Outcome::ALL.map(|outcome| {
                metrics::histogram!(TRANSACTION_SECONDS, "kind" => kind, "outcome" => outcome.label())
            })
        })
    });
}

/// Records a transaction's time.
pub(crate) fn record_transaction(write: bool, outcome: Outcome, seconds: f64) {
    match TRANSACTIONS.get() {
        Some(histograms) => histograms[usize::from(write)][outcome as usize].record(seconds),
        None => metrics::histogram!(
            TRANSACTION_SECONDS,
            "kind" => KINDS[usize::from(write)],
            "outcome" => outcome.label()
        )
        .record(seconds),
    }
}
