//! Addresses and entities below a script, for the tests of reads below a parent.

use intune::ApiVersion;
use odata::Value;
use odata::query::{Expr, check_filter, parse_filter};
use store::{Address, Changes, Columns, ExpandQuery, ListQuery, Step, Store, StoreError};

/// The tenant of these tests.
pub const TENANT: &str = "t";
/// The scripts' collection.
pub const SCRIPTS: &str = "deviceManagement/deviceManagementScripts";

/// `deviceManagementScripts/{script}` (of one of `types`, when given), then `rest`: a
/// table's path and the key under it; the last, a link's target when `via` names the link
/// column.
pub fn below(
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
pub fn top(store: &dyn Store, path: &str) -> Address {
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

pub async fn create(
    store: &dyn Store,
    at: &Address,
    type_name: &str,
    link: Option<&str>,
) -> String {
    let changes = Changes {
        merged: Vec::new(),
        type_name: type_name.into(),
        // A device state that ran: its script's summary counts it.
        values: link
            .map(|_| vec![("runState".to_string(), Value::Enum("success".into()))])
            .unwrap_or_default(),
        links: link
            .map(|key| vec![("managedDevice".to_string(), Some(key.to_string()))])
            .unwrap_or_default(),
    };
    store.create(TENANT, at, changes).await.unwrap().id
}

pub async fn get(store: &dyn Store, at: &Address) -> Result<store::Record, StoreError> {
    store.get(TENANT, at, &Columns::All, &[], None).await
}

/// Every record of the pages `query` reads at `at`, walked by cursor from its first page.
pub async fn walk(store: &dyn Store, at: &Address, mut query: ListQuery) -> Vec<store::Record> {
    let mut records = Vec::new();
    loop {
        let page = store.list(TENANT, at, &query).await.unwrap();
        records.extend(page.records);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return records,
        }
    }
}

/// `$expand=managedDevice`.
pub fn device_of() -> [ExpandQuery; 1] {
    [ExpandQuery {
        navigation: "managedDevice".into(),
        ..ExpandQuery::default()
    }]
}

/// `text` as a `$filter` on a script's device states.
pub fn filter(text: &str) -> Expr {
    let model = intune::Schema::load()
        .unwrap()
        .model(ApiVersion::Beta)
        .clone();
    let states = model
        .structured("deviceManagementScriptDeviceState")
        .unwrap();
    check_filter(&model, states, parse_filter("$filter", text).unwrap()).unwrap()
}

/// A managed device and a script, each at the top: their keys.
pub async fn device_and_script(store: &dyn Store) -> (String, String) {
    let devices = top(store, "deviceManagement/managedDevices");
    let device = create(store, &devices, "managedDevice", None).await;
    let script = create(store, &top(store, SCRIPTS), "deviceManagementScript", None).await;
    (device, script)
}

/// A script that is not there.
pub const GHOST: &str = "00000000-0000-0000-0000-000000000000";
