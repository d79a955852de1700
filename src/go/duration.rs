//! Go's `time.Duration.String()` without allocation.
//!
//! Nomad renders durations with Go's `%v` (e.g. the restart reason
//! `Exceeded allowed attempts 2 in interval 1m0s and mode is "fail"`), so the
//! text must match Go byte for byte. This is a port of `Duration.format`,
//! `fmtFrac` and `fmtInt` from Go's `src/time/time.go`, writing right-to-left
//! into a stack buffer.

use core::fmt;

/// A span of time in nanoseconds that formats exactly as Go's `time.Duration.String()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GoDuration(pub i64);

/// Nanoseconds per second, as a `u64` to work on the magnitude.
const SECOND: u64 = 1_000_000_000;
/// Nanoseconds per millisecond.
const MILLISECOND: u64 = 1_000_000;
/// Nanoseconds per microsecond.
const MICROSECOND: u64 = 1_000;

/// Right-to-left byte buffer; the longest output (`i64::MIN`) is 25 bytes.
struct Buf {
    bytes: [u8; 32],
    /// Index of the first written byte; `bytes[pos..]` is the output.
    pos: usize,
}

impl Buf {
    const fn new() -> Self {
        Self {
            bytes: [0; 32],
            pos: 32,
        }
    }

    /// Prepends one byte. The buffer is sized for the worst case, so the
    /// "full" branch is unreachable; it drops the byte rather than panic.
    fn push(&mut self, b: u8) {
        if let Some(p) = self.pos.checked_sub(1) {
            if let Some(slot) = self.bytes.get_mut(p) {
                *slot = b;
                self.pos = p;
            }
        }
    }

    /// Prepends a decimal digit (`d` < 10). `b'0'` is 0x30, so OR-ing keeps
    /// the digit without arithmetic.
    fn push_digit(&mut self, d: u64) {
        // `d % 10` fits in the low nibble; the truncating cast is intended.
        self.push(b'0' | (d % 10) as u8);
    }

    /// Go's `fmtFrac`: writes the low `prec` digits of `v` as a fraction,
    /// omitting trailing zeros (and the point if all are zero); returns `v`
    /// with those digits removed.
    fn frac(&mut self, mut v: u64, prec: u32) -> u64 {
        let mut print = false;
        for _ in 0..prec {
            let digit = v % 10;
            print = print || digit != 0;
            if print {
                self.push_digit(digit);
            }
            v /= 10;
        }
        if print {
            self.push(b'.');
        }
        v
    }

    /// Go's `fmtInt`: writes `v` in decimal (at least one digit).
    fn int(&mut self, mut v: u64) {
        if v == 0 {
            self.push(b'0');
        } else {
            while v > 0 {
                self.push_digit(v);
                v /= 10;
            }
        }
    }

    fn as_str(&self) -> Result<&str, fmt::Error> {
        let bytes = self.bytes.get(self.pos..).ok_or(fmt::Error)?;
        core::str::from_utf8(bytes).map_err(|_| fmt::Error)
    }
}

impl GoDuration {
    /// Writes the Go rendering to any `fmt::Write` sink (no allocation).
    pub fn write_to<W: fmt::Write>(self, w: &mut W) -> fmt::Result {
        let buf = self.format();
        w.write_str(buf.as_str()?)
    }

    /// Go's `Duration.format`, on the `u64` magnitude so `i64::MIN` cannot overflow.
    fn format(self) -> Buf {
        let mut buf = Buf::new();
        let mut u = self.0.unsigned_abs();
        if u < SECOND {
            // Sub-second: use the smallest unit that keeps an integer part.
            buf.push(b's');
            let prec = if u == 0 {
                buf.push(b'0');
                return buf;
            } else if u < MICROSECOND {
                buf.push(b'n');
                0
            } else if u < MILLISECOND {
                // U+00B5 MICRO SIGN, UTF-8 0xC2 0xB5 (pushed in reverse).
                buf.push(0xB5);
                buf.push(0xC2);
                3
            } else {
                buf.push(b'm');
                6
            };
            u = buf.frac(u, prec);
            buf.int(u);
        } else {
            buf.push(b's');
            u = buf.frac(u, 9);
            // u is now whole seconds.
            buf.int(u % 60);
            u /= 60;
            // u is now whole minutes.
            if u > 0 {
                buf.push(b'm');
                buf.int(u % 60);
                u /= 60;
                // u is now whole hours; Go stops here since days vary in length.
                if u > 0 {
                    buf.push(b'h');
                    buf.int(u);
                }
            }
        }
        if self.0 < 0 {
            buf.push(b'-');
        }
        buf
    }
}

