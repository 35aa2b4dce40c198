//! Decoded rows as records, and expanded children attached to their parents.

use std::collections::HashMap;

use odata::Value;

use crate::catalog::{ColumnType, Table, TableKind};
use crate::columns::Selection;
use crate::plan::Rows;
use crate::reads::Expansion;
use crate::sql::Param;
use crate::{Expanded, Record, StoreError};

/// A decoded row (`_type`, `id`, then the selected columns of the table) as a record.
pub fn record(table: &Table, selection: &Selection, row: Vec<Param>) -> Record {
    let mut cells = row.into_iter();
    let text = |p: Option<Param>| match p {
        Some(Param::Text(t)) => t,
        _ => String::new(),
    };
    let type_name = text(cells.next());
    let id = text(cells.next());
    let values = selection
        .positions
        .iter()
        .map(|&at| &table.columns[at])
        .zip(cells)
        .map(|(column, cell)| {
            // A column with a neutral value reads it for NULL (a collection written before
            // collections were kept non-null).
            match (value(&column.ty, cell), &column.default) {
                (Value::Null, Some(default)) => default.clone(),
                (value, _) => value,
            }
        })
        .collect();
    Record {
        type_name,
        id,
        names: selection.names.clone(),
        values,
        expanded: Vec::new(),
    }
}

fn value(ty: &ColumnType, cell: Param) -> Value {
    match (ty, cell) {
        (_, Param::Null(_)) => Value::Null,
        (ColumnType::Ticks, Param::Int(t)) => Value::DateTimeOffset(t),
        (ColumnType::Enum(members), Param::Int(v)) => members
            .iter()
            .find(|(_, m)| *m == v)
            .map_or(Value::Int(v), |(name, _)| Value::Enum(name.clone())),
        (ColumnType::Json, Param::Text(t)) => {
            serde_json::from_str(&t).map_or(Value::String(t), |j| Value::Json(Box::new(j)))
        }
        (ColumnType::Boolean, Param::Int(i)) => Value::Bool(i != 0),
        (_, Param::Int(i)) => Value::Int(i),
        (_, Param::Bool(b)) => Value::Bool(b),
        (_, Param::Real(f)) => Value::Float(f),
        (_, Param::Text(t)) => Value::String(t),
    }
}

/// The entity a read by key found, from its statement's `rows`: its record; else, for a
/// single-valued target whose parents exist, its defaults; else `NotFound`. With the
/// parents' checks in the statement (`checked`, see
/// [`crate::plan::Planner::select_one_checked`]), no row says a parent is missing and a
/// row whose `_type` is NULL that the entity is not there.
pub fn found(
    table: &Table,
    selection: &Selection,
    key: String,
    rows: Rows,
    checked: bool,
) -> Result<Record, StoreError> {
    let parents_exist = !checked || !rows.is_empty();
    let row = rows.into_iter().next();
    match row.filter(|row| !matches!(row.first(), Some(Param::Null(_)))) {
        Some(row) => Ok(record(table, selection, row)),
        None if table.kind.single() && parents_exist => Ok(defaults(table, key)),
        None => Err(StoreError::NotFound),
    }
}

/// What a single-valued target reads as before anything is written.
pub fn defaults(table: &Table, id: String) -> Record {
    Record {
        type_name: table.entity_type.clone(),
        id,
        names: table.all.names.clone(),
        values: table
            .columns
            .iter()
            .map(|c| c.default.clone().unwrap_or(Value::Null))
            .collect(),
        expanded: Vec::new(),
    }
}

/// Attaches the rows of an expansion (each with its parent key last) to their parents.
pub fn attach(
    parents: &mut [Record],
    navigation: &str,
    expansion: &Expansion,
    rows: Rows,
    tenant: &str,
    parent_is_root: bool,
) {
    let child = expansion.table;
    let mut by_parent: HashMap<String, Vec<Record>> = HashMap::new();
    for mut row in rows {
        let parent = match row.pop() {
            Some(Param::Text(p)) => p,
            _ => continue,
        };
        by_parent
            .entry(parent)
            .or_default()
            .push(record(child, &expansion.selection, row));
    }
    for parent in parents.iter_mut() {
        let children = by_parent.remove(&parent.id).unwrap_or_default();
        let expanded = match child.kind {
            TableKind::Collection if !expansion.link => Expanded::Many(children),
            kind => {
                let found = children.into_iter().next();
                let found = match (found, kind) {
                    (None, kind) if kind.single() => {
                        let parent_key = if parent_is_root {
                            ""
                        } else {
                            parent.id.as_str()
                        };
                        Some(defaults(child, child.derived_id(tenant, parent_key)))
                    }
                    (found, _) => found,
                };
                Expanded::One(found.map(Box::new))
            }
        };
        parent.expanded.push((navigation.to_string(), expanded));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// A data set written before collections were kept non-null holds NULL in their
    /// columns: it reads as `[]`.
    #[test]
    fn a_null_collection_reads_as_empty() {
        let schema = intune::Schema::load().unwrap();
        let catalog = Catalog::build(&schema).unwrap();
        let table = catalog
            .tables()
            .iter()
            .find(|t| t.path == "deviceManagement/deviceManagementScripts")
            .unwrap();
        let mut row = vec![
            Param::Text("deviceManagementScript".into()),
            Param::Text("s".into()),
        ];
        row.extend(table.columns.iter().map(|c| Param::Null(c.ty.clone())));
        let record = record(table, &table.all, row);
        assert_eq!(
            record.get("roleScopeTagIds"),
            Some(&Value::Json(Box::new(serde_json::json!([]))))
        );
        assert_eq!(record.get("description"), Some(&Value::Null));
    }
}
