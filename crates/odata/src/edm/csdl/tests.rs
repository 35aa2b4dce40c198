use super::*;

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
   <EntityType Name="root" BaseType="graph.entity"><NavigationProperty Name="shapes" Type="Collection(graph.shape)" ContainsTarget="true"/></EntityType>
   <EntityContainer Name="GraphService"><Singleton Name="root" Type="microsoft.graph.root"/></EntityContainer>
   <Annotations Target="microsoft.graph.shape/tags"><Annotation Term="Org.OData.Core.V1.Description" String="Tags."/></Annotations>
   <Annotations Target="microsoft.graph.circle/radius"><Annotation Term="Org.OData.Core.V1.Computed" Bool="true"/></Annotations>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>"#;

#[test]
fn flattens_inheritance_in_schema_order() {
    let model = Model::from_csdl(SAMPLE).unwrap();
    let circle = model.structured("circle").unwrap();
    let names: Vec<_> = circle.properties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["id", "color", "tags", "radius"]);
    assert_eq!(circle.key, ["id"]);
    assert!(circle.properties[0].computed, "the key is computed");
    assert!(circle.properties[3].computed, "Core.Computed is read");
    assert_eq!(circle.properties[2].description.as_deref(), Some("Tags."));
    assert_eq!(circle.navigation[0].target, "shape");
    assert_eq!(model.structured("shape").unwrap().derived, ["circle"]);
    assert_eq!(
        model.structured("entity").unwrap().derived,
        ["shape", "circle", "root"]
    );
}

#[test]
fn resolves_type_names_in_every_accepted_spelling() {
    let model = Model::from_csdl(SAMPLE).unwrap();
    for raw in [
        "#microsoft.graph.circle",
        "microsoft.graph.circle",
        "graph.circle",
        "#microsoft.management.services.api.circle",
        "#Microsoft.Graph.Circle",
    ] {
        assert_eq!(
            model.resolve_type_name(raw).map(|t| t.name.as_str()),
            Some("circle"),
            "{raw}"
        );
    }
    assert!(model.resolve_type_name("#other.circle").is_none());
    assert!(model.resolve_type_name("circle").is_none());
    assert!(model.is_assignable("circle", "shape"));
    assert!(!model.is_assignable("shape", "circle"));
}

#[test]
fn rejects_dangling_type_references() {
    let broken = SAMPLE.replace("Collection(Edm.String)", "graph.missing");
    let err = Model::from_csdl(&broken).unwrap_err();
    assert_eq!(
        err.to_string(),
        "CSDL is invalid: unknown type graph.missing"
    );
}
