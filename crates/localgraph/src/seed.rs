//! `localgraph seed`: fills a tenant through the [`Store`] trait: a realistic fleet with
//! `--devices N` (see [`crate::fleet`]), and, for benchmarks, `--macos N` synthetic macOS
//! account summaries, written in batches like the fleet (a million rows through HTTP
//! would take far longer than the measurement).
//!
//! Synthetic row `i` gets the id `00000000-0000-7000-8000-{i:012}`, so a load generator can
//! pick a random existing id with a pattern, and its values come from a fixed pseudo-random
//! sequence, so two seeds of the same size hold the same data.

use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use odata::Value;
use store::{Changes, Store};

use crate::fleet::Writer;

use crate::DataDir;
use crate::database::{DatabaseArgs, Need};

/// The place the seeded entities live.
const PLACE: &str = "deviceManagement/macOSSoftwareUpdateAccountSummaries";

/// What to seed.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The tenant whose data set receives the rows.
    #[arg(long, value_parser = server::auth::token::parse_tenant)]
    pub tenant: String,
    /// A fleet of N managed devices with their users, scripts and run states, app
    /// configurations and statuses, and software update summaries (seeding again with
    /// the same --seed replaces it).
    #[arg(long, value_name = "N", required_unless_present = "macos")]
    pub devices: Option<u64>,
    /// Which fleet: the same seed gives the same fleet, ids included.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Rows 0..N of synthetic macOS software update account summaries, for benchmarks
    /// (rows that exist are written again, with the same values).
    #[arg(long, value_name = "N")]
    pub macos: Option<u64>,
    #[command(flatten)]
    pub data: DataDir,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// The id of seeded row `i`.
pub fn seeded_id(i: u64) -> String {
    format!("00000000-0000-7000-8000-{i:012}")
}

/// Seeds what the arguments ask for and prints what was written.
pub async fn run(args: SeedArgs) -> anyhow::Result<()> {
    let tenant = args.tenant.to_ascii_lowercase();
    let store = args
        .database
        .open_bundled(&args.data.data_dir, Need::Create)
        .await?;
    if let Some(devices) = args.devices {
        crate::fleet::run(store.clone(), &tenant, devices, args.seed).await?;
    }
    if let Some(count) = args.macos {
        macos(store.clone(), &tenant, count).await?;
    }
    crate::database::analyze(store.as_ref()).await;
    Ok(())
}

/// Rows 0..`count` of synthetic macOS account summaries, written in batches (a row that
/// exists is written again, with the same values).
async fn macos(store: Arc<dyn Store>, tenant: &str, count: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut writer = Writer::new(store, tenant, count)?;
    let table = writer.table(PLACE)?;
    for i in 0..count {
        writer.step();
        let changes = row(i);
        writer
            .row(
                table,
                "",
                &seeded_id(i),
                Some(&changes.type_name),
                changes.values,
            )
            .await?;
    }
    writer.flush(table).await?;
    writer.finish();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "seeded macOS account summaries 0..{count} for tenant {tenant}; {} rows in {seconds:.1} s ({:.0} rows/s)",
        writer.written,
        writer.written as f64 / seconds.max(0.001)
    );
    Ok(())
}

/// The values of row `i`: most devices have no failed update, as in a healthy fleet
/// (failedUpdateCount > 3 on about one row in nine); update times spread over a year.
fn row(i: u64) -> Changes {
    let r = splitmix(i);
    let total = (r % 23) as i64;
    let failed = match (r >> 8) % 16 {
        0..=11 => 0,
        12 => 1,
        13 => 2,
        _ => 4 + ((r >> 16) % 8) as i64,
    }
    .min(total);
    let year_ticks = 365 * 24 * 3600 * 10_000_000_i64;
    // 2025-01-01T00:00:00Z plus up to a year.
    let updated = 638_712_864_000_000_000 + ((r >> 8) as i64).rem_euclid(year_ticks);
    let text = |name: &str, value: String| (name.to_string(), Value::String(value));
    let int = |name: &str, value: i64| (name.to_string(), Value::Int(value));
    Changes {
        merged: Vec::new(),
        type_name: "macOSSoftwareUpdateAccountSummary".into(),
        values: vec![
            text("displayName", format!("Mac {i}")),
            text("deviceId", format!("device-{i:07}")),
            text("userId", format!("user-{:06}", i / 2)),
            text("deviceName", format!("MAC-{i:07}")),
            text(
                "userPrincipalName",
                format!("user{}@contoso.example", i / 2),
            ),
            text("osVersion", format!("14.{}.{}", r % 7, (r >> 4) % 3)),
            int("successfulUpdateCount", total - failed),
            int("failedUpdateCount", failed),
            int("totalUpdateCount", total),
            (
                "lastUpdatedDateTime".to_string(),
                Value::DateTimeOffset(updated),
            ),
        ],
        ..Changes::default()
    }
}

/// SplitMix64: a fixed, well-spread sequence without a dependency.
fn splitmix(i: u64) -> u64 {
    let mut z = i.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49eb_133e_f8e1);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_guids_in_row_order() {
        assert_eq!(seeded_id(42), "00000000-0000-7000-8000-000000000042");
        assert!(seeded_id(9) < seeded_id(10));
    }

    #[test]
    fn counts_are_consistent_and_skewed() {
        let rows: Vec<Changes> = (0..1000).map(row).collect();
        let get = |c: &Changes, name: &str| match c.values.iter().find(|(n, _)| n == name) {
            Some((_, Value::Int(v))) => *v,
            _ => panic!("no {name}"),
        };
        for r in &rows {
            assert_eq!(
                get(r, "successfulUpdateCount") + get(r, "failedUpdateCount"),
                get(r, "totalUpdateCount")
            );
        }
        let over_3 = rows
            .iter()
            .filter(|r| get(r, "failedUpdateCount") > 3)
            .count();
        assert!((50..250).contains(&over_3), "{over_3} rows with failed > 3");
    }
}
