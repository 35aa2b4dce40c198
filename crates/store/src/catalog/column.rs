//! A column of a catalog table: how it stores its values, which versions render it, and
//! how a property's declarations in the served models become one column type.

use std::sync::Arc;

use intune::ApiVersion;
use odata::Value;
use odata::edm::{Model, Primitive, TypeKind, TypeRef};

use super::TableId;

/// How a column stores its values.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnType {
    /// Integral numbers.
    Integer,
    /// `Edm.Boolean`.
    Boolean,
    /// Floating-point numbers.
    Real,
    /// Strings and string-encoded primitives.
    Text,
    /// `Edm.DateTimeOffset` as 100 ns ticks: sorts and compares by instant.
    Ticks,
    /// An enum, stored as the member's value (so it sorts as OData orders enums); its
    /// members (name, value) are shared, as every read of a NULL carries its column's type,
    /// and so is each name, which every cell read of that member holds.
    Enum(Arc<[(Arc<str>, i64)]>),
    /// Complex values and collections, as JSON text in response form.
    Json,
}

/// A value the store sets itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// Set when the entity is created (`createdDateTime`).
    Created,
    /// Set on every write (`lastModifiedDateTime`).
    Modified,
}

/// One column: a structural property of some type that lives in the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The property name, also the column name; shared with each selection's `names`,
    /// which the records read with it share.
    pub name: Arc<str>,
    /// How values are stored.
    pub ty: ColumnType,
    /// The value a new entity gets when the write leaves the property out.
    pub default: Option<Value>,
    /// Set by the store rather than by the client.
    pub stamp: Option<Stamp>,
    /// For a link column (`_managedDevice`), the table of the entities it references.
    pub link: Option<TableId>,
    /// The API versions whose types have this property (none for a link column): what a
    /// response of each renders.
    pub versions: Vec<ApiVersion>,
}

pub(super) fn column_type(model: &Model, ty: &TypeRef) -> ColumnType {
    if ty.collection {
        return ColumnType::Json;
    }
    match &ty.kind {
        TypeKind::Primitive(p) if p.integer_range().is_some() => ColumnType::Integer,
        TypeKind::Primitive(Primitive::Boolean) => ColumnType::Boolean,
        TypeKind::Primitive(Primitive::Double | Primitive::Single | Primitive::Decimal) => {
            ColumnType::Real
        }
        TypeKind::Primitive(Primitive::DateTimeOffset) => ColumnType::Ticks,
        TypeKind::Primitive(_) => ColumnType::Text,
        TypeKind::Enum(name) => ColumnType::Enum(
            model
                .enum_type(name)
                .map(|e| {
                    e.members
                        .iter()
                        .map(|m| (m.name.as_str().into(), m.value))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        TypeKind::Complex(_) | TypeKind::Entity(_) => ColumnType::Json,
    }
}

/// One column's type as two declarations agree on it: the same type, or, for an enum
/// whose versions list different members (beta's `deviceEnrollmentType` has members
/// v1.0 lacks), every member of either, so a value written through one version is kept
/// for the other. `None` when they disagree: other types, or a member name or value
/// that means something else in the other declaration (a stored value must decode to
/// one name).
pub(super) fn merged(a: &ColumnType, b: &ColumnType) -> Option<ColumnType> {
    let (ColumnType::Enum(first), ColumnType::Enum(second)) = (a, b) else {
        return (a == b).then(|| a.clone());
    };
    let mut members = first.to_vec();
    for (name, value) in second.iter() {
        match members.iter().find(|(n, _)| n == name) {
            Some((_, known)) if known != value => return None,
            Some(_) => {}
            None if members.iter().any(|(_, v)| v == value) => return None,
            None => members.push((name.clone(), *value)),
        }
    }
    Some(ColumnType::Enum(members.into()))
}

/// Computed timestamps the store maintains, by Graph's naming convention.
pub(super) fn stamp(name: &str, ty: &TypeRef, computed: bool) -> Option<Stamp> {
    let is_date = ty.kind == TypeKind::Primitive(Primitive::DateTimeOffset) && !ty.collection;
    match name {
        "createdDateTime" if computed && is_date => Some(Stamp::Created),
        "lastModifiedDateTime" if computed && is_date => Some(Stamp::Modified),
        _ => None,
    }
}
