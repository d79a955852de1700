//! Nomad's JSON: each value in the shape `/v1/allocation` gives it, its field names written
//! once per type (`fields.rs`), strings captured into fixed capacity, and the reading mode
//! ([`nomad`]) that keeps what Nomad wrote whatever the contract says.

pub(crate) mod alloc;
pub(crate) mod capture;
pub(crate) mod event;
pub(crate) mod fields;
pub(crate) mod flat;
pub(crate) mod heard;
pub mod nomad;
pub(crate) mod or_null;
pub(crate) mod state;
