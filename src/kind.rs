//! The kinds of task event and everything the crate knows per kind: Nomad's exact `Type`
//! strings, the stable wire codes, and the per-kind table (what accepting an event of the
//! kind does to the bookkeeping, which numbers and strings it keeps, its own `Details`
//! keys). One line per kind in `event_kinds!`; the rest is derived, here or through the
//! two macros the lines also make for the event module: `with_kinds!` (every kind's
//! variant, for `Detail::kind`) and `without_annotations!` (the `Detail` variants of the
//! kinds that keep nothing of their own). A leaf module: it imports nothing from the
//! crate, and the event, the head word, the task's bookkeeping and the wire formats read
//! it.

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

/// The numbers a kind keeps.
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
    /// Its numbers (the compact layout's).
    #[cfg(feature = "serde")]
    pub(crate) numbers: NumbersShape,
    /// How many of the two kind-specific slots it uses (the compact layout's strings).
    #[cfg(feature = "serde")]
    pub(crate) strings: u8,
    /// Whether the second slot holds packed strings (`Signaling`, `Driver`).
    #[cfg(feature = "serde")]
    pub(crate) packed: bool,
    /// Its own `Details` keys, in the order of their presence bits.
    pub(crate) keys: &'static [Key],
}

const fn row(
    books: Books,
    numbers: NumbersShape,
    strings: u8,
    packed: bool,
    keys: &'static [Key],
) -> Shape {
    // Without serde only the keys are read; the row is still written whole, once.
    #[cfg(not(feature = "serde"))]
    let _ = (numbers, strings, packed);
    Shape {
        books,
        #[cfg(feature = "serde")]
        numbers,
        #[cfg(feature = "serde")]
        strings,
        #[cfg(feature = "serde")]
        packed,
        keys,
    }
}

