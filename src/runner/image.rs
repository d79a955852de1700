//! The runner's exact image (features `serde` and `journal`, crate-private): everything a `Runner`
//! holds between two inputs, written and read back bit for bit, for the journal's
//! snapshots (`src/journal/runner.rs`, docs/journal.md).
//!
//! [`Runner::persist`] writes what Nomad persists (`TaskRunner.persistLocalState`,
//! `client/allocrunner/taskrunner/task_runner.go`), and [`Runner::restore`] rebuilds the
//! rest as an agent restart does: a new restart tracker (`NewTaskRunner`), no delay in
//! progress, the coordinator from the tasks' states, a reattach per task. A journal
//! recovers the runner, not an agent restart: the image also carries the restart
//! trackers, every task's place in its run loop with its deadline, the coordinator, the
//! jitter generator and whether it was seeded, the clock of the latest input, and the
//! events of the latest input ([`Runner::events`]). Read into a fresh runner, it gives a
//! runner equal (`==`) to the one written, so the same inputs after it give the same
//! decisions, events and steps.
//!
//! Layout, element after element as postcard writes them: a version byte (`0x81`, never
//! persist's version, so that one is never read for the other); the group (job type
//! `u8` as persist's; shutdown delay, max kill timeout and `max_run_duration` `i64`);
//! arrived and seeded `bool`; no-shutdown-delay and max-run-exceeded `bool`; the
//! coordinator `u8` (init 0, prestart 1, main 2, poststart 3, wait-alloc 4, poststop 5);
//! the group delay and the `max_run_duration` timer (each a `u8` as persist's, then an
//! `i64` monotonic deadline); the jitter state `u64`; the clock of the latest input
//! (wall, monotonic `i64`); the latest input's events (the task index of each, bytes);
//! the task count `u64`; per task its restart policy, kill timeout, kill signal and
//! shutdown delay as persist writes them, `Task Setup` and `Killing` recorded `bool`,
//! dropped `bool`, its place (`u8` code, `u8` stop reason, `i64` monotonic deadline: see
//! `place_code`), its restart tracker (interval start `i64`, count `u32`, flags `u8`;
//! its policy is the task's), the driver handle (bytes); then the allocation in its
//! compact format.

use crate::allocation::Allocation;
use crate::restart::RestartTracker;

use super::coordinator::Coordinator;
use super::jitter::XorShift;
use super::persist::{put, put_config, take, take_config, take_group, take_handle};
use super::slot::{Place, Slot, StopReason};
use super::spec::{GroupSpec, HeldGroup};
use super::{GroupDelay, MaxRun, Now, Runner, RunnerError, HANDLE_CAPACITY, SIGNAL_CAPACITY};

const VERSION: u8 = 0x81;

/// Bytes of the image's header, at most (a varint `i64` takes 10, a `u32` 5, a short
/// byte string its length and one byte).
const HEADER_MAX: usize =
    1 + 1 + 3 * 10 + 2 + 2 + 1 + 2 * 11 + 10 + 2 * 10 + 1 + super::JOURNAL_CAPACITY + 10;
/// Bytes of one task's part, at most.
const TASK_MAX: usize =
    26 + 10 + 1 + SIGNAL_CAPACITY + 10 + 2 + 1 + 12 + 10 + 5 + 1 + 1 + HANDLE_CAPACITY;

/// A place as (code, stop reason, deadline): waiting 0, awaiting servers 1, starting 2
/// (3 with a kill sent meanwhile), running 4, shutdown delay 5, stopping 6 (7 with a
/// force-kill deadline), restart wait 8, dead 9; reasons kill 0, restart 1, restore 2.
fn place_code(place: Place) -> (u8, u8, i64) {
    let reason = |reason: StopReason| match reason {
        StopReason::Kill => 0u8,
        StopReason::Restart => 1,
        StopReason::Restore => 2,
    };
    match place {
        Place::Waiting => (0, 0, 0),
        Place::AwaitingServers => (1, 0, 0),
        Place::Starting { killed: false } => (2, 0, 0),
        Place::Starting { killed: true } => (3, 0, 0),
        Place::Running => (4, 0, 0),
        Place::ShutdownDelay { until, reason: r } => (5, reason(r), until),
        Place::Stopping { reason: r, kill_at } => match kill_at {
            None => (6, reason(r), 0),
            Some(at) => (7, reason(r), at),
        },
        Place::RestartWait { until } => (8, 0, until),
        Place::Dead => (9, 0, 0),
    }
}

