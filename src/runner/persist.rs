//! Persist and restore after an agent restart (`TaskRunner.Restore`,
//! `client/allocrunner/taskrunner/task_runner.go`; `allocRunner.Restore`,
//! `client/allocrunner/alloc_runner.go`), through postcard into caller storage (feature
//! `serde`).
//!
//! Layout, element after element as postcard writes them: a version byte (3); the
//! group (job type `u8`: service 0, batch 1, system 2, sysbatch 3; shutdown delay and
//! max kill timeout `i64`); arrived `bool`; the group delay (`u8` not begun 0 / until 1 /
//! done 2, then `i64`); no-shutdown-delay `bool`; the jitter state `u64`; the
//! `max_run_duration` (`i64`, then `u8` off 0 / until 1 / exceeded 2, then `i64`); the
//! task count `u64`; per task its restart policy (attempts `u32`, interval and delay
//! `i64`, mode `u8`: fail 0, delay 1), kill timeout `i64`, kill signal (string), shutdown
//! delay `i64`, `Task Setup` recorded `bool`, `Killing` recorded `bool`, dropped by an
//! update `bool`, where it waits `u8` (0 its gate or nothing, 1 a start in flight, 2 the
//! servers after a failed reattach, `TaskRunner.waitOnServers`; a version-3 form written
//! before code 2 existed reads the same), the driver handle (bytes); then the allocation
//! in its own compact format. As in Nomad (`taskrunner/state/state.go`, `LocalState`),
//! restart counts, delays in progress and the coordinator's state are not persisted:
//! they are rebuilt at restore. The `max_run_duration` deadline is, as Nomad persists
//! `MaxRunDurationExceeded`; the forced `complete` it causes is set again at restore.
//! Deadlines are written as wall-clock times (the monotonic clock does not survive a
//! reboot) and mapped onto the new monotonic clock at restore.

use serde::{Deserialize, Serialize};

use crate::allocation::{Allocation, DesiredStatus};
use crate::event::{Detail, TaskEvent};
use crate::phase::Phase;
use crate::restart::{JobType, RestartMode, RestartPolicy, RestartTracker};

use super::coordinator::Coordinator;
use super::slot::Handle;
use super::slot::{Place, Slot, StopReason, TaskConfig};
use super::spec::{GroupSpec, HeldGroup, SignalName};
use super::{GroupDelay, MaxRun, Now, Runner, RunnerError, Step, TaskId};
use crate::runner::jitter::XorShift;

const VERSION: u8 = 3;

/// Bytes of the runner's own part for each task, at most (policy, timeouts, signal, flags).
const TASK_MAX: usize = 5
    + 10
    + 10
    + 1
    + 10
    + 1
    + super::SIGNAL_CAPACITY
    + 10
    + 1
    + 1
    + 1
    + 1
    + 1
    + super::HANDLE_CAPACITY;
/// Bytes of the runner's header, at most.
const HEADER_MAX: usize = 1 + 1 + 10 + 10 + 1 + 1 + 10 + 1 + 10 + 10 + 10 + 1 + 10;

pub(super) fn put<T: Serialize + ?Sized>(
    buf: &mut [u8],
    at: &mut usize,
    value: &T,
) -> Result<(), RunnerError> {
    let rest = buf.get_mut(*at..).ok_or(RunnerError::BufferTooSmall)?;
    // The crate's own compact writer, not postcard's: postcard 1.2's encoder keeps a
    // panic path the link-time proof refuses (see src/wire/compact/write.rs).
    let used = crate::wire::compact::to_slice(value, rest)
        .map_err(|_| RunnerError::BufferTooSmall)?
        .len();
    *at = at.saturating_add(used);
    Ok(())
}

pub(super) fn take<'a, T: Deserialize<'a>>(bytes: &mut &'a [u8]) -> Result<T, RunnerError> {
    let (value, rest) = postcard::take_from_bytes::<T>(bytes).map_err(|_| RunnerError::Corrupt)?;
    *bytes = rest;
    Ok(value)
}

