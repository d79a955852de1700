//! The restart tracker from outside, against a table of cases from Nomad's
//! `restarts.go` (reference section 6): every branch, every reason string, and the
//! event each outcome records through the validated task machine.

use allocstate::restart::{
    JobType, Lifecycle, RestartMode, RestartOutcome, RestartPolicy, RestartReason, RestartTracker,
};
use allocstate::{Detail, EventKind, Phase, TaskEvent, TaskState};

const MS: i64 = 1_000_000;
const SEC: i64 = 1_000 * MS;
const MIN: i64 = 60 * SEC;

#[derive(Clone, Copy, Debug)]
enum Input {
    Exit(i32),
    Signal(i32),
    ExitError,
    StartErr { recoverable: bool },
    Trigger { failure: bool },
    Killed,
    Nothing,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    Restart(i64, &'static str),
    NoRestart(&'static str),
    Completed(&'static str),
    Killed,
    NoFailure,
}

struct Case {
    name: &'static str,
    policy: RestartPolicy,
    job: JobType,
    lifecycle: Lifecycle,
    /// (now, input, expected outcome, count after)
    steps: &'static [(i64, Input, Want, u32)],
}

const fn policy(attempts: u32, interval: i64, delay: i64, mode: RestartMode) -> RestartPolicy {
    RestartPolicy {
        attempts,
        interval,
        delay,
        mode,
    }
}

/// Deterministic jitter: a fifth of the range, so a 1 s delay becomes 1.05 s.
fn fifth(n: u64) -> u64 {
    n / 5
}

fn feed(t: &mut RestartTracker, input: Input) {
    match input {
        Input::Exit(code) => t.set_exit_result(code, 0, false),
        Input::Signal(sig) => t.set_exit_result(0, sig, false),
        Input::ExitError => t.set_exit_result(0, 0, true),
        Input::StartErr { recoverable } => t.set_start_error(recoverable),
        Input::Trigger { failure } => t.set_restart_triggered(failure),
        Input::Killed => t.set_killed(),
        Input::Nothing => {}
    }
}

/// Outcome and expectation in one comparable text form: kind, delay, exact reason.
fn got(outcome: &RestartOutcome) -> String {
    match outcome {
        RestartOutcome::Restart { delay, reason } => format!(
            "Restart({delay}, {:?})",
            reason.map(|r| r.to_string()).unwrap_or_default()
        ),
        RestartOutcome::NoRestart { reason } => format!("NoRestart({:?})", reason.to_string()),
        RestartOutcome::Completed { reason } => format!("Completed({:?})", reason.to_string()),
        RestartOutcome::Killed => "Killed".to_string(),
        RestartOutcome::NoFailure => "NoFailure".to_string(),
        // The enum is non_exhaustive: an outcome added later shows as itself.
        other => format!("{other:?}"),
    }
}

fn wanted(want: Want) -> String {
    match want {
        Want::Restart(delay, reason) => format!("Restart({delay}, {reason:?})"),
        Want::NoRestart(reason) => format!("NoRestart({reason:?})"),
        Want::Completed(reason) => format!("Completed({reason:?})"),
        Want::Killed => "Killed".to_string(),
        Want::NoFailure => "NoFailure".to_string(),
    }
}

const FAIL_2_1M: RestartPolicy = policy(2, MIN, SEC, RestartMode::Fail);
const EXCEEDED_2_1M: &str = r#"Exceeded allowed attempts 2 in interval 1m0s and mode is "fail""#;
const WITHIN: &str = "Restart within policy";
const JITTERED_1S: i64 = SEC + SEC / 5 / 4; // 1.05 s

const CASES: &[Case] = &[
    Case {
        name: "within policy, then exceeded in fail mode",
        policy: FAIL_2_1M,
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (SEC, Input::Exit(1), Want::Restart(JITTERED_1S, WITHIN), 1),
            (
                2 * SEC,
                Input::Exit(1),
                Want::Restart(JITTERED_1S, WITHIN),
                2,
            ),
            (3 * SEC, Input::Exit(1), Want::NoRestart(EXCEEDED_2_1M), 3),
        ],
    },
    Case {
        name: "delay mode waits until the interval ends, then a new interval",
        policy: policy(1, MIN, SEC, RestartMode::Delay),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                10 * SEC,
                Input::Exit(1),
                Want::Restart(JITTERED_1S, WITHIN),
                1,
            ),
            (
                20 * SEC,
                Input::Exit(1),
                Want::Restart(40 * SEC, "Exceeded allowed attempts, applying a delay"),
                2,
            ),
            (
                MIN,
                Input::Exit(1),
                Want::Restart(0, "Exceeded allowed attempts, applying a delay"),
                3,
            ),
            (
                MIN + 1,
                Input::Exit(1),
                Want::Restart(JITTERED_1S, WITHIN),
                1,
            ),
        ],
    },
    Case {
        name: "interval boundary: exactly at the end is the same interval",
        policy: policy(1, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (0, Input::Exit(1), Want::Restart(JITTERED_1S, WITHIN), 1),
            (
                MIN,
                Input::Exit(1),
                Want::NoRestart(
                    r#"Exceeded allowed attempts 1 in interval 1m0s and mode is "fail""#,
                ),
                2,
            ),
        ],
    },
    Case {
        name: "interval boundary: one ns after the end resets the count, then counts",
        policy: policy(1, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (0, Input::Exit(1), Want::Restart(JITTERED_1S, WITHIN), 1),
            (
                MIN + 1,
                Input::Exit(1),
                Want::Restart(JITTERED_1S, WITHIN),
                1,
            ),
        ],
    },
    Case {
        name: "attempts 0: policy allows no restarts (service, even on success)",
        policy: policy(0, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                0,
                Input::Exit(99),
                Want::NoRestart("Policy allows no restarts"),
                0,
            ),
            (
                1,
                Input::Exit(0),
                Want::NoRestart("Policy allows no restarts"),
                0,
            ),
        ],
    },
    Case {
        name: "attempts 0, batch: success completes, a start error does not",
        policy: policy(0, MIN, SEC, RestartMode::Fail),
        job: JobType::Batch,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                0,
                Input::Exit(0),
                Want::Completed("Policy allows no restarts"),
                0,
            ),
            (
                1,
                Input::StartErr { recoverable: false },
                Want::NoRestart("Policy allows no restarts"),
                0,
            ),
        ],
    },
    Case {
        name: "unrecoverable start error",
        policy: policy(3, MIN, SEC, RestartMode::Delay),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[(
            0,
            Input::StartErr { recoverable: false },
            Want::NoRestart("Error was unrecoverable"),
            1,
        )],
    },
    Case {
        name: "recoverable start error: attempts 1, 10m, delay 0, fail (row 12)",
        policy: policy(1, 10 * MIN, 0, RestartMode::Fail),
        job: JobType::Batch,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                0,
                Input::StartErr { recoverable: true },
                Want::Restart(1, WITHIN),
                1,
            ),
            (
                1,
                Input::StartErr { recoverable: true },
                Want::NoRestart(
                    r#"Exceeded allowed attempts 1 in interval 10m0s and mode is "fail""#,
                ),
                2,
            ),
        ],
    },
    Case {
        name: "batch success: restart unnecessary",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::Batch,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                0,
                Input::Exit(0),
                Want::Completed("Restart unnecessary as task terminated successfully"),
                1,
            ),
            (1, Input::Signal(9), Want::Restart(JITTERED_1S, WITHIN), 2),
            (2, Input::ExitError, Want::Restart(JITTERED_1S, WITHIN), 3),
        ],
    },
    Case {
        name: "service success restarts within policy",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::System,
        lifecycle: Lifecycle::main(),
        steps: &[(0, Input::Exit(0), Want::Restart(JITTERED_1S, WITHIN), 1)],
    },
    Case {
        name: "sysbatch success completes",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::Sysbatch,
        lifecycle: Lifecycle::main(),
        steps: &[(
            0,
            Input::Exit(0),
            Want::Completed("Restart unnecessary as task terminated successfully"),
            1,
        )],
    },
    Case {
        name: "ephemeral prestart in a service job completes on success",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::prestart(false),
        steps: &[(
            0,
            Input::Exit(0),
            Want::Completed("Restart unnecessary as task terminated successfully"),
            1,
        )],
    },
    Case {
        name: "poststart sidecar in a batch job restarts on success",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::Batch,
        lifecycle: Lifecycle::poststart(true),
        steps: &[(0, Input::Exit(0), Want::Restart(JITTERED_1S, WITHIN), 1)],
    },
    Case {
        name: "poststop never restarts on success",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::poststop(),
        steps: &[(
            0,
            Input::Exit(0),
            Want::Completed("Restart unnecessary as task terminated successfully"),
            1,
        )],
    },
    Case {
        name: "killed wins over everything, and clears the flags",
        policy: policy(0, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (0, Input::Killed, Want::Killed, 0),
            (
                1,
                Input::Nothing,
                Want::NoRestart("Policy allows no restarts"),
                0,
            ),
        ],
    },
    Case {
        name: "user-triggered restart: immediate, empty reason, not counted",
        policy: policy(1, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                0,
                Input::Trigger { failure: false },
                Want::Restart(0, ""),
                0,
            ),
            (
                1,
                Input::Trigger { failure: false },
                Want::Restart(0, ""),
                0,
            ),
            (2, Input::Exit(1), Want::Restart(JITTERED_1S, WITHIN), 1),
        ],
    },
    Case {
        name: "check_restart counts: attempts 2, 1m, 10ms, fail (row 13)",
        policy: policy(2, MIN, 10 * MS, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                SEC,
                Input::Trigger { failure: true },
                Want::Restart(10 * MS + 10 * MS / 5 / 4, WITHIN),
                1,
            ),
            (
                2 * SEC,
                Input::Trigger { failure: true },
                Want::Restart(10 * MS + 10 * MS / 5 / 4, WITHIN),
                2,
            ),
            (
                3 * SEC,
                Input::Trigger { failure: true },
                Want::NoRestart(EXCEEDED_2_1M),
                3,
            ),
        ],
    },
    Case {
        name: "no failure: nothing to do, but the decision is counted",
        policy: policy(1, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (0, Input::Nothing, Want::NoFailure, 1),
            (
                1,
                Input::Exit(1),
                Want::NoRestart(
                    r#"Exceeded allowed attempts 1 in interval 1m0s and mode is "fail""#,
                ),
                2,
            ),
        ],
    },
];

