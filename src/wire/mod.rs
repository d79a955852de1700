//! The wire: Nomad's JSON (`json/`) and the compact layout (`compact/`), their shared
//! pieces, and [`DecodeError`], why encoded bytes were refused. Everything but the error
//! needs the `serde` feature.

mod error;
pub use error::DecodeError;

#[cfg(feature = "serde")]
mod alloc;
#[cfg(feature = "serde")]
pub(crate) mod alloc_fields;
#[cfg(feature = "serde")]
pub(crate) mod compact;
#[cfg(feature = "serde")]
mod events;
#[cfg(feature = "serde")]
pub(crate) mod json;
#[cfg(feature = "serde")]
pub(crate) mod names;
#[cfg(feature = "serde")]
mod task;
#[cfg(feature = "serde")]
mod zero_time;

#[cfg(feature = "serde")]
pub(crate) use events::Events;
#[cfg(feature = "serde")]
pub(crate) use task::StateInto;
#[cfg(feature = "serde")]
pub use zero_time::{WithZeroTime, ZeroTime};
