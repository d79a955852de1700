//! The machine's five phases and the three states Nomad's wire shows.

/// The state Nomad's API shows: `pending`, `running` or `dead`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum WireState {
    /// `pending`: waiting to run, for the first time or after a restart.
    Pending,
    /// `running`: the task is running.
    Running,
    /// `dead`: the task will not run again.
    Dead,
}

impl WireState {
    /// Nomad's exact string.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            WireState::Pending => "pending",
            WireState::Running => "running",
            WireState::Dead => "dead",
        }
    }

    /// The state named by Nomad's string, if it is one.
    #[must_use]
    pub fn from_wire_str(state: &str) -> Option<WireState> {
        match state {
            "pending" => Some(WireState::Pending),
            "running" => Some(WireState::Running),
            "dead" => Some(WireState::Dead),
            _ => None,
        }
    }
}

impl core::fmt::Display for WireState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Where a task is in its lifecycle. Validation needs two facts the wire state hides, so
/// there are five phases, each shown as one [`WireState`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Phase {
    /// Received, preparing, or waiting out a restart delay. Every task starts here.
    Pending,
    /// The driver started it.
    Running,
    /// It exited (`Terminated`); the restart decision is not applied yet. Shown as running.
    Exited,
    /// A shutdown delay began; only the kill may follow. Shown as pending, as Nomad does.
    ShuttingDown,
    /// Terminal: never left.
    Dead,
}

impl Phase {
    /// Every phase, in lifecycle order.
    pub const ALL: [Phase; 5] = [
        Phase::Pending,
        Phase::Running,
        Phase::Exited,
        Phase::ShuttingDown,
        Phase::Dead,
    ];

    /// The state Nomad's wire shows for this phase.
    #[must_use]
    pub const fn wire_state(self) -> WireState {
        match self {
            Phase::Pending | Phase::ShuttingDown => WireState::Pending,
            Phase::Running | Phase::Exited => WireState::Running,
            Phase::Dead => WireState::Dead,
        }
    }

    /// The phase's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Phase::Pending => "Pending",
            Phase::Running => "Running",
            Phase::Exited => "Exited",
            Phase::ShuttingDown => "ShuttingDown",
            Phase::Dead => "Dead",
        }
    }
}

impl core::fmt::Display for Phase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.pad(self.name())
    }
}
