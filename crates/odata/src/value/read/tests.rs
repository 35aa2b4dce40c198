use serde_json::json;

use super::*;
use crate::fixture::model;

fn read(declared: &str, body: Json, mode: WriteMode) -> Result<EntityBody, ValueError> {
    let object = body.as_object().expect("test bodies are objects").clone();
    read_entity(&model(), declared, &object, &Numbers::default(), mode)
}

#[test]
fn reads_a_valid_body_in_body_order_with_schema_names() {
    let body = read(
        "deviceManagementScript",
        json!({
            "@odata.type": "#microsoft.management.services.api.deviceManagementScript",
            "@odata.context": "ignored",
            "id": "ignored",
            "RunAs32Bit": true,
            "displayName": "x",
            "createdDateTime": "2017-01-01T00:00:56.8321556-08:00",
            "scriptContent": "aGVsbG8-",
            "roleScopeTagIds": ["0", "1"],
            "state": "SUCCESS",
        }),
        WriteMode::Create,
    )
    .unwrap();
    assert_eq!(body.type_name, "deviceManagementScript");
    assert!(body.type_given);
    assert_eq!(
        body.values,
        vec![
            ("runAs32Bit".into(), Value::Bool(true)),
            ("displayName".into(), Value::String("x".into())),
            (
                "createdDateTime".into(),
                Value::DateTimeOffset(
                    crate::datetime::parse("2017-01-01T08:00:56.8321556Z").unwrap()
                )
            ),
            ("scriptContent".into(), Value::String("aGVsbG8+".into())),
            (
                "roleScopeTagIds".into(),
                Value::Json(Box::new(json!(["0", "1"])))
            ),
            ("state".into(), Value::Enum("success".into())),
        ]
    );
}

#[test]
fn complex_values_are_written_complete_with_their_derived_type() {
    let body = read(
        "scriptAssignment",
        json!({"target": {"@odata.type": "microsoft.graph.groupTarget", "groupId": "g"}}),
        WriteMode::Create,
    )
    .unwrap();
    assert_eq!(
        body.values[0].1.to_json(),
        json!({"@odata.type": "#microsoft.graph.groupTarget", "filterId": null, "groupId": "g"})
    );
    let ios = read(
        "appConfiguration",
        json!({"@odata.type": "#microsoft.graph.iosConfiguration", "displayName": "d",
               "settings": [{"key": "k"}]}),
        WriteMode::Create,
    )
    .unwrap();
    assert_eq!(ios.type_name, "iosConfiguration");
    assert_eq!(
        ios.values[1].1.to_json(),
        json!([{"key": "k", "state": "unknown"}])
    );
}

#[test]
fn computed_properties_are_ignored_and_patch_needs_nothing() {
    let body = read(
        "iosConfiguration",
        json!({"lastModifiedDateTime": "not even a date"}),
        WriteMode::Patch,
    )
    .unwrap();
    assert!(body.values.is_empty());
    assert!(!body.type_given);
}

