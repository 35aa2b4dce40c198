//! Pure OData v4 building blocks, with no I/O: the EDM model and its CSDL reader, the
//! resource-path parser, request-body validation against the model, and the Edm value
//! formats (DateTimeOffset as 100 ns ticks).

pub mod datetime;
pub mod edm;
pub mod input;
pub mod path;
pub mod places;
pub mod query;
pub mod value;

pub use edm::{
    Action, EnumType, Model, NavigationProperty, Primitive, Property, Singleton, StructuredType,
    TypeKind, TypeRef,
};
pub use path::{PathError, ResourcePath, Segment, Suffix};
pub use places::{Binding, Place, PlaceId, PlaceKind, Places};
pub use value::{EntityBody, Value, ValueError, WriteMode};

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod properties;
