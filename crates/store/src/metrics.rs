//! The names of the metrics the store records (through the `metrics` facade; the server
//! renders them at `/metrics`).

/// A store transaction's time, with its retries, by kind (read, write) and outcome (ok;
/// refused: not found, a conflict, a page over its budget; failed: the database).
pub const TRANSACTION_SECONDS: &str = "localgraph_store_transaction_seconds";
/// The database connections of this process: in use, idle, and the most its pools open
/// (read at each scrape).
pub const POOL_CONNECTIONS: &str = "localgraph_store_pool_connections";
