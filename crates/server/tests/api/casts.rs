//! Type-cast segments: a collection cast lists only entities of the type (and those
//! derived from it); an entity cast is the entity when it is of the type, else 404.

use crate::helpers::TestApp;

const CONFIGS: &str = "deviceAppManagement/mobileAppConfigurations";
const IOS: &str = "microsoft.graph.iosMobileAppConfiguration";
const ANDROID: &str = "microsoft.graph.androidManagedStoreAppConfiguration";

#[tokio::test]
async fn casts_narrow_collections_and_entities_in_both_versions() {
    let app = TestApp::spawn().await;
    let ios = app.create_configuration("beta").await;
    let android = app
        .post(
            &format!("/beta/{CONFIGS}/graph.androidManagedStoreAppConfiguration"),
            r#"{"displayName": "Work profile"}"#,
        )
        .await;
    assert_eq!(
        android.status, 201,
        "a cast collection takes its type: {}",
        android.text
    );
    assert_eq!(android.json()["@odata.type"], format!("#{ANDROID}"));
    let android = android.json()["id"].as_str().unwrap().to_string();

    for version in ["v1.0", "beta"] {
        let listed = app.get(&format!("/{version}/{CONFIGS}/{IOS}")).await;
        assert_eq!(listed.status, 200, "{version}: {}", listed.text);
        let json = listed.json();
        let ids: Vec<&str> = json["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [ios.as_str()], "{version}");
        assert_eq!(
            json["@odata.context"],
            format!("{}/{version}/$metadata#{CONFIGS}/{IOS}", app.base)
        );
        let count = app
            .get(&format!(
                "/{version}/{CONFIGS}/graph.iosMobileAppConfiguration/$count"
            ))
            .await;
        assert_eq!(count.text, "1", "{version}");

        let entity = app.get(&format!("/{version}/{CONFIGS}/{ios}/{IOS}")).await;
        assert_eq!(entity.status, 200, "{version}: {}", entity.text);
        assert_eq!(
            entity.json()["@odata.context"],
            format!("{}/{version}/$metadata#{CONFIGS}/{IOS}/$entity", app.base)
        );
        let other = app
            .get(&format!("/{version}/{CONFIGS}/{android}/{IOS}"))
            .await;
        assert_eq!(other.status, 404, "{version}: an entity of another type");
        let summary = app
            .get(&format!(
                "/{version}/{CONFIGS}/{ios}/{IOS}/userStatusSummary"
            ))
            .await;
        assert_eq!(summary.status, 200, "{version}: {}", summary.text);
    }
    // The android type is beta-only: v1.0 does not know the cast.
    let unknown = app.get(&format!("/v1.0/{CONFIGS}/{ANDROID}")).await;
    assert_eq!(
        unknown.status, 404,
        "read as a key of v1.0: {}",
        unknown.text
    );
    let patched = app
        .patch(&format!("/beta/{CONFIGS}/{ios}/{IOS}"), r#"{"version": 3}"#)
        .await;
    assert_eq!(
        patched.status, 200,
        "the cast names the type: {}",
        patched.text
    );
    assert_eq!(patched.json()["version"], 3);
}

/// `$filter` and `$orderby` (and theirs inside `$expand`) find the properties of the type
/// the path addresses, as `$select` does: a property only a derived type has needs the
/// cast, else entities of other types would match or sort by what they do not have.
#[tokio::test]
async fn filters_and_orders_name_properties_of_the_addressed_type() {
    let app = TestApp::spawn().await;
    let ios = app.create_configuration("beta").await;
    let android = app
        .post(
            &format!("/beta/{CONFIGS}/graph.androidManagedStoreAppConfiguration"),
            r#"{"displayName": "Work profile", "packageId": "com.example"}"#,
        )
        .await;
    assert_eq!(android.status, 201, "{}", android.text);
    let android = android.json()["id"].as_str().unwrap().to_string();

    let base = "microsoft.graph.managedDeviceMobileAppConfiguration";
    for (query, property) in [
        (
            "?$filter=appSupportsOemConfig eq false",
            "appSupportsOemConfig",
        ),
        (
            "/$count?$filter=profileApplicability eq 'default'",
            "profileApplicability",
        ),
        ("?$orderby=packageId", "packageId"),
        ("?$select=appSupportsOemConfig", "appSupportsOemConfig"),
    ] {
        let refused = app.get(&format!("/beta/{CONFIGS}{query}")).await;
        assert_eq!(refused.status, 400, "{query}: {}", refused.text);
        let (code, message) = refused.error();
        assert_eq!(code, "BadRequest", "{query}");
        assert_eq!(
            message,
            format!("Could not find a property named '{property}' on type '{base}'."),
            "{query}"
        );
    }
    let on_ios = app
        .get(&format!(
            "/beta/{CONFIGS}/{IOS}?$filter=appSupportsOemConfig eq false"
        ))
        .await;
    assert_eq!(on_ios.status, 400, "{}", on_ios.text);
    assert_eq!(
        on_ios.error().1,
        format!("Could not find a property named 'appSupportsOemConfig' on type '{IOS}'.")
    );

    let cast = format!("/beta/{CONFIGS}/graph.androidManagedStoreAppConfiguration");
    let listed = app
        .get(&format!(
            "{cast}?$filter=appSupportsOemConfig eq false&$orderby=packageId desc"
        ))
        .await;
    assert_eq!(
        listed.ids(),
        [android.as_str()],
        "only the android configuration"
    );
    let counted = app
        .get(&format!(
            "{cast}/$count?$filter=profileApplicability eq 'default'"
        ))
        .await;
    assert_eq!(counted.text, "1");
    assert_ne!(ios, android);
}

/// A write naming another concrete type than the stored entity's is a
/// ModelValidationFailure like every other, its message repeated in `innerError`.
#[tokio::test]
async fn a_write_naming_another_type_repeats_its_message_in_inner_error() {
    let app = TestApp::spawn().await;
    let ios = app.create_configuration("beta").await;
    let body = format!(r##"{{"@odata.type": "#{ANDROID}", "displayName": "x"}}"##);
    let refused = app.patch(&format!("/beta/{CONFIGS}/{ios}"), &body).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    let (code, message) = refused.error();
    assert_eq!(code, "ModelValidationFailure");
    assert_eq!(
        message,
        format!("The entity is of type '#{IOS}'; '@odata.type' names '#{ANDROID}'.")
    );
    assert_eq!(
        refused.json()["error"]["innerError"]["message"],
        message.as_str()
    );
    let kept = app.get(&format!("/beta/{CONFIGS}/{ios}")).await.json();
    assert_eq!(kept["displayName"], "Mail settings", "nothing was written");
}
