//! What the runtime's driver reports for a task (reference §2.1 steps 4–9, §2.3).

use crate::event::{Detail, TaskEvent};
use crate::restart::RestartOutcome;

use super::slot::{Place, StopReason};
use super::{Runner, RunnerError, Step};

/// How a task's process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Exit {
    /// The exit code.
    pub exit_code: i32,
    /// The signal that ended it (0 if none).
    pub signal: i32,
    /// Whether the kernel's OOM killer ended it.
    pub oom_killed: bool,
}

impl Exit {
    /// An exit with `exit_code` and no signal.
    pub const fn code(exit_code: i32) -> Self {
        Self {
            exit_code,
            signal: 0,
            oom_killed: false,
        }
    }

    /// An exit by `signal`, with `exit_code` (143 for SIGTERM, say).
    pub const fn signal(exit_code: i32, signal: i32) -> Self {
        Self {
            exit_code,
            signal,
            oom_killed: false,
        }
    }

    fn event(&self, time: i64) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Terminated {
                exit_code: self.exit_code,
                signal: self.signal,
                oom_killed: Some(self.oom_killed),
            },
        )
    }
}

/// The outcome of one step of a task's prestart work (reference §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrestartStep<'a> {
    /// The task directory was built: `Task Setup` (`Building Task Directory`), on the
    /// first run only; later runs record nothing, as Nomad's task_dir hook.
    TaskDirBuilt,
    /// The task's artifacts are being downloaded: `Downloading Artifacts`.
    DownloadingArtifacts,
    /// An artifact download failed: `Failed Artifact Download`; a recoverable start
    /// error, so the restart policy decides.
    ArtifactFailed {
        /// The download error.
        error: &'a str,
    },
    /// A prestart hook failed: `Task hook failed` with the message (Nomad writes
    /// `"<hook>: <err>"`), then the restart decision with the error's recoverability.
    HookFailed {
        /// The event's message.
        message: &'a str,
        /// Whether the error is recoverable.
        recoverable: bool,
    },
    /// The template hook blocks the start on data it does not have yet (a Vault secret,
    /// a Consul key): `Template` with its message (Nomad writes `Missing: <keys>`). The
    /// start stays blocked until the runtime reports the next step; a blocking hook that
    /// records nothing (the Vault hook waiting for its token) is simply not reported.
    TemplateBlocked {
        /// The event's display message.
        message: &'a str,
    },
    /// A prestart hook killed the task (the Vault hook could not derive a token and the
    /// error is unrecoverable, a template's fatal error): `Killing` that fails the task,
    /// with the hook's message; the run loop ends with no further event (reference
    /// §2.2, `TRT110:TestTaskRunner_DeriveToken_Unrecoverable`).
    HookKilled {
        /// The event's display message.
        message: &'a str,
    },
}

impl<const N: usize> Runner<N> {
    /// The task at `index` told to start, refusing any other.
    fn starting(&self, index: usize) -> Result<bool, RunnerError> {
        self.task(index)?;
        match self.place_of(index) {
            Place::Starting { killed } => Ok(killed),
            _ => Err(RunnerError::NotStarting { task: index }),
        }
    }

