//! Reads by key, pages and counts below a collection's entity, on PostgreSQL when
//! `TEST_DATABASE_URL` is set, else SQLite: each takes the checks of its parents into its
//! own statement, and each way it can end answers as the parents and the entity say.

mod common;

use common::below::*;
use odata::Value;
use store::{Columns, StoreError};

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
    let ghost = GHOST;
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
    // Cast to its own type, and to another.
    let cast = |ty: &str| {
        let mut at = below(s, &script, &[], &[(&runs, Some(&state))], None);
        at.steps.last_mut().unwrap().types = vec![ty.to_string()];
        at
    };
    assert_eq!(get(s, &cast(state_type)).await.unwrap().id, state);
    let result = get(s, &cast("deviceManagementScriptUserState")).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
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
    // Expanded: the device under the parent; nothing under a parent that is not there,
    // not even what would go over a budget of a byte (the device is not read).
    let device_of = &device_of();
    let expanded = |script: &str, max_bytes| {
        let at = below(s, script, &[], &[(&runs, Some(&state))], None);
        async move {
            s.get(TENANT, &at, &Columns::All, device_of, max_bytes)
                .await
        }
    };
    let with_device = expanded(&script, None).await.unwrap();
    assert!(
        matches!(&with_device.expanded[..], [(n, store::Expanded::One(Some(d)))] if n == "managedDevice" && d.id == device),
        "{:?}",
        with_device.expanded
    );
    let result = expanded(ghost, Some(1)).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");

    // Pages: of a script's states (with their count), of none, and under a script that
    // is not there or is not of the cast's type.
    // With and without a count (an empty page is told apart from a missing parent in
    // different ways); past the end with `$skip`.
    for count in [true, false] {
        let page = |skip: usize| store::ListQuery {
            size: 10,
            skip,
            count,
            ..store::ListQuery::default()
        };
        let counted = |n: u64| count.then_some(n);
        let states = s.list(TENANT, &runs_of(&script), &page(0)).await.unwrap();
        let ids: Vec<&str> = states.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!((ids, states.count), (vec![state.as_str()], counted(1)));
        let past = s.list(TENANT, &runs_of(&script), &page(1)).await.unwrap();
        assert_eq!((past.records.len(), past.count), (0, counted(1)));
        let none = s.list(TENANT, &runs_of(&quiet), &page(0)).await.unwrap();
        assert_eq!((none.records.len(), none.count), (0, counted(0)));
        let cast = below(s, &script, &["deviceShellScript"], &[(&runs, None)], None);
        for missing in [runs_of(ghost), cast] {
            let result = s.list(TENANT, &missing, &page(0)).await;
            assert!(
                matches!(result, Err(StoreError::NotFound)),
                "{count}: {result:?}"
            );
        }
    }

    // Counts: of a script's states, of none, and under a script that is not there.
    // The filter's values are bound before the checks' in the statement.
    let (ran, failed) = (
        filter("runState eq 'success'"),
        filter("runState eq 'fail'"),
    );
    for (at, filter, expected) in [
        (runs_of(&script), None, 1),
        (runs_of(&script), Some(&ran), 1),
        (runs_of(&script), Some(&failed), 0),
        (runs_of(&quiet), None, 0),
        (runs_of(&quiet), Some(&ran), 0),
    ] {
        assert_eq!(
            s.count(TENANT, &at, filter).await.unwrap(),
            expected,
            "{filter:?}"
        );
    }
    let result = s.count(TENANT, &runs_of(ghost), Some(&ran)).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");

    // A summary: kept for a script with a state; read as its defaults for a script with
    // none (no row is kept); not found under a script that is not there.
    let summary_of = |script: &str| below(s, script, &[], &[(&summary, None)], None);
    let kept = get(s, &summary_of(&script)).await.unwrap();
    let defaults = get(s, &summary_of(&quiet)).await.unwrap();
    assert_eq!(
        kept.get("successDeviceCount"),
        Some(&Value::Int(1)),
        "{kept:?}"
    );
    assert_eq!(defaults.type_name, "deviceManagementScriptRunSummary");
    assert_eq!(defaults.id, quiet, "a summary's key is its script's");
    assert_eq!(defaults.get("successDeviceCount"), Some(&Value::Int(0)));
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

