//! One task event in Nomad's JSON shape.

use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::Serializer;

use crate::event::{Annotations, Detail, Numbers, Oom, TaskEvent};
use crate::head::Keys;
use crate::kind::EventKind;
use crate::kind::{own_keys, shape, Key};
use crate::text::{prefix_within, Packed, Packer, Slot, EVENT_TEXT_CAPACITY};
use crate::wire::json::capture::{Captured, StrInto, TakeStr};
use crate::wire::json::fields::json_fields;
use crate::wire::json::flat::{message_key, Details, Flat, KEYS};
use crate::wire::json::heard::Heard;
use crate::wire::json::or_null::OrNull;
use crate::wire::DecodeError;

/// Writes a `Display` value as a JSON string without allocating.
struct Shown<T>(T);

impl<T: fmt::Display> serde::Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

pub(crate) fn serialize<S: Serializer>(event: &TaskEvent, s: S) -> Result<S::Ok, S::Error> {
    write(event, &Flat::of(event), s)
}

json_fields! {
    /// The event fields this crate reads; every other is skipped.
    enum Field: "a task event field name";
    /// Writes an event as Nomad's `structs.TaskEvent` (`nomad/structs/structs.go`), every
    /// field in Go's order.
    fn write(event: &TaskEvent, flat: &Flat<'_>) as "TaskEvent" {
        Type => event.type_str(),
        Time => &event.time(),
        Message => event.message(),
        DisplayMessage => &Shown(event.display_message()),
        Details => &Details(event),
        FailsTask => &event.fails_task(),
        RestartReason => flat.restart_reason,
        SetupError => flat.setup_error,
        DriverError => flat.driver_error,
        ExitCode => &flat.exit_code,
        Signal => &flat.signal,
        KillTimeout => &flat.kill_timeout,
        KillError => flat.kill_error,
        KillReason => flat.kill_reason,
        StartDelay => &flat.start_delay,
        DownloadError => flat.download_error,
        ValidationError => flat.validation_error,
        DiskLimit => &flat.disk_limit,
        FailedSibling => flat.failed_sibling,
        VaultError (written only) => "",
        TaskSignalReason => flat.task_signal_reason,
        TaskSignal => flat.task_signal,
        DriverMessage => flat.driver_message,
        GenericSource (written only) => "",
    }
}

/// `Details` as read: `null` (or absent), which keys it had, the values only it
/// carries, and the pairs the kind keeps packed: a `Driver` event's all (its
/// annotations), a `Signaling` event's `signal` text, every pair while the kind is not
/// known yet (`Type` after `Details`).
struct DetailsIn {
    present: bool,
    /// One bit per entry of [`KEYS`].
    seen: u32,
    oom_killed: Option<bool>,
    pairs: Packer,
}

impl DetailsIn {
    fn new() -> Self {
        DetailsIn {
            present: false,
            seen: 0,
            oom_killed: None,
            pairs: Packer::new(EVENT_TEXT_CAPACITY),
        }
    }

    fn has(&self, key: &str) -> bool {
        KEYS.iter()
            .position(|known| *known == key)
            .is_some_and(|index| self.seen >> index & 1 != 0)
    }

    /// Takes one pair of an event of `kind` (if known yet): a repeated key is refused
    /// (an unknown one only among the pairs kept: the others are skipped), a known one's
    /// value kept where the kind needs it, and the pairs the kind keeps packed (whole or
    /// left out and cut).
    fn take<E: de::Error>(
        &mut self,
        kind: Option<EventKind>,
        key: &Captured,
        value: &str,
    ) -> Result<(), E> {
        let repeated = Packed(&self.pairs.buf)
            .iter()
            .step_by(2)
            .any(|k| k == key.as_str());
        if repeated {
            return Err(E::custom(DecodeError::DuplicateField("Details")));
        }
        if let Some(index) = KEYS.iter().position(|known| *known == key.as_str()) {
            let bit = 1u32 << index;
            if self.seen & bit != 0 {
                return Err(E::custom(DecodeError::DuplicateField("Details")));
            }
            self.seen |= bit;
        }
        if key.as_str() == "oom_killed" {
            self.oom_killed = Some(match value {
                "true" => true,
                "false" => false,
                other => {
                    return Err(E::invalid_value(
                        de::Unexpected::Str(other),
                        &"\"true\" or \"false\"",
                    ))
                }
            });
        }
        let kept = match kind {
            None | Some(EventKind::Driver) => true,
            Some(EventKind::Signaling) => key.as_str() == "signal",
            Some(_) => false,
        };
        if kept && (key.cut || !self.pairs.push(key.as_str(), Some(value))) {
            self.pairs.cut = true;
        }
        Ok(())
    }
}

