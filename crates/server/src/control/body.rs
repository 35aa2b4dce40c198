//! Control API bodies and query strings, read strictly: a JSON object with a JSON
//! `Content-Type`, every property known and of the right type and range, each problem a 400
//! that names the property and what it must be.

use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value as Json};

use crate::ApiError;

/// A control request's body: a JSON object (Graph's 400 for anything else).
pub struct JsonObject(pub Map<String, Json>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let body = crate::body::read_object(&parts.headers, body).await?;
        Ok(JsonObject(body.object))
    }
}

/// The properties of one body, checked one by one; [`Fields::finish`] refuses the rest.
pub struct Fields<'a> {
    object: &'a Map<String, Json>,
    what: &'static str,
    known: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    /// The properties of `object`, a `what` ("fault rule") for messages.
    pub fn new(object: &'a Map<String, Json>, what: &'static str) -> Fields<'a> {
        Fields {
            object,
            what,
            known: Vec::new(),
        }
    }

    /// A 400 about this body.
    pub fn invalid(&self, message: impl std::fmt::Display) -> ApiError {
        ApiError::InvalidRequest(format!("Invalid {}: {message}", self.what))
    }

    /// The raw value of `name`, if given (`null` included).
    pub fn raw(&mut self, name: &'static str) -> Option<&'a Json> {
        self.known.push(name);
        self.object.get(name)
    }

    /// A property that may be left out or `null`; `read` says what it must be when given.
    pub fn optional<T>(
        &mut self,
        name: &'static str,
        read: impl FnOnce(&Json) -> Result<T, &'static str>,
    ) -> Result<Option<T>, ApiError> {
        match self.raw(name) {
            None | Some(Json::Null) => Ok(None),
            Some(value) => read(value)
                .map(Some)
                .map_err(|expected| self.wrong(name, expected, value)),
        }
    }

    /// A property that must be given.
    pub fn required<T>(
        &mut self,
        name: &'static str,
        read: impl FnOnce(&Json) -> Result<T, &'static str>,
    ) -> Result<T, ApiError> {
        let what = self.what;
        match self.raw(name) {
            None | Some(Json::Null) => Err(ApiError::InvalidRequest(format!(
                "Invalid {what}: the property '{name}' is required."
            ))),
            Some(value) => read(value).map_err(|expected| self.wrong(name, expected, value)),
        }
    }

    fn wrong(&self, name: &str, expected: &str, value: &Json) -> ApiError {
        self.invalid(format!("'{name}' must be {expected}; got {value}."))
    }

    /// Refuses properties no reader asked for.
    pub fn finish(self) -> Result<(), ApiError> {
        match self
            .object
            .keys()
            .find(|k| !self.known.contains(&k.as_str()))
        {
            Some(unknown) => Err(self.invalid(format!(
                "the property '{unknown}' does not exist; the properties are {}.",
                self.known.join(", ")
            ))),
            None => Ok(()),
        }
    }
}

/// An integer in `min..=max`.
pub fn integer(value: &Json, min: i64, max: i64) -> Option<i64> {
    value.as_i64().filter(|n| (min..=max).contains(n))
}

/// A string of 1 to `max` characters, none of them control characters.
pub fn text(value: &Json, max: usize) -> Option<&str> {
    value
        .as_str()
        .filter(|s| !s.is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control))
}

/// The query parameters of a control request, every one of them named in `known`.
pub fn query(raw: Option<&str>, known: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|_| ApiError::InvalidRequest("The query string is not valid.".into()))?;
    if let Some((unknown, _)) = pairs.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        return Err(ApiError::InvalidRequest(format!(
            "The query parameter '{unknown}' is not supported here; the parameters are {}.",
            known.join(", ")
        )));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Json) -> Map<String, Json> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn every_problem_names_the_property() {
        let body = object(json!({"status": "500", "extra": 1}));
        let mut fields = Fields::new(&body, "fault rule");
        let error = fields
            .optional("status", |v| {
                integer(v, 400, 599).ok_or("an integer from 400 to 599")
            })
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Invalid fault rule: 'status' must be an integer from 400 to 599; got \"500\"."
        );
        let body = object(json!({"extra": 1}));
        let mut fields = Fields::new(&body, "fault rule");
        assert_eq!(fields.optional("status", |v| Ok(v.clone())).unwrap(), None);
        let error = fields.finish().unwrap_err();
        assert_eq!(
            error.to_string(),
            "Invalid fault rule: the property 'extra' does not exist; the properties are status."
        );
        let mut fields = Fields::new(&body, "snapshot");
        assert_eq!(
            fields
                .required("name", |v| Ok(v.clone()))
                .unwrap_err()
                .to_string(),
            "Invalid snapshot: the property 'name' is required."
        );
    }

    #[test]
    fn queries_take_only_their_parameters() {
        assert_eq!(
            query(Some("top=5"), &["top"]).unwrap(),
            [("top".to_string(), "5".to_string())]
        );
        assert!(query(Some("$top=5"), &["top"]).is_err());
        assert!(query(None, &["top"]).unwrap().is_empty());
        assert!(text(&json!("a\u{0}b"), 10).is_none());
        assert!(text(&json!(""), 10).is_none());
        assert_eq!(integer(&json!(1.5), 0, 9), None);
    }
}
