//! A task state in Nomad's JSON shape.

use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::go::time::{self, Rfc3339};
use crate::phase::WireState;
use crate::restore::TaskStateParts;
use crate::ring::MAX_EVENTS;
use crate::task::TaskState;
use crate::wire::json::event::EventInto;
use crate::wire::json::fields::json_fields;
use crate::wire::json::or_null::OrNull;
use crate::wire::DecodeError;
use crate::wire::Events;
use crate::wire::ZeroTime;

/// A time (unix nanoseconds, `None` for Go's zero time) as Nomad's JSON: Go's
/// RFC3339Nano string, the zero time written in the form `zero` chooses and read from
/// either (`null` or `"0001-01-01T00:00:00Z"`).
pub(crate) struct Time(pub(crate) Option<i64>, pub(crate) ZeroTime);

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.0, self.1) {
            (None, ZeroTime::Null) => s.serialize_none(),
            (time, _) => s.collect_str(&Rfc3339(time)),
        }
    }
}

/// Reads a time written by Nomad's HTTP API (`null` for the zero time) or by Go's
/// encoding/json (`"0001-01-01T00:00:00Z"`).
pub(crate) struct ReadTime(pub(crate) Option<i64>);

impl<'de> Deserialize<'de> for ReadTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(TimeVisitor)
    }
}

struct TimeVisitor;

impl<'de> Visitor<'de> for TimeVisitor {
    type Value = ReadTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 time or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<ReadTime, E> {
        Ok(ReadTime(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<ReadTime, E> {
        Ok(ReadTime(None))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<ReadTime, D::Error> {
        d.deserialize_str(TimeVisitor)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ReadTime, E> {
        time::parse(v).map(ReadTime).map_err(E::custom)
    }
}

/// What follows when ten events are held, for both readers of a list of events: Nomad
/// keeps ten (`TaskState.Events`), so an eleventh is refused (`invalid_length`, with
/// `expected` saying what the list should have been); the end of the list is fine.
pub(crate) fn no_eleventh<'de, A: SeqAccess<'de>>(
    seq: &mut A,
    expected: &dyn de::Expected,
) -> Result<(), A::Error> {
    match seq.next_element::<IgnoredAny>()? {
        Some(_) => Err(de::Error::invalid_length(
            MAX_EVENTS.saturating_add(1),
            expected,
        )),
        None => Ok(()),
    }
}

/// Reads a sequence of at most ten events straight into a task's held events (see
/// `TaskState::hold`); an eleventh is refused. One event at a time is on the stack.
pub(crate) struct HoldEvents<'a>(pub(crate) &'a mut TaskState);

impl<'de> DeserializeSeed<'de> for HoldEvents<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for HoldEvents<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at most {MAX_EVENTS} events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let Some(slot) = self.0.vacant() else {
                return no_eleventh(&mut seq, &self);
            };
            match seq.next_element_seed(EventInto(slot))? {
                Some(()) => self.0.hold_vacant(),
                None => return Ok(()),
            }
        }
    }
}

json_fields! {
    /// A task state's fields; every other is skipped.
    pub(super) enum Field: "a task state field name";
    /// Writes a task state as Nomad's `structs.TaskState` (`nomad/structs/structs.go`),
    /// zero times in the form `zero` chooses.
    pub(crate) fn serialize(task: &TaskState, zero: ZeroTime) as "TaskState" {
        State => &task.state(),
        Failed => &task.failed(),
        Restarts => &task.restarts(),
        LastRestart => &Time(task.last_restart(), zero),
        StartedAt => &Time(task.started_at(), zero),
        FinishedAt => &Time(task.finished_at(), zero),
        Events => &Events(task.events()),
    }
}

/// Reads Nomad's JSON into the task state it holds, events straight into its ring.
struct StateVisitor<'a>(&'a mut TaskState);

impl<'de> Visitor<'de> for StateVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Nomad task state object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut state: Option<WireState> = None;
        let mut parts = TaskStateParts::new(WireState::Pending);
        let mut seen = 0;
        while let Some(field) = map.next_key::<Field>()? {
            if let Some(name) = field.repeated_in(&mut seen) {
                return Err(de::Error::custom(DecodeError::DuplicateField(name)));
            }
            match field {
                Field::State => state = Some(map.next_value()?),
                Field::Failed => parts.failed = Some(map.next_value()?),
                Field::Restarts => parts.restarts = Some(map.next_value()?),
                Field::LastRestart => parts.last_restart = Some(map.next_value::<ReadTime>()?.0),
                Field::StartedAt => parts.started_at = Some(map.next_value::<ReadTime>()?.0),
                Field::FinishedAt => parts.finished_at = Some(map.next_value::<ReadTime>()?.0),
                Field::Events => {
                    // `null` in Go's JSON (a nil slice): no events.
                    map.next_value_seed(OrNull(HoldEvents(&mut *self.0)))?;
                }
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        parts.state = state.ok_or_else(|| de::Error::missing_field("State"))?;
        self.0.settle(parts).map_err(de::Error::custom)
    }
}

/// Reads Nomad's JSON into `task`, which must be new.
pub(crate) fn deserialize_into<'de, D: Deserializer<'de>>(
    d: D,
    task: &mut TaskState,
) -> Result<(), D::Error> {
    d.deserialize_map(StateVisitor(task))
}
