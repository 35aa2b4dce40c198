//! Registered clients (`localgraph client add`), kept in the data set's database (one
//! setting per client, [`CLIENT_SETTING`] + its id) so every node sees them: its tenant,
//! its application permissions and a SHA-256 digest of its secret, never the secret
//! itself. Clients registered by older versions as files under `authority/clients/` in
//! the data directory are imported at start.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{Store, StoreError};

/// Where older versions kept clients, one JSON file each, under the data directory.
pub const CLIENTS_DIR: &str = "authority/clients";

/// The prefix of a client's setting; its id follows.
pub const CLIENT_SETTING: &str = "authority/client/";

/// A registered confidential client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    /// Its id (a GUID), sent as `client_id`.
    pub client_id: String,
    /// The tenant it belongs to; its tokens carry it as `tid`.
    pub tenant: String,
    /// Its application permissions; its tokens carry them as `roles`.
    pub roles: Vec<String>,
    /// SHA-256 of the secret, hex.
    secret_sha256: String,
}

/// The registry of clients of one data set. It is read on every token request, so a
/// client added while the server runs (by any node, or the command line) can be used at
/// once.
#[derive(Clone)]
pub struct Clients {
    store: Arc<dyn Store>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clients")
    }
}

impl Clients {
    /// The registry of the data set in `store`.
    pub fn new(store: Arc<dyn Store>) -> Clients {
        Clients { store }
    }

    /// Registers a client of `tenant` with `roles`; returns it and its secret, which is
    /// shown once and not kept.
    pub async fn add(
        &self,
        tenant: &str,
        roles: &[String],
    ) -> Result<(Client, String), StoreError> {
        let secret = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let client = Client {
            client_id: uuid::Uuid::new_v4().to_string(),
            tenant: tenant.to_ascii_lowercase(),
            roles: roles.to_vec(),
            secret_sha256: digest(&secret),
        };
        let text = serde_json::to_string(&client).map_err(|e| StoreError::Backend(e.into()))?;
        self.store
            .setting(&setting(&client.client_id), &text)
            .await?;
        Ok((client, secret))
    }

    /// The client with this id, if it is registered.
    pub async fn get(&self, client_id: &str) -> Result<Option<Client>, StoreError> {
        if uuid::Uuid::try_parse(client_id).is_err() {
            return Ok(None);
        }
        let key = setting(&client_id.to_ascii_lowercase());
        match self.store.find_setting(&key).await? {
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| StoreError::Backend(format!("{key}: {e}").into())),
            None => Ok(None),
        }
    }

    /// Imports the client files an older version kept under `data_dir` (those the data
    /// set does not have yet); returns how many files were read. A file that does not
    /// hold a client is named in a warning and skipped.
    pub async fn import_files(&self, data_dir: &Path) -> Result<usize, StoreError> {
        let dir = data_dir.join(CLIENTS_DIR);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(0);
        };
        let mut read = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let parsed = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| serde_json::from_str::<Client>(&text).map_err(|e| e.to_string()));
            match parsed {
                Ok(client) => {
                    let text = serde_json::to_string(&client)
                        .map_err(|e| StoreError::Backend(e.into()))?;
                    self.store
                        .setting(&setting(&client.client_id), &text)
                        .await?;
                    read += 1;
                }
                Err(reason) => {
                    tracing::warn!(path = %path.display(), %reason, "not a client file; skipped")
                }
            }
        }
        if read > 0 {
            tracing::info!(dir = %dir.display(), clients = read, "client files imported into the data set");
        }
        Ok(read)
    }
}

impl Client {
    /// Whether `secret` is this client's secret.
    pub fn secret_matches(&self, secret: &str) -> bool {
        digest(secret) == self.secret_sha256
    }
}

fn setting(client_id: &str) -> String {
    format!("{CLIENT_SETTING}{client_id}")
}

fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
