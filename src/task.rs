//! One task's state: the validated machine and the bookkeeping Nomad keeps beside the ring.

use crate::event::TaskEvent;
use crate::head::Head;
use crate::kind::EventKind;
use crate::kind::{books, Books};
use crate::phase::{Phase, WireState};
use crate::ring::EventRing;
use crate::table::next_phase_at;

/// The phase before and after an accepted step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Transition {
    /// The phase before the step.
    pub from: Phase,
    /// The phase after the step.
    pub to: Phase,
}

impl Transition {
    /// Whether the step changed the phase.
    #[must_use]
    pub const fn changed(&self) -> bool {
        // Compared by discriminant: `PartialEq` cannot be called in a `const fn`.
        self.from as u8 != self.to as u8
    }
}

/// One task's lifecycle: its phase, Nomad's bookkeeping, and the ring of its latest ten
/// events. Every change goes through [`apply`](TaskState::apply) or
/// [`finish`](TaskState::finish), which validate against the contract's table.
///
/// ```
/// use allocstate::{Phase, TaskEvent, TaskState, WireState};
///
/// static IDLE: TaskState = TaskState::new(); // const-constructible
///
/// let mut task = TaskState::new();
/// task.apply(TaskEvent::received(1))?;
/// task.apply(TaskEvent::started(2))?;
/// let refused = task.apply(TaskEvent::started(3)).unwrap_err();
/// assert_eq!(refused.phase(), Phase::Running);
/// assert_eq!(task.state(), WireState::Running);
/// assert_eq!(task.events().len(), 2);
/// # Ok::<(), allocstate::TransitionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskState {
    pub(crate) phase: Phase,
    pub(crate) failed: bool,
    pub(crate) restarts: u64,
    pub(crate) last_restart: Option<i64>,
    pub(crate) started_at: Option<i64>,
    pub(crate) finished_at: Option<i64>,
    pub(crate) events: EventRing,
}

impl Default for TaskState {
    fn default() -> Self {
        Self::new()
    }
}

impl TaskState {
    /// A new task: pending, with no events.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            phase: Phase::Pending,
            failed: false,
            restarts: 0,
            last_restart: None,
            started_at: None,
            finished_at: None,
            events: EventRing::new(),
        }
    }

    /// Validates `event` against the table and, if allowed, commits the whole step: the
    /// phase, the bookkeeping and the ring. If not, the task is unchanged and the error
    /// hands the event back.
    #[inline(always)]
    pub fn apply(&mut self, event: TaskEvent) -> Result<Transition, TransitionError> {
        let from = self.phase;
        let first = self.events.accepted() == 0;
        let head = event.head;
        let Some(to) = next_phase_at(from, head.kind_index(), first) else {
            return Err(TransitionError {
                phase: from,
                first,
                event,
            });
        };
        let time = event.time();
        // The ring first, so the event moves straight from where the caller built it.
        self.events.push(event);
        // Most events keep the phase and touch no bookkeeping; they are done here.
        if to != from || head.keeps_books() {
            self.record(head, to, time);
        }
        Ok(Transition { from, to })
    }

    /// The bookkeeping of an accepted event that fails the task, starts or restarts it, or
    /// changes its phase.
    #[inline]
    fn record(&mut self, head: Head, to: Phase, time: i64) {
        if head.marks_failed() {
            self.failed = true;
        }
        match books(head.kind_index()) {
            Books::Restarts => {
                self.restarts = self.restarts.saturating_add(1);
                self.last_restart = Some(time);
            }
            Books::Starts => self.started_at = Some(time),
            Books::FailsTask | Books::Nothing => {}
        }
        self.enter(to, time);
    }

    /// The run loop ended without an event (Nomad's `UpdateState(dead, nil)`): the task is
    /// dead from any phase, finished at `time`. On a dead task it does nothing.
    pub fn finish(&mut self, time: i64) -> Transition {
        let from = self.phase;
        self.enter(Phase::Dead, time);
        Transition {
            from,
            to: self.phase,
        }
    }

    #[inline]
    fn enter(&mut self, to: Phase, time: i64) {
        if to == Phase::Dead && self.phase != Phase::Dead && self.finished_at.is_none() {
            self.finished_at = Some(time);
        }
        self.phase = to;
    }

    /// Whether `event` would be accepted now, without applying it.
    #[must_use]
    pub fn accepts(&self, event: &TaskEvent) -> bool {
        next_phase_at(
            self.phase,
            event.head.kind_index(),
            self.events.accepted() == 0,
        )
        .is_some()
    }

    /// The machine's phase.
    #[must_use]
    pub const fn phase(&self) -> Phase {
        self.phase
    }

    /// The state Nomad's wire shows.
    #[must_use]
    pub const fn state(&self) -> WireState {
        self.phase.wire_state()
    }

    /// Nomad's `Failed`: an accepted event failed the task. Never cleared.
    #[must_use]
    pub const fn failed(&self) -> bool {
        self.failed
    }

    /// Nomad's `Successful()`: dead and not failed.
    #[must_use]
    pub const fn successful(&self) -> bool {
        matches!(self.phase, Phase::Dead) && !self.failed
    }

    /// Nomad's `Restarts`: how many `Restarting` events were accepted.
    #[must_use]
    pub const fn restarts(&self) -> u64 {
        self.restarts
    }

    /// Nomad's `LastRestart`: the time of the last accepted `Restarting`.
    #[must_use]
    pub const fn last_restart(&self) -> Option<i64> {
        self.last_restart
    }

    /// Nomad's `StartedAt`: the time of the last accepted `Started`.
    #[must_use]
    pub const fn started_at(&self) -> Option<i64> {
        self.started_at
    }

    /// Nomad's `FinishedAt`: when the task became dead.
    #[must_use]
    pub const fn finished_at(&self) -> Option<i64> {
        self.finished_at
    }

    /// The latest ten events, oldest first, and how many were evicted.
    #[must_use]
    pub const fn events(&self) -> &EventRing {
        &self.events
    }

    /// Every event ever accepted, including the evicted ones.
    #[must_use]
    pub const fn event_count(&self) -> u64 {
        self.events.accepted()
    }
}

/// An event the contract does not allow in the task's phase. The task is exactly as it
/// was; the event is handed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    pub(crate) phase: Phase,
    pub(crate) first: bool,
    pub(crate) event: TaskEvent,
}

impl TransitionError {
    /// The phase the task was (and still is) in.
    #[must_use]
    pub const fn phase(&self) -> Phase {
        self.phase
    }

    /// The kind of the refused event.
    #[must_use]
    pub const fn kind(&self) -> EventKind {
        self.event.kind()
    }

    /// The refused event.
    #[must_use]
    pub const fn event(&self) -> &TaskEvent {
        &self.event
    }

    /// Gives the refused event back.
    #[must_use]
    pub fn into_event(self) -> TaskEvent {
        self.event
    }
}

impl core::fmt::Display for TransitionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.kind() {
            EventKind::Received if self.phase == Phase::Pending && !self.first => {
                f.write_str("`Received` is accepted only as a task's first event")
            }
            _ => write!(
                f,
                "`{}` event not allowed in phase {}",
                self.event.type_str(),
                self.phase
            ),
        }
    }
}

impl core::error::Error for TransitionError {}

#[cfg(feature = "defmt")]
impl defmt::Format for TransitionError {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "TransitionError {{ phase: {}, kind: {}, first: {} }}",
            self.phase,
            self.kind(),
            self.first
        );
    }
}
