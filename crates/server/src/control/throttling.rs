//! Throttling: Intune's limits (or a tenant's own), counted per node in sliding 20-second
//! windows, and `GET`/`PUT /_localgraph/throttling`.
//!
//! A request counts against the bucket of the place it addresses
//! ([`intune::throttling`]): its tenant's window (all apps together) and its app's window
//! in the tenant, for requests of any method, and for writes also the two write windows.
//! A request is refused when any of its windows is full, and then counts nowhere, so a
//! client that waits `Retry-After` seconds gets in. Each window keeps 200 counts of 100 ms:
//! a request stays counted for 20 s (to the 100 ms), so no burst at a window's edge ever
//! passes twice the limit, and a burst of limit + 1 always gets its 429.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use intune::throttling::{Bucket, Limits, WINDOW};
use serde_json::{Value as Json_, json};

use super::access::Writer;
use super::body::{Fields, JsonObject, integer};
use super::settings::THROTTLING;
use crate::{ApiError, AppState, Caller};

/// The largest custom limit per window.
pub const MAX_LIMIT: u32 = 1_000_000;

/// A tenant's throttling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttling {
    /// Intune's documented limits per bucket, per tenant and per app.
    Intune,
    /// No throttling.
    Off,
    /// The tenant's own limits per bucket for the tenant (all apps together), per 20 s.
    Custom {
        /// POST, PUT, PATCH, DELETE.
        writes: u32,
        /// Any method.
        requests: u32,
    },
}

impl Throttling {
    /// The setting's JSON form.
    pub fn to_json(self) -> Json_ {
        match self {
            Throttling::Intune => json!({"mode": "intune"}),
            Throttling::Off => json!({"mode": "off"}),
            Throttling::Custom { writes, requests } => json!({
                "mode": "custom",
                "writesPer20Seconds": writes,
                "requestsPer20Seconds": requests,
            }),
        }
    }

    /// Reads a setting as stored (already checked when it was set).
    pub fn from_json(value: &Json_) -> Option<Throttling> {
        Throttling::read(value).ok()
    }

    /// Checks a setting from a client.
    fn read(value: &Json_) -> Result<Throttling, ApiError> {
        let object = value.as_object().ok_or(ApiError::MalformedJson)?;
        let mut fields = Fields::new(object, "throttling setting");
        let mode = fields.required("mode", |v| {
            v.as_str()
                .filter(|m| ["intune", "off", "custom"].contains(m))
                .map(str::to_string)
                .ok_or("one of \"intune\", \"off\", \"custom\"")
        })?;
        let limit = |v: &Json_| {
            integer(v, 1, i64::from(MAX_LIMIT))
                .map(|n| n as u32)
                .ok_or("an integer from 1 to 1000000")
        };
        let writes = fields.optional("writesPer20Seconds", limit)?;
        let requests = fields.optional("requestsPer20Seconds", limit)?;
        let setting = match (mode.as_str(), writes, requests) {
            ("custom", Some(writes), Some(requests)) => Throttling::Custom { writes, requests },
            ("custom", _, _) => {
                return Err(fields.invalid(
                    "mode \"custom\" needs both 'writesPer20Seconds' and 'requestsPer20Seconds'.",
                ));
            }
            (mode, None, None) => {
                if mode == "intune" {
                    Throttling::Intune
                } else {
                    Throttling::Off
                }
            }
            _ => {
                return Err(fields.invalid(format!(
                    "limits are set with mode \"custom\", not \"{mode}\"."
                )));
            }
        };
        fields.finish()?;
        Ok(setting)
    }

