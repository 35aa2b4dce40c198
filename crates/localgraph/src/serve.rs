//! `localgraph serve`: open the data directory and serve until SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use server::AppState;
use server::auth::{Auth, AuthMode, TokenSpec};
use server::control::{ControlDefaults, Profile, Throttling};
use store::Catalog;

use crate::DataDir;
use crate::database::{DatabaseArgs, Need, Purpose};
use crate::network::NetworkArgs;

/// How long the token `serve` prints at start is valid.
const START_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Where to listen, where the data lives, and how callers are checked.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "LOCALGRAPH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub data: DataDir,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub network: NetworkArgs,
    /// `on`: every request needs a valid token. `off`: no token, one default tenant, every
    /// permission (for quick experiments only).
    #[arg(long, env = "LOCALGRAPH_AUTH", value_enum, default_value_t = AuthArg::On)]
    pub auth: AuthArg,
    /// A JWKS file of another issuer whose tokens to accept (repeatable). An optional
    /// top-level "issuer" names the `iss` its tokens carry ({tenantid} = the token's tid).
    #[arg(long = "trust-jwks", value_name = "FILE")]
    pub trust_jwks: Vec<PathBuf>,
    /// Serve HTTPS with a local CA kept in the data directory (tls/ca.pem).
    #[arg(long)]
    pub tls: bool,
    /// Serve HTTPS with this certificate chain (PEM) instead of the local CA's.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// `intune`: Intune's documented limits per tenant and app (the default). `off`: none.
    /// A tenant can set its own through `PUT /_localgraph/throttling`.
    #[arg(long, env = "LOCALGRAPH_THROTTLING", value_enum, default_value_t = ThrottlingArg::Intune)]
    pub throttling: ThrottlingArg,
    /// `documented`: the documentation's and seed documents' answers (the default).
    /// `observed`: what real Intune answers. A tenant can set its own through
    /// `PUT /_localgraph/profile`.
    #[arg(long, env = "LOCALGRAPH_PROFILE", value_enum, default_value_t = ProfileArg::Documented)]
    pub profile: ProfileArg,
}

/// `--throttling`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ThrottlingArg {
    /// Intune's limits.
    Intune,
    /// No throttling.
    Off,
}

/// `--profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// As documented.
    Documented,
    /// As real Intune answers.
    Observed,
}

impl ServeArgs {
    fn control_defaults(&self) -> ControlDefaults {
        ControlDefaults {
            throttling: match self.throttling {
                ThrottlingArg::Intune => Throttling::Intune,
                ThrottlingArg::Off => Throttling::Off,
            },
            profile: match self.profile {
                ProfileArg::Documented => Profile::Documented,
                ProfileArg::Observed => Profile::Observed,
            },
        }
    }
}

/// `--auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    /// Tokens required (the default).
    On,
    /// No tokens: one tenant, every permission.
    Off,
}

/// Runs the server.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let data_dir = &args.data.data_dir;
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let mode = match args.auth {
        AuthArg::On => AuthMode::On,
        AuthArg::Off => AuthMode::Off,
    };
    let tls = match (&args.tls_cert, &args.tls_key, args.tls) {
        (Some(cert), Some(key), _) => Some((server::tls::server_config(cert, key)?, None)),
        (_, _, true) => {
            let ca = server::tls::ensure_local_ca(data_dir).context("cannot set up HTTPS")?;
            let config = server::tls::server_config(&ca.server_cert, &ca.server_key)?;
            Some((config, Some(ca.ca_cert)))
        }
        _ => None,
    };
    let schema = Arc::new(intune::Schema::load().context("the bundled schema is invalid")?);
    let catalog = Catalog::build(&schema).context("the bundled schema has no storage layout")?;
    let store = args
        .database
        .open(data_dir, catalog, Need::Create, Purpose::Serve)
        .await?;
    let auth = Auth::open(store.clone(), data_dir, mode, &args.trust_jwks)
        .await
        .context("cannot set up the token authority")?;
    let database = args.database.describe(data_dir);
    let defaults = args.control_defaults();
    let state = AppState::open(store, schema, Arc::new(auth), defaults)
        .await
        .context("cannot read the data set's settings")?
        .with_config(args.network.config());
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%database, tenant = %state.default_tenant, "data set open");
    let scheme = if tls.is_some() { "https" } else { "http" };
    let base = format!("{scheme}://{address}");
    println!("localgraph listening on {base}");
    if let Some(public) = &state.config.public_url {
        println!("  public URL (links in answers): {public}");
    }
    // How curl trusts the local CA: the `try:` line below uses it.
    let mut cacert = String::new();
    if let Some((_, Some(ca))) = &tls {
        let ca = std::path::absolute(ca).unwrap_or_else(|_| ca.clone());
        println!("  CA certificate: {}", ca.display());
        println!(
            "  trust it: curl --cacert {0}; Python (the Graph SDK and azure-identity): SSL_CERT_FILE={0} REQUESTS_CA_BUNDLE={0}; Node.js: NODE_EXTRA_CA_CERTS={0}; .NET and PowerShell: add it to the system store",
            ca.display()
        );
        cacert = format!("--cacert {} ", ca.display());
    }
    println!("  tenant: {}", state.default_tenant);
    println!(
        "  throttling: {} (each tenant can set its own: PUT /_localgraph/throttling)",
        match defaults.throttling {
            Throttling::Off => "off",
            _ => "intune (Intune's limits per tenant and app, 20 s windows)",
        }
    );
    println!("  profile: {}", defaults.profile.as_str());
    let url = format!("{base}/v1.0/deviceManagement/softwareUpdateStatusSummary");
    match mode {
        AuthMode::On => {
            let spec = TokenSpec::everything(&state.default_tenant, START_TOKEN_LIFETIME);
            let token = state
                .auth
                .signing_key()
                .mint(&spec)
                .context("cannot sign the start-up token")?;
            println!(
                "  token (every permission, valid 24 h; `localgraph token` makes more): {token}"
            );
            println!("  dashboard: {base}/#token={token}");
            println!("  try: curl {cacert}-H 'Authorization: Bearer {token}' {url}");
        }
        AuthMode::Off => {
            tracing::warn!(
                tenant = %state.default_tenant,
                "AUTH IS OFF: no token is checked; every request acts on the default tenant with every permission. Never expose this server."
            );
            println!(
                "  WARNING: --auth off: no token needed, every request has every permission on tenant {}",
                state.default_tenant
            );
            println!("  dashboard: {base}/");
            println!("  try: curl {cacert}{url}");
        }
    }
    match tls {
        Some((config, _)) => server::serve_tls(listener, config, state, shutdown_signal()).await?,
        None => server::serve(listener, state, shutdown_signal()).await?,
    }
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
