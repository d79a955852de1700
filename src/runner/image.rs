//! The runner's exact image (features `serde` and `journal`, crate-private): everything a `Runner`
//! holds between two inputs, written and read back bit for bit, for the journal's
//! snapshots (`src/journal/runner/snapshot.rs`, docs/journal.md).
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
//! flags `u8` (bit 0 arrived, 1 seeded, 2 no shutdown delay, 3 max run exceeded); the
//! coordinator `u8` (init 0, prestart 1, main 2, poststart 3, wait-alloc 4, poststop 5);
//! the group delay and the `max_run_duration` timer (each a `u8` as persist's, then an
//! `i64` monotonic deadline); the jitter state `u64`; the clock of the latest input
//! (wall, monotonic `i64`); the latest input's events (the task index of each, bytes);
//! the task count `u64` (at most `N`); per task its restart policy, kill timeout, kill signal and
//! shutdown delay as persist writes them, `Task Setup` and `Killing` recorded `bool`,
//! dropped `bool`, its place (`u8` code, `u8` stop reason, `i64` monotonic deadline: see
//! `place_code`), its restart tracker (interval start `i64`, count `u32`, flags `u8`;
//! its policy is the task's), the driver handle (bytes); then the allocation in its
//! compact format.

use crate::allocation::Allocation;
use crate::restart::RestartTracker;

use super::coordinator::Coordinator;
use super::jitter::XorShift;
use super::persist::{put_config, take_config, take_group, take_handle};
use super::slot::{Place, Slot, StopReason};
use super::spec::{GroupSpec, HeldGroup};
use super::{GroupDelay, MaxRun, Now, Runner, RunnerError, HANDLE_CAPACITY, SIGNAL_CAPACITY};

const VERSION: u8 = 0x81;

/// Bytes of the image's header, at most (a varint `i64` or `u64` takes 10, a `u32` 5, a
/// byte string shorter than 128 bytes its length and one byte): version and job type,
/// three group durations, flags, coordinator, two timers, jitter, clock, the latest
/// input's events, the task count.
const HEADER_MAX: usize =
    2 + 3 * 10 + 1 + 1 + 2 * 11 + 10 + 2 * 10 + 1 + super::JOURNAL_CAPACITY + 10;
/// Bytes of one task's part, at most: policy (26), kill timeout, kill signal, shutdown
/// delay, two flags and dropped; place (12); tracker (16); handle.
const TASK_MAX: usize = 26 + 10 + 1 + SIGNAL_CAPACITY + 10 + 2 + 1 + 12 + 16 + 1 + HANDLE_CAPACITY;

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
        let mut out = Out {
            buf,
            at: 0,
            full: false,
        };
        self.put_group(out.buf, &mut out.at, VERSION)?;
        out.int(self.group.max_run_duration);
        let flags = u8::from(self.arrived)
            | u8::from(self.seeded) << 1
            | u8::from(self.no_shutdown_delay) << 2
            | u8::from(self.alloc.max_run_exceeded) << 3;
        out.byte(flags);
        out.byte(coordinator_code(self.coordinator));
        let (code, until) = match self.group_delay {
            GroupDelay::NotBegun => (0u8, 0i64),
            GroupDelay::Until(until) => (1, until),
            GroupDelay::Done => (2, 0),
        };
        out.byte(code);
        out.int(until);
        let (code, until) = match self.max_run {
            MaxRun::Off => (0u8, 0i64),
            MaxRun::Until(until) => (1, until),
            MaxRun::Exceeded => (2, 0),
        };
        out.byte(code);
        out.int(until);
        out.uint(self.jitter.state());
        let clock = self.clock();
        out.int(clock.wall);
        out.int(clock.mono);
        out.bytes(self.journal.as_slice());
        out.uint(self.slots.len() as u64);
        for slot in &self.slots {
            put_config(out.buf, &mut out.at, slot)?;
            let (code, reason, deadline) = place_code(slot.place);
            out.byte(code);
            out.byte(reason);
            out.int(deadline);
            let (start, count, flags) = slot.tracker.image();
            out.int(start);
            out.uint(u64::from(count));
            out.byte(flags);
            out.bytes(slot.handle.as_slice());
        }
        let Out { buf, at, full } = out;
        if full {
            return Err(RunnerError::BufferTooSmall);
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
        let mut input = In {
            rest: bytes,
            bad: false,
        };
        let mut group = take_group(&mut input.rest, VERSION)?;
        group.max_run_duration = input.int();
        let flags = input.byte();
        if flags > 0xF {
            return Err(RunnerError::Corrupt);
        }
        let flag = |bit: u8| flags & bit != 0;
        let coordinator = match input.byte() {
            0 => Coordinator::Init,
            1 => Coordinator::Prestart,
            2 => Coordinator::Main,
            3 => Coordinator::Poststart,
            4 => Coordinator::WaitAlloc,
            5 => Coordinator::Poststop,
            _ => return Err(RunnerError::Corrupt),
        };
        let group_delay = match (input.byte(), input.int()) {
            (0, _) => GroupDelay::NotBegun,
            (1, until) => GroupDelay::Until(until),
            (2, _) => GroupDelay::Done,
            _ => return Err(RunnerError::Corrupt),
        };
        let max_run = match (input.byte(), input.int()) {
            (0, _) => MaxRun::Off,
            (1, until) => MaxRun::Until(until),
            (2, _) => MaxRun::Exceeded,
            _ => return Err(RunnerError::Corrupt),
        };
        let jitter = input.uint();
        let clock = Now::new(input.int(), input.int());
        let journal = input.bytes();
        self.journal.clear();
        self.journal
            .extend_from_slice(journal)
            .map_err(|_| RunnerError::Corrupt)?;
        let count = input.uint();
        if count > N as u64 {
            return Err(RunnerError::Corrupt);
        }
        for _ in 0..count {
            let slot = read_slot(&mut input)?;
            self.slots.push(slot).map_err(|_| RunnerError::Corrupt)?;
        }
        if input.bad {
            return Err(RunnerError::Corrupt);
        }
        let header = Header {
            group,
            arrived: flag(1),
            seeded: flag(2),
            no_shutdown_delay: flag(4),
            max_run_exceeded: flag(8),
            coordinator,
            group_delay,
            max_run,
            jitter,
            clock,
        };
        Ok((header, input.rest))
    }
}