const fn job_code(job: JobType) -> u8 {
    match job {
        JobType::Service => 0,
        JobType::Batch => 1,
        JobType::System => 2,
        JobType::Sysbatch => 3,
    }
}

fn job_of(code: u8) -> Result<JobType, RunnerError> {
    Ok(match code {
        0 => JobType::Service,
        1 => JobType::Batch,
        2 => JobType::System,
        3 => JobType::Sysbatch,
        _ => return Err(RunnerError::Corrupt),
    })
}

/// What [`Runner::put_group`] wrote, if its version is `version`; the group's
/// `max_run_duration` is 0.
pub(super) fn take_group(rest: &mut &[u8], version: u8) -> Result<GroupSpec, RunnerError> {
    if take::<u8>(rest)? != version {
        return Err(RunnerError::Corrupt);
    }
    let mut group = GroupSpec::new(job_of(take(rest)?)?);
    group.shutdown_delay = take(rest)?;
    group.max_kill_timeout = take(rest)?;
    Ok(group)
}

/// The persisted header, held until the restore is accepted.
struct Header {
    group: GroupSpec,
    group_delay: GroupDelay,
    no_shutdown_delay: bool,
    jitter: u64,
    max_run: MaxRun,
}

/// A task's settings and flags as persist writes them (the runner's exact image too):
/// restart policy, kill timeout, kill signal, shutdown delay, `Task Setup` and `Killing`
/// recorded, dropped.
pub(super) fn put_config(buf: &mut [u8], at: &mut usize, slot: &Slot) -> Result<(), RunnerError> {
    let policy = &slot.config.restart;
    let mode = match policy.mode {
        RestartMode::Fail => 0u8,
        RestartMode::Delay => 1,
    };
    put(
        buf,
        at,
        &(policy.attempts, policy.interval, policy.delay, mode),
    )?;
    put(buf, at, &slot.config.kill_timeout)?;
    put(buf, at, slot.config.kill_signal.as_str())?;
    put(buf, at, &slot.config.shutdown_delay)?;
    put(buf, at, &(slot.setup_done, slot.killing_recorded))?;
    put(buf, at, &slot.dropped)
}

/// What [`put_config`] wrote: the settings, then `Task Setup` recorded, `Killing`
/// recorded and dropped.
pub(super) fn take_config(rest: &mut &[u8]) -> Result<(TaskConfig, bool, bool, bool), RunnerError> {
    let (attempts, interval, delay, mode): (u32, i64, i64, u8) = take(rest)?;
    let mode = match mode {
        0 => RestartMode::Fail,
        1 => RestartMode::Delay,
        _ => return Err(RunnerError::Corrupt),
    };
    let restart = RestartPolicy {
        attempts,
        interval,
        delay,
        mode,
    };
    let kill_timeout: i64 = take(rest)?;
    let signal: &str = take(rest)?;
    let mut kill_signal = SignalName::new();
    kill_signal
        .push_str(signal)
        .map_err(|_| RunnerError::Corrupt)?;
    let shutdown_delay: i64 = take(rest)?;
    let (setup_done, killing_recorded): (bool, bool) = take(rest)?;
    let dropped: bool = take(rest)?;
    let config = TaskConfig {
        restart,
        kill_timeout,
        kill_signal,
        shutdown_delay,
    };
    Ok((config, setup_done, killing_recorded, dropped))
}

/// A driver handle (bytes).
pub(super) fn take_handle(rest: &mut &[u8]) -> Result<Handle, RunnerError> {
    let bytes: &[u8] = take(rest)?;
    let mut handle = Handle::new();
    handle
        .extend_from_slice(bytes)
        .map_err(|_| RunnerError::Corrupt)?;
    Ok(handle)
}

/// One task's part of the persisted form.
fn take_slot(rest: &mut &[u8], job: JobType, now: i64) -> Result<Slot, RunnerError> {
    let (config, setup_done, killing_recorded, dropped) = take_config(rest)?;
    let waits: u8 = take(rest)?;
    let handle = take_handle(rest)?;
    Ok(Slot {
        tracker: RestartTracker::new(config.restart, job, Default::default(), now),
        config,
        place: match waits {
            0 => Place::Waiting,
            1 => Place::Starting { killed: false },
            2 => Place::AwaitingServers,
            _ => return Err(RunnerError::Corrupt),
        },
        setup_done,
        killing_recorded,
        dropped,
        handle,
    })
}

