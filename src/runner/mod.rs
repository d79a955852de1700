//! The allocation runner: Nomad's orchestration of a task group as a deterministic,
//! sans-IO state machine. The rules, the order chosen where Nomad races and a runtime
//! author's guide are in `docs/runner.md`; Nomad's source is cited by file and function.
//!
//! A runtime feeds the [`Runner`] what happened, with the time ([`Now`]: the wall clock
//! for event times, a monotonic clock for timers); each input answers with a [`Step`]
//! it owns: the [`Command`]s to carry out (start, stop with signal and kill timeout,
//! force-kill, signal a task) and the next monotonic deadline for [`Runner::tick`]. The
//! events the input recorded, in order and each with its [`TaskId`], are
//! [`Runner::events`]. The runtime keeps only its driver and its clocks.
//!
//! ```
//! use allocstate::restart::{JobType, RestartMode, RestartPolicy};
//! use allocstate::runner::{Action, Exit, GroupSpec, Runner, TaskSpec};
//! use allocstate::{ClientStatus, DesiredStatus, Role};
//!
//! const SEC: i64 = 1_000_000_000;
//! let policy = RestartPolicy { attempts: 1, interval: 60 * SEC, delay: SEC, mode: RestartMode::Fail };
//! let mut runner: Runner<2> = Runner::new(GroupSpec::new(JobType::Service));
//! let web = runner.add_task(&TaskSpec::new("web", Role::main(), policy))?;
//!
//! let step = runner.arrive(0)?;
//! assert_eq!(step.commands[0].action, Action::Start);
//! let _ = runner.started(1, web)?;
//! assert_eq!(runner.allocation().client_status(), ClientStatus::Running);
//!
//! // It crashes: `Terminated`, then `Restarting` before the delay, then a wake-up.
//! let step = runner.exited(2, web, Exit::code(1))?;
//! let kinds: Vec<&str> = runner.events().map(|(_, e)| e.type_str()).collect();
//! assert_eq!(kinds, ["Terminated", "Restarting"]);
//! let wake = step.wake.unwrap();
//! assert!(wake >= 2 + SEC);
//! let step = runner.tick(wake)?;
//! assert_eq!(step.commands[0].action, Action::Start);
//! let _ = runner.started(wake + 1, web)?;
//!
//! // A stop: `Killing`, then a stop command with the kill timeout.
//! let step = runner.stop(10 * SEC, DesiredStatus::Stop, "", false)?;
//! assert!(matches!(step.commands[0].action, Action::Stop { .. }));
//! let _ = runner.exited(11 * SEC, web, Exit::signal(143, 15))?;
//! assert_eq!(runner.allocation().client_status(), ClientStatus::Complete);
//! assert!(runner.is_finished());
//! # Ok::<(), allocstate::runner::RunnerError>(())
//! ```
//!
//! # The rules, in short (`docs/runner.md` has them in full)
//!
//! - **Gates** ([`Coordinator`], `client/allocrunner/tasklifecycle/coordinator.go`):
//!   nothing starts until every task is pending; main tasks once every ephemeral
//!   prestart task succeeded and every prestart sidecar runs; poststart once no main
//!   task is pending; poststop once every other task is dead. A task waits on its gate
//!   before every start, restarts included (`TaskRunner.Run`).
//! - **Run loop** (`TaskRunner.Run`, `client/allocrunner/taskrunner/task_runner.go`): a
//!   start is `Start` → the runtime's prestart reports → `Started`. An exit records
//!   `Terminated`, then the [restart tracker](crate::restart) decides: `Restarting`
//!   (recorded **before** the delay), `Not Restarting`, or dead with no event.
//! - **Kill** (`TaskRunner.handleKill`, `allocRunner.killTasks` in
//!   `client/allocrunner/alloc_runner.go`): `Killing` with the kill timeout (clamped to
//!   `max_kill_timeout`); a running task's `shutdown_delay` first; then a stop command
//!   and a kill-timeout timer; its exit records `Terminated` and `Killed`; a kill that
//!   fails ([`kill_failed`](Runner::kill_failed)) records `Killed` with its error.
//! - **Reactions** (`allocRunner.handleTaskStateUpdates`): a dead leader, a failed
//!   task, only sidecars left, or a desired stop kill the group in Nomad's order
//!   (leader, other tasks, sidecars), after the group `shutdown_delay`.
//! - **Requests**: restart, signal, desired stop or evict, setup failure, an update
//!   without a task, reconnect; **restore** (feature `serde`) keeps each task's driver
//!   handle and reports what each task was doing.
//!
//! # Memory and stack
//!
//! A `Runner<N>` is one fixed-size value, buildable in a `const` context so it can live
//! in a `static` (see `tests/size_budget.rs`: 15,920 bytes for `N = 8`, of which the
//! allocation is 13,624, and a driver handle of up to 64 bytes per task). A [`Step`]
//! holds at most `N` commands (a task gets at most one per input). No input moves the
//! allocation or a task state through a frame: `restore` decodes the persisted tasks
//! and allocation straight into `self` (`Allocation::from_postcard_into`), which must be
//! fresh ([`Runner::new`] or [`Runner::reset`]): a refused restore leaves it fresh.
//!
//! The stack each public operation needs on thumbv7em (release, the runner in a
//! `static`) is measured in the QEMU firmware by painting the stack
//! (`ci/qemu-firmware/src/budgets.rs`, budget 4 KiB each; figures in
//! `docs/on-target.md`), where the scenario files of `sim/scenarios` are also
//! played on the target and compared byte for byte with the host.

