//! Reading a simulation scenario: Nomad's job JSON names, unknown fields of the job
//! ignored; a malformed field, an unknown top-level field, a negative time or a request
//! naming no task is an error that names the field.

use std::collections::BTreeMap;
use std::path::PathBuf;

use allocstate::restart::{JobType, RestartMode, RestartPolicy};
use allocstate::runner::TaskSpec;
use allocstate::{DesiredStatus, Role};
use serde_json::{Map, Value};

use crate::script::{self, Digest, Header, Scripted, TaskDef};

/// The directory of the runner scenario files (`sim/scenarios/`): the sequences Nomad's
/// task runner, alloc runner and coordinator tests assert, each with its `Expect`.
pub const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");

/// The scenario files (`*.json`) of [`DIR`], sorted by name.
pub fn files() -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(DIR)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

const SEC: i64 = 1_000_000_000;
const MIN: i64 = 60 * SEC;

/// One task of the group.
#[derive(Debug, Clone)]
pub struct Task {
    /// `Name`.
    pub name: String,
    /// `Leader` and `Lifecycle`.
    pub role: Role,
    /// The task's `RestartPolicy` over the group's, over the job type's default.
    pub restart: RestartPolicy,
    /// `KillTimeout` (ns).
    pub kill_timeout: i64,
    /// `KillSignal` (empty: the driver's default).
    pub kill_signal: String,
    /// `ShutdownDelay` (ns).
    pub shutdown_delay: i64,
    /// The task lists `Artifacts`.
    pub artifacts: bool,
}

/// What one start of a task does (the text owned).
pub type Run = script::Run<String>;

/// A start's blocking prestart work (the text owned).
pub type Block = script::Block<String>;

/// One scripted start: whether its prestart work blocks first, then what it does.
#[derive(Debug, Clone)]
pub struct Start {
    /// Its prestart work blocks first (`Blocks`, `Template`).
    pub block: Option<Block>,
    /// What it does then.
    pub run: Run,
}

/// A request (the names owned).
pub type Request = script::Request<String>;

/// Which tasks' drivers an agent restart lists as reattaching, or not.
pub type Reattach = BTreeMap<String, bool>;

/// A scenario as read from its JSON ([`parse`]); the player reads it through a
/// [`Lent`] digest.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `Job.ID`.
    pub job_id: String,
    /// `Job.Type`.
    pub job_type: JobType,
    /// The group's `Name`.
    pub group: String,
    /// The group's `ShutdownDelay` (ns).
    pub group_shutdown_delay: i64,
    /// `MaxRunDuration` (ns; the group's, else the job's; 0: none).
    pub max_run_duration: i64,
    /// The group's tasks.
    pub tasks: Vec<Task>,
    /// The desired status when the allocation arrives (already stopped: it never runs).
    pub desired_at_arrival: Option<DesiredStatus>,
    /// An allocation prerun hook fails with this error before any task starts.
    pub setup_failure: Option<String>,
    /// `Start`: unix ns when the allocation arrives.
    pub start: i64,
    /// `Runs`: per task's name, its scripted starts.
    pub runs: BTreeMap<String, Vec<Start>>,
    /// Each request at its time after the start, with its `Reattach` list (empty but
    /// for an agent restart).
    pub requests: Vec<(i64, Request, Reattach)>,
}

