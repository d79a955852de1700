//! What must follow a change: the kill orders Nomad's allocation runner would act on.

use core::fmt;

use heapless::Vec;

use crate::event::TaskEvent;
use crate::go::GoQuoted;
use crate::phase::Phase;

use super::desired::DesiredStatus;
use super::name::TaskName;
use super::task::AllocTask;

/// Why a task must be killed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum KillCause {
    /// A (non-poststop) task is dead and failed: `Sibling Task Failed` naming it.
    SiblingTaskFailed {
        /// The failed task (the first in the allocation's order if several failed).
        failed: TaskName,
    },
    /// The leader is dead and did not fail: `Leader Task Dead`.
    LeaderTaskDead,
    /// Only sidecars are alive: `Main Tasks Dead`.
    MainTasksDead,
    /// The desired status is `stop` or `evict`: killed without a reason event.
    Desired(DesiredStatus),
}

impl KillCause {
    /// The reason event the task records before `Killing`; none for a desired stop.
    #[must_use]
    pub fn reason_event(&self, time: i64) -> Option<TaskEvent> {
        match self {
            KillCause::SiblingTaskFailed { failed } => {
                Some(TaskEvent::sibling_task_failed(time, failed.as_str()))
            }
            KillCause::LeaderTaskDead => Some(TaskEvent::leader_task_dead(time)),
            KillCause::MainTasksDead => Some(TaskEvent::main_tasks_dead(time)),
            KillCause::Desired(_) => None,
        }
    }
}

/// The reason as an operator reads it, in the words of the reason event's display
/// message: `Task's sibling "web" failed`, `Leader Task in Group dead`, `Main tasks in the
/// group died`, and `desired status is "stop"` for a stop or evict.
impl fmt::Display for KillCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KillCause::SiblingTaskFailed { failed } => {
                write!(f, "Task's sibling {} failed", GoQuoted(failed.as_str()))
            }
            KillCause::LeaderTaskDead => f.write_str("Leader Task in Group dead"),
            KillCause::MainTasksDead => f.write_str("Main tasks in the group died"),
            KillCause::Desired(status) => write!(f, "desired status is \"{status}\""),
        }
    }
}

/// One task the runtime must kill, and why: the task first records the cause's reason
/// event (if any), then `Killing` with its kill timeout. Obtained from
/// [`Allocation::orders`](super::Allocation::orders), applied by
/// [`Allocation::apply_orders`](super::Allocation::apply_orders).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Order {
    pub(crate) task: usize,
    pub(crate) name: TaskName,
    pub(crate) cause: KillCause,
    pub(crate) kill_timeout: i64,
}

impl Order {
    /// The task's index in the allocation (see
    /// [`Allocation::task_at`](super::Allocation::task_at)).
    #[must_use]
    pub const fn task(&self) -> usize {
        self.task
    }

    /// The task's name.
    #[must_use]
    pub fn task_name(&self) -> &str {
        self.name.as_str()
    }

    /// Why the task must be killed.
    #[must_use]
    pub const fn cause(&self) -> &KillCause {
        &self.cause
    }

    /// The task's kill timeout (ns), carried by the `Killing` event.
    #[must_use]
    pub const fn kill_timeout(&self) -> i64 {
        self.kill_timeout
    }

    /// The reason event to record first (`Sibling Task Failed`, `Leader Task Dead`,
    /// `Main Tasks Dead`), or none for a desired stop.
    #[must_use]
    pub fn reason_event(&self, time: i64) -> Option<TaskEvent> {
        self.cause.reason_event(time)
    }

    /// The `Killing` event to record after the reason.
    #[must_use]
    pub fn killing_event(&self, time: i64) -> TaskEvent {
        TaskEvent::killing(time, self.kill_timeout)
    }
}

/// The kill orders of one call, at most `N` (one per task): a slice of [`Order`]s
/// (`len`, indexing, `iter` through `Deref`), iterable by value or by reference. The
/// storage is the crate's own, so a change of heapless is not a change of this API.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Orders<const N: usize>(Vec<Order, N>);

