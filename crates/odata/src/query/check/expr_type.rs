//! The types of `$filter` expressions: what a literal or a property path is, as far as
//! comparing it goes, and the names ODataLib's messages give them.

use crate::edm::{Model, Primitive, TypeKind, TypeRef};
use crate::query::ast::Literal;

/// The type of an expression, as far as `$filter` cares.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprType {
    /// `null`, compatible with anything for `eq`/`ne`.
    Null,
    /// A primitive.
    Primitive(Primitive),
    /// An enum type, by name.
    Enum(String),
    /// Anything else (complex values, collections): not comparable.
    Other(String),
}

impl ExprType {
    pub(super) fn name(&self, model: &Model) -> String {
        match self {
            ExprType::Null => "null".into(),
            ExprType::Primitive(p) => p.name().into(),
            ExprType::Enum(e) => model.qualified(e),
            ExprType::Other(o) => o.clone(),
        }
    }

    pub(super) fn is_numeric(&self) -> bool {
        matches!(self, ExprType::Primitive(p) if p.integer_range().is_some()
            || matches!(p, Primitive::Double | Primitive::Single | Primitive::Decimal))
    }

    pub(super) fn is_string(&self) -> bool {
        matches!(
            self,
            ExprType::Primitive(Primitive::String | Primitive::Guid)
        )
    }
}

pub(super) fn literal_type(literal: &Literal) -> ExprType {
    match literal {
        Literal::Null => ExprType::Null,
        Literal::Bool(_) => ExprType::Primitive(Primitive::Boolean),
        Literal::Int(i) if i32::try_from(*i).is_ok() => ExprType::Primitive(Primitive::Int32),
        Literal::Int(_) => ExprType::Primitive(Primitive::Int64),
        Literal::Float(_) => ExprType::Primitive(Primitive::Double),
        Literal::String(_) => ExprType::Primitive(Primitive::String),
        Literal::Guid(_) => ExprType::Primitive(Primitive::Guid),
        Literal::DateTimeOffset(_) => ExprType::Primitive(Primitive::DateTimeOffset),
        Literal::Enum { type_name, .. } => {
            let qualified = type_name.as_deref().unwrap_or_default();
            ExprType::Enum(
                qualified
                    .rsplit('.')
                    .next()
                    .unwrap_or(qualified)
                    .to_string(),
            )
        }
    }
}

pub(super) fn property_type(model: &Model, ty: &TypeRef) -> ExprType {
    if ty.collection {
        return ExprType::Other(ty.qualified_name(&model.namespace));
    }
    match &ty.kind {
        TypeKind::Primitive(p) => ExprType::Primitive(*p),
        TypeKind::Enum(e) => ExprType::Enum(e.clone()),
        _ => ExprType::Other(ty.qualified_name(&model.namespace)),
    }
}
