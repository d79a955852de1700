//! The coordinator, after Nomad's `client/allocrunner/tasklifecycle/coordinator_test.go`.

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{Coordinator, Exit, RestartTarget, RunnerError};
use allocstate::{ClientStatus, DesiredStatus, Role};

#[test]
fn coordinator_failed_init_task_blocks_main_for_good() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("main-0", Role::main(), policy(0, MIN, 0)),
            task("init-0", Role::prestart(false), policy(0, MIN, 0)),
            task("init-1", Role::prestart(false), policy(0, MIN, 0)),
        ],
    );
    assert_eq!(
        sim.arrive(0),
        vec![cmd("init-0", "Start"), cmd("init-1", "Start")]
    );
    sim.start(1, "init-0");
    sim.start(1, "init-1");
    sim.exit(SEC, "init-0", Exit::code(0));
    assert_eq!(sim.runner.coordinator(), Coordinator::Prestart);
    sim.exit(SEC, "init-1", Exit::code(1));
    assert_eq!(
        sim.events("main-0"),
        "Received, Sibling Task Failed, Killing",
        "main never starts; it is killed as a failed sibling's"
    );
    assert_eq!(sim.runner.coordinator(), Coordinator::Poststop);
    assert_eq!(sim.status(), ClientStatus::Failed);
}

#[test]
fn coordinator_sidecar_never_starts_blocks_main() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("web", Role::main(), policy(0, MIN, 0)),
            task("side", Role::prestart(true), policy(0, MIN, 0)),
            task("init", Role::prestart(false), policy(0, MIN, 0)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "init");
    sim.exit(SEC, "init", Exit::code(0));
    assert_eq!(sim.runner.coordinator(), Coordinator::Prestart);
    assert!(sim.commands.iter().all(|(_, c)| c.task != sim.i("web")));
}

#[test]
fn coordinator_only_main_app_reaches_wait_alloc() {
    let mut sim = Sim::new(
        JobType::Service,
        &[task("web", Role::main(), policy(0, MIN, 0))],
    );
    assert_eq!(sim.runner.coordinator(), Coordinator::Init);
    sim.arrive(0);
    assert_eq!(sim.runner.coordinator(), Coordinator::Main);
    sim.start(1, "web");
    assert_eq!(sim.runner.coordinator(), Coordinator::WaitAlloc);
}

#[test]
fn coordinator_poststart_starts_after_main() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("web", Role::main(), policy(0, MIN, 0)),
            task("side", Role::prestart(true), policy(0, MIN, 0)),
            task("init", Role::poststart(false), policy(0, MIN, 0)),
        ],
    );
    assert_eq!(sim.arrive(0), vec![cmd("side", "Start")]);
    sim.start(1, "side");
    assert_eq!(sim.commands.last().unwrap().1.task, sim.i("web"));
    sim.start(2, "web");
    assert_eq!(sim.runner.coordinator(), Coordinator::Poststart);
    assert_eq!(sim.commands.last().unwrap().1.task, sim.i("init"));
}

#[test]
fn coordinator_prestart_runs_before_main() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("web", Role::main(), policy(0, MIN, 0)),
            task("side", Role::prestart(true), policy(0, MIN, 0)),
            task("init", Role::prestart(false), policy(0, MIN, 0)),
        ],
    );
    assert_eq!(
        sim.arrive(0),
        vec![cmd("side", "Start"), cmd("init", "Start")],
        "all pending: prestart; web blocked"
    );
    assert_eq!(sim.runner.coordinator(), Coordinator::Prestart);
    sim.start(1, "side");
    sim.start(2, "init");
    assert_eq!(
        sim.runner.coordinator(),
        Coordinator::Prestart,
        "init running: same"
    );
    assert_eq!(
        sim.exit(SEC, "init", Exit::code(0)),
        vec![cmd("web", "Start")]
    );
    assert_eq!(sim.runner.coordinator(), Coordinator::Main);
    assert!(!Coordinator::Main.allows(allocstate::runner::Stage::PrestartEphemeral));
}

#[test]
fn coordinator_main_runs_after_many_init_tasks() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("main-0", Role::main(), policy(0, MIN, 0)),
            task("init-0", Role::prestart(false), policy(0, MIN, 0)),
            task("init-1", Role::prestart(false), policy(0, MIN, 0)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "init-0");
    sim.start(2, "init-1");
    assert_eq!(sim.exit(SEC, "init-0", Exit::code(0)), vec![]);
    assert_eq!(
        sim.exit(2 * SEC, "init-1", Exit::code(0)),
        vec![cmd("main-0", "Start")]
    );
    assert_eq!(sim.runner.coordinator(), Coordinator::Main);
}

#[test]
fn restart_of_a_stopping_alloc_is_refused() {
    let mut sim = Sim::web(JobType::Service, policy(0, MIN, 0));
    sim.start(1, "web");
    sim.stop(2);
    assert_eq!(
        sim.runner
            .restart(3, RestartTarget::Running, false)
            .unwrap_err(),
        RunnerError::Stopping
    );
    assert_eq!(
        sim.runner
            .stop(3, DesiredStatus::Evict, "", false)
            .unwrap_err(),
        RunnerError::Stopping
    );
}
