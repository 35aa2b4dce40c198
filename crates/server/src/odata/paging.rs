//! `$skiptoken`s: opaque, signed page positions. A token carries the last row's sort keys
//! and id, and an HMAC over them and the query it belongs to (the tenant, the collection,
//! its `$filter` and `$orderby`), so a tampered token, or one from another tenant,
//! collection or `$filter`/`$orderby`, is refused rather than silently reading the wrong
//! page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::Value as Json;
use sha2::Sha256;
use store::Cursor;

use crate::ApiError;
use odata::query::QueryError;

const MAC_BYTES: usize = 16;

/// Signs and checks page tokens with the data set's key.
#[derive(Clone)]
pub struct PageTokens {
    /// The HMAC with the key already taken in: each token clones it rather than hashing
    /// the key again (two of the six SHA-256 blocks a token cost).
    keyed: Hmac<Sha256>,
}

impl PageTokens {
    /// Tokens signed with `key` (shared by every node of a data set).
    pub fn new(key: &[u8]) -> PageTokens {
        // Invariant: HMAC accepts keys of any length.
        let keyed = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
        PageTokens { keyed }
    }

    /// The token for "after `cursor`" in the query described by `scope`.
    pub fn encode(&self, scope: &str, cursor: &Cursor) -> String {
        let mut items = cursor.keys.clone();
        items.push(Json::String(cursor.id.clone()));
        let payload = URL_SAFE_NO_PAD.encode(Json::Array(items).to_string());
        let mac = URL_SAFE_NO_PAD.encode(&self.mac(scope, &payload)[..MAC_BYTES]);
        format!("{payload}.{mac}")
    }

    /// The cursor a token stands for, if this service issued it for `scope`.
    pub fn decode(&self, scope: &str, token: &str) -> Result<Cursor, ApiError> {
        let invalid = || {
            ApiError::Query(QueryError::new(
                "$skiptoken",
                "The $skiptoken is not valid for this request: use the @odata.nextLink of the previous page as it is.".into(),
            ))
        };
        let (payload, mac) = token.split_once('.').ok_or_else(invalid)?;
        let mac = URL_SAFE_NO_PAD.decode(mac).map_err(|_| invalid())?;
        if mac.len() != MAC_BYTES {
            return Err(invalid());
        }
        // Constant-time comparison of the truncated tag.
        self.hmac(scope, payload)
            .verify_truncated_left(&mac)
            .map_err(|_| invalid())?;
        let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
        let Ok(Json::Array(mut items)) = serde_json::from_slice::<Json>(&bytes) else {
            return Err(invalid());
        };
        let Some(Json::String(id)) = items.pop() else {
            return Err(invalid());
        };
        Ok(Cursor { keys: items, id })
    }

    fn mac(&self, scope: &str, payload: &str) -> Vec<u8> {
        self.hmac(scope, payload).finalize().into_bytes().to_vec()
    }

    fn hmac(&self, scope: &str, payload: &str) -> Hmac<Sha256> {
        let mut mac = self.keyed.clone();
        mac.update(scope.as_bytes());
        mac.update(b"\n");
        mac.update(payload.as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_tampering_and_other_queries() {
        let tokens = PageTokens::new(b"secret");
        let cursor = Cursor {
            keys: vec![Json::from(3), Json::Null, Json::String("a".into())],
            id: "0192-x".into(),
        };
        let token = tokens.encode("beta/x|filter|order", &cursor);
        assert_eq!(
            tokens.decode("beta/x|filter|order", &token).unwrap(),
            cursor
        );
        assert!(
            tokens.decode("beta/x|other filter|order", &token).is_err(),
            "foreign query"
        );
        assert!(
            PageTokens::new(b"other")
                .decode("beta/x|filter|order", &token)
                .is_err(),
            "foreign key"
        );
        let (payload, mac) = token.split_once('.').unwrap();
        let forged = URL_SAFE_NO_PAD.encode(r#"[4,null,"a","0192-x"]"#);
        assert!(
            tokens
                .decode("beta/x|filter|order", &format!("{forged}.{mac}"))
                .is_err()
        );
        assert!(tokens.decode("beta/x|filter|order", payload).is_err());
        assert!(tokens.decode("beta/x|filter|order", "garbage").is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Whatever comes as a `$skiptoken`, or is signed as one, decoding never panics.
        #[test]
        fn decoding_never_panics(
            token in "[A-Za-z0-9_.\\-]{0,80}|\\PC{0,40}",
            payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
        ) {
            let tokens = PageTokens::new(b"secret");
            let _ = tokens.decode("scope", &token);
            let payload = URL_SAFE_NO_PAD.encode(&payload);
            let mac = URL_SAFE_NO_PAD.encode(&tokens.mac("scope", &payload)[..MAC_BYTES]);
            let _ = tokens.decode("scope", &format!("{payload}.{mac}"));
        }
    }
}
