//! The simulation: plays the runtime around a `Runner` (driver answers from the scripts,
//! exits after their time, timers, agent restarts) and writes what happened.

use std::collections::{BTreeMap, VecDeque};

use allocstate::runner::{
    Action, Command, Exit, GroupSpec, Place, PrestartStep, RestartTarget, Runner, RunnerError,
    TaskSpec,
};
use allocstate::{AllocIdentity, ClientStatus, TaskEvent};
use serde_json::{json, Value};

use crate::scenario::{Request, Run, Scenario};

/// The simulation ends at this horizon after the start, whatever is left.
const HORIZON: i64 = 24 * 3_600 * 1_000_000_000;

/// The runner size the harness uses.
pub const TASKS: usize = 8;

/// What is scheduled on the simulation's clock besides the runner's own timers.
#[derive(Debug, Clone)]
enum Due {
    /// A task's process exits; `token` must still be its current process.
    Exit { task: usize, token: u64, exit: Exit },
    /// A request of the scenario.
    Request(usize),
    /// A task's blocking prestart work is done; `token` must still be its current block.
    Unblock { task: usize, token: u64 },
}

/// A running process of a task, as the simulated driver sees it.
#[derive(Debug, Clone, Copy)]
struct Process {
    token: u64,
    /// When a stop makes it exit, after the stop.
    stop_takes: i64,
}

pub struct Simulation<'s> {
    scenario: &'s Scenario,
    runner: Box<Runner<TASKS>>,
    agenda: Vec<(i64, u64, Due)>,
    seq: u64,
    starts: Vec<usize>,
    downloaded: Vec<bool>,
    process: Vec<Option<Process>>,
    /// A start blocked in its prestart work: its token, and what the start does next.
    blocked: Vec<Option<(u64, Option<Run>)>>,
    seen: Vec<u64>,
    status: (ClientStatus, String),
    pub timeline: Vec<Value>,
    /// What the input being given is, for a refusal's `Refused` field.
    current: String,
    pub history: Vec<Vec<String>>,
}

/// The exit a stop with this signal produces (128 + the signal, as a shell reports).
fn stopped_by(signal: &str) -> Exit {
    let number = match signal {
        "SIGTERM" => 15,
        "SIGKILL" => 9,
        "SIGQUIT" => 3,
        "SIGHUP" => 1,
        "SIGUSR1" => 10,
        "SIGUSR2" => 12,
        _ => 2, // SIGINT, the exec drivers' default
    };
    Exit::signal(128 + number, number)
}

impl<'s> Simulation<'s> {
    pub fn new(scenario: &'s Scenario) -> Result<Self, String> {
        let group = GroupSpec {
            shutdown_delay: scenario.group_shutdown_delay,
            max_run_duration: scenario.max_run_duration,
            ..GroupSpec::new(scenario.job_type)
        };
        let mut runner: Box<Runner<TASKS>> = Box::new(Runner::new(group));
        for (i, t) in scenario.tasks.iter().enumerate() {
            let spec = TaskSpec {
                name: &t.name,
                role: t.role,
                restart: t.restart,
                kill_timeout: t.kill_timeout,
                kill_signal: &t.kill_signal,
                shutdown_delay: t.shutdown_delay,
            };
            runner
                .add_task(&spec)
                .map_err(|e| format!("Job.TaskGroups[0].Tasks[{i}]: {e}"))?;
        }
        let n = scenario.tasks.len();
        Ok(Simulation {
            scenario,
            runner,
            agenda: Vec::new(),
            seq: 0,
            starts: vec![0; n],
            downloaded: vec![false; n],
            process: vec![None; n],
            blocked: vec![None; n],
            seen: vec![0; n],
            status: (ClientStatus::Pending, String::new()),
            timeline: Vec::new(),
            current: "Driver report".to_string(),
            history: vec![Vec::new(); n],
        })
    }

    fn schedule(&mut self, at: i64, due: Due) {
        self.seq += 1;
        self.agenda.push((at, self.seq, due));
    }

    fn name(&self, task: usize) -> &str {
        &self.scenario.tasks[task].name
    }

