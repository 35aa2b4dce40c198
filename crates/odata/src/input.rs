//! The rules every piece of request text meets before the model or a store sees it, the
//! same whatever backend keeps the data: percent-escapes decode to UTF-8, no NUL
//! character (U+0000, which PostgreSQL cannot store in text and SQLite can: refusing it
//! everywhere keeps every data set movable between them), and no JSON object names a
//! property twice (ODataLib refuses duplicates; a silent "last one wins" would hide
//! client bugs).

mod json;

pub use json::{Document, JsonError, Numbers, parse_document, parse_json, without_bom};

use serde_json::Value as Json;

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
}
