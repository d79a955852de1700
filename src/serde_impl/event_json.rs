//! One task event in Nomad's JSON shape.

use core::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};

use super::capture::{CaptureInto, Captured, Fingerprint};
use super::flat::{Details, Flat};
use crate::display::{computed_matches, write_computed};
use crate::event::{Detail, TaskEvent};
use crate::kind::EventKind;

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

/// `Details`: only `oom_killed` has no flat field, so only it is read.
struct OomKilled(Option<bool>);

impl<'de> serde::Deserialize<'de> for OomKilled {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(OomVisitor)
    }
}

struct OomVisitor;

impl<'de> Visitor<'de> for OomVisitor {
    type Value = OomKilled;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of strings")
    }

    fn visit_none<E: de::Error>(self) -> Result<OomKilled, E> {
        Ok(OomKilled(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<OomKilled, E> {
        Ok(OomKilled(None))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<OomKilled, D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OomKilled, A::Error> {
        let mut oom = None;
        while let Some(key) = map.next_key::<Captured>()? {
            if key.as_str() == "oom_killed" {
                let value = map.next_value::<Captured>()?;
                oom = match value.as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    other => {
                        return Err(de::Error::invalid_value(
                            de::Unexpected::Str(other),
                            &"\"true\" or \"false\"",
                        ))
                    }
                };
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(OomKilled(oom))
    }
}

/// The raw fields of one JSON event, before they become a typed event.
#[derive(Default)]
struct Raw {
    type_name: Option<Captured>,
    time: Option<i64>,
    message: Captured,
    display: Captured,
    oom_killed: Option<bool>,
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
    /// By reference: `Raw` is large, so it stays where it was read.
    fn to_event<E: de::Error>(&self) -> Result<TaskEvent, E> {
        let type_name = self
            .type_name
            .as_ref()
            .ok_or_else(|| E::missing_field("Type"))?;
        let time = self.time.ok_or_else(|| E::missing_field("Time"))?;
        let kind = EventKind::from_type_str(type_name.as_str());
        let detail = match kind {
            EventKind::DriverFailure => Detail::DriverFailure {
                driver_error: self.driver_error.as_str(),
            },
            EventKind::Terminated => Detail::Terminated {
                exit_code: self.exit_code,
                signal: self.signal,
                oom_killed: self.oom_killed,
            },
            EventKind::Killed => Detail::Killed {
                kill_error: self.kill_error.as_str(),
                kill_reason: self.kill_reason.as_str(),
            },
            EventKind::FailedValidation => Detail::FailedValidation {
                validation_error: self.validation_error.as_str(),
            },
            EventKind::Restarting => Detail::Restarting {
                start_delay: self.start_delay,
                restart_reason: self.restart_reason.as_str(),
            },
            EventKind::NotRestarting => Detail::NotRestarting {
                restart_reason: self.restart_reason.as_str(),
            },
            EventKind::RestartSignaled => Detail::RestartSignaled {
                restart_reason: self.restart_reason.as_str(),
            },
            EventKind::FailedArtifactDownload => Detail::FailedArtifactDownload {
                download_error: self.download_error.as_str(),
            },
            EventKind::Killing => Detail::Killing {
                kill_timeout: self.kill_timeout,
                kill_reason: self.kill_reason.as_str(),
            },
            EventKind::SetupFailure => Detail::SetupFailure {
                setup_error: self.setup_error.as_str(),
            },
            EventKind::Signaling => Detail::Signaling {
                task_signal: self.task_signal.as_str(),
                task_signal_reason: self.task_signal_reason.as_str(),
            },
            EventKind::SiblingTaskFailed => Detail::SiblingTaskFailed {
                failed_sibling: self.failed_sibling.as_str(),
            },
            EventKind::Driver => Detail::Driver {
                driver_message: self.driver_message.as_str(),
            },
            EventKind::DiskResourcesExceeded => Detail::DiskResourcesExceeded {
                disk_limit: self.disk_limit,
            },
            EventKind::Unknown => Detail::Unknown {
                type_name: type_name.as_str(),
            },
            known => Detail::empty(known),
        };
        let used_cut = [
            type_name,
            &self.message,
            &self.restart_reason,
            &self.setup_error,
            &self.driver_error,
            &self.kill_error,
            &self.kill_reason,
            &self.download_error,
            &self.validation_error,
            &self.failed_sibling,
            &self.task_signal_reason,
            &self.task_signal,
            &self.driver_message,
        ]
        .iter()
        .any(|c| c.cut);
        let mut event = TaskEvent::new(time, detail)
            .with_message(self.message.as_str())
            .with_fails_task_set(self.fails_task);
        let display = &self.display;
        if !display.as_str().is_empty() && !is_computed(&event, display) {
            event = event.with_display_message(display.as_str());
            if display.cut {
                event.texts.mark_truncated();
            }
        }
        if used_cut {
            event.texts.mark_truncated();
        }
        Ok(event)
    }
}

/// Whether an incoming `DisplayMessage` is the one the event computes anyway. One longer
/// than the text capacity arrives cut; it is recognised by its length and hash.
fn is_computed(event: &TaskEvent, display: &Captured) -> bool {
    if !display.cut {
        return computed_matches(event, display.as_str());
    }
    let mut computed = Fingerprint::default();
    write_computed(event, &mut computed).is_ok() && computed == display.whole
}

/// Reads a text field into its slot of `Raw`. Not inlined: every text field shares this
/// one frame instead of each match arm keeping a temporary of its own.
#[inline(never)]
fn capture<'de, A: MapAccess<'de>>(map: &mut A, slot: &mut Captured) -> Result<(), A::Error> {
    map.next_value_seed(CaptureInto(slot))
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = TaskEvent;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Nomad task event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TaskEvent, A::Error> {
        let mut raw = Raw::default();
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Type => raw.type_name = Some(map.next_value()?),
                Field::Time => raw.time = Some(map.next_value()?),
                Field::Message => capture(&mut map, &mut raw.message)?,
                Field::DisplayMessage => capture(&mut map, &mut raw.display)?,
                Field::Details => raw.oom_killed = map.next_value::<OomKilled>()?.0,
                Field::FailsTask => raw.fails_task = map.next_value()?,
                Field::RestartReason => capture(&mut map, &mut raw.restart_reason)?,
                Field::SetupError => capture(&mut map, &mut raw.setup_error)?,
                Field::DriverError => capture(&mut map, &mut raw.driver_error)?,
                Field::ExitCode => raw.exit_code = map.next_value()?,
                Field::Signal => raw.signal = map.next_value()?,
                Field::KillTimeout => raw.kill_timeout = map.next_value()?,
                Field::KillError => capture(&mut map, &mut raw.kill_error)?,
                Field::KillReason => capture(&mut map, &mut raw.kill_reason)?,
                Field::StartDelay => raw.start_delay = map.next_value()?,
                Field::DownloadError => capture(&mut map, &mut raw.download_error)?,
                Field::ValidationError => capture(&mut map, &mut raw.validation_error)?,
                Field::DiskLimit => raw.disk_limit = map.next_value()?,
                Field::FailedSibling => capture(&mut map, &mut raw.failed_sibling)?,
                Field::TaskSignalReason => capture(&mut map, &mut raw.task_signal_reason)?,
                Field::TaskSignal => capture(&mut map, &mut raw.task_signal)?,
                Field::DriverMessage => capture(&mut map, &mut raw.driver_message)?,
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        raw.to_event()
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TaskEvent, D::Error> {
    d.deserialize_map(EventVisitor)
}
