//! The kinds of task event and everything the crate knows per kind, in one line each
//! (`kind_rows!`): the variant, Nomad's exact `Type` string, the stable wire code, what
//! accepting it does to the bookkeeping, its own `Details` keys, and its `Detail` fields
//! with how they are stored (`Layout`: which numbers and text slots), and the
//! `DisplayMessage` it shows (`shows`). The rest is derived from the lines: here
//! `EventKind` and the per-kind table (`shape`), in the event module the `Detail` enum and
//! its conversions (`detail_items!`), in the JSON writer which of Nomad's flat event
//! fields each fills (`flat_of!`), in the display module each kind's message
//! (`display_rules!`). A leaf module: it imports nothing from the crate, and the event,
//! the head word, the task's bookkeeping, the display and the wire formats read it.

/// One of Nomad's `Details` keys that a kind writes for one of its own annotations
/// (beside `message`/`exit_message`, `fails_task` and `oom_killed`, which any event or
/// `Terminated` carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    DriverError,
    ExitCode,
    Signal,
    KillError,
    KillReason,
    StartDelay,
    DownloadError,
    RestartReason,
    ValidationError,
    KillTimeout,
    SetupError,
    DiskLimit,
    FailedSibling,
    TaskSignalReason,
    TaskSignal,
    /// `signal` as `SetSignalText` writes it: text, not a number.
    SignalText,
}

impl Key {
    /// The key in `Details`.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Key::DriverError => "driver_error",
            Key::ExitCode => "exit_code",
            Key::Signal | Key::SignalText => "signal",
            Key::KillError => "kill_error",
            Key::KillReason => "kill_reason",
            Key::StartDelay => "start_delay",
            Key::DownloadError => "download_error",
            Key::RestartReason => "restart_reason",
            Key::ValidationError => "validation_error",
            Key::KillTimeout => "kill_timeout",
            Key::SetupError => "setup_error",
            Key::DiskLimit => "disk_limit",
            Key::FailedSibling => "failed_sibling",
            Key::TaskSignalReason => "task_signal_reason",
            Key::TaskSignal => "task_signal",
        }
    }
}

/// How a key's value is written.
#[cfg(feature = "serde")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Text,
    /// Written with `%d`.
    Int,
    /// Written as Go's `Duration.String()`.
    Duration,
}

#[cfg(feature = "serde")]
impl Key {
    /// How the key's value is written.
    pub(crate) const fn form(self) -> Form {
        match self {
            Key::ExitCode | Key::Signal | Key::StartDelay | Key::DiskLimit => Form::Int,
            Key::KillTimeout => Form::Duration,
            Key::DriverError
            | Key::KillError
            | Key::KillReason
            | Key::DownloadError
            | Key::RestartReason
            | Key::ValidationError
            | Key::SetupError
            | Key::FailedSibling
            | Key::TaskSignalReason
            | Key::TaskSignal
            | Key::SignalText => Form::Text,
        }
    }
}

/// The numbers a kind keeps (read off its [`Layout`]).
#[cfg(feature = "serde")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumbersShape {
    None,
    /// `Terminated`: exit code, signal, `oom_killed`.
    Exit,
    /// One i64: `StartDelay`, `KillTimeout` or `DiskLimit`.
    One,
}

/// What accepting an event of a kind does to the task's bookkeeping, in any phase and
/// whatever its `FailsTask` flag (the contract's bookkeeping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Books {
    /// Nothing beyond the phase (and failing the task if the event's flag says so).
    Nothing,
    /// Records the start time: `Started`.
    Starts,
    /// Counts a restart and records its time: `Restarting`.
    Restarts,
    /// Fails the task: `Not Restarting`, `Setup Failure`.
    FailsTask,
}

/// How a kind keeps its annotations: one row per kind, from which the compact layout
/// (its numbers and strings), the packing of the second slot, the `Details` keys (and
/// so which `Detail` field each key reads) and the bookkeeping are all read. Listed
/// without a wildcard: a new kind does not compile until it has a row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// What accepting it does to the bookkeeping.
    pub(crate) books: Books,
    /// How its `Detail` fields are stored: the compact layout's numbers, strings and
    /// packing are read off it.
    #[cfg(feature = "serde")]
    pub(crate) layout: Layout,
    /// Its own `Details` keys, in the order of their presence bits.
    pub(crate) keys: &'static [Key],
}

