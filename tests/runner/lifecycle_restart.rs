//! `TestAllocRunner_Lifecycle_Restart` and its variants, after Nomad's
//! `client/allocrunner/alloc_runner_test.go`.

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{Coordinator, Exit, RestartTarget, RunnerError};
use allocstate::{ClientStatus, Role, WireState};

fn lifecycle_restart_group() -> Sim {
    lifecycle_restart_group_with(JobType::Service, false)
}

/// The group of `TestAllocRunner_Lifecycle_Restart` (alloc_runner_test.go) in its "before" state; its
/// variants run it as a batch job, or with main as the leader.
fn lifecycle_restart_group_with(job: JobType, leader: bool) -> Sim {
    let p = policy(1, 10 * MIN, 1);
    let mut sim = Sim::new(
        job,
        &[
            task("main", Role::main().with_leader(leader), p),
            task("prestart-oneshot", Role::prestart(false), p),
            task("prestart-sidecar", Role::prestart(true), p),
            task("poststart-oneshot", Role::poststart(false), p),
            task("poststart-sidecar", Role::poststart(true), p),
            task("poststop", Role::poststop(), p),
        ],
    );
    assert_eq!(
        sim.arrive(0),
        vec![
            cmd("prestart-oneshot", "Start"),
            cmd("prestart-sidecar", "Start")
        ]
    );
    sim.start(1, "prestart-oneshot");
    sim.start(1, "prestart-sidecar");
    assert_eq!(
        sim.exit(SEC, "prestart-oneshot", Exit::code(0)),
        vec![cmd("main", "Start")]
    );
    sim.start(SEC, "main");
    sim.start(SEC, "poststart-oneshot");
    sim.start(SEC, "poststart-sidecar");
    sim.exit(2 * SEC, "poststart-oneshot", Exit::code(0));
    assert_eq!(sim.runner.coordinator(), Coordinator::WaitAlloc);
    assert_eq!(sim.status(), ClientStatus::Running);
    sim
}

#[test]
fn lifecycle_restart_main_task_restarts_only_it() {
    let mut sim = lifecycle_restart_group();
    let main = sim.i("main");
    sim.go(10 * SEC, |r| {
        r.restart(10 * SEC, RestartTarget::Task(main), false)
    });
    assert_eq!(
        sim.exit(11 * SEC, "main", Exit::signal(130, 2)),
        vec![cmd("main", "Start")]
    );
    sim.start(11 * SEC, "main");
    assert_eq!(
        sim.events("main"),
        "Received, Task Setup, Started, Restart Signaled, Terminated, Restarting, Started"
    );
    assert_eq!(sim.state("main"), (WireState::Running, false, 1));
    assert_eq!(
        sim.events("prestart-sidecar"),
        "Received, Task Setup, Started"
    );
    assert_eq!(sim.state("poststop"), (WireState::Pending, false, 0));
}

#[test]
fn lifecycle_restart_only_running_tasks() {
    let sim = lifecycle_restart(JobType::Service, false, RestartTarget::Running);
    only_the_running_restarted(&sim);
}

#[test]
fn lifecycle_restart_entire_allocation_is_refused_with_dead_tasks() {
    let mut sim = lifecycle_restart_group();
    let before = sim.runner.clone();
    let oneshot = sim.i("prestart-oneshot");
    assert_eq!(
        sim.runner
            .restart(10 * SEC, RestartTarget::All, false)
            .unwrap_err(),
        RunnerError::DeadTask { task: oneshot }
    );
    assert_eq!(sim.runner, before, "the refusal changes nothing");
}

