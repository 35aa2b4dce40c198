//! JSON written straight into a response's bytes, exactly as `serde_json` writes it, but
//! without its byte-by-byte escaping of strings that need none: property names, ids,
//! dates and most values of a page (the escaping loop was the largest single cost of
//! rendering a page of devices).

use serde::Serialize;

/// Appends `text` as a JSON string.
pub fn string(out: &mut Vec<u8>, text: &str) {
    if needs_escape(text.as_bytes()) {
        serialized(out, text);
        return;
    }
    unescaped(out, text.as_bytes());
}

/// Appends `text`, UTF-8 that holds nothing JSON escapes (a formatted date), as a JSON
/// string, without looking for anything to escape.
pub fn unescaped(out: &mut Vec<u8>, text: &[u8]) {
    debug_assert!(
        std::str::from_utf8(text).is_ok() && !needs_escape(text),
        "{text:?}"
    );
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text);
    out.push(b'"');
}

/// Appends `"#namespace.name"`, an `@odata.type` (`Model::qualified` after a `#`),
/// without building the qualified name. The namespace is an EDM identifier: only the
/// type's name is checked for anything to escape.
pub fn type_annotation(out: &mut Vec<u8>, namespace: &str, name: &str) {
    debug_assert!(!needs_escape(namespace.as_bytes()), "{namespace:?}");
    if needs_escape(name.as_bytes()) {
        serialized(out, &format!("#{namespace}.{name}"));
        return;
    }
    out.reserve(namespace.len() + name.len() + 4);
    out.extend_from_slice(b"\"#");
    out.extend_from_slice(namespace.as_bytes());
    out.push(b'.');
    out.extend_from_slice(name.as_bytes());
    out.push(b'"');
}

/// Appends `null`.
pub fn null(out: &mut Vec<u8>) {
    out.extend_from_slice(b"null");
}

/// Appends a value as `serde_json` writes it (numbers, JSON values).
pub fn serialized(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) {
    // Writing to a Vec cannot fail, nor can serializing numbers, strings and JSON values
    // (whose map keys are strings): there is no error to report.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// Whether JSON escapes a byte of `bytes`: a quote, a backslash or a control character.
/// Checked in blocks of 16 bytes, the last one padded with spaces, each without a branch
/// inside, which the compiler turns into a few vector instructions per block.
fn needs_escape(bytes: &[u8]) -> bool {
    let (blocks, rest) = bytes.as_chunks::<BLOCK>();
    if blocks.iter().any(escapes) {
        return true;
    }
    let mut last = [b' '; BLOCK];
    last[..rest.len()].copy_from_slice(rest);
    escapes(&last)
}

const BLOCK: usize = 16;

/// Whether a block holds a byte JSON escapes.
fn escapes(block: &[u8; BLOCK]) -> bool {
    block.iter().fold(false, |found, &b| {
        found | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

/// An object being written: `{`, then `"key":value` entries separated by commas, then `}`.
pub struct Object<'o> {
    out: &'o mut Vec<u8>,
    empty: bool,
}

impl<'o> Object<'o> {
    /// Opens an object.
    pub fn begin(out: &'o mut Vec<u8>) -> Object<'o> {
        out.push(b'{');
        Object { out, empty: true }
    }

    /// Writes the entry's `"name":`; returns where its value goes. Names are EDM
    /// identifiers (letters, digits, `_`) or OData annotations (`@odata.type`): nothing
    /// in them to escape, so they are written as they are (most strings of a page are
    /// property names). Inlined: a page writes one per property of each entity.
    #[inline(always)]
    pub fn key(&mut self, name: &str) -> &mut Vec<u8> {
        debug_assert!(!needs_escape(name.as_bytes()), "{name:?} is no identifier");
        self.out.reserve(name.len() + 4);
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.push(b'}');
    }
}

/// Appends `[`, each item written by `write`, separated by commas, then `]`.
pub fn array<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut write: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string, escaped or not, is written as serde_json writes it.
    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let long = "a".repeat(40) + "\"" + &"b".repeat(40);
        for text in [
            "",
            "plain",
            "2025-01-01T00:00:00Z",
            "quote \" inside",
            "back\\slash",
            "tab\tnew\nline\u{1}",
            "\u{7f} del and ünïcödé ✓",
            "0123456789abcdef",
            "0123456789abcde\"",
            long.as_str(),
        ] {
            let mut out = Vec::new();
            string(&mut out, text);
            assert_eq!(out, serde_json::to_vec(text).unwrap(), "{text:?}");
            let mut out = Vec::new();
            type_annotation(&mut out, "microsoft.graph", text);
            let joined = format!("#microsoft.graph.{text}");
            assert_eq!(out, serde_json::to_vec(&joined).unwrap(), "{joined:?}");
        }
    }

    /// Every ASCII byte, at every place of a block and of the padded last block.
    #[test]
    fn each_byte_is_escaped_where_serde_json_escapes_it() {
        for len in [1, 15, 16, 17, 33] {
            for at in 0..len {
                for byte in 0..0x80u8 {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    let text = String::from_utf8(text).unwrap();
                    let mut out = Vec::new();
                    string(&mut out, &text);
                    assert_eq!(out, serde_json::to_vec(&text).unwrap(), "{text:?}");
                }
            }
        }
    }

    /// A formatted date, written without a look for anything to escape, is written as
    /// serde_json writes its text.
    #[test]
    fn dates_are_written_as_serde_json_writes_them() {
        for ticks in [
            i64::MIN,
            0,
            1,
            638_812_864_120_000_000,
            638_812_864_123_456_700,
            i64::MAX,
        ] {
            let date = odata::datetime::formatted(ticks);
            let mut out = Vec::new();
            unescaped(&mut out, date.as_bytes());
            assert_eq!(out, serde_json::to_vec(date.as_str()).unwrap());
        }
    }

    #[test]
    fn objects_and_arrays_separate_their_entries() {
        let mut out = Vec::new();
        let mut object = Object::begin(&mut out);
        serialized(object.key("a"), &1);
        array(object.key("b"), [1.5, f64::NAN], |out, f| {
            serialized(out, &f)
        });
        null(object.key("@odata.c"));
        object.end();
        let expected = serde_json::json!({"a": 1, "b": [1.5, null], "@odata.c": null});
        assert_eq!(out, serde_json::to_vec(&expected).unwrap());
    }
}