/// A scenario lent to the player as a [`Digest`]: its header, tasks, scripted starts,
/// requests and reattach lists, borrowed from the [`Scenario`].
#[derive(Debug, Clone)]
pub struct Lent<'s> {
    header: Header<'s>,
    tasks: Vec<TaskDef<'s>>,
    runs: Vec<(usize, Scripted<&'s str>)>,
    requests: Vec<(i64, script::Request<&'s str>)>,
    reattach: Vec<(usize, &'s str, bool)>,
}

impl<'s> Lent<'s> {
    /// What `scenario` lends: each task's starts in order, each request's reattach list.
    pub fn of(scenario: &'s Scenario) -> Lent<'s> {
        let header = Header {
            job_id: &scenario.job_id,
            group: &scenario.group,
            job_type: scenario.job_type,
            group_shutdown_delay: scenario.group_shutdown_delay,
            max_run_duration: scenario.max_run_duration,
            desired_at_arrival: scenario.desired_at_arrival,
            setup_failure: scenario.setup_failure.as_deref(),
            start: scenario.start,
        };
        let tasks = scenario
            .tasks
            .iter()
            .map(|t| TaskDef {
                spec: TaskSpec {
                    name: &t.name,
                    role: t.role,
                    restart: t.restart,
                    kill_timeout: t.kill_timeout,
                    kill_signal: (!t.kill_signal.is_empty()).then_some(t.kill_signal.as_str()),
                    shutdown_delay: t.shutdown_delay,
                },
                artifacts: t.artifacts,
            })
            .collect();
        let runs = scenario
            .tasks
            .iter()
            .enumerate()
            .flat_map(|(index, t)| {
                let starts = scenario.runs.get(&t.name).into_iter().flatten();
                starts.map(move |s| {
                    (
                        index,
                        (s.block.as_ref().map(Block::borrowed), s.run.borrowed()),
                    )
                })
            })
            .collect();
        let requests = scenario
            .requests
            .iter()
            .map(|(at, request, _)| (*at, request.borrowed()))
            .collect();
        let reattach = scenario
            .requests
            .iter()
            .enumerate()
            .flat_map(|(index, (_, _, list))| {
                list.iter()
                    .map(move |(name, reattaches)| (index, name.as_str(), *reattaches))
            })
            .collect();
        Lent {
            header,
            tasks,
            runs,
            requests,
            reattach,
        }
    }

    /// The digest the player reads.
    pub fn digest(&self) -> Digest<'_> {
        Digest {
            header: self.header,
            tasks: &self.tasks,
            runs: &self.runs,
            requests: &self.requests,
            reattach: &self.reattach,
        }
    }
}

type Res<T> = Result<T, String>;

fn obj<'a>(v: &'a Value, path: &str) -> Res<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| format!("{path}: expected an object"))
}

fn opt<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

/// Field `key` of `o` (absent or null: `None`), read by `get`; a value `get` does not
/// take is an error naming the field and what was `expected`.
fn field<T>(
    o: &Map<String, Value>,
    key: &str,
    path: &str,
    get: impl FnOnce(&Value) -> Option<T>,
    expected: &str,
) -> Res<Option<T>> {
    opt(o, key)
        .map(|v| get(v).ok_or_else(|| format!("{path}.{key}: expected {expected}")))
        .transpose()
}

fn num(o: &Map<String, Value>, key: &str, path: &str) -> Res<Option<i64>> {
    let integer = |v: &Value| {
        v.as_i64().or_else(|| {
            v.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                .map(|f| f as i64)
        })
    };
    field(o, key, path, integer, "an integer number")
}

fn boolean(o: &Map<String, Value>, key: &str, path: &str) -> Res<Option<bool>> {
    field(o, key, path, Value::as_bool, "true or false")
}

fn text(o: &Map<String, Value>, key: &str, path: &str) -> Res<Option<String>> {
    field(o, key, path, |v| v.as_str().map(str::to_string), "a string")
}

/// A time or duration that cannot be negative (nanoseconds).
fn nanos(o: &Map<String, Value>, key: &str, path: &str) -> Res<Option<i64>> {
    match num(o, key, path)? {
        Some(n) if n < 0 => Err(format!(
            "{path}.{key}: expected 0 or more nanoseconds, got {n}"
        )),
        n => Ok(n),
    }
}

/// The scenario's top-level fields: the harness reads the first six; `Source` (where the
/// sequence comes from) and `Expect` (what the tests compare with) are for the scenario
/// files under [`DIR`].
const TOP_LEVEL: [&str; 8] = [
    "Job",
    "Start",
    "Runs",
    "Requests",
    "Desired",
    "SetupFailure",
    "Source",
    "Expect",
];

fn required<T>(value: Option<T>, path: &str, key: &str) -> Res<T> {
    value.ok_or_else(|| format!("{path}.{key}: missing"))
}

/// Nomad's default restart policy for the job type (`structs.NewRestartPolicy`).
fn default_policy(job: JobType) -> RestartPolicy {
    match job {
        JobType::Service | JobType::System => RestartPolicy {
            attempts: 2,
            interval: 30 * MIN,
            delay: 15 * SEC,
            mode: RestartMode::Fail,
        },
        JobType::Batch | JobType::Sysbatch => RestartPolicy {
            attempts: 3,
            interval: 24 * 60 * MIN,
            delay: 15 * SEC,
            mode: RestartMode::Fail,
        },
    }
}

