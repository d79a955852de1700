//! An allocation rebuilt from its parts (a wire format, a store): the invariants every
//! rebuilt allocation must hold, in one place. The twin of
//! [`TaskState::from_parts`](crate::TaskState::from_parts); both decoders use it.

use super::desired::DesiredStatus;
use super::error::AllocationError;
use super::group::Allocation;
use super::identity::AllocIdentity;
use super::name::TaskName;
use super::reported::ReportedDescription;
use super::role::Role;
use super::task::push_pending;
use crate::status::ClientStatus;
use crate::task::TaskState;

/// An allocation's own fields, as read: everything but the tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AllocationParts<'a> {
    /// `ID`, `EvalID`, `Name`, `NodeID`, `JobID`, `TaskGroup`.
    pub identity: AllocIdentity<'a>,
    /// `DesiredStatus`.
    pub desired_status: DesiredStatus,
    /// `DesiredDescription`.
    pub desired_description: &'a str,
    /// `ClientStatus` as claimed: `lost` and `unknown` are kept as the server-set status;
    /// any other must be the status derived from the tasks; `None` derives it.
    pub client_status: Option<ClientStatus>,
    /// `ClientDescription`: kept if it is not Nomad's text for the status.
    pub client_description: Option<&'a str>,
    /// `CreateIndex`; not after `modify_index`.
    pub create_index: u64,
    /// `ModifyIndex`: the allocation's modify index; later changes count on from it.
    pub modify_index: u64,
}

/// One task as read: the allocation's fields of it and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocTaskParts<'a> {
    /// The task's name: not empty, at most [`TASK_NAME_CAPACITY`](super::TASK_NAME_CAPACITY)
    /// bytes, not used by another task.
    pub name: &'a str,
    /// Its role.
    pub role: Role,
    /// The kill timeout (ns) its `Killing` events carry.
    pub kill_timeout: i64,
    /// Whether an order to kill it was applied: never for a poststop task or one that has
    /// accepted no event.
    pub kill_ordered: bool,
    /// Its state (itself rebuilt by [`TaskState::from_parts`]).
    pub state: TaskState,
}

