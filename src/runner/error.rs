//! Why the runner refused an input. A refused input changes nothing.

use core::fmt;

use crate::allocation::AllocationError;

use super::TaskId;

/// A field of a [`TaskSpec`](super::TaskSpec) or [`GroupSpec`](super::GroupSpec) that
/// Nomad's job validation refuses (`nomad/structs/structs.go`: `Task.Validate`,
/// `TaskGroup.Validate`, `RestartPolicy.Validate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SpecField {
    /// The task's `name` is empty.
    Name,
    /// The task's `kill_timeout` is negative.
    KillTimeout,
    /// The task's `shutdown_delay` is negative.
    ShutdownDelay,
    /// The task's `kill_signal` is `Some("")` (write `None` for the driver's default).
    KillSignal,
    /// The restart policy's `delay` is negative.
    RestartDelay,
    /// The restart policy has 0 attempts in mode `delay` (Nomad: ambiguous).
    RestartAttempts,
    /// The restart policy's `interval` is under Nomad's minimum of 5 s.
    RestartInterval,
    /// `attempts × delay` exceeds the restart policy's `interval`.
    RestartAttemptsInInterval,
    /// The group's `shutdown_delay` is negative.
    GroupShutdownDelay,
    /// The group's `max_kill_timeout` is negative.
    MaxKillTimeout,
    /// The group's `max_run_duration` is negative.
    MaxRunDuration,
}

impl SpecField {
    /// The field's name, as the job writes it.
    pub const fn name(self) -> &'static str {
        match self {
            SpecField::Name => "name",
            SpecField::KillTimeout => "kill_timeout",
            SpecField::ShutdownDelay | SpecField::GroupShutdownDelay => "shutdown_delay",
            SpecField::KillSignal => "kill_signal",
            SpecField::RestartDelay => "restart.delay",
            SpecField::RestartAttempts => "restart.attempts",
            SpecField::RestartInterval | SpecField::RestartAttemptsInInterval => "restart.interval",
            SpecField::MaxKillTimeout => "max_kill_timeout",
            SpecField::MaxRunDuration => "max_run_duration",
        }
    }

    const fn problem(self) -> &'static str {
        match self {
            SpecField::Name => "must not be empty",
            SpecField::KillSignal => "must not be empty (None is the driver's default)",
            SpecField::RestartAttempts => "is 0 in mode delay, which Nomad finds ambiguous",
            SpecField::RestartInterval => "is under Nomad's minimum of 5s",
            SpecField::RestartAttemptsInInterval => "is shorter than attempts × delay",
            _ => "must not be negative",
        }
    }
}

impl fmt::Display for SpecField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name(), self.problem())
    }
}

/// An input the runner refused; the runner is exactly as it was.
/// [`Runner::describe`](super::Runner::describe) shows it with the task's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RunnerError {
    /// The task could not be added to the allocation.
    Task(AllocationError),
    /// A signal name is `len` bytes, more than [`SIGNAL_CAPACITY`](super::SIGNAL_CAPACITY).
    SignalTooLong {
        /// The refused name's length.
        len: usize,
    },
    /// A spec field Nomad's job validation refuses.
    InvalidSpec {
        /// The task whose spec it is; `None` for the group's.
        task: Option<TaskId>,
        /// The field.
        field: SpecField,
    },
    /// A task of this name was already added.
    DuplicateTask {
        /// The task already named so.
        task: TaskId,
    },
    /// A group has one leader at most (Nomad's `TaskGroup.Validate`).
    SecondLeader {
        /// The leader already added.
        leader: TaskId,
    },
    /// The input's monotonic time is earlier than the latest accepted input's.
    ClockWentBack {
        /// The latest accepted monotonic time.
        last: i64,
        /// The refused one.
        now: i64,
    },
    /// Tasks are added before the allocation arrives, and it arrives once.
    AlreadyArrived,
    /// The allocation has not arrived yet (or has no task).
    NotArrived,
    /// No such task in this runner.
    UnknownTask {
        /// The refused id.
        task: TaskId,
    },
    /// A start-related report for a task the runner did not tell to start.
    NotStarting {
        /// The task.
        task: TaskId,
    },
    /// An exit, signal, restart or failed kill for a task that is not running (Nomad's
    /// `Task not running`).
    NotRunning {
        /// The task.
        task: TaskId,
    },
    /// A task has already started, so an allocation setup failure comes too late.
    AlreadyStarted {
        /// The first task that started.
        task: TaskId,
    },
    /// No task is running, so a restart of the running tasks has nothing to do.
    NothingRunning,
    /// `restart -all-tasks` would revive this dead task: the contract never leaves dead
    /// (Nomad 1.4+ does, `allocRunner.RestartAll`), so the request is refused.
    DeadTask {
        /// The first dead task.
        task: TaskId,
    },
    /// The task is dead, so an update that drops it changes nothing: Nomad fails even a
    /// completed task there (`TaskRunner.Update`), which the contract forbids (dead is
    /// never left).
    TaskDead {
        /// The dead task.
        task: TaskId,
    },
    /// An update already dropped the task; it is being killed.
    Dropped {
        /// The task.
        task: TaskId,
    },
    /// The allocation is stopping (desired stop or evict, or `max_run_duration`
    /// passed): Nomad refuses restarts of an allocation that should not run, and a
    /// second stop changes nothing.
    Stopping,
    /// A desired status of `run` is not an input: allocations are only ever stopped.
    DesiredRun,
    /// No task waits for the servers (no reattach failed at restore).
    NotAwaitingServers,
    /// A driver handle of `len` bytes, more than [`HANDLE_CAPACITY`](super::HANDLE_CAPACITY).
    HandleTooLong {
        /// The task.
        task: TaskId,
        /// The refused handle's length.
        len: usize,
    },
    /// Restore decodes into a runner fresh from `Runner::new` or `Runner::reset`; this
    /// one has tasks, an identity or has arrived.
    NotFresh,
    /// The persisted form could not be read.
    Corrupt,
    /// The persisted form does not fit the buffer.
    BufferTooSmall,
}

