//! The runner's inputs as journal entries: [`Input`], what it was ([`What`]) and its stored
//! form, and how it is given back to a [`Runner`].

use serde::{Deserialize, Serialize};

use crate::allocation::DesiredStatus;
use crate::journal::JournalError;
use crate::runner::{Exit, Now, PrestartStep, RestartTarget, Runner, RunnerError, Step, TaskId};

/// One input of the runner, as the journal stores it: its time and what it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input<'a> {
    /// The time the runtime gave the input ([`Runner::set_handle`] takes none: the
    /// previous entry's time, as [`Input::decode`] gives it back).
    pub now: Now,
    /// The input.
    pub what: What<'a>,
}

/// What an [`Input`] was: one of the runner's inputs, with its arguments. Strings and
/// handles are borrowed (from the entry's bytes, once decoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum What<'a> {
    /// [`Runner::prestart`].
    Prestart {
        /// The task.
        task: TaskId,
        /// The step.
        step: PrestartStep<'a>,
    },
    /// [`Runner::started`].
    Started {
        /// The task.
        task: TaskId,
    },
    /// [`Runner::start_failed`].
    StartFailed {
        /// The task.
        task: TaskId,
        /// The driver's error.
        error: &'a str,
        /// Whether it is recoverable.
        recoverable: bool,
    },
    /// [`Runner::start_cancelled`].
    StartCancelled {
        /// The task.
        task: TaskId,
    },
    /// [`Runner::exited`].
    Exited {
        /// The task.
        task: TaskId,
        /// How it ended.
        exit: Exit,
    },
    /// [`Runner::kill_failed`].
    KillFailed {
        /// The task.
        task: TaskId,
        /// The driver's error.
        error: &'a str,
    },
    /// [`Runner::restart`].
    Restart {
        /// The target.
        target: RestartTarget,
        /// Whether it counts as a failure.
        failure: bool,
    },
    /// [`Runner::signal`].
    Signal {
        /// The task.
        task: TaskId,
        /// The signal's name (`None`: the driver's default).
        signal: Option<&'a str>,
    },
    /// [`Runner::stop`].
    Stop {
        /// Stop or evict.
        status: DesiredStatus,
        /// The description.
        description: &'a str,
        /// Skip the shutdown delay.
        no_shutdown_delay: bool,
    },
    /// [`Runner::setup_failed`].
    SetupFailed {
        /// The error.
        error: &'a str,
    },
    /// [`Runner::drop_task`].
    DropTask {
        /// The task.
        task: TaskId,
    },
    /// [`Runner::reconnected`].
    Reconnected,
    /// [`Runner::servers_contacted`].
    ServersContacted,
    /// [`Runner::tick`].
    Tick,
    /// [`Runner::set_handle`]: the handle is persisted with the runner, so a recovery
    /// must find it.
    SetHandle {
        /// The task.
        task: TaskId,
        /// The driver's handle.
        handle: &'a [u8],
    },
}

