//! An in-memory evaluator of checked `$filter` and `$orderby` over entities in response
//! form. It is the oracle the SQL stores are tested against, so it spells out OData's
//! semantics plainly:
//!
//! - comparisons are two-valued: `null eq null` is true, `null eq 'a'` false, `null gt 1` false;
//! - functions of `null` are `null` (`startswith(null, 'a')`), and `not`, `and`, `or` follow
//!   three-valued logic over those nulls; an entity matches when the filter is `true`;
//! - `$orderby` puts nulls first ascending (last descending) and breaks ties by `id`, in
//!   the direction of the last key;
//! - strings compare by their UTF-8 bytes; `tolower`/`toupper` change ASCII letters only.

use std::cmp::Ordering;

use serde_json::Value as Json;

use super::ast::{CompareOp, Expr, Function, Literal, OrderKey};
use super::check::resolve_path;
use crate::datetime;
use crate::edm::{Model, Primitive, StructuredType, TypeKind};

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(String),
    Ticks(i64),
    Enum(i64),
}

/// Evaluates checked expressions against entities of one type.
pub struct Evaluator<'a> {
    model: &'a Model,
    ty: &'a StructuredType,
}

impl<'a> Evaluator<'a> {
    /// An evaluator for entities of `ty`.
    pub fn new(model: &'a Model, ty: &'a StructuredType) -> Self {
        Evaluator { model, ty }
    }

    /// Whether `entity` matches `filter`.
    pub fn matches(&self, filter: &Expr, entity: &Json) -> bool {
        self.eval(filter, entity) == V::Bool(true)
    }

