//! A tenant's data as a whole: `DELETE /_localgraph/data` deletes every row of it (its
//! controls stay), and snapshots save and restore it, each in one transaction:
//! `POST /_localgraph/snapshots` `{"name":"…"}`, `GET /_localgraph/snapshots`,
//! `POST /_localgraph/snapshots/{name}/restore`, `DELETE /_localgraph/snapshots/{name}`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json_, json};
use store::{SnapshotInfo, StoreError};

use super::access::Writer;
use super::body::{Fields, JsonObject};
use super::settings::store_error;
use crate::{ApiError, AppState, Caller};

/// Whether a snapshot name can be used: 1 to 64 letters, digits, `.`, `_` and `-`, not
/// only dots: `.` and `..` would be dot segments of the snapshot's URL, which clients
/// (curl, browsers, URL libraries) remove, so it could not be restored or deleted.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && !name.bytes().all(|b| b == b'.')
}

const NAME_RULE: &str = "a name of 1 to 64 letters, digits, '.', '_' and '-', not only dots (a URL cannot hold '.' or '..' as a segment)";

fn info_json(info: &SnapshotInfo) -> Json_ {
    json!({
        "name": info.name,
        "created": odata::datetime::format(info.created),
        "rows": info.rows,
    })
}

fn not_found(name: &str) -> impl FnOnce(StoreError) -> ApiError + '_ {
    move |error| match error {
        StoreError::NotFound => ApiError::NotFound(format!("/_localgraph/snapshots/{name}")),
        other => store_error(other),
    }
}

fn checked(name: &str) -> Result<&str, ApiError> {
    if valid_name(name) {
        Ok(name)
    } else {
        Err(ApiError::InvalidRequest(format!(
            "Invalid snapshot name '{name}': {NAME_RULE}."
        )))
    }
}

/// `DELETE /_localgraph/data`: deletes every row of the tenant's data.
pub async fn reset(
    State(app): State<AppState>,
    Writer(caller): Writer,
) -> Result<StatusCode, ApiError> {
    let deleted = app
        .store
        .reset_tenant(&caller.tenant)
        .await
        .map_err(store_error)?;
    tracing::info!(tenant = %caller.tenant, rows = deleted, "tenant data deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /_localgraph/snapshots`: saves the tenant's data (201; 409 if the name is taken).
pub async fn create(
    State(app): State<AppState>,
    Writer(caller): Writer,
    JsonObject(object): JsonObject,
) -> Result<Response, ApiError> {
    let mut fields = Fields::new(&object, "snapshot");
    let name = fields.required("name", |v| {
        v.as_str()
            .filter(|n| valid_name(n))
            .map(str::to_string)
            .ok_or(NAME_RULE)
    })?;
    fields.finish()?;
    let info = app
        .store
        .save_snapshot(&caller.tenant, &name)
        .await
        .map_err(|error| match error {
            StoreError::Conflict => ApiError::SnapshotExists(name.clone()),
            other => store_error(other),
        })?;
    Ok((StatusCode::CREATED, Json(info_json(&info))).into_response())
}

/// `GET /_localgraph/snapshots`: the tenant's snapshots, by name.
pub async fn list(State(app): State<AppState>, caller: Caller) -> Result<Json<Json_>, ApiError> {
    let snapshots = app
        .store
        .snapshots(Some(&caller.tenant))
        .await
        .map_err(store_error)?;
    let value: Vec<Json_> = snapshots.iter().map(info_json).collect();
    Ok(Json(json!({ "value": value })))
}

/// `POST /_localgraph/snapshots/{name}/restore`: replaces the tenant's data with the
/// snapshot's (200 with the snapshot).
pub async fn restore(
    State(app): State<AppState>,
    Writer(caller): Writer,
    Path(name): Path<String>,
) -> Result<Json<Json_>, ApiError> {
    let name = checked(&name)?;
    let info = app
        .store
        .restore_snapshot(&caller.tenant, name)
        .await
        .map_err(not_found(name))?;
    Ok(Json(info_json(&info)))
}

/// `DELETE /_localgraph/snapshots/{name}`.
pub async fn delete(
    State(app): State<AppState>,
    Writer(caller): Writer,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let name = checked(&name)?;
    app.store
        .delete_snapshot(&caller.tenant, name)
        .await
        .map_err(not_found(name))?;
    Ok(StatusCode::NO_CONTENT)
}