#[test]
fn lifecycle_restart_stop_from_server_then_poststop_runs() {
    let mut sim = lifecycle_restart_group();
    assert_eq!(sim.stop(10 * SEC), vec![cmd("main", "Stop")]);
    let sidecars = sim.exit(11 * SEC, "main", Exit::signal(130, 2));
    assert_eq!(
        sidecars,
        vec![
            cmd("prestart-sidecar", "Stop"),
            cmd("poststart-sidecar", "Stop")
        ]
    );
    sim.exit(12 * SEC, "prestart-sidecar", Exit::signal(130, 2));
    assert_eq!(
        sim.exit(12 * SEC, "poststart-sidecar", Exit::signal(130, 2)),
        vec![cmd("poststop", "Start")]
    );
    sim.start(13 * SEC, "poststop");
    sim.exit(14 * SEC, "poststop", Exit::code(0));
    assert_eq!(
        sim.events("main"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("prestart-sidecar"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("poststop"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn lifecycle_main_task_fails_and_restarts_once_then_kills_the_rest() {
    let mut sim = lifecycle_main_fails_twice(false, 1);
    let main = sim.i("main");
    assert!(
        sim.runner
            .restart(15 * SEC, RestartTarget::Task(main), false)
            .is_err(),
        "failed main cannot be restarted"
    );
}

#[test]
fn restart_all_without_dead_tasks_closes_the_gates_and_restarts_the_running() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("web", Role::main(), policy(2, MIN, SEC)),
            task("side", Role::prestart(true), policy(2, MIN, SEC)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "side");
    sim.start(2, "web");
    assert_eq!(
        sim.go(3, |r| r.restart(3, RestartTarget::All, false)).len(),
        2
    );
    assert_eq!(sim.runner.coordinator(), Coordinator::Init);
    assert_eq!(
        sim.exit(4, "web", Exit::signal(130, 2)),
        vec![],
        "web waits until every task is pending"
    );
    assert_eq!(
        sim.exit(5, "side", Exit::signal(130, 2)),
        vec![cmd("side", "Start")],
        "then prestart first"
    );
    sim.start(6, "side");
    assert_eq!(sim.commands.last().unwrap().1.task, sim.i("web"));
    sim.start(7, "web");
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Restart Signaled, Terminated, Restarting, Started"
    );
    assert_eq!(
        sim.events("side"),
        "Received, Task Setup, Started, Restart Signaled, Terminated, Restarting, Started"
    );
    assert_eq!(sim.status(), ClientStatus::Running);
}

// ---- the Lifecycle_Restart variants (alloc_runner_test.go) ----

/// Restarts `target` of the group (`job`, main the leader or not) and lets each stopped
/// task exit and start again; returns the group.
fn lifecycle_restart(job: JobType, leader: bool, target: RestartTarget) -> Sim {
    let mut sim = lifecycle_restart_group_with(job, leader);
    let reached: Vec<String> = sim
        .go(10 * SEC, |r| r.restart(10 * SEC, target, false))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for name in &reached {
        let starts = sim.exit(11 * SEC, name, Exit::signal(130, 2));
        assert_eq!(starts, vec![cmd(name, "Start")], "{name} restarts at once");
        sim.start(11 * SEC, name);
    }
    sim
}

#[test]
fn lifecycle_restart_leader_main_task() {
    let main = 0;
    let sim = lifecycle_restart(JobType::Service, true, RestartTarget::Task(id(main)));
    assert_eq!(
        sim.events("main"),
        "Received, Task Setup, Started, Restart Signaled, Terminated, Restarting, Started"
    );
    assert_eq!(sim.state("main"), (WireState::Running, false, 1));
    assert_eq!(
        sim.state("prestart-sidecar"),
        (WireState::Running, false, 0)
    );
}

#[test]
fn lifecycle_restart_prestart_sidecar_task() {
    let side = 2;
    let sim = lifecycle_restart(JobType::Service, false, RestartTarget::Task(id(side)));
    assert_eq!(
        sim.events("prestart-sidecar"),
        "Received, Task Setup, Started, Restart Signaled, Terminated, Restarting, Started"
    );
    assert_eq!(
        sim.state("prestart-sidecar"),
        (WireState::Running, false, 1)
    );
    assert_eq!(sim.state("main"), (WireState::Running, false, 0));
}

#[test]
fn lifecycle_restart_poststart_sidecar_task() {
    let side = 4;
    let sim = lifecycle_restart(JobType::Service, false, RestartTarget::Task(id(side)));
    assert_eq!(
        sim.events("poststart-sidecar"),
        "Received, Task Setup, Started, Restart Signaled, Terminated, Restarting, Started"
    );
    assert_eq!(
        sim.state("poststart-sidecar"),
        (WireState::Running, false, 1)
    );
    assert_eq!(
        sim.state("prestart-sidecar"),
        (WireState::Running, false, 0)
    );
}

#[test]
fn lifecycle_batch_restart_only_running_tasks() {
    let sim = lifecycle_restart(JobType::Batch, false, RestartTarget::Running);
    only_the_running_restarted(&sim);
    assert_eq!(sim.status(), ClientStatus::Running);
}

/// After [`lifecycle_restart`] with `RestartTarget::Running`: the three running tasks
/// (and only they: three stops at 10s) restarted once; the dead oneshot and the pending
/// poststop are as they were.
fn only_the_running_restarted(sim: &Sim) {
    let stops = sim.commands.iter().filter(|(at, _)| *at == 10 * SEC);
    assert_eq!(stops.count(), 3);
    for name in ["main", "prestart-sidecar", "poststart-sidecar"] {
        assert_eq!(
            sim.events(name),
            "Received, Task Setup, Started, Restart Signaled, Terminated, Restarting, Started",
            "{name}"
        );
        assert_eq!(sim.state(name), (WireState::Running, false, 1));
    }
    assert_eq!(sim.state("prestart-oneshot"), (WireState::Dead, false, 0));
    assert_eq!(sim.state("poststop"), (WireState::Pending, false, 0));
}

#[test]
fn lifecycle_restart_entire_allocation_with_leader_or_batch_is_refused() {
    for (job, leader) in [(JobType::Service, true), (JobType::Batch, false)] {
        let mut sim = lifecycle_restart_group_with(job, leader);
        let before = sim.runner.clone();
        assert!(matches!(
            sim.runner.restart(10 * SEC, RestartTarget::All, false),
            Err(RunnerError::DeadTask { .. })
        ));
        assert_eq!(sim.runner, before, "{job:?}: nothing changes");
    }
}

/// Main exits with `code` twice (attempts 1): `Not Restarting`, failed; the sidecars
/// get `Sibling Task Failed`, then poststop runs.
fn lifecycle_main_fails_twice(leader: bool, code: i32) -> Sim {
    let mut sim = lifecycle_restart_group_with(JobType::Service, leader);
    sim.exit(10 * SEC, "main", Exit::code(code));
    sim.tick(10 * SEC + 1);
    sim.start(10 * SEC + 1, "main");
    assert_eq!(
        sim.exit(11 * SEC, "main", Exit::code(code)),
        vec![
            cmd("prestart-sidecar", "Stop"),
            cmd("poststart-sidecar", "Stop")
        ]
    );
    sim.exit(12 * SEC, "prestart-sidecar", Exit::signal(130, 2));
    sim.exit(12 * SEC, "poststart-sidecar", Exit::signal(130, 2));
    sim.start(13 * SEC, "poststop");
    sim.exit(14 * SEC, "poststop", Exit::code(0));
    assert_eq!(sim.events("main"), "Received, Task Setup, Started, Terminated, Restarting, Started, Terminated, Not Restarting");
    assert_eq!(sim.state("main"), (WireState::Dead, true, 1));
    assert_eq!(
        sim.events("prestart-sidecar"),
        "Received, Task Setup, Started, Sibling Task Failed, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("poststart-sidecar"),
        "Received, Task Setup, Started, Sibling Task Failed, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("poststop"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.status(), ClientStatus::Failed);
    sim
}

#[test]
fn lifecycle_failed_main_task_cannot_be_restarted() {
    let mut sim = lifecycle_main_fails_twice(false, 1);
    let before = sim.runner.clone();
    assert_eq!(
        sim.runner
            .restart(15 * SEC, RestartTarget::Task(id(0)), false)
            .unwrap_err(),
        RunnerError::NotRunning { task: id(0) },
        "Nomad's `Task not running`"
    );
    assert_eq!(sim.runner, before);
}
