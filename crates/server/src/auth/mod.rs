//! Identity: bearer tokens and localgraph as its own offline token authority.
//!
//! - [`keys`]: the signing key kept in the data set, and the keys tokens are accepted from.
//! - [`token`]: claims, issuers and minting (the one place tokens are made).
//! - [`verify`]: the checks on a presented token and Graph's 401 messages.
//! - [`clients`]: confidential clients registered with `localgraph client add`.
//! - `authority`: the token, keys and openid-configuration endpoints.

pub(crate) mod authority;
pub mod clients;
pub(crate) mod files;
pub mod keys;
pub mod token;
pub mod verify;

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::http::HeaderValue;

use crate::Caller;

pub use clients::{Client, Clients};
pub use keys::{KeyError, KeySet, SigningKey};
pub use token::{Claims, Issuers, TokenSpec};
pub use verify::TokenError;

/// Whether requests need a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Every data request needs a valid token; its `tid` is the tenant (the default).
    On,
    /// No token needed: one default tenant, every permission. For quick experiments.
    Off,
}

/// How many verified tokens [`Auth`] remembers; past that it starts over.
const VERIFIED_TOKENS: usize = 1024;

/// A token whose signature, audience and issuer have been verified.
#[derive(Debug, Clone)]
struct Verified {
    claims: Arc<Claims>,
    caller: Caller,
}

/// Verified tokens, by their bytes.
type VerifiedTokens = HashMap<Box<[u8]>, Verified, SignatureHash>;

/// How many of a token's last bytes (its signature's) its hash reads.
const HASHED_TAIL: usize = 64;

/// Hashes a token by its last bytes, which are its signature's: a kilobyte token hashed
/// whole cost more than the rest of its lookup. The map still compares tokens whole.
#[derive(Debug, Clone, Default)]
struct SignatureHash(foldhash::fast::RandomState);

impl BuildHasher for SignatureHash {
    type Hasher = SignatureHasher;

    fn build_hasher(&self) -> SignatureHasher {
        SignatureHasher(self.0.build_hasher())
    }
}

/// The hasher of [`SignatureHash`].
struct SignatureHasher(foldhash::fast::FoldHasher<'static>);

impl Hasher for SignatureHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0
            .write(&bytes[bytes.len().saturating_sub(HASHED_TAIL)..]);
    }

    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// Token verification and the authority's keys and clients.
#[derive(Debug, Clone)]
pub struct Auth {
    mode: AuthMode,
    signing: SigningKey,
    keys: KeySet,
    clients: Clients,
    /// Tokens whose signature, audience and issuer have been verified, with their claims.
    /// A client sends the same token for up to an hour, and checking an RS256 signature
    /// was the largest cost of a small request (the benchmark's profile, bench/HISTORY.md
    /// "Where the time went, and what changed"); the keys never change while the server
    /// runs, so that answer holds. The lifetime is checked on every request. The caller
    /// the claims describe is made once too: it is shared, not rebuilt, by each request
    /// with the token.
    verified: Arc<Mutex<VerifiedTokens>>,
}

impl Auth {
    /// Opens the authority of the data set in `store` (making its signing key on first
    /// start, or importing the key and client files of `data_dir` that older versions
    /// kept there) and trusts the keys of each JWKS file in `trusted` as well.
    pub async fn open(
        store: Arc<dyn store::Store>,
        data_dir: &Path,
        mode: AuthMode,
        trusted: &[PathBuf],
    ) -> Result<Auth, KeyError> {
        let signing = SigningKey::open(store.as_ref(), data_dir).await?;
        let clients = Clients::new(store);
        clients.import_files(data_dir).await?;
        let mut keys = KeySet::own(&signing);
        for path in trusted {
            let count = keys.trust_file(path)?;
            tracing::info!(path = %path.display(), keys = count, "trusting an external issuer");
        }
        Ok(Auth::new(mode, signing, keys, clients))
    }

    /// An authority of parts.
    pub fn new(mode: AuthMode, signing: SigningKey, keys: KeySet, clients: Clients) -> Auth {
        Auth {
            mode,
            signing,
            keys,
            clients,
            verified: Arc::default(),
        }
    }

    /// Whether tokens are needed.
    pub fn mode(&self) -> AuthMode {
        self.mode
    }

    /// The authority's signing key.
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// The registered clients.
    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    /// Verifies the `Authorization` header's bearer token now; returns the caller it
    /// describes.
    pub fn verify(&self, authorization: Option<&HeaderValue>) -> Result<Caller, TokenError> {
        let token = verify::bearer(authorization)?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let verified = match self.remembered(token) {
            Some(verified) => verified,
            None => {
                // A header that is not text holds no token: the answer `HeaderValue::to_str` gave.
                let text = std::str::from_utf8(token).map_err(|_| TokenError::Empty)?;
                let claims = verify::verify_untimed(&self.keys, text)?;
                let caller = Caller::from_claims(&claims);
                let verified = Verified {
                    claims: Arc::new(claims),
                    caller,
                };
                let mut remembered = self.verified.lock().unwrap_or_else(|e| e.into_inner());
                if remembered.len() >= VERIFIED_TOKENS {
                    remembered.clear();
                }
                remembered.insert(token.into(), verified.clone());
                verified
            }
        };
        verify::check_lifetime(&verified.claims, now)?;
        Ok(verified.caller)
    }

    fn remembered(&self, token: &[u8]) -> Option<Verified> {
        let verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        verified.get(token).cloned()
    }
}
