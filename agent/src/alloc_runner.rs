//! One allocation on the core crate's `Runner`: the only module of the agent that
//! touches the runner. It feeds the runner what happened (starts, exits, timers, the
//! HTTP requests), carries out its commands with the raw_exec driver (a supervisor per
//! task), commits each input to the allocation's journal (the crate's `FileJournal`: one
//! appended, checksummed record and one fsync per input; docs/journal.md) before anything
//! acknowledges it, and publishes the allocation for the HTTP side.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use allocstate::journal::file::FileJournal;
use allocstate::journal::runner::{Input, RecoveryGlue, RunnerSnapshot, What};
use allocstate::journal::{JournalError, Piece};
use allocstate::restart::{JobType, RestartMode, RestartPolicy};
use allocstate::runner::{
    signal_number, Action, Command, Exit, GroupSpec, Now, Place, PrestartStep, RestartTarget,
    RestoreStatus, Runner, RunnerError, TaskId, TaskSpec,
};
use allocstate::{AllocIdentity, DesiredStatus, Role};
use serde::{Deserialize, Serialize};
use tokio::io::unix::AsyncFd;
use tokio::sync::mpsc;

use crate::files::{self, ExitRecord, Handle};
use crate::job::{GroupPlan, TaskPlan, MAX_TASKS};
use crate::state::{ApiError, Entry, Request, Shared, Snapshot};

type TheRunner = Runner<MAX_TASKS>;

/// The descriptor a supervisor inherits its lock on (`supervise --lock-fd`).
const LOCK_FD: i32 = 3;

/// Entries committed after a snapshot before the next input is committed as a snapshot
/// instead (the journal's compaction: a new file, synced, renamed over the old one).
const SNAPSHOT_EVERY: u32 = 128;

/// Unix time in ns.
fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// `CLOCK_MONOTONIC` in ns: the runner's timers (one clock for the whole boot, so a
/// restarted agent reads on from where the last one stopped).
fn mono_ns() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec)
}

/// The runner's clock: wall time for events, monotonic time for timers.
fn now() -> Now {
    Now::new(now_ns(), mono_ns())
}

/// A task's process handle as the runner carries it (`Runner::set_handle`): run,
/// supervisor pid and start time, task pid and start time, little-endian.
fn encode_handle(h: &Handle) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    out.extend_from_slice(&h.run.to_le_bytes());
    out.extend_from_slice(&h.supervisor_pid.to_le_bytes());
    out.extend_from_slice(&h.supervisor_start.to_le_bytes());
    out.extend_from_slice(&h.pid.to_le_bytes());
    out.extend_from_slice(&h.start.to_le_bytes());
    out
}

/// The run an [`encode_handle`] handle is of.
fn handle_run(handle: &[u8]) -> Option<u64> {
    handle
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
}

/// Who the allocation is.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct AllocMeta {
    pub id: String,
    pub name: String,
    pub index: u32,
    pub node_id: String,
}

/// What a journal snapshot carries besides the runner: the allocation's identity, its
/// group, and the marks. A snapshot is `len (u32 LE) | this, JSON | RunnerSnapshot`.
#[derive(Serialize, Deserialize)]
struct Header {
    meta: AllocMeta,
    plan: GroupPlan,
    /// Per task, which run the runner was told started and which run's exit it was told:
    /// at restore they tell an exit already recorded from one that happened while the
    /// agent was down, and a start the runner knows of from one under way when the agent
    /// died. The entries after the snapshot move them on ([`track`]).
    marks: Vec<Mark>,
}

/// See [`Header::marks`].
#[derive(Serialize, Deserialize, Debug, Clone, Copy, Default)]
struct Mark {
    started: u64,
    exited: u64,
}

/// Moves the marks on for an input the runner accepted: a handle stored is its run's
/// start (it is stored right before `started`, or before the `started` of a start
/// adopted at restore), an exit is that run's.
fn track(marks: &mut [Mark], what: &What<'_>) {
    match *what {
        What::SetHandle { task, handle } => {
            if let (Some(mark), Some(run)) = (marks.get_mut(task.index()), handle_run(handle)) {
                mark.started = run;
            }
        }
        What::Exited { task, .. } => {
            if let Some(mark) = marks.get_mut(task.index()) {
                mark.exited = mark.started;
            }
        }
        _ => {}
    }
}

/// `<data>/client/allocs/<id>/`: the allocation's journal.
fn journal_dir(data: &Path, id: &str) -> PathBuf {
    data.join("client").join("allocs").join(id)
}

/// Splits a snapshot into its header and the runner's snapshot.
fn split_snapshot(bytes: &[u8]) -> Result<(Header, &[u8]), String> {
    let len = bytes
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or("the snapshot is too short")? as usize;
    let header = bytes
        .get(4..4 + len)
        .ok_or("the snapshot's header is cut short")?;
    let header: Header =
        serde_json::from_slice(header).map_err(|e| format!("the snapshot's header: {e}"))?;
    Ok((header, bytes.get(4 + len..).unwrap_or(&[])))
}