impl<const N: usize> Allocation<N> {
    /// Rebuilds an allocation from its parts, refusing any that breaks an invariant: more
    /// than `N` tasks, an invalid or repeated task name, a kill-ordered poststop task or
    /// one with no accepted event, a field over its capacity, a claimed client status the
    /// tasks contradict (`running` while every task is dead), `CreateIndex` after
    /// `ModifyIndex`.
    ///
    /// **Host-only.** The result does not stay in the caller's slot: kept by its caller,
    /// an `Allocation<8>` rebuilt from eight tasks' parts takes 14.2 KB of stack on
    /// thumbv7em beyond the parts and the 13.7 KB result (measured by the QEMU firmware,
    /// docs/on-target.md), against 0.5 KB for the in-place call. On a microcontroller
    /// rebuild into storage you own with [`from_parts_into`](Self::from_parts_into):
    /// `Allocation::from_parts_into(parts, tasks, &mut alloc)`.
    ///
    /// ```
    /// use allocstate::{
    ///     AllocTaskParts, Allocation, AllocationError, AllocationParts, ClientStatus, Role,
    ///     TaskState,
    /// };
    ///
    /// let web = AllocTaskParts {
    ///     name: "web",
    ///     role: Role::main(),
    ///     kill_timeout: 5_000_000_000,
    ///     kill_ordered: false,
    ///     state: TaskState::new(),
    /// };
    /// let parts = AllocationParts { modify_index: 7, ..AllocationParts::default() };
    /// let group = Allocation::<2>::from_parts(parts, [web.clone()])?;
    /// assert_eq!(group.client_status(), ClientStatus::Pending);
    /// assert_eq!(group.modify_index(), 7);
    ///
    /// let running = AllocationParts { client_status: Some(ClientStatus::Running), ..parts };
    /// assert!(matches!(
    ///     Allocation::<2>::from_parts(running, [web]),
    ///     Err(AllocationError::ClientStatusContradicts { .. })
    /// ));
    /// # Ok::<(), AllocationError>(())
    /// ```
    pub fn from_parts<'a>(
        parts: AllocationParts<'_>,
        tasks: impl IntoIterator<Item = AllocTaskParts<'a>>,
    ) -> Result<Allocation<N>, AllocationError> {
        // Built in the result itself, so the allocation is not copied out of a local.
        let mut result = Ok(Allocation::new());
        if let Ok(alloc) = &mut result {
            if let Err(error) = Allocation::from_parts_into(parts, tasks, alloc) {
                result = Err(error);
            }
        }
        result
    }

    /// [`from_parts`](Self::from_parts) into the caller's storage: `out` is rebuilt in
    /// place by the same rules, each task's state moved straight into its slot, so no
    /// allocation-sized value travels through a frame. On error `out` is left new
    /// ([`clear`](Self::clear)), never half rebuilt.
    ///
    /// ```
    /// use allocstate::{AllocTaskParts, Allocation, AllocationError, AllocationParts, Role, TaskState};
    ///
    /// let web = || AllocTaskParts {
    ///     name: "web",
    ///     role: Role::main(),
    ///     kill_timeout: 5_000_000_000,
    ///     kill_ordered: false,
    ///     state: TaskState::new(),
    /// };
    /// let mut group: Allocation<2> = Allocation::new();
    /// Allocation::from_parts_into(AllocationParts::default(), [web()], &mut group)?;
    /// assert_eq!(group.len(), 1);
    ///
    /// let twice = Allocation::from_parts_into(AllocationParts::default(), [web(), web()], &mut group);
    /// assert_eq!(twice, Err(AllocationError::DuplicateTask));
    /// assert_eq!(group, Allocation::new());
    /// # Ok::<(), AllocationError>(())
    /// ```
    pub fn from_parts_into<'a>(
        parts: AllocationParts<'_>,
        tasks: impl IntoIterator<Item = AllocTaskParts<'a>>,
        out: &mut Allocation<N>,
    ) -> Result<(), AllocationError> {
        out.clear();
        let built = tasks
            .into_iter()
            .try_for_each(|task| out.hold_task(task))
            .and_then(|()| out.rebuild(parts));
        if built.is_err() {
            out.clear();
        }
        built
    }

    /// Adds a task from its parts: its name must be valid and new, and there must be
    /// room. Its state is moved from the caller's parts straight into the new slot; not
    /// inlined, so the iterating frame holds no second copy of the parts.
    #[inline(never)]
    fn hold_task(&mut self, task: AllocTaskParts<'_>) -> Result<(), AllocationError> {
        let name = TaskName::new(task.name)?;
        if self.tasks.iter().any(|held| held.name == name) {
            return Err(AllocationError::DuplicateTask);
        }
        let slot = push_pending(&mut self.tasks, name, task.role, task.kill_timeout)
            .ok_or(AllocationError::Full { capacity: N })?;
        slot.state = task.state;
        slot.kill_ordered = task.kill_ordered;
        Ok(())
    }

    /// [`from_parts`](Self::from_parts) in place, on a new allocation holding only its
    /// tasks (already named, unique and within `N`): the decoders read the tasks straight
    /// into it, so no allocation-sized value is moved for the check.
    pub(crate) fn rebuild(&mut self, parts: AllocationParts<'_>) -> Result<(), AllocationError> {
        self.identity.set(&parts.identity)?;
        self.rebuild_keeping_identity(parts)
    }

    /// [`rebuild`](Self::rebuild) but for the identity, which the decoders read in place
    /// (`parts.identity` is not used).
    pub(crate) fn rebuild_keeping_identity(
        &mut self,
        parts: AllocationParts<'_>,
    ) -> Result<(), AllocationError> {
        let alloc = self;
        if alloc
            .tasks
            .iter()
            .any(|t| t.kill_ordered && (t.role.is_poststop() || t.state.event_count() == 0))
        {
            return Err(AllocationError::KillOrderedTask);
        }
        alloc.set_desired(parts.desired_status, parts.desired_description)?;
        let derived = alloc.derived_client_status();
        alloc.server_status = match parts.client_status {
            None => None,
            Some(status @ (ClientStatus::Lost | ClientStatus::Unknown)) => Some(status),
            Some(claimed) if claimed == derived => None,
            Some(claimed) => {
                return Err(AllocationError::ClientStatusContradicts { claimed, derived })
            }
        };
        if let Some(description) = parts.client_description {
            let status = alloc.client_status();
            if description != status.description() {
                let mut text = heapless::String::new();
                text.push_str(description).map_err(|_| {
                    AllocationError::ClientDescriptionTooLong {
                        len: description.len(),
                    }
                })?;
                alloc.client_description = Some(ReportedDescription { status, text });
            }
        }
        // Changes made while rebuilding count for nothing: the index read is the index.
        alloc.modify_index = 0;
        alloc.set_indexes(parts.create_index, parts.modify_index)
    }
}
