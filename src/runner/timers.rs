//! The clock reaching a timer: restart delays, shutdown delays, kill timeouts
//! (reference §2.3, §4).

use super::slot::Place;
use super::{Action, GroupDelay, Runner, RunnerError, Step};

impl<const N: usize> Runner<N> {
    /// The clock reached `now`: every timer due fires, in deadline order (ties in task
    /// order, the group shutdown delay last), then the alloc runner's pass. A restart
    /// delay over sends the task back to its gate; a shutdown delay over sends the stop;
    /// a kill timeout passed sends the force-kill. Nothing due changes nothing.
    pub fn tick(&mut self, now: i64) -> Result<Step<'_>, RunnerError> {
        if !self.arrived {
            return Err(RunnerError::NotArrived);
        }
        self.begin();
        // Fire the earliest due timer until none is due: at most one per task and the
        // group's, so the loop is bounded.
        for _ in 0..=N {
            let Some(index) = self.earliest_due(now) else {
                break;
            };
            match index {
                Some(task) => self.fire(now, task),
                None => self.group_delay = GroupDelay::Done,
            }
        }
        Ok(self.end(now))
    }

    /// The earliest due timer: `Some(Some(task))`, `Some(None)` for the group's delay.
    fn earliest_due(&self, now: i64) -> Option<Option<usize>> {
        let mut best: Option<(i64, Option<usize>)> = None;
        for (index, slot) in self.slots.iter().enumerate() {
            if let Some(at) = slot.place.deadline() {
                if at <= now && best.is_none_or(|(b, _)| at < b) {
                    best = Some((at, Some(index)));
                }
            }
        }
        if let GroupDelay::Until(at) = self.group_delay {
            if at <= now && best.is_none_or(|(b, _)| at < b) {
                best = Some((at, None));
            }
        }
        best.map(|(_, which)| which)
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
