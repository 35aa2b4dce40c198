//! Tokens: every reason Graph refuses one (401 `InvalidAuthenticationToken` with its
//! message and `WWW-Authenticate`), what is accepted, other issuers, and `--auth off`.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use server::auth::Claims;

use crate::helpers::{Options, Reply, Session, TestApp, spec};

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const WWW_AUTHENTICATE: &str = r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000""#;

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The claims of a good token of every permission for the app's tenant.
fn good_claims(app: &TestApp) -> Claims {
    server::auth::TokenSpec::everything(&app.tenant, Duration::from_secs(3600)).claims()
}

/// Signs `claims` with the app's key, under `kid`.
fn sign(app: &TestApp, claims: &Claims, kid: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, app.key.encoding()).unwrap()
}

fn assert_401(reply: &Reply, message: &str) {
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(
        reply.error(),
        (
            "InvalidAuthenticationToken".to_string(),
            message.to_string()
        )
    );
    assert_eq!(reply.header("www-authenticate"), Some(WWW_AUTHENTICATE));
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body = reply.json();
    assert_eq!(
        body["error"]["innerError"]["request-id"].as_str(),
        reply.header("request-id")
    );
}

async fn get_with(app: &TestApp, token: &str) -> Reply {
    app.with_token(token).get(SUMMARY).await
}

#[tokio::test]
async fn a_request_without_a_token_is_refused_as_empty() {
    let app = TestApp::spawn().await;
    assert_401(
        &app.anonymous().get(SUMMARY).await,
        "Access token is empty.",
    );
    for header in ["Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "eyJhbGciOi"] {
        let reply = app
            .anonymous()
            .request("GET", SUMMARY, None, &[("Authorization", header)])
            .await;
        assert_401(&reply, "Access token is empty.");
    }
    // Every data route is covered, including unknown paths and the version root.
    assert_401(
        &app.anonymous().get("/beta/deviceManagement/nothing").await,
        "Access token is empty.",
    );
    assert_eq!(app.anonymous().get("/healthz").await.status, 200);
}

#[tokio::test]
async fn a_malformed_token_is_a_compact_token_parsing_failure() {
    let app = TestApp::spawn().await;
    let good = app.token.clone();
    let parts: Vec<&str> = good.split('.').collect();
    let not_json = URL_SAFE_NO_PAD.encode("not json");
    for token in [
        "abc".to_string(),
        "a.b".to_string(),
        "a.b.c.d".to_string(),
        "!!!.###.$$$".to_string(),
        format!("{not_json}.{}.{}", parts[1], parts[2]),
        format!("{}.{not_json}.{}", parts[0], parts[2]),
    ] {
        assert_401(
            &get_with(&app, &token).await,
            "CompactToken parsing failed with error code: 80049217",
        );
    }
}

#[tokio::test]
async fn a_bad_signature_or_an_unknown_key_is_a_validation_failure() {
    let app = TestApp::spawn().await;
    let parts: Vec<&str> = app.token.split('.').collect();
    // Another tenant's claims under this token's signature.
    let mut forged = good_claims(&app);
    forged.tid = Some("00000000-0000-0000-0000-00000000000b".into());
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    let unsigned = format!("{}.{}.", parts[0], parts[1]);
    let unknown_kid = sign(&app, &good_claims(&app), Some("no-such-key"));
    // HS256 "signed" with the public key id: no key of that algorithm is trusted.
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(app.key.kid().to_string());
    let hmac =
        jsonwebtoken::encode(&hs, &good_claims(&app), &EncodingKey::from_secret(b"guess")).unwrap();
    for token in [tampered, unsigned, unknown_kid, hmac] {
        assert_401(
            &get_with(&app, &token).await,
            "Access token validation failure.",
        );
    }
    // A token without a claim localgraph needs is not usable either.
    let mut no_tenant = good_claims(&app);
    no_tenant.tid = None;
    assert_401(
        &get_with(&app, &sign(&app, &no_tenant, Some(app.key.kid()))).await,
        "Access token validation failure.",
    );
}

