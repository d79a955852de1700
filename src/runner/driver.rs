//! What the runtime's driver reports for a task (`TaskRunner.Run`, `TaskRunner.runDriver`,
//! `TaskRunner.handleKill`, `client/allocrunner/taskrunner/task_runner.go`).

use crate::event::{Detail, TaskEvent};
use crate::restart::RestartOutcome;

use super::slot::{Place, StopReason};
use super::{Now, Runner, RunnerError, Step, TaskId};

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

/// The outcome of one step of a task's prestart work (`TaskRunner.prestart`,
/// `client/allocrunner/taskrunner/task_runner_hooks.go`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
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
    /// with the hook's message; the run loop ends with no further event (Nomad 1.10's
    /// `TestTaskRunner_DeriveToken_Unrecoverable`).
    HookKilled {
        /// The event's display message.
        message: &'a str,
    },
}

impl<const N: usize> Runner<N> {
    /// The task told to start, refusing any other: whether a kill arrived meanwhile.
    fn starting(&self, id: TaskId) -> Result<bool, RunnerError> {
        self.task(id)?;
        match self.place_of(id.index()) {
            Place::Starting { killed } => Ok(killed),
            _ => Err(RunnerError::NotStarting { task: id }),
        }
    }

    /// A step of the prestart work of a task told to start (`TaskRunner.prestart`).
    pub fn prestart(
        &mut self,
        now: impl Into<Now>,
        id: TaskId,
        step: PrestartStep<'_>,
    ) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        let killed = self.starting(id)?;
        let index = id.index();
        self.begin(now);
        let wall = now.wall;
        match step {
            PrestartStep::TaskDirBuilt => {
                let first = self.slots.get(index).is_some_and(|slot| !slot.setup_done);
                if first && self.record(index, TaskEvent::task_setup(wall)) {
                    if let Some(slot) = self.slots.get_mut(index) {
                        slot.setup_done = true;
                    }
                }
            }
            PrestartStep::DownloadingArtifacts => {
                self.record(index, TaskEvent::downloading_artifacts(wall));
            }
            PrestartStep::ArtifactFailed { error } => {
                self.record(index, TaskEvent::failed_artifact_download(wall, error));
                self.start_error(wall, index, true, killed);
            }
            PrestartStep::HookFailed {
                message,
                recoverable,
            } => {
                let event = TaskEvent::new(wall, Detail::TaskHookFailed).with_message(message);
                self.record(index, event);
                self.start_error(wall, index, recoverable, killed);
            }
            PrestartStep::TemplateBlocked { message } => {
                let event = TaskEvent::new(wall, Detail::Template).with_display_message(message);
                self.record(index, event);
            }
            PrestartStep::HookKilled { message } => {
                // A task records `Killing` once: after the alloc runner's, the hook's
                // kill only ends the start.
                if killed {
                    self.end_killed(wall, index);
                } else {
                    if let Some(slot) = self.slots.get_mut(index) {
                        slot.killing_recorded = true;
                    }
                    self.record(index, TaskEvent::hook_killing(wall, message));
                    self.end_run(index, wall);
                }
            }
        }
        Ok(self.end(now))
    }

    /// The driver started the task: `Started` (`TaskRunner.runDriver`).
    ///
    /// If a stop was decided while it was starting, the runner sent a `Stop` then; this
    /// step carries that `Stop` again (same signal and kill timeout) and arms the kill
    /// timeout from now, so a runtime that simply carries out commands never loses it,
    /// whether or not its driver could act on the first one.
    pub fn started(&mut self, now: impl Into<Now>, id: TaskId) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        let killed = self.starting(id)?;
        self.begin(now);
        self.mark_started(now.wall, id.index(), killed);
        Ok(self.end(now))
    }

    /// Records `Started` for a task told to start and moves it on: running, or, if a
    /// kill arrived meanwhile, stopping (the stop sent again).
    fn mark_started(&mut self, wall: i64, index: usize, killed: bool) {
        self.record(index, TaskEvent::started(wall));
        if killed {
            self.stop_command(index);
            let place = Place::Stopping {
                reason: StopReason::Kill,
                kill_at: Some(self.mono().saturating_add(self.kill_timeout(index))),
            };
            self.set_place(index, place);
        } else {
            self.set_place(index, Place::Running);
        }
    }

    /// The driver could not start the task: `Driver Failure` with `error`, then the
    /// restart decision (`TaskRunner.shouldRestart`: recoverable errors follow the
    /// policy, unrecoverable ones end `Not Restarting`).
    pub fn start_failed(
        &mut self,
        now: impl Into<Now>,
        id: TaskId,
        error: &str,
        recoverable: bool,
    ) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        let killed = self.starting(id)?;
        self.begin(now);
        self.record(id.index(), TaskEvent::driver_failure(now.wall, error));
        self.start_error(now.wall, id.index(), recoverable, killed);
        Ok(self.end(now))
    }

    /// A start abandoned after the runner sent a stop to a task still starting: the
    /// task never ran and ends with no further event (`TaskRunner.Run` checks for a kill
    /// before it runs the driver, and never starts it after one).
    pub fn start_cancelled(
        &mut self,
        now: impl Into<Now>,
        id: TaskId,
    ) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        if !self.starting(id)? {
            return Err(RunnerError::NotStarting { task: id });
        }
        self.begin(now);
        self.end_killed(now.wall, id.index());
        Ok(self.end(now))
    }

    /// A task killed before its process ran ends with no further event, unless an
    /// update dropped it: then `Killed` fails it (`TaskRunner.Update`).
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

    /// The task's process exited (`TaskRunner.handleTaskExitResult`): `Terminated`;
    /// then, if the runner stopped it to kill it, `Killed`; if a restart was requested
    /// or it exited on its own, the restart decision; if it was stopped after a restore
    /// into a terminal allocation, nothing more.
    ///
    /// An exit of a task told to start whose start was not yet acknowledged (the
    /// driver's start acknowledgement and its exit often arrive on different channels)
    /// is taken as `started` then `exited` at the same time: `Started`, `Terminated`,
    /// and what follows.
    pub fn exited(
        &mut self,
        now: impl Into<Now>,
        id: TaskId,
        exit: Exit,
    ) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        self.task(id)?;
        let index = id.index();
        let mut place = self.place_of(index);
        if !place.has_process() && !matches!(place, Place::Starting { .. }) {
            return Err(RunnerError::NotRunning { task: id });
        }
        self.begin(now);
        if let Place::Starting { killed } = place {
            self.mark_started(now.wall, index, killed);
            // The stop sent again is moot: the process is gone.
            self.commands.clear();
            place = self.place_of(index);
        }
        self.record(index, exit.event(now.wall));
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
                self.decide(now.wall, index);
            }
            Place::Stopping {
                reason: StopReason::Restore,
                ..
            }
            | Place::ShutdownDelay {
                reason: StopReason::Restore,
                ..
            } if !self.is_dropped(index) => self.end_run(index, now.wall),
            // Killed, or in its shutdown delay (the contract allows only `Killed` there).
            _ => self.record_killed(now.wall, index),
        }
        Ok(self.end(now))
    }

    /// The stop and force-kill of a task did not end it: the process survived the
    /// force-kill, or the driver returned an error. Records Nomad's `Killed` with
    /// `KillError` set to `error` (`TaskRunner.handleKill`) and the task is dead: the
    /// runner no longer waits for its exit. For a task being stopped (after `Stop` or
    /// `Kill`) or in its shutdown delay; any other is refused (`Task not running`).
    pub fn kill_failed(
        &mut self,
        now: impl Into<Now>,
        id: TaskId,
        error: &str,
    ) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        self.task(id)?;
        let index = id.index();
        let stopping = matches!(
            self.place_of(index),
            Place::Stopping { .. } | Place::ShutdownDelay { .. }
        );
        if !stopping {
            return Err(RunnerError::NotRunning { task: id });
        }
        self.begin(now);
        let mut event = TaskEvent::killed_with_error(now.wall, error);
        if self.is_dropped(index) {
            event = TaskEvent::new(
                now.wall,
                Detail::Killed {
                    kill_error: error,
                    kill_reason: super::kill::UPDATE_MISSING_TASK,
                },
            )
            .with_fails_task();
        }
        self.record(index, event);
        self.set_place(index, Place::Dead);
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

    /// The restart decision through the task's tracker (`TaskRunner.shouldRestart`) and
    /// its event; the tracker and the delay run on the monotonic clock.
    fn decide(&mut self, now: i64, index: usize) {
        let mono = self.mono();
        let Some(slot) = self.slots.get_mut(index) else {
            return;
        };
        let outcome = slot.tracker.decide(mono, &mut self.jitter);
        match outcome {
            RestartOutcome::Restart { delay, .. } => {
                if let Some(event) = outcome.event(now) {
                    self.record(index, event);
                }
                let place = if delay <= 0 {
                    Place::Waiting
                } else {
                    Place::RestartWait {
                        until: mono.saturating_add(delay),
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
