//! Reads a CSDL 4.0 XML document (one schema) into a [`Model`].

use indexmap::IndexMap;
use roxmltree::{Document, Node};

use super::action;
use super::{
    EnumMember, EnumType, Model, Named, NavigationProperty, Primitive, Property, Singleton,
    StructuredType, TypeKind, TypeRef,
};

const CORE_DESCRIPTION: &str = "Org.OData.Core.V1.Description";
const CORE_COMPUTED: &str = "Org.OData.Core.V1.Computed";

/// A CSDL document that cannot be read or does not hang together.
#[derive(Debug, thiserror::Error)]
pub enum CsdlError {
    /// The XML itself is malformed.
    #[error("CSDL is not well-formed XML: {0}")]
    Xml(#[from] roxmltree::Error),
    /// The document is valid XML but not a usable CSDL model.
    #[error("CSDL is invalid: {0}")]
    Invalid(String),
}

pub(super) fn invalid(message: impl Into<String>) -> CsdlError {
    CsdlError::Invalid(message.into())
}

/// A structured type as declared, before inheritance is flattened.
struct Declared {
    is_entity: bool,
    base: Option<String>,
    is_abstract: bool,
    key: Vec<String>,
    properties: Vec<(String, String, bool)>,
    navigation: Vec<(String, String, bool)>,
}

pub(super) fn read(xml: &str) -> Result<Model, CsdlError> {
    let doc = Document::parse(xml)?;
    let schema = doc
        .descendants()
        .find(|n| n.has_tag_name("Schema"))
        .ok_or_else(|| invalid("no Schema element"))?;
    let namespace = schema
        .attribute("Namespace")
        .ok_or_else(|| invalid("Schema has no Namespace"))?
        .to_string();
    let alias = schema.attribute("Alias").map(str::to_string);

    let mut declared: IndexMap<String, Declared> = IndexMap::new();
    let mut enums: Named<EnumType> = Named::default();
    let mut singletons = Vec::new();
    let mut container = String::from("GraphService");
    let mut annotations: Annotations = IndexMap::new();
    let mut actions = Vec::new();

    for node in schema.children().filter(Node::is_element) {
        match node.tag_name().name() {
            "EntityType" | "ComplexType" => {
                let name = required(node, "Name")?;
                declared.insert(name, read_structured(node)?);
            }
            "EnumType" => {
                let enum_type = read_enum(node)?;
                enums.insert(enum_type.name.clone(), enum_type);
            }
            "EntityContainer" => {
                container = required(node, "Name")?;
                for s in node.children().filter(|c| c.has_tag_name("Singleton")) {
                    singletons.push(Singleton {
                        name: required(s, "Name")?,
                        type_name: simple_name(&required(s, "Type")?, &namespace, &alias),
                    });
                }
            }
            "Annotations" => read_annotations(node, &namespace, &alias, &mut annotations)?,
            "Action" => actions.extend(action::Declared::read(node)),
            _ => {}
        }
    }

    let resolver = Resolver {
        namespace: &namespace,
        alias: &alias,
        declared: &declared,
        enums: &enums,
    };
    let mut types = Named::default();
    for name in declared.keys() {
        types.insert(name.clone(), resolver.flatten(name, &annotations)?);
    }
    for s in &singletons {
        if !types.get(&s.type_name).is_some_and(|t| t.is_entity) {
            return Err(invalid(format!(
                "singleton {} has unknown type {}",
                s.name, s.type_name
            )));
        }
    }
    let actions = actions
        .iter()
        .map(|a| a.resolve(|raw| resolver.type_ref(raw)))
        .collect::<Result<Vec<_>, _>>()?;
    for a in &actions {
        if !types.get(&a.binding).is_some_and(|t| t.is_entity) {
            return Err(invalid(format!(
                "action {} is bound to unknown type {}",
                a.name, a.binding
            )));
        }
    }
    Ok(Model {
        namespace,
        alias,
        container,
        types,
        enums,
        singletons,
        actions,
    })
}

pub(super) fn required(node: Node, attribute: &str) -> Result<String, CsdlError> {
    node.attribute(attribute)
        .map(str::to_string)
        .ok_or_else(|| {
            invalid(format!(
                "<{}> has no {attribute} attribute",
                node.tag_name().name()
            ))
        })
}

pub(super) fn bool_attribute(node: Node, attribute: &str, default: bool) -> bool {
    node.attribute(attribute).map_or(default, |v| v == "true")
}

fn simple_name(qualified: &str, namespace: &str, alias: &Option<String>) -> String {
    let stripped = qualified
        .strip_prefix(namespace)
        .or_else(|| alias.as_deref().and_then(|a| qualified.strip_prefix(a)))
        .and_then(|rest| rest.strip_prefix('.'));
    stripped.unwrap_or(qualified).to_string()
}

fn read_structured(node: Node) -> Result<Declared, CsdlError> {
    let mut key = Vec::new();
    let mut properties = Vec::new();
    let mut navigation = Vec::new();
    for child in node.children().filter(Node::is_element) {
        match child.tag_name().name() {
            "Key" => {
                for r in child.children().filter(|c| c.has_tag_name("PropertyRef")) {
                    key.push(required(r, "Name")?);
                }
            }
            "Property" => properties.push((
                required(child, "Name")?,
                required(child, "Type")?,
                bool_attribute(child, "Nullable", true),
            )),
            "NavigationProperty" => navigation.push((
                required(child, "Name")?,
                required(child, "Type")?,
                bool_attribute(child, "ContainsTarget", false),
            )),
            _ => {}
        }
    }
    Ok(Declared {
        is_entity: node.tag_name().name() == "EntityType",
        base: node.attribute("BaseType").map(str::to_string),
        is_abstract: bool_attribute(node, "Abstract", false),
        key,
        properties,
        navigation,
    })
}

fn read_enum(node: Node) -> Result<EnumType, CsdlError> {
    let mut members = Vec::new();
    for (index, m) in node
        .children()
        .filter(|c| c.has_tag_name("Member"))
        .enumerate()
    {
        let value = match m.attribute("Value") {
            Some(v) => v
                .parse()
                .map_err(|_| invalid(format!("enum member value {v:?} is not an integer")))?,
            None => index as i64,
        };
        members.push(EnumMember {
            name: required(m, "Name")?,
            value,
        });
    }
    Ok(EnumType {
        name: required(node, "Name")?,
        members,
        is_flags: bool_attribute(node, "IsFlags", false),
    })
}

/// Out-of-line annotations, keyed by `type` or `type/member` (unqualified type name).
type Annotations = IndexMap<String, MemberAnnotations>;

#[derive(Default)]
struct MemberAnnotations {
    description: Option<String>,
    computed: bool,
}

fn read_annotations(
    node: Node,
    namespace: &str,
    alias: &Option<String>,
    into: &mut Annotations,
) -> Result<(), CsdlError> {
    let target = simple_name(&required(node, "Target")?, namespace, alias);
    let entry = into.entry(target).or_default();
    for a in node.children().filter(|c| c.has_tag_name("Annotation")) {
        match a.attribute("Term") {
            Some(CORE_DESCRIPTION) => entry.description = a.attribute("String").map(Into::into),
            Some(CORE_COMPUTED) => entry.computed = bool_attribute(a, "Bool", true),
            _ => {}
        }
    }
    Ok(())
}

struct Resolver<'a> {
    namespace: &'a str,
    alias: &'a Option<String>,
    declared: &'a IndexMap<String, Declared>,
    enums: &'a Named<EnumType>,
}

