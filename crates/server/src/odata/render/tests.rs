use intune::{ApiVersion, Schema};
use odata::Value;
use serde_json::json;
use store::Record;

use super::{Entity, TypeAnnotations};

const ACCOUNT: &str = "macOSSoftwareUpdateAccountSummary";

fn render(record: &Record, select: Option<&[String]>) -> serde_json::Value {
    let schema = Schema::load().unwrap();
    let entity = Entity {
        model: schema.model(ApiVersion::Beta),
        record,
        declared: ACCOUNT,
        select,
        expand: &[],
        annotations: TypeAnnotations::Always,
        context: Some("ctx"),
    };
    let bytes = entity.to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

fn account(values: Vec<(&str, Value)>) -> Record {
    Record {
        type_name: ACCOUNT.into(),
        id: "a1".into(),
        values: values.into_iter().map(|(k, v)| (k.into(), v)).collect(),
        expanded: Vec::new(),
    }
}

#[test]
fn values_render_in_the_models_order_whatever_order_the_record_holds_them() {
    // Reversed, one missing, a non-finite float: each lands where the model puts it.
    let record = account(vec![
        ("lastUpdatedDateTime", Value::DateTimeOffset(0)),
        ("totalUpdateCount", Value::Int(9)),
        ("failedUpdateCount", Value::Float(f64::NAN)),
        ("successfulUpdateCount", Value::Int(7)),
        ("osVersion", Value::Null),
        (
            "userPrincipalName",
            Value::String("u@contoso.example".into()),
        ),
        ("deviceName", Value::String("MAC \"1\"".into())),
        ("userId", Value::Json(json!({"nested": [1, 2]}))),
        ("displayName", Value::Bool(true)),
    ]);
    let body = render(&record, None);
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "@odata.context",
            "@odata.type",
            "id",
            "displayName",
            "deviceId",
            "userId",
            "deviceName",
            "userPrincipalName",
            "osVersion",
            "successfulUpdateCount",
            "failedUpdateCount",
            "totalUpdateCount",
            "lastUpdatedDateTime",
        ]
    );
    assert_eq!(
        body,
        json!({
            "@odata.context": "ctx",
            "@odata.type": "#microsoft.graph.macOSSoftwareUpdateAccountSummary",
            "id": "a1",
            "displayName": true,
            "deviceId": null,
            "userId": {"nested": [1, 2]},
            "deviceName": "MAC \"1\"",
            "userPrincipalName": "u@contoso.example",
            "osVersion": null,
            "successfulUpdateCount": 7,
            "failedUpdateCount": null,
            "totalUpdateCount": 9,
            "lastUpdatedDateTime": "0001-01-01T00:00:00Z",
        })
    );
}

#[test]
fn select_keeps_the_chosen_properties_and_the_annotations() {
    let record = account(vec![
        ("displayName", Value::String("Mac".into())),
        ("failedUpdateCount", Value::Int(2)),
    ]);
    let select = ["failedUpdateCount".to_string()];
    assert_eq!(
        render(&record, Some(&select)),
        json!({
            "@odata.context": "ctx",
            "@odata.type": "#microsoft.graph.macOSSoftwareUpdateAccountSummary",
            "failedUpdateCount": 2,
        })
    );
}

/// A page renders each entity as it renders alone: the entities after the first take
/// the first one's shape, and one whose values sit elsewhere (another read's columns, in
/// another order, one missing) or whose type differs is still rendered from its own.
#[test]
fn a_page_renders_each_entity_as_it_renders_alone() {
    let schema = Schema::load().unwrap();
    let names: Vec<std::sync::Arc<str>> = ["displayName", "failedUpdateCount", "osVersion"]
        .into_iter()
        .map(Into::into)
        .collect();
    let read = |id: &str, name: &str, failed: i64| Record {
        type_name: ACCOUNT.into(),
        id: id.into(),
        values: names
            .iter()
            .cloned()
            .zip([
                Value::String(name.into()),
                Value::Int(failed),
                Value::String("14.1".into()),
            ])
            .collect(),
        expanded: Vec::new(),
    };
    let mut reordered = account(vec![
        ("osVersion", Value::String("15.0".into())),
        ("displayName", Value::String("third".into())),
    ]);
    reordered.id = "a3".into();
    let mut other_type = read("a4", "fourth", 4);
    other_type.type_name = "notInTheModel".into();
    let records = [
        read("a1", "first", 1),
        read("a2", "second", 2),
        reordered,
        other_type,
    ];
    let entity = |record| Entity {
        model: schema.model(ApiVersion::Beta),
        record,
        declared: ACCOUNT,
        select: None,
        expand: &[],
        annotations: TypeAnnotations::Always,
        context: None,
    };
    let page: serde_json::Value =
        serde_json::from_slice(&super::page("ctx", None, None, records.iter().map(entity)))
            .unwrap();
    let alone: Vec<serde_json::Value> = records
        .iter()
        .map(|r| serde_json::from_slice(&entity(r).to_bytes()).unwrap())
        .collect();
    assert_eq!(page["value"], serde_json::Value::Array(alone));
    assert_eq!(page["value"][1]["displayName"], "second");
    assert_eq!(page["value"][2]["displayName"], "third");
    assert_eq!(page["value"][2]["osVersion"], "15.0");
    assert_eq!(
        page["value"][2]["failedUpdateCount"],
        serde_json::Value::Null
    );
    assert_eq!(
        page["value"][3]["@odata.type"],
        "#microsoft.graph.notInTheModel"
    );
    assert_eq!(page["value"][3]["failedUpdateCount"], 4);
}