fn place_of(code: u8, reason: u8, at: i64) -> Result<Place, RunnerError> {
    let reason = match reason {
        0 => StopReason::Kill,
        1 => StopReason::Restart,
        2 => StopReason::Restore,
        _ => return Err(RunnerError::Corrupt),
    };
    Ok(match code {
        0 => Place::Waiting,
        1 => Place::AwaitingServers,
        2 => Place::Starting { killed: false },
        3 => Place::Starting { killed: true },
        4 => Place::Running,
        5 => Place::ShutdownDelay { until: at, reason },
        6 => Place::Stopping {
            reason,
            kill_at: None,
        },
        7 => Place::Stopping {
            reason,
            kill_at: Some(at),
        },
        8 => Place::RestartWait { until: at },
        9 => Place::Dead,
        _ => return Err(RunnerError::Corrupt),
    })
}

const fn coordinator_code(coordinator: Coordinator) -> u8 {
    match coordinator {
        Coordinator::Init => 0,
        Coordinator::Prestart => 1,
        Coordinator::Main => 2,
        Coordinator::Poststart => 3,
        Coordinator::WaitAlloc => 4,
        Coordinator::Poststop => 5,
    }
}

/// A timer as (code, deadline): not begun or off 0, until 1, done or exceeded 2.
fn timer(code: u8, at: i64) -> Result<(u8, i64), RunnerError> {
    match code {
        0..=2 => Ok((code, at)),
        _ => Err(RunnerError::Corrupt),
    }
}

/// The image's header, held until the image is accepted.
struct Header {
    group: GroupSpec,
    arrived: bool,
    seeded: bool,
    no_shutdown_delay: bool,
    max_run_exceeded: bool,
    coordinator: Coordinator,
    group_delay: GroupDelay,
    max_run: MaxRun,
    jitter: u64,
    clock: Now,
}

impl<const N: usize> Runner<N> {
    /// The largest image of a `Runner<N>`.
    pub(crate) const IMAGE_MAX_SIZE: usize =
        HEADER_MAX + N * TASK_MAX + Allocation::<N>::POSTCARD_MAX_SIZE;

