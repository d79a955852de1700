//! `max_run_duration` (v2.0.3+), after Nomad's `allocRunner.EnforceMaxRunDurationTimeout`.

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{Exit, PrestartStep, RestartTarget, RunnerError, TaskSpec};
use allocstate::{ClientStatus, Role, WireState};

#[test]
fn max_run_duration_skips_poststop_tasks() {
    let mut sim = Sim::with_group(
        max_run_group(JobType::Batch, SEC),
        &[
            task("web", Role::main(), policy(0, MIN, 0)),
            task("post", Role::poststop(), policy(0, MIN, 0)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "web");
    assert_eq!(sim.runner.next_wake(), Some(SEC), "armed at the arrival");
    assert_eq!(sim.tick(SEC), vec![cmd("web", "Stop")]);
    assert_eq!(
        sim.events("post"),
        "Received, Killing",
        "poststop is killed first: it never starts"
    );
    assert_eq!(
        sim.last("post").display_message().to_string(),
        "allocation exceeded max_run_duration"
    );
    assert_eq!(sim.status(), ClientStatus::Complete, "forced at once");
    assert_eq!(
        sim.runner.allocation().client_description(),
        "allocation exceeded max_run_duration"
    );
    assert_eq!(sim.exit(SEC + 1, "web", Exit::signal(130, 2)), vec![]);
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
    assert_eq!(sim.state("post"), (WireState::Dead, false, 0));
    assert!(sim.runner.is_finished());
}

#[test]
fn max_run_duration_stops_expired_alloc_possibly_before_start() {
    let mut sim = Sim::web_max_run(JobType::Sysbatch, 50 * MS);
    let i = sim.i("web");
    sim.go(1, |r| r.prestart(1, i, PrestartStep::TaskDirBuilt));
    assert_eq!(sim.tick(50 * MS), vec![cmd("web", "Stop")]);
    sim.go(51 * MS, |r| r.start_cancelled(51 * MS, i));
    assert_eq!(sim.events("web"), "Received, Task Setup, Killing");
    assert_eq!(sim.status(), ClientStatus::Complete);
    assert!(sim.runner.is_finished());
    assert_eq!(
        sim.runner
            .restart(52 * MS, RestartTarget::Running, false)
            .unwrap_err(),
        RunnerError::Stopping
    );
}

#[test]
fn max_run_duration_wins_over_a_failed_task_is_disarmed_on_completion_and_ignored_for_services() {
    // A failed task while its sidecar is still being killed (slowly).
    let side = TaskSpec {
        kill_timeout: 20 * SEC,
        ..task("side", Role::prestart(true), policy(0, MIN, 0))
    };
    let mut sim = Sim::with_group(
        max_run_group(JobType::Batch, 10 * SEC),
        &[task("web", Role::main(), policy(0, MIN, 0)), side],
    );
    sim.arrive(0);
    sim.start(1, "side");
    sim.start(2, "web");
    assert_eq!(
        sim.exit(SEC, "web", Exit::code(1)),
        vec![cmd("side", "Stop")]
    );
    assert_eq!(sim.status(), ClientStatus::Failed);
    assert_eq!(sim.tick(10 * SEC), vec![], "side was already told to stop");
    assert_eq!(sim.status(), ClientStatus::Complete);
    sim.exit(11 * SEC, "side", Exit::signal(130, 2));
    assert_eq!(
        sim.events("side"),
        "Received, Task Setup, Started, Sibling Task Failed, Killing, Terminated, Killed"
    );
    assert_eq!(sim.status(), ClientStatus::Complete);
    assert_eq!(sim.state("web"), (WireState::Dead, true, 0));

    // An allocation that completes in time is not touched when the duration passes.
    let mut sim = Sim::web_max_run(JobType::Batch, 10 * SEC);
    sim.start(1, "web");
    sim.exit(SEC, "web", Exit::code(0));
    assert_eq!(
        sim.runner.next_wake(),
        None,
        "disarmed once every task is dead"
    );
    assert_eq!(
        sim.runner.allocation().client_description(),
        "All tasks have completed"
    );

    let mut sim = Sim::web_max_run(JobType::Service, SEC);
    sim.start(1, "web");
    assert_eq!(sim.runner.next_wake(), None);
    assert_eq!(sim.status(), ClientStatus::Running);
}
