use super::*;
use crate::fixture::model;

fn parse(raw: &str) -> Result<ResourcePath, PathError> {
    let model = model();
    ResourcePath::parse(&Places::build(&model), &model, raw)
}

fn places() -> Places {
    Places::build(&model())
}

fn fragment(raw: &str) -> String {
    parse(raw).unwrap().context_fragment(&places(), &model())
}

#[test]
fn resolves_each_seed_shape() {
    let places = places();
    let p = parse("deviceManagement/softwareUpdateStatusSummary/$ref").unwrap();
    assert_eq!(p.suffix, Some(Suffix::Ref));
    assert_eq!(p.target_type(&places), "softwareUpdateStatusSummary");

    let p = parse("deviceManagement/deviceManagementScripts/abc/runSummary/$ref").unwrap();
    assert_eq!(p.segments[2], Segment::Key("abc".into()));
    assert_eq!(p.target_type(&places), "runSummary");

    let p = parse("deviceAppManagement/mobileAppConfigurations/c1/userStatusSummary").unwrap();
    assert_eq!(p.suffix, None);
    assert_eq!(places.get(p.place()).kind, PlaceKind::Contained);
}

#[test]
fn accepts_parenthesized_keys_and_any_case() {
    let a = parse("deviceManagement/deviceManagementScripts('a''b')/runSummary").unwrap();
    let b = parse("DEVICEMANAGEMENT/devicemanagementscripts/a'b/RunSummary").unwrap();
    assert_eq!(a, b);
    assert_eq!(
        parse("deviceManagement/deviceManagementScripts(id='x')")
            .unwrap()
            .segments[2],
        Segment::Key("x".into())
    );
    assert_eq!(
        parse("deviceManagement/deviceManagementScripts/a%20b")
            .unwrap()
            .segments[2],
        Segment::Key("a b".into())
    );
}

#[test]
fn unknown_segments_name_the_segment() {
    let cases = [
        (
            "deviceManagement/macOSSoftwareUpdateAccountSummaries",
            "macOSSoftwareUpdateAccountSummaries",
        ),
        ("nothing", "nothing"),
        (
            "deviceManagement/softwareUpdateStatusSummary/extra",
            "extra",
        ),
        ("deviceManagement/deviceManagementScripts/$ref", "$ref"),
        (
            "deviceAppManagement/mobileAppConfigurations/c/userStatusSummary/$ref",
            "$ref",
        ),
        (
            "deviceManagement/deviceManagementScripts/$count/more",
            "more",
        ),
        (
            "deviceManagement/softwareUpdateStatusSummary('x')",
            "softwareUpdateStatusSummary('x')",
        ),
    ];
    for (raw, segment) in cases {
        assert_eq!(
            parse(raw),
            Err(PathError::UnknownSegment(segment.into())),
            "{raw}"
        );
    }
    assert_eq!(parse(""), Err(PathError::Empty));
}

#[test]
fn context_fragments_follow_graph() {
    let cases = [
        (
            "deviceManagement/deviceManagementScripts",
            "deviceManagement/deviceManagementScripts",
        ),
        (
            "deviceManagement/deviceManagementScripts/s1",
            "deviceManagement/deviceManagementScripts/$entity",
        ),
        (
            "deviceManagement/deviceManagementScripts/s1/runSummary",
            "deviceManagement/deviceManagementScripts('s1')/runSummary/$entity",
        ),
        (
            "deviceManagement/deviceManagementScripts/s1/assignments",
            "deviceManagement/deviceManagementScripts('s1')/assignments",
        ),
        (
            "deviceManagement/deviceManagementScripts/s1/assignments/a1",
            "deviceManagement/deviceManagementScripts('s1')/assignments/$entity",
        ),
        (
            "deviceManagement/softwareUpdateStatusSummary",
            "deviceManagement/softwareUpdateStatusSummary/$entity",
        ),
        ("deviceManagement", "deviceManagement"),
    ];
    for (raw, expected) in cases {
        assert_eq!(fragment(raw), expected, "{raw}");
    }
    assert_eq!(
        parse("deviceManagement/deviceManagementScripts/a b")
            .unwrap()
            .canonical(&places(), &model()),
        "deviceManagement/deviceManagementScripts('a%20b')"
    );
}

