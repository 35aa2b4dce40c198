use super::*;
use crate::{ApiVersion, Schema};
use odata::{PlaceKind, Places};

fn rule(place: &str) -> Option<&'static Rule> {
    Permissions::bundled().rule(place)
}

fn rules() -> &'static [Rule] {
    Permissions::bundled().rules()
}

fn required(place: &str, access: Access) -> &'static [String] {
    Permissions::bundled().required(place, access)
}

fn all() -> Vec<&'static str> {
    Permissions::bundled().all()
}

fn served() -> Vec<(ApiVersion, Places)> {
    let schema = Schema::load().unwrap();
    ApiVersion::ALL
        .into_iter()
        .map(|v| (v, schema.places(v).clone()))
        .collect()
}

#[test]
fn every_served_place_has_its_own_rule_for_what_it_answers() {
    for (version, places) in served() {
        for place in places.iter() {
            let rule = rule(&place.path)
                .unwrap_or_else(|| panic!("{version:?}: {} has no permission rule", place.path));
            let (read, write, invoke) = match place.kind {
                PlaceKind::Action(_) => (false, false, true),
                PlaceKind::Singleton => (true, false, false),
                _ => (true, true, false),
            };
            assert_eq!(!rule.read.is_empty(), read, "{}: read", place.path);
            assert_eq!(!rule.write.is_empty(), write, "{}: write", place.path);
            assert_eq!(!rule.invoke.is_empty(), invoke, "{}: invoke", place.path);
        }
    }
}

#[test]
fn every_rule_covers_a_served_place() {
    let served = served();
    for rule in rules() {
        assert!(
            served.iter().any(|(_, p)| p.by_path(&rule.place).is_some()),
            "{} is no served place",
            rule.place
        );
        assert!(!rule.evidence.is_empty(), "{}", rule.place);
    }
}

/// `$expand` reads what it expands to: below the singletons, whoever may read a parent may
/// read its navigation targets, so an expand needs no second check. (A singleton's own read
/// set is wider: expanding from it would need a check per target.)
#[test]
fn reading_an_entity_allows_reading_its_navigation_targets() {
    for (_, places) in served() {
        for place in places.iter() {
            let Some(parent) = place.parent.map(|p| places.get(p)) else {
                continue;
            };
            if parent.kind == PlaceKind::Singleton || matches!(place.kind, PlaceKind::Action(_)) {
                continue;
            }
            for permission in required(&parent.path, Access::Read) {
                assert!(
                    required(&place.path, Access::Read).contains(permission),
                    "{}: {permission}",
                    place.path
                );
            }
        }
    }
}

#[test]
fn readwrite_implies_read_in_every_rule() {
    for rule in rules() {
        for write in &rule.write {
            assert!(rule.read.contains(write), "{}: {write}", rule.place);
            assert!(write.contains(".ReadWrite."), "{}: {write}", rule.place);
        }
        for read in rule.read.iter().chain(&rule.invoke) {
            let upgraded = read.replace(".Read.", ".ReadWrite.");
            assert!(
                rule.read.contains(&upgraded) || rule.invoke.contains(&upgraded),
                "{}: {read} without {upgraded}",
                rule.place
            );
        }
    }
}

#[test]
fn lookups_are_exact_places_in_any_case() {
    let run_summary = "deviceManagement/deviceManagementScripts/runSummary";
    assert!(
        required(run_summary, Access::Read)
            .iter()
            .any(|p| p == "DeviceManagementManagedDevices.Read.All")
    );
    assert!(required(&run_summary.to_uppercase(), Access::Read).len() > 1);
    let devices = "deviceManagement/managedDevices";
    assert_eq!(
        required(devices, Access::Write),
        ["DeviceManagementManagedDevices.ReadWrite.All"]
    );
    assert!(
        required(devices, Access::Read)
            .iter()
            .any(|p| p == "DeviceManagementConfiguration.Read.All")
    );
    assert!(required("deviceManagement/somethingElse", Access::Read).is_empty());
    assert_eq!(
        required(
            "deviceManagement/softwareUpdateStatusSummary",
            Access::Write
        ),
        ["DeviceManagementConfiguration.ReadWrite.All"]
    );
    assert!(all().contains(&"DeviceManagementScripts.ReadWrite.All"));
}

#[test]
fn the_write_permissions_are_those_that_allow_a_write_somewhere() {
    assert_eq!(
        Permissions::bundled().writes(),
        [
            "DeviceManagementConfiguration.ReadWrite.All",
            "DeviceManagementScripts.ReadWrite.All",
            "DeviceManagementManagedDevices.ReadWrite.All",
            "DeviceManagementApps.ReadWrite.All",
        ]
    );
    for rule in rules() {
        for name in &rule.write {
            assert!(Permissions::bundled().writes().contains(name), "{name}");
        }
    }
}
