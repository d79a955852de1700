//! Events of every kind at their longest, shared by tests/wire_json_core.rs and the
//! on-target firmware (ci/qemu-firmware): every text an event carries filled with
//! characters that JSON and Go's `%q` escape (so strings go through an unescape buffer
//! and the computed `DisplayMessage` is at its longest), its numbers at their widest.
//! `core` and heapless only, so it compiles for a microcontroller too.

use allocstate::{Detail, EventKind, TaskEvent, TaskState, EVENT_TEXT_CAPACITY};

/// Text of `len` bytes that every escaper lengthens: quotes, a backslash, a control
/// character and a non-ASCII one, repeated.
pub fn escaping(len: usize) -> heapless::String<EVENT_TEXT_CAPACITY> {
    let mut text = heapless::String::new();
    for c in ['"', '\\', '\u{1}', 'é', '\n'].iter().cycle() {
        if text.len() + c.len_utf8() > len || text.push(*c).is_err() {
            break;
        }
    }
    text
}

/// An event of `kind` with every text it carries (and its `Message`) as long as they can
/// be without a cut (Nomad's JSON cannot carry the cut mark, so a cut event would not
/// read back equal), and its numbers at their widest.
pub fn loaded(kind: EventKind, time: i64) -> TaskEvent {
    // The longest text that is not cut, by halving: a longer text is cut whenever a
    // shorter one is (a few events built, not one per length: Miri runs this too).
    let (mut fits, mut cut) = (0, EVENT_TEXT_CAPACITY + 1);
    while cut - fits > 1 {
        let mid = fits + (cut - fits) / 2;
        if with_texts(kind, time, &escaping(mid)).is_truncated() {
            cut = mid;
        } else {
            fits = mid;
        }
    }
    with_texts(kind, time, &escaping(fits))
}

/// An event of `kind` with `t` in every text it carries.
fn with_texts(kind: EventKind, time: i64, t: &str) -> TaskEvent {
    let detail = match kind {
        EventKind::DriverFailure => Detail::DriverFailure { driver_error: t },
        EventKind::Terminated => Detail::Terminated {
            exit_code: i32::MIN,
            signal: i32::MIN,
            oom_killed: Some(true),
        },
        EventKind::Killed => Detail::Killed {
            kill_error: t,
            kill_reason: t,
        },
        EventKind::FailedValidation => Detail::FailedValidation {
            validation_error: t,
        },
        EventKind::Restarting => Detail::Restarting {
            start_delay: i64::MAX,
            restart_reason: t,
        },
        EventKind::NotRestarting => Detail::NotRestarting { restart_reason: t },
        EventKind::FailedArtifactDownload => Detail::FailedArtifactDownload { download_error: t },
        EventKind::Killing => Detail::Killing {
            kill_timeout: i64::MIN,
            kill_reason: t,
        },
        EventKind::SetupFailure => Detail::SetupFailure {
            setup_error: t,
            kill_reason: t,
        },
        EventKind::RestartSignaled => Detail::RestartSignaled { restart_reason: t },
        EventKind::Signaling => Detail::Signaling {
            task_signal: t,
            task_signal_reason: t,
            signal: t,
        },
        EventKind::SiblingTaskFailed => Detail::SiblingTaskFailed { failed_sibling: t },
        EventKind::Driver => Detail::Driver {
            driver_message: t,
            annotations: None,
        },
        EventKind::DiskResourcesExceeded => Detail::DiskResourcesExceeded {
            disk_limit: i64::MIN,
        },
        EventKind::Unknown => Detail::Unknown { type_name: t },
        other => Detail::empty(other),
    };
    let event = TaskEvent::new(time, detail).with_message(t);
    if kind == EventKind::Driver {
        event.with_annotation("image", t)
    } else {
        event
    }
}

/// Puts an event of `kind` in `task`'s ring after whatever it needs first (a start, an
/// exit); `false` if no such place was found.
pub fn place(task: &mut TaskState, kind: EventKind) -> bool {
    task.reset();
    // Built once: the halving in `loaded` is most of the cost (under Miri too).
    let event = loaded(kind, 10);
    let befores = [
        TaskEvent::received(1),
        TaskEvent::started(2),
        TaskEvent::killing(3, 5_000_000_000),
        TaskEvent::terminated(4, 1),
    ];
    for before in befores {
        if task.apply(event.clone()).is_ok() {
            return true;
        }
        let _ = task.apply(before);
    }
    task.apply(event).is_ok()
}