/// Reads `Details` into the `DetailsIn` it holds, in place, for an event of the kind
/// (if known yet).
struct DetailsInto<'a>(&'a mut DetailsIn, Option<EventKind>);

impl<'de> DeserializeSeed<'de> for DetailsInto<'_> {
    type Value = ();

    #[inline(never)]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DetailsInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let details = self.0;
        details.present = true;
        let mut key = Captured::default();
        while map.next_key_seed(StrInto(&mut key))?.is_some() {
            map.next_value_seed(StrInto(Pair(&mut *details, self.1, &key)))?;
        }
        Ok(())
    }
}

/// One `Details` value, taken with its key (see [`DetailsIn::take`]).
struct Pair<'a>(&'a mut DetailsIn, Option<EventKind>, &'a Captured);

impl TakeStr for Pair<'_> {
    fn take<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.take(self.1, self.2, v)
    }
}

/// The top-level JSON field of a text key (`Details`' `signal` text has none).
fn text_field(key: Key) -> Option<Field> {
    Some(match key {
        Key::DriverError => Field::DriverError,
        Key::KillError => Field::KillError,
        Key::KillReason => Field::KillReason,
        Key::DownloadError => Field::DownloadError,
        Key::RestartReason => Field::RestartReason,
        Key::ValidationError => Field::ValidationError,
        Key::SetupError => Field::SetupError,
        Key::FailedSibling => Field::FailedSibling,
        Key::TaskSignalReason => Field::TaskSignalReason,
        Key::TaskSignal => Field::TaskSignal,
        Key::ExitCode
        | Key::Signal
        | Key::StartDelay
        | Key::KillTimeout
        | Key::DiskLimit
        | Key::SignalText => return None,
    })
}

/// The top-level text fields `kind` keeps, in the order of its slots, read off its row
/// of [`shape`]: its own text keys, or a driver event's `DriverMessage` (whose other
/// slot is its `Details`). Every other text field is skipped unread.
fn kept_fields(kind: EventKind) -> [Option<Field>; 2] {
    if kind == EventKind::Driver {
        return [Some(Field::DriverMessage), None];
    }
    let mut kept = [None; 2];
    let mut fields = own_keys(kind).iter().filter_map(|key| text_field(*key));
    for place in &mut kept {
        *place = fields.next();
    }
    kept
}

/// Which of the kind's kept texts a text field is.
fn place(kind: EventKind, field: Field) -> Option<usize> {
    kept_fields(kind)
        .iter()
        .position(|kept| matches!(kept, Some(f) if *f as u8 == field as u8))
}

/// Text fields read before `Type` (so before it is known which the kind keeps): each
/// non-empty one as its field code, its length (two bytes) and its bytes, in one
/// event's text capacity and a little. What does not fit is cut, and the cut is
/// visible on the event if the kind keeps that field.
struct Early {
    bytes: heapless::Vec<u8, { EVENT_TEXT_CAPACITY + 16 }, u16>,
    /// One bit per [`Field`] cut here.
    cut: u32,
}

impl Early {
    fn push(&mut self, field: Field, text: &str) {
        let bit = 1u32 << (field as u32);
        let room = self.bytes.capacity().saturating_sub(self.bytes.len());
        let Some(room) = room.checked_sub(3) else {
            self.cut |= bit;
            return;
        };
        let kept = prefix_within(text, room);
        if kept.len() < text.len() {
            self.cut |= bit;
        }
        let len = u16::try_from(kept.len()).unwrap_or(0).to_le_bytes();
        let header = [field as u8, len[0], len[1]];
        if self.bytes.extend_from_slice(&header).is_err()
            || self.bytes.extend_from_slice(kept.as_bytes()).is_err()
        {
            self.cut |= bit;
        }
    }

    /// The entries, in the order read.
    fn entries(&self) -> impl Iterator<Item = (u8, &str)> {
        let mut rest = self.bytes.as_slice();
        core::iter::from_fn(move || {
            let (&[code, low, high], tail) = rest.split_first_chunk::<3>()?;
            let len = usize::from(u16::from_le_bytes([low, high]));
            let (text, tail) = tail.split_at_checked(len)?;
            rest = tail;
            Some((code, core::str::from_utf8(text).unwrap_or("")))
        })
    }
}

