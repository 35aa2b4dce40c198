//! Who is calling: the tenant whose data a request sees, and the permissions it holds.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use intune::Permissions;
use intune::permissions::Access;

use crate::auth::{AuthMode, Claims};
use crate::{ApiError, AppState};

/// The caller of a data request: shared, so that each request with the same token
/// clones a pointer rather than the tenant and every permission.
#[derive(Debug, Clone)]
pub struct Caller(Arc<Identity>);

/// Who a caller is (read through [`Caller`]).
#[derive(Debug)]
pub struct Identity {
    /// The tenant id (the token's `tid`, lower-case): every read and write is scoped to it.
    pub tenant: String,
    /// What the caller may do.
    pub grants: Grants,
    /// The client application (the token's `appid`, else `azp`); none under `--auth off`.
    pub app: Option<String>,
}

/// The permissions a caller holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grants {
    /// Everything (`--auth off`).
    Everything,
    /// A delegated token's `scp`.
    Delegated(Vec<String>),
    /// An app-only token's `roles`.
    Application(Vec<String>),
}

impl Caller {
    /// The caller a verified token describes: delegated when it has `scp`, else app-only.
    pub fn from_claims(claims: &Claims) -> Caller {
        let grants = match (&claims.scp, &claims.roles) {
            (Some(scp), _) => {
                Grants::Delegated(scp.split_whitespace().map(str::to_string).collect())
            }
            (None, roles) => Grants::Application(roles.clone().unwrap_or_default()),
        };
        Caller::new(Identity {
            tenant: claims
                .tid
                .as_deref()
                .unwrap_or_default()
                .to_ascii_lowercase(),
            grants,
            app: claims.appid.clone().or_else(|| claims.azp.clone()),
        })
    }

    /// A caller of parts.
    pub fn new(identity: Identity) -> Caller {
        Caller(Arc::new(identity))
    }

    /// The caller of a request with these headers: the token's, or under `--auth off` the
    /// default tenant's with every permission.
    pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
        let caller = match state.auth.mode() {
            AuthMode::Off => Caller::new(Identity {
                tenant: state.default_tenant.to_string(),
                grants: Grants::Everything,
                app: None,
            }),
            AuthMode::On => state
                .auth
                .verify(headers.get(header::AUTHORIZATION))
                .map_err(ApiError::Unauthenticated)?,
        };
        // The request's log line names who called.
        crate::trace::record([
            ("tenant", Some(caller.tenant.as_str())),
            ("app", caller.app.as_deref()),
        ]);
        Ok(caller)
    }

    /// Checks the permission `access` at `place` (its path) needs, by `table`.
    pub fn authorize(
        &self,
        table: &Permissions,
        place: &str,
        access: Access,
    ) -> Result<(), ApiError> {
        self.require(table.required(place, access))
    }

    /// Succeeds when the caller holds any one of `any_of` (names compare case-insensitively,
    /// as Entra ID's do); else Graph's 403 naming them.
    pub fn require(&self, any_of: &[String]) -> Result<(), ApiError> {
        let held = match &self.grants {
            Grants::Everything => return Ok(()),
            Grants::Delegated(held) | Grants::Application(held) => held,
        };
        if any_of
            .iter()
            .any(|needed| held.iter().any(|h| h.eq_ignore_ascii_case(needed)))
        {
            Ok(())
        } else {
            Err(ApiError::Forbidden(any_of.to_vec()))
        }
    }
}

impl Deref for Caller {
    type Target = Identity;

    fn deref(&self) -> &Identity {
        &self.0
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// The caller the controls middleware verified, else the request's own.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match parts.extensions.remove::<Caller>() {
            Some(caller) => Ok(caller),
            None => Caller::authenticate(state, &parts.headers),
        }
    }
}
