//! The control API's OpenAPI document against the server: each refusal the server answers
//! is a status the document lists for that operation, and the document's string schemas
//! (snapshot names, fault rules' paths) accept exactly what the server accepts.

use regex_lite::Regex;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Whether the string schema `schema` (the keywords the document's strings use:
/// `minLength`, `maxLength`, `pattern`, `not`, `anyOf`) accepts `text`, as JSON Schema
/// reads them: lengths in characters, patterns found anywhere unless anchored.
fn accepts(schema: &Value, text: &str) -> bool {
    let length = text.chars().count() as u64;
    schema["minLength"].as_u64().is_none_or(|min| length >= min)
        && schema["maxLength"].as_u64().is_none_or(|max| length <= max)
        && schema["pattern"]
            .as_str()
            .is_none_or(|p| Regex::new(p).expect("a pattern").is_match(text))
        && schema.get("not").is_none_or(|not| !accepts(not, text))
        && schema["anyOf"]
            .as_array()
            .is_none_or(|any| any.iter().any(|s| accepts(s, text)))
}

async fn document(app: &TestApp) -> Value {
    app.anonymous()
        .get("/_localgraph/openapi.json")
        .await
        .json()
}

#[tokio::test]
async fn each_refusal_of_the_server_is_a_status_the_document_lists() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;
    assert_eq!(
        app.post("/_localgraph/snapshots", r#"{"name": "taken"}"#)
            .await
            .status,
        201
    );
    let rule = |path: &str| Some(json!({"path": path, "status": 500}).to_string());
    for (method, template, path, body, status) in [
        (
            "post",
            "/_localgraph/faults",
            None,
            rule("/_localgraph/faults"),
            400,
        ),
        ("post", "/_localgraph/faults", None, rule("/v2.0/x"), 400),
        (
            "post",
            "/_localgraph/faults",
            None,
            rule("/beta/users/**"),
            400,
        ),
        (
            "post",
            "/_localgraph/faults",
            None,
            rule("deviceManagement/**/x"),
            400,
        ),
        (
            "delete",
            "/_localgraph/faults/{id}",
            Some("/_localgraph/faults/none"),
            None,
            404,
        ),
        (
            "put",
            "/_localgraph/throttling",
            None,
            Some(r#"{"mode": "custom"}"#.into()),
            400,
        ),
        (
            "put",
            "/_localgraph/throttling",
            None,
            Some(r#"{"mode": "off", "writesPer20Seconds": 5}"#.into()),
            400,
        ),
        (
            "put",
            "/_localgraph/profile",
            None,
            Some(r#"{"profile": "Observed"}"#.into()),
            400,
        ),
        (
            "get",
            "/_localgraph/requests",
            Some("/_localgraph/requests?top=0"),
            None,
            400,
        ),
        (
            "get",
            "/_localgraph/requests",
            Some("/_localgraph/requests?skip=1"),
            None,
            400,
        ),
        (
            "post",
            "/_localgraph/snapshots",
            None,
            Some(r#"{"name": ".."}"#.into()),
            400,
        ),
        (
            "post",
            "/_localgraph/snapshots",
            None,
            Some(r#"{"name": "taken"}"#.into()),
            409,
        ),
        (
            "post",
            "/_localgraph/snapshots/{name}/restore",
            Some("/_localgraph/snapshots/.../restore"),
            None,
            400,
        ),
        (
            "post",
            "/_localgraph/snapshots/{name}/restore",
            Some("/_localgraph/snapshots/none/restore"),
            None,
            404,
        ),
        (
            "delete",
            "/_localgraph/snapshots/{name}",
            Some("/_localgraph/snapshots/..."),
            None,
            400,
        ),
        (
            "delete",
            "/_localgraph/snapshots/{name}",
            Some("/_localgraph/snapshots/none"),
            None,
            404,
        ),
    ] {
        let path = path.unwrap_or(template);
        let reply = app
            .request(&method.to_ascii_uppercase(), path, body.as_deref(), &[])
            .await;
        assert_eq!(
            reply.status, status,
            "{method} {path} {body:?}: {}",
            reply.text
        );
        let listed = &document["paths"][template][method]["responses"][status.to_string()];
        assert!(
            listed.is_object(),
            "{method} {template}: the document lists no {status}"
        );
    }
}

#[tokio::test]
async fn the_documents_snapshot_names_are_the_names_the_server_takes() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;
    let schema = &document["components"]["schemas"]["SnapshotName"];
    let long = "x".repeat(64);
    let too_long = "x".repeat(65);
    for name in [
        "a", "a.b", ".a", "a.", "-", "_", "v1.0", &long, ".", "..", "...", "a b", "a/b", "é", "",
        &too_long,
    ] {
        let reply = app
            .post("/_localgraph/snapshots", &json!({"name": name}).to_string())
            .await;
        assert!([201, 400].contains(&reply.status), "{name}: {}", reply.text);
        assert_eq!(
            accepts(schema, name),
            reply.status == 201,
            "'{name}': the document and the server ({}) disagree",
            reply.status
        );
    }
}

#[tokio::test]
async fn the_documents_rule_paths_are_the_patterns_the_server_takes() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;
    let schema = &document["components"]["schemas"]["FaultRuleInput"]["properties"]["path"];
    // Paths under a served singleton: the document cannot say which names a version
    // serves, only that the others are refused (the 400's description).
    let long = format!("deviceManagement/{}", "é".repeat(1000));
    let too_long = format!("deviceManagement/{}", "é".repeat(1990));
    for path in [
        "deviceManagement/**",
        "/beta/deviceManagement/*/runSummary",
        "deviceManagement/**/",
        "//deviceManagement//x",
        "deviceManagement/***/x",
        "deviceManagement/x**/y",
        &long,
        "deviceManagement/**/x",
        "deviceManagement/x?y",
        "deviceManagement/x#y",
        "deviceManagement/x\u{1}",
        "deviceManagement/x\u{85}",
        "/",
        "///",
        "",
        &too_long,
    ] {
        let reply = app
            .post(
                "/_localgraph/faults",
                &json!({"path": path, "delayMs": 1, "probability": 0}).to_string(),
            )
            .await;
        assert!([201, 400].contains(&reply.status), "{path}: {}", reply.text);
        assert_eq!(
            accepts(schema, path),
            reply.status == 201,
            "'{path}': the document and the server ({}: {}) disagree",
            reply.status,
            reply.text
        );
    }
}
