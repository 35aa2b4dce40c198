//! Pages and entities read only the columns their response renders (the version's
//! properties, narrowed by `$select`; bench/HISTORY.md "Columns a response renders"):
//! every response here must be what rendering the whole stored row gives, property for
//! property, over rows with every column filled, so a rendered property whose column was
//! left unread (it would render as `null`) fails the test.

use std::collections::HashMap;
use std::sync::Arc;

use intune::ApiVersion;
use odata::Value;
use serde_json::{Value as Json, json};
use server::render::{Entity, TypeAnnotations};
use store::{Address, Columns, ExpandQuery, ListQuery, RawRow, Record, Step, Table};

use crate::helpers::TestApp;

const DEVICES: &str = "deviceManagement/managedDevices";
const SCRIPTS: &str = "deviceManagement/deviceManagementScripts";
const STATES: &str = "deviceManagement/deviceManagementScripts/deviceRunStates";
const MACS: &str = "deviceManagement/macOSSoftwareUpdateAccountSummaries";
const SCRIPT: &str = "00000000-0000-4000-8000-0000000000a1";

/// A row's values, by column.
type Values = Vec<(Arc<str>, Value)>;

fn id(kind: u8, i: usize) -> String {
    format!("00000000-0000-4000-8000-0000000{kind:02x}{i:03}")
}

fn table<'a>(app: &'a TestApp, path: &str) -> &'a Table {
    let tables = app.store.catalog().tables();
    tables.iter().find(|t| t.path == path).unwrap()
}

/// A value in every column, none null and each distinct per row (`i`), links to `link`.
fn filled(table: &Table, i: usize, link: Option<&str>) -> Values {
    use store::catalog::ColumnType;
    let ticks = 638_000_000_000_000_000 + i64::try_from(i).unwrap() * 10_000_000;
    table
        .columns
        .iter()
        .map(|c| {
            let value = match &c.ty {
                _ if c.link.is_some() => Value::String(link.unwrap_or_default().into()),
                ColumnType::Text => Value::String(format!("{}-{i}", c.name)),
                ColumnType::Integer => Value::Int(7 + i as i64),
                ColumnType::Real => Value::Float(1.5 + i as f64),
                ColumnType::Boolean => Value::Bool(i.is_multiple_of(2)),
                ColumnType::Ticks => Value::DateTimeOffset(ticks),
                ColumnType::Enum(members) => Value::Enum(members[i % members.len()].0.clone()),
                ColumnType::Json => {
                    Value::Json(Box::new(json!({ "filled": format!("{}-{i}", c.name) })))
                }
            };
            (c.name.clone(), value)
        })
        .collect()
}

async fn import(app: &TestApp, path: &str, parent: &str, rows: Vec<(String, String, Values)>) {
    let table = table(app, path);
    let rows: Vec<RawRow> = rows
        .into_iter()
        .map(|(id, type_name, values)| RawRow {
            tenant: app.tenant.clone(),
            parent: parent.into(),
            id,
            type_name,
            values,
        })
        .collect();
    app.store.import_rows(table.id, &rows).await.unwrap();
}

/// Three devices, a script whose three run states link to them, three macOS summaries.
async fn fill(app: &TestApp) {
    let devices = table(app, DEVICES);
    let rows = (0..3)
        .map(|i| (id(1, i), "managedDevice".into(), filled(devices, i, None)))
        .collect();
    import(app, DEVICES, "", rows).await;
    let script = vec![(
        SCRIPT.to_string(),
        "deviceManagementScript".to_string(),
        filled(table(app, SCRIPTS), 0, None),
    )];
    import(app, SCRIPTS, "", script).await;
    let states = table(app, STATES);
    let rows = (0..3)
        .map(|i| {
            let values = filled(states, i, Some(&id(1, i)));
            (id(2, i), "deviceManagementScriptDeviceState".into(), values)
        })
        .collect();
    import(app, STATES, SCRIPT, rows).await;
    let macs = table(app, MACS);
    let rows = (0..3)
        .map(|i| {
            let values = filled(macs, i, None);
            (id(3, i), "macOSSoftwareUpdateAccountSummary".into(), values)
        })
        .collect();
    import(app, MACS, "", rows).await;
}

/// Every entity of a table (with its `managedDevice` when it links one), read whole.
async fn whole(app: &TestApp, path: &str, parent: Option<&str>) -> HashMap<String, Record> {
    let mut steps = Vec::new();
    if let Some(parent) = parent {
        steps.push(Step {
            table: table(app, SCRIPTS).id,
            key: Some(parent.into()),
            types: Vec::new(),
            via: None,
        });
    }
    steps.push(Step {
        table: table(app, path).id,
        key: None,
        types: Vec::new(),
        via: None,
    });
    let expand = match table(app, path).link("managedDevice") {
        Some(_) => vec![ExpandQuery {
            navigation: "managedDevice".into(),
            columns: Columns::All,
            ..ExpandQuery::default()
        }],
        None => Vec::new(),
    };
    let query = ListQuery {
        size: 100,
        columns: Columns::All,
        expand,
        ..ListQuery::default()
    };
    let page = app
        .store
        .list(&app.tenant, &Address { steps }, &query)
        .await
        .unwrap();
    page.records
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect()
}

