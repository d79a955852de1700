//! Requests from users and servers: restart, signal, desired stop (reference §2.5,
//! §3.6, §3.7).

use crate::allocation::DesiredStatus;
use crate::event::TaskEvent;

use super::coordinator::Coordinator;
use super::slot::{Place, StopReason};
use super::spec::SignalName;
use super::{Runner, RunnerError, Step};

/// Which tasks a restart request reaches (Nomad's `alloc restart` variants, §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RestartTarget {
    /// One task (`nomad alloc restart <alloc> <task>`).
    Task(usize),
    /// Every running task (`nomad alloc restart <alloc>`).
    Running,
    /// Every task, dead ones included (`-all-tasks`): refused while a task is dead.
    All,
}

impl RestartTarget {
    /// Nomad's reason string for the `Restart Signaled` event (`CL:RestartAllocation`).
    pub const fn reason(self) -> &'static str {
        match self {
            RestartTarget::Task(_) => "User requested task to restart",
            RestartTarget::Running => "User requested running tasks to restart",
            RestartTarget::All => "User requested all tasks to restart",
        }
    }
}

impl<const N: usize> Runner<N> {
    /// A restart request (reference §2.5). Each running task reached records `Restart
    /// Signaled` with Nomad's reason, is stopped with its kill signal and timeout (no
    /// shutdown delay), and on its exit is restarted through its tracker: at once when
    /// `failure` is false, by the policy when it is true.
    pub fn restart(
        &mut self,
        now: i64,
        target: RestartTarget,
        failure: bool,
    ) -> Result<Step<'_>, RunnerError> {
        if !self.arrived {
            return Err(RunnerError::NotArrived);
        }
        if self.alloc.desired_status().is_terminal() || self.max_run_exceeded() {
            return Err(RunnerError::Stopping);
        }
        match target {
            RestartTarget::Task(index) => {
                self.task(index)?;
                if self.place_of(index) != Place::Running {
                    return Err(RunnerError::NotRunning { task: index });
                }
            }
            RestartTarget::Running | RestartTarget::All => {
                if target == RestartTarget::All {
                    let dead = self.alloc.tasks.iter().position(|t| {
                        !t.role.is_poststop() && t.state.state() == crate::WireState::Dead
                    });
                    if let Some(task) = dead {
                        return Err(RunnerError::DeadTask { task });
                    }
                }
                if !self.slots.iter().any(|s| s.place == Place::Running) {
                    return Err(RunnerError::NothingRunning);
                }
            }
        }
        self.begin();
        if target == RestartTarget::All {
            // `AR:RestartAll` resets the coordinator first: every gate closes (§1.5).
            self.coordinator = Coordinator::Init;
        }
        for index in 0..self.slots.len() {
            let reached = match target {
                RestartTarget::Task(task) => task == index,
                _ => self.place_of(index) == Place::Running,
            };
            if !reached {
                continue;
            }
            self.record(index, TaskEvent::restart_signaled(now, target.reason()));
            if let Some(slot) = self.slots.get_mut(index) {
                slot.tracker.set_restart_triggered(failure);
            }
            self.send_stop(now, index, StopReason::Restart);
        }
        Ok(self.end(now))
    }

    /// Sends `signal` to a running task: `Signaling` with the signal's name, then a
    /// signal command (reference §3.7).
    pub fn signal(
        &mut self,
        now: i64,
        index: usize,
        signal: &str,
    ) -> Result<Step<'_>, RunnerError> {
        self.task(index)?;
        let mut name = SignalName::new();
        if name.push_str(signal).is_err() {
            return Err(RunnerError::SignalTooLong { len: signal.len() });
        }
        if self.place_of(index) != Place::Running {
            return Err(RunnerError::NotRunning { task: index });
        }
        self.begin();
        self.record(index, TaskEvent::signaling(now, signal));
        self.push(index, super::Action::Signal { signal: name });
        Ok(self.end(now))
    }

    /// The allocation's desired status turns `stop` or `evict` (reference §3.6): every
    /// non-poststop task is killed in the kill order, after the group shutdown delay;
    /// poststop tasks then run. `no_shutdown_delay` is Nomad's `-no-shutdown-delay`:
    /// both delays are skipped (`Skipping shutdown delay` is recorded instead).
    pub fn stop(
        &mut self,
        now: i64,
        status: DesiredStatus,
        description: &str,
        no_shutdown_delay: bool,
    ) -> Result<Step<'_>, RunnerError> {
        if !status.is_terminal() {
            return Err(RunnerError::DesiredRun);
        }
        if self.alloc.desired_status().is_terminal() {
            return Err(RunnerError::Stopping);
        }
        self.alloc
            .set_desired(status, description)
            .map_err(RunnerError::Task)?;
        self.begin();
        self.no_shutdown_delay = no_shutdown_delay;
        Ok(self.end(now))
    }

    /// An allocation-level prerun hook failed (Nomad's `MarkFailedKill`, reference
    /// §2.8): every task not yet dead records `Setup Failure` (`failed to setup alloc:
    /// <error>`, which fails it) and its run loop ends; the allocation is failed. Only
    /// before any task has started (the prerun hooks run before the tasks):
    /// otherwise [`RunnerError::AlreadyStarted`]. A start already sent is abandoned.
    pub fn setup_failed(&mut self, now: i64, error: &str) -> Result<Step<'_>, RunnerError> {
        if !self.arrived {
            return Err(RunnerError::NotArrived);
        }
        if let Some(task) = self
            .alloc
            .tasks
            .iter()
            .position(|t| t.state.started_at().is_some())
        {
            return Err(RunnerError::AlreadyStarted { task });
        }
        self.begin();
        let mut text: heapless::String<{ crate::EVENT_TEXT_CAPACITY }> = heapless::String::new();
        let _ =
            core::fmt::Write::write_fmt(&mut text, format_args!("failed to setup alloc: {error}"));
        for index in 0..self.slots.len() {
            if self.place_of(index) == Place::Dead {
                continue;
            }
            let event = TaskEvent::setup_failure(now, error).with_display_message(&text);
            self.record(index, event);
            self.end_run(index, now);
        }
        Ok(self.end(now))
    }
}
