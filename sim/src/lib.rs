//! The simulation harness of allocstate's runner: it plays the runtime around a
//! [`Runner`](allocstate::runner::Runner) (the driver answering starts and stops, the
//! clock, agent restarts and the server's requests) from a scenario, and reports what
//! happened.
//!
//! - [`script`]: a scenario as the playing loop reads it ([`script::Digest`]): statics on
//!   a target without a JSON reader, lent by a scenario read on the host;
//! - [`play`]: the deterministic playing loop ([`play::Player`]) reporting to a
//!   [`play::Sink`], and the line transcript ([`play::Lines`]) the QEMU firmware compares
//!   with the host's;
//! - with the `std` feature, `scenario`: the scenario's JSON reader (README.md gives the
//!   format), and `engine`: the simulation with its JSON timeline, each task's history and
//!   the allocation (`simulate`).
//!
//! Without `std` the crate is `no_std` and allocates nothing: ci/qemu-firmware runs
//! [`play`] on Cortex-M. The `simulate` command (`cargo run --release -p allocstate-sim
//! -- FILE.json`) and the tests of the scenario files under `scenarios/` are its other
//! users; the published `allocstate` crate does not depend on it.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

#[cfg(feature = "std")]
pub mod engine;
pub mod play;
#[cfg(feature = "std")]
pub mod scenario;
pub mod script;

#[cfg(feature = "std")]
pub use engine::simulate;
