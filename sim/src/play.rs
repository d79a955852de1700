//! The simulation's deterministic playing loop, in `core` only (no allocator): it plays
//! the runtime around a [`Runner`] (answers each start from the task's script, delivers
//! exits after their time, fires timers, persists and restores on an agent restart) and
//! reports what happened to a [`Sink`]. The `simulate` command and the scenario tests run
//! it on the host (`engine`, with `std`); ci/qemu-firmware runs it on the target, on
//! scenarios its build script digested into statics ([`Digest`]),
//! and compares its [`Lines`] with the host's.
//!
//! With the `journal` feature, `Player::hook` sees each input the runner accepted, as
//! the journal stores it.

use core::fmt::{self, Write};

use allocstate::runner::{
    Action, Command, Exit, GroupSpec, Now, Place, PrestartStep, RestartTarget, Runner, RunnerError,
    Step, TaskId,
};
use allocstate::{AllocIdentity, ClientStatus, DesiredStatus, TaskEvent};
use heapless::Vec;

use crate::script::{Block, Digest, Request, Run};

#[cfg(feature = "journal")]
use allocstate::journal::runner::What;

/// An input as the journal stores it (`None`: an arrival or a restore, after which a
/// journal takes a snapshot), for [`Player::hook`]; nothing without the journal.
#[cfg(feature = "journal")]
type Said<'a> = Option<What<'a>>;
#[cfg(not(feature = "journal"))]
type Said<'a> = Unsaid;

/// [`Said`] without the journal: nothing.
#[cfg(not(feature = "journal"))]
#[derive(Clone, Copy)]
struct Unsaid;

/// Sees each input the runner accepted, after it: the runner, the input's time, and the
/// input as the journal stores it (`None`: arrival or restore). tests/journal_scenarios.rs
/// journals them.
#[cfg(feature = "journal")]
pub type Hook<'p> = &'p mut dyn FnMut(&Runner<TASKS>, Now, Said<'_>);

/// The [`Said`] of an input: `said!()` an arrival or restore, `said!(What::…)` an input,
/// `said!(id => What::…)` a function of the task's id (for `input_for`).
macro_rules! said {
    () => {{
        #[cfg(feature = "journal")]
        let said = None;
        #[cfg(not(feature = "journal"))]
        let said = Unsaid;
        said
    }};
    ($id:ident => $what:expr) => {
        |$id: TaskId| {
            #[cfg(feature = "journal")]
            let said = Some($what);
            #[cfg(not(feature = "journal"))]
            let said = {
                let _ = $id;
                Unsaid
            };
            said
        }
    };
    ($what:expr) => {{
        #[cfg(feature = "journal")]
        let said = Some($what);
        #[cfg(not(feature = "journal"))]
        let said = Unsaid;
        said
    }};
}

/// The runner size the harness uses.
pub const TASKS: usize = 8;

/// The simulation ends at this horizon after the start, whatever is left.
pub const HORIZON: i64 = 24 * 3_600 * 1_000_000_000;

/// Scheduled exits and requests the agenda holds at once.
pub const AGENDA: usize = 48;

/// Commands accepted but not yet carried out, over every nested input.
pub const PENDING: usize = 64;

/// What the player reports, in the order it happened (which is time order).
pub trait Sink {
    /// An event the runner recorded for `task`.
    fn event(&mut self, task: &str, event: &TaskEvent);
    /// A command the runner gave.
    fn command(&mut self, time: i64, action: &Action, task: &str);
    /// The client status changed.
    fn status(&mut self, time: i64, status: ClientStatus, description: &str);
    /// A request (or a driver report) was refused.
    fn refused(&mut self, time: i64, what: &dyn fmt::Display, reason: &dyn fmt::Display);
}

/// The harness could not hold what a scenario needs (never expected; reported, not hidden).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// More scheduled exits and requests than [`AGENDA`].
    Agenda,
    /// More commands waiting than [`PENDING`].
    Pending,
    /// More tasks than [`TASKS`].
    Tasks,
}

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Overflow::Agenda => "more scheduled exits and requests than the agenda holds",
            Overflow::Pending => "more waiting commands than the harness holds",
            Overflow::Tasks => "more tasks than the runner holds",
        })
    }
}

