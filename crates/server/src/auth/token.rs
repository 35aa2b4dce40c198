//! What a token says ([`Claims`]), whose issuers a key may sign for ([`Issuers`]), and
//! minting: the one place where localgraph's tokens are made, for the CLI, the token
//! endpoint, `serve`'s start-up token and the tests.

use std::time::Duration;

use jsonwebtoken::{Algorithm, Header};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::keys::SigningKey;

/// Graph's resource URI, the `aud` localgraph puts in its tokens.
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
/// Graph's application id, the other `aud` Graph accepts.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// The client id of tokens made by `localgraph token` and `serve` (no registered client).
pub const CLI_CLIENT_ID: &str = "6c6f6361-6c67-7261-7068-2d636c690000";

/// The issuer of localgraph's tokens for a tenant: Entra ID's v2.0 form, so tokens look
/// like the real ones and the openid-configuration can name it.
pub fn issuer(tenant: &str) -> String {
    format!("https://login.microsoftonline.com/{tenant}/v2.0")
}

/// Whether a tenant id can be used: a GUID or a name of letters, digits, `.` and `-`, as
/// Entra ID's tenant path segment allows.
pub fn valid_tenant(tenant: &str) -> bool {
    !tenant.is_empty()
        && tenant.len() <= 64
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// The issuers a key signs for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issuers {
    /// Entra ID's forms for the token's tenant: `https://login.microsoftonline.com/{tid}/v2.0`
    /// and `https://sts.windows.net/{tid}/`.
    Microsoft,
    /// One issuer; `{tenantid}` in it stands for the token's `tid`.
    Exact(String),
}

impl Issuers {
    /// Whether a token of tenant `tid` may carry `iss`.
    pub fn accepts(&self, iss: &str, tid: &str) -> bool {
        match self {
            Issuers::Microsoft => {
                iss.eq_ignore_ascii_case(&issuer(tid))
                    || iss.eq_ignore_ascii_case(&format!("https://sts.windows.net/{tid}/"))
            }
            Issuers::Exact(pattern) => pattern.replace("{tenantid}", tid) == iss,
        }
    }
}

/// The claims of an access token that localgraph reads or writes. `aud` may be a string
/// or an array of strings (JWT allows both).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Claims {
    /// The audience.
    #[serde(default)]
    pub aud: Value,
    /// The issuer.
    #[serde(default)]
    pub iss: String,
    /// Issued at (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not before (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Expires (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// The client application (v1.0 name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// The client application (v2.0 name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// `"app"` on app-only tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idtyp: Option<String>,
    /// The object id of the user or service principal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    /// Application permissions (app-only tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Delegated permissions, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    /// The subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The tenant: whose data the token reaches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
    /// Token id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uti: Option<String>,
    /// Token format version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ver: Option<String>,
}

/// What a new token grants.
#[derive(Debug, Clone)]
pub struct TokenSpec {
    /// The tenant (`tid`).
    pub tenant: String,
    /// Delegated permissions (`scp`); a token with any is a delegated token.
    pub scopes: Vec<String>,
    /// Application permissions (`roles`).
    pub roles: Vec<String>,
    /// How long it is valid.
    pub ttl: Duration,
    /// The client application (`appid`, `azp`).
    pub client_id: String,
}

impl TokenSpec {
    /// An app-only token of every permission localgraph knows, from the CLI's client.
    pub fn everything(tenant: &str, ttl: Duration) -> TokenSpec {
        TokenSpec {
            tenant: tenant.to_string(),
            scopes: Vec::new(),
            roles: intune::Permissions::bundled()
                .all()
                .into_iter()
                .map(str::to_string)
                .collect(),
            ttl,
            client_id: CLI_CLIENT_ID.to_string(),
        }
    }

    /// The claims of a token issued now.
    pub fn claims(&self) -> Claims {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let tenant = self.tenant.to_ascii_lowercase();
        let delegated = !self.scopes.is_empty();
        // The object id is stable per tenant and client, as a service principal's is.
        let oid = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("localgraph:{tenant}:{}", self.client_id).as_bytes(),
        )
        .to_string();
        Claims {
            aud: Value::String(GRAPH_RESOURCE.into()),
            iss: issuer(&tenant),
            iat: Some(now),
            nbf: Some(now),
            exp: Some(now.saturating_add(i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX))),
            appid: Some(self.client_id.clone()),
            azp: Some(self.client_id.clone()),
            idtyp: (!delegated).then(|| "app".to_string()),
            oid: Some(oid.clone()),
            roles: (!self.roles.is_empty() || !delegated).then(|| self.roles.clone()),
            scp: delegated.then(|| self.scopes.join(" ")),
            sub: Some(oid),
            tid: Some(tenant),
            uti: Some(uuid::Uuid::new_v4().simple().to_string()),
            ver: Some("2.0".into()),
        }
    }
}

