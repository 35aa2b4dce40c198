//! Reading collections: `$filter`, `$orderby`, keyset paging, `$skip`, `$count` and
//! `$expand`, each executed by the database.
//!
//! Pages are ordered by the `$orderby` keys and then by `id` (in the direction of the last
//! key), a total order; a page ends at a [`Cursor`] (the last row's keys), and the next page
//! starts strictly after it. Rows inserted or deleted between pages therefore never make a
//! row appear twice or be skipped.

use odata::query::{Expr, OrderKey};
use serde_json::Value as Json;

use crate::Record;
use crate::catalog::Table;
use crate::columns::Columns;
use crate::filter::{Operand, push_filter};
use crate::sql::{Param, Sql};

/// What to read from a collection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    /// `$filter`, checked against the collection's type.
    pub filter: Option<Expr>,
    /// `$orderby` keys, checked.
    pub orderby: Vec<OrderKey>,
    /// Continue after this position (from the previous page's `next`).
    pub after: Option<Cursor>,
    /// `$skip` (applies to the first page only).
    pub skip: usize,
    /// The page size.
    pub size: usize,
    /// Whether to count every matching row (`$count=true`).
    pub count: bool,
    /// The columns to read of each entity (with the `$orderby` keys, which the next
    /// page's cursor is made of).
    pub columns: Columns,
    /// Navigation properties to read along with each entity.
    pub expand: Vec<ExpandQuery>,
    /// The most bytes of row data the page (with its expansions) may hold: a page that
    /// would hold more ends early, with a cursor; `None`: no limit.
    pub max_bytes: Option<usize>,
}

/// A navigation property to expand, with its nested options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExpandQuery {
    /// The navigation property.
    pub navigation: String,
    /// Nested `$filter`.
    pub filter: Option<Expr>,
    /// Nested `$orderby`.
    pub orderby: Vec<OrderKey>,
    /// Nested `$top`: at most this many per parent.
    pub top: Option<usize>,
    /// The columns to read of each expanded entity.
    pub columns: Columns,
}

/// A position in an ordered collection: the sort keys and id of the last row read.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    /// One JSON scalar per `$orderby` key, as stored (an `id` key's is the id). Only those
    /// before an `id` key are compared; the rest keep tokens one shape across versions.
    pub keys: Vec<Json>,
    /// The row's id.
    pub id: String,
}

impl ListQuery {
    /// The columns the store reads for itself: the `$orderby` keys (their top-level
    /// properties), which the next page's cursor holds.
    pub fn needed(&self) -> Vec<&str> {
        self.orderby
            .iter()
            .filter_map(|k| k.path.first().map(String::as_str))
            .collect()
    }
}

impl Cursor {
    /// The cursor just after `record` under `orderby` (the record holds the keys'
    /// columns: see [`ListQuery::needed`]).
    pub fn after(table: &Table, orderby: &[OrderKey], record: &Record) -> Cursor {
        let keys = orderby
            .iter()
            .map(|key| {
                let operand = Operand::new(table, &key.path);
                if operand.column.is_none() {
                    // The key is no column of the record: it is the record's id.
                    return Json::String(record.id.clone());
                }
                let value = record.get(operand.name);
                match (operand.column, value) {
                    (Some(column), Some(value)) if operand.json_path.is_empty() => {
                        scalar(Param::from_value(column, value))
                    }
                    (_, Some(odata::Value::Json(json))) => {
                        let mut inner: &Json = json;
                        for segment in &operand.json_path {
                            inner = &inner[segment.as_str()];
                        }
                        inner.clone()
                    }
                    _ => Json::Null,
                }
            })
            .collect();
        Cursor {
            keys,
            id: record.id.clone(),
        }
    }
}

