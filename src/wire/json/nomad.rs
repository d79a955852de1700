//! Reading what Nomad wrote: task states and allocations exactly as Nomad's JSON gives
//! them, with every held event the contract would refuse named, never refused.
//!
//! [`TaskState`](crate::TaskState) and [`Allocation`](crate::Allocation) decode
//! strictly: a history the contract's table refuses (`docs/transitions.md`) is an error,
//! as it must be for a runtime restoring its own state. Nomad writes such histories
//! (`Killing` after `Not Restarting` from `killTasks` before 1.11, events after death for
//! a lost node, restarts by `Restart Signaled`, …), and a tool reading Nomad's
//! `/v1/allocation` must read them as written. The types here are that reading mode:
//! distinct types, so nobody reads leniently by accident.
//!
//! - [`NomadTaskState`] keeps `State`, `Failed`, `Restarts`, `LastRestart`,
//!   `StartedAt`, `FinishedAt` and the events as Nomad wrote them, unknown event types
//!   included, and writes the same JSON back. [`NomadTaskState::divergences`] names each
//!   held event the contract would refuse and the rule it breaks.
//! - [`NomadAllocation`] adds the allocation-level fields a reader needs (`ID`, `EvalID`,
//!   `Name`, `NodeID`, `JobID`, `TaskGroup`, `DesiredStatus`, `DesiredDescription`,
//!   `ClientStatus`, `ClientDescription`, `CreateIndex`, `ModifyIndex`, `CreateTime`,
//!   `ModifyTime`), each bounded and written back only if it was there; the rest of
//!   Nomad's allocation is skipped.
//!
//! Both read in place (`deserialize_into`), without a heap, and read a zero time from
//! `null` and from `"0001-01-01T00:00:00Z"` alike; they write `null` unless asked for
//! the other form through [`WithZeroTime`](crate::WithZeroTime). See
//! docs/reading-nomad.md.
//!
//! ```
//! use allocstate::nomad::NomadTaskState;
//!
//! // Nomad before 1.11: `killTasks` appends `Killing` after `Not Restarting`.
//! let json = r#"{"State": "dead", "Failed": true, "Restarts": 0, "LastRestart": null,
//!   "StartedAt": "2024-01-01T00:00:01Z", "FinishedAt": "2024-01-01T00:00:04Z",
//!   "Events": [{"Type": "Received", "Time": 1}, {"Type": "Started", "Time": 2},
//!              {"Type": "Terminated", "Time": 3, "ExitCode": 1},
//!              {"Type": "Not Restarting", "Time": 4, "FailsTask": true},
//!              {"Type": "Killing", "Time": 5}]}"#;
//! let task: NomadTaskState = serde_json::from_str(json)?;
//! assert!(task.failed());
//! let found: Vec<_> = task.divergences().collect();
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].event, 4);
//! assert_eq!(
//!     found[0].rule.to_string(),
//!     "`Killing` after the task is Dead: the contract accepts it only in Pending, \
//!      Running, Exited, ShuttingDown"
//! );
//! // Refused by the strict decoder, read here, and written back as read.
//! assert!(serde_json::from_str::<allocstate::TaskState>(json).is_err());
//! let again: NomadTaskState = serde_json::from_str(&serde_json::to_string(&task)?)?;
//! assert_eq!(again, task);
//! # Ok::<(), serde_json::Error>(())
//! ```

use core::fmt;

use heapless::{String, Vec};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use crate::allocation::identity::Identity;
use crate::allocation::{AllocIdentity, IdentityField, TaskName};
use crate::event::TaskEvent;
use crate::kind::EventKind;
use crate::phase::{Phase, WireState};
use crate::ring::MAX_EVENTS;
use crate::table::next_phase;
use crate::wire::alloc_fields::CutInto;
use crate::wire::json::alloc::NameKey;
use crate::wire::json::event::EventInto;
use crate::wire::json::state::{Field as StateField, ReadTime, Time};
use crate::wire::WithZeroTime;
use crate::wire::ZeroTime;

/// Bytes a status string read by [`NomadAllocation`] can hold (`DesiredStatus`,
/// `ClientStatus`); Nomad's longest is 8 (`complete`). Longer is cut, and the cut marked.
pub const STATUS_CAPACITY: usize = 16;

