//! The task runner, after Nomad's `client/allocrunner/taskrunner/task_runner_linux_test.go`.

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{Action, Exit, PrestartStep, RestartTarget, RunnerError};
use allocstate::{ClientStatus, DesiredStatus, Role, WireState};

#[test]
fn stop_exit_code_kill_records_killing_terminated_killed() {
    let mut spec = task("web", Role::main(), policy(0, MIN, 0));
    spec.kill_signal = Some("SIGTERM");
    let mut sim = Sim::new(JobType::Batch, &[spec]);
    assert_eq!(sim.arrive(0), vec![cmd("web", "Start")]);
    sim.start(1, "web");
    let step = sim
        .runner
        .stop(SEC, DesiredStatus::Stop, "", false)
        .unwrap();
    let Action::Stop {
        signal,
        kill_timeout,
    } = &step.commands[0].action
    else {
        panic!("a stop");
    };
    assert_eq!(
        (signal.as_deref(), *kill_timeout),
        (Some("SIGTERM"), 5 * SEC)
    );
    assert_eq!(step.wake, Some(6 * SEC), "the kill timeout is armed");
    sim.sync();
    sim.exit(2 * SEC, "web", Exit::signal(143, 15));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
    assert_eq!(sim.status(), ClientStatus::Complete);
    assert!(sim.runner.is_finished() && sim.runner.next_wake().is_none());
}

#[test]
fn kill_timeout_passed_sends_force_kill() {
    let mut sim = Sim::web(JobType::Service, policy(0, MIN, 0));
    sim.start(1, "web");
    sim.stop(SEC);
    assert_eq!(sim.tick(6 * SEC - 1), vec![]);
    assert_eq!(sim.tick(6 * SEC), vec![cmd("web", "Kill")]);
    sim.exit(6 * SEC + 1, "web", Exit::signal(137, 9));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
}

#[test]
fn kill_timeout_is_clamped_to_max_kill_timeout() {
    let mut spec = task("web", Role::main(), policy(0, MIN, 0));
    spec.kill_timeout = 10 * MIN;
    let mut sim = Sim::new(JobType::Service, &[spec]);
    sim.arrive(0);
    sim.start(1, "web");
    let step = sim.runner.stop(1, DesiredStatus::Stop, "", false).unwrap();
    assert!(
        matches!(step.commands[0].action, Action::Stop { kill_timeout, .. } if kill_timeout == 30 * SEC)
    );
}

#[test]
fn shutdown_delay_waits_before_the_stop() {
    let mut spec = task("web", Role::main(), policy(0, MIN, 0));
    spec.shutdown_delay = SEC;
    let mut sim = Sim::new(JobType::Service, &[spec]);
    sim.arrive(0);
    sim.start(1, "web");
    assert_eq!(sim.stop(10 * SEC), vec![], "no stop before the delay");
    assert_eq!(sim.state("web").0, WireState::Pending);
    assert_eq!(sim.runner.next_wake(), Some(11 * SEC));
    assert_eq!(sim.tick(11 * SEC), vec![cmd("web", "Stop")]);
    sim.exit(11 * SEC + 5, "web", Exit::signal(130, 2));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Waiting for shutdown delay, Terminated, Killed"
    );
    let waiting = sim.event("web", 4);
    assert_eq!(
        waiting.display_message().to_string(),
        "Waiting for shutdown_delay of 1s before killing the task."
    );
    assert!(sim.finished_at("web") >= 11 * SEC);
}

#[test]
fn no_shutdown_delay_skips_it() {
    let mut spec = task("web", Role::main(), policy(0, MIN, 0));
    spec.shutdown_delay = 10 * SEC;
    let mut sim = Sim::new(JobType::Service, &[spec]);
    sim.arrive(0);
    sim.start(1, "web");
    let commands = sim.go(SEC, |r| r.stop(SEC, DesiredStatus::Stop, "", true));
    assert_eq!(commands, vec![cmd("web", "Stop")]);
    sim.exit(SEC + 1, "web", Exit::signal(130, 2));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Skipping shutdown delay, Terminated, Killed"
    );
}

#[test]
fn exit_during_shutdown_delay_records_terminated_then_killed() {
    let mut spec = task("web", Role::main(), policy(3, MIN, SEC));
    spec.shutdown_delay = 10 * SEC;
    let mut sim = Sim::new(JobType::Service, &[spec]);
    sim.arrive(0);
    sim.start(1, "web");
    sim.stop(SEC);
    sim.exit(2 * SEC, "web", Exit::code(1));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Waiting for shutdown delay, Terminated, Killed"
    );
    assert!(sim.runner.is_finished());
}

#[test]
fn restart_task_records_restart_signaled_and_restarts_at_once() {
    let mut sim = Sim::web(JobType::Service, policy(2, MIN, 15 * SEC));
    sim.start(1, "web");
    let i = sim.i("web");
    assert_eq!(
        sim.go(SEC, |r| r.restart(SEC, RestartTarget::Task(i), false)),
        vec![cmd("web", "Stop")]
    );
    assert_eq!(
        sim.exit(2 * SEC, "web", Exit::signal(130, 2)),
        vec![cmd("web", "Start")]
    );
    sim.go(2 * SEC, |r| {
        r.prestart(2 * SEC, i, PrestartStep::TaskDirBuilt)
    });
    sim.go(2 * SEC, |r| r.started(2 * SEC, i));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Restart Signaled, Terminated, Restarting, Started"
    );
    assert_eq!(sim.state("web"), (WireState::Running, false, 1));
    assert_eq!(
        sim.runner.tracker(i).unwrap().count(),
        0,
        "a user restart does not count"
    );
}

