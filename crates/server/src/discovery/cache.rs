//! The discovery documents, written once: `$metadata` per version, `openapi.json` per
//! version and base URL. They depend on nothing that changes while the server runs, and
//! writing them took 1.5–16 ms a request (bench/HISTORY.md, step 13).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use axum::body::Bytes;
use intune::{ApiVersion, Schema};

/// How many base URLs (`Host` headers) the OpenAPI documents are kept for; a request from
/// any further one gets its document written anew.
const OPENAPI_BASES: usize = 16;

/// The written documents of one schema.
#[derive(Debug, Default)]
pub struct Documents {
    metadata: [OnceLock<Bytes>; ApiVersion::ALL.len()],
    openapi: Mutex<HashMap<(ApiVersion, String), Bytes>>,
}

impl Documents {
    /// The CSDL document of `version`.
    pub fn metadata(&self, schema: &Schema, version: ApiVersion) -> Bytes {
        self.metadata[version.index()]
            .get_or_init(|| super::metadata_document(schema, version).into())
            .clone()
    }

    /// The OpenAPI document of `version` with its server URL under `base`.
    pub fn openapi(&self, schema: &Schema, version: ApiVersion, base: &str) -> Bytes {
        let key = (version, base.to_string());
        if let Some(written) = self.kept().get(&key) {
            return written.clone();
        }
        // Written outside the lock: beta's takes milliseconds.
        let written = Bytes::from(super::openapi_document(schema, version, base).to_string());
        let mut kept = self.kept();
        if kept.len() < OPENAPI_BASES * ApiVersion::ALL.len() {
            kept.insert(key, written.clone());
        }
        written
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<(ApiVersion, String), Bytes>> {
        // A poisoned map still holds whole documents: each is inserted in one step.
        self.openapi.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
