//! Responses rendered from the model: `@odata.context` first, then `@odata.type` as the
//! seeds show it, then the properties of the version's type in schema order.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use odata::edm::TypeKind;
use odata::query::{Expand, QueryOptions};
use odata::{Model, Value, datetime};
use serde::ser::{Serialize, SerializeMap, Serializer};
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
/// projected to `select` when given, with its expanded navigation properties; serialized
/// straight into the response bytes (no map of JSON values is built on the way).
#[derive(Clone, Copy)]
pub struct Entity<'a> {
    /// The version's model.
    pub model: &'a Model,
    /// What the store read.
    pub record: &'a Record,
    /// The declared type of where the entity lives.
    pub declared: &'a str,
    /// `$select`.
    pub select: Option<&'a [String]>,
    /// `$expand`.
    pub expand: &'a [Expand],
    /// Which entities carry `@odata.type`.
    pub annotations: TypeAnnotations,
    /// An `@odata.context` to write first (a response's top-level entity).
    pub context: Option<&'a str>,
}

impl Serialize for Entity<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (model, record) = (self.model, self.record);
        let mut out = serializer.serialize_map(None)?;
        if let Some(context) = self.context {
            out.serialize_entry("@odata.context", context)?;
        }
        if self.annotations == TypeAnnotations::Always || record.type_name != self.declared {
            let qualified = model.qualified(&record.type_name);
            out.serialize_entry("@odata.type", &format_args!("#{qualified}"))?;
        }
        let ty = model
            .structured(&record.type_name)
            .or_else(|| model.structured(self.declared));
        let Some(ty) = ty else {
            return out.end();
        };
        let mut values = Values::new(record);
        for p in &ty.properties {
            if self.select.is_some_and(|s| !s.contains(&p.name)) {
                continue;
            }
            if ty.key.contains(&p.name) {
                out.serialize_entry(&p.name, &record.id)?;
                continue;
            }
            match (values.get(&p.name), &p.ty.kind) {
                (Some(Value::Enum(member)), TypeKind::Enum(enum_type)) => {
                    out.serialize_entry(&p.name, known_member(model, enum_type, member))?;
                }
                (value, _) => out.serialize_entry(&p.name, &value.map(Plain))?,
            }
        }
        for (navigation, expanded) in &record.expanded {
            let Some(options) = self.expand.iter().find(|e| &e.navigation == navigation) else {
                continue;
            };
            let nested = |record| Entity {
                record,
                declared: &options.target,
                select: options.select.as_deref(),
                expand: &[],
                context: None,
                ..*self
            };
            match expanded {
                Expanded::One(one) => {
                    out.serialize_entry(navigation, &one.as_deref().map(nested))?;
                }
                Expanded::Many(many) => {
                    let many: Vec<Entity> = many.iter().map(nested).collect();
                    out.serialize_entry(navigation, &many)?;
                }
            }
        }
        out.end()
    }
}

/// A record's values looked up in the model's property order: the store reads columns in
/// that order, so each lookup usually finds its value just after the previous one.
struct Values<'a> {
    record: &'a Record,
    next: usize,
}

impl<'a> Values<'a> {
    fn new(record: &'a Record) -> Values<'a> {
        Values { record, next: 0 }
    }

    fn get(&mut self, name: &str) -> Option<&'a Value> {
        let values = &self.record.values;
        let ahead = values.get(self.next..).unwrap_or_default();
        match ahead.iter().position(|(n, _)| n == name) {
            Some(at) => {
                self.next += at + 1;
                Some(&values[self.next - 1].1)
            }
            None => self.record.get(name),
        }
    }
}

/// A value as a response writes it ([`Value::to_json`], without building the JSON value).
struct Plain<'a>(&'a Value);

impl Serialize for Plain<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            // A non-finite float has no JSON number: null, as `to_json` writes it.
            Value::Float(f) if f.is_finite() => serializer.serialize_f64(*f),
            Value::Float(_) => serializer.serialize_unit(),
            Value::String(s) | Value::Enum(s) => serializer.serialize_str(s),
            Value::DateTimeOffset(ticks) => {
                serializer.serialize_str(datetime::formatted(*ticks).as_str())
            }
            Value::Json(j) => j.serialize(serializer),
        }
    }
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

/// A JSON response with Graph's OData headers.
pub fn json(status: StatusCode, body: &impl Serialize) -> Response {
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

#[cfg(test)]
mod tests;
