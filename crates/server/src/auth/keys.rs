//! Keys: localgraph's own signing key (kept in the data directory), and the set of keys
//! whose tokens the server accepts, with the issuers each key may sign for.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use store::{Store, StoreError};

use super::token::Issuers;

/// Where older versions kept the signing key, under the data directory (imported on
/// first start).
pub const SIGNING_KEY_FILE: &str = "authority/signing-key.pem";

/// The data set's setting that holds the signing key (PKCS#8 PEM).
pub const SIGNING_KEY_SETTING: &str = "authority/signing-key";

/// Why keys could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// The data set's database failed.
    #[error("the data set's database: {0}")]
    Store(#[from] StoreError),
    /// A file does not hold what it should.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// localgraph's RS256 signing key: the offline authority's private key.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    public: RsaPublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish()
    }
}

impl SigningKey {
    /// A new random 2048-bit RSA key, as PKCS#8 PEM.
    pub fn generate_pem() -> Result<String, String> {
        let key =
            RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).map_err(|e| e.to_string())?;
        key.to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|e| e.to_string())
    }

    /// The key in a PKCS#8 PEM text.
    pub fn from_pem(pem: &str) -> Result<SigningKey, String> {
        let private = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| e.to_string())?;
        let public = private.to_public_key();
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| e.to_string())?;
        let der = public.to_pkcs1_der().map_err(|e| e.to_string())?.into_vec();
        // The key id is a digest of the public key: stable for as long as the key is kept.
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(&der)[..20]);
        Ok(SigningKey {
            kid,
            encoding,
            public,
        })
    }

    /// The data set's key, kept in its database ([`SIGNING_KEY_SETTING`]) so that every
    /// node signs and verifies with the same one. On first start it is imported from the
    /// key file an older version kept in `data_dir` ([`SIGNING_KEY_FILE`]), or made. Nodes
    /// starting together agree on one: the first key stored wins and the others read it.
    pub async fn open(store: &dyn Store, data_dir: &Path) -> Result<SigningKey, KeyError> {
        let path = data_dir.join(SIGNING_KEY_FILE);
        let file = match fs::read_to_string(&path) {
            Ok(pem) => Some(pem),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(source) => return Err(KeyError::Io { path, source }),
        };
        let pem = match store.find_setting(SIGNING_KEY_SETTING).await? {
            Some(pem) => pem,
            None => {
                let initial = match &file {
                    Some(pem) => pem.clone(),
                    None => SigningKey::generate_pem().map_err(|reason| KeyError::Invalid {
                        path: path.clone(),
                        reason,
                    })?,
                };
                let kept = store.setting(SIGNING_KEY_SETTING, &initial).await?;
                match &file {
                    Some(_) if kept == initial => tracing::info!(
                        path = %path.display(),
                        "token signing key imported from the data directory into the data set"
                    ),
                    None if kept == initial => {
                        tracing::info!("token signing key made, kept in the data set")
                    }
                    _ => {}
                }
                kept
            }
        };
        if file.as_ref().is_some_and(|f| f.trim() != pem.trim()) {
            tracing::warn!(
                path = %path.display(),
                "this key file is not the data set's signing key, which is used: tokens it signed are refused"
            );
        }
        SigningKey::from_pem(&pem).map_err(|reason| KeyError::Invalid {
            path: PathBuf::from(SIGNING_KEY_SETTING),
            reason,
        })
    }

    /// The key id, sent in every token's header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The private key, for signing.
    pub fn encoding(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The public key as a JWK, as `/discovery/v2.0/keys` publishes it.
    pub fn jwk(&self, issuer: &str) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(self.public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(self.public.e().to_bytes_be()),
            "alg": "RS256",
            "issuer": issuer,
        })
    }

    fn verifying(&self) -> VerifyingKey {
        VerifyingKey {
            kid: Some(self.kid.clone()),
            algorithm: Algorithm::RS256,
            key: DecodingKey::from_rsa_raw_components(
                &self.public.n().to_bytes_be(),
                &self.public.e().to_bytes_be(),
            ),
            issuers: Issuers::Microsoft,
        }
    }
}

/// One key the server accepts tokens from.
#[derive(Clone)]
pub struct VerifyingKey {
    /// Its `kid`, when it has one.
    pub kid: Option<String>,
    /// RS256 or ES256.
    pub algorithm: Algorithm,
    /// The public key.
    pub key: DecodingKey,
    /// The issuers it signs for.
    pub issuers: Issuers,
}

/// Every key whose tokens the server accepts: its own, and those of `--trust-jwks` files.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
}

impl KeySet {
    /// The set with localgraph's own key alone.
    pub fn own(signing: &SigningKey) -> KeySet {
        KeySet {
            keys: vec![signing.verifying()],
        }
    }

