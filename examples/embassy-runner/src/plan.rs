//! The group, the script and the supervisor both sides share: the firmware (src/main.rs,
//! whose tasks are futures on embassy timers) and the host's model of it
//! (tests/embassy_runner.rs in the main crate, a discrete-event loop). What differs is
//! only how a task runs and when its exit is due; everything the runner sees goes through
//! [`Supervisor`]: every input applied, its events logged, committed to the journal on a
//! NOR flash; a reboot recovers a fresh runner from that flash.
//!
//! Times are nanoseconds on the monotonic clock, starting at 0; the wall clock is
//! [`WALL0`] later. Every input is stamped with the time it was due (a task's deadline,
//! the runner's wake, a request of the script), not with when the runtime got to it, so
//! the log is the same on any machine.

use core::fmt::{self, Write};

use allocstate::allocation::DesiredStatus;
use allocstate::journal::flash::FlashJournal;
use allocstate::journal::runner::{Input, RecoveryGlue, RunnerSnapshot, What};
use allocstate::journal::RECORD_OVERHEAD;
use allocstate::restart::{JobType, RestartMode, RestartPolicy};
use allocstate::runner::{Action, Exit, GroupSpec, Now, Runner, Step, TaskId, TaskSpec};
use allocstate::Role;
use embedded_storage_async::nor_flash::{
    ErrorType, MultiwriteNorFlash, NorFlash, NorFlashErrorKind, ReadNorFlash,
};

/// Tasks in the group.
pub const N: usize = 4;
/// One millisecond (ns).
pub const MS: i64 = 1_000_000;
/// One second (ns).
pub const SEC: i64 = 1_000 * MS;
/// The wall clock at monotonic 0 (unix ns): 2026-12-07 00:00 UTC.
pub const WALL0: i64 = 1_796_601_600 * SEC;
/// Inputs between snapshots: small, so that the run takes several and compacts.
pub const K: u32 = 16;
/// When the uplink gets `SIGHUP`.
pub const SIGNAL_AT: i64 = 7 * SEC;
/// The allocation is stopped (desired status `stop`) at this time.
pub const STOP_AT: i64 = 33 * SEC;
/// Power cuts: everything but the flash is dropped at these times, and the board reboots
/// in place at once. The first with every task running (the sensor mid-run), the second
/// in the sensor's restart delay, the third while the poststop `flush` runs (the sensor,
/// which ignores `SIGTERM`, was force-killed at its kill timeout before it).
pub const CUTS: [i64; 3] = [9_500 * MS, 23_250 * MS, 34_200 * MS];

/// A power cut in the middle of a flash write or erase: in the boot with this index (0 is
/// the first power-on), after this many bytes written or erased since it began. It
/// tears the record being written; recovery gives the state before it. Here: at 34.05 s,
/// inside the chunks of a snapshot, before its commit record.
pub const WRITE_CUT: (u32, u32) = (2, 2_700);

/// The group's tasks, in order (their index is their [`TaskId`]).
pub const NAMES: [&str; N] = ["leader", "sensor", "uplink", "flush"];
/// Index of the sensor.
pub const SENSOR: usize = 1;
/// Index of the uplink.
pub const UPLINK: usize = 2;

/// Builds the group into a fresh runner: a service job; a `leader`; a `sensor` main task
/// that fails every third run, under a restart policy of 3 attempts in 30 s with 1 s
/// delay (mode delay); an `uplink` poststart sidecar; a poststop `flush`.
pub fn build(runner: &mut Runner<N>) {
    let policy = RestartPolicy {
        attempts: 3,
        interval: 30 * SEC,
        delay: SEC,
        mode: RestartMode::Delay,
    };
    let roles = [
        Role::leader(),
        Role::main(),
        Role::poststart(true),
        Role::poststop(),
    ];
    let kill_timeouts = [2 * SEC, SEC, 2 * SEC, 2 * SEC];
    for ((name, role), kill_timeout) in NAMES.iter().zip(roles).zip(kill_timeouts) {
        let mut spec = TaskSpec::new(name, role, policy);
        spec.kill_timeout = kill_timeout;
        runner.add_task(&spec).expect("the group is valid");
    }
    runner.seed_jitter(0x5EED);
}

