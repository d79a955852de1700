//! The allocation's identity strings (`ID`, `EvalID`, `Name`, `NodeID`, `JobID`,
//! `TaskGroup`), held in fixed memory and never cut.

use core::fmt;

use heapless::String;

use super::error::AllocError;

/// Bytes an allocation, evaluation or node ID can hold: Nomad's IDs are UUIDs, 36 chars.
pub const UUID_CAPACITY: usize = 36;

/// Bytes a `JobID` can hold.
pub const JOB_ID_CAPACITY: usize = 64;

/// Bytes a `TaskGroup` name can hold.
pub const TASK_GROUP_CAPACITY: usize = 64;

/// Bytes an allocation `Name` can hold: Nomad writes `<job>.<group>[<index>]`, so the
/// longest job ID and group name with any `u64` index fit.
pub const ALLOC_NAME_CAPACITY: usize = JOB_ID_CAPACITY + 1 + TASK_GROUP_CAPACITY + 2 + 20;

/// One of the allocation's identity fields, named as in Nomad's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IdentityField {
    /// `ID`, at most [`UUID_CAPACITY`] bytes.
    Id,
    /// `EvalID`, at most [`UUID_CAPACITY`] bytes.
    EvalId,
    /// `Name`, at most [`ALLOC_NAME_CAPACITY`] bytes.
    Name,
    /// `NodeID`, at most [`UUID_CAPACITY`] bytes.
    NodeId,
    /// `JobID`, at most [`JOB_ID_CAPACITY`] bytes.
    JobId,
    /// `TaskGroup`, at most [`TASK_GROUP_CAPACITY`] bytes.
    TaskGroup,
}

impl IdentityField {
    /// Nomad's JSON field name.
    pub const fn as_str(self) -> &'static str {
        match self {
            IdentityField::Id => "ID",
            IdentityField::EvalId => "EvalID",
            IdentityField::Name => "Name",
            IdentityField::NodeId => "NodeID",
            IdentityField::JobId => "JobID",
            IdentityField::TaskGroup => "TaskGroup",
        }
    }

    /// The field's capacity in bytes.
    pub const fn capacity(self) -> usize {
        match self {
            IdentityField::Id | IdentityField::EvalId | IdentityField::NodeId => UUID_CAPACITY,
            IdentityField::Name => ALLOC_NAME_CAPACITY,
            IdentityField::JobId => JOB_ID_CAPACITY,
            IdentityField::TaskGroup => TASK_GROUP_CAPACITY,
        }
    }
}

impl fmt::Display for IdentityField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The identity strings of an allocation, borrowed: what
/// [`Allocation::set_identity`](super::Allocation::set_identity) takes and
/// [`Allocation::identity`](super::Allocation::identity) gives. Empty strings are allowed
/// (a new allocation's identity is all empty); the contents are not checked (an `ID` need
/// not be a UUID), only the length against each field's capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AllocIdentity<'a> {
    /// `ID`: the allocation's UUID.
    pub id: &'a str,
    /// `EvalID`: the evaluation that placed it.
    pub eval_id: &'a str,
    /// `Name`: `<job>.<group>[<index>]`, e.g. `example.cache[0]`.
    pub name: &'a str,
    /// `NodeID`: the client node it runs on.
    pub node_id: &'a str,
    /// `JobID`.
    pub job_id: &'a str,
    /// `TaskGroup`: the group's name.
    pub task_group: &'a str,
}

/// The identity held in fixed memory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct Identity {
    pub(crate) id: String<UUID_CAPACITY>,
    pub(crate) eval_id: String<UUID_CAPACITY>,
    pub(crate) name: String<ALLOC_NAME_CAPACITY>,
    pub(crate) node_id: String<UUID_CAPACITY>,
    pub(crate) job_id: String<JOB_ID_CAPACITY>,
    pub(crate) task_group: String<TASK_GROUP_CAPACITY>,
}

/// `value` held in `C` bytes, or the refusal naming `field`.
pub(crate) fn bounded<const C: usize>(
    field: IdentityField,
    value: &str,
) -> Result<String<C>, AllocError> {
    let mut held = String::new();
    match held.push_str(value) {
        Ok(()) => Ok(held),
        Err(_) => Err(AllocError::IdentityTooLong {
            field,
            len: value.len(),
        }),
    }
}

impl Identity {
    pub(crate) const fn new() -> Self {
        Self {
            id: String::new(),
            eval_id: String::new(),
            name: String::new(),
            node_id: String::new(),
            job_id: String::new(),
            task_group: String::new(),
        }
    }

    /// Every field checked before any is kept.
    pub(crate) fn from_borrowed(identity: &AllocIdentity<'_>) -> Result<Self, AllocError> {
        Ok(Self {
            id: bounded(IdentityField::Id, identity.id)?,
            eval_id: bounded(IdentityField::EvalId, identity.eval_id)?,
            name: bounded(IdentityField::Name, identity.name)?,
            node_id: bounded(IdentityField::NodeId, identity.node_id)?,
            job_id: bounded(IdentityField::JobId, identity.job_id)?,
            task_group: bounded(IdentityField::TaskGroup, identity.task_group)?,
        })
    }

    pub(crate) fn borrowed(&self) -> AllocIdentity<'_> {
        AllocIdentity {
            id: self.id.as_str(),
            eval_id: self.eval_id.as_str(),
            name: self.name.as_str(),
            node_id: self.node_id.as_str(),
            job_id: self.job_id.as_str(),
            task_group: self.task_group.as_str(),
        }
    }
}
