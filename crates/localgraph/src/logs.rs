//! The log subscriber every command installs: tracing's `fmt` lines on stderr, as text or
//! JSON (`--log-format`).
//!
//! Text lines are byte for byte tracing's default format, written more cheaply: every
//! request logs a line inside a span of eight fields, and tracing's default field
//! formatter and clock (`core::fmt` for each name, value and date part; strings escaped a
//! character at a time) were about a sixth of a small read's instructions
//! (bench/HISTORY.md, step 9). [`PlainFields`] writes the common field types directly and
//! [`Clock`] formats the date and time of day once a second; anything unusual (a message
//! tracing would escape, `r#` names, colours on a terminal) goes through tracing's own
//! code.
//!
//! `serve`'s lines reach stderr through a thread of their own ([`batched`]): a request's
//! thread formats its line into a buffer, and the log thread writes the buffer in batches.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::LogFormat;

mod batched;
mod fields;

pub use fields::PlainFields;

/// Installs the global subscriber: level from `RUST_LOG` (default `info,sqlx=warn`, see
/// [`Levels`]), lines on stderr in `format`, in batches if `batching` (for `serve`: its
/// request lines; a command that ends by itself logs a few lines and keeps their order
/// with what it prints). Dropping the returned guard writes the lines still buffered:
/// hold it for the life of the command.
pub fn init(format: LogFormat, batching: bool) -> batched::Flusher {
    let (writer, flusher) = batched::stderr(batching);
    let levels = Levels::from_env(std::env::var("RUST_LOG").ok().as_deref());
    // An absent layer does nothing.
    let logs = tracing_subscriber::registry()
        .with(levels.fixed)
        .with(levels.dynamic);
    let lines = tracing_subscriber::fmt::layer().with_writer(writer);
    match format {
        LogFormat::Text => logs
            .with(
                lines
                    .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                    .fmt_fields(PlainFields)
                    .event_format(PlainLine::new(Clock)),
            )
            .init(),
        LogFormat::Json => logs
            .with(lines.json().with_current_span(true).with_span_list(true))
            .init(),
    }
    flusher
}

/// Which lines are kept, from `RUST_LOG`'s directives.
///
/// Directives that name only targets and levels (`info,sqlx=warn`, the default) are
/// [`Targets`]: decided once per call site, with nothing to do when a span is entered,
/// left, recorded or closed. An [`EnvFilter`] keeps a table of spans that its directives
/// might select by name or field (`[request{tenant=…}]=debug`), and looks every span up in
/// it, under a lock all threads share, at each of those steps (about 1% of a small
/// read's instructions, bench/HISTORY.md step 47); it is used only for directives that
/// need it. A `RUST_LOG` neither accepts falls back to the default, as before.
#[derive(Debug)]
pub struct Levels {
    /// Targets and levels only (one of the two is set).
    fixed: Option<Targets>,
    /// Directives with span names or fields (`[…]`).
    dynamic: Option<EnvFilter>,
}

/// The directives without `RUST_LOG`.
const DEFAULT_LEVELS: &str = "info,sqlx=warn";

impl Levels {
    /// The filter `RUST_LOG` (`directives`, if set) asks for.
    pub fn from_env(directives: Option<&str>) -> Levels {
        let fixed = |text: &str| {
            // `Targets` would read `a[b]` as a target name, ` a` as one with a space and
            // an empty directive as the empty target, which every target starts with:
            // those are `EnvFilter`'s to read.
            let plain = text.split(',').all(|directive| {
                !directive.is_empty()
                    && !directive.contains(['[', ']', '{', '}'])
                    && !directive.contains(char::is_whitespace)
            });
            plain.then(|| text.parse::<Targets>().ok()).flatten()
        };
        let fixed_only = |targets| Levels {
            fixed: Some(targets),
            dynamic: None,
        };
        let default = || fixed_only(fixed(DEFAULT_LEVELS).expect("the default parses"));
        let Some(directives) = directives else {
            return default();
        };
        if let Some(targets) = fixed(directives) {
            return fixed_only(targets);
        }
        match EnvFilter::builder().parse(directives) {
            Ok(filter) => Levels {
                fixed: None,
                dynamic: Some(filter),
            },
            Err(_) => default(),
        }
    }
}

