//! Responses rendered from the model: `@odata.context` first, then `@odata.type` as the
//! seeds show it, then the properties of the version's type in schema order.

mod complex;
pub mod json;
mod shape;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use odata::query::{Expand, QueryOptions};
use odata::{Model, Value, datetime};
use serde::Serialize;
use store::{Expanded, Record};

use shape::{Rendered, Shapes, Slot, Values, slots};

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
/// projected to `select` when given, with its expanded navigation properties; written
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

impl<'a> Entity<'a> {
    /// The entity's JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ENTITY_BYTES);
        self.write(&mut out);
        out
    }

    /// Appends the entity's JSON to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        self.write_shaped(out, None);
    }

    /// Appends the entity's JSON to `out`: in the shape `shapes` keeps for its type (made
    /// from this entity if it is the first of its type) where entities of its type
    /// follow, else (one entity) with its slots made as it is written.
    fn write_shaped(&self, out: &mut Vec<u8>, shapes: Option<&mut Shapes<'a>>) {
        let (model, record) = (self.model, self.record);
        let mut object = json::Object::begin(out);
        if let Some(context) = self.context {
            json::string(object.key("@odata.context"), context);
        }
        if self.annotations == TypeAnnotations::Always || record.type_name != self.declared {
            // Written without formatting the qualified name first: every entity of a page
            // in the documented profile carries one.
            let out = object.key("@odata.type");
            json::type_annotation(out, &model.namespace, &record.type_name);
        }
        let mut values = Values::new(record);
        let mut own = Shapes::default();
        let level = match shapes {
            Some(shapes) => {
                let shape = shapes.of(model, record, self.declared, self.select);
                let Some(slots) = &shape.slots else {
                    return object.end();
                };
                let placed = shape.holds(record);
                for slot in slots {
                    property(&mut object, model, slot, record, placed, &mut values);
                }
                shapes
            }
            None => {
                let Some(ty) = shape::structured(model, record, self.declared) else {
                    return object.end();
                };
                for slot in slots(model, ty, record, self.select) {
                    property(&mut object, model, &slot, record, true, &mut values);
                }
                &mut own
            }
        };
        for (navigation, expanded) in &record.expanded {
            let Some(at) = self.expand.iter().position(|e| &e.navigation == navigation) else {
                continue;
            };
            let options = &self.expand[at];
            let shapes = level.nested(at, self.expand.len());
            let nested = |record| Entity {
                record,
                declared: &options.target,
                select: options.select.as_deref(),
                expand: &[],
                context: None,
                ..*self
            };
            let out = object.key(navigation);
            match expanded {
                Expanded::One(Some(one)) => nested(one).write_shaped(out, Some(shapes)),
                Expanded::One(None) => json::null(out),
                Expanded::Many(many) => {
                    json::array(out, many, |out, r| {
                        nested(r).write_shaped(out, Some(&mut *shapes));
                    });
                }
            }
        }
        object.end();
    }
}

/// Appends a property of `record` to `object`, as `slot` says (`placed`: see
/// [`Slot::of`]); a complex value as the version's `model` declares it (see complex.rs).
/// Inlined into both of `write_shaped`'s loops, as it was written inline
/// before it had two callers.
#[inline(always)]
fn property<'r>(
    object: &mut json::Object<'_>,
    model: &Model,
    slot: &Slot<'_>,
    record: &'r Record,
    placed: bool,
    values: &mut Values<'r>,
) {
    let out = object.key(&slot.property.name);
    match slot.of(record, placed, values) {
        Rendered::Key(id) => json::string(out, id),
        Rendered::Value(Some(Value::Enum(member))) => json::string(out, slot.member(member)),
        Rendered::Value(Some(Value::Json(value))) => {
            complex::write(out, model, &slot.property.ty, value);
        }
        Rendered::Value(value) => plain(out, value),
    }
}

/// A page's JSON as Graph writes it: the context, the count, the next link, then the
/// entities (each after the first of its kind in the shape of that first one: see
/// `Shapes::of` in shape.rs).
pub fn page<'a>(
    context: &str,
    count: Option<u64>,
    next: Option<&str>,
    entities: impl ExactSizeIterator<Item = Entity<'a>>,
) -> Vec<u8> {
    // Room for the first entity only: the rest is reserved once it tells what an entity
    // takes (a reallocation copies the whole old block, so a large first guess cost a
    // copy of it on every page of devices).
    let mut out = Vec::with_capacity(PAGE_BYTES + ENTITY_BYTES);
    let mut object = json::Object::begin(&mut out);
    json::string(object.key("@odata.context"), context);
    if let Some(count) = count {
        json::serialized(object.key("@odata.count"), &count);
    }
    if let Some(next) = next {
        json::string(object.key("@odata.nextLink"), next);
    }
    let rest = entities.len().saturating_sub(1);
    let mut shapes = Shapes::default();
    json::array(
        object.key("value"),
        entities.enumerate(),
        |out, (i, entity)| {
            let start = out.len();
            entity.write_shaped(out, Some(&mut shapes));
            if i == 0 {
                // The first entity tells what the others take: the buffer grows once
                // here, while it holds one entity, rather than being copied as it fills
                // (a page of devices outgrew the first guess by 2x). An eighth more, as
                // entities differ in length: a page of run states with their devices
                // outgrew the exact estimate at its last entities and was copied whole.
                let rest = (out.len() - start + 1) * rest;
                out.reserve(rest + rest / 8);
            }
        },
    );
    object.end();
    out
}

/// What a response's buffer starts with for one entity (a device renders in about 2 KB,
/// a macOS summary in about 500 bytes), and a page's for its first entity.
const ENTITY_BYTES: usize = 2048;
/// What a page's buffer starts with besides its entities (the context, the next link).
const PAGE_BYTES: usize = 1024;

/// A value as a response writes it ([`Value::to_json`], without building the JSON value).
/// Inlined where a property is written: called once per property of a page, the call
/// cost about 7 instructions a property (bench/HISTORY.md, step 35).
#[inline(always)]
fn plain(out: &mut Vec<u8>, value: Option<&Value>) {
    match value {
        None | Some(Value::Null) => json::null(out),
        Some(Value::Bool(b)) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Some(Value::Int(i)) => json::serialized(out, i),
        // A non-finite float has no JSON number: null, as `to_json` writes it.
        Some(Value::Float(f)) => json::serialized(out, f),
        Some(Value::String(s)) => json::string(out, s),
        Some(Value::Enum(name)) => json::string(out, name),
        Some(Value::DateTimeOffset(ticks)) => {
            json::unescaped(out, datetime::formatted(*ticks).as_bytes());
        }
        Some(Value::Json(j)) => json::serialized(out, j),
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
    json_bytes(status, serde_json::to_vec(body).unwrap_or_default())
}

/// How many headers a data response ends with (its own and the middleware's).
const RESPONSE_HEADERS: usize = 12;

/// A response of JSON bytes (an entity's, a page's) with Graph's OData headers.
pub fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    // Room for the headers the middleware adds (ids, diagnostics, cache control, length)
    // without growing the map on the way out.
    *headers = HeaderMap::with_capacity(RESPONSE_HEADERS);
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
