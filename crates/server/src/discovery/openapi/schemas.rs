//! OpenAPI component schemas, written from the model as Microsoft's Graph OpenAPI does:
//! `microsoft.graph.<type>` per entity, complex and enum type, `allOf` for base types,
//! `@odata.type` as the discriminator, and the Graph error envelope.

use odata::{Model, Primitive, StructuredType, TypeKind, TypeRef};
use serde_json::{Map, Value as Json, json};

use crate::odata::Shape;

/// `#/components/schemas/<name>`.
pub fn reference(name: &str) -> Json {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The component name of a model type: `microsoft.graph.<name>`.
pub fn type_schema_name(model: &Model, name: &str) -> String {
    model.qualified(name)
}

/// The component name of a collection page of an entity type.
pub fn collection_name(model: &Model, entity_type: &str) -> String {
    format!("{}CollectionResponse", model.qualified(entity_type))
}

/// Every component schema: the model's types, a collection page per entity type that is
/// listed (`listed`), and the fixed ones (errors, `$count`, `$ref`, `$batch`, the service
/// document).
pub fn components(model: &Model, listed: &[String]) -> Map<String, Json> {
    let mut out = Map::new();
    for t in model.structured_types() {
        out.insert(type_schema_name(model, &t.name), structured(model, t));
    }
    for e in model.enum_types() {
        let members: Vec<&str> = e.members.iter().map(|m| m.name.as_str()).collect();
        let schema = if e.is_flags {
            let alternatives = members.join("|");
            json!({
                "title": e.name,
                "type": "string",
                "description": "A comma-separated combination of the members.",
                "pattern": format!("^({alternatives})(,({alternatives}))*$"),
            })
        } else {
            json!({ "title": e.name, "type": "string", "enum": members })
        };
        out.insert(type_schema_name(model, &e.name), schema);
    }
    for entity_type in listed {
        out.insert(
            collection_name(model, entity_type),
            json!({
                "title": format!("Collection of {entity_type}"),
                "type": "object",
                "properties": {
                    "@odata.context": { "type": "string" },
                    "@odata.count": { "type": ["integer", "null"], "format": "int64" },
                    "@odata.nextLink": { "type": ["string", "null"] },
                    "value": {
                        "type": "array",
                        "items": reference(&type_schema_name(model, entity_type)),
                    },
                },
                "required": ["value"],
            }),
        );
    }
    out.extend(fixed());
    out
}

fn structured(model: &Model, t: &StructuredType) -> Json {
    let mut properties = Map::new();
    if t.base.is_none() {
        properties.insert(
            "@odata.type".into(),
            json!({ "type": "string", "description": "The type of the value, `#microsoft.graph.<type>`." }),
        );
    }
    for p in t.declared_properties() {
        let mut schema = property(model, &p.ty, p.nullable);
        if let Json::Object(fields) = &mut schema {
            if let Some(text) = &p.description {
                fields.insert("description".into(), json!(text));
            }
            if p.computed {
                fields.insert("readOnly".into(), json!(true));
            }
        }
        properties.insert(p.name.clone(), schema);
    }
    for n in t.declared_navigation() {
        let target = reference(&type_schema_name(model, &n.target));
        let mut schema = if n.collection {
            json!({ "type": "array", "items": target })
        } else {
            json!({ "anyOf": [target, { "type": "null" }] })
        };
        if let Json::Object(fields) = &mut schema {
            if let Some(text) = &n.description {
                fields.insert("description".into(), json!(text));
            }
            fields.insert("x-ms-navigationProperty".into(), json!(true));
        }
        properties.insert(n.name.clone(), schema);
    }
    let mut own = Map::new();
    own.insert("title".into(), json!(t.name));
    own.insert("type".into(), json!("object"));
    if let Some(text) = &t.description {
        own.insert("description".into(), json!(text));
    }
    own.insert("properties".into(), Json::Object(properties));
    if !t.derived.is_empty() {
        let mapping: Map<String, Json> = t
            .derived
            .iter()
            .map(|d| {
                let name = type_schema_name(model, d);
                (
                    format!("#{name}"),
                    json!(format!("#/components/schemas/{name}")),
                )
            })
            .collect();
        own.insert(
            "discriminator".into(),
            json!({ "propertyName": "@odata.type", "mapping": mapping }),
        );
    }
    match &t.base {
        Some(base) => json!({
            "allOf": [reference(&type_schema_name(model, base)), Json::Object(own)]
        }),
        None => Json::Object(own),
    }
}

/// The schema of a property value of type `ty` (a collection is never null: `[]`).
pub fn property(model: &Model, ty: &TypeRef, nullable: bool) -> Json {
    let element = element(model, &ty.kind);
    if ty.collection {
        return json!({ "type": "array", "items": element });
    }
    if !nullable {
        return element;
    }
    match element {
        Json::Object(mut fields) if fields.get("type").is_some_and(Json::is_string) => {
            let kind = fields.remove("type").unwrap_or_default();
            fields.insert("type".into(), json!([kind, "null"]));
            Json::Object(fields)
        }
        other => json!({ "anyOf": [other, { "type": "null" }] }),
    }
}

fn element(model: &Model, kind: &TypeKind) -> Json {
    match kind {
        TypeKind::Primitive(p) => primitive(*p),
        TypeKind::Enum(name) | TypeKind::Complex(name) | TypeKind::Entity(name) => {
            reference(&type_schema_name(model, name))
        }
    }
}

/// An Edm primitive as JSON Schema, with the ranges and formats localgraph enforces.
fn primitive(p: Primitive) -> Json {
    let integer = |format: &str| {
        let (min, max) = p.integer_range().unwrap_or((i64::MIN, i64::MAX));
        json!({ "type": "integer", "format": format, "minimum": min, "maximum": max })
    };
    match p {
        Primitive::Boolean => json!({ "type": "boolean" }),
        Primitive::Byte => integer("uint8"),
        Primitive::SByte => integer("int8"),
        Primitive::Int16 => integer("int16"),
        Primitive::Int32 => integer("int32"),
        Primitive::Int64 => integer("int64"),
        Primitive::Double => json!({ "type": "number", "format": "double" }),
        Primitive::Single => json!({ "type": "number", "format": "float" }),
        Primitive::Decimal => json!({ "type": "number", "format": "decimal" }),
        Primitive::String => json!({ "type": "string" }),
        Primitive::Binary => json!({ "type": "string", "contentEncoding": "base64" }),
        Primitive::Guid => json!({
            "type": "string",
            "format": "uuid",
            "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        }),
        // Up to 7 fractional digits (100 ns), an offset required: what the server accepts.
        Primitive::DateTimeOffset => json!({
            "type": "string",
            "format": "date-time",
            "pattern": "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,7})?(Z|[+-][0-9][0-9]:[0-9][0-9])$",
        }),
        Primitive::Date => json!({
            "type": "string",
            "format": "date",
            "pattern": "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$",
        }),
        Primitive::Duration => json!({
            "type": "string",
            "format": "duration",
            "pattern": "^-?P([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+([.][0-9]+)?S)?)?$",
        }),
        Primitive::TimeOfDay => json!({
            "type": "string",
            "format": "time",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,7})?$",
        }),
    }
}

/// The schemas that do not come from the model.
fn fixed() -> Map<String, Json> {
    let string = json!({ "type": "string" });
    let headers = json!({ "type": "object", "additionalProperties": { "type": "string" } });
    let schemas = json!({
        "microsoft.graph.ODataErrors.ODataError": {
            "type": "object",
            "required": ["error"],
            "properties": { "error": reference("microsoft.graph.ODataErrors.MainError") },
        },
        "microsoft.graph.ODataErrors.MainError": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": string,
                "message": string,
                "target": { "type": ["string", "null"] },
                "innerError": reference("microsoft.graph.ODataErrors.InnerError"),
            },
        },
        "microsoft.graph.ODataErrors.InnerError": {
            "type": "object",
            "description": "`date` is UTC without an offset (`2026-07-17T16:09:08`), as Graph writes it.",
            "properties": {
                "date": string,
                "request-id": string,
                "client-request-id": string,
                "message": string,
            },
        },
        "ODataCountResponse": { "type": "integer", "format": "int32", "minimum": 0 },
        "ReferenceResponse": {
            "type": "object",
            "required": ["@odata.id"],
            "properties": { "@odata.context": string, "@odata.id": string },
        },
        "ReferenceUpdate": {
            "type": "object",
            "required": ["@odata.id"],
            "properties": { "@odata.id": string },
        },
        "ServiceDocument": {
            "type": "object",
            "required": ["value"],
            "properties": {
                "@odata.context": string,
                "value": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "kind", "url"],
                        "properties": { "name": string, "kind": string, "url": string },
                    },
                },
            },
        },
        "BatchRequest": {
            "type": "object",
            "required": ["requests"],
            "properties": {
                "requests": {
                    "type": "array",
                    "maxItems": crate::batch::MAX_REQUESTS,
                    "items": reference("BatchRequestItem"),
                },
            },
        },
        "BatchRequestItem": {
            "type": "object",
            "required": ["id", "method", "url"],
            "properties": {
                "id": { "type": "string", "minLength": 1 },
                // In any case, as the server reads it; null where the server reads null as
                // left out.
                "method": {
                    "type": "string",
                    "pattern": Shape::methods_pattern(),
                    "examples": Shape::METHODS,
                    "description": "GET, POST, PUT, PATCH or DELETE, in any case.",
                },
                "url": { "type": "string", "description": "Relative to the version: `deviceManagement/…`." },
                "headers": { "type": ["object", "null"], "additionalProperties": string },
                "body": {},
                "dependsOn": { "type": ["array", "null"], "items": string },
            },
        },
        "BatchResponse": {
            "type": "object",
            "required": ["responses"],
            "properties": {
                "responses": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "status"],
                        "properties": {
                            "id": string,
                            "status": { "type": "integer" },
                            "headers": headers,
                            "body": {},
                        },
                    },
                },
            },
        },
    });
    match schemas {
        Json::Object(map) => map,
        _ => Map::new(),
    }
}
