//! The allocation: its tasks, statuses, identity and indexes, and every change to them.

use heapless::{String, Vec};

use super::capacity::DESIRED_DESCRIPTION_CAPACITY;
use super::desired::DesiredStatus;
use super::error::{AllocationError, ApplyError};
use super::identity::{AllocIdentity, Identity};
use super::name::TaskName;
use super::orders::{self, Orders};
use super::reported::ReportedDescription;
use super::role::Role;
use super::task::{push_pending, AllocTask, DEFAULT_KILL_TIMEOUT};

/// The description of an allocation whose `max_run_duration` passed (Nomad 2.0.3+,
/// `client/allocrunner/alloc_runner.go`, `allocRunner.clientAlloc`).
pub(crate) const MAX_RUN_EXCEEDED: &str = "allocation exceeded max_run_duration";
use crate::event::TaskEvent;
use crate::restart::Nanos;
use crate::status::ClientStatus;
use crate::task::{TaskState, Transition};

/// An allocation of at most `N` named tasks (default 8). See the
/// [module docs](crate::allocation) for the rules.
///
/// ```
/// use allocstate::{AllocationError, Allocation, DesiredStatus, Role, TaskEvent};
///
/// static EMPTY: Allocation<4> = Allocation::new(); // const-constructible
///
/// let mut group: Allocation<2> = Allocation::new();
/// group.add_task("web", Role::leader())?;
/// group.add_task("db", Role::main())?;
/// assert_eq!(group.add_task("cache", Role::main()), Err(AllocationError::Full { capacity: 2 }));
/// assert_eq!(group.add_task("web", Role::main()), Err(AllocationError::DuplicateTask));
///
/// let before = group.modify_index();
/// group.set_desired(DesiredStatus::Stop, "alloc not needed due to job update")?;
/// assert!(group.changed_since(before));
/// assert_eq!(group.orders().len(), 2); // kill web (the leader), then db
/// # Ok::<(), AllocationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Allocation<const N: usize = 8> {
    pub(crate) tasks: Vec<AllocTask, N>,
    pub(crate) desired_status: DesiredStatus,
    pub(crate) desired_description: String<DESIRED_DESCRIPTION_CAPACITY>,
    pub(crate) modify_index: u64,
    pub(crate) identity: Identity,
    pub(crate) create_index: u64,
    pub(crate) server_status: Option<ClientStatus>,
    pub(crate) client_description: Option<ReportedDescription>,
    /// A runner's `max_run_duration` passed: the status is forced `complete` (Nomad's
    /// `client/allocrunner/alloc_runner.go`, `allocRunner.clientAlloc`). Set only by the
    /// runner, which persists it.
    pub(crate) max_run_exceeded: bool,
}

impl<const N: usize> Default for Allocation<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Allocation<N> {
    /// An empty allocation: no tasks, desired `run`, modify index 0.
    // Always inlined: a few words to write, so that a value holding an allocation
    // (`Runner::new`) builds it in place instead of copying it out of a temporary.
    #[must_use]
    #[inline(always)]
    pub const fn new() -> Self {
        Self {
            tasks: Vec::new(),
            desired_status: DesiredStatus::Run,
            desired_description: String::new(),
            modify_index: 0,
            identity: Identity::new(),
            create_index: 0,
            server_status: None,
            client_description: None,
            max_run_exceeded: false,
        }
    }

    /// Back to [`Allocation::new()`], in place. Prefer it to `*group = Allocation::new()`
    /// on a small stack: the assignment may build the new allocation on the stack first
    /// (about 13 KB for an `Allocation<8>` on thumbv7em), this writes a few words.
    ///
    /// ```
    /// use allocstate::{Allocation, Role};
    ///
    /// let mut group: Allocation<2> = Allocation::new();
    /// group.add_task("web", Role::leader()).unwrap();
    /// group.clear();
    /// assert_eq!(group, Allocation::new());
    /// ```
    pub fn clear(&mut self) {
        self.tasks.clear();
        self.desired_status = DesiredStatus::Run;
        self.desired_description.clear();
        self.modify_index = 0;
        self.identity = Identity::new();
        self.create_index = 0;
        self.server_status = None;
        self.client_description = None;
        self.max_run_exceeded = false;
    }

    /// How many tasks it can hold (`N`).
    #[must_use]
    pub const fn capacity(&self) -> usize {
        N
    }

