//! Query options. Paging (`$skiptoken`) is served; the other OData system query options
//! are refused with a clear 400 rather than silently ignored.

use odata::path::percent_decode;

use crate::ApiError;

/// The system query options Graph knows (the `$` prefix is optional, names are
/// case-insensitive).
const SYSTEM_OPTIONS: [&str; 12] = [
    "select",
    "filter",
    "orderby",
    "top",
    "skip",
    "count",
    "expand",
    "search",
    "format",
    "skiptoken",
    "deltatoken",
    "levels",
];

/// The query options of a request.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct QueryOptions {
    /// The page to continue after: the key the previous page ended on.
    pub after: Option<String>,
    /// Whether any system query option was given.
    pub any: bool,
}

impl QueryOptions {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> Result<QueryOptions, ApiError> {
        let mut options = QueryOptions::default();
        for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key);
            let name = key.strip_prefix('$').unwrap_or(&key).to_ascii_lowercase();
            if !SYSTEM_OPTIONS.contains(&name.as_str()) {
                if key.starts_with('$') {
                    return Err(ApiError::Query(format!(
                        "Query option '{key}' is not supported."
                    )));
                }
                continue;
            }
            options.any = true;
            match name.as_str() {
                "skiptoken" => {
                    options.after = Some(skiptoken::decode(&decode(value)).ok_or_else(|| {
                        ApiError::Query(
                            "The '$skiptoken' query option is not a token this service issued."
                                .into(),
                        )
                    })?);
                }
                _ => {
                    return Err(ApiError::Query(format!(
                        "The query option '${name}' is not supported by localgraph yet."
                    )));
                }
            }
        }
        Ok(options)
    }
}

/// Decodes a query component: `+` is a space, then `%XX` escapes.
fn decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

/// Opaque page tokens.
pub mod skiptoken {
    const PREFIX: &str = "LG1.";

    /// The token for "after this key".
    pub fn encode(key: &str) -> String {
        let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{PREFIX}{hex}")
    }

    /// The key a token stands for, if it is one of ours.
    pub fn decode(token: &str) -> Option<String> {
        let hex = token.strip_prefix(PREFIX)?;
        if hex.len() % 2 != 0 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect();
        String::from_utf8(bytes?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_with_opaque_tokens_and_refuses_the_rest() {
        let token = skiptoken::encode("0192-abc");
        let parsed = QueryOptions::parse(Some(&format!("$skiptoken={token}&foo=bar"))).unwrap();
        assert_eq!(parsed.after.as_deref(), Some("0192-abc"));
        assert!(QueryOptions::parse(Some("$skiptoken=garbage")).is_err());
        assert!(QueryOptions::parse(Some("$SKIPTOKEN=LG1.zz")).is_err());
        let err = QueryOptions::parse(Some("filter=a+eq+1")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The query option '$filter' is not supported by localgraph yet."
        );
        let err = QueryOptions::parse(Some("$bogus=1")).unwrap_err();
        assert_eq!(err.to_string(), "Query option '$bogus' is not supported.");
        assert_eq!(
            QueryOptions::parse(Some("api-version=1")).unwrap(),
            QueryOptions::default()
        );
    }
}
