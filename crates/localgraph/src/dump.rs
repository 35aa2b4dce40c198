//! `localgraph export` and `localgraph import`: a whole data set (every tenant, or one) as
//! JSONL, through the `Store` trait, so it moves between backends (SQLite → PostgreSQL and
//! back).
//!
//! One line per stored row, tables in catalog order (parents before children):
//! `{"table","tenant","parent","id","type","values":{…}}`; an export of every tenant also
//! carries the data set's settings (`{"setting","value"}`: its default tenant, its paging
//! key) first. Then the tenants' controls (`{"control":{"tenant","kind","id","value",
//! "remaining"}}`) and last their snapshots, one a line (`{"snapshot":{"tenant","name",
//! "created","rows"},"rows":[…row lines…]}`).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value as Json, json};
use store::{Catalog, ControlRow, RawRow, Snapshot, SnapshotInfo, Store, TableId};

use crate::DataDir;
use crate::database::{DatabaseArgs, Need};

/// Rows per read or write transaction.
const BATCH: usize = 500;

/// `localgraph export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The JSONL file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Export only this tenant's data (and no settings).
    #[arg(long, value_parser = server::auth::token::parse_tenant)]
    pub tenant: Option<String>,
    #[command(flatten)]
    pub data: DataDir,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `localgraph import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The JSONL file `localgraph export` wrote.
    pub file: PathBuf,
    #[command(flatten)]
    pub data: DataDir,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Writes the data set to `--out`.
pub async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let store = args
        .database
        .open_bundled(&args.data.data_dir, Need::Existing)
        .await?;
    let tenant = args.tenant.as_deref().map(str::to_ascii_lowercase);
    let file =
        File::create(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut out = BufWriter::new(file);
    let tables = store.catalog().tables();
    let bar = ProgressBar::new(tables.len() as u64).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} tables, {msg}")
            .map_err(|e| anyhow!("{e}"))?,
    );
    let mut rows = 0usize;
    if tenant.is_none() {
        let settings = store.settings().await?;
        let kept = settings
            .iter()
            .filter(|(key, _)| !key.starts_with(server::telemetry::STATS_SETTINGS));
        for (key, value) in kept {
            writeln!(out, "{}", json!({"setting": key, "value": value}))?;
        }
    }
    for table in tables {
        let mut after: Option<(String, String)> = None;
        loop {
            let batch = store
                .export_rows(table.id, tenant.as_deref(), after.as_ref(), BATCH)
                .await
                .with_context(|| format!("cannot read {}", table.path))?;
            for row in &batch {
                writeln!(out, "{}", row.to_json(table))?;
            }
            rows += batch.len();
            bar.set_message(format!("{rows} rows"));
            match batch.last() {
                Some(last) if batch.len() == BATCH => {
                    after = Some((last.tenant.clone(), last.id.clone()));
                }
                _ => break,
            }
        }
        bar.inc(1);
    }
    for control in store.controls(tenant.as_deref()).await?.rows {
        writeln!(out, "{}", control_json(&control))?;
    }
    let snapshots = store.snapshots(tenant.as_deref()).await?;
    for info in &snapshots {
        let snapshot = store.export_snapshot(&info.tenant, &info.name).await?;
        writeln!(out, "{}", snapshot_json(store.catalog(), &snapshot))?;
    }
    out.flush()?;
    bar.finish_and_clear();
    eprintln!(
        "exported {rows} rows and {} snapshots from {} to {}",
        snapshots.len(),
        args.database.describe(&args.data.data_dir),
        args.out.display()
    );
    Ok(())
}

/// Reads a JSONL export into the data set (rows with the same tenant and id are replaced).
pub async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let store = args
        .database
        .open_bundled(&args.data.data_dir, Need::Create)
        .await?;
    let file =
        File::open(&args.file).with_context(|| format!("cannot open {}", args.file.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(size).with_style(
        ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes}, {msg}")
            .map_err(|e| anyhow!("{e}"))?,
    );
    let mut pending: Option<(TableId, Vec<RawRow>)> = None;
    let mut rows = 0usize;
    for (number, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", args.file.display()))?;
        bar.inc(line.len() as u64 + 1);
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{} line {}", args.file.display(), number + 1);
        let json: Json = serde_json::from_str(&line).with_context(at)?;
        if let (Some(key), Some(value)) = (json["setting"].as_str(), json["value"].as_str()) {
            store.put_setting(key, value).await.with_context(at)?;
            continue;
        }
        if json.get("control").is_some() {
            let control = control_from_json(&json["control"]).with_context(at)?;
            store.put_control(&control).await.with_context(at)?;
            continue;
        }
        if json.get("snapshot").is_some() {
            let snapshot = snapshot_from_json(store.catalog(), &json).with_context(at)?;
            store.import_snapshot(&snapshot).await.with_context(at)?;
            continue;
        }
        let (table, row) = RawRow::from_json(store.catalog(), &json)
            .map_err(|e| anyhow!(e))
            .with_context(at)?;
        match &mut pending {
            Some((current, batch)) if *current == table && batch.len() < BATCH => batch.push(row),
            _ => {
                if let Some((current, batch)) = pending.take() {
                    rows += flush(store.as_ref(), current, batch).await?;
                    bar.set_message(format!("{rows} rows"));
                }
                pending = Some((table, vec![row]));
            }
        }
    }
    if let Some((current, batch)) = pending.take() {
        rows += flush(store.as_ref(), current, batch).await?;
    }
    bar.finish_and_clear();
    count_rows(store.as_ref(), "import", rows).await?;
    crate::database::analyze(store.as_ref()).await;
    eprintln!(
        "imported {rows} rows from {} into {}",
        args.file.display(),
        args.database.describe(&args.data.data_dir)
    );
    Ok(())
}

async fn flush(store: &dyn Store, table: TableId, batch: Vec<RawRow>) -> anyhow::Result<usize> {
    store
        .import_rows(table, &batch)
        .await
        .with_context(|| format!("cannot write {}", store.catalog().table(table).path))?;
    Ok(batch.len())
}

fn control_json(control: &ControlRow) -> Json {
    json!({"control": {
        "tenant": control.tenant,
        "kind": control.kind,
        "id": control.id,
        "value": control.value,
        "remaining": control.remaining,
    }})
}

fn control_from_json(json: &Json) -> anyhow::Result<ControlRow> {
    let text = |key: &str| {
        json[key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("the control has no text \"{key}\""))
    };
    Ok(ControlRow {
        tenant: text("tenant")?,
        kind: text("kind")?,
        id: text("id")?,
        value: text("value")?,
        remaining: json["remaining"].as_i64(),
    })
}

fn snapshot_json(catalog: &Catalog, snapshot: &Snapshot) -> Json {
    let rows: Vec<Json> = snapshot
        .rows
        .iter()
        .map(|(table, row)| row.to_json(catalog.table(*table)))
        .collect();
    let info = &snapshot.info;
    json!({
        "snapshot": {
            "tenant": info.tenant,
            "name": info.name,
            "created": odata::datetime::format(info.created),
            "rows": info.rows,
        },
        "rows": rows,
    })
}

fn snapshot_from_json(catalog: &Catalog, json: &Json) -> anyhow::Result<Snapshot> {
    let head = &json["snapshot"];
    let text = |key: &str| {
        head[key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("the snapshot has no text \"{key}\""))
    };
    let created = odata::datetime::parse(&text("created")?)
        .ok_or_else(|| anyhow!("the snapshot's \"created\" is not a date-time"))?;
    let rows = json["rows"]
        .as_array()
        .ok_or_else(|| anyhow!("the snapshot has no \"rows\" array"))?
        .iter()
        .map(|row| RawRow::from_json(catalog, row).map_err(|e| anyhow!(e)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Snapshot {
        info: SnapshotInfo {
            tenant: text("tenant")?,
            name: text("name")?,
            created,
            rows: rows.len() as u64,
        },
        rows,
    })
}

/// Adds `rows` to the data set's count of rows `command` (seed, import) wrote, which every
/// node's `/metrics` shows.
pub async fn count_rows(store: &dyn Store, command: &str, rows: usize) -> anyhow::Result<()> {
    let setting = server::telemetry::ROWS_WRITTEN_BY
        .iter()
        .find(|(_, by)| *by == command)
        .map(|(setting, _)| *setting)
        .context("a command that writes rows")?;
    let rows = i64::try_from(rows).unwrap_or(i64::MAX);
    store.add_to_setting(setting, rows).await?;
    Ok(())
}
