//! Validates a JSON request body against the model, property by property.

use std::collections::HashSet;

use serde_json::{Map, Value as Json};

use super::{EntityBody, Value, ValueError, WriteMode};
use crate::datetime;
use crate::edm::{Model, Primitive, Property, StructuredType, TypeKind, TypeRef};
use crate::input::{self, Numbers};
use primitive::primitive;

/// Reads an entity body for a resource whose declared type is `declared`; `numbers` says
/// how the body wrote its numbers, for messages that quote one (`Numbers::default()` for
/// a body built in code).
///
/// `@odata.type` may name the declared type or a type derived from it (`#` and the
/// `microsoft.management.services.api` alias accepted); it is required when the declared
/// type is abstract. Other annotations are ignored, as are the key and computed properties.
pub fn read_entity(
    model: &Model,
    declared: &str,
    body: &Map<String, Json>,
    numbers: &Numbers,
    mode: WriteMode,
) -> Result<EntityBody, ValueError> {
    Reader {
        model,
        root: body,
        numbers,
    }
    .entity(declared, body, mode)
}

/// The value a non-nullable property takes when a create leaves it out: zero, `false`,
/// the first enum member, 0001-01-01T00:00:00Z, or an empty collection. `None` where no
/// neutral value exists (strings, complex values), which makes the property required.
pub fn default_value(model: &Model, ty: &TypeRef) -> Option<Value> {
    if ty.collection {
        return Some(Value::Json(Box::new(Json::Array(Vec::new()))));
    }
    match &ty.kind {
        TypeKind::Primitive(p) if p.integer_range().is_some() => Some(Value::Int(0)),
        TypeKind::Primitive(Primitive::Boolean) => Some(Value::Bool(false)),
        TypeKind::Primitive(Primitive::Double | Primitive::Single | Primitive::Decimal) => {
            Some(Value::Float(0.0))
        }
        TypeKind::Primitive(Primitive::DateTimeOffset) => {
            Some(Value::DateTimeOffset(datetime::MIN_TICKS))
        }
        TypeKind::Enum(name) => model
            .enum_type(name)
            .and_then(|e| e.members.first())
            .map(|m| Value::Enum(m.name.as_str().into())),
        _ => None,
    }
}

/// Where a value is in the body, for errors: a property's name after its parents'
/// (`target/groupId`), written out only when an error names it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Path<'a> {
    /// The parents' path with a `/` after it, or "".
    pub prefix: &'a str,
    /// The property's name.
    pub name: &'a str,
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.prefix, self.name)
    }
}

/// Reads request bodies against the model.
pub(super) struct Reader<'m> {
    pub(super) model: &'m Model,
    /// The whole body, and how it wrote its numbers: a message quotes a literal as sent.
    pub(super) root: &'m Map<String, Json>,
    pub(super) numbers: &'m Numbers,
}

impl<'m> Reader<'m> {
    /// An entity of `declared` type (or one derived from it), from `object`, a part of
    /// the body (the whole body, or an item of an action's parameter).
    pub(super) fn entity(
        &self,
        declared: &str,
        object: &Map<String, Json>,
        mode: WriteMode,
    ) -> Result<EntityBody, ValueError> {
        let model = self.model;
        let declared = model
            .structured(declared)
            .ok_or_else(|| ValueError::UnknownType {
                type_name: model.qualified(declared),
            })?;
        let annotation = object.get("@odata.type");
        let ty = self.concrete_type(declared, annotation)?;
        let values = self.properties(ty, object, "", mode)?;
        let merged = match mode {
            WriteMode::Patch => super::complex::merged(model, ty, object),
            _ => Vec::new(),
        };
        Ok(EntityBody {
            type_name: ty.name.clone(),
            type_given: annotation.is_some(),
            values,
            merged,
        })
    }

    /// The literal as Graph quotes it: a string's text, a number as the body wrote it,
    /// or the JSON of anything else.
    fn literal(&self, json: &Json) -> String {
        match json {
            Json::String(s) => s.clone(),
            other => self
                .numbers
                .written(self.root, other)
                .map_or_else(|| other.to_string(), str::to_string),
        }
    }

