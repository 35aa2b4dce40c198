//! A create answers with the entity as stored: on SQLite the row is known from what the
//! insert binds rather than read back (`plan::inserted`), so for every collection of the
//! served catalog, with a value in every column, with none, and with values at the edges
//! of their kinds, the record a create returns must be the record a read of it returns.
//! (The served catalog has no `Real` column; `plan::inserted`'s own tests cover it.)

mod common;

use std::sync::Arc;

use odata::Value;
use store::catalog::ColumnType;
use store::{Changes, Columns, Store, Table, TableKind};

const TENANT: &str = "tenant-a";

/// A value of `ty`'s kind, `plain` or one SQLite keeps differently than bound.
fn value_of(ty: &ColumnType, plain: bool) -> Value {
    match (ty, plain) {
        (ColumnType::Text, _) => Value::String("tékst 'q' \"d\" \u{1F600}".into()),
        (ColumnType::Integer, true) => Value::Int(-42),
        (ColumnType::Integer, false) => Value::Int(i64::MAX),
        (ColumnType::Boolean, plain) => Value::Bool(plain),
        (ColumnType::Real, true) => Value::Float(2.5e-7),
        (ColumnType::Real, false) => Value::Float(-0.0),
        (ColumnType::Ticks, _) => Value::DateTimeOffset(638_000_000_000_000_001),
        (ColumnType::Enum(members), _) => {
            Value::Enum(members.last().map_or("", |(name, _)| name).into())
        }
        (ColumnType::Json, _) => Value::Json(Box::new(serde_json::json!([{"a": 1}, "b"]))),
    }
}

/// Every property of `table` set (`Some(plain)`), or none (`None`).
fn changes(table: &Table, set: Option<bool>) -> Changes {
    let values = set.map_or_else(Vec::new, |plain| {
        table
            .columns
            .iter()
            .filter(|c| c.stamp.is_none() && c.link.is_none())
            .map(|c| (c.name.to_string(), value_of(&c.ty, plain)))
            .collect()
    });
    Changes {
        merged: Vec::new(),
        type_name: table.entity_type.clone(),
        values,
        links: Vec::new(),
    }
}

/// The steps to a new entity of `table`: each collection above it holds one entity made
/// for it (with no properties set).
async fn steps_to(store: &dyn Store, table: &Table) -> Vec<(String, Option<String>)> {
    let mut chain = vec![table.clone()];
    while let Some(parent) = chain.last().unwrap().parent {
        chain.push(store.catalog().table(parent).clone());
    }
    chain.reverse();
    let mut steps: Vec<(String, Option<String>)> = Vec::new();
    for above in &chain[..chain.len() - 1] {
        steps.push((above.path.clone(), None));
        let at = address(store, &steps);
        let key = store
            .create(TENANT, &at, changes(above, None))
            .await
            .unwrap()
            .id;
        steps.last_mut().unwrap().1 = Some(key);
    }
    steps.push((table.path.clone(), None));
    steps
}

fn address(store: &dyn Store, steps: &[(String, Option<String>)]) -> store::Address {
    let steps: Vec<(&str, Option<&str>)> = steps
        .iter()
        .map(|(path, key)| (path.as_str(), key.as_deref()))
        .collect();
    common::at(store, &steps)
}

#[tokio::test]
async fn a_created_entity_is_answered_as_a_read_of_it_returns_it() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _schema): (Arc<dyn Store>, _) = common::open(dir.path(), "created.sqlite").await;
    let collections: Vec<Table> = store
        .catalog()
        .tables()
        .iter()
        .filter(|t| t.kind == TableKind::Collection)
        .cloned()
        .collect();
    for table in &collections {
        for set in [Some(true), Some(false), None] {
            let mut steps = steps_to(&*store, table).await;
            let at = address(&*store, &steps);
            let created = store
                .create(TENANT, &at, changes(table, set))
                .await
                .unwrap();
            steps.last_mut().unwrap().1 = Some(created.id.clone());
            let entity = address(&*store, &steps);
            let read = store
                .get(TENANT, &entity, &Columns::All, &[], None)
                .await
                .unwrap();
            // As `Debug` writes them: `-0.0` and `0.0` are equal as numbers, not as answers.
            assert_eq!(
                format!("{created:?}"),
                format!("{read:?}"),
                "{} with {set:?}",
                table.path
            );
        }
    }
    assert!(collections.len() >= 10, "{} collections", collections.len());
}
