//! How many plans (transactions) a read below a parent takes: one, and an empty page
//! without a count two (the page, then the probe that tells it from a missing parent), on
//! PostgreSQL when `TEST_DATABASE_URL` is set, else SQLite.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::below::*;
use store::plan::{Plan, Rows};
use store::sql::Dialect;
use store::{Catalog, Executor, PoolUse, SqlStore, Store, StoreError};

/// An executor that counts the plans (transactions) it is given.
struct Counting {
    inner: Box<dyn Executor>,
    plans: Arc<AtomicUsize>,
}

#[async_trait::async_trait]
impl Executor for Counting {
    async fn run(&self, plan: Plan) -> Result<Vec<Rows>, StoreError> {
        self.plans.fetch_add(1, Ordering::SeqCst);
        self.inner.run(plan).await
    }

    async fn migrate(&self, statements: &[String], catalog: &Catalog) -> Result<(), StoreError> {
        self.inner.migrate(statements, catalog).await
    }

    fn dialect(&self) -> &dyn Dialect {
        self.inner.dialect()
    }

    fn pool_use(&self) -> PoolUse {
        self.inner.pool_use()
    }
}

#[tokio::test]
async fn a_read_below_a_parent_is_one_plan_and_an_empty_page_two() {
    let place = common::Place::new().await;
    let plans = Arc::new(AtomicUsize::new(0));
    let executor = Counting {
        inner: place.executor().await.unwrap(),
        plans: plans.clone(),
    };
    let catalog = Catalog::build(&intune::Schema::load().unwrap()).unwrap();
    let store = SqlStore::open(catalog, executor).await.unwrap();
    let s: &dyn Store = &store;
    let runs = format!("{SCRIPTS}/deviceRunStates");
    let (device, script) = device_and_script(s).await;
    let runs_of = |script: &str| below(s, script, &[], &[(&runs, None)], None);
    let state = create(
        s,
        &runs_of(&script),
        "deviceManagementScriptDeviceState",
        Some(&device),
    )
    .await;
    let plans_of = |counted: &AtomicUsize| counted.swap(0, Ordering::SeqCst);
    plans_of(&plans);

    let at = below(s, &script, &[], &[(&runs, Some(&state))], None);
    get(s, &at).await.unwrap();
    assert_eq!(plans_of(&plans), 1, "an entity");
    s.count(TENANT, &runs_of(&script), None).await.unwrap();
    assert_eq!(plans_of(&plans), 1, "a count");
    let page = |count| store::ListQuery {
        size: 10,
        count,
        ..store::ListQuery::default()
    };
    s.list(TENANT, &runs_of(&script), &page(false))
        .await
        .unwrap();
    assert_eq!(plans_of(&plans), 1, "a page with rows");
    s.list(TENANT, &runs_of(&script), &page(true))
        .await
        .unwrap();
    assert_eq!(plans_of(&plans), 1, "a page with rows and its count");
    let empty = store::ListQuery {
        skip: 5,
        ..page(false)
    };
    s.list(TENANT, &runs_of(&script), &empty).await.unwrap();
    assert_eq!(plans_of(&plans), 2, "an empty page and its probe");
    let result = s.list(TENANT, &runs_of(GHOST), &empty).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    assert_eq!(
        plans_of(&plans),
        2,
        "an empty page and its probe, a parent missing"
    );
    let counted = store::ListQuery {
        skip: 5,
        ..page(true)
    };
    s.list(TENANT, &runs_of(&script), &counted).await.unwrap();
    assert_eq!(plans_of(&plans), 1, "an empty page with its count");
}
