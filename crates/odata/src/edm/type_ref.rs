//! Type references: the Edm primitive types, and the type a property or a value has
//! (a primitive, enum, complex or entity type, possibly a collection of it).

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
    /// Whether `$orderby` can sort by a value of this type: a single primitive or enum
    /// value (the server's check and the OpenAPI documents' `$orderby` items both ask).
    pub fn is_orderable(&self) -> bool {
        !self.collection && matches!(self.kind, TypeKind::Primitive(_) | TypeKind::Enum(_))
    }

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