impl RunnerError {
    /// The task the error is about, if one.
    pub const fn task(&self) -> Option<TaskId> {
        match *self {
            RunnerError::InvalidSpec { task, .. } => task,
            RunnerError::DuplicateTask { task }
            | RunnerError::UnknownTask { task }
            | RunnerError::NotStarting { task }
            | RunnerError::NotRunning { task }
            | RunnerError::AlreadyStarted { task }
            | RunnerError::DeadTask { task }
            | RunnerError::TaskDead { task }
            | RunnerError::Dropped { task }
            | RunnerError::HandleTooLong { task, .. } => Some(task),
            RunnerError::SecondLeader { leader } => Some(leader),
            _ => None,
        }
    }

    /// The message after the task's name (or the whole message if about no task).
    fn message(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RunnerError::Task(error) => write!(f, "task refused: {error}"),
            RunnerError::SignalTooLong { len } => write!(
                f,
                "signal name of {len} bytes exceeds the capacity of {}",
                super::SIGNAL_CAPACITY
            ),
            RunnerError::InvalidSpec { task: None, field } => write!(f, "group: {field}"),
            RunnerError::InvalidSpec { field, .. } => write!(f, "{field}"),
            RunnerError::DuplicateTask { .. } => f.write_str("a task of this name exists"),
            RunnerError::SecondLeader { .. } => {
                f.write_str("is the group's leader already: a second leader is refused")
            }
            RunnerError::ClockWentBack { last, now } => write!(
                f,
                "the monotonic clock went back: {now} is before the latest input's {last}"
            ),
            RunnerError::AlreadyArrived => f.write_str("the allocation has already arrived"),
            RunnerError::NotArrived => f.write_str("the allocation has not arrived"),
            RunnerError::UnknownTask { .. } => f.write_str("no such task"),
            RunnerError::NotStarting { .. } => f.write_str("was not told to start"),
            RunnerError::NotRunning { .. } => f.write_str("Task not running"),
            RunnerError::AlreadyStarted { .. } => f.write_str("has already started"),
            RunnerError::NothingRunning => f.write_str("no task is running"),
            RunnerError::DeadTask { .. } => {
                f.write_str("is dead and will not run again: restart of all tasks refused")
            }
            RunnerError::TaskDead { .. } => {
                f.write_str("is dead: an update dropping it changes nothing")
            }
            RunnerError::Dropped { .. } => f.write_str("was already dropped by an update"),
            RunnerError::Stopping => f.write_str("restart of an alloc that should not run"),
            RunnerError::DesiredRun => f.write_str("desired status `run` is not a stop"),
            RunnerError::NotAwaitingServers => f.write_str("no task waits for the servers"),
            RunnerError::HandleTooLong { len, .. } => write!(
                f,
                "driver handle of {len} bytes exceeds the capacity of {}",
                super::HANDLE_CAPACITY
            ),
            RunnerError::NotFresh => {
                f.write_str("restore needs a fresh runner (no task, not arrived)")
            }
            RunnerError::Corrupt => f.write_str("the persisted runner is corrupt"),
            RunnerError::BufferTooSmall => f.write_str("the buffer is too small"),
        }
    }
}

/// `task #0: Task not running`; [`Runner::describe`](super::Runner::describe) names
/// the task.
impl fmt::Display for RunnerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(task) = self.task() {
            write!(f, "task {task}: ")?;
        }
        self.message(f)
    }
}

impl core::error::Error for RunnerError {}

/// A [`RunnerError`] shown with its task's name: `task "web": Task not running`
/// ([`Runner::describe`](super::Runner::describe)).
#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Described<'r> {
    pub(crate) error: RunnerError,
    pub(crate) name: Option<&'r str>,
}

impl Described<'_> {
    /// The error itself.
    pub const fn error(&self) -> RunnerError {
        self.error
    }
}

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.error.task(), self.name) {
            (Some(_), Some(name)) if !name.is_empty() => write!(f, "task \"{name}\": ")?,
            (Some(task), _) => write!(f, "task {task}: ")?,
            _ => {}
        }
        self.error.message(f)
    }
}
