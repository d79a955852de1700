//! What a decision records: the reason's exact text and the task's event.

use core::fmt;

use crate::duration::GoDuration;
use crate::{TaskEvent, TaskState, Transition, TransitionError};

/// Nomad's `ReasonWithinPolicy`: the reason of a restart the policy allows, which the
/// `Restarting` event's display message leaves out (`display/rules.rs`).
pub(crate) const REASON_WITHIN_POLICY: &str = "Restart within policy";

/// Why the tracker decided what it did; `Display` gives Nomad's exact text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RestartReason {
    /// `"Restart within policy"`.
    WithinPolicy,
    /// `"Exceeded allowed attempts, applying a delay"` (delay mode).
    ExceededDelay,
    /// `Exceeded allowed attempts A in interval I and mode is "fail"`.
    ExceededFail {
        /// The policy's attempts, printed with `%d`.
        attempts: u32,
        /// The policy's interval (ns), printed as a Go duration.
        interval: i64,
    },
    /// `"Policy allows no restarts"` (attempts is 0).
    NoRestartsAllowed,
    /// `"Error was unrecoverable"` (non-recoverable start error).
    Unrecoverable,
    /// `"Restart unnecessary as task terminated successfully"`.
    SuccessfulExit,
}

impl fmt::Display for RestartReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::WithinPolicy => f.write_str(REASON_WITHIN_POLICY),
            Self::ExceededDelay => f.write_str("Exceeded allowed attempts, applying a delay"),
            Self::ExceededFail { attempts, interval } => write!(
                f,
                "Exceeded allowed attempts {} in interval {} and mode is \"fail\"",
                attempts,
                GoDuration(interval)
            ),
            Self::NoRestartsAllowed => f.write_str("Policy allows no restarts"),
            Self::Unrecoverable => f.write_str("Error was unrecoverable"),
            Self::SuccessfulExit => {
                f.write_str("Restart unnecessary as task terminated successfully")
            }
        }
    }
}

/// The result of [`RestartTracker::decide`](super::RestartTracker::decide) (Nomad's `GetState` state + delay + reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RestartOutcome {
    /// Restart after `delay` ns (Nomad's `Restarting` event with `StartDelay`).
    /// `reason` None = user-triggered restart (Nomad writes an empty reason; it
    /// does not count an attempt).
    Restart {
        /// Wait before restarting (ns). Can be 0, or negative only with a
        /// negative policy interval in delay mode.
        delay: i64,
        /// Restart reason; `None` is Nomad's empty reason.
        reason: Option<RestartReason>,
    },
    /// Do not restart; the task fails (Nomad's "Not Restarting" event with FailsTask).
    NoRestart {
        /// Nomad's `RestartReason` for the event.
        reason: RestartReason,
    },
    /// The task exited successfully and is not restarted (no event; Nomad's `Terminated` state).
    Completed {
        /// Nomad's internal reason (not emitted as an event).
        reason: RestartReason,
    },
    /// The task was killed: record `Killed`, stop.
    Killed,
    /// Nothing failed since the last decision (Nomad returns the empty state): nothing to do.
    NoFailure,
}

impl RestartOutcome {
    /// True only for [`RestartOutcome::NoRestart`], whose event sets `FailsTask`.
    #[must_use]
    pub const fn fails_task(&self) -> bool {
        matches!(self, Self::NoRestart { .. })
    }

    /// The restart delay (ns), if the task is to be restarted.
    #[must_use]
    pub const fn delay(&self) -> Option<i64> {
        match *self {
            Self::Restart { delay, .. } => Some(delay),
            _ => None,
        }
    }

    /// The reason, if any (none for `Killed`, `NoFailure` and user-triggered restarts).
    #[must_use]
    pub const fn reason(&self) -> Option<RestartReason> {
        match *self {
            Self::Restart { reason, .. } => reason,
            Self::NoRestart { reason } | Self::Completed { reason } => Some(reason),
            Self::Killed | Self::NoFailure => None,
        }
    }