fn policy(v: &Value, path: &str, base: RestartPolicy) -> Res<RestartPolicy> {
    let o = obj(v, path)?;
    let attempts = match num(o, "Attempts", path)? {
        None => base.attempts,
        Some(n) => {
            u32::try_from(n).map_err(|_| format!("{path}.Attempts: expected 0 to 4294967295"))?
        }
    };
    let mode = match text(o, "Mode", path)?.as_deref() {
        None => base.mode,
        Some("fail") => RestartMode::Fail,
        Some("delay") => RestartMode::Delay,
        Some(other) => {
            return Err(format!(
                "{path}.Mode: expected \"fail\" or \"delay\", got {other:?}"
            ))
        }
    };
    Ok(RestartPolicy {
        attempts,
        interval: num(o, "Interval", path)?.unwrap_or(base.interval),
        delay: num(o, "Delay", path)?.unwrap_or(base.delay),
        mode,
    })
}

fn task(v: &Value, path: &str, group_policy: RestartPolicy) -> Res<Task> {
    let o = obj(v, path)?;
    let name = required(text(o, "Name", path)?, path, "Name")?;
    let leader = boolean(o, "Leader", path)?.unwrap_or(false);
    let role = match opt(o, "Lifecycle") {
        None => Role::main(),
        Some(l) => {
            let lp = format!("{path}.Lifecycle");
            let lo = obj(l, &lp)?;
            let sidecar = boolean(lo, "Sidecar", &lp)?.unwrap_or(false);
            match text(lo, "Hook", &lp)?.as_deref() {
                Some("prestart") => Role::prestart(sidecar),
                Some("poststart") => Role::poststart(sidecar),
                Some("poststop") => Role::poststop(),
                None | Some("") => Role::main(),
                Some(other) => {
                    return Err(format!("{lp}.Hook: expected \"prestart\", \"poststart\" or \"poststop\", got {other:?}"))
                }
            }
        }
    }
    .with_leader(leader);
    let restart = match opt(o, "RestartPolicy") {
        None => group_policy,
        Some(p) => policy(p, &format!("{path}.RestartPolicy"), group_policy)?,
    };
    let artifacts = match opt(o, "Artifacts") {
        None => false,
        Some(Value::Array(list)) => !list.is_empty(),
        Some(_) => return Err(format!("{path}.Artifacts: expected a list")),
    };
    Ok(Task {
        name,
        role,
        restart,
        kill_timeout: num(o, "KillTimeout", path)?.unwrap_or(allocstate::DEFAULT_KILL_TIMEOUT),
        kill_signal: text(o, "KillSignal", path)?.unwrap_or_default(),
        shutdown_delay: num(o, "ShutdownDelay", path)?.unwrap_or(0),
        artifacts,
    })
}

fn run(v: &Value, path: &str) -> Res<Start> {
    let o = obj(v, path)?;
    let blocks = match opt(o, "Blocks") {
        None => None,
        Some(Value::Bool(true)) => Some(None),
        Some(_) => Some(Some(required(nanos(o, "Blocks", path)?, path, "Blocks")?)),
    };
    let template = text(o, "Template", path)?;
    if blocks.is_none() && template.is_some() {
        return Err(format!("{path}.Template: only with Blocks"));
    }
    let run = match blocks {
        Some(None) => Run::UntilStopped { stop_takes: 0 },
        _ => run_kind(o, path, blocks.is_some())?,
    };
    let block = blocks.map(|blocks| Block { blocks, template });
    Ok(Start { block, run })
}

