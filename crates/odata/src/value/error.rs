//! Why a request body does not fit the model. Each message is Graph's (ODataLib's) text,
//! extended with the property's name where Graph leaves it out.

/// A body that does not fit the model: Graph answers these with 400 `ModelValidationFailure`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A literal of the wrong form for the property's type.
    #[error(
        "Cannot convert the literal '{literal}' to the expected type '{expected}' of the property '{property}'."
    )]
    InvalidLiteral {
        /// The property, as a path for nested values (`target/groupId`).
        property: String,
        /// The offending JSON literal.
        literal: String,
        /// The expected Edm type, e.g. `Edm.Int32`.
        expected: String,
    },
    /// A string that names no member of the property's enum type.
    #[error(
        "Cannot convert the literal '{literal}' to the expected type '{expected}' of the property '{property}': the valid values are {members}."
    )]
    InvalidEnumMember {
        /// The property.
        property: String,
        /// The offending literal.
        literal: String,
        /// The enum type's qualified name.
        expected: String,
        /// The member names, comma-separated.
        members: String,
    },
    /// An array, object or primitive where another JSON node kind is needed.
    #[error(
        "An unexpected '{found}' node was found when reading the property '{property}'. A '{expected}' node was expected."
    )]
    UnexpectedNode {
        /// The property.
        property: String,
        /// What was found: `StartArray`, `StartObject` or `PrimitiveValue`.
        found: &'static str,
        /// What the type needs.
        expected: &'static str,
    },
    /// `null` for a property declared `Nullable="false"`.
    #[error(
        "A null value was found for the property named '{property}', which has the expected type '{expected}[Nullable=False]'. The expected type '{expected}[Nullable=False]' does not allow null values."
    )]
    NullNotAllowed {
        /// The property.
        property: String,
        /// Its type.
        expected: String,
    },
    /// A property the type does not have.
    #[error(
        "The property '{property}' does not exist on type '{type_name}'. Make sure to only use property names that are defined by the type."
    )]
    UnknownProperty {
        /// The property as sent.
        property: String,
        /// The qualified type name.
        type_name: String,
    },
    /// A navigation property in a body (deep insert and binding are not served).
    #[error("Cannot apply PATCH to navigation property '{property}' on entity type '{type_name}'.")]
    NavigationInBody {
        /// The navigation property.
        property: String,
        /// The qualified type name.
        type_name: String,
    },
    /// The same property twice (the same name, or names that differ only in case):
    /// ODataLib's message.
    #[error(
        "Multiple properties with the name '{property}' were detected in a resource or a complex value. In OData, duplicate property names are not allowed."
    )]
    DuplicateProperty {
        /// The property.
        property: String,
    },
    /// A required property missing from a create or replace.
    #[error(
        "The property '{property}' of type '{type_name}' is required and was not found in the payload."
    )]
    MissingProperty {
        /// The property.
        property: String,
        /// The qualified type name.
        type_name: String,
    },
    /// `@odata.type` naming no type of the model.
    #[error(
        "A type named '{type_name}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type."
    )]
    UnknownType {
        /// The name as sent.
        type_name: String,
    },
    /// `@odata.type` naming a type of another kind than the value's place takes (an
    /// entity type where a complex value is expected, or the reverse): ODataLib's message.
    #[error(
        "Incompatible type kinds were found. The type '{type_name}' was found to be of kind '{found}' instead of the expected kind '{expected}'."
    )]
    IncorrectTypeKind {
        /// The name as sent.
        type_name: String,
        /// The kind of the named type: `Entity`, `Complex`, `Enum` or `Primitive`.
        found: &'static str,
        /// The kind the place takes: `Entity` or `Complex`.
        expected: &'static str,
    },
    /// `@odata.type` naming a type that is not the expected one or derived from it.
    #[error(
        "A resource with type '{found}' was found, but it is not assignable to the expected type '{expected}'. The type specified in the resource must be equal to either the expected type or a derived type."
    )]
    NotAssignable {
        /// The qualified type found.
        found: String,
        /// The qualified type expected.
        expected: String,
    },
    /// An abstract type with no concrete `@odata.type`.
    #[error(
        "Cannot create an abstract class. The type '{type_name}' is abstract: name a concrete derived type in '@odata.type', one of: {derived}."
    )]
    AbstractType {
        /// The abstract type.
        type_name: String,
        /// Its concrete derived types, comma-separated.
        derived: String,
    },
    /// A string holding a NUL character ([`crate::input`]: no backend keeps it alike).
    #[error("The property '{property}' holds a NUL character (U+0000), which is not allowed.")]
    NulCharacter {
        /// The property.
        property: String,
    },
    /// A parameter the action does not declare.
    #[error(
        "The parameter '{parameter}' in the request payload is not a valid parameter for the operation '{action}'."
    )]
    UnknownParameter {
        /// The parameter as sent.
        parameter: String,
        /// The action's name.
        action: String,
    },
    /// An `@odata.type` annotation that is not a string.
    #[error("The '@odata.type' annotation must be a string.")]
    TypeNotString,
}