    /// How many tasks it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether it holds no task.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Adds a pending task with [`DEFAULT_KILL_TIMEOUT`]; returns its index.
    pub fn add_task(&mut self, name: &str, role: Role) -> Result<usize, AllocationError> {
        self.add_task_with_kill_timeout(name, role, DEFAULT_KILL_TIMEOUT)
    }

    /// Adds a pending task whose `Killing` events carry `kill_timeout` (nanoseconds or a
    /// [`Duration`](core::time::Duration)); returns its index. Refused, changing nothing,
    /// if the name is empty, too long, already used, or the allocation is full.
    ///
    /// ```
    /// use allocstate::{Allocation, Role};
    /// use core::time::Duration;
    ///
    /// let mut group: Allocation<2> = Allocation::new();
    /// group.add_task_with_kill_timeout("web", Role::main(), Duration::from_secs(30))?;
    /// assert_eq!(group.task("web").unwrap().kill_timeout(), 30_000_000_000);
    /// # Ok::<(), allocstate::AllocationError>(())
    /// ```
    pub fn add_task_with_kill_timeout(
        &mut self,
        name: &str,
        role: Role,
        kill_timeout: impl Into<Nanos>,
    ) -> Result<usize, AllocationError> {
        let kill_timeout = kill_timeout.into().get();
        let name = TaskName::new(name)?;
        if self.index_of(name.as_str()).is_some() {
            return Err(AllocationError::DuplicateTask);
        }
        let index = self.tasks.len();
        if push_pending(&mut self.tasks, name, role, kill_timeout).is_none() {
            return Err(AllocationError::Full { capacity: N });
        }
        self.bump(1);
        Ok(index)
    }