mod command;
mod coordinator;
mod driver;
mod error;
mod id;
#[cfg(all(feature = "serde", feature = "journal"))]
mod image;
mod jitter;
mod kill;
mod max_run;
#[cfg(feature = "serde")]
mod persist;
mod requests;
#[cfg(feature = "std")]
mod signals;
mod slot;
mod spec;
mod timers;
mod update;

use heapless::Vec;

use crate::allocation::{AllocTask, Allocation};
use crate::event::TaskEvent;
use crate::restart::RestartTracker;

pub use command::{Action, Command};
pub use coordinator::{Coordinator, Stage};
pub use driver::{Exit, PrestartStep};
pub use error::{Described, RunnerError, SpecField};
pub use id::{Events, Now, TaskId};
#[cfg(feature = "serde")]
pub use persist::{RestoreStatus, Restoring};
pub use requests::RestartTarget;
#[cfg(feature = "std")]
pub use signals::signal_number;
pub use slot::{Place, StopReason};
pub use spec::{
    GroupSpec, SignalName, TaskSpec, DEFAULT_MAX_KILL_TIMEOUT, HANDLE_CAPACITY, SIGNAL_CAPACITY,
};

use jitter::XorShift;
use slot::{Handle, Slot, TaskConfig};
use spec::HeldGroup;

/// How many events the journal of one input holds ([`Runner::events`]): an input
/// records at most a few events per task, so only a group of more than 16 tasks could
/// fill it; past it, the events are recorded but [`Runner::events`] yields the first 64.
const JOURNAL_CAPACITY: usize = 64;

/// The group `shutdown_delay`'s progress (`groupServiceHook.PreKill`): waited once per allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) enum GroupDelay {
    /// Not begun.
    NotBegun,
    /// Waiting until this time.
    Until(i64),
    /// Waited (or skipped).
    Done,
}

/// The allocation's `max_run_duration` (`allocRunner.EnforceMaxRunDurationTimeout`): armed at arrival for a
/// batch or sysbatch job that sets one, fired once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) enum MaxRun {
    /// Not armed (none set, another job type, or not arrived).
    Off,
    /// Passes at this time.
    Until(i64),
    /// Passed: the allocation is `complete` and every task is being killed.
    Exceeded,
}

/// What an accepted input asks of the runtime: the commands to carry out, in order, and
/// when to call [`Runner::tick`] next (`None`: no timer is armed). It owns its
/// commands (no borrow of the runner); the events the input recorded are
/// [`Runner::events`].
#[must_use = "a step holds commands the runtime must carry out"]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Step<const N: usize> {
    /// The commands, in the order to carry them out (at most one per task).
    pub commands: Vec<Command, N>,
    /// The next wake-up: a deadline on the monotonic clock ([`Now::mono`]).
    pub wake: Option<i64>,
}

