use super::*;
use intune::{ApiVersion, Schema};

fn beta_routes() -> Vec<(String, Shape)> {
    let schema = Schema::load().unwrap();
    let v = ApiVersion::Beta;
    routes(schema.places(v))
        .into_iter()
        .map(|r| (r.template, r.shape))
        .collect()
}

#[test]
fn the_served_model_keeps_every_navigation_and_action_a_place_reaches() {
    let schema = Schema::load().unwrap();
    for version in ApiVersion::ALL {
        let model = schema.model(version);
        let served = served_model(model, schema.places(version));
        for (a, b) in model.structured_types().zip(served.structured_types()) {
            assert_eq!(
                a, b,
                "{version:?}: the model has a navigation nobody serves"
            );
        }
        assert_eq!(model.actions(), served.actions(), "{version:?}");
    }
}

#[test]
fn routes_have_graph_shaped_templates() {
    let beta = beta_routes();
    for expected in [
        ("/deviceManagement", Shape::Singleton),
        (
            "/deviceManagement/softwareUpdateStatusSummary/$ref",
            Shape::Ref,
        ),
        (
            "/deviceManagement/deviceManagementScripts/{deviceManagementScript-id}/runSummary",
            Shape::Summary,
        ),
        (
            "/deviceManagement/deviceManagementScripts/{deviceManagementScript-id}/userRunStates/{deviceManagementScriptUserState-id}/deviceRunStates/$count",
            Shape::Count,
        ),
        (
            "/deviceAppManagement/mobileAppConfigurations/{managedDeviceMobileAppConfiguration-id}/userStatusSummary",
            Shape::Contained,
        ),
        (
            "/deviceManagement/deviceManagementScripts/{deviceManagementScript-id}/assign",
            Shape::Action,
        ),
        (
            "/deviceManagement/deviceManagementScripts/hasPayloadLinks",
            Shape::Action,
        ),
        (
            "/deviceAppManagement/mobileAppConfigurations/graph.iosMobileAppConfiguration",
            Shape::Collection,
        ),
        (
            "/deviceAppManagement/mobileAppConfigurations/{managedDeviceMobileAppConfiguration-id}/graph.iosMobileAppConfiguration",
            Shape::Entity,
        ),
    ] {
        let expected = (expected.0.to_string(), expected.1);
        assert!(beta.contains(&expected), "{expected:?} in {beta:#?}");
    }
    let schema = Schema::load().unwrap();
    let v1 = routes(schema.places(ApiVersion::V1));
    assert!(
        !v1.iter()
            .any(|r| r.template.contains("deviceManagementScripts"))
    );
    assert_eq!(key_name(&[("a-id".into(), "a".into())], "a"), "a-id1");
}

#[test]
fn an_unstored_navigation_is_not_served() {
    let schema = Schema::load().unwrap();
    let csdl = schema.model(ApiVersion::V1).to_csdl().replace(
        r#"<NavigationProperty Name="softwareUpdateStatusSummary""#,
        r#"<NavigationProperty Name="others" Type="Collection(graph.softwareUpdateStatusSummary)"/>
        <NavigationProperty Name="softwareUpdateStatusSummary""#,
    );
    let model = Model::from_csdl(&csdl).unwrap();
    let places = Places::build(&model);
    assert!(
        !routes(&places)
            .iter()
            .any(|r| r.template.contains("others"))
    );
    let served = served_model(&model, &places);
    assert!(!served.to_csdl().contains("others"));
    assert!(served.to_csdl().contains("softwareUpdateStatusSummary"));
}
