//! One task event in Nomad's JSON shape.

use core::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};

use super::capture::Captured;
use super::flat::{message_key, Details, Flat, KEYS};
use crate::display::computed_matches;
use crate::error::DecodeError;
use crate::event::{own_keys, Detail, TaskEvent};
use crate::head::Keys;
use crate::kind::EventKind;
use crate::text::{Packed, Packer, Slot, EVENT_TEXT_CAPACITY};

/// Writes a `Display` value as a JSON string without allocating.
struct Shown<T>(T);

impl<T: fmt::Display> serde::Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

pub(crate) fn serialize<S: Serializer>(event: &TaskEvent, s: S) -> Result<S::Ok, S::Error> {
    let flat = Flat::of(event);
    let mut st = s.serialize_struct("TaskEvent", 24)?;
    st.serialize_field("Type", event.type_str())?;
    st.serialize_field("Time", &event.time())?;
    st.serialize_field("Message", event.message())?;
    st.serialize_field("DisplayMessage", &Shown(event.display_message()))?;
    st.serialize_field("Details", &Details(event))?;
    st.serialize_field("FailsTask", &event.fails_task())?;
    st.serialize_field("RestartReason", flat.restart_reason)?;
    st.serialize_field("SetupError", flat.setup_error)?;
    st.serialize_field("DriverError", flat.driver_error)?;
    st.serialize_field("ExitCode", &flat.exit_code)?;
    st.serialize_field("Signal", &flat.signal)?;
    st.serialize_field("KillTimeout", &flat.kill_timeout)?;
    st.serialize_field("KillError", flat.kill_error)?;
    st.serialize_field("KillReason", flat.kill_reason)?;
    st.serialize_field("StartDelay", &flat.start_delay)?;
    st.serialize_field("DownloadError", flat.download_error)?;
    st.serialize_field("ValidationError", flat.validation_error)?;
    st.serialize_field("DiskLimit", &flat.disk_limit)?;
    st.serialize_field("FailedSibling", flat.failed_sibling)?;
    st.serialize_field("VaultError", "")?;
    st.serialize_field("TaskSignalReason", flat.task_signal_reason)?;
    st.serialize_field("TaskSignal", flat.task_signal)?;
    st.serialize_field("DriverMessage", flat.driver_message)?;
    st.serialize_field("GenericSource", "")?;
    st.end()
}

/// The event fields this crate reads; every other is skipped.
#[derive(Clone, Copy)]
enum Field {
    Type,
    Time,
    Message,
    DisplayMessage,
    Details,
    FailsTask,
    RestartReason,
    SetupError,
    DriverError,
    ExitCode,
    Signal,
    KillTimeout,
    KillError,
    KillReason,
    StartDelay,
    DownloadError,
    ValidationError,
    DiskLimit,
    FailedSibling,
    TaskSignalReason,
    TaskSignal,
    DriverMessage,
    Other,
}

impl Field {
    /// The field's name, for a duplicate; `None` for the skipped ones.
    fn name(self) -> Option<&'static str> {
        Some(match self {
            Field::Type => "Type",
            Field::Time => "Time",
            Field::Message => "Message",
            Field::DisplayMessage => "DisplayMessage",
            Field::Details => "Details",
            Field::FailsTask => "FailsTask",
            Field::RestartReason => "RestartReason",
            Field::SetupError => "SetupError",
            Field::DriverError => "DriverError",
            Field::ExitCode => "ExitCode",
            Field::Signal => "Signal",
            Field::KillTimeout => "KillTimeout",
            Field::KillError => "KillError",
            Field::KillReason => "KillReason",
            Field::StartDelay => "StartDelay",
            Field::DownloadError => "DownloadError",
            Field::ValidationError => "ValidationError",
            Field::DiskLimit => "DiskLimit",
            Field::FailedSibling => "FailedSibling",
            Field::TaskSignalReason => "TaskSignalReason",
            Field::TaskSignal => "TaskSignal",
            Field::DriverMessage => "DriverMessage",
            Field::Other => return None,
        })
    }
}

struct FieldVisitor;

