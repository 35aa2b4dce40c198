//! How the server meets the network, in one typed struct: the bounds it keeps whatever
//! clients do ([`Limits`]) and the public address its links use ([`PublicUrl`]).

use std::time::Duration;

use axum::http::Uri;
use axum::http::uri::{Authority, Scheme};

/// The service's network settings; `Default` is what `localgraph serve` uses without flags.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where clients reach the service (behind a proxy, say): links use it instead of the
    /// scheme and `Host` a request came with. `None`: links follow each request.
    pub public_url: Option<PublicUrl>,
    /// Connection, time and size limits.
    pub limits: Limits,
}

/// The bounds the server keeps whatever clients do. Each failure answers in Graph's error
/// shape (README, "Limits").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most. At the cap, the connection idle the longest is closed to
    /// admit a new one (as nginx reuses keep-alive connections); with none idle, a new
    /// connection waits in the listen backlog until one ends.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, which is also how long a
    /// keep-alive connection may stay idle between requests (hyper times both with one
    /// timer): past it, the connection is closed.
    pub header_read_timeout: Duration,
    /// How long one request may take, from its headers to its answer: past it, 504.
    pub request_timeout: Duration,
    /// Requests served at once (`/healthz` aside); more wait for a turn within their
    /// `request_timeout`.
    pub max_requests: usize,
    /// The longest request target (path and query) accepted: past it, 414.
    pub max_uri_bytes: usize,
    /// The most bytes of request headers accepted: past it, 431.
    pub max_header_bytes: usize,
    /// The most bytes of entity data one answer holds (a `$batch` shares it among its
    /// requests): pages end early, with `@odata.nextLink`, to fit; an entity that cannot
    /// fit is refused.
    pub max_response_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 10_000,
            header_read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            max_requests: 512,
            max_uri_bytes: 32 * 1024,
            max_header_bytes: 64 * 1024,
            max_response_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Files the process keeps open besides client connections: the database (files or a
/// pool), the listener, logs, and the data directory's key files. The connection cap
/// leaves this many of the open-file limit free.
pub const FILES_RESERVED: usize = 256;

impl Limits {
    /// Lowers `max_connections` to what an open-file limit of `files` leaves room for.
    pub fn fit_open_files(mut self, files: u64) -> Limits {
        let room = usize::try_from(files)
            .unwrap_or(usize::MAX)
            .saturating_sub(FILES_RESERVED)
            .max(1);
        self.max_connections = self.max_connections.min(room);
        self
    }
}

/// A public base URL: `scheme://host[:port]`, no path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// `host[:port]`.
    pub authority: Authority,
}

impl std::str::FromStr for PublicUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let uri: Uri = text
            .trim_end_matches('/')
            .parse()
            .map_err(|e| format!("'{text}' is not a URL: {e}"))?;
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(format!(
                "'{text}' is not an absolute URL (write it as https://host[:port])"
            ));
        };
        if *scheme != Scheme::HTTP && *scheme != Scheme::HTTPS {
            return Err(format!("'{text}': the scheme must be http or https"));
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(format!(
                "'{text}' has a path or query: give the scheme, host and port only (a proxy must forward the service's paths as they are)"
            ));
        }
        if authority.as_str().contains('@') {
            return Err(format!("'{text}' has user information"));
        }
        Ok(PublicUrl {
            scheme: scheme.clone(),
            authority: authority.clone(),
        })
    }
}

impl std::fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.scheme, self.authority)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_is_a_scheme_and_an_authority() {
        let url: PublicUrl = "https://graph.example.test:8443/".parse().unwrap();
        assert_eq!(url.to_string(), "https://graph.example.test:8443");
        for bad in [
            "graph.example.test",
            "ftp://graph.example.test",
            "https://graph.example.test/prefix",
            "https://graph.example.test/?a=1",
            "https://user@graph.example.test",
        ] {
            assert!(bad.parse::<PublicUrl>().is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn the_connection_cap_leaves_room_for_other_files() {
        let limits = Limits::default().fit_open_files(1024);
        assert_eq!(limits.max_connections, 1024 - FILES_RESERVED);
        let roomy = Limits::default().fit_open_files(1 << 20);
        assert_eq!(roomy.max_connections, Limits::default().max_connections);
    }
}
