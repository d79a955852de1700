//! The runner's inputs as journal entries (features `journal` and `serde`): the glue
//! between [`Runner`] and the journal core, in this one file so that it follows the
//! runner's input API wherever that goes.
//!
//! The first snapshot is taken right after [`Runner::arrive`]. After each input the
//! runner accepts, the runtime commits it as an [`Input`] entry (postcard, typically 9
//! to 20 bytes); every K inputs it commits a snapshot instead,
//! which is a [`RunnerSnapshot`]: the time of the snapshot and [`Runner::persist`]'s
//! bytes. Recovery ([`RunnerRecovery`]) restores a fresh runner from the snapshot with
//! [`Runner::restore`] at the snapshot's time (every task that was running taken as
//! still running, so the inputs after it find the tasks where they were) and applies the
//! inputs after it in order. As with any restore, what Nomad does not persist (restart
//! counts, delays in progress) is rebuilt, not recalled: the recovered runner is the one
//! a restore at the snapshot plus the same inputs gives, every time (the runner is
//! deterministic). An input the restored runner refuses is counted, not applied.

use serde::{Deserialize, Serialize};

use crate::allocation::DesiredStatus;
use crate::runner::{Exit, PrestartStep, RestartTarget, Runner, RunnerError};

use super::{JournalError, Piece};

/// One input of the runner, as the journal stores it. Strings are borrowed from the
/// entry's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Input<'a> {
    /// [`Runner::arrive`].
    Arrive {
        /// The time (unix ns).
        now: i64,
    },
    /// [`Runner::prestart`]; `step` as [`PrestartStep`] in order (0 task dir built,
    /// 1 downloading artifacts, 2 artifact failed, 3 hook failed, 4 template blocked,
    /// 5 hook killed), with its text and flag.
    Prestart {
        /// The time.
        now: i64,
        /// The task's index.
        task: u8,
        /// The step's code.
        step: u8,
        /// Its text (empty if none).
        text: &'a str,
        /// Its `recoverable` flag (hook failed only).
        recoverable: bool,
    },
    /// [`Runner::started`].
    Started {
        /// The time.
        now: i64,
        /// The task's index.
        task: u8,
    },
    /// [`Runner::start_failed`].
    StartFailed {
        /// The time.
        now: i64,
        /// The task's index.
        task: u8,
        /// The driver's error.
        error: &'a str,
        /// Whether it is recoverable.
        recoverable: bool,
    },
    /// [`Runner::start_cancelled`].
    StartCancelled {
        /// The time.
        now: i64,
        /// The task's index.
        task: u8,
    },
    /// [`Runner::exited`].
    Exited {
        /// The time.
        now: i64,
        /// The task's index.
        task: u8,
        /// The exit code.
        exit_code: i32,
        /// The signal (0 if none).
        signal: i32,
        /// Whether the OOM killer ended it.
        oom_killed: bool,
    },
    /// [`Runner::restart`]; `target` is a task index, or -1 for every running task, -2
    /// for all.
    Restart {
        /// The time.
        now: i64,
        /// The target.
        target: i16,
        /// Whether it counts as a failure.
        failure: bool,
    },
    /// [`Runner::signal`].
    Signal {
        /// The time.
        now: i64,
        /// The task's index.
        task: u8,
        /// The signal's name.
        signal: &'a str,
    },
    /// [`Runner::stop`]; `evict` picks `evict` over `stop`.
    Stop {
        /// The time.
        now: i64,
        /// `evict` rather than `stop`.
        evict: bool,
        /// The description.
        description: &'a str,
        /// Skip the shutdown delay.
        no_shutdown_delay: bool,
    },
    /// [`Runner::setup_failed`].
    SetupFailed {
        /// The time.
        now: i64,
        /// The error.
        error: &'a str,
    },
    /// [`Runner::tick`].
    Tick {
        /// The time.
        now: i64,
    },
    /// [`Runner::drop_task`].
    DropTask {
        /// The time.
        now: i64,
        /// The task's index.
        task: u8,
    },
    /// [`Runner::reconnected`].
    Reconnected {
        /// The time.
        now: i64,
    },
}