/// Bytes a description read by [`NomadAllocation`] can hold (`DesiredDescription`,
/// `ClientDescription`); longer is cut on a character boundary, and the cut marked.
pub const DESCRIPTION_CAPACITY: usize = 256;

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
/// [`NomadTaskState::divergences`]).
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

/// A field read, as one bit of a `present` set: the bit of its code.
const STATE: u16 = 1 << StateField::State as u16;
const FAILED: u16 = 1 << StateField::Failed as u16;
const RESTARTS: u16 = 1 << StateField::Restarts as u16;
const LAST_RESTART: u16 = 1 << StateField::LastRestart as u16;
const STARTED_AT: u16 = 1 << StateField::StartedAt as u16;
const FINISHED_AT: u16 = 1 << StateField::FinishedAt as u16;
const EVENTS: u16 = 1 << StateField::Events as u16;
/// `Events` was `null` (Go's nil slice).
const EVENTS_NULL: u16 = 1 << 7;

/// A task state exactly as Nomad wrote it (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NomadTaskState {
    state: WireState,
    failed: bool,
    restarts: u64,
    last_restart: Option<i64>,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    events: Vec<TaskEvent, MAX_EVENTS>,
    /// Which fields were there (bits above): only those are written back.
    present: u16,
}

impl Default for NomadTaskState {
    fn default() -> Self {
        Self::new()
    }
}

impl NomadTaskState {
    /// An empty one: pending, no events, no field read.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            state: WireState::Pending,
            failed: false,
            restarts: 0,
            last_restart: None,
            started_at: None,
            finished_at: None,
            events: Vec::new(),
            present: 0,
        }
    }

    /// `State` as written.
    #[must_use]
    pub fn state(&self) -> WireState {
        self.state
    }

    /// `Failed` as written (false if absent).
    #[must_use]
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// `Restarts` as written (0 if absent).
    #[must_use]
    pub fn restarts(&self) -> u64 {
        self.restarts
    }

    /// `LastRestart` in unix nanoseconds; `None` for Go's zero time or absent.
    #[must_use]
    pub fn last_restart(&self) -> Option<i64> {
        self.last_restart
    }

    /// `StartedAt` in unix nanoseconds; `None` for Go's zero time or absent.
    #[must_use]
    pub fn started_at(&self) -> Option<i64> {
        self.started_at
    }

    /// `FinishedAt` in unix nanoseconds; `None` for Go's zero time or absent.
    #[must_use]
    pub fn finished_at(&self) -> Option<i64> {
        self.finished_at
    }

    /// The events as written, oldest first (Nomad keeps the latest ten).
    #[must_use]
    pub fn events(&self) -> &[TaskEvent] {
        &self.events
    }

    /// The held events the contract would refuse, each with the rule it breaks, oldest
    /// first; none for a history the contract accepts. Computed on each call from the
    /// events (nothing is stored): the events are replayed through the contract's table
    /// as [`TaskState::apply`](crate::TaskState::apply) would take them, from a fresh
    /// task (from any phase if ten are held and the oldest is not `Received`: older ones
    /// were evicted). A refused event changes nothing, as `apply` refuses it: the next
    /// is read from where the task was, so an event after death is named, and so is
    /// every one after it until one the dead task accepts.
    #[must_use]
    pub fn divergences(&self) -> Divergences<'_> {
        let evicted = self.events.len() == MAX_EVENTS
            && self
                .events
                .first()
                .is_some_and(|e| e.kind() != EventKind::Received);
        Divergences {
            events: &self.events,
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

    /// Reads Nomad's JSON into `out` in place (no task state on the stack); on error
    /// `out` is left empty ([`NomadTaskState::new`]).
    pub fn deserialize_into<'de, D: Deserializer<'de>>(
        d: D,
        out: &mut NomadTaskState,
    ) -> Result<(), D::Error> {
        out.clear();
        let read = d.deserialize_map(StateVisitor(&mut *out));
        if read.is_err() {
            out.clear();
        }
        read
    }

    fn clear(&mut self) {
        self.state = WireState::Pending;
        self.failed = false;
        self.restarts = 0;
        self.last_restart = None;
        self.started_at = None;
        self.finished_at = None;
        self.events.clear();
        self.present = 0;
    }

    fn serialize_with<S: Serializer>(&self, s: S, zero: ZeroTime) -> Result<S::Ok, S::Error> {
        let fields = [
            STATE,
            FAILED,
            RESTARTS,
            LAST_RESTART,
            STARTED_AT,
            FINISHED_AT,
            EVENTS,
        ];
        let count = fields
            .iter()
            .filter(|bit| self.present & **bit != 0)
            .count();
        let mut st = s.serialize_struct("TaskState", count)?;
        let has = |bit: u16| self.present & bit != 0;
        if has(STATE) {
            st.serialize_field("State", &self.state)?;
        }
        if has(FAILED) {
            st.serialize_field("Failed", &self.failed)?;
        }
        if has(RESTARTS) {
            st.serialize_field("Restarts", &self.restarts)?;
        }
        if has(LAST_RESTART) {
            st.serialize_field("LastRestart", &Time(self.last_restart, zero))?;
        }
        if has(STARTED_AT) {
            st.serialize_field("StartedAt", &Time(self.started_at, zero))?;
        }
        if has(FINISHED_AT) {
            st.serialize_field("FinishedAt", &Time(self.finished_at, zero))?;
        }
        if has(EVENTS) {
            if has(EVENTS_NULL) {
                st.serialize_field("Events", &None::<()>)?;
            } else {
                st.serialize_field("Events", &EventList(&self.events))?;
            }
        }
        st.end()
    }
}