#[test]
fn every_case_decides_and_reasons_as_nomad() {
    for case in CASES {
        let mut t = RestartTracker::new(case.policy, case.job, case.lifecycle, 0);
        let mut jitter = fifth;
        for (i, &(now, input, want, count)) in case.steps.iter().enumerate() {
            feed(&mut t, input);
            let outcome = t.decide(now, &mut jitter);
            assert_eq!(got(&outcome), wanted(want), "{}: step {i}", case.name);
            assert_eq!(t.count(), count, "{}: step {i} count", case.name);
            check_event(&outcome, now, want, case.name);
        }
    }
}

/// The event the outcome records carries exactly the reason text and delay.
fn check_event(outcome: &RestartOutcome, now: i64, want: Want, name: &str) {
    let event = outcome.event(now);
    match want {
        Want::Restart(delay, reason) => {
            let event = event.expect(name);
            assert_eq!(event.kind(), EventKind::Restarting, "{name}");
            assert_eq!(
                event.detail(),
                Detail::Restarting {
                    start_delay: delay,
                    restart_reason: reason
                },
                "{name}"
            );
            assert!(!event.fails_task(), "{name}");
            assert_eq!(event.time(), now);
        }
        Want::NoRestart(reason) => {
            let event = event.expect(name);
            assert_eq!(
                event.detail(),
                Detail::NotRestarting {
                    restart_reason: reason
                },
                "{name}"
            );
            assert!(event.fails_task(), "{name}");
            assert!(!event.is_truncated());
        }
        Want::Killed => {
            let event = event.expect(name);
            assert_eq!(event.kind(), EventKind::Killed, "{name}");
            assert!(!event.fails_task());
        }
        Want::Completed(_) | Want::NoFailure => assert!(event.is_none(), "{name}"),
    }
}