impl SigningKey {
    /// Signs a token with this key (RS256, `kid` in the header).
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid().to_string());
        jsonwebtoken::encode(&header, claims, self.encoding())
    }

    /// A new token as `spec` describes.
    pub fn mint(&self, spec: &TokenSpec) -> Result<String, jsonwebtoken::errors::Error> {
        self.sign(&spec.claims())
    }
}

/// The longest lifetime a token may have: a year. `localgraph token --ttl` makes none
/// longer, and verification refuses longer ones whoever signed them
/// ([`super::verify::check_lifetime`]): up to a lifetime past the end of Unix time, they
/// would be tokens that never expire.
pub const MAX_TTL: Duration = Duration::from_secs(365 * 86_400);

/// Why a tenant id is refused: the rule [`valid_tenant`] checks, in words.
pub const TENANT_RULE: &str =
    "a tenant id is a GUID or a name of letters, digits, '.' and '-' (64 at most)";

/// Reads a tenant id given on the command line, checked by [`valid_tenant`] (the one rule
/// for every command that takes `--tenant`), so nothing is written for a tenant no token
/// can name.
pub fn parse_tenant(text: &str) -> Result<String, String> {
    if valid_tenant(text) {
        Ok(text.to_string())
    } else {
        Err(TENANT_RULE.to_string())
    }
}

/// Reads a duration such as `90s`, `30m`, `1h`, `2d` or `3600` (seconds), at most
/// [`MAX_TTL`].
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let number: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration such as 90s, 30m, 1h or 2d"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("'{text}': the unit is one of s, m, h, d")),
    };
    match number.checked_mul(seconds) {
        Some(0) => Err(format!("'{text}' is not a usable lifetime")),
        Some(total) if total <= MAX_TTL.as_secs() => Ok(Duration::from_secs(total)),
        _ => Err(format!(
            "'{text}' is longer than a token may live: {}d at most",
            MAX_TTL.as_secs() / 86_400
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_like_people_write_them() {
        assert_eq!(parse_ttl("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_ttl("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_ttl("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_ttl("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(parse_ttl("600"), Ok(Duration::from_secs(600)));
        assert!(parse_ttl("0h").is_err());
        assert!(parse_ttl("1w").is_err());
        assert!(parse_ttl("h").is_err());
        assert_eq!(parse_ttl("365d"), Ok(MAX_TTL));
        for too_long in [
            "366d",
            "31536001s",
            "18446744073709551615s",
            "18446744073709551615d",
        ] {
            assert_eq!(
                parse_ttl(too_long),
                Err(format!(
                    "'{too_long}' is longer than a token may live: 365d at most"
                ))
            );
        }
    }

    #[test]
    fn issuers_follow_the_tenant() {
        let t = "0b6f0b1c-0000-4000-8000-000000000001";
        assert!(Issuers::Microsoft.accepts(&issuer(t), t));
        assert!(Issuers::Microsoft.accepts(&format!("https://sts.windows.net/{t}/"), t));
        assert!(!Issuers::Microsoft.accepts(&issuer("other"), t));
        let exact = Issuers::Exact("https://id.example/{tenantid}".into());
        assert!(exact.accepts(&format!("https://id.example/{t}"), t));
        assert!(!exact.accepts(&issuer(t), t));
        assert!(valid_tenant(t) && valid_tenant("contoso.onmicrosoft.com"));
        assert!(!valid_tenant("") && !valid_tenant("a/b") && !valid_tenant("a b"));
        assert_eq!(
            parse_tenant("Contoso.example"),
            Ok("Contoso.example".into())
        );
        for refused in ["A B", "x'y\"z", &"a".repeat(100)] {
            assert_eq!(parse_tenant(refused), Err(TENANT_RULE.into()), "{refused}");
        }
    }
}
