//! The offline authority's endpoints, as an SDK's credential flow uses them: discovery,
//! keys, and the client_credentials grant, with Entra ID's error shapes.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use server::auth::Claims;

use crate::helpers::{Reply, TestApp};

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");
const GRAPH_DEFAULT: &str = "https%3A%2F%2Fgraph.microsoft.com%2F.default";

async fn token_request(app: &TestApp, tenant: &str, form: &str, headers: &[(&str, &str)]) -> Reply {
    let mut all = vec![FORM];
    all.extend_from_slice(headers);
    app.anonymous()
        .request(
            "POST",
            &format!("/{tenant}/oauth2/v2.0/token"),
            Some(form),
            &all,
        )
        .await
}

fn claims_of(token: &str) -> Claims {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn discovery_names_the_issuer_the_server_accepts_and_where_keys_and_tokens_are() {
    let app = TestApp::spawn().await;
    let tenant = &app.tenant;
    let reply = app
        .anonymous()
        .get(&format!("/{tenant}/v2.0/.well-known/openid-configuration"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let config = reply.json();
    assert_eq!(
        config["issuer"],
        format!("https://login.microsoftonline.com/{tenant}/v2.0").as_str()
    );
    assert_eq!(
        claims_of(&app.token).iss,
        config["issuer"].as_str().unwrap()
    );
    assert_eq!(
        config["token_endpoint"],
        format!("{}/{tenant}/oauth2/v2.0/token", app.base).as_str()
    );
    let jwks_uri = config["jwks_uri"].as_str().unwrap();
    let path = jwks_uri.strip_prefix(&app.base).expect("on this server");
    let jwks = app.anonymous().get(path).await.json();
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["use"].as_str()),
        (Some("RSA"), Some("sig"))
    );
    assert_eq!(key["kid"], app.key.kid());
    // The published key verifies the server's tokens, as a resource server would check.
    let decoding =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["https://graph.microsoft.com"]);
    validation.set_issuer(&[config["issuer"].as_str().unwrap()]);
    let verified = jsonwebtoken::decode::<Claims>(&app.token, &decoding, &validation).unwrap();
    assert_eq!(verified.claims.tid.as_deref(), Some(tenant.as_str()));
    assert_eq!(
        app.anonymous()
            .get("/not%20a%20tenant/v2.0/.well-known/openid-configuration")
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn client_credentials_issue_a_token_with_the_clients_roles_and_tenant() {
    let app = TestApp::spawn().await;
    let tenant = uuid::Uuid::new_v4().to_string();
    let roles = vec!["DeviceManagementConfiguration.Read.All".to_string()];
    let (client, secret) = app.clients.add(&tenant, &roles).await.unwrap();
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={secret}&scope={GRAPH_DEFAULT}",
        client.client_id
    );
    let reply = token_request(&app, &tenant, &form, &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    let token = body["access_token"].as_str().unwrap();
    let claims = claims_of(token);
    assert_eq!(claims.roles, Some(roles));
    assert_eq!(claims.scp, None);
    assert_eq!(claims.tid.as_deref(), Some(tenant.as_str()));
    assert_eq!(claims.azp.as_deref(), Some(client.client_id.as_str()));
    assert_eq!(claims.idtyp.as_deref(), Some("app"));
    assert_eq!(claims.ver.as_deref(), Some("2.0"));
    let session = app.with_token(token);
    let summary = session
        .get("/v1.0/deviceManagement/softwareUpdateStatusSummary")
        .await;
    assert_eq!(summary.status, 200, "{}", summary.text);
    assert_eq!(summary.json()["id"], tenant.as_str());
    let refused = session
        .patch(
            "/v1.0/deviceManagement/softwareUpdateStatusSummary",
            r#"{"compliantDeviceCount":1}"#,
        )
        .await;
    assert_eq!(refused.status, 403);
    // client_secret_basic works as well.
    let basic = STANDARD.encode(format!("{}:{secret}", client.client_id));
    let authorization = format!("Basic {basic}");
    let reply = token_request(
        &app,
        &tenant,
        &format!("grant_type=client_credentials&scope={GRAPH_DEFAULT}"),
        &[("Authorization", &authorization)],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn the_token_endpoint_refuses_like_entra_id() {
    let app = TestApp::spawn().await;
    let tenant = uuid::Uuid::new_v4().to_string();
    let roles = vec!["DeviceManagementApps.Read.All".to_string()];
    let (client, secret) = app.clients.add(&tenant, &roles).await.unwrap();
    let id = &client.client_id;
    let other = uuid::Uuid::new_v4().to_string();
    let cases = [
        (
            &tenant,
            format!(
                "grant_type=client_credentials&client_id={id}&client_secret=wrong&scope={GRAPH_DEFAULT}"
            ),
            401,
            "invalid_client",
            7000215,
        ),
        (
            &other,
            format!(
                "grant_type=client_credentials&client_id={id}&client_secret={secret}&scope={GRAPH_DEFAULT}"
            ),
            400,
            "unauthorized_client",
            700016,
        ),
        (
            &tenant,
            format!(
                "grant_type=client_credentials&client_id={other}&client_secret={secret}&scope={GRAPH_DEFAULT}"
            ),
            400,
            "unauthorized_client",
            700016,
        ),
        (
            &tenant,
            format!(
                "grant_type=password&client_id={id}&client_secret={secret}&scope={GRAPH_DEFAULT}"
            ),
            400,
            "unsupported_grant_type",
            70003,
        ),
        (
            &tenant,
            format!("client_id={id}&client_secret={secret}&scope={GRAPH_DEFAULT}"),
            400,
            "invalid_request",
            900144,
        ),
        (
            &tenant,
            format!(
                "grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=User.Read"
            ),
            400,
            "invalid_scope",
            1002012,
        ),
        (
            &tenant,
            format!("grant_type=client_credentials&client_id={id}&scope={GRAPH_DEFAULT}"),
            401,
            "invalid_client",
            7000218,
        ),
    ];
    for (tenant, form, status, error, code) in cases {
        let reply = token_request(&app, tenant, &form, &[]).await;
        assert_eq!(reply.status, status, "{form}: {}", reply.text);
        let body: Value = reply.json();
        assert_eq!(body["error"], error, "{form}");
        assert_eq!(body["error_codes"][0], code, "{form}");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .starts_with(&format!("AADSTS{code}: ")),
            "{}",
            reply.text
        );
        assert!(!reply.text.contains(&secret), "the secret is never echoed");
    }
}
