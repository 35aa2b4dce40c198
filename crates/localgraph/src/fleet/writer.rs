//! Rows of a fleet written in batches through the `Store` trait (one transaction per batch,
//! parents flushed before their children), with a progress bar.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use odata::Value;
use store::{RawRow, Store, TableId};

/// Rows per transaction.
const BATCH: usize = 1000;

/// Buffers rows per table and writes them in batches.
pub struct Writer {
    store: Arc<dyn Store>,
    tenant: String,
    buffers: HashMap<TableId, Vec<RawRow>>,
    /// Rows written so far.
    pub written: u64,
    bar: ProgressBar,
}

impl Writer {
    /// A writer for `tenant`'s rows, with a bar of `work` steps.
    pub fn new(store: Arc<dyn Store>, tenant: &str, work: u64) -> anyhow::Result<Writer> {
        let bar = ProgressBar::new(work).with_style(
            ProgressStyle::with_template("{bar:30} {percent}% {msg}")
                .map_err(|e| anyhow!("{e}"))?,
        );
        Ok(Writer {
            store,
            tenant: tenant.to_string(),
            buffers: HashMap::new(),
            written: 0,
            bar,
        })
    }

    /// The table at `path`.
    pub fn table(&self, path: &str) -> anyhow::Result<TableId> {
        self.store
            .catalog()
            .tables()
            .iter()
            .find(|t| t.path == path)
            .map(|t| t.id)
            .with_context(|| format!("the schema has no {path}"))
    }

    /// The id of the single-valued entity of `table` under `parent` (a summary).
    pub fn derived_id(&self, table: TableId, parent: &str) -> String {
        self.store
            .catalog()
            .table(table)
            .derived_id(&self.tenant, parent)
    }

    /// Queues a row of `table`: the given values, the column's default for the rest.
    pub async fn row(
        &mut self,
        table: TableId,
        parent: &str,
        id: &str,
        type_name: Option<&str>,
        values: Vec<(String, Value)>,
    ) -> anyhow::Result<()> {
        let layout = self.store.catalog().table(table);
        let mut row_values = Vec::with_capacity(layout.columns.len());
        for column in &layout.columns {
            let value = values
                .iter()
                .find(|(name, _)| **name == *column.name)
                .map(|(_, v)| v.clone())
                .or_else(|| column.default.clone())
                .unwrap_or(Value::Null);
            row_values.push((column.name.clone(), value));
        }
        let row = RawRow {
            tenant: self.tenant.clone(),
            parent: parent.to_string(),
            id: id.to_string(),
            type_name: type_name.unwrap_or(&layout.entity_type).to_string(),
            values: row_values,
        };
        let buffer = self.buffers.entry(table).or_default();
        buffer.push(row);
        if buffer.len() >= BATCH {
            self.flush(table).await?;
        }
        Ok(())
    }

    /// Writes the rows queued for `table`.
    pub async fn flush(&mut self, table: TableId) -> anyhow::Result<()> {
        let rows = self.buffers.remove(&table).unwrap_or_default();
        if rows.is_empty() {
            return Ok(());
        }
        let path = &self.store.catalog().table(table).path;
        self.store
            .import_rows(table, &rows)
            .await
            .with_context(|| format!("cannot write {} rows of {path}", rows.len()))?;
        self.written += rows.len() as u64;
        self.bar.set_message(format!("{} rows", self.written));
        Ok(())
    }

    /// Writes the rows queued for the `tables`, in order (parents first).
    pub async fn flush_all(&mut self, tables: &[TableId]) -> anyhow::Result<()> {
        for table in tables {
            self.flush(*table).await?;
        }
        Ok(())
    }

    /// One more step of the work done.
    pub fn step(&self) {
        self.bar.inc(1);
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
