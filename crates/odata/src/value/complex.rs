//! Complex values across writes and versions: what a member left out of one holds, the
//! members a PATCH gives (merged recursively into the stored value, as Graph patches
//! complex values: `research/graph-behavior.md` §3.6), and the members other versions
//! declare, which a value written through one version keeps for the others.

use serde_json::{Map, Value as Json};

use super::{EntityBody, Value, default_value};
use crate::edm::{Model, Property, StructuredType, TypeKind};

/// The members a PATCH gives of a complex value, by schema name, in body order: `None`
/// sets the member to the written value's, `Some` merges into it the same way.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Given(pub Vec<(String, Option<Given>)>);

/// The value a member of a complex value holds when a write leaves it out, as a
/// top-level property's default ([`default_value`]): the neutral value of a non-nullable
/// one, `[]` for a collection (collections are never null), else `null`.
pub fn left_out(model: &Model, property: &Property) -> Json {
    if property.nullable && !property.ty.collection {
        return Json::Null;
    }
    default_value(model, &property.ty).map_or(Json::Null, |v| v.to_json())
}

/// The complex-valued properties of `ty` that `body` (a valid PATCH body) merges into,
/// each with the members it gives. A complex value that names its type with
/// `@odata.type` is set whole, as is `null`.
pub(super) fn merged(
    model: &Model,
    ty: &StructuredType,
    body: &Map<String, Json>,
) -> Vec<(String, Given)> {
    body.iter()
        .filter_map(|(key, json)| {
            let property = ty.property(key)?;
            given(model, property, json).map(|g| (property.name.clone(), g))
        })
        .collect()
}

/// The members `json`, the value of `property`, gives, when it is a complex value to merge.
fn given(model: &Model, property: &Property, json: &Json) -> Option<Given> {
    let TypeKind::Complex(name) = &property.ty.kind else {
        return None;
    };
    let object = json
        .as_object()
        .filter(|o| !property.ty.collection && !o.contains_key("@odata.type"))?;
    let ty = model.structured(name)?;
    let members = object
        .iter()
        .filter(|(key, _)| !key.contains('@'))
        .filter_map(|(key, json)| {
            let member = ty.property(key)?;
            Some((member.name.clone(), given(model, member, json)))
        })
        .collect();
    Some(Given(members))
}

/// Completes each complex value of `body` (read against `model`) with the members
/// `others` declare, as [`complete`] does.
pub fn complete_entity(model: &Model, others: &[&Model], body: &mut EntityBody) {
    let Some(ty) = model.structured(&body.type_name) else {
        return;
    };
    for (name, value) in &mut body.values {
        // Only JSON values can be complex: the others need no look-up.
        let Value::Json(json) = value else {
            continue;
        };
        let Some(property) = ty.property(name).filter(|p| !p.ty.collection) else {
            continue;
        };
        if let TypeKind::Complex(type_name) = &property.ty.kind {
            complete(others, type_name, json);
        }
    }
}

/// Adds to `value`, a complex value of type `type_name`, the members `others` (the other
/// versions' models) declare and it lacks, as a write leaves them out ([`left_out`]), in
/// its nested complex values too: the value a version writes is whole for every version,
/// so `$filter` finds what each version reads.
pub fn complete(others: &[&Model], type_name: &str, value: &mut Json) {
    let Json::Object(object) = value else {
        return;
    };
    for model in others {
        let ty = object
            .get("@odata.type")
            .and_then(Json::as_str)
            .and_then(|t| model.resolve_type_name(t))
            .or_else(|| model.structured(type_name));
        let Some(ty) = ty else {
            continue;
        };
        for property in &ty.properties {
            if !object.contains_key(&property.name) {
                object.insert(property.name.clone(), left_out(model, property));
            }
        }
    }
    for (name, member) in object.iter_mut() {
        let nested = others.iter().find_map(|m| {
            m.structured(type_name)
                .and_then(|t| t.property(name))
                .filter(|p| !p.ty.collection)
        });
        if let Some(TypeKind::Complex(inner)) = nested.map(|p| &p.ty.kind) {
            complete(others, inner, member);
        }
    }
}
