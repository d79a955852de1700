//! The display rules that are more than a text, a field or its fallback: the kinds whose
//! line in `kind_rows!` names a rule here (`shows(killing(kill_timeout, kill_reason))`).
//! Each is the branch of Nomad's `PopulateEventDisplayMessage` (nomad/structs/structs.go)
//! for its kind, given the fields its line names (and the event's `Message` when the line
//! names `message` first).

use core::fmt::{self, Write};

use crate::go::{GoDuration, GoQuoted};
use crate::restart::REASON_WITHIN_POLICY;

/// `Killing`: the kill reason, else the kill timeout being waited for, else just the
/// interrupt.
pub(super) fn killing(mut f: &mut dyn Write, kill_timeout: i64, kill_reason: &str) -> fmt::Result {
    if !kill_reason.is_empty() {
        f.write_str(kill_reason)
    } else if kill_timeout != 0 {
        f.write_str("Sent interrupt. Waiting ")?;
        GoDuration(kill_timeout).write_to(&mut f)?;
        f.write_str(" before force killing")
    } else {
        f.write_str("Sent interrupt")
    }
}

/// `Terminated`: the exit code, the signal when there was one, the exit message (the
/// event's `Message`) quoted as Go's `%q` when there was one.
pub(super) fn terminated(
    f: &mut dyn Write,
    message: &str,
    exit_code: i32,
    signal: i32,
) -> fmt::Result {
    f.write_str("Exit Code: ")?;
    decimal(f, exit_code)?;
    if signal != 0 {
        f.write_str(", Signal: ")?;
        decimal(f, signal)?;
    }
    if !message.is_empty() {
        f.write_str(", Exit Message: ")?;
        GoQuoted(message).write_to(f)?;
    }
    Ok(())
}

/// `Restarting`: the delay, after the reason unless it is the policy's usual one.
pub(super) fn restarting(
    mut f: &mut dyn Write,
    start_delay: i64,
    restart_reason: &str,
) -> fmt::Result {
    if !restart_reason.is_empty() && restart_reason != REASON_WITHIN_POLICY {
        f.write_str(restart_reason)?;
        f.write_str(" - ")?;
    }
    f.write_str("Task restarting in ")?;
    GoDuration(start_delay).write_to(&mut f)
}

/// `Sibling Task Failed`: the sibling's name quoted, when known.
pub(super) fn sibling_task_failed(f: &mut dyn Write, failed_sibling: &str) -> fmt::Result {
    if failed_sibling.is_empty() {
        f.write_str("Task's sibling failed")
    } else {
        f.write_str("Task's sibling ")?;
        GoQuoted(failed_sibling).write_to(f)?;
        f.write_str(" failed")
    }
}

/// `Signaling`: the signal and the reason, each when given.
pub(super) fn signaling(
    f: &mut dyn Write,
    task_signal: &str,
    task_signal_reason: &str,
) -> fmt::Result {
    match (task_signal.is_empty(), task_signal_reason.is_empty()) {
        (true, true) => f.write_str("Task being sent a signal"),
        (true, false) => f.write_str(task_signal_reason),
        (false, true) => {
            f.write_str("Task being sent signal ")?;
            f.write_str(task_signal)
        }
        (false, false) => {
            f.write_str("Task being sent signal ")?;
            f.write_str(task_signal)?;
            f.write_str(": ")?;
            f.write_str(task_signal_reason)
        }
    }
}

/// `{n}` for an `i32`, written with one `write_str`: no `Formatter` and its padding
/// frames under the JSON decoder's comparison (a negative number went deepest).
fn decimal(f: &mut dyn Write, n: i32) -> fmt::Result {
    let mut digits = [0u8; 11];
    let mut start = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        start = start.saturating_sub(1);
        if let Some(place) = digits.get_mut(start) {
            // A digit: below ten, so the cast keeps every bit.
            *place = b'0'.saturating_add((rest % 10) as u8);
        }
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        start = start.saturating_sub(1);
        if let Some(place) = digits.get_mut(start) {
            *place = b'-';
        }
    }
    f.write_str(core::str::from_utf8(digits.get(start..).unwrap_or(&[])).map_err(|_| fmt::Error)?)
}
