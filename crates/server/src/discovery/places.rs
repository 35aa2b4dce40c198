//! The places a version serves: every resource path the router answers, found by walking
//! the model from its singletons exactly as `odata::ResourcePath::parse` does and keeping
//! the navigations the store's catalog has a table for. `$metadata` and OpenAPI are both
//! written from this one walk.

use std::collections::HashSet;

use odata::Model;
use store::{Catalog, TableKind};

use crate::odata::Shape;

/// One served resource path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The OpenAPI path, with keys as Microsoft writes them:
    /// `/deviceManagement/deviceManagementScripts/{deviceManagementScript-id}/runSummary`.
    pub template: String,
    /// The key parameters along the path, in order: (parameter name, entity type).
    pub keys: Vec<(String, String)>,
    /// What the path addresses, which decides the methods it answers.
    pub shape: Shape,
    /// The declared entity type of what it addresses.
    pub entity_type: String,
    /// The catalog path of the table behind it (`None` for a singleton).
    pub table: Option<String>,
    /// The navigation property names along the path, singleton first.
    pub names: Vec<String>,
    /// The description of the last navigation property, when the schema has one.
    pub description: Option<String>,
}

/// Every served place of `model`, parents before children.
pub fn places(model: &Model, catalog: &Catalog) -> Vec<Place> {
    walk_all(model, catalog).0
}

/// The places, and the navigation properties they reach as (declaring type, name).
fn walk_all(model: &Model, catalog: &Catalog) -> (Vec<Place>, HashSet<(String, String)>) {
    let mut out = Vec::new();
    let mut reached = HashSet::new();
    for s in model.singletons() {
        let place = Place {
            template: format!("/{}", s.name),
            keys: Vec::new(),
            shape: Shape::Singleton,
            entity_type: s.type_name.clone(),
            table: None,
            names: vec![s.name.clone()],
            description: None,
        };
        out.push(place.clone());
        let mut walker = Walker {
            model,
            catalog,
            out: &mut out,
            reached: &mut reached,
        };
        walker.walk(&place, &s.name);
    }
    (out, reached)
}

struct Walker<'a> {
    model: &'a Model,
    catalog: &'a Catalog,
    out: &'a mut Vec<Place>,
    reached: &'a mut HashSet<(String, String)>,
}

impl Walker<'_> {
    fn walk(&mut self, at: &Place, table_path: &str) {
        let Some(owner) = self.model.structured(&at.entity_type) else {
            return;
        };
        for nav in &owner.navigation {
            let path = format!("{table_path}/{}", nav.name);
            let Some(table) = self.catalog.tables().iter().find(|t| t.path == path) else {
                continue;
            };
            if let Some(declarer) = self.model.declaring_type(&owner.name, &nav.name) {
                self.reached
                    .insert((declarer.to_string(), nav.name.clone()));
            }
            let mut names = at.names.clone();
            names.push(nav.name.clone());
            let base = Place {
                template: format!("{}/{}", at.template, nav.name),
                keys: at.keys.clone(),
                shape: Shape::Collection,
                entity_type: nav.target.clone(),
                table: Some(path.clone()),
                names,
                description: nav.description.clone(),
            };
            let with = |suffix: &str, shape| Place {
                template: format!("{}{suffix}", base.template),
                shape,
                ..base.clone()
            };
            match table.kind {
                TableKind::Collection => {
                    self.out.push(base.clone());
                    self.out.push(with("/$count", Shape::Count));
                    let key = key_name(&base.keys, &nav.target);
                    let mut entity = with(&format!("/{{{key}}}"), Shape::Entity);
                    entity.keys.push((key, nav.target.clone()));
                    self.out.push(entity.clone());
                    self.walk(&entity, &path);
                }
                TableKind::Contained => {
                    let contained = with("", Shape::Contained);
                    self.out.push(contained.clone());
                    self.walk(&contained, &path);
                }
                TableKind::Referenced => {
                    let referenced = with("", Shape::Referenced);
                    self.out.push(referenced.clone());
                    self.out.push(with("/$ref", Shape::Ref));
                    self.walk(&referenced, &path);
                }
            }
        }
    }
}

