//! The throttled rows: what throttling's check costs, next to the main table.

use crate::process::Localgraph;
use crate::report::Row;
use crate::run::{CONCURRENCY, Config, measure, row};
use crate::workloads::{self, Targets};

/// The workloads run, on a server that counts every request, to measure throttling's cost.
const THROTTLED: [&str; 2] = ["W1", "W3"];

/// W1 and W3 on a second server with throttling on (the default) and no fault rule, the
/// tenant's limits set so high that nothing is refused: every request is counted in its
/// windows, so the rows show what the check costs next to the main table's.
pub async fn rows(
    config: &Config,
    lg: &Localgraph,
    token: &str,
    targets: &Targets,
) -> anyhow::Result<Vec<Row>> {
    let server = lg.serve(&config.out.join("serve-throttled.log"), &[])?;
    let limit = 1_000_000;
    reqwest::Client::new()
        .put(format!("{}/_localgraph/throttling", server.base))
        .bearer_auth(token)
        .json(&serde_json::json!({
            "mode": "custom",
            "writesPer20Seconds": limit,
            "requestsPer20Seconds": limit,
        }))
        .send()
        .await?
        .error_for_status()?;
    let mut rows = Vec::new();
    for name in THROTTLED {
        for c in CONCURRENCY {
            let load = workloads::named(name).load(&server.base, token, targets);
            let mut measured =
                measure(config, &server, load, Some(token), c, targets.macos_rows).await?;
            measured.note = format!("throttling on ({limit}/20 s), no fault rule");
            eprintln!("throttled {name} c={c}: {:.0} req/s", measured.rps);
            rows.push(row(
                "throttled",
                "sqlite",
                name,
                c,
                targets.macos_rows,
                measured,
            ));
        }
    }
    Ok(rows)
}