#[test]
fn casts_narrow_collections_and_entities() {
    let places = places();
    let p = parse("deviceAppManagement/mobileAppConfigurations/microsoft.graph.iosConfiguration")
        .unwrap();
    assert_eq!(p.cast(), Some("iosConfiguration"));
    assert!(p.is_collection(&places));
    assert_eq!(p.target_type(&places), "iosConfiguration");
    assert_eq!(
        fragment("deviceAppManagement/mobileAppConfigurations/graph.iosConfiguration"),
        "deviceAppManagement/mobileAppConfigurations/microsoft.graph.iosConfiguration"
    );
    let p = parse("deviceAppManagement/mobileAppConfigurations/c1/graph.iosConfiguration").unwrap();
    assert!(p.keyed() && !p.is_collection(&places));
    assert_eq!(
        fragment(
            "deviceAppManagement/mobileAppConfigurations/c1/microsoft.graph.iosConfiguration/userStatusSummary"
        ),
        "deviceAppManagement/mobileAppConfigurations('c1')/microsoft.graph.iosConfiguration/userStatusSummary/$entity"
    );
    assert_eq!(
        p.canonical(&places, &model()),
        "deviceAppManagement/mobileAppConfigurations('c1')/microsoft.graph.iosConfiguration"
    );
    // A type that does not derive from the declared one is no cast, and two casts in a
    // row are refused.
    assert!(
        parse("deviceManagement/deviceManagementScripts/graph.iosConfiguration")
            .unwrap()
            .keyed()
    );
    assert_eq!(
        parse(
            "deviceAppManagement/mobileAppConfigurations/c1/graph.iosConfiguration/graph.iosConfiguration"
        ),
        Err(PathError::UnknownSegment("graph.iosConfiguration".into()))
    );
}

#[test]
fn actions_bind_to_entities_or_collections() {
    let places = places();
    let p = parse("deviceManagement/deviceManagementScripts/s1/assign").unwrap();
    assert_eq!(
        places.get(p.place()).kind,
        PlaceKind::Action(Binding::Entity)
    );
    let p = parse("deviceManagement/deviceManagementScripts/s1/microsoft.graph.assign").unwrap();
    assert_eq!(places.get(p.place()).name, "assign");
    let p = parse("deviceManagement/deviceManagementScripts/hasPayloadLinks").unwrap();
    assert_eq!(
        places.get(p.place()).kind,
        PlaceKind::Action(Binding::Collection)
    );
    // On a collection, an entity-bound action's name is a key; nothing follows an action.
    assert!(
        parse("deviceManagement/deviceManagementScripts/assign")
            .unwrap()
            .keyed()
    );
    assert_eq!(
        parse("deviceManagement/deviceManagementScripts/s1/assign/more"),
        Err(PathError::UnknownSegment("more".into()))
    );
    assert_eq!(
        parse("deviceManagement/deviceManagementScripts/s1/hasPayloadLinks"),
        Err(PathError::UnknownSegment("hasPayloadLinks".into()))
    );
}

#[test]
fn links_answer_ref_and_lead_nowhere_further() {
    let places = places();
    let p = parse("deviceManagement/deviceManagementScripts/s1/deviceRunStates/d1/managedDevice")
        .unwrap();
    assert!(matches!(places.get(p.place()).kind, PlaceKind::Link(_)));
    assert_eq!(p.target_type(&places), "managedDevice");
    let p =
        parse("deviceManagement/deviceManagementScripts/s1/deviceRunStates/d1/managedDevice/$ref")
            .unwrap();
    assert_eq!(p.suffix, Some(Suffix::Ref));
    assert_eq!(
        parse(
            "deviceManagement/deviceManagementScripts/s1/deviceRunStates/d1/managedDevice/deviceName"
        ),
        Err(PathError::UnknownSegment("deviceName".into()))
    );
}
