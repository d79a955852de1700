//! The helpers the topic modules share: [`Sim`], a runner plus every event each task
//! recorded and every command, and the small builders (`policy`, `task`, `cmd`, `id`, …).

use allocstate::restart::{JobType, RestartMode, RestartPolicy};
use allocstate::runner::{
    Command, Exit, GroupSpec, PrestartStep, Runner, RunnerError, Step, TaskId, TaskSpec,
};
use allocstate::{ClientStatus, DesiredStatus, Role, TaskEvent, WireState};

pub(crate) const MS: i64 = 1_000_000;
pub(crate) const SEC: i64 = 1_000 * MS;
pub(crate) const MIN: i64 = 60 * SEC;

pub(crate) fn policy(attempts: u32, interval: i64, delay: i64) -> RestartPolicy {
    RestartPolicy {
        attempts,
        interval,
        delay,
        mode: RestartMode::Fail,
    }
}

/// A runner plus every event each task recorded (not cut at ten) and every command.
pub(crate) struct Sim {
    pub(crate) runner: Runner<8>,
    pub(crate) history: Vec<Vec<String>>,
    pub(crate) seen: Vec<u64>,
    pub(crate) commands: Vec<(i64, Command)>,
}

impl Sim {
    pub(crate) fn new(job: JobType, tasks: &[TaskSpec<'_>]) -> Self {
        Self::with_group(GroupSpec::new(job), tasks)
    }

    pub(crate) fn with_group(group: GroupSpec, tasks: &[TaskSpec<'_>]) -> Self {
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
    pub(crate) fn web(job: JobType, restart: RestartPolicy) -> Self {
        let mut sim = Self::new(job, &[task("web", Role::main(), restart)]);
        sim.arrive(0);
        sim
    }

    /// Two main tasks of a service, `web` and `api` (two attempts a minute, a second's
    /// delay), both started.
    pub(crate) fn web_and_api() -> Self {
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
    pub(crate) fn web_max_run(job: JobType, max_run: i64) -> Self {
        let mut sim = Self::with_group(
            max_run_group(job, max_run),
            &[task("web", Role::main(), policy(0, MIN, 0))],
        );
        sim.arrive(0);
        sim
    }

    pub(crate) fn i(&self, name: &str) -> TaskId {
        self.runner.task_id(name).unwrap()
    }

    /// Takes the input's events from `Runner::events`, and checks them against what the
    /// rings gained.
    pub(crate) fn sync(&mut self) {
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
    pub(crate) fn go(
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

    pub(crate) fn arrive(&mut self, now: i64) -> Vec<(String, &'static str)> {
        self.go(now, |r| r.arrive(now))
    }

    /// Start: the task directory, then the driver.
    pub(crate) fn start(&mut self, now: i64, name: &str) {
        let i = self.i(name);
        self.go(now, |r| r.prestart(now, i, PrestartStep::TaskDirBuilt));
        self.go(now, |r| r.started(now, i));
    }

    /// The task directory at `now`, then the driver fails to start the task at `now + 1`;
    /// returns that failure's commands.
    pub(crate) fn start_fails(
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

    pub(crate) fn exit(&mut self, now: i64, name: &str, exit: Exit) -> Vec<(String, &'static str)> {
        let i = self.i(name);
        self.go(now, |r| r.exited(now, i, exit))
    }

    pub(crate) fn tick(&mut self, now: i64) -> Vec<(String, &'static str)> {
        self.go(now, |r| r.tick(now))
    }

    pub(crate) fn stop(&mut self, now: i64) -> Vec<(String, &'static str)> {
        self.go(now, |r| {
            r.stop(now, DesiredStatus::Stop, "alloc is being stopped", false)
        })
    }

    pub(crate) fn events(&self, name: &str) -> String {
        self.history[self.i(name).index()].join(", ")
    }

    pub(crate) fn state(&self, name: &str) -> (WireState, bool, u64) {
        let state = self.runner.allocation().state(name).unwrap();
        (state.state(), state.failed(), state.restarts())
    }

    pub(crate) fn status(&self) -> ClientStatus {
        self.runner.allocation().client_status()
    }

    /// The task's `n`th event in its ring (0 the oldest held).
    pub(crate) fn event(&self, name: &str, n: usize) -> TaskEvent {
        let state = self.runner.allocation().state(name).unwrap();
        state.events().iter().nth(n).unwrap().clone()
    }

    /// When the task finished (it has).
    pub(crate) fn finished_at(&self, name: &str) -> i64 {
        let state = self.runner.allocation().state(name).unwrap();
        state.finished_at().unwrap()
    }

    /// The newest event of the task.
    pub(crate) fn last(&self, name: &str) -> TaskEvent {
        let state = self.runner.allocation().state(name).unwrap();
        state.events().iter().last().unwrap().clone()
    }
}

/// A reattach answer per task, in the group's order.
#[cfg(feature = "serde")]
pub(crate) fn by_list(
    list: &[bool],
) -> impl FnMut(TaskId, allocstate::runner::Restoring<'_>) -> bool + '_ {
    |id, _| list[id.index()]
}

/// The id of the task at `index`.
pub(crate) fn id(index: usize) -> TaskId {
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

pub(crate) fn cmd(name: &str, what: &'static str) -> (String, &'static str) {
    (name.to_string(), what)
}

pub(crate) fn task<'a>(name: &'a str, role: Role, restart: RestartPolicy) -> TaskSpec<'a> {
    TaskSpec::new(name, role, restart)
}

pub(crate) fn max_run_group(job: JobType, max_run: i64) -> GroupSpec {
    GroupSpec {
        max_run_duration: max_run,
        ..GroupSpec::new(job)
    }
}