macro_rules! event_kinds {
    (@items
        $(
            $(#[$doc:meta])*
            $variant:ident = $code:literal => $name:literal:
                $books:ident, $numbers:ident, $strings:literal, $packed:literal, [$($key:ident),*],
        )*
        _ => Unknown: $u_books:ident, $u_numbers:ident, $u_strings:literal, $u_packed:literal, [],
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
        /// Calls the macro it is given with every known kind's variant name, in code
        /// order (`Unknown` not among them): how code outside this leaf module writes an
        /// exhaustive match over the kinds (see `Detail::kind`) without restating them.
        macro_rules! with_kinds {
            ($callback:ident) => {
                $callback! { $($variant)* }
            };
        }
        pub(crate) use with_kinds;

        /// The row of `kind` (see [`Shape`]): generated from the kind's line in the list.
        pub(crate) const fn shape(kind: EventKind) -> Shape {
            use Books::{FailsTask, Nothing as Plain, Restarts, Starts};
            use NumbersShape::{Exit, None as No, One};
            match kind {
                $( EventKind::$variant => row($books, $numbers, $strings, $packed, &[$(Key::$key),*]), )*
                EventKind::Unknown => row($u_books, $u_numbers, $u_strings, $u_packed, &[]),
            }
        }
    };
    // A kind that keeps nothing of its own (no numbers, strings or keys): its `Detail`
    // variant has no field.
    (@fieldless [$($plain:ident)*]
        $(#[$doc:meta])*
        $variant:ident = $code:literal => $name:literal: $books:ident, No, 0, false, [],
        $($rest:tt)*
    ) => {
        event_kinds!(@fieldless [$($plain)* $variant] $($rest)*);
    };
    // A kind that keeps something.
    (@fieldless [$($plain:ident)*]
        $(#[$doc:meta])*
        $variant:ident = $code:literal => $name:literal:
            $books:ident, $numbers:ident, $strings:literal, $packed:literal, [$($key:ident),*],
        $($rest:tt)*
    ) => {
        event_kinds!(@fieldless [$($plain)*] $($rest)*);
    };
    (@fieldless [$($plain:ident)*] _ => $($rest:tt)*) => {
        /// The pattern of every `Detail` variant without annotations (no field), read
        /// off the kinds' rows (those that keep no numbers, strings or keys): one list
        /// for the matches that treat them alike, each still exhaustive.
        macro_rules! without_annotations {
            () => {
                $(Detail::$plain)|*
            };
        }
        pub(crate) use without_annotations;
    };
    ($($rows:tt)*) => {
        event_kinds!(@items $($rows)*);
        event_kinds!(@fieldless [] $($rows)*);
    };
}

/// Wire code of [`EventKind::Unknown`]: far from the known codes, which grow upwards.
const UNKNOWN_CODE: u8 = 255;

// One line per kind: its variant, wire code and Nomad `Type` string, then its row of the
// per-kind table (see `Shape`): what accepting it does to the bookkeeping (`Plain`: nothing
// beyond the phase; `Starts`; `Restarts`; `FailsTask`), its numbers (`No`, `Exit`, `One`),
// how many kind-specific strings it keeps, whether the second one is packed, and its own
// `Details` keys in the order of their presence bits. Everything else about a kind's facts
// is derived from these lines; a new kind is one more line.
event_kinds! {
    /// The driver could not start the task.
    DriverFailure = 0 => "Driver Failure":
        Plain, No, 1, false, [DriverError],
    /// The driver started the task.
    Started = 1 => "Started":
        Starts, No, 0, false, [],
    /// The task exited.
    Terminated = 2 => "Terminated":
        Plain, Exit, 0, false, [ExitCode, Signal],
    /// The task was killed.
    Killed = 3 => "Killed":
        Plain, No, 2, false, [KillError, KillReason],
    /// The client received the task: a task's first event.
    Received = 4 => "Received":
        Plain, No, 0, false, [],
    /// The task's configuration is invalid.
    FailedValidation = 5 => "Failed Validation":
        Plain, No, 1, false, [ValidationError],
    /// The task will restart after a delay.
    Restarting = 6 => "Restarting":
        Restarts, One, 1, false, [StartDelay, RestartReason],
    /// The task will not restart: it failed for good.
    NotRestarting = 7 => "Not Restarting":
        FailsTask, No, 1, false, [RestartReason],
    /// The client is downloading the task's artifacts.
    DownloadingArtifacts = 8 => "Downloading Artifacts":
        Plain, No, 0, false, [],
    /// An artifact could not be downloaded.
    FailedArtifactDownload = 9 => "Failed Artifact Download":
        Plain, No, 1, false, [DownloadError],
    /// The task is being killed.
    Killing = 10 => "Killing":
        Plain, One, 1, false, [KillTimeout, KillReason],
    /// Setting the task up failed; the task fails.
    SetupFailure = 11 => "Setup Failure":
        FailsTask, No, 2, false, [SetupError, KillReason],
    /// The client is building the task's directory.
    TaskSetup = 12 => "Task Setup":
        Plain, No, 0, false, [],
    /// The task was asked to restart.
    RestartSignaled = 13 => "Restart Signaled":
        Plain, No, 1, false, [RestartReason],
    /// The task is being sent a signal.
    Signaling = 14 => "Signaling":
        Plain, No, 2, true, [TaskSignal, TaskSignalReason, SignalText],
    /// Another task of the group failed.
    SiblingTaskFailed = 15 => "Sibling Task Failed":
        Plain, No, 1, false, [FailedSibling],
    /// The group's leader task died.
    LeaderTaskDead = 16 => "Leader Task Dead":
        Plain, No, 0, false, [],
    /// The group's main tasks died; only sidecars were left.
    MainTasksDead = 17 => "Main Tasks Dead":
        Plain, No, 0, false, [],
    /// A task hook failed.
    TaskHookFailed = 18 => "Task hook failed":
        Plain, No, 0, false, [],
    /// The client could not reattach to the task after a restart of the agent.
    FailedRestoringTask = 19 => "Failed Restoring Task":
        Plain, No, 0, false, [],
    /// A `shutdown_delay` began before the kill.
    WaitingForShutdownDelay = 20 => "Waiting for shutdown delay":
        Plain, No, 0, false, [],
    /// The `shutdown_delay` was skipped before the kill.
    SkippingShutdownDelay = 21 => "Skipping shutdown delay":
        Plain, No, 0, false, [],
    /// A message from the driver.
    Driver = 22 => "Driver":
        Plain, No, 2, true, [],
    /// The task used more disk than allowed.
    DiskResourcesExceeded = 23 => "Disk Resources Exceeded":
        Plain, One, 0, false, [DiskLimit],
    /// A plugin the task uses became unhealthy.
    PluginUnhealthy = 24 => "Plugin became unhealthy":
        Plain, No, 0, false, [],
    /// A plugin the task uses became healthy.
    PluginHealthy = 25 => "Plugin became healthy":
        Plain, No, 0, false, [],
    /// The client reconnected to the servers.
    Reconnected = 26 => "Reconnected":
        Plain, No, 0, false, [],
    /// A task hook reported progress.
    TaskHookMessage = 27 => "Task hook message":
        Plain, No, 0, false, [],
    /// A message from the template renderer.
    Template = 28 => "Template":
        Plain, No, 0, false, [],
    /// The allocation's health check found it unhealthy.
    AllocUnhealthy = 29 => "Alloc Unhealthy":
        Plain, No, 0, false, [],
    /// A generic message (Nomad 0.6–0.7).
    Generic = 30 => "Generic":
        Plain, No, 0, false, [],
    // The type string (the event keeps it). The driver's annotations, above, are its
    // `Details`: no keys of its own.
    _ => Unknown: Plain, No, 1, false, [],
}

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
