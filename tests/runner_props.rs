//! Property tests of the runner over random groups, driver behaviour and requests: after
//! every step, the invariants of issue 12 item 5 hold.

use allocstate::restart::{JobType, RestartMode, RestartPolicy};
use allocstate::runner::{
    Action, Exit, GroupSpec, Place, PrestartStep, RestartTarget, Runner, RunnerError, TaskId,
    TaskSpec,
};
use allocstate::{DesiredStatus, Phase, Role};
use proptest::prelude::*;

const SEC: i64 = 1_000_000_000;

#[derive(Debug, Clone)]
struct TaskGen {
    role: u8,
    leader: bool,
    attempts: u32,
    delay: i64,
    mode_delay: bool,
    kill_timeout: i64,
    shutdown_delay: i64,
}

fn task_gen() -> impl Strategy<Value = TaskGen> {
    (
        0u8..6,
        any::<bool>(),
        0u32..3,
        0i64..3,
        any::<bool>(),
        0i64..3,
        0i64..2,
    )
        .prop_map(
            |(role, leader, attempts, delay, mode_delay, kill_timeout, shutdown_delay)| TaskGen {
                role,
                leader: leader && role == 0,
                attempts,
                delay: delay * SEC,
                mode_delay,
                kill_timeout: kill_timeout * SEC,
                shutdown_delay: shutdown_delay * SEC,
            },
        )
}

fn role(code: u8) -> Role {
    match code {
        0 | 5 => Role::main(),
        1 => Role::prestart(false),
        2 => Role::prestart(true),
        3 => Role::poststart(true),
        _ => Role::poststop(),
    }
}

const NAMES: [&str; 5] = ["a", "b", "c", "d", "e"];

fn build(job: u8, group_delay: bool, max_run: i64, tasks: &[TaskGen]) -> Runner<5> {
    let job = [
        JobType::Service,
        JobType::Batch,
        JobType::System,
        JobType::Sysbatch,
    ][job as usize % 4];
    let group = GroupSpec {
        shutdown_delay: if group_delay { SEC } else { 0 },
        max_run_duration: max_run * SEC,
        ..GroupSpec::new(job)
    };
    let mut runner = Runner::new(group);
    runner.seed_jitter(7);
    for (i, t) in tasks.iter().enumerate() {
        // One leader at most, and no attempts in mode delay: Nomad refuses both.
        let leader = t.leader && !tasks[..i].iter().any(|u| u.leader);
        let mut spec = TaskSpec::new(
            NAMES[i],
            role(t.role).with_leader(leader),
            RestartPolicy {
                attempts: t.attempts,
                interval: 10 * SEC,
                delay: t.delay,
                mode: if t.mode_delay && t.attempts > 0 {
                    RestartMode::Delay
                } else {
                    RestartMode::Fail
                },
            },
        );
        spec.kill_timeout = t.kill_timeout;
        spec.shutdown_delay = t.shutdown_delay;
        runner.add_task(&spec).unwrap();
    }
    runner
}

/// What the test's driver knows of each task.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Driver {
    Idle,
    Starting,
    Alive,
}

struct World {
    runner: Runner<5>,
    driver: Vec<Driver>,
    now: i64,
}

impl World {
    /// Checks the commands of an accepted input against the driver's view.
    fn commands(
        &mut self,
        commands: Vec<allocstate::runner::Command>,
    ) -> Result<(), TestCaseError> {
        for c in commands {
            let d = self.driver[c.task.index()];
            match c.action {
                Action::Start => {
                    prop_assert_eq!(d, Driver::Idle, "started twice without an exit between");
                    prop_assert_ne!(
                        self.runner.allocation().client_description(),
                        "allocation exceeded max_run_duration",
                        "a start after max_run_duration passed"
                    );
                    let task = self.runner.allocation().task_at(c.task.index()).unwrap();
                    if task.role().is_poststop() {
                        let others_dead = self
                            .runner
                            .allocation()
                            .tasks()
                            .filter(|t| !t.role().is_poststop())
                            .all(|t| t.state().phase() == Phase::Dead);
                        prop_assert!(others_dead, "poststop started while another task lives");
                    }
                    self.driver[c.task.index()] = Driver::Starting;
                }
                Action::Stop { .. } => {
                    prop_assert!(d != Driver::Idle, "stop of a task not running")
                }
                Action::Kill | Action::Signal { .. } => {
                    prop_assert!(d == Driver::Alive, "kill or signal of a task not running")
                }
            }
        }
        Ok(())
    }