/// The events as a JSON array.
struct EventList<'a>(&'a [TaskEvent]);

impl Serialize for EventList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for event in self.0 {
            seq.serialize_element(event)?;
        }
        seq.end()
    }
}

/// Nomad's JSON, zero times `null`.
impl Serialize for NomadTaskState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.serialize_with(s, ZeroTime::Null)
    }
}

/// Nomad's JSON, zero times in the form chosen.
impl Serialize for WithZeroTime<'_, NomadTaskState> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_with(s, self.1)
    }
}

impl<'de> Deserialize<'de> for NomadTaskState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut task = NomadTaskState::new();
        NomadTaskState::deserialize_into(d, &mut task)?;
        Ok(task)
    }

    fn deserialize_in_place<D: Deserializer<'de>>(d: D, place: &mut Self) -> Result<(), D::Error> {
        NomadTaskState::deserialize_into(d, place)
    }
}

/// `error` with the field it was read for in front: serde_json keeps the position it
/// gave at the end of the message.
fn named<E: de::Error>(field: &str, error: E) -> E {
    E::custom(format_args!("`{field}`: {error}"))
}

/// Refuses a field read before.
fn once<E: de::Error>(present: &mut u16, bit: u16, name: &'static str) -> Result<(), E> {
    if *present & bit != 0 {
        return Err(E::duplicate_field(name));
    }
    *present |= bit;
    Ok(())
}

/// Reads at most ten events into the events it holds, one at a time in place.
struct EventsInto<'a>(&'a mut Vec<TaskEvent, MAX_EVENTS>);

impl<'de> DeserializeSeed<'de> for EventsInto<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EventsInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at most {MAX_EVENTS} events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            if self.0.push(TaskEvent::BLANK).is_err() {
                // Nomad keeps ten (`TaskState.Events`); an eleventh is not Nomad's.
                return match seq.next_element::<IgnoredAny>()? {
                    Some(_) => Err(de::Error::invalid_length(
                        MAX_EVENTS.saturating_add(1),
                        &self,
                    )),
                    None => Ok(()),
                };
            }
            let index = self.0.len().saturating_sub(1);
            let Some(slot) = self.0.last_mut() else {
                return Ok(());
            };
            let read = seq
                .next_element_seed(EventInto(slot))
                .map_err(|e| <A::Error as de::Error>::custom(format_args!("event {index}: {e}")))?;
            if read.is_none() {
                self.0.pop();
                return Ok(());
            }
        }
    }
}

/// `Events`: `null` (kept as such) or the list.
struct EventsOrNull<'a>(&'a mut NomadTaskState);

impl<'de> DeserializeSeed<'de> for EventsOrNull<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for EventsOrNull<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "null or at most {MAX_EVENTS} events")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.0.present |= EVENTS_NULL;
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        EventsInto(&mut self.0.events).deserialize(d)
    }
}

/// Reads a task state's fields into the (empty) state it holds.
struct StateVisitor<'a>(&'a mut NomadTaskState);

