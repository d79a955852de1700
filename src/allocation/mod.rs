//! An allocation: a fixed-capacity set of named tasks, its client status, its desired
//! status, a modify index, and the kill orders that follow a change.
//!
//! Every change goes through the task machine ([`TaskState::apply`] /
//! [`TaskState::finish`]), addressed by task name. A refused operation — unknown name,
//! duplicate name, full allocation, over-long name or description, or an event the
//! task's machine refuses — is a typed error and changes nothing, not even the
//! [modify index](Allocation::modify_index).
//!
//! ```
//! use allocstate::{Allocation, ClientStatus, KillCause, Role, TaskEvent};
//!
//! let mut group: Allocation = Allocation::new();
//! group.add_task("web", Role::main())?;
//! group.add_task("logger", Role::prestart(true))?;
//! for name in ["web", "logger"] {
//!     group.apply(name, TaskEvent::received(1))?;
//!     group.apply(name, TaskEvent::started(2))?;
//! }
//! assert_eq!(group.client_status(), ClientStatus::Running);
//!
//! // web fails for good: the sidecar must be told and killed.
//! group.apply("web", TaskEvent::terminated(3, 1))?;
//! group.apply("web", TaskEvent::not_restarting(4, "Policy allows no restarts"))?;
//! assert_eq!(group.client_status(), ClientStatus::Failed);
//! let orders = group.orders();
//! assert_eq!(orders.len(), 1);
//! assert_eq!(group.task_at(orders[0].task()).unwrap().name(), "logger");
//! assert!(matches!(orders[0].cause(), KillCause::SiblingTaskFailed { failed } if failed == "web"));
//!
//! let applied = group.apply_orders(5);
//! assert_eq!(applied.len(), 1);
//! assert!(group.orders().is_empty()); // never ordered twice
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Client status
//!
//! [`ClientStatus::of`] over every task (poststop tasks included): any task dead and
//! failed → `failed`; else any running → `running`; else any pending → `pending`; else
//! `complete`; no tasks → `pending`. The description is Nomad's text for the status.
//! A server may impose `lost` or `unknown` ([`Allocation::set_server_status`]): it is
//! then the reported status until cleared, and changes nothing else. A description set
//! with [`Allocation::set_client_description`] is shown while the status it was set
//! with lasts.
//!
//! # Identity
//!
//! `ID`, `EvalID`, `Name`, `NodeID`, `JobID` and `TaskGroup` are held in fixed
//! capacities ([`UUID_CAPACITY`], [`ALLOC_NAME_CAPACITY`], [`JOB_ID_CAPACITY`],
//! [`TASK_GROUP_CAPACITY`]); an over-long value is refused, never cut
//! ([`Allocation::set_identity`]).
//!
//! # The modify index
//!
//! Starts at 0 and grows by one on every accepted change: a task added, an event
//! accepted (including each event applied by [`Allocation::apply_orders`]), a task
//! finished (finishing a dead task changes nothing), the desired status or description
//! changed (setting the same values changes nothing), the identity strings, the
//! server-set status or the shown client description changed. It saturates at
//! `u64::MAX`. [`Allocation::set_indexes`] adopts the servers' `CreateIndex` and
//! `ModifyIndex` (never moving the modify index back); reading Nomad's JSON keeps its
//! `ModifyIndex` as the current index.
//! [`Allocation::changed_since`] answers a blocking query's "changed since index N?".
//!
//! # Orders: what must follow (Nomad's `handleTaskStateUpdates` and `killTasks`)
//!
//! After any change the allocation reports, through [`Allocation::orders`], the tasks
//! the runtime must kill. It never changes a task by itself: the runtime calls
//! [`Allocation::apply_orders`], which records each order's events through the same
//! validated path, then stops the processes of the ordered tasks. The rules:
//!
//! 1. Poststop tasks are outside these rules: they never cause a kill and are never
//!    ordered killed (they run after the main tasks). Their states still count in the
//!    client status.
//! 2. A *live* task is a non-poststop task that is not dead (phase Pending, Running,
//!    Exited or ShuttingDown).
//! 3. The cause, first match wins:
//!    1. the leader is dead and not failed → `Leader Task Dead`;
//!    2. a task is dead and failed → `Sibling Task Failed` naming it (the first such task
//!       in the order the tasks were added);
//!    3. the allocation has a sidecar (a prestart or poststart task with `sidecar`)
//!       and a main task (no lifecycle hook), some task is live, and every live task
//!       is a sidecar → `Main Tasks Dead`. (Nomad's task groups always hold a main
//!       task; requiring one lets a runtime add a group's tasks one at a time without
//!       a lone sidecar being ordered killed.)
//!    4. the desired status is `stop` or `evict` → kill, with no reason event;
//!    5. otherwise, no orders.
//! 4. With a cause, every live task not ordered before gets one [`Order`]: first the
//!    reason event (rule 3), then `Killing` with the task's kill timeout
//!    ([`DEFAULT_KILL_TIMEOUT`] unless set at [`add_task_with_kill_timeout`](Allocation::add_task_with_kill_timeout)).
//! 5. Kill order: the leader, then the other non-sidecar tasks, then the sidecars; within
//!    each group, the order the tasks were added.
//! 6. Once an order is applied the task is marked ordered and is never ordered again, so
//!    a task told `Sibling Task Failed` and `Killing` is not later told `Leader Task Dead`
//!    when the killed leader dies.
//! 7. [`Allocation::apply_orders`] applies an order only if the task's machine accepts
//!    both of its events; otherwise it skips it and the task is unchanged. It returns the
//!    orders it applied.