    fn concrete_type(
        &self,
        declared: &'m StructuredType,
        annotation: Option<&Json>,
    ) -> Result<&'m StructuredType, ValueError> {
        let ty = match annotation {
            None => declared,
            Some(Json::String(raw)) => {
                let name = raw.trim_start_matches('#');
                // As ODataLib: the name must resolve, then be of the place's kind.
                let incorrect = |found| ValueError::IncorrectTypeKind {
                    type_name: name.to_string(),
                    found,
                    expected: kind(declared),
                };
                let Some(found) = self.model.resolve_type_name(raw) else {
                    return Err(if Primitive::from_name(name).is_some() {
                        incorrect("Primitive")
                    } else if self.model.enum_type_by_qualified(name).is_some() {
                        incorrect("Enum")
                    } else {
                        ValueError::UnknownType {
                            type_name: name.to_string(),
                        }
                    });
                };
                if found.is_entity != declared.is_entity {
                    return Err(incorrect(kind(found)));
                }
                if !self.model.is_assignable(&found.name, &declared.name) {
                    return Err(ValueError::NotAssignable {
                        found: self.model.qualified(&found.name),
                        expected: self.model.qualified(&declared.name),
                    });
                }
                found
            }
            Some(_) => return Err(ValueError::TypeNotString),
        };
        if ty.is_abstract {
            let concrete: Vec<String> = ty
                .derived
                .iter()
                .filter(|d| self.model.structured(d).is_some_and(|t| !t.is_abstract))
                .map(|d| format!("#{}", self.model.qualified(d)))
                .collect();
            return Err(ValueError::AbstractType {
                type_name: self.model.qualified(&ty.name),
                derived: concrete.join(", "),
            });
        }
        Ok(ty)
    }

    fn properties(
        &self,
        ty: &StructuredType,
        object: &Map<String, Json>,
        prefix: &str,
        mode: WriteMode,
    ) -> Result<Vec<(String, Value)>, ValueError> {
        let mut seen = HashSet::with_hasher(foldhash::fast::RandomState::default());
        let mut values = Vec::new();
        for (key, json) in object {
            if key.contains('@') {
                continue;
            }
            let Some(property) = ty.property(key) else {
                let type_name = self.model.qualified(&ty.name);
                return Err(if ty.navigation_property(key).is_some() {
                    ValueError::NavigationInBody {
                        property: key.clone(),
                        type_name,
                    }
                } else {
                    ValueError::UnknownProperty {
                        property: key.clone(),
                        type_name,
                    }
                });
            };
            if !seen.insert(property.name.as_str()) {
                return Err(ValueError::DuplicateProperty {
                    property: property.name.clone(),
                });
            }
            if property.computed {
                continue;
            }
            let path = Path {
                prefix,
                name: &property.name,
            };
            let value = self.value(property, json, path)?;
            values.push((property.name.clone(), value));
        }
        if mode != WriteMode::Patch {
            let missing = ty.properties.iter().find(|p| {
                !p.nullable
                    && !p.computed
                    && !seen.contains(p.name.as_str())
                    && default_value(self.model, &p.ty).is_none()
            });
            if let Some(p) = missing {
                return Err(ValueError::MissingProperty {
                    property: format!("{prefix}{}", p.name),
                    type_name: self.model.qualified(&ty.name),
                });
            }
        }
        Ok(values)
    }

    pub(super) fn value(
        &self,
        property: &Property,
        json: &Json,
        path: Path<'_>,
    ) -> Result<Value, ValueError> {
        let ty = &property.ty;
        if json.is_null() {
            // Collections are never null: `[]` is the empty one.
            return if property.nullable && !ty.collection {
                Ok(Value::Null)
            } else {
                Err(ValueError::NullNotAllowed {
                    property: path.to_string(),
                    expected: ty.qualified_name(&self.model.namespace),
                })
            };
        }
        if !ty.collection {
            return self.element(ty, json, path);
        }
        let Json::Array(items) = json else {
            return Err(ValueError::UnexpectedNode {
                property: path.to_string(),
                found: node_kind(json),
                expected: "StartArray",
            });
        };
        let element_ty = TypeRef {
            kind: ty.kind.clone(),
            collection: false,
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if item.is_null() {
                return Err(ValueError::NullNotAllowed {
                    property: path.to_string(),
                    expected: element_ty.element_name(&self.model.namespace),
                });
            }
            out.push(self.element(&element_ty, item, path)?.to_json());
        }
        Ok(Value::Json(Box::new(Json::Array(out))))
    }

    fn element(&self, ty: &TypeRef, json: &Json, path: Path<'_>) -> Result<Value, ValueError> {
        let expected_node = match ty.kind {
            TypeKind::Complex(_) | TypeKind::Entity(_) => "StartObject",
            _ => "PrimitiveValue",
        };
        if json.as_str().is_some_and(|s| s.contains(input::NUL)) {
            return Err(ValueError::NulCharacter {
                property: path.to_string(),
            });
        }
        let found = node_kind(json);
        if found != expected_node {
            return Err(ValueError::UnexpectedNode {
                property: path.to_string(),
                found,
                expected: expected_node,
            });
        }
        let invalid = || ValueError::InvalidLiteral {
            property: path.to_string(),
            literal: self.literal(json),
            expected: ty.element_name(&self.model.namespace),
        };
        match &ty.kind {
            TypeKind::Primitive(p) => primitive(*p, json).ok_or_else(invalid),
            TypeKind::Enum(name) => {
                let enum_type = self.model.enum_type(name).ok_or_else(invalid)?;
                let text = json.as_str().ok_or_else(invalid)?;
                enum_type
                    .member(text)
                    .map(|m| Value::Enum(m.name.as_str().into()))
                    .ok_or_else(|| ValueError::InvalidEnumMember {
                        property: path.to_string(),
                        literal: text.to_string(),
                        expected: self.model.qualified(name),
                        members: enum_type
                            .members
                            .iter()
                            .map(|m| m.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            }
            TypeKind::Complex(name) | TypeKind::Entity(name) => {
                let object = json.as_object().ok_or_else(invalid)?;
                self.complex(name, object, path)
            }
        }
    }

    /// A complex value, written out complete: in schema order, what it leaves out as
    /// [`super::complex::left_out`] says, and `@odata.type` when the type is a derived one (so readers can tell which).
    fn complex(
        &self,
        declared: &str,
        object: &Map<String, Json>,
        path: Path<'_>,
    ) -> Result<Value, ValueError> {
        let declared = self
            .model
            .structured(declared)
            .ok_or_else(|| ValueError::UnknownType {
                type_name: self.model.qualified(declared),
            })?;
        let ty = self.concrete_type(declared, object.get("@odata.type"))?;
        let given = self.properties(ty, object, &format!("{path}/"), WriteMode::Create)?;
        let mut out = Map::new();
        if ty.base.is_some() {
            out.insert(
                "@odata.type".into(),
                Json::String(format!("#{}", self.model.qualified(&ty.name))),
            );
        }
        for p in &ty.properties {
            let value = match given.iter().find(|(n, _)| n == &p.name) {
                Some((_, v)) => v.to_json(),
                None => super::complex::left_out(self.model, p),
            };
            out.insert(p.name.clone(), value);
        }
        Ok(Value::Json(Box::new(Json::Object(out))))
    }
}

/// A structured type's kind, as ODataLib names it (`EdmTypeKind`).
fn kind(ty: &StructuredType) -> &'static str {
    if ty.is_entity { "Entity" } else { "Complex" }
}

fn node_kind(json: &Json) -> &'static str {
    match json {
        Json::Array(_) => "StartArray",
        Json::Object(_) => "StartObject",
        _ => "PrimitiveValue",
    }
}

mod primitive;
#[cfg(test)]
mod tests;
