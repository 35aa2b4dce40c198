//! One benchmark run: the main table (every workload at concurrency 1 and 32 on SQLite,
//! then on PostgreSQL when a database is given, between two rounds of the ceiling), the
//! seeding speed of both backends, then the scale series on SQLite (the workloads as the
//! data grows, with the server's memory and the data directory's size at each step).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::ceiling::Samples;
use crate::load::{self, Measured};
use crate::process::{Localgraph, Server};
use crate::report::{self, Row};
use crate::samples::Reader;
use crate::workloads::{self, Load, Targets, Tenant, Workload};

/// The tenant of the synthetic macOS rows (W1–W7).
const MACOS_TENANT: &str = "b0000000-0000-4000-8000-00000000be9c";
/// The tenant of the fleet (W8–W12).
const FLEET_TENANT: &str = "b0000000-0000-4000-8000-0000000f1ee7";
/// The concurrencies each workload runs at (connections; walkers for W6).
pub const CONCURRENCY: [u32; 2] = [1, 32];
/// The server under the workloads does not throttle: Intune's limits (2000 requests per
/// 20 s per tenant) would refuse most of a run. The cost of the check is measured apart.
pub const NO_THROTTLING: [&str; 2] = ["--throttling", "off"];

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
    /// Synthetic macOS rows and fleet devices of the main table's data sets.
    pub main_rows: u64,
    /// Rounds of the ceiling (one before the workloads, one after).
    pub ceiling_rounds: u32,
    /// The scale series' steps (powers of ten, growing).
    pub scale: Vec<u64>,
    /// The steps of the scale series that also get a fleet of that many devices.
    pub fleet_scale: Vec<u64>,
    /// A PostgreSQL database for the same workloads (a schema per run is made in it).
    pub database: Option<String>,
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
            ceiling_rounds: 1,
            scale: Vec::new(),
            fleet_scale: Vec::new(),
            database: None,
        }
    }

    /// The full run.
    pub fn full(localgraph: PathBuf, oha: PathBuf, out: PathBuf) -> Config {
        Config {
            duration: Duration::from_secs(5),
            main_rows: 100_000,
            ceiling_rounds: 2,
            scale: vec![10_000, 100_000, 1_000_000],
            fleet_scale: vec![10_000],
            ..Config::quick(localgraph, oha, out)
        }
    }
}

/// A data set being served, with a token of each tenant and the workloads' targets.
struct Served {
    server: Server,
    macos_token: String,
    fleet_token: String,
    targets: Targets,
}

impl Served {
    async fn start(lg: &Localgraph, log: &Path, macos_rows: u64) -> anyhow::Result<Served> {
        let macos_token = lg.token(MACOS_TENANT)?;
        let fleet_token = lg.token(FLEET_TENANT)?;
        let server = lg.serve(log, &NO_THROTTLING)?;
        let targets = Reader::new(&server.base, &macos_token, &fleet_token)
            .targets(macos_rows)
            .await?;
        Ok(Served {
            server,
            macos_token,
            fleet_token,
            targets,
        })
    }

    fn reader(&self) -> Reader<'_> {
        Reader::new(&self.server.base, &self.macos_token, &self.fleet_token)
    }

    fn token(&self, tenant: Tenant) -> &str {
        match tenant {
            Tenant::Macos => &self.macos_token,
            Tenant::Fleet => &self.fleet_token,
        }
    }
}

