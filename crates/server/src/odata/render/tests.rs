use intune::{ApiVersion, Schema};
use odata::query::Expand;
use odata::{Model, Value};
use serde_json::json;
use store::{Expanded, Names, Record};

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
        names: values.iter().map(|(k, _)| (*k).into()).collect(),
        values: values.into_iter().map(|(_, v)| v).collect(),
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
        ("userId", Value::Json(Box::new(json!({"nested": [1, 2]})))),
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

/// A page's bytes, and the bytes of a page of its entities each rendered alone.
fn page_and_alone(entities: &[Entity<'_>]) -> (Vec<u8>, Vec<u8>) {
    let page = super::page("ctx", None, None, entities.iter().copied());
    let mut alone = br#"{"@odata.context":"ctx","value":["#.to_vec();
    for (i, entity) in entities.iter().enumerate() {
        if i > 0 {
            alone.push(b',');
        }
        alone.extend(entity.to_bytes());
    }
    alone.extend(b"]}");
    (page, alone)
}

/// An entity of `model` declared as `declared`, every one annotated, nothing selected or
/// expanded.
fn entity<'a>(model: &'a Model, record: &'a Record, declared: &'a str) -> Entity<'a> {
    Entity {
        model,
        record,
        declared,
        select: None,
        expand: &[],
        annotations: TypeAnnotations::Always,
        context: None,
    }
}

/// `$expand` of a collection-valued `navigation` to `target`, with its `$select`.
fn collection(navigation: &str, target: &str, select: Option<Vec<String>>) -> Expand {
    Expand {
        navigation: navigation.into(),
        target: target.into(),
        collection: true,
        select,
        filter: None,
        orderby: Vec::new(),
        top: None,
    }
}

/// Records of `type_names`, each holding a value for every one of `names` (one list
/// shared, as the records of one read share it): `"{name}-{i}"`.
fn records(type_names: &[&str], names: &Names) -> Vec<Record> {
    type_names
        .iter()
        .enumerate()
        .map(|(i, type_name)| Record {
            type_name: (*type_name).into(),
            id: format!("r{i}"),
            names: names.clone(),
            values: names
                .iter()
                .map(|n| Value::String(format!("{n}-{i}")))
                .collect(),
            expanded: Vec::new(),
        })
        .collect()
}

/// A page renders each entity as it renders alone: the entities after the first take
/// the first one's shape, and one whose values sit elsewhere (another read's columns, in
/// another order, one missing) or whose type the model lacks is still rendered from its
/// own.
#[test]
fn a_page_renders_each_entity_as_it_renders_alone() {
    let schema = Schema::load().unwrap();
    let names: Names = ["displayName", "failedUpdateCount", "osVersion"]
        .into_iter()
        .map(Into::into)
        .collect();
    let mut records = records(&[ACCOUNT, ACCOUNT, "notInTheModel"], &names);
    let mut reordered = account(vec![
        ("osVersion", Value::String("15.0".into())),
        ("displayName", Value::String("third".into())),
    ]);
    reordered.id = "a3".into();
    records.insert(2, reordered);
    let model = schema.model(ApiVersion::Beta);
    let entities: Vec<Entity> = records.iter().map(|r| entity(model, r, ACCOUNT)).collect();
    let (page, alone) = page_and_alone(&entities);
    assert_eq!(String::from_utf8(page.clone()), String::from_utf8(alone));
    let page: serde_json::Value = serde_json::from_slice(&page).unwrap();
    assert_eq!(page["value"][1]["displayName"], "displayName-1");
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
    assert_eq!(page["value"][3]["failedUpdateCount"], "failedUpdateCount-2");
}

/// In a page of a type and a type derived from it (one table's columns, shared), each
/// entity renders its own type's properties.
#[test]
fn a_page_of_derived_types_renders_each_type_s_properties() {
    let schema = Schema::load().unwrap();
    let model = schema.model(ApiVersion::Beta);
    let (base, derived) = model
        .structured_types()
        .filter(|t| t.is_entity)
        .find_map(|t| {
            let more = |d: &&odata::edm::StructuredType| d.properties.len() > t.properties.len();
            let derived = t.derived.iter().filter_map(|d| model.structured(d));
            derived.into_iter().find(more).map(|d| (t, d))
        })
        .expect("a type with a derived type that adds properties");
    let own = &derived.properties.last().unwrap().name;
    let names: Names = derived
        .properties
        .iter()
        .filter(|p| !derived.key.contains(&p.name))
        .map(|p| p.name.as_str().into())
        .collect();
    let (b, d) = (base.name.as_str(), derived.name.as_str());
    let records = records(&[b, d, b, d], &names);
    let entities: Vec<Entity> = records
        .iter()
        .map(|r| Entity {
            annotations: TypeAnnotations::Derived,
            ..entity(model, r, b)
        })
        .collect();
    let (page, alone) = page_and_alone(&entities);
    assert_eq!(String::from_utf8(page.clone()), String::from_utf8(alone));
    let page: serde_json::Value = serde_json::from_slice(&page).unwrap();
    assert_eq!(page["value"][0].get(own), None, "{b} has no {own}");
    assert_eq!(page["value"][3][own], format!("{own}-3"));
    assert_eq!(
        page["value"][3]["@odata.type"],
        format!("#microsoft.graph.{d}")
    );
}

