//! Server-side changes to a running allocation: an update that no longer has a task
//! (reference §2.6), the client reconnecting (§3.7).

use crate::event::{Detail, TaskEvent};

use super::slot::{Place, StopReason};
use super::{Runner, RunnerError, Step};

impl<const N: usize> Runner<N> {
    /// An allocation update no longer has the task at `index` (Nomad's `TR:Update`,
    /// reference §2.6): the task is killed, whatever its lifecycle stage, and ends dead
    /// and **failed**, its `Killed` carrying `KillReason` `update missing task`; the
    /// other tasks then see a failed sibling (§3.2).
    ///
    /// Nomad records that `Killed` first, then `Terminated` and a second `Killed`; the
    /// contract ends a task at its first `Killed`, so the runner records it once, last:
    /// a running task goes through the kill path (its shutdown delay, the stop, no
    /// `Killing`, as Nomad's `Kill` with its own event), `Terminated`, then the failing
    /// `Killed`; a task not running records only that `Killed`. Refused, changing
    /// nothing: a dead task (Nomad fails even a completed task, which the contract
    /// forbids: dead is never left), or one already dropped.
    pub fn drop_task(&mut self, now: i64, index: usize) -> Result<Step<'_>, RunnerError> {
        self.task(index)?;
        let place = self.place_of(index);
        if place == Place::Dead {
            return Err(RunnerError::TaskDead { task: index });
        }
        if self.slots.get(index).is_some_and(|slot| slot.dropped) {
            return Err(RunnerError::Dropped { task: index });
        }
        self.begin();
        if let Some(slot) = self.slots.get_mut(index) {
            slot.dropped = true;
            // The kill comes with its own event, so the alloc runner's `Killing` never
            // follows (a task is told once).
            slot.killing_recorded = true;
            slot.tracker.set_killed();
        }
        match place {
            Place::Waiting | Place::RestartWait { .. } => self.record_killed(now, index),
            Place::Running => self.kill_running(now, index),
            Place::Starting { killed: false } => {
                self.stop_command(index);
                self.set_place(index, Place::Starting { killed: true });
            }
            Place::Stopping { kill_at, .. } => {
                let place = Place::Stopping {
                    reason: StopReason::Kill,
                    kill_at,
                };
                self.set_place(index, place);
            }
            // Already being stopped: its end records the failing `Killed`.
            Place::Starting { killed: true } | Place::ShutdownDelay { .. } | Place::Dead => {}
        }
        Ok(self.end(now))
    }

    /// The client reconnected to its servers after a disconnect (Nomad's
    /// `AR:Reconnect`, reference §3.7): every task records `Reconnected`, all at `now`,
    /// without a state change; the client status is recomputed from the tasks (a dead
    /// and failed task keeps the allocation `failed`).
    pub fn reconnected(&mut self, now: i64) -> Result<Step<'_>, RunnerError> {
        if !self.arrived {
            return Err(RunnerError::NotArrived);
        }
        self.begin();
        for index in 0..self.slots.len() {
            self.record(index, TaskEvent::new(now, Detail::Reconnected));
        }
        Ok(self.end(now))
    }
}
