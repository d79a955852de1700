//! One task event in the compact format (see the module docs of `serde_impl`).

use core::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};

use crate::event::{Detail, TaskEvent};
use crate::kind::EventKind;
use crate::text::{Slot, EVENT_TEXT_CAPACITY};

/// Most elements an event has: code, time, fails_task, truncated, three numbers, four
/// strings.
const MAX_ELEMENTS: usize = 11;

/// The numbers each kind carries.
enum Numbers {
    None,
    Exit,
    One,
}

fn numbers(kind: EventKind) -> Numbers {
    match kind {
        EventKind::Terminated => Numbers::Exit,
        EventKind::Restarting | EventKind::Killing | EventKind::DiskResourcesExceeded => {
            Numbers::One
        }
        _ => Numbers::None,
    }
}

/// How many kind-specific strings a kind carries (its first, then its second slot).
fn strings(kind: EventKind) -> u8 {
    match kind {
        EventKind::Killed | EventKind::Signaling => 2,
        EventKind::DriverFailure
        | EventKind::FailedValidation
        | EventKind::Restarting
        | EventKind::NotRestarting
        | EventKind::FailedArtifactDownload
        | EventKind::Killing
        | EventKind::SetupFailure
        | EventKind::RestartSignaled
        | EventKind::SiblingTaskFailed
        | EventKind::Driver
        | EventKind::Unknown => 1,
        _ => 0,
    }
}

pub(crate) fn serialize<S: Serializer>(event: &TaskEvent, s: S) -> Result<S::Ok, S::Error> {
    let kind = event.kind();
    let mut t = s.serialize_tuple(MAX_ELEMENTS)?;
    t.serialize_element(&kind.code())?;
    t.serialize_element(&event.time())?;
    t.serialize_element(&event.fails_task())?;
    t.serialize_element(&event.is_truncated())?;
    match (numbers(kind), event.detail()) {
        (
            Numbers::Exit,
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
        (Numbers::One, _) => t.serialize_element(&event.numbers.value)?,
        _ => {}
    }
    if strings(kind) >= 1 {
        t.serialize_element(event.texts.get(Slot::First))?;
    }
    if strings(kind) >= 2 {
        t.serialize_element(event.texts.get(Slot::Second))?;
    }
    t.serialize_element(event.texts.get(Slot::Message))?;
    t.serialize_element(event.texts.get(Slot::Display))?;
    t.end()
}

struct EventVisitor;

fn next<'de, A: SeqAccess<'de>, T: serde::Deserialize<'de>>(
    seq: &mut A,
    index: usize,
) -> Result<T, A::Error> {
    seq.next_element()?
        .ok_or_else(|| de::Error::invalid_length(index, &"a complete event"))
}

impl<'de> Visitor<'de> for EventVisitor {
    type Value = TaskEvent;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a compact task event")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TaskEvent, A::Error> {
        let code: u8 = next(&mut seq, 0)?;
        let kind = EventKind::from_code(code).ok_or_else(|| {
            de::Error::invalid_value(
                de::Unexpected::Unsigned(u64::from(code)),
                &"an event kind code",
            )
        })?;
        let time: i64 = next(&mut seq, 1)?;
        let fails_task: bool = next(&mut seq, 2)?;
        let truncated: bool = next(&mut seq, 3)?;
        let (mut exit_code, mut signal, mut oom_killed, mut value) = (0i32, 0i32, None, 0i64);
        match numbers(kind) {
            Numbers::Exit => {
                exit_code = next(&mut seq, 4)?;
                signal = next(&mut seq, 5)?;
                oom_killed = next(&mut seq, 6)?;
            }
            Numbers::One => value = next(&mut seq, 4)?,
            Numbers::None => {}
        }
        let first: &'de str = if strings(kind) >= 1 {
            next(&mut seq, 7)?
        } else {
            ""
        };
        let second: &'de str = if strings(kind) >= 2 {
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
            return Err(de::Error::custom("event text over capacity"));
        }
        if kind == EventKind::Unknown && EventKind::from_type_str(first) != EventKind::Unknown {
            return Err(de::Error::custom("unknown-kind event names a known type"));
        }
        let numbers = crate::event::Numbers {
            value: if kind == EventKind::Terminated {
                i64::from(exit_code)
            } else {
                value
            },
            signal,
            oom_killed,
        };
        let detail = Detail::assemble(kind, numbers, first, second);
        let mut event = TaskEvent::new(time, detail)
            .with_message(message)
            .with_display_message(display)
            .with_fails_task_set(fails_task);
        if truncated {
            event.texts.mark_truncated();
        }
        Ok(event)
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TaskEvent, D::Error> {
    d.deserialize_tuple(MAX_ELEMENTS, EventVisitor)
}

/// Largest encoding of one event: the kind code, the time (a 10-byte varint at most), two
/// flags, the largest set of numbers, and the strings — each with a one-byte length (the
/// capacity is below 128) and all together at most the shared capacity.
pub(crate) const MAX_SIZE: usize = {
    const I64: usize = 10;
    const I32: usize = 5;
    const OPTION_BOOL: usize = 2;
    assert!(
        EVENT_TEXT_CAPACITY < 128,
        "string lengths must stay one-byte varints"
    );
    let header = 1 + I64 + 1 + 1;
    // (numbers, string count) of each layout: Terminated, one i64 with a string, two strings.
    let exit = (I32 + I32 + OPTION_BOOL) + 2;
    let one = I64 + 3;
    let two = 4;
    let mut widest = exit;
    if one > widest {
        widest = one;
    }
    if two > widest {
        widest = two;
    }
    header + widest + EVENT_TEXT_CAPACITY
};