/// The entity as the renderer writes it from the whole row, and from the whole row of the
/// entity it expands along `expand` (projected to `nested`).
fn expected(
    app: &TestApp,
    version: ApiVersion,
    record: &Record,
    declared: &str,
    select: Option<&[String]>,
    expand: Option<(&str, Option<&[String]>)>,
) -> Json {
    let model = app.schema.model(version);
    let render = |record: &Record, declared: &str, select: Option<&[String]>| -> Json {
        let entity = Entity {
            model,
            record,
            declared,
            select,
            expand: &[],
            annotations: TypeAnnotations::Always,
            context: None,
        };
        let json: Json = serde_json::from_slice(&entity.to_bytes()).unwrap();
        // Every property the response shows has a value: the data fills them all, so
        // one whose column went unread (rendered as null) cannot go unnoticed.
        for (name, value) in json.as_object().unwrap() {
            assert!(
                !value.is_null(),
                "{declared}.{name} is null in the whole row"
            );
        }
        json
    };
    let mut json = render(record, declared, select);
    if let Some((navigation, nested)) = expand {
        let target = record
            .expanded
            .iter()
            .find_map(|(n, e)| match e {
                store::Expanded::One(Some(one)) if n == navigation => Some(one),
                _ => None,
            })
            .unwrap();
        json[navigation] = render(target, "managedDevice", nested);
    }
    json
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The response's entities compared, one by one, with the whole rows rendered.
fn compare(
    app: &TestApp,
    body: &Json,
    version: ApiVersion,
    records: &HashMap<String, Record>,
    declared: &str,
    select: Option<&[String]>,
    expand: Option<(&str, Option<&[String]>)>,
) -> usize {
    let entities = match body.get("value") {
        Some(Json::Array(entities)) => entities.clone(),
        _ => vec![body.clone()],
    };
    for entity in &entities {
        let mut entity = entity.clone();
        entity.as_object_mut().unwrap().remove("@odata.context");
        let id = entity["id"].as_str().unwrap().to_string();
        let want = expected(app, version, &records[&id], declared, select, expand);
        assert_eq!(entity, want, "{declared} {id} in {}", version.as_str());
    }
    entities.len()
}

#[tokio::test]
async fn pages_and_entities_render_every_property_of_the_whole_row() {
    let app = TestApp::spawn().await;
    fill(&app).await;
    let devices = whole(&app, DEVICES, None).await;
    let states = whole(&app, STATES, Some(SCRIPT)).await;
    let macs = whole(&app, MACS, None).await;
    // (With `id`, which the comparison finds each entity's row by.)
    let picked = names(&["id", "deviceName", "operatingSystem", "complianceState"]);
    for version in ApiVersion::ALL {
        let v = version.as_str();
        let device = id(1, 1);
        // A page ordered by a column `$select` leaves out: the cursor still reads it.
        for (select, query) in [
            (None, String::new()),
            (Some(&picked[..]), format!("&$select={}", picked.join(","))),
        ] {
            let mut url = format!("/{v}/{DEVICES}?$orderby=lastSyncDateTime desc&$top=2{query}");
            let mut seen = 0;
            while !url.is_empty() {
                let reply = app.get(&url).await;
                assert_eq!(reply.status, 200, "{url}: {}", reply.text);
                let body = reply.json();
                seen += compare(
                    &app,
                    &body,
                    version,
                    &devices,
                    "managedDevice",
                    select,
                    None,
                );
                url = body["@odata.nextLink"]
                    .as_str()
                    .map(|next| next.strip_prefix(&app.base).unwrap().to_string())
                    .unwrap_or_default();
            }
            assert_eq!(seen, 3, "every device, over two pages, in {v}");
            let reply = app
                .get(&format!(
                    "/{v}/{DEVICES}/{device}?{}",
                    query.trim_start_matches('&')
                ))
                .await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            compare(
                &app,
                &reply.json(),
                version,
                &devices,
                "managedDevice",
                select,
                None,
            );
        }
    }
    // Run states with their devices (beta has the scripts): the whole page and entity,
    // and each projected on both sides of the expansion.
    let base = format!("/beta/{SCRIPTS}/{SCRIPT}/deviceRunStates");
    let state = id(2, 2);
    let run = names(&["id", "runState", "errorCode"]);
    let device = names(&["deviceName", "lastSyncDateTime"]);
    for (query, select, nested) in [
        ("$expand=managedDevice", None, None),
        (
            "$select=id,runState,errorCode&$expand=managedDevice($select=deviceName,lastSyncDateTime)",
            Some(&run[..]),
            Some(&device[..]),
        ),
    ] {
        let declared = "deviceManagementScriptDeviceState";
        let expand = Some(("managedDevice", nested));
        // The page of three states, then one state.
        for (url, entities) in [
            (format!("{base}?{query}"), 3),
            (format!("{base}/{state}?{query}"), 1),
        ] {
            let reply = app.get(&url).await;
            assert_eq!(reply.status, 200, "{url}: {}", reply.text);
            let body = reply.json();
            let beta = ApiVersion::Beta;
            let count = compare(&app, &body, beta, &states, declared, select, expand);
            assert_eq!(count, entities, "{url}");
        }
    }
    let reply = app
        .get(&format!(
            "/beta/{MACS}?$orderby=lastUpdatedDateTime desc&$top=100"
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let declared = "macOSSoftwareUpdateAccountSummary";
    let count = compare(
        &app,
        &reply.json(),
        ApiVersion::Beta,
        &macs,
        declared,
        None,
        None,
    );
    assert_eq!(count, 3);
}
