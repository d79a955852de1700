//! The held events the contract would refuse, each with the rule it breaks.

use core::fmt;

use crate::event::TaskEvent;
use crate::kind::EventKind;
use crate::phase::Phase;
use crate::ring::MAX_EVENTS;
use crate::table::next_phase;

/// A set of phases, one bit per [`Phase`] in [`Phase::ALL`]'s order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Phases(u8);

impl Phases {
    const NONE: Phases = Phases(0);
    const ALL: Phases = Phases(0b1_1111);

    fn of(phase: Phase) -> Phases {
        Phases(1 << (phase as u8))
    }

    fn has(self, phase: Phase) -> bool {
        self.0 & Phases::of(phase).0 != 0
    }

    fn iter(self) -> impl Iterator<Item = Phase> {
        Phase::ALL.into_iter().filter(move |phase| self.has(*phase))
    }

    /// The phases an event of `kind` leads to from any of these.
    fn after(self, kind: EventKind, first: bool) -> Phases {
        let mut next = Phases::NONE;
        for phase in self.iter() {
            if let Some(to) = next_phase(phase, kind, first) {
                next.0 |= Phases::of(to).0;
            }
        }
        next
    }
}

/// The contract's rule an event breaks: the contract's table (`docs/transitions.md`,
/// *The table*) does not accept an event of this kind in any phase the task can be in
/// there. Its `Display` says so in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    kind: EventKind,
    /// The phases the task could be in before the event.
    from: Phases,
    /// Whether the kind is refused only because it was not the task's first event
    /// (`Received`).
    not_first: bool,
}

impl Rule {
    /// The event's kind.
    #[must_use]
    pub fn kind(&self) -> EventKind {
        self.kind
    }

    /// Whether the task could be in `phase` before the event (by the events before it).
    #[must_use]
    pub fn was_in(&self, phase: Phase) -> bool {
        self.from.has(phase)
    }
}

/// Writes the phases joined by `sep`.
fn write_phases(f: &mut fmt::Formatter<'_>, phases: Phases, sep: &str) -> fmt::Result {
    for (i, phase) in phases.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        f.write_str(phase.name())?;
    }
    Ok(())
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.not_first {
            return write!(
                f,
                "`{}` is accepted only as a task's first event",
                self.kind.name()
            );
        }
        let accepted = Phases::ALL.after(self.kind, false);
        let mut accepting = Phases::NONE;
        for phase in Phase::ALL {
            if next_phase(phase, self.kind, false).is_some() {
                accepting.0 |= Phases::of(phase).0;
            }
        }
        write!(f, "`{}` ", self.kind.name())?;
        if self.from == Phases::of(Phase::Dead) {
            f.write_str("after the task is Dead")?;
        } else {
            f.write_str("in phase ")?;
            write_phases(f, self.from, " or ")?;
        }
        if accepted == Phases::NONE {
            return f.write_str(": the contract accepts it in no phase");
        }
        f.write_str(": the contract accepts it only in ")?;
        write_phases(f, accepting, ", ")
    }
}

/// One held event the contract would refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Divergence {
    /// Its index in `Events`, oldest first (as in Nomad's JSON).
    pub event: usize,
    /// The rule it breaks.
    pub rule: Rule,
}

/// The held events the contract would refuse, oldest first (see
/// [`NomadTaskState::divergences`](super::NomadTaskState::divergences)).
#[derive(Debug, Clone)]
pub struct Divergences<'a> {
    events: &'a [TaskEvent],
    index: usize,
    phases: Phases,
    /// Whether the first held event is the task's first (else older ones were evicted).
    fresh: bool,
    /// Whether an event was accepted yet (the next is then not the task's first).
    accepted_any: bool,
}

impl<'a> Divergences<'a> {
    /// The divergences of `events`, a task's held events oldest first: from `Pending`
    /// when the first is the task's first, from any phase when older ones were evicted
    /// (ten held and the first not `Received`).
    pub(super) fn of(events: &'a [TaskEvent]) -> Divergences<'a> {
        let evicted = events.len() == MAX_EVENTS
            && events
                .first()
                .is_some_and(|e| e.kind() != EventKind::Received);
        Divergences {
            events,
            index: 0,
            phases: if evicted {
                Phases::ALL
            } else {
                Phases::of(Phase::Pending)
            },
            fresh: !evicted,
            accepted_any: false,
        }
    }
}

impl Iterator for Divergences<'_> {
    type Item = Divergence;

    fn next(&mut self) -> Option<Divergence> {
        loop {
            let event = self.events.get(self.index)?;
            let index = self.index;
            self.index = self.index.saturating_add(1);
            let kind = event.kind();
            let first = self.fresh && !self.accepted_any;
            let next = self.phases.after(kind, first);
            if next != Phases::NONE {
                self.phases = next;
                self.accepted_any = true;
                continue;
            }
            // As `TaskState::apply` refuses it: nothing changes, the next event is read
            // from where the task was.
            return Some(Divergence {
                event: index,
                rule: Rule {
                    kind,
                    from: self.phases,
                    not_first: kind == EventKind::Received && !first,
                },
            });
        }
    }
}