    /// Runs the scenario to its end (nothing more can happen, or the horizon).
    pub fn run(&mut self) {
        let start = self.scenario.start;
        let _ = self.runner.set_identity_for_simulation(self.scenario);
        for i in 0..self.scenario.requests.len() {
            let at = start.saturating_add(self.scenario.requests[i].0);
            self.schedule(at, Due::Request(i));
        }
        if let Some(status) = self.scenario.desired_at_arrival {
            self.current = format!("Desired {status}");
            self.input(start, |r| {
                r.stop(start, status, "", false)
                    .map(|s| s.commands.to_vec())
            });
            self.current = "Driver report".to_string();
        }
        match &self.scenario.setup_failure {
            // The allocation's prerun hooks run before any task: the starts the arrival
            // asks for are never carried out.
            Some(error) => {
                let error = error.clone();
                self.input(start, |r| r.arrive(start).map(|_| Vec::new()));
                self.input(start, |r| {
                    r.setup_failed(start, &error).map(|s| s.commands.to_vec())
                });
            }
            None => self.input(start, |r| r.arrive(start).map(|s| s.commands.to_vec())),
        }
        loop {
            let next_due = self.agenda.iter().map(|(t, s, _)| (*t, *s)).min();
            let wake = self.runner.next_wake();
            let timer_first = match (next_due, wake) {
                (None, None) => break,
                (Some((t, _)), Some(w)) => w < t,
                (None, Some(_)) => true,
                (Some(_), None) => false,
            };
            let now = if timer_first {
                wake.unwrap_or(0)
            } else {
                next_due.map_or(0, |d| d.0)
            };
            if now > start.saturating_add(HORIZON) {
                break;
            }
            if timer_first {
                self.input(now, |r| r.tick(now).map(|s| s.commands.to_vec()));
                continue;
            }
            let key = next_due.map(|d| d.1);
            let pos = self
                .agenda
                .iter()
                .position(|(_, s, _)| Some(*s) == key)
                .unwrap_or(0);
            let (_, _, due) = self.agenda.remove(pos);
            match due {
                Due::Exit { task, token, exit } => {
                    if self.process[task].is_some_and(|p| p.token == token) {
                        self.process[task] = None;
                        self.input(now, |r| {
                            r.exited(now, task, exit).map(|s| s.commands.to_vec())
                        });
                    }
                }
                Due::Request(i) => {
                    self.request(now, i);
                    self.current = "Driver report".to_string();
                }
                Due::Unblock { task, token } => {
                    if self.blocked[task].as_ref().is_some_and(|b| b.0 == token) {
                        if let Some((_, run)) = self.blocked[task].take() {
                            self.finish_start(now, task, run);
                        }
                    }
                }
            }
        }
    }

    /// One runner input; then the events it recorded, the status change, and the
    /// commands, carried out in order (each may be an input of its own).
    fn input(
        &mut self,
        now: i64,
        f: impl FnOnce(&mut Runner<TASKS>) -> Result<Vec<Command>, RunnerError>,
    ) {
        match f(&mut self.runner) {
            Ok(commands) => {
                self.observe(now);
                for command in &commands {
                    self.timeline.push(json!({
                        "Time": now,
                        "Command": command.action.name(),
                        "Task": self.name(command.task),
                    }));
                }
                for command in commands {
                    self.carry_out(now, command);
                }
            }
            Err(error) => self.refused(now, &error.to_string()),
        }
    }

    fn refused(&mut self, now: i64, reason: &str) {
        let what = self.current.clone();
        self.timeline
            .push(json!({"Time": now, "Refused": what, "Reason": reason}));
    }