    /// Writes the runner's exact image into `buf`; returns the used part.
    pub(crate) fn write_image<'b>(&self, buf: &'b mut [u8]) -> Result<&'b mut [u8], RunnerError> {
        let mut at = 0;
        self.put_group(buf, &mut at, VERSION)?;
        put(buf, &mut at, &self.group.max_run_duration)?;
        put(buf, &mut at, &(self.arrived, self.seeded))?;
        put(
            buf,
            &mut at,
            &(self.no_shutdown_delay, self.alloc.max_run_exceeded),
        )?;
        put(buf, &mut at, &coordinator_code(self.coordinator))?;
        let (code, until) = match self.group_delay {
            GroupDelay::NotBegun => (0u8, 0i64),
            GroupDelay::Until(until) => (1, until),
            GroupDelay::Done => (2, 0),
        };
        put(buf, &mut at, &code)?;
        put(buf, &mut at, &until)?;
        let (code, until) = match self.max_run {
            MaxRun::Off => (0u8, 0i64),
            MaxRun::Until(until) => (1, until),
            MaxRun::Exceeded => (2, 0),
        };
        put(buf, &mut at, &code)?;
        put(buf, &mut at, &until)?;
        put(buf, &mut at, &self.jitter.state())?;
        let clock = self.clock();
        put(buf, &mut at, &clock.wall)?;
        put(buf, &mut at, &clock.mono)?;
        put(buf, &mut at, self.journal.as_slice())?;
        put(buf, &mut at, &(self.slots.len() as u64))?;
        for slot in &self.slots {
            put_config(buf, &mut at, slot)?;
            let (code, reason, deadline) = place_code(slot.place);
            put(buf, &mut at, &code)?;
            put(buf, &mut at, &reason)?;
            put(buf, &mut at, &deadline)?;
            let (start, count, flags) = slot.tracker.image();
            put(buf, &mut at, &start)?;
            put(buf, &mut at, &count)?;
            put(buf, &mut at, &flags)?;
            put(buf, &mut at, slot.handle.as_slice())?;
        }
        self.put_alloc(buf, at)
    }

    /// Reads an image [`write_image`](Self::write_image) wrote into `self`, which must be
    /// fresh ([`Runner::new`] or [`Runner::reset`]; else [`RunnerError::NotFresh`]).
    /// Refused with [`RunnerError::Corrupt`] if the bytes are not an image, leaving
    /// `self` fresh. Nothing is rebuilt and nothing is asked: no event, no command.
    pub(crate) fn read_image(&mut self, bytes: &[u8]) -> Result<(), RunnerError> {
        if !self.is_fresh() {
            return Err(RunnerError::NotFresh);
        }
        let header = match self.read_slots(bytes) {
            Ok((header, rest)) => match self.read_alloc(rest) {
                Ok(()) => header,
                Err(error) => return Err(self.refuse_image(error)),
            },
            Err(error) => return Err(self.refuse_image(error)),
        };
        self.group = HeldGroup::of(header.group);
        self.arrived = header.arrived;
        self.seeded = header.seeded;
        self.no_shutdown_delay = header.no_shutdown_delay;
        self.alloc.max_run_exceeded = header.max_run_exceeded;
        self.coordinator = header.coordinator;
        self.group_delay = header.group_delay;
        self.max_run = header.max_run;
        self.jitter = XorShift::from_state(header.jitter);
        let clock = header.clock;
        self.clock_held = Now::new(clock.wall ^ i64::MIN, clock.mono ^ i64::MIN);
        Ok(())
    }

    /// A refused image: what was read goes, leaving the runner fresh again.
    fn refuse_image(&mut self, error: RunnerError) -> RunnerError {
        self.journal.clear();
        self.refuse(error)
    }

    /// Reads the allocation into `self` (a frame of its own under which the allocation's
    /// decoder runs) and checks it against the tasks.
    #[inline(never)]
    fn read_alloc(&mut self, rest: &[u8]) -> Result<(), RunnerError> {
        Allocation::from_postcard_into(rest, &mut self.alloc).map_err(|_| RunnerError::Corrupt)?;
        if self.alloc.len() != self.slots.len() {
            return Err(RunnerError::Corrupt);
        }
        Ok(())
    }

    /// Reads the header, the latest input's events (into `self.journal`) and the tasks
    /// (into `self.slots`); returns the header and the bytes of the allocation.
    #[inline(never)]
    fn read_slots<'b>(&mut self, bytes: &'b [u8]) -> Result<(Header, &'b [u8]), RunnerError> {
        let mut rest = bytes;
        let mut group = take_group(&mut rest, VERSION)?;
        group.max_run_duration = take(&mut rest)?;
        let (arrived, seeded): (bool, bool) = take(&mut rest)?;
        let (no_shutdown_delay, max_run_exceeded): (bool, bool) = take(&mut rest)?;
        let coordinator = match take::<u8>(&mut rest)? {
            0 => Coordinator::Init,
            1 => Coordinator::Prestart,
            2 => Coordinator::Main,
            3 => Coordinator::Poststart,
            4 => Coordinator::WaitAlloc,
            5 => Coordinator::Poststop,
            _ => return Err(RunnerError::Corrupt),
        };
        let group_delay = match timer(take(&mut rest)?, take(&mut rest)?)? {
            (0, _) => GroupDelay::NotBegun,
            (1, until) => GroupDelay::Until(until),
            _ => GroupDelay::Done,
        };
        let max_run = match timer(take(&mut rest)?, take(&mut rest)?)? {
            (0, _) => MaxRun::Off,
            (1, until) => MaxRun::Until(until),
            _ => MaxRun::Exceeded,
        };
        let jitter: u64 = take(&mut rest)?;
        let clock = Now::new(take(&mut rest)?, take(&mut rest)?);
        let journal: &[u8] = take(&mut rest)?;
        self.journal.clear();
        self.journal
            .extend_from_slice(journal)
            .map_err(|_| RunnerError::Corrupt)?;
        let count: u64 = take(&mut rest)?;
        for _ in 0..count {
            let slot = read_slot(&mut rest)?;
            self.slots.push(slot).map_err(|_| RunnerError::Corrupt)?;
        }
        let header = Header {
            group,
            arrived,
            seeded,
            no_shutdown_delay,
            max_run_exceeded,
            coordinator,
            group_delay,
            max_run,
            jitter,
            clock,
        };
        Ok((header, rest))
    }
}

/// One task's part of the image.
fn read_slot(rest: &mut &[u8]) -> Result<Slot, RunnerError> {
    let (config, setup_done, killing_recorded, dropped) = take_config(rest)?;
    let place = place_of(take(rest)?, take(rest)?, take(rest)?)?;
    let tracker = RestartTracker::from_image(config.restart, take(rest)?, take(rest)?, take(rest)?)
        .ok_or(RunnerError::Corrupt)?;
    let handle = take_handle(rest)?;
    Ok(Slot {
        config,
        tracker,
        place,
        setup_done,
        killing_recorded,
        dropped,
        handle,
    })
}
