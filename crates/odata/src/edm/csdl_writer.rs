//! Writes a [`Model`] as a CSDL 4.0 XML document, the `$metadata` a service answers.
//!
//! Each member is written once, on the type that declares it (with `BaseType` for the
//! rest), and descriptions and `Core.Computed` go into out-of-line `Annotations` blocks,
//! as Microsoft's own `$metadata` has them. Reading the output back gives the same model.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, Event};

use super::{Action, EnumType, Model, StructuredType, TypeKind, TypeRef};

const EDMX_NS: &str = "http://docs.oasis-open.org/odata/ns/edmx";
const EDM_NS: &str = "http://docs.oasis-open.org/odata/ns/edm";
const CORE_DESCRIPTION: &str = "Org.OData.Core.V1.Description";
const CORE_COMPUTED: &str = "Org.OData.Core.V1.Computed";

type Xml = Writer<Vec<u8>>;

/// The document for `model`.
pub(super) fn write(model: &Model) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing to a Vec cannot fail; the io::Result only exists for other sinks.
    if document(&mut writer, model).is_err() {
        return String::new();
    }
    let mut text = String::from_utf8(writer.into_inner()).unwrap_or_default();
    text.push('\n');
    text
}

fn document(w: &mut Xml, model: &Model) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    w.create_element("edmx:Edmx")
        .with_attributes([("Version", "4.0"), ("xmlns:edmx", EDMX_NS)])
        .write_inner_content(|w| {
            w.create_element("edmx:DataServices")
                .write_inner_content(|w| schema(w, model))?;
            Ok(())
        })?;
    Ok(())
}

fn schema(w: &mut Xml, model: &Model) -> io::Result<()> {
    let mut element = w
        .create_element("Schema")
        .with_attribute(("Namespace", model.namespace.as_str()));
    if let Some(alias) = &model.alias {
        element = element.with_attribute(("Alias", alias.as_str()));
    }
    element
        .with_attribute(("xmlns", EDM_NS))
        .write_inner_content(|w| {
            for e in model.enum_types() {
                enum_type(w, e)?;
            }
            for t in model.structured_types() {
                structured(w, model, t)?;
            }
            for a in model.actions() {
                action(w, model, a)?;
            }
            container(w, model)?;
            annotations(w, model)
        })?;
    Ok(())
}

/// How the document names a model type: by the schema alias when there is one, as
/// Microsoft's documents do (`graph.entity`).
fn prefix(model: &Model) -> &str {
    model.alias.as_deref().unwrap_or(&model.namespace)
}

