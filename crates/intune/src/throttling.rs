//! Intune's throttling buckets: which of Intune's documented service limits a request
//! counts against, kept as data.
//!
//! Microsoft documents Intune's limits per service, each with the resource types it covers
//! (docs-contrib `includes/throttling-intune-{device-configuration,applications,devices}.md`,
//! `research/graph-behavior.md` §5): writes (POST, PUT, PATCH, DELETE) and all requests, per
//! tenant (all apps together) and per app in a tenant, in 20-second windows. Here a rule maps
//! a *place* (navigation names from the singleton on, without keys, version or system
//! segments, as in [`crate::permissions`]) to its bucket; a rule covers its place and
//! everything under it unless a longer rule is more specific. [`Bucket::documented_types`]
//! keeps Microsoft's type lists (the served types among them), so a test can check that the
//! place of every served type lands in the bucket that lists it.

use std::time::Duration;

/// The length of Intune's throttling windows.
pub const WINDOW: Duration = Duration::from_secs(20);

/// One of Intune's throttled services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// "Intune device configuration service limits".
    DeviceConfiguration,
    /// "Intune applications service limits".
    Applications,
    /// "Intune devices service limits".
    Devices,
}

/// A bucket's limits, per [`WINDOW`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// POST, PUT, PATCH and DELETE requests of the tenant, all apps together.
    pub tenant_writes: u32,
    /// POST, PUT, PATCH and DELETE requests of one app in the tenant.
    pub app_writes: u32,
    /// Requests of any method of the tenant, all apps together.
    pub tenant_requests: u32,
    /// Requests of any method of one app in the tenant.
    pub app_requests: u32,
}

impl Bucket {
    /// Every bucket.
    pub const ALL: [Bucket; 3] = [
        Bucket::DeviceConfiguration,
        Bucket::Applications,
        Bucket::Devices,
    ];

    /// The documented limits.
    pub fn limits(self) -> Limits {
        match self {
            Bucket::DeviceConfiguration | Bucket::Applications => Limits {
                tenant_writes: 200,
                app_writes: 100,
                tenant_requests: 2000,
                app_requests: 1000,
            },
            Bucket::Devices => Limits {
                tenant_writes: 400,
                app_writes: 200,
                tenant_requests: 4000,
                app_requests: 2000,
            },
        }
    }