impl Resolver<'_> {
    fn type_ref(&self, raw: &str) -> Result<TypeRef, CsdlError> {
        let (inner, collection) = match raw
            .strip_prefix("Collection(")
            .and_then(|r| r.strip_suffix(')'))
        {
            Some(inner) => (inner, true),
            None => (raw, false),
        };
        let kind = if let Some(p) = Primitive::from_name(inner) {
            TypeKind::Primitive(p)
        } else {
            let name = simple_name(inner, self.namespace, self.alias);
            if self.enums.contains_key(&name) {
                TypeKind::Enum(name)
            } else {
                match self.declared.get(&name) {
                    Some(d) if d.is_entity => TypeKind::Entity(name),
                    Some(_) => TypeKind::Complex(name),
                    None => return Err(invalid(format!("unknown type {raw}"))),
                }
            }
        };
        Ok(TypeRef { kind, collection })
    }

    /// The chain from the root base type down to `name`.
    fn lineage(&self, name: &str) -> Result<Vec<(&str, &Declared)>, CsdlError> {
        let mut chain = Vec::new();
        let mut current = Some(name.to_string());
        while let Some(n) = current {
            let (key, d) = self
                .declared
                .get_key_value(&n)
                .ok_or_else(|| invalid(format!("unknown base type {n}")))?;
            if chain.len() > 32 {
                return Err(invalid(format!("inheritance cycle at {name}")));
            }
            chain.push((key.as_str(), d));
            current = d
                .base
                .as_deref()
                .map(|b| simple_name(b, self.namespace, self.alias));
        }
        chain.reverse();
        Ok(chain)
    }

    fn flatten(&self, name: &str, notes: &Annotations) -> Result<StructuredType, CsdlError> {
        let lineage = self.lineage(name)?;
        let own = lineage
            .last()
            .map(|(_, d)| *d)
            .expect("lineage has the type");
        let mut t = StructuredType {
            name: name.to_string(),
            is_entity: own.is_entity,
            base: own
                .base
                .as_deref()
                .map(|b| simple_name(b, self.namespace, self.alias)),
            is_abstract: own.is_abstract,
            key: Vec::new(),
            properties: Vec::new(),
            navigation: Vec::new(),
            derived: Vec::new(),
            own_properties: own.properties.len(),
            own_navigation: own.navigation.len(),
            description: notes.get(name).and_then(|a| a.description.clone()),
        };
        for (owner, d) in &lineage {
            if !d.key.is_empty() {
                t.key = d.key.clone();
            }
            for (pname, ty, nullable) in &d.properties {
                if t.properties.iter().any(|p| &p.name == pname) {
                    return Err(invalid(format!("{name} declares {pname} twice")));
                }
                let note = notes.get(&format!("{owner}/{pname}"));
                t.properties.push(Property {
                    name: pname.clone(),
                    ty: self.type_ref(ty)?,
                    nullable: *nullable,
                    computed: note.is_some_and(|n| n.computed),
                    description: note.and_then(|n| n.description.clone()),
                });
            }
            for (nname, ty, contains) in &d.navigation {
                let ty = self.type_ref(ty)?;
                let TypeKind::Entity(target) = ty.kind else {
                    return Err(invalid(format!("{name}/{nname} does not target an entity")));
                };
                t.navigation.push(NavigationProperty {
                    name: nname.clone(),
                    target,
                    collection: ty.collection,
                    contains_target: *contains,
                    description: notes
                        .get(&format!("{owner}/{nname}"))
                        .and_then(|n| n.description.clone()),
                });
            }
        }
        for p in t.properties.iter_mut() {
            p.computed |= t.key.contains(&p.name);
        }
        for other in self.declared.keys() {
            if other != name && self.lineage(other)?.iter().any(|(n, _)| *n == name) {
                t.derived.push(other.clone());
            }
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests;
