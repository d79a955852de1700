//! An event's annotations spread into Nomad's flat field set, and its `Details` map.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::event::{Detail, TaskEvent, Value};
use crate::go::GoDuration;
use crate::head::Keys;
use crate::kind::own_keys;
use crate::kind::{kind_rows, EventKind};

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

/// Sets the flat field a `Detail` field fills, by the field's type in the kinds' lines:
/// `Signaling`'s `signal` (`DetailsText`, in `Details` only) and a driver's annotations
/// have none.
macro_rules! set_flat {
    ($flat:ident, $field:ident, DetailsText) => {
        let _ = $field;
    };
    ($flat:ident, $field:ident, OptionAnnotations) => {
        let _ = $field;
    };
    ($flat:ident, $field:ident, $ty:tt) => {
        $flat.$field = $field;
    };
}

/// `Flat::of`, from the kinds' lines (`kind_rows!`): each `Detail` field fills the flat
/// field of its name.
macro_rules! flat_of {
    (
        $(
            $(#[$doc:meta])*
            $variant:ident = $code:literal => $name:literal:
                $books:ident, [$($key:ident),*],
                $layout:ident $({ $( $(#[$field_doc:meta])* $field:ident: $ty:tt ),* })?,
                shows $show:tt,
        )*
        _ => Unknown: $($unknown:tt)*
    ) => {
        impl<'a> Flat<'a> {
            pub(crate) fn of(event: &'a TaskEvent) -> Flat<'a> {
                let mut flat = Flat::default();
                match event.detail() {
                    $(Detail::$variant $({ $($field),* })? => {
                        $($(set_flat!(flat, $field, $ty);)*)?
                    })*
                    // The type string: not one of Nomad's fields.
                    Detail::Unknown { .. } => {}
                }
                flat
            }
        }
    };
}
kind_rows!(flat_of);

/// One `Details` value: Nomad stores every value as a string.
#[derive(Clone, Copy)]
enum Shown<'a> {
    Value(Value<'a>),
    Bool(bool),
}

impl Serialize for Shown<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Shown::Value(Value::Text(text)) => s.serialize_str(text),
            Shown::Value(Value::Int(n)) => s.collect_str(&n),
            Shown::Value(Value::Duration(ns)) => s.collect_str(&GoDuration(ns)),
            Shown::Bool(b) => s.serialize_str(if b { "true" } else { "false" }),
        }
    }
}

/// Every `Details` key an event of a known kind other than `Driver` can carry, sorted as
/// Go's `encoding/json` writes a map's keys.
pub(crate) const KEYS: [&str; 19] = [
    "disk_limit",
    "download_error",
    "driver_error",
    "exit_code",
    "exit_message",
    "failed_sibling",
    "fails_task",
    "kill_error",
    "kill_reason",
    "kill_timeout",
    "message",
    "oom_killed",
    "restart_reason",
    "setup_error",
    "signal",
    "start_delay",
    "task_signal",
    "task_signal_reason",
    "validation_error",
];

/// The `Details` key Nomad writes with an event's `Message`.
pub(crate) fn message_key(kind: EventKind) -> &'static str {
    if kind == EventKind::Terminated {
        "exit_message"
    } else {
        "message"
    }
}

/// The value `event` carries under `key`, if it carries the key.
fn entry<'a>(event: &'a TaskEvent, detail: &Detail<'a>, key: &str) -> Option<Shown<'a>> {
    let kind = event.kind();
    let keys = event.head.keys();
    if key == "fails_task" {
        return keys.has(Keys::FAILS_TASK).then_some(Shown::Bool(true));
    }
    if key == message_key(kind) {
        return keys
            .has(Keys::MESSAGE)
            .then_some(Shown::Value(Value::Text(event.message())));
    }
    if let Detail::Terminated {
        oom_killed: Some(oom),
        ..
    } = *detail
    {
        if key == "oom_killed" {
            return Some(Shown::Bool(oom));
        }
    }
    own_keys(kind)
        .iter()
        .enumerate()
        .find(|(index, own)| own.name() == key && keys.has(Keys::annotation(*index)))
        .map(|(_, own)| Shown::Value(detail.value(*own)))
}

/// The `Details` map: the keys Nomad's setters wrote (presence kept, empty and zero
/// values too), or a driver event's annotations, or `null`.
pub(crate) struct Details<'a>(pub(crate) &'a TaskEvent);

impl Serialize for Details<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let event = self.0;
        if event.head.keys().has(Keys::NULL) {
            return s.serialize_none();
        }
        let detail = event.detail();
        if let Detail::Driver {
            annotations: Some(annotations),
            ..
        } = detail
        {
            // Held sorted by key, as Go writes a map.
            return s.collect_map(annotations.iter());
        }
        let len = KEYS
            .iter()
            .filter(|key| entry(event, &detail, key).is_some())
            .count();
        let mut map = s.serialize_map(Some(len))?;
        for key in KEYS {
            if let Some(value) = entry(event, &detail, key) {
                map.serialize_entry(key, &value)?;
            }
        }
        map.end()
    }
}