/// How a kind's [`Detail`](crate::Detail) fields are stored in an event: which numbers and
/// which of the two kind-specific text slots they take. Named in each kind's row, with the
/// fields; the compact layout (numbers, strings, packing) and `Detail`'s conversions to
/// and from the stored parts follow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// No field.
    Nothing,
    /// One text, in the first slot.
    Text,
    /// Two texts, one per slot.
    TwoTexts,
    /// One number (`value`), then one text in the first slot.
    NumberText,
    /// One number (`value`).
    Number,
    /// `Terminated`'s exit code (`value`), signal and `oom_killed`.
    Exit,
    /// Three texts: the first slot, then two packed in the second (`Signaling`).
    SignalTexts,
    /// A text in the first slot, the driver's annotations packed in the second (`Driver`).
    Annotated,
}

#[cfg(feature = "serde")]
impl Layout {
    /// The numbers kept (the compact layout's).
    pub(crate) const fn numbers(self) -> NumbersShape {
        match self {
            Layout::Exit => NumbersShape::Exit,
            Layout::NumberText | Layout::Number => NumbersShape::One,
            Layout::Nothing
            | Layout::Text
            | Layout::TwoTexts
            | Layout::SignalTexts
            | Layout::Annotated => NumbersShape::None,
        }
    }

    /// How many of the two kind-specific slots are used (the compact layout's strings).
    pub(crate) const fn strings(self) -> u8 {
        match self {
            Layout::Nothing | Layout::Number | Layout::Exit => 0,
            Layout::Text | Layout::NumberText => 1,
            Layout::TwoTexts | Layout::SignalTexts | Layout::Annotated => 2,
        }
    }

    /// Whether the second slot holds packed strings (`Signaling`, `Driver`).
    pub(crate) const fn packed(self) -> bool {
        matches!(self, Layout::SignalTexts | Layout::Annotated)
    }
}

const fn row(books: Books, layout: Layout, keys: &'static [Key]) -> Shape {
    // Without serde only the keys and the bookkeeping are read.
    #[cfg(not(feature = "serde"))]
    let _ = layout;
    Shape {
        books,
        #[cfg(feature = "serde")]
        layout,
        keys,
    }
}

