//! The allocation's identity strings (`ID`, `EvalID`, `Name`, `NodeID`, `JobID`,
//! `TaskGroup`), held in fixed memory: refused when too long by the setters, cut (and
//! the cut marked) by the JSON decoder, which must not refuse an allocation for one
//! long ID.

use heapless::String;

use super::capacity::{
    IdentityField, ALLOC_NAME_CAPACITY, JOB_ID_CAPACITY, TASK_GROUP_CAPACITY, UUID_CAPACITY,
};
use super::error::AllocationError;

/// The identity strings of an allocation, borrowed: what
/// [`Allocation::set_identity`](super::Allocation::set_identity) takes and
/// [`Allocation::identity`](super::Allocation::identity) gives. Empty strings are allowed
/// (a new allocation's identity is all empty); the contents are not checked (an `ID` need
/// not be a UUID), only the length against each field's capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
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
    /// One [`IdentityField::bit`] per field the JSON decoder cut to its capacity.
    pub(crate) cut: u8,
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
            cut: 0,
        }
    }

    /// Sets every field in place (no second identity on the stack), each checked before
    /// any is changed; clears the cut marks.
    pub(crate) fn set(&mut self, identity: &AllocIdentity<'_>) -> Result<(), AllocationError> {
        let fields = [
            (IdentityField::Id, identity.id),
            (IdentityField::EvalId, identity.eval_id),
            (IdentityField::Name, identity.name),
            (IdentityField::NodeId, identity.node_id),
            (IdentityField::JobId, identity.job_id),
            (IdentityField::TaskGroup, identity.task_group),
        ];
        for (field, value) in fields {
            if value.len() > field.capacity() {
                return Err(AllocationError::IdentityTooLong {
                    field,
                    len: value.len(),
                });
            }
        }
        // Each fits: checked above against the same capacities.
        replace(&mut self.id, identity.id);
        replace(&mut self.eval_id, identity.eval_id);
        replace(&mut self.name, identity.name);
        replace(&mut self.node_id, identity.node_id);
        replace(&mut self.job_id, identity.job_id);
        replace(&mut self.task_group, identity.task_group);
        self.cut = 0;
        Ok(())
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

/// The getters of a type that keeps its identity in a field `identity: Identity`
/// ([`Allocation`](super::Allocation) and, with `serde`, `NomadAllocation`), written once:
/// `identity_cut`, with the doc the caller gives (each says where a cut comes from), then
/// one `&str` getter per field named, in the order named, each with its field's doc.
macro_rules! identity_getters {
    ($(#[$cut_doc:meta])* identity_cut; $($field:ident),+ $(,)?) => {
        $(#[$cut_doc])*
        #[must_use]
        pub fn identity_cut(&self, field: $crate::IdentityField) -> bool {
            self.identity.cut & field.bit() != 0
        }
        $($crate::allocation::identity_getters!(@get $field);)+
    };
    (@get id) => {
        $crate::allocation::identity_getters!(@get id, "`ID`: the allocation's UUID.");
    };
    (@get eval_id) => {
        $crate::allocation::identity_getters!(
            @get eval_id, "`EvalID`: the evaluation that placed the allocation."
        );
    };
    (@get name) => {
        $crate::allocation::identity_getters!(@get name, "`Name`: `<job>.<group>[<index>]`.");
    };
    (@get node_id) => {
        $crate::allocation::identity_getters!(@get node_id, "`NodeID`: the client node.");
    };
    (@get job_id) => {
        $crate::allocation::identity_getters!(@get job_id, "`JobID`.");
    };
    (@get task_group) => {
        $crate::allocation::identity_getters!(@get task_group, "`TaskGroup`: the group's name.");
    };
    (@get $field:ident, $doc:literal) => {
        #[doc = $doc]
        #[must_use]
        pub fn $field(&self) -> &str {
            self.identity.$field.as_str()
        }
    };
}
pub(crate) use identity_getters;

/// Replaces `held` with `value`, which fits (checked by the caller).
fn replace<const C: usize>(held: &mut String<C>, value: &str) {
    held.clear();
    let _ = held.push_str(value);
}
