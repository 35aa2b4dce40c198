//! A page ordered by an indexed column is read in the index's order, in either direction
//! (also with its parents' checks in its statement): the database sorts nothing, however
//! many rows the collection holds (on PostgreSQL when
//! `TEST_DATABASE_URL` is set, else an SQLite file). A PostgreSQL data set whose indexes
//! were laid out the old way (nulls last, which no descending page can use) gets them made
//! again when it is opened.

mod common;

use common::Place;

use odata::query::{CompareOp, Expr, Literal, OrderKey};
use store::catalog::ColumnType::{Integer, Text};
use store::plan::{Expect, Plan, Planner, Statement};
use store::sql::{Flavor, Param};
use store::{Executor, ListQuery, PostgresExecutor, Store, TableKind};

const TENANT: &str = "tenant-a";
const ACCOUNTS: &str = "deviceManagement/macOSSoftwareUpdateAccountSummaries";
const DEVICES: &str = "deviceManagement/managedDevices";
const STATE_PATH: &str = "deviceManagement/deviceManagementScripts/deviceRunStates";
/// A script's device states: a collection below another.
const STATES: [(&str, Option<&str>); 2] = [
    ("deviceManagement/deviceManagementScripts", Some("s")),
    (STATE_PATH, None),
];

/// The database's plan of the page `query` of the collection at `path`, one line per step.
async fn plan_of(
    store: &dyn Store,
    executor: &dyn Executor,
    path: &str,
    query: &ListQuery,
) -> String {
    plan_below(store, executor, &[(path, None)], query).await
}

/// The database's plan of the page `query` of the collection `steps` lead to (each a
/// table's path and the key under it), with its parents' checks in its statement.
async fn plan_below(
    store: &dyn Store,
    executor: &dyn Executor,
    steps: &[(&str, Option<&str>)],
    query: &ListQuery,
) -> String {
    let at = common::at(store, steps);
    let planner = Planner {
        catalog: store.catalog(),
        dialect: executor.dialect(),
    };
    let (checks, target) = planner.locate(TENANT, &at);
    let page = planner.page(TENANT, &target, query, &target.table.all, &checks);
    explain(executor, page).await
}

