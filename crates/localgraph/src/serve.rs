//! `localgraph serve`: open the data directory and serve until SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use server::AppState;
use store::{Catalog, SqlStore, SqliteExecutor};

/// Where to listen and where the data lives.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "LOCALGRAPH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The directory of the SQLite database (created if missing).
    #[arg(long, env = "LOCALGRAPH_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

/// Runs the server.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            args.data_dir.display()
        )
    })?;
    let schema = Arc::new(intune::Schema::load().context("the bundled schema is invalid")?);
    let catalog =
        Catalog::build(&schema.models()).context("the bundled schema has no storage layout")?;
    let database = args.data_dir.join("localgraph.sqlite");
    let executor = SqliteExecutor::open(&database)
        .await
        .with_context(|| format!("cannot open {}", database.display()))?;
    let store = SqlStore::open(catalog, executor)
        .await
        .context("cannot lay out the database")?;
    let state = AppState::new(Arc::new(store), schema)
        .await
        .context("cannot read the data set's settings")?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(database = %database.display(), tenant = %state.default_tenant, "data set open");
    println!("localgraph listening on http://{address}");
    println!("  try: curl http://{address}/v1.0/deviceManagement/softwareUpdateStatusSummary");
    server::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
