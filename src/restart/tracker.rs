//! The tracker: what happened to the task since the last decision, and the decision.

use super::outcome::{RestartOutcome, RestartReason};
use super::policy::{JobType, Lifecycle, LifecycleHook, RestartMode, RestartPolicy};

/// Caller-supplied randomness, replacing Nomad's `rand.Int63n`.
///
/// `below(n)` should return a value in `[0, n)`; the tracker reduces larger
/// values modulo `n`, so the documented delay bound holds for any source.
/// Implemented for every `FnMut(u64) -> u64`.
pub trait Jitter {
    /// A value in `[0, n)`; `n` is always at least 1.
    fn below(&mut self, n: u64) -> u64;
}

impl<F: FnMut(u64) -> u64> Jitter for F {
    fn below(&mut self, n: u64) -> u64 {
        self(n)
    }
}

/// Restart bookkeeping for one task: feed it what happened, then call [`decide`](Self::decide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RestartTracker {
    policy: RestartPolicy,
    /// Whether a successful exit is restarted (fixed at construction).
    on_success: bool,
    /// Start of the current interval (ns).
    start_time: i64,
    /// Failures counted in the current interval (saturates at `u32::MAX`).
    count: u32,
    /// Go's `startErr`: `Some(recoverable)` when set.
    start_err: Option<bool>,
    /// Go's `exitRes`: `Some(successful)` when set.
    exit_success: Option<bool>,
    restart_triggered: bool,
    failure: bool,
    killed: bool,
}

impl RestartTracker {
    /// Nomad's `NewRestartTracker`; `now` opens the first interval.
    #[must_use]
    pub const fn new(policy: RestartPolicy, job: JobType, lifecycle: Lifecycle, now: i64) -> Self {
        // Batch-like jobs should not restart after a successful exit.
        let mut on_success = !matches!(job, JobType::Batch | JobType::Sysbatch);
        match lifecycle.hook {
            Some(LifecycleHook::Prestart) | Some(LifecycleHook::Poststart) => {
                on_success = lifecycle.sidecar;
            }
            Some(LifecycleHook::Poststop) => on_success = false,
            None => {}
        }
        Self {
            policy,
            on_success,
            start_time: now,
            count: 0,
            start_err: None,
            exit_success: None,
            restart_triggered: false,
            failure: false,
            killed: false,
        }
    }

    /// The tracker's own state, for the runner's exact image (`src/runner/image.rs`):
    /// the interval's start, the count, and the flags (bits 0-1 `startErr` and 2-3
    /// `exitRes`, each 0 unset, 1 false, 2 true; then restart triggered, failure,
    /// killed, restart on success). The policy is the caller's to keep.
    #[cfg(all(feature = "serde", feature = "journal"))]
    pub(crate) const fn image(&self) -> (i64, u32, u8) {
        const fn code(flag: Option<bool>) -> u8 {
            match flag {
                None => 0,
                Some(false) => 1,
                Some(true) => 2,
            }
        }
        let flags = code(self.start_err)
            | code(self.exit_success) << 2
            | (self.restart_triggered as u8) << 4
            | (self.failure as u8) << 5
            | (self.killed as u8) << 6
            | (self.on_success as u8) << 7;
        (self.start_time, self.count, flags)
    }

    /// The tracker [`image`](Self::image) gave, under `policy`; `None` if the flags are
    /// not an image's.
    #[cfg(all(feature = "serde", feature = "journal"))]
    pub(crate) const fn from_image(
        policy: RestartPolicy,
        start_time: i64,
        count: u32,
        flags: u8,
    ) -> Option<Self> {
        const fn flag(code: u8) -> Option<Option<bool>> {
            match code {
                0 => Some(None),
                1 => Some(Some(false)),
                2 => Some(Some(true)),
                _ => None,
            }
        }
        let (Some(start_err), Some(exit_success)) = (flag(flags & 3), flag(flags >> 2 & 3)) else {
            return None;
        };
        Some(Self {
            policy,
            on_success: flags & 0x80 != 0,
            start_time,
            count,
            start_err,
            exit_success,
            restart_triggered: flags & 0x10 != 0,
            failure: flags & 0x20 != 0,
            killed: flags & 0x40 != 0,
        })
    }

    /// Records a failure to start the task (Go's `SetStartError` with a non-nil error).
    pub fn set_start_error(&mut self, recoverable: bool) {
        self.start_err = Some(recoverable);
        self.failure = true;
    }

