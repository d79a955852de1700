//! Go's `time.RFC3339Nano` for unix nanoseconds, both ways, without allocation.
//!
//! Nomad's JSON writes `StartedAt`, `FinishedAt` and `LastRestart` with Go's
//! `time.Time.MarshalJSON`: UTC, fraction with trailing zeros dropped, and the zero time
//! `0001-01-01T00:00:00Z` for "never" (which no `i64` of nanoseconds can reach).

use core::fmt;

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// The zero time of Go, written.
pub(crate) const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// A time (unix nanoseconds, `None` for Go's zero time) written as Go's RFC3339Nano.
pub(crate) struct Rfc3339(pub(crate) Option<i64>);

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(ns) = self.0 else {
            return f.write_str(ZERO_TIME);
        };
        let secs = ns.div_euclid(NANOS_PER_SECOND);
        let nanos = ns.rem_euclid(NANOS_PER_SECOND);
        let days = secs.div_euclid(SECONDS_PER_DAY);
        let of_day = secs.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            of_day.wrapping_div(3600),
            of_day.wrapping_rem(3600).wrapping_div(60),
            of_day.wrapping_rem(60)
        )?;
        if nanos != 0 {
            let mut digits: usize = 9;
            let mut frac = nanos;
            while frac.wrapping_rem(10) == 0 {
                frac = frac.wrapping_div(10);
                digits = digits.wrapping_sub(1);
            }
            write!(f, ".{frac:0digits$}")?;
        }
        f.write_str("Z")
    }
}

/// Howard Hinnant's `civil_from_days`: (year, month, day) of a day count since 1970-01-01.
/// The `i64` nanosecond range spans years 1677–2262, far inside where this is exact.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.wrapping_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.wrapping_sub(era.wrapping_mul(146_097));
    let yoe = doe
        .wrapping_sub(doe.wrapping_div(1460))
        .wrapping_add(doe.wrapping_div(36_524))
        .wrapping_sub(doe.wrapping_div(146_096))
        .wrapping_div(365);
    let doy = doe.wrapping_sub(
        yoe.wrapping_mul(365)
            .wrapping_add(yoe.wrapping_div(4))
            .wrapping_sub(yoe.wrapping_div(100)),
    );
    let mp = doy.wrapping_mul(5).wrapping_add(2).wrapping_div(153);
    let day = doy
        .wrapping_sub(mp.wrapping_mul(153).wrapping_add(2).wrapping_div(5))
        .wrapping_add(1);
    let month = if mp < 10 {
        mp.wrapping_add(3)
    } else {
        mp.wrapping_sub(9)
    };
    let year = yoe
        .wrapping_add(era.wrapping_mul(400))
        .wrapping_add(i64::from(month <= 2));
    (year, month, day)
}

/// Days since 1970-01-01 of a civil date (year 0–9999), the inverse of `civil_from_days`.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = year.wrapping_sub(i64::from(month <= 2));
    let era = y.div_euclid(400);
    let yoe = y.wrapping_sub(era.wrapping_mul(400));
    let mp = if month > 2 {
        month.wrapping_sub(3)
    } else {
        month.wrapping_add(9)
    };
    let doy = mp
        .wrapping_mul(153)
        .wrapping_add(2)
        .wrapping_div(5)
        .wrapping_add(day)
        .wrapping_sub(1);
    let doe = yoe
        .wrapping_mul(365)
        .wrapping_add(yoe.wrapping_div(4))
        .wrapping_sub(yoe.wrapping_div(100))
        .wrapping_add(doy);
    era.wrapping_mul(146_097)
        .wrapping_add(doe)
        .wrapping_sub(719_468)
}

/// Why a time string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeError {
    /// Not `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, or a field out of range.
    Syntax,
    /// A valid time that unix nanoseconds in an `i64` cannot hold (other than the zero time).
    OutOfRange,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeError::Syntax => "not an RFC 3339 time",
            TimeError::OutOfRange => "RFC 3339 time outside the i64 nanosecond range",
        })
    }
}

/// Reads `n` decimal digits.
fn digits(bytes: &mut core::slice::Iter<'_, u8>, n: usize) -> Result<i64, TimeError> {
    let mut value: i64 = 0;
    for _ in 0..n {
        let b = *bytes.next().ok_or(TimeError::Syntax)?;
        if !b.is_ascii_digit() {
            return Err(TimeError::Syntax);
        }
        value = value
            .wrapping_mul(10)
            .wrapping_add(i64::from(b.wrapping_sub(b'0')));
    }
    Ok(value)
}

fn expect(bytes: &mut core::slice::Iter<'_, u8>, want: u8) -> Result<(), TimeError> {
    match bytes.next() {
        Some(b) if *b == want => Ok(()),
        _ => Err(TimeError::Syntax),
    }
}

fn is_leap(year: i64) -> bool {
    year.wrapping_rem(4) == 0 && (year.wrapping_rem(100) != 0 || year.wrapping_rem(400) == 0)
}