    /// Every event the input recorded is in its task's ring (`Runner::events`).
    fn check(&self) -> Result<(), TestCaseError> {
        for (id, event) in self.runner.events() {
            let task = self.runner.allocation().task_at(id.index()).unwrap();
            prop_assert!(
                task.state().events().iter().any(|e| std::ptr::eq(e, event)),
                "an event out of its task's ring"
            );
        }
        Ok(())
    }

    fn id(&self, i: usize) -> TaskId {
        self.runner.task_at(i).unwrap()
    }

    /// Applies one input; a refusal must change nothing.
    fn apply(
        &mut self,
        input: impl FnOnce(&mut Runner<5>) -> Result<Vec<allocstate::runner::Command>, RunnerError>,
    ) -> Result<bool, TestCaseError> {
        let before = self.runner.clone();
        match input(&mut self.runner) {
            Ok(commands) => {
                self.commands(commands)?;
                self.check()?;
                Ok(true)
            }
            Err(_) => {
                prop_assert_eq!(&self.runner, &before, "a refused input changed the runner");
                Ok(false)
            }
        }
    }

    /// An input that, once accepted, leaves task `i`'s process in `after` (set before the
    /// input's commands are checked, since they may start it again at once).
    fn apply_as(
        &mut self,
        i: usize,
        after: Driver,
        input: impl FnOnce(&mut Runner<5>) -> Result<Vec<allocstate::runner::Command>, RunnerError>,
    ) -> Result<bool, TestCaseError> {
        let before = self.driver[i];
        self.driver[i] = after;
        let accepted = self.apply(input)?;
        if !accepted {
            self.driver[i] = before;
        }
        Ok(accepted)
    }

