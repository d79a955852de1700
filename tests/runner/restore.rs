//! Restore, after Nomad's `TaskRunner.Restore` and `allocRunner.Restore`.

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{
    Coordinator, Exit, GroupSpec, RestartTarget, Runner, RunnerError, TaskSpec,
};
use allocstate::{ClientStatus, DesiredStatus, Role, WireState};

fn restored(
    sim: &mut Sim,
    now: i64,
    reattach: &[bool],
    desired: Option<DesiredStatus>,
) -> Vec<(String, &'static str)> {
    let mut buf = vec![0u8; Runner::<8>::POSTCARD_MAX_SIZE];
    let bytes = sim.runner.persist(&mut buf).unwrap().to_vec();
    let mut fresh: Runner<8> = Runner::new(GroupSpec::new(JobType::Batch));
    let names = fresh
        .restore(now, &bytes, desired, by_list(reattach))
        .unwrap()
        .commands
        .to_vec();
    sim.runner = fresh;
    sim.sync();
    names
        .iter()
        .map(|c| (sim.runner.task_name(c.task).to_string(), c.action.name()))
        .collect()
}

/// `Coordinator.Restore` (coordinator_test.go, `TestCoordinator_Restore` subtests): the tasks are brought to the
/// states listed, the agent restarts with every running task reattached, and the
/// coordinator is rebuilt from those states, skipping `init`.
fn coordinator_after_restore(
    tasks: &[TaskSpec<'_>],
    bring: impl FnOnce(&mut Sim),
) -> (Coordinator, Vec<(String, &'static str)>) {
    let mut sim = Sim::new(JobType::Service, tasks);
    sim.arrive(0);
    bring(&mut sim);
    let reattach: Vec<bool> = (0..tasks.len())
        .map(|i| sim.runner.place(id(i)) == Some(allocstate::runner::Place::Running))
        .collect();
    let commands = restored(&mut sim, 100 * SEC, &reattach, None);
    (sim.runner.coordinator(), commands)
}

fn pe_ps_main() -> [TaskSpec<'static>; 3] {
    [
        task("pre_ephemeral", Role::prestart(false), policy(0, MIN, 0)),
        task("pre_side", Role::prestart(true), policy(0, MIN, 0)),
        task("main", Role::main(), policy(0, MIN, 0)),
    ]
}

#[test]
fn coordinator_restore_prestart_ephemeral_running() {
    let (state, commands) = coordinator_after_restore(&pe_ps_main(), |sim| {
        sim.start(1, "pre_ephemeral");
        sim.start(2, "pre_side");
    });
    assert_eq!(state, Coordinator::Prestart);
    assert_eq!(commands, vec![], "main stays blocked");
}

#[test]
fn coordinator_restore_prestart_ephemeral_complete() {
    let (state, commands) = coordinator_after_restore(&pe_ps_main(), |sim| {
        sim.start(1, "pre_ephemeral");
        sim.start(2, "pre_side");
        sim.exit(SEC, "pre_ephemeral", Exit::code(0));
    });
    assert_eq!(state, Coordinator::Main);
    assert_eq!(commands, vec![cmd("main", "Start")]);
}

#[test]
fn coordinator_restore_main_running() {
    let (state, commands) =
        coordinator_after_restore(&[task("main", Role::main(), policy(0, MIN, 0))], |sim| {
            sim.start(1, "main")
        });
    assert_eq!(state, Coordinator::WaitAlloc);
    assert_eq!(commands, vec![]);
}

#[test]
fn coordinator_restore_poststart_with_sidecar() {
    let tasks = [
        task("main", Role::main(), policy(0, MIN, 0)),
        task("post_ephemeral", Role::poststart(false), policy(0, MIN, 0)),
        task("post_side", Role::poststart(true), policy(0, MIN, 0)),
    ];
    let (state, commands) = coordinator_after_restore(&tasks, |sim| {
        sim.start(1, "main");
        sim.start(2, "post_ephemeral");
        sim.start(2, "post_side");
        sim.exit(SEC, "post_ephemeral", Exit::code(0));
    });
    assert_eq!(state, Coordinator::WaitAlloc);
    assert!(state.allows(allocstate::runner::Stage::PoststartSidecar));
    assert!(!state.allows(allocstate::runner::Stage::PoststartEphemeral));
    assert_eq!(commands, vec![]);
}

#[test]
fn coordinator_restore_poststop_running() {
    let tasks = [
        task("main", Role::main(), policy(0, MIN, 0)),
        task("poststop", Role::poststop(), policy(0, MIN, 0)),
    ];
    let (state, commands) = coordinator_after_restore(&tasks, |sim| {
        sim.start(1, "main");
        sim.exit(SEC, "main", Exit::code(0));
        sim.start(2 * SEC, "poststop");
    });
    assert_eq!(state, Coordinator::Poststop);
    assert_eq!(commands, vec![]);
}

#[test]
fn restore_lifecycle_hooks_reaches_poststart() {
    let tasks = [
        task("web", Role::main(), policy(0, MIN, 0)),
        task("side", Role::prestart(true), policy(0, MIN, 0)),
        task("init", Role::prestart(false), policy(0, MIN, 0)),
        task("poststart", Role::poststart(false), policy(0, MIN, 0)),
    ];
    let (state, commands) = coordinator_after_restore(&tasks, |sim| {
        sim.start(1, "init");
        sim.start(1, "side");
        sim.exit(SEC, "init", Exit::code(0));
        sim.start(2 * SEC, "web");
        // poststart was told to start; the agent restarts before it did.
    });
    assert_eq!(state, Coordinator::Poststart);
    assert_eq!(commands, vec![cmd("poststart", "Start")]);
}

#[test]
fn restore_dead_then_force_restart_is_refused() {
    // Nomad's ForceRestart re-runs a restored dead task; the contract never leaves
    // dead, so the restart of all tasks is refused and nothing changes.
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    sim.start(1, "web");
    sim.exit(2 * SEC, "web", Exit::code(0));
    assert_eq!(restored(&mut sim, 3 * SEC, &[false], None), vec![]);
    let before = sim.runner.clone();
    assert_eq!(
        sim.runner
            .restart(4 * SEC, RestartTarget::All, false)
            .unwrap_err(),
        RunnerError::DeadTask { task: id(0) }
    );
    assert_eq!(sim.runner, before);
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated"
    );
}

#[test]
fn restore_kill_a_stop_while_down_ends_a_task_that_did_not_reattach() {
    let mut sim = Sim::web(JobType::Service, policy(2, MIN, 15 * SEC));
    sim.start(1, "web");
    assert_eq!(
        restored(&mut sim, SEC, &[false], Some(DesiredStatus::Stop)),
        vec![]
    );
    assert_eq!(sim.events("web"), "Received, Task Setup, Started");
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn restore_kill_while_waiting_on_servers_records_killing_only() {
    let mut sim = Sim::web(JobType::Service, policy(2, MIN, 15 * SEC));
    sim.start(1, "web");
    assert_eq!(restored(&mut sim, SEC, &[false], None), vec![]);
    // The task waits on the servers; the stop update comes first.
    assert_eq!(sim.stop(2 * SEC), vec![]);
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Failed Restoring Task, Killing"
    );
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
}

#[test]
fn restore_keeps_a_dropped_task_dropped() {
    let mut sim = Sim::web_and_api();
    let web = sim.i("web");
    sim.go(SEC, |r| r.drop_task(SEC, web));
    assert_eq!(
        restored(&mut sim, 2 * SEC, &[true, true], None),
        vec![cmd("web", "Stop")],
        "the stop is sent again"
    );
    sim.exit(3 * SEC, "web", Exit::signal(130, 2));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated, Killed"
    );
    assert_eq!(sim.state("web"), (WireState::Dead, true, 0));
}

