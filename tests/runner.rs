//! The allocation runner against the sequences Nomad's own tests assert
//! (`client/allocrunner/taskrunner/task_runner_linux_test.go`,
//! `client/allocrunner/alloc_runner_test.go`) and the coordinator cases
//! (`client/allocrunner/tasklifecycle/coordinator_test.go`), driven through its API;
//! docs/runner.md has the rules.
//!
//! A case whose histories, task states and client status are all a scenario file can
//! say lives in sim/scenarios/ (run by sim/tests/runner_scenarios.rs). The cases
//! here assert more than that: the commands and their arguments, refusals and their
//! errors, timers and wake times, coordinator stages, event details and messages,
//! persist and restore, and the API's own shape (`Runner::events`, `TaskId`, `describe`).

use allocstate::restart::{JobType, RestartMode, RestartPolicy};
use allocstate::runner::{
    Action, Command, Coordinator, Exit, GroupSpec, PrestartStep, RestartTarget, Runner,
    RunnerError, Step, TaskId, TaskSpec,
};
use allocstate::{ClientStatus, DesiredStatus, Role, TaskEvent, WireState};

const MS: i64 = 1_000_000;
const SEC: i64 = 1_000 * MS;
const MIN: i64 = 60 * SEC;

fn policy(attempts: u32, interval: i64, delay: i64) -> RestartPolicy {
    RestartPolicy {
        attempts,
        interval,
        delay,
        mode: RestartMode::Fail,
    }
}

/// A runner plus every event each task recorded (not cut at ten) and every command.
struct Sim {
    runner: Runner<8>,
    history: Vec<Vec<String>>,
    seen: Vec<u64>,
    commands: Vec<(i64, Command)>,
}