/// With `$select` and an expanded collection, a page renders each entity, and each
/// expanded one, as it renders alone, with its own values.
#[test]
fn a_page_with_select_and_expand_renders_each_entity_as_alone() {
    let schema = Schema::load().unwrap();
    let state_names: Names = ["runState", "resultMessage"]
        .into_iter()
        .map(Into::into)
        .collect();
    let script_names: Names = ["displayName", "description"]
        .into_iter()
        .map(Into::into)
        .collect();
    const STATE: &str = "deviceManagementScriptDeviceState";
    let mut scripts = records(&["deviceManagementScript"; 2], &script_names);
    for (i, script) in scripts.iter_mut().enumerate() {
        let mut states = records(&[STATE; 2], &state_names);
        for (j, state) in states.iter_mut().enumerate() {
            state.values[1] = Value::String(format!("result-{i}-{j}"));
        }
        script.expanded = vec![("deviceRunStates".into(), Expanded::Many(states))];
    }
    let select = ["displayName".to_string()];
    let expand = [collection(
        "deviceRunStates",
        STATE,
        Some(vec!["resultMessage".into()]),
    )];
    let model = schema.model(ApiVersion::Beta);
    let entities: Vec<Entity> = scripts
        .iter()
        .map(|r| Entity {
            select: Some(&select),
            expand: &expand,
            ..entity(model, r, "deviceManagementScript")
        })
        .collect();
    let (page, alone) = page_and_alone(&entities);
    assert_eq!(String::from_utf8(page.clone()), String::from_utf8(alone));
    let page: serde_json::Value = serde_json::from_slice(&page).unwrap();
    assert_eq!(
        page["value"][1],
        json!({
            "@odata.type": "#microsoft.graph.deviceManagementScript",
            "displayName": "displayName-1",
            "deviceRunStates": [
                {"@odata.type": format!("#microsoft.graph.{STATE}"), "resultMessage": "result-1-0"},
                {"@odata.type": format!("#microsoft.graph.{STATE}"), "resultMessage": "result-1-1"},
            ],
        })
    );
}

/// An entity whose type and declared type the model lacks renders its annotations only,
/// in a page as alone: no properties, no expansions.
#[test]
fn an_entity_of_no_known_type_renders_its_annotations_only() {
    let schema = Schema::load().unwrap();
    let names: Names = Names::from(["displayName".into()]);
    let mut records = records(&["nothing"; 2], &names);
    for record in &mut records {
        record.expanded = vec![("children".into(), Expanded::Many(Vec::new()))];
    }
    let expand = [collection("children", "nothing", None)];
    let model = schema.model(ApiVersion::Beta);
    let entities: Vec<Entity> = records
        .iter()
        .map(|r| Entity {
            expand: &expand,
            ..entity(model, r, "nothing")
        })
        .collect();
    let (page, alone) = page_and_alone(&entities);
    assert_eq!(String::from_utf8(page.clone()), String::from_utf8(alone));
    let entity = br##"{"@odata.type":"#microsoft.graph.nothing"}"##;
    assert_eq!(entities[0].to_bytes(), entity);
}

/// An enum member renders as the version names it in every entity of a page, whether a
/// record's value shares its name with the records before it (as a read's cells do) or
/// holds a copy of its own: a member the version lacks as `unknownFutureValue`, one in
/// another case as stored.
#[test]
fn a_page_renders_each_enum_member_as_the_version_names_it() {
    let schema = Schema::load().unwrap();
    let model = schema.model(ApiVersion::V1);
    let names: Names = ["deviceEnrollmentType"]
        .into_iter()
        .map(Into::into)
        .collect();
    let beta_only: std::sync::Arc<str> = "androidEnterpriseFullyManaged".into();
    let known: std::sync::Arc<str> = "userEnrollment".into();
    let stored = [
        beta_only.clone(),
        known.clone(),
        beta_only.clone(),
        known,
        "androidEnterpriseFullyManaged".into(),
        "UserEnrollment".into(),
        beta_only,
    ];
    let records: Vec<Record> = stored
        .iter()
        .enumerate()
        .map(|(i, member)| Record {
            type_name: "managedDevice".into(),
            id: format!("d{i}"),
            names: names.clone(),
            values: vec![Value::Enum(member.clone())],
            expanded: Vec::new(),
        })
        .collect();
    let entities: Vec<Entity> = records
        .iter()
        .map(|r| entity(model, r, "managedDevice"))
        .collect();
    let (page, alone) = page_and_alone(&entities);
    assert_eq!(String::from_utf8(page.clone()), String::from_utf8(alone));
    let page: serde_json::Value = serde_json::from_slice(&page).unwrap();
    let rendered: Vec<&str> = page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["deviceEnrollmentType"].as_str().unwrap())
        .collect();
    assert_eq!(
        rendered,
        [
            "unknownFutureValue",
            "userEnrollment",
            "unknownFutureValue",
            "userEnrollment",
            "unknownFutureValue",
            "UserEnrollment",
            "unknownFutureValue",
        ]
    );
}
