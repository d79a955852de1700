//! The display rules against the messages Nomad shows, kind by kind, and the override.

extern crate std;
use std::string::{String, ToString};

use super::*;
use crate::event::Detail;
use crate::kind::EventKind;

fn shown(event: &TaskEvent) -> String {
    event.display_message().to_string()
}

#[test]
fn fixed_messages() {
    assert_eq!(shown(&TaskEvent::started(1)), "Task started by client");
    assert_eq!(shown(&TaskEvent::received(1)), "Task received by client");
    assert_eq!(
        shown(&TaskEvent::downloading_artifacts(1)),
        "Client is downloading artifacts"
    );
    assert_eq!(
        shown(&TaskEvent::leader_task_dead(1)),
        "Leader Task in Group dead"
    );
    assert_eq!(
        shown(&TaskEvent::main_tasks_dead(1)),
        "Main tasks in the group died"
    );
    assert_eq!(
        shown(&TaskEvent::of_kind(1, EventKind::Reconnected)),
        "Client reconnected"
    );
}

#[test]
fn task_setup_shows_its_message() {
    assert_eq!(shown(&TaskEvent::task_setup(1)), "Building Task Directory");
    assert_eq!(shown(&TaskEvent::of_kind(1, EventKind::TaskSetup)), "");
}

#[test]
fn error_or_fallback_kinds() {
    let cases: [(TaskEvent, &str, TaskEvent, &str); 6] = [
        (
            TaskEvent::failed_validation(1, "bad config"),
            "bad config",
            TaskEvent::failed_validation(1, ""),
            "Validation of task failed",
        ),
        (
            TaskEvent::setup_failure(1, "no dir"),
            "no dir",
            TaskEvent::setup_failure(1, ""),
            "Task setup failed",
        ),
        (
            TaskEvent::driver_failure(1, "no docker"),
            "no docker",
            TaskEvent::driver_failure(1, ""),
            "Failed to start task",
        ),
        (
            TaskEvent::failed_artifact_download(1, "404"),
            "404",
            TaskEvent::failed_artifact_download(1, ""),
            "Failed to download artifacts",
        ),
        (
            TaskEvent::not_restarting(1, "Error was unrecoverable"),
            "Error was unrecoverable",
            TaskEvent::not_restarting(1, ""),
            "Task exceeded restart policy",
        ),
        (
            TaskEvent::restart_signaled(1, "check unhealthy"),
            "check unhealthy",
            TaskEvent::restart_signaled(1, ""),
            "Task signaled to restart",
        ),
    ];
    for (with, text, without, fallback) in cases {
        assert_eq!(shown(&with), text);
        assert_eq!(shown(&without), fallback);
    }
    let killed = TaskEvent::new(
        1,
        Detail::Killed {
            kill_error: "boom",
            kill_reason: "",
        },
    );
    assert_eq!(shown(&killed), "boom");
    assert_eq!(shown(&TaskEvent::killed(1)), "Task successfully killed");
}

#[test]
fn killing_branches() {
    let reason = TaskEvent::new(
        1,
        Detail::Killing {
            kill_timeout: 5_000_000_000,
            kill_reason: "template failed",
        },
    );
    assert_eq!(shown(&reason), "template failed");
    assert_eq!(
        shown(&TaskEvent::killing(1, 10_000_000)),
        "Sent interrupt. Waiting 10ms before force killing"
    );
    assert_eq!(shown(&TaskEvent::killing(1, 0)), "Sent interrupt");
}

#[test]
fn terminated_branches() {
    assert_eq!(shown(&TaskEvent::terminated(1, 0)), "Exit Code: 0");
    assert_eq!(
        shown(&TaskEvent::terminated_by_signal(1, -1, 15)),
        "Exit Code: -1, Signal: 15"
    );
    assert_eq!(
        shown(&TaskEvent::terminated_by_signal(1, i32::MIN, i32::MAX)),
        "Exit Code: -2147483648, Signal: 2147483647"
    );
    assert_eq!(
        shown(&TaskEvent::terminated(1, 2).with_message("tab\there")),
        r#"Exit Code: 2, Exit Message: "tab\there""#
    );
    assert_eq!(
        shown(&TaskEvent::terminated_by_signal(1, 137, 9).with_message("oom")),
        r#"Exit Code: 137, Signal: 9, Exit Message: "oom""#
    );
}

#[test]
fn restarting_branches() {
    assert_eq!(
        shown(&TaskEvent::restarting(
            1,
            15_302_026_290,
            "Restart within policy"
        )),
        "Task restarting in 15.30202629s"
    );
    assert_eq!(
        shown(&TaskEvent::restarting(1, 0, "")),
        "Task restarting in 0s"
    );
    assert_eq!(
        shown(&TaskEvent::restarting(
            1,
            60_000_000_000,
            "Exceeded allowed attempts, applying a delay"
        )),
        "Exceeded allowed attempts, applying a delay - Task restarting in 1m0s"
    );
}

#[test]
fn signaling_branches() {
    let sig = |s: &str, r: &str| {
        shown(&TaskEvent::new(
            1,
            Detail::Signaling {
                task_signal: s,
                task_signal_reason: r,
                signal: "SIGUSR1",
            },
        ))
    };
    assert_eq!(sig("", ""), "Task being sent a signal");
    assert_eq!(sig("", "because"), "because");
    assert_eq!(sig("SIGHUP", ""), "Task being sent signal SIGHUP");
    assert_eq!(
        sig("SIGHUP", "reload"),
        "Task being sent signal SIGHUP: reload"
    );
}

#[test]
fn sibling_is_quoted() {
    assert_eq!(
        shown(&TaskEvent::sibling_task_failed(1, "web \"1\"")),
        r#"Task's sibling "web \"1\"" failed"#
    );
    assert_eq!(
        shown(&TaskEvent::sibling_task_failed(1, "")),
        "Task's sibling failed"
    );
}

#[test]
fn driver_and_default_kinds_show_their_text() {
    assert_eq!(
        shown(&TaskEvent::driver(1, "pulling image")),
        "pulling image"
    );
    for kind in [
        EventKind::TaskHookFailed,
        EventKind::FailedRestoringTask,
        EventKind::WaitingForShutdownDelay,
        EventKind::SkippingShutdownDelay,
        EventKind::DiskResourcesExceeded,
        EventKind::PluginUnhealthy,
        EventKind::PluginHealthy,
        EventKind::TaskHookMessage,
        EventKind::Template,
        EventKind::AllocUnhealthy,
        EventKind::Generic,
    ] {
        let event = TaskEvent::of_kind(1, kind).with_message("said");
        assert_eq!(shown(&event), "said", "{kind}");
        assert_eq!(shown(&TaskEvent::of_kind(1, kind)), "", "{kind}");
    }
    let unknown = TaskEvent::from_type_str(1, "Future").with_message("hi");
    assert_eq!(shown(&unknown), "hi");
}

#[test]
fn override_wins_when_non_empty() {
    let event = TaskEvent::started(1).with_display_message("custom");
    assert_eq!(shown(&event), "custom");
    let cleared = event.with_display_message("");
    assert_eq!(shown(&cleared), "Task started by client");
}

#[test]
fn matches_compares_exactly() {
    let e = TaskEvent::killing(1, 10_000_000);
    assert!(e
        .display_message()
        .matches("Sent interrupt. Waiting 10ms before force killing"));
    assert!(!e.display_message().matches("Sent interrupt. Waiting 10ms"));
    assert!(!e
        .display_message()
        .matches("Sent interrupt. Waiting 10ms before force killingX"));
}