    /// A step of the prestart work of a task told to start (reference §2.2).
    pub fn prestart(
        &mut self,
        now: i64,
        index: usize,
        step: PrestartStep<'_>,
    ) -> Result<Step<'_>, RunnerError> {
        let killed = self.starting(index)?;
        self.begin();
        match step {
            PrestartStep::TaskDirBuilt => {
                let first = self.slots.get(index).is_some_and(|slot| !slot.setup_done);
                if first && self.record(index, TaskEvent::task_setup(now)) {
                    if let Some(slot) = self.slots.get_mut(index) {
                        slot.setup_done = true;
                    }
                }
            }
            PrestartStep::DownloadingArtifacts => {
                self.record(index, TaskEvent::downloading_artifacts(now));
            }
            PrestartStep::ArtifactFailed { error } => {
                self.record(index, TaskEvent::failed_artifact_download(now, error));
                self.start_error(now, index, true, killed);
            }
            PrestartStep::HookFailed {
                message,
                recoverable,
            } => {
                let event = TaskEvent::new(now, Detail::TaskHookFailed).with_message(message);
                self.record(index, event);
                self.start_error(now, index, recoverable, killed);
            }
            PrestartStep::TemplateBlocked { message } => {
                let event = TaskEvent::new(now, Detail::Template).with_display_message(message);
                self.record(index, event);
            }
            PrestartStep::HookKilled { message } => {
                // A task records `Killing` once: after the alloc runner's, the hook's
                // kill only ends the start.
                if killed {
                    self.end_killed(now, index);
                } else {
                    if let Some(slot) = self.slots.get_mut(index) {
                        slot.killing_recorded = true;
                    }
                    self.record(index, TaskEvent::hook_killing(now, message));
                    self.end_run(index, now);
                }
            }
        }
        Ok(self.end(now))
    }

    /// The driver started the task: `Started` (reference §2.1 step 6). If a kill arrived
    /// while it was starting, the stop already sent now runs its kill timeout.
    pub fn started(&mut self, now: i64, index: usize) -> Result<Step<'_>, RunnerError> {
        let killed = self.starting(index)?;
        self.begin();
        self.record(index, TaskEvent::started(now));
        let place = if killed {
            Place::Stopping {
                reason: StopReason::Kill,
                kill_at: Some(now.saturating_add(self.kill_timeout(index))),
            }
        } else {
            Place::Running
        };
        self.set_place(index, place);
        Ok(self.end(now))
    }

    /// The driver could not start the task: `Driver Failure` with `error`, then the
    /// restart decision (reference §2.3: recoverable errors follow the policy,
    /// unrecoverable ones end `Not Restarting`).
    pub fn start_failed(
        &mut self,
        now: i64,
        index: usize,
        error: &str,
        recoverable: bool,
    ) -> Result<Step<'_>, RunnerError> {
        let killed = self.starting(index)?;
        self.begin();
        self.record(index, TaskEvent::driver_failure(now, error));
        self.start_error(now, index, recoverable, killed);
        Ok(self.end(now))
    }

    /// A start abandoned after the runner sent a stop to a task still starting: the
    /// task never ran and ends with no further event (reference §2.3, "kill before
    /// start"; the driver is never started after a kill, step 5).
    pub fn start_cancelled(&mut self, now: i64, index: usize) -> Result<Step<'_>, RunnerError> {
        if !self.starting(index)? {
            return Err(RunnerError::NotStarting { task: index });
        }
        self.begin();
        self.end_killed(now, index);
        Ok(self.end(now))
    }

    /// A task killed before its process ran ends with no further event, unless an
    /// update dropped it: then `Killed` fails it (reference §2.6).
    pub(super) fn end_killed(&mut self, now: i64, index: usize) {
        if self.is_dropped(index) {
            self.record_killed(now, index);
        } else {
            self.end_run(index, now);
        }
    }

    fn is_dropped(&self, index: usize) -> bool {
        self.slots.get(index).is_some_and(|slot| slot.dropped)
    }

    /// The task's process exited (reference §2.3): `Terminated`; then, if the runner
    /// stopped it to kill it, `Killed`; if a restart was requested or it exited on its
    /// own, the restart decision; if it was stopped after a restore into a terminal
    /// allocation, nothing more.
    pub fn exited(&mut self, now: i64, index: usize, exit: Exit) -> Result<Step<'_>, RunnerError> {
        self.task(index)?;
        let place = self.place_of(index);
        if !place.has_process() {
            return Err(RunnerError::NotRunning { task: index });
        }
        self.begin();
        self.record(index, exit.event(now));
        match place {
            Place::Running
            | Place::Stopping {
                reason: StopReason::Restart,
                ..
            } => {
                if let Some(slot) = self.slots.get_mut(index) {
                    slot.tracker
                        .set_exit_result(exit.exit_code, exit.signal, false);
                }
                self.decide(now, index);
            }
            Place::Stopping {
                reason: StopReason::Restore,
                ..
            } if !self.is_dropped(index) => self.end_run(index, now),
            // Killed, or in its shutdown delay (the contract allows only `Killed` there).
            _ => self.record_killed(now, index),
        }
        Ok(self.end(now))
    }

    /// A start error (driver or prestart hook) goes to the restart decision; if a kill
    /// arrived meanwhile the task ends instead.
    fn start_error(&mut self, now: i64, index: usize, recoverable: bool, killed: bool) {
        if killed {
            self.end_killed(now, index);
            return;
        }
        if let Some(slot) = self.slots.get_mut(index) {
            slot.tracker.set_start_error(recoverable);
        }
        self.decide(now, index);
    }

    /// The restart decision through the task's tracker (reference §2.4) and its event.
    fn decide(&mut self, now: i64, index: usize) {
        let Some(slot) = self.slots.get_mut(index) else {
            return;
        };
        let outcome = slot.tracker.decide(now, &mut self.jitter);
        match outcome {
            RestartOutcome::Restart { delay, .. } => {
                if let Some(event) = outcome.event(now) {
                    self.record(index, event);
                }
                let place = if delay <= 0 {
                    Place::Waiting
                } else {
                    Place::RestartWait {
                        until: now.saturating_add(delay),
                    }
                };
                self.set_place(index, place);
            }
            RestartOutcome::NoRestart { .. } | RestartOutcome::Killed => {
                if let Some(event) = outcome.event(now) {
                    self.record(index, event);
                }
                self.set_place(index, Place::Dead);
            }
            RestartOutcome::Completed { .. } | RestartOutcome::NoFailure => {
                self.end_run(index, now)
            }
        }
    }
}
