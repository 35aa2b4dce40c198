//! `Edm.DateTimeOffset` as Graph writes it: any offset and up to 7 fractional digits in,
//! UTC `Z` out with trailing zeros trimmed. The instant is kept as 100 ns ticks since
//! 0001-01-01T00:00:00Z (.NET's `DateTime.Ticks`), an integer that sorts and compares
//! by instant.

use time::{Date, Month, PrimitiveDateTime, Time};

const TICKS_PER_SECOND: i64 = 10_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// Ticks at 0001-01-01T00:00:00Z: Graph's "unset" value, the default of non-nullable dates.
pub const MIN_TICKS: i64 = 0;

/// Ticks at 1970-01-01T00:00:00Z.
pub const UNIX_EPOCH_TICKS: i64 = 621_355_968_000_000_000;

/// Ticks of an instant given as nanoseconds since the Unix epoch.
pub fn from_unix_nanos(nanos: u128) -> i64 {
    UNIX_EPOCH_TICKS
        .saturating_add(i64::try_from(nanos / 100).unwrap_or(i64::MAX - UNIX_EPOCH_TICKS))
}

/// Parses an ISO 8601 date-time with a mandatory offset (`Z` or `±HH:MM`) and at most
/// seven fractional digits. Returns `None` for anything else.
pub fn parse(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        part.iter().all(u8::is_ascii_digit).then(|| {
            part.iter()
                .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'))
        })
    };
    if b.len() < 17 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute) = (digits(11..13)?, digits(14..16)?);
    if b[13] != b':' {
        return None;
    }
    let mut i = 16;
    let mut second = 0;
    let mut fraction_ticks = 0;
    if b.get(i) == Some(&b':') {
        second = digits(i + 1..i + 3)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            let mut end = start;
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            let count = end - start;
            if count == 0 || count > 7 {
                return None;
            }
            fraction_ticks = digits(start..end)? * 10i64.pow((7 - count) as u32);
            i = end;
        }
    }
    let offset_seconds = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (digits(i + 1..i + 3)?, digits(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let magnitude = h * 3600 + m * 60;
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return None,
    };
    let date = Date::from_calendar_date(
        i32::try_from(year).ok()?,
        Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let clock = Time::from_hms(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
    )
    .ok()?;
    let local = PrimitiveDateTime::new(date, clock);
    let days = i64::from(local.date().to_julian_day() - epoch().to_julian_day());
    let seconds = days * SECONDS_PER_DAY
        + i64::from(clock.hour()) * 3600
        + i64::from(clock.minute()) * 60
        + i64::from(clock.second())
        - offset_seconds;
    let ticks = seconds * TICKS_PER_SECOND + fraction_ticks;
    (ticks >= MIN_TICKS && ticks <= max_ticks()).then_some(ticks)
}

/// Formats ticks as Graph does: `2017-01-01T08:00:56.8321556Z`, trailing zeros of the
/// fraction trimmed (`2026-07-15T16:43:24Z` when there is none).
pub fn format(ticks: i64) -> String {
    formatted(ticks).as_str().to_string()
}

/// [`format`] without an allocation: the text in a buffer of its own (responses write
/// every date of every row).
pub fn formatted(ticks: i64) -> Formatted {
    let ticks = ticks.clamp(MIN_TICKS, max_ticks());
    let seconds = ticks.div_euclid(TICKS_PER_SECOND);
    let fraction = ticks.rem_euclid(TICKS_PER_SECOND);
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let in_day = seconds.rem_euclid(SECONDS_PER_DAY);
    // Invariant: ticks are clamped to 0001-01-01..=9999-12-31, so the Julian day is valid.
    let date = Date::from_julian_day(epoch().to_julian_day() + days as i32).unwrap_or(epoch());
    let mut out = Formatted {
        text: *b"0000-00-00T00:00:00.0000000Z",
        len: 0,
    };
    let mut put = |at: usize, width: usize, value: i64| {
        let mut value = value;
        for i in (at..at + width).rev() {
            out.text[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, i64::from(date.year()));
    put(5, 2, i64::from(u8::from(date.month())));
    put(8, 2, i64::from(date.day()));
    put(11, 2, in_day / 3600);
    put(14, 2, in_day % 3600 / 60);
    put(17, 2, in_day % 60);
    let mut len = 19;
    if fraction > 0 {
        put(20, 7, fraction);
        len = 27;
        while out.text[len - 1] == b'0' {
            len -= 1;
        }
    }
    out.text[len] = b'Z';
    out.len = len as u8 + 1;
    out
}

/// A formatted `Edm.DateTimeOffset` (at most 28 bytes).
#[derive(Debug, Clone, Copy)]
pub struct Formatted {
    text: [u8; 28],
    len: u8,
}

impl Formatted {
    /// The text's bytes: ASCII digits and `-T:.Z`, nothing JSON escapes (a response
    /// writes them as they are, without checking them again).
    pub fn as_bytes(&self) -> &[u8] {
        &self.text[..usize::from(self.len)]
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Invariant: only ASCII digits, `-`, `T`, `:`, `.` and `Z` are written.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

fn epoch() -> Date {
    time::macros::date!(0001 - 01 - 01)
}

fn max_ticks() -> i64 {
    let last = time::macros::date!(9999 - 12 - 31);
    let days = i64::from(last.to_julian_day() - epoch().to_julian_day()) + 1;
    days * SECONDS_PER_DAY * TICKS_PER_SECOND - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every formatted date is ASCII digits and `-T:.Z`, which a response writes into
    /// JSON as they are: dates across the whole range, each with fractions of every
    /// length (a sweep of 200,000 tick values, the ends among them).
    #[test]
    fn every_formatted_date_is_plain_ascii() {
        let max = max_ticks();
        let step = max / 100_000;
        let fractions = [0, 1, 5_000_000, 1_230_000, 9_999_999, 1_000_001];
        for i in 0..=100_000i64 {
            let day = (i * step).min(max);
            for ticks in [
                day,
                day - day % TICKS_PER_SECOND + fractions[(i % 6) as usize],
            ] {
                let date = formatted(ticks);
                assert!(
                    date.as_bytes()
                        .iter()
                        .all(|b| b"0123456789-T:.Z".contains(b)),
                    "{ticks}: {:?}",
                    date.as_str()
                );
            }
        }
        for ticks in [i64::MIN, -1, 0, max, i64::MAX] {
            assert!(formatted(ticks).as_bytes().iter().all(u8::is_ascii_graphic));
        }
    }

    #[test]
    fn normalizes_offsets_to_utc_and_keeps_100ns() {
        let cases = [
            (
                "2017-01-01T00:00:56.8321556-08:00",
                "2017-01-01T08:00:56.8321556Z",
            ),
            (
                "2024-03-01T10:20:30.1234567+05:30",
                "2024-03-01T04:50:30.1234567Z",
            ),
            ("2026-07-15T16:43:24Z", "2026-07-15T16:43:24Z"),
            ("2026-07-15T16:43:24.500Z", "2026-07-15T16:43:24.5Z"),
            ("2026-07-15T16:43Z", "2026-07-15T16:43:00Z"),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
            (
                "9999-12-31T23:59:59.9999999Z",
                "9999-12-31T23:59:59.9999999Z",
            ),
            ("2024-02-29T23:30:00-01:00", "2024-03-01T00:30:00Z"),
        ];
        for (input, output) in cases {
            let ticks = parse(input).unwrap_or_else(|| panic!("{input} should parse"));
            assert_eq!(format(ticks), output, "{input}");
        }
    }

    #[test]
    fn the_same_instant_in_two_offsets_is_the_same_tick() {
        assert_eq!(
            parse("2017-01-01T00:00:56.8321556-08:00"),
            parse("2017-01-01T08:00:56.8321556Z")
        );
        assert!(parse("2017-01-01T00:00:00Z") < parse("2017-01-01T00:00:00.0000001Z"));
    }

    #[test]
    fn unix_epoch_is_where_dotnet_puts_it() {
        assert_eq!(format(from_unix_nanos(0)), "1970-01-01T00:00:00Z");
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(UNIX_EPOCH_TICKS));
    }

    #[test]
    fn formats_the_first_and_last_instants_and_trims_the_fraction() {
        assert_eq!(format(MIN_TICKS), "0001-01-01T00:00:00Z");
        assert_eq!(format(-5), "0001-01-01T00:00:00Z", "clamped");
        assert_eq!(format(i64::MAX), "9999-12-31T23:59:59.9999999Z", "clamped");
        let noon = parse("2026-07-15T12:00:00Z").unwrap();
        assert_eq!(format(noon + 1_200_000), "2026-07-15T12:00:00.12Z");
        assert_eq!(format(noon + 1), "2026-07-15T12:00:00.0000001Z");
    }

    #[test]
    fn rejects_what_graph_rejects() {
        for input in [
            "String (timestamp)",
            "2024-01-19T13:38:22.169688",
            "2024-01-19T13:38:22.12345678Z",
            "2024-02-30T00:00:00Z",
            "2024-01-19 13:38:22Z",
            "14.04.2021 14:11:27 +02:00",
            "2024-01-19T24:00:00Z",
            "2024-01-19T13:38:22+2:00",
            "2024-01-19T13:38:22.Z",
            "0001-01-01T00:00:00+01:00",
            "",
        ] {
            assert_eq!(parse(input), None, "{input}");
        }
    }
}
