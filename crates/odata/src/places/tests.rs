use super::*;
use crate::fixture::model;

fn kind(places: &Places, path: &str) -> PlaceKind {
    places
        .by_path(path)
        .unwrap_or_else(|| panic!("{path} is served"))
        .kind
}

#[test]
fn every_navigation_and_bound_action_is_a_place_of_its_kind() {
    let places = Places::build(&model());
    let devices = places
        .by_path("deviceManagement/managedDevices")
        .unwrap()
        .id;
    for (path, expected) in [
        ("deviceManagement", PlaceKind::Singleton),
        (
            "deviceManagement/deviceManagementScripts",
            PlaceKind::Collection,
        ),
        (
            "deviceManagement/softwareUpdateStatusSummary",
            PlaceKind::Summary,
        ),
        (
            "deviceManagement/deviceManagementScripts/runSummary",
            PlaceKind::Summary,
        ),
        (
            "deviceManagement/deviceManagementScripts/deviceRunStates/managedDevice",
            PlaceKind::Link(devices),
        ),
        (
            "deviceManagement/deviceManagementScripts/assign",
            PlaceKind::Action(Binding::Entity),
        ),
        (
            "deviceManagement/deviceManagementScripts/hasPayloadLinks",
            PlaceKind::Action(Binding::Collection),
        ),
        (
            "deviceAppManagement/mobileAppConfigurations/userStatusSummary",
            PlaceKind::Contained,
        ),
        (
            "deviceAppManagement/mobileAppConfigurations/assign",
            PlaceKind::Action(Binding::Entity),
        ),
    ] {
        assert_eq!(kind(&places, path), expected, "{path}");
    }
    // A link's target is served where it lives, not again under the link.
    let link = places
        .by_path("deviceManagement/deviceManagementScripts/deviceRunStates/managedDevice")
        .unwrap();
    assert!(link.children.is_empty());
}

#[test]
fn places_know_their_concrete_types_and_lineage() {
    let places = Places::build(&model());
    let configurations = places
        .by_path("deviceAppManagement/mobileAppConfigurations")
        .unwrap();
    assert_eq!(configurations.entity_type, "appConfiguration");
    assert_eq!(
        configurations.types,
        ["iosConfiguration"],
        "abstract types are left out"
    );
    let summary = places
        .by_path("deviceAppManagement/mobileAppConfigurations/userStatusSummary")
        .unwrap();
    let names: Vec<_> = places
        .lineage(summary.id)
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "deviceAppManagement",
            "mobileAppConfigurations",
            "userStatusSummary"
        ]
    );
    assert!(summary.stores());
    assert!(!places.singleton("deviceManagement").unwrap().stores());
}

#[test]
fn lookups_are_case_insensitive_and_keep_actions_apart() {
    let places = Places::build(&model());
    let dm = places.singleton("DEVICEMANAGEMENT").unwrap();
    let scripts = places.navigation(dm.id, "devicemanagementscripts").unwrap();
    assert_eq!(scripts.name, "deviceManagementScripts");
    assert!(places.navigation(scripts.id, "assign").is_none());
    assert!(
        places
            .action(scripts.id, "Assign", Binding::Entity)
            .is_some()
    );
    assert!(
        places
            .action(scripts.id, "assign", Binding::Collection)
            .is_none()
    );
    assert!(
        places
            .action(scripts.id, "hasPayloadLinks", Binding::Collection)
            .is_some()
    );
}

#[test]
fn a_non_contained_collection_is_not_served_and_a_homeless_reference_is_a_summary() {
    let csdl = crate::fixture::CSDL.replace(
        r#"<NavigationProperty Name="managedDevices" Type="Collection(graph.managedDevice)" ContainsTarget="true"/>"#,
        r#"<NavigationProperty Name="managedDevices" Type="Collection(graph.managedDevice)"/>"#,
    );
    let places = Places::build(&Model::from_csdl(&csdl).unwrap());
    assert!(places.by_path("deviceManagement/managedDevices").is_none());
    assert_eq!(
        kind(
            &places,
            "deviceManagement/deviceManagementScripts/deviceRunStates/managedDevice"
        ),
        PlaceKind::Summary
    );
}