impl<'de> Visitor<'de> for StateVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Nomad task state object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let task = self.0;
        while let Some(key) = map.next_key::<StateField>()? {
            let Some(name) = key.name() else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            // The fields' bits in `present` are their codes.
            once(&mut task.present, 1u16 << (key as u16), name)?;
            match key {
                StateField::State => {
                    task.state = map.next_value().map_err(|e| named(name, e))?;
                }
                StateField::Failed => {
                    task.failed = map.next_value().map_err(|e| named(name, e))?;
                }
                StateField::Restarts => {
                    task.restarts = map.next_value().map_err(|e| named(name, e))?;
                }
                StateField::LastRestart => {
                    let time: ReadTime = map.next_value().map_err(|e| named(name, e))?;
                    task.last_restart = time.0;
                }
                StateField::StartedAt => {
                    let time: ReadTime = map.next_value().map_err(|e| named(name, e))?;
                    task.started_at = time.0;
                }
                StateField::FinishedAt => {
                    let time: ReadTime = map.next_value().map_err(|e| named(name, e))?;
                    task.finished_at = time.0;
                }
                StateField::Events => {
                    map.next_value_seed(EventsOrNull(&mut *task))
                        .map_err(|e| named(name, e))?;
                }
                StateField::Other => {}
            }
        }
        if task.present & STATE == 0 {
            return Err(de::Error::missing_field("State"));
        }
        Ok(())
    }
}

/// A field name: its index among the known ones, or `None` for one skipped.
struct FieldNames(&'static [&'static str]);

impl Visitor<'_> for FieldNames {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|name| *name == v))
    }
}

/// The allocation-level fields the reading mode reads and writes back, in the order
/// Nomad writes them (the fields of Nomad's allocation list stub a reader needs). A
/// server serving Nomad's `/v1/allocations` can pick these out of a full allocation.
// The index of each is its bit in `NomadAllocation`'s `present`.
pub const ALLOC_FIELDS: [&str; 15] = [
    "ID",
    "EvalID",
    "Name",
    "NodeID",
    "JobID",
    "TaskGroup",
    "DesiredStatus",
    "DesiredDescription",
    "ClientStatus",
    "ClientDescription",
    "TaskStates",
    "CreateIndex",
    "ModifyIndex",
    "CreateTime",
    "ModifyTime",
];

const ID: usize = 0;
const TASK_GROUP: usize = 5;
const DESIRED_STATUS: usize = 6;
const DESIRED_DESCRIPTION: usize = 7;
const CLIENT_STATUS: usize = 8;
const CLIENT_DESCRIPTION: usize = 9;
const TASK_STATES: usize = 10;
const CREATE_INDEX: usize = 11;
const MODIFY_INDEX: usize = 12;
const CREATE_TIME: usize = 13;
const MODIFY_TIME: usize = 14;

/// One task of a [`NomadAllocation`]: its name (a `TaskStates` key) and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NomadTask {
    name: TaskName,
    state: NomadTaskState,
}

impl NomadTask {
    /// The task's name.
    #[must_use]
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// Its state as Nomad wrote it.
    #[must_use]
    pub fn state(&self) -> &NomadTaskState {
        &self.state
    }
}

/// An allocation exactly as Nomad's `/v1/allocation` (or each element of
/// `/v1/allocations`) wrote it, up to `N` tasks (see the [module docs](self)).
///
/// `ID`, `TaskGroup` and `ClientStatus` must be there (every allocation Nomad writes has
/// them; a job, node or evaluation does not have all three): without one, reading fails
/// naming it. Strings longer than their capacity are cut on a character boundary and the
/// cut marked ([`identity_cut`](Self::identity_cut), [`text_cut`](Self::text_cut)),
/// never refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NomadAllocation<const N: usize = 8> {
    identity: Identity,
    desired_status: String<STATUS_CAPACITY>,
    desired_description: String<DESCRIPTION_CAPACITY>,
    client_status: String<STATUS_CAPACITY>,
    client_description: String<DESCRIPTION_CAPACITY>,
    create_index: u64,
    modify_index: u64,
    create_time: i64,
    modify_time: i64,
    /// One bit per [`ALLOC_FIELDS`] entry read; only those are written back.
    present: u16,
    /// One bit per [`ALLOC_FIELDS`] entry (of the four texts above) cut.
    cut: u16,
    /// `TaskStates` was `null` (Go's nil map).
    tasks_null: bool,
    tasks: Vec<NomadTask, N>,
}

