//! Verifying a bearer token: its shape, key and signature, then audience, issuer and
//! lifetime, each failure with the message Graph gives for it.

use axum::http::HeaderValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Validation, decode, decode_header};
use serde_json::Value;

use super::keys::KeySet;
use super::token::{Claims, GRAPH_APP_ID, GRAPH_RESOURCE, MAX_TTL, valid_tenant};

/// Clock skew tolerated on `exp`, `nbf` and `iat`, and on a lifetime measured from now, in
/// seconds.
pub const LEEWAY_SECONDS: i64 = 60;

/// Why a token is refused: Graph's 401 `InvalidAuthenticationToken`, with its messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No `Authorization: Bearer …` header, or an empty token.
    #[error("Access token is empty.")]
    Empty,
    /// Not a compact JWS (three base64url parts with JSON header and claims).
    #[error("CompactToken parsing failed with error code: 80049217")]
    Malformed,
    /// No trusted key has its `kid`, the signature does not verify, or a claim localgraph
    /// needs (`tid`, `exp`) is missing or unusable: which, for the log only.
    #[error("Access token validation failure.")]
    Invalid(InvalidToken),
    /// `aud` is not Graph.
    #[error("Access token validation failure. Invalid audience.")]
    Audience,
    /// `iss` is not one the signing key signs for.
    #[error("Access token validation failure. Invalid issuer.")]
    Issuer,
    /// `exp` has passed.
    #[error("Lifetime validation failed, the token is expired.")]
    Expired,
    /// `nbf` is still ahead.
    #[error("Lifetime validation failed, the token is not yet valid.")]
    NotYetValid,
    /// `iat` is still ahead: a token issued in the future is not valid yet either (else
    /// its `exp` could be any time after it, whatever the lifetime).
    #[error("Lifetime validation failed, the token is not yet valid.")]
    NotYetIssued,
    /// It is valid for longer than [`MAX_TTL`] (`exp - iat`, or `exp - now` without
    /// `iat`): a token that all but never expires, which no authority issues. Graph has
    /// no such check on record; the message follows its lifetime messages.
    #[error(
        "Lifetime validation failed, the token is valid for more than {} days.",
        MAX_TTL.as_secs() / 86_400
    )]
    TooLong,
}

/// Which check inside Graph's "Access token validation failure." a token failed. Graph
/// tells the client no more; the request's log line says which (`reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidToken {
    /// No trusted key has the token's `kid` (or, without one, its algorithm): a token of
    /// another data set, or of a key made since.
    UnknownKey,
    /// A key with its `kid` is trusted, but the signature does not verify with it.
    Signature,
    /// The claims are not what a token's claims are (a claim of the wrong type).
    Claims,
    /// No `tid`, or one that cannot be a tenant.
    Tenant,
    /// No `exp`.
    Expiry,
}

impl TokenError {
    /// Which check failed, in words for the log (the client gets Graph's message).
    pub fn reason(&self) -> &'static str {
        match self {
            TokenError::Empty => "no bearer token",
            TokenError::Malformed => "not a JWT",
            TokenError::Invalid(InvalidToken::UnknownKey) => "unknown signing key",
            TokenError::Invalid(InvalidToken::Signature) => "bad signature",
            TokenError::Invalid(InvalidToken::Claims) => "unusable claims",
            TokenError::Invalid(InvalidToken::Tenant) => "no valid tid claim",
            TokenError::Invalid(InvalidToken::Expiry) => "no exp claim",
            TokenError::Audience => "audience is not Graph",
            TokenError::Issuer => "issuer not accepted for the signing key",
            TokenError::Expired => "expired",
            TokenError::NotYetValid => "not yet valid (nbf)",
            TokenError::NotYetIssued => "issued in the future (iat)",
            TokenError::TooLong => "valid for longer than a token may be (exp - iat)",
        }
    }
}

