//! The named elements of a schema: entity and complex types with their structural and
//! navigation properties, enum types with their members, and the container's singletons.

use super::TypeRef;
use super::find_ci;

/// A structural property of an entity or complex type.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The name as the schema spells it.
    pub name: String,
    /// Its type.
    pub ty: TypeRef,
    /// Whether `null` is allowed (`Nullable`, default true).
    pub nullable: bool,
    /// Computed by the service (`Core.Computed`, or the key): ignored in request bodies.
    pub computed: bool,
    /// `Core.Description`, when the schema has one.
    pub description: Option<String>,
}

/// A navigation property of an entity type.
#[derive(Debug, Clone, PartialEq)]
pub struct NavigationProperty {
    /// The name as the schema spells it.
    pub name: String,
    /// The target entity type.
    pub target: String,
    /// Whether it is collection-valued.
    pub collection: bool,
    /// `ContainsTarget`: the targets live inside the owning entity.
    pub contains_target: bool,
    /// `Core.Description`, when the schema has one.
    pub description: Option<String>,
}

/// An entity type or a complex type, with its inherited members flattened in.
#[derive(Debug, Clone, PartialEq)]
pub struct StructuredType {
    /// Unqualified name.
    pub name: String,
    /// Whether it is an entity type (else a complex type).
    pub is_entity: bool,
    /// The base type, if any.
    pub base: Option<String>,
    /// `Abstract="true"`: cannot be instantiated.
    pub is_abstract: bool,
    /// Key property names (entity types only).
    pub key: Vec<String>,
    /// Structural properties, base type's first, each in schema order.
    pub properties: Vec<Property>,
    /// Navigation properties, base type's first.
    pub navigation: Vec<NavigationProperty>,
    /// How many of `properties` (the last ones) this type declares itself, so the
    /// CSDL writer can write each member once, on the type that declares it.
    pub own_properties: usize,
    /// How many of `navigation` (the last ones) this type declares itself.
    pub own_navigation: usize,
    /// Every type deriving from this one, directly or not, in schema order.
    pub derived: Vec<String>,
    /// `Core.Description`, when the schema has one.
    pub description: Option<String>,
}

impl StructuredType {
    /// A structural property by name, case-insensitively (an exact match wins).
    pub fn property(&self, name: &str) -> Option<&Property> {
        find_ci(&self.properties, name, |p| &p.name)
    }

    /// A navigation property by name, case-insensitively (an exact match wins).
    pub fn navigation_property(&self, name: &str) -> Option<&NavigationProperty> {
        find_ci(&self.navigation, name, |n| &n.name)
    }

    /// The structural properties this type declares (not those it inherits).
    pub fn declared_properties(&self) -> &[Property] {
        &self.properties[self.properties.len().saturating_sub(self.own_properties)..]
    }

    /// The navigation properties this type declares (not those it inherits).
    pub fn declared_navigation(&self) -> &[NavigationProperty] {
        &self.navigation[self.navigation.len().saturating_sub(self.own_navigation)..]
    }
}

/// A member of an enum type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumMember {
    /// The member name.
    pub name: String,
    /// Its numeric value.
    pub value: i64,
}

/// An enum type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumType {
    /// Unqualified name.
    pub name: String,
    /// Members in schema order.
    pub members: Vec<EnumMember>,
    /// `IsFlags="true"`.
    pub is_flags: bool,
}

impl EnumType {
    /// The sentinel member of Graph's evolvable enums: a member a version's type lacks
    /// (stored through a version that has it) reads as this one where the type has it.
    pub const UNKNOWN_FUTURE_VALUE: &'static str = "unknownFutureValue";

    /// A member by name, case-insensitively.
    pub fn member(&self, name: &str) -> Option<&EnumMember> {
        find_ci(&self.members, name, |m| &m.name)
    }

    /// The `unknownFutureValue` sentinel, where the type has it.
    pub fn sentinel(&self) -> Option<&EnumMember> {
        self.member(Self::UNKNOWN_FUTURE_VALUE)
    }
}

/// A singleton of the entity container, e.g. `deviceManagement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Singleton {
    /// The singleton's name.
    pub name: String,
    /// Its entity type.
    pub type_name: String,
}