/// A line as tracing's default [`Format<Full>`] writes it (time, level, the spans with
/// their fields, target, the event's fields), without `core::fmt` between the parts.
/// Colours, and events from the `log` crate (whose target tracing rewrites), go through
/// tracing's own format.
#[derive(Debug)]
pub struct PlainLine<T = Clock> {
    timer: T,
    full: Format<Full, T>,
}

impl<T: FormatTime + Clone> PlainLine<T> {
    /// Lines stamped by `timer`.
    pub fn new(timer: T) -> Self {
        Self {
            full: Format::default().with_timer(timer.clone()),
            timer,
        }
    }
}

impl<S, N, T> FormatEvent<S, N> for PlainLine<T>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    T: FormatTime,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        if writer.has_ansi_escapes() || meta.target() == "log" {
            return self.full.format_event(ctx, writer, event);
        }
        if self.timer.format_time(&mut writer).is_err() {
            writer.write_str("<unknown time>")?;
        }
        writer.write_str(match *meta.level() {
            Level::TRACE => " TRACE ",
            Level::DEBUG => " DEBUG ",
            Level::INFO => "  INFO ",
            Level::WARN => "  WARN ",
            Level::ERROR => " ERROR ",
        })?;
        if let Some(scope) = ctx.event_scope() {
            let mut seen = false;
            for span in scope.from_root() {
                seen = true;
                writer.write_str(span.metadata().name())?;
                if let Some(fields) = span.extensions().get::<FormattedFields<N>>()
                    && !fields.is_empty()
                {
                    writer.write_char('{')?;
                    writer.write_str(fields)?;
                    writer.write_char('}')?;
                }
                writer.write_char(':')?;
            }
            if seen {
                writer.write_char(' ')?;
            }
        }
        writer.write_str(meta.target())?;
        writer.write_str(": ")?;
        ctx.format_fields(writer.by_ref(), event)?;
        writer.write_char('\n')
    }
}

/// RFC 3339 in UTC with microseconds (`2026-12-01T17:40:03.123456Z`), as tracing's
/// `SystemTime` timer writes it, with the date and time of day formatted once a second
/// per thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock;

thread_local! {
    /// The second last formatted on this thread, and its `YYYY-MM-DDTHH:MM:SS`.
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

impl Clock {
    /// Writes `time`, or says it cannot (before 1970 or after 9999).
    fn write(time: SystemTime, w: &mut impl fmt::Write) -> Option<fmt::Result> {
        let since_epoch = time.duration_since(UNIX_EPOCH).ok()?;
        let seconds = since_epoch.as_secs();
        SECOND.with_borrow_mut(|(cached, text)| {
            if *cached != seconds {
                let date = time::OffsetDateTime::from_unix_timestamp(seconds.try_into().ok()?)
                    .ok()
                    .filter(|d| (0..=9999).contains(&d.year()))?;
                text.clear();
                write!(
                    text,
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                    date.year(),
                    u8::from(date.month()),
                    date.day(),
                    date.hour(),
                    date.minute(),
                    date.second()
                )
                .ok()?;
                *cached = seconds;
            }
            let micros = since_epoch.subsec_micros();
            let mut fraction = *b".000000Z";
            for (i, digit) in fraction[1..7].iter_mut().enumerate() {
                *digit = b'0' + (micros / 10u32.pow(5 - i as u32) % 10) as u8;
            }
            // Proven ASCII: a dot, six digits and a Z.
            let fraction = std::str::from_utf8(&fraction).expect("ASCII");
            Some(w.write_str(text).and_then(|()| w.write_str(fraction)))
        })
    }
}

impl FormatTime for Clock {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        match Clock::write(SystemTime::now(), w) {
            Some(result) => result,
            None => tracing_subscriber::fmt::time::SystemTime.format_time(w),
        }
    }
}

#[cfg(test)]
mod tests;
