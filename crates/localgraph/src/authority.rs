//! `localgraph token` and `localgraph client add`: the offline authority from the command
//! line, with the signing key and clients of the data set `serve` uses. Both refuse where
//! there is no data set (rather than make a key no server knows).

use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::json;
use server::auth::token::{CLI_CLIENT_ID, parse_tenant, parse_ttl};
use server::auth::{Clients, SigningKey, TokenSpec};

use crate::DataDir;
use crate::database::{DatabaseArgs, Need};

/// What the token grants.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The tenant (`tid`): whose data the token reaches.
    #[arg(long, value_parser = parse_tenant)]
    pub tenant: String,
    /// A delegated permission (`scp`), e.g. DeviceManagementConfiguration.Read.All. Repeatable.
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// An application permission (`roles`). Repeatable. Without --scope and --role the
    /// token is app-only with every permission localgraph knows.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    /// How long the token is valid: 90s, 30m, 1h, 2d; 365d at most.
    #[arg(long, default_value = "1h", value_parser = parse_ttl)]
    pub ttl: std::time::Duration,
    /// Print {"access_token","token_type","expires_in","tenant"} instead of the bare token.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataDir,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `localgraph client …`.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client; prints its id and its secret (shown once).
    Add(ClientAddArgs),
}

/// A new client's tenant and permissions.
#[derive(Debug, Args)]
pub struct ClientAddArgs {
    /// The tenant the client belongs to; its tokens carry it as `tid`.
    #[arg(long, value_parser = parse_tenant)]
    pub tenant: String,
    /// An application permission its tokens carry in `roles`. Repeatable.
    #[arg(long = "role", value_name = "ROLE", required = true)]
    pub roles: Vec<String>,
    /// Print {"client_id","client_secret","tenant","roles","token_path"} for scripts.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataDir,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Prints a token: the token alone on stdout (or `--json`), a description on stderr.
pub async fn token(args: TokenArgs) -> anyhow::Result<()> {
    let data_dir = &args.data.data_dir;
    let store = args.database.open_bundled(data_dir, Need::Existing).await?;
    let key = SigningKey::open(store.as_ref(), data_dir)
        .await
        .context("cannot open the token signing key")?;
    let mut spec = TokenSpec {
        tenant: args.tenant.clone(),
        scopes: args.scopes,
        roles: args.roles,
        ttl: args.ttl,
        client_id: CLI_CLIENT_ID.to_string(),
    };
    if spec.scopes.is_empty() && spec.roles.is_empty() {
        spec = TokenSpec::everything(&args.tenant, args.ttl);
    }
    warn_unknown(spec.scopes.iter().chain(&spec.roles));
    let kind = if spec.scopes.is_empty() {
        format!("app-only, roles: {}", spec.roles.join(" "))
    } else {
        format!("delegated, scp: {}", spec.scopes.join(" "))
    };
    let claims = spec.claims();
    let token = key.sign(&claims).context("cannot sign the token")?;
    // What the token says, not what was asked for.
    let expires_in = claims.exp.unwrap_or_default() - claims.iat.unwrap_or_default();
    let tenant = spec.tenant.to_ascii_lowercase();
    eprintln!("# tenant {tenant}, {kind}, valid {expires_in} s");
    if args.json {
        let answer = json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "tenant": tenant,
        });
        println!("{answer}");
    } else {
        println!("{token}");
    }
    Ok(())
}

/// Runs a `client` subcommand.
pub async fn client(command: ClientCommand) -> anyhow::Result<()> {
    match command {
        ClientCommand::Add(args) => {
            warn_unknown(args.roles.iter());
            let data_dir = &args.data.data_dir;
            let store = args.database.open_bundled(data_dir, Need::Existing).await?;
            let (client, secret) = Clients::new(store)
                .add(&args.tenant, &args.roles)
                .await
                .context("cannot register the client")?;
            let token_path = format!("/{}/oauth2/v2.0/token", client.tenant);
            if args.json {
                let answer = json!({
                    "client_id": client.client_id,
                    "client_secret": secret,
                    "tenant": client.tenant,
                    "roles": client.roles,
                    "token_path": token_path,
                });
                println!("{answer}");
                return Ok(());
            }
            println!("client id: {}", client.client_id);
            println!("tenant: {}", client.tenant);
            println!("roles: {}", client.roles.join(" "));
            println!("token endpoint: {token_path}");
            println!("client secret (shown once; only its hash is kept): {secret}");
            Ok(())
        }
    }
}

/// Names the permissions localgraph's table does not know (likely typos) on stderr.
fn warn_unknown<'a>(names: impl Iterator<Item = &'a String>) {
    let known = intune::Permissions::bundled().all();
    for name in names {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            eprintln!("note: no localgraph resource needs '{name}'");
        }
    }
}
