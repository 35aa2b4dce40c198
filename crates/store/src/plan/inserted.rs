//! The row an insert leaves on SQLite, known from what it binds (no read back).
//!
//! A create answers with the entity as stored. On SQLite that was the row read back by
//! key after the insert, in the same transaction (a search of the primary key's index and
//! of the table, and every cell decoded; about 6% of a create's instructions, bench/
//! HISTORY.md step 48). The row is what the insert bound, each column left out at its
//! default, as SQLite stores a bound value in a column of that type. Where SQLite could
//! store something else than was bound (a value of another kind than its column's, which
//! its type affinity converts; a NaN, which it stores as NULL; a negative zero, which it
//! stores as the integer 0), the row is not assumed and is read back as before.

use odata::Value;

use crate::catalog::{Column, ColumnType, Table};
use crate::sql::Param;

/// The row (in `table.all`'s order: type, id, then every column) that an insert leaves
/// which bound `bound` for the columns of `values` (in order), or `None` where a read
/// must tell.
pub(super) fn row(
    table: &Table,
    type_name: &str,
    key: &str,
    values: &[(&Column, Value)],
    bound: &[Param],
) -> Option<Vec<Param>> {
    let mut cells: Vec<Option<&Param>> = vec![None; table.columns.len()];
    for ((column, _), param) in values.iter().zip(bound) {
        cells[table.position_of(column)?] = Some(param);
    }
    let mut row = Vec::with_capacity(2 + table.all.positions.len());
    row.push(Param::Text(type_name.into()));
    row.push(Param::Text(key.into()));
    for &at in &table.all.positions {
        let column = &table.columns[at];
        let cell = match (cells[at], &column.default) {
            (Some(param), _) => stored(&column.ty, param)?,
            (None, Some(default)) => stored(&column.ty, &Param::from_value(column, default))?,
            (None, None) => Param::Null(column.ty.clone()),
        };
        row.push(cell);
    }
    Some(row)
}

/// What a read of a column of type `ty` returns for `param` bound into it (as
/// `sqlite::connection` decodes cells), when SQLite stores it as it is.
fn stored(ty: &ColumnType, param: &Param) -> Option<Param> {
    let integer = matches!(
        ty,
        ColumnType::Integer | ColumnType::Boolean | ColumnType::Ticks | ColumnType::Enum(_)
    );
    Some(match param {
        Param::Null(_) => Param::Null(ty.clone()),
        Param::Int(v) if integer => Param::Int(*v),
        Param::Bool(b) if integer => Param::Int(i64::from(*b)),
        Param::Real(v) if *ty == ColumnType::Real && v.is_finite() && !negative_zero(*v) => {
            Param::Real(*v)
        }
        Param::Text(text) if matches!(ty, ColumnType::Text | ColumnType::Json) => {
            Param::Text(text.clone())
        }
        _ => return None,
    })
}

/// `-0.0`, which SQLite stores as the integer 0 (reading back `0.0`).
fn negative_zero(v: f64) -> bool {
    v == 0.0 && v.is_sign_negative()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule for each kind of column, the `Real` one among them (which the served
    /// catalog does not have: `tests/created_rows.rs` covers the others on a real file).
    #[test]
    fn a_bound_value_is_assumed_stored_only_where_sqlite_keeps_it_as_bound() {
        let real = ColumnType::Real;
        assert_eq!(stored(&real, &Param::Real(2.5)), Some(Param::Real(2.5)));
        assert_eq!(stored(&real, &Param::Real(0.0)), Some(Param::Real(0.0)));
        for kept_otherwise in [-0.0, f64::NAN, f64::INFINITY] {
            assert_eq!(stored(&real, &Param::Real(kept_otherwise)), None);
        }
        // Affinity: an integer in a `REAL` column is stored as a real.
        assert_eq!(stored(&real, &Param::Int(3)), None);
        let integer = ColumnType::Integer;
        assert_eq!(stored(&integer, &Param::Int(-7)), Some(Param::Int(-7)));
        assert_eq!(
            stored(&ColumnType::Boolean, &Param::Bool(true)),
            Some(Param::Int(1))
        );
        assert_eq!(stored(&integer, &Param::Real(1.0)), None);
        assert_eq!(stored(&integer, &Param::Text("12".into())), None);
        let text = ColumnType::Text;
        assert_eq!(
            stored(&text, &Param::Text("a".into())),
            Some(Param::Text("a".into()))
        );
        assert_eq!(stored(&text, &Param::Int(12)), None);
        assert_eq!(
            stored(&text, &Param::Null(text.clone())),
            Some(Param::Null(text.clone()))
        );
    }
}
