//! A task state in the compact format (layout in the crate docs, *Wire formats*).

use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};

use crate::phase::Phase;
use crate::restore::{TaskStateError, TaskStateParts};
use crate::ring::MAX_EVENTS;
use crate::task::TaskState;
use crate::wire::compact::event::EventInto;
use crate::wire::compact::{Checked, ReadInPlace};
use crate::wire::DecodeError;
use crate::wire::Events;

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

/// Reads a sequence of at most ten compact events straight into a task's held events
/// (see `TaskState::hold`), one event at a time on the stack, or the first reason one is
/// refused.
struct HoldCheckedEvents<'a>(&'a mut TaskState);

impl<'de> DeserializeSeed<'de> for HoldCheckedEvents<'_> {
    type Value = Checked;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Checked, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for HoldCheckedEvents<'_> {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at most {MAX_EVENTS} compact events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        // postcard knows the length up front: more than ten is refused before reading.
        if seq.size_hint().is_some_and(|len| len > MAX_EVENTS) {
            return Ok(Err(TaskStateError::TooManyEvents.into()));
        }
        loop {
            let Some(slot) = self.0.vacant() else {
                // Ten held: an eleventh refuses the whole value.
                return Ok(match seq.next_element::<IgnoredAny>()? {
                    Some(_) => Err(TaskStateError::TooManyEvents.into()),
                    None => Ok(()),
                });
            };
            match seq.next_element_seed(EventInto(slot))? {
                None => return Ok(Ok(())),
                Some(Ok(())) => self.0.hold_vacant(),
                // The rest is not read: the whole value is refused.
                Some(Err(why)) => return Ok(Err(why)),
            }
        }
    }
}

/// Reads the compact format into the task state it holds, events straight into its ring.
pub(crate) struct StateVisitor<'a>(pub(crate) &'a mut TaskState);

fn next<'de, A: SeqAccess<'de>, T: serde::Deserialize<'de>>(
    seq: &mut A,
    index: usize,
) -> Result<T, A::Error> {
    seq.next_element()?
        .ok_or_else(|| de::Error::invalid_length(index, &"a complete task state"))
}

impl<'de> Visitor<'de> for StateVisitor<'_> {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a compact task state")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        let code: u8 = next(&mut seq, 0)?;
        let Some(phase) = phase_from_code(code) else {
            return Ok(Err(DecodeError::UnknownCode {
                field: "phase",
                code,
            }));
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
        let held = seq
            .next_element_seed(HoldCheckedEvents(&mut *self.0))?
            .ok_or_else(|| de::Error::invalid_length(7, &"a complete task state"))?;
        Ok(held.and_then(|()| Ok(self.0.settle(parts)?)))
    }
}

impl ReadInPlace for TaskState {
    fn empty() -> Self {
        TaskState::new()
    }

    fn make_empty(&mut self) {
        self.reset();
    }

    fn checked_into<'de, D: Deserializer<'de>>(
        d: D,
        task: &mut TaskState,
    ) -> Result<Checked, D::Error> {
        d.deserialize_tuple(ELEMENTS, StateVisitor(task))
    }
}

/// Reads the compact format into `task`, which must be new.
pub(crate) fn deserialize_into<'de, D: Deserializer<'de>>(
    d: D,
    task: &mut TaskState,
) -> Result<(), D::Error> {
    TaskState::checked_into(d, task)?.map_err(de::Error::custom)
}

/// Largest encoding of a task state: phase, flag, three varint u64/i64 numbers
/// (10 bytes each), three optional times (1 + 10 each), the event count's length byte and
/// ten events.
pub(crate) const MAX_SIZE: usize =
    1 + 1 + 10 + 3 * (1 + 10) + 10 + 1 + MAX_EVENTS * crate::wire::compact::event::MAX_SIZE;