    /// The bucket's name, as the documentation's heading has it.
    pub fn name(self) -> &'static str {
        match self {
            Bucket::DeviceConfiguration => "device configuration",
            Bucket::Applications => "applications",
            Bucket::Devices => "devices",
        }
    }

    /// The Intune front-end service behind the bucket, as the `Url` of Intune's error
    /// messages names it (`…/DeviceFE/StatelessDeviceFEService/deviceManagement/…`, seen in
    /// msgraph-sdk-python#731 for devices; the other two follow the same pattern).
    pub fn service(self) -> &'static str {
        match self {
            Bucket::DeviceConfiguration => {
                "DeviceConfiguration/StatelessDeviceConfigurationFEService"
            }
            Bucket::Applications => "AppLifecycle/StatelessAppLifecycleFEService",
            Bucket::Devices => "DeviceFE/StatelessDeviceFEService",
        }
    }

    /// The resource types Microsoft lists under the bucket, as far as localgraph serves them
    /// (or is about to): the check on [`RULES`].
    pub fn documented_types(self) -> &'static [&'static str] {
        match self {
            Bucket::DeviceConfiguration => &[
                "deviceManagement",
                "softwareUpdateStatusSummary",
                "macOSSoftwareUpdateAccountSummary",
                "macOSSoftwareUpdateCategorySummary",
                "macOSSoftwareUpdateStateSummary",
            ],
            Bucket::Applications => &[
                "managedDeviceMobileAppConfiguration",
                "iosMobileAppConfiguration",
                "androidForWorkMobileAppConfiguration",
                "androidManagedStoreAppConfiguration",
                "managedDeviceMobileAppConfigurationAssignment",
                "managedDeviceMobileAppConfigurationDeviceStatus",
                "managedDeviceMobileAppConfigurationDeviceSummary",
                "managedDeviceMobileAppConfigurationUserStatus",
                "managedDeviceMobileAppConfigurationUserSummary",
            ],
            Bucket::Devices => &[
                "deviceManagementScript",
                "deviceManagementScriptAssignment",
                "deviceManagementScriptDeviceState",
                "deviceManagementScriptGroupAssignment",
                "deviceManagementScriptRunSummary",
                "deviceManagementScriptUserState",
                "managedDevice",
                "managedDeviceOverview",
            ],
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The place this rule covers, with everything under it.
    pub place: &'static str,
    /// Its bucket.
    pub bucket: Bucket,
}

/// The table. Order does not matter: the longest matching place wins. A place no rule
/// covers (`deviceAppManagement` itself) is not throttled.
pub const RULES: &[Rule] = &[
    Rule {
        place: "deviceManagement",
        bucket: Bucket::DeviceConfiguration,
    },
    Rule {
        place: "deviceManagement/softwareUpdateStatusSummary",
        bucket: Bucket::DeviceConfiguration,
    },
    Rule {
        place: "deviceManagement/macOSSoftwareUpdateAccountSummaries",
        bucket: Bucket::DeviceConfiguration,
    },
    Rule {
        place: "deviceManagement/deviceManagementScripts",
        bucket: Bucket::Devices,
    },
    Rule {
        place: "deviceManagement/managedDevices",
        bucket: Bucket::Devices,
    },
    Rule {
        place: "deviceManagement/managedDeviceOverview",
        bucket: Bucket::Devices,
    },
    Rule {
        place: "deviceAppManagement/mobileAppConfigurations",
        bucket: Bucket::Applications,
    },
];

/// The bucket of a place (its path: `deviceManagement/deviceManagementScripts/runSummary`),
/// if any: the longest rule that covers it.
pub fn bucket(place: &str) -> Option<Bucket> {
    RULES
        .iter()
        .filter(|rule| crate::place::covers(rule.place, place))
        .max_by_key(|rule| rule.place.len())
        .map(|rule| rule.bucket)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_place_wins_and_names_compare_case_insensitively() {
        let run_summary = "deviceManagement/deviceManagementScripts/runSummary";
        assert_eq!(bucket(run_summary), Some(Bucket::Devices));
        assert_eq!(
            bucket("DEVICEMANAGEMENT/softwareupdatestatussummary"),
            Some(Bucket::DeviceConfiguration)
        );
        assert_eq!(
            bucket("deviceManagement"),
            Some(Bucket::DeviceConfiguration)
        );
        assert_eq!(
            bucket("deviceAppManagement/mobileAppConfigurations/userStatusSummary"),
            Some(Bucket::Applications)
        );
        assert_eq!(bucket("deviceAppManagement"), None);
        assert_eq!(bucket(""), None);
        assert_eq!(bucket("somethingElse/deviceManagementScripts"), None);
    }

    /// Buckets are per service area: a rule names a singleton and at most one navigation,
    /// which the server reads from a path without resolving the rest of it.
    #[test]
    fn rules_name_at_most_a_singleton_and_its_navigation() {
        for rule in RULES {
            assert!(rule.place.split('/').count() <= 2, "{}", rule.place);
        }
    }

    #[test]
    fn limits_are_the_documented_ones() {
        let configuration = Bucket::DeviceConfiguration.limits();
        assert_eq!(
            (
                configuration.tenant_writes,
                configuration.app_writes,
                configuration.tenant_requests,
                configuration.app_requests
            ),
            (200, 100, 2000, 1000)
        );
        assert_eq!(Bucket::Applications.limits(), configuration);
        let devices = Bucket::Devices.limits();
        assert_eq!(
            (
                devices.tenant_writes,
                devices.app_writes,
                devices.tenant_requests,
                devices.app_requests
            ),
            (400, 200, 4000, 2000)
        );
        for bucket in Bucket::ALL {
            let l = bucket.limits();
            assert!(l.app_writes < l.tenant_writes && l.app_requests < l.tenant_requests);
            assert!(l.tenant_writes < l.tenant_requests);
        }
    }
}
