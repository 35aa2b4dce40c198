//! The parameters of the document's operations: a path's key parameters, the query
//! options each operation accepts, and the shared `$top`/`$skip`/`$filter`/`$count`
//! components they refer to.

use odata::Model;
use serde_json::{Value as Json, json};

use crate::discovery::places::Route;
use crate::odata::Operation;

/// The key parameters of the path, then the query options the operation accepts.
pub(super) fn parameters_of(model: &Model, place: &Route, op: Operation) -> Vec<Json> {
    let mut out: Vec<Json> = place
        .keys
        .iter()
        .map(|(name, ty)| {
            json!({
                "name": name,
                "in": "path",
                "required": true,
                "description": format!("The unique identifier of {ty}"),
                // A segment starting with `$` is a system segment (`$count`, `$ref`), never a key.
                "schema": { "type": "string", "pattern": "^[^$]" },
                "x-ms-docs-key-type": ty,
            })
        })
        .collect();
    let ty = model.structured(&place.entity_type);
    let names = |f: &dyn Fn(&odata::StructuredType) -> Vec<String>| ty.map(f).unwrap_or_default();
    let properties = names(&|t| t.properties.iter().map(|p| p.name.clone()).collect());
    let navigation = names(&|t| t.navigation.iter().map(|n| n.name.clone()).collect());
    // `*` as an item too: every property for `$select`, as the server reads it (for
    // `$expand`, listed as Graph's document lists it).
    let star_and = |names: &[String]| -> Vec<String> {
        std::iter::once("*".to_string())
            .chain(names.iter().cloned())
            .collect()
    };
    // `$select` takes navigation properties too, as the server does and Microsoft's
    // generator lists them (OpenAPI.NET.OData's `CreateSelect`).
    let select = array_option(
        "$select",
        "Select properties to be returned",
        star_and(&[properties, navigation.clone()].concat()),
    );
    let expand = array_option("$expand", "Expand related entities", star_and(&navigation));
    match op {
        Operation::List => {
            for name in ["top", "skip", "filter", "count"] {
                out.push(json!({ "$ref": format!("#/components/parameters/{name}") }));
            }
            // Only what the server orders by: primitive and enum properties.
            let mut order = Vec::new();
            for p in ty.iter().flat_map(|t| &t.properties) {
                if p.ty.is_orderable() {
                    order.push(p.name.clone());
                    order.push(format!("{} desc", p.name));
                }
            }
            out.push(array_option(
                "$orderby",
                "Order items by property values",
                order,
            ));
            out.push(select);
            out.push(expand);
        }
        Operation::Get => {
            out.push(select);
            out.push(expand);
        }
        // `…/$count` takes `$filter` (and only it), as the server does.
        Operation::Count => out.push(json!({ "$ref": "#/components/parameters/filter" })),
        _ => {}
    }
    out
}

/// A comma-separated query option with a closed set of items, as Graph's OpenAPI has them.
fn array_option(name: &str, description: &str, items: Vec<String>) -> Json {
    json!({
        "name": name,
        "in": "query",
        "description": description,
        "style": "form",
        "explode": false,
        "schema": { "type": "array", "uniqueItems": true, "items": { "type": "string", "enum": items } },
    })
}

/// The query options every collection shares, as components the operations refer to.
pub(super) fn parameters() -> Json {
    json!({
        "top": { "name": "$top", "in": "query", "description": "Show only the first n items (the page size; values over 999 are read as 999)", "style": "form", "explode": false, "schema": { "type": "integer", "minimum": 1 } },
        "skip": { "name": "$skip", "in": "query", "description": "Skip the first n items", "style": "form", "explode": false, "schema": { "type": "integer", "minimum": 0 } },
        "filter": { "name": "$filter", "in": "query", "description": "Filter items by property values", "style": "form", "explode": false, "schema": { "type": "string", "minLength": 1 } },
        "count": { "name": "$count", "in": "query", "description": "Include count of items", "style": "form", "explode": false, "schema": { "type": "boolean" } },
    })
}