/// What run `run` (1 for the first since boot) of task `task` does: runs for the time
/// given (`None`: until stopped), then exits with the code.
pub fn run_of(task: usize, run: u32) -> (Option<i64>, i32) {
    match task {
        SENSOR => (Some(2 * SEC), if run.is_multiple_of(3) { 1 } else { 0 }),
        3 => (Some(300 * MS), 0),
        _ => (None, 0),
    }
}

/// How long task `task` takes to exit after its stop signal (`None`: it ignores it and
/// is killed when its kill timeout passes).
pub fn on_stop(task: usize) -> Option<i64> {
    match task {
        0 => Some(50 * MS),
        SENSOR => None,
        _ => Some(20 * MS),
    }
}

/// A task told to stop at `at` that would otherwise end at `end` with `code`: when it
/// ends and with what code.
pub fn stopped(task: usize, at: i64, end: Option<i64>, code: i32) -> (Option<i64>, i32) {
    match on_stop(task) {
        Some(delay) if end.is_none_or(|end| at + delay < end) => (Some(at + delay), 0),
        _ => (end, code),
    }
}

/// How a force-killed task ends.
pub const KILLED: Exit = Exit::signal(137, 9);

/// A request of the script, due at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// `SIGHUP` to the uplink.
    Signal,
    /// Desired status `stop`.
    Stop,
}

/// The script's requests, in time order.
pub const REQUESTS: [(i64, Request); 2] = [(SIGNAL_AT, Request::Signal), (STOP_AT, Request::Stop)];

/// The ns time `t` as seconds with nine decimals.
pub struct Secs(pub i64);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>3}.{:09}", self.0 / SEC, self.0 % SEC)
    }
}

/// A NOR flash in RAM: 8 pages of 4 KiB, 4-byte words; a write ANDs its bytes into the
/// flash (bits only go from 1 to 0, as on NOR), an erase sets a page to `0xFF`.
pub struct RamFlash {
    bytes: [u8; Self::SIZE],
    /// Bytes it may still write or erase before its power goes (`None`: no cut set).
    shutoff: Option<u32>,
    /// Whether the power went during a write or an erase.
    lost: bool,
}

impl RamFlash {
    /// Its size.
    pub const SIZE: usize = 8 * 4096;

    /// Erased flash.
    pub const fn new() -> Self {
        Self {
            bytes: [0xFF; Self::SIZE],
            shutoff: None,
            lost: false,
        }
    }

    /// Power on: forgets a cut that happened (returns whether one did) and, if `cut` is
    /// given, cuts the power after that many more bytes written or erased.
    pub fn power_on(&mut self, cut: Option<u32>) -> bool {
        let lost = self.lost;
        self.lost = false;
        self.shutoff = cut;
        lost
    }

    /// One more byte written or erased, unless the power goes first.
    fn spend(&mut self) -> Result<(), NorFlashErrorKind> {
        match &mut self.shutoff {
            Some(0) => {
                self.lost = true;
                Err(NorFlashErrorKind::Other)
            }
            Some(left) => {
                *left -= 1;
                Ok(())
            }
            None => Ok(()),
        }
    }
}

impl Default for RamFlash {
    fn default() -> Self {
        Self::new()
    }
}

fn range(offset: u32, len: usize) -> Result<core::ops::Range<usize>, NorFlashErrorKind> {
    let start = offset as usize;
    let end = start
        .checked_add(len)
        .ok_or(NorFlashErrorKind::OutOfBounds)?;
    if end > RamFlash::SIZE {
        return Err(NorFlashErrorKind::OutOfBounds);
    }
    Ok(start..end)
}

impl ErrorType for RamFlash {
    type Error = NorFlashErrorKind;
}

