//! Summaries kept equal to the states they summarize ([`intune::reports`]): resolved
//! against the catalog once ([`resolve`]), then recomputed by SQL ([`recompute`]) in the
//! transaction of every write of a state they summarize ([`triggers`]), or in bulk after a
//! load that bypassed them.

mod recompute;
mod triggers;

pub use recompute::Holders;
pub use triggers::Write;

use intune::reports::{Aggregate, SUMMARIES};
use odata::Value;
use odata::query::{Expr, check_filter, parse_filter};

use crate::catalog::{Catalog, Column, TableId, TableKind};

/// A summary resolved against the catalog.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The summary's table.
    pub target: TableId,
    /// The table of the entities holding the summarized states: the target's parent for a
    /// single-valued summary, the target itself for a collection.
    pub holder: TableId,
    /// The computed columns and how each is found.
    pub columns: Vec<(String, Source)>,
}

/// Where a computed column's value comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// How many rows of a child table of the holder match the filter.
    Count(TableId, Option<Expr>),
    /// The sum of an integer column of a child table.
    Sum(TableId, String),
    /// The largest value of a column of a child table, else `default`.
    Latest(TableId, String, Value),
    /// A column of the holder itself.
    Holder(String),
}

impl Source {
    /// The child table the value is computed from, if any.
    pub fn table(&self) -> Option<TableId> {
        match self {
            Source::Count(t, _) | Source::Sum(t, _) | Source::Latest(t, ..) => Some(*t),
            Source::Holder(_) => None,
        }
    }
}

/// Why a summary of the reports table does not fit the schema.
#[derive(Debug, thiserror::Error)]
#[error("the summary {place} does not fit the schema: {reason}")]
pub struct SummaryError {
    place: String,
    reason: String,
}

/// Resolves the reports table against `catalog`, with the models that type its filters.
/// A summary whose place the schema does not serve is left out.
pub fn resolve(catalog: &Catalog, models: &[&odata::Model]) -> Result<Vec<Summary>, SummaryError> {
    let mut out = Vec::new();
    for summary in SUMMARIES {
        let Some(target) = catalog.tables().iter().find(|t| t.path == summary.place) else {
            continue;
        };
        let error = |reason: String| SummaryError {
            place: summary.place.to_string(),
            reason,
        };
        let holder = match (target.kind, target.parent) {
            (TableKind::Collection, _) => target.id,
            (_, Some(parent)) => parent,
            (_, None) => return Err(error("a summary under a singleton holds no states".into())),
        };
        let mut columns = Vec::new();
        for (name, aggregate) in summary.properties {
            let column = target
                .column(name)
                .ok_or_else(|| error(format!("no property {name}")))?;
            let child = |of: &str| {
                catalog
                    .child(holder, of)
                    .ok_or_else(|| error(format!("{name}: no collection {of}")))
            };
            let column_of = |table: TableId, property: &str| -> Result<&Column, SummaryError> {
                catalog
                    .table(table)
                    .column(property)
                    .ok_or_else(|| error(format!("{name}: no property {property}")))
            };
            let source = match *aggregate {
                Aggregate::Count { of, filter } => {
                    let states = child(of)?;
                    let expr = if filter.is_empty() {
                        None
                    } else {
                        Some(typed_filter(models, &states.entity_type, filter).map_err(error)?)
                    };
                    Source::Count(states.id, expr)
                }
                Aggregate::Sum { of, property } => {
                    let states = child(of)?;
                    Source::Sum(states.id, column_of(states.id, property)?.name.to_string())
                }
                Aggregate::Latest { of, property } => {
                    let states = child(of)?;
                    let default = column.default.clone().unwrap_or(Value::Null);
                    let source = column_of(states.id, property)?.name.to_string();
                    Source::Latest(states.id, source, default)
                }
                Aggregate::Holder { property } => {
                    Source::Holder(column_of(holder, property)?.name.to_string())
                }
            };
            columns.push((column.name.to_string(), source));
        }
        out.push(Summary {
            target: target.id,
            holder,
            columns,
        });
    }
    Ok(out)
}

/// A filter of the reports table, checked against the first model that has the type.
fn typed_filter(models: &[&odata::Model], entity: &str, text: &str) -> Result<Expr, String> {
    let (model, ty) = models
        .iter()
        .find_map(|m| m.structured(entity).map(|t| (*m, t)))
        .ok_or_else(|| format!("no type {entity}"))?;
    let parsed = parse_filter("$filter", text).map_err(|e| e.to_string())?;
    check_filter(model, ty, parsed).map_err(|e| e.to_string())
}
