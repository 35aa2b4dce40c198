//! `localgraph openapi` and `localgraph metadata` print the documents the server serves.

use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_localgraph"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8(output.stdout).expect("utf-8"),
    )
}

#[test]
fn openapi_prints_the_version_document() {
    let (ok, out) = run(&[
        "openapi",
        "--version",
        "beta",
        "--server",
        "http://example.test/",
    ]);
    assert!(ok);
    let document: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["servers"][0]["url"], "http://example.test/beta");
    assert!(document["paths"]["/deviceManagement/deviceManagementScripts"]["post"].is_object());
    let (ok, v1) = run(&["openapi"]);
    assert!(ok);
    assert!(
        !v1.contains("deviceManagementScripts"),
        "v1.0 is the default"
    );
}

#[test]
fn metadata_prints_the_csdl_and_unknown_versions_fail() {
    let (ok, out) = run(&["metadata", "--version", "v1.0"]);
    assert!(ok);
    assert!(out.starts_with(r#"<?xml version="1.0" encoding="utf-8"?>"#));
    assert!(out.contains(r#"<Singleton Name="deviceAppManagement""#));
    let (ok, _) = run(&["metadata", "--version", "v2.0"]);
    assert!(!ok);
    // The CSDL names no server: an option that would change nothing is refused.
    let (ok, _) = run(&["metadata", "--server", "http://example.test"]);
    assert!(!ok, "metadata takes no --server");
}