fn exited() -> TaskState {
    let mut task = TaskState::new();
    for e in [
        TaskEvent::received(1),
        TaskEvent::started(2),
        TaskEvent::terminated(3, 1),
    ] {
        task.apply(e).expect("valid");
    }
    task
}

#[test]
fn apply_restart_records_through_the_machine() {
    // Restart within policy: Exited → Pending, Restarts + 1.
    let mut task = exited();
    let outcome = RestartOutcome::Restart {
        delay: JITTERED_1S,
        reason: Some(RestartReason::WithinPolicy),
    };
    let step = task
        .apply_restart(&outcome, 4)
        .expect("accepted")
        .expect("an event");
    assert_eq!((step.from, step.to), (Phase::Exited, Phase::Pending));
    assert_eq!(task.restarts(), 1);
    assert_eq!(task.last_restart(), Some(4));

    // Exceeded in fail mode: dead and failed, with the exact reason.
    let mut task = exited();
    let outcome = RestartOutcome::NoRestart {
        reason: RestartReason::ExceededFail {
            attempts: 2,
            interval: MIN,
        },
    };
    task.apply_restart(&outcome, 5).expect("accepted");
    assert_eq!(task.phase(), Phase::Dead);
    assert!(task.failed());
    let last = task.events().latest().expect("event");
    assert_eq!(
        last.detail(),
        Detail::NotRestarting {
            restart_reason: EXCEEDED_2_1M
        }
    );

    // Killed: dead, not failed.
    let mut task = exited();
    task.apply_restart(&RestartOutcome::Killed, 6)
        .expect("accepted");
    assert!(task.successful());

    // Completed and NoFailure record nothing.
    let mut task = exited();
    let before = task.clone();
    let completed = RestartOutcome::Completed {
        reason: RestartReason::SuccessfulExit,
    };
    assert_eq!(task.apply_restart(&completed, 7), Ok(None));
    assert_eq!(task.apply_restart(&RestartOutcome::NoFailure, 7), Ok(None));
    assert_eq!(task, before);

    // User restart: empty reason, no delay.
    let mut task = exited();
    let user = RestartOutcome::Restart {
        delay: 0,
        reason: None,
    };
    task.apply_restart(&user, 8).expect("accepted");
    let last = task.events().latest().expect("event");
    assert_eq!(
        last.detail(),
        Detail::Restarting {
            start_delay: 0,
            restart_reason: ""
        }
    );
}

