//! Why the allocation refused an operation. A refused operation changes nothing.

use core::fmt;

use crate::event::TaskEvent;
use crate::task::TransitionError;

use super::capacity::{
    IdentityField, CLIENT_DESCRIPTION_CAPACITY, DESIRED_DESCRIPTION_CAPACITY, TASK_NAME_CAPACITY,
};
use crate::status::ClientStatus;

/// An allocation operation that was refused; the allocation is exactly as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum AllocationError {
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
    /// An identity field is `len` bytes, more than its
    /// [capacity](IdentityField::capacity). Identifiers are refused, never cut.
    IdentityTooLong {
        /// The refused field.
        field: IdentityField,
        /// The refused value's length in bytes.
        len: usize,
    },
    /// The client description is `len` bytes, more than
    /// [`CLIENT_DESCRIPTION_CAPACITY`].
    ClientDescriptionTooLong {
        /// The refused description's length in bytes.
        len: usize,
    },
    /// Only `lost` and `unknown` are set by servers; the other statuses are derived from
    /// the tasks and cannot be imposed.
    NotServerStatus {
        /// The refused status.
        status: ClientStatus,
    },
    /// The indexes would have `CreateIndex` after `ModifyIndex`, or move the modify index
    /// back.
    InvalidIndexes {
        /// The refused create index.
        create_index: u64,
        /// The refused modify index.
        modify_index: u64,
    },
    /// A rebuilt allocation claims a client status its tasks contradict (`running` while
    /// every task is dead, say). Only `lost` and `unknown` are kept as claimed.
    ClientStatusContradicts {
        /// The status claimed.
        claimed: ClientStatus,
        /// The status the tasks give.
        derived: ClientStatus,
    },
    /// A rebuilt allocation has a task marked kill-ordered that is a poststop task or has
    /// accepted no event: no order could have been applied to it.
    KillOrderedTask,
}

impl fmt::Display for AllocationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AllocationError::UnknownTask => f.write_str("no task with this name in the allocation"),
            AllocationError::DuplicateTask => {
                f.write_str("a task with this name is already in the allocation")
            }
            AllocationError::Full { capacity } => {
                write!(f, "the allocation is full ({capacity} tasks)")
            }
            AllocationError::EmptyName => f.write_str("a task name cannot be empty"),
            AllocationError::NameTooLong { len } => write!(
                f,
                "task name of {len} bytes exceeds the capacity of {TASK_NAME_CAPACITY}"
            ),
            AllocationError::DescriptionTooLong { len } => write!(
                f,
                "desired description of {len} bytes exceeds the capacity of {DESIRED_DESCRIPTION_CAPACITY}"
            ),
            AllocationError::IdentityTooLong { field, len } => write!(
                f,
                "{field} of {len} bytes exceeds the capacity of {}",
                field.capacity()
            ),
            AllocationError::ClientDescriptionTooLong { len } => write!(
                f,
                "client description of {len} bytes exceeds the capacity of {CLIENT_DESCRIPTION_CAPACITY}"
            ),
            AllocationError::NotServerStatus { status } => write!(
                f,
                "client status `{status}` is derived from the tasks; only `lost` and `unknown` are set by servers"
            ),
            AllocationError::InvalidIndexes {
                create_index,
                modify_index,
            } => write!(
                f,
                "CreateIndex {create_index} and ModifyIndex {modify_index} refused: the create index cannot follow the modify index, which never goes back"
            ),
            AllocationError::ClientStatusContradicts { claimed, derived } => write!(
                f,
                "ClientStatus `{claimed}` contradicts the tasks, whose status is `{derived}`"
            ),
            AllocationError::KillOrderedTask => f.write_str(
                "a task marked kill-ordered is a poststop task or has accepted no event",
            ),
        }
    }
}

impl core::error::Error for AllocationError {}

/// An event the allocation did not apply: no task has the name (the event is handed
/// back), or the task's machine refused it. Either way nothing changed, not even the
/// modify index.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApplyError {
    /// No task with this name (or index); the event is handed back.
    UnknownTask(TaskEvent),
    /// The task's machine refused the event (see [`TransitionError`]).
    Rejected(TransitionError),
}

impl ApplyError {
    /// The event that was not applied.
    #[must_use]
    pub const fn event(&self) -> &TaskEvent {
        match self {
            ApplyError::UnknownTask(event) => event,
            ApplyError::Rejected(rejected) => rejected.event(),
        }
    }

    /// Gives the event back.
    #[must_use]
    pub fn into_event(self) -> TaskEvent {
        match self {
            ApplyError::UnknownTask(event) => event,
            ApplyError::Rejected(rejected) => rejected.into_event(),
        }
    }

    /// The machine's refusal, if that is what happened.
    #[must_use]
    pub const fn rejected(&self) -> Option<&TransitionError> {
        match self {
            ApplyError::UnknownTask(_) => None,
            ApplyError::Rejected(rejected) => Some(rejected),
        }
    }
}

impl From<TransitionError> for ApplyError {
    fn from(rejected: TransitionError) -> Self {
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
#[cfg_attr(docsrs, doc(cfg(feature = "defmt")))]
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
