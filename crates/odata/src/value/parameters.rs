//! Validates the body of a bound action's call against the action's parameters.

use serde_json::{Map, Value as Json};

use super::read::{Path, Reader};
use super::{EntityBody, Value, ValueError, WriteMode};
use crate::edm::{Action, Model, TypeKind};
use crate::input::Numbers;

/// One parameter's validated value.
#[derive(Debug, Clone, PartialEq)]
pub enum Parameter {
    /// A primitive, enum or complex value, or a collection of them.
    Value(Value),
    /// A collection of entities, each validated as a create of its type.
    Entities(Vec<EntityBody>),
}

/// Reads the parameters `body` gives `action`, in body order, named as the schema spells
/// them. Parameters the body leaves out are absent (the action decides what that means).
/// `numbers` says how the body wrote its numbers, as for [`super::read_entity`].
pub fn read_parameters(
    model: &Model,
    action: &Action,
    body: &Map<String, Json>,
    numbers: &Numbers,
) -> Result<Vec<(String, Parameter)>, ValueError> {
    let reader = Reader {
        model,
        root: body,
        numbers,
    };
    let mut out: Vec<(String, Parameter)> = Vec::new();
    for (key, json) in body {
        if key.contains('@') {
            continue;
        }
        let parameter = action
            .parameter(key)
            .ok_or_else(|| ValueError::UnknownParameter {
                parameter: key.clone(),
                action: action.name.clone(),
            })?;
        if out.iter().any(|(name, _)| *name == parameter.name) {
            return Err(ValueError::DuplicateProperty {
                property: parameter.name.clone(),
            });
        }
        let value = match (&parameter.ty.kind, json) {
            (TypeKind::Entity(ty), Json::Array(items)) if parameter.ty.collection => {
                let entities = items
                    .iter()
                    .map(|item| match item {
                        Json::Object(object) => reader.entity(ty, object, WriteMode::Create),
                        other => Err(ValueError::UnexpectedNode {
                            property: parameter.name.clone(),
                            found: if other.is_array() {
                                "StartArray"
                            } else {
                                "PrimitiveValue"
                            },
                            expected: "StartObject",
                        }),
                    })
                    .collect::<Result<_, _>>()?;
                Parameter::Entities(entities)
            }
            _ => Parameter::Value(reader.value(
                parameter,
                json,
                Path {
                    prefix: "",
                    name: &parameter.name,
                },
            )?),
        };
        out.push((parameter.name.clone(), value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::model;
    use serde_json::json;

    fn assign(model: &Model) -> &Action {
        model
            .actions()
            .iter()
            .find(|a| a.name == "assign" && a.binding == "deviceManagementScript")
            .unwrap()
    }

    fn read(body: Json) -> Result<Vec<(String, Parameter)>, ValueError> {
        let model = model();
        let Json::Object(body) = body else { panic!() };
        read_parameters(&model, assign(&model), &body, &Numbers::default())
    }

    #[test]
    fn entity_collections_are_read_as_creates() {
        let read = read(json!({"Assignments": [
            {"id": "ignored", "target": {"@odata.type": "#microsoft.graph.groupTarget", "groupId": "g"}}
        ]}))
        .unwrap();
        let [(name, Parameter::Entities(entities))] = read.as_slice() else {
            panic!("{read:?}")
        };
        assert_eq!(name, "assignments");
        assert_eq!(entities[0].type_name, "scriptAssignment");
        assert_eq!(entities[0].values.len(), 1, "the id is ignored");
    }

    #[test]
    fn unknown_null_and_malformed_parameters_are_refused() {
        assert_eq!(
            read(json!({"other": []})).unwrap_err().to_string(),
            "The parameter 'other' in the request payload is not a valid parameter for the operation 'assign'."
        );
        assert!(matches!(
            read(json!({"assignments": null})),
            Err(ValueError::NullNotAllowed { .. })
        ));
        assert!(matches!(
            read(json!({"assignments": [1]})),
            Err(ValueError::UnexpectedNode { .. })
        ));
        assert!(matches!(
            read(json!({"assignments": [{"target": {"groupId": "g"}}]})),
            Err(ValueError::AbstractType { .. })
        ));
        assert!(read(json!({})).unwrap().is_empty());
    }
}
