//! Rebuilding a task state from stored or received parts, validated.
//!
//! The wire carries what a task state shows (its wire state, bookkeeping and latest ten
//! events), not how it got there. [`TaskState::from_parts`] accepts parts only if some run
//! of the machine could have produced them, so a decoded state obeys the same invariants
//! as one built by [`TaskState::apply`]. JSON and postcard decoding both go through it.

use core::fmt;

use crate::event::TaskEvent;
use crate::kind::EventKind;
use crate::kind::{books, Books};
use crate::phase::{Phase, WireState};
use crate::ring::MAX_EVENTS;
use crate::table::next_phase;
use crate::task::TaskState;

/// A task state's parts before validation: what Nomad's JSON or the compact wire format
/// carries besides the events. `None` means "not carried": derived from the held events.
///
/// ```
/// use allocstate::{TaskEvent, TaskState, TaskStateParts, WireState};
///
/// // The seed document's shape: only `State` and the events.
/// let parts = TaskStateParts::new(WireState::Running);
/// let redis = TaskState::from_parts(parts, [TaskEvent::started(1_447_806_038_427_841_000)])?;
/// assert_eq!(redis.started_at(), Some(1_447_806_038_427_841_000));
/// # Ok::<(), allocstate::TaskStateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TaskStateParts {
    /// Nomad's `State`.
    pub state: WireState,
    /// The exact phase, when known (the compact format carries it); it must show as
    /// `state`. When `None` the phase is inferred (see [`TaskState::from_parts`]).
    pub phase: Option<Phase>,
    /// Nomad's `Failed`.
    pub failed: Option<bool>,
    /// Nomad's `Restarts`.
    pub restarts: Option<u64>,
    /// Nomad's `LastRestart` (`Some(None)`: carried as the zero time).
    pub last_restart: Option<Option<i64>>,
    /// Nomad's `StartedAt`.
    pub started_at: Option<Option<i64>>,
    /// Nomad's `FinishedAt`.
    pub finished_at: Option<Option<i64>>,
    /// Every event ever accepted; `None` means the held events are all there is.
    pub event_count: Option<u64>,
}

impl TaskStateParts {
    /// Parts that carry only the wire state.
    #[must_use]
    pub const fn new(state: WireState) -> Self {
        Self {
            state,
            phase: None,
            failed: None,
            restarts: None,
            last_restart: None,
            started_at: None,
            finished_at: None,
            event_count: None,
        }
    }
}

/// Why parts could not be a task state: each names the contradiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TaskStateError {
    /// More than [`MAX_EVENTS`] events.
    TooManyEvents,
    /// The event count is lower than the number of events held.
    CountBelowHeld,
    /// The held events cannot follow one another: no phase accepts the event at `index`.
    EventsOutOfOrder {
        /// Position among the held events, oldest first.
        index: usize,
        /// Its kind.
        kind: EventKind,
    },
    /// The phase does not show as the claimed wire state.
    PhaseNotState,
    /// No run through the held events ends in the claimed state (or phase).
    StateContradictsEvents,
    /// `Failed` is false but a held event failed the task.
    FailedContradictsEvents,
    /// `Restarts` is lower than the number of held `Restarting` events.
    RestartsBelowEvents,
    /// `LastRestart` is not the time of the last held `Restarting`, is set with no
    /// restarts, or is missing with some.
    LastRestartContradicts,
    /// `StartedAt` is missing though a `Started` event is held.
    StartedAtMissing,
    /// `FinishedAt` is set on a task that is not dead, or missing on a dead one.
    FinishedAtContradicts,
}

impl fmt::Display for TaskStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskStateError::TooManyEvents => {
                write!(f, "more than {MAX_EVENTS} events")
            }
            TaskStateError::CountBelowHeld => {
                f.write_str("event count lower than the number of events held")
            }
            TaskStateError::EventsOutOfOrder { index, kind } => write!(
                f,
                "held events cannot follow one another: `{kind}` (event {index}) is not accepted there"
            ),
            TaskStateError::PhaseNotState => f.write_str("phase does not show as the state"),
            TaskStateError::StateContradictsEvents => {
                f.write_str("state contradicts the events held")
            }
            TaskStateError::FailedContradictsEvents => {
                f.write_str("`Failed` is false but a held event failed the task")
            }
            TaskStateError::RestartsBelowEvents => {
                f.write_str("`Restarts` is lower than the held `Restarting` events")
            }
            TaskStateError::LastRestartContradicts => {
                f.write_str("`LastRestart` contradicts the restarts")
            }
            TaskStateError::StartedAtMissing => {
                f.write_str("`StartedAt` missing though a `Started` event is held")
            }
            TaskStateError::FinishedAtContradicts => {
                f.write_str("`FinishedAt` must be set exactly when the task is dead")
            }
        }
    }
}

