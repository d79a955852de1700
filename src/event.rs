//! One task event: its kind, its time, and exactly the annotations Nomad sets for that kind.

use crate::head::{Head, Keys};
pub(crate) use crate::kind::own_keys;
#[cfg(feature = "serde")]
use crate::kind::Form;
use crate::kind::{with_kinds, without_annotations, EventKind};
// The wire code reads the per-kind table through the event's module.
#[cfg(feature = "serde")]
pub(crate) use crate::kind::{shape, Key, NumbersShape};
use crate::text::{Packed, Packer, Slot, Texts, EVENT_TEXT_CAPACITY};

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
    fn parts(&self) -> (Numbers, &'a str, Second<'a>) {
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

/// Packs `held` annotations with `key` set to `value` into `packer`, kept sorted by key
/// (as Go writes a map). Into the caller's packer, not returned: a returned one was
/// copied out, a second text buffer on the stack.
fn insert_sorted(packer: &mut Packer, held: Packed<'_>, key: &str, value: &str) {
    let mut placed = false;
    for (k, v) in Annotations(held).iter() {
        if !placed && k >= key {
            packer.push(key, Some(value));
            placed = true;
        }
        if k != key {
            packer.push(k, Some(v));
        }
    }
    if !placed {
        packer.push(key, Some(value));
    }
}

/// What a kind keeps in its second slot.
enum Second<'a> {
    Plain(&'a str),
    /// `Signaling`: the reason and the signal text, packed.
    Signal(&'a str, &'a str),
    /// `Driver`: the annotations, packed as key, value, key, value…
    Annotations(Option<Annotations<'a>>),
}

/// A driver's annotations: key and value pairs, kept sorted by key (the order Go writes
/// a map in), each key once.
///
/// ```
/// use allocstate::{Detail, TaskEvent};
///
/// let pull = TaskEvent::driver(1, "Downloading image").with_annotation("image", "redis:7");
/// let Detail::Driver { annotations: Some(annotations), .. } = pull.detail() else {
///     unreachable!()
/// };
/// assert_eq!(annotations.get("image"), Some("redis:7"));
/// assert_eq!(annotations.iter().count(), 1);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Annotations<'a>(pub(crate) Packed<'a>);

impl<'a> Annotations<'a> {
    /// No annotation (an empty map, as opposed to none: `Option::None`).
    pub const EMPTY: Annotations<'static> = Annotations(Packed(""));

    /// The pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        let mut strings = self.0.iter();
        core::iter::from_fn(move || Some((strings.next()?, strings.next()?)))
    }

    /// The value of `key`, if annotated.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Whether there is no pair.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0 .0.is_empty()
    }
}

impl core::fmt::Debug for Annotations<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Annotations<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{{");
        for (i, (key, value)) in self.iter().enumerate() {
            if i > 0 {
                defmt::write!(f, ", ");
            }
            defmt::write!(f, "{=str}: {=str}", key, value);
        }
        defmt::write!(f, "}}");
    }
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
            oom_killed: Oom(0),
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
    fn with_only_keys(mut self, only: u8) -> TaskEvent {
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

    /// `Received`: the client received the task.
    #[must_use]
    pub fn received(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::Received)
    }

