//! Go's `%q` (`strconv.Quote`), without allocation.

use core::fmt::{self, Write};

/// A string written as Go's `strconv.Quote` (`%q`) writes it: double quotes, backslash
/// escapes, printable Unicode kept as is.
///
/// Go decides "printable" with Unicode tables; this writer treats as non-printable the
/// control characters, every space but U+0020, the format characters (such as U+200B and
/// U+FEFF), private-use code points and noncharacters. Unassigned code points, which Go
/// escapes, are kept.
///
/// ```
/// use allocstate::GoQuoted;
///
/// assert_eq!(GoQuoted("a\"b\\c\n\u{7}é\u{a0}").to_string(), r#""a\"b\\c\n\aé\u00a0""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GoQuoted<'a>(pub &'a str);

impl fmt::Display for GoQuoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        f.write_char('"')?;
        // Characters that need no escape are written in runs, one `write_str` per run.
        let mut run_start = 0;
        for (at, c) in text.char_indices() {
            if c != '"' && c != '\\' && is_go_printable(c) {
                continue;
            }
            f.write_str(text.get(run_start..at).unwrap_or(""))?;
            run_start = at.saturating_add(c.len_utf8());
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\u{7}' => f.write_str("\\a")?,
                '\u{8}' => f.write_str("\\b")?,
                '\u{c}' => f.write_str("\\f")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\u{b}' => f.write_str("\\v")?,
                c if u32::from(c) < 0x80 => write!(f, "\\x{:02x}", u32::from(c))?,
                c if u32::from(c) < 0x1_0000 => write!(f, "\\u{:04x}", u32::from(c))?,
                c => write!(f, "\\U{:08x}", u32::from(c))?,
            }
        }
        f.write_str(text.get(run_start..).unwrap_or(""))?;
        f.write_char('"')
    }
}

/// Go's `strconv.IsPrint`, without Unicode tables (see [`GoQuoted`]).
fn is_go_printable(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, ' '..='~');
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = u32::from(c);
    let format = matches!(
        u,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let private = matches!(u, 0xE000..=0xF8FF | 0xF_0000..=0xF_FFFD | 0x10_0000..=0x10_FFFD);
    let nonchar = matches!(u, 0xFDD0..=0xFDEF) || (u & 0xFFFE) == 0xFFFE;
    !(format || private || nonchar)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;

    #[test]
    fn go_quote_escapes() {
        let q = |s: &str| GoQuoted(s).to_string();
        assert_eq!(q(""), "\"\"");
        assert_eq!(q("\u{7}\u{8}\u{c}\n\r\t\u{b}"), r#""\a\b\f\n\r\t\v""#);
        assert_eq!(q("\u{0}\u{1b}\u{7f}"), r#""\x00\x1b\x7f""#);
        assert_eq!(
            q("\u{85}\u{a0}\u{200b}\u{feff}"),
            r#""\u0085\u00a0\u200b\ufeff""#
        );
        assert_eq!(q("\u{f0000}"), r#""\U000f0000""#);
        assert_eq!(q("héllo 世界 😀"), "\"héllo 世界 😀\"");
        assert_eq!(q("\u{2028}"), r#""\u2028""#);
    }
}
