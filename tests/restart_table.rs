//! The restart tracker from outside, against a table of cases from Nomad's
//! `client/allocrunner/taskrunner/restarts/restarts.go` (`RestartTracker.GetState`): every branch, every reason string, and the
//! event each outcome records through the validated task machine.

#[path = "common/restart_cases.rs"]
mod restart_cases;

use allocstate::restart::{
    JobType, RestartMode, RestartOutcome, RestartPolicy, RestartReason, RestartTracker,
};
use allocstate::{Detail, EventKind, Phase, TaskEvent, TaskState};
use restart_cases::*;

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
