//! The Entity Data Model: the types one service version exposes, read from CSDL.
//!
//! Type names are kept unqualified (`softwareUpdateStatusSummary`); the model has one
//! namespace (`microsoft.graph`). Lookups that come from requests are case-insensitive, as
//! Graph treats resource and property names.

mod action;
mod csdl;
mod csdl_writer;

pub use action::Action;
pub use csdl::CsdlError;

use indexmap::IndexMap;

/// The Edm primitive types a CSDL document may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Primitive {
    /// `Edm.Binary`, base64 in JSON.
    Binary,
    /// `Edm.Boolean`.
    Boolean,
    /// `Edm.Byte`, 0..=255.
    Byte,
    /// `Edm.Date`, `YYYY-MM-DD`.
    Date,
    /// `Edm.DateTimeOffset`, kept as 100 ns ticks since 0001-01-01T00:00:00Z.
    DateTimeOffset,
    /// `Edm.Decimal`.
    Decimal,
    /// `Edm.Double`.
    Double,
    /// `Edm.Duration`, ISO 8601 (`P1DT2H`).
    Duration,
    /// `Edm.Guid`.
    Guid,
    /// `Edm.Int16`.
    Int16,
    /// `Edm.Int32`.
    Int32,
    /// `Edm.Int64`.
    Int64,
    /// `Edm.SByte`.
    SByte,
    /// `Edm.Single`.
    Single,
    /// `Edm.String`.
    String,
    /// `Edm.TimeOfDay`.
    TimeOfDay,
}

impl Primitive {
    const ALL: [(Primitive, &'static str); 16] = [
        (Primitive::Binary, "Edm.Binary"),
        (Primitive::Boolean, "Edm.Boolean"),
        (Primitive::Byte, "Edm.Byte"),
        (Primitive::Date, "Edm.Date"),
        (Primitive::DateTimeOffset, "Edm.DateTimeOffset"),
        (Primitive::Decimal, "Edm.Decimal"),
        (Primitive::Double, "Edm.Double"),
        (Primitive::Duration, "Edm.Duration"),
        (Primitive::Guid, "Edm.Guid"),
        (Primitive::Int16, "Edm.Int16"),
        (Primitive::Int32, "Edm.Int32"),
        (Primitive::Int64, "Edm.Int64"),
        (Primitive::SByte, "Edm.SByte"),
        (Primitive::Single, "Edm.Single"),
        (Primitive::String, "Edm.String"),
        (Primitive::TimeOfDay, "Edm.TimeOfDay"),
    ];

    /// Parses a qualified name such as `Edm.Int32`.
    pub fn from_name(name: &str) -> Option<Primitive> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(p, _)| *p)
    }

    /// The qualified name, e.g. `Edm.Int32`.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, n)| *n)
            .unwrap_or("Edm.Untyped")
    }

    /// The inclusive range of an integral type, `None` for the others.
    pub fn integer_range(self) -> Option<(i64, i64)> {
        match self {
            Primitive::Byte => Some((0, 255)),
            Primitive::SByte => Some((-128, 127)),
            Primitive::Int16 => Some((i16::MIN.into(), i16::MAX.into())),
            Primitive::Int32 => Some((i32::MIN.into(), i32::MAX.into())),
            Primitive::Int64 => Some((i64::MIN, i64::MAX)),
            _ => None,
        }
    }
}

/// What a property or navigation property holds, without the collection wrapper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeKind {
    /// An Edm primitive.
    Primitive(Primitive),
    /// An enum type of the model, by name.
    Enum(String),
    /// A complex type of the model, by name.
    Complex(String),
    /// An entity type of the model, by name.
    Entity(String),
}

/// A type reference: a kind, possibly wrapped in `Collection(...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    /// The element type.
    pub kind: TypeKind,
    /// Whether the value is `Collection(kind)`.
    pub collection: bool,
}

impl TypeRef {
    /// The qualified element name: `Edm.Int32` or `microsoft.graph.x`.
    pub fn element_name(&self, namespace: &str) -> String {
        match &self.kind {
            TypeKind::Primitive(p) => p.name().to_string(),
            TypeKind::Enum(n) | TypeKind::Complex(n) | TypeKind::Entity(n) => {
                format!("{namespace}.{n}")
            }
        }
    }

