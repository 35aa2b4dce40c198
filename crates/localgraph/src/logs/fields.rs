//! The fields of a line as tracing's [`DefaultFields`] writes them, written more cheaply
//! (see [`super`]).

use std::cell::RefCell;
use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{MakeVisitor, RecordFields, VisitOutput};
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::{DefaultFields, DefaultVisitor, Writer};

/// Fields as tracing's [`DefaultFields`] writes them (`name=value`, a space between), with
/// strings, integers and booleans written without `core::fmt`, and messages without
/// tracing's character-by-character escaping when they need none, when no colours are on.
///
/// A span's or event's fields are written to a scratch string of the thread's, then
/// copied in one piece: a span's fields are kept in a string of their own that would
/// otherwise grow a few bytes at a time, reallocating as it goes.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainFields;

thread_local! {
    /// Where [`PlainFields`] writes one span's or event's fields.
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The most [`SCRATCH`] keeps between lines: a long field's larger buffer is given back.
const SCRATCH_KEPT: usize = 4 * 1024;

impl<'writer> FormatFields<'writer> for PlainFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        if writer.has_ansi_escapes() || !writer.sanitizes_ansi_escapes() {
            return DefaultFields::new().format_fields(writer, fields);
        }
        SCRATCH.with(|scratch| {
            // Taken only if writing a field formats fields itself, which tracing does not
            // let happen (it drops an event logged while one is dispatched): a guard, left
            // to tracing's own code.
            let Ok(mut text) = scratch.try_borrow_mut() else {
                return DefaultFields::new().format_fields(writer, fields);
            };
            text.clear();
            let mut visitor = PlainVisitor {
                out: &mut text,
                first: true,
                result: Ok(()),
            };
            fields.record(&mut visitor);
            let written = visitor.result.and_then(|()| writer.write_str(&text));
            text.shrink_to(SCRATCH_KEPT);
            written
        })
    }
}

/// Writes one span's or event's fields for [`PlainFields`].
struct PlainVisitor<'a> {
    out: &'a mut String,
    first: bool,
    result: fmt::Result,
}

impl PlainVisitor<'_> {
    /// Raw identifiers (`r#type`), which tracing's own visitor writes without the `r#`.
    fn raw(field: &Field) -> bool {
        field.name().starts_with("r#")
    }

    /// The `log.` fields of events from the `log` crate, which tracing's format has
    /// already written as the event's target and leaves out of its fields.
    fn skipped(field: &Field) -> bool {
        field.name().starts_with("log.")
    }

    /// The space between fields; false for a skipped field or once writing has failed.
    fn separate(&mut self, field: &Field) -> bool {
        if self.result.is_err() || Self::skipped(field) {
            return false;
        }
        if !self.first {
            self.out.push(' ');
        }
        self.first = false;
        true
    }

    /// Hands one field to tracing's [`DefaultVisitor`], continuing this line (with
    /// tracing's escaping of messages against terminal injection).
    fn delegate(&mut self, field: &Field, record: impl FnOnce(&mut DefaultVisitor<'_>)) {
        if !self.separate(field) {
            return;
        }
        // A visitor from `make_visitor` starts as on an empty line and writes no
        // separating space before its first field.
        let mut visitor = DefaultFields::new().make_visitor(Writer::new(self.out));
        record(&mut visitor);
        self.result = visitor.finish();
    }

    /// `name=` after the separating space; false for a skipped field or once writing has
    /// failed.
    fn name(&mut self, field: &Field) -> bool {
        if !self.separate(field) {
            return false;
        }
        self.out.push_str(field.name());
        self.out.push('=');
        true
    }

    /// The message, as tracing writes it when it needs no escaping (printable ASCII),
    /// else by tracing's visitor.
    fn message(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let (start, first) = (self.out.len(), self.first);
        if !self.separate(field) {
            return;
        }
        let from = self.out.len();
        if write!(self.out, "{value:?}").is_ok() && printable(&self.out.as_bytes()[from..]) {
            return;
        }
        self.out.truncate(start);
        self.first = first;
        self.delegate(field, |v| v.record_debug(field, value));
    }
}

/// Whether every byte is printable ASCII (a space to a `~`). Without an early exit, so
/// that the loop is vectorised: the strings are short and nearly always plain.
fn printable(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(true, |plain, &b| plain & (b' '..=b'~').contains(&b))
}

/// Whether `{:?}` leaves a str as it is but for the quotes around it: printable ASCII
/// other than `"` and `\`.
fn unescaped(text: &str) -> bool {
    text.bytes().fold(true, |plain, b| {
        plain & (b' '..=b'~').contains(&b) & (b != b'"') & (b != b'\\')
    })
}

impl Visit for PlainVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" || Self::raw(field) {
            return self.delegate(field, |v| v.record_str(field, value));
        }
        if !self.name(field) {
            return;
        }
        if unescaped(value) {
            self.out.push('"');
            self.out.push_str(value);
            self.out.push('"');
        } else {
            self.result = write!(self.out, "{value:?}");
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if self.name(field) {
            self.out.push_str(itoa::Buffer::new().format(value));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if self.name(field) {
            self.out.push_str(itoa::Buffer::new().format(value));
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if self.name(field) {
            self.result = match Hundredths::of(value) {
                Some(hundredths) => hundredths.write(self.out),
                None => write!(self.out, "{value:?}"),
            };
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if self.name(field) {
            self.out.push_str(if value { "true" } else { "false" });
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.delegate(field, |v| v.record_error(field, value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            return self.message(field, value);
        }
        if Self::raw(field) {
            return self.delegate(field, |v| v.record_debug(field, value));
        }
        if self.name(field) {
            self.result = write!(self.out, "{value:?}");
        }
    }
}

/// A number of hundredths, written as `{:?}` writes the `f64` it came from (`0.05`,
/// `2.0`, `12.3`) without `core::fmt`'s float formatting: the request line's
/// `elapsed_ms` is rounded to hundredths.
pub(super) struct Hundredths(u64);

impl Hundredths {
    /// `value`'s hundredths, when it is a non-negative whole number of them small enough
    /// that no shorter decimal names the same `f64` (so `{:?}` writes exactly these
    /// digits).
    pub(super) fn of(value: f64) -> Option<Hundredths> {
        if !(value.is_sign_positive() && value < 1e12) {
            return None;
        }
        let hundredths = (value * 100.0).round();
        // Proven in range: non-negative and below 1e14.
        (hundredths / 100.0 == value).then_some(Hundredths(hundredths as u64))
    }

    pub(super) fn write(&self, w: &mut impl fmt::Write) -> fmt::Result {
        let (whole, fraction) = (self.0 / 100, self.0 % 100);
        w.write_str(itoa::Buffer::new().format(whole))?;
        w.write_char('.')?;
        let digit = |d: u64| char::from(b'0' + d as u8);
        w.write_char(digit(fraction / 10))?;
        if fraction % 10 != 0 {
            w.write_char(digit(fraction % 10))?;
        }
        Ok(())
    }
}
