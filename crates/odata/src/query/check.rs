//! Type checking of `$filter` and `$orderby` against the EDM: property paths resolve to the
//! schema's names, literals compared to enums and dates take the property's type, and
//! comparisons of incompatible types are refused with ODataLib's message.

mod evolvable;
mod expr_type;
mod filter;

pub use filter::check_filter;

use super::QueryError;
use super::ast::OrderKey;
use crate::edm::{Model, StructuredType, TypeKind, TypeRef};

/// Resolves a property path against `ty`: the schema's names and the property's type.
pub fn resolve_path(
    model: &Model,
    ty: &StructuredType,
    path: &[String],
    option: &str,
) -> Result<(Vec<String>, TypeRef), QueryError> {
    let mut current = ty;
    let mut names = Vec::with_capacity(path.len());
    for (i, segment) in path.iter().enumerate() {
        let not_found = || {
            QueryError::new(
                option,
                format!(
                    "Could not find a property named '{segment}' on type '{}'.",
                    model.qualified(&current.name)
                ),
            )
        };
        // Inside a complex value a property of a derived type is found too (values of
        // other types hold null there): `target/groupId` on an assignment whose target type
        // is abstract. On the entity type the path addresses, only its own properties (and
        // its bases') are found, as in `$select`: a derived type's property needs the cast
        // (`…/graph.androidManagedStoreAppConfiguration?$filter=packageId eq 'x'`), else
        // entities of other types would match or sort by a property they do not have.
        let derived = || {
            if current.is_entity {
                return None;
            }
            current
                .derived
                .iter()
                .filter_map(|d| model.structured(d))
                .find_map(|d| d.property(segment))
        };
        let property = match current.property(segment).or_else(derived) {
            Some(p) => p,
            None if current.navigation_property(segment).is_some() => {
                return Err(QueryError::new(
                    option,
                    format!(
                        "The navigation property '{segment}' cannot be used in {option}; use $expand."
                    ),
                ));
            }
            None => return Err(not_found()),
        };
        names.push(property.name.clone());
        if i + 1 == path.len() {
            return Ok((names, property.ty.clone()));
        }
        current = match (&property.ty.kind, property.ty.collection) {
            (TypeKind::Complex(name), false) => model.structured(name).ok_or_else(not_found)?,
            _ => {
                return Err(QueryError::new(
                    option,
                    format!(
                        "The property '{}' has no properties to navigate into.",
                        property.name
                    ),
                ));
            }
        };
    }
    Err(QueryError::new(
        option,
        "An empty property path is not valid.".into(),
    ))
}

/// Checks `$orderby` keys: each must be a primitive or enum property (path).
pub fn check_orderby(
    model: &Model,
    ty: &StructuredType,
    keys: Vec<OrderKey>,
) -> Result<Vec<OrderKey>, QueryError> {
    let mut checked: Vec<OrderKey> = Vec::with_capacity(keys.len());
    for key in keys {
        let (path, prop_ty) = resolve_path(model, ty, &key.path, "$orderby")?;
        if !prop_ty.is_orderable() {
            return Err(QueryError::new(
                "$orderby",
                format!(
                    "The property '{}' cannot be used to order: it is not of a primitive or enum type.",
                    path.join("/")
                ),
            ));
        }
        // ASP.NET OData's answer (Graph's stack) to a key given twice.
        if checked.iter().any(|k| k.path == path) {
            return Err(QueryError::new(
                "$orderby",
                format!(
                    "Duplicate property named '{}' is not supported in '$orderby'.",
                    path.join("/")
                ),
            ));
        }
        checked.push(OrderKey {
            path,
            descending: key.descending,
        });
    }
    Ok(checked)
}
