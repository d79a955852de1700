//! [`Detail`]: what an event says beyond its kind and time, typed per kind, and how it
//! is stored in an event's numbers and text slots.

#[cfg(feature = "serde")]
use crate::kind::{shape, Form, Key};
use crate::kind::{with_kinds, without_annotations, EventKind};
use crate::text::Packed;

use super::Annotations;
// Named by the docs' links.
#[cfg(doc)]
use super::TaskEvent;

/// What an event says beyond its kind and time: the annotations Nomad populates for each
/// kind, as typed values. Borrowed, so it serves both to build an event
/// ([`TaskEvent::new`]) and to read one ([`TaskEvent::detail`]).
///
/// Nomad's free `Message` (the exit message of `Terminated`), the `DisplayMessage` override
/// and the `FailsTask` flag can go on any kind and live on [`TaskEvent`] itself.
///
/// A new kind brings a new variant (`non_exhaustive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum Detail<'a> {
    /// `Driver Failure`.
    DriverFailure {
        /// Nomad's `DriverError`.
        driver_error: &'a str,
    },
    /// `Started`.
    Started,
    /// `Terminated`; the exit message is the event's `Message`.
    Terminated {
        /// Nomad's `ExitCode`.
        exit_code: i32,
        /// Nomad's `Signal`; 0 when none.
        signal: i32,
        /// `Details["oom_killed"]`, when the driver reported it.
        oom_killed: Option<bool>,
    },
    /// `Killed`.
    Killed {
        /// Nomad's `KillError` (seed era).
        kill_error: &'a str,
        /// Nomad's `KillReason` (an update without the task).
        kill_reason: &'a str,
    },
    /// `Received`.
    Received,
    /// `Failed Validation`.
    FailedValidation {
        /// Nomad's `ValidationError`.
        validation_error: &'a str,
    },
    /// `Restarting`.
    Restarting {
        /// Nomad's `StartDelay`, in nanoseconds.
        start_delay: i64,
        /// Nomad's `RestartReason`.
        restart_reason: &'a str,
    },
    /// `Not Restarting`.
    NotRestarting {
        /// Nomad's `RestartReason`.
        restart_reason: &'a str,
    },
    /// `Downloading Artifacts`.
    DownloadingArtifacts,
    /// `Failed Artifact Download`.
    FailedArtifactDownload {
        /// Nomad's `DownloadError`.
        download_error: &'a str,
    },
    /// `Killing`.
    Killing {
        /// Nomad's `KillTimeout`, in nanoseconds.
        kill_timeout: i64,
        /// Nomad's `KillReason`.
        kill_reason: &'a str,
    },
    /// `Setup Failure`.
    SetupFailure {
        /// Nomad's `SetupError`.
        setup_error: &'a str,
        /// Nomad's `KillReason`: `Failed Restoring Task` when an allocation's prerun
        /// failed (`MarkFailedKill`, [`TaskEvent::mark_failed_kill`]).
        kill_reason: &'a str,
    },
    /// `Task Setup`; what is being set up is the event's `Message`.
    TaskSetup,
    /// `Restart Signaled`.
    RestartSignaled {
        /// Nomad's `RestartReason`.
        restart_reason: &'a str,
    },
    /// `Signaling`.
    Signaling {
        /// Nomad's `TaskSignal` (for example `"SIGHUP"`), set by template and Vault
        /// change modes.
        task_signal: &'a str,
        /// Nomad's `TaskSignalReason`.
        task_signal_reason: &'a str,
        /// `Details["signal"]`, the only thing `alloc signal` writes (`SetSignalText`):
        /// it has no field of its own and is not shown in the `DisplayMessage`.
        signal: &'a str,
    },
    /// `Sibling Task Failed`.
    SiblingTaskFailed {
        /// Nomad's `FailedSibling`: the name of the task that failed.
        failed_sibling: &'a str,
    },
    /// `Leader Task Dead`.
    LeaderTaskDead,
    /// `Main Tasks Dead`.
    MainTasksDead,
    /// `Task hook failed`; the hook and its error are the event's `Message`.
    TaskHookFailed,
    /// `Failed Restoring Task`.
    FailedRestoringTask,
    /// `Waiting for shutdown delay`.
    WaitingForShutdownDelay,
    /// `Skipping shutdown delay`.
    SkippingShutdownDelay,
    /// `Driver`.
    Driver {
        /// Nomad's `DriverMessage`.
        driver_message: &'a str,
        /// The driver's annotations, Nomad's `Details` for this kind; `None` when the
        /// driver gave none (`Details` is then `null`).
        annotations: Option<Annotations<'a>>,
    },
    /// `Disk Resources Exceeded`.
    DiskResourcesExceeded {
        /// Nomad's `DiskLimit`, in MB.
        disk_limit: i64,
    },
    /// `Plugin became unhealthy`.
    PluginUnhealthy,
    /// `Plugin became healthy`.
    PluginHealthy,
    /// `Reconnected`.
    Reconnected,
    /// `Task hook message`.
    TaskHookMessage,
    /// `Template`.
    Template,
    /// `Alloc Unhealthy`.
    AllocUnhealthy,
    /// `Generic`.
    Generic,
    /// A type string this crate does not know.
    Unknown {
        /// The event's `Type`, kept as received.
        type_name: &'a str,
    },
}

