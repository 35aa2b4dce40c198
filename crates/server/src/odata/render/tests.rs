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
