//! Reconnect, after Nomad's `TestAllocRunner_Reconnect` (`client/allocrunner/alloc_runner_test.go`,
//! 4 subtests).

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{Exit, GroupSpec, Runner, RunnerError};
use allocstate::{ClientStatus, Role, WireState};

/// One task brought to a state by `bring`, then the client reconnects: no commands, the
/// task's state (`state`) and the client status (`status`) as they were, and
/// `Reconnected` the newest of its `events`.
fn assert_reconnect(
    job: JobType,
    bring: impl FnOnce(&mut Sim),
    events: &str,
    state: (WireState, bool, u64),
    status: ClientStatus,
) {
    let mut sim = Sim::new(job, &[task("web", Role::main(), policy(0, MIN, 0))]);
    sim.arrive(0);
    bring(&mut sim);
    assert_eq!(sim.state("web"), state, "before");
    assert_eq!(sim.status(), status, "before");
    assert_eq!(sim.go(10 * SEC, |r| r.reconnected(10 * SEC)), vec![]);
    assert_eq!(sim.state("web"), state, "no state change");
    assert_eq!(sim.status(), status, "the status is the tasks' again");
    assert_eq!(sim.last("web").time(), 10 * SEC);
    assert_eq!(sim.events("web"), events);
}

#[test]
fn reconnect_running_appends_reconnected() {
    assert_reconnect(
        JobType::Service,
        |sim| sim.start(1, "web"),
        "Received, Task Setup, Started, Reconnected",
        (WireState::Running, false, 0),
        ClientStatus::Running,
    );
}

#[test]
fn reconnect_complete_appends_reconnected_to_a_dead_task() {
    assert_reconnect(
        JobType::Batch,
        |sim| {
            sim.start(1, "web");
            sim.exit(SEC, "web", Exit::code(0));
        },
        "Received, Task Setup, Started, Terminated, Reconnected",
        (WireState::Dead, false, 0),
        ClientStatus::Complete,
    );
}

#[test]
fn reconnect_failed_keeps_the_alloc_failed() {
    assert_reconnect(
        JobType::Batch,
        |sim| {
            sim.start(1, "web");
            sim.exit(SEC, "web", Exit::code(1));
        },
        "Received, Task Setup, Started, Terminated, Not Restarting, Reconnected",
        (WireState::Dead, true, 0),
        ClientStatus::Failed,
    );
}

#[test]
fn reconnect_pending_appends_reconnected() {
    assert_reconnect(
        JobType::Service,
        |_| {},
        "Received, Reconnected",
        (WireState::Pending, false, 0),
        ClientStatus::Pending,
    );
}

#[test]
fn reconnect_before_the_allocation_arrives_is_refused() {
    let mut runner: Runner<2> = Runner::new(GroupSpec::new(JobType::Batch));
    runner
        .add_task(&task("web", Role::main(), policy(0, MIN, 0)))
        .unwrap();
    let before = runner.clone();
    assert_eq!(runner.reconnected(1).unwrap_err(), RunnerError::NotArrived);
    assert_eq!(runner, before);
}
