//! The clock reaching a timer: restart delays, shutdown delays, kill timeouts
//! (reference §2.3, §4).

use super::slot::Place;
use super::{Action, GroupDelay, MaxRun, Runner, RunnerError, Step};

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
    pub fn tick(&mut self, now: i64) -> Result<Step<'_>, RunnerError> {
        if !self.arrived {
            return Err(RunnerError::NotArrived);
        }
        self.begin();
        // Fire the earliest due timer until none is due: at most one per task, the
        // group's and the max run's, so the loop is bounded.
        for _ in 0..N.saturating_add(2) {
            match self.earliest_due(now) {
                None => break,
                Some(Due::Task(task)) => self.fire(now, task),
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
            Place::RestartWait { .. } => self.set_place(index, Place::Waiting),
            Place::ShutdownDelay { .. } => self.send_stop(now, index, super::StopReason::Kill),
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
