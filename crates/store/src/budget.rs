//! The byte budget of a read: what its rows weigh, so a backend stops reading past it.

use crate::StoreError;
use crate::sql::Param;

/// What the rows a plan returns weigh against its budget: the bytes of its text, and 8
/// for any other value. It follows the size of the JSON an answer renders them into: a
/// row of NULLs only (what a read by key answers for an entity that is not there, see
/// [`crate::plan::Planner::select_one_checked`]) renders nothing and weighs nothing.
#[derive(Debug, Clone, Copy)]
pub struct RowBudget {
    limit: Option<usize>,
    used: usize,
}

impl RowBudget {
    /// A budget of `limit` bytes (`None`: no limit).
    pub fn new(limit: Option<usize>) -> RowBudget {
        RowBudget { limit, used: 0 }
    }

    /// Counts `row`, the `fitted`-th row of statement `statement`; fails past the limit.
    pub fn take(
        &mut self,
        row: &[Param],
        statement: usize,
        fitted: usize,
    ) -> Result<(), StoreError> {
        self.used += row_bytes(row);
        match self.limit {
            Some(limit) if self.used > limit => Err(StoreError::TooLarge {
                limit,
                statement,
                fitted,
            }),
            _ => Ok(()),
        }
    }
}

fn row_bytes(row: &[Param]) -> usize {
    // Every entity's row starts with its `_type`, which is never NULL: this stops there.
    if row.iter().all(|param| matches!(param, Param::Null(_))) {
        return 0;
    }
    row.iter()
        .map(|param| match param {
            Param::Text(text) => text.len(),
            _ => 8,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ColumnType;

    #[test]
    fn text_weighs_its_bytes_and_the_rest_eight() {
        let row = [
            Param::Text("héllo".into()),
            Param::Int(1),
            Param::Bool(true),
        ];
        let mut budget = RowBudget::new(Some(22));
        assert!(budget.take(&row, 0, 0).is_ok(), "6 + 8 + 8 = 22 bytes fit");
        assert!(matches!(
            budget.take(&row, 3, 1),
            Err(StoreError::TooLarge {
                limit: 22,
                statement: 3,
                fitted: 1
            })
        ));
        let missing = [
            Param::Null(ColumnType::Text),
            Param::Null(ColumnType::Integer),
        ];
        assert!(
            budget.take(&missing, 0, 0).is_err(),
            "the limit was passed already"
        );
        let mut small = RowBudget::new(Some(1));
        assert!(
            small.take(&missing, 0, 0).is_ok(),
            "an entity not there weighs nothing"
        );
        let mut unlimited = RowBudget::new(None);
        assert!(unlimited.take(&row, 0, 0).is_ok());
    }
}
