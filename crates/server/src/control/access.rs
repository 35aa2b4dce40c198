//! Who may change a tenant through the control API. Reading it (the rules, the settings,
//! the journal, the snapshots' list) needs a token of the tenant and no Graph permission;
//! changing it (its data, snapshots, fault rules, throttling or profile) needs a token that
//! holds at least one permission that allows a write to the tenant's data
//! ([`intune::Permissions::writes`], the `ReadWrite` ones): else a token that may only read
//! could wipe or restore the data it may not write. Under `--auth off` every call may.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::{ApiError, AppState, Caller};

/// The caller of a control-API call that changes the tenant: one that holds a write
/// permission (else Graph's 403 naming them).
pub struct Writer(pub Caller);

impl FromRequestParts<AppState> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require(state.schema.permissions().writes())?;
        Ok(Writer(caller))
    }
}
