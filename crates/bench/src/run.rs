//! One benchmark run: the main table (every workload at concurrency 1 and 32, between two
//! rounds of the ceiling), then the scale series (W3, W4, W7 as the data grows, with the
//! server's memory and the data directory's size at each step).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::Context;
use serde_json::{Map, Value};

use crate::ceiling::{Samples, seeded_id};
use crate::load::{self, Measured};
use crate::process::{Localgraph, Server};
use crate::report::{self, Row};
use crate::workloads::{self, Shape, Workload};

/// The tenant of the benchmark's data.
const TENANT: &str = "b0000000-0000-4000-8000-00000000be9c";
/// The workloads run, on a server that counts every request, to measure throttling's cost.
const THROTTLED: [&str; 2] = ["W1", "W3"];
/// The server under the workloads does not throttle: Intune's limits (2000 requests per
/// 20 s per tenant) would refuse most of a run. The cost of the check is measured apart.
const NO_THROTTLING: [&str; 2] = ["--throttling", "off"];
const CONCURRENCY: [u32; 2] = [1, 32];

/// How big and how long.
#[derive(Debug, Clone)]
pub struct Config {
    /// The localgraph binary.
    pub localgraph: PathBuf,
    /// The oha binary.
    pub oha: PathBuf,
    /// Where data directories, logs and results go.
    pub out: PathBuf,
    /// Seconds per measurement.
    pub duration: Duration,
    /// Rows of the main table's data set.
    pub main_rows: u64,
    /// The scale series' steps (powers of ten, growing).
    pub scale: Vec<u64>,
}

impl Config {
    /// `--quick`: small data, short measurements, the same table.
    pub fn quick(localgraph: PathBuf, oha: PathBuf, out: PathBuf) -> Config {
        Config {
            localgraph,
            oha,
            out,
            duration: Duration::from_secs(2),
            main_rows: 10_000,
            scale: vec![1_000, 10_000],
        }
    }

    /// The full run.
    pub fn full(localgraph: PathBuf, oha: PathBuf, out: PathBuf) -> Config {
        Config {
            duration: Duration::from_secs(6),
            main_rows: 100_000,
            scale: vec![10_000, 100_000, 1_000_000],
            ..Config::quick(localgraph, oha, out)
        }
    }
}

/// Runs everything and writes `latest.csv` and `latest.md` under `out`.
pub async fn run(config: Config) -> anyhow::Result<Vec<Row>> {
    std::fs::create_dir_all(&config.out)?;
    let mut rows = main_table(&config).await?;
    let ceilings = ceiling_means(&rows);
    rows.extend(scale_series(&config, &ceilings).await?);
    let table = report::table(&rows);
    println!("{table}");
    report::write_csv(&rows, &config.out.join("latest.csv"))?;
    std::fs::write(config.out.join("latest.md"), &table)?;
    eprintln!("wrote {}", config.out.join("latest.csv").display());
    Ok(rows)
}

fn fresh(config: &Config, name: &str) -> anyhow::Result<Localgraph> {
    let data_dir = config.out.join(name);
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)?;
    }
    Ok(Localgraph {
        bin: config.localgraph.clone(),
        data_dir,
        tenant: TENANT.into(),
    })
}

async fn main_table(config: &Config) -> anyhow::Result<Vec<Row>> {
    let n = config.main_rows;
    let lg = fresh(config, "data-main")?;
    eprintln!("{}", lg.seed(n)?);
    let token = lg.token()?;
    let server = lg.serve(&config.out.join("serve-main.log"), &NO_THROTTLING)?;
    let samples = samples(&server.base, &token).await?;
    let samples_path = config.out.join("samples.json");
    std::fs::write(&samples_path, serde_json::to_vec(&samples)?)?;
    let mut ceiling = Command::new(std::env::current_exe()?);
    ceiling
        .args([
            "ceiling",
            "--listen",
            "127.0.0.1:0",
            "--rows",
            &n.to_string(),
        ])
        .arg("--samples")
        .arg(&samples_path);
    let ceiling = Server::start(ceiling, &config.out.join("ceiling.log"))?;

    let mut rows = ceiling_round(config, &ceiling, 1).await?;
    for workload in workloads::ALL {
        for c in CONCURRENCY {
            let measured = measure(config, &workload, &server.base, &token, n, c).await?;
            rows.push(row("main", workload.name, c, n, measured));
        }
    }
    rows.extend(throttled(config, &lg, &token, n).await?);
    rows.extend(ceiling_round(config, &ceiling, 2).await?);
    let (rss, peak) = server.memory_mib();
    eprintln!(
        "main: server rss {rss:.1} MiB, peak {peak:.1} MiB, data {:.1} MiB",
        lg.data_mib()
    );
    let means = ceiling_means(&rows);
    for r in rows
        .iter_mut()
        .filter(|r| r.phase == "main" || r.phase == "throttled")
    {
        let shape = shape_of(&r.workload);
        r.ceiling_rps = means.get(&(shape, r.concurrency)).copied();
    }
    Ok(rows)
}