/// Go's text, padded to the formatter's width and fill like the crate's other types
/// (`{:>8}`).
impl fmt::Display for GoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.format().as_str()?)
    }
}

impl From<i64> for GoDuration {
    fn from(ns: i64) -> Self {
        Self(ns)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::GoDuration;
    use std::format;
    use std::string::String;

    fn s(ns: i64) -> String {
        format!("{}", GoDuration(ns))
    }

    const US: i64 = 1_000;
    const MS: i64 = 1_000_000;
    const SEC: i64 = 1_000_000_000;
    const MIN: i64 = 60 * SEC;
    const HOUR: i64 = 60 * MIN;

    #[test]
    fn go_examples() {
        let cases: &[(i64, &str)] = &[
            (0, "0s"),
            (1, "1ns"),
            (999, "999ns"),
            (1_500, "1.5µs"),
            (10_250_000, "10.25ms"),
            (1_187_500_000, "1.1875s"),
            (MIN, "1m0s"),
            (9 * MIN + 58 * SEC, "9m58s"),
            (HOUR, "1h0m0s"),
            (10 * MIN, "10m0s"),
            (17_109_613_970, "17.10961397s"),
            (-1_500_000_000, "-1.5s"),
            (i64::MAX, "2562047h47m16.854775807s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ];
        for &(ns, want) in cases {
            assert_eq!(s(ns), want, "ns={ns}");
        }
    }

    /// Cases from Go's own `durationTests` in `time_test.go`, plus unit edges.
    #[test]
    fn edges() {
        let cases: &[(i64, &str)] = &[
            (US, "1µs"),
            (MS, "1ms"),
            (SEC, "1s"),
            (SEC - 1, "999.999999ms"),
            (MS - 1, "999.999µs"),
            (US - 1, "999ns"),
            (MIN - 1, "59.999999999s"),
            (3600 * SEC, "1h0m0s"),
            (2 * US, "2µs"),
            (2 * MS, "2ms"),
            (2 * SEC, "2s"),
            (2_200 * MS, "2.2s"),
            (4 * MIN + 5 * SEC, "4m5s"),
            (4 * MIN + 5_001 * MS, "4m5.001s"),
            (5 * HOUR + 6 * MIN + 7_001 * MS, "5h6m7.001s"),
            (8 * MIN + 1, "8m0.000000001s"),
            (HOUR + 1, "1h0m0.000000001s"),
            (10 * MS, "10ms"),
            (1_001, "1.001µs"),
            (-1, "-1ns"),
            (-1_500, "-1.5µs"),
            (-MIN, "-1m0s"),
            (-HOUR, "-1h0m0s"),
            (-(MIN - 1), "-59.999999999s"),
            (i64::MIN + 1, "-2562047h47m16.854775807s"),
        ];
        for &(ns, want) in cases {
            assert_eq!(s(ns), want, "ns={ns}");
        }
    }

    #[test]
    fn micro_sign_is_u00b5() {
        let out = s(1_500);
        assert_eq!(out.as_bytes(), b"1.5\xC2\xB5s");
        assert!(out.contains('\u{00B5}'));
    }

    #[test]
    fn write_to_matches_display() {
        let mut out = String::new();
        assert!(GoDuration(i64::MIN).write_to(&mut out).is_ok());
        assert_eq!(out, "-2562047h47m16.854775808s");
        assert_eq!(s(10_250_000), format!("{}", GoDuration::from(10_250_000)));
    }
}
