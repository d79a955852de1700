//! `Display` honours width, fill and alignment for every type that prints a word, as
//! `str` does (regression: `GoDuration`, `DesiredStatus`, `IdentityField` and `TaskName`
//! ignored them).

use allocstate::{DesiredStatus, EventKind, GoDuration, IdentityField, TaskName};

#[test]
fn width_and_fill_pad_like_str() {
    assert_eq!(format!("{:>8}", GoDuration(1_500_000_000)), "    1.5s");
    assert_eq!(format!("{:*<6}", GoDuration(0)), "0s****");
    assert_eq!(format!("{:^7}", DesiredStatus::Stop), " stop  ");
    assert_eq!(
        format!("{:>8}", IdentityField::JobId),
        format!("{:>8}", IdentityField::JobId.to_string())
    );
    let name = TaskName::new("web").unwrap();
    assert_eq!(format!("[{name:>5}]"), "[  web]");
    assert_eq!(format!("[{name:-<5}]"), "[web--]");
    // The ones that already did, for comparison.
    assert_eq!(format!("{:>9}", EventKind::Started), "  Started");
}

#[test]
fn precision_cuts_like_str() {
    assert_eq!(format!("{:.2}", GoDuration(60_000_000_000)), "1m");
}