impl<const N: usize> Default for NomadAllocation<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> NomadAllocation<N> {
    /// An empty one: no field read, no task.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            identity: Identity::new(),
            desired_status: String::new(),
            desired_description: String::new(),
            client_status: String::new(),
            client_description: String::new(),
            create_index: 0,
            modify_index: 0,
            create_time: 0,
            modify_time: 0,
            present: 0,
            cut: 0,
            tasks_null: false,
            tasks: Vec::new(),
        }
    }

    /// The identity strings as read (empty where absent).
    #[must_use]
    pub fn identity(&self) -> AllocIdentity<'_> {
        self.identity.borrowed()
    }

    /// Whether `field` was longer than its capacity
    /// ([`IdentityField::capacity`]) and cut to it.
    #[must_use]
    pub fn identity_cut(&self, field: IdentityField) -> bool {
        self.identity.cut & field.bit() != 0
    }

    /// `ID`.
    #[must_use]
    pub fn id(&self) -> &str {
        self.identity.id.as_str()
    }

    /// `Name`.
    #[must_use]
    pub fn name(&self) -> &str {
        self.identity.name.as_str()
    }

    /// `NodeID`.
    #[must_use]
    pub fn node_id(&self) -> &str {
        self.identity.node_id.as_str()
    }

    /// `JobID`.
    #[must_use]
    pub fn job_id(&self) -> &str {
        self.identity.job_id.as_str()
    }

    /// `TaskGroup`.
    #[must_use]
    pub fn task_group(&self) -> &str {
        self.identity.task_group.as_str()
    }

    /// `DesiredStatus` as written (`run`, `stop`, `evict`; empty if absent).
    #[must_use]
    pub fn desired_status(&self) -> &str {
        self.desired_status.as_str()
    }

    /// `DesiredDescription` as written.
    #[must_use]
    pub fn desired_description(&self) -> &str {
        self.desired_description.as_str()
    }

    /// `ClientStatus` as written (`pending`, `running`, `complete`, `failed`, `lost`,
    /// `unknown`, or what a newer Nomad writes).
    #[must_use]
    pub fn client_status(&self) -> &str {
        self.client_status.as_str()
    }

    /// `ClientDescription` as written.
    #[must_use]
    pub fn client_description(&self) -> &str {
        self.client_description.as_str()
    }

    /// Whether a text field (`DesiredStatus`, `DesiredDescription`, `ClientStatus` or
    /// `ClientDescription`, by its JSON name) was cut to its capacity
    /// ([`STATUS_CAPACITY`], [`DESCRIPTION_CAPACITY`]); false for any other name.
    #[must_use]
    pub fn text_cut(&self, field: &str) -> bool {
        ALLOC_FIELDS
            .iter()
            .position(|name| *name == field)
            .is_some_and(|index| self.cut >> index & 1 != 0)
    }

    /// `CreateIndex` (0 if absent).
    #[must_use]
    pub fn create_index(&self) -> u64 {
        self.create_index
    }

    /// `ModifyIndex` (0 if absent).
    #[must_use]
    pub fn modify_index(&self) -> u64 {
        self.modify_index
    }

    /// `CreateTime` in unix nanoseconds, if it was there.
    #[must_use]
    pub fn create_time(&self) -> Option<i64> {
        self.has(CREATE_TIME).then_some(self.create_time)
    }

    /// `ModifyTime` in unix nanoseconds, if it was there.
    #[must_use]
    pub fn modify_time(&self) -> Option<i64> {
        self.has(MODIFY_TIME).then_some(self.modify_time)
    }

    /// The tasks (`TaskStates`), in the order read.
    #[must_use]
    pub fn tasks(&self) -> &[NomadTask] {
        &self.tasks
    }

    /// The task named `name`.
    #[must_use]
    pub fn task(&self, name: &str) -> Option<&NomadTaskState> {
        self.tasks
            .iter()
            .find(|task| task.name() == name)
            .map(NomadTask::state)
    }

    /// Every task's divergences from the contract, task by task in the order read.
    pub fn divergences(&self) -> impl Iterator<Item = (&str, Divergence)> + '_ {
        self.tasks.iter().flat_map(|task| {
            task.state
                .divergences()
                .map(move |found| (task.name(), found))
        })
    }

    fn has(&self, field: usize) -> bool {
        self.present >> field & 1 != 0
    }

    /// Reads Nomad's JSON into `out` in place (each task's events straight into it); on
    /// error `out` is left empty ([`NomadAllocation::new`]).
    pub fn deserialize_into<'de, D: Deserializer<'de>>(
        d: D,
        out: &mut NomadAllocation<N>,
    ) -> Result<(), D::Error> {
        out.clear();
        let read = d.deserialize_map(AllocVisitor(&mut *out));
        if read.is_err() {
            out.clear();
        }
        read
    }

    fn clear(&mut self) {
        self.identity = Identity::new();
        self.desired_status.clear();
        self.desired_description.clear();
        self.client_status.clear();
        self.client_description.clear();
        self.create_index = 0;
        self.modify_index = 0;
        self.create_time = 0;
        self.modify_time = 0;
        self.present = 0;
        self.cut = 0;
        self.tasks_null = false;
        self.tasks.clear();
    }

    fn serialize_with<S: Serializer>(&self, s: S, zero: ZeroTime) -> Result<S::Ok, S::Error> {
        let count = self.present.count_ones() as usize;
        let mut st = s.serialize_struct("Allocation", count)?;
        let id = &self.identity;
        let texts: [(usize, &str); 10] = [
            (0, id.id.as_str()),
            (1, id.eval_id.as_str()),
            (2, id.name.as_str()),
            (3, id.node_id.as_str()),
            (4, id.job_id.as_str()),
            (TASK_GROUP, id.task_group.as_str()),
            (DESIRED_STATUS, self.desired_status.as_str()),
            (DESIRED_DESCRIPTION, self.desired_description.as_str()),
            (CLIENT_STATUS, self.client_status.as_str()),
            (CLIENT_DESCRIPTION, self.client_description.as_str()),
        ];
        for (index, text) in texts {
            if let (true, Some(name)) = (self.has(index), ALLOC_FIELDS.get(index)) {
                st.serialize_field(name, text)?;
            }
        }
        if self.has(TASK_STATES) {
            if self.tasks_null {
                st.serialize_field("TaskStates", &None::<()>)?;
            } else {
                st.serialize_field("TaskStates", &TaskMap(&self.tasks, zero))?;
            }
        }
        if self.has(CREATE_INDEX) {
            st.serialize_field("CreateIndex", &self.create_index)?;
        }
        if self.has(MODIFY_INDEX) {
            st.serialize_field("ModifyIndex", &self.modify_index)?;
        }
        if self.has(CREATE_TIME) {
            st.serialize_field("CreateTime", &self.create_time)?;
        }
        if self.has(MODIFY_TIME) {
            st.serialize_field("ModifyTime", &self.modify_time)?;
        }
        st.end()
    }
}

