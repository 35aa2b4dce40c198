//! A PATCH of a complex value as SQL: the members it gives are set in the stored value,
//! those it leaves out stay, a nested complex value it gives is merged the same way
//! (Graph's recursive patch of complex values, `research/graph-behavior.md` §3.6), and a
//! stored value that is no object (`null`) is replaced by the written value whole. Done
//! in the one statement of the write, so concurrent PATCHes of different members of one
//! value both land.

use odata::value::Given;
use serde_json::Value as Json;

use super::{Flavor, Param, Sql};

/// Where the stored value is: a column, of `table` where the statement names two rows
/// (an upsert's).
#[derive(Clone, Copy)]
pub struct Stored<'a> {
    /// The table to qualify the column with, if any.
    pub table: Option<&'a str>,
    /// The column.
    pub column: &'a str,
}

/// Appends the value `column` takes when `written` (the PATCH's value, written out whole)
/// is merged into it with the members `given`: text, as the column stores it.
pub fn push_merged(sql: &mut Sql, stored: Stored<'_>, written: &Json, given: &Given) {
    match sql.flavor() {
        Flavor::Sqlite => sqlite(sql, stored, &[], written, given),
        Flavor::Postgres => {
            sql.push("(");
            postgres(sql, stored, &[], written, given);
            sql.push(")::text");
        }
    }
}

fn column(sql: &mut Sql, stored: Stored<'_>) {
    if let Some(table) = stored.table {
        sql.ident(table).push(".");
    }
    sql.ident(stored.column);
}

/// `json_set` of each given member into the stored object (or the written one).
fn sqlite(sql: &mut Sql, stored: Stored<'_>, path: &[&str], written: &Json, given: &Given) {
    let at = |sql: &mut Sql| {
        if path.is_empty() {
            column(sql, stored);
        } else {
            sql.push("json_extract(");
            column(sql, stored);
            sql.push(", ").bind(Param::Text(json_path(path))).push(")");
        }
    };
    sql.push("json_set(CASE WHEN json_type(");
    at(sql);
    sql.push(") = 'object' THEN ");
    at(sql);
    sql.push(" ELSE json(")
        .bind(Param::Text(written.to_string()))
        .push(") END");
    for (name, nested) in &given.0 {
        let member = written.get(name).unwrap_or(&Json::Null);
        let mut inner = path.to_vec();
        inner.push(name);
        sql.push(", ")
            .bind(Param::Text(json_path(&inner)))
            .push(", ");
        match nested {
            Some(nested) if member.is_object() => sqlite(sql, stored, &inner, member, nested),
            _ => {
                sql.push("json(")
                    .bind(Param::Text(member.to_string()))
                    .push(")");
            }
        }
    }
    sql.push(")");
}

/// The stored object (or the written one) `||` the given members.
fn postgres(sql: &mut Sql, stored: Stored<'_>, path: &[&str], written: &Json, given: &Given) {
    let at = |sql: &mut Sql| {
        sql.push("(");
        column(sql, stored);
        sql.push("::jsonb");
        if !path.is_empty() {
            sql.push(" #> ")
                .bind(Param::Text(format!("{{{}}}", path.join(","))))
                .push("::text[]");
        }
        sql.push(")");
    };
    sql.push("(CASE WHEN jsonb_typeof(");
    at(sql);
    sql.push(") = 'object' THEN ");
    at(sql);
    sql.push(" ELSE ")
        .bind(Param::Text(written.to_string()))
        .push("::jsonb END)");
    let mut set = serde_json::Map::new();
    let mut nested_members = Vec::new();
    for (name, nested) in &given.0 {
        let member = written.get(name).unwrap_or(&Json::Null);
        match nested {
            Some(nested) if member.is_object() => nested_members.push((name, member, nested)),
            _ => {
                set.insert(name.clone(), member.clone());
            }
        }
    }
    if !set.is_empty() {
        sql.push(" || ")
            .bind(Param::Text(Json::Object(set).to_string()))
            .push("::jsonb");
    }
    for (name, member, nested) in nested_members {
        let mut inner = path.to_vec();
        inner.push(name);
        sql.push(" || jsonb_build_object(")
            .bind(Param::Text(name.to_string()))
            .push("::text, ");
        postgres(sql, stored, &inner, member, nested);
        sql.push(")");
    }
}

/// SQLite's JSON path of member names: `$."a"."b"` (names are EDM identifiers).
fn json_path(path: &[&str]) -> String {
    path.iter()
        .map(|p| format!(".\"{p}\""))
        .fold("$".to_string(), |mut s, p| {
            s.push_str(&p);
            s
        })
}