macro_rules! event_kinds {
    (
        $(
            $(#[$doc:meta])*
            $variant:ident = $code:literal => $name:literal:
                $books:ident, [$($key:ident),*], $layout:ident $({ $($fields:tt)* })?,
                shows $show:tt,
        )*
        _ => Unknown: $u_books:ident, [], $u_layout:ident { $($u_fields:tt)* }, shows $u_show:tt,
    ) => {
        /// The kind of a task event: Nomad's `Type`.
        ///
        /// The seed document's ten kinds come first, then the kinds modern Nomad added, then
        /// [`EventKind::Unknown`] for a type string this crate does not know (the event keeps
        /// the string). Each kind has a stable one-byte [`code`](EventKind::code), used by the
        /// compact wire format; codes are only ever appended.
        ///
        /// Nomad adds kinds; so will this enum (`non_exhaustive`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        #[non_exhaustive]
        pub enum EventKind {
            $( $(#[$doc])* $variant, )*
            /// A type string this crate does not know; the event keeps the string.
            Unknown,
        }

        impl EventKind {
            /// Every kind, in code order (`Unknown` last). A slice, so that its type does not
            /// change when a kind is added.
            pub const ALL: &'static [EventKind] = &Self::ALL_ARRAY;

            /// [`EventKind::ALL`] as an array, for the crate's compile-time tables.
            pub(crate) const ALL_ARRAY: [EventKind; { [$($code),*].len() + 1 }] =
                [$(EventKind::$variant,)* EventKind::Unknown];

            /// Nomad's exact `Type` string; `None` for [`EventKind::Unknown`], whose string
            /// lives on the event.
            #[must_use]
            pub const fn type_str(self) -> Option<&'static str> {
                match self {
                    $( EventKind::$variant => Some($name), )*
                    EventKind::Unknown => None,
                }
            }

            /// The kind named by a Nomad `Type` string (exact, case-sensitive match);
            /// [`EventKind::Unknown`] for any other string.
            #[must_use]
            pub fn from_type_str(type_str: &str) -> EventKind {
                match type_str {
                    $( $name => EventKind::$variant, )*
                    _ => EventKind::Unknown,
                }
            }

            /// The kind's stable wire code.
            #[must_use]
            pub const fn code(self) -> u8 {
                match self {
                    $( EventKind::$variant => $code, )*
                    EventKind::Unknown => UNKNOWN_CODE,
                }
            }

            /// The kind with this wire code, if any.
            #[must_use]
            pub const fn from_code(code: u8) -> Option<EventKind> {
                match code {
                    $( $code => Some(EventKind::$variant), )*
                    UNKNOWN_CODE => Some(EventKind::Unknown),
                    _ => None,
                }
            }
        }

        /// The row of `kind` (see [`Shape`]): generated from the kind's line in the list.
        pub(crate) const fn shape(kind: EventKind) -> Shape {
            use Books::{FailsTask, Nothing as Plain, Restarts, Starts};
            match kind {
                $( EventKind::$variant => row($books, Layout::$layout, &[$(Key::$key),*]), )*
                EventKind::Unknown => row($u_books, Layout::$u_layout, &[]),
            }
        }
    };
}

/// Wire code of [`EventKind::Unknown`]: far from the known codes, which grow upwards.
const UNKNOWN_CODE: u8 = 255;

// One line per kind: its variant, wire code and Nomad `Type` string, then its row of the
// per-kind table (see `Shape`): what accepting it does to the bookkeeping (`Plain`: nothing
// beyond the phase; `Starts`; `Restarts`; `FailsTask`), its own `Details` keys in the order
// of their presence bits, its `Detail` fields with how they are stored (`Layout`), and
// the `DisplayMessage` it shows (Nomad's `PopulateEventDisplayMessage`): `shows("text")`,
// `shows(message)` (the event's `Message`), `shows(field)`, `shows(field or "fallback")`
// (the field unless empty), or `shows(rule(fields))`, a rule in `display/rules.rs` given
// those fields (`message` first when it reads the event's `Message` too).
// Everything else about a kind is derived from these lines: `EventKind` and the table
// here, the `Detail` enum and its conversions in the event module (`detail_items!`), the
// flat JSON fields each fills (`flat_of!`), the display (`display_rules!`). A new kind is
// one more line.
/// Hands the kinds' lines to `$callback`: how each part of the crate that is generated
/// per kind reads the one list.
macro_rules! kind_rows {
    ($callback:ident) => {
        $callback! {
            /// The driver could not start the task.
            DriverFailure = 0 => "Driver Failure": Plain, [DriverError], Text {
                /// Nomad's `DriverError`.
                driver_error: Text
            }, shows(driver_error or "Failed to start task"),
            /// The driver started the task.
            Started = 1 => "Started": Starts, [], Nothing, shows("Task started by client"),
            /// The task exited; the exit message is the event's `Message`.
            Terminated = 2 => "Terminated": Plain, [ExitCode, Signal], Exit {
                /// Nomad's `ExitCode`.
                exit_code: i32,
                /// Nomad's `Signal`; 0 when none.
                signal: i32,
                /// `Details["oom_killed"]`, when the driver reported it.
                oom_killed: OptionBool
            }, shows(terminated(message, exit_code, signal)),
            /// The task was killed.
            Killed = 3 => "Killed": Plain, [KillError, KillReason], TwoTexts {
                /// Nomad's `KillError` (seed era).
                kill_error: Text,
                /// Nomad's `KillReason` (an update without the task).
                kill_reason: Text
            }, shows(kill_error or "Task successfully killed"),
            /// The client received the task: a task's first event.
            Received = 4 => "Received": Plain, [], Nothing, shows("Task received by client"),
            /// The task's configuration is invalid.
            FailedValidation = 5 => "Failed Validation": Plain, [ValidationError], Text {
                /// Nomad's `ValidationError`.
                validation_error: Text
            }, shows(validation_error or "Validation of task failed"),
            /// The task will restart after a delay.
            Restarting = 6 => "Restarting": Restarts, [StartDelay, RestartReason], NumberText {
                /// Nomad's `StartDelay`, in nanoseconds.
                start_delay: i64,
                /// Nomad's `RestartReason`.
                restart_reason: Text
            }, shows(restarting(start_delay, restart_reason)),
            /// The task will not restart: it failed for good.
            NotRestarting = 7 => "Not Restarting": FailsTask, [RestartReason], Text {
                /// Nomad's `RestartReason`.
                restart_reason: Text
            }, shows(restart_reason or "Task exceeded restart policy"),
            /// The client is downloading the task's artifacts.
            DownloadingArtifacts = 8 => "Downloading Artifacts": Plain, [], Nothing,
                shows("Client is downloading artifacts"),
            /// An artifact could not be downloaded.
            FailedArtifactDownload = 9 => "Failed Artifact Download": Plain, [DownloadError], Text {
                /// Nomad's `DownloadError`.
                download_error: Text
            }, shows(download_error or "Failed to download artifacts"),
            /// The task is being killed.
            Killing = 10 => "Killing": Plain, [KillTimeout, KillReason], NumberText {
                /// Nomad's `KillTimeout`, in nanoseconds.
                kill_timeout: i64,
                /// Nomad's `KillReason`.
                kill_reason: Text
            }, shows(killing(kill_timeout, kill_reason)),
            /// Setting the task up failed; the task fails.
            SetupFailure = 11 => "Setup Failure": FailsTask, [SetupError, KillReason], TwoTexts {
                /// Nomad's `SetupError`.
                setup_error: Text,
                /// Nomad's `KillReason`: `Failed Restoring Task` when an allocation's
                /// prerun failed (`MarkFailedKill`, [`TaskEvent::mark_failed_kill`]).
                kill_reason: Text
            }, shows(setup_error or "Task setup failed"),
            /// The client is building the task's directory; what is being set up is the
            /// event's `Message`.
            TaskSetup = 12 => "Task Setup": Plain, [], Nothing, shows(message),
            /// The task was asked to restart.
            RestartSignaled = 13 => "Restart Signaled": Plain, [RestartReason], Text {
                /// Nomad's `RestartReason`.
                restart_reason: Text
            }, shows(restart_reason or "Task signaled to restart"),
            /// The task is being sent a signal.
            Signaling = 14 => "Signaling": Plain, [TaskSignal, TaskSignalReason, SignalText], SignalTexts {
                /// Nomad's `TaskSignal` (for example `"SIGHUP"`), set by template and
                /// Vault change modes.
                task_signal: Text,
                /// Nomad's `TaskSignalReason`.
                task_signal_reason: Text,
                /// `Details["signal"]`, the only thing `alloc signal` writes
                /// (`SetSignalText`): it has no field of its own and is not shown in the
                /// `DisplayMessage`.
                signal: DetailsText
            }, shows(signaling(task_signal, task_signal_reason)),
            /// Another task of the group failed.
            SiblingTaskFailed = 15 => "Sibling Task Failed": Plain, [FailedSibling], Text {
                /// Nomad's `FailedSibling`: the name of the task that failed.
                failed_sibling: Text
            }, shows(sibling_task_failed(failed_sibling)),
            /// The group's leader task died.
            LeaderTaskDead = 16 => "Leader Task Dead": Plain, [], Nothing,
                shows("Leader Task in Group dead"),
            /// The group's main tasks died; only sidecars were left.
            MainTasksDead = 17 => "Main Tasks Dead": Plain, [], Nothing,
                shows("Main tasks in the group died"),
            /// A task hook failed; the hook and its error are the event's `Message`.
            TaskHookFailed = 18 => "Task hook failed": Plain, [], Nothing, shows(message),
            /// The client could not reattach to the task after a restart of the agent.
            FailedRestoringTask = 19 => "Failed Restoring Task": Plain, [], Nothing, shows(message),
            /// A `shutdown_delay` began before the kill.
            WaitingForShutdownDelay = 20 => "Waiting for shutdown delay": Plain, [], Nothing,
                shows(message),
            /// The `shutdown_delay` was skipped before the kill.
            SkippingShutdownDelay = 21 => "Skipping shutdown delay": Plain, [], Nothing,
                shows(message),
            /// A message from the driver. Its annotations are its `Details`: no keys of
            /// its own.
            Driver = 22 => "Driver": Plain, [], Annotated {
                /// Nomad's `DriverMessage`.
                driver_message: Text,
                /// The driver's annotations, Nomad's `Details` for this kind; `None` when
                /// the driver gave none (`Details` is then `null`).
                annotations: OptionAnnotations
            }, shows(driver_message),
            /// The task used more disk than allowed.
            DiskResourcesExceeded = 23 => "Disk Resources Exceeded": Plain, [DiskLimit], Number {
                /// Nomad's `DiskLimit`, in MB.
                disk_limit: i64
            }, shows(message),
            /// A plugin the task uses became unhealthy.
            PluginUnhealthy = 24 => "Plugin became unhealthy": Plain, [], Nothing, shows(message),
            /// A plugin the task uses became healthy.
            PluginHealthy = 25 => "Plugin became healthy": Plain, [], Nothing, shows(message),
            /// The client reconnected to the servers.
            Reconnected = 26 => "Reconnected": Plain, [], Nothing, shows("Client reconnected"),
            /// A task hook reported progress.
            TaskHookMessage = 27 => "Task hook message": Plain, [], Nothing, shows(message),
            /// A message from the template renderer.
            Template = 28 => "Template": Plain, [], Nothing, shows(message),
            /// The allocation's health check found it unhealthy.
            AllocUnhealthy = 29 => "Alloc Unhealthy": Plain, [], Nothing, shows(message),
            /// A generic message (Nomad 0.6–0.7).
            Generic = 30 => "Generic": Plain, [], Nothing, shows(message),
            // A type string this crate does not know: the event keeps it.
            _ => Unknown: Plain, [], Text {
                /// The event's `Type`, kept as received.
                type_name: Text
            }, shows(message),
        }
    };
}
pub(crate) use kind_rows;

kind_rows!(event_kinds);

/// What accepting an event of the kind at `kind_index` in [`EventKind::ALL`] (what a head
/// holds) does to the bookkeeping: its row's, looked up in a table the compiler fills from
/// the rows, so the run-time path neither decodes the kind nor builds a row.
#[inline]
pub(crate) fn books(kind_index: usize) -> Books {
    // Evaluated by the compiler: an index out of bounds here is a build error, not a panic.
    #[allow(clippy::indexing_slicing)]
    const BOOKS: [Books; EventKind::ALL.len()] = {
        let mut table = [Books::Nothing; EventKind::ALL.len()];
        let mut k = 0;
        while k < EventKind::ALL.len() {
            table[k] = shape(EventKind::ALL[k]).books;
            k += 1;
        }
        table
    };
    BOOKS.get(kind_index).copied().unwrap_or(Books::Nothing)
}

/// The `Details` keys of each kind's own annotations, in the order of their presence
/// bits.
pub(crate) const fn own_keys(kind: EventKind) -> &'static [Key] {
    shape(kind).keys
}

impl EventKind {
    /// Whether accepting an event of this kind fails the task whatever its `FailsTask`
    /// flag says: `Not Restarting` and `Setup Failure` (the contract's bookkeeping).
    pub(crate) const fn always_fails_task(self) -> bool {
        matches!(shape(self).books, Books::FailsTask)
    }
}

impl EventKind {
    /// The name to show for this kind: its `Type` string, or `"unknown"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self.type_str() {
            Some(name) => name,
            None => "unknown",
        }
    }
}