impl core::error::Error for TaskStateError {}

/// A set of phases, one bit each.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Phases(u8);

impl Phases {
    const NONE: Phases = Phases(0);
    const ALL: Phases = Phases(0b1_1111);

    fn bit(phase: Phase) -> u8 {
        match phase {
            Phase::Pending => 0b0_0001,
            Phase::Running => 0b0_0010,
            Phase::Exited => 0b0_0100,
            Phase::ShuttingDown => 0b0_1000,
            Phase::Dead => 0b1_0000,
        }
    }

    fn of(phase: Phase) -> Phases {
        Phases(Self::bit(phase))
    }

    fn has(self, phase: Phase) -> bool {
        self.0 & Self::bit(phase) != 0
    }

    fn add(&mut self, phase: Phase) {
        self.0 |= Self::bit(phase);
    }
}

impl TaskState {
    /// Rebuilds a task state from its parts and its held events (oldest first), if some
    /// run of the machine could have produced them; otherwise says what contradicts.
    ///
    /// The rule:
    ///
    /// - The events must be acceptable in order by the contract's table from some starting
    ///   phase: from a fresh task (Pending, no events) when they are the task's whole
    ///   history (the event count equals them, or, without a count, fewer than ten are
    ///   held: Nomad evicts only beyond ten; ten held without a count are the whole
    ///   history if a fresh task can produce them); otherwise from any of the five
    ///   phases, and then `Received` is refused even first (it was not the task's first
    ///   event).
    /// - The run must end in a phase shown as `state` (for `dead`, anywhere: the eventless
    ///   [`finish`](TaskState::finish) may follow). Among several possible phases, Running
    ///   is preferred over Exited and Pending over ShuttingDown; a given `phase` must be
    ///   one of the possible ones.
    /// - Absent bookkeeping is derived from the held events. Present bookkeeping is taken
    ///   but must not contradict them: `Failed` true if a held event failed the task;
    ///   `Restarts` at least the held `Restarting` count; `LastRestart` the time of the
    ///   last held `Restarting` (none exactly when there were no restarts); `StartedAt`
    ///   set if a `Started` is held; `FinishedAt` set exactly when dead.
    /// - Without an event count, the count is the number of events held, or one more when
    ///   ten are held that no fresh task could have produced (some were evicted).
    ///
    /// ```
    /// use allocstate::{TaskStateError, Phase, TaskEvent, TaskState, TaskStateParts, WireState};
    ///
    /// let events = [TaskEvent::received(1), TaskEvent::started(2), TaskEvent::terminated(3, 0)];
    /// let running = TaskState::from_parts(TaskStateParts::new(WireState::Running), events.clone())?;
    /// assert_eq!(running.phase(), Phase::Exited);
    ///
    /// let pending = TaskState::from_parts(TaskStateParts::new(WireState::Pending), events);
    /// assert_eq!(pending, Err(TaskStateError::StateContradictsEvents));
    /// # Ok::<(), TaskStateError>(())
    /// ```
    pub fn from_parts<I>(parts: TaskStateParts, events: I) -> Result<TaskState, TaskStateError>
    where
        I: IntoIterator<Item = TaskEvent>,
    {
        // Built in the result itself, so the state is not copied out of a local.
        let mut result = Ok(TaskState::new());
        if let Ok(task) = &mut result {
            if let Err(error) = TaskState::from_parts_into(parts, events, task) {
                result = Err(error);
            }
        }
        result
    }

