//! The request journal: what each tenant's clients sent to this node, newest first, so a
//! test can check that its client honoured `Retry-After`. In memory and per node: the last
//! [`PER_TENANT`] Graph requests (`$batch` items included) of each of the [`TENANTS`]
//! tenants that sent one most recently.
//!
//! `GET /_localgraph/requests?top=N`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Json;
use axum::extract::State;
use axum::http::{Method, Uri};
use serde_json::{Value as Json_, json};

use super::body::query;
use crate::{ApiError, AppState, Caller};

/// How many requests the journal keeps per tenant.
pub const PER_TENANT: usize = 1000;
/// How many tenants' requests it keeps.
pub const TENANTS: usize = 100;

/// One request as the journal keeps it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// When it arrived.
    pub time: SystemTime,
    /// The method.
    pub method: Method,
    /// The path and query, as sent (the query's secrets are redacted when it is shown).
    pub uri: Uri,
    /// The status answered.
    pub status: u16,
    /// The `request-id` answered.
    pub request_id: Arc<str>,
    /// The `client-request-id` answered.
    pub client_request_id: Arc<str>,
    /// The app (the token's `appid`/`azp`).
    pub app: Option<String>,
    /// How long the server took.
    pub duration: Duration,
    /// Whether throttling refused it.
    pub throttled: bool,
    /// The fault rule that applied to it, if one did.
    pub fault: Option<String>,
    /// The `request-id` of the `$batch` it was an item of.
    pub batch: Option<Arc<str>>,
}

impl Entry {
    fn to_json(&self) -> Json_ {
        let time = time::OffsetDateTime::from(self.time)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        json!({
            "time": time,
            "method": self.method.as_str(),
            "path": self.uri.path(),
            "query": self.uri.query().map(crate::trace::redact_query),
            "status": self.status,
            "requestId": &*self.request_id,
            "clientRequestId": &*self.client_request_id,
            "appId": self.app,
            "durationMs": (self.duration.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            "throttled": self.throttled,
            "faulted": self.fault.is_some(),
            "faultId": self.fault,
            "batchRequestId": self.batch.as_deref(),
        })
    }
}

#[derive(Debug, Default)]
struct Requests {
    entries: VecDeque<Entry>,
    last: Option<SystemTime>,
}

impl Requests {
    /// Keeps `entry` first, forgetting the oldest past [`PER_TENANT`].
    fn keep(&mut self, entry: Entry) {
        self.last = Some(entry.time);
        if self.entries.len() >= PER_TENANT {
            self.entries.pop_back();
        }
        self.entries.push_front(entry);
    }
}

/// The journal of this node.
#[derive(Debug, Default)]
pub struct Journal {
    tenants: Mutex<HashMap<String, Requests, foldhash::fast::RandomState>>,
}

impl Journal {
    /// Keeps a request of `tenant`.
    pub fn record(&self, tenant: &str, entry: Entry) {
        let mut tenants = self.tenants.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(requests) = tenants.get_mut(tenant) {
            requests.keep(entry);
            return;
        }
        if tenants.len() >= TENANTS {
            // Make room: forget the tenant that was quiet the longest.
            let quietest = tenants
                .iter()
                .min_by_key(|(_, r)| r.last)
                .map(|(t, _)| t.clone());
            if let Some(quietest) = quietest {
                tenants.remove(&quietest);
            }
        }
        tenants.entry(tenant.to_string()).or_default().keep(entry);
    }

    /// The newest `top` requests of `tenant`, newest first.
    pub fn newest(&self, tenant: &str, top: usize) -> Vec<Entry> {
        let tenants = self.tenants.lock().unwrap_or_else(|e| e.into_inner());
        tenants
            .get(tenant)
            .map(|r| r.entries.iter().take(top).cloned().collect())
            .unwrap_or_default()
    }
}

/// `GET /_localgraph/requests?top=N`: the tenant's requests to this node, newest first
/// (`top` from 1 to 1000, default 1000).
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
) -> Result<Json<Json_>, ApiError> {
    let mut top = PER_TENANT;
    for (_, value) in query(uri.query(), &["top"])? {
        top = value
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=PER_TENANT).contains(n))
            .ok_or_else(|| {
                ApiError::InvalidRequest(format!(
                    "'top' must be an integer from 1 to {PER_TENANT}; got '{value}'."
                ))
            })?;
    }
    let value: Vec<Json_> = app
        .controls
        .journal
        .newest(&caller.tenant, top)
        .iter()
        .map(Entry::to_json)
        .collect();
    Ok(Json(json!({ "value": value })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u16) -> Entry {
        Entry {
            time: SystemTime::now(),
            method: Method::GET,
            uri: Uri::from_static("/v1.0/deviceManagement?$select=id"),
            status: n,
            request_id: Arc::from(""),
            client_request_id: Arc::from(""),
            app: None,
            duration: Duration::from_micros(1500),
            throttled: false,
            fault: None,
            batch: None,
        }
    }

    #[test]
    fn the_journal_keeps_the_newest_requests_of_the_most_recent_tenants() {
        let journal = Journal::default();
        for n in 0..(PER_TENANT as u16 + 5) {
            journal.record("a", entry(n));
        }
        let newest = journal.newest("a", PER_TENANT + 10);
        assert_eq!(newest.len(), PER_TENANT);
        assert_eq!(newest[0].status, PER_TENANT as u16 + 4);
        assert_eq!(journal.newest("a", 2).len(), 2);
        for t in 0..TENANTS {
            journal.record(&format!("t{t}"), entry(1));
        }
        assert!(
            journal.newest("a", 1).is_empty(),
            "the quietest tenant went"
        );
        assert_eq!(journal.newest("t0", 5).len(), 1);
        let json = newest[0].to_json();
        assert_eq!(json["path"], "/v1.0/deviceManagement");
        assert_eq!(json["query"], "$select=id");
        assert_eq!(json["durationMs"], 1.5);
    }
}
