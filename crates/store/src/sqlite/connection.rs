//! One rusqlite connection: opened with the data set's settings, running a plan's
//! statements through its prepared-statement cache, and SQLite's errors as the store's.

use std::path::Path;

use rusqlite::config::DbConfig;
use rusqlite::types::{Null, ValueRef};
use rusqlite::{Connection, OpenFlags, ffi};

use super::BUSY_TIMEOUT;
use crate::StoreError;
use crate::budget::RowBudget;
use crate::catalog::ColumnType;
use crate::plan::{Expect, Rows, Statement};
use crate::sql::Param;

/// Prepared statements a connection keeps: every statement text the planner writes for
/// the schema's hot paths fits (texts differ by table, expansion and filter shape).
const STATEMENT_CACHE: usize = 512;

/// How much of the database file a reading connection maps into memory: SQLite's own
/// ceiling (`SQLITE_MAX_MMAP_SIZE`, just under 2 GiB; past it pages are read as before).
const MAPPED_BYTES: i64 = 0x7fff_0000;

/// Opens the file at `path` for reads: as [`open`], with the file mapped into memory, so
/// a page SQLite's own cache lacks is read where the OS keeps it rather than copied by a
/// `pread` call (bench/HISTORY.md, step 40: pages over a fleet of 100k devices about
/// 1.1x the requests a second). The writer does without: its pages are copied before they
/// are changed anyway, and mapped it ran W2 with about 3% more instructions.
///
/// A failure to read the mapped file (a disk's I/O error) then stops the process with
/// `SIGBUS` instead of failing the read. The file never shrinks beneath the mapping: its
/// page count never falls (no `VACUUM`, `auto_vacuum` off), so a checkpoint's truncate to
/// that count cuts nothing.
pub fn open_for_reads(path: &Path) -> Result<Connection, StoreError> {
    let connection = open(path)?;
    connection
        .pragma_update(None, "mmap_size", MAPPED_BYTES)
        .map_err(classify)?;
    Ok(connection)
}

/// Opens (creating if needed) the file at `path` in WAL mode.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let connection = Connection::open_with_flags(path, flags).map_err(backend)?;
    connection.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
    connection
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        .map_err(classify)?;
    // With WAL, NORMAL makes each commit durable against a crash of the process
    // (kill -9); only a power loss can take the last commits.
    connection
        .pragma_update(None, "synchronous", "NORMAL")
        .map_err(classify)?;
    connection
        .pragma_update(None, "foreign_keys", "ON")
        .map_err(classify)?;
    // Plans that do not depend on the bound values: without this, SQLite marks a
    // statement whose plan could use a parameter's value (`LIMIT ?`, a comparison it
    // might match to an index) to be prepared again at every execution with new values,
    // which undid the statement cache for every page.
    connection
        .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(backend)?;
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(connection)
}

/// Runs `sql` (a statement without parameters or rows: `BEGIN`, `COMMIT`, `SAVEPOINT`…)
/// through the cache.
pub fn control(connection: &Connection, sql: &str) -> Result<(), StoreError> {
    let mut statement = connection.prepare_cached(sql).map_err(classify)?;
    statement.raw_execute().map_err(classify).map(drop)
}

