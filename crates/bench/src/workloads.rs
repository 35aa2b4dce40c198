//! The workloads of issue 7 (W1–W6) and issue 3 (W7), and the ceiling shape each is
//! compared with.

use crate::load::Request;

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const ACCOUNTS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";

/// What the ceiling answers, and so which ceiling a workload is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// One small singleton-like entity (W1, W5).
    Summary,
    /// One entity by id among many (W2, W3).
    Entity,
    /// A page of 100 entities (W4, W7).
    Page,
    /// A full `@odata.nextLink` walk (W6).
    Walk,
}

impl Shape {
    /// Every shape, in report order.
    pub const ALL: [Shape; 4] = [Shape::Summary, Shape::Entity, Shape::Page, Shape::Walk];

    /// The report's name for the ceiling of this shape.
    pub fn ceiling_name(self) -> &'static str {
        match self {
            Shape::Summary => "C-summary",
            Shape::Entity => "C-entity",
            Shape::Page => "C-page",
            Shape::Walk => "C-walk",
        }
    }

    /// The ceiling's request of this shape (`None` for the walk, which is not oha's).
    pub fn ceiling_request(self, base: &str, rows: u64) -> Request {
        let get = |url: String, random| Request {
            method: "GET",
            url,
            random,
            body: None,
            token: None,
        };
        match self {
            Shape::Summary => get(format!("{base}{SUMMARY}"), false),
            Shape::Entity => get(random_entity(base, rows), true),
            Shape::Page | Shape::Walk => get(format!("{base}{ACCOUNTS}"), false),
        }
    }
}

/// One workload.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    /// `W1` … `W7`.
    pub name: &'static str,
    /// The ceiling it is a share of.
    pub shape: Shape,
}

/// The workloads, in the order they run: reads first, then the writes (W2 adds rows, which
/// would change what the walk and the reads see).
pub const ALL: [Workload; 7] = [
    Workload {
        name: "W1",
        shape: Shape::Summary,
    },
    Workload {
        name: "W3",
        shape: Shape::Entity,
    },
    Workload {
        name: "W4",
        shape: Shape::Page,
    },
    Workload {
        name: "W7",
        shape: Shape::Page,
    },
    Workload {
        name: "W6",
        shape: Shape::Walk,
    },
    Workload {
        name: "W5",
        shape: Shape::Summary,
    },
    Workload {
        name: "W2",
        shape: Shape::Entity,
    },
];

/// The workloads of the scale series.
pub const SCALE: [&str; 3] = ["W3", "W4", "W7"];

/// The seed document 002's body.
const CREATE_BODY: &str = r##"{"@odata.type":"#microsoft.graph.macOSSoftwareUpdateAccountSummary","displayName":"Display Name value","deviceId":"Device Id value","userId":"User Id value","deviceName":"Device Name value","userPrincipalName":"User Principal Name value","osVersion":"Os Version value","successfulUpdateCount":5,"failedUpdateCount":1,"totalUpdateCount":0,"lastUpdatedDateTime":"2017-01-01T00:00:56.8321556-08:00"}"##;

/// Seed document 001's body.
const PATCH_BODY: &str = r#"{"displayName":"Display Name value","compliantDeviceCount":4}"#;

impl Workload {
    /// The request oha sends to localgraph at `base` (`None` for W6, the walk).
    pub fn request(&self, base: &str, token: &str, rows: u64) -> Option<Request> {
        let (method, url, random, body) = match self.name {
            "W1" => ("GET", format!("{base}{SUMMARY}"), false, None),
            "W2" => (
                "POST",
                format!("{base}{ACCOUNTS}"),
                false,
                Some(CREATE_BODY),
            ),
            "W3" => ("GET", random_entity(base, rows), true, None),
            "W4" => ("GET", self.first_page(base), false, None),
            "W5" => ("PATCH", format!("{base}{SUMMARY}"), false, Some(PATCH_BODY)),
            "W7" => ("GET", self.first_page(base), false, None),
            _ => return None,
        };
        Some(Request {
            method,
            url,
            random,
            body: body.map(str::to_string),
            token: Some(token.to_string()),
        })
    }

    /// The collection URL the workload reads (W4, W6, W7).
    pub fn first_page(&self, base: &str) -> String {
        match self.name {
            "W4" => format!("{base}{ACCOUNTS}?$filter=failedUpdateCount%20gt%203&$top=100"),
            "W7" => format!("{base}{ACCOUNTS}?$orderby=lastUpdatedDateTime%20desc&$top=100"),
            _ => format!("{base}{ACCOUNTS}"),
        }
    }
}

/// A pattern oha expands to the URL of a random seeded row among `rows` (a power of ten):
/// the seed's ids end in the row number, zero-padded to 12 digits.
fn random_entity(base: &str, rows: u64) -> String {
    let digits = rows.max(10).ilog10() as usize;
    debug_assert_eq!(
        10u64.pow(digits as u32),
        rows,
        "rows must be a power of ten"
    );
    let escaped = base.replace('.', "[.]");
    format!(
        "{escaped}{ACCOUNTS}/00000000-0000-7000-8000-{}[0-9]{{{digits}}}",
        "0".repeat(12 - digits)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_cover_exactly_the_seeded_rows() {
        assert_eq!(
            random_entity("http://127.0.0.1:1", 100_000),
            "http://127[.]0[.]0[.]1:1/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries/00000000-0000-7000-8000-0000000[0-9]{5}"
        );
    }
}
