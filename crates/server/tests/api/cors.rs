//! CORS as a browser on another origin meets it: preflights answered before the token is
//! looked at, Graph's `Access-Control-*` headers on Graph's paths and the authority's,
//! none on localgraph's own paths or without `Origin`.

use crate::helpers::TestApp;

const ORIGIN: &str = "https://dashboard.example.com";
const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const EXPOSED: &str = "etag,location,preference-applied,content-range,request-id,\
client-request-id,readwriteconsistencytoken,sdkversion,www-authenticate,\
x-ms-client-gcc-tenant,retry-after";

/// A header's comma-separated values, lower-cased and without spaces.
fn list(value: Option<&str>) -> String {
    value
        .unwrap_or_default()
        .to_ascii_lowercase()
        .replace(' ', "")
}

#[tokio::test]
async fn a_preflight_is_answered_before_authentication() {
    let app = TestApp::spawn().await;
    let browser = app.anonymous();
    for (path, method) in [
        (SUMMARY, "PATCH"),
        ("/beta/$batch", "POST"),
        ("/beta/deviceManagement/deviceManagementScripts", "GET"),
        (&*format!("/{}/oauth2/v2.0/token", app.tenant), "POST"),
    ] {
        let preflight = browser
            .request(
                "OPTIONS",
                path,
                None,
                &[
                    ("Origin", ORIGIN),
                    ("Access-Control-Request-Method", method),
                    (
                        "Access-Control-Request-Headers",
                        "authorization,content-type,client-request-id,prefer,consistencylevel",
                    ),
                ],
            )
            .await;
        assert_eq!(preflight.status, 200, "{path}: {}", preflight.text);
        assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
        let methods = list(preflight.header("access-control-allow-methods"));
        assert!(
            methods.split(',').any(|m| m == method.to_ascii_lowercase()),
            "{methods}"
        );
        let headers = list(preflight.header("access-control-allow-headers"));
        for name in [
            "authorization",
            "content-type",
            "client-request-id",
            "prefer",
            "consistencylevel",
        ] {
            assert!(headers.split(',').any(|h| h == name), "{name} in {headers}");
        }
        assert!(preflight.header("request-id").is_some());
    }
}

#[tokio::test]
async fn a_cross_origin_request_gets_graph_cors_headers_on_success_and_error() {
    let app = TestApp::spawn().await;
    let read = app
        .request("GET", SUMMARY, None, &[("Origin", ORIGIN)])
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.header("access-control-allow-origin"), Some("*"));
    assert_eq!(list(read.header("access-control-expose-headers")), EXPOSED);
    // A page reads a 401's body and WWW-Authenticate too.
    let refused = app
        .anonymous()
        .request("GET", SUMMARY, None, &[("Origin", ORIGIN)])
        .await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("access-control-allow-origin"), Some("*"));
    // Without Origin, as Graph: no CORS headers.
    let plain = app.get(SUMMARY).await;
    assert_eq!(plain.status, 200);
    assert!(plain.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn localgraph_own_paths_answer_no_cors() {
    let app = TestApp::spawn().await;
    for path in ["/_localgraph/faults", "/"] {
        let reply = app.request("GET", path, None, &[("Origin", ORIGIN)]).await;
        assert!(reply.status < 400, "{path}: {}", reply.text);
        assert!(
            reply.header("access-control-allow-origin").is_none(),
            "{path}"
        );
    }
    let preflight = app
        .anonymous()
        .request(
            "OPTIONS",
            "/_localgraph/faults",
            None,
            &[
                ("Origin", ORIGIN),
                ("Access-Control-Request-Method", "POST"),
            ],
        )
        .await;
    assert!(preflight.header("access-control-allow-origin").is_none());
}