impl<'a> Input<'a> {
    /// Writes the input into `buf` (postcard); returns the used part.
    pub fn encode<'b>(&self, buf: &'b mut [u8]) -> Result<&'b [u8], JournalError> {
        crate::serde_impl::compact::to_slice(self, buf)
            .map(|used| &*used)
            .map_err(|_| JournalError::BufferTooSmall {
                need: buf_need(self),
            })
    }

    /// Reads an input from an entry's bytes.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, JournalError> {
        postcard::from_bytes(bytes).map_err(|_| JournalError::BadEntry)
    }

    /// Gives the input to `runner`.
    pub fn apply<const N: usize>(&self, runner: &mut Runner<N>) -> Result<(), RunnerError> {
        match *self {
            Self::Arrive { now } => runner.arrive(now).map(drop),
            Self::Prestart {
                now,
                task,
                step,
                text,
                recoverable,
            } => {
                let step = match step {
                    0 => PrestartStep::TaskDirBuilt,
                    1 => PrestartStep::DownloadingArtifacts,
                    2 => PrestartStep::ArtifactFailed { error: text },
                    3 => PrestartStep::HookFailed {
                        message: text,
                        recoverable,
                    },
                    4 => PrestartStep::TemplateBlocked { message: text },
                    _ => PrestartStep::HookKilled { message: text },
                };
                runner.prestart(now, usize::from(task), step).map(drop)
            }
            Self::Started { now, task } => runner.started(now, usize::from(task)).map(drop),
            Self::StartFailed {
                now,
                task,
                error,
                recoverable,
            } => runner
                .start_failed(now, usize::from(task), error, recoverable)
                .map(drop),
            Self::StartCancelled { now, task } => {
                runner.start_cancelled(now, usize::from(task)).map(drop)
            }
            Self::Exited {
                now,
                task,
                exit_code,
                signal,
                oom_killed,
            } => runner
                .exited(
                    now,
                    usize::from(task),
                    Exit {
                        exit_code,
                        signal,
                        oom_killed,
                    },
                )
                .map(drop),
            Self::Restart {
                now,
                target,
                failure,
            } => {
                let target = match target {
                    -1 => RestartTarget::Running,
                    -2 => RestartTarget::All,
                    task => RestartTarget::Task(usize::try_from(task).unwrap_or(usize::MAX)),
                };
                runner.restart(now, target, failure).map(drop)
            }
            Self::Signal { now, task, signal } => {
                runner.signal(now, usize::from(task), signal).map(drop)
            }
            Self::Stop {
                now,
                evict,
                description,
                no_shutdown_delay,
            } => {
                let status = if evict {
                    DesiredStatus::Evict
                } else {
                    DesiredStatus::Stop
                };
                runner
                    .stop(now, status, description, no_shutdown_delay)
                    .map(drop)
            }
            Self::SetupFailed { now, error } => runner.setup_failed(now, error).map(drop),
            Self::Tick { now } => runner.tick(now).map(drop),
            Self::DropTask { now, task } => runner.drop_task(now, usize::from(task)).map(drop),
            Self::Reconnected { now } => runner.reconnected(now).map(drop),
        }
    }
}

/// The most bytes an input can take: its fixed fields at their longest plus its text.
fn buf_need(input: &Input<'_>) -> usize {
    let text = match *input {
        Input::Prestart { text, .. } => text.len(),
        Input::StartFailed { error, .. } | Input::SetupFailed { error, .. } => error.len(),
        Input::Signal { signal, .. } => signal.len(),
        Input::Stop { description, .. } => description.len(),
        _ => 0,
    };
    text.saturating_add(32)
}

/// A snapshot of the runner as the journal stores it: the time (`i64` LE), the task
/// count (`u8`), then [`Runner::persist`]'s bytes.
pub struct RunnerSnapshot;

/// Bytes before the persisted runner in a snapshot.
const HEAD: usize = 9;

impl RunnerSnapshot {
    /// Writes `runner`'s snapshot at `now` into `buf`; returns the used part. Refused
    /// ([`RunnerError::NotArrived`]) before the allocation arrives: a restore always
    /// yields an arrived runner, so the first snapshot is taken right after
    /// [`Runner::arrive`] (before it, the runtime rebuilds the group from its job).
    pub fn write<'b, const N: usize>(
        runner: &Runner<N>,
        now: i64,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], RunnerError> {
        if !runner.arrived() {
            return Err(RunnerError::NotArrived);
        }
        let (head, rest) = buf
            .split_at_mut_checked(HEAD)
            .ok_or(RunnerError::BufferTooSmall)?;
        let (time, count) = head.split_at_mut(8);
        time.copy_from_slice(&now.to_le_bytes());
        let tasks = u8::try_from(runner.allocation().tasks().count()).unwrap_or(u8::MAX);
        count.copy_from_slice(&[tasks]);
        let used = runner.persist(rest)?.len();
        buf.get(..used.saturating_add(HEAD))
            .ok_or(RunnerError::BufferTooSmall)
    }
}

