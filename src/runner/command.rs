//! What the runner tells the runtime to do.

use super::spec::SignalName;

/// One thing the runtime must do for a task (by its index in the group).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Command {
    /// The task's index (the order the tasks were added).
    pub task: usize,
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
    /// Stop the task: send `signal` (empty: the driver's default), and report its exit.
    /// The runner sends [`Action::Kill`] once `kill_timeout` (ns) has passed without it.
    Stop {
        /// The task's `kill_signal`.
        signal: SignalName,
        /// The kill timeout, clamped to the agent's `max_kill_timeout`.
        kill_timeout: i64,
    },
    /// Force-kill the task: the kill timeout after its stop has passed.
    Kill,
    /// Send `signal` to the running task.
    Signal {
        /// The signal's name.
        signal: SignalName,
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
