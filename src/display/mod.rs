//! The `DisplayMessage` Nomad shows for an event, computed without allocation.
//!
//! Nomad fills `DisplayMessage` once, when the event is appended
//! (`PopulateEventDisplayMessage`). This crate computes it on demand from the typed event,
//! so it costs no text capacity; an event that arrived with a different message keeps
//! that one as an override. Each kind's rule is written in its line of `kind_rows!`
//! (`shows(...)`); the few that are more than a text or a field are in `rules.rs`.

use core::fmt::{self, Write};

use crate::event::{Detail, TaskEvent};
use crate::kind::kind_rows;
use crate::text::EVENT_TEXT_CAPACITY;

mod rules;
#[cfg(test)]
mod tests;

/// The longest `DisplayMessage` an event can show, in bytes: `Terminated`'s, with the
/// widest exit code and signal and an exit message of control characters, which Go's
/// `%q` writes four bytes each. So it is also the longest string the crate writes in
/// Nomad's JSON: an unescape buffer of this size (serde-json-core's `from_slice_escaped`)
/// reads back everything the crate writes.
///
/// ```
/// use allocstate::{TaskEvent, DISPLAY_MESSAGE_MAX_LEN, EVENT_TEXT_CAPACITY};
///
/// let controls = "\u{1}".repeat(EVENT_TEXT_CAPACITY);
/// let exit = TaskEvent::terminated_by_signal(1, i32::MIN, i32::MIN).with_message(&controls);
/// assert!(exit.display_message().to_string().len() <= DISPLAY_MESSAGE_MAX_LEN);
/// ```
pub const DISPLAY_MESSAGE_MAX_LEN: usize = 4 * EVENT_TEXT_CAPACITY + 64;

/// An event's `DisplayMessage`, ready to be written into any [`fmt::Write`].
///
/// ```
/// use allocstate::TaskEvent;
///
/// let exit = TaskEvent::terminated_by_signal(1, 137, 9).with_message("OOM \"killed\"");
/// assert_eq!(
///     exit.display_message().to_string(),
///     r#"Exit Code: 137, Signal: 9, Exit Message: "OOM \"killed\"""#
/// );
/// let restart = TaskEvent::restarting(2, 15_302_026_290, "Restart within policy");
/// assert_eq!(restart.display_message().to_string(), "Task restarting in 15.30202629s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisplayMessage<'a> {
    event: &'a TaskEvent,
}

impl TaskEvent {
    /// The message Nomad shows for this event: its override when non-empty, otherwise
    /// Nomad's `PopulateEventDisplayMessage` rules.
    #[must_use]
    pub fn display_message(&self) -> DisplayMessage<'_> {
        DisplayMessage { event: self }
    }
}

impl DisplayMessage<'_> {
    /// Whether the message reads exactly `text`, compared piece by piece (no allocation).
    ///
    /// ```
    /// use allocstate::TaskEvent;
    ///
    /// assert!(TaskEvent::started(1).display_message().matches("Task started by client"));
    /// ```
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        let mut rest = Matcher { rest: text };
        write!(rest, "{self}").is_ok() && rest.rest.is_empty()
    }

    /// The message as computed by Nomad's rules, ignoring any override. Into any writer,
    /// not a `Formatter`: [`matches`](Self::matches) and the JSON decoder compare it with
    /// a text by writing it straight into a checking writer, without the formatting
    /// frames a `Formatter` needs.
    pub(crate) fn computed(&self, f: &mut dyn Write) -> fmt::Result {
        shows(f, self.event.message(), self.event.detail())
    }
}

impl fmt::Display for DisplayMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.event.display_message_override() {
            Some(text) => f.write_str(text),
            None => self.computed(f),
        }
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for DisplayMessage<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{}", defmt::Display2Format(self));
    }
}

/// A `fmt::Write` that consumes an expected string and fails at the first difference.
struct Matcher<'a> {
    rest: &'a str,
}

impl Write for Matcher<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match self.rest.strip_prefix(s) {
            Some(rest) => {
                self.rest = rest;
                Ok(())
            }
            None => Err(fmt::Error),
        }
    }
}

/// The pattern of a kind's `Detail` that binds the fields its display rule reads.
macro_rules! rule_pattern {
    ($variant:ident; message) => { Detail::$variant { .. } };
    ($variant:ident; $text:literal) => { Detail::$variant { .. } };
    ($variant:ident; $field:ident or $fallback:literal) => { Detail::$variant { $field, .. } };
    ($variant:ident; $field:ident) => { Detail::$variant { $field, .. } };
    ($variant:ident; $rule:ident(message $(, $field:ident)*)) => {
        Detail::$variant { $($field,)* .. }
    };
    ($variant:ident; $rule:ident($($field:ident),*)) => { Detail::$variant { $($field,)* .. } };
}

/// A kind's display rule, as its line writes it (see `kind_rows!`).
macro_rules! rule_body {
    ($f:ident, $message:ident; message) => { $f.write_str($message) };
    ($f:ident, $message:ident; $text:literal) => { $f.write_str($text) };
    ($f:ident, $message:ident; $field:ident or $fallback:literal) => {
        $f.write_str(if $field.is_empty() { $fallback } else { $field })
    };
    ($f:ident, $message:ident; $field:ident) => { $f.write_str($field) };
    ($f:ident, $message:ident; $rule:ident(message $(, $field:ident)*)) => {
        rules::$rule($f, $message $(, $field)*)
    };
    ($f:ident, $message:ident; $rule:ident($($field:ident),*)) => { rules::$rule($f, $($field),*) };
}

/// `shows`, from each kind's line (`kind_rows!`): its display rule is a fixed text, the
/// event's `message`, a field (`driver_message`), a field or its fallback
/// (`kill_error or "Task successfully killed"`), or a rule in `rules` given the fields
/// it names. Nomad's `PopulateEventDisplayMessage`, one kind per line.
macro_rules! display_rules {
    (
        $(
            $(#[$doc:meta])*
            $variant:ident = $code:literal => $name:literal:
                $books:ident, [$($key:ident),*], $layout:ident $({ $($fields:tt)* })?,
                shows($($show:tt)*),
        )*
        _ => Unknown: $u_books:ident, [], $u_layout:ident { $($u_fields:tt)* },
            shows($($u_show:tt)*),
    ) => {
        /// The `DisplayMessage` of an event with this `message` and `detail`, by its
        /// kind's rule.
        fn shows(f: &mut dyn Write, message: &str, detail: Detail<'_>) -> fmt::Result {
            match detail {
                $( rule_pattern!($variant; $($show)*) => rule_body!(f, message; $($show)*), )*
                rule_pattern!(Unknown; $($u_show)*) => rule_body!(f, message; $($u_show)*),
            }
        }
    };
}

kind_rows!(display_rules);
