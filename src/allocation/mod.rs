//! An allocation: a fixed-capacity set of named tasks, its client status, its desired
//! status, a modify index, and the kill orders that follow a change.
//!
//! Every change goes through the task machine ([`TaskState::apply`](crate::TaskState::apply) /
//! [`TaskState::finish`](crate::TaskState::finish)), addressed by task name. A refused operation — unknown name,
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
//! [`ClientStatus::of`](crate::ClientStatus::of) over every task (poststop tasks included): any task dead and
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
//! [`TASK_GROUP_CAPACITY`]); an over-long value is refused by
//! [`Allocation::set_identity`], never cut. The JSON decoder cuts it instead, on a
//! character boundary, and marks the cut ([`Allocation::identity_cut`]).
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

// One job per file, no file importing its parent: the allocation and its changes
// (group), its parts and invariants when rebuilt (parts), one task (task), the kill
// orders (orders), and the pieces they share.
mod capacity;
mod desired;
mod error;
mod group;
pub(crate) mod identity;
mod name;
pub(crate) mod orders;
pub(crate) mod parts;
pub(crate) mod reported;
mod role;
mod task;

pub use capacity::{
    IdentityField, ALLOC_NAME_CAPACITY, CLIENT_DESCRIPTION_CAPACITY, DESIRED_DESCRIPTION_CAPACITY,
    JOB_ID_CAPACITY, TASK_GROUP_CAPACITY, TASK_NAME_CAPACITY, UUID_CAPACITY,
};
pub use desired::DesiredStatus;
pub use error::{AllocationError, ApplyError};
pub use group::Allocation;
pub(crate) use group::MAX_RUN_EXCEEDED;
pub(crate) use identity::identity_getters;
pub use identity::AllocIdentity;
pub use name::TaskName;
pub use orders::{KillCause, Order, Orders, OrdersIntoIter};
pub use parts::{AllocTaskParts, AllocationParts};
pub use role::Role;
#[cfg(feature = "serde")]
pub(crate) use task::push_pending;
pub use task::{AllocTask, DEFAULT_KILL_TIMEOUT};
