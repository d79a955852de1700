//! Requests from users and servers: restart, signal, desired stop (`TaskRunner.Restart`
//! and `TaskRunner.Signal`, `client/allocrunner/taskrunner/lifecycle.go`;
//! `allocRunner.Update`, `client/allocrunner/alloc_runner.go`).

use crate::allocation::DesiredStatus;
use crate::event::TaskEvent;

use super::coordinator::Coordinator;
use super::slot::{Place, StopReason};
use super::spec::SignalName;
use super::{Now, Runner, RunnerError, Step, TaskId};

/// Which tasks a restart request reaches (Nomad's `alloc restart` variants,
/// `Client.RestartAllocation`, `client/client.go`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RestartTarget {
    /// One task (`nomad alloc restart <alloc> <task>`).
    Task(TaskId),
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
    /// A restart request (`TaskRunner.Restart`). Each running task reached records `Restart
    /// Signaled` with Nomad's reason, is stopped with its kill signal and timeout (no
    /// shutdown delay), and on its exit is restarted through its tracker: at once when
    /// `failure` is false, by the policy when it is true.
    pub fn restart(
        &mut self,
        now: impl Into<Now>,
        target: RestartTarget,
        failure: bool,
    ) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        if !self.arrived {
            return Err(RunnerError::NotArrived);
        }
        if self.alloc.desired_status().is_terminal() || self.max_run_exceeded() {
            return Err(RunnerError::Stopping);
        }
        match target {
            RestartTarget::Task(id) => {
                self.task(id)?;
                if self.place_of(id.index()) != Place::Running {
                    return Err(RunnerError::NotRunning { task: id });
                }
            }
            RestartTarget::Running | RestartTarget::All => {
                if target == RestartTarget::All {
                    let dead = self.alloc.tasks.iter().position(|t| {
                        !t.role.is_poststop() && t.state.state() == crate::WireState::Dead
                    });
                    if let Some(task) = dead.and_then(TaskId::at) {
                        return Err(RunnerError::DeadTask { task });
                    }
                }
                if !self.slots.iter().any(|s| s.place == Place::Running) {
                    return Err(RunnerError::NothingRunning);
                }
            }
        }
        self.begin(now);
        if target == RestartTarget::All {
            // `allocRunner.RestartAll` resets the coordinator first: every gate closes.
            self.coordinator = Coordinator::Init;
        }
        for index in 0..self.slots.len() {
            let reached = match target {
                RestartTarget::Task(task) => task.index() == index,
                _ => self.place_of(index) == Place::Running,
            };
            if !reached {
                continue;
            }
            self.record(
                index,
                TaskEvent::restart_signaled(now.wall, target.reason()),
            );
            if let Some(slot) = self.slots.get_mut(index) {
                slot.tracker.set_restart_triggered(failure);
            }
            self.send_stop(index, StopReason::Restart);
        }
        Ok(self.end(now))
    }

    /// Sends `signal` (`None`: the driver's default) to a running task: `Signaling`
    /// with the signal's name, then a signal command (`TaskRunner.Signal`).
    pub fn signal(
        &mut self,
        now: impl Into<Now>,
        id: TaskId,
        signal: Option<&str>,
    ) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        self.task(id)?;
        let index = id.index();
        let text = signal.unwrap_or("");
        let mut name = SignalName::new();
        if name.push_str(text).is_err() {
            return Err(RunnerError::SignalTooLong { len: text.len() });
        }
        if self.place_of(index) != Place::Running {
            return Err(RunnerError::NotRunning { task: id });
        }
        self.begin(now);
        self.record(index, TaskEvent::signaling(now.wall, text));
        let signal = signal.map(|_| name);
        self.push(index, super::Action::Signal { signal });
        Ok(self.end(now))
    }

    /// The allocation's desired status turns `stop` or `evict` (`allocRunner.Update`): every
    /// non-poststop task is killed in the kill order, after the group shutdown delay;
    /// poststop tasks then run. `no_shutdown_delay` is Nomad's `-no-shutdown-delay`:
    /// both delays are skipped (`Skipping shutdown delay` is recorded instead).
    pub fn stop(
        &mut self,
        now: impl Into<Now>,
        status: DesiredStatus,
        description: &str,
        no_shutdown_delay: bool,
    ) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        if !status.is_terminal() {
            return Err(RunnerError::DesiredRun);
        }
        if self.alloc.desired_status().is_terminal() {
            return Err(RunnerError::Stopping);
        }
        self.alloc
            .set_desired(status, description)
            .map_err(RunnerError::Task)?;
        self.begin(now);
        self.no_shutdown_delay = no_shutdown_delay;
        Ok(self.end(now))
    }

    /// An allocation-level prerun hook failed (Nomad's `TaskRunner.MarkFailedKill`,
    /// called by `allocRunner.Run`): every task not yet dead records `Setup Failure` (`failed to setup alloc:
    /// <error>`, which fails it) and its run loop ends; the allocation is failed. Only
    /// before any task has started (the prerun hooks run before the tasks):
    /// otherwise [`RunnerError::AlreadyStarted`]. A start already sent is abandoned.
    pub fn setup_failed(
        &mut self,
        now: impl Into<Now>,
        error: &str,
    ) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        if !self.arrived {
            return Err(RunnerError::NotArrived);
        }
        if let Some(task) = self
            .alloc
            .tasks
            .iter()
            .position(|t| t.state.started_at().is_some())
            .and_then(TaskId::at)
        {
            return Err(RunnerError::AlreadyStarted { task });
        }
        self.begin(now);
        let mut text: heapless::String<{ crate::EVENT_TEXT_CAPACITY }> = heapless::String::new();
        let _ =
            core::fmt::Write::write_fmt(&mut text, format_args!("failed to setup alloc: {error}"));
        for index in 0..self.slots.len() {
            if self.place_of(index) == Place::Dead {
                continue;
            }
            let event = TaskEvent::setup_failure(now.wall, error).with_display_message(&text);
            self.record(index, event);
            self.end_run(index, now.wall);
        }
        Ok(self.end(now))
    }
}
