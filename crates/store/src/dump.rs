//! Whole data sets in and out: stored rows as they are ([`RawRow`]), the statements that
//! read and write them, and their JSON form (one JSONL line per row), so a data set moves
//! between backends through the [`Store`](crate::Store) trait.

use std::sync::Arc;

use odata::Value;
use serde_json::{Map, Value as Json};

use crate::catalog::{Catalog, Column, ColumnType, Table, TableId};
use crate::plan::{Expect, Planner, SETTINGS, Statement, decode, statement};
use crate::rows::record;
use crate::sql::{PARENT, Param, Sql, TENANT, TYPE};

/// The most parameters one import statement binds: under SQLite's limit (32,766) and
/// PostgreSQL's (65,535).
const MAX_PARAMS: usize = 30_000;
/// The most rows one import statement writes.
const MAX_ROWS: usize = 500;

/// One stored row with its place: what export writes and import reads.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// The tenant.
    pub tenant: String,
    /// The key of the parent entity ("" under a singleton).
    pub parent: String,
    /// The key.
    pub id: String,
    /// The concrete entity type.
    pub type_name: String,
    /// Every column, in table order.
    pub values: Vec<(Arc<str>, Value)>,
}

impl RawRow {
    /// The JSONL form: `{"table","tenant","parent","id","type","values":{…}}`, values in
    /// their response form (DateTimeOffset as text with 7 digits, enums by name).
    pub fn to_json(&self, table: &Table) -> Json {
        let values: Map<String, Json> = self
            .values
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_json()))
            .collect();
        serde_json::json!({
            "table": table.path,
            "tenant": self.tenant,
            "parent": self.parent,
            "id": self.id,
            "type": self.type_name,
            "values": values,
        })
    }

    /// Reads a JSONL line back: its table and row. Columns the line leaves out are NULL
    /// (or their default); a table or column the catalog lacks is an error.
    pub fn from_json(catalog: &Catalog, line: &Json) -> Result<(TableId, RawRow), String> {
        let text = |key: &str| {
            line.get(key)
                .and_then(Json::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("the line has no text \"{key}\""))
        };
        let path = text("table")?;
        let table = catalog
            .tables()
            .iter()
            .find(|t| t.path == path)
            .ok_or_else(|| format!("no table {path} in this schema"))?;
        let given = line
            .get("values")
            .and_then(Json::as_object)
            .ok_or("the line has no \"values\" object")?;
        if let Some(unknown) = given.keys().find(|name| table.column(name).is_none()) {
            return Err(format!("{path} has no column {unknown}"));
        }
        let values = table
            .columns
            .iter()
            .map(|column| {
                let json = given.get(&*column.name).unwrap_or(&Json::Null);
                let value = value_from_json(column, json)
                    .ok_or_else(|| format!("{path}.{}: unexpected value {json}", column.name))?;
                let value = match (value, &column.default) {
                    (Value::Null, Some(default)) => default.clone(),
                    (value, _) => value,
                };
                Ok((column.name.clone(), value))
            })
            .collect::<Result<_, String>>()?;
        let row = RawRow {
            tenant: text("tenant")?,
            parent: text("parent")?,
            id: text("id")?,
            type_name: text("type")?,
            values,
        };
        row.check_text(&path)?;
        // No foreign key holds a root table's rows to their parent, and its statements
        // no longer name it (`Sql::scope`): a row under another parent would be read.
        if table.at_root() && !row.parent.is_empty() {
            return Err(format!(
                "{path} is at the root: its rows have the parent \"\", not {:?}",
                row.parent
            ));
        }
        Ok((table.id, row))
    }

    /// The input rule of every backend ([`odata::input`]): no text holds a NUL character.
    /// A data set written before the rule may: name the row and property, so it can be
    /// cleaned at the source, rather than store it on one backend and fail on another.
    fn check_text(&self, path: &str) -> Result<(), String> {
        let keys = [
            ("tenant", &self.tenant),
            ("parent", &self.parent),
            ("id", &self.id),
            ("type", &self.type_name),
        ];
        let nul_in_value = |value: &Value| match value {
            Value::String(s) => s.contains(odata::input::NUL),
            Value::Enum(name) => name.contains(odata::input::NUL),
            Value::Json(json) => odata::input::json_holds_nul(json),
            _ => false,
        };
        let culprit = keys
            .iter()
            .find(|(_, text)| text.contains(odata::input::NUL))
            .map(|(key, _)| format!("its \"{key}\""))
            .or_else(|| {
                self.values
                    .iter()
                    .find(|(_, value)| nul_in_value(value))
                    .map(|(name, _)| format!("the property '{name}'"))
            });
        match culprit {
            Some(culprit) => Err(format!(
                "{path} row {:?} of tenant {:?}: {culprit} holds a NUL character (U+0000), which localgraph refuses on every backend (PostgreSQL cannot store it); remove it from the file (or the source data set) and import again",
                self.id, self.tenant,
            )),
            None => Ok(()),
        }
    }
}

/// A column's value from its response form.
fn value_from_json(column: &Column, json: &Json) -> Option<Value> {
    if json.is_null() {
        return Some(Value::Null);
    }
    Some(match &column.ty {
        ColumnType::Integer => Value::Int(json.as_i64()?),
        ColumnType::Boolean => Value::Bool(json.as_bool()?),
        ColumnType::Real => Value::Float(json.as_f64()?),
        ColumnType::Text => Value::String(json.as_str()?.to_string()),
        ColumnType::Ticks => Value::DateTimeOffset(odata::datetime::parse(json.as_str()?)?),
        ColumnType::Enum(_) => Value::Enum(json.as_str()?.into()),
        ColumnType::Json => Value::Json(Box::new(json.clone())),
    })
}