    /// Adds the keys of a JWKS file: `{"keys":[…]}`, optionally with `"issuer"` (the exact
    /// `iss` its tokens carry; `{tenantid}` stands for the token's `tid`). Without one, the
    /// keys sign for Microsoft's issuer forms, as Entra ID's own keys do.
    pub fn trust_file(&mut self, path: &Path) -> Result<usize, KeyError> {
        let invalid = |reason: String| KeyError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        let text = fs::read_to_string(path).map_err(|source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let document: Value =
            serde_json::from_str(&text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let issuers = match document.get("issuer") {
            None => Issuers::Microsoft,
            Some(Value::String(issuer)) => Issuers::Exact(issuer.clone()),
            Some(_) => return Err(invalid("\"issuer\" must be a string".into())),
        };
        let keys = document
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("no \"keys\" array (expected a JWKS document)".into()))?;
        for (index, jwk) in keys.iter().enumerate() {
            let key = parse_jwk(jwk, issuers.clone())
                .map_err(|reason| invalid(format!("key {index}: {reason}")))?;
            self.keys.push(key);
        }
        Ok(keys.len())
    }

    /// The keys that may have signed a token with this header: those with its `kid`, or
    /// (for a token without one) those of its algorithm.
    pub fn candidates(&self, kid: Option<&str>, algorithm: Algorithm) -> Vec<&VerifyingKey> {
        self.keys
            .iter()
            .filter(|key| key.algorithm == algorithm)
            .filter(|key| match kid {
                Some(kid) => key.kid.as_deref() == Some(kid),
                None => true,
            })
            .collect()
    }
}

/// A public RS256 or ES256 (P-256) key from its JWK.
fn parse_jwk(jwk: &Value, issuers: Issuers) -> Result<VerifyingKey, String> {
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    let need = |name: &str| text(name).ok_or_else(|| format!("no \"{name}\""));
    if let Some(usage) = text("use").filter(|u| *u != "sig") {
        return Err(format!("\"use\" is \"{usage}\", not \"sig\""));
    }
    let (algorithm, key) = match need("kty")? {
        "RSA" => (
            Algorithm::RS256,
            DecodingKey::from_rsa_components(need("n")?, need("e")?).map_err(|e| e.to_string())?,
        ),
        "EC" if need("crv")? == "P-256" => (
            Algorithm::ES256,
            DecodingKey::from_ec_components(need("x")?, need("y")?).map_err(|e| e.to_string())?,
        ),
        other => return Err(format!("unsupported key type {other} (RSA or EC P-256)")),
    };
    let expected = match algorithm {
        Algorithm::ES256 => "ES256",
        _ => "RS256",
    };
    let declared = text("alg").unwrap_or(expected);
    if declared != expected {
        return Err(format!(
            "\"alg\" {declared} does not fit the key (expected {expected})"
        ));
    }
    Ok(VerifyingKey {
        kid: text("kid").map(str::to_string),
        algorithm,
        key,
        issuers,
    })
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| (&k.kid, k.algorithm, &k.issuers)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::token::TokenSpec;
    use crate::auth::verify::{TokenError, verify};

    #[test]
    fn a_key_verifies_its_tokens_after_reload_and_through_its_jwk() {
        let dir = tempfile::tempdir().unwrap();
        let pem = SigningKey::generate_pem().unwrap();
        let first = SigningKey::from_pem(&pem).unwrap();
        let again = SigningKey::from_pem(&pem).unwrap();
        assert_eq!(first.kid(), again.kid(), "the same key after a restart");
        let token = first
            .mint(&TokenSpec::everything(
                "tenant-a",
                std::time::Duration::from_secs(60),
            ))
            .unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = verify(&KeySet::own(&again), &token, now).unwrap();
        assert_eq!(claims.tid.as_deref(), Some("tenant-a"));
        let jwk = again.jwk("iss");
        let jwks = dir.path().join("jwks.json");
        fs::write(&jwks, json!({"keys": [jwk]}).to_string()).unwrap();
        let mut trusted = KeySet::default();
        assert_eq!(trusted.trust_file(&jwks).unwrap(), 1);
        assert!(
            verify(&trusted, &token, now).is_ok(),
            "the published JWK verifies"
        );
        assert_eq!(
            verify(&KeySet::default(), &token, now).unwrap_err(),
            TokenError::Invalid(crate::auth::verify::InvalidToken::UnknownKey)
        );
    }

    #[test]
    fn jwks_files_that_cannot_be_used_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwks.json");
        for (text, reason) in [
            ("not json", "not JSON"),
            ("{}", "no \"keys\""),
            (
                r#"{"keys":[{"kty":"oct","k":"AA"}]}"#,
                "unsupported key type",
            ),
            (r#"{"keys":[{"kty":"RSA","e":"AQAB"}]}"#, "no \"n\""),
            (r#"{"issuer":1,"keys":[]}"#, "issuer"),
        ] {
            fs::write(&path, text).unwrap();
            let error = KeySet::default().trust_file(&path).unwrap_err().to_string();
            assert!(error.contains(reason), "{text}: {error}");
        }
    }
}
