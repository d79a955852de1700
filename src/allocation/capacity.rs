//! What each of the allocation's strings can hold, in one place: a longer value is
//! refused by the setters; the JSON decoder cuts an over-long identity string visibly
//! instead ([`Allocation::identity_cut`](super::Allocation::identity_cut)).

use core::fmt;

/// Bytes an allocation, evaluation or node ID can hold: Nomad's IDs are UUIDs, 36 chars.
pub const UUID_CAPACITY: usize = 36;

/// Bytes a `JobID` can hold: real job IDs are longer than 64 bytes (generated IDs of
/// workflow schedulers, 85 bytes and more); Nomad sets no limit.
pub const JOB_ID_CAPACITY: usize = 128;

/// Bytes a `TaskGroup` name can hold (Nomad sets no limit).
pub const TASK_GROUP_CAPACITY: usize = 128;

/// Bytes an allocation `Name` can hold: Nomad writes `<job>.<group>[<index>]`, so the
/// longest job ID and group name with any `u64` index fit.
pub const ALLOC_NAME_CAPACITY: usize = JOB_ID_CAPACITY + 1 + TASK_GROUP_CAPACITY + 2 + 20;

/// Bytes a task name can hold. A longer name is refused ([`AllocationError::NameTooLong`](super::AllocationError::NameTooLong)),
/// never cut: names are keys, and two cut names could collide.
pub const TASK_NAME_CAPACITY: usize = 64;

/// Bytes the desired description can hold; a longer one is refused
/// ([`AllocationError::DescriptionTooLong`](super::AllocationError::DescriptionTooLong)).
pub const DESIRED_DESCRIPTION_CAPACITY: usize = 128;

/// Bytes a client description set by [`Allocation::set_client_description`](super::Allocation::set_client_description) (or read
/// from the wire) can hold; a longer one is refused
/// ([`AllocationError::ClientDescriptionTooLong`](super::AllocationError::ClientDescriptionTooLong)). Nomad's client descriptions are short fixed
/// texts (the longest, `alloc is unknown since its node is disconnected`, is 47 bytes).
pub const CLIENT_DESCRIPTION_CAPACITY: usize = 64;

/// One of the allocation's identity fields, named as in Nomad's JSON (more may be kept
/// later: `non_exhaustive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
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
    /// Every identity field, in Nomad's order.
    pub const ALL: [IdentityField; 6] = [
        IdentityField::Id,
        IdentityField::EvalId,
        IdentityField::Name,
        IdentityField::NodeId,
        IdentityField::JobId,
        IdentityField::TaskGroup,
    ];

    /// Nomad's JSON field name.
    #[must_use]
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

    /// Every field's [`bit`](Self::bit): a set of fields holds no other (the compact
    /// decoder refuses a cut mask with any other bit).
    #[cfg(feature = "serde")]
    pub(crate) const ALL_BITS: u8 = {
        // Destructured, so a field added to `ALL` is a compile error here until named.
        let [a, b, c, d, e, f] = Self::ALL;
        a.bit() | b.bit() | c.bit() | d.bit() | e.bit() | f.bit()
    };

    /// The field's bit in a set of fields.
    pub(crate) const fn bit(self) -> u8 {
        match self {
            IdentityField::Id => 1,
            IdentityField::EvalId => 1 << 1,
            IdentityField::Name => 1 << 2,
            IdentityField::NodeId => 1 << 3,
            IdentityField::JobId => 1 << 4,
            IdentityField::TaskGroup => 1 << 5,
        }
    }

    /// The field's capacity in bytes.
    #[must_use]
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
