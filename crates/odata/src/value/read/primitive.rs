//! Primitive values from JSON: a JSON value of the form an Edm primitive type takes, or
//! none.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value as Json;

use crate::datetime;
use crate::edm::Primitive;
use crate::value::Value;

/// The value of primitive type `p` that `json` holds, if it holds one.
pub(super) fn primitive(p: Primitive, json: &Json) -> Option<Value> {
    if let Some((min, max)) = p.integer_range() {
        let n = json.as_i64()?;
        return (min..=max).contains(&n).then_some(Value::Int(n));
    }
    match p {
        Primitive::Boolean => json.as_bool().map(Value::Bool),
        Primitive::Double | Primitive::Single | Primitive::Decimal => {
            json.as_f64().filter(|_| json.is_number()).map(Value::Float)
        }
        Primitive::DateTimeOffset => json
            .as_str()
            .and_then(datetime::parse)
            .map(Value::DateTimeOffset),
        Primitive::String => json.as_str().map(|s| Value::String(s.to_string())),
        Primitive::Guid => json
            .as_str()
            .filter(|s| is_guid(s))
            .map(|s| Value::String(s.to_string())),
        Primitive::Binary => {
            let text = json.as_str()?;
            let bytes = STANDARD
                .decode(text)
                .or_else(|_| URL_SAFE.decode(text))
                .or_else(|_| URL_SAFE_NO_PAD.decode(text))
                .ok()?;
            Some(Value::String(STANDARD.encode(bytes)))
        }
        Primitive::Date => {
            let text = json.as_str()?;
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(text, format)
                .ok()
                .map(|_| Value::String(text.to_string()))
        }
        Primitive::Duration => json
            .as_str()
            .filter(|s| s.trim_start_matches('-').starts_with('P') && s.len() > 1)
            .map(|s| Value::String(s.to_string())),
        Primitive::TimeOfDay => json
            .as_str()
            .filter(|s| datetime::parse(&format!("2000-01-01T{s}Z")).is_some())
            .map(|s| Value::String(s.to_string())),
        _ => None,
    }
}

fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}
