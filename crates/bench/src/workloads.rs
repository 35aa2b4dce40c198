//! The workloads (W1–W6 of issue 7, W7 of issue 3, W8–W12 of issue 13), and the ceiling
//! each is a share of.

use crate::ceiling::seeded_id;
use crate::load::{Request, Urls};

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const ACCOUNTS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
const DEVICES: &str = "/v1.0/deviceManagement/managedDevices";
const SCRIPTS: &str = "/beta/deviceManagement/deviceManagementScripts";

/// Whose data a workload reads: the synthetic macOS rows' tenant or the fleet's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tenant {
    /// `localgraph seed --macos N` (W1–W7).
    Macos,
    /// `localgraph seed --devices N` (W8–W12).
    Fleet,
}

/// What the workloads address in a served data set, found once it is seeded.
#[derive(Debug, Clone)]
pub struct Targets {
    /// Synthetic macOS rows.
    pub macos_rows: u64,
    /// Managed devices of the fleet, a sample of their ids.
    pub devices: Vec<String>,
    /// The fleet's first script (by id).
    pub script: String,
}

/// How a workload loads the server.
pub enum Load {
    /// Requests sent by oha.
    Oha(Request),
    /// An `@odata.nextLink` walk from this first page.
    Walk(String),
}

/// One workload.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    /// `W1` … `W12`.
    pub name: &'static str,
    /// The ceiling it is a share of.
    pub ceiling: &'static str,
    /// Whose data it reads.
    pub tenant: Tenant,
}

const fn workload(name: &'static str, ceiling: &'static str, tenant: Tenant) -> Workload {
    Workload {
        name,
        ceiling,
        tenant,
    }
}

/// The workloads, in the order they run: reads first, then the writes (W2 and W12 add
/// rows, which would change what the walk and the reads see).
pub const ALL: [Workload; 12] = [
    workload("W1", "C-summary", Tenant::Macos),
    workload("W3", "C-entity", Tenant::Macos),
    workload("W4", "C-filter", Tenant::Macos),
    workload("W7", "C-order", Tenant::Macos),
    workload("W6", "C-walk", Tenant::Macos),
    workload("W8", "C-device", Tenant::Fleet),
    workload("W9", "C-devices", Tenant::Fleet),
    workload("W10", "C-runSummary", Tenant::Fleet),
    workload("W11", "C-states", Tenant::Fleet),
    workload("W5", "C-summary", Tenant::Macos),
    workload("W2", "C-entity", Tenant::Macos),
    workload("W12", "C-device", Tenant::Fleet),
];

/// The workloads of the scale series (W6 at concurrency 1 only: a full walk of a million
/// rows by each of 32 walkers would take minutes).
pub const SCALE: [&str; 4] = ["W3", "W4", "W7", "W6"];

/// The fleet workloads, which the scale series runs on a fleet of each step's size.
pub const FLEET_SCALE: [&str; 4] = ["W8", "W9", "W10", "W11"];

/// A workload by name.
pub fn named(name: &str) -> Workload {
    ALL.iter()
        .copied()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("no workload {name}"))
}

/// The seed document 002's body.
const CREATE_BODY: &str = r##"{"@odata.type":"#microsoft.graph.macOSSoftwareUpdateAccountSummary","displayName":"Display Name value","deviceId":"Device Id value","userId":"User Id value","deviceName":"Device Name value","userPrincipalName":"User Principal Name value","osVersion":"Os Version value","successfulUpdateCount":5,"failedUpdateCount":1,"totalUpdateCount":0,"lastUpdatedDateTime":"2017-01-01T00:00:56.8321556-08:00"}"##;

/// A PATCH of seed document 001's properties (the same file `bench/compare` and
/// `bench/instructions-per-request` send).
const PATCH_BODY: &str = include_str!("../../../bench/bodies/W5.json");

/// A device as an enrollment writes it (the same file the scripts send).
const DEVICE_BODY: &str = include_str!("../../../bench/bodies/W12.json");

