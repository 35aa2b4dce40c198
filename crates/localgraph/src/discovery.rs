//! `localgraph openapi` and `localgraph metadata`: print a version's discovery documents,
//! generated from the bundled schema exactly as the server serves them.

use anyhow::{Context, anyhow};
use clap::Args;
use intune::{ApiVersion, Schema};

/// `localgraph metadata`: which version.
#[derive(Debug, Args)]
pub struct MetadataArgs {
    /// The API version: `v1.0` or `beta`. The CSDL names no server, so it is the same
    /// document every server serves at `{server}/{version}/$metadata`.
    #[arg(long, default_value = "v1.0")]
    pub version: String,
}

/// `localgraph openapi`: which version, and the server it names.
#[derive(Debug, Args)]
pub struct OpenapiArgs {
    /// The API version: `v1.0` or `beta`.
    #[arg(long, default_value = "v1.0")]
    pub version: String,
    /// The server URL the document's `servers` entry names (its paths are relative to
    /// `{server}/{version}`); a running server names the address a client used.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub server: String,
}

fn load(version: &str) -> anyhow::Result<(Schema, ApiVersion)> {
    let version = ApiVersion::parse(version)
        .ok_or_else(|| anyhow!("unknown version {version:?}: use v1.0 or beta"))?;
    let schema = Schema::load().context("the bundled schema is invalid")?;
    Ok((schema, version))
}

/// Prints the OpenAPI 3.1 document.
pub fn openapi(args: OpenapiArgs) -> anyhow::Result<()> {
    let (schema, version) = load(&args.version)?;
    let server = args.server.trim_end_matches('/');
    let document = server::discovery::openapi_document(&schema, version, server);
    println!("{}", serde_json::to_string_pretty(&document)?);
    Ok(())
}

/// Prints the CSDL (`$metadata`) document.
pub fn metadata(args: MetadataArgs) -> anyhow::Result<()> {
    let (schema, version) = load(&args.version)?;
    print!("{}", server::discovery::metadata_document(&schema, version));
    Ok(())
}
