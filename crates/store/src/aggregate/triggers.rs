//! Which summaries a write changes: those of the states it wrote, the next ones up, and a
//! created or changed holder's own.

use super::{Holders, Summary};
use crate::catalog::{TableId, TableKind};
use crate::plan::{Planner, Statement};

/// One entity along a written path: its table, its parent's key and its key.
pub struct Level {
    /// The table.
    pub table: TableId,
    /// The parent entity's key ("" under a singleton).
    pub parent: String,
    /// The entity's key.
    pub key: String,
}

/// What a write did to the entity at the end of its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// It created the entity.
    Create,
    /// It changed the entity.
    Update,
    /// It deleted the entity.
    Delete,
    /// It reset a single-valued summary to its computed state.
    Reset,
}

/// A recompute a write causes: the summary, its holder's key and parent key, and whether
/// only the columns copied from the holder change.
pub struct Recompute<'c> {
    /// The summary.
    pub summary: &'c Summary,
    /// The holder's key.
    pub key: String,
    /// The holder's parent key.
    pub parent: String,
    /// Only the `Holder` columns.
    pub holder_only: bool,
}

/// The recomputes a `write` at the end of `path` causes, inner ones first: the summaries
/// of the states it changed (and, when such a summary is itself summarized, the next one
/// up), and a created or changed holder's own single-valued summaries.
pub fn after<'c>(summaries: &'c [Summary], path: &[Level], write: Write) -> Vec<Recompute<'c>> {
    let mut out = Vec::new();
    let Some(last) = path.last() else {
        return out;
    };
    if write == Write::Reset {
        for summary in summaries.iter().filter(|s| s.target == last.table) {
            if let [.., holder, _] = path {
                out.push(recompute(summary, holder, false));
            }
        }
        return out;
    }
    if write != Write::Delete {
        for summary in summaries
            .iter()
            .filter(|s| s.holder == last.table && s.target != last.table)
        {
            let holder_only = write == Write::Update;
            if !holder_only || summary.columns.iter().any(|(_, s)| s.table().is_none()) {
                out.push(recompute(summary, last, holder_only));
            }
        }
    }
    // The states changed at `level`: recompute what summarizes them, then go up when the
    // summary is a collection whose rows are themselves summarized.
    let mut level = path.len() - 1;
    while level > 0 {
        let changed = path[level].table;
        let holder = &path[level - 1];
        let mut next = None;
        for summary in summaries
            .iter()
            .filter(|s| s.columns.iter().any(|(_, c)| c.table() == Some(changed)))
        {
            out.push(recompute(summary, holder, false));
            if summary.target == holder.table {
                next = Some(level - 1);
            }
        }
        match next {
            Some(up) => level = up,
            None => break,
        }
    }
    out
}

fn recompute<'c>(summary: &'c Summary, holder: &Level, holder_only: bool) -> Recompute<'c> {
    Recompute {
        summary,
        key: holder.key.clone(),
        parent: holder.parent.clone(),
        holder_only,
    }
}

impl Planner<'_> {
    /// The statements that keep the summaries equal to their states after `write` at the
    /// end of `at` (whose key is `key` when the address has none: a new entity).
    pub fn recomputes(
        &self,
        tenant: &str,
        at: &crate::catalog::Address,
        key: Option<&str>,
        write: Write,
    ) -> Vec<Statement> {
        let mut path: Vec<Level> = Vec::with_capacity(at.steps.len());
        for step in &at.steps {
            let table = self.catalog.table(step.table);
            let parent = path.last().map(|l| l.key.clone()).unwrap_or_default();
            let key = match (&step.key, table.kind) {
                (Some(key), _) => key.clone(),
                (None, TableKind::Collection) => key.unwrap_or_default().to_string(),
                (None, _) => table.derived_id(tenant, &parent),
            };
            path.push(Level {
                table: step.table,
                parent,
                key,
            });
        }
        after(self.catalog.summaries(), &path, write)
            .into_iter()
            .map(|r| {
                let holders = Holders::One {
                    key: &r.key,
                    parent: &r.parent,
                };
                self.recompute(tenant, r.summary, holders, r.holder_only)
            })
            .collect()
    }
}
