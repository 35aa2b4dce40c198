//! Driving load: `oha` (from crates.io) for request/response workloads, and a small
//! `@odata.nextLink` walker for W6, which no load generator can do (each request is the
//! previous answer's link). Both target 127.0.0.1 only and stop by themselves.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;

/// What one measurement gave.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// Successful requests per second.
    pub rps: f64,
    /// Median latency, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency, milliseconds.
    pub p99_ms: f64,
    /// Requests answered with a status outside 2xx, or failed.
    pub errors: u64,
    /// Requests made.
    pub requests: u64,
    /// Requests answered with a 2xx (for a walk: pages that arrived whole).
    pub succeeded: u64,
    /// The server's CPU time (user and system, every thread) per successful request,
    /// microseconds: what a request costs the server, which the load generator sharing
    /// the machine's cores does not change as much as it changes requests per second.
    pub cpu_us: Option<f64>,
    /// Anything worth knowing (e.g. the rows each full walk saw).
    pub note: String,
}

/// The URLs oha requests.
#[derive(Debug, Clone)]
pub enum Urls {
    /// One URL.
    One(String),
    /// A regular expression oha expands per request (random ids).
    Pattern(String),
    /// These URLs, taken in turn.
    List(Vec<String>),
}

/// One HTTP request shape for oha.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, `PATCH`.
    pub method: &'static str,
    /// The URLs.
    pub urls: Urls,
    /// A JSON body.
    pub body: Option<String>,
    /// A bearer token.
    pub token: Option<String>,
}

/// Runs oha for `duration` at `concurrency` connections and reads its JSON summary.
pub fn oha(
    oha: &Path,
    request: &Request,
    concurrency: u32,
    duration: Duration,
) -> anyhow::Result<Measured> {
    let mut command = Command::new(oha);
    command
        .args(["--no-tui", "--output-format", "json"])
        .args(["-c", &concurrency.to_string()])
        .args(["-z", &format!("{}ms", duration.as_millis())])
        .args(["-m", request.method]);
    if let Some(token) = &request.token {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    if let Some(body) = &request.body {
        command.args(["-T", "application/json", "-d", body]);
    }
    let list = std::env::temp_dir().join(format!("localgraph-bench-{}.urls", std::process::id()));
    match &request.urls {
        Urls::One(url) => command.arg(url),
        Urls::Pattern(pattern) => command.arg("--rand-regex-url").arg(pattern),
        Urls::List(urls) => {
            std::fs::write(&list, urls.join("\n"))?;
            command.arg("--urls-from-file").arg(&list)
        }
    };
    let output = command
        .output()
        .with_context(|| format!("cannot run {}", oha.display()));
    let _ = std::fs::remove_file(&list);
    let output = output?;
    if !output.status.success() {
        bail!("oha failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let json: Value = serde_json::from_slice(&output.stdout).context("oha printed no JSON")?;
    let number = |v: &Value| v.as_f64().unwrap_or(0.0);
    let statuses = json["statusCodeDistribution"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let ok: u64 = statuses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .map(|(_, n)| n.as_u64().unwrap_or(0))
        .sum();
    let not_ok: u64 = statuses
        .iter()
        .filter(|(code, _)| !code.starts_with('2'))
        .map(|(_, n)| n.as_u64().unwrap_or(0))
        .sum();
    // Requests cut off by the end of the run are not the server's errors.
    let failed: u64 = json["errorDistribution"]
        .as_object()
        .map(|errors| {
            errors
                .iter()
                .filter(|(e, _)| !e.contains("deadline"))
                .map(|(_, n)| n.as_u64().unwrap_or(0))
                .sum()
        })
        .unwrap_or(0);
    let total = number(&json["summary"]["total"]).max(f64::EPSILON);
    Ok(Measured {
        rps: ok as f64 / total,
        p50_ms: number(&json["latencyPercentiles"]["p50"]) * 1000.0,
        p99_ms: number(&json["latencyPercentiles"]["p99"]) * 1000.0,
        errors: not_ok + failed,
        requests: ok + not_ok + failed,
        succeeded: ok,
        cpu_us: None,
        note: String::new(),
    })
}

/// Walks `first` and its `@odata.nextLink`s with `concurrency` walkers until `duration`
/// has passed (at least one full walk is finished first, within ten times `duration`).
/// Each finished walk's row count is checked against `expect_rows`.
pub async fn walk(
    first: &str,
    token: Option<&str>,
    concurrency: u32,
    duration: Duration,
    expect_rows: u64,
) -> anyhow::Result<Measured> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency as usize)
        .build()?;
    let started = Instant::now();
    let mut walkers = tokio::task::JoinSet::new();
    for walker in 0..concurrency {
        let (client, first) = (client.clone(), first.to_string());
        let token = token.map(str::to_string);
        walkers.spawn(async move {
            let mut latencies = Vec::new();
            let (mut errors, mut walks, mut wrong) = (0u64, 0u64, 0u64);
            'walks: loop {
                let (mut url, mut rows) = (Some(first.clone()), 0u64);
                while let Some(next) = url.take() {
                    let elapsed = started.elapsed();
                    let must_finish = walker == 0 && walks == 0 && elapsed < duration * 10;
                    if elapsed >= duration && !must_finish {
                        break 'walks;
                    }
                    let sent = Instant::now();
                    let mut request = client.get(&next);
                    if let Some(token) = &token {
                        request = request.bearer_auth(token);
                    }
                    let page: Option<Value> = match request.send().await {
                        Ok(r) if r.status().is_success() => r.json().await.ok(),
                        _ => None,
                    };
                    latencies.push(sent.elapsed());
                    let Some(page) = page else {
                        errors += 1;
                        continue 'walks;
                    };
                    rows += page["value"].as_array().map_or(0, |v| v.len() as u64);
                    url = page["@odata.nextLink"].as_str().map(str::to_string);
                }
                walks += 1;
                if rows != expect_rows {
                    wrong += 1;
                }
            }
            (latencies, errors, walks, wrong)
        });
    }
    let (mut latencies, mut errors, mut walks, mut wrong) = (Vec::new(), 0, 0, 0);
    while let Some(result) = walkers.join_next().await {
        let (l, e, w, x) = result?;
        latencies.extend(l);
        errors += e;
        walks += w;
        wrong += x;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let requests = latencies.len() as u64;
    Ok(Measured {
        rps: (requests - errors) as f64 / elapsed,
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
        errors: errors + wrong,
        requests,
        succeeded: requests - errors,
        cpu_us: None,
        note: format!("{walks} full walks of {expect_rows} rows ({wrong} wrong)"),
    })
}