    /// One driver or user move chosen by `pick` among the tasks and moves.
    fn step(&mut self, pick: (u8, usize, u8)) -> Result<(), TestCaseError> {
        let (kind, task, detail) = pick;
        let i = task % self.driver.len();
        let id = self.id(i);
        let now = self.now;
        let driver = self.driver[i];
        match kind % 12 {
            0 => {
                // The clock: to the next wake-up, if any; every due timer fires.
                if let Some(wake) = self.runner.next_wake() {
                    self.now = wake.max(now);
                    let now = self.now;
                    let places: Vec<_> = (0..self.driver.len())
                        .map(|i| self.runner.place(self.id(i)))
                        .collect();
                    prop_assert!(self.apply(|r| r.tick(now).map(|s| s.commands.to_vec()))?);
                    for (i, before) in places.iter().enumerate() {
                        let after = self.runner.place(self.id(i));
                        let due = after.and_then(|p| p.deadline()).is_some_and(|d| d <= now);
                        // A timer armed by the tick itself (a kill timeout of 0) may be due.
                        prop_assert!(!due || after != *before, "a due timer did not fire");
                    }
                }
            }
            1 | 2 => match detail % 7 {
                // The driver answers a start.
                0 => {
                    let step = PrestartStep::TaskDirBuilt;
                    self.apply(|r| r.prestart(now, id, step).map(|s| s.commands.to_vec()))?;
                }
                1 | 2 => {
                    self.apply_as(i, Driver::Alive, |r| {
                        r.started(now, id).map(|s| s.commands.to_vec())
                    })?;
                }
                3 => {
                    let recoverable = detail % 2 == 0;
                    self.apply_as(i, Driver::Idle, |r| {
                        r.start_failed(now, id, "boom", recoverable)
                            .map(|s| s.commands.to_vec())
                    })?;
                }
                4 => {
                    let step = PrestartStep::ArtifactFailed { error: "404" };
                    self.apply_as(i, Driver::Idle, |r| {
                        r.prestart(now, id, step).map(|s| s.commands.to_vec())
                    })?;
                }
                5 => {
                    // A template blocks the start: the task stays starting.
                    let step = PrestartStep::TemplateBlocked {
                        message: "Missing: vault.read(a)",
                    };
                    self.apply(|r| r.prestart(now, id, step).map(|s| s.commands.to_vec()))?;
                }
                _ => {
                    let step = PrestartStep::HookKilled {
                        message: "vault: no token",
                    };
                    let accepted = self.apply_as(i, Driver::Idle, |r| {
                        r.prestart(now, id, step).map(|s| s.commands.to_vec())
                    })?;
                    prop_assert!(
                        !accepted || self.runner.place(id) == Some(Place::Dead),
                        "a hook's kill ends the task"
                    );
                }
            },
            3 | 4 => {
                // A process exits (on its own or after a stop).
                let exit = Exit::code(i32::from(detail % 3));
                let accepted = self.apply_as(i, Driver::Idle, |r| {
                    r.exited(now, id, exit).map(|s| s.commands.to_vec())
                })?;
                prop_assert!(
                    !accepted || driver != Driver::Idle,
                    "an exit accepted for a task not running or starting"
                );
            }
            5 => {
                let status = if detail % 2 == 0 {
                    DesiredStatus::Stop
                } else {
                    DesiredStatus::Evict
                };
                self.apply(|r| {
                    r.stop(now, status, "", detail % 3 == 0)
                        .map(|s| s.commands.to_vec())
                })?;
            }
            6 => {
                let target = match detail % 3 {
                    0 => RestartTarget::Task(id),
                    1 => RestartTarget::Running,
                    _ => RestartTarget::All,
                };
                self.apply(|r| {
                    r.restart(now, target, detail % 2 == 0)
                        .map(|s| s.commands.to_vec())
                })?;
            }
            7 => {
                self.apply(|r| {
                    r.signal(now, id, Some("SIGHUP"))
                        .map(|s| s.commands.to_vec())
                })?;
            }
            8 if detail % 4 == 0 => {
                // The agent restarts: persist, restore; running tasks reattach unless the
                // bits of `detail` say otherwise (a process lost while the agent was down).
                let mut buf = vec![0u8; Runner::<5>::POSTCARD_MAX_SIZE];
                let bytes = self.runner.persist(&mut buf).unwrap().to_vec();
                let reattach: Vec<bool> = (0..self.driver.len())
                    .map(|t| self.driver[t] == Driver::Alive && (detail >> (t + 2)) & 1 == 0)
                    .collect();
                for (t, kept) in reattach.iter().enumerate() {
                    if !kept {
                        self.driver[t] = Driver::Idle;
                    }
                }
                let desired = if detail % 8 == 4 {
                    Some(DesiredStatus::Stop)
                } else {
                    None
                };
                let mut fresh: Runner<5> = Runner::new(GroupSpec::new(JobType::Batch));
                let commands = fresh
                    .restore(now, &bytes, desired, |id, _| reattach[id.index()])
                    .unwrap()
                    .commands
                    .to_vec();
                self.runner = fresh;
                self.commands(commands)?;
                self.check()?;
            }
            8 => {
                // Time passes without a timer (a report comes later).
                self.now = now.saturating_add(i64::from(detail) * SEC / 4);
            }
            10 => {
                let accepted = self.apply(|r| r.reconnected(now).map(|s| s.commands.to_vec()))?;
                prop_assert!(accepted, "a reconnect of an arrived allocation is accepted");
            }
            11 if detail % 4 == 0 => {
                // An update no longer has the task: it ends dead and failed.
                let accepted = self.apply(|r| r.drop_task(now, id).map(|s| s.commands.to_vec()))?;
                let place = self.runner.place(id);
                prop_assert!(
                    !accepted
                        || place != Some(Place::Dead)
                        || self
                            .runner
                            .allocation()
                            .task_at(i)
                            .unwrap()
                            .state()
                            .failed(),
                    "a dropped task that ended is failed"
                );
            }
            9 => {
                // The servers are contacted (after a failed reattach), or a kill fails.
                self.apply(|r| r.servers_contacted(now).map(|s| s.commands.to_vec()))?;
                let accepted = self.apply_as(i, Driver::Idle, |r| {
                    r.kill_failed(now, id, "process survived SIGKILL")
                        .map(|s| s.commands.to_vec())
                })?;
                prop_assert!(
                    !accepted || self.runner.place(id) == Some(Place::Dead),
                    "a failed kill ends the task"
                );
            }
            _ => {
                // A start abandoned after a stop.
                self.apply_as(i, Driver::Idle, |r| {
                    r.start_cancelled(now, id).map(|s| s.commands.to_vec())
                })?;
            }
        }
        self.refresh();
        Ok(())
    }

