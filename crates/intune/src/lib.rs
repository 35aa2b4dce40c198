//! The part of Microsoft Graph that localgraph serves: the Intune status-report schema of
//! each API version, kept as CSDL data files in `schema/` (sliced from Microsoft's official
//! metadata). Everything the server routes, validates and renders comes from these files:
//! adding an entity type is an edit here, not a new handler. [`permissions`] is the table of
//! which Graph permissions each resource needs; [`reports`] how Intune computes its summaries
//! from the states they summarize; [`throttling`] the table of Intune's throttling buckets,
//! keyed by place like the permissions ([`place`]).

pub mod permissions;
pub mod place;
pub mod reports;
pub mod throttling;

pub use permissions::Permissions;

use odata::edm::CsdlError;
use odata::{Model, Places};

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

    /// The version's place in [`ApiVersion::ALL`], for tables kept per version.
    pub fn index(self) -> usize {
        match self {
            ApiVersion::V1 => 0,
            ApiVersion::Beta => 1,
        }
    }

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

/// The served schema: one EDM model per API version, and the places each serves (built
/// once from the model). v1.0 and beta are two views of one data set, so stores lay out
/// their tables from both.
#[derive(Debug, Clone)]
pub struct Schema {
    v1: Version,
    beta: Version,
    permissions: Permissions,
}

#[derive(Debug, Clone)]
struct Version {
    model: Model,
    places: Places,
}

impl Version {
    fn read(csdl: &str) -> Result<Version, CsdlError> {
        let model = Model::from_csdl(csdl)?;
        let places = Places::build(&model);
        Ok(Version { model, places })
    }
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
            v1: Version::read(v1)?,
            beta: Version::read(beta)?,
            permissions: Permissions::bundled().clone(),
        })
    }

    /// The same schema with another permission table (in `schema/permissions.json`'s
    /// form): how tests add a place with its rule.
    pub fn with_permissions(self, json: &str) -> Result<Schema, serde_json::Error> {
        Ok(Schema {
            permissions: Permissions::from_json(json)?,
            ..self
        })
    }

    /// Which permissions each place needs.
    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }

    fn version(&self, version: ApiVersion) -> &Version {
        match version {
            ApiVersion::V1 => &self.v1,
            ApiVersion::Beta => &self.beta,
        }
    }

    /// The model of one version.
    pub fn model(&self, version: ApiVersion) -> &Model {
        &self.version(version).model
    }

    /// The places one version serves.
    pub fn places(&self, version: ApiVersion) -> &Places {
        &self.version(version).places
    }

    /// Every version's model and places, v1.0 first: what a store lays its tables out from.
    pub fn versions(&self) -> [(&Model, &Places); 2] {
        [
            (&self.v1.model, &self.v1.places),
            (&self.beta.model, &self.beta.places),
        ]
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
        assert_eq!(dm(v1), ["managedDevices", "softwareUpdateStatusSummary"]);
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
            assert_eq!(again_places(model), *schema.places(version));
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
            assert_eq!(again.actions(), model.actions(), "{version:?}");
        }
    }

    fn again_places(model: &Model) -> Places {
        Places::build(&Model::from_csdl(&model.to_csdl()).unwrap())
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
