//! Graph's evolvable enums in `$filter`. A member a version's enum type lacks (beta's
//! `androidEnterpriseFullyManaged` enrollment type, read through v1.0) is kept as stored
//! and reads as `unknownFutureValue` where the type has that sentinel (the renderer's
//! rule, `EnumType::sentinel`). So a comparison with the sentinel means "holds no other
//! member of this version's type": `p eq 'unknownFutureValue'` becomes
//! `p ne null and not (p in (every other member))`, in the AST that both backends and the
//! in-memory evaluator already execute. Where a version has every stored member, that is
//! the same rows as before.

use crate::edm::Model;
use crate::query::ast::{CompareOp, Expr, Literal};

/// `a op b` with an `eq`/`ne` against the sentinel rewritten; else `None`.
pub fn compare(model: &Model, op: CompareOp, a: &Expr, b: &Expr) -> Option<Expr> {
    if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
        return None;
    }
    let (property, literal) = match (a, b) {
        (Expr::Property(_), Expr::Literal(l)) => (a, l),
        (Expr::Literal(l), Expr::Property(_)) => (b, l),
        _ => return None,
    };
    let matched = holds_sentinel(model, property, literal)?;
    Some(match op {
        CompareOp::Eq => matched,
        _ => Expr::Not(Box::new(matched)),
    })
}

/// `e in (…)` with the sentinel among the values: the other values, or the sentinel's
/// rows; else `None`.
pub fn within(model: &Model, e: &Expr, list: &[Literal]) -> Option<Expr> {
    let sentinel = list.iter().find_map(|l| holds_sentinel(model, e, l))?;
    let rest: Vec<Literal> = list
        .iter()
        .filter(|l| holds_sentinel(model, e, l).is_none())
        .cloned()
        .collect();
    if rest.is_empty() {
        return Some(sentinel);
    }
    Some(Expr::Or(
        Box::new(Expr::In(Box::new(e.clone()), rest)),
        Box::new(sentinel),
    ))
}

/// The rows of `property` that read as the sentinel, when `literal` is it.
fn holds_sentinel(model: &Model, property: &Expr, literal: &Literal) -> Option<Expr> {
    let Literal::Enum {
        type_name: Some(qualified),
        member,
        ..
    } = literal
    else {
        return None;
    };
    if !matches!(property, Expr::Property(_)) {
        return None;
    }
    let enum_type = model
        .enum_type_by_qualified(qualified)
        .filter(|t| !t.is_flags)?;
    let sentinel = enum_type.sentinel()?;
    if *member != sentinel.name {
        return None;
    }
    let others: Vec<Literal> = enum_type
        .members
        .iter()
        .filter(|m| m.name != sentinel.name)
        .map(|m| Literal::Enum {
            type_name: Some(qualified.clone()),
            member: m.name.clone(),
            value: Some(m.value),
        })
        .collect();
    let present = Expr::Compare(
        CompareOp::Ne,
        Box::new(property.clone()),
        Box::new(Expr::Literal(Literal::Null)),
    );
    if others.is_empty() {
        return Some(present);
    }
    let other = Expr::In(Box::new(property.clone()), others);
    Some(Expr::And(
        Box::new(present),
        Box::new(Expr::Not(Box::new(other))),
    ))
}