#[test]
fn restore_keeps_the_max_run_deadline_and_its_forced_status() {
    let mut sim = Sim::web_max_run(JobType::Batch, 10 * SEC);
    sim.start(1, "web");
    restored(&mut sim, SEC, &[true], None);
    assert_eq!(sim.runner.next_wake(), Some(10 * SEC));
    assert_eq!(sim.tick(10 * SEC), vec![cmd("web", "Stop")]);
    let index = sim.runner.allocation().modify_index();
    restored(&mut sim, 11 * SEC, &[true], None);
    assert_eq!(sim.status(), ClientStatus::Complete);
    assert_eq!(
        sim.runner.allocation().client_description(),
        "allocation exceeded max_run_duration"
    );
    assert_eq!(sim.runner.allocation().modify_index(), index);
    sim.exit(12 * SEC, "web", Exit::signal(130, 2));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Terminated, Killed"
    );
}

#[test]
fn restore_running_reattached_keeps_running_without_an_event() {
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    sim.start(1, "web");
    assert_eq!(restored(&mut sim, SEC, &[true], None), vec![]);
    sim.exit(2 * SEC, "web", Exit::code(0));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn restore_reattach_failed_records_failed_restoring_task_and_starts_once_servers_are_contacted() {
    // For a system job (Nomad's `TestTaskRunner_Restore_System`) Nomad records a
    // second `Started` while running, with no restore event, which the contract
    // refuses: the runner records `Failed Restoring Task` as for any job.
    for job in [JobType::Service, JobType::System] {
        let mut sim = Sim::web(job, policy(2, MIN, SEC));
        sim.start(1, "web");
        assert_eq!(restored(&mut sim, SEC, &[false], None), vec![]);
        assert_eq!(sim.runner.next_wake(), None, "it waits for the servers");
        assert_eq!(
            sim.go(2 * SEC, |r| r.servers_contacted(2 * SEC)),
            vec![cmd("web", "Start")]
        );
        assert_eq!(
            sim.runner.servers_contacted(2 * SEC).unwrap_err(),
            RunnerError::NotAwaitingServers
        );
        sim.start(2 * SEC, "web");
        assert_eq!(
            sim.events("web"),
            "Received, Task Setup, Started, Failed Restoring Task, Started"
        );
        assert_eq!(sim.state("web"), (WireState::Running, false, 0));
    }
}

#[test]
fn persisted_while_waiting_for_the_servers_restores_waiting_whatever_the_reattach_says() {
    for answer in [true, false] {
        let mut sim = Sim::web(JobType::Service, policy(2, MIN, SEC));
        sim.start(1, "web");
        assert_eq!(restored(&mut sim, SEC, &[false], None), vec![]);
        // The agent restarts again before the servers are contacted.
        let mut buf = vec![0u8; Runner::<8>::POSTCARD_MAX_SIZE];
        let bytes = sim.runner.persist(&mut buf).unwrap().to_vec();
        let mut fresh: Runner<8> = Runner::new(GroupSpec::new(JobType::Batch));
        let mut seen = Vec::new();
        let step = fresh
            .restore(2 * SEC, &bytes, None, |_, restoring| {
                seen.push(restoring.status);
                answer
            })
            .unwrap();
        assert_eq!(seen, [allocstate::runner::RestoreStatus::NotStarted]);
        assert!(
            step.commands.is_empty(),
            "no start: it waits for the servers"
        );
        assert_eq!(fresh.events().count(), 0, "no new event");
        assert_eq!(
            fresh.place(id(0)),
            Some(allocstate::runner::Place::AwaitingServers)
        );
        sim.runner = fresh;
        sim.sync();
        assert_eq!(
            sim.go(3 * SEC, |r| r.servers_contacted(3 * SEC)),
            vec![cmd("web", "Start")]
        );
        sim.start(3 * SEC, "web");
        assert_eq!(
            sim.events("web"),
            "Received, Task Setup, Started, Failed Restoring Task, Started"
        );
        assert_eq!(sim.state("web"), (WireState::Running, false, 0));
    }
}

#[test]
fn persisted_while_waiting_for_the_servers_then_stopped_while_down_ends_without_a_start() {
    let mut sim = Sim::web(JobType::Service, policy(2, MIN, SEC));
    sim.start(1, "web");
    assert_eq!(restored(&mut sim, SEC, &[false], None), vec![]);
    assert_eq!(
        restored(&mut sim, 2 * SEC, &[true], Some(DesiredStatus::Stop)),
        vec![]
    );
    assert_eq!(
        sim.runner.place(id(0)),
        Some(allocstate::runner::Place::Dead)
    );
    assert!(sim.runner.is_finished());
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Failed Restoring Task"
    );
}

