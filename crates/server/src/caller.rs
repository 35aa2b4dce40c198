//! Who is calling: the tenant whose data a request sees.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::{ApiError, AppState};

/// The caller of a data request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The tenant id: every read and write is scoped to it.
    pub tenant: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        _parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Caller {
            tenant: state.default_tenant.to_string(),
        })
    }
}