/// Why recovering a runner from the journal failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RecoveryError {
    /// The journal's records (see [`JournalError`]).
    Journal(JournalError),
    /// The snapshot is larger than the caller's buffer (`need` bytes).
    SnapshotTooLarge {
        /// Bytes needed.
        need: usize,
    },
    /// The runner refused the snapshot ([`Runner::restore`]'s error).
    Restore(RunnerError),
}

/// Recovers a runner from the pieces a journal's recovery hands out, in order: the
/// snapshot's chunks are gathered in `snapshot`, restored into `runner` (which must be
/// fresh: [`Runner::reset`] with no task) before the first entry, and each entry is
/// applied as an [`Input`].
pub struct RecoveryGlue<'r, 's, const N: usize> {
    runner: &'r mut Runner<N>,
    snapshot: &'s mut [u8],
    len: usize,
    restored: bool,
    applied: u32,
    refused: u32,
    error: Option<RecoveryError>,
}

/// What a recovery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunnerRecovery {
    /// Whether a snapshot was restored (false: the journal was empty).
    pub restored: bool,
    /// Inputs applied after it.
    pub applied: u32,
    /// Inputs the restored runner refused (restore rebuilt what Nomad does not persist).
    pub refused: u32,
}

impl<'r, 's, const N: usize> RecoveryGlue<'r, 's, N> {
    /// Recovery into `runner`, gathering the snapshot in `snapshot`.
    pub fn new(runner: &'r mut Runner<N>, snapshot: &'s mut [u8]) -> Self {
        Self {
            runner,
            snapshot,
            len: 0,
            restored: false,
            applied: 0,
            refused: 0,
            error: None,
        }
    }

    /// Takes the next piece (use as a journal's recovery sink).
    pub fn piece(&mut self, piece: Piece<'_>) -> Result<(), JournalError> {
        if self.error.is_some() {
            return Err(JournalError::ReplayMismatch);
        }
        match piece {
            Piece::Chunk { offset, bytes } => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                let end = start.saturating_add(bytes.len());
                let dst = self
                    .snapshot
                    .get_mut(start..)
                    .and_then(|rest| rest.get_mut(..bytes.len()));
                match dst {
                    Some(dst) => dst.copy_from_slice(bytes),
                    None => {
                        self.error = Some(RecoveryError::SnapshotTooLarge { need: end });
                        return Err(JournalError::BufferTooSmall { need: end });
                    }
                }
                self.len = self.len.max(end);
            }
            Piece::Entry(bytes) => {
                self.restore()?;
                let input = Input::decode(bytes)?;
                match input.apply(self.runner) {
                    Ok(()) => self.applied = self.applied.saturating_add(1),
                    Err(_) => self.refused = self.refused.saturating_add(1),
                }
            }
        }
        Ok(())
    }

    fn restore(&mut self) -> Result<(), JournalError> {
        if self.restored || self.len == 0 {
            return Ok(());
        }
        self.restored = true;
        let bytes = self.snapshot.get(..self.len).unwrap_or(&[]);
        let (head, persisted) = bytes.split_at_checked(HEAD).unwrap_or((&[], &[]));
        let mut word = [0u8; 8];
        if let Some(src) = head.get(..8) {
            word.copy_from_slice(src);
        }
        let now = i64::from_le_bytes(word);
        let tasks = usize::from(head.get(8).copied().unwrap_or(0));
        let reattached = [true; N];
        let reattached = reattached.get(..tasks).unwrap_or(&reattached);
        if let Err(error) = self.runner.restore(now, persisted, reattached, None) {
            self.error = Some(RecoveryError::Restore(error));
            return Err(JournalError::BadEntry);
        }
        Ok(())
    }

    /// Ends the recovery: restores the snapshot if no entry followed it.
    pub fn finish(mut self) -> Result<RunnerRecovery, RecoveryError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        self.restore().map_err(RecoveryError::Journal)?;
        if let Some(error) = self.error {
            return Err(error);
        }
        Ok(RunnerRecovery {
            restored: self.restored,
            applied: self.applied,
            refused: self.refused,
        })
    }

    /// The error that stopped the recovery, if one did (the sink can only say
    /// [`JournalError`]).
    pub const fn error(&self) -> Option<RecoveryError> {
        self.error
    }
}
