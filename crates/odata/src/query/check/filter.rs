//! The type checker of `$filter` expressions: resolves property paths, types literals
//! (enum members, GUIDs compared to strings) and refuses incompatible operands.

use super::evolvable;
use super::expr_type::{ExprType, literal_type, property_type};
use super::resolve_path;
use crate::edm::{Model, Primitive, StructuredType};
use crate::query::QueryError;
use crate::query::ast::{CompareOp, Expr, Function, Literal};

/// Checks a `$filter` expression and returns it with resolved names and typed literals.
pub fn check_filter(model: &Model, ty: &StructuredType, expr: Expr) -> Result<Expr, QueryError> {
    let checker = Checker {
        model,
        ty,
        option: "$filter",
    };
    let (expr, expr_type) = checker.expr(expr)?;
    if expr_type != ExprType::Primitive(Primitive::Boolean) {
        return Err(QueryError::new(
            "$filter",
            format!(
                "The $filter expression must evaluate to 'Edm.Boolean', not '{}'.",
                expr_type.name(model)
            ),
        ));
    }
    Ok(expr)
}

struct Checker<'a> {
    model: &'a Model,
    ty: &'a StructuredType,
    option: &'static str,
}

impl Checker<'_> {
    fn error(&self, message: String) -> QueryError {
        QueryError::new(self.option, message)
    }

    fn expr(&self, expr: Expr) -> Result<(Expr, ExprType), QueryError> {
        let boolean = ExprType::Primitive(Primitive::Boolean);
        match expr {
            Expr::Literal(l) => {
                let l = self.resolve_enum_literal(l)?;
                let t = literal_type(&l);
                Ok((Expr::Literal(l), t))
            }
            Expr::Property(path) => {
                let (names, ty) = resolve_path(self.model, self.ty, &path, self.option)?;
                Ok((Expr::Property(names), property_type(self.model, &ty)))
            }
            Expr::Not(inner) => {
                let (inner, t) = self.expr(*inner)?;
                self.require(&t, &boolean, "not")?;
                Ok((Expr::Not(Box::new(inner)), boolean))
            }
            Expr::And(a, b) => {
                let (a, b) = self.both_boolean(*a, *b, "and")?;
                Ok((Expr::And(Box::new(a), Box::new(b)), boolean))
            }
            Expr::Or(a, b) => {
                let (a, b) = self.both_boolean(*a, *b, "or")?;
                Ok((Expr::Or(Box::new(a), Box::new(b)), boolean))
            }
            Expr::Compare(op, a, b) => {
                let (a, ta) = self.expr(*a)?;
                let (b, tb) = self.expr(*b)?;
                let (a, b) = self.unify(op, (a, ta), (b, tb))?;
                let expr = evolvable::compare(self.model, op, &a, &b)
                    .unwrap_or_else(|| Expr::Compare(op, Box::new(a), Box::new(b)));
                Ok((expr, boolean))
            }
            Expr::In(e, list) => {
                let (e, te) = self.expr(*e)?;
                let mut typed = Vec::with_capacity(list.len());
                for literal in list {
                    let lt = literal_type(&literal);
                    match self.unify(
                        CompareOp::Eq,
                        (e.clone(), te.clone()),
                        (Expr::Literal(literal), lt),
                    )? {
                        (_, Expr::Literal(l)) => typed.push(l),
                        _ => unreachable!("unify keeps a literal a literal"),
                    }
                }
                let expr = evolvable::within(self.model, &e, &typed)
                    .unwrap_or_else(|| Expr::In(Box::new(e), typed));
                Ok((expr, boolean))
            }
            Expr::Call(function, args) => {
                let mut checked = Vec::with_capacity(args.len());
                for arg in args {
                    let (arg, t) = self.expr(arg)?;
                    let arg = match (arg, &t) {
                        (Expr::Literal(Literal::Guid(g)), _) => Expr::Literal(Literal::String(g)),
                        (arg, t) if t.is_string() => arg,
                        (arg, ExprType::Null) => arg,
                        (_, t) => {
                            return Err(self.error(format!(
                                "The function '{}' takes 'Edm.String' arguments, not '{}'.",
                                function.name(),
                                t.name(self.model)
                            )));
                        }
                    };
                    checked.push(arg);
                }
                let result = match function {
                    Function::ToLower | Function::ToUpper => ExprType::Primitive(Primitive::String),
                    _ => boolean,
                };
                Ok((Expr::Call(function, checked), result))
            }
        }
    }

    /// A qualified enum literal (`microsoft.graph.runState'fail'`) checked against the
    /// model: its type and member must exist; its value is filled in.
    fn resolve_enum_literal(&self, literal: Literal) -> Result<Literal, QueryError> {
        let Literal::Enum {
            type_name: Some(qualified),
            member,
            ..
        } = &literal
        else {
            return Ok(literal);
        };
        let enum_type = self
            .model
            .enum_type_by_qualified(qualified)
            .ok_or_else(|| {
                self.error(format!("The enum type '{qualified}' is not in the model."))
            })?;
        let found = enum_type.member(member).ok_or_else(|| {
            self.error(format!(
                "The value '{member}' is not a member of '{}'.",
                self.model.qualified(&enum_type.name)
            ))
        })?;
        Ok(Literal::Enum {
            type_name: Some(self.model.qualified(&enum_type.name)),
            member: found.name.clone(),
            value: Some(found.value),
        })
    }

    fn both_boolean(&self, a: Expr, b: Expr, operator: &str) -> Result<(Expr, Expr), QueryError> {
        let boolean = ExprType::Primitive(Primitive::Boolean);
        let (a, ta) = self.expr(a)?;
        let (b, tb) = self.expr(b)?;
        self.require(&ta, &boolean, operator)?;
        self.require(&tb, &boolean, operator)?;
        Ok((a, b))
    }

    /// Makes both sides of a comparison the same type: a literal takes the type of the
    /// other side where OData allows it (a string naming an enum member, a GUID compared
    /// to a string); anything else incompatible is refused.
    fn unify(
        &self,
        op: CompareOp,
        left: (Expr, ExprType),
        right: (Expr, ExprType),
    ) -> Result<(Expr, Expr), QueryError> {
        let (mut a, mut ta) = left;
        let (mut b, mut tb) = right;
        if ta == ExprType::Null || tb == ExprType::Null {
            if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                return Err(self.error(format!(
                    "null can only be compared with 'eq' or 'ne', not '{}'.",
                    op.keyword()
                )));
            }
            let other = if ta == ExprType::Null { &tb } else { &ta };
            if let ExprType::Other(name) = other {
                return Err(self.error(format!("A value of type '{name}' cannot be compared.")));
            }
            return Ok((a, b));
        }
        if let Expr::Literal(l) = &b
            && let Some((l, t)) = self.coerce(l, &ta)?
        {
            b = Expr::Literal(l);
            tb = t;
        }
        if let Expr::Literal(l) = &a
            && let Some((l, t)) = self.coerce(l, &tb)?
        {
            a = Expr::Literal(l);
            ta = t;
        }
        let compatible = match (&ta, &tb) {
            (ExprType::Other(_), _) | (_, ExprType::Other(_)) => false,
            _ if ta.is_numeric() && tb.is_numeric() => true,
            _ if ta.is_string() && tb.is_string() => true,
            _ => ta == tb,
        };
        if !compatible {
            return Err(self.error(format!(
                "A binary operator with incompatible types was detected. Found operand types '{}' and '{}' for operator kind '{}'.",
                ta.name(self.model),
                tb.name(self.model),
                op.kind_name()
            )));
        }
        Ok((a, b))
    }

    /// A literal in the type of the other side, when OData converts it.
    fn coerce(
        &self,
        literal: &Literal,
        target: &ExprType,
    ) -> Result<Option<(Literal, ExprType)>, QueryError> {
        let ExprType::Enum(enum_name) = target else {
            return Ok(match (literal, target) {
                (Literal::Guid(g), ExprType::Primitive(Primitive::String)) => {
                    Some((Literal::String(g.clone()), target.clone()))
                }
                _ => None,
            });
        };
        let member = match literal {
            Literal::String(s) => s,
            Literal::Enum {
                type_name, member, ..
            } => {
                let named = type_name
                    .as_deref()
                    .and_then(|t| self.model.enum_type_by_qualified(t));
                if named.map(|e| e.name.as_str()) != Some(enum_name.as_str()) {
                    return Ok(None);
                }
                member
            }
            _ => return Ok(None),
        };
        let enum_type = self
            .model
            .enum_type(enum_name)
            .ok_or_else(|| self.error(format!("Unknown enum type '{enum_name}'.")))?;
        let found = enum_type.member(member).ok_or_else(|| {
            self.error(format!(
                "The value '{member}' is not a member of '{}'; the members are {}.",
                self.model.qualified(enum_name),
                enum_type
                    .members
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        Ok(Some((
            Literal::Enum {
                type_name: Some(self.model.qualified(enum_name)),
                member: found.name.clone(),
                value: Some(found.value),
            },
            target.clone(),
        )))
    }

    fn require(
        &self,
        found: &ExprType,
        expected: &ExprType,
        operator: &str,
    ) -> Result<(), QueryError> {
        if found == expected {
            Ok(())
        } else {
            Err(self.error(format!(
                "The operand of '{operator}' must be of type '{}', not '{}'.",
                expected.name(self.model),
                found.name(self.model)
            )))
        }
    }
}
