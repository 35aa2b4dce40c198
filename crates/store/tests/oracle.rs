//! The SQL backend against the in-memory evaluator: for random rows, random `$filter`s and
//! random `$orderby`s, walking every page with random page sizes must give exactly the
//! rows, in exactly the order, that the evaluator gives over the same entities.

use std::sync::Arc;

use odata::query::eval::Evaluator;
use odata::query::{QueryOptions, check_filter, parse_filter};
use odata::{Model, Value};
use proptest::prelude::*;
use serde_json::{Map, Value as Json};
use store::{
    Address, Catalog, Changes, ListQuery, PostgresExecutor, ScratchSchema, SqlStore,
    SqliteExecutor, Step, Store,
};

const TENANT: &str = "tenant-a";
const STATES: &str =
    "deviceManagement/macOSSoftwareUpdateAccountSummaries/categorySummaries/updateStateSummaries";

/// One random row of `macOSSoftwareUpdateStateSummary`.
#[derive(Debug, Clone)]
struct Row {
    display_name: String,
    product_key: Option<String>,
    update_version: Option<String>,
    state: &'static str,
    category: &'static str,
    day: i64,
}

fn text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "", "a", "ab", "abc", "b", "ba", "B", "Ab", "x'y", "a%_",
    ])
    .prop_map(str::to_string)
}

fn row() -> impl Strategy<Value = Row> {
    (
        text(),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::sample::select(vec!["success", "downloading", "installFailed", "idle"]),
        prop::sample::select(vec!["critical", "firmware", "other"]),
        0i64..4,
    )
        .prop_map(
            |(display_name, product_key, update_version, state, category, day)| Row {
                display_name,
                product_key,
                update_version,
                state,
                category,
                day,
            },
        )
}

fn literal_text() -> impl Strategy<Value = String> {
    text().prop_map(|t| format!("'{}'", t.replace('\'', "''")))
}

/// A random, well-typed `$filter` over the state summary's properties.
fn filter() -> impl Strategy<Value = String> {
    let string_prop = prop::sample::select(vec!["displayName", "productKey", "updateVersion"]);
    let op = prop::sample::select(vec!["eq", "ne", "gt", "ge", "lt", "le"]);
    let leaf = prop_oneof![
        (string_prop.clone(), op.clone(), literal_text())
            .prop_map(|(p, o, l)| format!("{p} {o} {l}")),
        (string_prop.clone(), prop::sample::select(vec!["eq", "ne"]))
            .prop_map(|(p, o)| format!("{p} {o} null")),
        (
            prop::sample::select(vec!["startswith", "endswith", "contains"]),
            string_prop.clone(),
            literal_text()
        )
            .prop_map(|(f, p, l)| format!("{f}({p}, {l})")),
        (
            prop::sample::select(vec!["tolower", "toupper"]),
            string_prop.clone(),
            literal_text()
        )
            .prop_map(|(f, p, l)| format!("{f}({p}) eq {l}")),
        (
            op.clone(),
            prop::sample::select(vec!["success", "downloading", "installFailed", "idle"])
        )
            .prop_map(|(o, s)| format!("state {o} '{s}'")),
        prop::sample::subsequence(vec!["'critical'", "'firmware'", "'other'"], 1..3)
            .prop_map(|c| format!("updateCategory in ({})", c.join(", "))),
        (op.clone(), 0i64..4)
            .prop_map(|(o, d)| format!("lastUpdatedDateTime {o} 2026-01-0{}T00:00:00Z", d + 1)),
        (string_prop.clone(), string_prop).prop_map(|(a, b)| format!("{a} eq {b}")),
        // Literals on both sides: bound by their own types.
        (op.clone(), 0i64..3, 0i64..3).prop_map(|(o, a, b)| format!("2026-01-0{}T00:00:00.5Z {o} 2026-01-0{}T00:00:00Z", a + 1, b + 1)),
        (prop::sample::select(vec!["eq", "ne", "gt", "lt"]), prop::sample::select(vec!["success", "idle"]))
            .prop_map(|(o, m)| format!("microsoft.graph.macOSSoftwareUpdateState'{m}' {o} microsoft.graph.macOSSoftwareUpdateState'installFailed'")),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| format!("not ({e})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("({a}) or ({b})")),
        ]
    })
}