#[test]
fn a_refused_restart_changes_nothing() {
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(1)).expect("valid");
    task.apply(TaskEvent::started(2)).expect("valid");
    let before = task.clone();
    let outcome = RestartOutcome::Restart {
        delay: SEC,
        reason: Some(RestartReason::WithinPolicy),
    };
    let refused = task
        .apply_restart(&outcome, 3)
        .expect_err("running cannot restart");
    assert_eq!(refused.kind(), EventKind::Restarting);
    assert_eq!(refused.phase(), Phase::Running);
    assert_eq!(task, before);
}

#[test]
fn the_longest_reason_fits_an_event_untruncated() {
    let outcome = RestartOutcome::NoRestart {
        reason: RestartReason::ExceededFail {
            attempts: u32::MAX,
            interval: i64::MIN,
        },
    };
    let event = outcome.event(0).expect("event");
    assert!(!event.is_truncated());
    assert_eq!(
        event.detail(),
        Detail::NotRestarting {
            restart_reason: r#"Exceeded allowed attempts 4294967295 in interval -2562047h47m16.854775808s and mode is "fail""#
        }
    );
}

/// Nomad's defaults for a group with no `restart` block, by job type.
#[test]
fn default_restart_policy_is_nomads_for_each_job_type() {
    let service = RestartPolicy::new(
        2,
        core::time::Duration::from_secs(30 * 60),
        core::time::Duration::from_secs(15),
        RestartMode::Fail,
    );
    let batch = RestartPolicy {
        attempts: 3,
        interval: 24 * 60 * MIN,
        delay: 15 * SEC,
        mode: RestartMode::Fail,
    };
    assert_eq!(JobType::Service.default_restart_policy(), service);
    assert_eq!(JobType::System.default_restart_policy(), service);
    assert_eq!(JobType::Batch.default_restart_policy(), batch);
    assert_eq!(JobType::Sysbatch.default_restart_policy(), batch);
}

#[test]
fn job_types_and_outcomes_display_for_logs() {
    let names: Vec<String> = [
        JobType::Service,
        JobType::Batch,
        JobType::System,
        JobType::Sysbatch,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(names, ["service", "batch", "system", "sysbatch"]);
    let cases = [
        (
            RestartOutcome::Restart {
                delay: 15 * SEC,
                reason: Some(RestartReason::WithinPolicy),
            },
            "restart in 15s (Restart within policy)",
        ),
        (
            RestartOutcome::Restart {
                delay: 0,
                reason: None,
            },
            "restart in 0s (user requested)",
        ),
        (
            RestartOutcome::NoRestart {
                reason: RestartReason::NoRestartsAllowed,
            },
            "not restarting (Policy allows no restarts)",
        ),
        (
            RestartOutcome::Completed {
                reason: RestartReason::SuccessfulExit,
            },
            "completed (Restart unnecessary as task terminated successfully)",
        ),
        (RestartOutcome::Killed, "killed"),
        (RestartOutcome::NoFailure, "no failure"),
    ];
    for (outcome, text) in cases {
        assert_eq!(outcome.to_string(), text);
    }
}

/// A `Duration` beyond Go's range saturates instead of wrapping.
#[test]
fn policy_durations_saturate_at_gos_range() {
    let policy = RestartPolicy::new(1, core::time::Duration::MAX, 5 * SEC, RestartMode::Delay);
    assert_eq!(policy.interval, i64::MAX);
    assert_eq!(policy.delay, 5 * SEC);
}