/// One JSON event as it is read: only what its kind keeps once `Type` is known.
struct Raw {
    kind: Option<EventKind>,
    time: Option<i64>,
    message: Captured,
    /// Whether `Message` was there (it sets its `Details` key's setter).
    has_message: bool,
    /// `DisplayMessage`, held to be compared with the computed one (see [`Heard`]).
    display: Heard,
    details: DetailsIn,
    fails_task: bool,
    /// The kind's kept text fields (see [`kept_fields`]); an `Unknown` kind's type string
    /// in the first.
    texts: [Captured; 2],
    early: Early,
    exit_code: i32,
    signal: i32,
    kill_timeout: i64,
    start_delay: i64,
    disk_limit: i64,
}

impl Raw {
    fn new() -> Self {
        Raw {
            kind: None,
            time: None,
            message: Captured::default(),
            has_message: false,
            display: Heard::default(),
            details: DetailsIn::new(),
            fails_task: false,
            texts: [Captured::default(), Captured::default()],
            early: Early {
                bytes: heapless::Vec::new(),
                cut: 0,
            },
            exit_code: 0,
            signal: 0,
            kill_timeout: 0,
            start_delay: 0,
            disk_limit: 0,
        }
    }

    /// `Type` is known: the text fields read before it that the kind keeps take their
    /// places.
    fn typed(&mut self, kind: EventKind) {
        self.kind = Some(kind);
        for (code, text) in self.early.entries() {
            let Some(field) = Field::ALL.get(usize::from(code)).copied() else {
                continue;
            };
            if let Some(place) = place(kind, field).and_then(|i| self.texts.get_mut(i)) {
                place.capture(text);
            }
        }
        // A kept field cut here, or left out for want of room, says so.
        for (kept, place) in kept_fields(kind).iter().zip(&mut self.texts) {
            if let Some(field) = kept {
                place.cut |= self.early.cut >> (*field as u32) & 1 != 0;
            }
        }
        self.early.bytes.clear();
    }

    /// The one numeric value `kind` keeps (`StartDelay`, `KillTimeout`, `DiskLimit` or the
    /// exit code), read off its keys.
    fn value(&self, kind: EventKind) -> i64 {
        own_keys(kind)
            .iter()
            .find_map(|key| match key {
                Key::ExitCode => Some(i64::from(self.exit_code)),
                Key::StartDelay => Some(self.start_delay),
                Key::KillTimeout => Some(self.kill_timeout),
                Key::DiskLimit => Some(self.disk_limit),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// Builds the event in `out` (by reference: `Raw` stays where it was read). Not
    /// inlined, so that its frame and the `Details` reader's are not both in the caller's.
    #[inline(never)]
    fn write_into<E: de::Error>(&mut self, out: &mut TaskEvent) -> Result<(), E> {
        let kind = self.kind.ok_or_else(|| E::missing_field("Type"))?;
        let time = self.time.ok_or_else(|| E::missing_field("Time"))?;
        let [first, second] = &self.texts;
        let details = &self.details;
        let numbers = Numbers {
            value: self.value(kind),
            signal: self.signal,
            oom_killed: Oom::of(details.oom_killed),
        };
        let (detail, second_cut) = if kind == EventKind::Signaling {
            // Its `signal` text is the one pair kept; the constructor packs it with the
            // reason, each whole or empty (then cut).
            let signal = Annotations(Packed(&details.pairs.buf)).get("signal");
            let lost = signal.is_none() && details.has("signal");
            let detail = Detail::Signaling {
                task_signal: first.as_str(),
                task_signal_reason: second.as_str(),
                signal: signal.unwrap_or(""),
            };
            (detail, second.cut || lost)
        } else if shape(kind).layout.packed() {
            let packed = details.pairs.buf.as_str();
            let detail = Detail::assemble(kind, numbers, first.as_str(), packed, false);
            (detail, details.pairs.cut)
        } else {
            let detail = Detail::assemble(kind, numbers, first.as_str(), second.as_str(), false);
            (detail, second.cut)
        };
        out.set_to(time, detail);
        if self.has_message {
            out.texts.set(Slot::Message, self.message.as_str());
        }
        out.head = out.head.with_fails_task(self.fails_task);
        let cuts = [
            (first.cut, Slot::First),
            (second_cut, Slot::Second),
            (self.message.cut, Slot::Message),
        ];
        for (cut, slot) in cuts {
            if cut {
                out.texts.mark_truncated(slot);
            }
        }
        // What `Details` said, kept key by key.
        let mut keys = Keys::default().with(Keys::NULL, !details.present);
        if kind != EventKind::Driver {
            keys = keys
                .with(Keys::FAILS_TASK, details.has("fails_task"))
                .with(Keys::MESSAGE, details.has(message_key(kind)));
            for (index, key) in own_keys(kind).iter().enumerate() {
                keys = keys.with(Keys::annotation(index), details.has(key.name()));
            }
        }
        out.head = out.head.with_keys(keys);
        Ok(())
    }

    /// Keeps the `DisplayMessage` read as an override unless it is the one computed from
    /// the event built. Not inlined, and called after [`write_into`](Raw::write_into)
    /// returned: the comparison formats the computed message (formatters nested in
    /// formatters), and its frames must not stack on `write_into`'s.
    #[inline(never)]
    fn display_into(&self, out: &mut TaskEvent) {
        let head = &self.display.head;
        if !head.as_str().is_empty() && !self.display.is_computed(out) {
            out.texts.set(Slot::Display, head.as_str());
            if head.cut {
                out.texts.mark_truncated(Slot::Display);
            }
        }
    }
}

/// `Type`, read into the event being read: its kind, and an unknown one's type string.
struct TypeField<'a>(&'a mut Raw);

impl TakeStr for TypeField<'_> {
    const EXPECTING: &'static str = "an event type string";

    fn take<E: de::Error>(self, v: &str) -> Result<(), E> {
        let kind = EventKind::from_type_str(v);
        self.0.typed(kind);
        if kind == EventKind::Unknown {
            if let Some(first) = self.0.texts.first_mut() {
                first.capture(v);
            }
        }
        Ok(())
    }
}

/// A text field, read into the event being read: into its place if the kind keeps it,
/// kept aside if `Type` is not known yet, else skipped.
struct TextField<'a>(&'a mut Raw, Field);