/// A string that is not one of the `Type` strings this crate knows
/// ([`EventKind::from_str`](core::str::FromStr)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ParseEventKindError;

impl core::fmt::Display for ParseEventKindError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("not a task event type this crate knows")
    }
}

impl core::error::Error for ParseEventKindError {}

/// Parses Nomad's exact `Type` string. Unlike [`EventKind::from_type_str`], which maps
/// any other string to [`EventKind::Unknown`] (an event keeps it), parsing refuses it.
///
/// ```
/// use allocstate::{EventKind, ParseEventKindError};
///
/// assert_eq!("Restart Signaled".parse(), Ok(EventKind::RestartSignaled));
/// assert_eq!("Restart Signal".parse::<EventKind>(), Err(ParseEventKindError));
/// ```
impl core::str::FromStr for EventKind {
    type Err = ParseEventKindError;

    fn from_str(type_str: &str) -> Result<EventKind, ParseEventKindError> {
        match EventKind::from_type_str(type_str) {
            EventKind::Unknown => Err(ParseEventKindError),
            known => Ok(known),
        }
    }
}

impl core::fmt::Display for EventKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.pad(self.name())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;

    #[test]
    fn every_known_kind_round_trips_through_its_type_string_and_code() {
        for &kind in EventKind::ALL {
            assert_eq!(EventKind::from_code(kind.code()), Some(kind));
            if let Some(name) = kind.type_str() {
                assert_eq!(EventKind::from_type_str(name), kind);
            }
        }
        assert_eq!(EventKind::ALL.len(), 32);
    }

    #[test]
    fn parsing_takes_only_known_type_strings() {
        for &kind in EventKind::ALL {
            match kind.type_str() {
                Some(name) => assert_eq!(name.parse(), Ok(kind)),
                None => assert_eq!("unknown".parse::<EventKind>(), Err(ParseEventKindError)),
            }
        }
        assert_eq!("started".parse::<EventKind>(), Err(ParseEventKindError));
        assert_eq!(
            ParseEventKindError.to_string(),
            "not a task event type this crate knows"
        );
    }

    #[test]
    fn strings_are_exact() {
        assert_eq!(
            EventKind::RestartSignaled.type_str(),
            Some("Restart Signaled")
        );
        assert_eq!(
            EventKind::from_type_str("Restart Signal"),
            EventKind::Unknown
        );
        assert_eq!(EventKind::from_type_str("started"), EventKind::Unknown);
        assert_eq!(
            EventKind::TaskHookFailed.type_str(),
            Some("Task hook failed")
        );
    }
}
