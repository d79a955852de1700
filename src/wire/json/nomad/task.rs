//! [`NomadTaskState`]: a task state as Nomad wrote it, read and written as its JSON.

use core::fmt;

use heapless::Vec;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, SerializeStruct, Serializer};
use serde::Serialize;

use crate::event::TaskEvent;
use crate::phase::WireState;
use crate::ring::MAX_EVENTS;
use crate::wire::json::event::EventInto;
use crate::wire::json::state::{no_eleventh, Field as StateField, ReadTime, Time};
use crate::wire::ZeroTime;

use super::divergence::Divergences;
use super::{named, once, serde_impls};

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

/// A task state exactly as Nomad wrote it (see the [module docs](super)).
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
        Divergences::of(&self.events)
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

serde_impls! {
    /// Reads Nomad's JSON into `out` in place (no task state on the stack); on error
    /// `out` is left empty ([`NomadTaskState::new`]).
    impl[] NomadTaskState, visitor StateVisitor
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
                return no_eleventh(&mut seq, &self);
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
