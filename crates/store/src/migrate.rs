//! Schema migrations, one rule for every backend: the catalog's tables are created when
//! missing and a column a newer schema adds is added (`sql::add_missing_columns`); a data
//! set that disagrees with the schema in a way no migration settles (a column whose type
//! changed, a table the schema no longer has that holds rows) is refused with what
//! differs, before anything is changed. Old data is never silently left behind.

use crate::StoreError;
use crate::catalog::{Catalog, Table};
use crate::plan::SETTINGS;
use crate::sql::{Dialect, PARENT, Param, TENANT, add_missing_columns, quote};
use sqlx::AssertSqlSafe;

/// One table as the database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingTable {
    /// Its name.
    pub name: String,
    /// Its columns and their types, as the database reports them (`bigint`, `TEXT`, …).
    pub columns: Vec<(String, String)>,
}

impl ExistingTable {
    /// Groups `(table, column, type)` rows, in order, into tables.
    pub fn from_columns(rows: Vec<(String, String, String)>) -> Vec<ExistingTable> {
        let mut tables: Vec<ExistingTable> = Vec::new();
        for (table, column, ty) in rows {
            match tables.last_mut() {
                Some(last) if last.name == table => last.columns.push((column, ty)),
                _ => tables.push(ExistingTable {
                    name: table,
                    columns: vec![(column, ty)],
                }),
            }
        }
        tables
    }

    /// Whether localgraph laid it out (every entity table has a tenant and a parent).
    fn is_entity_table(&self) -> bool {
        let has = |name: &str| self.columns.iter().any(|(c, _)| c == name);
        has(TENANT) && has(PARENT)
    }
}

/// The entity tables of the database the catalog has no table for: the executor checks
/// whether they hold rows before calling [`migration`].
pub fn unknown_tables<'e>(catalog: &Catalog, existing: &'e [ExistingTable]) -> Vec<&'e str> {
    existing
        .iter()
        .filter(|t| t.name != SETTINGS && t.is_entity_table())
        .filter(|t| !catalog.tables().iter().any(|c| c.sql_name == t.name))
        .map(|t| t.name.as_str())
        .collect()
}

/// Lays out `catalog` on a connection in a transaction: reads the tables with
/// `introspect` (rows of table, column, type), refuses a drifted data set, then runs the
/// schema `statements` and the `ALTER TABLE`s a newer schema needs.
pub async fn migrate<DB>(
    connection: &mut DB::Connection,
    dialect: &dyn Dialect,
    introspect: &'static str,
    statements: &[String],
    catalog: &Catalog,
) -> Result<(), StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    (String, String, String): for<'r> sqlx::FromRow<'r, DB::Row>,
    (String,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let backend = |e: sqlx::Error| StoreError::Backend(e.into());
    let rows: Vec<(String, String, String)> = sqlx::query_as(introspect)
        .fetch_all(&mut *connection)
        .await
        .map_err(backend)?;
    let existing = ExistingTable::from_columns(rows);
    let unknown = unknown_tables(catalog, &existing);
    let with_rows: Vec<(String,)> = if unknown.is_empty() {
        Vec::new()
    } else {
        // One query: each unknown table's name if it holds a row.
        let probe: Vec<String> = unknown
            .iter()
            .map(|name| {
                format!(
                    "SELECT CAST({} AS TEXT) WHERE EXISTS (SELECT 1 FROM {})",
                    dialect.literal(&Param::Text((*name).to_string())),
                    quote(name)
                )
            })
            .collect();
        sqlx::query_as(AssertSqlSafe(probe.join(" UNION ALL ")))
            .fetch_all(&mut *connection)
            .await
            .map_err(backend)?
    };
    let with_rows: Vec<&str> = with_rows.iter().map(|(name,)| name.as_str()).collect();
    let alters = migration(dialect, catalog, &existing, &with_rows)?;
    for statement in statements.iter().chain(&alters) {
        sqlx::query(AssertSqlSafe(statement.as_str()))
            .execute(&mut *connection)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

/// The `ALTER TABLE` statements that bring `existing` to the catalog, or
/// [`StoreError::SchemaDrift`] naming every difference no statement settles.
/// `unknown_with_rows` are the [`unknown_tables`] that hold rows.
pub fn migration(
    dialect: &dyn Dialect,
    catalog: &Catalog,
    existing: &[ExistingTable],
    unknown_with_rows: &[&str],
) -> Result<Vec<String>, StoreError> {
    let mut problems: Vec<String> = unknown_with_rows
        .iter()
        .map(|name| {
            format!(
                "table {name:?} holds rows, but the schema serves no collection or navigation stored there (renamed or removed)"
            )
        })
        .collect();
    for name in unknown_tables(catalog, existing) {
        if !unknown_with_rows.contains(&name) {
            tracing::warn!(
                table = name,
                "an empty table the schema no longer uses is left as it is"
            );
        }
    }
    let mut alters = Vec::new();
    for table in catalog.tables() {
        let Some(found) = existing.iter().find(|t| t.name == table.sql_name) else {
            continue;
        };
        problems.extend(changed_types(dialect, table, found));
        for (column, _) in &found.columns {
            let internal = column.starts_with('_') || column == "id";
            if !internal && table.column(column).is_none() {
                tracing::warn!(
                    table = %table.sql_name,
                    column = %column,
                    "a column the schema no longer has is kept, unused"
                );
            }
        }
        let names: Vec<String> = found.columns.iter().map(|(c, _)| c.clone()).collect();
        alters.extend(add_missing_columns(dialect, table, &names));
    }
    if problems.is_empty() {
        return Ok(alters);
    }
    Err(StoreError::SchemaDrift(format!(
        "{}. Nothing was changed. Export the data set with the localgraph version that wrote it and import it into a new database, or remove what is no longer wanted",
        problems.join("; ")
    )))
}

/// The catalog's columns whose type in the database is not the one the schema gives.
fn changed_types(dialect: &dyn Dialect, table: &Table, found: &ExistingTable) -> Vec<String> {
    table
        .columns
        .iter()
        .filter_map(|column| {
            let (_, actual) = found.columns.iter().find(|(c, _)| **c == *column.name)?;
            let expected = dialect.column_type(&column.ty);
            (normalized(actual) != normalized(expected)).then(|| {
                format!(
                    "column {:?} of table {:?} ({}) is {} in the database, but the schema makes it {}",
                    column.name,
                    table.sql_name,
                    table.path,
                    normalized(actual),
                    normalized(expected)
                )
            })
        })
        .collect()
}

/// A column type as both sides can compare it: lower case, without a collation.
fn normalized(ty: &str) -> String {
    let lower = ty.to_ascii_lowercase();
    lower
        .split(" collate")
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_compare_without_case_or_collation() {
        assert_eq!(normalized("TEXT COLLATE \"C\""), "text");
        assert_eq!(normalized("double precision"), "double precision");
        assert_eq!(normalized("INTEGER"), "integer");
    }

    #[test]
    fn columns_group_into_tables() {
        let rows = vec![
            ("a".into(), "_tenant".into(), "TEXT".into()),
            ("a".into(), "_parent".into(), "TEXT".into()),
            ("b".into(), "x".into(), "INTEGER".into()),
        ];
        let tables = ExistingTable::from_columns(rows);
        assert_eq!(tables.len(), 2);
        assert!(tables[0].is_entity_table() && !tables[1].is_entity_table());
    }
}