/// Nomad's allocation directory layout (`client/allocdir/`).
struct Paths {
    alloc_dir: PathBuf,
}

impl Paths {
    fn shared(&self) -> PathBuf {
        self.alloc_dir.join("alloc")
    }
    fn task(&self, task: &str) -> PathBuf {
        self.alloc_dir.join(task)
    }
    fn private(&self, task: &str) -> PathBuf {
        self.task(task).join("private")
    }
    fn log(&self, task: &str, kind: &str) -> PathBuf {
        self.shared().join("logs").join(format!("{task}.{kind}.0"))
    }
    fn build(&self, task: &str) -> std::io::Result<()> {
        for dir in ["data", "logs", "tmp"] {
            std::fs::create_dir_all(self.shared().join(dir))?;
        }
        for dir in ["local", "secrets", "tmp", "private"] {
            std::fs::create_dir_all(self.task(task).join(dir))?;
        }
        Ok(())
    }
}

/// A task's process as the agent knows it.
#[derive(Clone, Copy, Debug)]
struct Proc {
    handle: Handle,
}

enum Msg {
    Request(Request),
    Exited { task: usize, run: u64, exit: Exit },
}

/// Why an input did not go through.
#[derive(Debug)]
enum InputError {
    /// The runner refused it (nothing changed).
    Refused(RunnerError),
    /// The runner took it but the journal could not make it durable: nothing of it is
    /// acknowledged, and the next input is committed as a whole snapshot.
    NotDurable(String),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(e) => write!(f, "{e}"),
            Self::NotDurable(e) => write!(f, "not persisted: {e}"),
        }
    }
}

/// The allocation's actor state.
struct AllocRunner {
    runner: Box<TheRunner>,
    meta: AllocMeta,
    plan: GroupPlan,
    paths: Paths,
    shared: Arc<Shared>,
    procs: Vec<Option<Proc>>,
    runs: Vec<u64>,
    marks: Vec<Mark>,
    events: mpsc::UnboundedSender<Msg>,
    journal: FileJournal,
    /// The time of the latest committed entry or snapshot (`Input::encode`'s `since`).
    since: Now,
    /// A commit failed: the next input is committed as a snapshot (an entry after a
    /// missing one would be replayed on the wrong state).
    snapshot_due: bool,
    /// `RunnerSnapshot::write`'s buffer.
    buf: Vec<u8>,
    /// `Input::encode`'s buffer.
    entry: Vec<u8>,
}

fn job_type(plan: &GroupPlan) -> JobType {
    match plan.job_type.as_str() {
        "batch" => JobType::Batch,
        "system" => JobType::System,
        "sysbatch" => JobType::Sysbatch,
        _ => JobType::Service,
    }
}

fn role(task: &TaskPlan) -> Role {
    let role = match task.hook.as_str() {
        "prestart" => Role::prestart(task.sidecar),
        "poststart" => Role::poststart(task.sidecar),
        "poststop" => Role::poststop(),
        _ => Role::main(),
    };
    role.with_leader(task.leader)
}

fn group_spec(plan: &GroupPlan) -> GroupSpec {
    let mut spec = GroupSpec::new(job_type(plan));
    spec.shutdown_delay = plan.shutdown_delay;
    spec
}

/// A runner for `plan` with its tasks added (not arrived).
fn build_runner(plan: &GroupPlan, meta: &AllocMeta) -> Result<Box<TheRunner>, String> {
    let mut runner = Box::new(TheRunner::new(group_spec(plan)));
    runner.seed_jitter(now_ns() as u64 | 1);
    for task in &plan.tasks {
        let restart = RestartPolicy {
            attempts: task.restart.attempts,
            interval: task.restart.interval,
            delay: task.restart.delay,
            mode: if task.restart.mode == "delay" {
                RestartMode::Delay
            } else {
                RestartMode::Fail
            },
        };
        let mut spec = TaskSpec::new(&task.name, role(task), restart);
        spec.kill_timeout = task.kill_timeout;
        spec.kill_signal = (!task.kill_signal.is_empty()).then_some(task.kill_signal.as_str());
        spec.shutdown_delay = task.shutdown_delay;
        runner
            .add_task(&spec)
            .map_err(|e| format!("task {}: {}", task.name, runner.describe(e)))?;
    }
    runner
        .set_identity(AllocIdentity {
            id: &meta.id,
            eval_id: "",
            name: &meta.name,
            node_id: &meta.node_id,
            job_id: &plan.job_id,
            task_group: &plan.group,
        })
        .map_err(|e| format!("allocation {}: {e}", meta.name))?;
    Ok(runner)
}

/// Checks that `plan` fits a runner (names, capacities), as at submission.
pub fn check_plan(plan: &GroupPlan) -> Result<(), String> {
    let meta = AllocMeta {
        id: "00000000-0000-0000-0000-000000000000".into(),
        name: format!(
            "{}.{}[{}]",
            plan.job_id,
            plan.group,
            plan.count.saturating_sub(1)
        ),
        index: 0,
        node_id: "00000000-0000-0000-0000-000000000000".into(),
    };
    build_runner(plan, &meta).map(|_| ())
}

