//! JSON request bodies: parsed as `serde_json` parses them, refusing an object that
//! names a property twice, and keeping how the client wrote each number a JSON value
//! does not keep as written (`1.50`, `1e2`), so that a message quotes the literal as
//! sent, as ODataLib's do.

use std::cell::{Cell, RefCell};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};

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

/// A JSON document as a request sent it: its value, and how it wrote its numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The value.
    pub json: Json,
    /// The text of the numbers `json` holds as floats.
    pub numbers: Numbers,
}

/// The text, as written, of each number of a document that its JSON value holds as a
/// float (one with a fraction or an exponent, or past 64 bits: `1.50`, `1e2`), in
/// document order. The other numbers read back as written from the value itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Numbers(Vec<Box<str>>);

impl Numbers {
    /// How the document whose value is `root` wrote `node`, one of the values inside
    /// it: the literal as sent when `node` is a float, `None` for anything else (or a
    /// value from elsewhere).
    pub fn written<'a>(&'a self, root: &Map<String, Json>, node: &Json) -> Option<&'a str> {
        if !is_float(node) {
            return None;
        }
        let mut before = 0;
        if !find(root.values(), node, &mut before) {
            return None;
        }
        self.0.get(before).map(|text| &**text)
    }
}

fn is_float(json: &Json) -> bool {
    matches!(json, Json::Number(n) if n.is_f64())
}

/// Whether `node` (by identity) is among `values` or inside them, counting in `before`
/// the floats that come before it in document order.
fn find<'j>(values: impl Iterator<Item = &'j Json>, node: &Json, before: &mut usize) -> bool {
    for value in values {
        if std::ptr::eq(value, node) {
            return true;
        }
        let found = match value {
            Json::Array(items) => find(items.iter(), node, before),
            Json::Object(map) => find(map.values(), node, before),
            other => {
                *before += usize::from(is_float(other));
                false
            }
        };
        if found {
            return true;
        }
    }
    false
}

/// Parses a JSON document like `serde_json::from_slice`, refusing an object that names
/// a property twice (at any depth). Nesting is limited as serde_json limits it. One
/// leading UTF-8 byte order mark is skipped: RFC 8259 §8.1 lets parsers ignore it, and
/// Windows PowerShell 5.1 writes one before a body it encodes as UTF-8.
pub fn parse_json(bytes: &[u8]) -> Result<Json, JsonError> {
    parse_document(bytes).map(|document| document.json)
}

/// The bytes of a document without the one leading UTF-8 byte order mark that
/// [`parse_json`] skips.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// [`parse_json`], with the [`Numbers`] of the document. A `-0` is read as the integer
/// 0, as ODataLib reads it (an `Int32`), not as a float.
pub fn parse_document(bytes: &[u8]) -> Result<Document, JsonError> {
    let bytes = without_bom(bytes);
    let state = State {
        duplicate: RefCell::new(None),
        seen: Cell::new(0),
        tokens: RefCell::new(NumberTokens {
            bytes,
            at: 0,
            found: 0,
        }),
        floats: RefCell::new(Vec::new()),
    };
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let parsed = StrictValue { state: &state }
        .deserialize(&mut reader)
        .and_then(|value| reader.end().map(|()| value));
    match parsed {
        Ok(json) => Ok(Document {
            json,
            numbers: Numbers(state.floats.into_inner()),
        }),
        Err(e) => Err(match state.duplicate.into_inner() {
            Some(name) => JsonError::DuplicateProperty(name),
            None => JsonError::Malformed(e.to_string()),
        }),
    }
}

/// What one parse keeps beside the value.
struct State<'b> {
    /// The first property name found twice in one object.
    duplicate: RefCell<Option<String>>,
    /// How many numbers the parse has read so far.
    seen: Cell<usize>,
    /// The document's number tokens, scanned only as far as a float needs.
    tokens: RefCell<NumberTokens<'b>>,
    /// The text of each float read, in order.
    floats: RefCell<Vec<Box<str>>>,
}

/// The number tokens of a JSON document, in order: what serde_json reads as numbers,
/// found again in the text (outside strings, a number is the only token that holds a
/// digit or a `-`).
struct NumberTokens<'b> {
    bytes: &'b [u8],
    /// Where the scan goes on.
    at: usize,
    /// How many tokens the scan has passed.
    found: usize,
}