impl ReadNorFlash for RamFlash {
    const READ_SIZE: usize = 1;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        bytes.copy_from_slice(&self.bytes[range(offset, bytes.len())?]);
        Ok(())
    }

    fn capacity(&self) -> usize {
        Self::SIZE
    }
}

impl NorFlash for RamFlash {
    const WRITE_SIZE: usize = 4;
    const ERASE_SIZE: usize = 4096;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        if !from.is_multiple_of(4096) || !to.is_multiple_of(4096) || to < from {
            return Err(NorFlashErrorKind::NotAligned);
        }
        for at in range(from, (to - from) as usize)? {
            self.spend()?;
            self.bytes[at] = 0xFF;
        }
        Ok(())
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        if !offset.is_multiple_of(4) || !bytes.len().is_multiple_of(4) {
            return Err(NorFlashErrorKind::NotAligned);
        }
        for (at, byte) in range(offset, bytes.len())?.zip(bytes) {
            self.spend()?;
            self.bytes[at] &= byte;
        }
        Ok(())
    }
}

/// Writes AND into the bytes, so writing a word again with fewer bits set is honest.
impl MultiwriteNorFlash for RamFlash {}

/// What a runtime does with the runner's commands: a task is started, told to stop,
/// force-killed (dropped) or signalled. The time is the command's.
pub trait Driver {
    /// Starts run `run` (1 for the first since boot) of task `task` at `at`.
    fn start(&mut self, task: usize, run: u32, at: i64);
    /// Sends the stop signal at `at`.
    fn stop(&mut self, task: usize, at: i64);
    /// Drops the task at once.
    fn kill(&mut self, task: usize);
    /// Sends `SIGHUP` at `at`.
    fn signal(&mut self, task: usize, at: i64);
}

/// Room for a journal snapshot (the runner's exact image) and for the persisted runner
/// the reboot restores from.
pub const SNAPSHOT_MAX: usize = {
    let snapshot = RunnerSnapshot::max_size::<N>();
    let persisted = Runner::<N>::POSTCARD_MAX_SIZE;
    if snapshot > persisted {
        snapshot
    } else {
        persisted
    }
};
/// Room for a journal record (a chunk of a quarter page is the largest).
pub const RECORD_MAX: usize = FlashJournal::<&mut RamFlash>::CHUNK_LEN + RECORD_OVERHEAD;

/// The power went during a flash write or erase (the RAM flash fails only then).
#[derive(Debug, Clone, Copy)]
pub struct Cut;

/// What a reboot found in the journal.
#[derive(Debug, Clone, Copy)]
pub struct Recovered {
    /// Inputs replayed after the snapshot.
    pub applied: u32,
    /// Inputs the restored runner refused.
    pub refused: u32,
}

/// The runner, its journal and the runtime's run counters: everything a power cut loses
/// but the flash.
pub struct Supervisor<'f> {
    /// The runner.
    pub runner: Runner<N>,
    journal: FlashJournal<&'f mut RamFlash>,
    since: Now,
    snapshot: [u8; SNAPSHOT_MAX],
    buf: [u8; RECORD_MAX],
    runs: [u32; N],
    /// Inputs committed (entries and snapshots) since boot.
    pub commits: u32,
}

fn now(t: i64) -> Now {
    Now::new(WALL0 + t, t)
}

impl<'f> Supervisor<'f> {
    /// A supervisor over `flash`, with an empty runner: call [`Supervisor::boot`].
    pub fn new(flash: &'f mut RamFlash) -> Self {
        Self {
            runner: Runner::new(GroupSpec::new(JobType::Service)),
            journal: FlashJournal::new(flash, 0..RamFlash::SIZE as u32).expect("whole pages"),
            since: now(0),
            snapshot: [0; SNAPSHOT_MAX],
            buf: [0; RECORD_MAX],
            runs: [0; N],
            commits: 0,
        }
    }