/// What a task was doing when the runner was persisted, as restore reports it to the
/// runtime's reattach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RestoreStatus {
    /// Started and not exited: the driver should reattach to its handle.
    Running,
    /// Told to start, with no start, failure or exit reported: the process may exist;
    /// check for it rather than start a second one.
    StartInFlight,
    /// Waiting to start (its gate, a restart delay, or the servers after a reattach
    /// that failed at an earlier restore): nothing to reattach.
    NotStarted,
    /// Dead: nothing to reattach.
    Dead,
}

/// One task as [`Runner::restore`] hands it to the runtime's reattach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Restoring<'a> {
    /// The task's name.
    pub name: &'a str,
    /// What it was doing.
    pub status: RestoreStatus,
    /// The driver handle stored with [`Runner::set_handle`], if any.
    pub handle: Option<&'a [u8]>,
}

impl<const N: usize> Runner<N> {
    /// The largest persisted form of a `Runner<N>`: a buffer this size always suffices.
    pub const POSTCARD_MAX_SIZE: usize =
        HEADER_MAX + N * TASK_MAX + Allocation::<N>::POSTCARD_MAX_SIZE;

    /// Writes the runner into `buf` (what Nomad persists: `TaskRunner.persistLocalState`,
    /// `allocRunner.PersistState`); returns the used part.
    pub fn persist<'b>(&self, buf: &'b mut [u8]) -> Result<&'b mut [u8], RunnerError> {
        let mut at = 0;
        self.put_group(buf, &mut at, VERSION)?;
        put(buf, &mut at, &self.arrived)?;
        let (delay_code, delay_at) = match self.group_delay {
            GroupDelay::NotBegun => (0u8, 0i64),
            GroupDelay::Until(until) => (1, self.wall_of(until)),
            GroupDelay::Done => (2, 0),
        };
        put(buf, &mut at, &delay_code)?;
        put(buf, &mut at, &delay_at)?;
        put(buf, &mut at, &self.no_shutdown_delay)?;
        put(buf, &mut at, &self.jitter.state())?;
        let (max_run_code, max_run_at) = match self.max_run {
            MaxRun::Off => (0u8, 0i64),
            MaxRun::Until(until) => (1, self.wall_of(until)),
            MaxRun::Exceeded => (2, 0),
        };
        put(
            buf,
            &mut at,
            &(self.group.max_run_duration, max_run_code, max_run_at),
        )?;
        put(buf, &mut at, &(self.slots.len() as u64))?;
        for slot in &self.slots {
            put_config(buf, &mut at, slot)?;
            let waits: u8 = match slot.place {
                Place::Starting { killed: false } => 1,
                Place::AwaitingServers => 2,
                _ => 0,
            };
            put(buf, &mut at, &waits)?;
            put(buf, &mut at, slot.handle.as_slice())?;
        }
        self.put_alloc(buf, at)
    }

    /// Writes `version` and the group (job type, shutdown delay, max kill timeout): how
    /// the persisted form and the exact image begin.
    pub(super) fn put_group(
        &self,
        buf: &mut [u8],
        at: &mut usize,
        version: u8,
    ) -> Result<(), RunnerError> {
        put(buf, at, &version)?;
        put(buf, at, &job_code(self.group.job_type))?;
        put(buf, at, &self.group.shutdown_delay)?;
        put(buf, at, &self.group.max_kill_timeout())
    }

    /// Writes the allocation's compact form at `at`, the last part of the persisted form
    /// (and of the exact image); returns all of `buf` used.
    pub(super) fn put_alloc<'b>(
        &self,
        buf: &'b mut [u8],
        at: usize,
    ) -> Result<&'b mut [u8], RunnerError> {
        let rest = buf.get_mut(at..).ok_or(RunnerError::BufferTooSmall)?;
        let used = self
            .alloc
            .to_postcard(rest)
            .map_err(|_| RunnerError::BufferTooSmall)?
            .len();
        let end = at.saturating_add(used);
        buf.get_mut(..end).ok_or(RunnerError::BufferTooSmall)
    }

    /// Rebuilds the runner from its persisted form after an agent restart at `now`.
    /// `desired` is a stop or evict that arrived while the agent was down. `reattach`
    /// is called once per task, in the group's order, with what the task was doing and
    /// its driver handle; it returns whether the driver has the process:
    ///
    /// - [`RestoreStatus::Running`]: `true` keeps it running with no event; `false`
    ///   records `Failed Restoring Task` and the task waits for
    ///   [`servers_contacted`](Self::servers_contacted) (Nomad's `waitOnServers`) or a
    ///   kill.
    /// - [`RestoreStatus::StartInFlight`]: `true` keeps it starting (report `started`,
    ///   `exited` or `start_failed` as the driver tells); `false` sends `Start` again
    ///   once its gate allows.
    /// - Otherwise the answer is not used. A task persisted while it waited for the
    ///   servers (reported [`RestoreStatus::NotStarted`]: it has no process) waits for
    ///   them again, with no event and no start.
    ///
    /// If the allocation is terminal, a reattached running task is killed through the
    /// kill path with no `Killing` (its `shutdown_delay` first, `Waiting for shutdown
    /// delay`), and its exit records only `Terminated`; the others end with no event.
    /// See docs/runner.md.
    ///
    /// `self` is the storage restored into, and must be fresh from [`Runner::new`] or
    /// [`Runner::reset`] (no task added, no identity, not arrived), else
    /// [`RunnerError::NotFresh`]. The persisted tasks and allocation are decoded straight
    /// into it, so no allocation passes through a stack frame. Refused, leaving `self`
    /// exactly as it was (fresh), if the bytes are not a persisted runner, `reattached`
    /// or `desired` is `run`: what was decoded before the fault is cleared again, which
    /// is what a fresh runner holds; `reattach` is only called once the bytes are read.
    pub fn restore<F>(
        &mut self,
        now: impl Into<Now>,
        bytes: &[u8],
        desired: Option<DesiredStatus>,
        reattach: F,
    ) -> Result<Step<N>, RunnerError>
    where
        F: FnMut(TaskId, Restoring<'_>) -> bool,
    {
        let now = self.accept_time(now.into())?;
        if !self.is_fresh() {
            return Err(RunnerError::NotFresh);
        }
        if desired.is_some_and(|status| !status.is_terminal()) {
            return Err(RunnerError::DesiredRun);
        }
        // Each step in a frame of its own beside this small one, so that only this frame
        // lies under the allocation's decoder (the deepest part).
        let header = match self.decode_slots(now.mono, bytes) {
            Ok((header, rest)) => match self.decode_alloc(rest, desired) {
                Ok(()) => header,
                Err(error) => return Err(self.refuse(error)),
            },
            Err(error) => return Err(self.refuse(error)),
        };
        Ok(self.accept(now, header, reattach))
    }

    /// A refused restore: what was decoded goes, leaving the runner fresh again.
    #[inline(never)]
    pub(super) fn refuse(&mut self, error: RunnerError) -> RunnerError {
        self.slots.clear();
        self.alloc.clear();
        error
    }

    /// The restore is accepted: from here on the runner is the restored one. A frame of
    /// its own, apart from the decoder's.
    #[inline(never)]
    fn accept<F>(&mut self, now: Now, header: Header, mut reattach: F) -> Step<N>
    where
        F: FnMut(TaskId, Restoring<'_>) -> bool,
    {
        for (slot, task) in self.slots.iter_mut().zip(self.alloc.tasks.iter()) {
            slot.tracker = RestartTracker::new(
                slot.config.restart,
                header.group.job_type,
                task.role.lifecycle,
                now.mono,
            );
        }
        self.group = HeldGroup::of(header.group);
        // The forced status is the runner's to carry (the allocation's own format has
        // no place for it); set as it was, so the modify index is the one persisted.
        self.alloc.max_run_exceeded = header.max_run == MaxRun::Exceeded;
        // Deadlines were persisted as wall times: onto the new monotonic clock.
        let mono_of = |wall: i64| wall.saturating_sub(now.wall).saturating_add(now.mono);
        self.max_run = match header.max_run {
            MaxRun::Until(until) => MaxRun::Until(mono_of(until)),
            other => other,
        };
        self.arrived = true;
        self.group_delay = match header.group_delay {
            GroupDelay::Until(until) => GroupDelay::Until(mono_of(until)),
            other => other,
        };
        self.no_shutdown_delay = header.no_shutdown_delay;
        self.jitter = XorShift::from_state(header.jitter);
        self.seeded = true;
        self.begin(now);
        for index in 0..self.slots.len() {
            let Some(id) = TaskId::at(index) else {
                continue;
            };
            let status = self.restore_status(index);
            let reattached = match (self.alloc.tasks.get(index), self.slots.get(index)) {
                (Some(task), Some(slot)) => reattach(
                    id,
                    Restoring {
                        name: task.name.as_str(),
                        status,
                        handle: (!slot.handle.is_empty()).then_some(slot.handle.as_slice()),
                    },
                ),
                _ => false,
            };
            self.restore_task(now.wall, index, status, reattached);
        }
        // `Coordinator.Restore`: straight to `prestart`, then the tasks' states decide.
        self.coordinator = Coordinator::Prestart;
        self.end(now)
    }

    /// Whether the runner is as [`Runner::new`] built it, as far as restore writes it:
    /// no task, nothing recorded in the allocation (every change of it grows its modify
    /// index), not arrived.
    pub(super) fn is_fresh(&self) -> bool {
        !self.arrived
            && self.slots.is_empty()
            && self.alloc.is_empty()
            && self.alloc.modify_index() == 0
    }

    /// Reads the allocation into `self` and checks it against the tasks and the request.
    fn decode_alloc(
        &mut self,
        rest: &[u8],
        desired: Option<DesiredStatus>,
    ) -> Result<(), RunnerError> {
        Allocation::from_postcard_into(rest, &mut self.alloc).map_err(|_| RunnerError::Corrupt)?;
        if self.alloc.len() != self.slots.len() {
            return Err(RunnerError::Corrupt);
        }
        if let Some(status) = desired {
            self.stopped_while_down(status)?;
        }
        Ok(())
    }

    /// A stop or evict that arrived while the agent was down, keeping the description
    /// (its copy lives in this frame, not in the one the allocation is decoded under).
    #[inline(never)]
    fn stopped_while_down(&mut self, status: DesiredStatus) -> Result<(), RunnerError> {
        if !self.alloc.desired_status().is_terminal() {
            let description = self.alloc.desired_description.clone();
            self.alloc
                .set_desired(status, description.as_str())
                .map_err(RunnerError::Task)?;
        }
        Ok(())
    }

    /// Reads the header and the tasks (into `self.slots`); returns the header and the
    /// bytes of the allocation.
    #[inline(never)]
    fn decode_slots<'b>(
        &mut self,
        now: i64,
        bytes: &'b [u8],
    ) -> Result<(Header, &'b [u8]), RunnerError> {
        let mut rest = bytes;
        let mut group = take_group(&mut rest, VERSION)?;
        if !take::<bool>(&mut rest)? {
            // Only an arrived runner is worth persisting; persist writes what it has.
            return Err(RunnerError::Corrupt);
        }
        let group_delay = match (take::<u8>(&mut rest)?, take::<i64>(&mut rest)?) {
            (0, 0) => GroupDelay::NotBegun,
            (1, until) => GroupDelay::Until(until),
            (2, 0) => GroupDelay::Done,
            _ => return Err(RunnerError::Corrupt),
        };
        let no_shutdown_delay = take(&mut rest)?;
        let jitter = take(&mut rest)?;
        let max_run = match take::<(i64, u8, i64)>(&mut rest)? {
            (duration, 0, 0) => (duration, MaxRun::Off),
            (duration, 1, until) => (duration, MaxRun::Until(until)),
            (duration, 2, 0) => (duration, MaxRun::Exceeded),
            _ => return Err(RunnerError::Corrupt),
        };
        group.max_run_duration = max_run.0;
        let header = Header {
            group,
            group_delay,
            no_shutdown_delay,
            jitter,
            max_run: max_run.1,
        };
        let count: u64 = take(&mut rest)?;
        for _ in 0..count {
            let slot = take_slot(&mut rest, group.job_type, now)?;
            self.slots.push(slot).map_err(|_| RunnerError::Corrupt)?;
        }
        Ok((header, rest))
    }

    /// The wall time of a monotonic deadline, by the latest input's two clocks.
    fn wall_of(&self, mono: i64) -> i64 {
        let clock = self.clock();
        mono.saturating_sub(clock.mono).saturating_add(clock.wall)
    }

    /// What the task was doing when persisted.
    fn restore_status(&self, index: usize) -> RestoreStatus {
        let Some(task) = self.alloc.tasks.get(index) else {
            return RestoreStatus::Dead;
        };
        match task.state.phase() {
            Phase::Dead => RestoreStatus::Dead,
            Phase::Running | Phase::ShuttingDown => RestoreStatus::Running,
            Phase::Exited => RestoreStatus::NotStarted,
            Phase::Pending => {
                if matches!(self.place_of(index), Place::Starting { .. }) {
                    RestoreStatus::StartInFlight
                } else {
                    RestoreStatus::NotStarted
                }
            }
        }
    }

    /// One task after a restore (`TaskRunner.Restore`, then `TaskRunner.Run`).
    fn restore_task(&mut self, now: i64, index: usize, status: RestoreStatus, reattach: bool) {
        let Some(task) = self.alloc.tasks.get(index) else {
            return;
        };
        let terminal = self.alloc.desired_status().is_terminal() && !task.role.is_poststop();
        let phase = task.state.phase();
        let killing = self.slots.get(index).is_some_and(|s| s.killing_recorded);
        match phase {
            Phase::Dead => self.set_place(index, Place::Dead),
            Phase::Pending | Phase::Exited => {
                if status == RestoreStatus::StartInFlight && reattach {
                    if terminal || killing {
                        // The process may be starting: stop it, as a kill racing a start.
                        self.stop_command(index);
                        self.set_place(index, Place::Starting { killed: true });
                    } else {
                        self.set_place(index, Place::Starting { killed: false });
                    }
                } else if terminal || killing || phase == Phase::Exited {
                    self.end_run(index, now);
                } else if self.place_of(index) != Place::AwaitingServers {
                    self.set_place(index, Place::Waiting);
                }
                // Else it still waits for the servers (`TaskRunner.waitOnServers`): its
                // reattach failed at an earlier restore and there is no process.
            }
            Phase::Running | Phase::ShuttingDown => {
                if reattach && killing {
                    self.send_stop(index, StopReason::Kill);
                } else if reattach && terminal {
                    if let Some(task) = self.alloc.tasks.get_mut(index) {
                        task.kill_ordered = true;
                    }
                    // `TaskRunner.Run` kills a restored handle after its main loop
                    // through `handleKill`: the shutdown delay, then the stop; no
                    // `Killing` (that is `TaskRunner.Kill`'s).
                    self.kill_running(now, index, StopReason::Restore);
                } else if reattach {
                    self.set_place(index, Place::Running);
                } else if killing {
                    self.record(index, TaskEvent::killed(now));
                    self.set_place(index, Place::Dead);
                } else if terminal {
                    self.end_run(index, now);
                } else {
                    let event = TaskEvent::new(now, Detail::FailedRestoringTask)
                        .with_display_message(
                            "failed to restore task; will not run until server is contacted",
                        );
                    self.record(index, event);
                    self.set_place(index, Place::AwaitingServers);
                }
            }
        }
    }
}