#[test]
fn restore_running_terminal_stops_without_killing() {
    let mut sim = Sim::web(JobType::Service, policy(2, MIN, SEC));
    sim.start(1, "web");
    assert_eq!(
        restored(&mut sim, SEC, &[true], Some(DesiredStatus::Stop)),
        vec![cmd("web", "Stop")]
    );
    sim.exit(2 * SEC, "web", Exit::signal(130, 2));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.status(), ClientStatus::Complete);
}

#[test]
fn restore_completed_batch_is_not_rerun() {
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    sim.start(1, "web");
    sim.exit(2, "web", Exit::code(0));
    assert_eq!(restored(&mut sim, SEC, &[false], None), vec![]);
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.status(), ClientStatus::Complete);
}

/// A batch group of one task `web`, arrived, and its persisted form.
fn one_task_persisted() -> (Sim, Vec<u8>) {
    let sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    let mut buf = vec![0u8; Runner::<8>::POSTCARD_MAX_SIZE];
    let bytes = sim.runner.persist(&mut buf).unwrap().to_vec();
    (sim, bytes)
}

#[test]
fn restore_refuses_corrupt_bytes_leaving_the_runner_fresh() {
    let (_, bytes) = one_task_persisted();
    let fresh: Runner<8> = Runner::new(GroupSpec::new(JobType::Service));
    let mut target = fresh.clone();
    // Cut anywhere, the bytes are refused and nothing decoded before the cut stays.
    for end in 0..bytes.len() {
        assert_eq!(
            target
                .restore(1, &bytes[..end], None, by_list(&[true]))
                .unwrap_err(),
            RunnerError::Corrupt,
            "cut at {end}"
        );
        assert_eq!(target, fresh, "cut at {end}");
    }
    assert_eq!(
        target
            .restore(1, &bytes, Some(DesiredStatus::Run), by_list(&[true]))
            .unwrap_err(),
        RunnerError::DesiredRun
    );
    assert_eq!(target, fresh);
    assert!(target.restore(1, &bytes, None, by_list(&[true])).is_ok());
}

