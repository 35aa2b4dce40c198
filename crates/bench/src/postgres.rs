//! The main table's workloads on PostgreSQL: a schema of its own in the given database,
//! made fresh for the run and dropped after it, seeded like the SQLite data set.

use crate::report::Row;
use crate::run::{Config, fleet_tenant, fresh, measure_served, seed};
use crate::workloads::Workload;
use store::PostgresExecutor;

/// The schema a run works in.
const SCHEMA: &str = "localgraph_bench";

/// Seeds a fresh schema of `url`'s database and runs `workloads` on it.
pub async fn main_table(
    config: &Config,
    url: &str,
    workloads: &[Workload],
) -> anyhow::Result<Vec<Row>> {
    PostgresExecutor::drop_schema(url, SCHEMA).await?;
    let schema_url = PostgresExecutor::create_schema(url, SCHEMA).await?;
    let n = config.main_rows;
    let lg = fresh(config, "data-postgres", Some(schema_url))?;
    let result = async {
        let mut rows = seed(&lg, "postgres", n, n, fleet_tenant())?;
        let log = config.out.join("serve-postgres.log");
        rows.extend(measure_served(config, "postgres", &lg, &log, workloads).await?);
        anyhow::Ok(rows)
    }
    .await;
    PostgresExecutor::drop_schema(url, SCHEMA).await?;
    result
}
