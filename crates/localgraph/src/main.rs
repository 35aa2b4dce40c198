//! The `localgraph` command: `serve` runs the service; `export` and `import` move a data
//! set between databases; `token` and `client add` use the data directory's offline token
//! authority; `openapi` and `metadata` print a version's discovery documents; `seed` fills
//! a tenant with a realistic fleet, or synthetic rows for benchmarks.

mod authority;
mod database;
mod discovery;
mod dump;
mod fleet;
mod logs;
mod network;
mod seed;
mod serve;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// mimalloc rather than glibc's malloc: a request makes about a hundred small allocations,
/// and glibc's malloc and free were a third of a small read's instructions
/// (bench/HISTORY.md, step 7).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A local, faithful Microsoft Graph service for Intune status reports.
#[derive(Debug, Parser)]
#[command(name = "localgraph", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log lines (on stderr) as `text`, or as `json`: one object a line, with the request's
    /// fields (request id, route, tenant, app, query, 4xx reason) under "span".
    #[arg(long, global = true, env = "LOCALGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// Human-readable lines, the request's span fields before the message.
    Text,
    /// One JSON object a line.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the Graph API over HTTP (or HTTPS with --tls).
    Serve(serve::ServeArgs),
    /// Print the OpenAPI 3.1 document of a version (offline, from the bundled schema).
    Openapi(discovery::OpenapiArgs),
    /// Print the CSDL ($metadata) document of a version (offline, from the bundled schema).
    Metadata(discovery::MetadataArgs),
    /// Print an access token signed by the data directory's key (on the last line).
    Token(authority::TokenArgs),
    /// Manage confidential clients for the client_credentials flow.
    #[command(subcommand)]
    Client(authority::ClientCommand),
    /// Write the data set (every tenant, or one) to a JSONL file.
    Export(dump::ExportArgs),
    /// Read a JSONL file written by `export` into the data set.
    Import(dump::ImportArgs),
    /// Fill a tenant with a realistic fleet (--devices N), or synthetic rows for benchmarks.
    Seed(seed::SeedArgs),
}

/// The data directory, shared by every command.
#[derive(Debug, Clone, Args)]
pub struct DataDir {
    /// The data directory: the SQLite database (with the signing key and clients) and the
    /// TLS files.
    #[arg(long, env = "LOCALGRAPH_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // `serve` logs a line a request, written in batches; the other commands a few.
    let _logs = logs::init(cli.log_format, matches!(cli.command, Command::Serve(_)));
    match cli.command {
        Command::Serve(args) => tokio::runtime::Runtime::new()?.block_on(serve::run(args)),
        Command::Token(args) => tokio::runtime::Runtime::new()?.block_on(authority::token(args)),
        Command::Client(command) => {
            tokio::runtime::Runtime::new()?.block_on(authority::client(command))
        }
        Command::Export(args) => tokio::runtime::Runtime::new()?.block_on(dump::export(args)),
        Command::Import(args) => tokio::runtime::Runtime::new()?.block_on(dump::import(args)),
        Command::Openapi(args) => discovery::openapi(args),
        Command::Metadata(args) => discovery::metadata(args),
        Command::Seed(args) => tokio::runtime::Runtime::new()?.block_on(seed::run(args)),
    }
}