    /// Records how the task exited; successful = `exit_code == 0 && signal == 0 && !error`.
    pub fn set_exit_result(&mut self, exit_code: i32, signal: i32, error: bool) {
        self.exit_success = Some(exit_code == 0 && signal == 0 && !error);
        self.failure = true;
    }

    /// Records a restart request. `failure` counts it against the policy
    /// (e.g. check_restart); otherwise it is a user restart that bypasses it.
    pub fn set_restart_triggered(&mut self, failure: bool) {
        if failure {
            self.failure = true;
        } else {
            self.restart_triggered = true;
        }
    }

    /// Records that the task was killed; the next decision is `Killed`.
    pub fn set_killed(&mut self) {
        self.killed = true;
    }

    /// Replaces the policy (Go's `SetPolicy`, used on job updates); the count is kept.
    pub fn set_policy(&mut self, policy: RestartPolicy) {
        self.policy = policy;
    }

    /// Nomad's `GetState`: decides at time `now` and clears the per-decision
    /// flags (start error, exit result, restart-triggered, failure, killed).
    #[must_use = "the decision says whether and when to restart; record it with apply_restart"]
    pub fn decide(&mut self, now: i64, jitter: &mut impl Jitter) -> RestartOutcome {
        let outcome = self.decide_inner(now, jitter);
        self.start_err = None;
        self.exit_success = None;
        self.restart_triggered = false;
        self.failure = false;
        self.killed = false;
        outcome
    }

    fn decide_inner(&mut self, now: i64, jitter: &mut impl Jitter) -> RestartOutcome {
        if self.killed {
            return RestartOutcome::Killed;
        }
        // User restart: immediate, and does not touch the count.
        if self.restart_triggered {
            return RestartOutcome::Restart {
                delay: 0,
                reason: None,
            };
        }
        if self.policy.attempts == 0 {
            let reason = RestartReason::NoRestartsAllowed;
            if !self.on_success && self.exit_success == Some(true) {
                return RestartOutcome::Completed { reason };
            }
            return RestartOutcome::NoRestart { reason };
        }

        // New interval only when strictly after its end (Go's `now.After(end)`).
        // Saturates: with a huge interval the window simply never ends.
        if now > self.interval_end() {
            self.count = 0;
            self.start_time = now;
        }
        // Counted after the interval check (v0.9.3 fix), even without a failure.
        self.count = self.count.saturating_add(1);

        if !self.failure {
            return RestartOutcome::NoFailure;
        }

        if let Some(recoverable) = self.start_err {
            if !recoverable {
                return RestartOutcome::NoRestart {
                    reason: RestartReason::Unrecoverable,
                };
            }
        } else if self.exit_success == Some(true) && !self.on_success {
            return RestartOutcome::Completed {
                reason: RestartReason::SuccessfulExit,
            };
        }

        // With attempts == u32::MAX the saturated count never exceeds it.
        if self.count > self.policy.attempts {
            return match self.policy.mode {
                RestartMode::Fail => RestartOutcome::NoRestart {
                    reason: RestartReason::ExceededFail {
                        attempts: self.policy.attempts,
                        interval: self.policy.interval,
                    },
                },
                RestartMode::Delay => RestartOutcome::Restart {
                    // Wait for the interval to end; saturates like Go's `Time.Sub`.
                    delay: self.interval_end().saturating_sub(now),
                    reason: Some(RestartReason::ExceededDelay),
                },
            };
        }

        RestartOutcome::Restart {
            delay: self.jittered_delay(jitter),
            reason: Some(RestartReason::WithinPolicy),
        }
    }

    /// End of the current interval, saturating at `i64::MIN`/`i64::MAX`.
    const fn interval_end(&self) -> i64 {
        self.start_time.saturating_add(self.policy.interval)
    }

    /// Go's `jitter()`: `d + trunc(float64(rand(d)) * 0.25)` with `d >= 1`,
    /// so the result lies in `[d, d + 0.25*(d-1)]` (saturating at `i64::MAX`;
    /// above 2^53 ns the f64 step rounds exactly as Go's does).
    fn jittered_delay(&self, jitter: &mut impl Jitter) -> i64 {
        // Go maps 0 to 1; negative (which would panic in Go) is treated the same.
        let d = if self.policy.delay <= 0 {
            1
        } else {
            self.policy.delay
        };
        let n = d.unsigned_abs();
        // n >= 1, so checked_rem never fails; it reduces out-of-range values.
        let r = jitter.below(n).checked_rem(n).unwrap_or(0);
        // r < 2^63, so the product is at most 2^61 and the cast back never saturates.
        let j = (r as f64 * 0.25) as i64;
        d.saturating_add(j)
    }