fn enum_type(w: &mut Xml, e: &EnumType) -> io::Result<()> {
    let mut element = w
        .create_element("EnumType")
        .with_attribute(("Name", e.name.as_str()));
    if e.is_flags {
        element = element.with_attribute(("IsFlags", "true"));
    }
    element.write_inner_content(|w| {
        for m in &e.members {
            let value = m.value.to_string();
            w.create_element("Member")
                .with_attributes([("Name", m.name.as_str()), ("Value", value.as_str())])
                .write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

fn structured(w: &mut Xml, model: &Model, t: &StructuredType) -> io::Result<()> {
    let tag = if t.is_entity {
        "EntityType"
    } else {
        "ComplexType"
    };
    let base = t.base.as_ref().map(|b| format!("{}.{b}", prefix(model)));
    let mut element = w
        .create_element(tag)
        .with_attribute(("Name", t.name.as_str()));
    if let Some(base) = &base {
        element = element.with_attribute(("BaseType", base.as_str()));
    }
    if t.is_abstract {
        element = element.with_attribute(("Abstract", "true"));
    }
    let declares_key = t.is_entity
        && !t.key.is_empty()
        && t.base
            .as_deref()
            .and_then(|b| model.structured(b))
            .is_none_or(|b| b.key != t.key);
    let empty = !declares_key && t.own_properties == 0 && t.own_navigation == 0;
    if empty {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|w| {
        if declares_key {
            w.create_element("Key").write_inner_content(|w| {
                for k in &t.key {
                    w.create_element("PropertyRef")
                        .with_attribute(("Name", k.as_str()))
                        .write_empty()?;
                }
                Ok(())
            })?;
        }
        for p in t.declared_properties() {
            let ty = type_name(model, &p.ty);
            let mut element = w
                .create_element("Property")
                .with_attributes([("Name", p.name.as_str()), ("Type", ty.as_str())]);
            if !p.nullable {
                element = element.with_attribute(("Nullable", "false"));
            }
            element.write_empty()?;
        }
        for n in t.declared_navigation() {
            let target = format!("{}.{}", prefix(model), n.target);
            let ty = if n.collection {
                format!("Collection({target})")
            } else {
                target
            };
            let mut element = w
                .create_element("NavigationProperty")
                .with_attributes([("Name", n.name.as_str()), ("Type", ty.as_str())]);
            if n.contains_target {
                element = element.with_attribute(("ContainsTarget", "true"));
            }
            element.write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

fn action(w: &mut Xml, model: &Model, a: &Action) -> io::Result<()> {
    let binding = type_name(
        model,
        &TypeRef {
            kind: TypeKind::Entity(a.binding.clone()),
            collection: a.on_collection,
        },
    );
    w.create_element("Action")
        .with_attributes([("Name", a.name.as_str()), ("IsBound", "true")])
        .write_inner_content(|w| {
            w.create_element("Parameter")
                .with_attributes([("Name", "bindingParameter"), ("Type", binding.as_str())])
                .write_empty()?;
            for p in &a.parameters {
                let ty = type_name(model, &p.ty);
                let mut element = w
                    .create_element("Parameter")
                    .with_attributes([("Name", p.name.as_str()), ("Type", ty.as_str())]);
                if !p.nullable {
                    element = element.with_attribute(("Nullable", "false"));
                }
                element.write_empty()?;
            }
            if let Some(returns) = &a.return_type {
                let ty = type_name(model, returns);
                w.create_element("ReturnType")
                    .with_attribute(("Type", ty.as_str()))
                    .write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}

fn type_name(model: &Model, ty: &TypeRef) -> String {
    ty.qualified_name(prefix(model))
}

fn container(w: &mut Xml, model: &Model) -> io::Result<()> {
    w.create_element("EntityContainer")
        .with_attribute(("Name", model.container.as_str()))
        .write_inner_content(|w| {
            for s in model.singletons() {
                let ty = model.qualified(&s.type_name);
                w.create_element("Singleton")
                    .with_attributes([("Name", s.name.as_str()), ("Type", ty.as_str())])
                    .write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}

/// `Core.Description` of types and members, and `Core.Computed` of non-key properties.
fn annotations(w: &mut Xml, model: &Model) -> io::Result<()> {
    for t in model.structured_types() {
        let target = model.qualified(&t.name);
        annotation_block(w, &target, t.description.as_deref(), false)?;
        for p in t.declared_properties() {
            let computed = p.computed && !t.key.contains(&p.name);
            let target = format!("{target}/{}", p.name);
            annotation_block(w, &target, p.description.as_deref(), computed)?;
        }
        for n in t.declared_navigation() {
            let target = format!("{target}/{}", n.name);
            annotation_block(w, &target, n.description.as_deref(), false)?;
        }
    }
    Ok(())
}

fn annotation_block(
    w: &mut Xml,
    target: &str,
    description: Option<&str>,
    computed: bool,
) -> io::Result<()> {
    if description.is_none() && !computed {
        return Ok(());
    }
    w.create_element("Annotations")
        .with_attribute(("Target", target))
        .write_inner_content(|w| {
            if computed {
                w.create_element("Annotation")
                    .with_attributes([("Term", CORE_COMPUTED), ("Bool", "true")])
                    .write_empty()?;
            }
            if let Some(text) = description {
                w.create_element("Annotation")
                    .with_attributes([("Term", CORE_DESCRIPTION), ("String", text)])
                    .write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::Model;

    const SAMPLE: &str = r#"<?xml version="1.0"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
 <edmx:DataServices>
  <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
   <EnumType Name="color"><Member Name="red" Value="0"/><Member Name="blue" Value="5"/></EnumType>
   <EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id"/></Key>
    <Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
   <EntityType Name="shape" BaseType="graph.entity" Abstract="true">
    <Property Name="color" Type="graph.color" Nullable="false"/>
    <Property Name="tags" Type="Collection(Edm.String)"/>
    <NavigationProperty Name="parts" Type="Collection(graph.shape)" ContainsTarget="true"/></EntityType>
   <EntityType Name="circle" BaseType="graph.shape"><Property Name="radius" Type="Edm.Int32" Nullable="false"/></EntityType>
   <EntityType Name="root" BaseType="graph.entity">
    <NavigationProperty Name="shapes" Type="Collection(graph.shape)" ContainsTarget="true"/>
    <NavigationProperty Name="favourite" Type="graph.shape"/></EntityType>
   <Action Name="paint" IsBound="true"><Parameter Name="bindingParameter" Type="graph.shape"/>
    <Parameter Name="colors" Type="Collection(graph.color)" Nullable="false"/><ReturnType Type="Edm.Boolean"/></Action>
   <Action Name="unbound"><Parameter Name="x" Type="Edm.String"/></Action>
   <EntityContainer Name="GraphService"><Singleton Name="root" Type="microsoft.graph.root"/></EntityContainer>
   <Annotations Target="microsoft.graph.shape/tags"><Annotation Term="Org.OData.Core.V1.Description" String="Tags &amp; &quot;labels&quot;."/></Annotations>
   <Annotations Target="microsoft.graph.circle/radius"><Annotation Term="Org.OData.Core.V1.Computed" Bool="true"/></Annotations>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>"#;

    fn same(a: &Model, b: &Model) {
        assert_eq!(a.namespace, b.namespace);
        assert_eq!(a.alias, b.alias);
        assert_eq!(a.container, b.container);
        assert_eq!(a.singletons(), b.singletons());
        assert_eq!(
            a.enum_types().collect::<Vec<_>>(),
            b.enum_types().collect::<Vec<_>>()
        );
        assert_eq!(
            a.structured_types().collect::<Vec<_>>(),
            b.structured_types().collect::<Vec<_>>()
        );
        assert_eq!(a.actions(), b.actions());
    }

    #[test]
    fn what_is_written_reads_back_as_the_same_model() {
        let model = Model::from_csdl(SAMPLE).unwrap();
        let written = model.to_csdl();
        let again = Model::from_csdl(&written).unwrap();
        same(&model, &again);
        assert!(written.contains(r#"<EntityType Name="circle" BaseType="graph.shape">"#));
        assert!(
            written.contains(r#"String="Tags &amp; &quot;labels&quot;."/>"#),
            "{written}"
        );
        assert_eq!(model.actions().len(), 1, "unbound actions are not served");
        assert!(
            written.contains(
                r#"<Parameter Name="colors" Type="Collection(graph.color)" Nullable="false"/>"#
            ),
            "{written}"
        );
        // Inherited members are written once, on the declaring type.
        assert_eq!(written.matches(r#"Name="color""#).count(), 2, "{written}");
        assert_eq!(written.matches("<Key>").count(), 1);
    }

    #[test]
    fn navigation_left_out_disappears_from_the_document() {
        let model = Model::from_csdl(SAMPLE).unwrap();
        let served =
            model.retain_navigation(|owner, n| !(owner == "root" && n.name == "favourite"));
        let root = served.structured("root").unwrap();
        assert_eq!(root.navigation.len(), 1);
        assert_eq!(root.own_navigation, 1);
        let written = served.to_csdl();
        assert!(!written.contains("favourite"));
        same(&served, &Model::from_csdl(&written).unwrap());
        // A property dropped from a base type disappears from the derived types too.
        let no_parts = model.retain_navigation(|owner, n| !(owner == "shape" && n.name == "parts"));
        assert!(no_parts.structured("circle").unwrap().navigation.is_empty());
        assert_eq!(no_parts.structured("shape").unwrap().own_navigation, 0);
    }
}