/// W1 and W3 on a second server with throttling on (the default) and no fault rule, the
/// tenant's limits set so high that nothing is refused: every request is counted in its
/// windows, so the rows show what the check costs next to the main table's.
async fn throttled(
    config: &Config,
    lg: &Localgraph,
    token: &str,
    n: u64,
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
    for workload in workloads::ALL
        .iter()
        .filter(|w| THROTTLED.contains(&w.name))
    {
        for c in CONCURRENCY {
            let mut measured = measure(config, workload, &server.base, token, n, c).await?;
            measured.note = format!("throttling on ({limit}/20 s), no fault rule");
            rows.push(row("throttled", workload.name, c, n, measured));
        }
    }
    Ok(rows)
}

async fn scale_series(
    config: &Config,
    ceilings: &HashMap<(Shape, u32), f64>,
) -> anyhow::Result<Vec<Row>> {
    let lg = fresh(config, "data-scale")?;
    let mut token = None;
    let mut rows = Vec::new();
    for &n in &config.scale {
        eprintln!("{}", lg.seed(n)?);
        // `token` needs the data set the first seed makes.
        if token.is_none() {
            token = Some(lg.token()?);
        }
        let token = token.as_deref().context("made above")?;
        let server = lg.serve(&config.out.join(format!("serve-{n}.log")), &NO_THROTTLING)?;
        for name in workloads::SCALE {
            let workload = workloads::ALL.iter().find(|w| w.name == name).copied();
            let workload = workload.context("a scale workload is a workload")?;
            for c in CONCURRENCY {
                let measured = measure(config, &workload, &server.base, token, n, c).await?;
                let mut r = row("scale", name, c, n, measured);
                r.ceiling_rps = ceilings.get(&(workload.shape, c)).copied();
                rows.push(r);
            }
        }
        let (rss, peak) = server.memory_mib();
        let data = lg.data_mib();
        for r in rows.iter_mut().filter(|r| r.rows == n) {
            r.memory = Some((rss, peak, data));
        }
        drop(server);
    }
    Ok(rows)
}

async fn measure(
    config: &Config,
    workload: &Workload,
    base: &str,
    token: &str,
    n: u64,
    c: u32,
) -> anyhow::Result<Measured> {
    let measured = match workload.request(base, token, n) {
        Some(request) => load::oha(&config.oha, &request, c, config.duration)?,
        None => {
            load::walk(
                &workload.first_page(base),
                Some(token),
                c,
                config.duration,
                n,
            )
            .await?
        }
    };
    eprintln!(
        "{} c={c} rows={n}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors in {} requests {}",
        workload.name,
        measured.rps,
        measured.p50_ms,
        measured.p99_ms,
        measured.errors,
        measured.requests,
        measured.note
    );
    Ok(measured)
}

async fn ceiling_round(config: &Config, ceiling: &Server, round: u32) -> anyhow::Result<Vec<Row>> {
    let n = config.main_rows;
    let mut rows = Vec::new();
    for shape in Shape::ALL {
        for c in CONCURRENCY {
            let mut measured = match shape {
                Shape::Walk => {
                    let first = shape.ceiling_request(&ceiling.base, n).url;
                    load::walk(&first, None, c, config.duration, n).await?
                }
                _ => load::oha(
                    &config.oha,
                    &shape.ceiling_request(&ceiling.base, n),
                    c,
                    config.duration,
                )?,
            };
            measured.note = format!("round {round}; {}", measured.note);
            eprintln!("{} c={c}: {:.0} req/s", shape.ceiling_name(), measured.rps);
            rows.push(row("ceiling", shape.ceiling_name(), c, n, measured));
        }
    }
    Ok(rows)
}

fn row(phase: &'static str, workload: &str, c: u32, n: u64, measured: Measured) -> Row {
    Row {
        phase,
        workload: workload.to_string(),
        concurrency: c,
        rows: n,
        measured,
        ceiling_rps: None,
        memory: None,
    }
}

fn shape_of(workload: &str) -> Shape {
    workloads::ALL
        .iter()
        .find(|w| w.name == workload)
        .map_or(Shape::Page, |w| w.shape)
}

/// The mean of the ceiling's rounds, per shape and concurrency.
fn ceiling_means(rows: &[Row]) -> HashMap<(Shape, u32), f64> {
    let mut sums: HashMap<(Shape, u32), (f64, f64)> = HashMap::new();
    for r in rows.iter().filter(|r| r.phase == "ceiling") {
        if let Some(shape) = Shape::ALL
            .into_iter()
            .find(|s| s.ceiling_name() == r.workload)
        {
            let entry = sums.entry((shape, r.concurrency)).or_default();
            entry.0 += r.measured.rps;
            entry.1 += 1.0;
        }
    }
    sums.into_iter().map(|(k, (sum, n))| (k, sum / n)).collect()
}

/// localgraph's own answers, which the ceiling repeats.
async fn samples(base: &str, token: &str) -> anyhow::Result<Samples> {
    let client = reqwest::Client::new();
    let get = |path: String| {
        let request = client.get(format!("{base}{path}")).bearer_auth(token);
        async move {
            let response = request.send().await?.error_for_status()?;
            anyhow::Ok(response.json::<Map<String, Value>>().await?)
        }
    };
    let accounts = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
    Ok(Samples {
        summary: get("/v1.0/deviceManagement/softwareUpdateStatusSummary".into()).await?,
        entity: get(format!("{accounts}/{}", seeded_id(0))).await?,
        page: get(accounts.into()).await?,
    })
}

/// The default results directory: `bench/results` of the repository.
pub fn default_out() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results")
}
