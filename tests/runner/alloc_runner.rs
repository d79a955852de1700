//! The alloc runner, after Nomad's `client/allocrunner/alloc_runner_test.go`.

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{Coordinator, Exit, GroupSpec, PrestartStep, RunnerError};
use allocstate::{ClientStatus, DesiredStatus, Role, WireState};

#[test]
fn task_leader_kill_tg_dead_leader_kills_the_followers() {
    let mut follower = task("task1", Role::main(), policy(0, MIN, 0));
    follower.kill_timeout = 10 * MS;
    let leader = task("task2", Role::leader(), policy(0, MIN, 0));
    let mut sim = Sim::new(JobType::Batch, &[follower, leader]);
    assert_eq!(
        sim.arrive(0),
        vec![cmd("task1", "Start"), cmd("task2", "Start")]
    );
    sim.start(1, "task1");
    sim.start(1, "task2");
    assert_eq!(
        sim.exit(SEC, "task2", Exit::code(0)),
        vec![cmd("task1", "Stop")]
    );
    sim.exit(SEC + 5 * MS, "task1", Exit::signal(130, 2));
    assert_eq!(
        sim.events("task1"),
        "Received, Task Setup, Started, Leader Task Dead, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("task2"),
        "Received, Task Setup, Started, Terminated"
    );
    let killing = sim.event("task1", 4);
    assert_eq!(
        killing.display_message().to_string(),
        "Sent interrupt. Waiting 10ms before force killing"
    );
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn task_main_kill_tg_only_sidecars_left_get_main_tasks_dead() {
    let mut sim = Sim::new(
        JobType::Batch,
        &[
            task("pre", Role::prestart(true), policy(0, MIN, 0)),
            task("post", Role::poststart(true), policy(0, MIN, 0)),
            task("task2", Role::main(), policy(0, MIN, 0)),
        ],
    );
    assert_eq!(sim.arrive(0), vec![cmd("pre", "Start")]);
    assert_eq!(sim.runner.coordinator(), Coordinator::Prestart);
    sim.start(1, "pre");
    assert_eq!(
        sim.commands.last().unwrap().1.task,
        sim.i("task2"),
        "main starts once the sidecar runs"
    );
    sim.start(2, "task2");
    assert_eq!(
        sim.commands.last().unwrap().1.task,
        sim.i("post"),
        "poststart once main is not pending"
    );
    sim.start(3, "post");
    let stops = sim.exit(2 * SEC, "task2", Exit::code(0));
    assert_eq!(stops, vec![cmd("pre", "Stop"), cmd("post", "Stop")]);
    sim.exit(2 * SEC + 1, "pre", Exit::signal(130, 2));
    sim.exit(2 * SEC + 2, "post", Exit::signal(130, 2));
    assert_eq!(
        sim.events("pre"),
        "Received, Task Setup, Started, Main Tasks Dead, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("post"),
        "Received, Task Setup, Started, Main Tasks Dead, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("task2"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn lifecycle_poststop_runs_after_a_stop() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("web", Role::main(), policy(2, MIN, SEC)),
            task("quit", Role::poststop(), policy(2, MIN, SEC)),
        ],
    );
    assert_eq!(sim.arrive(0), vec![cmd("web", "Start")]);
    sim.start(1, "web");
    assert_eq!(sim.status(), ClientStatus::Running);
    assert_eq!(sim.stop(SEC), vec![cmd("web", "Stop")]);
    assert_eq!(
        sim.exit(2 * SEC, "web", Exit::signal(130, 2)),
        vec![cmd("quit", "Start")]
    );
    assert_eq!(
        sim.status(),
        ClientStatus::Pending,
        "main dead, poststop pending (allocRunner.clientAlloc)"
    );
    sim.start(2 * SEC, "quit");
    assert_eq!(sim.status(), ClientStatus::Running);
    sim.exit(12 * SEC, "quit", Exit::code(0));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("quit"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn task_group_shutdown_delay_is_waited_once_before_the_leader() {
    let group = GroupSpec {
        shutdown_delay: SEC,
        ..GroupSpec::new(JobType::Service)
    };
    let mut sim = Sim::with_group(
        group,
        &[
            task("leader", Role::leader(), policy(0, MIN, 0)),
            task("follower1", Role::main(), policy(0, MIN, 0)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "leader");
    sim.start(1, "follower1");
    assert_eq!(
        sim.stop(10 * SEC),
        vec![],
        "the group delay comes first, with no event"
    );
    assert_eq!(sim.events("leader"), "Received, Task Setup, Started");
    assert_eq!(
        sim.tick(11 * SEC),
        vec![cmd("leader", "Stop")],
        "the leader first and alone"
    );
    assert_eq!(
        sim.exit(11 * SEC + 1, "leader", Exit::signal(130, 2)),
        vec![cmd("follower1", "Stop")]
    );
    sim.exit(11 * SEC + 2, "follower1", Exit::signal(130, 2));
    assert_eq!(
        sim.events("leader"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("follower1"),
        "Received, Task Setup, Started, Killing, Terminated, Killed",
        "no Leader Task Dead after a stop"
    );
    let finished = |name| sim.finished_at(name);
    assert!(finished("leader") < finished("follower1") && finished("leader") >= 11 * SEC);
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn handles_artifact_failure_fails_the_alloc() {
    let mut sim = Sim::new(
        JobType::Batch,
        &[
            task("bad", Role::main(), policy(1, 60 * MIN, 1)),
            task("web", Role::main(), policy(1, 60 * MIN, 1)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "web");
    let bad = sim.i("bad");
    sim.go(1, |r| r.prestart(1, bad, PrestartStep::TaskDirBuilt));
    sim.go(1, |r| {
        r.prestart(1, bad, PrestartStep::DownloadingArtifacts)
    });
    sim.go(2, |r| {
        r.prestart(2, bad, PrestartStep::ArtifactFailed { error: "404" })
    });
    sim.exit(2, "web", Exit::code(0));
    let wake = sim.runner.next_wake().unwrap();
    sim.tick(wake);
    sim.go(wake, |r| r.prestart(wake, bad, PrestartStep::TaskDirBuilt));
    sim.go(wake, |r| {
        r.prestart(wake, bad, PrestartStep::DownloadingArtifacts)
    });
    sim.go(wake, |r| {
        r.prestart(wake, bad, PrestartStep::ArtifactFailed { error: "404" })
    });
    assert_eq!(sim.events("bad"), "Received, Task Setup, Downloading Artifacts, Failed Artifact Download, Restarting, Downloading Artifacts, Failed Artifact Download, Not Restarting");
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
    assert_eq!(sim.status(), ClientStatus::Failed);
}

#[test]
fn task_failed_kill_tg_failed_sibling_kills_the_others() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("task1", Role::main(), policy(0, MIN, 0)),
            task("task 2", Role::main(), policy(0, MIN, 0)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "task1");
    assert_eq!(
        sim.start_fails(1, "task 2", "deployment", true),
        vec![cmd("task1", "Stop")]
    );
    sim.exit(3, "task1", Exit::signal(130, 2));
    assert_eq!(
        sim.events("task 2"),
        "Received, Task Setup, Driver Failure, Not Restarting"
    );
    assert_eq!(
        sim.events("task1"),
        "Received, Task Setup, Started, Sibling Task Failed, Killing, Terminated, Killed"
    );
    assert_eq!(sim.status(), ClientStatus::Failed);
}

#[test]
fn lifecycle_shutdown_order_init_web_side_post() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("init", Role::prestart(false), policy(2, MIN, SEC)),
            task("side", Role::poststart(true), policy(2, MIN, SEC)),
            task("web", Role::main(), policy(2, MIN, SEC)),
            task("post", Role::poststop(), policy(2, MIN, SEC)),
        ],
    );
    assert_eq!(sim.arrive(0), vec![cmd("init", "Start")]);
    sim.start(1, "init");
    assert_eq!(
        sim.exit(SEC, "init", Exit::code(0)),
        vec![cmd("web", "Start")]
    );
    sim.start(SEC + 1, "web");
    sim.start(SEC + 2, "side");
    assert_eq!(
        sim.stop(5 * SEC),
        vec![cmd("web", "Stop")],
        "main tasks before sidecars"
    );
    assert_eq!(
        sim.exit(6 * SEC, "web", Exit::signal(130, 2)),
        vec![cmd("side", "Stop")]
    );
    assert_eq!(
        sim.exit(7 * SEC, "side", Exit::signal(130, 2)),
        vec![cmd("post", "Start")]
    );
    sim.start(7 * SEC, "post");
    sim.exit(8 * SEC, "post", Exit::code(0));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("side"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("init"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(
        sim.events("post"),
        "Received, Task Setup, Started, Terminated"
    );
    let f = |n| sim.finished_at(n);
    assert!(f("init") < f("web") && f("web") < f("side") && f("side") < f("post"));
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn kill_before_start_records_killing_only() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("init", Role::prestart(false), policy(2, MIN, SEC)),
            task("web", Role::main(), policy(2, MIN, SEC)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "init");
    let commands = sim.stop(SEC);
    assert_eq!(commands, vec![cmd("init", "Stop")]);
    sim.exit(2 * SEC, "init", Exit::signal(130, 2));
    assert_eq!(
        sim.events("web"),
        "Received, Killing",
        "killed while waiting on its gate"
    );
    assert_eq!(
        sim.events("init"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn kill_during_the_restart_wait_ends_the_task() {
    let mut sim = Sim::web(JobType::Service, policy(3, MIN, 10 * SEC));
    sim.start(1, "web");
    sim.exit(SEC, "web", Exit::code(1));
    assert_eq!(sim.stop(2 * SEC), vec![]);
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated, Restarting, Killing"
    );
    assert!(sim.runner.is_finished() && sim.runner.next_wake().is_none());
}

#[test]
fn kill_while_starting_stops_it_when_it_starts() {
    let mut sim = Sim::web(JobType::Service, policy(3, MIN, SEC));
    let i = sim.i("web");
    sim.go(1, |r| r.prestart(1, i, PrestartStep::TaskDirBuilt));
    assert_eq!(sim.stop(2), vec![cmd("web", "Stop")]);
    sim.go(3, |r| r.started(3, i));
    sim.exit(4, "web", Exit::signal(130, 2));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Killing, Started, Terminated, Killed"
    );

    let mut sim = Sim::web(JobType::Service, policy(3, MIN, SEC));
    sim.stop(2);
    sim.go(3, |r| r.start_cancelled(3, i));
    assert_eq!(sim.events("web"), "Received, Killing");
    assert!(sim.runner.is_finished());
}

#[test]
fn service_exit_zero_with_no_attempts_fails() {
    let mut sim = Sim::web(JobType::Service, policy(0, MIN, 0));
    sim.start(1, "web");
    sim.exit(SEC, "web", Exit::code(0));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated, Not Restarting"
    );
    assert_eq!(sim.status(), ClientStatus::Failed);
}

#[test]
fn pre_kill_run_on_done_an_alloc_stopped_before_it_arrives_does_not_run() {
    let mut sim = Sim::new(
        JobType::Batch,
        &[
            task("web", Role::main(), policy(0, MIN, 0)),
            task("post", Role::poststop(), policy(0, MIN, 0)),
        ],
    );
    let _ = sim.runner.stop(0, DesiredStatus::Stop, "", false).unwrap();
    assert_eq!(sim.arrive(1), vec![]);
    assert_eq!(sim.events("web"), "Received");
    assert_eq!(sim.events("post"), "Received");
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
    assert_eq!(sim.status(), ClientStatus::Complete);
    assert!(sim.runner.is_finished());
}

#[test]
fn prestart_failures_lead_to_failed_setup_failure_on_every_task() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("web", Role::main(), policy(2, MIN, SEC)),
            task("side", Role::prestart(true), policy(2, MIN, SEC)),
        ],
    );
    sim.arrive(0);
    sim.go(1, |r| r.setup_failed(1, "network setup failed"));
    assert_eq!(sim.events("web"), "Received, Setup Failure");
    assert_eq!(sim.events("side"), "Received, Setup Failure");
    assert_eq!(sim.state("web"), (WireState::Dead, true, 0));
    let event = sim
        .runner
        .allocation()
        .state("web")
        .unwrap()
        .events()
        .iter()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        event.display_message().to_string(),
        "failed to setup alloc: network setup failed"
    );
    assert_eq!(sim.status(), ClientStatus::Failed);
    assert!(sim.runner.is_finished());

    let mut sim = Sim::web(JobType::Service, policy(2, MIN, SEC));
    sim.start(1, "web");
    assert_eq!(
        sim.runner.setup_failed(2, "late").unwrap_err(),
        RunnerError::AlreadyStarted { task: id(0) }
    );
}
