//! The `localgraph` command: `serve` runs the service; `openapi` and `metadata` print a
//! version's discovery documents.

mod discovery;
mod serve;

use clap::{Parser, Subcommand};

/// A local, faithful Microsoft Graph service for Intune status reports.
#[derive(Debug, Parser)]
#[command(name = "localgraph", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the Graph API over HTTP.
    Serve(serve::ServeArgs),
    /// Print the OpenAPI 3.1 document of a version.
    Openapi(discovery::DiscoveryArgs),
    /// Print the CSDL ($metadata) document of a version.
    Metadata(discovery::DiscoveryArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = tokio::runtime::Runtime::new()?;
    match cli.command {
        Command::Serve(args) => runtime.block_on(serve::run(args)),
        Command::Openapi(args) => discovery::openapi(args),
        Command::Metadata(args) => discovery::metadata(args),
    }
}