impl Workload {
    /// How the workload loads localgraph at `base`, with `token`.
    pub fn load(&self, base: &str, token: &str, targets: &Targets) -> Load {
        let (method, urls, body) = match self.name {
            "W1" => ("GET", Urls::One(format!("{base}{SUMMARY}")), None),
            "W2" => (
                "POST",
                Urls::One(format!("{base}{ACCOUNTS}")),
                Some(CREATE_BODY),
            ),
            "W3" => (
                "GET",
                Urls::Pattern(seeded_pattern(
                    &format!("{base}{ACCOUNTS}"),
                    targets.macos_rows,
                )),
                None,
            ),
            "W5" => (
                "PATCH",
                Urls::One(format!("{base}{SUMMARY}")),
                Some(PATCH_BODY),
            ),
            "W6" => return Load::Walk(format!("{base}{ACCOUNTS}")),
            "W8" => {
                let urls = targets.devices.iter();
                let urls = urls.map(|id| format!("{base}{DEVICES}/{id}")).collect();
                ("GET", Urls::List(urls), None)
            }
            "W12" => (
                "POST",
                Urls::One(format!("{base}{DEVICES}")),
                Some(DEVICE_BODY),
            ),
            _ => ("GET", Urls::One(self.page(base, targets)), None),
        };
        Load::Oha(Request {
            method,
            urls,
            body: body.map(str::to_string),
            token: Some(token.to_string()),
        })
    }

    /// The URL of what the workload reads (a page, or one entity): the samples the
    /// ceiling repeats are read from it.
    pub fn page(&self, base: &str, targets: &Targets) -> String {
        let script = format!("{base}{SCRIPTS}/{}", targets.script);
        match self.name {
            "W1" | "W5" => format!("{base}{SUMMARY}"),
            "W2" | "W3" => format!("{base}{ACCOUNTS}/{}", seeded_id(0)),
            "W4" => format!("{base}{ACCOUNTS}?$filter=failedUpdateCount%20gt%203&$top=100"),
            "W7" => format!("{base}{ACCOUNTS}?$orderby=lastUpdatedDateTime%20desc&$top=100"),
            "W8" | "W12" => format!("{base}{DEVICES}/{}", targets.devices[0]),
            "W9" => format!(
                "{base}{DEVICES}?$filter=operatingSystem%20eq%20'Windows'&$orderby=lastSyncDateTime%20desc&$top=100"
            ),
            "W10" => format!("{script}/runSummary"),
            "W11" => format!("{script}/deviceRunStates?$expand=managedDevice&$top=100"),
            _ => format!("{base}{ACCOUNTS}"),
        }
    }
}

/// How a ceiling is loaded: its URLs under `base` (`None` for the walk, which is not oha's).
pub fn ceiling_load(name: &str, base: &str, targets: &Targets) -> Load {
    let at = format!("{base}/c/{name}");
    let urls = match name {
        "C-entity" => Urls::Pattern(seeded_pattern(&at, targets.macos_rows)),
        "C-device" => Urls::List(
            targets
                .devices
                .iter()
                .map(|id| format!("{at}/{id}"))
                .collect(),
        ),
        "C-walk" => return Load::Walk(at),
        _ => Urls::One(at),
    };
    Load::Oha(Request {
        method: "GET",
        urls,
        body: None,
        token: None,
    })
}

/// Every ceiling, in report order.
pub const CEILINGS: [&str; 9] = [
    "C-summary",
    "C-entity",
    "C-filter",
    "C-order",
    "C-walk",
    "C-device",
    "C-devices",
    "C-runSummary",
    "C-states",
];

/// A pattern oha expands to the URL of a random seeded row among `rows` (a power of ten)
/// under `collection`: the seed's ids end in the row number, zero-padded to 12 digits.
fn seeded_pattern(collection: &str, rows: u64) -> String {
    let digits = rows.max(10).ilog10() as usize;
    debug_assert_eq!(
        10u64.pow(digits as u32),
        rows,
        "rows must be a power of ten"
    );
    let escaped = collection.replace('.', "[.]");
    format!(
        "{escaped}/00000000-0000-7000-8000-{}[0-9]{{{digits}}}",
        "0".repeat(12 - digits)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_cover_exactly_the_seeded_rows() {
        assert_eq!(
            seeded_pattern(&format!("http://127.0.0.1:1{ACCOUNTS}"), 100_000),
            "http://127[.]0[.]0[.]1:1/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries/00000000-0000-7000-8000-0000000[0-9]{5}"
        );
    }

    #[test]
    fn every_workload_has_a_ceiling() {
        for w in ALL {
            assert!(CEILINGS.contains(&w.ceiling), "{}", w.name);
        }
    }
}