impl<'b> NumberTokens<'b> {
    /// The text of the number token `ordinal` (0-based), scanning on from the last one
    /// asked for.
    fn nth(&mut self, ordinal: usize) -> Option<&'b str> {
        while self.found <= ordinal {
            let text = self.next_token()?;
            self.found += 1;
            if self.found == ordinal + 1 {
                return Some(text);
            }
        }
        None
    }

    fn next_token(&mut self) -> Option<&'b str> {
        let bytes = self.bytes;
        while let Some(&b) = bytes.get(self.at) {
            match b {
                b'"' => {
                    self.at += 1;
                    while let Some(&c) = bytes.get(self.at) {
                        self.at += if c == b'\\' { 2 } else { 1 };
                        if c == b'"' {
                            break;
                        }
                    }
                }
                b'-' | b'0'..=b'9' => {
                    let start = self.at;
                    self.at += 1;
                    while bytes.get(self.at).is_some_and(|c| {
                        matches!(c, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                    }) {
                        self.at += 1;
                    }
                    return std::str::from_utf8(&bytes[start..self.at]).ok();
                }
                _ => self.at += 1,
            }
        }
        None
    }
}

/// A JSON value whose objects have distinct property names, read into `state`.
#[derive(Clone, Copy)]
struct StrictValue<'a, 'b> {
    state: &'a State<'b>,
}

impl StrictValue<'_, '_> {
    /// Counts a number read.
    fn count(&self) -> usize {
        let ordinal = self.state.seen.get();
        self.state.seen.set(ordinal + 1);
        ordinal
    }
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_, '_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_, '_> {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        self.count();
        Ok(Json::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        self.count();
        Ok(Json::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        let ordinal = self.count();
        let json = Json::from(v);
        if !is_float(&json) {
            return Ok(json);
        }
        let text = self.state.tokens.borrow_mut().nth(ordinal);
        // ODataLib reads `-0` with int.TryParse: the integer 0 (serde_json's -0.0).
        if text == Some("-0") {
            return Ok(Json::from(0));
        }
        let text = text.map_or_else(|| json.to_string().into(), Box::from);
        self.state.floats.borrow_mut().push(text);
        Ok(json)
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
                *self.state.duplicate.borrow_mut() = Some(name);
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
    fn floats_keep_the_text_they_were_written_with() {
        let document =
            parse_document(br#"{"a":1,"s":"-9 \" 1e9","b":[1.50,{"c":1e2,"d":-3}],"e":2E+0}"#)
                .unwrap();
        let Json::Object(root) = &document.json else {
            panic!("an object")
        };
        let written = |node: &Json| document.numbers.written(root, node);
        assert_eq!(written(&root["b"][0]), Some("1.50"));
        assert_eq!(written(&root["b"][1]["c"]), Some("1e2"));
        assert_eq!(written(&root["e"]), Some("2E+0"));
        // Integers read back as written; a copy is not the node.
        assert_eq!(written(&root["a"]), None);
        assert_eq!(written(&root["b"][1]["d"]), None);
        assert_eq!(written(&Json::from(1.5)), None);
        // Past 64 bits an integer is a float: its digits are kept.
        let big = parse_document(br#"{"n":123456789012345678901234567890}"#).unwrap();
        let Json::Object(root) = &big.json else {
            panic!("an object")
        };
        assert_eq!(
            big.numbers.written(root, &root["n"]),
            Some("123456789012345678901234567890")
        );
    }

    #[test]
    fn minus_zero_is_the_integer_zero() {
        let document = parse_document(br#"{"a":-0,"b":-0.0,"c":[-0]}"#).unwrap();
        assert_eq!(document.json["a"], Json::from(0));
        assert!(document.json["a"].is_u64());
        assert_eq!(document.json["c"][0], Json::from(0));
        assert!(document.json["b"].is_f64(), "-0.0 is a float");
        let Json::Object(root) = &document.json else {
            panic!("an object")
        };
        assert_eq!(document.numbers.written(root, &root["b"]), Some("-0.0"));
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
