//! An update that no longer has the task, after Nomad's `TaskRunner.Update`.

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{Exit, RunnerError};
use allocstate::{ClientStatus, Role, WireState};

#[test]
fn update_missing_task_kills_it_failed_and_the_siblings_follow() {
    let mut sim = Sim::web_and_api();
    let web = sim.i("web");
    assert_eq!(
        sim.go(SEC, |r| r.drop_task(SEC, web)),
        vec![cmd("web", "Stop")]
    );
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started",
        "no Killing: the kill brings its own event"
    );
    assert_eq!(
        sim.runner.drop_task(SEC, web).unwrap_err(),
        RunnerError::Dropped { task: web }
    );
    assert_eq!(
        sim.exit(2 * SEC, "web", Exit::signal(130, 2)),
        vec![cmd("api", "Stop")]
    );
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated, Killed"
    );
    let killed = sim.last("web");
    assert!(killed.fails_task());
    assert!(matches!(
        killed.detail(),
        allocstate::Detail::Killed {
            kill_reason: "update missing task",
            ..
        }
    ));
    assert_eq!(sim.state("web"), (WireState::Dead, true, 0));
    sim.exit(3 * SEC, "api", Exit::signal(130, 2));
    assert_eq!(
        sim.events("api"),
        "Received, Task Setup, Started, Sibling Task Failed, Killing, Terminated, Killed"
    );
    assert_eq!(sim.status(), ClientStatus::Failed);
}

#[test]
fn update_missing_a_task_not_started_records_only_a_failing_killed() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("web", Role::main(), policy(2, MIN, SEC)),
            task("post", Role::poststop(), policy(2, MIN, SEC)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "web");
    let post = sim.i("post");
    assert_eq!(sim.go(SEC, |r| r.drop_task(SEC, post)), vec![]);
    assert_eq!(sim.events("post"), "Received, Killed");
    assert_eq!(sim.state("post"), (WireState::Dead, true, 0));
    assert_eq!(sim.status(), ClientStatus::Failed);
}

#[test]
fn update_dropping_a_dead_task_is_refused_and_changes_nothing() {
    let mut sim = Sim::new(
        JobType::Batch,
        &[
            task("web", Role::main(), policy(0, MIN, 0)),
            task("init", Role::prestart(false), policy(0, MIN, 0)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "init");
    sim.exit(SEC, "init", Exit::code(0));
    let init = sim.i("init");
    let before = sim.runner.clone();
    assert_eq!(
        sim.runner.drop_task(2 * SEC, init).unwrap_err(),
        RunnerError::TaskDead { task: init }
    );
    assert_eq!(sim.runner, before, "a completed task is not made failed");
}