/// The numeric annotations; which ones mean something depends on the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub(crate) struct Numbers {
    /// `ExitCode`, `StartDelay`, `KillTimeout` or `DiskLimit`.
    pub(crate) value: i64,
    /// `Signal` of `Terminated`.
    pub(crate) signal: i32,
    /// `oom_killed` of `Terminated`.
    pub(crate) oom_killed: Oom,
}

/// `Details["oom_killed"]`: 0 when not reported, 1 false, 2 true. Not an
/// `Option<bool>`, whose `None` is 2: an empty ring slot is then all zero bytes, so a
/// `static` task state lands in `.bss`, not `.data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Oom(u8);

impl Oom {
    pub(crate) const fn of(reported: Option<bool>) -> Oom {
        match reported {
            None => Oom(0),
            Some(false) => Oom(1),
            Some(true) => Oom(2),
        }
    }

    pub(crate) const fn get(self) -> Option<bool> {
        match self.0 {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        }
    }
}

/// `Detail::kind`: one arm per kind, from the kinds' list (`with_kinds!`); a `Detail`
/// variant is named as its kind is, and `{ .. }` matches one with or without fields.
macro_rules! detail_kind {
    ($($variant:ident)*) => {
        impl Detail<'_> {
            /// The kind of event this detail belongs to.
            #[must_use]
            pub fn kind(&self) -> EventKind {
                match self {
                    $(Detail::$variant { .. } => EventKind::$variant,)*
                    Detail::Unknown { .. } => EventKind::Unknown,
                }
            }
        }
    };
}
with_kinds!(detail_kind);

