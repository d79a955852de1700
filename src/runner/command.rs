//! What the runner tells the runtime to do.

use super::spec::SignalName;
use super::TaskId;

/// One thing the runtime must do for a task.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Command {
    /// The task.
    pub task: TaskId,
    /// What to do.
    pub action: Action,
}

/// What the runtime must do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Action {
    /// Run the task's prestart work (task directory, artifacts, hooks), then start it with
    /// the driver; report each step, then `started` or a start failure.
    Start,
    /// Stop the task: send `signal` (`None`: the driver's default), and report its
    /// exit. The runner sends [`Action::Kill`] once `kill_timeout` (ns) has passed
    /// without it.
    Stop {
        /// The task's `kill_signal`; `None` for the driver's default.
        signal: Option<SignalName>,
        /// The kill timeout, clamped to the agent's `max_kill_timeout`.
        kill_timeout: i64,
    },
    /// Force-kill the task: the kill timeout after its stop has passed. Report its exit,
    /// or [`kill_failed`](super::Runner::kill_failed) if it survives or the driver errs.
    Kill,
    /// Send `signal` to the running task.
    Signal {
        /// The signal's name; `None` for the driver's default.
        signal: Option<SignalName>,
    },
}

impl Action {
    /// The command's name as the simulation's timeline writes it.
    pub const fn name(&self) -> &'static str {
        match self {
            Action::Start => "Start",
            Action::Stop { .. } => "Stop",
            Action::Kill => "Kill",
            Action::Signal { .. } => "Signal",
        }
    }
}