/// What is scheduled on the simulation's clock besides the runner's own timers.
#[derive(Debug, Clone, Copy)]
enum Due {
    /// A task's process exits; `token` must still be its current process.
    Exit { task: usize, token: u64, exit: Exit },
    /// A request of the scenario.
    Request(usize),
    /// A task's blocking prestart work is done; `token` must still be its current block.
    Unblock { task: usize, token: u64 },
    /// The driver acknowledges a slow start; `token` must still be its current process.
    Ack { task: usize, token: u64 },
}

/// A running process of a task, as the simulated driver sees it.
#[derive(Debug, Clone, Copy)]
struct Process {
    token: u64,
    /// When a stop makes it exit, after the stop.
    stop_takes: i64,
    /// It ignores its stop and survives the force-kill.
    survives: bool,
}

/// A start blocked in its prestart work: its token, and what the start does next.
type Blocked<'p> = Option<(u64, Option<Run<&'p str>>)>;

/// What the input being given is, for a refusal's `Refused` field.
#[derive(Clone, Copy)]
enum Current<'s> {
    DriverReport,
    Desired(DesiredStatus),
    Restart(&'s str),
    Signal(&'s str, &'s str),
    AgentRestart,
    Reconnect,
    UpdateDrops(&'s str),
    WallStep(i64),
}

impl fmt::Display for Current<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Current::DriverReport => f.write_str("Driver report"),
            Current::Desired(status) => write!(f, "Desired {status}"),
            Current::Restart(target) => write!(f, "Restart {target}"),
            Current::Signal(task, name) => write!(f, "Signal {task} {name}"),
            Current::AgentRestart => f.write_str("AgentRestart"),
            Current::Reconnect => f.write_str("Reconnect"),
            Current::UpdateDrops(task) => write!(f, "UpdateDrops {task}"),
            Current::WallStep(by) => write!(f, "WallStep {by}"),
        }
    }
}

/// A refusal's reason when the request names no task of the group.
struct NoTask<'a>(&'a str);

impl fmt::Display for NoTask<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no task named {:?}", self.0)
    }
}