    /// Reads the journal into the runner: `None` if it was empty (a fresh flash).
    pub async fn recover(&mut self) -> Result<Option<Recovered>, Cut> {
        let mut glue = RecoveryGlue::new(&mut self.runner, &mut self.snapshot);
        self.journal
            .recover(&mut self.buf, |piece| glue.piece(piece))
            .await
            .map_err(|_| Cut)?;
        let recovery = glue.finish().expect("the runner recovers");
        Ok(recovery.restored.then_some(Recovered {
            applied: recovery.applied,
            refused: recovery.refused,
        }))
    }

    /// Boots at `t` after [`Supervisor::recover`]: with nothing recovered the group
    /// arrives at `t` and its first snapshot is taken; else the recovered runner is
    /// restored as after an agent restart (every task's process is gone: reattach
    /// answers `false`), the servers are contacted at once (there are none here) and a
    /// snapshot is taken. Returns the step to carry out.
    pub async fn boot(
        &mut self,
        t: i64,
        recovered: Option<Recovered>,
        log: &mut dyn Write,
    ) -> Result<Step<N>, Cut> {
        let Some(recovered) = recovered else {
            build(&mut self.runner);
            let step = self.runner.arrive(now(t)).expect("arrives");
            log_events(&self.runner, t, log);
            self.take_snapshot(t).await?;
            return Ok(step);
        };
        let _ = writeln!(
            log,
            "{} reboot: the journal gave a snapshot and {} inputs ({} refused)",
            Secs(t),
            recovered.applied,
            recovered.refused
        );
        // The agent's restart: persist the recovered runner, restore it into a fresh
        // one with the driver's answers (no task survived the cut).
        let len = self
            .runner
            .persist(&mut self.snapshot)
            .expect("room to persist")
            .len();
        self.runner.reset(GroupSpec::new(JobType::Service));
        let mut step = self
            .runner
            .restore(now(t), &self.snapshot[..len], None, |_, _| false)
            .expect("the recovered runner restores");
        log_events(&self.runner, t, log);
        if let Ok(more) = self.runner.servers_contacted(now(t)) {
            log_events(&self.runner, t, log);
            for command in more.commands {
                step.commands.push(command).expect("one command per task");
            }
            step.wake = more.wake;
        }
        self.take_snapshot(t).await?;
        Ok(step)
    }

    async fn take_snapshot(&mut self, t: i64) -> Result<(), Cut> {
        let bytes = RunnerSnapshot::write(&self.runner, now(t), &mut self.snapshot)
            .expect("room for the snapshot");
        self.journal
            .snapshot(bytes, &mut self.buf)
            .await
            .map_err(|_| Cut)?;
        self.since = now(t);
        self.commits += 1;
        Ok(())
    }

    /// Gives `what` to the runner at `t`; if accepted, logs its events and commits it
    /// (a snapshot every [`K`] inputs).
    pub async fn input(
        &mut self,
        t: i64,
        what: What<'_>,
        log: &mut dyn Write,
    ) -> Result<Option<Step<N>>, Cut> {
        let input = Input::new(now(t), what);
        let Ok(step) = input.apply(&mut self.runner) else {
            return Ok(None);
        };
        log_events(&self.runner, t, log);
        if self.journal.entries() + 1 >= K {
            self.take_snapshot(t).await?;
        } else {
            let mut entry = [0u8; 64];
            let bytes = input
                .encode(self.since, &mut entry)
                .expect("the entry fits");
            self.journal
                .append(bytes, &mut self.buf)
                .await
                .map_err(|_| Cut)?;
            self.since = input.now;
            self.commits += 1;
        }
        Ok(Some(step))
    }