    /// The index of the task named `name`.
    #[must_use]
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.tasks
            .iter()
            .position(|task| task.name.as_str() == name)
    }

    /// The task named `name`.
    #[must_use]
    pub fn task(&self, name: &str) -> Option<&AllocTask> {
        self.tasks.iter().find(|task| task.name.as_str() == name)
    }

    /// The task at `index` (the order tasks were added).
    #[must_use]
    pub fn task_at(&self, index: usize) -> Option<&AllocTask> {
        self.tasks.get(index)
    }

    /// The state of the task named `name`.
    #[must_use]
    pub fn state(&self, name: &str) -> Option<&TaskState> {
        self.task(name).map(AllocTask::state)
    }

    /// The tasks, in the order they were added.
    #[must_use]
    pub fn tasks(&self) -> impl ExactSizeIterator<Item = &AllocTask> + Clone + '_ {
        self.tasks.iter()
    }

    /// Applies `event` to the task named `name` through [`TaskState::apply`]. Refused,
    /// changing nothing, if no task has the name or its machine refuses the event; the
    /// error hands the event back.
    pub fn apply(&mut self, name: &str, event: TaskEvent) -> Result<Transition, ApplyError> {
        match self.index_of(name) {
            Some(index) => self.apply_at(index, event),
            None => Err(ApplyError::UnknownTask(event)),
        }
    }

    /// [`apply`](Self::apply), addressing the task by index.
    pub fn apply_at(&mut self, index: usize, event: TaskEvent) -> Result<Transition, ApplyError> {
        let Some(task) = self.tasks.get_mut(index) else {
            return Err(ApplyError::UnknownTask(event));
        };
        let step = task.state.apply(event)?;
        self.bump(1);
        Ok(step)
    }

    /// Ends the run loop of the task named `name` ([`TaskState::finish`]): it is dead,
    /// finished at `time`. On a dead task it changes nothing.
    pub fn finish(&mut self, name: &str, time: i64) -> Result<Transition, AllocationError> {
        let index = self.index_of(name).ok_or(AllocationError::UnknownTask)?;
        let task = self
            .tasks
            .get_mut(index)
            .ok_or(AllocationError::UnknownTask)?;
        let step = task.state.finish(time);
        if step.changed() {
            self.bump(1);
        }
        Ok(step)
    }

    /// Nomad's `ClientStatus`: `complete` once the runner marked
    /// `max_run_duration` passed (whatever the tasks say), else the
    /// [server-set status](Self::set_server_status) if there is one, otherwise the one
    /// [derived from the tasks](Self::derived_client_status).
    #[must_use]
    pub fn client_status(&self) -> ClientStatus {
        if self.max_run_exceeded {
            return ClientStatus::Complete;
        }
        match self.server_status {
            Some(status) => status,
            None => self.derived_client_status(),
        }
    }

    /// The client status derived from the tasks ([`ClientStatus::of`]), whatever a server
    /// set.
    #[must_use]
    pub fn derived_client_status(&self) -> ClientStatus {
        ClientStatus::of(self.tasks.iter().map(AllocTask::state))
    }

    /// Nomad's `ClientDescription`: `allocation exceeded max_run_duration` once a
    /// runner's `max_run_duration` passed, else the one
    /// [set](Self::set_client_description) for the current client status if any,
    /// otherwise Nomad's text for the status ([`ClientStatus::description`]).
    #[must_use]
    pub fn client_description(&self) -> &str {
        if self.max_run_exceeded {
            return MAX_RUN_EXCEEDED;
        }
        let status = self.client_status();
        match &self.client_description {
            Some(reported) if reported.status == status => reported.text.as_str(),
            _ => status.description(),
        }
    }

    /// The status a server imposed (`lost` or `unknown`), if any.
    #[must_use]
    pub const fn server_status(&self) -> Option<ClientStatus> {
        self.server_status
    }

    /// Sets or clears the status a server imposes on the allocation: `lost` (its node is
    /// down) or `unknown` (its node disconnected). While set, it is the
    /// [client status](Self::client_status) whatever the tasks say; it changes nothing
    /// else (the tasks, the orders). It stays until cleared with `None`. The statuses
    /// derived from the tasks (`pending`, `running`, `failed`, `complete`) are refused
    /// ([`AllocationError::NotServerStatus`]). Returns whether anything changed (then the
    /// modify index grew).
    ///
    /// ```
    /// use allocstate::{AllocationError, Allocation, ClientStatus};
    ///
    /// let mut group: Allocation = Allocation::new();
    /// assert_eq!(group.set_server_status(Some(ClientStatus::Lost)), Ok(true));
    /// assert_eq!(group.client_status(), ClientStatus::Lost);
    /// assert_eq!(group.derived_client_status(), ClientStatus::Pending);
    /// assert_eq!(
    ///     group.set_server_status(Some(ClientStatus::Running)),
    ///     Err(AllocationError::NotServerStatus { status: ClientStatus::Running })
    /// );
    /// assert_eq!(group.set_server_status(None), Ok(true));
    /// assert_eq!(group.client_status(), ClientStatus::Pending);
    /// ```
    pub fn set_server_status(
        &mut self,
        status: Option<ClientStatus>,
    ) -> Result<bool, AllocationError> {
        if let Some(status) = status {
            if !matches!(status, ClientStatus::Lost | ClientStatus::Unknown) {
                return Err(AllocationError::NotServerStatus { status });
            }
        }
        if status == self.server_status {
            return Ok(false);
        }
        self.server_status = status;
        self.bump(1);
        Ok(true)
    }

    /// The runner's `max_run_duration` passed: from now on the status is `complete`
    /// with Nomad's description for it (`allocRunner.clientAlloc`). Returns
    /// whether it changed (then the modify index grew).
    pub(crate) fn exceed_max_run(&mut self) -> bool {
        if self.max_run_exceeded {
            return false;
        }
        self.max_run_exceeded = true;
        self.bump(1);
        true
    }

    /// Sets the `ClientDescription` shown while the client status stays what it is now;
    /// once the status changes, Nomad's text for the new status is shown again. Text
    /// equal to Nomad's for the current status is not stored (it is what is shown
    /// anyway). A description longer than [`CLIENT_DESCRIPTION_CAPACITY`](super::CLIENT_DESCRIPTION_CAPACITY) is refused.
    /// Returns whether what is shown changed (then the modify index grew).
    ///
    /// ```
    /// use allocstate::{Allocation, ClientStatus};
    ///
    /// let mut group: Allocation = Allocation::new();
    /// assert_eq!(group.client_description(), "No tasks have started");
    /// assert_eq!(group.set_client_description(""), Ok(true)); // as old clients wrote
    /// assert_eq!(group.client_description(), "");
    /// group.set_server_status(Some(ClientStatus::Lost))?; // the status changed
    /// assert_eq!(group.client_description(), "alloc is lost since its node is down");
    /// # Ok::<(), allocstate::AllocationError>(())
    /// ```
    pub fn set_client_description(&mut self, description: &str) -> Result<bool, AllocationError> {
        let mut text = String::new();
        if text.push_str(description).is_err() {
            return Err(AllocationError::ClientDescriptionTooLong {
                len: description.len(),
            });
        }
        if description == self.client_description() {
            return Ok(false);
        }
        let status = self.client_status();
        self.client_description = if description == status.description() {
            None
        } else {
            Some(ReportedDescription { status, text })
        };
        self.bump(1);
        Ok(true)
    }

    /// The identity strings (`ID`, `EvalID`, `Name`, `NodeID`, `JobID`, `TaskGroup`); all
    /// empty in a new allocation.
    #[must_use]
    pub fn identity(&self) -> AllocIdentity<'_> {
        self.identity.borrowed()
    }

    /// Sets every identity string at once. Each is checked against its capacity
    /// ([`IdentityField::capacity`](super::IdentityField::capacity)) before any is kept: an over-long one is refused
    /// ([`AllocationError::IdentityTooLong`]), never cut, and nothing changes (the JSON decoder
    /// cuts instead, see [`identity_cut`](Self::identity_cut)). Returns whether
    /// anything changed (then the modify index grew).
    ///
    /// ```
    /// use allocstate::{AllocationError, AllocIdentity, Allocation, IdentityField};
    ///
    /// let mut group: Allocation = Allocation::new();
    /// let identity = AllocIdentity {
    ///     id: "203266e5-e0d6-9486-5e05-397ed2b184af",
    ///     eval_id: "e68125ed-3fba-fb46-46cc-291addbc4455",
    ///     name: "example.cache[0]",
    ///     node_id: "e02b6169-83bd-9df6-69bd-832765f333eb",
    ///     job_id: "example",
    ///     task_group: "cache",
    /// };
    /// assert_eq!(group.set_identity(identity), Ok(true));
    /// assert_eq!(group.name(), "example.cache[0]");
    /// assert_eq!(group.identity(), identity);
    ///
    /// let too_long = AllocIdentity { id: "203266e5-e0d6-9486-5e05-397ed2b184af0", ..identity };
    /// assert_eq!(
    ///     group.set_identity(too_long),
    ///     Err(AllocationError::IdentityTooLong { field: IdentityField::Id, len: 37 })
    /// );
    /// # Ok::<(), AllocationError>(())
    /// ```
    pub fn set_identity(&mut self, identity: AllocIdentity<'_>) -> Result<bool, AllocationError> {
        if self.identity.cut == 0 && self.identity.borrowed() == identity {
            return Ok(false);
        }
        self.identity.set(&identity)?;
        self.bump(1);
        Ok(true)
    }

    super::identity_getters! {
        /// Whether the JSON decoder cut `field` to its capacity
        /// ([`IdentityField::capacity`](super::IdentityField::capacity)): Nomad wrote a longer
        /// value, of which the field holds the longest prefix that fits (on a character
        /// boundary). The decoder reads such an allocation rather than refusing it for one
        /// long ID; [`set_identity`](Self::set_identity) clears every mark (it refuses an
        /// over-long value instead), and the compact format does not carry the marks.
        ///
        /// ```
        /// # #[cfg(feature = "serde")]
        /// # fn main() -> Result<(), serde_json::Error> {
        /// use allocstate::{Allocation, IdentityField, JOB_ID_CAPACITY};
        ///
        /// let long = "j".repeat(JOB_ID_CAPACITY + 10);
        /// let json = format!(r#"{{"JobID": "{long}", "TaskStates": null}}"#);
        /// let group: Allocation<2> = serde_json::from_str(&json)?;
        /// assert!(group.identity_cut(IdentityField::JobId));
        /// assert_eq!(group.job_id(), &long[..JOB_ID_CAPACITY]);
        /// assert!(!group.identity_cut(IdentityField::Name));
        /// # Ok(())
        /// # }
        /// # #[cfg(not(feature = "serde"))]
        /// # fn main() {}
        /// ```
        identity_cut;
        id, eval_id, name, node_id, job_id, task_group
    }

    /// `CreateIndex`: the servers' index when the allocation was created (0 until set).
    #[must_use]
    pub const fn create_index(&self) -> u64 {
        self.create_index
    }

    /// Adopts the servers' `CreateIndex` and `ModifyIndex` (e.g. when taking over an
    /// allocation read elsewhere); later changes count on from `modify_index`. Refused,
    /// changing nothing ([`AllocationError::InvalidIndexes`]), if `create_index` is after
    /// `modify_index` or `modify_index` is below the current modify index (a blocking
    /// query's index never goes back).
    ///
    /// ```
    /// use allocstate::{AllocationError, Allocation};
    ///
    /// let mut group: Allocation = Allocation::new();
    /// group.set_indexes(7, 9)?;
    /// assert_eq!((group.create_index(), group.modify_index()), (7, 9));
    /// assert!(group.set_indexes(7, 8).is_err()); // backwards
    /// assert!(group.set_indexes(10, 9).is_err()); // created after modified
    /// # Ok::<(), AllocationError>(())
    /// ```
    pub fn set_indexes(
        &mut self,
        create_index: u64,
        modify_index: u64,
    ) -> Result<(), AllocationError> {
        if create_index > modify_index || modify_index < self.modify_index {
            return Err(AllocationError::InvalidIndexes {
                create_index,
                modify_index,
            });
        }
        self.create_index = create_index;
        self.modify_index = modify_index;
        Ok(())
    }

    /// Nomad's `DesiredStatus`.
    #[must_use]
    pub const fn desired_status(&self) -> DesiredStatus {
        self.desired_status
    }

    /// Nomad's `DesiredDescription`.
    #[must_use]
    pub fn desired_description(&self) -> &str {
        self.desired_description.as_str()
    }

    /// Sets the desired status and its description. Returns whether anything changed
    /// (then the modify index grew). A description longer than
    /// [`DESIRED_DESCRIPTION_CAPACITY`] is refused and nothing changes.
    pub fn set_desired(
        &mut self,
        status: DesiredStatus,
        description: &str,
    ) -> Result<bool, AllocationError> {
        let mut text = String::new();
        if text.push_str(description).is_err() {
            return Err(AllocationError::DescriptionTooLong {
                len: description.len(),
            });
        }
        if status == self.desired_status && text == self.desired_description {
            return Ok(false);
        }
        self.desired_status = status;
        self.desired_description = text;
        self.bump(1);
        Ok(true)
    }

    /// The index of the latest accepted change.
    #[must_use]
    pub const fn modify_index(&self) -> u64 {
        self.modify_index
    }

    /// Whether anything changed after `index` (a blocking query's question).
    #[must_use]
    pub const fn changed_since(&self, index: u64) -> bool {
        self.modify_index > index
    }

    /// The kill orders due now, in kill order (see the module docs). Pure: nothing
    /// changes until [`apply_orders`](Self::apply_orders).
    #[must_use = "the orders are only computed; apply_orders records them"]
    pub fn orders(&self) -> Orders<N> {
        orders::compute(&self.tasks, self.desired_status)
    }

    /// Applies the orders due now, at `time`: for each, the reason event (if any) and
    /// then `Killing`, through the task machine, and marks the task ordered. An order
    /// whose events the task's machine would refuse is skipped and changes nothing.
    /// Returns the orders applied; the runtime then stops those tasks.
    pub fn apply_orders(&mut self, time: i64) -> Orders<N> {
        let mut applied = Orders::default();
        for order in self.orders() {
            let reason = order.reason_event(time);
            let killing = order.killing_event(time);
            let Some(task) = self.tasks.get_mut(order.task) else {
                continue;
            };
            let accepted = reason.as_ref().is_none_or(|e| task.state.accepts(e))
                && task.state.accepts(&killing);
            if !accepted {
                continue;
            }
            let mut events: u64 = 0;
            if let Some(reason) = reason {
                if task.state.apply(reason).is_err() {
                    continue;
                }
                events = 1;
            }
            if task.state.apply(killing).is_ok() {
                events = events.saturating_add(1);
            }
            task.kill_ordered = true;
            self.bump(events);
            // Cannot fail: at most one order per task, at most N tasks.
            if applied.push(order).is_err() {
                break;
            }
        }
        applied
    }

    fn bump(&mut self, changes: u64) {
        self.modify_index = self.modify_index.saturating_add(changes);
        // A description set for a status no longer current is dropped.
        if let Some(reported) = &self.client_description {
            if reported.status != self.client_status() {
                self.client_description = None;
            }
        }
    }
}