mod desired;
mod error;
pub(crate) mod identity;
mod name;
mod orders;
mod role;

use heapless::{String, Vec};

use crate::event::TaskEvent;
use crate::status::ClientStatus;
use crate::task::{TaskState, Transition};

use identity::Identity;

pub use desired::DesiredStatus;
pub use error::{AllocError, ApplyError};
pub use identity::{
    AllocIdentity, IdentityField, ALLOC_NAME_CAPACITY, JOB_ID_CAPACITY, TASK_GROUP_CAPACITY,
    UUID_CAPACITY,
};
pub use name::{TaskName, TASK_NAME_CAPACITY};
pub use orders::{KillCause, Order};
pub use role::Role;

/// Bytes the desired description can hold; a longer one is refused
/// ([`AllocError::DescriptionTooLong`]).
pub const DESIRED_DESCRIPTION_CAPACITY: usize = 128;

/// Bytes a client description set by [`Allocation::set_client_description`] (or read
/// from the wire) can hold; a longer one is refused
/// ([`AllocError::ClientDescriptionTooLong`]). Nomad's client descriptions are short fixed
/// texts (the longest, `alloc is unknown since its node is disconnected`, is 47 bytes).
pub const CLIENT_DESCRIPTION_CAPACITY: usize = 64;

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
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The task's role.
    pub const fn role(&self) -> Role {
        self.role
    }

    /// The kill timeout (ns) its `Killing` events carry.
    pub const fn kill_timeout(&self) -> i64 {
        self.kill_timeout
    }

    /// The task's state.
    pub const fn state(&self) -> &TaskState {
        &self.state
    }

    /// Whether an order to kill it was applied.
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

/// An allocation of at most `N` named tasks (default 8). See the
/// [module docs](crate::allocation) for the rules.
///
/// ```
/// use allocstate::{AllocError, Allocation, DesiredStatus, Role, TaskEvent};
///
/// static EMPTY: Allocation<4> = Allocation::new(); // const-constructible
///
/// let mut group: Allocation<2> = Allocation::new();
/// group.add_task("web", Role::leader())?;
/// group.add_task("db", Role::main())?;
/// assert_eq!(group.add_task("cache", Role::main()), Err(AllocError::Full { capacity: 2 }));
/// assert_eq!(group.add_task("web", Role::main()), Err(AllocError::DuplicateTask));
///
/// let before = group.modify_index();
/// group.set_desired(DesiredStatus::Stop, "alloc not needed due to job update")?;
/// assert!(group.changed_since(before));
/// assert_eq!(group.orders().len(), 2); // kill web (the leader), then db
/// # Ok::<(), AllocError>(())
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
}

/// A client description that differs from Nomad's text for the status it was set with;
/// shown while the client status stays `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct ReportedDescription {
    pub(crate) status: ClientStatus,
    pub(crate) text: String<CLIENT_DESCRIPTION_CAPACITY>,
}