/// Runs everything and writes `latest.csv` and `latest.md` under `out`.
pub async fn run(config: Config) -> anyhow::Result<Vec<Row>> {
    std::fs::create_dir_all(&config.out)?;
    let n = config.main_rows;
    let sqlite = fresh(&config, "data-main", None)?;
    let mut rows = seed(&sqlite, "sqlite", n, n, FLEET_TENANT)?;
    let main = Served::start(&sqlite, &config.out.join("serve-main.log"), n).await?;
    let samples = main.reader().samples(&main.targets).await?;
    let ceiling = ceiling(&config, &samples)?;
    rows.extend(ceiling_round(&config, &ceiling, &main.targets, 1).await?);
    let all: Vec<Workload> = workloads::ALL.to_vec();
    rows.extend(measure_all(&config, "main", "sqlite", &main, &all, n).await?);
    let targets = main.targets.clone();
    rows.extend(crate::throttled::rows(&config, &sqlite, &main.macos_token, &targets).await?);
    let (rss, peak) = main.server.memory_mib();
    eprintln!(
        "main: server rss {rss:.1} MiB, peak {peak:.1} MiB, data {:.1} MiB",
        sqlite.data_mib()
    );
    drop(main);
    if let Some(url) = &config.database {
        rows.extend(crate::postgres::main_table(&config, url, &all).await?);
    }
    if config.ceiling_rounds > 1 {
        rows.extend(ceiling_round(&config, &ceiling, &targets, 2).await?);
    }
    let means = report::ceiling_means(&rows);
    for r in rows.iter_mut() {
        report::attach_ceiling(r, &means);
    }
    let mut scale = scale_series(&config).await?;
    for r in scale.iter_mut() {
        report::attach_ceiling(r, &means);
    }
    rows.extend(scale);
    let table = report::table(&rows);
    println!("{table}");
    report::write_csv(&rows, &config.out.join("latest.csv"))?;
    std::fs::write(config.out.join("latest.md"), &table)?;
    eprintln!("wrote {}", config.out.join("latest.csv").display());
    Ok(rows)
}

/// A fresh data directory under `out` (and the database, if given).
pub fn fresh(config: &Config, name: &str, database: Option<String>) -> anyhow::Result<Localgraph> {
    let data_dir = config.out.join(name);
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)?;
    }
    Ok(Localgraph {
        bin: config.localgraph.clone(),
        data_dir,
        database,
    })
}

/// Seeds `macos` synthetic rows and a fleet of `devices` devices (into `fleet_tenant`);
/// returns the seeding rows of the report (rows per second).
pub fn seed(
    lg: &Localgraph,
    backend: &'static str,
    macos: u64,
    devices: u64,
    fleet_tenant: &str,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    let runs = [
        ("macos", MACOS_TENANT, "--macos", macos),
        ("fleet", fleet_tenant, "--devices", devices),
    ];
    for (name, tenant, flag, count) in runs {
        if count == 0 {
            continue;
        }
        let seeding = lg.seed(tenant, &[flag, &count.to_string()])?;
        eprintln!("{backend}: {}", seeding.line);
        let measured = Measured {
            rps: seeding.rows as f64 / seeding.seconds.max(0.001),
            requests: seeding.rows,
            note: format!("{} rows in {:.1} s", seeding.rows, seeding.seconds),
            ..Measured::default()
        };
        rows.push(row("seed", backend, name, 1, count, measured));
    }
    Ok(rows)
}

/// Starts the ceiling process with `samples`.
fn ceiling(config: &Config, samples: &Samples) -> anyhow::Result<Server> {
    let samples_path = config.out.join("samples.json");
    std::fs::write(&samples_path, serde_json::to_vec(samples)?)?;
    let mut ceiling = Command::new(std::env::current_exe()?);
    ceiling
        .args(["ceiling", "--listen", "127.0.0.1:0"])
        .arg("--samples")
        .arg(&samples_path);
    Server::start(ceiling, &config.out.join("ceiling.log"))
}

/// Every workload of `workloads` at each concurrency, on `served`.
async fn measure_all(
    config: &Config,
    phase: &'static str,
    backend: &'static str,
    served: &Served,
    workloads: &[Workload],
    n: u64,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for workload in workloads {
        for c in CONCURRENCY {
            if phase == "scale" && workload.name == "W6" && c > 1 {
                continue;
            }
            let token = served.token(workload.tenant);
            let load = workload.load(&served.server.base, token, &served.targets);
            let measured = measure(config, &served.server, load, Some(token), c, n).await?;
            eprintln!(
                "{backend} {} c={c} rows={n}: {:.0} req/s, {:.1} µs of CPU a request, p50 {:.2} ms, p99 {:.2} ms, {} errors in {} requests {}",
                workload.name,
                measured.rps,
                measured.cpu_us.unwrap_or(f64::NAN),
                measured.p50_ms,
                measured.p99_ms,
                measured.errors,
                measured.requests,
                measured.note
            );
            rows.push(row(phase, backend, workload.name, c, n, measured));
        }
    }
    Ok(rows)
}