impl<'a> Detail<'a> {
    /// The detail of a kind with every annotation at its zero value.
    #[must_use]
    pub fn empty(kind: EventKind) -> Detail<'static> {
        match kind {
            EventKind::DriverFailure => Detail::DriverFailure { driver_error: "" },
            EventKind::Started => Detail::Started,
            EventKind::Terminated => Detail::Terminated {
                exit_code: 0,
                signal: 0,
                oom_killed: None,
            },
            EventKind::Killed => Detail::Killed {
                kill_error: "",
                kill_reason: "",
            },
            EventKind::Received => Detail::Received,
            EventKind::FailedValidation => Detail::FailedValidation {
                validation_error: "",
            },
            EventKind::Restarting => Detail::Restarting {
                start_delay: 0,
                restart_reason: "",
            },
            EventKind::NotRestarting => Detail::NotRestarting { restart_reason: "" },
            EventKind::DownloadingArtifacts => Detail::DownloadingArtifacts,
            EventKind::FailedArtifactDownload => {
                Detail::FailedArtifactDownload { download_error: "" }
            }
            EventKind::Killing => Detail::Killing {
                kill_timeout: 0,
                kill_reason: "",
            },
            EventKind::SetupFailure => Detail::SetupFailure {
                setup_error: "",
                kill_reason: "",
            },
            EventKind::TaskSetup => Detail::TaskSetup,
            EventKind::RestartSignaled => Detail::RestartSignaled { restart_reason: "" },
            EventKind::Signaling => Detail::Signaling {
                task_signal: "",
                task_signal_reason: "",
                signal: "",
            },
            EventKind::SiblingTaskFailed => Detail::SiblingTaskFailed { failed_sibling: "" },
            EventKind::LeaderTaskDead => Detail::LeaderTaskDead,
            EventKind::MainTasksDead => Detail::MainTasksDead,
            EventKind::TaskHookFailed => Detail::TaskHookFailed,
            EventKind::FailedRestoringTask => Detail::FailedRestoringTask,
            EventKind::WaitingForShutdownDelay => Detail::WaitingForShutdownDelay,
            EventKind::SkippingShutdownDelay => Detail::SkippingShutdownDelay,
            EventKind::Driver => Detail::Driver {
                driver_message: "",
                annotations: None,
            },
            EventKind::DiskResourcesExceeded => Detail::DiskResourcesExceeded { disk_limit: 0 },
            EventKind::PluginUnhealthy => Detail::PluginUnhealthy,
            EventKind::PluginHealthy => Detail::PluginHealthy,
            EventKind::Reconnected => Detail::Reconnected,
            EventKind::TaskHookMessage => Detail::TaskHookMessage,
            EventKind::Template => Detail::Template,
            EventKind::AllocUnhealthy => Detail::AllocUnhealthy,
            EventKind::Generic => Detail::Generic,
            EventKind::Unknown => Detail::Unknown { type_name: "" },
        }
    }

    /// The detail of `kind` from its stored parts: the inverse of [`Detail::parts`].
    pub(crate) fn assemble(
        kind: EventKind,
        numbers: Numbers,
        first: &'a str,
        second: &'a str,
        details_null: bool,
    ) -> Detail<'a> {
        let Numbers {
            value,
            signal,
            oom_killed,
        } = numbers;
        match Detail::empty(kind) {
            Detail::Terminated { .. } => Detail::Terminated {
                exit_code: i32::try_from(value).unwrap_or_default(),
                signal,
                oom_killed: oom_killed.get(),
            },
            Detail::Restarting { .. } => Detail::Restarting {
                start_delay: value,
                restart_reason: first,
            },
            Detail::Killing { .. } => Detail::Killing {
                kill_timeout: value,
                kill_reason: first,
            },
            Detail::DiskResourcesExceeded { .. } => {
                Detail::DiskResourcesExceeded { disk_limit: value }
            }
            Detail::Killed { .. } => Detail::Killed {
                kill_error: first,
                kill_reason: second,
            },
            Detail::Signaling { .. } => {
                let mut packed = Packed(second).iter();
                Detail::Signaling {
                    task_signal: first,
                    task_signal_reason: packed.next().unwrap_or(""),
                    signal: packed.next().unwrap_or(""),
                }
            }
            Detail::DriverFailure { .. } => Detail::DriverFailure {
                driver_error: first,
            },
            Detail::FailedValidation { .. } => Detail::FailedValidation {
                validation_error: first,
            },
            Detail::NotRestarting { .. } => Detail::NotRestarting {
                restart_reason: first,
            },
            Detail::FailedArtifactDownload { .. } => Detail::FailedArtifactDownload {
                download_error: first,
            },
            Detail::SetupFailure { .. } => Detail::SetupFailure {
                setup_error: first,
                kill_reason: second,
            },
            Detail::RestartSignaled { .. } => Detail::RestartSignaled {
                restart_reason: first,
            },
            Detail::SiblingTaskFailed { .. } => Detail::SiblingTaskFailed {
                failed_sibling: first,
            },
            Detail::Driver { .. } => Detail::Driver {
                driver_message: first,
                annotations: (!details_null).then_some(Annotations(Packed(second))),
            },
            Detail::Unknown { .. } => Detail::Unknown { type_name: first },
            plain @ without_annotations!() => plain,
        }
    }

    /// Splits into the stored parts: numbers and the two kind-specific strings, the
    /// second as the strings to pack when the kind packs it.
    pub(super) fn parts(&self) -> (Numbers, &'a str, Second<'a>) {
        let none = Numbers::default();
        match *self {
            Detail::Terminated {
                exit_code,
                signal,
                oom_killed,
            } => (
                Numbers {
                    value: i64::from(exit_code),
                    signal,
                    oom_killed: Oom::of(oom_killed),
                },
                "",
                Second::Plain(""),
            ),
            Detail::Restarting {
                start_delay,
                restart_reason,
            } => (
                Numbers {
                    value: start_delay,
                    ..none
                },
                restart_reason,
                Second::Plain(""),
            ),
            Detail::Killing {
                kill_timeout,
                kill_reason,
            } => (
                Numbers {
                    value: kill_timeout,
                    ..none
                },
                kill_reason,
                Second::Plain(""),
            ),
            Detail::DiskResourcesExceeded { disk_limit } => (
                Numbers {
                    value: disk_limit,
                    ..none
                },
                "",
                Second::Plain(""),
            ),
            Detail::Killed {
                kill_error,
                kill_reason,
            } => (none, kill_error, Second::Plain(kill_reason)),
            Detail::SetupFailure {
                setup_error,
                kill_reason,
            } => (none, setup_error, Second::Plain(kill_reason)),
            Detail::Signaling {
                task_signal,
                task_signal_reason,
                signal,
            } => (
                none,
                task_signal,
                Second::Signal(task_signal_reason, signal),
            ),
            Detail::Driver {
                driver_message,
                annotations,
            } => (none, driver_message, Second::Annotations(annotations)),
            Detail::DriverFailure {
                driver_error: first,
            }
            | Detail::FailedValidation {
                validation_error: first,
            }
            | Detail::NotRestarting {
                restart_reason: first,
            }
            | Detail::FailedArtifactDownload {
                download_error: first,
            }
            | Detail::RestartSignaled {
                restart_reason: first,
            }
            | Detail::SiblingTaskFailed {
                failed_sibling: first,
            }
            | Detail::Unknown { type_name: first } => (none, first, Second::Plain("")),
            without_annotations!() => (none, "", Second::Plain("")),
        }
    }
}