/// The allocation runner for a group of at most `N` tasks. See the
/// [module docs](self) for the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Runner<const N: usize = 8> {
    pub(crate) alloc: Allocation<N>,
    pub(crate) slots: Vec<Slot, N>,
    pub(crate) group: HeldGroup,
    pub(crate) coordinator: Coordinator,
    pub(crate) arrived: bool,
    pub(crate) group_delay: GroupDelay,
    pub(crate) max_run: MaxRun,
    pub(crate) no_shutdown_delay: bool,
    pub(crate) jitter: XorShift,
    /// Whether [`Runner::seed_jitter`] set the seed (else `arrive` derives it).
    pub(crate) seeded: bool,
    /// The latest accepted input's time (`i64::MIN` on both clocks before any), each
    /// clock held XORed with `i64::MIN` so that a new runner is all zero bytes (a
    /// `static` runner lands in `.bss`): see [`Runner::clock`].
    pub(crate) clock_held: Now,
    pub(crate) commands: Vec<Command, N>,
    pub(crate) journal: Vec<u8, JOURNAL_CAPACITY>,
}

impl<const N: usize> Runner<N> {
    /// A runner for a group with no task yet; add the tasks, then [`arrive`](Self::arrive).
    pub const fn new(group: GroupSpec) -> Self {
        Self {
            alloc: Allocation::new(),
            slots: Vec::new(),
            group: HeldGroup::of(group),
            coordinator: Coordinator::Init,
            arrived: false,
            group_delay: GroupDelay::NotBegun,
            max_run: MaxRun::Off,
            no_shutdown_delay: false,
            jitter: XorShift::new(0),
            seeded: false,
            clock_held: Now::new(0, 0),
            commands: Vec::new(),
            journal: Vec::new(),
        }
    }

    /// Back to [`Runner::new(group)`](Self::new), in place: a runner to
    /// `restore` into (feature `serde`). Prefer it to `*runner = Runner::new(group)` on a
    /// small stack, where the assignment may build the whole runner on the stack first.
    pub fn reset(&mut self, group: GroupSpec) {
        self.alloc.clear();
        self.slots.clear();
        self.group = HeldGroup::of(group);
        self.coordinator = Coordinator::Init;
        self.arrived = false;
        self.group_delay = GroupDelay::NotBegun;
        self.max_run = MaxRun::Off;
        self.no_shutdown_delay = false;
        self.jitter = XorShift::new(0);
        self.seeded = false;
        self.clock_held = Now::new(0, 0);
        self.commands.clear();
        self.journal.clear();
    }

    /// Seeds the jitter of restart delays (Nomad draws it at random); the same seed and
    /// inputs give the same decisions. Without it, [`arrive`](Self::arrive) derives the
    /// seed from the allocation ID (if [set](Self::set_identity)) and the arrival's wall
    /// time, so that runners started apart never restart in lock-step.
    pub fn seed_jitter(&mut self, seed: u64) {
        self.jitter = XorShift::new(seed);
        self.seeded = true;
    }

    /// Adds a task (before the allocation arrives); returns its id. The spec is
    /// validated as Nomad validates a job (see [`SpecField`]), the group's settings with
    /// the first task; the kill timeout is then clamped to the group's
    /// `max_kill_timeout` (Nomad's `NewDriverHandle`, `client/allocrunner/taskrunner/driver_handle.go`).
    pub fn add_task(&mut self, spec: &TaskSpec<'_>) -> Result<TaskId, RunnerError> {
        if self.arrived {
            return Err(RunnerError::AlreadyArrived);
        }
        if self.slots.len() >= N {
            return Err(RunnerError::Task(crate::AllocationError::Full {
                capacity: N,
            }));
        }
        let Some(id) = TaskId::at(self.slots.len()) else {
            return Err(RunnerError::Task(crate::AllocationError::Full {
                capacity: N,
            }));
        };
        if let Err(field) = self.group.spec().validate() {
            return Err(RunnerError::InvalidSpec { task: None, field });
        }
        if let Err(field) = spec.validate() {
            return Err(RunnerError::InvalidSpec {
                task: Some(id),
                field,
            });
        }
        if let Some(other) = self.task_id(spec.name) {
            return Err(RunnerError::DuplicateTask { task: other });
        }
        if spec.role.leader {
            if let Some(leader) = self.alloc.tasks.iter().position(|t| t.role.leader) {
                return Err(RunnerError::SecondLeader {
                    leader: TaskId::at(leader).unwrap_or(id),
                });
            }
        }
        let mut kill_signal = SignalName::new();
        let signal = spec.kill_signal.unwrap_or("");
        if kill_signal.push_str(signal).is_err() {
            return Err(RunnerError::SignalTooLong { len: signal.len() });
        }
        let kill_timeout = spec.kill_timeout.min(self.group.max_kill_timeout()).max(0);
        self.alloc
            .add_task_with_kill_timeout(spec.name, spec.role, kill_timeout)
            .map_err(RunnerError::Task)?;
        let slot = Slot {
            config: TaskConfig {
                restart: spec.restart,
                kill_timeout,
                kill_signal,
                shutdown_delay: spec.shutdown_delay,
            },
            tracker: RestartTracker::new(spec.restart, self.group.job_type, spec.role.lifecycle, 0),
            place: Place::Waiting,
            setup_done: false,
            killing_recorded: false,
            dropped: false,
            handle: Handle::new(),
        };
        // Cannot fail: checked above that a slot is free.
        let _ = self.slots.push(slot);
        Ok(id)
    }