/// Runs `load` on `server` at concurrency `c` (`n` rows in the collection a walk reads),
/// with the server's CPU time a successful request.
pub async fn measure(
    config: &Config,
    server: &Server,
    load: Load,
    token: Option<&str>,
    c: u32,
    n: u64,
) -> anyhow::Result<Measured> {
    let before = server.cpu_seconds();
    let mut measured = match load {
        Load::Oha(request) => load::oha(&config.oha, &request, c, config.duration)?,
        Load::Walk(first) => load::walk(&first, token, c, config.duration, n).await?,
    };
    measured.cpu_us = match (before, server.cpu_seconds()) {
        (Some(before), Some(after)) if measured.succeeded > 0 => {
            Some((after - before) * 1e6 / measured.succeeded as f64)
        }
        _ => None,
    };
    Ok(measured)
}

async fn ceiling_round(
    config: &Config,
    ceiling: &Server,
    targets: &Targets,
    round: u32,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for name in workloads::CEILINGS {
        for c in CONCURRENCY {
            let load = workloads::ceiling_load(name, &ceiling.base, targets);
            let n = targets.macos_rows;
            let mut measured = measure(config, ceiling, load, None, c, n).await?;
            measured.note = format!("round {round}; {}", measured.note);
            let cpu = measured.cpu_us.unwrap_or(f64::NAN);
            eprintln!(
                "{name} c={c}: {:.0} req/s, {cpu:.1} µs of CPU a request",
                measured.rps
            );
            rows.push(row("ceiling", "-", name, c, n, measured));
        }
    }
    Ok(rows)
}

/// The rows of the scale series: a fresh data set grown step by step, the server
/// restarted at each; the steps in `fleet_scale` get a fleet of their size too (a tenant
/// of its own).
async fn scale_series(config: &Config) -> anyhow::Result<Vec<Row>> {
    let lg = fresh(config, "data-scale", None)?;
    let mut rows = Vec::new();
    for &n in &config.scale {
        let fleet = config.fleet_scale.contains(&n);
        let fleet_tenant = format!("b0000000-0000-4000-8000-{n:012}");
        let devices = if fleet { n } else { 0 };
        rows.extend(seed(&lg, "sqlite", n, devices, &fleet_tenant)?);
        let mut workloads: Vec<Workload> = workloads::SCALE.map(workloads::named).to_vec();
        let server = lg.serve(&config.out.join(format!("serve-{n}.log")), &NO_THROTTLING)?;
        let macos_token = lg.token(MACOS_TENANT)?;
        let fleet_token = lg.token(&fleet_tenant)?;
        let targets = if fleet {
            workloads.extend(workloads::FLEET_SCALE.map(workloads::named));
            Reader::new(&server.base, &macos_token, &fleet_token)
                .targets(n)
                .await?
        } else {
            Targets {
                macos_rows: n,
                devices: Vec::new(),
                script: String::new(),
            }
        };
        let served = Served {
            server,
            macos_token,
            fleet_token,
            targets,
        };
        let measured = measure_all(config, "scale", "sqlite", &served, &workloads, n).await?;
        let (rss, peak) = served.server.memory_mib();
        let data = lg.data_mib();
        rows.extend(measured.into_iter().map(|mut r| {
            r.memory = Some((rss, peak, data));
            r
        }));
    }
    Ok(rows)
}

/// One row of the report.
pub fn row(
    phase: &'static str,
    backend: &'static str,
    workload: &str,
    c: u32,
    n: u64,
    measured: Measured,
) -> Row {
    Row {
        phase,
        backend,
        workload: workload.to_string(),
        concurrency: c,
        rows: n,
        measured,
        ceiling: None,
        ceiling_rps: None,
        ceiling_cpu_us: None,
        memory: None,
    }
}

/// The default results directory: `bench/results` of the repository.
pub fn default_out() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results")
}

/// Runs `workloads` on a served data set (for the PostgreSQL table).
pub async fn measure_served(
    config: &Config,
    backend: &'static str,
    lg: &Localgraph,
    log: &Path,
    workloads: &[Workload],
) -> anyhow::Result<Vec<Row>> {
    let n = config.main_rows;
    let served = Served::start(lg, log, n).await?;
    measure_all(config, "main", backend, &served, workloads, n).await
}

/// The fleet's tenant of the main table.
pub fn fleet_tenant() -> &'static str {
    FLEET_TENANT
}
