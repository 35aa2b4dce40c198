//! HTTPS: a local certificate authority kept in the data directory, the server
//! certificate it issues for localhost, and a TLS listener for [`crate::serve_tls`].
//!
//! The Graph SDKs refuse plain http to any host but localhost, so a shared localgraph
//! needs HTTPS that clients can trust: they trust `tls/ca.pem` alone.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::serve::Listener;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;

use crate::auth::files;

/// The CA certificate clients trust, under the data directory.
pub const CA_CERT_FILE: &str = "tls/ca.pem";
const CA_KEY_FILE: &str = "tls/ca-key.pem";
const SERVER_CERT_FILE: &str = "tls/server.pem";
const SERVER_KEY_FILE: &str = "tls/server-key.pem";
/// The names the server certificate is valid for.
pub const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
/// A server certificate lives 397 days (the most browsers accept); it is issued again
/// at start once it is older than this.
const SERVER_CERT_RENEW_AFTER: Duration = Duration::from_secs(300 * 86_400);
/// How long a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why HTTPS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// A certificate or key could not be made or read.
    #[error("{0}")]
    Certificate(String),
}

/// The files of the local CA and the server certificate.
#[derive(Debug, Clone)]
pub struct LocalCa {
    /// The CA certificate (PEM): what clients trust.
    pub ca_cert: PathBuf,
    /// The server certificate chain (PEM).
    pub server_cert: PathBuf,
    /// The server's private key (PEM, mode 0600).
    pub server_key: PathBuf,
}

/// The data directory's CA and server certificate, made on first use. The CA is kept for
/// good (clients trust it once); the server certificate is issued again when it ages.
pub fn ensure_local_ca(data_dir: &Path) -> Result<LocalCa, TlsError> {
    let ca = LocalCa {
        ca_cert: data_dir.join(CA_CERT_FILE),
        server_cert: data_dir.join(SERVER_CERT_FILE),
        server_key: data_dir.join(SERVER_KEY_FILE),
    };
    let ca_key_path = data_dir.join(CA_KEY_FILE);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TlsError::Io { path, source }
    };
    let failed = |e: rcgen::Error| TlsError::Certificate(e.to_string());
    let now = time::OffsetDateTime::now_utc();
    // The directory stays readable (clients need ca.pem); the keys in it are 0600.
    if let Some(dir) = ca.ca_cert.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut fresh_ca = false;
    if !ca.ca_cert.exists() || !ca_key_path.exists() {
        let key = KeyPair::generate().map_err(failed)?;
        let mut params = ca_params();
        params.not_before = now - time::Duration::days(1);
        params.not_after = now + time::Duration::days(3650);
        let cert = params.self_signed(&key).map_err(failed)?;
        write_private(&ca_key_path, &key.serialize_pem()).map_err(io(&ca_key_path))?;
        std::fs::write(&ca.ca_cert, cert.pem()).map_err(io(&ca.ca_cert))?;
        fresh_ca = true;
        tracing::info!(path = %ca.ca_cert.display(), "created a local certificate authority");
    }
    let aged = std::fs::metadata(&ca.server_cert)
        .and_then(|m| m.modified())
        .map(|modified| {
            SystemTime::now()
                .duration_since(modified)
                .unwrap_or_default()
                > SERVER_CERT_RENEW_AFTER
        })
        .unwrap_or(true);
    if fresh_ca || aged || !ca.server_key.exists() {
        let ca_key_pem = std::fs::read_to_string(&ca_key_path).map_err(io(&ca_key_path))?;
        let ca_key = KeyPair::from_pem(&ca_key_pem).map_err(failed)?;
        // The issuer is rebuilt from the same parameters and key: the certificate it
        // signs names the CA's subject and key identifier, so the chain verifies.
        let issuer = Issuer::new(ca_params(), ca_key);
        let key = KeyPair::generate().map_err(failed)?;
        let names: Vec<String> = SERVER_NAMES.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).map_err(failed)?;
        params.distinguished_name = DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "localgraph");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.not_before = now - time::Duration::days(1);
        params.not_after = now + time::Duration::days(397);
        let cert = params.signed_by(&key, &issuer).map_err(failed)?;
        write_private(&ca.server_key, &key.serialize_pem()).map_err(io(&ca.server_key))?;
        std::fs::write(&ca.server_cert, cert.pem()).map_err(io(&ca.server_cert))?;
        tracing::info!(path = %ca.server_cert.display(), "issued the server certificate");
    }
    Ok(ca)
}

/// The CA's identity: the same every time, so a reloaded key issues under the same name.
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "localgraph local CA");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "localgraph");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

/// Replaces `path` with `contents`, mode 0600.
fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    let _ = std::fs::remove_file(path);
    files::write_private_once(path, contents.as_bytes())
}

/// A rustls server configuration (ring, HTTP/1.1) from PEM files.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let pem = |path: &Path, e: rustls::pki_types::pem::Error| {
        TlsError::Certificate(format!("{}: {e}", path.display()))
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| pem(cert, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| pem(cert, e))?;
    if chain.is_empty() {
        return Err(TlsError::Certificate(format!(
            "{}: no certificate",
            cert.display()
        )));
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| pem(key, e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, private))
        .map_err(|e| TlsError::Certificate(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts TCP connections and completes their TLS handshakes off the accept loop, so a
/// slow or broken client delays nobody else.
pub struct TlsListener {
    incoming: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    acceptor: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    /// Serves TLS with `config` on `listener`.
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (ready, incoming) = mpsc::channel(64);
        let tls = tokio_rustls::TlsAcceptor::from(config);
        let acceptor = tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (tls, ready) = (tls.clone(), ready.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(stream)).await {
                        Ok(Ok(stream)) => {
                            let _ = ready.send((stream, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener {
            incoming,
            local,
            acceptor,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.incoming.recv().await {
            Some(accepted) => accepted,
            // The accept loop only ends when the listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}
