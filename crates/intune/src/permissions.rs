//! Which Graph permissions each served resource needs: one table, kept as data.
//!
//! A *place* is a resource path's navigation names without keys, version or system
//! segments (`deviceManagement/deviceManagementScripts/runSummary`). A rule covers its place
//! and everything under it unless a longer rule is more specific. Each rule lists the
//! permissions that satisfy a read and those that satisfy a write, per Graph's permission
//! reference (`research/graph-behavior.md` §6.3 and its recommended checks). The lists hold
//! permission names that work for delegated tokens (`scp`) and app-only tokens (`roles`)
//! alike; a `ReadWrite` permission always satisfies a read (the read lists spell that out,
//! and a test keeps it so).

/// Whether a request reads or changes data: GET reads, every other method writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// GET.
    Read,
    /// POST, PATCH, PUT, DELETE.
    Write,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The place this rule covers, with everything under it.
    pub place: &'static str,
    /// Permissions that allow a read, any one of them.
    pub read: &'static [&'static str],
    /// Permissions that allow a write, any one of them.
    pub write: &'static [&'static str],
}

const CONFIGURATION_READ: &str = "DeviceManagementConfiguration.Read.All";
const CONFIGURATION_WRITE: &str = "DeviceManagementConfiguration.ReadWrite.All";
const APPS_READ: &str = "DeviceManagementApps.Read.All";
const APPS_WRITE: &str = "DeviceManagementApps.ReadWrite.All";
const DEVICES_READ: &str = "DeviceManagementManagedDevices.Read.All";
const DEVICES_WRITE: &str = "DeviceManagementManagedDevices.ReadWrite.All";
const SCRIPTS_READ: &str = "DeviceManagementScripts.Read.All";
const SCRIPTS_WRITE: &str = "DeviceManagementScripts.ReadWrite.All";
const RBAC_READ: &str = "DeviceManagementRBAC.Read.All";
const RBAC_WRITE: &str = "DeviceManagementRBAC.ReadWrite.All";
const SERVICE_READ: &str = "DeviceManagementServiceConfig.Read.All";
const SERVICE_WRITE: &str = "DeviceManagementServiceConfig.ReadWrite.All";

/// The table. Order does not matter: the longest matching place wins.
pub const RULES: &[Rule] = &[
    // GET /deviceManagement accepts any of the device-management permissions (the
    // deviceManagement-get page lists these five families).
    Rule {
        place: "deviceManagement",
        read: &[
            CONFIGURATION_READ,
            CONFIGURATION_WRITE,
            APPS_READ,
            APPS_WRITE,
            DEVICES_READ,
            DEVICES_WRITE,
            RBAC_READ,
            RBAC_WRITE,
            SERVICE_READ,
            SERVICE_WRITE,
        ],
        write: &[
            CONFIGURATION_WRITE,
            APPS_WRITE,
            DEVICES_WRITE,
            RBAC_WRITE,
            SERVICE_WRITE,
        ],
    },
    // softwareUpdateStatusSummary get/update pages.
    Rule {
        place: "deviceManagement/softwareUpdateStatusSummary",
        read: &[CONFIGURATION_READ, CONFIGURATION_WRITE],
        write: &[CONFIGURATION_WRITE],
    },
    // macOSSoftwareUpdateAccountSummary list/get/create/update/delete pages (beta).
    Rule {
        place: "deviceManagement/macOSSoftwareUpdateAccountSummaries",
        read: &[CONFIGURATION_READ, CONFIGURATION_WRITE],
        write: &[CONFIGURATION_WRITE],
    },
    // deviceManagementScript pages: the dedicated DeviceManagementScripts permissions, and
    // the "Device management / Policy set" rows with DeviceManagementConfiguration.
    Rule {
        place: "deviceManagement/deviceManagementScripts",
        read: &[
            SCRIPTS_READ,
            SCRIPTS_WRITE,
            CONFIGURATION_READ,
            CONFIGURATION_WRITE,
        ],
        write: &[SCRIPTS_WRITE, CONFIGURATION_WRITE],
    },
    // runSummary: the get/update pages name ManagedDevices (and Configuration for apps);
    // the live 403 names Scripts. Any of the three families at the right level.
    Rule {
        place: "deviceManagement/deviceManagementScripts/runSummary",
        read: &[
            SCRIPTS_READ,
            SCRIPTS_WRITE,
            DEVICES_READ,
            DEVICES_WRITE,
            CONFIGURATION_READ,
            CONFIGURATION_WRITE,
        ],
        write: &[SCRIPTS_WRITE, DEVICES_WRITE, CONFIGURATION_WRITE],
    },
    // managedDevice list/get/create/update/delete pages: DeviceManagementManagedDevices; the
    // beta get page also names DeviceManagementConfiguration for reads (the v1.0 pages do
    // not; the table takes the union, as elsewhere). Writes: ManagedDevices.ReadWrite only.
    Rule {
        place: "deviceManagement/managedDevices",
        read: &[
            DEVICES_READ,
            DEVICES_WRITE,
            CONFIGURATION_READ,
            CONFIGURATION_WRITE,
        ],
        write: &[DEVICES_WRITE],
    },
    // GET /deviceAppManagement.
    Rule {
        place: "deviceAppManagement",
        read: &[APPS_READ, APPS_WRITE],
        write: &[APPS_WRITE],
    },
    // managedDeviceMobileAppConfiguration pages.
    Rule {
        place: "deviceAppManagement/mobileAppConfigurations",
        read: &[APPS_READ, APPS_WRITE],
        write: &[APPS_WRITE],
    },
    // The summaries: DeviceManagementApps, and for reads also DeviceManagementConfiguration
    // (msgraph-metadata maps Configuration.Read.All GET onto userStatusSummary).
    Rule {
        place: "deviceAppManagement/mobileAppConfigurations/userStatusSummary",
        read: &[
            APPS_READ,
            APPS_WRITE,
            CONFIGURATION_READ,
            CONFIGURATION_WRITE,
        ],
        write: &[APPS_WRITE],
    },
    Rule {
        place: "deviceAppManagement/mobileAppConfigurations/deviceStatusSummary",
        read: &[
            APPS_READ,
            APPS_WRITE,
            CONFIGURATION_READ,
            CONFIGURATION_WRITE,
        ],
        write: &[APPS_WRITE],
    },
];

