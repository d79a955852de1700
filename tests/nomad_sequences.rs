//! Event sequences from Nomad's own tests, replayed through the validated API: every event
//! is accepted and the final state matches Nomad's. Each test names the Nomad test it
//! follows, with its file and release.

use allocstate::{ClientStatus, EventKind, TaskEvent, TaskState, WireState};

enum Step {
    Event(&'static str),
    /// A `FailsTask` event.
    Failing(&'static str),
    /// The run loop's eventless exit.
    Finish,
}
use Step::*;

fn run(steps: &[Step]) -> TaskState {
    let mut task = TaskState::new();
    for (i, step) in steps.iter().enumerate() {
        let t = 1_000 * (i as i64 + 1);
        match step {
            Event(kind) => {
                task.apply(TaskEvent::from_type_str(t, kind))
                    .unwrap_or_else(|e| panic!("step {i}: {e}"));
            }
            Failing(kind) => {
                task.apply(TaskEvent::from_type_str(t, kind).with_fails_task())
                    .unwrap_or_else(|e| panic!("step {i}: {e}"));
            }
            Finish => {
                task.finish(t);
            }
        }
    }
    task
}

fn types(task: &TaskState) -> Vec<&str> {
    task.events().iter().map(TaskEvent::type_str).collect()
}

/// `TestTaskRunner_SimpleRun` (`client/task_runner_test.go` @ v0.4.1): exits 0.
#[test]
fn simple_run_exit_0() {
    let task = run(&[
        Event("Received"),
        Event("Started"),
        Event("Terminated"),
        Finish,
    ]);
    assert_eq!(task.state(), WireState::Dead);
    assert!(!task.failed());
    assert!(task.successful());
}

/// `TestTaskRunner_Destroy` (`client/task_runner_test.go` @ v0.4.1).
#[test]
fn destroy() {
    let task = run(&[
        Event("Received"),
        Event("Started"),
        Event("Killing"),
        Event("Killed"),
    ]);
    assert_eq!(task.state(), WireState::Dead);
}

/// `TestTaskRunner_Download_Retries` (`client/task_runner_test.go` @ v0.4.1;
/// `client/allocrunner/taskrunner/task_runner_test.go` @ v1.10.0).
#[test]
fn download_retries() {
    let task = run(&[
        Event("Received"),
        Event("Task Setup"),
        Event("Downloading Artifacts"),
        Event("Failed Artifact Download"),
        Event("Restarting"),
        Event("Downloading Artifacts"),
        Event("Failed Artifact Download"),
        Event("Not Restarting"),
    ]);
    assert_eq!(task.state(), WireState::Dead);
    assert!(task.failed());
    assert_eq!(task.restarts(), 1);
}

/// `TestTaskRunner_Run_RecoverableStartError`
/// (`client/allocrunner/taskrunner/task_runner_test.go` @ v1.10.0).
#[test]
fn recoverable_start_error() {
    let task = run(&[
        Event("Received"),
        Event("Task Setup"),
        Event("Driver Failure"),
        Event("Restarting"),
        Event("Driver Failure"),
        Event("Not Restarting"),
    ]);
    assert!(task.failed());
    assert_eq!(task.state(), WireState::Dead);
}

/// `TestTaskRunner_CheckWatcher_Restart`
/// (`client/allocrunner/taskrunner/task_runner_test.go` @ v1.10.0).
#[test]
fn check_watcher_restart_keeps_the_last_ten() {
    let task = run(&[
        Event("Received"),
        Event("Task Setup"),
        Event("Started"),
        Event("Restart Signaled"),
        Event("Terminated"),
        Event("Restarting"),
        Event("Started"),
        Event("Restart Signaled"),
        Event("Terminated"),
        Event("Restarting"),
        Event("Started"),
        Event("Restart Signaled"),
        Event("Terminated"),
        Event("Not Restarting"),
    ]);
    assert_eq!(
        types(&task),
        [
            "Terminated",
            "Restarting",
            "Started",
            "Restart Signaled",
            "Terminated",
            "Restarting",
            "Started",
            "Restart Signaled",
            "Terminated",
            "Not Restarting"
        ]
    );
    assert_eq!(task.restarts(), 2);
    assert!(task.failed());
    assert_eq!(task.events().evicted(), 4);
}

/// `TestTaskRunner_DeriveToken_Unrecoverable`
/// (`client/allocrunner/taskrunner/task_runner_test.go` @ v1.10.0).
#[test]
fn unrecoverable_vault_kill_fails_the_task() {
    let task = run(&[
        Event("Received"),
        Event("Task Setup"),
        Failing("Killing"),
        Finish,
    ]);
    assert!(task.failed());
    assert_eq!(task.state(), WireState::Dead);
}

/// `TestTaskEvents_FailedBatch` (`e2e/taskevents/taskevents.go` @ v1.10.0).
#[test]
fn failed_batch() {
    let task = run(&[
        Event("Received"),
        Event("Task Setup"),
        Event("Driver Failure"),
        Event("Not Restarting"),
    ]);
    assert!(task.failed());
    assert_eq!(ClientStatus::of([&task]), ClientStatus::Failed);
}

/// `TestTaskEvents_CompletedLeader` and `TestTaskEvents_FailedSibling`
/// (`e2e/taskevents/taskevents.go` @ v1.10.0).
#[test]
fn killed_by_the_group() {
    for cause in ["Leader Task Dead", "Sibling Task Failed"] {
        let task = run(&[
            Event("Received"),
            Event("Task Setup"),
            Event("Started"),
            Event(cause),
            Event("Killing"),
            Event("Terminated"),
            Event("Killed"),
        ]);
        assert!(!task.failed());
        assert_eq!(task.state(), WireState::Dead);
        assert_eq!(
            task.events().latest().map(TaskEvent::kind),
            Some(EventKind::Killed)
        );
    }
}

#[test]
fn killed_during_the_restart_delay() {
    let task = run(&[
        Event("Received"),
        Event("Started"),
        Event("Terminated"),
        Event("Restarting"),
        Event("Killing"),
        Finish,
    ]);
    assert_eq!(task.state(), WireState::Dead);
    assert!(!task.failed());
}

#[test]
fn shutdown_delay_then_kill() {
    let task = run(&[
        Event("Received"),
        Event("Started"),
        Event("Waiting for shutdown delay"),
        Event("Killing"),
        Event("Terminated"),
        Event("Killed"),
    ]);
    assert_eq!(task.state(), WireState::Dead);
}

/// The contract is stricter than Nomad here: Nomad < 1.11 appended `Killing` to a task
/// that was already dead (hashicorp/nomad#9542); the crate refuses it.
#[test]
fn killing_after_not_restarting_is_refused() {
    let mut task = run(&[
        Event("Received"),
        Event("Driver Failure"),
        Event("Not Restarting"),
    ]);
    let before = task.clone();
    assert!(task.apply(TaskEvent::killing(9, 0)).is_err());
    assert_eq!(task, before);
}
