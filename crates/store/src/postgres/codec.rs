//! Values to and from PostgreSQL: parameters bound with their types, rows decoded by the
//! plan's column types.

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Postgres as Db, Row};

use crate::StoreError;
use crate::catalog::ColumnType;
use crate::sql::Param;

pub(super) type Query<'q> = sqlx::query::Query<'q, Db, PgArguments>;

/// Binds each parameter with its PostgreSQL type; NULLs are typed by their column.
pub(super) fn bind<'q>(mut query: Query<'q>, params: &[Param]) -> Query<'q> {
    for param in params {
        query = match param {
            Param::Null(ColumnType::Boolean) => query.bind(None::<bool>),
            Param::Null(ColumnType::Real) => query.bind(None::<f64>),
            Param::Null(ColumnType::Text | ColumnType::Json) => query.bind(None::<String>),
            Param::Null(_) => query.bind(None::<i64>),
            Param::Int(i) => query.bind(*i),
            Param::Bool(b) => query.bind(*b),
            Param::Real(f) => query.bind(*f),
            Param::Text(t) => query.bind(t.as_str()),
        };
    }
    query
}

pub(super) fn decode(row: &PgRow, types: &[ColumnType]) -> Result<Vec<Param>, StoreError> {
    // Sized up front, as collecting `Result`s would grow it cell by cell.
    let mut cells = Vec::with_capacity(types.len());
    for (i, ty) in types.iter().enumerate() {
        let cell = match ty {
            ColumnType::Boolean => row
                .try_get::<Option<bool>, _>(i)
                .map(|v| v.map(Param::Bool)),
            ColumnType::Real => row.try_get::<Option<f64>, _>(i).map(|v| v.map(Param::Real)),
            ColumnType::Text | ColumnType::Json => row
                .try_get::<Option<String>, _>(i)
                .map(|v| v.map(Param::Text)),
            // BIGINT columns and COUNT(*); a bare literal such as `SELECT 1` is INTEGER.
            _ => row
                .try_get::<Option<i64>, _>(i)
                .or_else(|_| row.try_get::<Option<i32>, _>(i).map(|v| v.map(i64::from)))
                .map(|v| v.map(Param::Int)),
        };
        let cell = cell
            .map(|v| v.unwrap_or_else(|| Param::Null(ty.clone())))
            .map_err(|e| StoreError::Backend(e.into()))?;
        cells.push(cell);
    }
    Ok(cells)
}