/// The rule for a place (navigation names from the singleton on, without keys), if any.
pub fn rule<S: AsRef<str>>(place: &[S]) -> Option<&'static Rule> {
    RULES
        .iter()
        .filter(|rule| {
            let names: Vec<&str> = rule.place.split('/').collect();
            names.len() <= place.len()
                && names
                    .iter()
                    .zip(place)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b.as_ref()))
        })
        .max_by_key(|rule| rule.place.split('/').count())
}

/// The permissions of which any one allows `access` to `place`; empty when the table has
/// no rule (then nothing allows it).
pub fn required<S: AsRef<str>>(place: &[S], access: Access) -> &'static [&'static str] {
    match (rule(place), access) {
        (Some(rule), Access::Read) => rule.read,
        (Some(rule), Access::Write) => rule.write,
        (None, _) => &[],
    }
}

/// Every permission the table names, each once, in table order: what an all-powerful
/// token (the one `serve` prints, `--auth off`) holds.
pub fn all() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = Vec::new();
    for rule in RULES {
        for name in rule.read.iter().chain(rule.write) {
            if !all.contains(name) {
                all.push(name);
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiVersion, Schema};
    use odata::Model;

    /// Every place a version serves: the singletons and their navigation, recursively.
    fn places(model: &Model) -> Vec<Vec<String>> {
        fn walk(model: &Model, ty: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
            out.push(prefix.clone());
            if prefix.len() > 6 {
                return;
            }
            let Some(declared) = model.structured(ty) else {
                return;
            };
            let derived = declared.derived.iter().filter_map(|d| model.structured(d));
            for nav in std::iter::once(declared)
                .chain(derived)
                .flat_map(|t| &t.navigation)
            {
                let mut next = prefix.clone();
                next.push(nav.name.clone());
                walk(model, &nav.target, next, out);
            }
        }
        let mut out = Vec::new();
        for singleton in model.singletons() {
            walk(
                model,
                &singleton.type_name,
                vec![singleton.name.clone()],
                &mut out,
            );
        }
        out
    }

    #[test]
    fn every_served_place_has_a_rule_for_reads_and_writes() {
        let schema = Schema::load().unwrap();
        for version in ApiVersion::ALL {
            let all = places(schema.model(version));
            assert!(all.len() > 10, "{version:?}: {all:?}");
            for place in all {
                assert!(!required(&place, Access::Read).is_empty(), "{place:?}");
                assert!(!required(&place, Access::Write).is_empty(), "{place:?}");
            }
        }
    }

    /// `$expand` on an entity reads what it expands to: below the singletons, whoever may
    /// read a parent may read its navigation targets, so an expand needs no second check.
    /// (A singleton's own read set is wider: expanding from it needs a check per target.)
    #[test]
    fn reading_an_entity_allows_reading_its_navigation_targets() {
        let schema = Schema::load().unwrap();
        for version in ApiVersion::ALL {
            for place in places(schema.model(version)) {
                if place.len() < 3 {
                    continue;
                }
                let parent = required(&place[..place.len() - 1], Access::Read);
                let child = required(&place, Access::Read);
                for permission in parent {
                    assert!(child.contains(permission), "{place:?}: {permission}");
                }
            }
        }
    }

    #[test]
    fn readwrite_implies_read_in_every_rule() {
        for rule in RULES {
            for write in rule.write {
                assert!(rule.read.contains(write), "{}: {write}", rule.place);
            }
            for read in rule.read {
                let upgraded = read.replace(".Read.", ".ReadWrite.");
                assert!(rule.read.contains(&upgraded.as_str()), "{}", rule.place);
            }
            assert!(
                rule.write.iter().all(|w| w.contains(".ReadWrite.")),
                "{}",
                rule.place
            );
        }
    }

    #[test]
    fn the_longest_place_wins_and_keys_do_not_matter() {
        let run_summary = ["deviceManagement", "deviceManagementScripts", "runSummary"];
        assert!(required(&run_summary, Access::Read).contains(&DEVICES_READ));
        let states = [
            "deviceManagement",
            "deviceManagementScripts",
            "deviceRunStates",
        ];
        assert!(!required(&states, Access::Read).contains(&DEVICES_READ));
        assert_eq!(
            required(&states, Access::Write),
            [SCRIPTS_WRITE, CONFIGURATION_WRITE]
        );
        assert_eq!(
            required(
                &["deviceManagement", "softwareUpdateStatusSummary"],
                Access::Write
            ),
            [CONFIGURATION_WRITE]
        );
        let devices = ["deviceManagement", "managedDevices"];
        assert_eq!(required(&devices, Access::Write), [DEVICES_WRITE]);
        assert!(required(&devices, Access::Read).contains(&CONFIGURATION_READ));
        assert!(!required(&devices, Access::Read).contains(&APPS_READ));
        assert!(required(&["somethingElse"], Access::Read).is_empty());
        assert!(all().contains(&SCRIPTS_WRITE));
    }
}
