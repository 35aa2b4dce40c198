//! A data set whose tables disagree with the schema in a way no migration settles is
//! refused at open, with what differs, and left unchanged (on PostgreSQL when
//! `TEST_DATABASE_URL` is set, else an SQLite file).

use std::sync::Arc;

use store::{
    Address, Catalog, Changes, PostgresExecutor, SqlStore, SqliteExecutor, Step, Store, StoreError,
};

const V1: &str = include_str!("../../intune/schema/v1.0.csdl.xml");
const BETA: &str = include_str!("../../intune/schema/beta.csdl.xml");
const SCRIPTS: &str = "deviceManagement/deviceManagementScripts";
const GROUP_ASSIGNMENTS_NAV: &str = r#"<NavigationProperty Name="groupAssignments" Type="Collection(graph.deviceManagementScriptGroupAssignment)" ContainsTarget="true" />"#;

/// Where the data set lives: an SQLite file or a PostgreSQL schema, opened again and
/// again with other schemas.
enum Place {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Place {
    async fn new(dir: &std::path::Path) -> Place {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => {
                let name = format!("lg_migrate_{}", uuid::Uuid::new_v4().simple());
                Place::Postgres(PostgresExecutor::create_schema(&url, &name).await.unwrap())
            }
            _ => Place::Sqlite(dir.join("drift.sqlite")),
        }
    }

    async fn open(&self, beta: &str) -> Result<Arc<dyn Store>, StoreError> {
        let schema = intune::Schema::from_documents(V1, beta).unwrap();
        let catalog = Catalog::build(&schema).unwrap();
        Ok(match self {
            Place::Sqlite(path) => {
                let executor = SqliteExecutor::open(path).await?;
                Arc::new(SqlStore::open(catalog, executor).await?)
            }
            Place::Postgres(url) => {
                let executor = PostgresExecutor::connect(url, 2).await?;
                Arc::new(SqlStore::open(catalog, executor).await?)
            }
        })
    }
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
    let dir = tempfile::tempdir().unwrap();
    let place = Place::new(dir.path()).await;
    fill(place.open(BETA).await.unwrap().as_ref(), true).await;

    // A property whose type changed: its column holds text.
    let retyped = BETA.replacen(
        r#"<Property Name="fileName" Type="Edm.String" />"#,
        r#"<Property Name="fileName" Type="Edm.Int64" />"#,
        1,
    );
    assert_ne!(retyped, BETA);
    let message = drift(place.open(&retyped).await);
    for part in ["\"fileName\"", SCRIPTS, "text", "Nothing was changed"] {
        assert!(message.contains(part), "{part:?} is not in: {message}");
    }

    // A navigation the schema no longer has, whose table holds rows.
    let without = BETA.replacen(GROUP_ASSIGNMENTS_NAV, "", 1);
    assert_ne!(without, BETA);
    let message = drift(place.open(&without).await);
    assert!(
        message.contains("groupAssignments") && message.contains("holds rows"),
        "{message}"
    );

    // Nothing was changed: the schema that wrote the data opens it, rows and all.
    let store = place.open(BETA).await.unwrap();
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
    let dir = tempfile::tempdir().unwrap();
    let place = Place::new(dir.path()).await;
    fill(place.open(BETA).await.unwrap().as_ref(), false).await;
    let without = BETA.replacen(GROUP_ASSIGNMENTS_NAV, "", 1);
    assert!(place.open(&without).await.is_ok());
    assert!(place.open(BETA).await.is_ok());
}