    /// The windows a request of `bucket` counts in, with their limits: (app or tenant,
    /// writes only, limit).
    fn windows(self, bucket: Bucket) -> [Option<(Scope, bool, u32)>; 4] {
        match self {
            Throttling::Off => [None; 4],
            Throttling::Intune => {
                let Limits {
                    tenant_writes,
                    app_writes,
                    tenant_requests,
                    app_requests,
                } = bucket.limits();
                [
                    Some((Scope::Tenant, false, tenant_requests)),
                    Some((Scope::App, false, app_requests)),
                    Some((Scope::Tenant, true, tenant_writes)),
                    Some((Scope::App, true, app_writes)),
                ]
            }
            Throttling::Custom { writes, requests } => [
                Some((Scope::Tenant, false, requests)),
                Some((Scope::Tenant, true, writes)),
                None,
                None,
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Tenant,
    App,
}

/// How many slots a window has, and how long each is.
const SLOTS: u64 = 200;
const SLOT: Duration = Duration::from_millis(100);
const _: () = assert!(SLOT.as_millis() * SLOTS as u128 == WINDOW.as_millis());

/// Requests counted over the last 20 s, in 100 ms slots.
#[derive(Debug)]
struct Window {
    counts: Box<[u32; SLOTS as usize]>,
    total: u32,
    /// The slot (counted from the node's start) that `counts` ends with.
    newest: u64,
}

impl Window {
    fn new(now: u64) -> Window {
        Window {
            counts: Box::new([0; SLOTS as usize]),
            total: 0,
            newest: now,
        }
    }

    /// Moves the window to slot `now`, dropping the counts that left it.
    fn advance(&mut self, now: u64) {
        if now >= self.newest + SLOTS {
            self.counts.fill(0);
            self.total = 0;
        } else {
            for slot in self.newest + 1..=now {
                let cell = &mut self.counts[(slot % SLOTS) as usize];
                self.total -= *cell;
                *cell = 0;
            }
        }
        self.newest = self.newest.max(now);
    }

    fn add(&mut self) {
        self.counts[(self.newest % SLOTS) as usize] += 1;
        self.total += 1;
    }

    /// The first slot at which the window holds fewer than `limit` requests.
    fn room_at(&self, limit: u32) -> u64 {
        let mut left = self.total;
        for slot in self.newest + 1 - SLOTS..=self.newest {
            if left < limit {
                return slot + SLOTS - 1;
            }
            left -= self.counts[(slot % SLOTS) as usize];
        }
        self.newest + SLOTS
    }
}

/// The windows of one tenant in one bucket.
#[derive(Debug)]
struct BucketWindows {
    tenant: [Window; 2],
    apps: HashMap<String, [Window; 2]>,
}

#[derive(Debug, Default)]
struct TenantWindows {
    buckets: HashMap<Bucket, BucketWindows>,
    last_used: u64,
}

/// This node's windows, per tenant.
#[derive(Debug)]
pub struct Counters {
    start: Instant,
    tenants: RwLock<HashMap<String, Arc<Mutex<TenantWindows>>>>,
}

impl Default for Counters {
    fn default() -> Counters {
        Counters {
            start: Instant::now(),
            tenants: RwLock::default(),
        }
    }
}

impl Counters {
    fn slot(&self, at: Instant) -> u64 {
        // Slot 0 is the node's start; windows reach SLOTS back from there.
        (at.duration_since(self.start).as_millis() / SLOT.as_millis()) as u64 + SLOTS
    }

    /// Counts a request of `tenant` and `app` in `bucket` under `throttling`, or refuses it:
    /// `Err(seconds)` until its fullest window has room (at least 1).
    pub fn admit(
        &self,
        throttling: Throttling,
        tenant: &str,
        app: &str,
        bucket: Bucket,
        writes: bool,
    ) -> Result<(), u64> {
        if throttling == Throttling::Off {
            return Ok(());
        }
        let windows = throttling.windows(bucket);
        let now_instant = Instant::now();
        let now = self.slot(now_instant);
        let entry = self.entry(tenant);
        let mut tenant_windows = entry.lock().unwrap_or_else(|e| e.into_inner());
        tenant_windows.last_used = now;
        let bucket_windows =
            tenant_windows
                .buckets
                .entry(bucket)
                .or_insert_with(|| BucketWindows {
                    tenant: [Window::new(now), Window::new(now)],
                    apps: HashMap::new(),
                });
        if !bucket_windows.apps.contains_key(app) {
            bucket_windows
                .apps
                .insert(app.to_string(), [Window::new(now), Window::new(now)]);
        }
        let BucketWindows { tenant, apps } = bucket_windows;
        // Invariant: the app's windows were inserted just above, under the same lock.
        let app_windows = apps.get_mut(app).expect("the app's windows exist");
        let mut room_at = None;
        for &(scope, only_writes, limit) in windows.iter().flatten() {
            if only_writes && !writes {
                continue;
            }
            let window = match scope {
                Scope::Tenant => &mut tenant[usize::from(only_writes)],
                Scope::App => &mut app_windows[usize::from(only_writes)],
            };
            window.advance(now);
            if window.total >= limit {
                room_at = room_at.max(Some(window.room_at(limit)));
            }
        }
        if let Some(slot) = room_at {
            let free = self.start + Duration::from_millis((slot - SLOTS) * SLOT.as_millis() as u64);
            let wait = free.saturating_duration_since(now_instant);
            return Err(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        for &(scope, only_writes, _) in windows.iter().flatten() {
            if only_writes && !writes {
                continue;
            }
            match scope {
                Scope::Tenant => tenant[usize::from(only_writes)].add(),
                Scope::App => app_windows[usize::from(only_writes)].add(),
            }
        }
        Ok(())
    }

    fn entry(&self, tenant: &str) -> Arc<Mutex<TenantWindows>> {
        if let Some(entry) = self
            .tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(tenant)
        {
            return entry.clone();
        }
        let mut tenants = self.tenants.write().unwrap_or_else(|e| e.into_inner());
        tenants.entry(tenant.to_string()).or_default().clone()
    }

    /// Forgets the windows of tenants with no request for a whole window (they are empty).
    pub fn forget_idle(&self) {
        let now = self.slot(Instant::now());
        let mut tenants = self.tenants.write().unwrap_or_else(|e| e.into_inner());
        tenants.retain(|_, windows| {
            let last = windows.lock().unwrap_or_else(|e| e.into_inner()).last_used;
            now < last + SLOTS
        });
    }
}

/// `GET /_localgraph/throttling`: the tenant's throttling (its own, else the server's).
pub async fn get(State(app): State<AppState>, caller: Caller) -> Json<Json_> {
    let throttling = app
        .controls
        .tenant(&caller.tenant)
        .throttling(&app.controls);
    Json(throttling.to_json())
}

/// `PUT /_localgraph/throttling`: sets the tenant's throttling.
pub async fn put(
    State(app): State<AppState>,
    Writer(caller): Writer,
    JsonObject(object): JsonObject,
) -> Result<Json<Json_>, ApiError> {
    let setting = Throttling::read(&Json_::Object(object))?;
    app.controls
        .put(&caller.tenant, THROTTLING, "", setting.to_json(), None)
        .await?;
    Ok(Json(setting.to_json()))
}

#[cfg(test)]
mod tests;
