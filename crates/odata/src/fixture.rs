//! A small model shaped like the served Intune schema, for unit tests.

use crate::Model;

pub const CSDL: &str = r#"<?xml version="1.0"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
 <edmx:DataServices>
  <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
   <EnumType Name="runState"><Member Name="unknown" Value="0"/><Member Name="success" Value="1"/><Member Name="fail" Value="2"/></EnumType>
   <ComplexType Name="target" Abstract="true"><Property Name="filterId" Type="Edm.String"/></ComplexType>
   <ComplexType Name="groupTarget" BaseType="graph.target"><Property Name="groupId" Type="Edm.String" Nullable="false"/></ComplexType>
   <ComplexType Name="setting"><Property Name="key" Type="Edm.String" Nullable="false"/><Property Name="state" Type="graph.runState" Nullable="false"/></ComplexType>
   <EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
   <EntityType Name="deviceManagement" BaseType="graph.entity">
    <NavigationProperty Name="deviceManagementScripts" Type="Collection(graph.deviceManagementScript)" ContainsTarget="true"/>
    <NavigationProperty Name="managedDevices" Type="Collection(graph.managedDevice)" ContainsTarget="true"/>
    <NavigationProperty Name="softwareUpdateStatusSummary" Type="graph.softwareUpdateStatusSummary"/>
   </EntityType>
   <EntityType Name="managedDevice" BaseType="graph.entity"><Property Name="deviceName" Type="Edm.String"/></EntityType>
   <EntityType Name="deviceState" BaseType="graph.entity">
    <Property Name="runState" Type="graph.runState" Nullable="false"/>
    <NavigationProperty Name="managedDevice" Type="graph.managedDevice"/>
   </EntityType>
   <EntityType Name="deviceAppManagement" BaseType="graph.entity">
    <NavigationProperty Name="mobileAppConfigurations" Type="Collection(graph.appConfiguration)" ContainsTarget="true"/>
   </EntityType>
   <EntityType Name="softwareUpdateStatusSummary" BaseType="graph.entity">
    <Property Name="displayName" Type="Edm.String"/>
    <Property Name="compliantDeviceCount" Type="Edm.Int32" Nullable="false"/>
   </EntityType>
   <EntityType Name="deviceManagementScript" BaseType="graph.entity">
    <Property Name="displayName" Type="Edm.String"/>
    <Property Name="createdDateTime" Type="Edm.DateTimeOffset" Nullable="false"/>
    <Property Name="runAs32Bit" Type="Edm.Boolean" Nullable="false"/>
    <Property Name="scriptContent" Type="Edm.Binary"/>
    <Property Name="roleScopeTagIds" Type="Collection(Edm.String)"/>
    <Property Name="state" Type="graph.runState" Nullable="false"/>
    <NavigationProperty Name="assignments" Type="Collection(graph.scriptAssignment)" ContainsTarget="true"/>
    <NavigationProperty Name="deviceRunStates" Type="Collection(graph.deviceState)" ContainsTarget="true"/>
    <NavigationProperty Name="runSummary" Type="graph.runSummary"/>
   </EntityType>
   <EntityType Name="scriptAssignment" BaseType="graph.entity"><Property Name="target" Type="graph.target"/></EntityType>
   <EntityType Name="runSummary" BaseType="graph.entity"><Property Name="successDeviceCount" Type="Edm.Int32" Nullable="false"/></EntityType>
   <EntityType Name="appConfiguration" BaseType="graph.entity" Abstract="true">
    <Property Name="displayName" Type="Edm.String" Nullable="false"/>
    <Property Name="lastModifiedDateTime" Type="Edm.DateTimeOffset" Nullable="false"/>
    <NavigationProperty Name="userStatusSummary" Type="graph.userSummary" ContainsTarget="true"/>
   </EntityType>
   <EntityType Name="iosConfiguration" BaseType="graph.appConfiguration">
    <Property Name="settings" Type="Collection(graph.setting)"/>
   </EntityType>
   <EntityType Name="userSummary" BaseType="graph.entity">
    <Property Name="pendingCount" Type="Edm.Int32" Nullable="false"/>
    <Property Name="lastUpdateDateTime" Type="Edm.DateTimeOffset" Nullable="false"/>
   </EntityType>
   <Action Name="assign" IsBound="true"><Parameter Name="bindingParameter" Type="graph.deviceManagementScript"/>
    <Parameter Name="assignments" Type="Collection(graph.scriptAssignment)"/></Action>
   <Action Name="hasPayloadLinks" IsBound="true"><Parameter Name="bindingParameter" Type="Collection(graph.deviceManagementScript)"/>
    <Parameter Name="payloadIds" Type="Collection(Edm.String)"/><ReturnType Type="Collection(Edm.String)"/></Action>
   <Action Name="assign" IsBound="true"><Parameter Name="bindingParameter" Type="graph.appConfiguration"/>
    <Parameter Name="assignments" Type="Collection(graph.scriptAssignment)"/></Action>
   <EntityContainer Name="GraphService">
    <Singleton Name="deviceManagement" Type="microsoft.graph.deviceManagement"/>
    <Singleton Name="deviceAppManagement" Type="microsoft.graph.deviceAppManagement"/>
   </EntityContainer>
   <Annotations Target="microsoft.graph.appConfiguration/lastModifiedDateTime"><Annotation Term="Org.OData.Core.V1.Computed" Bool="true"/></Annotations>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>"#;

pub fn model() -> Model {
    Model::from_csdl(CSDL).expect("the fixture CSDL is valid")
}
