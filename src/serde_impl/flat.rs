//! An event's annotations spread into Nomad's flat field set, and its `Details` map.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::duration::GoDuration;
use crate::event::{Detail, TaskEvent};
use crate::kind::EventKind;

/// Every field of Nomad's `TaskEvent` that this crate keeps, zero where the kind does not
/// use it.
#[derive(Default)]
pub(crate) struct Flat<'a> {
    pub(crate) restart_reason: &'a str,
    pub(crate) setup_error: &'a str,
    pub(crate) driver_error: &'a str,
    pub(crate) exit_code: i32,
    pub(crate) signal: i32,
    pub(crate) oom_killed: Option<bool>,
    pub(crate) kill_timeout: i64,
    pub(crate) kill_error: &'a str,
    pub(crate) kill_reason: &'a str,
    pub(crate) start_delay: i64,
    pub(crate) download_error: &'a str,
    pub(crate) validation_error: &'a str,
    pub(crate) disk_limit: i64,
    pub(crate) failed_sibling: &'a str,
    pub(crate) task_signal_reason: &'a str,
    pub(crate) task_signal: &'a str,
    pub(crate) driver_message: &'a str,
}

impl<'a> Flat<'a> {
    pub(crate) fn of(event: &'a TaskEvent) -> Flat<'a> {
        let mut flat = Flat::default();
        match event.detail() {
            Detail::DriverFailure { driver_error } => flat.driver_error = driver_error,
            Detail::Terminated {
                exit_code,
                signal,
                oom_killed,
            } => {
                flat.exit_code = exit_code;
                flat.signal = signal;
                flat.oom_killed = oom_killed;
            }
            Detail::Killed {
                kill_error,
                kill_reason,
            } => {
                flat.kill_error = kill_error;
                flat.kill_reason = kill_reason;
            }
            Detail::FailedValidation { validation_error } => {
                flat.validation_error = validation_error;
            }
            Detail::Restarting {
                start_delay,
                restart_reason,
            } => {
                flat.start_delay = start_delay;
                flat.restart_reason = restart_reason;
            }
            Detail::NotRestarting { restart_reason }
            | Detail::RestartSignaled { restart_reason } => flat.restart_reason = restart_reason,
            Detail::FailedArtifactDownload { download_error } => {
                flat.download_error = download_error;
            }
            Detail::Killing {
                kill_timeout,
                kill_reason,
            } => {
                flat.kill_timeout = kill_timeout;
                flat.kill_reason = kill_reason;
            }
            Detail::SetupFailure { setup_error } => flat.setup_error = setup_error,
            Detail::Signaling {
                task_signal,
                task_signal_reason,
            } => {
                flat.task_signal = task_signal;
                flat.task_signal_reason = task_signal_reason;
            }
            Detail::SiblingTaskFailed { failed_sibling } => flat.failed_sibling = failed_sibling,
            Detail::Driver { driver_message } => flat.driver_message = driver_message,
            Detail::DiskResourcesExceeded { disk_limit } => flat.disk_limit = disk_limit,
            _ => {}
        }
        flat
    }
}

/// One `Details` value: Nomad stores every value as a string.
#[derive(Clone, Copy)]
enum Value<'a> {
    Text(&'a str),
    Int(i64),
    Duration(i64),
    Bool(bool),
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Value::Text(text) => s.serialize_str(text),
            Value::Int(n) => s.collect_str(&n),
            Value::Duration(ns) => s.collect_str(&GoDuration(ns)),
            Value::Bool(b) => s.serialize_str(if b { "true" } else { "false" }),
        }
    }
}

/// The `Details` map Nomad's setters write for the set fields, keys sorted as Go's
/// `encoding/json` writes a map.
pub(crate) struct Details<'a>(pub(crate) &'a TaskEvent);

impl Serialize for Details<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let event = self.0;
        let flat = Flat::of(event);
        let kind = event.kind();
        let terminated = kind == EventKind::Terminated;
        fn nonempty(t: &str) -> Option<Value<'_>> {
            (!t.is_empty()).then_some(Value::Text(t))
        }
        let message = event.message();
        // Already in sorted key order.
        let entries: [(&str, Option<Value<'_>>); 20] = [
            (
                "disk_limit",
                (flat.disk_limit != 0).then_some(Value::Int(flat.disk_limit)),
            ),
            ("download_error", nonempty(flat.download_error)),
            ("driver_error", nonempty(flat.driver_error)),
            ("driver_message", nonempty(flat.driver_message)),
            (
                "exit_code",
                terminated.then_some(Value::Int(i64::from(flat.exit_code))),
            ),
            (
                "exit_message",
                if terminated { nonempty(message) } else { None },
            ),
            ("failed_sibling", nonempty(flat.failed_sibling)),
            (
                "fails_task",
                event.fails_task().then_some(Value::Bool(true)),
            ),
            ("kill_error", nonempty(flat.kill_error)),
            ("kill_reason", nonempty(flat.kill_reason)),
            (
                "kill_timeout",
                (flat.kill_timeout != 0).then_some(Value::Duration(flat.kill_timeout)),
            ),
            ("message", if terminated { None } else { nonempty(message) }),
            ("oom_killed", flat.oom_killed.map(Value::Bool)),
            ("restart_reason", nonempty(flat.restart_reason)),
            ("setup_error", nonempty(flat.setup_error)),
            (
                "signal",
                terminated.then_some(Value::Int(i64::from(flat.signal))),
            ),
            (
                "start_delay",
                (kind == EventKind::Restarting).then_some(Value::Int(flat.start_delay)),
            ),
            ("task_signal", nonempty(flat.task_signal)),
            ("task_signal_reason", nonempty(flat.task_signal_reason)),
            ("validation_error", nonempty(flat.validation_error)),
        ];
        let len = entries.iter().filter(|(_, v)| v.is_some()).count();
        let mut map = s.serialize_map(Some(len))?;
        for (key, value) in entries {
            if let Some(value) = value {
                map.serialize_entry(key, &value)?;
            }
        }
        map.end()
    }
}
