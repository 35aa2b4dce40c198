//! The controls of every tenant as this node knows them: read from the database at start,
//! kept in memory so that no Graph request reads them from the database, and reloaded
//! when the database's generation of controls moves (checked every [`REFRESH`]), so a
//! change made through any node reaches this one within that time. A change made through
//! this node applies here at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use serde_json::Value as Json;
use store::{ControlRow, Store, StoreError};

use super::faults::Fault;
use super::journal::Journal;
use super::profile::Profile;
use super::throttling::{Counters, Throttling};
use crate::ApiError;

/// How often a node checks whether the controls changed in the database.
pub const REFRESH: Duration = Duration::from_millis(500);

/// The kind of a tenant's throttling setting.
pub const THROTTLING: &str = "throttling";
/// The kind of a tenant's profile.
pub const PROFILE: &str = "profile";
/// The kind of a fault rule.
pub const FAULT: &str = "fault";

/// What the server applies to tenants that set nothing themselves (`serve --throttling`,
/// `--profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlDefaults {
    /// Throttling: Intune's limits (the default) or none.
    pub throttling: Throttling,
    /// The behaviour profile.
    pub profile: Profile,
}

impl Default for ControlDefaults {
    fn default() -> ControlDefaults {
        ControlDefaults {
            throttling: Throttling::Intune,
            profile: Profile::Documented,
        }
    }
}

/// One tenant's controls.
#[derive(Debug, Default)]
pub struct TenantControls {
    /// Its own throttling setting, if it set one.
    pub throttling: Option<Throttling>,
    /// Its own profile, if it set one.
    pub profile: Option<Profile>,
    /// Its fault rules, oldest first.
    pub faults: Vec<Arc<Fault>>,
}

impl TenantControls {
    /// The profile in force: the tenant's, else the server's.
    pub fn profile(&self, controls: &Controls) -> Profile {
        self.profile.unwrap_or(controls.defaults.profile)
    }

    /// The throttling in force: the tenant's, else the server's.
    pub fn throttling(&self, controls: &Controls) -> Throttling {
        self.throttling.unwrap_or(controls.defaults.throttling)
    }
}

/// The controls as of one generation.
#[derive(Default)]
struct Known {
    generation: i64,
    tenants: HashMap<String, Arc<TenantControls>>,
}

/// The controls of every tenant, the throttling counters and the request journal of this
/// node.
pub struct Controls {
    store: Arc<dyn Store>,
    /// The server's defaults.
    pub defaults: ControlDefaults,
    known: RwLock<Arc<Known>>,
    none: Arc<TenantControls>,
    /// The throttling windows of this node.
    pub counters: Counters,
    /// The request journal of this node.
    pub journal: Journal,
}

impl Controls {
    /// Reads the controls and keeps them fresh (a task checks the database every
    /// [`REFRESH`] while the controls are in use).
    pub async fn open(
        store: Arc<dyn Store>,
        defaults: ControlDefaults,
    ) -> Result<Arc<Controls>, StoreError> {
        let controls = Arc::new(Controls {
            store,
            defaults,
            known: RwLock::default(),
            none: Arc::default(),
            counters: Counters::default(),
            journal: Journal::default(),
        });
        controls.reload().await?;
        tokio::spawn(keep_fresh(Arc::downgrade(&controls)));
        Ok(controls)
    }

    /// The store the controls live in.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// A tenant's controls (none set: an empty set). No database access.
    pub fn tenant(&self, tenant: &str) -> Arc<TenantControls> {
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        known
            .tenants
            .get(tenant)
            .cloned()
            .unwrap_or_else(|| self.none.clone())
    }

    /// Sets one control of a tenant in the database; this node applies it at once.
    pub async fn put(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
        value: Json,
        remaining: Option<i64>,
    ) -> Result<(), ApiError> {
        let row = ControlRow {
            tenant: tenant.to_string(),
            kind: kind.to_string(),
            id: id.to_string(),
            value: value.to_string(),
            remaining,
        };
        self.store.put_control(&row).await.map_err(store_error)?;
        self.reload().await.map_err(store_error)
    }

    /// Deletes one control of a kind (`id`), or all of them; how many there were.
    pub async fn delete(
        &self,
        tenant: &str,
        kind: &str,
        id: Option<&str>,
    ) -> Result<u64, ApiError> {
        let deleted = self
            .store
            .delete_controls(tenant, kind, id)
            .await
            .map_err(store_error)?;
        self.reload().await.map_err(store_error)?;
        Ok(deleted)
    }

    /// Reads every control from the database.
    async fn reload(&self) -> Result<(), StoreError> {
        let set = self.store.controls(None).await?;
        let mut tenants: HashMap<String, TenantControls> = HashMap::new();
        for row in set.rows {
            let tenant = tenants.entry(row.tenant.clone()).or_default();
            let value: Json = match serde_json::from_str(&row.value) {
                Ok(value) => value,
                Err(error) => {
                    tracing::warn!(tenant = %row.tenant, kind = %row.kind, %error, "unreadable control, ignored");
                    continue;
                }
            };
            match row.kind.as_str() {
                THROTTLING => tenant.throttling = Throttling::from_json(&value),
                PROFILE => tenant.profile = value.as_str().and_then(Profile::parse),
                FAULT => match Fault::load(&row.id, &value, row.remaining) {
                    Some(fault) => tenant.faults.push(Arc::new(fault)),
                    None => tracing::warn!(id = %row.id, "unreadable fault rule, ignored"),
                },
                other => tracing::warn!(kind = other, "unknown control, ignored"),
            }
        }
        let known = Known {
            generation: set.generation,
            tenants: tenants
                .into_iter()
                .map(|(tenant, controls)| (tenant, Arc::new(controls)))
                .collect(),
        };
        *self.known.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(known);
        Ok(())
    }

    /// Reloads when another node changed the controls; forgets idle counters.
    async fn check(&self) {
        let known = self
            .known
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .generation;
        let result = match self.store.controls_generation().await {
            Ok(generation) if generation == known => Ok(()),
            Ok(_) => self.reload().await,
            Err(error) => Err(error),
        };
        if let Err(error) = result {
            tracing::warn!(%error, "cannot read the controls; keeping the last ones");
        }
        self.counters.forget_idle();
    }
}

async fn keep_fresh(controls: Weak<Controls>) {
    let mut ticks = tokio::time::interval(REFRESH);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let Some(controls) = controls.upgrade() else {
            return;
        };
        controls.check().await;
    }
}

/// A store failure of the control API.
pub fn store_error(error: StoreError) -> ApiError {
    ApiError::from_store(error, "/_localgraph")
}