/// Up to three distinct keys (a property given twice is a 400), each asc or desc.
fn orderby() -> impl Strategy<Value = String> {
    let properties = prop::sample::subsequence(
        vec![
            "displayName",
            "productKey",
            "updateVersion",
            "state",
            "updateCategory",
            "lastUpdatedDateTime",
            // The key: what follows it orders nothing, and it ends the order itself.
            "id",
        ],
        0..3,
    )
    .prop_shuffle();
    (properties, prop::collection::vec(prop::bool::ANY, 3)).prop_map(|(keys, desc)| {
        keys.iter()
            .zip(desc)
            .map(|(p, desc)| format!("{p}{}", if desc { " desc" } else { "" }))
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// One store for every case (each case writes under a parent of its own): PostgreSQL in a
/// fresh schema when `TEST_DATABASE_URL` is set, else a fresh SQLite file. Its fields drop
/// in order: the runtime and the store before the schema.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    store: Arc<dyn Store>,
    model: Model,
    _dir: tempfile::TempDir,
    _schema: Option<ScratchSchema>,
}

impl Fixture {
    fn new() -> Fixture {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let schema = intune::Schema::load().unwrap();
        let model = schema.model(intune::ApiVersion::Beta).clone();
        let (store, scratch) = runtime.block_on(async {
            let catalog = Catalog::build(&schema).unwrap();
            match std::env::var("TEST_DATABASE_URL") {
                Ok(url) => {
                    let scratch = ScratchSchema::create(&url, "lg_oracle").await.unwrap();
                    let executor = PostgresExecutor::connect(scratch.url(), 2).await.unwrap();
                    let store = SqlStore::open(catalog, executor).await.unwrap();
                    (Arc::new(store) as Arc<dyn Store>, Some(scratch))
                }
                Err(_) => {
                    let path = dir.path().join("oracle.sqlite");
                    let executor = SqliteExecutor::open(&path).await.unwrap();
                    let store = SqlStore::open(catalog, executor).await.unwrap();
                    (Arc::new(store) as Arc<dyn Store>, None)
                }
            }
        });
        Fixture {
            runtime,
            store,
            model,
            _dir: dir,
            _schema: scratch,
        }
    }
}

/// A fresh account summary and category to hold this case's rows; their address.
async fn parent(store: &dyn Store) -> Address {
    let catalog = store.catalog();
    let table = |path: &str| catalog.tables().iter().find(|t| t.path == path).unwrap().id;
    let step = |path: &str, key: Option<String>| Step {
        table: table(path),
        key,
        types: Vec::new(),
        via: None,
    };
    let accounts = "deviceManagement/macOSSoftwareUpdateAccountSummaries";
    let categories = "deviceManagement/macOSSoftwareUpdateAccountSummaries/categorySummaries";
    let name = |n: &str| vec![("displayName".to_string(), Value::String(n.into()))];
    let account = store
        .create(
            TENANT,
            &Address {
                steps: vec![step(accounts, None)],
            },
            Changes {
                type_name: "macOSSoftwareUpdateAccountSummary".into(),
                values: name("Mac"),
                ..Changes::default()
            },
        )
        .await
        .unwrap();
    let at = Address {
        steps: vec![
            step(accounts, Some(account.id.clone())),
            step(categories, None),
        ],
    };
    let category = store
        .create(
            TENANT,
            &at,
            Changes {
                type_name: "macOSSoftwareUpdateCategorySummary".into(),
                values: name("Cat"),
                ..Changes::default()
            },
        )
        .await
        .unwrap();
    Address {
        steps: vec![
            step(accounts, Some(account.id)),
            step(categories, Some(category.id)),
            step(STATES, None),
        ],
    }
}

fn changes(row: &Row) -> Changes {
    let opt = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    Changes {
        type_name: "macOSSoftwareUpdateStateSummary".into(),
        values: vec![
            (
                "displayName".into(),
                Value::String(row.display_name.clone()),
            ),
            ("productKey".into(), opt(&row.product_key)),
            ("updateVersion".into(), opt(&row.update_version)),
            ("state".into(), Value::Enum(row.state.into())),
            ("updateCategory".into(), Value::Enum(row.category.into())),
            (
                "lastUpdatedDateTime".into(),
                Value::DateTimeOffset(
                    odata::datetime::parse(&format!("2026-01-0{}T00:00:00Z", row.day + 1)).unwrap(),
                ),
            ),
        ],
        ..Changes::default()
    }
}

fn as_json(record: &store::Record) -> Json {
    let mut map = Map::new();
    map.insert("id".into(), Json::String(record.id.clone()));
    for (name, value) in record.properties() {
        map.insert(name.to_string(), value.to_json());
    }
    Json::Object(map)
}

#[test]
fn sql_pages_equal_the_evaluator() {
    let f = &Fixture::new();
    proptest!(ProptestConfig { cases: 256, ..ProptestConfig::default() }, |(rows in prop::collection::vec(row(), 0..18), filter in filter(), orderby in orderby(), page in 1usize..6)| {
        let ty = f.model.structured("macOSSoftwareUpdateStateSummary").unwrap();
        let mut raw = format!("$filter={filter}");
        if !orderby.is_empty() {
            raw.push_str(&format!("&$orderby={orderby}"));
        }
        let raw = raw.replace('%', "%25").replace('+', "%2B");
        let options = QueryOptions::parse(Some(&raw), &f.model, ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (sql_ids, all, count) = f.runtime.block_on(async {
            let at = parent(f.store.as_ref()).await;
            for row in &rows {
                f.store.create(TENANT, &at, changes(row)).await.unwrap();
            }
            let mut query = ListQuery { filter: options.filter.clone(), orderby: options.orderby.clone(), size: page, count: true, ..ListQuery::default() };
            let mut ids = Vec::new();
            let mut count = None;
            for _ in 0..=rows.len() + 1 {
                let result = f.store.list(TENANT, &at, &query).await.unwrap();
                count = count.or(result.count);
                ids.extend(result.records.iter().map(|r| r.id.clone()));
                match result.next {
                    Some(next) => { query.after = Some(next); query.count = false; }
                    None => break,
                }
            }
            // A walk that never ends shows up as more ids than rows.
            let everything = f.store.list(TENANT, &at, &ListQuery { size: 999, ..ListQuery::default() }).await.unwrap();
            (ids, everything.records.iter().map(as_json).collect::<Vec<_>>(), count)
        });
        let evaluator = Evaluator::new(&f.model, ty);
        let mut expected: Vec<&Json> = all.iter().filter(|e| options.filter.as_ref().is_none_or(|x| evaluator.matches(x, e))).collect();
        expected.sort_by(|a, b| evaluator.compare(&options.orderby, a, b));
        let expected_ids: Vec<String> = expected.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
        prop_assert_eq!(count, Some(expected_ids.len() as u64));
        prop_assert_eq!(sql_ids, expected_ids, "filter {} orderby {}", filter, orderby);
    });
}

#[test]
fn a_parsed_filter_is_what_the_oracle_checks() {
    // Sanity for the generator: a handful of its shapes parse and check.
    let model = intune::Schema::load()
        .unwrap()
        .model(intune::ApiVersion::Beta)
        .clone();
    let ty = model.structured("macOSSoftwareUpdateStateSummary").unwrap();
    for text in [
        "state gt 'downloading'",
        "updateCategory in ('critical')",
        "productKey eq updateVersion",
    ] {
        check_filter(&model, ty, parse_filter("$filter", text).unwrap()).unwrap();
    }
}