/// The bearer token of an `Authorization` header value.
pub fn bearer(header: Option<&HeaderValue>) -> Result<&[u8], TokenError> {
    // Bytes, not `to_str`: the token is looked up among the verified ones as it is, and
    // only a new one is checked as text (checking each byte of a kilobyte token on every
    // request was a percent of a small read).
    let value = header.ok_or(TokenError::Empty)?.as_bytes().trim_ascii();
    let (scheme, token) = match value.iter().position(|&b| b == b' ') {
        Some(at) => (&value[..at], &value[at + 1..]),
        None => (value, &b""[..]),
    };
    let token = token.trim_ascii();
    if !scheme.eq_ignore_ascii_case(b"bearer") || token.is_empty() {
        return Err(TokenError::Empty);
    }
    Ok(token)
}

/// Verifies `token` against `keys` at `now` (Unix seconds) and returns its claims.
pub fn verify(keys: &KeySet, token: &str, now: i64) -> Result<Claims, TokenError> {
    let claims = verify_untimed(keys, token)?;
    check_lifetime(&claims, now)?;
    Ok(claims)
}

/// Every check but the lifetime: shape, key and signature, audience, issuer (in that
/// order). Its answer depends only on the token and the keys, so it can be remembered.
pub fn verify_untimed(keys: &KeySet, token: &str) -> Result<Claims, TokenError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [_, payload, _] = parts[..] else {
        return Err(TokenError::Malformed);
    };
    let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
    // The claims must be a JSON object before any key is tried: a token that is not one
    // is a parsing failure, not a signature failure.
    let claims_json = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice::<serde_json::Map<String, Value>>(&claims_json)
        .map_err(|_| TokenError::Malformed)?;
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let mut verified = None;
    let candidates = keys.candidates(header.kid.as_deref(), header.alg);
    let unverified = if candidates.is_empty() {
        InvalidToken::UnknownKey
    } else {
        InvalidToken::Signature
    };
    for key in candidates {
        match decode::<Claims>(token, &key.key, &validation) {
            Ok(data) => {
                verified = Some((data.claims, key));
                break;
            }
            Err(e) if matches!(e.kind(), ErrorKind::InvalidSignature) => continue,
            Err(e) if is_shape_error(e.kind()) => return Err(TokenError::Malformed),
            Err(_) => return Err(TokenError::Invalid(InvalidToken::Claims)),
        }
    }
    let (claims, key) = verified.ok_or(TokenError::Invalid(unverified))?;
    if !audience_is_graph(&claims.aud) {
        return Err(TokenError::Audience);
    }
    let tid = claims
        .tid
        .as_deref()
        .filter(|t| valid_tenant(t))
        .ok_or(TokenError::Invalid(InvalidToken::Tenant))?;
    if !key.issuers.accepts(&claims.iss, tid) {
        return Err(TokenError::Issuer);
    }
    claims
        .exp
        .ok_or(TokenError::Invalid(InvalidToken::Expiry))?;
    Ok(claims)
}

/// The lifetime checks at `now`, with [`LEEWAY_SECONDS`]: `exp` has not passed; the
/// lifetime, `exp - iat` (`exp - now` without `iat`), is at most [`MAX_TTL`]; `iat` and
/// `nbf` are not ahead. Together they bound how long any token is accepted from now,
/// whatever its claims say.
pub fn check_lifetime(claims: &Claims, now: i64) -> Result<(), TokenError> {
    let exp = claims
        .exp
        .ok_or(TokenError::Invalid(InvalidToken::Expiry))?;
    if exp.saturating_add(LEEWAY_SECONDS) <= now {
        return Err(TokenError::Expired);
    }
    let max = i64::try_from(MAX_TTL.as_secs()).unwrap_or(i64::MAX);
    if exp.saturating_sub(claims.iat.unwrap_or(now)) > max.saturating_add(LEEWAY_SECONDS) {
        return Err(TokenError::TooLong);
    }
    let ahead = |at: Option<i64>| at.is_some_and(|at| at.saturating_sub(LEEWAY_SECONDS) > now);
    if ahead(claims.iat) {
        return Err(TokenError::NotYetIssued);
    }
    if ahead(claims.nbf) {
        return Err(TokenError::NotYetValid);
    }
    Ok(())
}