/// Places a new allocation of `plan` (index `index`) and starts its actor.
pub fn place(
    shared: &Arc<Shared>,
    plan: &GroupPlan,
    index: u32,
    node_id: &str,
) -> Result<String, String> {
    let meta = AllocMeta {
        id: uuid::Uuid::new_v4().to_string(),
        name: format!("{}.{}[{index}]", plan.job_id, plan.group),
        index,
        node_id: node_id.to_string(),
    };
    let mut runner = build_runner(plan, &meta)?;
    let id = meta.id.clone();
    let dir = journal_dir(&shared.data_dir, &id);
    let (journal, _) = FileJournal::open(&dir)
        .map_err(|e| format!("allocation {}: {}: {e}", meta.name, dir.display()))?;
    // Arrival is not an entry: the journal's first snapshot is taken right after it.
    let now = now();
    let step = runner
        .arrive(now)
        .map_err(|e| format!("allocation {}: {e}", meta.name))?;
    let mut actor = AllocRunner::new(shared, runner, meta, plan.clone(), journal);
    let rx = actor.register();
    tracing::info!(alloc = %id, name = %actor.meta.name, "allocation placed");
    actor.log_recorded();
    let durable = actor.snapshot(now);
    if let Err(e) = &durable {
        // Never durable, so never restored: refused rather than run.
        return Err(format!("allocation {}: {e}", actor.meta.name));
    }
    let _ = actor.after_input("arrive", step.commands.to_vec(), durable);
    tokio::spawn(actor.run(rx));
    Ok(id)
}

/// Restores every allocation the data dir holds.
pub fn restore_all(shared: &Arc<Shared>) -> Result<usize, String> {
    let dir = shared.data_dir.join("client").join("allocs");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut count = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        match restore(shared, &path) {
            Ok(()) => count += 1,
            Err(e) => tracing::error!(file = %path.display(), "cannot restore allocation: {e}"),
        }
    }
    Ok(count)
}

/// What the task's files say of its latest process.
enum Found {
    /// No handle: no process was started (or its supervisor never recorded it).
    Nothing,
    /// The supervisor is alive: the task runs (or just exited and is being recorded).
    Live(Handle),
    /// The task exited; its supervisor recorded how.
    Exited(Handle, ExitRecord),
    /// The supervisor is gone without a record of the exit.
    Lost(Handle),
    /// The run's exit was already given to the runner.
    Done(Handle),
}

fn find(private: &Path) -> Found {
    let handle_path = private.join("handle.json");
    // A supervisor that holds its lock but has not written its handle yet (the agent
    // died between starting it and its first line) writes it within moments: waited
    // for, bounded, so that its task is adopted rather than started a second time.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !handle_path.exists() && Instant::now() < deadline {
        match files::try_lock(private) {
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            _ => break,
        }
    }
    let Some(handle) = files::read_json::<Handle>(&handle_path) else {
        return Found::Nothing;
    };
    let exit =
        files::read_json::<ExitRecord>(&private.join("exit.json")).filter(|e| e.run == handle.run);
    match exit {
        Some(exit) => Found::Exited(handle, exit),
        None if files::is_alive(handle.supervisor_pid, handle.supervisor_start) => {
            Found::Live(handle)
        }
        None => {
            // The supervisor died without recording the exit (it was killed): then
            // the exit may still come; look once more.
            match files::read_json::<ExitRecord>(&private.join("exit.json"))
                .filter(|e| e.run == handle.run)
            {
                Some(exit) => Found::Exited(handle, exit),
                None => Found::Lost(handle),
            }
        }
    }
}

/// The runner the journal in `dir` holds (its snapshot restored with every task taken as
/// it was, then the entries after it applied: see docs/journal.md), persisted; with the
/// snapshot's header, the marks moved on by the entries, and the journal to go on with.
fn recover(dir: &Path) -> Result<(Header, Vec<u8>, FileJournal), String> {
    let (journal, found) = FileJournal::open(dir).map_err(|e| e.to_string())?;
    if found.dropped_tail > 0 {
        tracing::warn!(dir = %dir.display(), bytes = found.dropped_tail, "a torn last record of the journal dropped");
    }
    let snapshot = found
        .snapshot
        .ok_or("no snapshot in the journal (the allocation never arrived)")?;
    let (mut header, runner_bytes) = split_snapshot(&snapshot)?;
    header
        .marks
        .resize(header.plan.tasks.len(), Mark::default());
    let mut recorded = Box::new(TheRunner::new(group_spec(&header.plan)));
    let mut gathered = vec![0; runner_bytes.len()];
    let mut glue = RecoveryGlue::new(&mut recorded, &mut gathered);
    let mut since = RunnerSnapshot::time(runner_bytes);
    let fed = glue
        .piece(Piece::Chunk {
            offset: 0,
            bytes: runner_bytes,
        })
        .and_then(|()| {
            found.entries.iter().try_for_each(|entry| {
                let input = Input::decode(entry, since)?;
                since = input.now;
                track(&mut header.marks, &input.what);
                glue.piece(Piece::Entry(entry))
            })
        });
    let error = glue.error();
    let recovery = match (fed, error) {
        (_, Some(e)) => return Err(format!("journal: {e:?}")),
        (Err(e), None) => return Err(format!("journal: {e}")),
        (Ok(()), None) => glue.finish().map_err(|e| format!("journal: {e:?}"))?,
    };
    if recovery.refused > 0 {
        tracing::warn!(dir = %dir.display(), refused = recovery.refused, "journal entries the restored runner refused");
    }
    let mut buf = vec![0; TheRunner::POSTCARD_MAX_SIZE];
    let bytes = recorded
        .persist(&mut buf)
        .map_err(|e| format!("runner: {e}"))?
        .to_vec();
    Ok((header, bytes, journal))
}

