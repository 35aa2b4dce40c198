//! Scripted faults: rules that answer matching Graph requests (`$batch` items included) with
//! an error, a delay, or both, before they reach the store, so a faulted request changes
//! nothing.
//!
//! `POST /_localgraph/faults` adds a rule, `GET` lists them, `DELETE /_localgraph/faults`
//! and `DELETE /_localgraph/faults/{id}` remove them. A rule with `times` applies to that
//! many matching requests across every node: each use is taken from a counter in the
//! database, atomically, so two nodes never both use the last one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json_, json};

use super::access::Writer;
use super::body::{Fields, JsonObject, integer, text};
use super::pattern::Pattern;
use super::settings::{FAULT, store_error};
use crate::odata::Shape;
use crate::{ApiError, AppState, Caller};

/// The longest delay a rule may ask for.
pub const MAX_DELAY_MS: i64 = 120_000;

/// What a rule does, as the client gave it (checked and completed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// The method it matches (upper case), `None` for any.
    pub method: Option<String>,
    /// The path pattern.
    pub path: String,
    /// The status it answers with, `None` to run the request after the delay.
    pub status: Option<u16>,
    /// Graph's error `code`.
    pub code: Option<String>,
    /// The error message.
    pub message: Option<String>,
    /// The `Retry-After` header's seconds, `None` for no header.
    pub retry_after: Option<u32>,
    /// Latency before answering (or before running the request).
    pub delay_ms: u64,
    /// How many matching requests it applies to, `None` for all.
    pub times: Option<u32>,
    /// The chance that it applies to a matching request.
    pub probability: f64,
}

/// A rule of a tenant, ready to match.
#[derive(Debug)]
pub struct Fault {
    /// Its id.
    pub id: String,
    /// The rule.
    pub rule: FaultRule,
    pattern: Pattern,
    /// Known on this node to have no use left.
    used_up: AtomicBool,
}

/// What a rule does to a request it applies to.
pub struct Applied {
    /// The rule's id.
    pub id: String,
    /// The delay before the answer.
    pub delay: Duration,
    /// The error answer, if the rule gives one.
    pub error: Option<ApiError>,
}

impl Fault {
    /// A stored rule (`None` if it no longer reads).
    pub fn load(id: &str, value: &Json_, remaining: Option<i64>) -> Option<Fault> {
        let rule: FaultRule = serde_json::from_value(value.clone()).ok()?;
        let pattern = Pattern::parse(&rule.path).ok()?;
        Some(Fault {
            id: id.to_string(),
            used_up: AtomicBool::new(remaining == Some(0)),
            rule,
            pattern,
        })
    }

    fn matches(&self, method: &Method, segments: &[String]) -> bool {
        !self.used_up.load(Ordering::Relaxed)
            && self
                .rule
                .method
                .as_deref()
                .is_none_or(|m| m == method.as_str())
            && self.pattern.matches(segments)
    }

    /// Whether the rule applies to one more matching request: the dice, then a use.
    async fn fires(&self, app: &AppState, tenant: &str) -> Result<bool, ApiError> {
        if self.rule.probability < 1.0 && fastrand::f64() >= self.rule.probability {
            return Ok(false);
        }
        if self.rule.times.is_none() {
            return Ok(true);
        }
        let used = app
            .controls
            .store()
            .consume_control(tenant, FAULT, &self.id)
            .await
            .map_err(store_error)?;
        if !used {
            self.used_up.store(true, Ordering::Relaxed);
        }
        Ok(used)
    }

    fn applied(&self) -> Applied {
        let rule = &self.rule;
        Applied {
            id: self.id.clone(),
            delay: Duration::from_millis(rule.delay_ms),
            error: rule.status.map(|status| ApiError::Fault {
                status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                code: rule.code.clone().unwrap_or_default(),
                message: rule.message.clone().unwrap_or_default(),
                retry_after: rule.retry_after,
            }),
        }
    }
}

