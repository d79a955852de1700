//! Why the runner refused an input. A refused input changes nothing.

use core::fmt;

use crate::allocation::AllocationError;

/// An input the runner refused; the runner is exactly as it was.
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
    /// Tasks are added before the allocation arrives, and it arrives once.
    AlreadyArrived,
    /// The allocation has not arrived yet (or has no task).
    NotArrived,
    /// No task at this index.
    UnknownTask {
        /// The refused index.
        task: usize,
    },
    /// A start-related report for a task the runner did not tell to start.
    NotStarting {
        /// The task.
        task: usize,
    },
    /// An exit, signal or restart for a task that is not running (Nomad's
    /// `Task not running`).
    NotRunning {
        /// The task.
        task: usize,
    },
    /// A task has already started, so an allocation setup failure comes too late.
    AlreadyStarted {
        /// The first task that started.
        task: usize,
    },
    /// No task is running, so a restart of the running tasks has nothing to do.
    NothingRunning,
    /// `restart -all-tasks` would revive this dead task: the contract never leaves dead
    /// (Nomad 1.4+ does, reference §2.5), so the request is refused.
    DeadTask {
        /// The first dead task.
        task: usize,
    },
    /// The task is dead, so an update that drops it changes nothing: Nomad fails even a
    /// completed task there, which the contract forbids (dead is never left, §2.6).
    TaskDead {
        /// The dead task.
        task: usize,
    },
    /// An update already dropped the task; it is being killed.
    Dropped {
        /// The task.
        task: usize,
    },
    /// The allocation is stopping (desired stop or evict, or `max_run_duration` passed): Nomad refuses restarts of an
    /// allocation that should not run, and a second stop changes nothing.
    Stopping,
    /// A desired status of `run` is not an input: allocations are only ever stopped.
    DesiredRun,
    /// Restore decodes into a runner fresh from `Runner::new` or `Runner::reset`; this
    /// one has tasks, an identity or has arrived.
    NotFresh,
    /// The persisted form could not be read.
    Corrupt,
    /// The persisted form does not fit the buffer.
    BufferTooSmall,
    /// The reattach list does not name every task of the persisted runner.
    ReattachMismatch {
        /// The number of tasks persisted.
        tasks: usize,
    },
}

impl fmt::Display for RunnerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RunnerError::Task(error) => write!(f, "task refused: {error}"),
            RunnerError::SignalTooLong { len } => write!(
                f,
                "signal name of {len} bytes exceeds the capacity of {}",
                super::SIGNAL_CAPACITY
            ),
            RunnerError::AlreadyArrived => f.write_str("the allocation has already arrived"),
            RunnerError::NotArrived => f.write_str("the allocation has not arrived"),
            RunnerError::UnknownTask { task } => write!(f, "no task {task}"),
            RunnerError::NotStarting { task } => {
                write!(f, "task {task} was not told to start")
            }
            RunnerError::NotRunning { task } => write!(f, "task {task}: Task not running"),
            RunnerError::AlreadyStarted { task } => {
                write!(f, "task {task} has already started")
            }
            RunnerError::NothingRunning => f.write_str("no task is running"),
            RunnerError::DeadTask { task } => write!(
                f,
                "task {task} is dead and will not run again: restart of all tasks refused"
            ),
            RunnerError::TaskDead { task } => {
                write!(
                    f,
                    "task {task} is dead: an update dropping it changes nothing"
                )
            }
            RunnerError::Dropped { task } => {
                write!(f, "task {task} was already dropped by an update")
            }
            RunnerError::Stopping => f.write_str("restart of an alloc that should not run"),
            RunnerError::DesiredRun => f.write_str("desired status `run` is not a stop"),
            RunnerError::NotFresh => {
                f.write_str("restore needs a fresh runner (no task, not arrived)")
            }
            RunnerError::Corrupt => f.write_str("the persisted runner is corrupt"),
            RunnerError::BufferTooSmall => f.write_str("the buffer is too small"),
            RunnerError::ReattachMismatch { tasks } => {
                write!(f, "the reattach list must name all {tasks} tasks")
            }
        }
    }
}

impl core::error::Error for RunnerError {}