#[tokio::test]
async fn lifetime_is_checked_with_a_minute_of_leeway() {
    let app = TestApp::spawn().await;
    let kid = Some(app.key.kid());
    let mut expired = good_claims(&app);
    expired.iat = Some(now() - 7200);
    expired.nbf = Some(now() - 7200);
    expired.exp = Some(now() - 3600);
    assert_401(
        &get_with(&app, &sign(&app, &expired, kid)).await,
        "Lifetime validation failed, the token is expired.",
    );
    let mut early = good_claims(&app);
    early.nbf = Some(now() + 3600);
    assert_401(
        &get_with(&app, &sign(&app, &early, kid)).await,
        "Lifetime validation failed, the token is not yet valid.",
    );
    let mut no_exp = good_claims(&app);
    no_exp.exp = None;
    assert_401(
        &get_with(&app, &sign(&app, &no_exp, kid)).await,
        "Access token validation failure.",
    );
    // Within the leeway: a clock a little off either way still works.
    let mut skewed = good_claims(&app);
    skewed.exp = Some(now() - 20);
    skewed.nbf = Some(now() + 20);
    assert_eq!(get_with(&app, &sign(&app, &skewed, kid)).await.status, 200);
}

#[tokio::test]
async fn a_token_valid_for_more_than_a_year_is_refused_however_it_was_signed() {
    let app = TestApp::spawn().await;
    let kid = Some(app.key.kid());
    let year = server::auth::token::MAX_TTL.as_secs() as i64;
    let too_long = "Lifetime validation failed, the token is valid for more than 365 days.";
    let with = |iat: Option<i64>, nbf: Option<i64>, exp: i64| {
        let mut claims = good_claims(&app);
        (claims.iat, claims.nbf, claims.exp) = (iat, nbf, Some(exp));
        sign(&app, &claims, kid)
    };
    // Signed by the data set's own key, as a `localgraph token` of an earlier version
    // with no cap on --ttl could be: never expiring, or a day over the year.
    for token in [
        with(Some(now()), Some(now()), i64::MAX),
        with(Some(now()), Some(now()), now() + year + 86_400),
        with(None, None, now() + year + 86_400),
        // A start far ahead (nbf) does not shorten a long lifetime.
        with(
            Some(now()),
            Some(now() + 10 * year),
            now() + 10 * year + 3600,
        ),
    ] {
        assert_401(&get_with(&app, &token).await, too_long);
    }
    // Issued far in the future with an hour to live from then: not valid yet.
    assert_401(
        &get_with(
            &app,
            &with(Some(now() + 10 * year), None, now() + 10 * year + 3600),
        )
        .await,
        "Lifetime validation failed, the token is not yet valid.",
    );
    // A year exactly, as `localgraph token --ttl 365d` makes, is accepted.
    let year_long = app.mint(&server::auth::TokenSpec::everything(
        &app.tenant,
        server::auth::token::MAX_TTL,
    ));
    assert_eq!(get_with(&app, &year_long).await.status, 200);
    assert_eq!(
        get_with(&app, &with(None, None, now() + 3600)).await.status,
        200
    );
}

#[tokio::test]
async fn the_audience_must_be_graph() {
    let app = TestApp::spawn().await;
    let kid = Some(app.key.kid());
    for aud in [
        json!("https://management.azure.com"),
        json!("api://my-app"),
        json!(["https://vault.azure.net"]),
        Value::Null,
    ] {
        let mut claims = good_claims(&app);
        claims.aud = aud.clone();
        assert_401(
            &get_with(&app, &sign(&app, &claims, kid)).await,
            "Access token validation failure. Invalid audience.",
        );
    }
    for aud in [
        json!("https://graph.microsoft.com"),
        json!("https://graph.microsoft.com/"),
        json!("00000003-0000-0000-c000-000000000000"),
        json!(["api://other", "https://graph.microsoft.com"]),
    ] {
        let mut claims = good_claims(&app);
        claims.aud = aud.clone();
        let reply = get_with(&app, &sign(&app, &claims, kid)).await;
        assert_eq!(reply.status, 200, "aud {aud}: {}", reply.text);
    }
}

#[tokio::test]
async fn the_issuer_must_be_the_authority_of_the_tokens_tenant() {
    let app = TestApp::spawn().await;
    let kid = Some(app.key.kid());
    let tenant = app.tenant.clone();
    for iss in [
        "https://login.microsoftonline.com/00000000-0000-0000-0000-00000000000b/v2.0".to_string(),
        format!("https://evil.example/{tenant}/v2.0"),
        String::new(),
    ] {
        let mut claims = good_claims(&app);
        claims.iss = iss;
        assert_401(
            &get_with(&app, &sign(&app, &claims, kid)).await,
            "Access token validation failure. Invalid issuer.",
        );
    }
    // Entra ID's v1.0 issuer form is the same authority.
    let mut v1 = good_claims(&app);
    v1.iss = format!("https://sts.windows.net/{tenant}/");
    assert_eq!(get_with(&app, &sign(&app, &v1, kid)).await.status, 200);
    // A token without `kid` is tried against every key of its algorithm.
    assert_eq!(
        get_with(&app, &sign(&app, &good_claims(&app), None))
            .await
            .status,
        200
    );
}

