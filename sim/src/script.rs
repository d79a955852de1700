//! A scenario as the playing loop ([`crate::play`]) reads it ([`Digest`]), in `core`
//! only: the group's tasks, what each start of a task does, the requests. The digests a
//! build script writes for the target are statics of it; a scenario read on the host
//! (`crate::scenario`, with `std`) lends one.

use allocstate::restart::JobType;
use allocstate::runner::{GroupSpec, Runner, RunnerError, TaskSpec};
use allocstate::DesiredStatus;

use crate::play::TASKS;

/// One task of the group: what the runner is told, and whether the job lists
/// `Artifacts` for it (then each start downloads them until a download succeeds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskDef<'a> {
    /// The task as the runner is told it.
    pub spec: TaskSpec<'a>,
    /// The job lists `Artifacts` for the task.
    pub artifacts: bool,
}

/// What one start of a task does; `T` is its text (owned on the host, `&str` here).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Run<T> {
    /// The process exits by itself.
    Exit {
        /// Its exit code.
        code: i32,
        /// Nanoseconds after the start.
        after: i64,
        /// The signal that ended it (0: none).
        signal: i32,
        /// The kernel's OOM killer ended it.
        oom: bool,
    },
    /// The process runs until it is stopped.
    UntilStopped {
        /// Nanoseconds from a stop to its exit.
        stop_takes: i64,
    },
    /// The driver fails to start the task (`Driver Failure`).
    StartError {
        /// The driver's error.
        text: T,
        /// Whether the failure is recoverable (the restart policy applies).
        recoverable: bool,
    },
    /// A prestart hook fails (`Task hook failed`).
    PrestartError {
        /// The hook's error.
        text: T,
        /// Whether the failure is recoverable (the restart policy applies).
        recoverable: bool,
    },
    /// The artifact download fails (`Failed Artifact Download`).
    ArtifactError {
        /// The download's error.
        text: T,
    },
    /// A prestart hook (Vault, template) kills the task: `Killing` that fails it.
    HookKill {
        /// The hook's message.
        text: T,
    },
    /// The driver acknowledges the start `takes` ns after the command (start latency);
    /// then the process runs until stopped, exiting `stop_takes` after a stop.
    SlowStart {
        /// Nanoseconds from the start command to its acknowledgement.
        takes: i64,
        /// Nanoseconds from a stop to its exit.
        stop_takes: i64,
    },
    /// The process exits with `code` at once, and the exit is reported before the
    /// start's acknowledgement (which never comes).
    ExitBeforeAck {
        /// Its exit code.
        code: i32,
    },
    /// The process ignores its stop and survives the force-kill: the driver reports the
    /// kill failed.
    SurvivesKill,
}

/// A start whose prestart work blocks first (a Vault token, a template's data not
/// ready): for `blocks` ns (`None`: until stopped), recording `Template` with
/// `template` if given; then the start does its [`Run`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Block<T> {
    /// Nanoseconds the prestart work blocks (`None`: until the task is stopped).
    pub blocks: Option<i64>,
    /// The template hook's message, recorded as `Template` while it blocks.
    pub template: Option<T>,
}

impl<T: AsRef<str>> Block<T> {
    /// The same, its text borrowed.
    pub fn borrowed(&self) -> Block<&str> {
        Block {
            blocks: self.blocks,
            template: self.template.as_ref().map(AsRef::as_ref),
        }
    }
}

impl<T: AsRef<str>> Run<T> {
    /// The same, its text borrowed.
    pub fn borrowed(&self) -> Run<&str> {
        match self {
            Run::Exit {
                code,
                after,
                signal,
                oom,
            } => Run::Exit {
                code: *code,
                after: *after,
                signal: *signal,
                oom: *oom,
            },
            Run::UntilStopped { stop_takes } => Run::UntilStopped {
                stop_takes: *stop_takes,
            },
            Run::StartError { text, recoverable } => Run::StartError {
                text: text.as_ref(),
                recoverable: *recoverable,
            },
            Run::PrestartError { text, recoverable } => Run::PrestartError {
                text: text.as_ref(),
                recoverable: *recoverable,
            },
            Run::ArtifactError { text } => Run::ArtifactError {
                text: text.as_ref(),
            },
            Run::HookKill { text } => Run::HookKill {
                text: text.as_ref(),
            },
            Run::SlowStart { takes, stop_takes } => Run::SlowStart {
                takes: *takes,
                stop_takes: *stop_takes,
            },
            Run::ExitBeforeAck { code } => Run::ExitBeforeAck { code: *code },
            Run::SurvivesKill => Run::SurvivesKill,
        }
    }
}

/// A request of the scenario; `T` is a name (owned on the host, `&str` here).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Request<T> {
    /// The server sets the allocation's desired status (stop, evict).
    Desired {
        /// The desired status.
        status: DesiredStatus,
        /// The stop skips the shutdown delays.
        no_shutdown_delay: bool,
    },
    /// A restart request.
    Restart {
        /// A task's name, `running` or `all`.
        target: T,
        /// The restart counts as a failure.
        failure: bool,
    },
    /// A signal to a task.
    Signal {
        /// The task's name.
        task: T,
        /// The signal's name (empty: the task's kill signal).
        name: T,
    },
    /// The agent restarts; which tasks' drivers reattach: [`Digest::reattaches`].
    AgentRestart {
        /// The desired status the server gives the restored allocation, if any.
        desired: Option<DesiredStatus>,
    },
    /// The client reconnects after a disconnect: `Reconnected` on every task.
    Reconnect,
    /// An allocation update no longer has this task.
    UpdateDrops {
        /// The task's name.
        task: T,
    },
    /// The wall clock steps by `by` ns (NTP; negative: back): event times move, the
    /// runner's timers (on the monotonic clock) do not.
    WallStep {
        /// Nanoseconds the wall clock moves.
        by: i64,
    },
}