    /// A start the runner itself abandoned (dead while starting) frees the driver.
    fn refresh(&mut self) {
        for i in 0..self.driver.len() {
            let place = self.runner.place(self.id(i));
            if place == Some(Place::Dead) && self.driver[i] == Driver::Starting {
                self.driver[i] = Driver::Idle;
            }
        }
    }

    /// Stops the allocation and lets the driver cooperate until nothing is left.
    fn drain(&mut self) -> Result<(), TestCaseError> {
        let now = self.now;
        self.apply(|r| {
            r.stop(now, DesiredStatus::Stop, "", false)
                .map(|s| s.commands.to_vec())
        })?;
        for _ in 0..200 {
            if self.runner.is_finished() {
                break;
            }
            self.now += SEC / 10;
            let now = self.now;
            // A cooperative runtime reaches its servers: a task whose reattach failed
            // (a poststop one is never killed) runs again.
            self.apply(|r| r.servers_contacted(now).map(|s| s.commands.to_vec()))?;
            for i in 0..self.driver.len() {
                let id = self.id(i);
                match self.driver[i] {
                    Driver::Starting => {
                        self.apply_as(i, Driver::Alive, |r| {
                            r.started(now, id).map(|s| s.commands.to_vec())
                        })?;
                    }
                    Driver::Alive => {
                        self.apply_as(i, Driver::Idle, |r| {
                            r.exited(now, id, Exit::code(0))
                                .map(|s| s.commands.to_vec())
                        })?;
                    }
                    Driver::Idle => {}
                }
                self.refresh();
            }
            if let Some(wake) = self.runner.next_wake() {
                if wake <= self.now {
                    self.apply(|r| r.tick(now).map(|s| s.commands.to_vec()))?;
                } else {
                    self.now = wake;
                    let now = self.now;
                    self.apply(|r| r.tick(now).map(|s| s.commands.to_vec()))?;
                }
            }
        }
        prop_assert!(
            self.runner.is_finished(),
            "not finished: {:?}",
            (0..self.driver.len())
                .map(|i| self.runner.place(self.id(i)))
                .collect::<Vec<_>>()
        );
        prop_assert!(
            self.runner.is_client_terminal(),
            "status {}",
            self.runner.allocation().client_status()
        );
        Ok(())
    }
}

proptest! {
    // 1024 cases unless PROPTEST_CASES says otherwise (Miri runs a few).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1024),
        ..ProptestConfig::default()
    })]

    #[test]
    fn invariants_hold_after_every_step(
        job in 0u8..4,
        group_delay in any::<bool>(),
        max_run in prop_oneof![Just(0i64), 1i64..6],
        tasks in prop::collection::vec(task_gen(), 1..=5),
        moves in prop::collection::vec((any::<u8>(), 0usize..5, any::<u8>()), 0..80),
    ) {
        let mut world = World { runner: build(job, group_delay, max_run, &tasks), driver: vec![Driver::Idle; tasks.len()], now: 0 };
        let commands = world.runner.arrive(0).unwrap().commands.to_vec();
        world.commands(commands)?;
        world.check()?;
        for pick in moves {
            world.step(pick)?;
        }
        world.drain()?;
    }
}
