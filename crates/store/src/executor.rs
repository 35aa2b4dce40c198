//! [`Executor`]: what a backend does for the engine: run a plan in one transaction, lay out
//! the schema, answer a ping.

use async_trait::async_trait;

use crate::StoreError;
use crate::catalog::{Catalog, ColumnType};
use crate::plan::{Expect, Plan, Rows, Statement};
use crate::sql::Dialect;

/// The connections of an executor's pools, summed over its pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections open now.
    pub open: u32,
    /// Open connections no transaction holds.
    pub idle: u32,
    /// The most the pools open.
    pub max: u32,
}

/// A database connection that runs plans.
#[async_trait]
pub trait Executor: Send + Sync {
    /// Runs a plan in one transaction and returns the rows of each `Rows` and `Affected`
    /// statement, in order.
    async fn run(&self, plan: Plan) -> Result<Vec<Rows>, StoreError>;

    /// Runs schema statements (idempotent DDL), then adds the columns `catalog` has and
    /// the database lacks.
    async fn migrate(&self, statements: &[String], catalog: &Catalog) -> Result<(), StoreError>;

    /// Brings the planner's statistics of `catalog`'s tables up to date (after a bulk
    /// load). SQLite's planner picks the right index for these queries without statistics,
    /// so by default nothing is done.
    async fn analyze(&self, _catalog: &Catalog) -> Result<(), StoreError> {
        Ok(())
    }

    /// The SQL dialect.
    fn dialect(&self) -> &dyn Dialect;

    /// How its connection pools are used now (for the metrics).
    fn pool_use(&self) -> PoolUse;

    /// Whether the database answers now (one attempt, no retries).
    async fn ping(&self) -> Result<(), StoreError> {
        let select = Statement {
            text: "SELECT 1".into(),
            params: Vec::new(),
            expect: Expect::Rows,
            decode: vec![ColumnType::Integer],
        };
        self.run(Plan {
            write: false,
            by_key: true,
            statements: vec![select],
            max_bytes: None,
            row: None,
        })
        .await
        .map(|_| ())
    }
}