impl<const N: usize> Orders<N> {
    /// The orders as a slice, in kill order.
    #[must_use]
    pub fn as_slice(&self) -> &[Order] {
        &self.0
    }

    pub(crate) fn push(&mut self, order: Order) -> Result<(), Order> {
        self.0.push(order)
    }
}

impl<const N: usize> core::ops::Deref for Orders<N> {
    type Target = [Order];

    fn deref(&self) -> &[Order] {
        &self.0
    }
}

impl<'a, const N: usize> IntoIterator for &'a Orders<N> {
    type Item = &'a Order;
    type IntoIter = core::slice::Iter<'a, Order>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<const N: usize> IntoIterator for Orders<N> {
    type Item = Order;
    type IntoIter = OrdersIntoIter<N>;

    fn into_iter(self) -> OrdersIntoIter<N> {
        OrdersIntoIter(self.0.into_iter())
    }
}

/// The orders of an [`Orders`], by value, in kill order.
#[derive(Debug, Clone)]
pub struct OrdersIntoIter<const N: usize>(heapless::vec::IntoIter<Order, N, usize>);

impl<const N: usize> Iterator for OrdersIntoIter<N> {
    type Item = Order;

    fn next(&mut self) -> Option<Order> {
        self.0.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<const N: usize> ExactSizeIterator for OrdersIntoIter<N> {}

#[cfg(feature = "defmt")]
#[cfg_attr(docsrs, doc(cfg(feature = "defmt")))]
impl<const N: usize> defmt::Format for Orders<N> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{}", self.as_slice())
    }
}

/// Whether the allocation may kill this task: not poststop and not dead.
fn live(task: &AllocTask) -> bool {
    !task.role.is_poststop() && task.state.phase() != Phase::Dead
}

/// The cause that applies now, if any, in Nomad's priority.
pub(crate) fn cause(tasks: &[AllocTask], desired: DesiredStatus) -> Option<KillCause> {
    let mut failed: Option<&TaskName> = None;
    let mut leader_dead = false;
    let mut has_sidecars = false;
    let mut has_main = false;
    let mut live_main = false;
    let mut live_any = false;
    for task in tasks {
        has_sidecars |= task.role.is_sidecar();
        has_main |= task.role.lifecycle.hook.is_none();
        if task.role.is_poststop() {
            continue;
        }
        if task.state.phase() != Phase::Dead {
            live_any = true;
            live_main |= !task.role.is_sidecar();
        } else if task.state.failed() {
            failed = failed.or(Some(&task.name));
        } else if task.role.leader {
            leader_dead = true;
        }
    }
    if leader_dead {
        Some(KillCause::LeaderTaskDead)
    } else if let Some(name) = failed {
        Some(KillCause::SiblingTaskFailed {
            failed: name.clone(),
        })
    } else if has_sidecars && has_main && live_any && !live_main {
        Some(KillCause::MainTasksDead)
    } else if desired.is_terminal() {
        Some(KillCause::Desired(desired))
    } else {
        None
    }
}

/// The orders due now: every live task not yet ordered, in Nomad's kill order.
pub(crate) fn compute<const N: usize>(tasks: &[AllocTask], desired: DesiredStatus) -> Orders<N> {
    let mut orders = Orders::default();
    let Some(cause) = cause(tasks, desired) else {
        return orders;
    };
    // Kill order: the leader, then the other non-sidecar tasks, then the sidecars.
    let groups: [fn(&AllocTask) -> bool; 3] = [
        |t| t.role.leader,
        |t| !t.role.leader && !t.role.is_sidecar(),
        |t| !t.role.leader && t.role.is_sidecar(),
    ];
    for in_group in groups {
        for (index, task) in tasks.iter().enumerate() {
            if in_group(task) && live(task) && !task.kill_ordered {
                let order = Order {
                    task: index,
                    name: task.name.clone(),
                    cause: cause.clone(),
                    kill_timeout: task.kill_timeout,
                };
                // At most one order per task, and there are at most N tasks.
                if orders.push(order).is_err() {
                    return orders;
                }
            }
        }
    }
    orders
}
