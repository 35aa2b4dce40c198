//! `localgraph openapi` and `localgraph metadata`: print a version's discovery documents,
//! generated from the bundled schema exactly as the server serves them.

use anyhow::{Context, anyhow};
use clap::Args;
use intune::{ApiVersion, Schema};

/// Which version, and where its server is.
#[derive(Debug, Args)]
pub struct DiscoveryArgs {
    /// The API version: `v1.0` or `beta`.
    #[arg(long, default_value = "v1.0")]
    pub version: String,
    /// The server the OpenAPI document names (its paths are relative to `{server}/{version}`).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub server: String,
}

fn load(args: &DiscoveryArgs) -> anyhow::Result<(Schema, ApiVersion)> {
    let version = ApiVersion::parse(&args.version)
        .ok_or_else(|| anyhow!("unknown version {:?}: use v1.0 or beta", args.version))?;
    let schema = Schema::load().context("the bundled schema is invalid")?;
    Ok((schema, version))
}

/// Prints the OpenAPI 3.1 document.
pub fn openapi(args: DiscoveryArgs) -> anyhow::Result<()> {
    let (schema, version) = load(&args)?;
    let server = args.server.trim_end_matches('/');
    let document = server::discovery::openapi_document(&schema, version, server);
    println!("{}", serde_json::to_string_pretty(&document)?);
    Ok(())
}

/// Prints the CSDL (`$metadata`) document.
pub fn metadata(args: DiscoveryArgs) -> anyhow::Result<()> {
    let (schema, version) = load(&args)?;
    print!("{}", server::discovery::metadata_document(&schema, version));
    Ok(())
}