    /// The allocation arrives at `now`: every task records `Received` (Nomad's
    /// `NewTaskRunner`, `client/allocrunner/taskrunner/task_runner.go`), its restart
    /// tracker opens its first interval, and the coordinator opens the first gates. If
    /// it was [stopped](Self::stop) before it arrived, it does not run: every task ends
    /// with only `Received` (`allocRunner.shouldRun`).
    pub fn arrive(&mut self, now: impl Into<Now>) -> Result<Step<N>, RunnerError> {
        let now = self.accept_time(now.into())?;
        if self.arrived {
            return Err(RunnerError::AlreadyArrived);
        }
        if self.slots.is_empty() {
            return Err(RunnerError::NotArrived);
        }
        self.begin(now);
        self.arrived = true;
        if !self.seeded {
            self.jitter = XorShift::new(self.derived_seed(now.wall));
            self.seeded = true;
        }
        if self.group.has_max_run() {
            self.max_run = MaxRun::Until(now.mono.saturating_add(self.group.max_run_duration));
        }
        // An allocation already stopping does not run (`allocRunner.shouldRun`): its
        // tasks end with only `Received`.
        let stopping = self.alloc.desired_status().is_terminal();
        for index in 0..self.slots.len() {
            if let Some(slot) = self.slots.get_mut(index) {
                slot.tracker = RestartTracker::new(
                    slot.config.restart,
                    self.group.job_type,
                    self.alloc
                        .tasks
                        .get(index)
                        .map_or_else(Default::default, |t| t.role.lifecycle),
                    now.mono,
                );
            }
            self.record(index, TaskEvent::received(now.wall));
            if stopping {
                self.end_run(index, now.wall);
            }
        }
        Ok(self.end(now))
    }

    /// The jitter seed of a runner not seeded: FNV-1a over the allocation ID and the
    /// arrival's wall time.
    fn derived_seed(&self, wall: i64) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let bytes = self.alloc.id().as_bytes().iter().copied();
        for byte in bytes.chain(wall.to_le_bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash
    }

    /// Sets the allocation's identity strings ([`Allocation::set_identity`]).
    pub fn set_identity(
        &mut self,
        identity: crate::AllocIdentity<'_>,
    ) -> Result<bool, crate::AllocationError> {
        self.alloc.set_identity(identity)
    }

    /// The allocation, every event recorded through its validated path.
    pub const fn allocation(&self) -> &Allocation<N> {
        &self.alloc
    }

    /// The coordinator's state.
    pub const fn coordinator(&self) -> Coordinator {
        self.coordinator
    }

    /// Where the task is in its run loop.
    pub fn place(&self, id: TaskId) -> Option<Place> {
        self.slots.get(id.index()).map(|slot| slot.place)
    }

    /// The task's restart tracker.
    pub fn tracker(&self, id: TaskId) -> Option<&RestartTracker> {
        self.slots.get(id.index()).map(|slot| &slot.tracker)
    }

    /// The id of the task named `name`.
    pub fn task_id(&self, name: &str) -> Option<TaskId> {
        self.alloc.index_of(name).and_then(TaskId::at)
    }

    /// The id of the task at `index` (the order the tasks were added), if there is one.
    pub fn task_at(&self, index: usize) -> Option<TaskId> {
        (index < self.slots.len())
            .then(|| TaskId::at(index))
            .flatten()
    }

