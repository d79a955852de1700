//! What must follow a change: the kill orders Nomad's allocation runner would act on.

use heapless::Vec;

use crate::event::TaskEvent;
use crate::phase::Phase;

use super::desired::DesiredStatus;
use super::name::TaskName;
use super::AllocTask;

/// Why a task must be killed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
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

/// One task the runtime must kill, and why: the task first records the cause's reason
/// event (if any), then `Killing` with its kill timeout. Obtained from
/// [`Allocation::orders`](super::Allocation::orders), applied by
/// [`Allocation::apply_orders`](super::Allocation::apply_orders).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Order {
    pub(crate) task: usize,
    pub(crate) cause: KillCause,
    pub(crate) kill_timeout: i64,
}

impl Order {
    /// The task's index in the allocation (see
    /// [`Allocation::task_at`](super::Allocation::task_at)).
    pub const fn task(&self) -> usize {
        self.task
    }

    /// Why the task must be killed.
    pub const fn cause(&self) -> &KillCause {
        &self.cause
    }

    /// The task's kill timeout (ns), carried by the `Killing` event.
    pub const fn kill_timeout(&self) -> i64 {
        self.kill_timeout
    }

    /// The reason event to record first (`Sibling Task Failed`, `Leader Task Dead`,
    /// `Main Tasks Dead`), or none for a desired stop.
    pub fn reason_event(&self, time: i64) -> Option<TaskEvent> {
        self.cause.reason_event(time)
    }

    /// The `Killing` event to record after the reason.
    pub fn killing_event(&self, time: i64) -> TaskEvent {
        TaskEvent::killing(time, self.kill_timeout)
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
pub(crate) fn compute<const N: usize>(
    tasks: &[AllocTask],
    desired: DesiredStatus,
) -> Vec<Order, N> {
    let mut orders = Vec::new();
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
