//! The part of Microsoft Graph that localgraph serves: the Intune status-report schema of
//! each API version, kept as CSDL data files in `schema/` (sliced from Microsoft's official
//! metadata). Everything the server routes, validates and renders comes from these files:
//! adding an entity type is an edit here, not a new handler. [`permissions`] is the table of
//! which Graph permissions each resource needs, [`throttling`] the table of Intune's
//! throttling buckets; both are keyed by [`place`].

pub mod permissions;
pub mod place;
pub mod throttling;

use odata::Model;
use odata::edm::CsdlError;

/// A Graph API version, the first segment of every request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    /// `v1.0`.
    V1,
    /// `beta`.
    Beta,
}

impl ApiVersion {
    /// Every served version.
    pub const ALL: [ApiVersion; 2] = [ApiVersion::V1, ApiVersion::Beta];

    /// The path segment: `v1.0` or `beta`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }

    /// Parses a path segment, case-insensitively, as Graph does.
    pub fn parse(segment: &str) -> Option<ApiVersion> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(segment))
    }

    fn csdl(self) -> &'static str {
        match self {
            ApiVersion::V1 => include_str!("../schema/v1.0.csdl.xml"),
            ApiVersion::Beta => include_str!("../schema/beta.csdl.xml"),
        }
    }
}

/// The served schema: one EDM model per API version. v1.0 and beta are two views of one
/// data set, so stores lay out their tables from both.
#[derive(Debug, Clone)]
pub struct Schema {
    v1: Model,
    beta: Model,
}

impl Schema {
    /// Reads the bundled CSDL of every version.
    pub fn load() -> Result<Schema, CsdlError> {
        Schema::from_documents(ApiVersion::V1.csdl(), ApiVersion::Beta.csdl())
    }

    /// Reads a schema from CSDL documents other than the bundled ones: how tests show
    /// that a type added to the CSDL is routed, stored and described with no other change.
    pub fn from_documents(v1: &str, beta: &str) -> Result<Schema, CsdlError> {
        Ok(Schema {
            v1: Model::from_csdl(v1)?,
            beta: Model::from_csdl(beta)?,
        })
    }

    /// The model of one version.
    pub fn model(&self, version: ApiVersion) -> &Model {
        match version {
            ApiVersion::V1 => &self.v1,
            ApiVersion::Beta => &self.beta,
        }
    }

    /// Every version's model, v1.0 first.
    pub fn models(&self) -> [&Model; 2] {
        [&self.v1, &self.beta]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_versions_load_and_differ_where_graph_does() {
        let schema = Schema::load().expect("bundled CSDL is valid");
        let v1 = schema.model(ApiVersion::V1);
        let beta = schema.model(ApiVersion::Beta);
        let dm = |m: &Model| {
            let t = m.structured("deviceManagement").unwrap();
            t.navigation
                .iter()
                .map(|n| n.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(dm(v1), ["softwareUpdateStatusSummary"]);
        assert!(dm(beta).contains(&"macOSSoftwareUpdateAccountSummaries".to_string()));
        let user_summary = |m: &Model| {
            m.structured("managedDeviceMobileAppConfigurationUserSummary")
                .unwrap()
                .property("conflictCount")
                .is_some()
        };
        assert!(!user_summary(v1), "conflictCount is beta-only");
        assert!(user_summary(beta));
        assert_eq!(ApiVersion::parse("V1.0"), Some(ApiVersion::V1));
        assert_eq!(ApiVersion::parse("v2.0"), None);
    }

    #[test]
    fn each_version_writes_back_to_an_equivalent_csdl() {
        let schema = Schema::load().unwrap();
        for version in ApiVersion::ALL {
            let model = schema.model(version);
            let again = Model::from_csdl(&model.to_csdl()).expect("the written CSDL reads");
            assert_eq!(again.singletons(), model.singletons(), "{version:?}");
            assert_eq!(
                again.enum_types().collect::<Vec<_>>(),
                model.enum_types().collect::<Vec<_>>()
            );
            assert_eq!(
                again.structured_types().collect::<Vec<_>>(),
                model.structured_types().collect::<Vec<_>>(),
                "{version:?}"
            );
        }
    }

    #[test]
    fn seed_types_keep_the_documented_property_order() {
        let schema = Schema::load().unwrap();
        let names: Vec<_> = schema
            .model(ApiVersion::Beta)
            .structured("deviceManagementScriptRunSummary")
            .unwrap()
            .properties
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "id",
                "successDeviceCount",
                "errorDeviceCount",
                "successUserCount",
                "errorUserCount"
            ]
        );
    }
}