    /// Carries out `step`'s commands at `t` through `driver`, and those of the inputs
    /// they lead to (a start is acknowledged at once; a kill ends the task at once).
    /// Returns the runner's next wake.
    pub async fn carry_out(
        &mut self,
        t: i64,
        step: Step<N>,
        driver: &mut dyn Driver,
        log: &mut dyn Write,
    ) -> Result<Option<i64>, Cut> {
        let mut queue = step.commands;
        while !queue.is_empty() {
            let command = queue.remove(0);
            let task = command.task;
            let index = task.index();
            let next = match command.action {
                Action::Start => {
                    self.runs[index] += 1;
                    driver.start(index, self.runs[index], t);
                    self.input(t, What::Started { task }, log).await?
                }
                Action::Stop { .. } => {
                    driver.stop(index, t);
                    None
                }
                Action::Kill => {
                    driver.kill(index);
                    let exit = KILLED;
                    self.input(t, What::Exited { task, exit }, log).await?
                }
                Action::Signal { .. } => {
                    driver.signal(index, t);
                    None
                }
            };
            if let Some(next) = next {
                for command in next.commands {
                    queue.push(command).expect("one command per task");
                }
            }
        }
        Ok(self.runner.next_wake())
    }

    /// Gives the runner what happened at `t` and carries out what it answers.
    pub async fn happened(
        &mut self,
        t: i64,
        what: Happened,
        driver: &mut dyn Driver,
        log: &mut dyn Write,
    ) -> Result<(), Cut> {
        let step = match what {
            Happened::Exited(index, exit) => {
                let task = task_of(&self.runner, index);
                self.input(t, What::Exited { task, exit }, log).await?
            }
            Happened::Wake => self.input(t, What::Tick, log).await?,
            Happened::Request(request) => self.request(t, request, log).await?,
        };
        if let Some(step) = step {
            self.carry_out(t, step, driver, log).await?;
        }
        Ok(())
    }

    /// Logs the end of the group.
    pub fn log_end(&self, t: i64, log: &mut dyn Write) {
        let _ = writeln!(
            log,
            "{} group finished: client status {}",
            Secs(t),
            self.runner.allocation().client_status().as_str()
        );
        for (index, name) in NAMES.iter().enumerate() {
            let state = self.runner.allocation().state(name);
            if let Some(state) = state {
                let _ = writeln!(
                    log,
                    "{} {:<6} {} failed={} restarts={} runs since the last boot={}",
                    Secs(t),
                    name,
                    state.state().as_str(),
                    state.failed(),
                    state.restarts(),
                    self.runs[index]
                );
            }
        }
    }

    /// The script's request at `t`.
    pub async fn request(
        &mut self,
        t: i64,
        request: Request,
        log: &mut dyn Write,
    ) -> Result<Option<Step<N>>, Cut> {
        let what = match request {
            Request::Signal => What::Signal {
                task: task_of(&self.runner, UPLINK),
                signal: Some("SIGHUP"),
            },
            Request::Stop => What::Stop {
                status: DesiredStatus::Stop,
                description: "stopped by the script",
                no_shutdown_delay: false,
            },
        };
        self.input(t, what, log).await
    }
}

/// The task at `index`.
fn task_of(runner: &Runner<N>, index: usize) -> TaskId {
    runner.task_at(index).expect("a task of the group")
}

/// Logs the events of the latest input: one line each, `time task type: message`.
pub fn log_events(runner: &Runner<N>, t: i64, log: &mut dyn Write) {
    for (task, event) in runner.events() {
        let _ = writeln!(
            log,
            "{} {:<6} {}: {}",
            Secs(t),
            NAMES[task.index()],
            event.type_str(),
            event.display_message()
        );
    }
}

/// What happened, as a runtime reports it.
#[derive(Debug, Clone, Copy)]
pub enum Happened {
    /// Task `.0` exited.
    Exited(usize, Exit),
    /// The runner's wake came.
    Wake,
    /// The script's request.
    Request(Request),
}

/// What is due next, in the order both sides break ties: a task's exit (by task), the
/// runner's wake, a request of the script, a power cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Due {
    /// Task `.0` exited.
    Exit(usize),
    /// The runner's wake.
    Wake,
    /// The script's next request.
    Request,
    /// A power cut.
    Cut,
}