/// An ES256 authority of the test's own, as a team's test issuer would be.
struct ExternalIssuer {
    key: EncodingKey,
    jwks: Value,
}

impl ExternalIssuer {
    fn new(kid: &str, issuer: Option<&str>) -> ExternalIssuer {
        let pair = rcgen::KeyPair::generate().unwrap();
        let raw = pair.public_key_raw();
        assert_eq!(raw.len(), 65, "an uncompressed P-256 point");
        let mut jwks = json!({"keys": [{
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(&raw[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&raw[33..65]),
        }]});
        if let Some(issuer) = issuer {
            jwks["issuer"] = json!(issuer);
        }
        ExternalIssuer {
            key: EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()).unwrap(),
            jwks,
        }
    }

    fn sign(&self, kid: &str, claims: &Claims) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.to_string());
        jsonwebtoken::encode(&header, claims, &self.key).unwrap()
    }
}

#[tokio::test]
async fn tokens_of_a_trusted_external_issuer_are_accepted_es256_included() {
    let dir = tempfile::tempdir().unwrap();
    let team = ExternalIssuer::new("team-1", Some("https://sts.team.example/{tenantid}/"));
    let entra_like = ExternalIssuer::new("entra-1", None);
    let untrusted = ExternalIssuer::new("team-1", None);
    let mut trust = Vec::new();
    for (name, issuer) in [("team.json", &team), ("entra.json", &entra_like)] {
        let path = dir.path().join(name);
        std::fs::write(&path, issuer.jwks.to_string()).unwrap();
        trust.push(path);
    }
    let app = TestApp::spawn_with(Options {
        trust,
        ..Options::default()
    })
    .await;
    let mut claims = good_claims(&app);
    claims.iss = format!("https://sts.team.example/{}/", app.tenant);
    let accepted = get_with(&app, &team.sign("team-1", &claims)).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(accepted.json()["id"], app.tenant.as_str());
    // A key signs for its own issuer only.
    let mut wrong_issuer = good_claims(&app);
    wrong_issuer.iss = format!("https://sts.other.example/{}/", app.tenant);
    assert_401(
        &get_with(&app, &team.sign("team-1", &wrong_issuer)).await,
        "Access token validation failure. Invalid issuer.",
    );
    // Without an "issuer" the keys sign for Entra ID's forms.
    let entra = get_with(&app, &entra_like.sign("entra-1", &good_claims(&app))).await;
    assert_eq!(entra.status, 200, "{}", entra.text);
    // The same kid from a key nobody trusts.
    assert_401(
        &get_with(&app, &untrusted.sign("team-1", &claims)).await,
        "Access token validation failure.",
    );
}

#[tokio::test]
async fn refused_requests_change_nothing() {
    let app = TestApp::spawn().await;
    let summaries = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
    let read_only = app.mint(&spec(
        &app.tenant,
        &["DeviceManagementConfiguration.Read.All"],
        &[],
    ));
    let body = r#"{"displayName":"Should not exist","failedUpdateCount":3}"#;
    let patch = r#"{"compliantDeviceCount":99}"#;
    let sessions: [(Session, u16); 3] = [
        (app.anonymous(), 401),
        (app.with_token("x.y.z"), 401),
        (app.with_token(&read_only), 403),
    ];
    for (session, status) in sessions {
        assert_eq!(session.post(summaries, body).await.status, status);
        assert_eq!(session.patch(SUMMARY, patch).await.status, status);
        assert_eq!(session.delete(SUMMARY).await.status, status);
    }
    let list = app.get(summaries).await;
    assert_eq!(list.json()["value"], json!([]), "no entity was created");
    assert_eq!(app.get(SUMMARY).await.json()["compliantDeviceCount"], 0);
}

#[tokio::test]
async fn auth_off_needs_no_token_and_uses_the_default_tenant() {
    let app = TestApp::spawn_with(Options {
        auth_off: true,
        ..Options::default()
    })
    .await;
    let reply = app.anonymous().get(SUMMARY).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["id"], app.default_tenant.as_str());
    // Whatever token is sent, the tenant is the default one, with every permission.
    let other = app.mint(&spec("someone-else", &["User.Read"], &[]));
    let patched = app
        .with_token(&other)
        .patch(SUMMARY, r#"{"errorDeviceCount":5}"#)
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["id"], app.default_tenant.as_str());
}
