//! Registered clients (`localgraph client add`): one file per client under
//! `authority/clients/` in the data directory (mode 0600), holding its tenant, its
//! application permissions and a SHA-256 digest of its secret, never the secret itself.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::files;

/// The clients directory, under the data directory.
pub const CLIENTS_DIR: &str = "authority/clients";

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

/// The registry of clients of one data directory. Files are read on every token request,
/// so a client added while the server runs can be used at once.
#[derive(Debug, Clone)]
pub struct Clients {
    dir: PathBuf,
}

impl Clients {
    /// The registry of `data_dir`.
    pub fn at(data_dir: &Path) -> Clients {
        Clients {
            dir: data_dir.join(CLIENTS_DIR),
        }
    }

    /// Registers a client of `tenant` with `roles`; returns it and its secret, which is
    /// shown once and not kept.
    pub fn add(&self, tenant: &str, roles: &[String]) -> io::Result<(Client, String)> {
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
        let text = serde_json::to_string_pretty(&client).map_err(io::Error::other)?;
        files::write_private_once(&self.path(&client.client_id), text.as_bytes())?;
        Ok((client, secret))
    }

    /// The client with this id, if it is registered.
    pub fn get(&self, client_id: &str) -> io::Result<Option<Client>> {
        // Only GUIDs name files, so a client id can never reach outside the directory.
        if uuid::Uuid::try_parse(client_id).is_err() {
            return Ok(None);
        }
        let path = self.path(&client_id.to_ascii_lowercase());
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn path(&self, client_id: &str) -> PathBuf {
        self.dir.join(format!("{client_id}.json"))
    }
}

impl Client {
    /// Whether `secret` is this client's secret.
    pub fn secret_matches(&self, secret: &str) -> bool {
        digest(secret) == self.secret_sha256
    }
}

fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_kept_without_its_secret_and_found_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let clients = Clients::at(dir.path());
        let roles = vec!["DeviceManagementApps.Read.All".to_string()];
        let (client, secret) = clients.add("Tenant-A", &roles).unwrap();
        assert_eq!(client.tenant, "tenant-a");
        let stored = std::fs::read_to_string(clients.path(&client.client_id)).unwrap();
        assert!(!stored.contains(&secret), "the secret is not stored");
        let found = clients.get(&client.client_id).unwrap().unwrap();
        assert_eq!(found, client);
        assert!(found.secret_matches(&secret));
        assert!(!found.secret_matches("wrong"));
        assert_eq!(clients.get("../../etc/passwd").unwrap(), None);
        assert_eq!(
            clients.get(&uuid::Uuid::new_v4().to_string()).unwrap(),
            None
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(clients.path(&client.client_id))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