    /// The qualified name as CSDL writes it, e.g. `Collection(Edm.String)`.
    pub fn qualified_name(&self, namespace: &str) -> String {
        let element = self.element_name(namespace);
        if self.collection {
            format!("Collection({element})")
        } else {
            element
        }
    }
}

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
    /// A member by name, case-insensitively.
    pub fn member(&self, name: &str) -> Option<&EnumMember> {
        find_ci(&self.members, name, |m| &m.name)
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

/// Types by qualified name. foldhash, not std's SipHash: a request looks up a few types
/// by name, and SipHash over a name like `microsoft.graph.managedDevice` cost more than
/// the rest of the lookup. (The names come from the schema, not from clients.)
pub(crate) type Named<T> = IndexMap<String, T, foldhash::fast::RandomState>;

/// The model of one service version.
#[derive(Debug, Clone)]
pub struct Model {
    /// The schema namespace, `microsoft.graph`.
    pub namespace: String,
    /// The schema alias, `graph`.
    pub alias: Option<String>,
    /// The entity container's name.
    pub container: String,
    types: Named<StructuredType>,
    enums: Named<EnumType>,
    singletons: Vec<Singleton>,
    actions: Vec<Action>,
}

impl Model {
    /// Reads a model from a CSDL XML document.
    pub fn from_csdl(xml: &str) -> Result<Model, CsdlError> {
        csdl::read(xml)
    }

    /// Writes the model as a CSDL 4.0 XML document: what `$metadata` answers.
    pub fn to_csdl(&self) -> String {
        csdl_writer::write(self)
    }

    /// The same model without the navigation properties `keep` rejects (given the
    /// declaring type and the property): how a service leaves out what it does not serve.
    pub fn retain_navigation(&self, keep: impl Fn(&str, &NavigationProperty) -> bool) -> Model {
        let mut model = self.clone();
        for t in model.types.values_mut() {
            let inherited = t.navigation.len() - t.own_navigation;
            let mut index = 0;
            let mut own = t.own_navigation;
            t.navigation.retain(|n| {
                let declarer = if index < inherited {
                    self.declaring_type(&t.name, &n.name).unwrap_or(&t.name)
                } else {
                    &t.name
                };
                index += 1;
                let kept = keep(declarer, n);
                if !kept && index > inherited {
                    own -= 1;
                }
                kept
            });
            t.own_navigation = own;
        }
        model
    }

    /// The type in `type_name`'s lineage that declares the navigation property `nav`.
    pub fn declaring_type(&self, type_name: &str, nav: &str) -> Option<&str> {
        let mut current = self.types.get(type_name);
        while let Some(t) = current {
            if t.declared_navigation().iter().any(|n| n.name == nav) {
                return Some(&t.name);
            }
            current = t.base.as_deref().and_then(|b| self.types.get(b));
        }
        None
    }

    /// An entity or complex type by exact name.
    pub fn structured(&self, name: &str) -> Option<&StructuredType> {
        self.types.get(name)
    }

    /// An enum type by exact name.
    pub fn enum_type(&self, name: &str) -> Option<&EnumType> {
        self.enums.get(name)
    }

    /// All entity and complex types, in schema order.
    pub fn structured_types(&self) -> impl Iterator<Item = &StructuredType> {
        self.types.values()
    }

    /// All enum types, in schema order.
    pub fn enum_types(&self) -> impl Iterator<Item = &EnumType> {
        self.enums.values()
    }

    /// The container's singletons.
    pub fn singletons(&self) -> &[Singleton] {
        &self.singletons
    }

    /// The bound actions, in schema order.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The same model with only the actions `keep` accepts: how a service leaves out
    /// what it does not serve.
    pub fn retain_actions(&self, keep: impl Fn(&Action) -> bool) -> Model {
        let mut model = self.clone();
        model.actions.retain(keep);
        model
    }

    /// A singleton by name, case-insensitively.
    pub fn singleton(&self, name: &str) -> Option<&Singleton> {
        find_ci(&self.singletons, name, |s| &s.name)
    }

    /// The qualified name of a model type: `microsoft.graph.<name>`.
    pub fn qualified(&self, name: &str) -> String {
        format!("{}.{name}", self.namespace)
    }

    /// Resolves a type name from a payload (`#microsoft.graph.x`, `microsoft.graph.x`,
    /// `graph.x`, or Intune's internal `microsoft.management.services.api.x`) to a
    /// structured type of the model.
    pub fn resolve_type_name(&self, raw: &str) -> Option<&StructuredType> {
        let name = raw.strip_prefix('#').unwrap_or(raw);
        // Each namespace then its dot, without building the prefixes (every POST with an
        // `@odata.type` resolves one).
        let namespaces = [
            Some(self.namespace.as_str()),
            self.alias.as_deref(),
            Some("microsoft.management.services.api"),
        ];
        let simple = namespaces
            .into_iter()
            .flatten()
            .find_map(|ns| strip_prefix_ci(name, ns)?.strip_prefix('.'))?;
        find_ci_map(&self.types, simple)
    }

    /// An enum type by its qualified name (`microsoft.graph.x` or `graph.x`), any case.
    pub fn enum_type_by_qualified(&self, qualified: &str) -> Option<&EnumType> {
        let (namespace, name) = qualified.rsplit_once('.')?;
        let known = namespace.eq_ignore_ascii_case(&self.namespace)
            || self
                .alias
                .as_deref()
                .is_some_and(|a| a.eq_ignore_ascii_case(namespace));
        known.then(|| find_ci_map(&self.enums, name)).flatten()
    }

    /// Whether `candidate` is `ancestor` or derives from it.
    pub fn is_assignable(&self, candidate: &str, ancestor: &str) -> bool {
        let mut current = Some(candidate);
        while let Some(name) = current {
            if name == ancestor {
                return true;
            }
            current = self.types.get(name).and_then(|t| t.base.as_deref());
        }
        false
    }
}

fn strip_prefix_ci<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &value[prefix.len()..])
}

fn find_ci<'a, T>(items: &'a [T], name: &str, key: impl Fn(&T) -> &String) -> Option<&'a T> {
    items
        .iter()
        .find(|i| key(i) == name)
        .or_else(|| items.iter().find(|i| key(i).eq_ignore_ascii_case(name)))
}

fn find_ci_map<'a, T>(map: &'a Named<T>, name: &str) -> Option<&'a T> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}
