//! One task event: its kind, its time, and exactly the annotations Nomad sets for that kind.
//!
//! Here the event's storage, its generic constructor and what refines and reads it; the
//! [`Detail`] (the typed annotations of each kind) in `detail.rs`, the named constructors
//! (one per kind, with the `Details` keys Nomad's emit site writes) in `named.rs`, a
//! driver's annotations in `annotations.rs`, the `Debug` form in `debug.rs`.

mod annotations;
mod debug;
mod detail;
mod named;
#[cfg(test)]
mod tests;

pub use annotations::Annotations;
pub use detail::Detail;
#[cfg(feature = "serde")]
pub(crate) use detail::Value;
pub(crate) use detail::{Numbers, Oom, Second};

use crate::head::{Head, Keys};
use crate::kind::{own_keys, EventKind};
use crate::text::{Slot, Texts};

/// One task event, as Nomad records it, in fixed memory.
///
/// Build it with a constructor named after its kind, or [`TaskEvent::new`] with a
/// [`Detail`]; refine it with the `with_*` methods. Strings share
/// [`EVENT_TEXT_CAPACITY`](crate::EVENT_TEXT_CAPACITY) bytes; one that does not fit is cut at
/// a char boundary and [`is_truncated`](TaskEvent::is_truncated) says so.
///
/// ```
/// use allocstate::{Detail, EventKind, TaskEvent};
///
/// let event = TaskEvent::terminated(1_700_000_000_000_000_000, 1).with_message("exit status 1");
/// assert_eq!(event.kind(), EventKind::Terminated);
/// assert_eq!(event.type_str(), "Terminated");
/// assert!(matches!(event.detail(), Detail::Terminated { exit_code: 1, signal: 0, .. }));
/// assert_eq!(event.message(), "exit status 1");
/// ```
#[derive(Clone, PartialEq, Eq)]
#[repr(C)]
pub struct TaskEvent {
    pub(crate) texts: Texts,
    pub(crate) numbers: Numbers,
    pub(crate) time: i64,
    pub(crate) head: Head,
}

// The layout every append relies on, checked when the crate compiles. An event is moved
// into the ring by value, and the optimiser copies the fields `apply` reads (time, head)
// one by one and everything else as one piece. Here that piece is the texts and the
// numbers: the first 128 bytes, eight whole 16-byte blocks; the last 16 are two words,
// with no padding to copy in pieces of its own (see `head`). When the texts sat after the
// head, the piece was 118 bytes at offset 26; its copy ended in an overlapping 8-byte tail
// that missed the CPU's store forwarding whenever the move went through a temporary, and
// an append cost twice as much (`cargo bench --bench apply`).
#[cfg(not(any(
    feature = "text-capacity-256",
    feature = "text-capacity-1024",
    feature = "text-capacity-4096"
)))]
const _: () = {
    assert!(core::mem::offset_of!(TaskEvent, texts) == 0);
    assert!(core::mem::size_of::<Texts>() == 112);
    assert!(core::mem::offset_of!(TaskEvent, numbers) == 112);
    assert!(core::mem::offset_of!(TaskEvent, time) == 128);
    assert!(core::mem::offset_of!(TaskEvent, head) == 136);
    assert!(core::mem::size_of::<TaskEvent>() == 144);
};

impl TaskEvent {
    /// A filler for the ring's unused slots; never visible through the public API. All
    /// zero bytes (kind code 0, no `oom_killed`), so that a `static` task state needs no
    /// initial image in flash (`ci/text-size.sh` checks it lands in `.bss`).
    pub(crate) const BLANK: TaskEvent = TaskEvent {
        time: 0,
        head: Head::new(EventKind::ALL_ARRAY[0], false),
        numbers: Numbers {
            value: 0,
            signal: 0,
            oom_killed: Oom::of(None),
        },
        texts: Texts::new(),
    };

    /// An event of `detail`'s kind at `time` (unix nanoseconds).
    ///
    /// A [`Detail::Unknown`] whose type string is one this crate knows becomes that kind,
    /// so one event has one spelling. The event carries the `Details` key of every
    /// annotation of its kind, as if each of Nomad's setters had been called (empty and
    /// zero values too); the named constructors carry exactly the keys Nomad's emit site
    /// writes.
    #[must_use]
    pub fn new(time: i64, detail: Detail<'_>) -> TaskEvent {
        let mut event = TaskEvent::BLANK;
        event.set_to(time, detail);
        event
    }

    /// [`new`](TaskEvent::new) in place: the decoders build an event in its ring slot.
    pub(crate) fn set_to(&mut self, time: i64, detail: Detail<'_>) {
        let detail = match detail {
            Detail::Unknown { type_name } => match EventKind::from_type_str(type_name) {
                EventKind::Unknown => detail,
                known => Detail::empty(known),
            },
            other => other,
        };
        let kind = detail.kind();
        let (numbers, first, second) = detail.parts();
        self.time = time;
        self.numbers = numbers;
        self.texts.clear();
        self.texts.set(Slot::First, first);
        let mut keys = Keys(Keys::own(own_keys(kind).len()));
        let mut annotated = None;
        match second {
            Second::Plain(text) => self.texts.set(Slot::Second, text),
            Second::Signal(reason, signal) => self.texts.pack_signal(reason, signal),
            Second::Annotations(None) => keys = keys.with(Keys::NULL, true),
            Second::Annotations(Some(annotations)) => annotated = Some(annotations),
        }
        self.head = Head::new(kind, false).with_keys(keys);
        for (key, value) in annotated.iter().flat_map(Annotations::iter) {
            self.annotate(key, value);
        }
    }