/// `TaskStates`: name → state, in the order read.
struct TaskMap<'a>(&'a [NomadTask], ZeroTime);

impl Serialize for TaskMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for task in self.0 {
            map.serialize_entry(task.name(), &WithZeroTime(&task.state, self.1))?;
        }
        map.end()
    }
}

/// Nomad's JSON of the fields read, zero times `null`.
impl<const N: usize> Serialize for NomadAllocation<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.serialize_with(s, ZeroTime::Null)
    }
}

/// Nomad's JSON of the fields read, zero times in the form chosen.
impl<const N: usize> Serialize for WithZeroTime<'_, NomadAllocation<N>> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_with(s, self.1)
    }
}

impl<'de, const N: usize> Deserialize<'de> for NomadAllocation<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut alloc = NomadAllocation::new();
        NomadAllocation::deserialize_into(d, &mut alloc)?;
        Ok(alloc)
    }

    fn deserialize_in_place<D: Deserializer<'de>>(d: D, place: &mut Self) -> Result<(), D::Error> {
        NomadAllocation::deserialize_into(d, place)
    }
}

/// Reads a `TaskStates` key (a task name) and its state into the tasks it holds.
struct TasksInto<'a, const N: usize>(&'a mut Vec<NomadTask, N>);

impl<'de, const N: usize> DeserializeSeed<'de> for TasksInto<'_, N> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// Reads one task state into the state it holds.
struct StateSeed<'a>(&'a mut NomadTaskState);

