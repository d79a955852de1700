//! The per-kind table: for each [`EventKind`], what accepting it does to the bookkeeping,
//! which numbers and strings it keeps, and its own `Details` keys. One row per kind, read
//! by the event (its `Detail` parts and `Details` keys), the task's bookkeeping, the head
//! word and the wire formats. A leaf module: it imports only the kind.

use crate::kind::EventKind;

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

/// The row of `kind` (see [`Shape`]).
pub(crate) const fn shape(kind: EventKind) -> Shape {
    use Books::{FailsTask, Nothing as Plain, Restarts, Starts};
    use EventKind as K;
    use NumbersShape::{Exit, None as No, One};
    match kind {
        K::DriverFailure => row(Plain, No, 1, false, &[Key::DriverError]),
        K::Started => row(Starts, No, 0, false, &[]),
        K::Terminated => row(Plain, Exit, 0, false, &[Key::ExitCode, Key::Signal]),
        K::Killed => row(Plain, No, 2, false, &[Key::KillError, Key::KillReason]),
        K::FailedValidation => row(Plain, No, 1, false, &[Key::ValidationError]),
        K::Restarting => row(
            Restarts,
            One,
            1,
            false,
            &[Key::StartDelay, Key::RestartReason],
        ),
        K::NotRestarting => row(FailsTask, No, 1, false, &[Key::RestartReason]),
        K::RestartSignaled => row(Plain, No, 1, false, &[Key::RestartReason]),
        K::FailedArtifactDownload => row(Plain, No, 1, false, &[Key::DownloadError]),
        K::Killing => row(Plain, One, 1, false, &[Key::KillTimeout, Key::KillReason]),
        K::SetupFailure => row(FailsTask, No, 2, false, &[Key::SetupError, Key::KillReason]),
        K::Signaling => row(
            Plain,
            No,
            2,
            true,
            &[Key::TaskSignal, Key::TaskSignalReason, Key::SignalText],
        ),
        K::SiblingTaskFailed => row(Plain, No, 1, false, &[Key::FailedSibling]),
        K::DiskResourcesExceeded => row(Plain, One, 0, false, &[Key::DiskLimit]),
        // The driver's annotations are its `Details`: no keys of its own.
        K::Driver => row(Plain, No, 2, true, &[]),
        // The type string.
        K::Unknown => row(Plain, No, 1, false, &[]),
        K::Received
        | K::DownloadingArtifacts
        | K::TaskSetup
        | K::LeaderTaskDead
        | K::MainTasksDead
        | K::TaskHookFailed
        | K::FailedRestoringTask
        | K::WaitingForShutdownDelay
        | K::SkippingShutdownDelay
        | K::PluginUnhealthy
        | K::PluginHealthy
        | K::Reconnected
        | K::TaskHookMessage
        | K::Template
        | K::AllocUnhealthy
        | K::Generic => row(Plain, No, 0, false, &[]),
    }
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
