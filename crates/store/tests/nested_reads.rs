//! Reads by key and counts below a collection's entity, on PostgreSQL when
//! `TEST_DATABASE_URL` is set, else SQLite: each is one statement with the checks of its
//! parents, and each way it can end answers as the parents and the entity say.

mod common;

use store::{Address, Changes, Columns, Step, Store, StoreError};

const TENANT: &str = "t";
const SCRIPTS: &str = "deviceManagement/deviceManagementScripts";

/// `deviceManagementScripts/{script}` (of one of `types`, when given), then `rest`: a
/// table's path and the key under it; the last, a link's target when `via` names the link
/// column.
fn below(
    store: &dyn Store,
    script: &str,
    types: &[&str],
    rest: &[(&str, Option<&str>)],
    via: Option<&str>,
) -> Address {
    let table = |path: &str| {
        let tables = store.catalog().tables();
        tables.iter().find(|t| t.path == path).unwrap().id
    };
    let mut steps = vec![Step {
        table: table(SCRIPTS),
        key: Some(script.to_string()),
        types: types.iter().map(|t| t.to_string()).collect(),
        via: None,
    }];
    for (path, key) in rest {
        steps.push(Step {
            table: table(path),
            key: key.map(str::to_string),
            types: Vec::new(),
            via: None,
        });
    }
    steps.last_mut().unwrap().via = via.map(str::to_string);
    Address { steps }
}

/// The address of a collection at the top.
fn top(store: &dyn Store, path: &str) -> Address {
    let tables = store.catalog().tables();
    let table = tables.iter().find(|t| t.path == path).unwrap().id;
    Address {
        steps: vec![Step {
            table,
            key: None,
            types: Vec::new(),
            via: None,
        }],
    }
}

async fn create(store: &dyn Store, at: &Address, type_name: &str, link: Option<&str>) -> String {
    let changes = Changes {
        type_name: type_name.into(),
        links: link
            .map(|key| vec![("managedDevice".to_string(), Some(key.to_string()))])
            .unwrap_or_default(),
        ..Changes::default()
    };
    store.create(TENANT, at, changes).await.unwrap().id
}

async fn get(store: &dyn Store, at: &Address) -> Result<store::Record, StoreError> {
    store.get(TENANT, at, &Columns::All, &[], None).await
}

#[tokio::test]
async fn a_read_below_a_parent_answers_as_the_parent_and_the_entity_say() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _schema) = common::open(dir.path(), "nested.sqlite").await;
    let s = store.as_ref();
    let runs = format!("{SCRIPTS}/deviceRunStates");
    let summary = format!("{SCRIPTS}/runSummary");
    let devices = "deviceManagement/managedDevices";
    let script_type = "deviceManagementScript";
    let device = create(s, &top(s, devices), "managedDevice", None).await;
    let script = create(s, &top(s, SCRIPTS), script_type, None).await;
    let quiet = create(s, &top(s, SCRIPTS), script_type, None).await;
    let ghost = "00000000-0000-0000-0000-000000000000";
    let state_type = "deviceManagementScriptDeviceState";
    let runs_of = |script: &str| below(s, script, &[], &[(&runs, None)], None);
    let state = create(s, &runs_of(&script), state_type, Some(&device)).await;

    // The entity under its parent.
    let found = get(s, &below(s, &script, &[], &[(&runs, Some(&state))], None)).await;
    let found = found.unwrap();
    assert_eq!(
        (found.id.as_str(), found.type_name.as_str()),
        (state.as_str(), state_type)
    );
    // Another key under the same parent; the same key under a parent that is not there,
    // and under one that is, cast to a type it does not have.
    for (script, types, key) in [
        (script.as_str(), &[][..], ghost),
        (ghost, &[], state.as_str()),
        (script.as_str(), &["deviceShellScript"], state.as_str()),
    ] {
        let result = get(s, &below(s, script, types, &[(&runs, Some(key))], None)).await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "{script} {types:?} {key}: {result:?}"
        );
    }

    // Counts: of a script's states, of none, and under a script that is not there.
    assert_eq!(s.count(TENANT, &runs_of(&script), None).await.unwrap(), 1);
    assert_eq!(s.count(TENANT, &runs_of(&quiet), None).await.unwrap(), 0);
    let result = s.count(TENANT, &runs_of(ghost), None).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");

    // A summary: kept for a script with a state; read as its defaults for a script with
    // none (no row is kept); not found under a script that is not there.
    let summary_of = |script: &str| below(s, script, &[], &[(&summary, None)], None);
    let kept = get(s, &summary_of(&script)).await.unwrap();
    let defaults = get(s, &summary_of(&quiet)).await.unwrap();
    assert!(!kept.id.is_empty() && !defaults.id.is_empty() && kept.id != defaults.id);
    assert_eq!(defaults.type_name, "deviceManagementScriptRunSummary");
    let zero = Some(&odata::Value::Int(0));
    assert_eq!(defaults.get("errorDeviceCount"), zero, "{defaults:?}");
    let result = get(s, &summary_of(ghost)).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");

    // A link's target, through the linking entity; a linking entity that is not there.
    let linked = |key: &str| {
        let rest = [(runs.as_str(), Some(key)), (devices, None)];
        below(s, &script, &[], &rest, Some("_managedDevice"))
    };
    assert_eq!(get(s, &linked(&state)).await.unwrap().id, device);
    let result = get(s, &linked(ghost)).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}