fn restore(shared: &Arc<Shared>, dir: &Path) -> Result<(), String> {
    let (header, bytes, journal) = recover(dir)?;
    let plan = header.plan;
    let meta = header.meta;
    let marks = header.marks;
    let mut runner = Box::new(TheRunner::new(group_spec(&plan)));
    let paths = Paths {
        alloc_dir: shared.data_dir.join("alloc").join(&meta.id),
    };
    let found: Vec<Found> = plan
        .tasks
        .iter()
        .zip(&marks)
        .map(|(t, mark)| match find(&paths.private(&t.name)) {
            // That run's exit is recorded already: nothing left to follow.
            Found::Exited(handle, _) | Found::Lost(handle) if handle.run <= mark.exited => {
                Found::Done(handle)
            }
            found => found,
        })
        .collect();
    // Whether the driver has the process of each task, as the runner asks at restore:
    // a run the runner knows started (Running), or a start under way when the agent
    // died (StartInFlight: its process is adopted, not started a second time).
    let mut statuses = vec![RestoreStatus::NotStarted; found.len()];
    let mut awaiting_servers = false;
    let now = now();
    let commands: Vec<Command> = runner
        .restore(now, &bytes, None, |id, restoring| {
            let i = id.index();
            if let Some(status) = statuses.get_mut(i) {
                *status = restoring.status;
            }
            let has = match (restoring.status, found.get(i)) {
                (RestoreStatus::Running, Some(Found::Live(h) | Found::Exited(h, _))) => {
                    h.run <= marks.get(i).map_or(0, |m| m.started)
                }
                (RestoreStatus::StartInFlight, Some(Found::Live(_) | Found::Exited(..))) => true,
                _ => false,
            };
            if restoring.status == RestoreStatus::Running && !has {
                awaiting_servers = true;
            }
            has
        })
        .map_err(|e| format!("runner: {e}"))?
        .commands
        .to_vec();
    runner.seed_jitter(now.wall as u64 | 1);
    let id = meta.id.clone();
    let mut actor = AllocRunner::new(shared, runner, meta, plan, journal);
    actor.marks = marks;
    // Registered first: the watchers attached below report into its inbox.
    let rx = actor.register();
    let mut in_flight = Vec::new();
    for (task, found) in found.into_iter().enumerate() {
        let name = actor.plan.tasks[task].name.clone();
        // Runs count on from the highest the agent knows of, so that a new run never
        // takes the number of one whose exit was already reported (the files of the
        // latest run are gone if the agent died between removing them and the next
        // supervisor's start).
        let mark = actor.marks[task];
        actor.runs[task] = mark.started.max(mark.exited);
        match &found {
            Found::Nothing => {}
            Found::Live(h) | Found::Exited(h, _) | Found::Lost(h) | Found::Done(h) => {
                actor.runs[task] = actor.runs[task].max(h.run);
            }
        }
        let status = statuses[task];
        if let Found::Exited(_, exit) = &found {
            tracing::info!(alloc = %id, task = %name, exit_code = exit.exit_code, signal = exit.signal, "exited while the agent was down");
        }
        match found {
            Found::Live(handle) | Found::Exited(handle, _)
                if matches!(
                    status,
                    RestoreStatus::Running | RestoreStatus::StartInFlight
                ) && actor
                    .runner
                    .place(actor.tid(task))
                    .is_some_and(|p| p.has_process() || matches!(p, Place::Starting { .. })) =>
            {
                tracing::info!(alloc = %id, task = %name, pid = handle.pid, ?status, "reattached");
                // An exit recorded while the agent was down is reported by the watcher
                // at once.
                actor.attach(task, handle);
                if status == RestoreStatus::StartInFlight {
                    in_flight.push(task);
                }
            }
            Found::Lost(handle) => {
                // Its supervisor is gone: a task still alive under that pid and start
                // time would run unsupervised; it is stopped (never a reused pid).
                let _ = files::signal_task(handle.pid, handle.start, libc::SIGKILL);
            }
            Found::Live(handle) => {
                // A process the runner will not follow (the allocation ended meanwhile).
                let _ = files::signal_task(handle.pid, handle.start, libc::SIGKILL);
            }
            _ => {}
        }
    }
    tracing::info!(alloc = %id, name = %actor.meta.name, "allocation restored");
    // A restore is not an entry: the restored runner is the journal's new snapshot.
    let durable = actor.snapshot(now);
    let _ = actor.after_input("restore", commands, durable);
    for task in in_flight {
        // The start under way before the crash: its process runs (or ran).
        let tid = actor.tid(task);
        if let Some(Proc { handle }) = actor.procs[task] {
            let handle = encode_handle(&handle);
            actor.input(
                "handle",
                What::SetHandle {
                    task: tid,
                    handle: &handle,
                },
            );
        }
        actor.input("started", What::Started { task: tid });
    }
    if awaiting_servers {
        // No servers here: a task that could not be reattached starts again at once.
        actor.input("servers contacted", What::ServersContacted);
    }
    tokio::spawn(actor.run(rx));
    Ok(())
}

