//! The offline authority's endpoints, shaped like Entra ID's v2.0 ones so that SDK
//! credential flows work against localgraph: `POST /{tenant}/oauth2/v2.0/token`
//! (client_credentials with a client secret), `GET /{tenant}/discovery/v2.0/keys` and
//! `GET /{tenant}/v2.0/.well-known/openid-configuration`.

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::token::{GRAPH_APP_ID, GRAPH_RESOURCE, TokenSpec, issuer, valid_tenant};
use crate::AppState;
use crate::odata::base_url;
use odata::path::percent_decode;

/// The token endpoint's route (the router needs one parameter name per position, so the
/// tenant is `{version}` there, as in Graph's routes).
pub const TOKEN_ROUTE: &str = "/{version}/oauth2/v2.0/token";
/// The JWKS' route.
pub const KEYS_ROUTE: &str = "/{version}/discovery/v2.0/keys";
/// The OpenID configuration's route.
pub const OPENID_ROUTE: &str = "/{version}/v2.0/.well-known/openid-configuration";

/// Whether `path` is one of the authority's endpoints, for any tenant.
pub fn is_authority_path(path: &str) -> bool {
    let Some((tenant, _)) = path.strip_prefix('/').and_then(|p| p.split_once('/')) else {
        return false;
    };
    let rest = &path[1 + tenant.len()..];
    !tenant.is_empty()
        && [TOKEN_ROUTE, KEYS_ROUTE, OPENID_ROUTE]
            .iter()
            .any(|route| route.strip_prefix("/{version}") == Some(rest))
}

/// Lifetime of tokens from the token endpoint, as Entra ID's default.
const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// `POST /{tenant}/oauth2/v2.0/token`: the client_credentials grant.
pub async fn token(
    State(app): State<AppState>,
    uri: Uri,
    tenant: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(Path(tenant)) = tenant else {
        return unknown_tenant(&raw_tenant(&uri));
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            return aad_error(
                rejection.status(),
                "invalid_request",
                90100,
                &format!(
                    "The request body could not be read: {}.",
                    rejection.body_text()
                ),
            );
        }
    };
    let form: HashMap<String, String> = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(_) => {
            return aad_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'.",
            );
        }
    };
    let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let Some(grant_type) = field("grant_type") else {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        );
    };
    if grant_type != "client_credentials" {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!(
                "The app requested an unsupported grant type '{grant_type}'. localgraph issues tokens for client_credentials only; use `localgraph token` for delegated tokens."
            ),
        );
    }
    let scope = field("scope").unwrap_or_default();
    if !is_graph_default_scope(scope) {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            &format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI), here https://graph.microsoft.com/.default."
            ),
        );
    }
    let (client_id, secret) = match (field("client_id"), field("client_secret")) {
        (Some(id), Some(secret)) => (id.to_string(), secret.to_string()),
        _ => match basic_credentials(&headers) {
            Some(pair) => pair,
            None => {
                return aad_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    7000218,
                    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                );
            }
        },
    };
    let client = match app.auth.clients().get(&client_id).await {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the client registry");
            return aad_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "temporarily_unavailable",
                90033,
                "A transient error has occurred. Please try again.",
            );
        }
    };
    let client = match client {
        Some(client) if client.tenant.eq_ignore_ascii_case(&tenant) => client,
        _ => {
            return aad_error(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                700016,
                &format!(
                    "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been registered with `localgraph client add --tenant {tenant}`, or if you have sent your authentication request to the wrong tenant."
                ),
            );
        }
    };
    if !client.secret_matches(&secret) {
        return aad_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        );
    }
    let spec = TokenSpec {
        tenant: client.tenant.clone(),
        scopes: Vec::new(),
        roles: client.roles.clone(),
        ttl: TOKEN_LIFETIME,
        client_id: client.client_id.clone(),
    };
    match app.auth.signing_key().mint(&spec) {
        Ok(token) => {
            let seconds = TOKEN_LIFETIME.as_secs() - 1;
            let mut response = Json(json!({
                "token_type": "Bearer",
                "expires_in": seconds,
                "ext_expires_in": seconds,
                "access_token": token,
            }))
            .into_response();
            response
                .headers_mut()
                .insert(header::PRAGMA, header::HeaderValue::from_static("no-cache"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot sign a token");
            aad_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "temporarily_unavailable",
                90033,
                "A transient error has occurred. Please try again.",
            )
        }
    }
}

