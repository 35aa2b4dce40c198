//! A bulk load writes states without their summaries; `recompute_summaries` brings every
//! summary of the tenant back to its aggregate (on PostgreSQL when `TEST_DATABASE_URL` is
//! set, else SQLite).

mod common;

use odata::Value;
use store::{Address, Changes, Columns, RawRow, Step, Store};

fn table(store: &dyn Store, path: &str) -> usize {
    let path = format!("deviceManagement/deviceManagementScripts{path}");
    store
        .catalog()
        .tables()
        .iter()
        .find(|t| t.path == path)
        .unwrap()
        .id
}

fn step(table: usize, key: Option<&str>) -> Step {
    Step {
        table,
        key: key.map(str::to_string),
        types: Vec::new(),
        via: None,
    }
}

/// A row of the table at `path` as a load writes it: the given enum values, defaults for
/// the rest.
fn row(store: &dyn Store, path: &str, parent: &str, id: &str, values: &[(&str, &str)]) -> RawRow {
    let table = store.catalog().table(table(store, path));
    RawRow {
        tenant: "t".into(),
        parent: parent.into(),
        id: id.into(),
        type_name: table.entity_type.clone(),
        values: table
            .columns
            .iter()
            .map(|c| {
                let given = values.iter().find(|(k, _)| *k == &*c.name);
                let value = match given {
                    Some((_, v)) => Value::Enum((*v).into()),
                    None => c.default.clone().unwrap_or(Value::Null),
                };
                (c.name.clone(), value)
            })
            .collect(),
    }
}

#[tokio::test]
async fn a_bulk_load_is_summarized_by_one_recompute() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _schema) = common::open(dir.path(), "s.sqlite").await;
    let tenant = "t";
    let scripts = table(store.as_ref(), "");
    let script = store
        .create(
            tenant,
            &Address {
                steps: vec![step(scripts, None)],
            },
            Changes {
                type_name: "deviceManagementScript".into(),
                ..Changes::default()
            },
        )
        .await
        .unwrap()
        .id;
    let s = store.as_ref();
    let devices: Vec<RawRow> = ["success", "success", "fail", "pending"]
        .iter()
        .enumerate()
        .map(|(i, state)| {
            row(
                s,
                "/deviceRunStates",
                &script,
                &format!("d{i}"),
                &[("runState", state)],
            )
        })
        .collect();
    store
        .import_rows(table(s, "/deviceRunStates"), &devices)
        .await
        .unwrap();
    let user = row(s, "/userRunStates", &script, "u", &[]);
    store
        .import_rows(table(s, "/userRunStates"), &[user])
        .await
        .unwrap();
    let nested = "/userRunStates/deviceRunStates";
    let nested_rows = [row(s, nested, "u", "n1", &[("runState", "scriptError")])];
    store
        .import_rows(table(s, nested), &nested_rows)
        .await
        .unwrap();
    let summary = Address {
        steps: vec![
            step(scripts, Some(&script)),
            step(table(store.as_ref(), "/runSummary"), None),
        ],
    };
    let read = |name: &'static str| {
        let (store, summary) = (store.clone(), summary.clone());
        async move {
            store
                .get(tenant, &summary, &Columns::All, &[], None)
                .await
                .unwrap()
                .get(name)
                .cloned()
        }
    };
    assert_eq!(
        read("successDeviceCount").await,
        Some(Value::Int(0)),
        "a load bypasses them"
    );
    store.recompute_summaries(tenant).await.unwrap();
    assert_eq!(read("successDeviceCount").await, Some(Value::Int(2)));
    assert_eq!(read("errorDeviceCount").await, Some(Value::Int(1)));
    assert_eq!(
        read("errorUserCount").await,
        Some(Value::Int(1)),
        "the user state first"
    );
    store.recompute_summaries("another").await.unwrap();
    assert_eq!(
        read("successDeviceCount").await,
        Some(Value::Int(2)),
        "tenants apart"
    );
}
