//! Nomad's restart tracker (v0.9.3+), pure and deterministic.
//!
//! A port of `client/allocrunner/taskrunner/restarts/restarts.go` (v2.0.5).
//! Nomad reads the wall clock and its own RNG; here the caller passes `now`
//! (nanoseconds on any monotonic-enough scale) and a [`Jitter`] source, so
//! every decision is reproducible.
//!
//! Differences from Go, all at extremes Nomad never reaches in practice:
//! time arithmetic saturates at `i64::MIN`/`i64::MAX` instead of wrapping,
//! the attempt counter saturates at `u32::MAX`, and a negative `delay`
//! is treated like zero (Go's `rand.Int63n` would panic).
//!
//! ```
//! use allocstate::restart::{
//!     JobType, Lifecycle, RestartMode, RestartOutcome, RestartPolicy, RestartReason,
//!     RestartTracker,
//! };
//!
//! const SEC: i64 = 1_000_000_000;
//! let policy = RestartPolicy {
//!     attempts: 2,
//!     interval: 60 * SEC,
//!     delay: 15 * SEC,
//!     mode: RestartMode::Fail,
//! };
//! let mut tracker = RestartTracker::new(policy, JobType::Service, Lifecycle::main(), 0);
//!
//! // The task exits with code 1: the first failure is within policy.
//! tracker.set_exit_result(1, 0, false);
//! let mut no_jitter = |_n: u64| 0;
//! let outcome = tracker.decide(SEC, &mut no_jitter);
//! assert_eq!(
//!     outcome,
//!     RestartOutcome::Restart { delay: 15 * SEC, reason: Some(RestartReason::WithinPolicy) }
//! );
//! assert_eq!(tracker.count(), 1);
//!
//! // Two more failures in the same minute exceed the policy in "fail" mode.
//! tracker.set_exit_result(1, 0, false);
//! let _ = tracker.decide(2 * SEC, &mut no_jitter);
//! tracker.set_exit_result(1, 0, false);
//! let outcome = tracker.decide(3 * SEC, &mut no_jitter);
//! assert!(outcome.fails_task());
//! if let RestartOutcome::NoRestart { reason } = outcome {
//!     assert_eq!(
//!         reason.to_string(),
//!         r#"Exceeded allowed attempts 2 in interval 1m0s and mode is "fail""#
//!     );
//! }
//! ```

// One job per file: what the job says (policy), what happened and the decision
// (tracker), what the decision records on the task (outcome).
mod outcome;
mod policy;
mod tracker;

pub(crate) use outcome::REASON_WITHIN_POLICY;
pub use outcome::{RestartOutcome, RestartReason};
pub use policy::{JobType, Lifecycle, LifecycleHook, Nanos, RestartMode, RestartPolicy};
pub use tracker::{Jitter, RestartTracker};
