//! Reading one entity by key, with its parents' checks and its expansions.

use super::{Executor, SqlStore};
use crate::catalog::Address;
use crate::columns::Columns;
use crate::list::ExpandQuery;
use crate::plan::Plan;
use crate::reads::Parents;
use crate::rows::{attach, found};
use crate::{Record, StoreError};

impl<E: Executor> SqlStore<E> {
    /// The entity `at` addresses, with `expand`ed navigations, in at most `max_bytes` of
    /// rows.
    pub(super) async fn entity(
        &self,
        tenant: &str,
        at: &Address,
        columns: &Columns,
        expand: &[ExpandQuery],
        max_bytes: Option<usize>,
    ) -> Result<Record, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.locate(tenant, at);
        let key = target.key.clone().unwrap_or_default();
        let selection = target.table.selection(columns, &[]);
        let mut expanding = Vec::new();
        let mut expansions = Vec::new();
        for e in expand {
            if let Some((statement, child)) =
                planner.expand(tenant, &target, &Parents::Key(key.clone()), e)
            {
                expanding.push(statement);
                expansions.push((e, child));
            }
        }
        // The parents' checks go into the entity's statement, unless something is
        // expanded: the expansions would then be read under a missing parent. Checks of
        // their own add no result: the entity's rows still come first.
        let (mut statements, within) = planner.split_checks(tenant, &checks, expansions.is_empty());
        statements.push(planner.select_one_checked(tenant, within, &target, &selection));
        statements.extend(expanding);
        let plan = Plan {
            write: false,
            // The parents' keys and the entity's: by key, unless a collection is expanded.
            by_key: expansions.is_empty(),
            statements,
            max_bytes,
            row: None,
        };
        let mut results = self.execute(plan).await?.into_iter();
        let rows = results.next().unwrap_or_default();
        let mut entity = found(target.table, &selection, key, rows, !within.is_empty())?;
        for ((e, expansion), rows) in expansions.into_iter().zip(results) {
            attach(
                std::slice::from_mut(&mut entity),
                &e.navigation,
                &expansion,
                rows,
                tenant,
                false,
            );
        }
        Ok(entity)
    }
}