/// `GET /{tenant}/discovery/v2.0/keys`: the JWKS of localgraph's signing key.
pub async fn keys(
    State(app): State<AppState>,
    uri: Uri,
    tenant: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(tenant)) = tenant else {
        return unknown_tenant(&raw_tenant(&uri));
    };
    if !valid_tenant(&tenant) {
        return unknown_tenant(&tenant);
    }
    let issuer = issuer("{tenantid}");
    Json(json!({"keys": [app.auth.signing_key().jwk(&issuer)]})).into_response()
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`: where the token endpoint and
/// keys are, and the issuer the server accepts for the tenant.
pub async fn openid_configuration(
    uri: Uri,
    tenant: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let Ok(Path(tenant)) = tenant else {
        return unknown_tenant(&raw_tenant(&uri));
    };
    if !valid_tenant(&tenant) {
        return unknown_tenant(&tenant);
    }
    let base = base_url(&uri, &headers);
    let authority = format!("{base}/{tenant}");
    Json(json!({
        "token_endpoint": format!("{authority}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "jwks_uri": format!("{authority}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer(&tenant.to_ascii_lowercase()),
        "request_uri_parameter_supported": false,
        "authorization_endpoint": format!("{authority}/oauth2/v2.0/authorize"),
        "end_session_endpoint": format!("{authority}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "azp", "roles", "scp", "ver"],
        "grant_types_supported": ["client_credentials"],
        "tenant_region_scope": null,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
    }))
    .into_response()
}

/// Whether `scope` asks for Graph's `.default` (by URI or by app id).
fn is_graph_default_scope(scope: &str) -> bool {
    let mut scopes = scope.split_whitespace();
    let first = scopes.next().unwrap_or_default();
    let resource = first.strip_suffix("/.default").unwrap_or_default();
    scopes.next().is_none()
        && (resource
            .trim_end_matches('/')
            .eq_ignore_ascii_case(GRAPH_RESOURCE)
            || resource.eq_ignore_ascii_case(GRAPH_APP_ID))
}

/// `Authorization: Basic` client credentials (client_secret_basic).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
            .ok()
            .and_then(|mut v| v.pop())
            .map(|(_, v)| v)
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// The endpoints answer other methods as Entra ID does: 400 `invalid_request` (AADSTS900561).
pub async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let allowed = if uri.path().ends_with("/token") {
        "POST, OPTIONS"
    } else {
        "GET, OPTIONS"
    };
    aad_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900561,
        &format!("The endpoint only accepts {allowed} requests. Received a {method} request."),
    )
}

/// The first path segment as sent (percent escapes decoded, invalid UTF-8 shown as �).
fn raw_tenant(uri: &Uri) -> String {
    let first = uri.path().trim_start_matches('/').split('/').next();
    percent_decode(first.unwrap_or_default())
}

fn unknown_tenant(tenant: &str) -> Response {
    aad_error(
        StatusCode::BAD_REQUEST,
        "invalid_tenant",
        90002,
        &format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
        ),
    )
}

/// An error as Entra ID's token endpoint writes it: `error`, `error_description` (the
/// `AADSTS` code, the text, then trace id, correlation id and timestamp on lines of their
/// own), `error_codes`, `timestamp` (`2016-01-09 02:02:12Z`), `trace_id`,
/// `correlation_id` and `error_uri`.
fn aad_error(status: StatusCode, error: &str, code: u32, description: &str) -> Response {
    if status.is_client_error() {
        let reason = format!("{error} AADSTS{code}: {description}");
        crate::trace::record([("reason", Some(reason.as_str()))]);
    }
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    let timestamp = time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default();
    let body: Value = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {description}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}"),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_graphs_default_scope_is_granted() {
        assert!(is_graph_default_scope(
            "https://graph.microsoft.com/.default"
        ));
        assert!(is_graph_default_scope(
            "00000003-0000-0000-c000-000000000000/.default"
        ));
        assert!(!is_graph_default_scope(
            "https://graph.microsoft.com/User.Read"
        ));
        assert!(!is_graph_default_scope(
            "https://management.azure.com/.default"
        ));
        assert!(!is_graph_default_scope(""));
    }

    #[test]
    fn basic_client_credentials_are_read() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("id-1:s%3Acret");
        headers.insert(
            header::AUTHORIZATION,
            format!("Basic {encoded}").parse().unwrap(),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("id-1".into(), "s:cret".into()))
        );
    }
}
