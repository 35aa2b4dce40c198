//! A data set whose tables disagree with the schema in a way no migration settles is
//! refused at open, with what differs, and left unchanged (on PostgreSQL when
//! `TEST_DATABASE_URL` is set, else an SQLite file); on PostgreSQL, other schemas changing
//! beside a data set do not fail its opening.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::Place;
use store::plan::{Expect, Plan, Statement};
use store::{
    Address, Catalog, Changes, Executor, PostgresExecutor, ScratchSchema, Step, Store, StoreError,
};

const V1: &str = include_str!("../../intune/schema/v1.0.csdl.xml");
const BETA: &str = include_str!("../../intune/schema/beta.csdl.xml");
const SCRIPTS: &str = "deviceManagement/deviceManagementScripts";
const GROUP_ASSIGNMENTS_NAV: &str = r#"<NavigationProperty Name="groupAssignments" Type="Collection(graph.deviceManagementScriptGroupAssignment)" ContainsTarget="true" />"#;

/// The data set laid out by the v1.0 schema and `beta`.
async fn open(place: &Place, beta: &str) -> Result<Arc<dyn Store>, StoreError> {
    let schema = intune::Schema::from_documents(V1, beta).unwrap();
    place.open(Catalog::build(&schema).unwrap()).await
}

fn table(store: &dyn Store, path: &str) -> store::TableId {
    store
        .catalog()
        .tables()
        .iter()
        .find(|t| t.path == path)
        .unwrap_or_else(|| panic!("no table {path}"))
        .id
}

/// Creates a script, and a group assignment of it when `with_assignment`.
async fn fill(store: &dyn Store, with_assignment: bool) {
    let step = |path: &str, key: Option<&str>| Step {
        table: table(store, path),
        key: key.map(str::to_string),
        types: Vec::new(),
        via: None,
    };
    let changes = |type_name: &str| Changes {
        type_name: type_name.into(),
        values: vec![("displayName".into(), odata::Value::String("a".into()))],
        ..Changes::default()
    };
    let script = store
        .create(
            "tenant-a",
            &Address {
                steps: vec![step(SCRIPTS, None)],
            },
            changes("deviceManagementScript"),
        )
        .await
        .unwrap();
    if with_assignment {
        let assignments = format!("{SCRIPTS}/groupAssignments");
        let at = Address {
            steps: vec![step(SCRIPTS, Some(&script.id)), step(&assignments, None)],
        };
        let assignment = Changes {
            type_name: "deviceManagementScriptGroupAssignment".into(),
            ..Changes::default()
        };
        store.create("tenant-a", &at, assignment).await.unwrap();
    }
}

fn drift(result: Result<Arc<dyn Store>, StoreError>) -> String {
    match result {
        Err(StoreError::SchemaDrift(message)) => message,
        Err(other) => panic!("another error: {other:?}"),
        Ok(_) => panic!("a drifted data set was opened"),
    }
}

#[tokio::test]
async fn a_changed_column_type_or_a_vanished_table_with_rows_is_refused() {
    let place = Place::new().await;
    fill(open(&place, BETA).await.unwrap().as_ref(), true).await;

    // A property whose type changed: its column holds text.
    let retyped = BETA.replacen(
        r#"<Property Name="fileName" Type="Edm.String" />"#,
        r#"<Property Name="fileName" Type="Edm.Int64" />"#,
        1,
    );
    assert_ne!(retyped, BETA);
    let message = drift(open(&place, &retyped).await);
    for part in ["\"fileName\"", SCRIPTS, "text", "Nothing was changed"] {
        assert!(message.contains(part), "{part:?} is not in: {message}");
    }

    // A navigation the schema no longer has, whose table holds rows.
    let without = BETA.replacen(GROUP_ASSIGNMENTS_NAV, "", 1);
    assert_ne!(without, BETA);
    let message = drift(open(&place, &without).await);
    assert!(
        message.contains("groupAssignments") && message.contains("holds rows"),
        "{message}"
    );

    // Nothing was changed: the schema that wrote the data opens it, rows and all.
    let store = open(&place, BETA).await.unwrap();
    let scripts = Address {
        steps: vec![Step {
            table: table(store.as_ref(), SCRIPTS),
            key: None,
            types: Vec::new(),
            via: None,
        }],
    };
    assert_eq!(store.count("tenant-a", &scripts, None).await.unwrap(), 1);
}

#[tokio::test]
async fn an_empty_table_the_schema_no_longer_has_is_left_alone() {
    let place = Place::new().await;
    fill(open(&place, BETA).await.unwrap().as_ref(), false).await;
    let without = BETA.replacen(GROUP_ASSIGNMENTS_NAV, "", 1);
    assert!(open(&place, &without).await.is_ok());
    assert!(open(&place, BETA).await.is_ok());
}

/// A plan of DDL statements, one transaction.
fn ddl(statements: Vec<String>) -> Plan {
    Plan {
        write: true,
        by_key: false,
        statements: statements
            .into_iter()
            .map(|text| Statement {
                text,
                params: Vec::new(),
                expect: Expect::Done,
                decode: Vec::new(),
            })
            .collect(),
        max_bytes: None,
        row: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexes_dropped_by_hand_in_another_schema_do_not_fail_an_open() {
    let place = Place::new().await;
    let Place::Postgres(_) = &place else {
        return; // An SQLite file has no other schemas.
    };
    let catalog = || Catalog::build(&intune::Schema::load().unwrap()).unwrap();
    // Another data set's schema in the same database, whose indexes (named as every data
    // set's are) someone makes and drops by hand, without the migration lock.
    let database = std::env::var("TEST_DATABASE_URL").unwrap();
    let other = ScratchSchema::create(&database, "lg_churn").await.unwrap();
    let churner = PostgresExecutor::connect(other.url(), 1).await.unwrap();
    let names: Vec<String> = catalog()
        .tables()
        .iter()
        .flat_map(store::sql::column_indexes)
        .take(100)
        .collect();
    let mut make = vec!["CREATE TABLE churn (a bigint)".to_string()];
    make.extend(
        names
            .iter()
            .map(|n| format!("CREATE INDEX \"{n}\" ON churn (a)")),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let churn = tokio::spawn({
        let stop = stop.clone();
        async move {
            let mut rounds = 0;
            while !stop.load(Ordering::Relaxed) {
                churner.run(ddl(make.clone())).await.unwrap();
                churner
                    .run(ddl(vec!["DROP TABLE churn".into()]))
                    .await
                    .unwrap();
                rounds += 1;
            }
            rounds
        }
    });
    // Laid out once; then the migration's checks again and again, as nodes opening do.
    drop(place.open(catalog()).await.unwrap());
    let executor = place.executor().await.unwrap();
    let laid_out = catalog();
    for _ in 0..300 {
        let migrated = executor.migrate(&[], &laid_out).await;
        assert!(migrated.is_ok(), "{:?}", migrated.err());
    }
    stop.store(true, Ordering::Relaxed);
    let rounds = churn.await.unwrap();
    assert!(
        rounds > 0,
        "the other schema's indexes were made and dropped"
    );
    drop(other);
}