/// The database's plan of `statement`, one line per step.
async fn explain(executor: &dyn Executor, statement: Statement) -> String {
    let flavor = executor.dialect().flavor();
    let (explain, decode) = match flavor {
        // Rows of id, parent, notused, detail.
        Flavor::Sqlite => ("EXPLAIN QUERY PLAN ", vec![Integer, Integer, Integer, Text]),
        // Rows of one line of text.
        Flavor::Postgres => ("EXPLAIN ", vec![Text]),
    };
    let mut statements = Vec::new();
    if flavor == Flavor::Postgres {
        // An empty table is cheapest to scan and sort: with sorting and scanning the rows
        // priced out, the plan has a Sort only where no index gives the order, and reads
        // the index a large table would be read by.
        for setting in ["enable_sort", "enable_seqscan"] {
            statements.push(Statement {
                text: format!("SET LOCAL {setting} = off"),
                params: Vec::new(),
                expect: Expect::Affected,
                decode: Vec::new(),
            });
        }
    }
    statements.push(Statement {
        text: format!("{explain}{}", statement.text),
        params: statement.params,
        expect: Expect::Rows,
        decode,
    });
    let results = executor
        .run(Plan {
            write: false,
            statements,
            max_bytes: None,
            row: None,
            by_key: false,
        })
        .await
        .unwrap();
    results
        .last()
        .unwrap()
        .iter()
        .map(|row| format!("{:?}", row.last().unwrap()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ordered(column: &str, descending: bool) -> ListQuery {
    ListQuery {
        orderby: vec![OrderKey {
            path: vec![column.to_string()],
            descending,
        }],
        size: 100,
        ..ListQuery::default()
    }
}

/// The table of the macOS account summaries.
fn accounts(store: &dyn Store) -> &store::Table {
    let tables = store.catalog().tables();
    tables.iter().find(|t| t.path == ACCOUNTS).unwrap()
}

/// The table of the scripts' device states.
fn states(store: &dyn Store) -> &store::Table {
    let tables = store.catalog().tables();
    tables.iter().find(|t| t.path == STATE_PATH).unwrap()
}

/// Whether the plan sorts rows itself rather than reading them in an index's order.
fn sorts(plan: &str) -> bool {
    plan.contains("TEMP B-TREE") || plan.contains("Sort")
}

#[tokio::test]
async fn pages_ordered_by_a_timestamp_read_its_index_in_either_direction() {
    let place = Place::new().await;
    let store = place.store().await;
    let executor = place.executor().await.unwrap();
    assert_eq!(accounts(store.as_ref()).kind, TableKind::Collection);
    for descending in [true, false] {
        let query = ordered("lastUpdatedDateTime", descending);
        let plan = plan_of(store.as_ref(), executor.as_ref(), ACCOUNTS, &query).await;
        assert!(!sorts(&plan), "descending {descending}: {plan}");
    }
    // The fleet's page: Windows devices, most recently synced first.
    let mut query = ordered("lastSyncDateTime", true);
    query.filter = Some(Expr::Compare(
        CompareOp::Eq,
        Box::new(Expr::Property(vec!["operatingSystem".into()])),
        Box::new(Expr::Literal(Literal::String("Windows".into()))),
    ));
    let plan = plan_of(store.as_ref(), executor.as_ref(), DEVICES, &query).await;
    assert!(!sorts(&plan), "{plan}");
    // A script's device states, below the script: the check that it exists, in the
    // page's statement, changes neither order.
    for query in [
        ordered("lastStateUpdateDateTime", true),
        ListQuery {
            size: 100,
            ..ListQuery::default()
        },
    ] {
        let plan = plan_below(store.as_ref(), executor.as_ref(), &STATES, &query).await;
        assert!(!sorts(&plan), "{query:?}: {plan}");
        // The scripts' table itself (SQLite names it bare, PostgreSQL quoted; the lines
        // are written as `{:?}` writes them), not the states' that begins with its name.
        let checked = [
            "__deviceManagementScripts ",
            "__deviceManagementScripts\\\"",
        ];
        assert!(
            checked.iter().any(|name| plan.contains(name)),
            "the check is in the plan: {plan}"
        );
    }
}

/// Whether the plan reads the table's primary key (tenant, id): SQLite names it
/// `sqlite_autoindex_…`, PostgreSQL `…_pkey`.
fn reads_primary_key(plan: &str) -> bool {
    plan.contains("sqlite_autoindex_") || plan.contains("_pkey")
}

#[tokio::test]
async fn a_root_collection_in_id_order_is_read_by_its_primary_key() {
    let place = Place::new().await;
    let store = place.store().await;
    let executor = place.executor().await.unwrap();
    // The page every client reads first, then one filtered on a property no index has,
    let first = ListQuery {
        size: 100,
        ..ListQuery::default()
    };
    let mut filtered = first.clone();
    filtered.filter = Some(Expr::Compare(
        CompareOp::Gt,
        Box::new(Expr::Property(vec!["failedUpdateCount".into()])),
        Box::new(Expr::Literal(Literal::Int(0))),
    ));
    // And in id order asked for: the key ends the order, in its direction.
    for query in [
        first.clone(),
        filtered,
        ordered("id", false),
        ordered("id", true),
    ] {
        let plan = plan_of(store.as_ref(), executor.as_ref(), ACCOUNTS, &query).await;
        assert!(!sorts(&plan), "{query:?}: {plan}");
        assert!(reads_primary_key(&plan), "{query:?}: {plan}");
    }
    // A data set laid out before had the parent in the table's indexes, which every
    // insert wrote: opened again, it has them no more, and reads as a new one does.
    let table = accounts(store.as_ref());
    let name = table.sql_name.clone();
    let before = store::sql::indexes_before(table);
    assert_eq!(before.len(), 1 + table.indexed().count(), "{before:?}");
    drop(store);
    for index in &before {
        let old =
            format!("CREATE INDEX \"{index}\" ON \"{name}\" (\"_tenant\", \"_parent\", \"id\")");
        run(executor.as_ref(), &old).await;
    }
    assert_eq!(with_parent(executor.as_ref(), &name).await, before.len());
    let store = place.store().await;
    assert_eq!(with_parent(executor.as_ref(), &name).await, 0);
    let plan = plan_of(store.as_ref(), executor.as_ref(), ACCOUNTS, &first).await;
    assert!(reads_primary_key(&plan), "{plan}");
    let plan = plan_of(
        store.as_ref(),
        executor.as_ref(),
        ACCOUNTS,
        &ordered("lastUpdatedDateTime", true),
    )
    .await;
    assert!(!sorts(&plan), "{plan}");
}

#[tokio::test]
async fn a_count_of_some_of_a_tables_types_reads_only_an_index() {
    let place = Place::new().await;
    let store = place.store().await;
    let executor = place.executor().await.unwrap();
    // A data set laid out before had the devices' column indexes without the type:
    // opened again, it has them with it.
    let table = store.catalog().tables().iter().find(|t| t.path == DEVICES);
    let name = table.unwrap().sql_name.clone();
    drop(store);
    let old = format!(
        "DROP INDEX \"{name}__typed_on_complianceState\"; \
         CREATE INDEX \"{name}__on_complianceState\" ON \"{name}\" (\"_tenant\", \"complianceState\", \"id\")"
    );
    for text in old.split("; ") {
        run(executor.as_ref(), text).await;
    }
    let store = place.store().await;
    let on_state: Vec<String> = definitions(executor.as_ref(), &name)
        .await
        .into_iter()
        .filter(|definition| definition.contains("complianceState"))
        .collect();
    assert_eq!(on_state.len(), 1, "{on_state:?}");
    assert!(on_state[0].contains("_type"), "{on_state:?}");
    if matches!(place, Place::Postgres(_)) {
        // PostgreSQL prices an empty table's indexes alike and may read any (with 50,000
        // devices: `Index Only Scan`, bench/HISTORY.md, step 53).
        return;
    }
    // v1.0 sees a device as `managedDevice` only, beside beta's derived types in the same
    // table, and names it in its statements; beta sees them all and names none. Either
    // way a `/$count` filtered on an indexed state is read from the index alone.
    let mut at = common::at(store.as_ref(), &[(DEVICES, None)]);
    let table = &store.catalog().tables()[at.steps[0].table];
    assert!(table.typed(), "{:?}", table.types);
    let compliant = ListQuery {
        filter: Some(Expr::Compare(
            CompareOp::Eq,
            Box::new(Expr::Property(vec!["complianceState".into()])),
            Box::new(Expr::Literal(Literal::Enum {
                type_name: None,
                member: "compliant".into(),
                value: Some(1),
            })),
        )),
        ..ListQuery::default()
    };
    for types in [vec![table.entity_type.clone()], Vec::new()] {
        at.steps[0].types = types;
        let planner = Planner {
            catalog: store.catalog(),
            dialect: executor.dialect(),
        };
        let (checks, target) = planner.locate(TENANT, &at);
        let count = planner.count_checked(TENANT, &checks, &target, &compliant);
        let plan = explain(executor.as_ref(), count).await;
        assert!(plan.contains("USING COVERING INDEX"), "{plan}");
    }
}

/// How many of the table `name`'s indexes have the parent in them.
async fn with_parent(executor: &dyn Executor, name: &str) -> usize {
    definitions(executor, name)
        .await
        .iter()
        .filter(|definition| definition.contains("_parent"))
        .count()
}

/// The definitions of the table `name`'s indexes (but SQLite's primary key's).
async fn definitions(executor: &dyn Executor, name: &str) -> Vec<String> {
    let text = match executor.dialect().flavor() {
        Flavor::Sqlite => {
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
        }
        Flavor::Postgres => {
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1"
        }
    };
    let rows = executor
        .run(Plan {
            write: false,
            statements: vec![Statement {
                text: text.into(),
                params: vec![Param::Text(name.into())],
                expect: Expect::Rows,
                decode: vec![Text],
            }],
            max_bytes: None,
            row: None,
            by_key: false,
        })
        .await
        .unwrap();
    rows[0].iter().map(|row| format!("{:?}", row[0])).collect()
}

#[tokio::test]
async fn indexes_laid_out_nulls_last_are_made_again_at_open() {
    let place = Place::new().await;
    let Place::Postgres(schema) = &place else {
        return; // SQLite sorts nulls first already: its indexes never changed.
    };
    let store = place.store().await;
    let table = states(store.as_ref());
    let (_, index) = table
        .indexed()
        .zip(store::sql::column_indexes(table))
        .find(|(column, _)| &*column.name == "lastStateUpdateDateTime")
        .unwrap();
    let table_name = table.sql_name.clone();
    drop(store);
    // The layout of before: the same index, nulls last.
    let old = format!(
        "DROP INDEX \"{index}\"; CREATE INDEX \"{index}\" ON \"{table_name}\" (\"_tenant\", \"_parent\", \"lastStateUpdateDateTime\", \"id\")"
    );
    let executor = PostgresExecutor::connect(schema.url(), 1).await.unwrap();
    for text in old.split("; ") {
        run(&executor, text).await;
    }
    let store = place.store().await;
    let executor = place.executor().await.unwrap();
    let plan = plan_below(
        store.as_ref(),
        executor.as_ref(),
        &STATES,
        &ordered("lastStateUpdateDateTime", true),
    )
    .await;
    assert!(!sorts(&plan), "{plan}");
}

async fn run(executor: &dyn Executor, text: &str) {
    executor
        .run(Plan {
            write: true,
            statements: vec![Statement {
                text: text.into(),
                params: Vec::new(),
                expect: Expect::Affected,
                decode: Vec::new(),
            }],
            max_bytes: None,
            row: None,
            by_key: false,
        })
        .await
        .unwrap();
}
