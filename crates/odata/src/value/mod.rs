//! Property values: what a validated request body holds, what a store keeps, and how a
//! response writes them.

mod complex;
mod error;
mod parameters;
mod read;

pub use complex::{Given, complete, complete_entity, left_out};
pub use error::ValueError;
pub use parameters::{Parameter, read_parameters};
pub use read::{default_value, read_entity};

use std::sync::Arc;

use serde_json::Value as Json;

use crate::datetime;

/// One property value, in the form stores keep it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `Edm.Boolean`.
    Bool(bool),
    /// Every integral Edm type.
    Int(i64),
    /// `Edm.Double`, `Edm.Single`, `Edm.Decimal`.
    Float(f64),
    /// `Edm.String`, `Edm.Guid`, `Edm.Binary` (base64), `Edm.Date`, `Edm.Duration`, `Edm.TimeOfDay`.
    String(String),
    /// `Edm.DateTimeOffset`, as 100 ns ticks since 0001-01-01T00:00:00Z.
    DateTimeOffset(i64),
    /// An enum member, by name: shared, as a store's reads give every cell of a page
    /// the name its column's members hold (a copy of the name for each cell was 1.5% of
    /// a page of devices, bench/HISTORY.md, session 18).
    Enum(Arc<str>),
    /// A complex value or a collection, already in its response form. Boxed: a JSON
    /// value is 72 bytes (serde_json's `preserve_order` map), the other variants' data
    /// at most 24, and every value of a page's records took the largest's size
    /// (bench/HISTORY.md, step 39).
    Json(Box<Json>),
}

impl Value {
    /// The value as a response writes it.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Value::String(s) => Json::String(s.clone()),
            Value::Enum(name) => Json::String(name.to_string()),
            Value::DateTimeOffset(ticks) => Json::String(datetime::format(*ticks)),
            Value::Json(j) => (**j).clone(),
        }
    }
}

/// How a write treats the properties a body leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// A new entity: required properties must be present, the rest take their defaults.
    Create,
    /// A merge: only the given properties change.
    Patch,
    /// A replacement: like `Create`, on an entity that may exist.
    Replace,
}

/// A validated entity body: its concrete type and the properties it sets, in body order,
/// named as the schema spells them.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityBody {
    /// The concrete entity type (from `@odata.type`, else the declared type).
    pub type_name: String,
    /// Whether the body named its type with `@odata.type`.
    pub type_given: bool,
    /// The properties the body sets; a complex value written out whole, as a create
    /// would write it.
    pub values: Vec<(String, Value)>,
    /// On a PATCH, the complex values of `values` to merge into the stored ones rather
    /// than to set, with the members the body gives.
    pub merged: Vec<(String, Given)>,
}
