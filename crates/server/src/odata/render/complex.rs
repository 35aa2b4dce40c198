//! Complex values as a version shows them: the members its type declares, in schema
//! order, each stored one as stored and each missing one as a write leaves it out
//! ([`left_out`]: its default, `[]` for a collection). A value is stored with the members
//! of every version (a beta-only member kept through a v1.0 write), so a version shows only
//! its own; a value stored before a version's members were kept, or a collection member
//! stored as `null` before collections were kept non-null, reads as written today.

use odata::Model;
use odata::edm::{StructuredType, TypeKind, TypeRef};
use odata::value::left_out;
use serde_json::{Map, Value as Json};

use super::json;

/// Appends `value`, stored for a property of type `ty`: complex values (alone or in a
/// collection) as the version's `model` declares them, anything else as stored.
pub fn write(out: &mut Vec<u8>, model: &Model, ty: &TypeRef, value: &Json) {
    let TypeKind::Complex(name) = &ty.kind else {
        return json::serialized(out, value);
    };
    match value {
        Json::Array(items) if ty.collection => {
            json::array(out, items, |out, item| object(out, model, name, item));
        }
        _ if ty.collection => json::serialized(out, value),
        _ => object(out, model, name, value),
    }
}

/// Appends one complex value of the declared type `declared` (or the type its
/// `@odata.type` names).
fn object(out: &mut Vec<u8>, model: &Model, declared: &str, value: &Json) {
    let Json::Object(members) = value else {
        return json::serialized(out, value);
    };
    let annotation = members.get("@odata.type");
    let ty = annotation
        .and_then(Json::as_str)
        .and_then(|t| model.resolve_type_name(t))
        .or_else(|| model.structured(declared));
    let Some(ty) = ty else {
        return json::serialized(out, value);
    };
    shaped(out, model, ty, annotation, members);
}

fn shaped(
    out: &mut Vec<u8>,
    model: &Model,
    ty: &StructuredType,
    annotation: Option<&Json>,
    members: &Map<String, Json>,
) {
    let mut object = json::Object::begin(out);
    if let Some(annotation) = annotation {
        json::serialized(object.key("@odata.type"), annotation);
    }
    for property in &ty.properties {
        let out = object.key(&property.name);
        match members.get(&property.name) {
            None => json::serialized(out, &left_out(model, property)),
            Some(Json::Null) if property.ty.collection => out.extend_from_slice(b"[]"),
            Some(member) => write(out, model, &property.ty, member),
        }
    }
    object.end();
}