impl<const N: usize> Default for Allocation<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Allocation<N> {
    /// An empty allocation: no tasks, desired `run`, modify index 0.
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
    }

    /// How many tasks it can hold (`N`).
    pub const fn capacity(&self) -> usize {
        N
    }

    /// How many tasks it holds.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether it holds no task.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Adds a pending task with [`DEFAULT_KILL_TIMEOUT`]; returns its index.
    pub fn add_task(&mut self, name: &str, role: Role) -> Result<usize, AllocError> {
        self.add_task_with_kill_timeout(name, role, DEFAULT_KILL_TIMEOUT)
    }

    /// Adds a pending task whose `Killing` events carry `kill_timeout` (ns); returns its
    /// index. Refused, changing nothing, if the name is empty, too long, already used, or
    /// the allocation is full.
    pub fn add_task_with_kill_timeout(
        &mut self,
        name: &str,
        role: Role,
        kill_timeout: i64,
    ) -> Result<usize, AllocError> {
        let name = TaskName::new(name)?;
        if self.index_of(name.as_str()).is_some() {
            return Err(AllocError::DuplicateTask);
        }
        let index = self.tasks.len();
        if push_pending(&mut self.tasks, name, role, kill_timeout).is_none() {
            return Err(AllocError::Full { capacity: N });
        }
        self.bump(1);
        Ok(index)
    }

    /// The index of the task named `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.tasks
            .iter()
            .position(|task| task.name.as_str() == name)
    }

    /// The task named `name`.
    pub fn task(&self, name: &str) -> Option<&AllocTask> {
        self.tasks.iter().find(|task| task.name.as_str() == name)
    }

    /// The task at `index` (the order tasks were added).
    pub fn task_at(&self, index: usize) -> Option<&AllocTask> {
        self.tasks.get(index)
    }

    /// The state of the task named `name`.
    pub fn state(&self, name: &str) -> Option<&TaskState> {
        self.task(name).map(AllocTask::state)
    }

    /// The tasks, in the order they were added.
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
    pub fn finish(&mut self, name: &str, time: i64) -> Result<Transition, AllocError> {
        let index = self.index_of(name).ok_or(AllocError::UnknownTask)?;
        let task = self.tasks.get_mut(index).ok_or(AllocError::UnknownTask)?;
        let step = task.state.finish(time);
        if step.changed() {
            self.bump(1);
        }
        Ok(step)
    }

    /// Nomad's `ClientStatus`: the [server-set status](Self::set_server_status) if there is
    /// one, otherwise the one [derived from the tasks](Self::derived_client_status).
    pub fn client_status(&self) -> ClientStatus {
        match self.server_status {
            Some(status) => status,
            None => self.derived_client_status(),
        }
    }

    /// The client status derived from the tasks ([`ClientStatus::of`]), whatever a server
    /// set.
    pub fn derived_client_status(&self) -> ClientStatus {
        ClientStatus::of(self.tasks.iter().map(AllocTask::state))
    }

    /// Nomad's `ClientDescription`: the one [set](Self::set_client_description) for the
    /// current client status if any, otherwise Nomad's text for the status
    /// ([`ClientStatus::description`]).
    pub fn client_description(&self) -> &str {
        let status = self.client_status();
        match &self.client_description {
            Some(reported) if reported.status == status => reported.text.as_str(),
            _ => status.description(),
        }
    }

    /// The status a server imposed (`lost` or `unknown`), if any.
    pub const fn server_status(&self) -> Option<ClientStatus> {
        self.server_status
    }

    /// Sets or clears the status a server imposes on the allocation: `lost` (its node is
    /// down) or `unknown` (its node disconnected). While set, it is the
    /// [client status](Self::client_status) whatever the tasks say; it changes nothing
    /// else (the tasks, the orders). It stays until cleared with `None`. The statuses
    /// derived from the tasks (`pending`, `running`, `failed`, `complete`) are refused
    /// ([`AllocError::NotServerStatus`]). Returns whether anything changed (then the
    /// modify index grew).
    ///
    /// ```
    /// use allocstate::{AllocError, Allocation, ClientStatus};
    ///
    /// let mut group: Allocation = Allocation::new();
    /// assert_eq!(group.set_server_status(Some(ClientStatus::Lost)), Ok(true));
    /// assert_eq!(group.client_status(), ClientStatus::Lost);
    /// assert_eq!(group.derived_client_status(), ClientStatus::Pending);
    /// assert_eq!(
    ///     group.set_server_status(Some(ClientStatus::Running)),
    ///     Err(AllocError::NotServerStatus { status: ClientStatus::Running })
    /// );
    /// assert_eq!(group.set_server_status(None), Ok(true));
    /// assert_eq!(group.client_status(), ClientStatus::Pending);
    /// ```
    pub fn set_server_status(&mut self, status: Option<ClientStatus>) -> Result<bool, AllocError> {
        if let Some(status) = status {
            if !matches!(status, ClientStatus::Lost | ClientStatus::Unknown) {
                return Err(AllocError::NotServerStatus { status });
            }
        }
        if status == self.server_status {
            return Ok(false);
        }
        self.server_status = status;
        self.bump(1);
        Ok(true)
    }

    /// Sets the `ClientDescription` shown while the client status stays what it is now;
    /// once the status changes, Nomad's text for the new status is shown again. Text
    /// equal to Nomad's for the current status is not stored (it is what is shown
    /// anyway). A description longer than [`CLIENT_DESCRIPTION_CAPACITY`] is refused.
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
    /// # Ok::<(), allocstate::AllocError>(())
    /// ```
    pub fn set_client_description(&mut self, description: &str) -> Result<bool, AllocError> {
        let mut text = String::new();
        if text.push_str(description).is_err() {
            return Err(AllocError::ClientDescriptionTooLong {
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
    pub fn identity(&self) -> AllocIdentity<'_> {
        self.identity.borrowed()
    }

    /// Sets every identity string at once. Each is checked against its capacity
    /// ([`IdentityField::capacity`]) before any is kept: an over-long one is refused
    /// ([`AllocError::IdentityTooLong`]), never cut, and nothing changes. Returns whether
    /// anything changed (then the modify index grew).
    ///
    /// ```
    /// use allocstate::{AllocError, AllocIdentity, Allocation, IdentityField};
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
    ///     Err(AllocError::IdentityTooLong { field: IdentityField::Id, len: 37 })
    /// );
    /// # Ok::<(), AllocError>(())
    /// ```
    pub fn set_identity(&mut self, identity: AllocIdentity<'_>) -> Result<bool, AllocError> {
        let held = Identity::from_borrowed(&identity)?;
        if held == self.identity {
            return Ok(false);
        }
        self.identity = held;
        self.bump(1);
        Ok(true)
    }

    /// `ID`: the allocation's UUID.
    pub fn id(&self) -> &str {
        self.identity.id.as_str()
    }

    /// `EvalID`: the evaluation that placed the allocation.
    pub fn eval_id(&self) -> &str {
        self.identity.eval_id.as_str()
    }

    /// `Name`: `<job>.<group>[<index>]`.
    pub fn name(&self) -> &str {
        self.identity.name.as_str()
    }

    /// `NodeID`: the client node.
    pub fn node_id(&self) -> &str {
        self.identity.node_id.as_str()
    }

    /// `JobID`.
    pub fn job_id(&self) -> &str {
        self.identity.job_id.as_str()
    }

    /// `TaskGroup`: the group's name.
    pub fn task_group(&self) -> &str {
        self.identity.task_group.as_str()
    }

    /// `CreateIndex`: the servers' index when the allocation was created (0 until set).
    pub const fn create_index(&self) -> u64 {
        self.create_index
    }

    /// Adopts the servers' `CreateIndex` and `ModifyIndex` (e.g. when taking over an
    /// allocation read elsewhere); later changes count on from `modify_index`. Refused,
    /// changing nothing ([`AllocError::InvalidIndexes`]), if `create_index` is after
    /// `modify_index` or `modify_index` is below the current modify index (a blocking
    /// query's index never goes back).
    ///
    /// ```
    /// use allocstate::{AllocError, Allocation};
    ///
    /// let mut group: Allocation = Allocation::new();
    /// group.set_indexes(7, 9)?;
    /// assert_eq!((group.create_index(), group.modify_index()), (7, 9));
    /// assert!(group.set_indexes(7, 8).is_err()); // backwards
    /// assert!(group.set_indexes(10, 9).is_err()); // created after modified
    /// # Ok::<(), AllocError>(())
    /// ```
    pub fn set_indexes(&mut self, create_index: u64, modify_index: u64) -> Result<(), AllocError> {
        if create_index > modify_index || modify_index < self.modify_index {
            return Err(AllocError::InvalidIndexes {
                create_index,
                modify_index,
            });
        }
        self.create_index = create_index;
        self.modify_index = modify_index;
        Ok(())
    }

    /// Nomad's `DesiredStatus`.
    pub const fn desired_status(&self) -> DesiredStatus {
        self.desired_status
    }

    /// Nomad's `DesiredDescription`.
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
    ) -> Result<bool, AllocError> {
        let mut text = String::new();
        if text.push_str(description).is_err() {
            return Err(AllocError::DescriptionTooLong {
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
    pub const fn modify_index(&self) -> u64 {
        self.modify_index
    }

    /// Whether anything changed after `index` (a blocking query's question).
    pub const fn changed_since(&self, index: u64) -> bool {
        self.modify_index > index
    }

    /// The kill orders due now, in kill order (see the module docs). Pure: nothing
    /// changes until [`apply_orders`](Self::apply_orders).
    pub fn orders(&self) -> Vec<Order, N> {
        orders::compute(&self.tasks, self.desired_status)
    }

    /// Applies the orders due now, at `time`: for each, the reason event (if any) and
    /// then `Killing`, through the task machine, and marks the task ordered. An order
    /// whose events the task's machine would refuse is skipped and changes nothing.
    /// Returns the orders applied; the runtime then stops those tasks.
    pub fn apply_orders(&mut self, time: i64) -> Vec<Order, N> {
        let mut applied = Vec::new();
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