#[tokio::test]
async fn pages_below_a_parent_walk_and_refuse_as_the_parent_says() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _schema) = common::open(dir.path(), "pages.sqlite").await;
    let s = store.as_ref();
    let runs = format!("{SCRIPTS}/deviceRunStates");
    let (device, script) = device_and_script(s).await;
    let runs_of = |script: &str, types: &[&str]| below(s, script, types, &[(&runs, None)], None);
    let mut states = Vec::new();
    for _ in 0..3 {
        let at = runs_of(&script, &[]);
        states.push(create(s, &at, "deviceManagementScriptDeviceState", Some(&device)).await);
    }
    states.sort();

    // A filtered walk, a state a page: the filter's, the cursor's and the checks' values
    // are each bound where their placeholders are.
    let query = store::ListQuery {
        size: 1,
        filter: Some(filter("runState eq 'success'")),
        ..store::ListQuery::default()
    };
    let walked: Vec<String> = walk(s, &runs_of(&script, &[]), query)
        .await
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(walked, states);

    // Below the script cast to a type it does not have, its states are not read: not
    // even expanded with a budget of 100 bytes, which the count fits and reading them
    // (or their device) would pass.
    let query = store::ListQuery {
        size: 10,
        count: true,
        expand: device_of().to_vec(),
        max_bytes: Some(100),
        ..store::ListQuery::default()
    };
    let result = s
        .list(TENANT, &runs_of(&script, &["deviceShellScript"]), &query)
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    // Nor counted, below a script that is not there, with a budget the count would pass.
    let query = store::ListQuery {
        max_bytes: Some(4),
        ..query
    };
    let result = s.list(TENANT, &runs_of(GHOST, &[]), &query).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");

    // An empty page from a filter and from a cursor past the last state, without a
    // count: below the script, empty; below a script that is not there, not found.
    let after_last = store::Cursor {
        keys: Vec::new(),
        id: states.last().unwrap().clone(),
    };
    for query in [
        store::ListQuery {
            size: 5,
            filter: Some(filter("runState eq 'fail'")),
            ..store::ListQuery::default()
        },
        store::ListQuery {
            size: 5,
            after: Some(after_last),
            ..store::ListQuery::default()
        },
    ] {
        let empty = s
            .list(TENANT, &runs_of(&script, &[]), &query)
            .await
            .unwrap();
        assert!(
            empty.records.is_empty() && empty.next.is_none(),
            "{empty:?}"
        );
        let result = s.list(TENANT, &runs_of(GHOST, &[]), &query).await;
        assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    }
}

/// Each state of a page expands to the device it links to, and a state without one to
/// none, whichever page it is on: walked by cursor, from a `$skip`, and filtered. (The
/// expansion joins the page's own rows with their links: bench/HISTORY.md, step 43.)
#[tokio::test]
async fn each_state_of_a_page_expands_to_its_own_device() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _schema) = common::open(dir.path(), "expanded.sqlite").await;
    let s = store.as_ref();
    let runs = format!("{SCRIPTS}/deviceRunStates");
    let devices = top(s, "deviceManagement/managedDevices");
    let (script, other) = (
        create(s, &top(s, SCRIPTS), "deviceManagementScript", None).await,
        create(s, &top(s, SCRIPTS), "deviceManagementScript", None).await,
    );
    let runs_of = |script: &str| below(s, script, &[], &[(&runs, None)], None);
    let state_type = "deviceManagementScriptDeviceState";
    let mut expected = std::collections::BTreeMap::new();
    for n in 0..7 {
        // Every third state ran on no device.
        let device = match n % 3 {
            2 => None,
            _ => Some(create(s, &devices, "managedDevice", None).await),
        };
        let state = create(s, &runs_of(&script), state_type, device.as_deref()).await;
        expected.insert(state, device);
    }
    // Another script's states on devices of their own.
    for _ in 0..3 {
        let device = create(s, &devices, "managedDevice", None).await;
        create(s, &runs_of(&other), state_type, Some(&device)).await;
    }
    let expanded = |records: &[store::Record]| -> Vec<(String, Option<String>)> {
        records
            .iter()
            .map(|r| match &r.expanded[..] {
                [(_, store::Expanded::One(device))] => {
                    (r.id.clone(), device.as_ref().map(|d| d.id.clone()))
                }
                other => panic!("{}: {other:?}", r.id),
            })
            .collect()
    };
    let all: Vec<(String, Option<String>)> = expected.clone().into_iter().collect();

    // Walked by cursor, three a page.
    let query = store::ListQuery {
        size: 3,
        expand: device_of().to_vec(),
        ..store::ListQuery::default()
    };
    let walked = expanded(&walk(s, &runs_of(&script), query).await);
    assert_eq!(walked, all);

    // From a `$skip`, and filtered to the states that ran on a device.
    let skipped = store::ListQuery {
        size: 3,
        skip: 2,
        expand: device_of().to_vec(),
        ..store::ListQuery::default()
    };
    let page = s.list(TENANT, &runs_of(&script), &skipped).await.unwrap();
    assert_eq!(expanded(&page.records), all[2..5]);
    let ran = store::ListQuery {
        size: 10,
        filter: Some(filter("runState eq 'success'")),
        expand: device_of().to_vec(),
        ..store::ListQuery::default()
    };
    let page = s.list(TENANT, &runs_of(&script), &ran).await.unwrap();
    let on_devices: Vec<_> = all.iter().filter(|(_, d)| d.is_some()).cloned().collect();
    assert_eq!(expanded(&page.records), on_devices);
}