/// The first of `faults` (oldest first) that matches the request and fires.
pub async fn apply(
    app: &AppState,
    tenant: &str,
    faults: &[std::sync::Arc<Fault>],
    method: &Method,
    path: &str,
) -> Result<Option<Applied>, ApiError> {
    let segments = Pattern::segments(path);
    for fault in faults {
        if fault.matches(method, &segments) && fault.fires(app, tenant).await? {
            return Ok(Some(fault.applied()));
        }
    }
    Ok(None)
}

impl FaultRule {
    /// Checks a rule from a client and fills in its defaults; with it, its path read as a
    /// pattern (read once, for the checks that need the schema).
    fn read(object: &Map<String, Json_>) -> Result<(FaultRule, Pattern), ApiError> {
        let mut fields = Fields::new(object, "fault rule");
        let method = fields.optional("method", |v| {
            v.as_str()
                .and_then(Shape::method)
                .map(str::to_string)
                .ok_or("one of GET, POST, PUT, PATCH, DELETE (or null for any)")
        })?;
        let (path, pattern) = fields.required("path", |v| {
            v.as_str()
                .and_then(|p| Some((p.to_string(), Pattern::parse(p).ok()?)))
                .ok_or("a path such as \"/beta/deviceManagement/*/runSummary\" or \"deviceManagement/**\" (no query; '*' for one segment, '**' only last)")
        })?;
        let status = fields.optional("status", |v| {
            integer(v, 400, 599)
                .map(|n| n as u16)
                .ok_or("an integer from 400 to 599")
        })?;
        let code = fields.optional("code", |v| {
            text(v, 100)
                .map(str::to_string)
                .ok_or("a string of 1 to 100 characters")
        })?;
        let message = fields.optional("message", |v| {
            text(v, 1000)
                .map(str::to_string)
                .ok_or("a string of 1 to 1000 characters")
        })?;
        let retry_after = match fields.raw("retryAfter") {
            // Left out: what Graph sends with the status.
            None => status.and_then(default_retry_after),
            Some(Json_::Null) => None,
            Some(value) => Some(
                integer(value, 0, 86_400)
                    .map(|n| n as u32)
                    .ok_or_else(|| {
                        fields.invalid(format!(
                            "'retryAfter' must be an integer from 0 to 86400 (seconds) or null for no header; got {value}."
                        ))
                    })?,
            ),
        };
        let delay_ms = fields
            .optional("delayMs", |v| {
                integer(v, 0, MAX_DELAY_MS)
                    .map(|n| n as u64)
                    .ok_or("an integer from 0 to 120000 (milliseconds)")
            })?
            .unwrap_or(0);
        let times = fields.optional("times", |v| {
            integer(v, 1, i64::from(u32::MAX))
                .map(|n| n as u32)
                .ok_or("an integer of at least 1")
        })?;
        let probability = fields
            .optional("probability", |v| {
                v.as_f64()
                    .filter(|p| (0.0..=1.0).contains(p))
                    .ok_or("a number from 0 to 1")
            })?
            .unwrap_or(1.0);
        if status.is_none() && delay_ms == 0 {
            return Err(fields.invalid("give a 'status', a 'delayMs', or both."));
        }
        if status.is_none()
            && (code.is_some() || message.is_some() || object.contains_key("retryAfter"))
        {
            return Err(fields.invalid("'code', 'message' and 'retryAfter' go with a 'status'."));
        }
        fields.finish()?;
        let rule = FaultRule {
            method,
            path,
            code: status.map(|s| code.unwrap_or_else(|| default_code(s).to_string())),
            message: status.map(|s| message.unwrap_or_else(|| default_message(s).to_string())),
            status,
            retry_after,
            delay_ms,
            times,
            probability,
        };
        Ok((rule, pattern))
    }
}

