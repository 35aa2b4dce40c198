//! `GET /_localgraph/openapi.json`: the control API's OpenAPI 3.1 document, kept as data
//! (`openapi.json` next to this file), its server URL the address the client used.

use axum::Json;
use axum::http::{HeaderMap, Uri};
use serde_json::Value as Json_;

use crate::odata::base_url;

const DOCUMENT: &str = include_str!("openapi.json");

/// The document, served under `base` (`http://127.0.0.1:8080`).
pub fn document(base: &str) -> Json_ {
    // Invariant: the bundled document is JSON (a unit test reads it).
    let mut document: Json_ = serde_json::from_str(DOCUMENT).expect("openapi.json is JSON");
    document["servers"][0]["url"] = Json_::String(base.to_string());
    document
}

/// The handler.
pub async fn get(uri: Uri, headers: HeaderMap) -> Json<Json_> {
    Json(document(&base_url(&uri, &headers)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_reads_and_names_the_server() {
        let document = super::document("http://127.0.0.1:1");
        assert_eq!(document["openapi"], "3.1.0");
        assert_eq!(document["servers"][0]["url"], "http://127.0.0.1:1");
        assert!(document["paths"]["/_localgraph/faults"]["post"].is_object());
    }

    /// A fault rule's method is described as the server reads it (in any case), so a
    /// client checking against the document and the server agree.
    #[test]
    fn a_rules_method_is_described_as_it_is_read() {
        let document = super::document("http://127.0.0.1:1");
        let method = &document["components"]["schemas"]["FaultRuleInput"]["properties"]["method"];
        assert_eq!(method["pattern"], crate::odata::Shape::methods_pattern());
    }
}