    /// The event a task records for this outcome at `time`, as Nomad's task runner does:
    ///
    /// | outcome | event |
    /// |---|---|
    /// | [`Restart`](Self::Restart) | `Restarting` with `StartDelay` = `delay` and `RestartReason` = the reason's text (empty for a user-triggered restart) |
    /// | [`NoRestart`](Self::NoRestart) | `Not Restarting` with the reason's text and `FailsTask` |
    /// | [`Killed`](Self::Killed) | `Killed` |
    /// | [`Completed`](Self::Completed), [`NoFailure`](Self::NoFailure) | none |
    ///
    /// ```
    /// use allocstate::restart::{RestartOutcome, RestartReason};
    /// use allocstate::{Detail, EventKind};
    ///
    /// let outcome = RestartOutcome::NoRestart {
    ///     reason: RestartReason::ExceededFail { attempts: 2, interval: 60_000_000_000 },
    /// };
    /// let event = outcome.event(42).unwrap();
    /// assert_eq!(event.kind(), EventKind::NotRestarting);
    /// assert!(event.fails_task());
    /// assert_eq!(
    ///     event.detail(),
    ///     Detail::NotRestarting {
    ///         restart_reason: r#"Exceeded allowed attempts 2 in interval 1m0s and mode is "fail""#
    ///     }
    /// );
    /// assert!(RestartOutcome::NoFailure.event(42).is_none());
    /// ```
    #[must_use]
    pub fn event(&self, time: i64) -> Option<TaskEvent> {
        match *self {
            Self::Restart { delay, reason } => {
                let text = reason_text(reason);
                Some(TaskEvent::restarting(time, delay, &text))
            }
            Self::NoRestart { reason } => {
                Some(TaskEvent::not_restarting(time, &reason_text(Some(reason))))
            }
            Self::Killed => Some(TaskEvent::killed(time)),
            Self::Completed { .. } | Self::NoFailure => None,
        }
    }
}

/// What was decided, for logs: `restart in 15s (Restart within policy)`, `restart in 0s
/// (user requested)`, `not restarting (Policy allows no restarts)`, `completed (…)`,
/// `killed`, `no failure`.
impl fmt::Display for RestartOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Restart {
                delay,
                reason: Some(reason),
            } => write!(f, "restart in {} ({reason})", GoDuration(delay)),
            Self::Restart {
                delay,
                reason: None,
            } => write!(f, "restart in {} (user requested)", GoDuration(delay)),
            Self::NoRestart { reason } => write!(f, "not restarting ({reason})"),
            Self::Completed { reason } => write!(f, "completed ({reason})"),
            Self::Killed => f.write_str("killed"),
            Self::NoFailure => f.write_str("no failure"),
        }
    }
}

/// Room for the longest reason text (`ExceededFail` with `u32::MAX` attempts and the
/// longest Go duration is 96 bytes).
const REASON_TEXT_CAPACITY: usize = 128;

/// The reason's exact text; `None` (a user-triggered restart) is Nomad's empty reason.
fn reason_text(reason: Option<RestartReason>) -> heapless::String<REASON_TEXT_CAPACITY> {
    let mut text = heapless::String::new();
    if let Some(reason) = reason {
        // Cannot fail: every reason fits the capacity (see the extreme-values test).
        let _ = fmt::Write::write_fmt(&mut text, format_args!("{reason}"));
    }
    text
}

impl TaskState {
    /// Records a restart decision: turns `outcome` into its event
    /// ([`RestartOutcome::event`]) and applies it through [`TaskState::apply`].
    ///
    /// `Ok(None)` when the outcome records nothing (`Completed`, `NoFailure`); the
    /// runtime then [`finish`](TaskState::finish)es a completed task. A refused event
    /// leaves the task unchanged and is handed back in the [`TransitionError`].
    ///
    /// ```
    /// use allocstate::restart::{RestartOutcome, RestartReason};
    /// use allocstate::{Phase, TaskEvent, TaskState};
    ///
    /// let mut web = TaskState::new();
    /// web.apply(TaskEvent::received(1))?;
    /// web.apply(TaskEvent::started(2))?;
    /// web.apply(TaskEvent::terminated(3, 1))?;
    /// let outcome = RestartOutcome::Restart {
    ///     delay: 1_050_000_000,
    ///     reason: Some(RestartReason::WithinPolicy),
    /// };
    /// let step = web.apply_restart(&outcome, 4)?.unwrap();
    /// assert_eq!(step.to, Phase::Pending);
    /// assert_eq!(web.restarts(), 1);
    /// # Ok::<(), allocstate::TransitionError>(())
    /// ```
    pub fn apply_restart(
        &mut self,
        outcome: &RestartOutcome,
        time: i64,
    ) -> Result<Option<Transition>, TransitionError> {
        match outcome.event(time) {
            Some(event) => self.apply(event).map(Some),
            None => Ok(None),
        }
    }
}
