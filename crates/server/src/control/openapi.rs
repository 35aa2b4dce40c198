//! `GET /_localgraph/openapi.json`: the control API's OpenAPI 3.1 document, kept as data
//! (`openapi.json` next to this file), its server URL the address the client used, and
//! the names a fault rule's path may start with (`{firstNames}`) and the versions
//! (`{versions}`) filled in from the schema served, as the fault rules' check reads them.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use intune::{ApiVersion, Schema};
use serde_json::Value as Json_;

use super::pattern::Pattern;
use crate::AppState;
use crate::odata::base_url;

const DOCUMENT: &str = include_str!("openapi.json");

/// The document for `schema`, served under `base` (`http://127.0.0.1:8080`).
pub fn document(base: &str, schema: &Schema) -> Json_ {
    let quoted = |names: Vec<&str>| {
        names
            .iter()
            .map(|name| format!("'{name}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = DOCUMENT
        .replace("{firstNames}", &quoted(Pattern::first_names(schema)))
        .replace(
            "{versions}",
            &quoted(ApiVersion::ALL.map(ApiVersion::as_str).to_vec()),
        );
    // Invariant: the bundled document is JSON, and the names are JSON-safe (a unit test
    // reads it).
    let mut document: Json_ = serde_json::from_str(&text).expect("openapi.json is JSON");
    document["servers"][0]["url"] = Json_::String(base.to_string());
    document
}

/// The handler.
pub async fn get(State(app): State<AppState>, uri: Uri, headers: HeaderMap) -> Json<Json_> {
    Json(document(&base_url(&uri, &headers), &app.schema))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Json_ {
        super::document(
            "http://127.0.0.1:1",
            &Schema::load().expect("the bundled CSDL"),
        )
    }

    #[test]
    fn the_document_reads_and_names_the_server() {
        let document = document();
        assert_eq!(document["openapi"], "3.1.0");
        assert_eq!(document["servers"][0]["url"], "http://127.0.0.1:1");
        assert!(document["paths"]["/_localgraph/faults"]["post"].is_object());
        assert!(!document.to_string().contains("{firstNames}"));
    }

    /// A fault rule's method is described as the server reads it (in any case), so a
    /// client checking against the document and the server agree.
    #[test]
    fn a_rules_method_is_described_as_it_is_read() {
        let document = document();
        let method = &document["components"]["schemas"]["FaultRuleInput"]["properties"]["method"];
        assert_eq!(method["pattern"], crate::odata::Shape::methods_pattern());
    }

    /// The limits the document states are the server's.
    #[test]
    fn the_documents_limits_are_the_servers() {
        let document = document();
        let rule = &document["components"]["schemas"]["FaultRuleInput"]["properties"];
        assert_eq!(rule["path"]["maxLength"], super::super::pattern::MAX_CHARS);
        assert_eq!(
            rule["delayMs"]["maximum"],
            super::super::faults::MAX_DELAY_MS
        );
        assert_eq!(rule["times"]["maximum"], u32::MAX);
        let limits = &document["components"]["schemas"]["Throttling"]["properties"];
        for limit in ["writesPer20Seconds", "requestsPer20Seconds"] {
            assert_eq!(
                limits[limit]["maximum"],
                super::super::throttling::MAX_LIMIT,
                "{limit}"
            );
        }
        let top = &document["paths"]["/_localgraph/requests"]["get"]["parameters"][0]["schema"];
        assert_eq!(top["maximum"], super::super::journal::PER_TENANT);
        // The names a rule's path may start with, as the rules' check gives them.
        let create =
            document["paths"]["/_localgraph/faults"]["post"]["responses"]["400"]["description"]
                .as_str()
                .unwrap();
        assert!(
            create.contains("none of 'deviceAppManagement', 'deviceManagement', '$batch', '$metadata', 'openapi.json', '*' or '**'"),
            "{create}"
        );
        assert!(create.contains("not one of 'v1.0', 'beta'"), "{create}");
    }
}