#[test]
fn check_watcher_restart_counts_failures_until_not_restarting() {
    let mut sim = Sim::web(JobType::Service, policy(2, MIN, 10 * MS));
    sim.start(1, "web");
    let i = sim.i("web");
    let mut now = SEC;
    for round in 0..3 {
        sim.go(now, |r| r.restart(now, RestartTarget::Task(i), true));
        now += MS;
        sim.exit(now, "web", Exit::signal(130, 2));
        if round < 2 {
            now = sim.runner.next_wake().unwrap();
            assert_eq!(sim.tick(now), vec![cmd("web", "Start")]);
            sim.start(now, "web");
        }
        now += SEC;
    }
    assert_eq!(sim.events("web"), "Received, Task Setup, Started, Restart Signaled, Terminated, Restarting, Started, Restart Signaled, Terminated, Restarting, Started, Restart Signaled, Terminated, Not Restarting");
    assert_eq!(sim.state("web"), (WireState::Dead, true, 2));
}

#[test]
fn download_retries_record_task_setup_once() {
    let mut sim = Sim::web(JobType::Batch, policy(1, 10 * MIN, SEC));
    let i = sim.i("web");
    let mut now = 1;
    for _ in 0..2 {
        sim.go(now, |r| r.prestart(now, i, PrestartStep::TaskDirBuilt));
        sim.go(now, |r| {
            r.prestart(now, i, PrestartStep::DownloadingArtifacts)
        });
        sim.go(now, |r| {
            r.prestart(
                now,
                i,
                PrestartStep::ArtifactFailed {
                    error: "bad artifact",
                },
            )
        });
        if let Some(wake) = sim.runner.next_wake() {
            now = wake;
            assert_eq!(sim.tick(now), vec![cmd("web", "Start")]);
        }
    }
    assert_eq!(sim.events("web"), "Received, Task Setup, Downloading Artifacts, Failed Artifact Download, Restarting, Downloading Artifacts, Failed Artifact Download, Not Restarting");
    assert_eq!(sim.state("web"), (WireState::Dead, true, 1));
    assert_eq!(sim.status(), ClientStatus::Failed);
}

#[test]
fn recoverable_start_error_restarts_then_not_restarting() {
    let mut sim = Sim::web(JobType::Service, policy(1, 10 * MIN, 0));
    sim.start_fails(1, "web", "driver down", true);
    assert_eq!(sim.runner.next_wake(), Some(3), "a delay of 0 is Go's 1ns");
    assert_eq!(sim.tick(3), vec![cmd("web", "Start")]);
    sim.start_fails(3, "web", "driver down", true);
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Driver Failure, Restarting, Driver Failure, Not Restarting"
    );
    assert_eq!(sim.state("web"), (WireState::Dead, true, 1));
}

#[test]
fn unrecoverable_start_error_fails_at_once() {
    let mut sim = Sim::web(JobType::Batch, policy(3, MIN, SEC));
    sim.start_fails(1, "web", "invalid command", false);
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Driver Failure, Not Restarting"
    );
    let ring = sim.runner.allocation().state("web").unwrap().events();
    let last = ring.iter().last().unwrap();
    assert_eq!(
        last.display_message().to_string(),
        "Error was unrecoverable"
    );
}

#[test]
fn restart_or_signal_of_a_task_not_running_is_refused_and_changes_nothing() {
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    let i = sim.i("web");
    let before = sim.runner.clone();
    assert_eq!(
        sim.runner
            .restart(1, RestartTarget::Task(i), false)
            .unwrap_err(),
        RunnerError::NotRunning { task: i }
    );
    assert_eq!(
        sim.runner.signal(1, i, Some("SIGHUP")).unwrap_err(),
        RunnerError::NotRunning { task: i }
    );
    assert_eq!(
        sim.runner.kill_failed(1, i, "no such process").unwrap_err(),
        RunnerError::NotRunning { task: i }
    );
    assert_eq!(
        sim.runner.started(1, id(7)).unwrap_err(),
        RunnerError::UnknownTask { task: id(7) }
    );
    assert_eq!(sim.runner, before);
    sim.start(1, "web");
    assert_eq!(
        sim.runner.started(2, i).unwrap_err(),
        RunnerError::NotStarting { task: i }
    );
}

#[test]
fn signal_records_signaling_and_sends_the_signal() {
    let mut sim = Sim::web(JobType::Service, policy(0, MIN, 0));
    sim.start(1, "web");
    let i = sim.i("web");
    let step = sim.runner.signal(2, i, Some("SIGHUP")).unwrap();
    assert!(
        matches!(&step.commands[0].action, Action::Signal { signal } if signal.as_deref() == Some("SIGHUP"))
    );
    sim.sync();
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Signaling"
    );
    assert_eq!(sim.state("web").0, WireState::Running);
}