    /// `Task Setup` with Nomad's message `Building Task Directory`.
    #[must_use]
    pub fn task_setup(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::TaskSetup).with_message("Building Task Directory")
    }

    /// `Downloading Artifacts`.
    #[must_use]
    pub fn downloading_artifacts(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::DownloadingArtifacts)
    }

    /// `Failed Artifact Download` with its error.
    #[must_use]
    pub fn failed_artifact_download(time: i64, download_error: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::FailedArtifactDownload { download_error })
    }

    /// `Failed Validation` with its error.
    #[must_use]
    pub fn failed_validation(time: i64, validation_error: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::FailedValidation { validation_error })
    }

    /// `Driver Failure` with its error.
    #[must_use]
    pub fn driver_failure(time: i64, driver_error: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::DriverFailure { driver_error })
    }

    /// `Setup Failure` with its error; it fails the task.
    #[must_use]
    pub fn setup_failure(time: i64, setup_error: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::SetupFailure {
                setup_error,
                kill_reason: "",
            },
        )
        .with_only_keys(Keys::annotation(0))
        .with_fails_task()
    }

    /// `Setup Failure` as Nomad's `MarkFailedKill` writes it when an allocation's prerun
    /// hook failed: the `KillReason` `Failed Restoring Task`, `reason` (Nomad's
    /// `failed to setup alloc: <err>`) as the `DisplayMessage`, and `FailsTask`.
    #[must_use]
    pub fn mark_failed_kill(time: i64, reason: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::SetupFailure {
                setup_error: "",
                kill_reason: EventKind::FailedRestoringTask.name(),
            },
        )
        .with_only_keys(Keys::annotation(1))
        .with_fails_task()
        .with_display_message(reason)
    }

    /// `Started`.
    #[must_use]
    pub fn started(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::Started)
    }

    /// `Terminated` with the exit code (no signal, not OOM-killed).
    #[must_use]
    pub fn terminated(time: i64, exit_code: i32) -> TaskEvent {
        TaskEvent::terminated_by_signal(time, exit_code, 0)
    }

    /// `Terminated` by a signal (not OOM-killed). Like Nomad's exit result event it
    /// carries `exit_code`, `signal` and `oom_killed`; the exit message is set with
    /// [`with_message`](TaskEvent::with_message).
    #[must_use]
    pub fn terminated_by_signal(time: i64, exit_code: i32, signal: i32) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Terminated {
                exit_code,
                signal,
                oom_killed: Some(false),
            },
        )
    }

    /// `Killing`, with the kill timeout in nanoseconds (written even when 0).
    #[must_use]
    pub fn killing(time: i64, kill_timeout: i64) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Killing {
                kill_timeout,
                kill_reason: "",
            },
        )
        .with_only_keys(Keys::annotation(0))
    }

    /// `Killing` as a hook writes it when it kills its task (the Vault hook's
    /// unrecoverable error, a template's fatal one): no kill timeout, failing the task,
    /// with the hook's `display_message` (Nomad's `client/allocrunner/taskrunner/vault_hook.go`,
    /// `vaultHook.Prestart` and `vaultHook.run`; `taskrunner/template/template.go`,
    /// `TaskTemplateManager.run` and `handleTemplateRerenders`).
    #[must_use]
    pub fn hook_killing(time: i64, display_message: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Killing {
                kill_timeout: 0,
                kill_reason: "",
            },
        )
        .with_only_keys(0)
        .with_display_message(display_message)
        .with_fails_task()
    }

    /// `Killed` for `kill_reason`, failing the task, as Nomad's task runner writes it when
    /// an allocation update no longer has the task (`update missing task`: Nomad's
    /// `client/allocrunner/taskrunner/task_runner.go`, `TaskRunner.Update`).
    #[must_use]
    pub fn killed_failing(time: i64, kill_reason: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Killed {
                kill_error: "",
                kill_reason,
            },
        )
        .with_only_keys(Keys::annotation(1))
        .with_fails_task()
    }

    /// `Killed` with `KillError`: the driver could not kill the task (Nomad's
    /// `TaskRunner.Kill`, `client/allocrunner/taskrunner/lifecycle.go`, sets it from the
    /// kill's error).
    #[must_use]
    pub fn killed_with_error(time: i64, kill_error: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Killed {
                kill_error,
                kill_reason: "",
            },
        )
        .with_only_keys(Keys::annotation(0))
    }

    /// `Killed`, bare as Nomad's task runner writes it.
    #[must_use]
    pub fn killed(time: i64) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Killed {
                kill_error: "",
                kill_reason: "",
            },
        )
        .with_only_keys(0)
    }

    /// `Restarting` after `start_delay` nanoseconds, for `restart_reason` (both written,
    /// an empty reason too: a user-requested restart has none).
    #[must_use]
    pub fn restarting(time: i64, start_delay: i64, restart_reason: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Restarting {
                start_delay,
                restart_reason,
            },
        )
    }

    /// `Not Restarting` for `restart_reason`; it fails the task.
    #[must_use]
    pub fn not_restarting(time: i64, restart_reason: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::NotRestarting { restart_reason }).with_fails_task()
    }

    /// `Restart Signaled` for `restart_reason`.
    #[must_use]
    pub fn restart_signaled(time: i64, restart_reason: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::RestartSignaled { restart_reason })
    }

    /// `Signaling` as `nomad alloc signal` writes it: only `Details["signal"]` (for
    /// example `"SIGUSR1"`); the `DisplayMessage` is `Task being sent a signal`.
    #[must_use]
    pub fn signaling(time: i64, signal: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Signaling {
                task_signal: "",
                task_signal_reason: "",
                signal,
            },
        )
        .with_only_keys(Keys::annotation(2))
    }

    /// `Signaling` with Nomad's `TaskSignal` (for example `"SIGHUP"`), as a template or
    /// Vault change mode writes it.
    #[must_use]
    pub fn signaling_task_signal(time: i64, task_signal: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Signaling {
                task_signal,
                task_signal_reason: "",
                signal: "",
            },
        )
        .with_only_keys(Keys::annotation(0))
    }

    /// `Sibling Task Failed`, naming the task that failed.
    #[must_use]
    pub fn sibling_task_failed(time: i64, failed_sibling: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::SiblingTaskFailed { failed_sibling })
    }

    /// `Leader Task Dead`.
    #[must_use]
    pub fn leader_task_dead(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::LeaderTaskDead)
    }

    /// `Main Tasks Dead`.
    #[must_use]
    pub fn main_tasks_dead(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::MainTasksDead)
    }

    /// `Driver` with the driver's message and no annotations (`Details` is `null`, as
    /// Nomad writes a driver event whose driver gave none); add them with
    /// [`with_annotation`](TaskEvent::with_annotation).
    #[must_use]
    pub fn driver(time: i64, driver_message: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Driver {
                driver_message,
                annotations: None,
            },
        )
    }

    /// Adds one of the driver's annotations to a `Driver` event (replacing the key's
    /// value if annotated). A pair that does not fit whole is left out and
    /// [`is_truncated`](TaskEvent::is_truncated) says so. Other kinds carry no
    /// annotations and are returned unchanged.
    #[must_use]
    pub fn with_annotation(mut self, key: &str, value: &str) -> TaskEvent {
        self.annotate(key, value);
        self
    }

    /// [`with_annotation`](TaskEvent::with_annotation) in place.
    fn annotate(&mut self, key: &str, value: &str) {
        if self.kind() != EventKind::Driver {
            return;
        }
        let held = self.texts.get(Slot::Second);
        // After every key held (annotations added in order, as Go writes a map and the
        // JSON reader keeps them): appended in place, with no packing buffer.
        let last = Annotations(Packed(held)).iter().last();
        let appended = match last {
            Some((last, _)) if last >= key => None,
            _ => self.texts.append_packed(Slot::Second, &[key, value]),
        };
        if appended.is_none() {
            self.insert_annotation(key, value);
        }
        self.head = self
            .head
            .with_keys(self.head.keys().with(Keys::NULL, false));
    }

    /// Puts one annotation in its sorted place, packing the slot again. Not inlined: the
    /// packing buffer is on the stack only when a key comes before one held.
    #[inline(never)]
    fn insert_annotation(&mut self, key: &str, value: &str) {
        let held = self.texts.get(Slot::Second);
        let others = self.texts.len().saturating_sub(held.len());
        let room = EVENT_TEXT_CAPACITY.saturating_sub(others);
        let mut packer = Packer::new(room);
        insert_sorted(&mut packer, Packed(held), key, value);
        self.texts.set(Slot::Second, &packer.buf);
        if packer.cut {
            self.texts.mark_truncated(Slot::Second);
        }
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
    fn carries_setter_keys(&self) -> bool {
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

/// The event as a reader wants it: kind, time, the annotations by name, then what is
/// set of `Message`, the override, `FailsTask`, the `Details` keys carried and the cut.
impl core::fmt::Debug for TaskEvent {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut out = f.debug_struct("TaskEvent");
        out.field("kind", &self.kind())
            .field("time", &self.time)
            .field("detail", &self.detail());
        if !self.message().is_empty() {
            out.field("message", &self.message());
        }
        if let Some(display) = self.display_message_override() {
            out.field("display_message", &display);
        }
        if self.fails_task() {
            out.field("fails_task", &true);
        }
        out.field("details", &DetailsKeys(self));
        if self.is_truncated() {
            out.field("truncated", &true);
        }
        out.finish()
    }
}

/// The `Details` keys an event carries, by name (`null` for none at all).
struct DetailsKeys<'a>(&'a TaskEvent);

