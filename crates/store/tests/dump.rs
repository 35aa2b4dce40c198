//! Export and import through the `Store` trait: every row of a data set, read in pages from
//! one store (SQLite) and written into another (PostgreSQL when `TEST_DATABASE_URL` is set,
//! else another SQLite file), reads back the same, line form included.

mod common;

use std::sync::Arc;

use odata::Value;
use store::{Catalog, Changes, ListQuery, RawRow, SqlStore, SqliteExecutor, Store};

async fn sqlite(dir: &std::path::Path, name: &str) -> Arc<dyn Store> {
    let catalog = Catalog::build(&intune::Schema::load().unwrap()).unwrap();
    let executor = SqliteExecutor::open(&dir.join(name)).await.unwrap();
    Arc::new(SqlStore::open(catalog, executor).await.unwrap())
}

/// The address of the top-level collection at `path`.
fn at(store: &dyn Store, path: &str) -> store::Address {
    common::at(store, &[(path, None)])
}

#[tokio::test]
async fn every_row_moves_and_reads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let from = sqlite(dir.path(), "from.sqlite").await;
    let (to, _schema) = common::open(dir.path(), "to.sqlite").await;
    let accounts = at(
        from.as_ref(),
        "deviceManagement/macOSSoftwareUpdateAccountSummaries",
    );
    let scripts = at(from.as_ref(), "deviceManagement/deviceManagementScripts");
    for tenant in ["tenant-a", "tenant-b"] {
        for i in 0..7 {
            let values = vec![
                (
                    "displayName".into(),
                    Value::String(format!("Mac {i} of {tenant}")),
                ),
                ("failedUpdateCount".into(), Value::Int(i)),
                (
                    "lastUpdatedDateTime".into(),
                    Value::DateTimeOffset(
                        odata::datetime::parse("2026-01-02T03:04:05.1234567Z").unwrap() + i,
                    ),
                ),
            ];
            let changes = Changes {
                type_name: "macOSSoftwareUpdateAccountSummary".into(),
                values,
                ..Changes::default()
            };
            from.create(tenant, &accounts, changes).await.unwrap();
        }
        let script = Changes {
            type_name: "deviceManagementScript".into(),
            values: vec![
                ("displayName".into(), Value::String("Inventory".into())),
                ("enforceSignatureCheck".into(), Value::Bool(true)),
                ("runAsAccount".into(), Value::Enum("user".into())),
            ],
            ..Changes::default()
        };
        from.create(tenant, &scripts, script).await.unwrap();
    }
    from.put_setting("default_tenant", "tenant-a")
        .await
        .unwrap();

    // Export in pages of 3 rows, through the JSON line form, into the destination.
    let mut lines = 0;
    for table in from.catalog().tables() {
        let mut after = None;
        loop {
            let batch = from
                .export_rows(table.id, None, after.as_ref(), 3)
                .await
                .unwrap();
            let mut read = Vec::new();
            for row in &batch {
                let line = serde_json::to_string(&row.to_json(table)).unwrap();
                let (id, back) =
                    RawRow::from_json(to.catalog(), &serde_json::from_str(&line).unwrap()).unwrap();
                assert_eq!((id, &back), (table.id, row));
                read.push(back);
                lines += 1;
            }
            to.import_rows(table.id, &read).await.unwrap();
            match batch.last() {
                Some(last) if batch.len() == 3 => {
                    after = Some((last.tenant.clone(), last.id.clone()))
                }
                _ => break,
            }
        }
    }
    // 7 accounts and a script per tenant, and the run summary computed with each script.
    assert_eq!(lines, 18);
    for (key, value) in from.settings().await.unwrap() {
        to.put_setting(&key, &value).await.unwrap();
    }
    assert_eq!(
        to.setting("default_tenant", "other").await.unwrap(),
        "tenant-a"
    );

    let everything = ListQuery {
        size: 100,
        ..ListQuery::default()
    };
    for tenant in ["tenant-a", "tenant-b"] {
        for address in [&accounts, &scripts] {
            let before = from.list(tenant, address, &everything).await.unwrap();
            let after = to.list(tenant, address, &everything).await.unwrap();
            assert_eq!(after.records, before.records);
        }
    }
    // One tenant only.
    let table = from.catalog().table(accounts.target().table);
    let rows = to
        .export_rows(table.id, Some("tenant-b"), None, 100)
        .await
        .unwrap();
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r.tenant == "tenant-b"));
    // Importing again replaces rather than duplicates.
    to.import_rows(table.id, &rows).await.unwrap();
    assert_eq!(to.count("tenant-b", &accounts, None).await.unwrap(), 7);
}

#[test]
fn a_root_row_under_a_parent_is_refused() {
    let catalog = Catalog::build(&intune::Schema::load().unwrap()).unwrap();
    let line = |parent: &str| {
        serde_json::json!({
            "table": "deviceManagement/macOSSoftwareUpdateAccountSummaries",
            "tenant": "t",
            "parent": parent,
            "id": "a",
            "type": "#microsoft.graph.macOSSoftwareUpdateAccountSummary",
            "values": {},
        })
    };
    assert!(RawRow::from_json(&catalog, &line("")).is_ok());
    let refused = RawRow::from_json(&catalog, &line("p")).unwrap_err();
    assert!(refused.contains("is at the root"), "{refused}");
}