    /// The same event carrying, of its kind's own `Details` keys (see [`own_keys`]),
    /// only those whose bits are in `only`: the setters the emit site calls.
    pub(super) fn with_only_keys(mut self, only: u8) -> TaskEvent {
        let all = Keys::own(own_keys(self.kind()).len());
        let keys = self.head.keys().with(all & !only, false);
        self.head = self.head.with_keys(keys);
        self
    }

    /// An event of a known `kind` with every annotation at its zero value.
    #[must_use]
    pub fn of_kind(time: i64, kind: EventKind) -> TaskEvent {
        TaskEvent::new(time, Detail::empty(kind))
    }

    /// An event named by a Nomad `Type` string, known or not.
    #[must_use]
    pub fn from_type_str(time: i64, type_str: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Unknown {
                type_name: type_str,
            },
        )
    }

    /// Sets Nomad's free `Message` and its `Details` key, as `SetMessage` does
    /// (`SetExitMessage` for `Terminated`: the key is `exit_message`), even when empty.
    #[must_use]
    pub fn with_message(mut self, message: &str) -> TaskEvent {
        self.texts.set(Slot::Message, message);
        let keys = self
            .head
            .keys()
            .with(Keys::MESSAGE, self.carries_setter_keys());
        self.head = self.head.with_keys(keys);
        self
    }

    /// Sets a `DisplayMessage` that replaces the computed one; empty means computed.
    #[must_use]
    pub fn with_display_message(mut self, display_message: &str) -> TaskEvent {
        self.texts.set(Slot::Display, display_message);
        self
    }

    /// Marks the event as failing the task (Nomad's `FailsTask`).
    #[must_use]
    pub fn with_fails_task(self) -> TaskEvent {
        self.with_fails_task_set(true)
    }

    /// Sets Nomad's `FailsTask` flag to `fails_task`, with its `Details` key
    /// (`SetFailsTask` writes both; `false` carries neither).
    #[must_use]
    pub fn with_fails_task_set(mut self, fails_task: bool) -> TaskEvent {
        let keys = self
            .head
            .keys()
            .with(Keys::FAILS_TASK, fails_task && self.carries_setter_keys());
        self.head = self.head.with_fails_task(fails_task).with_keys(keys);
        self
    }

    /// Sets the time (unix nanoseconds).
    #[must_use]
    pub fn with_time(mut self, time: i64) -> TaskEvent {
        self.time = time;
        self
    }

    /// Whether Nomad's setters write this event's `Details`: all kinds but `Driver`,
    /// whose `Details` are the driver's annotations.
    pub(super) fn carries_setter_keys(&self) -> bool {
        !matches!(self.kind(), EventKind::Driver)
    }

    /// The event's kind.
    #[must_use]
    pub const fn kind(&self) -> EventKind {
        self.head.kind()
    }

    /// The event's time in unix nanoseconds.
    #[must_use]
    pub const fn time(&self) -> i64 {
        self.time
    }

    /// Nomad's exact `Type` string (the kept string for an unknown kind).
    #[must_use]
    pub fn type_str(&self) -> &str {
        match self.kind().type_str() {
            Some(name) => name,
            None => self.texts.get(Slot::First),
        }
    }

    /// The event's annotations, typed.
    #[must_use]
    pub fn detail(&self) -> Detail<'_> {
        let first = self.texts.get(Slot::First);
        let second = self.texts.get(Slot::Second);
        let null = self.head.keys().has(Keys::NULL);
        Detail::assemble(self.kind(), self.numbers, first, second, null)
    }

    /// Nomad's free `Message`; empty when none.
    #[must_use]
    pub fn message(&self) -> &str {
        self.texts.get(Slot::Message)
    }

    /// The `DisplayMessage` this event arrived with, if any; otherwise it is computed.
    #[must_use]
    pub fn display_message_override(&self) -> Option<&str> {
        match self.texts.get(Slot::Display) {
            "" => None,
            text => Some(text),
        }
    }

    /// Nomad's `FailsTask` flag as carried by the event. (`Not Restarting` and
    /// `Setup Failure` fail the task whatever the flag says.)
    #[must_use]
    pub const fn fails_task(&self) -> bool {
        self.head.fails_task()
    }

    /// Whether the task is failed by accepting this event: its flag, or a kind that always
    /// fails the task.
    #[must_use]
    pub const fn marks_failed(&self) -> bool {
        self.head.marks_failed()
    }

    /// Whether any string was cut to fit the event's fixed capacity.
    ///
    /// The compact format carries the mark. Nomad's JSON has no field for it: it carries
    /// the strings as held (already cut), so an event read from JSON is marked only if a
    /// string was cut while it was read.
    #[must_use]
    pub const fn is_truncated(&self) -> bool {
        self.texts.truncated()
    }
}