/// What a start does once its prestart work is done (`blocked`: it blocked first, so
/// no kind given means it then runs until stopped).
fn run_kind(o: &Map<String, Value>, path: &str, blocked: bool) -> Res<Run> {
    if let Some(code) = num(o, "Exit", path)? {
        let code =
            i32::try_from(code).map_err(|_| format!("{path}.Exit: expected a 32-bit exit code"))?;
        let signal = num(o, "Signal", path)?.unwrap_or(0);
        let signal = i32::try_from(signal)
            .map_err(|_| format!("{path}.Signal: expected a 32-bit signal"))?;
        return Ok(Run::Exit {
            code,
            after: required(nanos(o, "After", path)?, path, "After")?,
            signal,
            oom: boolean(o, "OOMKilled", path)?.unwrap_or(false),
        });
    }
    if let Some(takes) = num(o, "StartTakes", path)? {
        return Ok(Run::SlowStart {
            takes,
            stop_takes: num(o, "StopTakes", path)?.unwrap_or(0),
        });
    }
    if let Some(code) = num(o, "ExitBeforeAck", path)? {
        let code = i32::try_from(code)
            .map_err(|_| format!("{path}.ExitBeforeAck: expected a 32-bit exit code"))?;
        return Ok(Run::ExitBeforeAck { code });
    }
    if boolean(o, "SurvivesKill", path)? == Some(true) {
        return Ok(Run::SurvivesKill);
    }
    if boolean(o, "UntilStopped", path)? == Some(true) {
        return Ok(Run::UntilStopped {
            stop_takes: nanos(o, "StopTakes", path)?.unwrap_or(0),
        });
    }
    let recoverable = boolean(o, "Recoverable", path)?;
    if let Some(text_) = text(o, "StartError", path)? {
        return Ok(Run::StartError {
            text: text_,
            recoverable: recoverable.unwrap_or(false),
        });
    }
    if let Some(text_) = text(o, "PrestartError", path)? {
        return Ok(Run::PrestartError {
            text: text_,
            recoverable: recoverable.unwrap_or(false),
        });
    }
    if let Some(text_) = text(o, "ArtifactError", path)? {
        return Ok(Run::ArtifactError { text: text_ });
    }
    if let Some(text_) = text(o, "HookKill", path)? {
        return Ok(Run::HookKill { text: text_ });
    }
    if blocked {
        return Ok(Run::UntilStopped { stop_takes: 0 });
    }
    Err(format!(
        "{path}: expected one of Exit, UntilStopped, StartError, PrestartError, ArtifactError, HookKill, Blocks"
    ))
}

fn desired(o: &Map<String, Value>, path: &str) -> Res<Option<DesiredStatus>> {
    match text(o, "Desired", path)?.as_deref() {
        None => Ok(None),
        Some("stop") => Ok(Some(DesiredStatus::Stop)),
        Some("evict") => Ok(Some(DesiredStatus::Evict)),
        Some(other) => Err(format!(
            "{path}.Desired: expected \"stop\" or \"evict\", got {other:?}"
        )),
    }
}

/// `name` is one of `tasks`, or the error names `path`.
fn known_task(tasks: &[Task], name: &str, path: &str) -> Res<()> {
    if tasks.iter().any(|t| t.name == name) {
        Ok(())
    } else {
        Err(format!("{path}: no task named {name:?}"))
    }
}

fn request(v: &Value, path: &str, tasks: &[Task]) -> Res<(i64, Request, Reattach)> {
    let o = obj(v, path)?;
    let at = required(nanos(o, "At", path)?, path, "At")?;
    if boolean(o, "AgentRestart", path)? == Some(true) {
        let mut reattach = BTreeMap::new();
        if let Some(r) = opt(o, "Reattach") {
            let rp = format!("{path}.Reattach");
            for (name, flag) in obj(r, &rp)? {
                let flag = flag
                    .as_bool()
                    .ok_or_else(|| format!("{rp}.{name}: expected true or false"))?;
                known_task(tasks, name, &format!("{rp}.{name}"))?;
                reattach.insert(name.clone(), flag);
            }
        }
        let desired = desired(o, path)?;
        return Ok((at, Request::AgentRestart { desired }, reattach));
    }
    if let Some(status) = desired(o, path)? {
        let no_shutdown_delay = boolean(o, "NoShutdownDelay", path)?.unwrap_or(false);
        let request = Request::Desired {
            status,
            no_shutdown_delay,
        };
        return Ok((at, request, Reattach::new()));
    }
    if let Some(target) = text(o, "Restart", path)? {
        if target != "running" && target != "all" {
            known_task(tasks, &target, &format!("{path}.Restart"))?;
        }
        let failure = boolean(o, "Failure", path)?.unwrap_or(false);
        return Ok((at, Request::Restart { target, failure }, Reattach::new()));
    }
    if let Some(task) = text(o, "Signal", path)? {
        known_task(tasks, &task, &format!("{path}.Signal"))?;
        let name = required(text(o, "Name", path)?, path, "Name")?;
        return Ok((at, Request::Signal { task, name }, Reattach::new()));
    }
    if let Some(by) = num(o, "WallStep", path)? {
        return Ok((at, Request::WallStep { by }, Reattach::new()));
    }
    if boolean(o, "Reconnect", path)? == Some(true) {
        return Ok((at, Request::Reconnect, Reattach::new()));
    }
    if let Some(task) = text(o, "UpdateDrops", path)? {
        known_task(tasks, &task, &format!("{path}.UpdateDrops"))?;
        return Ok((at, Request::UpdateDrops { task }, Reattach::new()));
    }
    Err(format!(
        "{path}: expected one of Desired, Restart, Signal, AgentRestart, Reconnect, UpdateDrops, WallStep"
    ))
}