    /// Appends the events recorded since the last look, and a client status change.
    fn observe(&mut self, _now: i64) {
        let alloc = self.runner.allocation();
        // Each task's new events, oldest first; then walked in the runner's recording order.
        let mut new: Vec<VecDeque<&TaskEvent>> = Vec::new();
        for (index, task) in alloc.tasks().enumerate() {
            let state = task.state();
            let count = (state.event_count() - self.seen[index]) as usize;
            let held: Vec<_> = state.events().iter().collect();
            new.push(
                held[held.len().saturating_sub(count)..]
                    .iter()
                    .copied()
                    .collect(),
            );
            self.seen[index] = state.event_count();
        }
        assert!(
            !self.runner.journal_full(),
            "more events in one input than the journal holds"
        );
        for &index in self.runner.recorded() {
            let index = usize::from(index);
            let Some(event) = new[index].pop_front() else {
                continue;
            };
            self.timeline.push(json!({
                "Time": event.time(),
                "Task": self.scenario.tasks[index].name,
                "Type": event.type_str(),
                "DisplayMessage": event.display_message().to_string(),
            }));
            self.history[index].push(event.type_str().to_string());
        }
        let status = (
            alloc.client_status(),
            alloc.client_description().to_string(),
        );
        if status != self.status {
            self.timeline.push(json!({
                "Time": _now,
                "ClientStatus": status.0.as_str(),
                "ClientDescription": status.1,
            }));
            self.status = status;
        }
    }

    fn script(&self, task: usize, start: usize) -> Option<Run> {
        let runs = self.scenario.runs.get(self.name(task))?;
        runs.get(start).or(runs.last()).cloned()
    }

    fn carry_out(&mut self, now: i64, command: Command) {
        let task = command.task;
        match command.action {
            Action::Start => self.start(now, task),
            Action::Stop { .. } if self.blocked[task].is_some() => {
                // The blocking hook's context is cancelled: it returns, and the task
                // never starts (reference §2.3, kill during a blocking prestart hook).
                self.blocked[task] = None;
                self.input(now, |r| {
                    r.start_cancelled(now, task).map(|s| s.commands.to_vec())
                });
            }
            Action::Stop { signal, .. } => {
                if let Some(p) = self.process[task] {
                    let exit = stopped_by(signal.as_str());
                    let at = now.saturating_add(p.stop_takes);
                    let natural = self.agenda.iter().find_map(|(t, _, d)| match d {
                        Due::Exit { task: x, token, .. } if *x == task && *token == p.token => {
                            Some(*t)
                        }
                        _ => None,
                    });
                    if natural.is_none_or(|t| t > at) {
                        self.agenda.retain(
                            |(_, _, d)| !matches!(d, Due::Exit { task: x, .. } if *x == task),
                        );
                        self.schedule(
                            at,
                            Due::Exit {
                                task,
                                token: p.token,
                                exit,
                            },
                        );
                    }
                }
            }
            Action::Kill => {
                if let Some(p) = self.process[task] {
                    self.agenda
                        .retain(|(_, _, d)| !matches!(d, Due::Exit { task: x, .. } if *x == task));
                    self.schedule(
                        now,
                        Due::Exit {
                            task,
                            token: p.token,
                            exit: Exit::signal(137, 9),
                        },
                    );
                }
            }
            Action::Signal { .. } => {}
        }
    }

    /// The driver's answer to a start: its prestart steps, then the start or a failure.
    fn start(&mut self, now: i64, task: usize) {
        // Stopped before the driver got to it: the start is abandoned at once.
        if self.runner.place(task) == Some(Place::Starting { killed: true }) {
            return self.input(now, |r| {
                r.start_cancelled(now, task).map(|s| s.commands.to_vec())
            });
        }
        let (block, run) = match self.script(task, self.starts[task]) {
            Some(Run::Blocked {
                blocks,
                template,
                then,
            }) => (Some((blocks, template)), Some(*then)),
            run => (None, run),
        };
        self.starts[task] += 1;
        self.input(now, |r| {
            r.prestart(now, task, PrestartStep::TaskDirBuilt)
                .map(|s| s.commands.to_vec())
        });
        if self.scenario.tasks[task].artifacts && !self.downloaded[task] {
            self.input(now, |r| {
                r.prestart(now, task, PrestartStep::DownloadingArtifacts)
                    .map(|s| s.commands.to_vec())
            });
            if let Some(Run::ArtifactError { text }) = &run {
                let text = text.clone();
                self.input(now, |r| {
                    r.prestart(now, task, PrestartStep::ArtifactFailed { error: &text })
                        .map(|s| s.commands.to_vec())
                });
                return;
            }
            self.downloaded[task] = true;
        }
        if let Some((blocks, template)) = block {
            if let Some(text) = template {
                self.input(now, |r| {
                    r.prestart(now, task, PrestartStep::TemplateBlocked { message: &text })
                        .map(|s| s.commands.to_vec())
                });
            }
            self.seq += 1;
            let token = self.seq;
            self.blocked[task] = Some((token, run));
            if let Some(blocks) = blocks {
                self.schedule(now.saturating_add(blocks), Due::Unblock { task, token });
            }
            return;
        }
        self.finish_start(now, task, run);
    }

