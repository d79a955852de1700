//! `restart`: arbitrary policies, job types, lifecycles, times (the full `i64` range) and
//! jitter never panic, and every delay stays within its documented bound:
//!
//! - within policy: `[d, d + 0.25·(d−1)]` with `d = max(delay, 1)` (the `0.25·(d−1)` step
//!   computed in `f64`, as Go does);
//! - delay mode: `start + interval − now`, saturated, and never negative;
//! - user-triggered: `0`.

#![no_main]

use allocstate::restart::{
    JobType, Lifecycle, RestartMode, RestartOutcome, RestartPolicy, RestartReason, RestartTracker,
};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Clone, Copy, Arbitrary)]
enum Input {
    Exit { code: i32, signal: i32, error: bool },
    StartError { recoverable: bool },
    Trigger { failure: bool },
    Killed,
    SetPolicy(RestartPolicy),
    Nothing,
}

#[derive(Debug, Clone, Copy, Arbitrary)]
enum FJitter {
    /// A fixed value, reduced by the tracker if out of range.
    Fixed(u64),
    /// The largest in-range value, `n - 1`.
    Max,
    /// `n` itself: out of range by one.
    N,
}

#[derive(Debug, Arbitrary)]
struct Step {
    inputs: Vec<Input>,
    now: i64,
    jitter: FJitter,
}

#[derive(Debug, Arbitrary)]
struct Case {
    // The crate's own types, built by its `arbitrary` feature.
    policy: RestartPolicy,
    job: JobType,
    lifecycle: Lifecycle,
    start: i64,
    steps: Vec<Step>,
}

fuzz_target!(|case: Case| {
    let mut tracker = RestartTracker::new(case.policy, case.job, case.lifecycle, case.start);
    assert_eq!(tracker.interval_start(), case.start);
    assert_eq!(tracker.count(), 0);

    for step in &case.steps {
        let mut user_triggered = false;
        let mut killed = false;
        for input in &step.inputs {
            match *input {
                Input::Exit {
                    code,
                    signal,
                    error,
                } => tracker.set_exit_result(code, signal, error),
                Input::StartError { recoverable } => tracker.set_start_error(recoverable),
                Input::Trigger { failure } => {
                    tracker.set_restart_triggered(failure);
                    user_triggered |= !failure;
                }
                Input::Killed => {
                    tracker.set_killed();
                    killed = true;
                }
                Input::SetPolicy(p) => {
                    tracker.set_policy(p);
                    assert_eq!(*tracker.policy(), p);
                }
                Input::Nothing => {}
            }
        }
        let count_before = tracker.count();
        let policy = *tracker.policy();
        let mut jitter = |n: u64| -> u64 {
            assert!(n >= 1, "jitter asked for an empty range");
            match step.jitter {
                FJitter::Fixed(v) => v,
                FJitter::Max => n - 1,
                FJitter::N => n,
            }
        };
        let outcome = tracker.decide(step.now, &mut jitter);

        if killed {
            assert_eq!(outcome, RestartOutcome::Killed);
        } else if user_triggered {
            assert_eq!(
                outcome,
                RestartOutcome::Restart {
                    delay: 0,
                    reason: None
                }
            );
        }
        match outcome {
            RestartOutcome::Restart { delay, reason } => match reason {
                None => {
                    // User-triggered: immediate, and not counted.
                    assert!(user_triggered);
                    assert_eq!(delay, 0);
                    assert_eq!(tracker.count(), count_before);
                }
                Some(RestartReason::WithinPolicy) => {
                    let d = policy.delay.max(1);
                    let spread = ((d - 1) as f64 * 0.25) as i64;
                    assert!(delay >= d, "delay {delay} below {d}");
                    assert!(
                        delay <= d.saturating_add(spread),
                        "delay {delay} above {d} + {spread}"
                    );
                    // Against the exact integer bound, the f64 step (as in Go) may round up,
                    // by at most the f64 error of (d-1)/4 plus truncation: (d >> 55) + 1.
                    // That is 0-1 ns below 2^55 ns and up to 64 ns near i64::MAX.
                    let exact = d.saturating_add((d - 1) / 4);
                    assert!(delay <= exact.saturating_add((d >> 55) + 1));
                    assert!(tracker.count() <= policy.attempts);
                }
                Some(RestartReason::ExceededDelay) => {
                    assert_eq!(policy.mode, RestartMode::Delay);
                    let end = tracker.interval_start().saturating_add(policy.interval);
                    assert_eq!(delay, end.saturating_sub(step.now));
                    assert!(delay >= 0, "negative delay-mode wait {delay}");
                    assert!(tracker.count() > policy.attempts);
                }
                Some(other) => panic!("restart with reason {other:?}"),
            },
            RestartOutcome::NoRestart { reason } => {
                assert!(outcome.fails_task());
                assert_eq!(outcome.delay(), None);
                if let RestartReason::ExceededFail { attempts, interval } = reason {
                    assert_eq!(policy.mode, RestartMode::Fail);
                    assert_eq!((attempts, interval), (policy.attempts, policy.interval));
                    assert!(tracker.count() > policy.attempts);
                }
            }
            RestartOutcome::Completed { .. }
            | RestartOutcome::Killed
            | RestartOutcome::NoFailure => {
                assert!(!outcome.fails_task());
                assert_eq!(outcome.delay(), None);
            }
            // RestartOutcome is non_exhaustive: an outcome this target does not know yet
            // must be taught to it.
            other => panic!("an outcome the fuzz target does not know: {other:?}"),
        }
        if let Some(reason) = outcome.reason() {
            assert!(!reason.to_string().is_empty());
        }
        let _ = format!("{outcome:?}");
    }
});