/// One task's part of the image.
#[inline(never)]
fn read_slot(input: &mut In<'_>) -> Result<Slot, RunnerError> {
    let (config, setup_done, killing_recorded, dropped) = take_config(&mut input.rest)?;
    let place = place_of(input.byte(), input.byte(), input.int())?;
    let start = input.int();
    let count = u32::try_from(input.uint()).unwrap_or_else(|_| {
        input.bad = true;
        0
    });
    let tracker = RestartTracker::from_image(config.restart, start, count, input.byte())
        .ok_or(RunnerError::Corrupt)?;
    let handle = take_handle(&mut input.rest)?;
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

/// The image's writer: postcard's encodings of a byte, an unsigned varint, a zigzag
/// varint and a length-prefixed byte string, without a serializer per type. Past the
/// buffer's end it writes nothing more and marks itself `full` (checked once, at the end).
struct Out<'b> {
    buf: &'b mut [u8],
    at: usize,
    full: bool,
}

impl Out<'_> {
    #[inline(never)]
    fn byte(&mut self, byte: u8) {
        match self.buf.get_mut(self.at) {
            Some(slot) => *slot = byte,
            None => self.full = true,
        }
        self.at = self.at.saturating_add(1);
    }

    #[inline(never)]
    fn uint(&mut self, mut value: u64) {
        while value > 0x7F {
            self.byte((value & 0x7F) as u8 | 0x80);
            value = value.wrapping_shr(7);
        }
        self.byte(value as u8);
    }

    #[inline(never)]
    fn int(&mut self, value: i64) {
        self.uint((value.wrapping_shl(1) ^ value.wrapping_shr(63)) as u64);
    }

    #[inline(never)]
    fn bytes(&mut self, bytes: &[u8]) {
        self.uint(bytes.len() as u64);
        match self
            .buf
            .get_mut(self.at..)
            .and_then(|rest| rest.get_mut(..bytes.len()))
        {
            Some(to) => to.copy_from_slice(bytes),
            None => self.full = true,
        }
        self.at = self.at.saturating_add(bytes.len());
    }
}

/// The image's reader, [`Out`]'s inverse. Anything else marks it `bad` (checked once
/// the header and tasks are read) and reads as zeros from there on.
struct In<'a> {
    rest: &'a [u8],
    bad: bool,
}

impl<'a> In<'a> {
    #[inline(never)]
    fn byte(&mut self) -> u8 {
        match self.rest.split_first() {
            Some((&byte, rest)) => {
                self.rest = rest;
                byte
            }
            None => {
                self.bad = true;
                0
            }
        }
    }