impl<T: AsRef<str>> Request<T> {
    /// The same, its names borrowed.
    pub fn borrowed(&self) -> Request<&str> {
        match self {
            Request::Desired {
                status,
                no_shutdown_delay,
            } => Request::Desired {
                status: *status,
                no_shutdown_delay: *no_shutdown_delay,
            },
            Request::Restart { target, failure } => Request::Restart {
                target: target.as_ref(),
                failure: *failure,
            },
            Request::Signal { task, name } => Request::Signal {
                task: task.as_ref(),
                name: name.as_ref(),
            },
            Request::AgentRestart { desired } => Request::AgentRestart { desired: *desired },
            Request::Reconnect => Request::Reconnect,
            Request::UpdateDrops { task } => Request::UpdateDrops {
                task: task.as_ref(),
            },
            Request::WallStep { by } => Request::WallStep { by: *by },
        }
    }
}

/// What a scenario says of its allocation and group, before any task.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    /// The job's ID.
    pub job_id: &'a str,
    /// The task group's name.
    pub group: &'a str,
    /// The job's type.
    pub job_type: JobType,
    /// The group's `shutdown_delay` (ns).
    pub group_shutdown_delay: i64,
    /// The group's `max_run_duration` (0: none).
    pub max_run_duration: i64,
    /// The desired status when the allocation arrives (already stopped: it never runs).
    pub desired_at_arrival: Option<DesiredStatus>,
    /// An allocation prerun hook fails with this error before any task starts.
    pub setup_failure: Option<&'a str>,
    /// Unix ns when the allocation arrives.
    pub start: i64,
}

/// One scripted start: whether its prestart work blocks first, then what it does.
pub type Scripted<T> = (Option<Block<T>>, Run<T>);

/// A scenario as the player reads it, borrowed: from the statics a build script wrote for
/// the target (the target has no JSON reader to spare), or lent by a scenario read on the
/// host (`scenario::Lent`, with `std`).
#[derive(Debug, Clone, Copy)]
pub struct Digest<'a> {
    /// The allocation and group.
    pub header: Header<'a>,
    /// The group's tasks.
    pub tasks: &'a [TaskDef<'a>],
    /// Every scripted start with its task's index; a task's starts play in this order,
    /// its last one repeating.
    pub runs: &'a [(usize, Scripted<&'a str>)],
    /// Each request at its time after the start (ns).
    pub requests: &'a [(i64, Request<&'a str>)],
    /// The agent restarts' `Reattach` lists: the request's index, a task's name, whether
    /// it reattaches.
    pub reattach: &'a [(usize, &'a str, bool)],
}

impl<'a> Digest<'a> {
    /// The allocation and group.
    pub fn header(&self) -> Header<'a> {
        self.header
    }

    /// How many tasks the group has.
    pub fn task_count(&self) -> usize {
        self.tasks.len()
    }

    /// Task `index` of the group.
    pub fn task(&self, index: usize) -> Option<TaskDef<'a>> {
        self.tasks.get(index).copied()
    }

    /// Task `index`'s scripted starts, in order.
    fn starts(&self, index: usize) -> impl Iterator<Item = &'a Scripted<&'a str>> {
        let runs: &'a [(usize, Scripted<&'a str>)] = self.runs;
        runs.iter()
            .filter(move |(task, _)| *task == index)
            .map(|(_, scripted)| scripted)
    }

    /// How many scripted starts task `index` has (they play in order, the last repeats).
    pub fn runs(&self, index: usize) -> usize {
        self.starts(index).count()
    }

    /// What scripted start `start` of task `index` does.
    pub fn run(&self, index: usize, start: usize) -> Option<Run<&'a str>> {
        self.starts(index).nth(start).map(|(_, run)| *run)
    }

    /// Whether scripted start `start` of task `index` blocks in its prestart work first.
    pub fn block(&self, index: usize, start: usize) -> Option<Block<&'a str>> {
        self.starts(index).nth(start)?.0
    }

    /// How many requests the scenario makes.
    pub fn request_count(&self) -> usize {
        self.requests.len()
    }

    /// Request `index`: its time after the start, and what it asks.
    pub fn request(&self, index: usize) -> Option<(i64, Request<&'a str>)> {
        self.requests.get(index).copied()
    }

    /// Whether agent restart `request` lists task `task` as reattaching (`None`: not
    /// listed, it reattaches).
    pub fn reattaches(&self, request: usize, task: &str) -> Option<bool> {
        self.reattach
            .iter()
            .find(|(r, name, _)| *r == request && *name == task)
            .map(|&(_, _, reattaches)| reattaches)
    }
}

/// The runner's group as the scenario describes it.
pub fn group_of(script: &Digest<'_>) -> GroupSpec {
    let header = script.header();
    GroupSpec {
        shutdown_delay: header.group_shutdown_delay,
        max_run_duration: header.max_run_duration,
        ..GroupSpec::new(header.job_type)
    }
}

/// Adds the scenario's tasks to a fresh runner; `Err` names the task refused.
pub fn add_tasks(
    script: &Digest<'_>,
    runner: &mut Runner<TASKS>,
) -> Result<(), (usize, RunnerError)> {
    for i in 0..script.task_count() {
        if let Some(t) = script.task(i) {
            runner.add_task(&t.spec).map_err(|e| (i, e))?;
        }
    }
    Ok(())
}
