use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::DefaultFields;

use super::fields::Hundredths;
use super::*;

/// A log sink the test reads back.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Sink {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl io::Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Sink {
    type Writer = Sink;
    fn make_writer(&'a self) -> Sink {
        self.clone()
    }
}

#[derive(Debug)]
struct Failure;

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("disk \"full\"")
    }
}

impl std::error::Error for Failure {}

/// A value whose `Debug` logs a line of its own while it is written (tracing drops that
/// line: its dispatcher is not entered again from inside itself).
struct Chatty;

impl fmt::Debug for Chatty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        tracing::warn!(depth = 1u64, "logged while a field is written");
        f.write_str("chatty")
    }
}

/// Spans and events with every kind of field, and fields recorded after the span began.
fn log_everything() {
    let request = tracing::info_span!(
        "request",
        request_id = %"498ee3b1-0000",
        method = %"GET",
        path = %"/v1.0/deviceManagement/softwareUpdateStatusSummary",
        route = tracing::field::Empty,
        query = tracing::field::Empty,
        tenant = tracing::field::Empty,
        flag = true,
        count = 42u64,
        delta = -7i64,
    );
    let _entered = request.enter();
    request.record(
        "route",
        "/v1.0/deviceManagement/softwareUpdateStatusSummary",
    );
    request.record(
        "query",
        "$filter=displayName eq 'a \"quoted\" b\\c'&$top=5\t\n",
    );
    request.record("tenant", "contoso — é ✓ \u{7f} \u{0}");
    tracing::info!(status = 401u16, elapsed_ms = 1.27, "request");
    tracing::info!(ratio = 2.0f64, list = ?vec!["a", "b"], r#type = "raw", "a message with \"quotes\" and \u{1b}[31m colour");
    let error: &(dyn std::error::Error + 'static) = &Failure;
    tracing::warn!(error, "failed");
    let inner = tracing::info_span!("inner", empty = tracing::field::Empty);
    let _inner = inner.enter();
    tracing::error!(detail = "", "nested");
    // Each needs escaping for one reason alone.
    tracing::info!(
        dir = "C:\\data",
        tab = "a\tb",
        del = "x\u{7f}",
        tilde = "~ ok"
    );
    tracing::info!("only a message");
    tracing::info!(value = ?Chatty, "outer");
}

/// The log as `format` and `fields` write it, with an empty time (which still leaves
/// the space after it).
fn logged<E, F>(format: E, fields: F) -> String
where
    E: for<'a> FormatEvent<tracing_subscriber::Registry, F> + Send + Sync + 'static,
    F: for<'w> FormatFields<'w> + Send + Sync + 'static,
{
    let sink = Sink::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(sink.clone())
        .with_ansi(false)
        .fmt_fields(fields)
        .event_format(format)
        .finish();
    tracing::subscriber::with_default(subscriber, log_everything);
    sink.text()
}

#[test]
fn plain_lines_are_what_tracing_writes_byte_for_byte() {
    let ours = logged(PlainLine::new(()), PlainFields);
    let tracings = logged(Format::default().with_timer(()), DefaultFields::new());
    assert_eq!(ours.lines().count(), 7, "{ours}");
    assert!(ours.contains(r#"value=chatty"#), "{ours}");
    assert!(ours.contains(r#"status=401 elapsed_ms=1.27"#), "{ours}");
    assert_eq!(ours, tracings);
}

fn clock(time: SystemTime) -> Option<String> {
    let mut text = String::new();
    Clock::write(time, &mut text)?.unwrap();
    Some(text)
}

#[test]
fn the_clock_writes_rfc3339_utc_with_microseconds() {
    // In order: the same second twice (the second from the cache), then the next.
    let expected = [
        (0, 0, Some("1970-01-01T00:00:00.000000Z")),
        (951_782_400, 1, Some("2000-02-29T00:00:00.000001Z")),
        (1_796_150_403, 123_456, Some("2026-12-01T18:40:03.123456Z")),
        (1_796_150_403, 999_999, Some("2026-12-01T18:40:03.999999Z")),
        (1_796_150_404, 10, Some("2026-12-01T18:40:04.000010Z")),
        (253_402_300_799, 0, Some("9999-12-31T23:59:59.000000Z")),
        (253_402_300_800, 0, None),
    ];
    for (seconds, micros, text) in expected {
        let time = UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_micros(micros);
        assert_eq!(clock(time).as_deref(), text, "{seconds}.{micros}");
    }
    assert_eq!(clock(UNIX_EPOCH - Duration::from_secs(1)), None);
}

#[test]
fn the_clock_agrees_with_tracings_to_the_second() {
    let tracings = || {
        let mut text = String::new();
        tracing_subscriber::fmt::time::SystemTime
            .format_time(&mut Writer::new(&mut text))
            .unwrap();
        text
    };
    let ours = || {
        let mut text = String::new();
        Clock.format_time(&mut Writer::new(&mut text)).unwrap();
        text
    };
    // Ours between two of tracing's that fall in one second (retried across a boundary).
    for _ in 0..10 {
        let (before, now, after) = (tracings(), ours(), tracings());
        if before[..19] == after[..19] {
            assert_eq!(now[..19], before[..19]);
            assert_eq!(now.len(), before.len(), "{now} {before}");
            return;
        }
    }
    panic!("ten tries all crossed a second");
}

/// Hundredths are written as `{:?}` writes the `f64`, and other numbers are left to it.
#[test]
fn hundredths_are_written_as_debug_writes_them() {
    let wholes = (0..200_000u64).chain([999_999_999, 9_999_999_999_999, 12_345_678_901_234]);
    for n in wholes {
        let value = n as f64 / 100.0;
        let mut ours = String::new();
        Hundredths::of(value)
            .expect("a whole number of hundredths")
            .write(&mut ours)
            .unwrap();
        assert_eq!(ours, format!("{value:?}"));
    }
    for other in [
        0.001,
        1.234,
        1e-7,
        1e13,
        -0.0,
        -1.5,
        f64::NAN,
        f64::INFINITY,
    ] {
        assert!(Hundredths::of(other).is_none(), "{other}");
    }
}

/// The lines a subscriber filtered by `fixed`/`dynamic` keeps of a few targets at each
/// level.
fn kept(levels: Levels) -> String {
    use tracing_subscriber::layer::SubscriberExt as _;
    let sink = Sink::default();
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(sink.clone())
        .with_ansi(false)
        .without_time();
    let subscriber = tracing_subscriber::registry()
        .with(levels.fixed)
        .with(levels.dynamic)
        .with(lines);
    tracing::subscriber::with_default(subscriber, || {
        macro_rules! every_level {
            ($target:literal) => {
                tracing::error!(target: $target, "e");
                tracing::warn!(target: $target, "w");
                tracing::info!(target: $target, "i");
                tracing::debug!(target: $target, "d");
                tracing::trace!(target: $target, "t");
            };
        }
        every_level!("sqlx::query");
        every_level!("sqlxy");
        every_level!("localgraph::serve");
        every_level!("server::trace");
        let span = tracing::info_span!(target: "server::trace", "request", tenant = "t1");
        span.in_scope(|| {
            every_level!("store::sqlite");
        });
    });
    sink.text()
}

/// `RUST_LOG` of targets and levels only is read as `Targets`, which keeps exactly the
/// lines `EnvFilter` would; span and field directives, and text `Targets` would misread,
/// stay `EnvFilter`'s; what neither reads is the default.
#[test]
fn levels_keep_what_env_filter_would() {
    let env_filter = |text: &str| Levels {
        fixed: None,
        dynamic: EnvFilter::builder().parse(text).ok(),
    };
    // Each `RUST_LOG`, and whether it is read as `Targets` (else as `EnvFilter`).
    let cases = [
        ("info,sqlx=warn", true),
        ("warn", true),
        ("debug", true),
        ("off", true),
        ("trace,sqlx=off", true),
        ("sqlx", true),
        ("localgraph=debug,server=trace", true),
        ("error,store::sqlite=trace", true),
        ("INFO,sqlx::query=debug", true),
        ("[request]=debug", false),
        ("warn,[request{tenant=t1}]=trace", false),
        ("", false),
        ("info,,sqlx=warn", false),
    ];
    for (text, fixed) in cases {
        let levels = Levels::from_env(Some(text));
        assert_eq!(levels.fixed.is_some(), fixed, "{text:?}");
        assert_eq!(levels.dynamic.is_some(), !fixed, "{text:?}");
        assert_eq!(kept(levels), kept(env_filter(text)), "{text:?}");
    }
    // Kept something: the comparisons above are not of two empty logs.
    assert!(kept(Levels::from_env(None)).contains("store::sqlite: i"));
    assert!(kept(Levels::from_env(Some("[request]=debug"))).contains("store::sqlite: d"));
    for text in ["info=info=info", "info,sqlx=warn, store=trace"] {
        assert!(EnvFilter::builder().parse(text).is_err(), "{text}");
        let unreadable = Levels::from_env(Some(text));
        assert!(unreadable.fixed.is_some(), "{text}");
        assert_eq!(kept(unreadable), kept(Levels::from_env(None)), "{text}");
    }
}
