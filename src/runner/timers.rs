//! The clock reaching a timer: restart delays, shutdown delays, kill timeouts
//! (`TaskRunner.Run`'s restart wait, `TaskRunner.handleKill`,
//! `client/allocrunner/taskrunner/task_runner.go`). Every timer runs on the monotonic
//! clock ([`Now::mono`]).

use super::slot::Place;
use super::{Action, GroupDelay, MaxRun, Now, Runner, RunnerError, Step};

/// Which timer is due.
#[derive(Debug, Clone, Copy)]
enum Due {
    /// A task's (restart delay, shutdown delay, kill timeout).
    Task(usize),
    /// The group shutdown delay.
    GroupDelay,
    /// The allocation's `max_run_duration`.
    MaxRun,
}

impl<const N: usize> Runner<N> {
    /// The clock reached `now`: every timer due fires, in deadline order (ties in task
    /// order, then the group shutdown delay, then `max_run_duration`), then the alloc
    /// runner's pass. A restart delay over sends the task back to its gate; a shutdown
    /// delay over sends the stop; a kill timeout passed sends the force-kill;
    /// `max_run_duration` passed kills the allocation. Nothing due changes nothing.
    ///
    /// A restart delay that ends while the allocation is being stopped ends the task
    /// dead with no event: Nomad's run loop checks `TaskRunner.shouldShutdown` before
    /// it waits on the gate again.
    pub fn tick(&mut self, now: impl Into<Now>) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        if !self.arrived {
            return Err(RunnerError::NotArrived);
        }
        self.begin(now);
        // Fire the earliest due timer until none is due: at most one per task, the
        // group's and the max run's, so the loop is bounded.
        for _ in 0..N.saturating_add(2) {
            match self.earliest_due(now.mono) {
                None => break,
                Some(Due::Task(task)) => self.fire(now.wall, task),
                Some(Due::GroupDelay) => self.group_delay = GroupDelay::Done,
                Some(Due::MaxRun) => self.exceed_max_run(),
            }
        }
        Ok(self.end(now))
    }

    /// The earliest due timer, ties in the order of [`tick`](Self::tick).
    fn earliest_due(&self, now: i64) -> Option<Due> {
        let mut best: Option<(i64, Due)> = None;
        let mut consider = |at: i64, due: Due| {
            if at <= now && best.is_none_or(|(b, _)| at < b) {
                best = Some((at, due));
            }
        };
        for (index, slot) in self.slots.iter().enumerate() {
            if let Some(at) = slot.place.deadline() {
                consider(at, Due::Task(index));
            }
        }
        if let GroupDelay::Until(at) = self.group_delay {
            consider(at, Due::GroupDelay);
        }
        if let MaxRun::Until(at) = self.max_run {
            consider(at, Due::MaxRun);
        }
        best.map(|(_, due)| due)
    }

    fn fire(&mut self, now: i64, index: usize) {
        match self.place_of(index) {
            Place::RestartWait { .. } => {
                let poststop = self
                    .alloc
                    .tasks
                    .get(index)
                    .is_some_and(|t| t.role.is_poststop());
                if self.alloc.desired_status().is_terminal() && !poststop {
                    self.end_run(index, now);
                } else {
                    self.set_place(index, Place::Waiting);
                }
            }
            Place::ShutdownDelay { reason, .. } => self.send_stop(index, reason),
            Place::Stopping { reason, .. } => {
                self.push(index, Action::Kill);
                let place = Place::Stopping {
                    reason,
                    kill_at: None,
                };
                self.set_place(index, place);
            }
            _ => {}
        }
    }
}
