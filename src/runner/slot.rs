//! Each task's place in its run loop (reference §2.1) and its timer.

use crate::restart::{RestartPolicy, RestartTracker};

use super::spec::SignalName;

/// Why a stop was sent to a running task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StopReason {
    /// The allocation runner kills it (`Killing` recorded): its exit records `Killed`.
    Kill,
    /// A restart request (`Restart Signaled` recorded): its exit goes to the restart
    /// decision (reference §2.5).
    Restart,
    /// Reattached after an agent restart while its allocation is terminal: its exit is
    /// recorded and the task ends, with no `Killing` and no `Killed` (reference §5.3).
    Restore,
}

/// Where a task is in its run loop (reference §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Place {
    /// Waiting for its gate (step 3): the first start, or after a restart delay.
    Waiting,
    /// Told to start (steps 4–6); `killed` once a kill arrived meanwhile (a stop was sent).
    Starting {
        /// Whether a kill arrived while starting.
        killed: bool,
    },
    /// Running (step 8).
    Running,
    /// `Killing` and `Waiting for shutdown delay` recorded; the stop is sent at `until`
    /// (reference §4).
    ShutdownDelay {
        /// When the delay ends.
        until: i64,
    },
    /// A stop was sent; waiting for the exit. At `kill_at` the runner sends a force-kill.
    Stopping {
        /// Why it is being stopped.
        reason: StopReason,
        /// When to force-kill it; `None` once the kill was sent.
        kill_at: Option<i64>,
    },
    /// `Restarting` recorded; waits until `until` (step 9).
    RestartWait {
        /// When the restart delay ends.
        until: i64,
    },
    /// Dead: never runs again.
    Dead,
}

impl Place {
    /// The time this place's timer fires, if it has one.
    pub const fn deadline(&self) -> Option<i64> {
        match *self {
            Place::ShutdownDelay { until } | Place::RestartWait { until } => Some(until),
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
    /// `Killing` was recorded: a task is told it is being killed once (contract,
    /// orders rule 6; reference §3.8).
    pub(crate) killing_recorded: bool,
    /// An allocation update no longer has the task (reference §2.6): it is killed and
    /// its `Killed` carries `update missing task` and fails it.
    pub(crate) dropped: bool,
}
