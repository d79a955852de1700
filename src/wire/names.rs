//! Enums as Nomad's strings in JSON, as one-byte codes in compact formats.

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::{ClientStatus, EventKind, WireState};

const WIRE_STATES: &[&str] = &["pending", "running", "dead"];
const CLIENT_STATUSES: &[&str] = &[
    "pending", "running", "failed", "complete", "lost", "unknown",
];

/// Reads a string (JSON) or a `u8` code (compact) and maps it.
struct Named<T> {
    expecting: &'static str,
    from_str: fn(&str) -> Option<T>,
    from_code: fn(u8) -> Option<T>,
    variants: &'static [&'static str],
}

impl<T> Visitor<'_> for Named<T> {
    type Value = T;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.from_str)(v).ok_or_else(|| E::unknown_variant(v, self.variants))
    }

    fn visit_u8<E: de::Error>(self, v: u8) -> Result<T, E> {
        (self.from_code)(v).ok_or_else(|| {
            E::invalid_value(de::Unexpected::Unsigned(u64::from(v)), &self.expecting)
        })
    }
}

fn named<'de, D: Deserializer<'de>, T>(d: D, visitor: Named<T>) -> Result<T, D::Error> {
    if d.is_human_readable() {
        d.deserialize_str(visitor)
    } else {
        d.deserialize_u8(visitor)
    }
}

/// `WireState` wire code: its position in `pending, running, dead`.
pub(crate) fn wire_state_code(state: WireState) -> u8 {
    match state {
        WireState::Pending => 0,
        WireState::Running => 1,
        WireState::Dead => 2,
    }
}

fn wire_state_from_code(code: u8) -> Option<WireState> {
    match code {
        0 => Some(WireState::Pending),
        1 => Some(WireState::Running),
        2 => Some(WireState::Dead),
        _ => None,
    }
}

impl Serialize for WireState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(self.as_str())
        } else {
            s.serialize_u8(wire_state_code(*self))
        }
    }
}

impl<'de> Deserialize<'de> for WireState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        named(
            d,
            Named {
                expecting: "a task state: pending, running or dead",
                from_str: WireState::from_wire_str,
                from_code: wire_state_from_code,
                variants: WIRE_STATES,
            },
        )
    }
}

fn client_status_code(status: ClientStatus) -> u8 {
    match status {
        ClientStatus::Pending => 0,
        ClientStatus::Running => 1,
        ClientStatus::Failed => 2,
        ClientStatus::Complete => 3,
        ClientStatus::Lost => 4,
        ClientStatus::Unknown => 5,
    }
}

pub(crate) fn client_status_from_code(code: u8) -> Option<ClientStatus> {
    match code {
        0 => Some(ClientStatus::Pending),
        1 => Some(ClientStatus::Running),
        2 => Some(ClientStatus::Failed),
        3 => Some(ClientStatus::Complete),
        4 => Some(ClientStatus::Lost),
        5 => Some(ClientStatus::Unknown),
        _ => None,
    }
}

impl Serialize for ClientStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(self.as_str())
        } else {
            s.serialize_u8(client_status_code(*self))
        }
    }
}

impl<'de> Deserialize<'de> for ClientStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        named(
            d,
            Named {
                expecting: "an allocation client status",
                from_str: ClientStatus::from_wire_str,
                from_code: client_status_from_code,
                variants: CLIENT_STATUSES,
            },
        )
    }
}

/// A kind alone: its `Type` string in JSON (`"unknown"` for [`EventKind::Unknown`], whose
/// real string lives on the event), its code in compact formats.
impl Serialize for EventKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(self.name())
        } else {
            s.serialize_u8(self.code())
        }
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        named(
            d,
            Named {
                expecting: "an event kind",
                from_str: |s| Some(EventKind::from_type_str(s)),
                from_code: EventKind::from_code,
                variants: &[],
            },
        )
    }
}
