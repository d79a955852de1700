//! Server-side changes to a running allocation: an update that no longer has a task
//! (`TaskRunner.Update`, `client/allocrunner/taskrunner/task_runner.go`), the client
//! reconnecting (`allocRunner.Reconnect`, `client/allocrunner/alloc_runner.go`), the
//! servers contacted after a failed reattach (`TaskRunner.waitOnServers`).

use crate::event::{Detail, TaskEvent};

use super::slot::{Place, StopReason};
use super::{Now, Runner, RunnerError, Step, TaskId};

impl<const N: usize> Runner<N> {
    /// An allocation update no longer has the task (Nomad's `TaskRunner.Update`): the task is killed, whatever its lifecycle stage, and ends dead
    /// and **failed**, its `Killed` carrying `KillReason` `update missing task`; the
    /// other tasks then see a failed sibling.
    ///
    /// Nomad records that `Killed` first, then `Terminated` and a second `Killed`; the
    /// contract ends a task at its first `Killed`, so the runner records it once, last:
    /// a running task goes through the kill path (its shutdown delay, the stop, no
    /// `Killing`, as Nomad's `Kill` with its own event), `Terminated`, then the failing
    /// `Killed`; a task not running records only that `Killed`. Refused, changing
    /// nothing: a dead task (Nomad fails even a completed task, which the contract
    /// forbids: dead is never left), or one already dropped.
    pub fn drop_task(&mut self, now: impl Into<Now>, id: TaskId) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        self.task(id)?;
        let index = id.index();
        let place = self.place_of(index);
        if place == Place::Dead {
            return Err(RunnerError::TaskDead { task: id });
        }
        if self.slots.get(index).is_some_and(|slot| slot.dropped) {
            return Err(RunnerError::Dropped { task: id });
        }
        self.begin(now);
        let wall = now.wall;
        if let Some(slot) = self.slots.get_mut(index) {
            slot.dropped = true;
            // The kill comes with its own event, so the alloc runner's `Killing` never
            // follows (a task is told once).
            slot.killing_recorded = true;
            slot.tracker.set_killed();
        }
        match place {
            Place::Waiting | Place::AwaitingServers | Place::RestartWait { .. } => {
                self.record_killed(wall, index)
            }
            Place::Running => self.kill_running(wall, index, StopReason::Kill),
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
    /// `allocRunner.Reconnect`): every task records `Reconnected`, all at `now`,
    /// without a state change; the client status is recomputed from the tasks (a dead
    /// and failed task keeps the allocation `failed`).
    pub fn reconnected(&mut self, now: impl Into<Now>) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        if !self.arrived {
            return Err(RunnerError::NotArrived);
        }
        self.begin(now);
        for index in 0..self.slots.len() {
            self.record(index, TaskEvent::new(now.wall, Detail::Reconnected));
        }
        Ok(self.end(now))
    }

    /// The agent contacted its servers (Nomad's `TaskRunner.waitOnServers` returns):
    /// every task whose reattach failed at restore (`Failed Restoring Task`, waiting)
    /// goes back to its gate and starts when it allows, as a fresh start. An agent
    /// with no servers calls it right after the restore. Refused if no task waits
    /// ([`RunnerError::NotAwaitingServers`]).
    pub fn servers_contacted(&mut self, now: impl Into<Now>) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        if !self.arrived {
            return Err(RunnerError::NotArrived);
        }
        if !self.slots.iter().any(|s| s.place == Place::AwaitingServers) {
            return Err(RunnerError::NotAwaitingServers);
        }
        self.begin(now);
        for slot in self.slots.iter_mut() {
            if slot.place == Place::AwaitingServers {
                slot.place = Place::Waiting;
            }
        }
        Ok(self.end(now))
    }
}