/// FNV-1a, to notice a change of the client description without keeping a copy.
fn fingerprint(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
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

/// Plays one scenario on a runner fresh from `Runner::new` or `reset` with the group
/// ([`group_of`](crate::script::group_of)) and the scenario's tasks added; `buf` holds the persisted runner at an
/// agent restart.
pub struct Player<'p> {
    script: &'p Digest<'p>,
    runner: &'p mut Runner<TASKS>,
    buf: &'p mut [u8],
    sink: &'p mut dyn Sink,
    agenda: Vec<(i64, u64, Due), AGENDA>,
    pending: Vec<(i64, Command), PENDING>,
    seq: u64,
    starts: [usize; TASKS],
    downloaded: [bool; TASKS],
    process: [Option<Process>; TASKS],
    /// A start blocked in its prestart work: its token, and what the start does next.
    blocked: [Blocked<'p>; TASKS],
    status: (ClientStatus, u32),
    current: Current<'p>,
    overflow: Option<Overflow>,
    /// How far the wall clock was stepped from the simulation's (`WallStep` requests).
    wall_offset: i64,
    /// Sees each accepted input (set by the journal test).
    #[cfg(feature = "journal")]
    pub hook: Option<Hook<'p>>,
}

impl<'p> Player<'p> {
    /// A player of `script` on `runner` (its group and tasks already given), persisting
    /// into `buf` at an agent restart and reporting to `sink`.
    pub fn new(
        script: &'p Digest<'p>,
        runner: &'p mut Runner<TASKS>,
        buf: &'p mut [u8],
        sink: &'p mut dyn Sink,
    ) -> Self {
        Player {
            script,
            runner,
            buf,
            sink,
            agenda: Vec::new(),
            pending: Vec::new(),
            seq: 0,
            starts: [0; TASKS],
            downloaded: [false; TASKS],
            process: [None; TASKS],
            blocked: [None; TASKS],
            status: (ClientStatus::Pending, fingerprint("")),
            current: Current::DriverReport,
            overflow: None,
            wall_offset: 0,
            #[cfg(feature = "journal")]
            hook: None,
        }
    }

    fn name(&self, task: usize) -> &'p str {
        let script: &'p Digest<'p> = self.script;
        script.task(task).map_or("?", |t| t.spec.name)
    }

    fn schedule(&mut self, at: i64, due: Due) {
        self.seq += 1;
        if self.agenda.push((at, self.seq, due)).is_err() {
            self.overflow = Some(Overflow::Agenda);
        }
    }

    fn drop_exits(&mut self, task: usize) {
        self.agenda
            .retain(|(_, _, d)| !matches!(d, Due::Exit { task: x, .. } if *x == task));
    }

    /// Runs the scenario to its end (nothing more can happen, or the horizon).
    pub fn run(&mut self) -> Result<(), Overflow> {
        if self.script.task_count() > TASKS {
            return Err(Overflow::Tasks);
        }
        let start = self.script.header().start;
        self.set_identity();
        for i in 0..self.script.request_count() {
            if let Some((at, _)) = self.script.request(i) {
                self.schedule(start.saturating_add(at), Due::Request(i));
            }
        }
        if let Some(status) = self.script.header().desired_at_arrival {
            self.current = Current::Desired(status);
            self.input(
                start,
                said!(What::Stop {
                    status,
                    description: "",
                    no_shutdown_delay: false
                }),
                |r, at| r.stop(at, status, "", false),
            );
            self.current = Current::DriverReport;
        }
        let script: &'p Digest<'p> = self.script;
        match script.header().setup_failure {
            // The allocation's prerun hooks run before any task: the starts the arrival
            // asks for are never carried out.
            Some(error) => {
                match self.runner.arrive(start) {
                    Ok(_) => {
                        #[cfg(feature = "journal")]
                        if let Some(hook) = self.hook.as_mut() {
                            hook(self.runner, Now::new(start, start), None);
                        }
                        self.observe(start)
                    }
                    Err(error) => self.refused(start, &error),
                }
                self.input(start, said!(What::SetupFailed { error }), |r, at| {
                    r.setup_failed(at, error)
                });
            }
            None => self.input(start, said!(), |r, at| r.arrive(at)),
        }
        while self.overflow.is_none() {
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
                self.input(now, said!(What::Tick), |r, at| r.tick(at));
                continue;
            }
            let key = next_due.map(|d| d.1);
            let Some(pos) = self.agenda.iter().position(|(_, s, _)| Some(*s) == key) else {
                break;
            };
            let (_, _, due) = self.agenda.remove(pos);
            match due {
                Due::Exit { task, token, exit } => {
                    if self.process[task].is_some_and(|p| p.token == token) {
                        self.process[task] = None;
                        self.input_for(
                            now,
                            task,
                            said!(id => What::Exited { task: id, exit }),
                            |r, id, at| r.exited(at, id, exit),
                        );
                    }
                }
                Due::Request(i) => {
                    self.request(now, i);
                    self.current = Current::DriverReport;
                }
                Due::Ack { task, token } => {
                    if self.process[task].is_some_and(|p| p.token == token) {
                        self.input_for(
                            now,
                            task,
                            said!(id => What::Started { task: id }),
                            |r, id, at| r.started(at, id),
                        );
                    }
                }
                Due::Unblock { task, token } => {
                    if let Some(Some((held, run))) = self.blocked.get(task).copied() {
                        if held == token {
                            self.blocked[task] = None;
                            self.finish_start(now, task, run);
                        }
                    }
                }
            }
        }
        self.overflow.map_or(Ok(()), Err)
    }

    /// Gives the allocation the scenario's identity (`<job>.<group>[0]`).
    fn set_identity(&mut self) {
        let mut name: heapless::String<{ allocstate::ALLOC_NAME_CAPACITY }> =
            heapless::String::new();
        let _ = write!(
            name,
            "{}.{}[0]",
            self.script.header().job_id,
            self.script.header().group
        );
        let _ = self.runner.set_identity(AllocIdentity {
            id: "",
            eval_id: "",
            name: &name,
            node_id: "",
            job_id: self.script.header().job_id,
            task_group: self.script.header().group,
        });
    }

    /// One runner input; then the events it recorded, the status change, and the
    /// commands, carried out in order (each may be an input of its own, whose commands
    /// are carried out before the next of these).
    fn input(
        &mut self,
        now: i64,
        said: Said<'_>,
        f: impl FnOnce(&mut Runner<TASKS>, Now) -> Result<Step<TASKS>, RunnerError>,
    ) {
        if let Some(mark) = self.feed(now, said, f) {
            while self.pending.len() > mark {
                if let Some((at, command)) = self.pending.pop() {
                    self.carry_out(at, command);
                }
            }
        }
    }

    /// Gives the input, reports what it recorded and its commands, and queues them;
    /// returns where its commands start in the queue (`None` if refused). A frame of its
    /// own, so that the step is not held on the stack while its commands, and the
    /// inputs they cause, are carried out.
    #[inline(never)]
    fn feed(
        &mut self,
        now: i64,
        said: Said<'_>,
        f: impl FnOnce(&mut Runner<TASKS>, Now) -> Result<Step<TASKS>, RunnerError>,
    ) -> Option<usize> {
        // The wall clock is the simulation's, stepped by any `WallStep` so far; timers
        // run on the simulation's clock (the monotonic one).
        let at = Now::new(now.saturating_add(self.wall_offset), now);
        match f(self.runner, at) {
            Ok(step) => {
                #[cfg(feature = "journal")]
                if let Some(hook) = self.hook.as_mut() {
                    hook(self.runner, at, said);
                }
                #[cfg(not(feature = "journal"))]
                let Unsaid = said;
                self.observe(now);
                let mark = self.pending.len();
                for command in step.commands.iter().rev() {
                    if self.pending.push((now, command.clone())).is_err() {
                        self.overflow = Some(Overflow::Pending);
                    }
                }
                for command in &step.commands {
                    let name = self.runner.task_name(command.task);
                    self.sink.command(now, &command.action, name);
                }
                Some(mark)
            }
            Err(error) => {
                let described = self.runner.describe(error);
                self.sink.refused(now, &self.current, &described);
                None
            }
        }
    }

    /// An input about the task at `task`.
    fn input_for(
        &mut self,
        now: i64,
        task: usize,
        said: impl FnOnce(TaskId) -> Said<'p>,
        f: impl FnOnce(&mut Runner<TASKS>, TaskId, Now) -> Result<Step<TASKS>, RunnerError>,
    ) {
        if let Some(id) = self.runner.task_at(task) {
            self.input(now, said(id), |r, at| f(r, id, at));
        }
    }

    fn refused(&mut self, now: i64, reason: &dyn fmt::Display) {
        self.sink.refused(now, &self.current, reason);
    }

    /// Reports the events the input recorded, and a client status change.
    fn observe(&mut self, now: i64) {
        for (id, event) in self.runner.events() {
            self.sink.event(self.runner.task_name(id), event);
        }
        let alloc = self.runner.allocation();
        let status = (
            alloc.client_status(),
            fingerprint(alloc.client_description()),
        );
        if status != self.status {
            self.sink.status(now, status.0, alloc.client_description());
            self.status = status;
        }
    }

    fn script(&self, task: usize, start: usize) -> Option<Run<&'p str>> {
        let script: &'p Digest<'p> = self.script;
        let runs = script.runs(task);
        let last = runs.checked_sub(1)?;
        script.run(task, start.min(last))
    }

    fn block(&self, task: usize, start: usize) -> Option<super::script::Block<&'p str>> {
        let script: &'p Digest<'p> = self.script;
        let last = script.runs(task).checked_sub(1)?;
        script.block(task, start.min(last))
    }

    fn carry_out(&mut self, now: i64, command: Command) {
        let task = command.task.index();
        if task >= TASKS {
            return;
        }
        match command.action {
            Action::Start => self.start(now, task),
            Action::Stop { .. } if self.blocked[task].is_some() => {
                // The blocking hook's context is cancelled: it returns, and the task
                // never starts (Nomad's `client/allocrunner/taskrunner/task_runner.go`,
                // `TaskRunner.Run`: a kill during a blocking prestart hook).
                self.blocked[task] = None;
                self.input_for(
                    now,
                    task,
                    said!(id => What::StartCancelled { task: id }),
                    |r, id, at| r.start_cancelled(at, id),
                );
            }
            Action::Stop { signal, .. } => {
                if let Some(p) = self.process[task].filter(|p| !p.survives) {
                    let exit = stopped_by(signal.as_deref().unwrap_or(""));
                    let at = now.saturating_add(p.stop_takes);
                    let natural = self.agenda.iter().find_map(|(t, _, d)| match d {
                        Due::Exit { task: x, token, .. } if *x == task && *token == p.token => {
                            Some(*t)
                        }
                        _ => None,
                    });
                    if natural.is_none_or(|t| t > at) {
                        self.drop_exits(task);
                        let token = p.token;
                        self.schedule(at, Due::Exit { task, token, exit });
                    }
                }
            }
            Action::Kill if self.process[task].is_some_and(|p| p.survives) => {
                let error = "process survived SIGKILL";
                self.input_for(
                    now,
                    task,
                    said!(id => What::KillFailed { task: id, error }),
                    |r, id, at| r.kill_failed(at, id, error),
                );
            }
            Action::Kill => {
                if let Some(p) = self.process[task] {
                    self.drop_exits(task);
                    let exit = Exit::signal(137, 9);
                    let token = p.token;
                    self.schedule(now, Due::Exit { task, token, exit });
                }
            }
            Action::Signal { .. } => {}
        }
    }

    /// The driver's answer to a start: its prestart steps, then the start or a failure.
    fn start(&mut self, now: i64, task: usize) {
        // Stopped before the driver got to it: the start is abandoned at once.
        if self
            .runner
            .task_at(task)
            .and_then(|id| self.runner.place(id))
            == Some(Place::Starting { killed: true })
        {
            return self.input_for(
                now,
                task,
                said!(id => What::StartCancelled { task: id }),
                |r, id, at| r.start_cancelled(at, id),
            );
        }
        let run = self.script(task, self.starts[task]);
        let block = self.block(task, self.starts[task]);
        self.starts[task] += 1;
        self.input_for(
            now,
            task,
            said!(id => What::Prestart { task: id, step: PrestartStep::TaskDirBuilt }),
            |r, id, at| r.prestart(at, id, PrestartStep::TaskDirBuilt),
        );
        let artifacts = self.script.task(task).is_some_and(|t| t.artifacts);
        if artifacts && !self.downloaded[task] {
            self.input_for(
                now,
                task,
                said!(id => What::Prestart { task: id, step: PrestartStep::DownloadingArtifacts }),
                |r, id, at| r.prestart(at, id, PrestartStep::DownloadingArtifacts),
            );
            if let Some(Run::ArtifactError { text }) = run {
                self.input_for(now, task, said!(id => What::Prestart { task: id, step: PrestartStep::ArtifactFailed { error: text } }), |r, id, at| {
                    r.prestart(at, id, PrestartStep::ArtifactFailed { error: text })
                });
                return;
            }
            self.downloaded[task] = true;
        }
        if let Some(Block { blocks, template }) = block {
            if let Some(message) = template {
                self.input_for(now, task, said!(id => What::Prestart { task: id, step: PrestartStep::TemplateBlocked { message } }), |r, id, at| {
                    r.prestart(at, id, PrestartStep::TemplateBlocked { message })
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
    fn finish_start(&mut self, now: i64, task: usize, run: Option<Run<&'p str>>) {
        let artifacts = self.script.task(task).is_some_and(|t| t.artifacts);
        match run {
            Some(Run::HookKill { text }) => {
                self.input_for(now, task, said!(id => What::Prestart { task: id, step: PrestartStep::HookKilled { message: text } }), |r, id, at| {
                    r.prestart(at, id, PrestartStep::HookKilled { message: text })
                });
            }
            Some(Run::PrestartError { text, recoverable }) => {
                let step = PrestartStep::HookFailed {
                    message: text,
                    recoverable,
                };
                self.input_for(
                    now,
                    task,
                    said!(id => What::Prestart { task: id, step }),
                    |r, id, at| r.prestart(at, id, step),
                );
            }
            Some(Run::StartError { text, recoverable }) => {
                self.input_for(
                    now,
                    task,
                    said!(id => What::StartFailed { task: id, error: text, recoverable }),
                    |r, id, at| r.start_failed(at, id, text, recoverable),
                );
            }
            Some(Run::ArtifactError { .. }) if !artifacts => {
                // No artifact to download: the script's error cannot happen; it runs.
                self.launch(now, task, None);
            }
            other => self.launch(now, task, other),
        }
    }

    fn launch(&mut self, now: i64, task: usize, run: Option<Run<&'p str>>) {
        // A stop that arrived while it was starting: the driver abandons the start, as
        // Nomad's task runner never starts a task after a kill (`task_runner.go`,
        // `TaskRunner.Run`: the kill check after the prestart hooks).
        match self
            .runner
            .task_at(task)
            .and_then(|id| self.runner.place(id))
        {
            Some(Place::Starting { killed: false }) => {}
            Some(Place::Starting { killed: true }) => {
                return self.input_for(
                    now,
                    task,
                    said!(id => What::StartCancelled { task: id }),
                    |r, id, at| r.start_cancelled(at, id),
                );
            }
            _ => return,
        }
        self.seq += 1;
        let token = self.seq;
        let stop_takes = match run {
            Some(Run::UntilStopped { stop_takes } | Run::SlowStart { stop_takes, .. }) => {
                stop_takes
            }
            _ => 0,
        };
        let survives = matches!(run, Some(Run::SurvivesKill));
        self.process[task] = Some(Process {
            token,
            stop_takes,
            survives,
        });
        match run {
            Some(Run::SlowStart { takes, .. }) => {
                // The acknowledgement comes later; a stop meanwhile reaches the process.
                return self.schedule(now.saturating_add(takes), Due::Ack { task, token });
            }
            Some(Run::ExitBeforeAck { code }) => {
                self.process[task] = None;
                let exit = Exit::code(code);
                return self.input_for(
                    now,
                    task,
                    said!(id => What::Exited { task: id, exit }),
                    |r, id, at| r.exited(at, id, exit),
                );
            }
            _ => {}
        }
        self.input_for(
            now,
            task,
            said!(id => What::Started { task: id }),
            |r, id, at| r.started(at, id),
        );
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
        let script: &'p Digest<'p> = self.script;
        let Some((_, request)) = script.request(i) else {
            return;
        };
        self.current = match request {
            Request::Desired { status, .. } => Current::Desired(status),
            Request::Restart { target, .. } => Current::Restart(target),
            Request::Signal { task, name } => Current::Signal(task, name),
            Request::AgentRestart { .. } => Current::AgentRestart,
            Request::Reconnect => Current::Reconnect,
            Request::UpdateDrops { task } => Current::UpdateDrops(task),
            Request::WallStep { by } => Current::WallStep(by),
        };
        match request {
            Request::Desired {
                status,
                no_shutdown_delay,
            } => {
                self.input(
                    now,
                    said!(What::Stop {
                        status,
                        description: "",
                        no_shutdown_delay
                    }),
                    |r, at| r.stop(at, status, "", no_shutdown_delay),
                );
            }
            Request::Restart { target, failure } => {
                let target = match target {
                    "running" => RestartTarget::Running,
                    "all" => RestartTarget::All,
                    name => match self.runner.task_id(name) {
                        Some(id) => RestartTarget::Task(id),
                        None => return self.refused(now, &NoTask(name)),
                    },
                };
                self.input(now, said!(What::Restart { target, failure }), |r, at| {
                    r.restart(at, target, failure)
                });
            }
            Request::Signal { task, name } => match self.runner.task_id(task) {
                Some(id) => {
                    let signal = (!name.is_empty()).then_some(name);
                    self.input(now, said!(What::Signal { task: id, signal }), |r, at| {
                        r.signal(at, id, signal)
                    })
                }
                None => self.refused(now, &NoTask(task)),
            },
            Request::AgentRestart { desired } => self.agent_restart(now, i, desired),
            Request::Reconnect => {
                self.input(now, said!(What::Reconnected), |r, at| r.reconnected(at))
            }
            // The wall clock steps (NTP): event times move, timers do not.
            Request::WallStep { by } => self.wall_offset = self.wall_offset.saturating_add(by),
            Request::UpdateDrops { task } => match self.runner.task_id(task) {
                Some(id) => self.input(now, said!(What::DropTask { task: id }), |r, at| {
                    r.drop_task(at, id)
                }),
                None => self.refused(now, &NoTask(task)),
            },
        }
    }

    /// The agent goes down and comes back at `now`: the runner is persisted, the agent's
    /// memory is gone (the runner is reset in place), and it is restored with each task's
    /// reattach. A refused restore leaves the fresh runner: the allocation is lost.
    fn agent_restart(&mut self, now: i64, request: usize, desired: Option<DesiredStatus>) {
        let len = match self.runner.persist(self.buf) {
            Ok(bytes) => bytes.len(),
            Err(e) => return self.refused(now, &e),
        };
        let count = self.script.task_count().min(TASKS);
        // A start blocked in its prestart work does not survive the agent.
        self.blocked = [None; TASKS];
        let mut flags = [false; TASKS];
        for (i, flag) in flags.iter_mut().enumerate().take(count) {
            let listed = self.script.reattaches(request, self.name(i));
            *flag = self.process[i].is_some() && listed.unwrap_or(true);
            if !*flag && self.process[i].is_some() {
                // The process is gone: the driver lost it while the agent was down.
                self.process[i] = None;
                self.drop_exits(i);
            }
        }
        self.runner
            .reset(GroupSpec::new(self.script.header().job_type));
        // The bytes stay borrowed while the restore's commands are carried out.
        let buf = core::mem::take(&mut self.buf);
        let bytes = buf.get(..len).unwrap_or(&[]);
        self.input(now, said!(), |r, at| {
            r.restore(at, bytes, desired, |id, _| {
                flags.get(id.index()).copied().unwrap_or(false)
            })
        });
        self.buf = buf;
        // The simulated agent reaches its servers as soon as it is back: a task whose
        // reattach failed (`Failed Restoring Task`) then starts again.
        let waiting = self
            .runner
            .task_ids()
            .any(|id| self.runner.place(id) == Some(Place::AwaitingServers));
        if waiting {
            self.input(now, said!(What::ServersContacted), |r, at| {
                r.servers_contacted(at)
            });
        }
    }
}

/// A [`Sink`] writing one line per report (the transcript the firmware compares with the
/// host's), then [`Lines::finish`] the client status and the allocation's compact bytes.
pub struct Lines<W: Write> {
    /// Where the lines go.
    pub out: W,
}

impl<W: Write> Sink for Lines<W> {
    fn event(&mut self, task: &str, event: &TaskEvent) {
        let _ = writeln!(
            self.out,
            "{} event {task}: {}: {}",
            event.time(),
            event.type_str(),
            event.display_message()
        );
    }
    fn command(&mut self, time: i64, action: &Action, task: &str) {
        let _ = writeln!(self.out, "{time} command {} {task}", action.name());
    }
    fn status(&mut self, time: i64, status: ClientStatus, description: &str) {
        let _ = writeln!(self.out, "{time} status {status}: {description}");
    }
    fn refused(&mut self, time: i64, what: &dyn fmt::Display, reason: &dyn fmt::Display) {
        let _ = writeln!(self.out, "{time} refused {what}: {reason}");
    }
}

impl<W: Write> Lines<W> {
    /// Ends the transcript: how the run ended, each task's final phase, the client
    /// status, and the allocation's compact encoding in hex (`buf` holds it).
    pub fn finish(
        &mut self,
        ended: Result<(), Overflow>,
        runner: &Runner<TASKS>,
        buf: &mut [u8],
    ) -> fmt::Result {
        match ended {
            Ok(()) => writeln!(self.out, "end")?,
            Err(overflow) => writeln!(self.out, "end: {overflow}")?,
        }
        let alloc = runner.allocation();
        for task in alloc.tasks() {
            let state = task.state();
            writeln!(
                self.out,
                "task {}: {} failed {} restarts {} events {}",
                task.name(),
                state.phase(),
                state.failed(),
                state.restarts(),
                state.event_count()
            )?;
        }
        writeln!(
            self.out,
            "status: {} ({})",
            alloc.client_status(),
            alloc.client_description()
        )?;
        self.out.write_str("postcard: ")?;
        match alloc.to_postcard(buf) {
            Ok(bytes) => {
                for byte in bytes.iter() {
                    write!(self.out, "{byte:02x}")?;
                }
            }
            Err(_) => self.out.write_str("error")?,
        }
        self.out.write_str("\n")
    }
}