    /// Failures counted in the current interval (Go's `GetCount`).
    #[must_use]
    pub const fn count(&self) -> u32 {
        self.count
    }

    /// The policy in force.
    #[must_use]
    pub const fn policy(&self) -> &RestartPolicy {
        &self.policy
    }

    /// Whether a successful exit is restarted (derived from job type and lifecycle).
    #[must_use]
    pub const fn on_success(&self) -> bool {
        self.on_success
    }

    /// Start of the current interval (ns).
    #[must_use]
    pub const fn interval_start(&self) -> i64 {
        self.start_time
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::format;
    use std::string::ToString;
    use std::vec::Vec;

    const MS: i64 = 1_000_000;
    const SEC: i64 = 1_000 * MS;
    const MIN: i64 = 60 * SEC;

    fn zero(_n: u64) -> u64 {
        0
    }

    fn policy(attempts: u32, interval: i64, delay: i64, mode: RestartMode) -> RestartPolicy {
        RestartPolicy {
            attempts,
            interval,
            delay,
            mode,
        }
    }

    fn service(p: RestartPolicy) -> RestartTracker {
        RestartTracker::new(p, JobType::Service, Lifecycle::main(), 0)
    }

    fn batch(p: RestartPolicy) -> RestartTracker {
        RestartTracker::new(p, JobType::Batch, Lifecycle::main(), 0)
    }

    fn restart(delay: i64, reason: RestartReason) -> RestartOutcome {
        RestartOutcome::Restart {
            delay,
            reason: Some(reason),
        }
    }

    #[derive(Clone, Copy)]
    enum Input {
        Nothing,
        Exit(i32, i32, bool),
        StartErr(bool),
        Trigger(bool),
        Killed,
    }

    /// A failure one nanosecond after a one-minute interval that began at 0 opens a new
    /// interval and is counted in it (count 1, not 0), restarted after the one-second delay.
    fn fails_in_new_interval(t: &mut RestartTracker) {
        t.set_exit_result(1, 0, false);
        assert_eq!(
            t.decide(MIN + 1, &mut zero),
            restart(SEC, RestartReason::WithinPolicy)
        );
        assert_eq!(t.count(), 1);
        assert_eq!(t.interval_start(), MIN + 1);
    }

    fn apply(t: &mut RestartTracker, i: Input) {
        match i {
            Input::Nothing => {}
            Input::Exit(c, s, e) => t.set_exit_result(c, s, e),
            Input::StartErr(r) => t.set_start_error(r),
            Input::Trigger(f) => t.set_restart_triggered(f),
            Input::Killed => t.set_killed(),
        }
    }

    /// One decision per row from a fresh tracker at t=0: every branch of `GetState`.
    #[test]
    fn branch_table() {
        use Input::{Exit, Nothing, StartErr, Trigger};
        const SVC: JobType = JobType::Service;
        const BAT: JobType = JobType::Batch;
        let p3 = policy(3, 10 * MIN, 15 * SEC, RestartMode::Fail);
        let p0 = policy(0, 10 * MIN, 15 * SEC, RestartMode::Fail);
        let within = restart(15 * SEC, RestartReason::WithinPolicy);
        let none_allowed = RestartReason::NoRestartsAllowed;
        let no = RestartOutcome::NoRestart {
            reason: none_allowed,
        };
        let done_p0 = RestartOutcome::Completed {
            reason: none_allowed,
        };
        let done = RestartOutcome::Completed {
            reason: RestartReason::SuccessfulExit,
        };
        let unrec = RestartOutcome::NoRestart {
            reason: RestartReason::Unrecoverable,
        };
        let user = RestartOutcome::Restart {
            delay: 0,
            reason: None,
        };
        let (killed, nofail) = (RestartOutcome::Killed, RestartOutcome::NoFailure);
        #[rustfmt::skip]
        let cases: &[(&str, JobType, RestartPolicy, Input, RestartOutcome, u32)] = &[
            ("killed", SVC, p3, Input::Killed, killed, 0),
            ("user restart", SVC, p3, Trigger(false), user, 0),
            ("user restart, no attempts", SVC, p0, Trigger(false), user, 0),
            ("no attempts, failing exit", SVC, p0, Exit(1, 0, false), no, 0),
            ("no attempts, service success", SVC, p0, Exit(0, 0, false), no, 0),
            ("no attempts, batch success", BAT, p0, Exit(0, 0, false), done_p0, 0),
            ("no attempts, batch failing exit", BAT, p0, Exit(1, 0, false), no, 0),
            ("no attempts, batch start error", BAT, p0, StartErr(false), no, 0),
            ("no attempts, nothing set", SVC, p0, Nothing, no, 0),
            ("no failure", SVC, p3, Nothing, nofail, 1),
            ("unrecoverable start error", SVC, p3, StartErr(false), unrec, 1),
            ("recoverable start error", SVC, p3, StartErr(true), within, 1),
            ("batch recoverable start error", BAT, p3, StartErr(true), within, 1),
            ("batch success", BAT, p3, Exit(0, 0, false), done, 1),
            ("sysbatch success", JobType::Sysbatch, p3, Exit(0, 0, false), done, 1),
            ("service success restarts", SVC, p3, Exit(0, 0, false), within, 1),
            ("system success restarts", JobType::System, p3, Exit(0, 0, false), within, 1),
            ("batch exit code", BAT, p3, Exit(2, 0, false), within, 1),
            ("batch signal", BAT, p3, Exit(0, 9, false), within, 1),
            ("batch wait error", BAT, p3, Exit(0, 0, true), within, 1),
            ("check restart counts", SVC, p3, Trigger(true), within, 1),
        ];
        for &(name, job, p, input, want, count) in cases {
            let mut t = RestartTracker::new(p, job, Lifecycle::main(), 0);
            apply(&mut t, input);
            assert_eq!(t.decide(0, &mut zero), want, "{name}");
            assert_eq!(t.count(), count, "{name} count");
        }
    }

    #[test]
    fn reason_strings() {
        let cases: &[(RestartReason, &str)] = &[
            (RestartReason::WithinPolicy, "Restart within policy"),
            (
                RestartReason::ExceededDelay,
                "Exceeded allowed attempts, applying a delay",
            ),
            (
                RestartReason::ExceededFail {
                    attempts: 2,
                    interval: MIN,
                },
                "Exceeded allowed attempts 2 in interval 1m0s and mode is \"fail\"",
            ),
            (
                RestartReason::ExceededFail {
                    attempts: 3,
                    interval: 10 * MIN,
                },
                "Exceeded allowed attempts 3 in interval 10m0s and mode is \"fail\"",
            ),
            (
                RestartReason::NoRestartsAllowed,
                "Policy allows no restarts",
            ),
            (RestartReason::Unrecoverable, "Error was unrecoverable"),
            (
                RestartReason::SuccessfulExit,
                "Restart unnecessary as task terminated successfully",
            ),
        ];
        for (r, want) in cases {
            assert_eq!(r.to_string(), *want);
        }
    }

    #[test]
    fn hot_path_order_killed_beats_trigger_beats_attempts() {
        let mut t = service(policy(0, MIN, SEC, RestartMode::Fail));
        t.set_restart_triggered(false);
        t.set_killed();
        t.set_exit_result(1, 0, false);
        assert_eq!(t.decide(0, &mut zero), RestartOutcome::Killed);
        t.set_restart_triggered(false);
        t.set_exit_result(1, 0, false);
        assert_eq!(
            t.decide(0, &mut zero),
            RestartOutcome::Restart {
                delay: 0,
                reason: None
            }
        );
    }

    #[test]
    fn start_error_takes_precedence_over_exit_result() {
        // Go checks startErr first; a successful exit is then ignored.
        let mut t = batch(policy(3, MIN, SEC, RestartMode::Fail));
        t.set_exit_result(0, 0, false);
        t.set_start_error(true);
        assert_eq!(
            t.decide(0, &mut zero),
            restart(SEC, RestartReason::WithinPolicy)
        );
    }

    #[test]
    fn fail_mode_exceeds_after_attempts() {
        let mut t = service(policy(2, MIN, SEC, RestartMode::Fail));
        for i in 1..=2 {
            t.set_exit_result(1, 0, false);
            assert_eq!(
                t.decide(i * SEC, &mut zero),
                restart(SEC, RestartReason::WithinPolicy)
            );
        }
        t.set_exit_result(1, 0, false);
        let out = t.decide(3 * SEC, &mut zero);
        assert!(out.fails_task());
        assert_eq!(
            out.reason().map(|r| r.to_string()).unwrap_or_default(),
            "Exceeded allowed attempts 2 in interval 1m0s and mode is \"fail\""
        );
        assert_eq!(t.count(), 3);
    }

    #[test]
    fn delay_mode_waits_until_interval_ends() {
        let mut t = service(policy(1, MIN, SEC, RestartMode::Delay));
        t.set_exit_result(1, 0, false);
        assert_eq!(
            t.decide(10 * SEC, &mut zero),
            restart(SEC, RestartReason::WithinPolicy)
        );
        t.set_exit_result(1, 0, false);
        assert_eq!(
            t.decide(20 * SEC, &mut zero),
            restart(40 * SEC, RestartReason::ExceededDelay)
        );
        // Exactly at the end: still the same interval, delay 0.
        t.set_exit_result(1, 0, false);
        assert_eq!(
            t.decide(MIN, &mut zero),
            restart(0, RestartReason::ExceededDelay)
        );
        assert_eq!(t.count(), 3);
        // After the wait a new interval opens and the failure is counted in it.
        fails_in_new_interval(&mut t);
    }

    #[test]
    fn interval_boundary_is_strictly_after() {
        let p = policy(1, MIN, SEC, RestartMode::Fail);
        // Exactly at start + interval: same interval, so the 2nd failure exceeds.
        let mut t = service(p);
        t.set_exit_result(1, 0, false);
        let _ = t.decide(0, &mut zero);
        t.set_exit_result(1, 0, false);
        assert!(t.decide(MIN, &mut zero).fails_task());
        assert_eq!(t.count(), 2);
        assert_eq!(t.interval_start(), 0);
        // One nanosecond later: reset, then counted (count == 1, not 0).
        let mut t = service(p);
        t.set_exit_result(1, 0, false);
        let _ = t.decide(0, &mut zero);
        fails_in_new_interval(&mut t);
    }

    #[test]
    fn count_resets_in_new_interval() {
        let mut t = service(policy(2, MIN, SEC, RestartMode::Fail));
        for now in [1, 2] {
            t.set_exit_result(1, 0, false);
            let _ = t.decide(now, &mut zero);
        }
        assert_eq!(t.count(), 2);
        t.set_exit_result(1, 0, false);
        assert!(!t.decide(5 * MIN, &mut zero).fails_task());
        assert_eq!(t.count(), 1);
    }

    #[test]
    fn no_failure_still_counts() {
        // Go increments before the `!failure` return.
        let mut t = service(policy(1, MIN, SEC, RestartMode::Fail));
        assert_eq!(t.decide(0, &mut zero), RestartOutcome::NoFailure);
        assert_eq!(t.count(), 1);
        t.set_exit_result(1, 0, false);
        assert!(t.decide(1, &mut zero).fails_task());
    }

    #[test]
    fn user_triggered_restart_does_not_count() {
        let mut t = service(policy(1, MIN, SEC, RestartMode::Fail));
        for now in 0..5 {
            t.set_restart_triggered(false);
            assert_eq!(
                t.decide(now, &mut zero),
                RestartOutcome::Restart {
                    delay: 0,
                    reason: None
                }
            );
        }
        assert_eq!(t.count(), 0);
        t.set_exit_result(1, 0, false);
        assert_eq!(
            t.decide(10, &mut zero),
            restart(SEC, RestartReason::WithinPolicy)
        );
        assert_eq!(t.count(), 1);
    }

    #[test]
    fn flags_cleared_after_decide() {
        let fresh = service(policy(3, MIN, SEC, RestartMode::Fail));
        let mut t = fresh;
        t.set_killed();
        t.set_restart_triggered(false);
        t.set_restart_triggered(true);
        t.set_start_error(false);
        t.set_exit_result(0, 0, false);
        assert_eq!(t.decide(0, &mut zero), RestartOutcome::Killed);
        assert_eq!(t, fresh);
        assert_eq!(t.decide(0, &mut zero), RestartOutcome::NoFailure);
    }

    #[test]
    fn jitter_bounds() {
        let d = 100 * MS;
        let max = d + (d - 1) / 4;
        type Case = (&'static str, fn(u64) -> u64, i64);
        let gens: [Case; 4] = [
            ("zero", |_| 0, d),
            ("n-1", |n| n - 1, max),
            (
                "u64::MAX",
                |_| u64::MAX,
                d + ((u64::MAX % d as u64) / 4) as i64,
            ),
            ("n (reduced to 0)", |n| n, d),
        ];
        for (name, g, want) in gens {
            let mut g = g;
            let mut t = service(policy(5, MIN, d, RestartMode::Fail));
            t.set_exit_result(1, 0, false);
            let got = t.decide(0, &mut g).delay().unwrap_or(-1);
            assert_eq!(got, want, "{name}");
            assert!((d..=max).contains(&got), "{name}");
        }
        // Go's trunc(float64(r) * 0.25) on a small delay.
        let mut t = service(policy(5, MIN, 7, RestartMode::Fail));
        let mut seen = Vec::new();
        for r in 0..7u64 {
            t.set_exit_result(1, 0, false);
            let mut g = move |_n: u64| r;
            seen.push(t.decide(0, &mut g).delay().unwrap_or(-1));
            t = service(*t.policy());
        }
        assert_eq!(seen, [7, 7, 7, 7, 8, 8, 8]);
    }

    #[test]
    fn jitter_receives_delay_as_bound() {
        let mut t = service(policy(5, MIN, 15 * SEC, RestartMode::Fail));
        t.set_exit_result(1, 0, false);
        let mut asked = 0;
        let mut g = |n: u64| {
            asked = n;
            0
        };
        let _ = t.decide(0, &mut g);
        assert_eq!(asked, 15 * SEC as u64);
    }

    #[test]
    fn zero_and_negative_delay_treated_as_one_ns() {
        for delay in [0, -1, i64::MIN] {
            let mut t = service(policy(5, MIN, delay, RestartMode::Fail));
            t.set_exit_result(1, 0, false);
            let mut asked = 0;
            let mut g = |n: u64| {
                asked = n;
                u64::MAX
            };
            assert_eq!(
                t.decide(0, &mut g),
                restart(1, RestartReason::WithinPolicy),
                "delay={delay}"
            );
            assert_eq!(asked, 1);
        }
    }

    #[test]
    fn on_success_rules() {
        let cases: &[(JobType, Lifecycle, bool)] = &[
            (JobType::Service, Lifecycle::main(), true),
            (JobType::System, Lifecycle::main(), true),
            (JobType::Batch, Lifecycle::main(), false),
            (JobType::Sysbatch, Lifecycle::main(), false),
            (JobType::Service, Lifecycle::prestart(false), false),
            (JobType::Batch, Lifecycle::prestart(true), true),
            (JobType::Service, Lifecycle::poststart(false), false),
            (JobType::Batch, Lifecycle::poststart(true), true),
            (JobType::Service, Lifecycle::poststop(), false),
            (
                JobType::Service,
                Lifecycle {
                    hook: Some(LifecycleHook::Poststop),
                    sidecar: true,
                },
                false,
            ),
            (
                JobType::Batch,
                Lifecycle {
                    hook: None,
                    sidecar: true,
                },
                false,
            ),
        ];
        let p = policy(3, MIN, SEC, RestartMode::Fail);
        for &(job, lc, want) in cases {
            let mut t = RestartTracker::new(p, job, lc, 0);
            assert_eq!(t.on_success(), want, "{job:?} {lc:?}");
            t.set_exit_result(0, 0, false);
            let out = t.decide(0, &mut zero);
            let expected = if want {
                restart(SEC, RestartReason::WithinPolicy)
            } else {
                RestartOutcome::Completed {
                    reason: RestartReason::SuccessfulExit,
                }
            };
            assert_eq!(out, expected, "{job:?} {lc:?}");
        }
    }

    /// Nomad's TestTaskRunner_CheckWatcher_Restart: 2 attempts, 1m, 10ms, fail.
    #[test]
    fn check_restart_sequence() {
        let mut t = service(policy(2, MIN, 10 * MS, RestartMode::Fail));
        let mut outs = Vec::new();
        for now in 1..=3 {
            t.set_restart_triggered(true);
            t.set_exit_result(137, 0, false);
            outs.push(t.decide(now * SEC, &mut zero));
        }
        assert_eq!(outs[0], restart(10 * MS, RestartReason::WithinPolicy));
        assert_eq!(outs[1], restart(10 * MS, RestartReason::WithinPolicy));
        assert!(outs[2].fails_task());
    }

    #[test]
    fn set_policy_keeps_count() {
        let mut t = service(policy(5, MIN, SEC, RestartMode::Fail));
        t.set_exit_result(1, 0, false);
        let _ = t.decide(0, &mut zero);
        t.set_policy(policy(1, MIN, 2 * SEC, RestartMode::Fail));
        assert_eq!(t.count(), 1);
        assert_eq!(t.policy().delay, 2 * SEC);
        t.set_exit_result(1, 0, false);
        assert!(t.decide(1, &mut zero).fails_task());
    }

    #[test]
    fn attempts_max_never_exceeded() {
        let mut t = service(policy(u32::MAX, i64::MAX, 1, RestartMode::Fail));
        t.count = u32::MAX - 1;
        for _ in 0..3 {
            t.set_exit_result(1, 0, false);
            assert_eq!(
                t.decide(0, &mut zero),
                restart(1, RestartReason::WithinPolicy)
            );
        }
        assert_eq!(t.count(), u32::MAX);
    }

    /// Every combination of extreme times, durations and attempts: no panic,
    /// and within-policy delays stay in `[d, d + 0.25*(d-1)]` (+1 for f64 rounding).
    #[test]
    fn extreme_values_never_panic() {
        let times = [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX];
        let gens: [fn(u64) -> u64; 3] = [|_| 0, |n| n.wrapping_sub(1), |_| u64::MAX];
        let inputs = [
            Input::Exit(1, 0, false),
            Input::Exit(0, 0, false),
            Input::StartErr(true),
            Input::StartErr(false),
            Input::Trigger(true),
            Input::Nothing,
        ];
        let mut policies = Vec::new();
        for interval in times {
            for delay in times {
                for attempts in [0, 1, u32::MAX] {
                    for mode in [RestartMode::Fail, RestartMode::Delay] {
                        policies.push(policy(attempts, interval, delay, mode));
                    }
                }
            }
        }
        let mut decisions = 0u32;
        for p in policies {
            for (start, job, g) in times.iter().flat_map(|&start| {
                [JobType::Service, JobType::Batch]
                    .into_iter()
                    .flat_map(move |job| gens.map(|g| (start, job, g)))
            }) {
                let mut t = RestartTracker::new(p, job, Lifecycle::main(), start);
                let mut g = g;
                for now in times {
                    for input in inputs {
                        apply(&mut t, input);
                        let out = t.decide(now, &mut g);
                        decisions += 1;
                        if out.reason() == Some(RestartReason::WithinPolicy) {
                            let d = p.delay.max(1);
                            let got = out.delay().unwrap_or(-1);
                            assert!(got >= d && got <= d.saturating_add((d - 1) / 4 + 1));
                        }
                        if let Some(r) = out.reason() {
                            assert!(!format!("{r}").is_empty());
                        }
                    }
                }
            }
        }
        assert!(decisions > 500_000);
    }

    #[test]
    fn extreme_delay_mode_saturates() {
        // start + interval saturates at i64::MAX; end - now saturates too.
        let mut t = RestartTracker::new(
            policy(1, i64::MAX, 1, RestartMode::Delay),
            JobType::Service,
            Lifecycle::main(),
            i64::MAX,
        );
        for _ in 0..2 {
            t.set_exit_result(1, 0, false);
            let _ = t.decide(i64::MIN, &mut zero);
        }
        t.set_exit_result(1, 0, false);
        assert_eq!(
            t.decide(i64::MIN, &mut zero),
            restart(i64::MAX, RestartReason::ExceededDelay)
        );
        let big = RestartReason::ExceededFail {
            attempts: u32::MAX,
            interval: i64::MIN,
        };
        assert_eq!(
            big.to_string(),
            "Exceeded allowed attempts 4294967295 in interval -2562047h47m16.854775808s and mode is \"fail\""
        );
    }

    #[test]
    fn outcome_helpers() {
        let r = restart(5, RestartReason::WithinPolicy);
        assert_eq!(r.delay(), Some(5));
        assert!(!r.fails_task());
        assert_eq!(RestartOutcome::Killed.delay(), None);
        assert_eq!(RestartOutcome::NoFailure.reason(), None);
        let c = RestartOutcome::Completed {
            reason: RestartReason::SuccessfulExit,
        };
        assert!(!c.fails_task());
        assert_eq!(c.reason(), Some(RestartReason::SuccessfulExit));
    }
}
