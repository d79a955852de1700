//! The runner's inputs as journal entries (features `journal` and `serde`): the glue
//! between [`Runner`] and the journal core, in this one module so that it follows the
//! runner's input API wherever that goes (the inputs themselves: `input.rs`).
//!
//! The first snapshot is taken right after [`Runner::arrive`]. After each input the
//! runner accepts, the runtime commits it as an [`Input`] entry; every K inputs it
//! commits a snapshot instead, which is a [`RunnerSnapshot`]: the time of the latest
//! input ([`Now`], both clocks) and the runner's exact image: everything the runner
//! holds, its restart trackers, timers, jitter generator and clock included (more than
//! [`Runner::persist`], which writes what Nomad persists).
//!
//! An entry stores its time as the step from the entry (or snapshot) before it: the
//! monotonic step, and how far the wall clock moved apart from the monotonic one (0
//! unless the wall clock was stepped). Both clocks are recovered exactly, in a few bytes.
//!
//! Recovery ([`RecoveryGlue`]) reads the snapshot's image into a fresh runner and
//! applies the entries in order. The runner is deterministic, so the recovered runner
//! is exactly (`==`) the one that committed the last entry: the same trackers, timers
//! and next decisions. Nomad's restore rules are not applied by the recovery: they are
//! an agent restart's, which a runtime does after a real reboot with
//! [`Runner::persist`], [`Runner::reset`] and [`Runner::restore`] (docs/journal.md,
//! "After a real reboot").
//!
//! [`Runner`]: crate::runner::Runner
//! [`Runner::arrive`]: crate::runner::Runner::arrive
//! [`Runner::persist`]: crate::runner::Runner::persist
//! [`Runner::reset`]: crate::runner::Runner::reset
//! [`Runner::restore`]: crate::runner::Runner::restore
//! [`Now`]: crate::runner::Now

mod input;
mod recovery;
mod snapshot;

pub use input::{Input, What};
pub use recovery::{RecoveryError, RecoveryGlue, RunnerRecovery};
pub use snapshot::RunnerSnapshot;
