//! One task of an allocation: its name, role, kill timeout, state and whether it was
//! ordered killed.

use heapless::Vec;

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

impl AllocTask {
    /// A pending task with an empty name: what a new slot starts as. A constant, so it is
    /// copied straight into the allocation, not built on the stack first.
    const BLANK: AllocTask = AllocTask {
        name: TaskName::EMPTY,
        role: Role::main(),
        kill_timeout: DEFAULT_KILL_TIMEOUT,
        state: TaskState::new(),
        kill_ordered: false,
    };
}

/// Appends a pending task named `name` and returns it; `None` (and unchanged) if full.
/// The new task's state is written in its slot (the decoders then read into it), so no
/// task state passes through the stack.
pub(crate) fn push_pending<const N: usize>(
    tasks: &mut Vec<AllocTask, N>,
    name: TaskName,
    role: Role,
    kill_timeout: i64,
) -> Option<&mut AllocTask> {
    if tasks.is_full() || tasks.push(AllocTask::BLANK).is_err() {
        return None;
    }
    let task = tasks.last_mut()?;
    task.name = name;
    task.role = role;
    task.kill_timeout = kill_timeout;
    Some(task)
}