    /// Every task's id, in the group's order.
    pub fn task_ids(&self) -> impl Iterator<Item = TaskId> + '_ {
        (0..self.slots.len()).filter_map(TaskId::at)
    }

    /// The task's name (empty for an id this runner does not have).
    pub fn task_name(&self, id: TaskId) -> &str {
        self.alloc
            .tasks
            .get(id.index())
            .map_or("", |task| task.name.as_str())
    }

    /// `error` shown with the names of the tasks it is about: `task "web": Task not
    /// running`.
    pub fn describe(&self, error: RunnerError) -> Described<'_> {
        let name = error.task().map(|id| self.task_name(id));
        Described { error, name }
    }

    /// The events the latest accepted input recorded, in the order recorded, each with
    /// its task: read from the tasks' rings (no copy), so read them before the next
    /// input. A refused input leaves the previous input's events.
    pub fn events(&self) -> Events<'_> {
        Events {
            journal: &self.journal,
            tasks: &self.alloc.tasks,
        }
    }

    /// The next time [`tick`](Self::tick) must be called, if a timer is armed: a
    /// deadline on the monotonic clock ([`Now::mono`]).
    pub fn next_wake(&self) -> Option<i64> {
        let tasks = self.slots.iter().filter_map(|slot| slot.place.deadline());
        let group = match self.group_delay {
            GroupDelay::Until(until) => Some(until),
            _ => None,
        };
        let max_run = match self.max_run {
            MaxRun::Until(until) => Some(until),
            _ => None,
        };
        tasks.chain(group).chain(max_run).min()
    }

    /// Whether the allocation has arrived.
    pub const fn arrived(&self) -> bool {
        self.arrived
    }

    /// Whether every task is dead: nothing more can happen.
    pub fn is_finished(&self) -> bool {
        self.arrived && self.slots.iter().all(|slot| slot.place == Place::Dead)
    }

    /// Whether the client status is terminal (`complete`, `failed` or `lost`; Nomad's
    /// `Allocation.ClientTerminalStatus`, `nomad/structs/structs.go`). A failed
    /// allocation is terminal while sidecars are still being killed.
    pub fn is_client_terminal(&self) -> bool {
        matches!(
            self.alloc.client_status(),
            crate::ClientStatus::Complete | crate::ClientStatus::Failed | crate::ClientStatus::Lost
        )
    }

    /// The driver handle the runtime stored for the task ([`set_handle`](Self::set_handle)).
    pub fn handle(&self, id: TaskId) -> Option<&[u8]> {
        self.slots
            .get(id.index())
            .map(|slot| slot.handle.as_slice())
            .filter(|handle| !handle.is_empty())
    }

    /// Stores the driver's handle of the task (a pid and its start time, a container
    /// id: at most [`HANDLE_CAPACITY`] bytes), opaque to the runner. It is persisted
    /// with the runner and given back at restore, so the runtime can reattach. Cleared
    /// when the runner sends the task a new `Start`.
    pub fn set_handle(&mut self, id: TaskId, handle: &[u8]) -> Result<(), RunnerError> {
        let slot = self
            .slots
            .get_mut(id.index())
            .ok_or(RunnerError::UnknownTask { task: id })?;
        let mut held = Handle::new();
        held.extend_from_slice(handle)
            .map_err(|_| RunnerError::HandleTooLong {
                task: id,
                len: handle.len(),
            })?;
        slot.handle = held;
        Ok(())
    }

    // ---- helpers shared by the input files ----

    /// Checks the time of an input: the monotonic clock never goes back.
    fn accept_time(&self, now: Now) -> Result<Now, RunnerError> {
        let last = self.clock();
        if now.mono < last.mono {
            return Err(RunnerError::ClockWentBack {
                last: last.mono,
                now: now.mono,
            });
        }
        Ok(now)
    }

    fn begin(&mut self, now: Now) {
        self.clock_held = Now::new(now.wall ^ i64::MIN, now.mono ^ i64::MIN);
        self.commands.clear();
        self.journal.clear();
    }

    #[inline(never)]
    fn end(&mut self, now: Now) -> Step<N> {
        self.settle(now.wall);
        // An allocation that finished within its `max_run_duration` never exceeds it.
        if matches!(self.max_run, MaxRun::Until(_)) && self.is_finished() {
            self.max_run = MaxRun::Off;
        }
        Step {
            wake: self.next_wake(),
            commands: core::mem::take(&mut self.commands),
        }
    }

    /// The monotonic time of the input being processed.
    const fn mono(&self) -> i64 {
        self.clock().mono
    }

    /// The latest accepted input's time (`i64::MIN` on both clocks before any).
    const fn clock(&self) -> Now {
        Now::new(
            self.clock_held.wall ^ i64::MIN,
            self.clock_held.mono ^ i64::MIN,
        )
    }

    fn task(&self, id: TaskId) -> Result<&AllocTask, RunnerError> {
        if !self.arrived {
            return Err(RunnerError::NotArrived);
        }
        self.alloc
            .tasks
            .get(id.index())
            .ok_or(RunnerError::UnknownTask { task: id })
    }

    fn place_of(&self, index: usize) -> Place {
        self.slots.get(index).map_or(Place::Dead, |slot| slot.place)
    }

    fn set_place(&mut self, index: usize, place: Place) {
        if let Some(slot) = self.slots.get_mut(index) {
            slot.place = place;
        }
    }

    /// Records `event` through the validated allocation (the runner only records what
    /// the table allows; a refusal is never expected and records nothing).
    fn record(&mut self, index: usize, event: TaskEvent) -> bool {
        if self.alloc.apply_at(index, event).is_ok() {
            // Task indexes are below N, which fits a byte for any group Nomad allows.
            let _ = self.journal.push(u8::try_from(index).unwrap_or(u8::MAX));
            return true;
        }
        false
    }

    /// The run loop of the task ends without an event (`TaskRunner.Run`: mark dead).
    fn end_run(&mut self, index: usize, now: i64) {
        if let Some(task) = self.alloc.tasks.get(index) {
            let name = task.name.clone();
            let _ = self.alloc.finish(name.as_str(), now);
        }
        self.set_place(index, Place::Dead);
    }

    fn push(&mut self, index: usize, action: Action) {
        if let Some(task) = TaskId::at(index) {
            // At most one command per task per input, so the buffer of N never fills.
            let _ = self.commands.push(Command { task, action });
        }
    }

    fn stop_command(&mut self, index: usize) {
        if let Some(slot) = self.slots.get(index) {
            let signal = &slot.config.kill_signal;
            let action = Action::Stop {
                signal: (!signal.is_empty()).then(|| signal.clone()),
                kill_timeout: slot.config.kill_timeout,
            };
            self.push(index, action);
        }
    }

    fn kill_timeout(&self, index: usize) -> i64 {
        self.slots
            .get(index)
            .map_or(0, |slot| slot.config.kill_timeout)
    }

    /// The alloc runner's pass after an input (`allocRunner.handleTaskStateUpdates`),
    /// repeated until nothing changes: reactions and kills, then the coordinator, then
    /// the starts it allows.
    fn settle(&mut self, now: i64) {
        // Each round either changes something that only moves forward (a task dies, a
        // task is ordered killed, the coordinator steps, a task starts) or ends the loop.
        for _ in 0..N.saturating_mul(4).saturating_add(8) {
            let mut changed = self.kill_pass(now);
            let next = self.coordinator.update(&self.alloc.tasks);
            changed |= next != self.coordinator;
            self.coordinator = next;
            changed |= self.start_ready();
            if !changed {
                break;
            }
        }
    }

    /// Sends `Start` to every waiting task whose gate is open (`TaskRunner.Run` waits
    /// on its gate before every start), unless it is ordered killed or, for a
    /// non-poststop task, the allocation is stopping (`TaskRunner.shouldShutdown`).
    fn start_ready(&mut self) -> bool {
        let stopping = self.alloc.desired_status().is_terminal();
        let exceeded = self.max_run == MaxRun::Exceeded;
        let mut changed = false;
        for index in 0..self.slots.len() {
            let Some(task) = self.alloc.tasks.get(index) else {
                continue;
            };
            let allowed = self.coordinator.allows(Stage::of(task))
                && !task.kill_ordered
                && !exceeded
                && (!stopping || task.role.is_poststop());
            if allowed && self.place_of(index) == Place::Waiting {
                self.set_place(index, Place::Starting { killed: false });
                if let Some(slot) = self.slots.get_mut(index) {
                    slot.handle.clear();
                }
                self.push(index, Action::Start);
                changed = true;
            }
        }
        changed
    }
}