    /// [`from_parts`](TaskState::from_parts) into the caller's storage: `out` is
    /// rebuilt in place by the same rule, so no task state travels through a frame. On
    /// error `out` is left new ([`reset`](TaskState::reset)), never half rebuilt; rebuild
    /// into a spare state when the old one must survive bad parts.
    ///
    /// ```
    /// use allocstate::{TaskStateError, Phase, TaskEvent, TaskState, TaskStateParts, WireState};
    ///
    /// let mut task = TaskState::new();
    /// let events = [TaskEvent::received(1), TaskEvent::started(2)];
    /// TaskState::from_parts_into(TaskStateParts::new(WireState::Running), events, &mut task)?;
    /// assert_eq!(task.phase(), Phase::Running);
    ///
    /// let late = [TaskEvent::started(3), TaskEvent::received(4)];
    /// let refused = TaskState::from_parts_into(TaskStateParts::new(WireState::Running), late, &mut task);
    /// assert!(matches!(refused, Err(TaskStateError::EventsOutOfOrder { index: 1, .. })));
    /// assert_eq!(task, TaskState::new());
    /// # Ok::<(), TaskStateError>(())
    /// ```
    pub fn from_parts_into<I>(
        parts: TaskStateParts,
        events: I,
        out: &mut TaskState,
    ) -> Result<(), TaskStateError>
    where
        I: IntoIterator<Item = TaskEvent>,
    {
        out.reset();
        // One event at a time, each handed to a step of its own: only the iterator and
        // the event it yields live in this frame.
        let held = events.into_iter().try_for_each(|event| out.hold(event));
        match held {
            Ok(()) => out.settle(parts),
            Err(error) => {
                out.reset();
                Err(error)
            }
        }
    }

    /// Back to [`TaskState::new()`], in place. Prefer it to `*task = TaskState::new()` on
    /// a small stack: the assignment may build the new state on the stack first (about
    /// 3 KB on thumbv7em), this writes a few words.
    ///
    /// ```
    /// use allocstate::{TaskEvent, TaskState};
    ///
    /// let mut task = TaskState::new();
    /// task.apply(TaskEvent::received(1))?;
    /// task.reset();
    /// assert_eq!(task, TaskState::new());
    /// # Ok::<(), allocstate::TransitionError>(())
    /// ```
    pub fn reset(&mut self) {
        self.phase = Phase::Pending;
        self.failed = false;
        self.restarts = 0;
        self.last_restart = None;
        self.started_at = None;
        self.finished_at = None;
        self.events.clear();
    }

    /// Appends a decoded event to the held ones, oldest first; the eleventh is refused.
    /// The decoders read events straight into their destination with this, then call
    /// [`settle`](TaskState::settle). Not inlined: the event is handed over by reference
    /// to the caller's copy, never copied again into the frame that iterates.
    #[inline(never)]
    pub(crate) fn hold(&mut self, event: TaskEvent) -> Result<(), TaskStateError> {
        if self.events.len() >= MAX_EVENTS {
            return Err(TaskStateError::TooManyEvents);
        }
        self.events.push(event);
        Ok(())
    }

    /// The slot the next held event is decoded into, in place (see
    /// [`hold`](TaskState::hold)); `None` once ten are held.
    #[cfg(feature = "serde")]
    pub(crate) fn vacant(&mut self) -> Option<&mut TaskEvent> {
        self.events.vacant()
    }

    /// Holds the event just decoded into [`vacant`](TaskState::vacant).
    #[cfg(feature = "serde")]
    pub(crate) fn hold_vacant(&mut self) {
        self.events.take_vacant();
    }

    /// Completes a state whose events were put in with [`hold`](TaskState::hold) (and
    /// nothing else since a [`reset`](TaskState::reset)), by the rule of
    /// [`from_parts`](TaskState::from_parts). On error the state is reset: never half
    /// rebuilt.
    pub(crate) fn settle(&mut self, parts: TaskStateParts) -> Result<(), TaskStateError> {
        let settled = self.settle_held(parts);
        if settled.is_err() {
            self.reset();
        }
        settled
    }

