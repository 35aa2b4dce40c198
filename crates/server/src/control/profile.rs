//! Behaviour profiles: `documented` (the seed documents' answers, the default) and
//! `observed` (what real Intune answers today, each difference with its evidence in
//! `research/graph-behavior.md`). The profile of a request travels with it as a request
//! extension; the renderers and handlers read it from there.
//!
//! `GET /_localgraph/profile` and `PUT /_localgraph/profile` (`{"profile":"observed"}`)
//! read and set the caller's tenant's profile.

use axum::Json;
use axum::extract::State;
use odata::query::QueryError;
use serde_json::{Value as Json_, json};

use super::access::Writer;
use super::body::{Fields, JsonObject};
use super::settings::PROFILE;
use crate::error::ErrorBody;
use crate::odata::render::TypeAnnotations;
use crate::{ApiError, AppState, Caller};

/// How the server answers where Graph's documentation and real Intune differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// As the documentation and the seed documents show (the default).
    #[default]
    Documented,
    /// As real Intune answers today.
    Observed,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 2] = [Profile::Documented, Profile::Observed];

    /// Its name: `documented` or `observed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Documented => "documented",
            Profile::Observed => "observed",
        }
    }

    /// A profile by name.
    pub fn parse(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// Which entities carry `@odata.type`: all (documented, as the seeds show), or only
    /// those whose type differs from the declared type of where they live (observed:
    /// minimal metadata, §3.3; contrib#3553).
    pub fn type_annotations(self) -> TypeAnnotations {
        match self {
            Profile::Documented => TypeAnnotations::Always,
            Profile::Observed => TypeAnnotations::Derived,
        }
    }
}

/// Where an Intune-class error happened, for the `Url` of Intune's message.
pub struct IntuneUrl<'a> {
    /// The Intune service behind the request's bucket, when it has one.
    pub service: Option<&'static str>,
    /// The tenant.
    pub tenant: &'a str,
    /// The API version segment.
    pub version: &'a str,
    /// The path after the version, and the query.
    pub rest: &'a str,
}

impl IntuneUrl<'_> {
    fn render(&self) -> String {
        // Intune's internal api-version: 50yy-mm-dd for beta, 20yy-mm-dd for v1.0 (§1.2).
        let api_version = if self.version.eq_ignore_ascii_case("beta") {
            "5020-08-21"
        } else {
            "2023-10-19"
        };
        let service = self
            .service
            .unwrap_or("DeviceConfiguration/StatelessDeviceConfigurationFEService");
        let (path, _) = self.rest.split_once('?').unwrap_or((self.rest, ""));
        format!(
            "https://fef.msud01.manage.microsoft.com/{service}/{}/{path}?api-version={api_version}",
            self.tenant
        )
    }
}

/// Under the observed profile, puts Intune's JSON document into the `message` of an
/// Intune-class error (403, 404, 429, 500), as Intune's backend does (§1.2,
/// Intune-ACSC-Windows-Hardening-Guidelines#14, IntuneCD#217, ThomasKur/IntuneDocumentation#39).
pub fn observe_error(body: &mut ErrorBody, client_request_id: &str, url: &IntuneUrl) {
    let Some(text) = body.intune.take() else {
        return;
    };
    body.message = intune_message(&text, client_request_id, &url.render());
    body.repeat_in_inner = false;
}

/// Intune's error document as a string: 2-space indented, `\r\n` line breaks, the keys in
/// Intune's order; the Operation ID is all zeros and the Activity ID is the request's
/// `client-request-id`; `RetryAfter` is null even on a 429, as in every capture.
pub fn intune_message(text: &str, client_request_id: &str, url: &str) -> String {
    let message = format!(
        "{text} - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: {client_request_id} - Url: {url}"
    );
    let message = Json_::String(message).to_string();
    format!(
        "{{\r\n  \"_version\": 3,\r\n  \"Message\": {message},\r\n  \"CustomApiErrorPhrase\": \"\",\r\n  \"RetryAfter\": null,\r\n  \"ErrorSourceService\": \"\",\r\n  \"HttpHeaders\": \"{{}}\"\r\n}}"
    )
}

/// The first `$`-option of `raw` that is not in `allowed` (checked before the options are
/// parsed, so an option Intune refuses is refused whatever its value).
pub fn refused_option(raw: Option<&str>, allowed: &[&str]) -> Option<String> {
    raw.unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let key = odata::query::decode(pair.split('=').next().unwrap_or_default());
            key.starts_with('$')
                .then(|| format!("${}", key.trim_start_matches('$').to_ascii_lowercase()))
        })
        .find(|option| !allowed.contains(&option.as_str()))
}

/// The observed profile's answer to a query option a resource does not take: the ASP.NET
/// OData wording Intune answers with (contrib#94, on an Intune collection's `$filter`).
pub fn option_not_allowed(option: &str) -> ApiError {
    let name = option.trim_start_matches('$');
    let mut chars = name.chars();
    let capitalized = chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default();
    ApiError::Query(QueryError::new(
        option,
        format!(
            "The query specified in the URI is not valid. Query option '{capitalized}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings."
        ),
    ))
}

/// `GET /_localgraph/profile`: the tenant's profile (its own, else the server's).
pub async fn get(State(app): State<AppState>, caller: Caller) -> Json<Json_> {
    let profile = app.controls.tenant(&caller.tenant).profile(&app.controls);
    Json(json!({ "profile": profile.as_str() }))
}

/// `PUT /_localgraph/profile`: sets the tenant's profile.
pub async fn put(
    State(app): State<AppState>,
    Writer(caller): Writer,
    JsonObject(object): JsonObject,
) -> Result<Json<Json_>, ApiError> {
    let mut fields = Fields::new(&object, "profile setting");
    let profile = fields.required("profile", |value| {
        value
            .as_str()
            .and_then(Profile::parse)
            .ok_or("one of \"documented\", \"observed\"")
    })?;
    fields.finish()?;
    app.controls
        .put(&caller.tenant, PROFILE, "", json!(profile.as_str()), None)
        .await?;
    Ok(Json(json!({ "profile": profile.as_str() })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intune_messages_carry_a_json_document_as_intune_writes_it() {
        let text = intune_message(
            "An error has occurred",
            "d8d4fea4-bac5-3a83-88fd-0e43cd5b0505",
            "https://fef.msud01.manage.microsoft.com/x?api-version=5020-08-21",
        );
        assert!(text.starts_with("{\r\n  \"_version\": 3,\r\n  \"Message\": \"An error has occurred - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: d8d4fea4-bac5-3a83-88fd-0e43cd5b0505 - Url: https://"));
        let document: Json_ = serde_json::from_str(&text).unwrap();
        let keys: Vec<&String> = document.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "_version",
                "Message",
                "CustomApiErrorPhrase",
                "RetryAfter",
                "ErrorSourceService",
                "HttpHeaders"
            ]
        );
        assert_eq!(document["RetryAfter"], Json_::Null);
        assert_eq!(document["HttpHeaders"], "{}");
    }

    #[test]
    fn refused_options_are_named_as_aspnet_odata_names_them() {
        let message = option_not_allowed("$filter").to_string();
        assert!(
            message.contains("Query option 'Filter' is not allowed."),
            "{message}"
        );
        assert_eq!(Profile::parse("observed"), Some(Profile::Observed));
        assert_eq!(Profile::parse("Observed"), None);
    }
}
