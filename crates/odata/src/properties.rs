//! Property tests: the parsers of request text never panic, whatever they are given:
//! arbitrary strings, and strings assembled from OData's own tokens (which reach deeper
//! into the grammar than random text does).

use proptest::prelude::*;
use serde_json::Value as Json;

use crate::Model;
use crate::fixture;
use crate::places::Places;
use crate::query::{QueryOptions, check_filter, parse_filter, parse_orderby};
use crate::{ResourcePath, WriteMode, input, value::read_entity};

/// The fixture model, read once.
fn model() -> &'static Model {
    static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
    MODEL.get_or_init(fixture::model)
}

/// Its served places, built once.
fn places() -> &'static Places {
    static PLACES: std::sync::OnceLock<Places> = std::sync::OnceLock::new();
    PLACES.get_or_init(|| Places::build(model()))
}

/// Text made of OData tokens, literals and stray characters.
fn odata_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("displayName"),
        Just("runAs32Bit"),
        Just("state"),
        Just("createdDateTime"),
        Just("roleScopeTagIds"),
        Just("id"),
        Just(" eq "),
        Just(" ne "),
        Just(" gt "),
        Just(" and "),
        Just(" or "),
        Just("not "),
        Just(" in "),
        Just(" desc"),
        Just("startswith("),
        Just("contains("),
        Just("tolower("),
        Just("("),
        Just(")"),
        Just(","),
        Just("'"),
        Just("''"),
        Just("'a'"),
        Just("null"),
        Just("true"),
        Just("-1"),
        Just("1.5e308"),
        Just("99999999999999999999"),
        Just("2024-01-01T00:00:00Z"),
        Just("01a20299-c7cc-71d1-8a9b-ab17618ed916"),
        Just("microsoft.graph.runState'fail'"),
        Just("/"),
        Just("$"),
        Just("%"),
        Just("%FF"),
        Just("%00"),
        Just("\u{0}"),
        Just("é"),
        Just(" "),
    ];
    prop::collection::vec(token, 0..40).prop_map(|tokens| tokens.concat())
}

/// Any characters (cheaper to make than `any::<String>()`'s regex).
fn arbitrary_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..48).prop_map(String::from_iter)
}

/// Arbitrary text, or text from OData's tokens.
fn request_text() -> impl Strategy<Value = String> {
    prop_oneof![arbitrary_text(), odata_text()]
}

/// Arbitrary JSON, nested a few levels.
fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        request_text().prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let key = prop_oneof![
            Just("displayName".to_string()),
            Just("state".to_string()),
            Just("target".to_string()),
            Just("groupId".to_string()),
            Just("@odata.type".to_string()),
            Just("roleScopeTagIds".to_string()),
            arbitrary_text(),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Json::Array),
            prop::collection::vec((key, inner), 0..8)
                .prop_map(|entries| Json::Object(entries.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1024,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn filters_and_orderbys_never_panic(text in request_text()) {
        let model = model();
        let ty = model.structured("deviceManagementScript").unwrap();
        if let Ok(expr) = parse_filter("$filter", &text) {
            let _ = check_filter(model, ty, expr);
        }
        let _ = parse_orderby("$orderby", &text);
    }

    #[test]
    fn query_strings_never_panic(text in request_text(), option in request_text()) {
        let model = model();
        let ty = model.structured("deviceManagementScript").unwrap();
        let _ = QueryOptions::parse(Some(&text), model, ty);
        let query = format!("$filter={text}&$orderby={option}&$select={option}&$expand={text}");
        let _ = QueryOptions::parse(Some(&query), model, ty);
    }

    #[test]
    fn paths_never_panic(text in request_text()) {
        let model = model();
        let _ = ResourcePath::parse(places(), model, &text);
        let _ = ResourcePath::parse(
            places(),
            model,
            &format!("deviceManagement/deviceManagementScripts/{text}"),
        );
        let _ = input::percent_decode(&text);
    }

    #[test]
    fn bodies_never_panic(body in json()) {
        let model = model();
        let bytes = body.to_string();
        // The body as the server reads it (its numbers as written), else as generated.
        let document = input::parse_document(bytes.as_bytes()).unwrap_or(input::Document {
            json: body,
            numbers: input::Numbers::default(),
        });
        if let Json::Object(object) = &document.json {
            for declared in ["deviceManagementScript", "scriptAssignment", "appConfiguration"] {
                for mode in [WriteMode::Create, WriteMode::Patch, WriteMode::Replace] {
                    let _ = read_entity(model, declared, object, &document.numbers, mode);
                }
            }
        }
    }

    #[test]
    fn json_parsing_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = input::parse_json(&bytes);
    }
}