    /// The rest of a start once its prestart work no longer blocks.
    fn finish_start(&mut self, now: i64, task: usize, run: Option<Run>) {
        match run {
            Some(Run::HookKill { text }) => {
                self.input(now, |r| {
                    r.prestart(now, task, PrestartStep::HookKilled { message: &text })
                        .map(|s| s.commands.to_vec())
                });
            }
            Some(Run::PrestartError { text, recoverable }) => {
                self.input(now, |r| {
                    r.prestart(
                        now,
                        task,
                        PrestartStep::HookFailed {
                            message: &text,
                            recoverable,
                        },
                    )
                    .map(|s| s.commands.to_vec())
                });
            }
            Some(Run::StartError { text, recoverable }) => {
                self.input(now, |r| {
                    r.start_failed(now, task, &text, recoverable)
                        .map(|s| s.commands.to_vec())
                });
            }
            Some(Run::ArtifactError { .. }) if !self.scenario.tasks[task].artifacts => {
                // No artifact to download: the script's error cannot happen; it runs.
                self.launch(now, task, None);
            }
            other => self.launch(now, task, other),
        }
    }

    fn launch(&mut self, now: i64, task: usize, run: Option<Run>) {
        // A stop that arrived while it was starting: the driver abandons the start, as
        // Nomad's task runner never starts a task after a kill (reference §2.1 step 5).
        match self.runner.place(task) {
            Some(Place::Starting { killed: false }) => {}
            Some(Place::Starting { killed: true }) => {
                return self.input(now, |r| {
                    r.start_cancelled(now, task).map(|s| s.commands.to_vec())
                });
            }
            _ => return,
        }
        self.seq += 1;
        let token = self.seq;
        let stop_takes = match run {
            Some(Run::UntilStopped { stop_takes }) => stop_takes,
            _ => 0,
        };
        self.process[task] = Some(Process { token, stop_takes });
        self.input(now, |r| r.started(now, task).map(|s| s.commands.to_vec()));
        if let Some(Run::Exit {
            code,
            after,
            signal,
            oom,
        }) = run
        {
            let exit = Exit {
                exit_code: code,
                signal,
                oom_killed: oom,
            };
            let at = now.saturating_add(after);
            // A stop sent while starting may already have scheduled an earlier exit.
            let earlier = self
                .agenda
                .iter()
                .any(|(t, _, d)| matches!(d, Due::Exit { task: x, .. } if *x == task && *t <= at));
            if !earlier {
                self.schedule(at, Due::Exit { task, token, exit });
            }
        }
    }