    /// The order of two entities under `keys`, ties broken by `id`.
    pub fn compare(&self, keys: &[OrderKey], a: &Json, b: &Json) -> Ordering {
        for key in keys {
            let path = Expr::Property(key.path.clone());
            let (va, vb) = (self.eval(&path, a), self.eval(&path, b));
            let order = match (&va, &vb) {
                (V::Null, V::Null) => Ordering::Equal,
                (V::Null, _) => Ordering::Less,
                (_, V::Null) => Ordering::Greater,
                _ => ordering(&va, &vb).unwrap_or(Ordering::Equal),
            };
            let order = if key.descending {
                order.reverse()
            } else {
                order
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        // Ties break by id, in the direction of the last key (ascending without keys).
        let by_id = a["id"].as_str().cmp(&b["id"].as_str());
        if keys.last().is_some_and(|k| k.descending) {
            by_id.reverse()
        } else {
            by_id
        }
    }

    fn eval(&self, expr: &Expr, entity: &Json) -> V {
        match expr {
            Expr::Literal(l) => literal(l),
            Expr::Property(path) => self.property(path, entity),
            Expr::Not(inner) => match self.eval(inner, entity) {
                V::Bool(b) => V::Bool(!b),
                _ => V::Null,
            },
            Expr::And(a, b) => match (self.eval(a, entity), self.eval(b, entity)) {
                (V::Bool(false), _) | (_, V::Bool(false)) => V::Bool(false),
                (V::Bool(true), V::Bool(true)) => V::Bool(true),
                _ => V::Null,
            },
            Expr::Or(a, b) => match (self.eval(a, entity), self.eval(b, entity)) {
                (V::Bool(true), _) | (_, V::Bool(true)) => V::Bool(true),
                (V::Bool(false), V::Bool(false)) => V::Bool(false),
                _ => V::Null,
            },
            Expr::Compare(op, a, b) => {
                V::Bool(compare(*op, &self.eval(a, entity), &self.eval(b, entity)))
            }
            Expr::In(e, list) => {
                let value = self.eval(e, entity);
                V::Bool(
                    list.iter()
                        .any(|l| compare(CompareOp::Eq, &value, &literal(l))),
                )
            }
            Expr::Call(function, args) => {
                let values: Vec<V> = args.iter().map(|a| self.eval(a, entity)).collect();
                call(*function, &values)
            }
        }
    }

    fn property(&self, path: &[String], entity: &Json) -> V {
        let Ok((_, ty)) = resolve_path(self.model, self.ty, path, "$filter") else {
            return V::Null;
        };
        let mut json = entity;
        for segment in path {
            json = &json[segment.as_str()];
        }
        if ty.collection || json.is_null() {
            return V::Null;
        }
        match &ty.kind {
            TypeKind::Primitive(Primitive::Boolean) => json.as_bool().map_or(V::Null, V::Bool),
            TypeKind::Primitive(Primitive::DateTimeOffset) => json
                .as_str()
                .and_then(datetime::parse)
                .map_or(V::Null, V::Ticks),
            TypeKind::Primitive(p) if p.integer_range().is_some() => {
                json.as_i64().map_or(V::Null, V::Int)
            }
            TypeKind::Primitive(Primitive::Double | Primitive::Single | Primitive::Decimal) => {
                json.as_f64().map_or(V::Null, V::Num)
            }
            TypeKind::Primitive(_) => json.as_str().map_or(V::Null, |s| V::Str(s.to_string())),
            TypeKind::Enum(name) => {
                let member = json
                    .as_str()
                    .and_then(|s| self.model.enum_type(name)?.member(s));
                member.map_or(V::Null, |m| V::Enum(m.value))
            }
            _ => V::Null,
        }
    }
}

fn literal(l: &Literal) -> V {
    match l {
        Literal::Null => V::Null,
        Literal::Bool(b) => V::Bool(*b),
        Literal::Int(i) => V::Int(*i),
        Literal::Float(f) => V::Num(*f),
        Literal::String(s) | Literal::Guid(s) => V::Str(s.clone()),
        Literal::DateTimeOffset(t) => V::Ticks(*t),
        Literal::Enum { value, .. } => value.map_or(V::Null, V::Enum),
    }
}

fn compare(op: CompareOp, a: &V, b: &V) -> bool {
    let equal = match (a, b) {
        (V::Null, V::Null) => true,
        (V::Null, _) | (_, V::Null) => false,
        _ => ordering(a, b) == Some(Ordering::Equal),
    };
    match op {
        CompareOp::Eq => equal,
        CompareOp::Ne => !equal,
        _ => match ordering(a, b) {
            None => false,
            Some(o) => match op {
                CompareOp::Gt => o == Ordering::Greater,
                CompareOp::Ge => o != Ordering::Less,
                CompareOp::Lt => o == Ordering::Less,
                _ => o != Ordering::Greater,
            },
        },
    }
}

fn ordering(a: &V, b: &V) -> Option<Ordering> {
    match (a, b) {
        (V::Int(x), V::Int(y)) | (V::Ticks(x), V::Ticks(y)) | (V::Enum(x), V::Enum(y)) => {
            Some(x.cmp(y))
        }
        (V::Int(x), V::Num(y)) => (*x as f64).partial_cmp(y),
        (V::Num(x), V::Int(y)) => x.partial_cmp(&(*y as f64)),
        (V::Num(x), V::Num(y)) => x.partial_cmp(y),
        (V::Str(x), V::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn call(function: Function, args: &[V]) -> V {
    let text = |i: usize| match args.get(i) {
        Some(V::Str(s)) => Some(s.as_str()),
        _ => None,
    };
    match function {
        Function::ToLower => text(0).map_or(V::Null, |s| V::Str(s.to_ascii_lowercase())),
        Function::ToUpper => text(0).map_or(V::Null, |s| V::Str(s.to_ascii_uppercase())),
        _ => match (text(0), text(1)) {
            (Some(s), Some(p)) => V::Bool(match function {
                Function::StartsWith => s.starts_with(p),
                Function::EndsWith => s.ends_with(p),
                _ => s.contains(p),
            }),
            _ => V::Null,
        },
    }
}