/// The stored form of [`What`]: tasks by index, codes for the small enums. Variant order
/// is the format: add new variants at the end.
#[derive(Serialize, Deserialize)]
enum Wire<'a> {
    /// Prestart step code as [`PrestartStep`] in order (0 task dir built, 1 downloading
    /// artifacts, 2 artifact failed, 3 hook failed, 4 template blocked, 5 hook killed),
    /// its text (empty if none) and its `recoverable` flag (hook failed only).
    Prestart(u8, u8, &'a str, bool),
    Started(u8),
    StartFailed(u8, &'a str, bool),
    StartCancelled(u8),
    /// Exit code, signal, OOM-killed.
    Exited(u8, i32, i32, bool),
    KillFailed(u8, &'a str),
    /// Target code (0 a task, 1 every running task, 2 all), the task, failure.
    Restart(u8, u8, bool),
    Signal(u8, Option<&'a str>),
    /// Status code (0 run, 1 stop, 2 evict), description, no shutdown delay.
    Stop(u8, &'a str, bool),
    SetupFailed(&'a str),
    DropTask(u8),
    Reconnected,
    ServersContacted,
    Tick,
    SetHandle(u8, &'a [u8]),
}

fn index(task: TaskId) -> u8 {
    u8::try_from(task.index()).unwrap_or(u8::MAX)
}

fn task(index: u8) -> Result<TaskId, JournalError> {
    TaskId::at(usize::from(index)).ok_or(JournalError::BadEntry)
}

impl<'a> What<'a> {
    fn wire(&self) -> Wire<'a> {
        match *self {
            Self::Prestart { task, step } => {
                let (code, text, recoverable) = match step {
                    PrestartStep::TaskDirBuilt => (0, "", false),
                    PrestartStep::DownloadingArtifacts => (1, "", false),
                    PrestartStep::ArtifactFailed { error } => (2, error, false),
                    PrestartStep::HookFailed {
                        message,
                        recoverable,
                    } => (3, message, recoverable),
                    PrestartStep::TemplateBlocked { message } => (4, message, false),
                    PrestartStep::HookKilled { message } => (5, message, false),
                };
                Wire::Prestart(index(task), code, text, recoverable)
            }
            Self::Started { task } => Wire::Started(index(task)),
            Self::StartFailed {
                task,
                error,
                recoverable,
            } => Wire::StartFailed(index(task), error, recoverable),
            Self::StartCancelled { task } => Wire::StartCancelled(index(task)),
            Self::Exited { task, exit } => {
                Wire::Exited(index(task), exit.exit_code, exit.signal, exit.oom_killed)
            }
            Self::KillFailed { task, error } => Wire::KillFailed(index(task), error),
            Self::Restart { target, failure } => match target {
                RestartTarget::Task(task) => Wire::Restart(0, index(task), failure),
                RestartTarget::Running => Wire::Restart(1, 0, failure),
                RestartTarget::All => Wire::Restart(2, 0, failure),
            },
            Self::Signal { task, signal } => Wire::Signal(index(task), signal),
            Self::Stop {
                status,
                description,
                no_shutdown_delay,
            } => {
                let code = match status {
                    DesiredStatus::Run => 0,
                    DesiredStatus::Stop => 1,
                    DesiredStatus::Evict => 2,
                };
                Wire::Stop(code, description, no_shutdown_delay)
            }
            Self::SetupFailed { error } => Wire::SetupFailed(error),
            Self::DropTask { task } => Wire::DropTask(index(task)),
            Self::Reconnected => Wire::Reconnected,
            Self::ServersContacted => Wire::ServersContacted,
            Self::Tick => Wire::Tick,
            Self::SetHandle { task, handle } => Wire::SetHandle(index(task), handle),
        }
    }

    fn of(wire: Wire<'a>) -> Result<Self, JournalError> {
        Ok(match wire {
            Wire::Prestart(t, code, text, recoverable) => Self::Prestart {
                task: task(t)?,
                step: match code {
                    0 => PrestartStep::TaskDirBuilt,
                    1 => PrestartStep::DownloadingArtifacts,
                    2 => PrestartStep::ArtifactFailed { error: text },
                    3 => PrestartStep::HookFailed {
                        message: text,
                        recoverable,
                    },
                    4 => PrestartStep::TemplateBlocked { message: text },
                    5 => PrestartStep::HookKilled { message: text },
                    _ => return Err(JournalError::BadEntry),
                },
            },
            Wire::Started(t) => Self::Started { task: task(t)? },
            Wire::StartFailed(t, error, recoverable) => Self::StartFailed {
                task: task(t)?,
                error,
                recoverable,
            },
            Wire::StartCancelled(t) => Self::StartCancelled { task: task(t)? },
            Wire::Exited(t, exit_code, signal, oom_killed) => Self::Exited {
                task: task(t)?,
                exit: Exit {
                    exit_code,
                    signal,
                    oom_killed,
                },
            },
            Wire::KillFailed(t, error) => Self::KillFailed {
                task: task(t)?,
                error,
            },
            Wire::Restart(code, t, failure) => Self::Restart {
                target: match code {
                    0 => RestartTarget::Task(task(t)?),
                    1 => RestartTarget::Running,
                    2 => RestartTarget::All,
                    _ => return Err(JournalError::BadEntry),
                },
                failure,
            },
            Wire::Signal(t, signal) => Self::Signal {
                task: task(t)?,
                signal,
            },
            Wire::Stop(code, description, no_shutdown_delay) => Self::Stop {
                status: match code {
                    0 => DesiredStatus::Run,
                    1 => DesiredStatus::Stop,
                    2 => DesiredStatus::Evict,
                    _ => return Err(JournalError::BadEntry),
                },
                description,
                no_shutdown_delay,
            },
            Wire::SetupFailed(error) => Self::SetupFailed { error },
            Wire::DropTask(t) => Self::DropTask { task: task(t)? },
            Wire::Reconnected => Self::Reconnected,
            Wire::ServersContacted => Self::ServersContacted,
            Wire::Tick => Self::Tick,
            Wire::SetHandle(t, handle) => Self::SetHandle {
                task: task(t)?,
                handle,
            },
        })
    }

    /// The bytes of its text, for the size of a buffer.
    fn text_len(&self) -> usize {
        match *self {
            Self::Prestart { step, .. } => match step {
                PrestartStep::ArtifactFailed { error } => error.len(),
                PrestartStep::HookFailed { message, .. }
                | PrestartStep::TemplateBlocked { message }
                | PrestartStep::HookKilled { message } => message.len(),
                _ => 0,
            },
            Self::StartFailed { error, .. }
            | Self::KillFailed { error, .. }
            | Self::SetupFailed { error } => error.len(),
            Self::Signal { signal, .. } => signal.map_or(0, str::len),
            Self::Stop { description, .. } => description.len(),
            Self::SetHandle { handle, .. } => handle.len(),
            _ => 0,
        }
    }
}

impl<'a> Input<'a> {
    /// An input at `now`.
    pub fn new(now: impl Into<Now>, what: What<'a>) -> Self {
        Self {
            now: now.into(),
            what,
        }
    }

    /// Writes the input into `buf`; returns the used part. `since` is the time of the
    /// entry committed before it, or of the snapshot if it is the first after one
    /// ([`RunnerSnapshot::write`]'s `now`): the entry stores the step from it. Refused
    /// ([`JournalError::ClockWentBack`]) if `now.mono` is earlier than `since.mono`
    /// (the runner refuses such an input too).
    ///
    /// The bytes, postcard: the monotonic step (`u64` varint, ns), the wall clock's
    /// step minus the monotonic step (`i64` zigzag varint: 0 unless the wall clock was
    /// stepped), then the input (a variant index and its fields).
    ///
    /// [`RunnerSnapshot::write`]: super::RunnerSnapshot::write
    pub fn encode<'b>(&self, since: Now, buf: &'b mut [u8]) -> Result<&'b [u8], JournalError> {
        let clock_went_back = JournalError::ClockWentBack {
            last: since.mono,
            now: self.now.mono,
        };
        let step = self
            .now
            .mono
            .checked_sub(since.mono)
            .and_then(|step| u64::try_from(step).ok())
            .ok_or(clock_went_back)?;
        let skew = self
            .now
            .wall
            .wrapping_sub(since.wall)
            .wrapping_sub(self.now.mono.wrapping_sub(since.mono));
        let need = self.what.text_len().saturating_add(40);
        crate::wire::compact::to_slice(&(step, skew, self.what.wire()), buf)
            .map(|used| &*used)
            .map_err(|_| JournalError::BufferTooSmall { need })
    }

    /// Reads an input from an entry's bytes; `since` as for [`encode`](Self::encode).
    pub fn decode(bytes: &'a [u8], since: Now) -> Result<Self, JournalError> {
        let (step, skew, wire): (u64, i64, Wire<'a>) =
            postcard::from_bytes(bytes).map_err(|_| JournalError::BadEntry)?;
        let step = i64::try_from(step).map_err(|_| JournalError::BadEntry)?;
        let mono = since.mono.checked_add(step).ok_or(JournalError::BadEntry)?;
        let wall = since.wall.wrapping_add(step).wrapping_add(skew);
        Ok(Self {
            now: Now::new(wall, mono),
            what: What::of(wire)?,
        })
    }

    /// Gives the input to `runner`; returns its step ([`Runner::set_handle`]'s: no
    /// command, the runner's next wake).
    pub fn apply<const N: usize>(&self, runner: &mut Runner<N>) -> Result<Step<N>, RunnerError> {
        let now = self.now;
        match self.what {
            What::Prestart { task, step } => runner.prestart(now, task, step),
            What::Started { task } => runner.started(now, task),
            What::StartFailed {
                task,
                error,
                recoverable,
            } => runner.start_failed(now, task, error, recoverable),
            What::StartCancelled { task } => runner.start_cancelled(now, task),
            What::Exited { task, exit } => runner.exited(now, task, exit),
            What::KillFailed { task, error } => runner.kill_failed(now, task, error),
            What::Restart { target, failure } => runner.restart(now, target, failure),
            What::Signal { task, signal } => runner.signal(now, task, signal),
            What::Stop {
                status,
                description,
                no_shutdown_delay,
            } => runner.stop(now, status, description, no_shutdown_delay),
            What::SetupFailed { error } => runner.setup_failed(now, error),
            What::DropTask { task } => runner.drop_task(now, task),
            What::Reconnected => runner.reconnected(now),
            What::ServersContacted => runner.servers_contacted(now),
            What::Tick => runner.tick(now),
            What::SetHandle { task, handle } => {
                runner.set_handle(task, handle)?;
                Ok(Step {
                    commands: heapless::Vec::new(),
                    wake: runner.next_wake(),
                })
            }
        }
    }
}