#[test]
fn each_rejection_names_the_property_and_type() {
    let cases = [
        (
            "userSummary",
            json!({"pendingCount": "Integer"}),
            WriteMode::Create,
        ),
        (
            "userSummary",
            json!({"lastUpdateDateTime": "String (timestamp)"}),
            WriteMode::Create,
        ),
        (
            "userSummary",
            json!({"pendingCount": 2147483648_i64}),
            WriteMode::Create,
        ),
        (
            "userSummary",
            json!({"pendingCount": 1.5}),
            WriteMode::Create,
        ),
        (
            "userSummary",
            json!({"pendingCount": null}),
            WriteMode::Patch,
        ),
        (
            "userSummary",
            json!({"pendingCount": [1]}),
            WriteMode::Patch,
        ),
        ("userSummary", json!({"conflictCount": 1}), WriteMode::Patch),
        (
            "userSummary",
            json!({"pendingCount": 1, "PendingCount": 2}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"runSummary": {}}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"runAs32Bit": "true"}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"state": "sideways"}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"scriptContent": "***"}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"roleScopeTagIds": "0"}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"roleScopeTagIds": [null]}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"displayName": 5}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"@odata.type": "#microsoft.graph.nothing"}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"@odata.type": "#microsoft.graph.runSummary"}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"@odata.type": 5}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"@odata.type": "#microsoft.graph.groupTarget"}),
            WriteMode::Patch,
        ),
        (
            "scriptAssignment",
            json!({"target": {"@odata.type": "#microsoft.graph.deviceManagementScript"}}),
            WriteMode::Create,
        ),
        (
            "scriptAssignment",
            json!({"target": {"@odata.type": "#microsoft.graph.runState"}}),
            WriteMode::Create,
        ),
        (
            "scriptAssignment",
            json!({"target": {"@odata.type": "Edm.String"}}),
            WriteMode::Create,
        ),
        (
            "appConfiguration",
            json!({"displayName": "d"}),
            WriteMode::Create,
        ),
        (
            "appConfiguration",
            json!({"displayName": "d"}),
            WriteMode::Patch,
        ),
        ("iosConfiguration", json!({}), WriteMode::Create),
        (
            "iosConfiguration",
            json!({"displayName": "d", "settings": [{"state": "fail"}]}),
            WriteMode::Create,
        ),
        (
            "scriptAssignment",
            json!({"target": {"filterId": "f"}}),
            WriteMode::Create,
        ),
        (
            "scriptAssignment",
            json!({"target": {"@odata.type": "#microsoft.graph.groupTarget", "groupId": 7}}),
            WriteMode::Create,
        ),
        (
            "deviceManagementScript",
            json!({"displayName": "a\u{0}b"}),
            WriteMode::Patch,
        ),
        (
            "deviceManagementScript",
            json!({"roleScopeTagIds": ["0", "\u{0}"]}),
            WriteMode::Patch,
        ),
        (
            "scriptAssignment",
            json!({"target": {"@odata.type": "#microsoft.graph.groupTarget", "groupId": "\u{0}"}}),
            WriteMode::Create,
        ),
    ];
    let messages: Vec<String> = cases
        .into_iter()
        .map(|(declared, body, mode)| {
            let shown = format!("{declared} {body}");
            let err = read(declared, body, mode).expect_err(&shown);
            format!("{shown}\n  => {err}")
        })
        .collect();
    insta::assert_snapshot!(messages.join("\n"));
}

/// A number is quoted as the body wrote it (ODataLib's messages quote the literal), at
/// any depth; `-0` is the integer 0 and fits an Int32.
#[test]
fn numbers_are_quoted_as_the_body_wrote_them() {
    let model = model();
    let read_text = |declared: &str, text: &str| {
        let document = crate::input::parse_document(text.as_bytes()).expect("JSON");
        let Json::Object(object) = &document.json else {
            panic!("an object")
        };
        read_entity(
            &model,
            declared,
            object,
            &document.numbers,
            WriteMode::Create,
        )
    };
    let cases = [
        ("userSummary", r#"{"pendingCount": 1e2}"#, "'1e2'"),
        ("userSummary", r#"{"pendingCount": 1.50}"#, "'1.50'"),
        (
            "userSummary",
            r#"{"pendingCount": 0, "lastUpdateDateTime": -0.0}"#,
            "'-0.0'",
        ),
        (
            "deviceManagementScript",
            r#"{"displayName": "d", "roleScopeTagIds": ["0", 2.50E+1]}"#,
            "'2.50E+1' to the expected type 'Edm.String' of the property 'roleScopeTagIds'",
        ),
        (
            "scriptAssignment",
            r##"{"target": {"@odata.type": "#microsoft.graph.groupTarget", "groupId": 7.0}}"##,
            "'7.0' to the expected type 'Edm.String' of the property 'target/groupId'",
        ),
    ];
    for (declared, text, quoted) in cases {
        let err = read_text(declared, text).expect_err(text).to_string();
        assert!(err.contains(quoted), "{text}: {err}");
    }
    let zero = read_text("userSummary", r#"{"pendingCount": -0}"#).expect("-0 is 0");
    assert_eq!(zero.values, vec![("pendingCount".into(), Value::Int(0))]);
}
