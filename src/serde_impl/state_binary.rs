//! A task state in the compact format (see the module docs of `serde_impl`).

use core::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};

use heapless::Vec;

use super::event_binary::CheckedEvent;
use super::state_json::Events;
use crate::error::DecodeError;
use crate::event::TaskEvent;
use crate::phase::Phase;
use crate::restore::{InvalidState, TaskStateParts};
use crate::ring::MAX_EVENTS;
use crate::task::TaskState;

const ELEMENTS: usize = 8;

fn phase_code(phase: Phase) -> u8 {
    match phase {
        Phase::Pending => 0,
        Phase::Running => 1,
        Phase::Exited => 2,
        Phase::ShuttingDown => 3,
        Phase::Dead => 4,
    }
}

fn phase_from_code(code: u8) -> Option<Phase> {
    match code {
        0 => Some(Phase::Pending),
        1 => Some(Phase::Running),
        2 => Some(Phase::Exited),
        3 => Some(Phase::ShuttingDown),
        4 => Some(Phase::Dead),
        _ => None,
    }
}

pub(crate) fn serialize<S: Serializer>(task: &TaskState, s: S) -> Result<S::Ok, S::Error> {
    let mut t = s.serialize_tuple(ELEMENTS)?;
    t.serialize_element(&phase_code(task.phase()))?;
    t.serialize_element(&task.failed())?;
    t.serialize_element(&task.restarts())?;
    t.serialize_element(&task.last_restart())?;
    t.serialize_element(&task.started_at())?;
    t.serialize_element(&task.finished_at())?;
    t.serialize_element(&task.event_count())?;
    t.serialize_element(&Events(task.events()))?;
    t.end()
}

/// A task state read from the compact format, or why its bytes are none (see
/// `CheckedEvent`).
pub(crate) struct CheckedState(pub(crate) Result<TaskState, DecodeError>);

impl<'de> serde::Deserialize<'de> for CheckedState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_tuple(ELEMENTS, StateVisitor)
    }
}

/// At most ten compact events, or the first reason one of them is refused.
struct CheckedEvents(Result<Vec<TaskEvent, MAX_EVENTS>, DecodeError>);

impl<'de> serde::Deserialize<'de> for CheckedEvents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(EventsVisitor)
    }
}

struct EventsVisitor;

impl<'de> Visitor<'de> for EventsVisitor {
    type Value = CheckedEvents;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at most {MAX_EVENTS} compact events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CheckedEvents, A::Error> {
        // postcard knows the length up front: more than ten is refused before reading.
        if seq.size_hint().is_some_and(|len| len > MAX_EVENTS) {
            return Ok(CheckedEvents(Err(InvalidState::TooManyEvents.into())));
        }
        let mut held = Vec::new();
        while let Some(CheckedEvent(event)) = seq.next_element()? {
            let pushed = match event {
                Ok(event) => held
                    .push(event)
                    .map_err(|_| InvalidState::TooManyEvents.into()),
                Err(why) => Err(why),
            };
            if let Err(why) = pushed {
                // The rest is not read: the whole value is refused.
                return Ok(CheckedEvents(Err(why)));
            }
        }
        Ok(CheckedEvents(Ok(held)))
    }
}

struct StateVisitor;

fn next<'de, A: SeqAccess<'de>, T: serde::Deserialize<'de>>(
    seq: &mut A,
    index: usize,
) -> Result<T, A::Error> {
    seq.next_element()?
        .ok_or_else(|| de::Error::invalid_length(index, &"a complete task state"))
}

impl<'de> Visitor<'de> for StateVisitor {
    type Value = CheckedState;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a compact task state")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CheckedState, A::Error> {
        let code: u8 = next(&mut seq, 0)?;
        let Some(phase) = phase_from_code(code) else {
            return Ok(CheckedState(Err(DecodeError::UnknownCode {
                field: "phase",
                code,
            })));
        };
        let parts = TaskStateParts {
            state: phase.wire_state(),
            phase: Some(phase),
            failed: Some(next(&mut seq, 1)?),
            restarts: Some(next(&mut seq, 2)?),
            last_restart: Some(next(&mut seq, 3)?),
            started_at: Some(next(&mut seq, 4)?),
            finished_at: Some(next(&mut seq, 5)?),
            event_count: Some(next(&mut seq, 6)?),
        };
        let CheckedEvents(events) = next(&mut seq, 7)?;
        let state = events.and_then(|held| Ok(TaskState::from_parts(parts, held)?));
        Ok(CheckedState(state))
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TaskState, D::Error> {
    let CheckedState(state) = serde::Deserialize::deserialize(d)?;
    state.map_err(de::Error::custom)
}

/// Largest encoding of a task state: phase, flag, three varint u64/i64 numbers
/// (10 bytes each), three optional times (1 + 10 each), the event count's length byte and
/// ten events.
pub(crate) const MAX_SIZE: usize =
    1 + 1 + 10 + 3 * (1 + 10) + 10 + 1 + MAX_EVENTS * super::event_binary::MAX_SIZE;