    fn settle_held(&mut self, parts: TaskStateParts) -> Result<(), TaskStateError> {
        // Filled by `hold` from empty, so never wrapped (a wrap would mean an eleventh).
        let held = self
            .events
            .as_filled_slice()
            .ok_or(TaskStateError::TooManyEvents)?;
        let count = u64::try_from(held.len()).unwrap_or(u64::MAX);
        let mut accepted = parts.event_count.unwrap_or(count);
        if accepted < count {
            return Err(TaskStateError::CountBelowHeld);
        }

        // Nomad evicts only beyond ten: with fewer held, or the count equal to them, the
        // held events are the task's whole history. Without a count, ten held are the
        // whole history if a fresh task can produce them and end as claimed; otherwise
        // older events were evicted, and at least one is counted, so that the count says
        // so wherever the state goes next (the compact format).
        let run = |evicted| -> Result<_, TaskStateError> {
            let (reachable, entered_dead) = walk(held, evicted)?;
            Ok((end_phase(parts, reachable)?, entered_dead))
        };
        let (phase, entered_dead) = if parts.event_count.is_none() && held.len() == MAX_EVENTS {
            match run(false) {
                Ok(whole) => whole,
                Err(_) => {
                    accepted = count.saturating_add(1);
                    run(true)?
                }
            }
        } else {
            run(accepted > count)?
        };

        let held_failed = held.iter().any(TaskEvent::marks_failed);
        let failed = parts.failed.unwrap_or(held_failed);
        if held_failed && !failed {
            return Err(TaskStateError::FailedContradictsEvents);
        }

        let mut held_restarts: u64 = 0;
        let mut last_held_restart = None;
        let mut last_held_start = None;
        for event in held {
            match books(event.head.kind_index()) {
                Books::Restarts => {
                    held_restarts = held_restarts.saturating_add(1);
                    last_held_restart = Some(event.time());
                }
                Books::Starts => last_held_start = Some(event.time()),
                Books::FailsTask | Books::Nothing => {}
            }
        }
        let restarts = parts.restarts.unwrap_or(held_restarts);
        if restarts < held_restarts {
            return Err(TaskStateError::RestartsBelowEvents);
        }
        let last_restart = parts.last_restart.unwrap_or(last_held_restart);
        let last_restart_ok = match (last_held_restart, last_restart) {
            (Some(held), claimed) => claimed == Some(held),
            (None, claimed) => claimed.is_some() == (restarts > 0),
        };
        if !last_restart_ok {
            return Err(TaskStateError::LastRestartContradicts);
        }
        let started_at = parts.started_at.unwrap_or(last_held_start);
        if last_held_start.is_some() && started_at.is_none() {
            return Err(TaskStateError::StartedAtMissing);
        }
        let derived_finish = if phase == Phase::Dead {
            entered_dead.or_else(|| held.last().map(TaskEvent::time))
        } else {
            None
        };
        let finished_at = parts.finished_at.unwrap_or(derived_finish);
        if finished_at.is_some() != (phase == Phase::Dead) {
            return Err(TaskStateError::FinishedAtContradicts);
        }

        if !self.events.set_accepted(accepted) {
            return Err(TaskStateError::CountBelowHeld);
        }
        self.phase = phase;
        self.failed = failed;
        self.restarts = restarts;
        self.last_restart = last_restart;
        self.started_at = started_at;
        self.finished_at = finished_at;
        Ok(())
    }
}

/// Runs the held events through the table from every possible start (a fresh task unless
/// older events were `evicted`); returns the phases a run can end in and the time of the
/// event that made every run dead, if one did.
fn walk(held: &[TaskEvent], evicted: bool) -> Result<(Phases, Option<i64>), TaskStateError> {
    let fresh = !evicted;
    let mut phases = if fresh {
        Phases::of(Phase::Pending)
    } else {
        Phases::ALL
    };
    let mut entered_dead = None;
    for (index, event) in held.iter().enumerate() {
        let first = fresh && index == 0;
        let mut next = Phases::NONE;
        for phase in Phase::ALL {
            if phases.has(phase) {
                if let Some(to) = next_phase(phase, event.kind(), first) {
                    next.add(to);
                }
            }
        }
        if next == Phases::NONE {
            return Err(TaskStateError::EventsOutOfOrder {
                index,
                kind: event.kind(),
            });
        }
        let dead = Phases::of(Phase::Dead);
        if next == dead && phases != dead && entered_dead.is_none() {
            entered_dead = Some(event.time());
        }
        phases = next;
    }
    Ok((phases, entered_dead))
}