impl Sim {
    fn new(job: JobType, tasks: &[TaskSpec<'_>]) -> Self {
        Self::with_group(GroupSpec::new(job), tasks)
    }

    fn with_group(group: GroupSpec, tasks: &[TaskSpec<'_>]) -> Self {
        let mut runner = Runner::new(group);
        for task in tasks {
            runner.add_task(task).unwrap();
        }
        let n = tasks.len();
        Sim {
            runner,
            history: vec![Vec::new(); n],
            seen: vec![0; n],
            commands: Vec::new(),
        }
    }

    /// One main task `web`, arrived.
    fn web(job: JobType, restart: RestartPolicy) -> Self {
        let mut sim = Self::new(job, &[task("web", Role::main(), restart)]);
        sim.arrive(0);
        sim
    }

    /// Two main tasks of a service, `web` and `api` (two attempts a minute, a second's
    /// delay), both started.
    fn web_and_api() -> Self {
        let restart = policy(2, MIN, SEC);
        let mut sim = Self::new(
            JobType::Service,
            &[
                task("web", Role::main(), restart),
                task("api", Role::main(), restart),
            ],
        );
        sim.arrive(0);
        sim.start(1, "web");
        sim.start(2, "api");
        sim
    }

    /// One main task `web` (no restarts) in a group whose allocation may run `max_run`
    /// (`max_run_duration`), arrived.
    fn web_max_run(job: JobType, max_run: i64) -> Self {
        let mut sim = Self::with_group(
            max_run_group(job, max_run),
            &[task("web", Role::main(), policy(0, MIN, 0))],
        );
        sim.arrive(0);
        sim
    }

    fn i(&self, name: &str) -> TaskId {
        self.runner.task_id(name).unwrap()
    }

    /// Takes the input's events from `Runner::events`, and checks them against what the
    /// rings gained.
    fn sync(&mut self) {
        let mut gained: Vec<Vec<String>> = vec![Vec::new(); self.history.len()];
        for (index, task) in self.runner.allocation().tasks().enumerate() {
            let state = task.state();
            let new = (state.event_count() - self.seen[index]) as usize;
            let held: Vec<_> = state.events().iter().collect();
            for event in &held[held.len() - new..] {
                gained[index].push(event.type_str().to_string());
            }
            self.seen[index] = state.event_count();
        }
        let mut out: Vec<Vec<String>> = vec![Vec::new(); self.history.len()];
        for (id, event) in self.runner.events() {
            out[id.index()].push(event.type_str().to_string());
            self.history[id.index()].push(event.type_str().to_string());
        }
        assert_eq!(out, gained, "Runner::events is what the rings gained");
    }

    /// Applies one input; returns its commands as (task name, command name).
    fn go(
        &mut self,
        now: i64,
        input: impl FnOnce(&mut Runner<8>) -> Result<Step<8>, RunnerError>,
    ) -> Vec<(String, &'static str)> {
        let commands: Vec<Command> = input(&mut self.runner).unwrap().commands.to_vec();
        self.sync();
        let named = commands
            .iter()
            .map(|c| {
                let name = self.runner.task_name(c.task);
                (name.to_string(), c.action.name())
            })
            .collect();
        self.commands.extend(commands.into_iter().map(|c| (now, c)));
        named
    }

    fn arrive(&mut self, now: i64) -> Vec<(String, &'static str)> {
        self.go(now, |r| r.arrive(now))
    }

    /// Start: the task directory, then the driver.
    fn start(&mut self, now: i64, name: &str) {
        let i = self.i(name);
        self.go(now, |r| r.prestart(now, i, PrestartStep::TaskDirBuilt));
        self.go(now, |r| r.started(now, i));
    }

    /// The task directory at `now`, then the driver fails to start the task at `now + 1`;
    /// returns that failure's commands.
    fn start_fails(
        &mut self,
        now: i64,
        name: &str,
        error: &str,
        recoverable: bool,
    ) -> Vec<(String, &'static str)> {
        let i = self.i(name);
        self.go(now, |r| r.prestart(now, i, PrestartStep::TaskDirBuilt));
        self.go(now + 1, |r| r.start_failed(now + 1, i, error, recoverable))
    }

    fn exit(&mut self, now: i64, name: &str, exit: Exit) -> Vec<(String, &'static str)> {
        let i = self.i(name);
        self.go(now, |r| r.exited(now, i, exit))
    }

    fn tick(&mut self, now: i64) -> Vec<(String, &'static str)> {
        self.go(now, |r| r.tick(now))
    }

    fn stop(&mut self, now: i64) -> Vec<(String, &'static str)> {
        self.go(now, |r| {
            r.stop(now, DesiredStatus::Stop, "alloc is being stopped", false)
        })
    }

    fn events(&self, name: &str) -> String {
        self.history[self.i(name).index()].join(", ")
    }

    fn state(&self, name: &str) -> (WireState, bool, u64) {
        let state = self.runner.allocation().state(name).unwrap();
        (state.state(), state.failed(), state.restarts())
    }

    fn status(&self) -> ClientStatus {
        self.runner.allocation().client_status()
    }

    /// The task's `n`th event in its ring (0 the oldest held).
    fn event(&self, name: &str, n: usize) -> TaskEvent {
        let state = self.runner.allocation().state(name).unwrap();
        state.events().iter().nth(n).unwrap().clone()
    }

    /// When the task finished (it has).
    fn finished_at(&self, name: &str) -> i64 {
        let state = self.runner.allocation().state(name).unwrap();
        state.finished_at().unwrap()
    }

    /// The newest event of the task.
    fn last(&self, name: &str) -> TaskEvent {
        let state = self.runner.allocation().state(name).unwrap();
        state.events().iter().last().unwrap().clone()
    }
}

/// A reattach answer per task, in the group's order.
#[cfg(feature = "serde")]
fn by_list(list: &[bool]) -> impl FnMut(TaskId, allocstate::runner::Restoring<'_>) -> bool + '_ {
    |id, _| list[id.index()]
}

/// The id of the task at `index`.
fn id(index: usize) -> TaskId {
    let mut runner: Runner<8> = Runner::new(GroupSpec::new(JobType::Service));
    let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let mut last = None;
    for name in &names[..=index] {
        last = runner
            .add_task(&TaskSpec::new(name, Role::main(), policy(0, MIN, 0)))
            .ok();
    }
    last.unwrap()
}

fn cmd(name: &str, what: &'static str) -> (String, &'static str) {
    (name.to_string(), what)
}

fn task<'a>(name: &'a str, role: Role, restart: RestartPolicy) -> TaskSpec<'a> {
    TaskSpec::new(name, role, restart)
}

// ---- the task runner (Nomad's task_runner_linux_test.go) ----

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

// ---- the alloc runner (Nomad's alloc_runner_test.go) ----

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

// ---- TestAllocRunner_Lifecycle_Restart (alloc_runner_test.go) ----

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

// ---- the coordinator (tasklifecycle/coordinator_test.go) ----

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

// ---- restore (TaskRunner.Restore, allocRunner.Restore) ----

#[cfg(feature = "serde")]
mod restore {
    use super::*;

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
    fn restore_reattach_failed_records_failed_restoring_task_and_starts_once_servers_are_contacted()
    {
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

// ---- max_run_duration (v2.0.3+, allocRunner.EnforceMaxRunDurationTimeout) ----

fn max_run_group(job: JobType, max_run: i64) -> GroupSpec {
    GroupSpec {
        max_run_duration: max_run,
        ..GroupSpec::new(job)
    }
}

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

// ---- Reconnect (alloc_runner_test.go, TestAllocRunner_Reconnect, 4 subtests) ----

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

// ---- an update that no longer has the task (TaskRunner.Update) ----

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

// ---- blocking prestart hooks (Vault, template; TaskRunner.prestart) ----

#[test]
fn derive_token_unrecoverable_hook_kill_fails_the_task() {
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    let i = sim.i("web");
    sim.go(1, |r| r.prestart(1, i, PrestartStep::TaskDirBuilt));
    let message = "vault: failed to derive vault token: unrecoverable";
    assert_eq!(
        sim.go(2, |r| r.prestart(
            2,
            i,
            PrestartStep::HookKilled { message }
        )),
        vec![]
    );
    assert_eq!(sim.events("web"), "Received, Task Setup, Killing");
    assert!(sim.last("web").fails_task());
    assert_eq!(sim.last("web").display_message().to_string(), message);
    assert_eq!(sim.state("web"), (WireState::Dead, true, 0));
    assert_eq!(sim.status(), ClientStatus::Failed);
    assert!(sim.runner.is_finished());
}

#[test]
fn template_blocking_prestart_records_template_and_stays_pending() {
    let mut sim = Sim::web(JobType::Service, policy(2, MIN, SEC));
    let i = sim.i("web");
    sim.go(1, |r| r.prestart(1, i, PrestartStep::TaskDirBuilt));
    let message = "Missing: vault.read(foo/secret)";
    sim.go(2, |r| {
        r.prestart(2, i, PrestartStep::TemplateBlocked { message })
    });
    assert_eq!(sim.events("web"), "Received, Task Setup, Template");
    assert_eq!(sim.last("web").display_message().to_string(), message);
    assert_eq!(sim.state("web"), (WireState::Pending, false, 0));
    assert_eq!(
        sim.runner.next_wake(),
        None,
        "no timer: the hook unblocks it"
    );
}

#[test]
fn restart_signal_task_not_running_while_blocked_in_prestart() {
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    let i = sim.i("web");
    sim.go(1, |r| r.prestart(1, i, PrestartStep::TaskDirBuilt));
    let before = sim.runner.clone();
    assert_eq!(
        sim.runner.signal(2, i, Some("SIGHUP")).unwrap_err(),
        RunnerError::NotRunning { task: i }
    );
    assert_eq!(
        sim.runner
            .restart(3, RestartTarget::Task(i), false)
            .unwrap_err(),
        RunnerError::NotRunning { task: i }
    );
    assert_eq!(sim.runner, before);
    sim.go(SEC, |r| r.started(SEC, i));
    sim.exit(2 * SEC, "web", Exit::code(0));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
}

#[test]
fn kill_during_a_blocking_prestart_hook_ends_the_task() {
    let mut sim = Sim::web(JobType::Service, policy(2, MIN, SEC));
    let i = sim.i("web");
    sim.go(1, |r| r.prestart(1, i, PrestartStep::TaskDirBuilt));
    let message = "Missing: kv.block(app/config)";
    sim.go(2, |r| {
        r.prestart(2, i, PrestartStep::TemplateBlocked { message })
    });
    assert_eq!(sim.stop(SEC), vec![cmd("web", "Stop")]);
    assert_eq!(sim.go(SEC, |r| r.start_cancelled(SEC, i)), vec![]);
    assert_eq!(sim.events("web"), "Received, Task Setup, Template, Killing");
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
    assert_eq!(sim.status(), ClientStatus::Complete);
}

// ---- gates (tasklifecycle/gate_test.go, TestGate, TestGate_shutdown) ----

#[test]
fn gate_is_a_level_passing_every_start_and_shut_for_good_once_stopping() {
    // A gate is a level: the open main gate passes the first start and every restart.
    let mut sim = Sim::new(
        JobType::Service,
        &[task("web", Role::main(), policy(3, MIN, SEC))],
    );
    assert!(!Coordinator::Init.allows(allocstate::runner::Stage::Main));
    sim.arrive(0);
    sim.start(1, "web");
    for n in 1..=2 {
        sim.exit(n * 10 * SEC, "web", Exit::code(1));
        let wake = sim.runner.next_wake().unwrap();
        assert_eq!(sim.tick(wake), vec![cmd("web", "Start")], "passes again");
        sim.start(wake, "web");
    }
    // Once the allocation stops (Nomad closes the gates' shutdown channel), a task in
    // its restart wait never passes again.
    sim.exit(40 * SEC, "web", Exit::code(1));
    let wake = sim.runner.next_wake().unwrap();
    sim.stop(41 * SEC);
    assert_eq!(sim.tick(wake), vec![]);
    assert_eq!(sim.events("web"), "Received, Task Setup, Started, Terminated, Restarting, Started, Terminated, Restarting, Started, Terminated, Restarting, Killing");
    assert!(sim.runner.is_finished());
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

// ---- single runs (task and alloc runner tests, e2e/taskevents/taskevents.go) ----

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

// ---- a runtime's contract: clocks, races, handles, specs (docs/runner.md) ----

mod runtime_contract {
    use super::*;
    use allocstate::runner::{Now, SpecField};

    #[test]
    fn an_input_older_than_the_last_is_refused_and_changes_nothing() {
        // `Terminated` at 500 after `Started` at 1000.
        let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
        sim.start(1000, "web");
        let before = sim.runner.clone();
        let web = sim.i("web");
        assert_eq!(
            sim.runner.exited(500, web, Exit::code(0)).unwrap_err(),
            RunnerError::ClockWentBack {
                last: 1000,
                now: 500
            }
        );
        assert_eq!(sim.runner, before);
        // The same time again is accepted.
        sim.exit(1000, "web", Exit::code(0));
        assert_eq!(
            sim.events("web"),
            "Received, Task Setup, Started, Terminated"
        );
    }

    #[test]
    fn timers_run_on_the_monotonic_clock_whatever_the_wall_clock_does() {
        let mut runner: Runner<2> = Runner::new(GroupSpec::new(JobType::Service));
        let web = runner
            .add_task(&task("web", Role::main(), policy(2, MIN, 10 * SEC)))
            .unwrap();
        let wall = 1_700_000_000 * SEC;
        let _ = runner.arrive(Now::new(wall, 0)).unwrap();
        let _ = runner.started(Now::new(wall, 1), web).unwrap();
        // It crashes; then the wall clock is stepped back an hour (NTP).
        let step = runner.exited(Now::new(wall + SEC, SEC), web, Exit::code(1));
        let wake = step.unwrap().wake.unwrap();
        assert!(
            (11 * SEC..=12 * SEC).contains(&wake),
            "a monotonic deadline: {wake}"
        );
        let stepped = wall - 3_600 * SEC;
        let step = runner.tick(Now::new(stepped, wake)).unwrap();
        assert_eq!(step.commands[0].action, Action::Start, "fires on time");
        let _ = runner
            .started(Now::new(stepped + 1, wake + 1), web)
            .unwrap();
        // Events carry the wall clock as given.
        let (_, started) = runner.events().last().unwrap();
        assert_eq!(started.time(), stepped + 1);
        let restarting = runner.allocation().state("web").unwrap().events().iter();
        let times: Vec<i64> = restarting.map(TaskEvent::time).collect();
        assert_eq!(times[..4], [wall, wall, wall + SEC, wall + SEC]);
    }

    #[test]
    fn events_come_out_in_the_order_recorded_each_with_its_task() {
        let mut runner: Runner<2> = Runner::new(GroupSpec::new(JobType::Service));
        let web = runner
            .add_task(&task("web", Role::main(), policy(0, MIN, 0)))
            .unwrap();
        let side = runner
            .add_task(&task("side", Role::main(), policy(0, MIN, 0)))
            .unwrap();
        let _ = runner.arrive(0).unwrap();
        let got: Vec<(String, &str)> = runner
            .events()
            .map(|(id, e)| (runner.task_name(id).to_string(), e.type_str()))
            .collect();
        assert_eq!(
            got,
            [("web".into(), "Received"), ("side".into(), "Received")]
        );
        let _ = runner.started(1, web).unwrap();
        let _ = runner.started(1, side).unwrap();
        let _ = runner.exited(2, web, Exit::code(1)).unwrap();
        let got: Vec<(TaskId, &str)> = runner.events().map(|(id, e)| (id, e.type_str())).collect();
        assert_eq!(
            got,
            [
                (web, "Terminated"),
                (web, "Not Restarting"),
                (side, "Sibling Task Failed"),
                (side, "Killing"),
            ]
        );
    }

    #[test]
    fn a_stop_decided_while_starting_comes_again_with_started() {
        let mut spec = task("web", Role::main(), policy(0, MIN, 0));
        spec.kill_signal = Some("SIGTERM");
        let mut sim = Sim::new(JobType::Service, &[spec]);
        assert_eq!(sim.arrive(0), vec![cmd("web", "Start")]);
        assert_eq!(sim.stop(SEC), vec![cmd("web", "Stop")]);
        let web = sim.i("web");
        let step = sim.runner.started(2 * SEC, web).unwrap();
        let [command] = &step.commands[..] else {
            panic!("one command: {:?}", step.commands)
        };
        assert_eq!(
            command.action,
            Action::Stop {
                signal: Some("SIGTERM".try_into().unwrap()),
                kill_timeout: 5 * SEC
            }
        );
        assert_eq!(
            step.wake,
            Some(7 * SEC),
            "the kill timeout runs from the start"
        );
    }

    #[test]
    fn an_exit_before_the_start_acknowledgement_is_started_then_exited() {
        let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
        assert_eq!(sim.exit(SEC, "web", Exit::code(0)), vec![]);
        assert_eq!(sim.events("web"), "Received, Started, Terminated");
        assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
        // Killed while starting: Started, Terminated, Killed; no stop to carry out.
        let mut sim = Sim::web(JobType::Service, policy(0, MIN, 0));
        sim.stop(SEC);
        assert_eq!(sim.exit(2 * SEC, "web", Exit::signal(143, 15)), vec![]);
        assert_eq!(
            sim.events("web"),
            "Received, Killing, Started, Terminated, Killed"
        );
    }

    #[test]
    fn a_kill_that_fails_records_killed_with_the_error_and_ends_the_task() {
        let mut sim = Sim::web(JobType::Service, policy(0, MIN, 0));
        sim.start(1, "web");
        sim.stop(SEC);
        assert_eq!(sim.tick(6 * SEC), vec![cmd("web", "Kill")]);
        let web = sim.i("web");
        sim.go(7 * SEC, |r| {
            r.kill_failed(7 * SEC, web, "process survived SIGKILL")
        });
        assert_eq!(
            sim.events("web"),
            "Received, Task Setup, Started, Killing, Killed"
        );
        let killed = sim.last("web");
        assert!(matches!(
            killed.detail(),
            allocstate::Detail::Killed {
                kill_error: "process survived SIGKILL",
                ..
            }
        ));
        assert!(sim.runner.is_finished());
        assert_eq!(sim.runner.next_wake(), None);
    }

    #[test]
    fn errors_name_the_task() {
        let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
        let web = sim.i("web");
        let error = sim.runner.signal(1, web, None).unwrap_err();
        assert_eq!(error.to_string(), "task #0: Task not running");
        assert_eq!(
            sim.runner.describe(error).to_string(),
            "task \"web\": Task not running"
        );
    }

    #[test]
    fn specs_nomad_refuses_are_refused_naming_the_field() {
        let mut runner: Runner<4> = Runner::new(GroupSpec::new(JobType::Service));
        let cases: [(TaskSpec<'_>, SpecField); 6] = [
            (
                TaskSpec {
                    kill_timeout: -1,
                    ..task("a", Role::main(), policy(0, MIN, 0))
                },
                SpecField::KillTimeout,
            ),
            (
                TaskSpec {
                    shutdown_delay: -1,
                    ..task("a", Role::main(), policy(0, MIN, 0))
                },
                SpecField::ShutdownDelay,
            ),
            (
                task("a", Role::main(), policy(0, SEC, 0)),
                SpecField::RestartInterval,
            ),
            (
                task("a", Role::main(), policy(3, 10 * SEC, 5 * SEC)),
                SpecField::RestartAttemptsInInterval,
            ),
            (
                task(
                    "a",
                    Role::main(),
                    RestartPolicy {
                        mode: RestartMode::Delay,
                        ..policy(0, MIN, 0)
                    },
                ),
                SpecField::RestartAttempts,
            ),
            (
                TaskSpec {
                    kill_signal: Some(""),
                    ..task("a", Role::main(), policy(0, MIN, 0))
                },
                SpecField::KillSignal,
            ),
        ];
        for (spec, field) in cases {
            let before = runner.clone();
            let error = runner.add_task(&spec).unwrap_err();
            assert!(
                matches!(error, RunnerError::InvalidSpec { field: f, .. } if f == field),
                "{error:?}"
            );
            assert!(runner.describe(error).to_string().contains(field.name()));
            assert_eq!(runner, before);
        }
        let leader = runner
            .add_task(&task("a", Role::leader(), policy(0, MIN, 0)))
            .unwrap();
        assert_eq!(
            runner.add_task(&task("b", Role::leader(), policy(0, MIN, 0))),
            Err(RunnerError::SecondLeader { leader })
        );
        assert_eq!(
            runner.add_task(&task("a", Role::main(), policy(0, MIN, 0))),
            Err(RunnerError::DuplicateTask { task: leader })
        );
        let mut group = GroupSpec::new(JobType::Batch);
        group.max_run_duration = -1;
        let mut runner: Runner<1> = Runner::new(group);
        assert_eq!(
            runner.add_task(&task("a", Role::main(), policy(0, MIN, 0))),
            Err(RunnerError::InvalidSpec {
                task: None,
                field: SpecField::MaxRunDuration
            })
        );
    }

    #[test]
    fn runners_not_seeded_draw_different_jitter() {
        let delays: Vec<i64> = (0..4)
            .map(|i| {
                let mut runner: Runner<1> = Runner::new(GroupSpec::new(JobType::Service));
                let web = runner
                    .add_task(&task("web", Role::main(), policy(2, 10 * MIN, MIN)))
                    .unwrap();
                let _ = runner.arrive(i).unwrap();
                let _ = runner.started(10, web).unwrap();
                runner.exited(20, web, Exit::code(1)).unwrap().wake.unwrap()
            })
            .collect();
        let mut distinct = delays.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), delays.len(), "{delays:?}");
    }

    #[cfg(feature = "std")]
    #[test]
    fn nomad_signal_names_map_to_the_platform_numbers() {
        use allocstate::runner::signal_number;
        assert_eq!(signal_number("SIGTERM"), Some(15));
        assert_eq!(signal_number("SIGKILL"), Some(9));
        assert_eq!(signal_number("sigint"), Some(2));
        assert_eq!(signal_number("HUP"), Some(1));
        assert_eq!(signal_number("SIGNOPE"), None);
        #[cfg(target_os = "linux")]
        assert_eq!(signal_number("SIGUSR1"), Some(10));
    }
}

#[cfg(feature = "serde")]
mod restore_handles {
    use super::*;
    use allocstate::runner::RestoreStatus;

    #[test]
    fn a_driver_handle_survives_the_restore_with_each_tasks_status() {
        let mut sim = Sim::new(
            JobType::Service,
            &[
                task("web", Role::main(), policy(0, MIN, 0)),
                task("side", Role::main(), policy(0, MIN, 0)),
            ],
        );
        sim.arrive(0);
        sim.start(1, "web");
        let (web, side) = (sim.i("web"), sim.i("side"));
        sim.runner.set_handle(web, b"pid=42 start=123").unwrap();
        assert_eq!(
            sim.runner.set_handle(web, &[0; 65]),
            Err(RunnerError::HandleTooLong { task: web, len: 65 })
        );
        let mut buf = vec![0u8; Runner::<8>::POSTCARD_MAX_SIZE];
        let bytes = sim.runner.persist(&mut buf).unwrap().to_vec();
        let mut fresh: Runner<8> = Runner::new(GroupSpec::new(JobType::Service));
        let mut seen = Vec::new();
        let step = fresh
            .restore(2, &bytes, None, |id, restoring| {
                seen.push((id, restoring.status, restoring.handle.map(<[u8]>::to_vec)));
                true
            })
            .unwrap();
        assert_eq!(
            seen,
            [
                (
                    web,
                    RestoreStatus::Running,
                    Some(b"pid=42 start=123".to_vec())
                ),
                (side, RestoreStatus::StartInFlight, None),
            ]
        );
        assert!(
            step.commands.is_empty(),
            "no second start: {:?}",
            step.commands
        );
        assert_eq!(fresh.handle(web), Some(&b"pid=42 start=123"[..]));
        // The start in flight is still the runtime's to report.
        let _ = fresh.started(3, side).unwrap();
        assert_eq!(fresh.place(side), Some(allocstate::runner::Place::Running));
    }

    #[test]
    fn a_start_in_flight_that_did_not_survive_starts_again() {
        let sim = Sim::web(JobType::Service, policy(0, MIN, 0));
        let mut buf = vec![0u8; Runner::<8>::POSTCARD_MAX_SIZE];
        let bytes = sim.runner.persist(&mut buf).unwrap().to_vec();
        let mut fresh: Runner<8> = Runner::new(GroupSpec::new(JobType::Service));
        let step = fresh.restore(2, &bytes, None, |_, _| false).unwrap();
        assert_eq!(step.commands.len(), 1);
        assert_eq!(step.commands[0].action, Action::Start);
    }
}