/// Runs `statements` in order on `connection` (inside the caller's transaction); returns
/// the rows of each `Rows` and `Affected` statement. The rows of `Rows` statements count
/// against `budget`.
pub fn run(
    connection: &Connection,
    statements: &[Statement],
    budget: &mut RowBudget,
) -> Result<Vec<Rows>, StoreError> {
    let mut results = Vec::new();
    for (index, statement) in statements.iter().enumerate() {
        let mut prepared = connection
            .prepare_cached(&statement.text)
            .map_err(classify)?;
        for (i, param) in statement.params.iter().enumerate() {
            let at = i + 1;
            match param {
                Param::Null(_) => prepared.raw_bind_parameter(at, Null),
                Param::Int(v) => prepared.raw_bind_parameter(at, v),
                Param::Bool(v) => prepared.raw_bind_parameter(at, v),
                Param::Real(v) => prepared.raw_bind_parameter(at, v),
                Param::Text(v) => prepared.raw_bind_parameter(at, v.as_str()),
            }
            .map_err(backend)?;
        }
        match statement.expect {
            Expect::Exists | Expect::Referenced => {
                if prepared.raw_query().next().map_err(classify)?.is_none() {
                    return Err(statement.expect.missing());
                }
            }
            Expect::Rows | Expect::LookAhead(_) => {
                // Row by row, so a read over its budget stops reading.
                let mut rows = prepared.raw_query();
                let mut decoded = Vec::new();
                while let Some(row) = rows.next().map_err(classify)? {
                    if !statement.expect.decodes(decoded.len()) {
                        decoded.push(Vec::new());
                        continue;
                    }
                    let row = decode(row, &statement.decode)?;
                    budget.take(&row, index, decoded.len())?;
                    decoded.push(row);
                }
                results.push(decoded);
            }
            Expect::Affected => {
                let affected = prepared.raw_execute().map_err(classify)?;
                results.push(vec![vec![Param::Int(affected as i64)]]);
            }
            Expect::Done => {
                prepared.raw_execute().map_err(classify)?;
            }
        }
    }
    Ok(results)
}

/// A row's cells as the planner's types say.
fn decode(row: &rusqlite::Row<'_>, types: &[ColumnType]) -> Result<Vec<Param>, StoreError> {
    // Sized up front: collecting `Result`s has no size hint, and grew the vector of each
    // row four or five times (2% of the instructions of a page of devices).
    let mut cells = Vec::with_capacity(types.len());
    for (i, ty) in types.iter().enumerate() {
        cells.push(cell(row, i, ty)?);
    }
    Ok(cells)
}

/// Cell `i` of a row, of type `ty`.
fn cell(row: &rusqlite::Row<'_>, i: usize, ty: &ColumnType) -> Result<Param, StoreError> {
    let cell = row.get_ref(i).map_err(backend)?;
    Ok(match (ty, cell) {
        (_, ValueRef::Null) => Param::Null(ty.clone()),
        (ColumnType::Real, ValueRef::Real(v)) => Param::Real(v),
        (ColumnType::Real, ValueRef::Integer(v)) => Param::Real(v as f64),
        (ColumnType::Text | ColumnType::Json, ValueRef::Text(text)) => Param::Text(
            std::str::from_utf8(text)
                .map_err(|e| StoreError::Backend(e.into()))?
                .to_string(),
        ),
        (
            ColumnType::Integer | ColumnType::Boolean | ColumnType::Ticks | ColumnType::Enum(_),
            ValueRef::Integer(v),
        ) => Param::Int(v),
        (ty, cell) => {
            return Err(StoreError::Backend(
                format!(
                    "column {i} holds a {:?} where a {ty:?} belongs",
                    cell.data_type()
                )
                .into(),
            ));
        }
    })
}

/// Constraint violations mean something to the caller; a lock held past the busy timeout
/// (another process on the file) is a transient unavailability; the rest is a backend
/// failure.
pub fn classify(error: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, _) = &error {
        match failure.extended_code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                return StoreError::Conflict;
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return StoreError::NotFound,
            _ => {}
        }
        // SQLITE_BUSY and SQLITE_LOCKED, with their extended codes.
        if matches!(
            failure.extended_code & 0xff,
            ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED
        ) {
            return StoreError::Unavailable(error.into());
        }
    }
    backend(error)
}

/// A failure of the database itself.
pub fn backend(error: rusqlite::Error) -> StoreError {
    StoreError::Backend(error.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pragma clamps to the build's ceiling without an error: a build of SQLite
    /// without memory mapping would make reading connections copy every page again.
    #[test]
    fn reading_connections_map_the_file_and_the_writer_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mapped.sqlite");
        let mapped = |c: &Connection| -> i64 {
            c.query_row("PRAGMA mmap_size", [], |row| row.get(0))
                .unwrap()
        };
        assert_eq!(mapped(&open_for_reads(&path).unwrap()), MAPPED_BYTES);
        assert_eq!(mapped(&open(&path).unwrap()), 0);
    }
}