impl Visitor<'_> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a task event field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
        Ok(match v {
            "Type" => Field::Type,
            "Time" => Field::Time,
            "Message" => Field::Message,
            "DisplayMessage" => Field::DisplayMessage,
            "Details" => Field::Details,
            "FailsTask" => Field::FailsTask,
            "RestartReason" => Field::RestartReason,
            "SetupError" => Field::SetupError,
            "DriverError" => Field::DriverError,
            "ExitCode" => Field::ExitCode,
            "Signal" => Field::Signal,
            "KillTimeout" => Field::KillTimeout,
            "KillError" => Field::KillError,
            "KillReason" => Field::KillReason,
            "StartDelay" => Field::StartDelay,
            "DownloadError" => Field::DownloadError,
            "ValidationError" => Field::ValidationError,
            "DiskLimit" => Field::DiskLimit,
            "FailedSibling" => Field::FailedSibling,
            "TaskSignalReason" => Field::TaskSignalReason,
            "TaskSignal" => Field::TaskSignal,
            "DriverMessage" => Field::DriverMessage,
            _ => Field::Other,
        })
    }
}

impl<'de> serde::Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_identifier(FieldVisitor)
    }
}

/// `Details` as read: `null` (or absent), which keys it had, the values only it
/// carries, and every pair packed, in case the event is a `Driver` one (whose `Details`
/// are the driver's annotations).
#[derive(Default)]
struct DetailsIn {
    present: bool,
    /// One bit per entry of [`KEYS`].
    seen: u32,
    oom_killed: Option<bool>,
    signal: Captured,
    pairs: Captured,
}

impl DetailsIn {
    fn has(&self, key: &str) -> bool {
        KEYS.iter()
            .position(|known| *known == key)
            .is_some_and(|index| self.seen >> index & 1 != 0)
    }
}

impl<'de> serde::Deserialize<'de> for DetailsIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(DetailsVisitor)
    }
}

struct DetailsVisitor;