/// Parses an RFC 3339 time as Go's `time.Time.UnmarshalJSON` accepts it; the zero time
/// gives `None`. Offsets are applied; fraction digits beyond nanoseconds are dropped.
pub(crate) fn parse(text: &str) -> Result<Option<i64>, TimeError> {
    let mut bytes = text.as_bytes().iter();
    let year = digits(&mut bytes, 4)?;
    expect(&mut bytes, b'-')?;
    let month = digits(&mut bytes, 2)?;
    expect(&mut bytes, b'-')?;
    let day = digits(&mut bytes, 2)?;
    expect(&mut bytes, b'T')?;
    let hour = digits(&mut bytes, 2)?;
    expect(&mut bytes, b':')?;
    let minute = digits(&mut bytes, 2)?;
    expect(&mut bytes, b':')?;
    let second = digits(&mut bytes, 2)?;
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => return Err(TimeError::Syntax),
    };
    if day < 1 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return Err(TimeError::Syntax);
    }
    let mut nanos: i64 = 0;
    let mut next = bytes.next().copied();
    if next == Some(b'.') {
        let mut count = 0u32;
        loop {
            next = bytes.next().copied();
            match next {
                Some(b) if b.is_ascii_digit() => {
                    if count < 9 {
                        nanos = nanos
                            .wrapping_mul(10)
                            .wrapping_add(i64::from(b.wrapping_sub(b'0')));
                        count = count.wrapping_add(1);
                    }
                }
                _ => break,
            }
        }
        if count == 0 {
            return Err(TimeError::Syntax);
        }
        while count < 9 {
            nanos = nanos.wrapping_mul(10);
            count = count.wrapping_add(1);
        }
    }
    let offset = match next {
        Some(b'Z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let h = digits(&mut bytes, 2)?;
            expect(&mut bytes, b':')?;
            let m = digits(&mut bytes, 2)?;
            if h > 23 || m > 59 {
                return Err(TimeError::Syntax);
            }
            let seconds = h.wrapping_mul(3600).wrapping_add(m.wrapping_mul(60));
            if sign == b'-' {
                seconds.wrapping_neg()
            } else {
                seconds
            }
        }
        _ => return Err(TimeError::Syntax),
    };
    if bytes.next().is_some() {
        return Err(TimeError::Syntax);
    }
    let secs = days_from_civil(year, month, day)
        .wrapping_mul(SECONDS_PER_DAY)
        .wrapping_add(hour.wrapping_mul(3600))
        .wrapping_add(minute.wrapping_mul(60))
        .wrapping_add(second)
        .wrapping_sub(offset);
    let zero = days_from_civil(1, 1, 1).wrapping_mul(SECONDS_PER_DAY);
    if secs == zero && nanos == 0 {
        return Ok(None);
    }
    let total = i128::from(secs)
        .checked_mul(i128::from(NANOS_PER_SECOND))
        .and_then(|n| n.checked_add(i128::from(nanos)))
        .ok_or(TimeError::OutOfRange)?;
    i64::try_from(total)
        .map(Some)
        .map_err(|_| TimeError::OutOfRange)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;

    fn show(ns: Option<i64>) -> std::string::String {
        Rfc3339(ns).to_string()
    }

    #[test]
    fn formats_as_go() {
        assert_eq!(show(None), "0001-01-01T00:00:00Z");
        assert_eq!(show(Some(0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            show(Some(1_507_223_316_048_988_576)),
            "2017-10-05T17:08:36.048988576Z"
        );
        assert_eq!(
            show(Some(1_447_806_038_000_000_000)),
            "2015-11-18T00:20:38Z"
        );
        assert_eq!(
            show(Some(1_447_806_038_427_841_000)),
            "2015-11-18T00:20:38.427841Z"
        );
        assert_eq!(
            show(Some(1_447_806_038_500_000_000)),
            "2015-11-18T00:20:38.5Z"
        );
        assert_eq!(show(Some(-1)), "1969-12-31T23:59:59.999999999Z");
        assert_eq!(show(Some(-1_000_000_000)), "1969-12-31T23:59:59Z");
        assert_eq!(show(Some(951_782_400_000_000_000)), "2000-02-29T00:00:00Z");
        assert_eq!(show(Some(i64::MAX)), "2262-04-11T23:47:16.854775807Z");
        assert_eq!(show(Some(i64::MIN)), "1677-09-21T00:12:43.145224192Z");
    }

    #[test]
    fn parses_what_it_writes_and_offsets() {
        for ns in [
            0,
            1,
            -1,
            1_507_223_316_048_988_576,
            i64::MAX,
            i64::MIN,
            951_782_400_000_000_000,
        ] {
            assert_eq!(parse(&show(Some(ns))), Ok(Some(ns)), "{ns}");
        }
        assert_eq!(parse(ZERO_TIME), Ok(None));
        assert_eq!(parse("1970-01-01T02:00:00+02:00"), Ok(Some(0)));
        assert_eq!(parse("1969-12-31T22:30:00-01:30"), Ok(Some(0)));
        assert_eq!(
            parse("1970-01-01T00:00:00.1234567891Z"),
            Ok(Some(123_456_789))
        );
        assert_eq!(parse("1970-01-01T00:00:00.50Z"), Ok(Some(500_000_000)));
    }

    #[test]
    fn refuses_bad_times() {
        for bad in [
            "",
            "1970-01-01",
            "1970-01-01T00:00:00",
            "1970-13-01T00:00:00Z",
            "1970-02-30T00:00:00Z",
            "1970-01-01T24:00:00Z",
            "1970-01-01T00:00:00.Z",
            "1970-01-01T00:00:00Zjunk",
            "1970-01-01 00:00:00Z",
            "1970-01-01T00:00:00+0200",
        ] {
            assert_eq!(parse(bad), Err(TimeError::Syntax), "{bad}");
        }
        assert_eq!(parse("2263-01-01T00:00:00Z"), Err(TimeError::OutOfRange));
        assert_eq!(parse("0001-01-01T00:00:00.5Z"), Err(TimeError::OutOfRange));
    }
}
