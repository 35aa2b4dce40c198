//! The DDL of the catalog's tables: their creation, their indexes, and the columns a
//! schema change adds.

use crate::catalog::{Column, ColumnType, Table, TableKind};

use super::{Dialect, PARENT, Param, TENANT, TYPE, quote};

/// The DDL that creates a table and its indexes, idempotently.
pub fn create_table(dialect: &dyn Dialect, table: &Table, parent: Option<&Table>) -> Vec<String> {
    let name = quote(&table.sql_name);
    let text = dialect.column_type(&ColumnType::Text);
    let mut lines: Vec<String> = [TENANT, PARENT, "id", TYPE]
        .iter()
        .map(|column| format!("{} {text} NOT NULL", quote(column)))
        .collect();
    lines.extend(table.columns.iter().map(|c| column_definition(dialect, c)));
    lines.push(format!("PRIMARY KEY ({}, {})", quote(TENANT), quote("id")));
    if table.kind != TableKind::Collection {
        lines.push(format!("UNIQUE ({}, {})", quote(TENANT), quote(PARENT)));
    }
    if let Some(parent) = parent {
        lines.push(format!(
            "FOREIGN KEY ({}, {}) REFERENCES {} ({}, {}) ON DELETE CASCADE",
            quote(TENANT),
            quote(PARENT),
            quote(&parent.sql_name),
            quote(TENANT),
            quote("id")
        ));
    }
    let mut statements = vec![format!(
        "CREATE TABLE IF NOT EXISTS {name} (\n  {}\n)",
        lines.join(",\n  ")
    )];
    // A table at the root has one parent, `''`, which its indexes and statements
    // (`Sql::scope`) leave out: its primary key (tenant, id) is its order by id, and a
    // column's index is (tenant, column, id), named `…__on_{column}`. A table below
    // another has (tenant, parent, id) and (tenant, parent, column, id), `…__by_{column}`.
    // Indexes laid out before that these replace are dropped ([`indexes_before`]).
    let root = table.at_root();
    let scope = match root {
        true => quote(TENANT),
        false => format!("{}, {}", quote(TENANT), quote(PARENT)),
    };
    for index in indexes_before(table) {
        statements.push(format!("DROP INDEX IF EXISTS {}", quote(&index)));
    }
    if !root {
        statements.push(format!(
            "CREATE INDEX IF NOT EXISTS {} ON {name} ({scope}, {})",
            quote(&by_parent(table)),
            quote("id")
        ));
    }
    // (…, column, id): serves a range filter on the column and keyset pages ordered by
    // (column, id) in either direction. Nulls sort first in the index, as in an ascending
    // OData order, so that read backwards it is the descending order (nulls last):
    // PostgreSQL's default (nulls last) read backwards puts them first, which no
    // `ORDER BY … DESC NULLS LAST` can use, and sorted the whole collection per page.
    // On a table holding several entity types, the type ends the index (after the id,
    // so the order is the same): a version that sees fewer of them names its own in every
    // statement (`Sql::types`), and checks them in the index, not in the rows; its
    // `$count` with a filter on the column is read from the index alone.
    let typed = match table.typed() {
        true => format!(", {}", quote(TYPE)),
        false => String::new(),
    };
    for column in table.indexed() {
        statements.push(format!(
            "CREATE INDEX IF NOT EXISTS {} ON {name} ({scope}, {}{}, {}{typed})",
            quote(&column_index(table, &column.name)),
            quote(&column.name),
            dialect.nulls_order(false),
            quote("id")
        ));
    }
    statements
}

/// The names of the indexes [`create_table`] makes on the table's columns.
pub fn column_indexes(table: &Table) -> impl Iterator<Item = String> + '_ {
    table
        .indexed()
        .map(|column| column_index(table, &column.name))
}

/// The indexes laid out before that [`create_table`] drops: on a table at the root, those
/// with the parent in them, the parent's and its columns' (named as below another table),
/// which every insert wrote (bench/HISTORY.md, step 51); on a table holding several
/// entity types, its column indexes without the type (step 53).
pub fn indexes_before(table: &Table) -> Vec<String> {
    let mut names = Vec::new();
    if table.at_root() {
        // PostgreSQL cuts a name to 63 bytes: a table's name of 63 cut its `by_parent` to
        // the table's own, so no such index was ever made, and dropping it would name the
        // table.
        names.extend((table.sql_name.len() < 63).then(|| by_parent(table)));
        names.extend(
            table
                .indexed()
                .map(|column| index_name(&table.sql_name, BELOW, &column.name)),
        );
    }
    if table.typed() {
        let untyped = if table.at_root() { ROOT } else { BELOW };
        names.extend(
            table
                .indexed()
                .map(|column| index_name(&table.sql_name, untyped, &column.name)),
        );
    }
    names
}

/// `{table}__by_parent`: (tenant, parent, id), on a table below another.
fn by_parent(table: &Table) -> String {
    format!("{}__by_parent", table.sql_name)
}

/// The infix of a column's index on a table below another, with the parent in it.
const BELOW: &str = "by";
/// The infix of a column's index on a table at the root, without the parent.
const ROOT: &str = "on";

fn column_index(table: &Table, column: &str) -> String {
    let infix = match (table.at_root(), table.typed()) {
        (true, false) => ROOT,
        (false, false) => BELOW,
        (true, true) => "typed_on",
        (false, true) => "typed_by",
    };
    index_name(&table.sql_name, infix, column)
}

/// `{table}__{infix}_{column}`, or past 63 bytes (PostgreSQL's limit) the table name's
/// first 40 bytes and a hash of the full name (table names are ASCII).
fn index_name(table: &str, infix: &str, column: &str) -> String {
    let full = format!("{table}__{infix}_{column}");
    if full.len() <= 63 {
        return full;
    }
    // FNV-1a, as the catalog names long tables: stable across builds and platforms.
    let hash = full.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{}__{hash:016x}", &table[..table.len().min(40)])
}

/// The `ALTER TABLE … ADD COLUMN` statements that give `table` the columns the catalog has
/// and the database, which has `existing`, lacks: the migration of a schema change, the
/// same for every backend.
pub fn add_missing_columns(
    dialect: &dyn Dialect,
    table: &Table,
    existing: &[String],
) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| !existing.iter().any(|e| **e == *c.name))
        .map(|column| {
            tracing::info!(table = %table.sql_name, column = %column.name, "adding column");
            format!(
                "ALTER TABLE {} ADD COLUMN {}",
                quote(&table.sql_name),
                column_definition(dialect, column)
            )
        })
        .collect()
}

/// `"name" TYPE [NOT NULL DEFAULT x]`: non-nullable properties with a neutral value get it
/// as the default, so a row written through one version is complete in the other.
pub fn column_definition(dialect: &dyn Dialect, column: &Column) -> String {
    let mut out = format!(
        "{} {}",
        quote(&column.name),
        dialect.column_type(&column.ty)
    );
    if let Some(default) = &column.default {
        let literal = dialect.literal(&Param::from_value(column, default));
        out.push_str(&format!(" NOT NULL DEFAULT {literal}"));
    }
    out
}