impl core::fmt::Debug for DetailsKeys<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let event = self.0;
        let keys = event.head.keys();
        if keys.has(Keys::NULL) {
            return f.write_str("null");
        }
        if event.kind() == EventKind::Driver {
            return f.write_str("annotations");
        }
        let message = if event.kind() == EventKind::Terminated {
            "exit_message"
        } else {
            "message"
        };
        let own = own_keys(event.kind())
            .iter()
            .enumerate()
            .filter(|(index, _)| keys.has(Keys::annotation(*index)))
            .map(|(_, key)| key.name());
        let mut list = f.debug_list();
        list.entries(keys.has(Keys::FAILS_TASK).then_some("fails_task"))
            .entries(keys.has(Keys::MESSAGE).then_some(message))
            .entries(own);
        if matches!(
            event.detail(),
            Detail::Terminated {
                oom_killed: Some(_),
                ..
            }
        ) {
            list.entry(&"oom_killed");
        }
        list.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::shape;

    #[test]
    fn every_kinds_row_fits_the_head_and_the_slots() {
        for &kind in EventKind::ALL {
            let row = shape(kind);
            // The head keeps three presence bits for a kind's own keys.
            assert!(row.keys.len() <= 3, "{kind:?}");
            // Only a second slot is packed.
            #[cfg(feature = "serde")]
            assert!(!row.packed || row.strings == 2, "{kind:?}");
            // `new` marks every own key: the bits read back as the row's.
            let keys = TaskEvent::of_kind(1, kind).head.keys();
            for index in 0..3 {
                let bit = Keys::annotation(index);
                assert_eq!(
                    keys.has(bit),
                    index < row.keys.len(),
                    "{kind:?} key {index}"
                );
            }
        }
    }

    #[test]
    fn debug_reads_as_the_event() {
        extern crate std;
        let event = TaskEvent::restarting(1, 5, "Restart within policy");
        assert_eq!(
            std::format!("{event:?}"),
            "TaskEvent { kind: Restarting, time: 1, detail: Restarting { start_delay: 5, \
             restart_reason: \"Restart within policy\" }, details: [\"start_delay\", \
             \"restart_reason\"] }"
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn every_details_key_reads_the_field_it_names() {
        use Value::{Duration, Int, Text};
        let cases: [(Detail<'_>, &[Value<'_>]); 10] = [
            (Detail::DriverFailure { driver_error: "d" }, &[Text("d")]),
            (
                Detail::Terminated {
                    exit_code: 3,
                    signal: 9,
                    oom_killed: Some(true),
                },
                &[Int(3), Int(9)],
            ),
            (
                Detail::Killed {
                    kill_error: "e",
                    kill_reason: "r",
                },
                &[Text("e"), Text("r")],
            ),
            (
                Detail::FailedValidation {
                    validation_error: "v",
                },
                &[Text("v")],
            ),
            (
                Detail::Restarting {
                    start_delay: 5,
                    restart_reason: "r",
                },
                &[Int(5), Text("r")],
            ),
            (
                Detail::Killing {
                    kill_timeout: 7,
                    kill_reason: "k",
                },
                &[Duration(7), Text("k")],
            ),
            (
                Detail::SetupFailure {
                    setup_error: "s",
                    kill_reason: "k",
                },
                &[Text("s"), Text("k")],
            ),
            (
                Detail::Signaling {
                    task_signal: "SIGHUP",
                    task_signal_reason: "why",
                    signal: "1",
                },
                &[Text("SIGHUP"), Text("why"), Text("1")],
            ),
            (
                Detail::SiblingTaskFailed {
                    failed_sibling: "f",
                },
                &[Text("f")],
            ),
            (Detail::DiskResourcesExceeded { disk_limit: 2 }, &[Int(2)]),
        ];
        for (detail, values) in cases {
            let keys = own_keys(detail.kind());
            assert_eq!(keys.len(), values.len(), "{detail:?}");
            for (key, value) in keys.iter().zip(values) {
                assert_eq!(detail.value(*key), *value, "{detail:?} {key:?}");
            }
            // A key of another kind reads as zero.
            assert_eq!(
                detail.value(Key::FailedSibling),
                match detail {
                    Detail::SiblingTaskFailed { .. } => Text("f"),
                    _ => Text(""),
                }
            );
        }
    }

    #[test]
    fn every_kind_round_trips_through_detail() {
        for &kind in EventKind::ALL {
            let event = TaskEvent::of_kind(7, kind);
            assert_eq!(event.kind(), kind);
            assert_eq!(event.detail(), Detail::empty(kind));
        }
    }

    #[test]
    fn unknown_type_strings_are_kept_and_known_ones_normalised() {
        let event = TaskEvent::from_type_str(1, "Some Future Type");
        assert_eq!(event.kind(), EventKind::Unknown);
        assert_eq!(event.type_str(), "Some Future Type");
        let known = TaskEvent::from_type_str(1, "Started");
        assert_eq!(known, TaskEvent::started(1));
    }

    #[test]
    fn kind_specific_fields_read_back() {
        let e = TaskEvent::new(
            3,
            Detail::Killed {
                kill_error: "boom",
                kill_reason: "update missing task",
            },
        );
        assert_eq!(
            e.detail(),
            Detail::Killed {
                kill_error: "boom",
                kill_reason: "update missing task"
            }
        );
        let r = TaskEvent::restarting(4, 15_302_026_290, "Restart within policy");
        assert_eq!(
            r.detail(),
            Detail::Restarting {
                start_delay: 15_302_026_290,
                restart_reason: "Restart within policy"
            }
        );
    }
}
