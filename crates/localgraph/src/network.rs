//! `serve`'s network settings: the public URL and the limits, from flags (or their
//! environment variables), with the connection cap fitted to the open-file limit the
//! process could raise itself to.

use std::time::Duration;

use clap::Args;
use server::{Config, Limits, PublicUrl};

/// `--public-url` and the limits.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// The URL clients reach the service at (`https://graph.example.test`), when it
    /// differs from the address they send: links in answers use it instead of the
    /// request's scheme and `Host`.
    #[arg(long, env = "LOCALGRAPH_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<PublicUrl>,
    /// Open connections at most (lowered to fit the open-file limit); at the cap the
    /// longest-idle connection is closed to admit a new one.
    #[arg(long, env = "LOCALGRAPH_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections)]
    pub max_connections: usize,
    /// Seconds a client may take to send a request's headers; also how long a keep-alive
    /// connection may stay idle.
    #[arg(long, env = "LOCALGRAPH_HEADER_TIMEOUT", value_name = "SECONDS", default_value_t = Limits::default().header_read_timeout.as_secs())]
    pub header_timeout: u64,
    /// Seconds one request may take before it is answered 504.
    #[arg(long, env = "LOCALGRAPH_REQUEST_TIMEOUT", value_name = "SECONDS", default_value_t = Limits::default().request_timeout.as_secs())]
    pub request_timeout: u64,
    /// Requests served at once (`/healthz` aside); more wait for a turn.
    #[arg(long, env = "LOCALGRAPH_MAX_REQUESTS", default_value_t = Limits::default().max_requests)]
    pub max_requests: usize,
    /// The most bytes of entity data in one answer (a `$batch` shares it): pages end early
    /// to fit.
    #[arg(long, env = "LOCALGRAPH_MAX_RESPONSE_BYTES", value_name = "BYTES", default_value_t = Limits::default().max_response_bytes)]
    pub max_response_bytes: usize,
}

impl NetworkArgs {
    /// The settings, with the connection cap fitted to the open-file limit (raised to
    /// the hard limit first, where the system allows).
    pub fn config(&self) -> Config {
        let limits = Limits {
            max_connections: self.max_connections,
            header_read_timeout: Duration::from_secs(self.header_timeout.max(1)),
            request_timeout: Duration::from_secs(self.request_timeout.max(1)),
            max_requests: self.max_requests,
            max_response_bytes: self.max_response_bytes,
            ..Limits::default()
        };
        let limits = match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(files) => {
                let fitted = limits.fit_open_files(files);
                tracing::info!(
                    open_files = files,
                    max_connections = fitted.max_connections,
                    "open-file limit"
                );
                if fitted.max_connections < self.max_connections {
                    tracing::warn!(
                        asked = self.max_connections,
                        max_connections = fitted.max_connections,
                        open_files = files,
                        "the open-file limit lowers the connection cap"
                    );
                }
                fitted
            }
            Err(error) => {
                tracing::warn!(%error, "cannot read or raise the open-file limit");
                limits
            }
        };
        Config {
            public_url: self.public_url.clone(),
            limits,
        }
    }
}