/// What a kind keeps in its second slot.
pub(crate) enum Second<'a> {
    Plain(&'a str),
    /// `Signaling`: the reason and the signal text, packed.
    Signal(&'a str, &'a str),
    /// `Driver`: the annotations, packed as key, value, key, value…
    Annotations(Option<Annotations<'a>>),
}

/// A `Details` value before it is written: Nomad stores every value as a string.
#[cfg(feature = "serde")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    Text(&'a str),
    /// Written with `%d`.
    Int(i64),
    /// Written as Go's `Duration.String()`.
    Duration(i64),
}

impl<'a> Detail<'a> {
    /// The value of one of the kind's own keys, read from the stored parts through the
    /// kind's row: its number keys take the numbers in order (`value`, then `signal`), its
    /// text keys the strings in order (the first slot, then the second or its packed
    /// pieces). Zero for a key the kind does not have.
    #[cfg(feature = "serde")]
    pub(crate) fn value(&self, key: Key) -> Value<'a> {
        let (numbers, first, second) = self.parts();
        let keys = shape(self.kind()).keys;
        let texts = match second {
            Second::Plain(second) => [first, second, ""],
            Second::Signal(reason, signal) => [first, reason, signal],
            Second::Annotations(_) => [first, "", ""],
        };
        let ints = [numbers.value, i64::from(numbers.signal)];
        let form = key.form();
        let position = keys
            .iter()
            .filter(|own| (own.form() == Form::Text) == (form == Form::Text))
            .position(|own| *own == key);
        match form {
            Form::Text => Value::Text(position.and_then(|at| texts.get(at)).copied().unwrap_or("")),
            Form::Int => Value::Int(position.and_then(|at| ints.get(at)).copied().unwrap_or(0)),
            Form::Duration => {
                Value::Duration(position.and_then(|at| ints.get(at)).copied().unwrap_or(0))
            }
        }
    }
}