#[test]
fn restore_into_a_runner_in_use_is_refused_and_changes_nothing() {
    let (mut sim, bytes) = one_task_persisted();
    let before = sim.runner.clone();
    assert_eq!(
        sim.runner
            .restore(1, &bytes, None, by_list(&[true]))
            .unwrap_err(),
        RunnerError::NotFresh
    );
    assert_eq!(sim.runner, before);
    let mut named: Runner<8> = Runner::new(GroupSpec::new(JobType::Batch));
    named
        .set_identity(allocstate::AllocIdentity {
            id: "a",
            eval_id: "",
            name: "",
            node_id: "",
            job_id: "",
            task_group: "",
        })
        .unwrap();
    assert_eq!(
        named
            .restore(1, &bytes, None, by_list(&[true]))
            .unwrap_err(),
        RunnerError::NotFresh
    );
}

#[test]
fn reset_gives_the_runner_new_builds_and_restore_accepts_it() {
    let mut sim = Sim::new(
        JobType::Batch,
        &[task("web", Role::main(), policy(0, MIN, 0))],
    );
    sim.arrive(0);
    sim.start(1, "web");
    let mut buf = vec![0u8; Runner::<8>::POSTCARD_MAX_SIZE];
    let bytes = sim.runner.persist(&mut buf).unwrap().to_vec();
    let group = GroupSpec::new(JobType::Sysbatch);
    sim.runner.reset(group);
    assert_eq!(sim.runner, Runner::new(group));
    assert!(sim
        .runner
        .restore(SEC, &bytes, None, by_list(&[true]))
        .is_ok());
    assert_eq!(
        sim.runner.place(id(0)),
        Some(allocstate::runner::Place::Running)
    );
}