/// The `Retry-After` a status gets when the rule does not say: Graph sends one with 429
/// and 503.
fn default_retry_after(status: u16) -> Option<u32> {
    matches!(status, 429 | 503).then_some(1)
}

/// Graph's error code for a status (`concepts/errors.md`, and the codes Intune and the
/// gateway write).
pub fn default_code(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "InvalidAuthenticationToken",
        403 => "Forbidden",
        404 => "ResourceNotFound",
        405 => "Request_BadRequest",
        409 => "Conflict",
        412 => "PreconditionFailed",
        413 => "RequestEntityTooLarge",
        423 => "Locked",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        507 => "InsufficientStorage",
        _ if status < 500 => "BadRequest",
        _ => "UnknownError",
    }
}

fn default_message(status: u16) -> &'static str {
    match status {
        401 => "Access token validation failure.",
        403 => "Application is not authorized to perform this operation.",
        404 => "The requested resource does not exist.",
        429 => "Too many requests.",
        500 => "An internal server error has occurred.",
        503 => "The service is temporarily unavailable. Please retry later.",
        504 => "The gateway did not receive a response in time.",
        _ => "The request failed.",
    }
}

fn rule_json(id: &str, rule: &FaultRule, remaining: Option<i64>) -> Json_ {
    let mut out = Map::new();
    out.insert("id".into(), json!(id));
    if let Ok(Json_::Object(fields)) = serde_json::to_value(rule) {
        out.extend(fields);
    }
    out.insert("remaining".into(), json!(remaining));
    Json_::Object(out)
}

/// `POST /_localgraph/faults`: adds a rule (201 with it and its id).
pub async fn create(
    State(app): State<AppState>,
    Writer(caller): Writer,
    JsonObject(object): JsonObject,
) -> Result<Response, ApiError> {
    let (rule, pattern) = FaultRule::read(&object)?;
    if let Some(why) = pattern.never_applies(&app.schema) {
        return Err(ApiError::InvalidRequest(format!(
            "Invalid fault rule: 'path' {} can never apply: {why}",
            rule.path
        )));
    }
    // Version 7: ids sort in creation order, the order rules are tried in.
    let id = uuid::Uuid::now_v7().to_string();
    let remaining = rule.times.map(i64::from);
    let value = serde_json::to_value(&rule).map_err(|e| ApiError::Internal(e.into()))?;
    app.controls
        .put(&caller.tenant, FAULT, &id, value, remaining)
        .await?;
    Ok((StatusCode::CREATED, Json(rule_json(&id, &rule, remaining))).into_response())
}

/// `GET /_localgraph/faults`: the tenant's rules, oldest first, with the uses left.
pub async fn list(State(app): State<AppState>, caller: Caller) -> Result<Json<Json_>, ApiError> {
    let set = app
        .controls
        .store()
        .controls(Some(&caller.tenant))
        .await
        .map_err(store_error)?;
    let value: Vec<Json_> = set
        .rows
        .iter()
        .filter(|row| row.kind == FAULT)
        .filter_map(|row| {
            let rule: FaultRule = serde_json::from_str(&row.value).ok()?;
            Some(rule_json(&row.id, &rule, row.remaining))
        })
        .collect();
    Ok(Json(json!({ "value": value })))
}

/// `DELETE /_localgraph/faults/{id}`.
pub async fn delete(
    State(app): State<AppState>,
    Writer(caller): Writer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    match app
        .controls
        .delete(&caller.tenant, FAULT, Some(&id))
        .await?
    {
        0 => Err(ApiError::NotFound(format!("/_localgraph/faults/{id}"))),
        _ => Ok(StatusCode::NO_CONTENT),
    }
}

/// `DELETE /_localgraph/faults`: removes every rule of the tenant.
pub async fn delete_all(
    State(app): State<AppState>,
    Writer(caller): Writer,
) -> Result<StatusCode, ApiError> {
    app.controls.delete(&caller.tenant, FAULT, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests;