/// The phase the state ends in: the given one if possible, else the preferred possible one.
fn end_phase(parts: TaskStateParts, reachable: Phases) -> Result<Phase, TaskStateError> {
    // `finish` makes any run dead.
    let mut possible = reachable;
    possible.add(Phase::Dead);
    if let Some(phase) = parts.phase {
        if phase.wire_state() != parts.state {
            return Err(TaskStateError::PhaseNotState);
        }
        return if possible.has(phase) {
            Ok(phase)
        } else {
            Err(TaskStateError::StateContradictsEvents)
        };
    }
    let preference: &[Phase] = match parts.state {
        WireState::Pending => &[Phase::Pending, Phase::ShuttingDown],
        WireState::Running => &[Phase::Running, Phase::Exited],
        WireState::Dead => &[Phase::Dead],
    };
    preference
        .iter()
        .copied()
        .find(|phase| possible.has(*phase))
        .ok_or(TaskStateError::StateContradictsEvents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(state: WireState) -> TaskStateParts {
        TaskStateParts::new(state)
    }

    #[test]
    fn a_replayed_state_rebuilds_identically() {
        let mut task = TaskState::new();
        for event in [
            TaskEvent::received(1),
            TaskEvent::task_setup(2),
            TaskEvent::started(3),
            TaskEvent::terminated(4, 1),
            TaskEvent::restarting(5, 10, "Restart within policy"),
            TaskEvent::started(6),
            TaskEvent::terminated(7, 1),
            TaskEvent::not_restarting(8, "Exceeded"),
        ] {
            task.apply(event).unwrap();
        }
        let rebuilt =
            TaskState::from_parts(parts(WireState::Dead), task.events().iter().cloned()).unwrap();
        assert_eq!(rebuilt, task);
    }

    #[test]
    fn rebuilding_in_place_gives_what_the_by_value_form_gives() {
        let events = || {
            [
                TaskEvent::received(1),
                TaskEvent::started(2),
                TaskEvent::terminated(3, 1),
                TaskEvent::restarting(4, 10, "Restart within policy"),
            ]
        };
        // Whatever `out` held before is replaced.
        let mut out = TaskState::new();
        out.apply(TaskEvent::received(9)).unwrap();
        TaskState::from_parts_into(parts(WireState::Pending), events(), &mut out).unwrap();
        assert_eq!(
            Ok(out),
            TaskState::from_parts(parts(WireState::Pending), events())
        );
    }

    #[test]
    fn a_refused_rebuild_in_place_leaves_a_new_state() {
        let mut out = TaskState::new();
        out.apply(TaskEvent::received(9)).unwrap();
        // Refused while holding the events: an eleventh.
        let eleven = (0..11).map(|t| TaskEvent::driver(t, ""));
        let refused = TaskState::from_parts_into(parts(WireState::Running), eleven, &mut out);
        assert_eq!(refused, Err(TaskStateError::TooManyEvents));
        assert_eq!(out, TaskState::new());
        // Refused once they are held: the state contradicts them.
        out.apply(TaskEvent::received(9)).unwrap();
        let started = [TaskEvent::started(1)];
        let refused = TaskState::from_parts_into(parts(WireState::Pending), started, &mut out);
        assert_eq!(refused, Err(TaskStateError::StateContradictsEvents));
        assert_eq!(out, TaskState::new());
    }

    #[test]
    fn prefers_running_and_pending() {
        // Older events evicted: the held one may follow any phase.
        let evicted = |state| TaskStateParts {
            event_count: Some(5),
            ..parts(state)
        };
        let e = [TaskEvent::driver(1, "x")];
        let r = TaskState::from_parts(evicted(WireState::Running), e.clone()).unwrap();
        assert_eq!(r.phase(), Phase::Running);
        let p = TaskState::from_parts(evicted(WireState::Pending), e).unwrap();
        assert_eq!(p.phase(), Phase::Pending);
        let shut = [TaskEvent::of_kind(1, EventKind::WaitingForShutdownDelay)];
        let s = TaskState::from_parts(evicted(WireState::Pending), shut).unwrap();
        assert_eq!(s.phase(), Phase::ShuttingDown);
    }

    #[test]
    fn contradictions_are_named() {
        let started = || TaskEvent::started(1);
        assert_eq!(
            TaskState::from_parts(parts(WireState::Pending), [started()]),
            Err(TaskStateError::StateContradictsEvents)
        );
        assert_eq!(
            TaskState::from_parts(parts(WireState::Running), [started(), started()]),
            Err(TaskStateError::EventsOutOfOrder {
                index: 1,
                kind: EventKind::Started
            })
        );
        let failed = TaskStateParts {
            failed: Some(false),
            ..parts(WireState::Dead)
        };
        assert_eq!(
            TaskState::from_parts(failed, [TaskEvent::not_restarting(1, "")]),
            Err(TaskStateError::FailedContradictsEvents)
        );
        let restarts = TaskStateParts {
            restarts: Some(0),
            ..parts(WireState::Pending)
        };
        assert_eq!(
            TaskState::from_parts(restarts, [TaskEvent::restarting(1, 0, "")]),
            Err(TaskStateError::RestartsBelowEvents)
        );
        let eleven = (0..11).map(|t| TaskEvent::driver(t, ""));
        assert_eq!(
            TaskState::from_parts(parts(WireState::Running), eleven),
            Err(TaskStateError::TooManyEvents)
        );
        let finished = TaskStateParts {
            finished_at: Some(Some(5)),
            ..parts(WireState::Running)
        };
        assert_eq!(
            TaskState::from_parts(finished, [started()]),
            Err(TaskStateError::FinishedAtContradicts)
        );
        let late_received = [started(), TaskEvent::received(2)];
        assert!(matches!(
            TaskState::from_parts(parts(WireState::Running), late_received),
            Err(TaskStateError::EventsOutOfOrder { index: 1, .. })
        ));
    }

    #[test]
    fn received_after_evicted_events_is_refused() {
        // Regression: `Received` held first with events evicted before it (20 accepted,
        // 2 held) was taken as a fresh task.
        let counted = TaskStateParts {
            event_count: Some(20),
            ..parts(WireState::Running)
        };
        let events = [TaskEvent::received(1), TaskEvent::started(2)];
        assert_eq!(
            TaskState::from_parts(counted, events.clone()),
            Err(TaskStateError::EventsOutOfOrder {
                index: 0,
                kind: EventKind::Received
            })
        );
        let whole = TaskStateParts {
            event_count: Some(2),
            ..parts(WireState::Running)
        };
        assert!(TaskState::from_parts(whole, events).is_ok());
    }

    #[test]
    fn a_whole_history_starts_from_a_fresh_task() {
        // No event accepted: the task is pending, not running.
        let none = TaskStateParts {
            event_count: Some(0),
            ..parts(WireState::Running)
        };
        assert_eq!(
            TaskState::from_parts(none, []),
            Err(TaskStateError::StateContradictsEvents)
        );
        // Fewer than ten held without a count: nothing was evicted, so a `Terminated`
        // cannot come first; ten held may follow evicted ones.
        let exit = || TaskEvent::terminated(1, 0);
        assert!(TaskState::from_parts(parts(WireState::Running), [exit()]).is_err());
        let ten = core::iter::once(exit()).chain((0..9).map(|t| TaskEvent::driver(t, "")));
        let task = TaskState::from_parts(parts(WireState::Running), ten).unwrap();
        // Regression (fuzz): the count says an older event was evicted, so the compact
        // format, which carries the count, restores the same state.
        assert_eq!(task.event_count(), 11);
        let counted = TaskStateParts {
            event_count: Some(task.event_count()),
            phase: Some(task.phase()),
            ..parts(WireState::Running)
        };
        let again = TaskState::from_parts(counted, task.events().iter().cloned());
        assert_eq!(again.as_ref(), Ok(&task));
    }

    #[test]
    fn dead_may_end_anywhere_and_derives_finished_at() {
        let task = TaskState::from_parts(
            parts(WireState::Dead),
            [
                TaskEvent::received(1),
                TaskEvent::started(2),
                TaskEvent::terminated(3, 0),
            ],
        )
        .unwrap();
        assert_eq!(task.phase(), Phase::Dead);
        assert_eq!(task.finished_at(), Some(3));
        let killed = TaskState::from_parts(
            parts(WireState::Dead),
            [
                TaskEvent::started(2),
                TaskEvent::killed(4),
                TaskEvent::driver(9, ""),
            ],
        )
        .unwrap();
        assert_eq!(killed.finished_at(), Some(4));
    }
}
