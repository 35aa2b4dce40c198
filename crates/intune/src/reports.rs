//! How Intune computes its report summaries from the states they summarize: the one table
//! of that mapping. Counts are written as OData `$filter`s over the states, so anyone can
//! check a summary against a recount (`…/deviceRunStates/$count?$filter=runState eq 'success'`).
//!
//! The store keeps every summary equal to its aggregate: a write of a state it summarizes
//! (create, update, delete) recomputes it in the same transaction. An explicit write of a
//! summary sets it; the next change of a state it summarizes recomputes it: the last event
//! wins.

/// A summary and how each of its computed properties is found.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// The summary's place. A single-valued one (a script's `runSummary`) summarizes what
    /// its parent entity holds; the entities of a collection (a script's `userRunStates`)
    /// summarize what each of them holds.
    pub place: &'static str,
    /// The computed properties, in the order they are written.
    pub properties: &'static [(&'static str, Aggregate)],
}

/// How one summary property is computed. `of` names a collection of the entity that holds
/// the states: the summary's parent for a single-valued summary, the summary entity itself
/// for one in a collection.
#[derive(Debug, Clone, Copy)]
pub enum Aggregate {
    /// How many entities of `of` match `filter` (an OData `$filter`; empty: all of them).
    Count {
        /// The collection counted.
        of: &'static str,
        /// The condition, as a `$filter`.
        filter: &'static str,
    },
    /// The sum of `property` over `of`.
    Sum {
        /// The collection summed over.
        of: &'static str,
        /// The integer property summed.
        property: &'static str,
    },
    /// The latest `property` over `of` (the property's default when there is none).
    Latest {
        /// The collection.
        of: &'static str,
        /// The DateTimeOffset property.
        property: &'static str,
    },
    /// The `property` of the entity holding the states (a configuration's `version`).
    Holder {
        /// The holder's property.
        property: &'static str,
    },
}

use Aggregate::{Count, Holder, Latest, Sum};

const RUN_SUCCESS: &str = "runState eq 'success'";
const RUN_ERROR: &str = "runState in ('fail', 'scriptError')";

/// A configuration's devices or users by status, as the admin center shows them:
/// succeeded (`compliant`, `remediated`), failed (`nonCompliant`), error, conflict, not
/// applicable, and pending (`unknown`: not reported yet); `notAssigned` is in none.
macro_rules! configuration_summary {
    ($place:literal, $of:literal) => {
        Summary {
            place: $place,
            properties: &[
                (
                    "successCount",
                    Count {
                        of: $of,
                        filter: "status in ('compliant', 'remediated')",
                    },
                ),
                (
                    "failedCount",
                    Count {
                        of: $of,
                        filter: "status eq 'nonCompliant'",
                    },
                ),
                (
                    "errorCount",
                    Count {
                        of: $of,
                        filter: "status eq 'error'",
                    },
                ),
                (
                    "conflictCount",
                    Count {
                        of: $of,
                        filter: "status eq 'conflict'",
                    },
                ),
                (
                    "notApplicableCount",
                    Count {
                        of: $of,
                        filter: "status eq 'notApplicable'",
                    },
                ),
                (
                    "pendingCount",
                    Count {
                        of: $of,
                        filter: "status eq 'unknown'",
                    },
                ),
                (
                    "lastUpdateDateTime",
                    Latest {
                        of: $of,
                        property: "lastReportedDateTime",
                    },
                ),
                (
                    "configurationVersion",
                    Holder {
                        property: "version",
                    },
                ),
            ],
        }
    };
}

/// Every computed summary, inner ones first (a user's run state before the script's run
/// summary that counts users, a macOS category before its account).
pub const SUMMARIES: &[Summary] = &[
    // A user's run state counts that user's devices: a device run is an error when the
    // script failed or reported an error.
    Summary {
        place: "deviceManagement/deviceManagementScripts/userRunStates",
        properties: &[
            (
                "successDeviceCount",
                Count {
                    of: "deviceRunStates",
                    filter: RUN_SUCCESS,
                },
            ),
            (
                "errorDeviceCount",
                Count {
                    of: "deviceRunStates",
                    filter: RUN_ERROR,
                },
            ),
        ],
    },
    // A script's run summary: its devices by run state; a user with an erroring device is
    // an error user, one whose devices ran without error (at least one successfully) a
    // success user.
    Summary {
        place: "deviceManagement/deviceManagementScripts/runSummary",
        properties: &[
            (
                "successDeviceCount",
                Count {
                    of: "deviceRunStates",
                    filter: RUN_SUCCESS,
                },
            ),
            (
                "errorDeviceCount",
                Count {
                    of: "deviceRunStates",
                    filter: RUN_ERROR,
                },
            ),
            (
                "successUserCount",
                Count {
                    of: "userRunStates",
                    filter: "errorDeviceCount eq 0 and successDeviceCount gt 0",
                },
            ),
            (
                "errorUserCount",
                Count {
                    of: "userRunStates",
                    filter: "errorDeviceCount gt 0",
                },
            ),
        ],
    },
    configuration_summary!(
        "deviceAppManagement/mobileAppConfigurations/deviceStatusSummary",
        "deviceStatuses"
    ),
    configuration_summary!(
        "deviceAppManagement/mobileAppConfigurations/userStatusSummary",
        "userStatuses"
    ),
    // A macOS update category counts its updates by state (the failures are the 2000-range
    // states); the account sums its categories.
    Summary {
        place: "deviceManagement/macOSSoftwareUpdateAccountSummaries/categorySummaries",
        properties: &[
            (
                "successfulUpdateCount",
                Count {
                    of: "updateStateSummaries",
                    filter: "state eq 'success'",
                },
            ),
            (
                "failedUpdateCount",
                Count {
                    of: "updateStateSummaries",
                    filter: "state in ('downloadFailed', 'downloadInsufficientSpace', \
                             'downloadInsufficientPower', 'downloadInsufficientNetwork', \
                             'installInsufficientSpace', 'installInsufficientPower', \
                             'installFailed', 'commandFailed')",
                },
            ),
            (
                "totalUpdateCount",
                Count {
                    of: "updateStateSummaries",
                    filter: "",
                },
            ),
            (
                "lastUpdatedDateTime",
                Latest {
                    of: "updateStateSummaries",
                    property: "lastUpdatedDateTime",
                },
            ),
        ],
    },
    Summary {
        place: "deviceManagement/macOSSoftwareUpdateAccountSummaries",
        properties: &[
            (
                "successfulUpdateCount",
                Sum {
                    of: "categorySummaries",
                    property: "successfulUpdateCount",
                },
            ),
            (
                "failedUpdateCount",
                Sum {
                    of: "categorySummaries",
                    property: "failedUpdateCount",
                },
            ),
            (
                "totalUpdateCount",
                Sum {
                    of: "categorySummaries",
                    property: "totalUpdateCount",
                },
            ),
            (
                "lastUpdatedDateTime",
                Latest {
                    of: "categorySummaries",
                    property: "lastUpdatedDateTime",
                },
            ),
        ],
    },
];
