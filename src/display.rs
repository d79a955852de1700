//! The `DisplayMessage` Nomad shows for an event, computed without allocation.
//!
//! Nomad fills `DisplayMessage` once, when the event is appended
//! (`PopulateEventDisplayMessage`). This crate computes it on demand from the typed event,
//! so it costs no text capacity; an event that arrived with a different message keeps
//! that one as an override.

use core::fmt::{self, Write};

use crate::event::{Detail, TaskEvent};
use crate::go::{GoDuration, GoQuoted};
use crate::text::EVENT_TEXT_CAPACITY;

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
    pub(crate) fn computed(&self, mut f: &mut dyn Write) -> fmt::Result {
        let event = self.event;
        let message = event.message();
        let or = |f: &mut dyn Write, text: &str, fallback: &str| {
            f.write_str(if text.is_empty() { fallback } else { text })
        };
        match event.detail() {
            Detail::TaskSetup => f.write_str(message),
            Detail::Started => f.write_str("Task started by client"),
            Detail::Received => f.write_str("Task received by client"),
            Detail::FailedValidation { validation_error } => {
                or(f, validation_error, "Validation of task failed")
            }
            Detail::SetupFailure { setup_error, .. } => or(f, setup_error, "Task setup failed"),
            Detail::DriverFailure { driver_error } => or(f, driver_error, "Failed to start task"),
            Detail::DownloadingArtifacts => f.write_str("Client is downloading artifacts"),
            Detail::FailedArtifactDownload { download_error } => {
                or(f, download_error, "Failed to download artifacts")
            }
            Detail::Killing {
                kill_timeout,
                kill_reason,
            } => {
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
            Detail::Killed { kill_error, .. } => or(f, kill_error, "Task successfully killed"),
            Detail::Terminated {
                exit_code, signal, ..
            } => {
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
            Detail::Restarting {
                start_delay,
                restart_reason,
            } => {
                if !restart_reason.is_empty() && restart_reason != "Restart within policy" {
                    f.write_str(restart_reason)?;
                    f.write_str(" - ")?;
                }
                f.write_str("Task restarting in ")?;
                GoDuration(start_delay).write_to(&mut f)
            }
            Detail::NotRestarting { restart_reason } => {
                or(f, restart_reason, "Task exceeded restart policy")
            }
            Detail::SiblingTaskFailed { failed_sibling } => {
                if failed_sibling.is_empty() {
                    f.write_str("Task's sibling failed")
                } else {
                    f.write_str("Task's sibling ")?;
                    GoQuoted(failed_sibling).write_to(f)?;
                    f.write_str(" failed")
                }
            }
            Detail::Signaling {
                task_signal,
                task_signal_reason,
                ..
            } => match (task_signal.is_empty(), task_signal_reason.is_empty()) {
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
            },
            Detail::RestartSignaled { restart_reason } => {
                or(f, restart_reason, "Task signaled to restart")
            }
            Detail::Driver { driver_message, .. } => f.write_str(driver_message),
            Detail::LeaderTaskDead => f.write_str("Leader Task in Group dead"),
            Detail::MainTasksDead => f.write_str("Main tasks in the group died"),
            Detail::Reconnected => f.write_str("Client reconnected"),
            Detail::TaskHookFailed
            | Detail::FailedRestoringTask
            | Detail::WaitingForShutdownDelay
            | Detail::SkippingShutdownDelay
            | Detail::DiskResourcesExceeded { .. }
            | Detail::PluginUnhealthy
            | Detail::PluginHealthy
            | Detail::TaskHookMessage
            | Detail::Template
            | Detail::AllocUnhealthy
            | Detail::Generic
            | Detail::Unknown { .. } => f.write_str(message),
        }
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

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::{String, ToString};

    use super::*;
    use crate::event::Detail;
    use crate::kind::EventKind;

    fn shown(event: &TaskEvent) -> String {
        event.display_message().to_string()
    }

    #[test]
    fn fixed_messages() {
        assert_eq!(shown(&TaskEvent::started(1)), "Task started by client");
        assert_eq!(shown(&TaskEvent::received(1)), "Task received by client");
        assert_eq!(
            shown(&TaskEvent::downloading_artifacts(1)),
            "Client is downloading artifacts"
        );
        assert_eq!(
            shown(&TaskEvent::leader_task_dead(1)),
            "Leader Task in Group dead"
        );
        assert_eq!(
            shown(&TaskEvent::main_tasks_dead(1)),
            "Main tasks in the group died"
        );
        assert_eq!(
            shown(&TaskEvent::of_kind(1, EventKind::Reconnected)),
            "Client reconnected"
        );
    }

    #[test]
    fn task_setup_shows_its_message() {
        assert_eq!(shown(&TaskEvent::task_setup(1)), "Building Task Directory");
        assert_eq!(shown(&TaskEvent::of_kind(1, EventKind::TaskSetup)), "");
    }

    #[test]
    fn error_or_fallback_kinds() {
        let cases: [(TaskEvent, &str, TaskEvent, &str); 6] = [
            (
                TaskEvent::failed_validation(1, "bad config"),
                "bad config",
                TaskEvent::failed_validation(1, ""),
                "Validation of task failed",
            ),
            (
                TaskEvent::setup_failure(1, "no dir"),
                "no dir",
                TaskEvent::setup_failure(1, ""),
                "Task setup failed",
            ),
            (
                TaskEvent::driver_failure(1, "no docker"),
                "no docker",
                TaskEvent::driver_failure(1, ""),
                "Failed to start task",
            ),
            (
                TaskEvent::failed_artifact_download(1, "404"),
                "404",
                TaskEvent::failed_artifact_download(1, ""),
                "Failed to download artifacts",
            ),
            (
                TaskEvent::not_restarting(1, "Error was unrecoverable"),
                "Error was unrecoverable",
                TaskEvent::not_restarting(1, ""),
                "Task exceeded restart policy",
            ),
            (
                TaskEvent::restart_signaled(1, "check unhealthy"),
                "check unhealthy",
                TaskEvent::restart_signaled(1, ""),
                "Task signaled to restart",
            ),
        ];
        for (with, text, without, fallback) in cases {
            assert_eq!(shown(&with), text);
            assert_eq!(shown(&without), fallback);
        }
        let killed = TaskEvent::new(
            1,
            Detail::Killed {
                kill_error: "boom",
                kill_reason: "",
            },
        );
        assert_eq!(shown(&killed), "boom");
        assert_eq!(shown(&TaskEvent::killed(1)), "Task successfully killed");
    }

    #[test]
    fn killing_branches() {
        let reason = TaskEvent::new(
            1,
            Detail::Killing {
                kill_timeout: 5_000_000_000,
                kill_reason: "template failed",
            },
        );
        assert_eq!(shown(&reason), "template failed");
        assert_eq!(
            shown(&TaskEvent::killing(1, 10_000_000)),
            "Sent interrupt. Waiting 10ms before force killing"
        );
        assert_eq!(shown(&TaskEvent::killing(1, 0)), "Sent interrupt");
    }

    #[test]
    fn terminated_branches() {
        assert_eq!(shown(&TaskEvent::terminated(1, 0)), "Exit Code: 0");
        assert_eq!(
            shown(&TaskEvent::terminated_by_signal(1, -1, 15)),
            "Exit Code: -1, Signal: 15"
        );
        assert_eq!(
            shown(&TaskEvent::terminated_by_signal(1, i32::MIN, i32::MAX)),
            "Exit Code: -2147483648, Signal: 2147483647"
        );
        assert_eq!(
            shown(&TaskEvent::terminated(1, 2).with_message("tab\there")),
            r#"Exit Code: 2, Exit Message: "tab\there""#
        );
        assert_eq!(
            shown(&TaskEvent::terminated_by_signal(1, 137, 9).with_message("oom")),
            r#"Exit Code: 137, Signal: 9, Exit Message: "oom""#
        );
    }

    #[test]
    fn restarting_branches() {
        assert_eq!(
            shown(&TaskEvent::restarting(
                1,
                15_302_026_290,
                "Restart within policy"
            )),
            "Task restarting in 15.30202629s"
        );
        assert_eq!(
            shown(&TaskEvent::restarting(1, 0, "")),
            "Task restarting in 0s"
        );
        assert_eq!(
            shown(&TaskEvent::restarting(
                1,
                60_000_000_000,
                "Exceeded allowed attempts, applying a delay"
            )),
            "Exceeded allowed attempts, applying a delay - Task restarting in 1m0s"
        );
    }

    #[test]
    fn signaling_branches() {
        let sig = |s: &str, r: &str| {
            shown(&TaskEvent::new(
                1,
                Detail::Signaling {
                    task_signal: s,
                    task_signal_reason: r,
                    signal: "SIGUSR1",
                },
            ))
        };
        assert_eq!(sig("", ""), "Task being sent a signal");
        assert_eq!(sig("", "because"), "because");
        assert_eq!(sig("SIGHUP", ""), "Task being sent signal SIGHUP");
        assert_eq!(
            sig("SIGHUP", "reload"),
            "Task being sent signal SIGHUP: reload"
        );
    }

    #[test]
    fn sibling_is_quoted() {
        assert_eq!(
            shown(&TaskEvent::sibling_task_failed(1, "web \"1\"")),
            r#"Task's sibling "web \"1\"" failed"#
        );
        assert_eq!(
            shown(&TaskEvent::sibling_task_failed(1, "")),
            "Task's sibling failed"
        );
    }

    #[test]
    fn driver_and_default_kinds_show_their_text() {
        assert_eq!(
            shown(&TaskEvent::driver(1, "pulling image")),
            "pulling image"
        );
        for kind in [
            EventKind::TaskHookFailed,
            EventKind::FailedRestoringTask,
            EventKind::WaitingForShutdownDelay,
            EventKind::SkippingShutdownDelay,
            EventKind::DiskResourcesExceeded,
            EventKind::PluginUnhealthy,
            EventKind::PluginHealthy,
            EventKind::TaskHookMessage,
            EventKind::Template,
            EventKind::AllocUnhealthy,
            EventKind::Generic,
        ] {
            let event = TaskEvent::of_kind(1, kind).with_message("said");
            assert_eq!(shown(&event), "said", "{kind}");
            assert_eq!(shown(&TaskEvent::of_kind(1, kind)), "", "{kind}");
        }
        let unknown = TaskEvent::from_type_str(1, "Future").with_message("hi");
        assert_eq!(shown(&unknown), "hi");
    }

    #[test]
    fn override_wins_when_non_empty() {
        let event = TaskEvent::started(1).with_display_message("custom");
        assert_eq!(shown(&event), "custom");
        let cleared = event.with_display_message("");
        assert_eq!(shown(&cleared), "Task started by client");
    }

    #[test]
    fn matches_compares_exactly() {
        let e = TaskEvent::killing(1, 10_000_000);
        assert!(e
            .display_message()
            .matches("Sent interrupt. Waiting 10ms before force killing"));
        assert!(!e.display_message().matches("Sent interrupt. Waiting 10ms"));
        assert!(!e
            .display_message()
            .matches("Sent interrupt. Waiting 10ms before force killingX"));
    }
}
