//! One task of an allocation: its name, role, kill timeout, state and whether it was
//! ordered killed.

use super::name::TaskName;
use super::role::Role;
use crate::task::TaskState;

/// Nomad's default `kill_timeout`: 5 s, in nanoseconds.
pub const DEFAULT_KILL_TIMEOUT: i64 = 5_000_000_000;

/// One task of an allocation: its name, role, kill timeout and state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AllocTask {
    pub(crate) name: TaskName,
    pub(crate) role: Role,
    pub(crate) kill_timeout: i64,
    pub(crate) state: TaskState,
    pub(crate) kill_ordered: bool,
}

impl AllocTask {
    /// The task's name.
    #[must_use]
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The task's role.
    #[must_use]
    pub const fn role(&self) -> Role {
        self.role
    }

    /// The kill timeout (ns) its `Killing` events carry.
    #[must_use]
    pub const fn kill_timeout(&self) -> i64 {
        self.kill_timeout
    }

    /// The task's state.
    #[must_use]
    pub const fn state(&self) -> &TaskState {
        &self.state
    }

    /// Whether an order to kill it was applied.
    #[must_use]
    pub const fn kill_ordered(&self) -> bool {
        self.kill_ordered
    }
}