impl<'de> Visitor<'de> for DetailsVisitor {
    type Value = DetailsIn;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of strings or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<DetailsIn, E> {
        Ok(DetailsIn::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<DetailsIn, E> {
        Ok(DetailsIn::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<DetailsIn, D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DetailsIn, A::Error> {
        let mut details = DetailsIn {
            present: true,
            ..DetailsIn::default()
        };
        let mut packer = Packer::new(EVENT_TEXT_CAPACITY);
        while let Some(key) = map.next_key::<Captured>()? {
            let value = map.next_value::<Captured>()?;
            let duplicate = Packed(&packer.buf)
                .iter()
                .step_by(2)
                .any(|k| k == key.as_str());
            if duplicate {
                return Err(de::Error::custom(DecodeError::DuplicateField("Details")));
            }
            if let Some(index) = KEYS.iter().position(|known| *known == key.as_str()) {
                let bit = 1u32 << index;
                if details.seen & bit != 0 {
                    return Err(de::Error::custom(DecodeError::DuplicateField("Details")));
                }
                details.seen |= bit;
            }
            match key.as_str() {
                "oom_killed" => {
                    details.oom_killed = Some(match value.as_str() {
                        "true" => true,
                        "false" => false,
                        other => {
                            return Err(de::Error::invalid_value(
                                de::Unexpected::Str(other),
                                &"\"true\" or \"false\"",
                            ))
                        }
                    });
                }
                "signal" => details.signal = Captured::of(value.as_str()),
                _ => {}
            }
            if key.cut || value.cut || !packer.push(key.as_str(), Some(value.as_str())) {
                packer.cut = true;
            }
        }
        details.pairs = Captured::of(&packer.buf);
        details.pairs.cut = packer.cut;
        Ok(details)
    }
}

/// Room for a `DisplayMessage` as long as any message computed from an event's kept text
/// can be (the worst is `Terminated`'s quoted exit message, each byte at most four), so
/// an incoming one is compared with the computed one exactly: one longer than this
/// cannot be it.
const DISPLAY_CAPTURE: usize = 4 * EVENT_TEXT_CAPACITY + 64;

/// The raw fields of one JSON event, before they become a typed event.
#[derive(Default)]
struct Raw {
    type_name: Option<Captured>,
    time: Option<i64>,
    message: Option<Captured>,
    display: Captured<DISPLAY_CAPTURE>,
    details: DetailsIn,
    fails_task: bool,
    restart_reason: Captured,
    setup_error: Captured,
    driver_error: Captured,
    exit_code: i32,
    signal: i32,
    kill_timeout: i64,
    kill_error: Captured,
    kill_reason: Captured,
    start_delay: i64,
    download_error: Captured,
    validation_error: Captured,
    disk_limit: i64,
    failed_sibling: Captured,
    task_signal_reason: Captured,
    task_signal: Captured,
    driver_message: Captured,
}

impl Raw {
    /// The strings the kind keeps in its first slot and (unpacked) second slot, as read.
    fn sources(&self, kind: EventKind) -> [Option<&Captured>; 3] {
        use EventKind as K;
        match kind {
            K::DriverFailure => [Some(&self.driver_error), None, None],
            K::Killed => [Some(&self.kill_error), Some(&self.kill_reason), None],
            K::FailedValidation => [Some(&self.validation_error), None, None],
            K::Restarting | K::NotRestarting | K::RestartSignaled => {
                [Some(&self.restart_reason), None, None]
            }
            K::FailedArtifactDownload => [Some(&self.download_error), None, None],
            K::Killing => [Some(&self.kill_reason), None, None],
            K::SetupFailure => [Some(&self.setup_error), Some(&self.kill_reason), None],
            K::Signaling => [
                Some(&self.task_signal),
                Some(&self.task_signal_reason),
                Some(&self.details.signal),
            ],
            K::SiblingTaskFailed => [Some(&self.failed_sibling), None, None],
            K::Driver => [Some(&self.driver_message), Some(&self.details.pairs), None],
            K::Unknown => [self.type_name.as_ref(), None, None],
            _ => [None, None, None],
        }
    }

    fn into_event<E: de::Error>(self) -> Result<TaskEvent, E> {
        let type_name = self
            .type_name
            .as_ref()
            .ok_or_else(|| E::missing_field("Type"))?;
        let time = self.time.ok_or_else(|| E::missing_field("Time"))?;
        let kind = EventKind::from_type_str(type_name.as_str());
        fn text(c: &Captured) -> &str {
            c.as_str()
        }
        let detail = match kind {
            EventKind::DriverFailure => Detail::DriverFailure {
                driver_error: text(&self.driver_error),
            },
            EventKind::Terminated => Detail::Terminated {
                exit_code: self.exit_code,
                signal: self.signal,
                oom_killed: self.details.oom_killed,
            },
            EventKind::Killed => Detail::Killed {
                kill_error: text(&self.kill_error),
                kill_reason: text(&self.kill_reason),
            },
            EventKind::FailedValidation => Detail::FailedValidation {
                validation_error: text(&self.validation_error),
            },
            EventKind::Restarting => Detail::Restarting {
                start_delay: self.start_delay,
                restart_reason: text(&self.restart_reason),
            },
            EventKind::NotRestarting => Detail::NotRestarting {
                restart_reason: text(&self.restart_reason),
            },
            EventKind::RestartSignaled => Detail::RestartSignaled {
                restart_reason: text(&self.restart_reason),
            },
            EventKind::FailedArtifactDownload => Detail::FailedArtifactDownload {
                download_error: text(&self.download_error),
            },
            EventKind::Killing => Detail::Killing {
                kill_timeout: self.kill_timeout,
                kill_reason: text(&self.kill_reason),
            },
            EventKind::SetupFailure => Detail::SetupFailure {
                setup_error: text(&self.setup_error),
                kill_reason: text(&self.kill_reason),
            },
            EventKind::Signaling => Detail::Signaling {
                task_signal: text(&self.task_signal),
                task_signal_reason: text(&self.task_signal_reason),
                signal: text(&self.details.signal),
            },
            EventKind::SiblingTaskFailed => Detail::SiblingTaskFailed {
                failed_sibling: text(&self.failed_sibling),
            },
            EventKind::Driver => Detail::Driver {
                driver_message: text(&self.driver_message),
                annotations: None,
            },
            EventKind::DiskResourcesExceeded => Detail::DiskResourcesExceeded {
                disk_limit: self.disk_limit,
            },
            EventKind::Unknown => Detail::Unknown {
                type_name: type_name.as_str(),
            },
            known => Detail::empty(known),
        };
        let mut event = TaskEvent::new(time, detail);
        if kind == EventKind::Driver && self.details.present {
            let mut pairs = Packed(self.details.pairs.as_str()).iter();
            while let (Some(key), Some(value)) = (pairs.next(), pairs.next()) {
                event = event.with_annotation(key, value);
            }
        }
        if let Some(message) = &self.message {
            event = event.with_message(message.as_str());
        }
        event = event.with_fails_task_set(self.fails_task);
        let sources = self.sources(kind);
        for (source, slot) in sources
            .iter()
            .zip([Slot::First, Slot::Second, Slot::Second])
        {
            if source.is_some_and(|c| c.cut) {
                event.texts.mark_truncated(slot);
            }
        }
        if self.message.as_ref().is_some_and(|m| m.cut) {
            event.texts.mark_truncated(Slot::Message);
        }
        // What `Details` said, kept key by key.
        let details = &self.details;
        let mut keys = Keys::default().with(Keys::NULL, !details.present);
        if kind != EventKind::Driver {
            keys = keys
                .with(Keys::FAILS_TASK, details.has("fails_task"))
                .with(Keys::MESSAGE, details.has(message_key(kind)));
            for (index, key) in own_keys(kind).iter().enumerate() {
                keys = keys.with(Keys::annotation(index), details.has(key.name()));
            }
        }
        event.head = event.head.with_keys(keys);
        let display = &self.display;
        if !display.as_str().is_empty()
            && (display.cut || !computed_matches(&event, display.as_str()))
        {
            event = event.with_display_message(display.as_str());
            if display.cut {
                event.texts.mark_truncated(Slot::Display);
            }
        }
        Ok(event)
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = TaskEvent;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Nomad task event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TaskEvent, A::Error> {
        let mut raw = Raw::default();
        let mut seen = 0u32;
        while let Some(field) = map.next_key::<Field>()? {
            if let Some(name) = field.name() {
                let bit = 1u32 << (field as u32);
                if seen & bit != 0 {
                    return Err(de::Error::custom(DecodeError::DuplicateField(name)));
                }
                seen |= bit;
            }
            match field {
                Field::Type => raw.type_name = Some(map.next_value()?),
                Field::Time => raw.time = Some(map.next_value()?),
                Field::Message => raw.message = Some(map.next_value()?),
                Field::DisplayMessage => raw.display = map.next_value()?,
                Field::Details => raw.details = map.next_value()?,
                Field::FailsTask => raw.fails_task = map.next_value()?,
                Field::RestartReason => raw.restart_reason = map.next_value()?,
                Field::SetupError => raw.setup_error = map.next_value()?,
                Field::DriverError => raw.driver_error = map.next_value()?,
                Field::ExitCode => raw.exit_code = map.next_value()?,
                Field::Signal => raw.signal = map.next_value()?,
                Field::KillTimeout => raw.kill_timeout = map.next_value()?,
                Field::KillError => raw.kill_error = map.next_value()?,
                Field::KillReason => raw.kill_reason = map.next_value()?,
                Field::StartDelay => raw.start_delay = map.next_value()?,
                Field::DownloadError => raw.download_error = map.next_value()?,
                Field::ValidationError => raw.validation_error = map.next_value()?,
                Field::DiskLimit => raw.disk_limit = map.next_value()?,
                Field::FailedSibling => raw.failed_sibling = map.next_value()?,
                Field::TaskSignalReason => raw.task_signal_reason = map.next_value()?,
                Field::TaskSignal => raw.task_signal = map.next_value()?,
                Field::DriverMessage => raw.driver_message = map.next_value()?,
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        raw.into_event()
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TaskEvent, D::Error> {
    d.deserialize_map(EventVisitor)
}
