//! Single runs, after Nomad's task and alloc runner tests and `e2e/taskevents/taskevents.go`.

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{Exit, PrestartStep};
use allocstate::{ClientStatus, Role, WireState};

#[test]
fn simple_run_batch_exit_zero_completes_with_finished_at() {
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    sim.start(1, "web");
    sim.exit(500 * MS, "web", Exit::code(0));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated"
    );
    let state = sim.runner.allocation().state("web").unwrap();
    assert_eq!(state.finished_at(), Some(500 * MS));
    assert!(state.successful());
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn recover_from_driver_exiting_is_invisible_to_the_runner() {
    // The driver plugin exits at 1s and the runtime reattaches: nothing is reported,
    // nothing is due, and the task's own exit at 5s is the next input.
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    sim.start(1, "web");
    assert_eq!(sim.runner.next_wake(), None);
    sim.exit(5 * SEC, "web", Exit::code(0));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
}

#[test]
fn failed_batch_driver_failure_not_restarting() {
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    sim.start_fails(1, "web", "invalid command", false);
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Driver Failure, Not Restarting"
    );
    assert!(sim.last("web").fails_task());
    assert_eq!(sim.status(), ClientStatus::Failed);
}

#[test]
fn signal_failure_keeps_the_signaling_event_and_the_task_running() {
    let mut sim = Sim::web(JobType::Service, policy(2, MIN, SEC));
    sim.start(1, "web");
    let i = sim.i("web");
    // The driver's failure to deliver it is the runtime's error; the event stays.
    assert_eq!(
        sim.go(SEC, |r| r.signal(SEC, i, Some("SIGUSR1"))),
        vec![cmd("web", "Signal")]
    );
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Signaling"
    );
    assert_eq!(sim.state("web"), (WireState::Running, false, 0));
}

#[test]
fn destroy_and_task_leader_stop_tg_kill_the_leader_first() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("follower1", Role::main(), policy(2, MIN, SEC)),
            task("leader", Role::leader(), policy(2, MIN, SEC)),
            task("follower2", Role::main(), policy(2, MIN, SEC)),
        ],
    );
    sim.arrive(0);
    for name in ["follower1", "leader", "follower2"] {
        sim.start(1, name);
    }
    assert_eq!(
        sim.stop(SEC),
        vec![cmd("leader", "Stop")],
        "the leader alone"
    );
    assert_eq!(
        sim.exit(2 * SEC, "leader", Exit::signal(130, 2)),
        vec![cmd("follower1", "Stop"), cmd("follower2", "Stop")]
    );
    sim.exit(3 * SEC, "follower1", Exit::signal(130, 2));
    sim.exit(3 * SEC, "follower2", Exit::signal(130, 2));
    for name in ["follower1", "leader", "follower2"] {
        assert_eq!(
            sim.events(name),
            "Received, Task Setup, Started, Killing, Terminated, Killed",
            "{name}"
        );
    }
    let finished = |name| sim.finished_at(name);
    assert!(finished("leader") < finished("follower1"));
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn kill_tg_dead_tasks_a_dead_task_gets_no_killing() {
    let mut sim = Sim::new(
        JobType::Batch,
        &[
            task("web", Role::main(), policy(0, MIN, 0)),
            task("task 2", Role::main(), policy(0, MIN, 0)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "web");
    sim.start(1, "task 2");
    sim.exit(MS, "task 2", Exit::code(0));
    assert_eq!(sim.stop(SEC), vec![cmd("web", "Stop")]);
    sim.exit(2 * SEC, "web", Exit::signal(130, 2));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("task 2"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn lifecycle_poststart_sidecars_are_killed_after_the_main_task() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("web", Role::main(), policy(2, MIN, SEC)),
            task("side", Role::poststart(true), policy(2, MIN, SEC)),
            task("init", Role::prestart(false), policy(2, MIN, SEC)),
            task("poststart", Role::poststart(false), policy(2, MIN, SEC)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "init");
    sim.exit(SEC, "init", Exit::code(0));
    sim.start(SEC, "web");
    sim.start(SEC, "side");
    sim.start(SEC, "poststart");
    sim.exit(2 * SEC, "poststart", Exit::code(0));
    assert_eq!(sim.status(), ClientStatus::Running);
    assert_eq!(sim.stop(10 * SEC), vec![cmd("web", "Stop")]);
    assert_eq!(
        sim.exit(11 * SEC, "web", Exit::signal(130, 2)),
        vec![cmd("side", "Stop")]
    );
    sim.exit(12 * SEC, "side", Exit::signal(130, 2));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
    assert_eq!(
        sim.events("side"),
        "Received, Task Setup, Started, Killing, Terminated, Killed",
        "no optional MTD or 2nd K"
    );
    assert_eq!(
        sim.events("init"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(
        sim.events("poststart"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn batch_and_service_job_lifecycles_run_in_stage_order() {
    for job in [JobType::Batch, JobType::Service] {
        let p = policy(0, MIN, 0);
        let mut sim = Sim::new(
            job,
            &[
                task("init", Role::prestart(false), p),
                task("side", Role::prestart(true), p),
                task("main", Role::main(), p),
                task("poststart", Role::poststart(false), p),
                task("poststop", Role::poststop(), p),
            ],
        );
        assert_eq!(
            sim.arrive(0),
            vec![cmd("init", "Start"), cmd("side", "Start")]
        );
        sim.start(1, "init");
        sim.start(1, "side");
        assert_eq!(
            sim.exit(SEC, "init", Exit::code(0)),
            vec![cmd("main", "Start")]
        );
        let i = sim.i("main");
        sim.go(SEC, |r| r.prestart(SEC, i, PrestartStep::TaskDirBuilt));
        assert_eq!(
            sim.go(SEC, |r| r.started(SEC, i)),
            vec![cmd("poststart", "Start")],
            "poststart once main is no longer pending"
        );
        sim.start(SEC, "poststart");
        sim.exit(2 * SEC, "poststart", Exit::code(0));
        if job == JobType::Batch {
            // main completes: only the sidecar is left, and is killed.
            assert_eq!(
                sim.exit(3 * SEC, "main", Exit::code(0)),
                vec![cmd("side", "Stop")]
            );
            assert_eq!(
                sim.exit(4 * SEC, "side", Exit::signal(130, 2)),
                vec![cmd("poststop", "Start")]
            );
            assert_eq!(
                sim.events("side"),
                "Received, Task Setup, Started, Main Tasks Dead, Killing, Terminated, Killed"
            );
        } else {
            assert_eq!(sim.status(), ClientStatus::Running);
            sim.stop(3 * SEC);
            sim.exit(4 * SEC, "main", Exit::signal(130, 2));
            assert_eq!(
                sim.exit(5 * SEC, "side", Exit::signal(130, 2)),
                vec![cmd("poststop", "Start")]
            );
            assert_eq!(
                sim.events("side"),
                "Received, Task Setup, Started, Killing, Terminated, Killed"
            );
        }
        sim.start(6 * SEC, "poststop");
        sim.exit(7 * SEC, "poststop", Exit::code(0));
        assert_eq!(
            sim.events("poststop"),
            "Received, Task Setup, Started, Terminated"
        );
        assert_eq!(sim.status(), ClientStatus::Complete, "{job:?}");
    }
}
