//! The report: one row per measurement, with its ratios to the ceiling, printed as a table
//! and written as CSV.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::load::Measured;
use crate::workloads;

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Row {
    /// `main`, `scale`, `seed`, `throttled` or `ceiling`.
    pub phase: &'static str,
    /// `sqlite` or `postgres` (`-` for the ceiling).
    pub backend: &'static str,
    /// `W1` … `W12`, a ceiling (`C-summary`, …), or what was seeded (`macos`, `fleet`).
    pub workload: String,
    /// Connections (walkers, for W6).
    pub concurrency: u32,
    /// Rows in the collection.
    pub rows: u64,
    /// What was measured.
    pub measured: Measured,
    /// The ceiling the workload is a share of (`C-filter`, …).
    pub ceiling: Option<&'static str>,
    /// That ceiling's requests per second at the same concurrency.
    pub ceiling_rps: Option<f64>,
    /// That ceiling's CPU time a request at the same concurrency, microseconds.
    pub ceiling_cpu_us: Option<f64>,
    /// Server RSS and peak RSS (MiB, as [`crate::process::Server::memory_mib`] measures
    /// them), and data directory size (MiB), for scale rows.
    pub memory: Option<(f64, f64, f64)>,
}

impl Row {
    /// localgraph's throughput as a share of the ceiling's.
    pub fn ratio(&self) -> Option<f64> {
        self.ceiling_rps
            .filter(|c| *c > 0.0)
            .map(|c| self.measured.rps / c)
    }

    /// The ceiling's CPU time a request as a share of localgraph's: what the server's own
    /// work costs against the ceiling's, apart from the load generator's share of the cores.
    pub fn cpu_ratio(&self) -> Option<f64> {
        self.ceiling_cpu_us
            .zip(self.measured.cpu_us)
            .filter(|(_, own)| *own > 0.0)
            .map(|(ceiling, own)| ceiling / own)
    }
}

const HEADER: [&str; 18] = [
    "phase",
    "backend",
    "workload",
    "conc",
    "rows",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "ceiling",
    "ceiling req/s",
    "ratio",
    "cpu µs",
    "cpu ratio",
    "rss MiB",
    "peak MiB",
    "data MiB",
    "note",
];

fn cells(row: &Row) -> Vec<String> {
    let m = &row.measured;
    let opt = |v: Option<f64>, digits: usize| v.map_or("-".into(), |v| format!("{v:.digits$}"));
    vec![
        row.phase.to_string(),
        row.backend.to_string(),
        row.workload.clone(),
        row.concurrency.to_string(),
        row.rows.to_string(),
        format!("{:.0}", m.rps),
        format!("{:.2}", m.p50_ms),
        format!("{:.2}", m.p99_ms),
        m.errors.to_string(),
        row.ceiling.unwrap_or("-").to_string(),
        opt(row.ceiling_rps, 0),
        opt(row.ratio(), 3),
        opt(m.cpu_us, 1),
        opt(row.cpu_ratio(), 3),
        opt(row.memory.map(|m| m.0), 1),
        opt(row.memory.map(|m| m.1), 1),
        opt(row.memory.map(|m| m.2), 1),
        m.note.clone(),
    ]
}

