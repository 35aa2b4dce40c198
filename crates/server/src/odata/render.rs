//! Responses rendered from the model: `@odata.context` first, then `@odata.type` as the
//! seeds show it, then the properties of the version's type in schema order.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use odata::edm::TypeKind;
use odata::query::{Expand, QueryOptions};
use odata::{Model, Value};
use serde_json::{Map, Value as Json};
use store::{Expanded, Record};

/// The success `Content-Type` of Graph's JSON payloads.
pub const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

static ODATA_VERSION: HeaderName = HeaderName::from_static("odata-version");

/// Which entities carry `@odata.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeAnnotations {
    /// Every entity, as the seed documents show (the documented profile).
    Always,
    /// Only those whose type differs from the declared type of where they live, as Graph's
    /// minimal metadata has it (the observed profile).
    Derived,
}

/// An entity as the version's model shows it (properties the version lacks are left out),
/// projected to `select` when given, with its expanded navigation properties.
pub fn entity(
    model: &Model,
    record: &Record,
    declared: &str,
    select: Option<&[String]>,
    expand: &[Expand],
    annotations: TypeAnnotations,
) -> Map<String, Json> {
    let ty = model
        .structured(&record.type_name)
        .or_else(|| model.structured(declared));
    let mut out = Map::new();
    if annotations == TypeAnnotations::Always || record.type_name != declared {
        out.insert(
            "@odata.type".into(),
            Json::String(format!("#{}", model.qualified(&record.type_name))),
        );
    }
    let Some(ty) = ty else {
        return out;
    };
    for p in &ty.properties {
        if select.is_some_and(|s| !s.contains(&p.name)) {
            continue;
        }
        let value = if ty.key.contains(&p.name) {
            Json::String(record.id.clone())
        } else {
            match (record.get(&p.name), &p.ty.kind) {
                (Some(Value::Enum(member)), TypeKind::Enum(enum_type)) => {
                    Json::String(known_member(model, enum_type, member).to_string())
                }
                (value, _) => value.map_or(Json::Null, |v| v.to_json()),
            }
        };
        out.insert(p.name.clone(), value);
    }
    for (navigation, expanded) in &record.expanded {
        let Some(options) = expand.iter().find(|e| &e.navigation == navigation) else {
            continue;
        };
        let nested = |r: &Record| {
            Json::Object(entity(
                model,
                r,
                &options.target,
                options.select.as_deref(),
                &[],
                annotations,
            ))
        };
        let value = match expanded {
            Expanded::One(one) => one.as_deref().map_or(Json::Null, nested),
            Expanded::Many(many) => Json::Array(many.iter().map(nested).collect()),
        };
        out.insert(navigation.clone(), value);
    }
    out
}

/// An enum member as the version names it. A member its enum type lacks (stored through
/// a version that has it, like beta's `androidEnterpriseFullyManaged` enrollment type
/// read through v1.0) reads as `unknownFutureValue` where the type has that sentinel, as
/// Graph's evolvable enums answer clients that do not know a member; else as stored.
fn known_member<'a>(model: &'a Model, enum_type: &str, stored: &'a str) -> &'a str {
    match model.enum_type(enum_type) {
        Some(e) if e.member(stored).is_none() => e
            .member("unknownFutureValue")
            .map_or(stored, |m| m.name.as_str()),
        _ => stored,
    }
}

/// The context fragment with Graph's projection: `collection(a,b,nav())` or
/// `…(a,b)/$entity`.
pub fn projected(fragment: &str, options: &QueryOptions) -> String {
    let mut items: Vec<String> = options.select.clone().unwrap_or_default();
    items.extend(options.expand.iter().map(|e| format!("{}()", e.navigation)));
    if items.is_empty() {
        return fragment.to_string();
    }
    let list = format!("({})", items.join(","));
    match fragment.strip_suffix("/$entity") {
        Some(head) => format!("{head}{list}/$entity"),
        None => format!("{fragment}{list}"),
    }
}

/// `{"@odata.context": …, …entity}`.
pub fn with_context(context: String, body: Map<String, Json>) -> Map<String, Json> {
    let mut out = Map::with_capacity(body.len() + 1);
    out.insert("@odata.context".into(), Json::String(context));
    out.extend(body);
    out
}

/// A JSON response with Graph's OData headers.
pub fn json(status: StatusCode, body: &Map<String, Json>) -> Response {
    let mut response = Response::new(Body::from(serde_json::to_vec(body).unwrap_or_default()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ODATA_JSON));
    headers.insert(ODATA_VERSION.clone(), HeaderValue::from_static("4.0"));
    response
}

/// An empty `204 No Content`.
pub fn no_content() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// A plain-text response (`/$count`).
pub fn text(body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(ODATA_VERSION.clone(), HeaderValue::from_static("4.0"));
    response
}

/// Adds a header when the value is a valid header value.
pub fn with_header(mut response: Response, name: HeaderName, value: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
    response
}
