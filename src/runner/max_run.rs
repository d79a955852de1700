//! `max_run_duration` (Nomad 2.0.3+, batch and sysbatch jobs;
//! `allocRunner.EnforceMaxRunDurationTimeout`, `client/allocrunner/alloc_runner.go`).

use crate::allocation::MAX_RUN_EXCEEDED;
use crate::phase::Phase;

use super::{MaxRun, Runner};

impl<const N: usize> Runner<N> {
    /// The allocation ran for its `max_run_duration` (`allocRunner.EnforceMaxRunDurationTimeout`):
    /// its status is forced `complete` with `allocation exceeded max_run_duration`,
    /// which wins even over a failed task, and every live task is ordered killed with
    /// no cause event. The kill pass then kills the poststop tasks first (so that they
    /// never start), then the others in the kill order; each `Killing` carries the
    /// same display message.
    pub(super) fn exceed_max_run(&mut self) {
        self.max_run = MaxRun::Exceeded;
        self.alloc.exceed_max_run();
        for (task, slot) in self.alloc.tasks.iter_mut().zip(self.slots.iter()) {
            let live = !task.role.is_poststop() && task.state.phase() != Phase::Dead;
            if live && !slot.dropped {
                task.kill_ordered = true;
            }
        }
    }

    /// Whether `max_run_duration` passed.
    pub(super) fn max_run_exceeded(&self) -> bool {
        self.max_run == MaxRun::Exceeded
    }

    /// The display message of a `Killing` sent because `max_run_duration` passed.
    pub(super) fn max_run_message(&self) -> Option<&'static str> {
        self.max_run_exceeded().then_some(MAX_RUN_EXCEEDED)
    }
}