impl TakeStr for TextField<'_> {
    fn take<E: de::Error>(self, v: &str) -> Result<(), E> {
        let TextField(raw, field) = self;
        match raw.kind {
            Some(kind) => {
                if let Some(place) = place(kind, field).and_then(|i| raw.texts.get_mut(i)) {
                    place.capture(v);
                }
            }
            None if !v.is_empty() => raw.early.push(field, v),
            None => {}
        }
        Ok(())
    }
}

/// Reads one JSON event into the event it holds (a ring slot).
pub(crate) struct EventInto<'a>(pub(crate) &'a mut TaskEvent);

impl<'de> DeserializeSeed<'de> for EventInto<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Nomad task event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut raw = Raw::new();
        let mut seen = 0;
        while let Some(field) = map.next_key::<Field>()? {
            if let Some(name) = field.repeated_in(&mut seen) {
                return Err(de::Error::custom(DecodeError::DuplicateField(name)));
            }
            match field {
                Field::Type => map.next_value_seed(StrInto(TypeField(&mut raw)))?,
                Field::Time => raw.time = Some(map.next_value()?),
                Field::Message => {
                    map.next_value_seed(StrInto(&mut raw.message))?;
                    raw.has_message = true;
                }
                Field::DisplayMessage => map.next_value_seed(StrInto(&mut raw.display))?,
                Field::Details => {
                    let kind = raw.kind;
                    map.next_value_seed(OrNull(DetailsInto(&mut raw.details, kind)))?;
                }
                Field::FailsTask => raw.fails_task = map.next_value()?,
                Field::ExitCode => raw.exit_code = map.next_value()?,
                Field::Signal => raw.signal = map.next_value()?,
                Field::KillTimeout => raw.kill_timeout = map.next_value()?,
                Field::StartDelay => raw.start_delay = map.next_value()?,
                Field::DiskLimit => raw.disk_limit = map.next_value()?,
                Field::RestartReason
                | Field::SetupError
                | Field::DriverError
                | Field::KillError
                | Field::KillReason
                | Field::DownloadError
                | Field::ValidationError
                | Field::FailedSibling
                | Field::TaskSignalReason
                | Field::TaskSignal
                | Field::DriverMessage => {
                    map.next_value_seed(StrInto(TextField(&mut raw, field)))?
                }
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        raw.write_into(self.0)?;
        raw.display_into(self.0);
        Ok(())
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TaskEvent, D::Error> {
    let mut event = TaskEvent::BLANK;
    EventInto(&mut event).deserialize(d)?;
    Ok(event)
}
