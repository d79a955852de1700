//! Why the allocation refused an operation. A refused operation changes nothing.

use core::fmt;

use crate::error::Rejected;
use crate::event::TaskEvent;

use super::name::TASK_NAME_CAPACITY;
use super::DESIRED_DESCRIPTION_CAPACITY;

/// An allocation operation that was refused; the allocation is exactly as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AllocError {
    /// No task has this name.
    UnknownTask,
    /// A task with this name is already in the allocation.
    DuplicateTask,
    /// The allocation already holds `capacity` tasks.
    Full {
        /// The allocation's capacity (its `N`).
        capacity: usize,
    },
    /// A task name cannot be empty.
    EmptyName,
    /// The task name is `len` bytes, more than [`TASK_NAME_CAPACITY`].
    NameTooLong {
        /// The refused name's length in bytes.
        len: usize,
    },
    /// The desired description is `len` bytes, more than
    /// [`DESIRED_DESCRIPTION_CAPACITY`].
    DescriptionTooLong {
        /// The refused description's length in bytes.
        len: usize,
    },
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AllocError::UnknownTask => f.write_str("no task with this name in the allocation"),
            AllocError::DuplicateTask => {
                f.write_str("a task with this name is already in the allocation")
            }
            AllocError::Full { capacity } => {
                write!(f, "the allocation is full ({capacity} tasks)")
            }
            AllocError::EmptyName => f.write_str("a task name cannot be empty"),
            AllocError::NameTooLong { len } => write!(
                f,
                "task name of {len} bytes exceeds the capacity of {TASK_NAME_CAPACITY}"
            ),
            AllocError::DescriptionTooLong { len } => write!(
                f,
                "desired description of {len} bytes exceeds the capacity of {DESIRED_DESCRIPTION_CAPACITY}"
            ),
        }
    }
}

impl core::error::Error for AllocError {}

/// An event the allocation did not apply: no task has the name (the event is handed
/// back), or the task's machine refused it. Either way nothing changed, not even the
/// modify index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyError {
    /// No task with this name (or index); the event is handed back.
    UnknownTask(TaskEvent),
    /// The task's machine refused the event (see [`Rejected`]).
    Rejected(Rejected),
}

impl ApplyError {
    /// The event that was not applied.
    pub const fn event(&self) -> &TaskEvent {
        match self {
            ApplyError::UnknownTask(event) => event,
            ApplyError::Rejected(rejected) => rejected.event(),
        }
    }

    /// Gives the event back.
    pub fn into_event(self) -> TaskEvent {
        match self {
            ApplyError::UnknownTask(event) => event,
            ApplyError::Rejected(rejected) => rejected.into_event(),
        }
    }

    /// The machine's refusal, if that is what happened.
    pub const fn rejected(&self) -> Option<&Rejected> {
        match self {
            ApplyError::UnknownTask(_) => None,
            ApplyError::Rejected(rejected) => Some(rejected),
        }
    }
}

impl From<Rejected> for ApplyError {
    fn from(rejected: Rejected) -> Self {
        ApplyError::Rejected(rejected)
    }
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::UnknownTask(event) => write!(
                f,
                "`{}` event for a task not in the allocation",
                event.type_str()
            ),
            ApplyError::Rejected(rejected) => fmt::Display::fmt(rejected, f),
        }
    }
}

impl core::error::Error for ApplyError {}

#[cfg(feature = "defmt")]
impl defmt::Format for ApplyError {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            ApplyError::UnknownTask(event) => {
                defmt::write!(f, "UnknownTask {{ kind: {} }}", event.kind())
            }
            ApplyError::Rejected(rejected) => defmt::write!(f, "{}", rejected),
        }
    }
}