fn is_shape_error(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Json(_) | ErrorKind::Utf8(_)
    )
}

/// Whether `aud` (a string, or an array of strings) names Graph.
fn audience_is_graph(aud: &Value) -> bool {
    let is_graph = |a: &str| {
        let a = a.trim_end_matches('/');
        a.eq_ignore_ascii_case(GRAPH_RESOURCE) || a.eq_ignore_ascii_case(GRAPH_APP_ID)
    };
    match aud {
        Value::String(a) => is_graph(a),
        Value::Array(all) => all.iter().filter_map(Value::as_str).any(is_graph),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bearer_tokens_are_read() {
        let value = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(bearer(Some(&value("Bearer abc"))), Ok(&b"abc"[..]));
        assert_eq!(bearer(Some(&value("bearer  abc "))), Ok(&b"abc"[..]));
        assert_eq!(bearer(None), Err(TokenError::Empty));
        assert_eq!(bearer(Some(&value("Bearer "))), Err(TokenError::Empty));
        assert_eq!(bearer(Some(&value("Basic abc"))), Err(TokenError::Empty));
    }

    #[test]
    fn no_token_is_accepted_for_longer_than_the_cap_from_now() {
        let now = 1_800_000_000;
        let max = MAX_TTL.as_secs() as i64;
        let claims = |iat: Option<i64>, nbf: Option<i64>, exp: i64| Claims {
            iat,
            nbf,
            exp: Some(exp),
            ..Claims::default()
        };
        let check = |iat, nbf, exp| check_lifetime(&claims(iat, nbf, exp), now);
        assert_eq!(check(Some(now), Some(now), now + max), Ok(()));
        assert_eq!(check(None, None, now + max + LEEWAY_SECONDS), Ok(()));
        assert_eq!(check(Some(now - 3600), None, now + 3600), Ok(()));
        for (iat, nbf, exp) in [
            (Some(now), Some(now), i64::MAX),
            (Some(now), Some(now), now + max + LEEWAY_SECONDS + 1),
            (Some(i64::MIN), None, now + 3600),
            (None, None, i64::MAX),
            (None, None, now + max + LEEWAY_SECONDS + 1),
            // A start far ahead does not make a long lifetime short.
            (Some(now), Some(now + 10 * max), now + 10 * max + 3600),
        ] {
            assert_eq!(
                check(iat, nbf, exp),
                Err(TokenError::TooLong),
                "{iat:?} {exp}"
            );
        }
        // Issued ahead, with a short lifetime from then: not valid yet, however far.
        assert_eq!(
            check(Some(now + 10 * max), None, now + 10 * max + 3600),
            Err(TokenError::NotYetIssued)
        );
        assert_eq!(
            check(Some(now + LEEWAY_SECONDS), None, now + 3600),
            Ok(()),
            "a clock a minute ahead"
        );
        assert_eq!(
            check(Some(now - 7200), None, now - 3600),
            Err(TokenError::Expired)
        );
        assert_eq!(
            TokenError::TooLong.to_string(),
            "Lifetime validation failed, the token is valid for more than 365 days."
        );
    }

    #[test]
    fn audiences_graph_accepts() {
        assert!(audience_is_graph(&Value::from(
            "https://graph.microsoft.com"
        )));
        assert!(audience_is_graph(&Value::from(
            "https://graph.microsoft.com/"
        )));
        assert!(audience_is_graph(&Value::from(GRAPH_APP_ID)));
        assert!(audience_is_graph(&serde_json::json!(["x", GRAPH_APP_ID])));
        assert!(!audience_is_graph(&Value::from(
            "https://management.azure.com"
        )));
        assert!(!audience_is_graph(&Value::Null));
    }
}