impl<'de> DeserializeSeed<'de> for StateSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        NomadTaskState::deserialize_into(d, self.0)
    }
}

impl<'de, const N: usize> Visitor<'de> for TasksInto<'_, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a map of at most {N} task names to task states")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(NameKey(name)) = map.next_key()? {
            if self.0.iter().any(|task| task.name == name) {
                return Err(de::Error::custom(format_args!(
                    "task `{}` given twice",
                    name.as_str()
                )));
            }
            let task = NomadTask {
                name,
                state: NomadTaskState::new(),
            };
            if self.0.push(task).is_err() {
                return Err(de::Error::custom(format_args!("more than {N} tasks")));
            }
            let Some(task) = self.0.last_mut() else {
                return Ok(());
            };
            map.next_value_seed(StateSeed(&mut task.state))
                .map_err(|e| de::Error::custom(format_args!("task `{}`: {e}", task.name())))?;
        }
        Ok(())
    }
}

/// `TaskStates`: `null` (kept as such) or the map.
struct TasksOrNull<'a, const N: usize>(&'a mut NomadAllocation<N>);

impl<'de, const N: usize> DeserializeSeed<'de> for TasksOrNull<'_, N> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for TasksOrNull<'_, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "null or a map of at most {N} task names to task states")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.0.tasks_null = true;
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        TasksInto(&mut self.0.tasks).deserialize(d)
    }
}

/// Reads an allocation's fields into the (empty) allocation it holds.
struct AllocVisitor<'a, const N: usize>(&'a mut NomadAllocation<N>);

impl<'de, const N: usize> Visitor<'de> for AllocVisitor<'_, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Nomad allocation object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let alloc = self.0;
        while let Some(index) = map.next_key_seed(AllocKey)? {
            let Some(index) = index else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let name = ALLOC_FIELDS.get(index).copied().unwrap_or("");
            let bit = 1u16 << index;
            once(&mut alloc.present, bit, name)?;
            let id = &mut alloc.identity;
            let cut = match index {
                0 => map.next_value_seed(CutInto(&mut id.id)),
                1 => map.next_value_seed(CutInto(&mut id.eval_id)),
                2 => map.next_value_seed(CutInto(&mut id.name)),
                3 => map.next_value_seed(CutInto(&mut id.node_id)),
                4 => map.next_value_seed(CutInto(&mut id.job_id)),
                TASK_GROUP => map.next_value_seed(CutInto(&mut id.task_group)),
                DESIRED_STATUS => map.next_value_seed(CutInto(&mut alloc.desired_status)),
                DESIRED_DESCRIPTION => map.next_value_seed(CutInto(&mut alloc.desired_description)),
                CLIENT_STATUS => map.next_value_seed(CutInto(&mut alloc.client_status)),
                CLIENT_DESCRIPTION => map.next_value_seed(CutInto(&mut alloc.client_description)),
                TASK_STATES => map
                    .next_value_seed(TasksOrNull(&mut *alloc))
                    .map(|()| false),
                CREATE_INDEX => map
                    .next_value()
                    .map(|v| alloc.create_index = v)
                    .map(|()| false),
                MODIFY_INDEX => map
                    .next_value()
                    .map(|v| alloc.modify_index = v)
                    .map(|()| false),
                CREATE_TIME => map
                    .next_value()
                    .map(|v| alloc.create_time = v)
                    .map(|()| false),
                _ => map
                    .next_value()
                    .map(|v| alloc.modify_time = v)
                    .map(|()| false),
            }
            .map_err(|e| named(name, e))?;
            if cut {
                match IdentityField::ALL.get(index) {
                    Some(field) => alloc.identity.cut |= field.bit(),
                    None => alloc.cut |= bit,
                }
            }
        }
        for required in [ID, TASK_GROUP, CLIENT_STATUS] {
            if !alloc.has(required) {
                let name = ALLOC_FIELDS.get(required).copied().unwrap_or("");
                return Err(de::Error::custom(format_args!(
                    "not a Nomad allocation: missing field `{name}`"
                )));
            }
        }
        Ok(())
    }
}

/// An allocation's field name: its index in [`ALLOC_FIELDS`], `None` for one skipped.
struct AllocKey;

impl<'de> DeserializeSeed<'de> for AllocKey {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(FieldNames(&ALLOC_FIELDS))
    }
}
