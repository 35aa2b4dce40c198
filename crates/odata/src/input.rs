//! The rules every piece of request text meets before the model or a store sees it, the
//! same whatever backend keeps the data: percent-escapes decode to UTF-8, no NUL
//! character (U+0000, which PostgreSQL cannot store in text and SQLite can: refusing it
//! everywhere keeps every data set movable between them), and no JSON object names a
//! property twice (ODataLib refuses duplicates; a silent "last one wins" would hide
//! client bugs).

use std::cell::RefCell;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};

/// The character no stored text may hold.
pub const NUL: char = '\0';

/// Why a percent-encoded text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Escapes that do not decode to UTF-8 (`%FF%FE`).
    #[error("the escape '{escape}' at position {position} does not start valid UTF-8")]
    InvalidUtf8 {
        /// The first escape of the invalid sequence, as written.
        escape: String,
        /// Its 0-based character position in the text as written.
        position: usize,
    },
    /// A NUL character, written or escaped (`%00`).
    #[error("it holds a NUL character (U+0000) at position {position}, which is not allowed")]
    Nul {
        /// Its 0-based character position in the text as written.
        position: usize,
    },
}

/// Decodes `%XX` escapes (invalid escapes such as `%G1` are kept as written), refusing
/// what does not decode to UTF-8 and any NUL.
pub fn percent_decode(text: &str) -> Result<String, TextError> {
    // Most segments and options have no escape: nothing to decode, only a NUL to find.
    if !text.contains('%') {
        return match text.find(NUL) {
            Some(at) => Err(TextError::Nul {
                position: text[..at].chars().count(),
            }),
            None => Ok(text.to_string()),
        };
    }
    let (out, origin) = unescape(text);
    let position = |byte: usize| text[..byte].chars().count();
    match String::from_utf8(out) {
        Ok(decoded) => match decoded.bytes().position(|b| b == 0) {
            Some(at) => Err(TextError::Nul {
                position: position(origin[at]),
            }),
            None => Ok(decoded),
        },
        Err(e) => {
            let at = origin[e.utf8_error().valid_up_to()];
            Err(TextError::InvalidUtf8 {
                escape: text[at..].chars().take(3).collect(),
                position: position(at),
            })
        }
    }
}

/// The bytes `%XX` escapes stand for (invalid escapes kept as written), and for each
/// byte where it was written in `text`.
pub fn unescape(text: &str) -> (Vec<u8>, Vec<usize>) {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut origin = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            origin.push(i);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        origin.push(i);
        i += 1;
    }
    (out, origin)
}

/// Whether a JSON value holds a NUL character in any string or property name.
pub fn json_holds_nul(json: &Json) -> bool {
    match json {
        Json::String(s) => s.contains(NUL),
        Json::Array(items) => items.iter().any(json_holds_nul),
        Json::Object(map) => map
            .iter()
            .any(|(name, value)| name.contains(NUL) || json_holds_nul(value)),
        _ => false,
    }
}

/// Why a JSON body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// Not JSON.
    #[error("the body is not valid JSON: {0}")]
    Malformed(String),
    /// An object names a property twice.
    #[error("the property '{0}' appears twice in one object")]
    DuplicateProperty(String),
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses a JSON document like `serde_json::from_slice`, refusing an object that names
/// a property twice (at any depth). Nesting is limited as serde_json limits it. One
/// leading UTF-8 byte order mark is skipped: RFC 8259 §8.1 lets parsers ignore it, and
/// Windows PowerShell 5.1 writes one before a body it encodes as UTF-8.
pub fn parse_json(bytes: &[u8]) -> Result<Json, JsonError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let duplicate = RefCell::new(None);
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let parsed = StrictValue {
        duplicate: &duplicate,
    }
    .deserialize(&mut reader)
    .and_then(|value| reader.end().map(|()| value));
    parsed.map_err(|e| match duplicate.into_inner() {
        Some(name) => JsonError::DuplicateProperty(name),
        None => JsonError::Malformed(e.to_string()),
    })
}

/// A JSON value whose objects have distinct property names; the first duplicate found
/// is kept in `duplicate`.
#[derive(Clone, Copy)]
struct StrictValue<'a> {
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Json, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = items.next_element_seed(self)? {
            out.push(item);
        }
        Ok(Json::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(name) = entries.next_key::<String>()? {
            let value = entries.next_value_seed(self)?;
            if out.contains_key(&name) {
                let message = format!("duplicate property '{name}'");
                *self.duplicate.borrow_mut() = Some(name);
                return Err(de::Error::custom(message));
            }
            out.insert(name, value);
        }
        Ok(Json::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_to_utf8_without_nul() {
        assert_eq!(percent_decode("a%20b%C3%A9+c").unwrap(), "a bé+c");
        assert_eq!(percent_decode("100%").unwrap(), "100%");
        assert_eq!(
            percent_decode("'%FF%FE'"),
            Err(TextError::InvalidUtf8 {
                escape: "%FF".into(),
                position: 1
            })
        );
        assert_eq!(
            percent_decode("é%C3"),
            Err(TextError::InvalidUtf8 {
                escape: "%C3".into(),
                position: 1
            })
        );
        assert_eq!(percent_decode("a%00b"), Err(TextError::Nul { position: 1 }));
        assert_eq!(percent_decode("ab\0"), Err(TextError::Nul { position: 2 }));
    }

    #[test]
    fn json_objects_may_not_repeat_a_property() {
        assert_eq!(
            parse_json(br#"{"a":1,"b":[{"c":1}]}"#).unwrap(),
            serde_json::json!({"a":1,"b":[{"c":1}]})
        );
        assert_eq!(
            parse_json(br#"{"a":1,"a":2}"#),
            Err(JsonError::DuplicateProperty("a".into()))
        );
        assert_eq!(
            parse_json(br#"{"t":{"x":{"g":"1","g":"2"}}}"#),
            Err(JsonError::DuplicateProperty("g".into()))
        );
        assert!(matches!(
            parse_json(b"{\"a\":1"),
            Err(JsonError::Malformed(_))
        ));
        assert!(matches!(parse_json(b"{} x"), Err(JsonError::Malformed(_))));
        // Names that differ in case are distinct JSON (the model check treats them).
        assert!(parse_json(br#"{"a":1,"A":2}"#).is_ok());
    }

    #[test]
    fn one_leading_byte_order_mark_is_skipped() {
        assert_eq!(
            parse_json(b"\xEF\xBB\xBF{\"a\":1}").unwrap(),
            serde_json::json!({"a": 1})
        );
        // Only one, and only first: anywhere else it is not JSON.
        for bad in [
            &b"\xEF\xBB\xBF\xEF\xBB\xBF{}"[..],
            b" \xEF\xBB\xBF{}",
            b"{}\xEF\xBB\xBF",
        ] {
            assert!(
                matches!(parse_json(bad), Err(JsonError::Malformed(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(
            parse_json(deep.as_bytes()),
            Err(JsonError::Malformed(_))
        ));
    }
}