/// `{type}-id`, or `{type}-id1`, `-id2`… when the type is keyed twice along one path.
fn key_name(taken: &[(String, String)], entity_type: &str) -> String {
    let plain = format!("{entity_type}-id");
    if !taken.iter().any(|(k, _)| *k == plain) {
        return plain;
    }
    (1..)
        .map(|n| format!("{plain}{n}"))
        .find(|k| !taken.iter().any(|(t, _)| t == k))
        .unwrap_or(plain)
}

/// The model as served: without navigation properties that no served place reaches
/// (a non-contained collection, which the store does not keep, or a navigation of a
/// derived type, which no path can address).
pub fn served_model(model: &Model, catalog: &Catalog) -> Model {
    let (_, reached) = walk_all(model, catalog);
    model.retain_navigation(|owner, nav| reached.contains(&(owner.to_string(), nav.name.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use intune::{ApiVersion, Schema};

    fn setup() -> (Schema, Catalog) {
        let schema = Schema::load().unwrap();
        let catalog = Catalog::build(&schema.models()).unwrap();
        (schema, catalog)
    }

    #[test]
    fn the_model_and_the_catalog_agree_on_what_is_served() {
        let (schema, catalog) = setup();
        let mut reached = HashSet::new();
        for version in ApiVersion::ALL {
            let model = schema.model(version);
            let served = served_model(model, &catalog);
            for (a, b) in model.structured_types().zip(served.structured_types()) {
                assert_eq!(
                    a, b,
                    "{version:?}: the model has a navigation nobody serves"
                );
            }
            reached.extend(places(model, &catalog).into_iter().filter_map(|p| p.table));
        }
        for table in catalog.tables() {
            assert!(
                reached.contains(&table.path),
                "{} is stored, not served",
                table.path
            );
        }
    }

    #[test]
    fn places_have_graph_shaped_templates() {
        let (schema, catalog) = setup();
        let beta: Vec<_> = places(schema.model(ApiVersion::Beta), &catalog)
            .into_iter()
            .map(|p| (p.template, p.shape))
            .collect();
        for expected in [
            ("/deviceManagement", Shape::Singleton),
            (
                "/deviceManagement/softwareUpdateStatusSummary/$ref",
                Shape::Ref,
            ),
            (
                "/deviceManagement/deviceManagementScripts/{deviceManagementScript-id}/runSummary",
                Shape::Referenced,
            ),
            (
                "/deviceManagement/deviceManagementScripts/{deviceManagementScript-id}/userRunStates/{deviceManagementScriptUserState-id}/deviceRunStates/$count",
                Shape::Count,
            ),
            (
                "/deviceAppManagement/mobileAppConfigurations/{managedDeviceMobileAppConfiguration-id}/userStatusSummary",
                Shape::Contained,
            ),
        ] {
            let expected = (expected.0.to_string(), expected.1);
            assert!(beta.contains(&expected), "{expected:?} in {beta:#?}");
        }
        let v1 = places(schema.model(ApiVersion::V1), &catalog);
        assert!(
            !v1.iter()
                .any(|p| p.template.contains("deviceManagementScripts"))
        );
        assert_eq!(key_name(&[("a-id".into(), "a".into())], "a"), "a-id1");
    }

    #[test]
    fn an_unstored_navigation_is_not_served() {
        let (schema, catalog) = setup();
        let csdl = schema.model(ApiVersion::V1).to_csdl().replace(
            r#"<NavigationProperty Name="softwareUpdateStatusSummary""#,
            r#"<NavigationProperty Name="others" Type="Collection(graph.softwareUpdateStatusSummary)"/>
        <NavigationProperty Name="softwareUpdateStatusSummary""#,
        );
        let model = Model::from_csdl(&csdl).unwrap();
        assert!(
            !places(&model, &catalog)
                .iter()
                .any(|p| p.template.contains("others"))
        );
        let served = served_model(&model, &catalog);
        assert!(!served.to_csdl().contains("others"));
        assert!(served.to_csdl().contains("softwareUpdateStatusSummary"));
    }
}