fn scalar(param: Param) -> Json {
    match param {
        Param::Null(_) => Json::Null,
        Param::Int(i) => Json::from(i),
        Param::Bool(b) => Json::Bool(b),
        Param::Real(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        Param::Text(t) => Json::String(t),
    }
}

fn param(json: &Json) -> Param {
    match json {
        Json::Bool(b) => Param::Bool(*b),
        Json::Number(n) => n
            .as_i64()
            .map_or_else(|| Param::Real(n.as_f64().unwrap_or(0.0)), Param::Int),
        Json::String(s) => Param::Text(s.clone()),
        _ => Param::Text(json.to_string()),
    }
}

/// The `$orderby` keys an order compares, and the direction of the `id` that ends it: that
/// of the last key, so that a single-direction order is one row-value comparison. Keys
/// after an `id` key order nothing (ids are unique), and an `id` key is that last `id`
/// itself: `$orderby=id desc` is `ORDER BY id DESC`, which the primary key serves, not
/// `id DESC NULLS LAST, id DESC`, which PostgreSQL sorted for every page.
fn order_keys<'k>(table: &Table, orderby: &'k [OrderKey]) -> (&'k [OrderKey], bool) {
    let id = orderby
        .iter()
        .position(|key| Operand::new(table, &key.path).column.is_none());
    match id {
        Some(at) => (&orderby[..at], orderby[at].descending),
        None => (orderby, orderby.last().is_some_and(|k| k.descending)),
    }
}

/// ` AND <filter>` (nothing without a filter).
pub fn push_filter_condition(sql: &mut Sql, table: &Table, filter: Option<&Expr>) {
    if let Some(filter) = filter {
        sql.push(" AND ");
        push_filter(sql, table, filter);
    }
}

/// ` AND <strictly after the cursor>`.
pub fn push_after(sql: &mut Sql, table: &Table, orderby: &[OrderKey], cursor: &Cursor) {
    let (orderby, id_desc) = order_keys(table, orderby);
    let operands: Vec<Operand> = orderby
        .iter()
        .map(|k| Operand::new(table, &k.path))
        .collect();
    let uniform = orderby.iter().all(|k| k.descending == id_desc)
        && operands
            .iter()
            .zip(&cursor.keys)
            .all(|(o, v)| !o.nullable() && !v.is_null());
    sql.push(" AND ");
    if uniform {
        // (k1, …, id) > (v1, …, id0): one comparison an index on (k1, …, id) can serve.
        sql.push("(");
        for operand in &operands {
            operand.push(sql);
            sql.push(", ");
        }
        sql.ident("id")
            .push(if id_desc { ") < (" } else { ") > (" });
        for value in &cursor.keys[..operands.len()] {
            sql.bind(param(value)).push(", ");
        }
        sql.bind(Param::Text(cursor.id.clone())).push(")");
        return;
    }
    push_after_from(sql, &operands, orderby, cursor, 0, id_desc);
}

/// `after(k_i) OR (k_i = v_i AND after(k_i+1 …))`, with nulls first ascending and last
/// descending.
fn push_after_from(
    sql: &mut Sql,
    operands: &[Operand],
    orderby: &[OrderKey],
    cursor: &Cursor,
    i: usize,
    id_desc: bool,
) {
    let Some(operand) = operands.get(i) else {
        sql.push("(")
            .ident("id")
            .push(if id_desc { " < " } else { " > " });
        sql.bind(Param::Text(cursor.id.clone())).push(")");
        return;
    };
    let value = &cursor.keys[i];
    let descending = orderby[i].descending;
    sql.push("(");
    match (value.is_null(), descending) {
        // Ascending: nulls come first, so after null are the non-nulls.
        (true, false) => {
            operand.push(sql);
            sql.push(" IS NOT NULL");
        }
        // Descending: nulls come last; nothing sorts after null but equal nulls.
        (true, true) => {
            sql.push("FALSE");
        }
        (false, false) => {
            operand.push(sql);
            sql.push(" > ").bind(param(value));
        }
        (false, true) => {
            sql.push("(");
            operand.push(sql);
            sql.push(" < ").bind(param(value)).push(" OR ");
            operand.push(sql);
            sql.push(" IS NULL)");
        }
    }
    sql.push(" OR (");
    operand.push(sql);
    if value.is_null() {
        sql.push(" IS NULL");
    } else {
        sql.push(" = ").bind(param(value));
    }
    sql.push(" AND ");
    push_after_from(sql, operands, orderby, cursor, i + 1, id_desc);
    sql.push("))");
}

/// ` ORDER BY k1 [DESC], …, id`.
pub fn push_order(sql: &mut Sql, table: &Table, orderby: &[OrderKey]) {
    let (orderby, id_desc) = order_keys(table, orderby);
    sql.push(" ORDER BY ");
    for key in orderby {
        Operand::new(table, &key.path).push(sql);
        sql.push(if key.descending { " DESC" } else { " ASC" });
        let nulls = sql.dialect().nulls_order(key.descending);
        sql.push(nulls).push(", ");
    }
    sql.ident("id").push(if id_desc { " DESC" } else { " ASC" });
}
