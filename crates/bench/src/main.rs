//! `localgraph-bench`: localgraph's benchmark suite (started by `bench/run`).
//!
//! - `run`: starts localgraph on loopback with a fresh data directory, seeds it, drives it
//!   with oha, measures the [`ceiling`] in the same run, and prints and writes the report.
//! - `ceiling`: the minimal in-memory server every figure is a ratio to.

mod ceiling;
mod load;
mod postgres;
mod process;
mod report;
mod run;
mod samples;
mod throttled;
mod workloads;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// localgraph's benchmark suite.
#[derive(Debug, Parser)]
#[command(name = "localgraph-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the workloads and the ceiling, print the table, write CSV.
    Run {
        /// Small data and short measurements (under 3 minutes).
        #[arg(long)]
        quick: bool,
        /// The localgraph binary (a release build).
        #[arg(long)]
        localgraph: PathBuf,
        /// The oha binary.
        #[arg(long)]
        oha: PathBuf,
        /// Where data directories, logs and results go.
        #[arg(long)]
        out: Option<PathBuf>,
        /// A PostgreSQL database to run the same workloads on (a schema of its own is
        /// made in it for the run, and dropped after).
        #[arg(long, env = "BENCH_DATABASE_URL")]
        database: Option<String>,
    },
    /// Serve the ceiling from memory.
    Ceiling {
        /// The address to listen on (loopback).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        /// localgraph's answers to repeat (written by `run`).
        #[arg(long)]
        samples: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    match Cli::parse().command {
        Command::Run {
            quick,
            localgraph,
            oha,
            out,
            database,
        } => {
            let out = out.unwrap_or_else(run::default_out);
            let config = if quick {
                run::Config::quick(localgraph, oha, out)
            } else {
                run::Config::full(localgraph, oha, out)
            };
            let config = run::Config { database, ..config };
            runtime.block_on(run::run(config)).map(drop)
        }
        Command::Ceiling { listen, samples } => {
            let text = std::fs::read(&samples)
                .with_context(|| format!("cannot read {}", samples.display()))?;
            let samples = serde_json::from_slice(&text).context("samples are not JSON")?;
            runtime.block_on(ceiling::serve(listen, samples))
        }
    }
}
