//! Go's formatting, byte for byte as Nomad's Go code writes it: durations
//! (`time.Duration.String()`), `%q` (`strconv.Quote`) and RFC 3339 times
//! (`time.RFC3339Nano`). One module, so that matching Go is one place to check.

pub mod duration;
mod quote;
#[cfg(feature = "serde")]
pub(crate) mod time;

pub use duration::GoDuration;
pub use quote::GoQuoted;