/// Reads a scenario from its JSON text.
pub fn parse(input: &str) -> Res<Scenario> {
    let root: Value = serde_json::from_str(input).map_err(|e| format!("input: not JSON: {e}"))?;
    let root = obj(&root, "input")?;
    if let Some(key) = root.keys().find(|key| !TOP_LEVEL.contains(&key.as_str())) {
        return Err(format!(
            "input.{key}: unknown field; expected one of {}",
            TOP_LEVEL.join(", ")
        ));
    }
    let job = obj(required(opt(root, "Job"), "input", "Job")?, "Job")?;
    let job_type = match text(job, "Type", "Job")?.as_deref() {
        None | Some("service") => JobType::Service,
        Some("batch") => JobType::Batch,
        Some("system") => JobType::System,
        Some("sysbatch") => JobType::Sysbatch,
        Some(other) => {
            return Err(format!(
                "Job.Type: expected service, batch, system or sysbatch, got {other:?}"
            ))
        }
    };
    let job_id = text(job, "ID", "Job")?
        .or(text(job, "Name", "Job")?)
        .unwrap_or_else(|| "example".into());
    let groups = required(opt(job, "TaskGroups"), "Job", "TaskGroups")?
        .as_array()
        .ok_or("Job.TaskGroups: expected a list")?;
    let [group] = groups.as_slice() else {
        return Err(format!(
            "Job.TaskGroups: expected exactly one group, got {}",
            groups.len()
        ));
    };
    let gp = "Job.TaskGroups[0]";
    let go = obj(group, gp)?;
    let group_policy = match opt(go, "RestartPolicy") {
        None => default_policy(job_type),
        Some(p) => policy(p, &format!("{gp}.RestartPolicy"), default_policy(job_type))?,
    };
    let tasks_v = required(opt(go, "Tasks"), gp, "Tasks")?
        .as_array()
        .ok_or_else(|| format!("{gp}.Tasks: expected a list"))?;
    let mut tasks = Vec::new();
    for (i, t) in tasks_v.iter().enumerate() {
        let t = task(t, &format!("{gp}.Tasks[{i}]"), group_policy)?;
        if tasks.iter().any(|o: &Task| o.name == t.name) {
            return Err(format!(
                "{gp}.Tasks[{i}].Name: duplicate task name {:?}",
                t.name
            ));
        }
        tasks.push(t);
    }
    if tasks.is_empty() {
        return Err(format!("{gp}.Tasks: expected at least one task"));
    }
    let mut runs = BTreeMap::new();
    if let Some(r) = opt(root, "Runs") {
        for (name, list) in obj(r, "Runs")? {
            let path = format!("Runs.{name}");
            if !tasks.iter().any(|t| &t.name == name) {
                return Err(format!("{path}: no task named {name:?}"));
            }
            let list = list
                .as_array()
                .ok_or_else(|| format!("{path}: expected a list"))?;
            let parsed: Res<Vec<Start>> = list
                .iter()
                .enumerate()
                .map(|(i, v)| run(v, &format!("{path}[{i}]")))
                .collect();
            runs.insert(name.clone(), parsed?);
        }
    }
    let mut requests = Vec::new();
    if let Some(r) = opt(root, "Requests") {
        let list = r.as_array().ok_or("Requests: expected a list")?;
        for (i, v) in list.iter().enumerate() {
            requests.push(request(v, &format!("Requests[{i}]"), &tasks)?);
        }
    }
    Ok(Scenario {
        job_id,
        job_type,
        group: text(go, "Name", gp)?.unwrap_or_else(|| "group".into()),
        group_shutdown_delay: num(go, "ShutdownDelay", gp)?.unwrap_or(0),
        max_run_duration: match num(go, "MaxRunDuration", gp)? {
            Some(d) => d,
            None => num(job, "MaxRunDuration", "Job")?.unwrap_or(0),
        },
        tasks,
        desired_at_arrival: desired(root, "input")?,
        setup_failure: text(root, "SetupFailure", "input")?,
        start: required(num(root, "Start", "input")?, "input", "Start")?,
        runs,
        requests,
    })
}