impl AllocRunner {
    fn new(
        shared: &Arc<Shared>,
        runner: Box<TheRunner>,
        meta: AllocMeta,
        plan: GroupPlan,
        journal: FileJournal,
    ) -> Self {
        let n = plan.tasks.len();
        let (events, _) = mpsc::unbounded_channel();
        Self {
            runner,
            paths: Paths {
                alloc_dir: shared.data_dir.join("alloc").join(&meta.id),
            },
            meta,
            plan,
            shared: Arc::clone(shared),
            procs: vec![None; n],
            runs: vec![0; n],
            marks: vec![Mark::default(); n],
            events,
            journal,
            since: Now::new(0, 0),
            snapshot_due: false,
            buf: vec![0; RunnerSnapshot::max_size::<MAX_TASKS>()],
            entry: vec![0; 256],
        }
    }

    /// Registers the allocation with the HTTP side; returns the actor's inbox.
    fn register(&mut self) -> mpsc::UnboundedReceiver<Msg> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.events = tx.clone();
        let (req_tx, mut req_rx) = mpsc::unbounded_channel::<Request>();
        // Requests from HTTP go into the same inbox as exits.
        tokio::spawn(async move {
            while let Some(request) = req_rx.recv().await {
                if tx.send(Msg::Request(request)).is_err() {
                    break;
                }
            }
        });
        self.shared.insert(
            self.meta.id.clone(),
            Entry {
                snapshot: self.published(),
                requests: req_tx,
            },
        );
        rx
    }

    fn published(&self) -> Snapshot {
        let alloc = self.runner.allocation();
        Snapshot {
            json: Arc::new(serde_json::to_value(alloc).unwrap_or(serde_json::Value::Null)),
            index: alloc.modify_index(),
            job_id: self.plan.job_id.clone(),
            tasks: self.plan.tasks.iter().map(|t| t.name.clone()).collect(),
        }
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Msg>) {
        loop {
            let wake = self.runner.next_wake();
            let sleep = async {
                match wake {
                    Some(at) => {
                        let wait = u64::try_from(at.saturating_sub(mono_ns())).unwrap_or(0);
                        tokio::time::sleep_until(
                            (Instant::now() + Duration::from_nanos(wait)).into(),
                        )
                        .await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(Msg::Exited { task, run, exit }) => self.exited(task, run, exit),
                    Some(Msg::Request(request)) => self.request(request),
                    None => break,
                },
                () = sleep => {
                    // Ticked only once the monotonic clock has passed the deadline (a
                    // time moved forward here would make the next real input go back).
                    if mono_ns() >= wake.unwrap_or(0) {
                        self.input("tick", What::Tick);
                    }
                }
            }
        }
    }

    fn exited(&mut self, task: usize, run: u64, exit: Exit) {
        match self.procs.get(task).copied().flatten() {
            Some(proc) if proc.handle.run == run => {
                self.procs[task] = None;
                let tid = self.tid(task);
                self.input("exited", What::Exited { task: tid, exit });
            }
            _ => {
                // An orphan adopted and ended, or a stale watcher.
                tracing::debug!(task, run, "exit of a process the runner no longer follows");
            }
        }
    }

    fn task_index(&self, name: &str) -> Result<usize, ApiError> {
        self.runner.task_id(name).map(TaskId::index).ok_or_else(|| {
            ApiError::Internal(format!("Could not find task runner for task: {name}"))
        })
    }

    fn request(&mut self, request: Request) {
        match request {
            Request::Restart { task, all, reply } => {
                let target = match (&task, all) {
                    (Some(name), false) => match self.task_index(name) {
                        Ok(i) => RestartTarget::Task(self.tid(i)),
                        Err(e) => {
                            let _ = reply.send(Err(e));
                            return;
                        }
                    },
                    (None, true) => RestartTarget::All,
                    _ => RestartTarget::Running,
                };
                let result = self.try_input(
                    "restart",
                    What::Restart {
                        target,
                        failure: false,
                    },
                );
                let _ = reply.send(result.map_err(refusal));
            }
            Request::Signal {
                task,
                signal,
                reply,
            } => {
                let result = match task {
                    Some(name) => match self.task_index(&name).map(|i| self.tid(i)) {
                        Ok(tid) => self
                            .try_input(
                                "signal",
                                What::Signal {
                                    task: tid,
                                    signal: Some(&signal),
                                },
                            )
                            .map_err(refusal),
                        Err(e) => Err(e),
                    },
                    None => {
                        // Every running task, as Nomad's alloc signal without a task.
                        let running: Vec<usize> = (0..self.plan.tasks.len())
                            .filter(|&i| self.runner.place(self.tid(i)) == Some(Place::Running))
                            .collect();
                        if running.is_empty() {
                            Err(ApiError::Internal("Task not running".into()))
                        } else {
                            let mut result = Ok(());
                            for i in running {
                                let tid = self.tid(i);
                                if let Err(e) = self.try_input(
                                    "signal",
                                    What::Signal {
                                        task: tid,
                                        signal: Some(&signal),
                                    },
                                ) {
                                    result = Err(refusal(e));
                                }
                            }
                            result
                        }
                    }
                };
                let _ = reply.send(result);
            }
            Request::Stop {
                no_shutdown_delay,
                reply,
            } => {
                let result = self.try_input(
                    "stop",
                    What::Stop {
                        status: DesiredStatus::Stop,
                        description: "alloc was stopped by the user",
                        no_shutdown_delay,
                    },
                );
                let result = match result {
                    Ok(()) | Err(InputError::Refused(RunnerError::Stopping)) => {
                        Ok(self.runner.allocation().modify_index())
                    }
                    Err(e) => Err(refusal(e)),
                };
                let _ = reply.send(result);
            }
        }
    }

    /// Gives the runner one input; a refusal is logged (it changes nothing).
    fn input(&mut self, what: &str, input: What<'_>) {
        if let Err(e) = self.try_input(what, input) {
            tracing::warn!(alloc = %self.meta.id, "{what}: {e}");
        }
    }

    /// Gives the runner one input at the current time, commits it to the journal, then
    /// publishes and carries out its commands.
    fn try_input(&mut self, what: &str, input: What<'_>) -> Result<(), InputError> {
        let input = Input::new(now(), input);
        let commands = input
            .apply(&mut self.runner)
            .map_err(InputError::Refused)?
            .commands
            .to_vec();
        track(&mut self.marks, &input.what);
        self.log_recorded();
        let durable = self.commit(&input);
        self.after_input(what, commands, durable)
    }

    /// Publishes (once durable: nothing is acknowledged before), then carries out the
    /// commands of the latest input.
    fn after_input(
        &mut self,
        what: &str,
        commands: Vec<Command>,
        durable: Result<(), String>,
    ) -> Result<(), InputError> {
        match &durable {
            Ok(()) => self.shared.publish(&self.meta.id, self.published()),
            Err(e) => {
                tracing::error!(alloc = %self.meta.id, what, "cannot persist the allocation: {e}")
            }
        }
        tracing::trace!(alloc = %self.meta.id, what, commands = commands.len(), "input");
        for command in commands {
            self.carry_out(command);
        }
        durable.map_err(InputError::NotDurable)
    }

    /// Commits an input the runner took: one entry, appended and synced; every
    /// [`SNAPSHOT_EVERY`] entries (or after a failed commit) a snapshot instead. The
    /// journal's recovery replays the entry on the runner's exact image, so it gives back
    /// the runner as it is now (docs/journal.md).
    fn commit(&mut self, input: &Input<'_>) -> Result<(), String> {
        if self.snapshot_due || self.journal.entries() >= SNAPSHOT_EVERY {
            return self.snapshot(input.now);
        }
        let entry = loop {
            let room = self.entry.len();
            match input.encode(self.since, &mut self.entry) {
                Ok(entry) => break entry.len(),
                Err(JournalError::BufferTooSmall { need }) if need > room => {
                    self.entry.resize(need, 0);
                }
                Err(e) => {
                    self.snapshot_due = true;
                    return Err(e.to_string());
                }
            }
        };
        let result = self.journal.commit(&self.entry[..entry]);
        self.since = input.now;
        result.map_err(|e| {
            self.snapshot_due = true;
            e.to_string()
        })
    }

    /// Commits the whole state as the journal's snapshot (and compacts it), taken at the
    /// time of the latest input.
    fn snapshot(&mut self, now: Now) -> Result<(), String> {
        self.snapshot_due = true;
        let header = Header {
            meta: self.meta.clone(),
            plan: self.plan.clone(),
            marks: self.marks.clone(),
        };
        let mut bytes = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
        let len = u32::try_from(bytes.len()).map_err(|e| e.to_string())?;
        bytes.splice(0..0, len.to_le_bytes());
        let runner = RunnerSnapshot::write(&self.runner, now, &mut self.buf)
            .map_err(|e| format!("runner: {e}"))?;
        bytes.extend_from_slice(runner);
        self.journal.snapshot(&bytes).map_err(|e| e.to_string())?;
        tracing::debug!(alloc = %self.meta.id, bytes = bytes.len(), "journal compacted into a snapshot");
        self.since = now;
        self.snapshot_due = false;
        Ok(())
    }

    fn log_recorded(&self) {
        for (id, event) in self.runner.events() {
            tracing::info!(
                alloc = %self.meta.name,
                task = self.runner.task_name(id),
                "{}: {}",
                event.type_str(),
                event.display_message()
            );
        }
    }

    fn carry_out(&mut self, command: Command) {
        let task = command.task.index();
        let Some(plan) = self.plan.tasks.get(task).cloned() else {
            return;
        };
        match command.action {
            Action::Start => self.start(task, &plan),
            Action::Stop { signal, .. } => {
                // Empty: raw_exec's default, SIGINT (Nomad's executor).
                let number = signal
                    .as_deref()
                    .and_then(signal_number)
                    .unwrap_or(libc::SIGINT);
                self.send(task, number);
            }
            Action::Kill => self.send(task, libc::SIGKILL),
            Action::Signal { signal } => {
                if let Some(number) = signal.as_deref().and_then(signal_number) {
                    self.send(task, number);
                }
            }
        }
    }

    fn send(&mut self, task: usize, signal: i32) {
        let Some(proc) = self.procs.get(task).copied().flatten() else {
            tracing::warn!(alloc = %self.meta.id, task, "no process to signal");
            return;
        };
        if let Err(e) = files::signal_task(proc.handle.pid, proc.handle.start, signal) {
            tracing::debug!(alloc = %self.meta.id, task, "signal {signal} not sent: {e}");
        }
    }

    fn start(&mut self, task: usize, plan: &TaskPlan) {
        let tid = self.tid(task);
        if let Err(e) = self.paths.build(&plan.name) {
            let message = format!("failed to build task directory: {e}");
            self.start_failed(tid, &message);
            return;
        }
        self.input(
            "prestart",
            What::Prestart {
                task: tid,
                step: PrestartStep::TaskDirBuilt,
            },
        );
        if !matches!(self.runner.place(tid), Some(Place::Starting { .. })) {
            return;
        }
        match self.spawn(task, plan) {
            Ok(handle) => {
                self.attach(task, handle);
                let handle = encode_handle(&handle);
                self.input(
                    "handle",
                    What::SetHandle {
                        task: tid,
                        handle: &handle,
                    },
                );
                self.input("started", What::Started { task: tid });
            }
            Err(message) => self.start_failed(tid, &message),
        }
    }

    fn start_failed(&mut self, tid: TaskId, message: &str) {
        self.input(
            "start failed",
            What::StartFailed {
                task: tid,
                error: message,
                recoverable: true,
            },
        );
    }

    /// The runner's id of the task at `index` (the group's order).
    fn tid(&self, index: usize) -> TaskId {
        self.runner
            .task_at(index)
            .or_else(|| self.runner.task_ids().next())
            .expect("a runner with at least one task")
    }

    fn env(&self, plan: &TaskPlan) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        let task_dir = self.paths.task(&plan.name);
        let shared = self.paths.shared();
        for (key, value) in [
            ("NOMAD_ALLOC_ID", self.meta.id.clone()),
            ("NOMAD_ALLOC_NAME", self.meta.name.clone()),
            ("NOMAD_ALLOC_INDEX", self.meta.index.to_string()),
            ("NOMAD_TASK_NAME", plan.name.clone()),
            ("NOMAD_GROUP_NAME", self.plan.group.clone()),
            ("NOMAD_JOB_NAME", self.plan.job_name.clone()),
            ("NOMAD_JOB_ID", self.plan.job_id.clone()),
            ("NOMAD_NAMESPACE", "default".into()),
            ("NOMAD_REGION", "global".into()),
            ("NOMAD_DC", "dc1".into()),
            ("NOMAD_ALLOC_DIR", shared.display().to_string()),
            (
                "NOMAD_TASK_DIR",
                task_dir.join("local").display().to_string(),
            ),
            (
                "NOMAD_SECRETS_DIR",
                task_dir.join("secrets").display().to_string(),
            ),
        ] {
            env.insert(key.to_string(), value);
        }
        for (key, value) in &plan.env {
            env.insert(key.clone(), value.clone());
        }
        env
    }

    /// Starts the task's supervisor and waits for its one line: the task runs, or why not.
    fn spawn(&mut self, task: usize, plan: &TaskPlan) -> Result<Handle, String> {
        let private = self.paths.private(&plan.name);
        // The lock first, handed down to the supervisor: it is held from the fork on, so
        // an agent restarted while this supervisor is still starting waits for its handle
        // instead of starting the task a second time (see `find`).
        let lock = match files::try_lock(&private) {
            Ok(Some(lock)) => lock,
            Ok(None) => return Err("another supervisor runs this task".to_string()),
            Err(e) => return Err(format!("cannot lock the task's private directory: {e}")),
        };
        // The previous run's files go next: the new run writes its own.
        let _ = std::fs::remove_file(private.join("exit.json"));
        let _ = std::fs::remove_file(private.join("handle.json"));
        self.runs[task] += 1;
        let run = self.runs[task];
        let exe =
            std::env::current_exe().map_err(|e| format!("cannot find the agent's binary: {e}"))?;
        let mut process = Process::new(exe);
        process
            .arg("supervise")
            .arg("--private")
            .arg(&private)
            .arg("--run")
            .arg(run.to_string())
            .arg("--cwd")
            .arg(self.paths.task(&plan.name))
            .arg("--stdout")
            .arg(self.paths.log(&plan.name, "stdout"))
            .arg("--stderr")
            .arg(self.paths.log(&plan.name, "stderr"))
            .arg("--lock-fd")
            .arg(LOCK_FD.to_string())
            .arg("--")
            .arg(&plan.command)
            .args(&plan.args)
            .envs(self.env(plan))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // SAFETY: setsid, fcntl and dup2 are async-signal-safe; the supervisor leaves the
        // agent's session so that it outlives the agent and its signals.
        // The lock goes to the supervisor as LOCK_FD, the one descriptor it inherits
        // (dup2 clears close-on-exec on the copy; the agent's own stays close-on-exec, so
        // no other child keeps it).
        let lock_fd = lock.as_raw_fd();
        unsafe {
            process.pre_exec(move || {
                libc::setsid();
                if lock_fd == LOCK_FD {
                    if libc::fcntl(LOCK_FD, libc::F_SETFD, 0) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                } else if libc::dup2(lock_fd, LOCK_FD) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = process
            .spawn()
            .map_err(|e| format!("failed to start the supervisor: {e}"))?;
        // The supervisor holds it now.
        drop(lock);
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let line = line.trim();
        if !line.starts_with(crate::supervisor::STARTED) {
            let _ = child.wait();
            let message = line.strip_prefix("error: ").unwrap_or(line);
            return Err(if message.is_empty() {
                "the supervisor ended without starting the task".to_string()
            } else {
                message.to_string()
            });
        }
        // Not waited on here: its watcher reaps it when its pidfd says it exited.
        drop(child);
        files::read_json::<Handle>(&private.join("handle.json"))
            .filter(|h| h.run == run)
            .ok_or_else(|| "the supervisor recorded no handle".to_string())
    }

    /// Follows the task's supervisor: when it exits, the exit it recorded goes to the
    /// runner.
    fn attach(&mut self, task: usize, handle: Handle) {
        self.procs[task] = Some(Proc { handle });
        let private = self.paths.private(&self.plan.tasks[task].name);
        let events = self.events.clone();
        tokio::spawn(async move {
            let exit = watch_supervisor(handle, &private).await;
            let _ = events.send(Msg::Exited {
                task,
                run: handle.run,
                exit,
            });
        });
    }
}

/// Waits until the supervisor of `handle` exits, then reads the exit it recorded.
async fn watch_supervisor(handle: Handle, private: &Path) -> Exit {
    if let Ok(fd) = files::open_verified(handle.supervisor_pid, handle.supervisor_start) {
        // SAFETY: the pidfd is owned by the AsyncFd alone, which closes it when dropped,
        // after tokio deregisters it.
        if let Ok(fd) = unsafe { AsyncFd::register(fd) } {
            // A pidfd turns readable when its process exits.
            let _ = fd.readable().await;
        }
    }
    files::reap(handle.supervisor_pid);
    match files::read_json::<ExitRecord>(&private.join("exit.json")).filter(|e| e.run == handle.run)
    {
        Some(exit) if exit.signal != 0 => Exit::signal(exit.exit_code, exit.signal),
        Some(exit) => Exit::code(exit.exit_code),
        None => {
            // The supervisor died without recording the exit (containerd reports such a
            // task exited with 255): the task, if still there, is stopped.
            let _ = files::signal_task(handle.pid, handle.start, libc::SIGKILL);
            Exit::code(255)
        }
    }
}

/// A refused or not persisted input as Nomad's HTTP answer.
fn refusal(error: InputError) -> ApiError {
    let error = match error {
        InputError::Refused(error) => error,
        InputError::NotDurable(e) => {
            return ApiError::Internal(format!("cannot persist the allocation: {e}"))
        }
    };
    match error {
        RunnerError::NotRunning { .. } | RunnerError::NothingRunning => {
            ApiError::Internal("Task not running".into())
        }
        RunnerError::SignalTooLong { .. } => ApiError::BadRequest(format!("Signal: {error}")),
        RunnerError::Stopping => ApiError::Internal("Allocation is stopping".into()),
        other => ApiError::Internal(other.to_string()),
    }
}
