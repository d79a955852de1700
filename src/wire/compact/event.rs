//! One task event in the compact format (layout in the crate docs, *Wire formats*).

use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};

use crate::event::{Detail, TaskEvent};
use crate::head::Keys;
use crate::kind::EventKind;
use crate::kind::{own_keys, shape, NumbersShape};
use crate::text::{Packed, Slot, ALL_SLOTS, EVENT_TEXT_CAPACITY};
use crate::wire::compact::Checked;
use crate::wire::DecodeError;

/// Most elements an event has: code, time, fails_task, cut mask, keys, three numbers,
/// four strings.
const MAX_ELEMENTS: usize = 12;

pub(crate) fn serialize<S: Serializer>(event: &TaskEvent, s: S) -> Result<S::Ok, S::Error> {
    let kind = event.kind();
    let mut t = s.serialize_tuple(MAX_ELEMENTS)?;
    t.serialize_element(&kind.code())?;
    t.serialize_element(&event.time())?;
    t.serialize_element(&event.fails_task())?;
    t.serialize_element(&event.texts.cut_mask())?;
    t.serialize_element(&event.head.keys().0)?;
    match (shape(kind).layout.numbers(), event.detail()) {
        (
            NumbersShape::Exit,
            Detail::Terminated {
                exit_code,
                signal,
                oom_killed,
            },
        ) => {
            t.serialize_element(&exit_code)?;
            t.serialize_element(&signal)?;
            t.serialize_element(&oom_killed)?;
        }
        (NumbersShape::One, _) => t.serialize_element(&event.numbers.value)?,
        _ => {}
    }
    if shape(kind).layout.strings() >= 1 {
        t.serialize_element(event.texts.get(Slot::First))?;
    }
    if shape(kind).layout.strings() >= 2 {
        t.serialize_element(event.texts.get(Slot::Second))?;
    }
    t.serialize_element(event.texts.get(Slot::Message))?;
    t.serialize_element(event.texts.get(Slot::Display))?;
    t.end()
}

/// Reads one compact event into the event it holds (a ring slot), returning only why
/// its bytes are no event. Serde's error carries only malformed layout; a reason this
/// crate finds is the visitor's value, so that `from_postcard` can return it typed
/// (postcard's `no_std` `custom` drops the message), and no event travels by value.
pub(crate) struct EventInto<'a>(pub(crate) &'a mut TaskEvent);

impl<'de> DeserializeSeed<'de> for EventInto<'_> {
    type Value = Checked;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Checked, D::Error> {
        d.deserialize_tuple(MAX_ELEMENTS, self)
    }
}

fn next<'de, A: SeqAccess<'de>, T: serde::Deserialize<'de>>(
    seq: &mut A,
    index: usize,
) -> Result<T, A::Error> {
    seq.next_element()?
        .ok_or_else(|| de::Error::invalid_length(index, &"a complete event"))
}

impl<'de> Visitor<'de> for EventInto<'_> {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a compact task event")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        let code: u8 = next(&mut seq, 0)?;
        let Some(kind) = EventKind::from_code(code) else {
            return Ok(Err(DecodeError::UnknownCode {
                field: "event kind",
                code,
            }));
        };
        let time: i64 = next(&mut seq, 1)?;
        let fails_task: bool = next(&mut seq, 2)?;
        let cut: u8 = next(&mut seq, 3)?;
        let keys = Keys(next(&mut seq, 4)?);
        let (mut exit_code, mut signal, mut oom_killed, mut value) = (0i32, 0i32, None, 0i64);
        match shape(kind).layout.numbers() {
            NumbersShape::Exit => {
                exit_code = next(&mut seq, 4)?;
                signal = next(&mut seq, 5)?;
                oom_killed = next(&mut seq, 6)?;
            }
            NumbersShape::One => value = next(&mut seq, 4)?,
            NumbersShape::None => {}
        }
        let first: &'de str = if shape(kind).layout.strings() >= 1 {
            next(&mut seq, 7)?
        } else {
            ""
        };
        let second: &'de str = if shape(kind).layout.strings() >= 2 {
            next(&mut seq, 8)?
        } else {
            ""
        };
        let message: &'de str = next(&mut seq, 9)?;
        let display: &'de str = next(&mut seq, 10)?;
        let total = [first, second, message, display]
            .iter()
            .fold(0usize, |sum, s| sum.saturating_add(s.len()));
        if total > EVENT_TEXT_CAPACITY {
            return Ok(Err(DecodeError::OverCapacity {
                field: "event text",
            }));
        }
        if kind == EventKind::Unknown && EventKind::from_type_str(first) != EventKind::Unknown {
            // Written by no encoder: an event of a known type has that type's code.
            return Ok(Err(DecodeError::NonCanonical));
        }
        // No bit beyond the slots and the kind's keys; a packed slot reads through; a
        // driver event without annotations (`null`) holds none.
        // (A driver event's `Details` are its annotations: no setter keys.)
        let setters = if kind == EventKind::Driver {
            0
        } else {
            Keys::FAILS_TASK | Keys::MESSAGE
        };
        let known_keys = Keys::NULL | setters | Keys::own(own_keys(kind).len());
        let packs = shape(kind).layout.packed();
        if cut & !ALL_SLOTS != 0
            || keys.0 & !known_keys != 0
            || (packs && !Packed(second).is_well_formed())
            || (kind == EventKind::Driver && keys.has(Keys::NULL) && !second.is_empty())
        {
            return Ok(Err(DecodeError::NonCanonical));
        }
        let numbers = crate::event::Numbers {
            value: if kind == EventKind::Terminated {
                i64::from(exit_code)
            } else {
                value
            },
            signal,
            oom_killed: crate::event::Oom::of(oom_killed),
        };
        // Built by the constructor (which normalises what no encoder writes, so the
        // re-encoding check refuses it), then finished in place.
        let event = &mut *self.0;
        event.set_to(
            time,
            Detail::assemble(kind, numbers, first, second, keys.has(Keys::NULL)),
        );
        event.texts.set(Slot::Message, message);
        event.texts.set(Slot::Display, display);
        event.head = event.head.with_fails_task(fails_task).with_keys(keys);
        for slot in [Slot::First, Slot::Second, Slot::Message, Slot::Display] {
            if cut & slot.bit() != 0 {
                event.texts.mark_truncated(slot);
            }
        }
        Ok(Ok(()))
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TaskEvent, D::Error> {
    let mut event = TaskEvent::BLANK;
    EventInto(&mut event)
        .deserialize(d)?
        .map_err(de::Error::custom)?;
    Ok(event)
}

/// Largest encoding of one event: the kind code, the time (a 10-byte varint at most),
/// three flag bytes, the largest set of numbers, and the strings — each with its varint
/// length, at most that of the capacity — all together at most the shared capacity.
pub(crate) const MAX_SIZE: usize = {
    const I64: usize = 10;
    const I32: usize = 5;
    const OPTION_BOOL: usize = 2;
    let mut length = 1;
    while EVENT_TEXT_CAPACITY >> (7 * length) != 0 {
        length += 1;
    }
    let header = 1 + I64 + 1 + 1 + 1;
    // Each layout: its numbers, then its strings' lengths. Terminated (two strings), one
    // i64 with three strings, four strings.
    let exit = (I32 + I32 + OPTION_BOOL) + 2 * length;
    let one = I64 + 3 * length;
    let two = 4 * length;
    let mut widest = exit;
    if one > widest {
        widest = one;
    }
    if two > widest {
        widest = two;
    }
    header + widest + EVENT_TEXT_CAPACITY
};