/// A decoded export row (`_type`, `id`, the columns, `_tenant`, `_parent`) as a raw row.
pub(crate) fn raw_row(table: &Table, mut row: Vec<Param>) -> RawRow {
    let mut text = || match row.pop() {
        Some(Param::Text(t)) => t,
        _ => String::new(),
    };
    let parent = text();
    let tenant = text();
    let record = record(table, &table.all, row);
    RawRow {
        tenant,
        parent,
        id: record.id,
        type_name: record.type_name,
        values: record.names.iter().cloned().zip(record.values).collect(),
    }
}

impl Planner<'_> {
    /// A batch of rows for export, in (tenant, id) order.
    pub fn export(
        &self,
        table: &Table,
        tenant: Option<&str>,
        after: Option<&(String, String)>,
        limit: usize,
    ) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT ").columns(&table.all);
        sql.push(", ").ident(TENANT).push(", ").ident(PARENT);
        sql.push(" FROM ")
            .ident(&table.sql_name)
            .push(" WHERE TRUE");
        if let Some(tenant) = tenant {
            sql.push(" AND ").ident(TENANT).push(" = ");
            sql.bind(Param::Text(tenant.into()));
        }
        if let Some((tenant, id)) = after {
            sql.push(" AND (").ident(TENANT).push(", ").ident("id");
            sql.push(") > (")
                .bind(Param::Text(tenant.clone()))
                .push(", ");
            sql.bind(Param::Text(id.clone())).push(")");
        }
        sql.push(" ORDER BY ").ident(TENANT).push(", ").ident("id");
        sql.push(" LIMIT ").bind(Param::Int(limit as i64));
        let mut types = decode(table);
        types.extend([ColumnType::Text, ColumnType::Text]);
        statement(sql, Expect::Rows, types)
    }

    /// Writes rows as they are, replacing rows with the same tenant and id: one
    /// multi-row `INSERT … ON CONFLICT DO UPDATE` per chunk of rows, each chunk within
    /// the databases' limits on bound parameters.
    pub fn import(&self, table: &Table, rows: &[RawRow]) -> Vec<Statement> {
        let per_row = 4 + table.columns.len();
        let chunk = (MAX_PARAMS / per_row).clamp(1, MAX_ROWS);
        rows.chunks(chunk)
            .map(|rows| self.import_chunk(table, rows))
            .collect()
    }

    fn import_chunk(&self, table: &Table, rows: &[RawRow]) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("INSERT INTO ").ident(&table.sql_name).push(" (");
        sql.ident(TENANT).push(", ").ident(PARENT).push(", ");
        sql.ident("id").push(", ").ident(TYPE);
        for column in &table.columns {
            sql.push(", ").ident(&column.name);
        }
        sql.push(") VALUES ");
        for (r, row) in rows.iter().enumerate() {
            sql.push(if r == 0 { "(" } else { ", (" });
            for (i, text) in [&row.tenant, &row.parent, &row.id, &row.type_name]
                .into_iter()
                .enumerate()
            {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(Param::Text(text.clone()));
            }
            for column in &table.columns {
                let value = row
                    .values
                    .iter()
                    .find(|(name, _)| *name == column.name)
                    .map_or(&Value::Null, |(_, v)| v);
                sql.push(", ").bind(Param::from_value(column, value));
            }
            sql.push(")");
        }
        sql.push(" ON CONFLICT (")
            .ident(TENANT)
            .push(", ")
            .ident("id");
        sql.push(") DO UPDATE SET ")
            .ident(PARENT)
            .push(" = excluded.")
            .ident(PARENT);
        sql.push(", ").ident(TYPE).push(" = excluded.").ident(TYPE);
        for column in &table.columns {
            sql.push(", ").ident(&column.name).push(" = excluded.");
            sql.ident(&column.name);
        }
        statement(sql, Expect::Affected, Vec::new())
    }

    /// Every setting, by key.
    pub fn settings(&self) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT key, value FROM ").ident(SETTINGS);
        sql.push(" ORDER BY key");
        statement(sql, Expect::Rows, vec![ColumnType::Text, ColumnType::Text])
    }

    /// Adds `delta` to a setting holding a count (unset counts as 0), in the database.
    pub fn add_to_setting(&self, key: &str, delta: i64) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("INSERT INTO ")
            .ident(SETTINGS)
            .push(" (key, value) VALUES (");
        sql.bind(Param::Text(key.into())).push(", ");
        sql.bind(Param::Text(delta.to_string()));
        sql.push(") ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(")
            .ident(SETTINGS)
            .push(".value AS BIGINT) + CAST(excluded.value AS BIGINT) AS TEXT)");
        statement(sql, Expect::Affected, Vec::new())
    }

    /// One setting's value (no row when it is not set).
    pub fn setting(&self, key: &str) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("SELECT value FROM ")
            .ident(SETTINGS)
            .push(" WHERE key = ");
        sql.bind(Param::Text(key.into()));
        statement(sql, Expect::Rows, vec![ColumnType::Text])
    }

    /// Sets a setting, replacing its value.
    pub fn put_setting(&self, key: &str, value: &str) -> Statement {
        let mut sql = Sql::new(self.dialect);
        sql.push("INSERT INTO ")
            .ident(SETTINGS)
            .push(" (key, value) VALUES (");
        sql.bind(Param::Text(key.into())).push(", ");
        sql.bind(Param::Text(value.into()));
        sql.push(") ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        statement(sql, Expect::Affected, Vec::new())
    }
}
