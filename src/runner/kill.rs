//! The alloc runner's reactions and kill order (`allocRunner.handleTaskStateUpdates`,
//! `allocRunner.killTasks`, `client/allocrunner/alloc_runner.go`; `TaskRunner.handleKill`,
//! `client/allocrunner/taskrunner/task_runner.go`).

use core::fmt::Write;

use heapless::String;

use crate::allocation::{orders, AllocTask};
use crate::duration::GoDuration;
use crate::event::{Detail, TaskEvent};
use crate::phase::Phase;

use super::slot::{Place, StopReason};
use super::{GroupDelay, Runner};

/// Nomad's `KillReason` when an allocation update no longer has the task
/// (`TaskRunner.Update`).
pub(super) const UPDATE_MISSING_TASK: &str = "update missing task";

/// A task the alloc runner may kill: not poststop and not dead (`allocRunner.killTasks`).
fn live(task: &AllocTask) -> bool {
    !task.role.is_poststop() && task.state.phase() != Phase::Dead
}

/// The kill groups in Nomad's order (`allocRunner.killTasks`): the leader, the other
/// non-sidecar tasks, the sidecars.
const KILL_GROUPS: [fn(&AllocTask) -> bool; 3] = [
    |t| t.role.leader,
    |t| !t.role.leader && !t.role.is_sidecar(),
    |t| !t.role.leader && t.role.is_sidecar(),
];

impl<const N: usize> Runner<N> {
    /// One pass of `handleTaskStateUpdates` and `killTasks`: tells every live task the
    /// cause (once), then kills the first kill group that still has a live ordered task,
    /// after the group shutdown delay. Returns whether anything changed.
    pub(super) fn kill_pass(&mut self, now: i64) -> bool {
        if !self.arrived {
            return false;
        }
        let mut changed = false;
        if let Some(cause) = orders::cause(&self.alloc.tasks, self.alloc.desired_status) {
            for index in 0..self.alloc.tasks.len() {
                // A task an update dropped is already being killed, without a cause.
                if self.slots.get(index).is_some_and(|slot| slot.dropped) {
                    continue;
                }
                let Some(task) = self.alloc.tasks.get_mut(index) else {
                    continue;
                };
                if !live(task) || task.kill_ordered {
                    continue;
                }
                task.kill_ordered = true;
                changed = true;
                if let Some(reason) = cause.reason_event(now) {
                    self.record(index, reason);
                }
            }
        }
        let ordered = |t: &AllocTask| live(t) && t.kill_ordered;
        // Past `max_run_duration`, poststop tasks are killed too (`allocRunner.killTasks`).
        let exceeded = self.max_run_exceeded();
        let poststop =
            |t: &AllocTask| exceeded && t.role.is_poststop() && t.state.phase() != Phase::Dead;
        if !self.alloc.tasks.iter().any(|t| ordered(t) || poststop(t)) {
            return changed;
        }
        match self.group_delay {
            GroupDelay::NotBegun if self.group.shutdown_delay > 0 && !self.no_shutdown_delay => {
                let until = self.mono().saturating_add(self.group.shutdown_delay);
                self.group_delay = GroupDelay::Until(until);
                return true;
            }
            GroupDelay::NotBegun => {
                self.group_delay = GroupDelay::Done;
                changed = true;
            }
            GroupDelay::Until(_) => return changed,
            GroupDelay::Done => {}
        }
        for index in 0..self.alloc.tasks.len() {
            if self.alloc.tasks.get(index).is_some_and(poststop) {
                changed |= self.kill_task(now, index);
            }
        }
        for in_group in KILL_GROUPS {
            let mut any = false;
            for index in 0..self.alloc.tasks.len() {
                let due = self
                    .alloc
                    .tasks
                    .get(index)
                    .is_some_and(|t| in_group(t) && ordered(t));
                if due {
                    any = true;
                    changed |= self.kill_task(now, index);
                }
            }
            if any {
                break;
            }
        }
        changed
    }

    /// Kills one task from wherever it is in its run loop (`TaskRunner.Kill`).
    fn kill_task(&mut self, now: i64, index: usize) -> bool {
        let place = self.place_of(index);
        let needs_kill = matches!(
            place,
            Place::Waiting
                | Place::AwaitingServers
                | Place::RestartWait { .. }
                | Place::Running
                | Place::Starting { killed: false }
                | Place::Stopping {
                    reason: StopReason::Restart,
                    ..
                }
        );
        if !needs_kill {
            return false;
        }
        self.record_killing(now, index);
        match place {
            Place::Waiting | Place::AwaitingServers | Place::RestartWait { .. } => {
                self.end_run(index, now)
            }
            Place::Starting { .. } => {
                self.stop_command(index);
                self.set_place(index, Place::Starting { killed: true });
            }
            Place::Running => self.kill_running(now, index, StopReason::Kill),
            Place::Stopping { kill_at, .. } => {
                if let Some(slot) = self.slots.get_mut(index) {
                    slot.tracker.set_killed();
                }
                let place = Place::Stopping {
                    reason: StopReason::Kill,
                    kill_at,
                };
                self.set_place(index, place);
            }
            _ => {}
        }
        true
    }

    /// `Killing` with the task's kill timeout, once per task.
    fn record_killing(&mut self, now: i64, index: usize) {
        let message = self.max_run_message();
        let Some(slot) = self.slots.get_mut(index) else {
            return;
        };
        if slot.killing_recorded {
            return;
        }
        slot.killing_recorded = true;
        let mut event = TaskEvent::killing(now, slot.config.kill_timeout);
        if let Some(message) = message {
            event = event.with_display_message(message);
        }
        self.record(index, event);
    }

    /// The kill is over: `Killed` (failing the task, with `update missing task`, when an
    /// update dropped it: `TaskRunner.Update`), and the task is dead.
    pub(super) fn record_killed(&mut self, now: i64, index: usize) {
        let dropped = self.slots.get(index).is_some_and(|slot| slot.dropped);
        let event = if dropped {
            TaskEvent::killed_failing(now, UPDATE_MISSING_TASK)
        } else {
            TaskEvent::killed(now)
        };
        self.record(index, event);
        self.set_place(index, Place::Dead);
    }

    /// A running task: the shutdown delay (`TaskRunner.handleKill`), then the stop
    /// (`reason`: a kill, or a restored task of a terminal allocation).
    pub(super) fn kill_running(&mut self, now: i64, index: usize, reason: StopReason) {
        let delay = self.slots.get(index).map_or(0, |s| s.config.shutdown_delay);
        if delay > 0 {
            let skip = self.no_shutdown_delay;
            let detail = if skip {
                Detail::SkippingShutdownDelay
            } else {
                Detail::WaitingForShutdownDelay
            };
            let verb = if skip { "Skipping" } else { "Waiting for" };
            let mut text: String<96> = String::new();
            let _ = write!(
                text,
                "{verb} shutdown_delay of {} before killing the task.",
                GoDuration(delay)
            );
            let event = TaskEvent::new(now, detail).with_display_message(&text);
            self.record(index, event);
            if !skip {
                let until = self.mono().saturating_add(delay);
                self.set_place(index, Place::ShutdownDelay { until, reason });
                return;
            }
        }
        self.send_stop(index, reason);
    }

    /// Sends the stop with the task's signal and kill timeout, and arms the timeout.
    pub(super) fn send_stop(&mut self, index: usize, reason: StopReason) {
        self.stop_command(index);
        let kill_at = Some(self.mono().saturating_add(self.kill_timeout(index)));
        self.set_place(index, Place::Stopping { reason, kill_at });
    }
}