/// The rows as a Markdown table (what the README shows).
pub fn table(rows: &[Row]) -> String {
    let body: Vec<Vec<String>> = rows.iter().map(cells).collect();
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|i| {
            body.iter()
                .map(|r| r[i].len())
                .chain([HEADER[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut out = String::from("|");
        for (cell, width) in cells.iter().zip(&widths) {
            let _ = write!(out, " {cell:width$} |");
        }
        out.push('\n');
        out
    };
    let header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    let mut out = line(&header);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&line(&rule));
    for row in &body {
        out.push_str(&line(row));
    }
    out
}

/// A ceiling's means over its rounds at one concurrency: requests per second, and CPU
/// time a request (of the rounds that measured it).
#[derive(Debug, Clone, Copy)]
pub struct CeilingMean {
    rps: f64,
    cpu_us: Option<f64>,
}

/// The workload's ceiling and its means at the row's concurrency.
pub fn attach_ceiling(r: &mut Row, means: &HashMap<(String, u32), CeilingMean>) {
    if matches!(r.phase, "ceiling" | "seed") {
        return;
    }
    if let Some(w) = workloads::ALL.iter().find(|w| w.name == r.workload) {
        r.ceiling = Some(w.ceiling);
        let mean = means.get(&(w.ceiling.to_string(), r.concurrency));
        r.ceiling_rps = mean.map(|m| m.rps);
        r.ceiling_cpu_us = mean.and_then(|m| m.cpu_us);
    }
}

/// The means of the ceiling's rounds, per ceiling and concurrency.
pub fn ceiling_means(rows: &[Row]) -> HashMap<(String, u32), CeilingMean> {
    let mut rounds: HashMap<(String, u32), Vec<&Row>> = HashMap::new();
    for r in rows.iter().filter(|r| r.phase == "ceiling") {
        rounds
            .entry((r.workload.clone(), r.concurrency))
            .or_default()
            .push(r);
    }
    let mean = |values: Vec<f64>| {
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    rounds
        .into_iter()
        .map(|(key, rounds)| {
            let rps = mean(rounds.iter().map(|r| r.measured.rps).collect()).unwrap_or(0.0);
            let cpu_us = mean(rounds.iter().filter_map(|r| r.measured.cpu_us).collect());
            (key, CeilingMean { rps, cpu_us })
        })
        .collect()
}

/// Writes the rows as CSV.
pub fn write_csv(rows: &[Row], path: &Path) -> std::io::Result<()> {
    let quote = |c: &str| {
        if c.contains([',', '"']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.to_string()
        }
    };
    let mut out = HEADER.join(",");
    out.push('\n');
    for row in rows {
        let line: Vec<String> = cells(row).iter().map(|c| quote(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    std::fs::write(path, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::row;

    /// A row of `phase` for `workload` at concurrency `c`.
    fn report_row(
        phase: &'static str,
        workload: &str,
        c: u32,
        rps: f64,
        cpu_us: Option<f64>,
    ) -> Row {
        let measured = Measured {
            rps,
            cpu_us,
            ..Measured::default()
        };
        row(phase, "sqlite", workload, c, 10, measured)
    }

    /// A workload's ratios are to the mean of its ceiling's rounds at its concurrency;
    /// a round without a CPU time leaves the CPU mean to the others.
    #[test]
    fn ratios_are_to_the_means_of_the_ceilings_rounds() {
        let mut rows = vec![
            report_row("ceiling", "C-summary", 32, 60_000.0, Some(15.0)),
            report_row("ceiling", "C-summary", 32, 40_000.0, Some(25.0)),
            report_row("ceiling", "C-summary", 32, 50_000.0, None),
            report_row("ceiling", "C-summary", 1, 9_000.0, Some(60.0)),
            report_row("main", "W1", 32, 20_000.0, Some(50.0)),
            report_row("main", "W1", 1, 4_500.0, None),
        ];
        let means = ceiling_means(&rows);
        for r in rows.iter_mut() {
            attach_ceiling(r, &means);
        }
        let w1 = &rows[4];
        assert_eq!(w1.ceiling, Some("C-summary"));
        assert_eq!(w1.ratio(), Some(0.4));
        assert_eq!(
            w1.cpu_ratio(),
            Some(0.4),
            "20 µs (the mean of 15 and 25) over 50"
        );
        assert_eq!(rows[5].ratio(), Some(0.5));
        assert_eq!(rows[5].cpu_ratio(), None, "no CPU time of its own");
        assert_eq!(rows[0].ratio(), None, "a ceiling has no ceiling");
    }
}