    fn request(&mut self, now: i64, i: usize) {
        let request = self.scenario.requests[i].1.clone();
        self.current = match &request {
            Request::Desired { status, .. } => format!("Desired {status}"),
            Request::Restart { target, .. } => format!("Restart {target}"),
            Request::Signal { task, name } => format!("Signal {task} {name}"),
            Request::AgentRestart { .. } => "AgentRestart".to_string(),
            Request::Reconnect => "Reconnect".to_string(),
            Request::UpdateDrops { task } => format!("UpdateDrops {task}"),
        };
        match request {
            Request::Desired {
                status,
                no_shutdown_delay,
            } => {
                self.input(now, |r| {
                    r.stop(now, status, "", no_shutdown_delay)
                        .map(|s| s.commands.to_vec())
                });
            }
            Request::Restart { target, failure } => {
                let target = match target.as_str() {
                    "running" => RestartTarget::Running,
                    "all" => RestartTarget::All,
                    name => match self.runner.index_of(name) {
                        Some(index) => RestartTarget::Task(index),
                        None => return self.refused(now, &format!("no task named {name:?}")),
                    },
                };
                self.input(now, |r| {
                    r.restart(now, target, failure).map(|s| s.commands.to_vec())
                });
            }
            Request::Signal { task, name } => match self.runner.index_of(&task) {
                Some(index) => self.input(now, |r| {
                    r.signal(now, index, &name).map(|s| s.commands.to_vec())
                }),
                None => self.refused(now, &format!("no task named {task:?}")),
            },
            Request::AgentRestart { reattach, desired } => {
                self.agent_restart(now, &reattach, desired)
            }
            Request::Reconnect => {
                self.input(now, |r| r.reconnected(now).map(|s| s.commands.to_vec()));
            }
            Request::UpdateDrops { task } => match self.runner.index_of(&task) {
                Some(index) => self.input(now, |r| {
                    r.drop_task(now, index).map(|s| s.commands.to_vec())
                }),
                None => self.refused(now, &format!("no task named {task:?}")),
            },
        }
    }

    /// The agent goes down and comes back at `now`: persist, restore, reattach.
    fn agent_restart(
        &mut self,
        now: i64,
        reattach: &BTreeMap<String, bool>,
        desired: Option<allocstate::DesiredStatus>,
    ) {
        let mut buf = vec![0u8; Runner::<TASKS>::POSTCARD_MAX_SIZE];
        let bytes = match self.runner.persist(&mut buf) {
            Ok(bytes) => bytes.to_vec(),
            Err(e) => return self.refused(now, &e.to_string()),
        };
        let flags: Vec<bool> = (0..self.scenario.tasks.len())
            .map(|i| {
                self.process[i].is_some() && reattach.get(self.name(i)).copied().unwrap_or(true)
            })
            .collect();
        // A start blocked in its prestart work does not survive the agent.
        self.blocked.iter_mut().for_each(|b| *b = None);
        for (i, &kept) in flags.iter().enumerate() {
            if !kept && self.process[i].is_some() {
                // The process is gone: the driver lost it while the agent was down.
                self.process[i] = None;
                self.agenda
                    .retain(|(_, _, d)| !matches!(d, Due::Exit { task, .. } if *task == i));
            }
        }
        let mut fresh: Box<Runner<TASKS>> =
            Box::new(Runner::new(GroupSpec::new(self.scenario.job_type)));
        let result = fresh
            .restore(now, &bytes, &flags, desired)
            .map(|s| s.commands.to_vec());
        match result {
            Ok(commands) => {
                self.runner = fresh;
                self.input(now, |_| Ok(commands));
            }
            Err(e) => self.refused(now, &e.to_string()),
        }
    }

    /// The output document.
    pub fn output(&self) -> Value {
        let mut history = serde_json::Map::new();
        for (i, t) in self.scenario.tasks.iter().enumerate() {
            history.insert(t.name.clone(), json!(self.history[i]));
        }
        json!({
            "Timeline": self.timeline,
            "History": history,
            "Allocation": serde_json::to_value(self.runner.allocation()).unwrap_or(Value::Null),
        })
    }
}

/// Gives the allocation the scenario's identity (`<job>.<group>[0]`).
trait SimulationIdentity {
    fn set_identity_for_simulation(
        &mut self,
        scenario: &Scenario,
    ) -> Result<bool, allocstate::AllocationError>;
}

impl SimulationIdentity for Runner<TASKS> {
    fn set_identity_for_simulation(
        &mut self,
        scenario: &Scenario,
    ) -> Result<bool, allocstate::AllocationError> {
        let name = format!("{}.{}[0]", scenario.job_id, scenario.group);
        self.set_identity(AllocIdentity {
            id: "",
            eval_id: "",
            name: &name,
            node_id: "",
            job_id: &scenario.job_id,
            task_group: &scenario.group,
        })
    }
}