    #[inline(never)]
    fn uint(&mut self) -> u64 {
        let (mut value, mut shift) = (0u64, 0u32);
        while shift < 64 {
            let byte = self.byte();
            value |= u64::from(byte & 0x7F).wrapping_shl(shift);
            if byte & 0x80 == 0 {
                return value;
            }
            shift = shift.wrapping_add(7);
        }
        self.bad = true;
        0
    }

    #[inline(never)]
    fn int(&mut self) -> i64 {
        let value = self.uint();
        value.wrapping_shr(1) as i64 ^ (value & 1).wrapping_neg() as i64
    }

    #[inline(never)]
    fn bytes(&mut self) -> &'a [u8] {
        let len = usize::try_from(self.uint()).unwrap_or(usize::MAX);
        match self.rest.split_at_checked(len) {
            Some((bytes, rest)) => {
                self.rest = rest;
                bytes
            }
            None => {
                self.bad = true;
                &[]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::restart::{JobType, RestartMode, RestartPolicy};
    use crate::runner::{TaskSpec, JOURNAL_CAPACITY};
    use crate::Role;

    /// A runner with every field of the image at an extreme: the longest signal and
    /// handle, deadlines and clocks at both ends of `i64`, the largest tracker, a full
    /// list of the latest input's events.
    fn extreme() -> Runner<2> {
        let mut group = GroupSpec::new(JobType::Batch);
        group.max_run_duration = i64::MAX;
        let mut runner: Runner<2> = Runner::new(group);
        let policy = RestartPolicy::new(u32::MAX, i64::MAX, 1, RestartMode::Delay);
        for name in ["a", "b"] {
            let mut spec = TaskSpec::new(name, Role::main(), policy);
            spec.kill_signal = Some("SIGRTMIN+15_XYZW");
            spec.shutdown_delay = i64::MAX;
            let id = runner.add_task(&spec).unwrap();
            runner.set_handle(id, &[0xFF; HANDLE_CAPACITY]).unwrap();
        }
        let _ = runner.arrive(Now::new(i64::MIN + 1, i64::MAX - 1)).unwrap();
        runner.slots[0].place = Place::Stopping {
            reason: StopReason::Restore,
            kill_at: Some(i64::MAX),
        };
        runner.slots[1].place = Place::ShutdownDelay {
            until: i64::MIN,
            reason: StopReason::Restart,
        };
        runner.slots[1].tracker =
            RestartTracker::from_image(policy, i64::MIN, u32::MAX, 0b1111_1010).unwrap();
        runner.group_delay = GroupDelay::Until(i64::MAX);
        runner.max_run = MaxRun::Until(i64::MIN);
        runner.jitter = XorShift::from_state(u64::MAX);
        runner.journal.clear();
        while runner.journal.push(1).is_ok() {}
        assert_eq!(runner.journal.len(), JOURNAL_CAPACITY);
        runner
    }

    #[test]
    fn an_image_reads_back_to_the_same_runner_at_the_extremes() {
        let runner = extreme();
        let mut buf = [0u8; Runner::<2>::IMAGE_MAX_SIZE];
        let image = runner.write_image(&mut buf).unwrap();
        let header_and_tasks = image.len() - {
            let mut alloc = [0u8; Allocation::<2>::POSTCARD_MAX_SIZE];
            runner.alloc.to_postcard(&mut alloc).unwrap().len()
        };
        assert!(header_and_tasks <= HEADER_MAX + 2 * TASK_MAX);
        let mut fresh: Runner<2> = Runner::new(GroupSpec::new(JobType::Service));
        fresh.read_image(image).unwrap();
        assert_eq!(fresh, runner);
        // Read again into a runner that is not fresh: refused.
        assert_eq!(fresh.read_image(image), Err(RunnerError::NotFresh));
    }

    #[test]
    fn an_image_cut_short_or_too_small_a_buffer_is_a_typed_error_leaving_the_runner_fresh() {
        let runner = extreme();
        let mut buf = [0u8; Runner::<2>::IMAGE_MAX_SIZE];
        let len = runner.write_image(&mut buf).unwrap().len();
        let empty = Runner::<2>::new(GroupSpec::new(JobType::Service));
        for cut in 0..len {
            let mut fresh = empty.clone();
            assert_eq!(fresh.read_image(&buf[..cut]), Err(RunnerError::Corrupt));
            assert_eq!(fresh, empty, "cut at {cut}");
        }
        for size in [0, 1, len / 2, len - 1] {
            let mut small = [0u8; Runner::<2>::IMAGE_MAX_SIZE];
            let result = runner.write_image(&mut small[..size]).map(|b| b.len());
            assert_eq!(result, Err(RunnerError::BufferTooSmall), "{size} bytes");
        }
    }
}
