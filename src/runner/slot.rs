//! Each task's place in its run loop (`TaskRunner.Run`,
//! `client/allocrunner/taskrunner/task_runner.go`) and its timer.

use crate::restart::{RestartPolicy, RestartTracker};

use super::spec::{SignalName, HANDLE_CAPACITY};

/// The driver handle a runtime stores for a task ([`Runner::set_handle`](super::Runner::set_handle)).
pub(crate) type Handle = heapless::Vec<u8, HANDLE_CAPACITY>;

/// Why a stop was sent to a running task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StopReason {
    /// The allocation runner kills it (`Killing` recorded): its exit records `Killed`.
    Kill,
    /// A restart request (`Restart Signaled` recorded): its exit goes to the restart
    /// decision (`TaskRunner.Restart`, `client/allocrunner/taskrunner/lifecycle.go`).
    Restart,
    /// Reattached after an agent restart while its allocation is terminal: its exit is
    /// recorded and the task ends, with no `Killing` and no `Killed` (`TaskRunner.Run`
    /// kills a restored handle after its main loop; Nomad's
    /// `TestAllocRunner_Restore_RunningTerminal`).
    Restore,
}

/// Where a task is in its run loop (`TaskRunner.Run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Place {
    /// Waiting for its gate: the first start, or after a restart delay.
    Waiting,
    /// Its reattach failed at restore (`Failed Restoring Task`): waits until the
    /// runtime reports the servers contacted (`TaskRunner.waitOnServers`), or a kill.
    AwaitingServers,
    /// Told to start (prestart hooks, then the driver); `killed` once a kill arrived
    /// meanwhile (a stop was sent).
    Starting {
        /// Whether a kill arrived while starting.
        killed: bool,
    },
    /// Running.
    Running,
    /// `Waiting for shutdown delay` recorded; the stop is sent at `until`
    /// (`TaskRunner.handleKill`).
    ShutdownDelay {
        /// When the delay ends (monotonic).
        until: i64,
        /// Why it is being stopped: a kill, or a restored task of a terminal allocation.
        reason: StopReason,
    },
    /// A stop was sent; waiting for the exit. At `kill_at` the runner sends a force-kill.
    Stopping {
        /// Why it is being stopped.
        reason: StopReason,
        /// When to force-kill it (monotonic); `None` once the kill was sent.
        kill_at: Option<i64>,
    },
    /// `Restarting` recorded; waits until `until`.
    RestartWait {
        /// When the restart delay ends (monotonic).
        until: i64,
    },
    /// Dead: never runs again.
    Dead,
}

impl Place {
    /// The time this place's timer fires, if it has one.
    pub const fn deadline(&self) -> Option<i64> {
        match *self {
            Place::ShutdownDelay { until, .. } | Place::RestartWait { until } => Some(until),
            Place::Stopping { kill_at, .. } => kill_at,
            _ => None,
        }
    }

    /// Whether the driver has the task (started and not yet exited).
    pub const fn has_process(&self) -> bool {
        matches!(
            self,
            Place::Running | Place::ShutdownDelay { .. } | Place::Stopping { .. }
        )
    }
}

/// A task's settings as the runner keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TaskConfig {
    pub(crate) restart: RestartPolicy,
    pub(crate) kill_timeout: i64,
    pub(crate) kill_signal: SignalName,
    pub(crate) shutdown_delay: i64,
}

/// One task's runner state, beside its `AllocTask`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Slot {
    pub(crate) config: TaskConfig,
    pub(crate) tracker: RestartTracker,
    pub(crate) place: Place,
    /// `Task Setup` was recorded (Nomad's task_dir hook emits it on the first run only).
    pub(crate) setup_done: bool,
    /// `Killing` was recorded: a task is told it is being killed once (docs/runner.md,
    /// "Where Nomad races").
    pub(crate) killing_recorded: bool,
    /// An allocation update no longer has the task (`TaskRunner.Update`): it is killed
    /// and its `Killed` carries `update missing task` and fails it.
    pub(crate) dropped: bool,
    /// The runtime's driver handle, opaque.
    pub(crate) handle: Handle,
}
