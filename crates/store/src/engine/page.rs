//! Reading a page within its byte budget: a page whose rows (with its expansions) would
//! hold more than `ListQuery::max_bytes` is read again, shorter, and ends early with a
//! cursor, as a server-driven page may.

use std::borrow::Cow;

use super::{Executor, SqlStore, integer};
use crate::catalog::Address;
use crate::list::{Cursor, ListQuery};
use crate::reads::Parents;
use crate::rows::{attach, record};
use crate::sql::Param;
use crate::{Page, Record, StoreError};

impl<E: Executor> SqlStore<E> {
    /// A page of `query`, as long as fits its byte budget (at least one entity, else
    /// `TooLarge`). The budget weighs what the answer holds, as a read by key's does: the
    /// page's entities and their expansions, not the row read past its end to know
    /// whether another page follows ([`crate::plan::Expect::LookAhead`]), so an entity
    /// that a read by key answers also fits a page of one.
    pub(super) async fn page_within_budget(
        &self,
        tenant: &str,
        at: &Address,
        query: &ListQuery,
    ) -> Result<Page, StoreError> {
        let mut attempt = Cow::Borrowed(query);
        loop {
            match self.page(tenant, at, &attempt).await {
                // A page over the budget is read again, shorter: it ends early, with a
                // cursor, as a server-driven page may.
                Err(StoreError::TooLarge {
                    statement, fitted, ..
                }) if attempt.size > 1 && (statement > 0 || fitted > 0) => {
                    let shorter = if statement == 0 {
                        // The page itself went over: its first `fitted` rows fit.
                        fitted
                    } else {
                        attempt.size / 2
                    };
                    attempt.to_mut().size = shorter.clamp(1, attempt.size - 1);
                }
                other => return other,
            }
        }
    }

    /// One page of `query`, in at most `query.max_bytes` of rows (a `TooLarge` names its
    /// statement from the page's own, 0, on).
    ///
    /// Read first with the checks of the target's parents in the page's own statements
    /// (on PostgreSQL, a page alone runs in autocommit): a page with rows shows the
    /// parents exist, in the same snapshot, and its count answers no row (`NotFound`)
    /// when one is missing. An empty page without a count does not say whether a parent
    /// is missing (404) or nothing matched (an empty page): one statement tells, and that
    /// the page is still empty (the answer is then that snapshot's); a page that has rows
    /// by then is read again with the checks as statements of their own.
    async fn page(
        &self,
        tenant: &str,
        at: &Address,
        query: &ListQuery,
    ) -> Result<Page, StoreError> {
        let read = self.page_checked(tenant, at, query, true).await?;
        if !read.page.records.is_empty() || !read.checked_within || query.count {
            return Ok(read.page);
        }
        if self.still_empty(tenant, at, query).await? {
            return Ok(read.page);
        }
        Ok(self.page_checked(tenant, at, query, false).await?.page)
    }

    /// Whether the page of `query` has no rows, its parents there (`NotFound` when one is
    /// not), in one statement.
    async fn still_empty(
        &self,
        tenant: &str,
        at: &Address,
        query: &ListQuery,
    ) -> Result<bool, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.locate(tenant, at);
        let probe = planner.page_probe(tenant, &target, query, &checks);
        let rows = self.run_one(false, Vec::new(), probe).await?;
        match rows.first().map(|row| row.first()) {
            None => Err(StoreError::NotFound),
            Some(Some(Param::Null(_))) => Ok(true),
            Some(_) => Ok(false),
        }
    }

    /// One page of `query`, the parents' checks in its statements (`checks_within`: the
    /// page's, its count's and its expansions') or before them.
    async fn page_checked(
        &self,
        tenant: &str,
        at: &Address,
        query: &ListQuery,
        checks_within: bool,
    ) -> Result<Checked, StoreError> {
        let planner = self.planner();
        let (checks, target) = planner.locate(tenant, at);
        let (apart, within) = planner.split_checks(tenant, &checks, checks_within);
        let first = apart.len();
        let selection = target.table.selection(&query.columns, &query.needed());
        let mut statements = vec![planner.page(tenant, &target, query, &selection, within)];
        if query.count {
            // With the checks inside: no row when a parent is missing (`NotFound`).
            statements.push(planner.count_checked(tenant, within, &target, query));
        }
        let mut expansions = Vec::new();
        for expand in &query.expand {
            if let Some((statement, child)) =
                planner.expand(tenant, &target, &Parents::Page(query, within), expand)
            {
                statements.push(statement);
                expansions.push((expand, child));
            }
        }
        let results = self
            .run_within(false, apart, statements, query.max_bytes)
            .await
            .map_err(|e| match e {
                StoreError::TooLarge {
                    limit,
                    statement,
                    fitted,
                } => StoreError::TooLarge {
                    limit,
                    statement: statement.saturating_sub(first),
                    fitted,
                },
                other => other,
            })?;
        let mut results = results.into_iter();
        let mut rows = results.next().unwrap_or_default();
        let more = rows.len() > query.size;
        rows.truncate(query.size);
        let mut records: Vec<Record> = rows
            .into_iter()
            .map(|r| record(target.table, &selection, r))
            .collect();
        let count = if query.count {
            Some(integer(results.next().unwrap_or_default())?)
        } else {
            None
        };
        for ((expand, expansion), rows) in expansions.into_iter().zip(results) {
            attach(
                &mut records,
                &expand.navigation,
                &expansion,
                rows,
                tenant,
                false,
            );
        }
        let next = match (more, records.last()) {
            (true, Some(last)) => Some(Cursor::after(target.table, &query.orderby, last)),
            _ => None,
        };
        Ok(Checked {
            page: Page {
                records,
                next,
                count,
            },
            checked_within: !within.is_empty(),
        })
    }
}

/// A page, and whether its own statement checked the parents (so that an empty page
/// does not say whether they exist).
struct Checked {
    page: Page,
    checked_within: bool,
}
