//! Stack budgets of the rest of the public API: what `budgets.rs` and `budgets_more.rs`
//! do not measure (constructors, builders, accessors, names and their parsing, `Display`,
//! serde of the smaller types, the restart tracker, the allocation's and the runner's
//! smaller operations). Operations of one kind that do little are measured together in
//! one call (the figure is the deepest of them); an operation whose input matters is
//! measured on each input that could take a different path (every event kind, texts
//! longer than an event holds). Same rules as `budgets.rs`; on the M4F only, where the
//! budgets are checked (the other machines' flash does not hold these beside their checks).

use core::fmt::Write;
use core::hint::black_box;
use core::mem::size_of;

use allocstate::restart::{
    JobType, Lifecycle, Nanos, RestartMode, RestartOutcome, RestartPolicy, RestartReason,
    RestartTracker,
};
use allocstate::{
    ClientStatus, Detail, EventKind, EventRing, GoDuration, GoQuoted, Phase, TaskEvent, TaskState,
    WireState, EVENT_TEXT_CAPACITY,
};

use super::{charge, judge, Limit, Void, TASK_BUDGET};
use crate::checks::{Memory, Tally};
use crate::stack;

const T: usize = TASK_BUDGET;

pub fn run(tally: &mut Tally, memory: &mut Memory) {
    let text = long_text();
    events(tally, &text);
    names(tally, &text);
    tasks(tally, memory);
    restart(tally, &text);
    serde(tally, memory, &text);
    allocation(tally, &text);
    runner(tally, &text);
}

/// Longer than an event's text capacity (every constructor that takes a text cuts it),
/// with characters Go quotes as escapes.
fn long_text() -> heapless::String<256> {
    let mut text = heapless::String::new();
    while text.len() < EVENT_TEXT_CAPACITY + 21 {
        let c = match text.len() % 16 {
            0 => '\u{7}',
            5 => 'é',
            9 => '"',
            _ => 'x',
        };
        if text.push(c).is_err() {
            break;
        }
    }
    text
}

type Make = fn(&str) -> TaskEvent;

/// Every constructor of `TaskEvent`, given the long text wherever it takes one.
const MAKERS: [(&str, Make); 29] = [
    ("TaskEvent::received", |_| TaskEvent::received(1)),
    ("TaskEvent::task_setup", |_| TaskEvent::task_setup(1)),
    ("TaskEvent::downloading_artifacts", |_| {
        TaskEvent::downloading_artifacts(1)
    }),
    ("TaskEvent::failed_artifact_download", |t| {
        TaskEvent::failed_artifact_download(1, t)
    }),
    ("TaskEvent::failed_validation", |t| {
        TaskEvent::failed_validation(1, t)
    }),
    ("TaskEvent::driver_failure", |t| {
        TaskEvent::driver_failure(1, t)
    }),
    ("TaskEvent::setup_failure", |t| {
        TaskEvent::setup_failure(1, t)
    }),
    ("TaskEvent::mark_failed_kill", |t| {
        TaskEvent::mark_failed_kill(1, t)
    }),
    ("TaskEvent::started", |_| TaskEvent::started(1)),
    ("TaskEvent::terminated", |_| TaskEvent::terminated(1, -129)),
    ("TaskEvent::terminated_by_signal", |_| {
        TaskEvent::terminated_by_signal(1, i32::MIN, i32::MIN)
    }),
    ("TaskEvent::killing", |_| TaskEvent::killing(1, i64::MIN)),
    ("TaskEvent::hook_killing", |t| TaskEvent::hook_killing(1, t)),
    ("TaskEvent::killed_failing", |t| {
        TaskEvent::killed_failing(1, t)
    }),
    ("TaskEvent::killed", |_| TaskEvent::killed(1)),
    ("TaskEvent::killed_with_error", |t| {
        TaskEvent::killed_with_error(1, t)
    }),
    ("TaskEvent::restarting", |t| {
        TaskEvent::restarting(1, i64::MIN, t)
    }),
    ("TaskEvent::not_restarting", |t| {
        TaskEvent::not_restarting(1, t)
    }),
    ("TaskEvent::restart_signaled", |t| {
        TaskEvent::restart_signaled(1, t)
    }),
    ("TaskEvent::signaling", |t| TaskEvent::signaling(1, t)),
    ("TaskEvent::signaling_task_signal", |t| {
        TaskEvent::signaling_task_signal(1, t)
    }),
    ("TaskEvent::sibling_task_failed", |t| {
        TaskEvent::sibling_task_failed(1, t)
    }),
    ("TaskEvent::leader_task_dead", |_| {
        TaskEvent::leader_task_dead(1)
    }),
    ("TaskEvent::main_tasks_dead", |_| {
        TaskEvent::main_tasks_dead(1)
    }),
    ("TaskEvent::driver", |t| TaskEvent::driver(1, t)),
    ("TaskEvent::new (Signaling, three texts)", |t| {
        TaskEvent::new(
            1,
            Detail::Signaling {
                task_signal: t,
                task_signal_reason: t,
                signal: t,
            },
        )
    }),
    ("TaskEvent::new (Unknown)", |t| {
        TaskEvent::new(1, Detail::Unknown { type_name: t })
    }),
    ("TaskEvent::of_kind", |_| {
        TaskEvent::of_kind(1, EventKind::DiskResourcesExceeded)
    }),
    ("TaskEvent::from_type_str (unknown type)", |t| {
        TaskEvent::from_type_str(1, t)
    }),
];

type Build = fn(TaskEvent, &str) -> TaskEvent;

/// Every builder of `TaskEvent`, given the long text wherever it takes one.
const BUILDERS: [(&str, Build); 6] = [
    ("TaskEvent::with_annotation", |e, t| e.with_annotation(t, t)),
    ("TaskEvent::with_message", |e, t| e.with_message(t)),
    ("TaskEvent::with_display_message", |e, t| {
        e.with_display_message(t)
    }),
    ("TaskEvent::with_fails_task", |e, _| e.with_fails_task()),
    ("TaskEvent::with_fails_task_set", |e, _| {
        e.with_fails_task_set(false)
    }),
    ("TaskEvent::with_time", |e, _| e.with_time(7)),
];

/// A returned event is the caller's slot, not the constructor's stack.
const EVENT: Limit = Limit::Beyond {
    budget: T,
    value: size_of::<TaskEvent>(),
};

/// An operation on an event taken and returned by value: both are the caller's.
const EVENT_IN_OUT: Limit = Limit::BeyondInput {
    budget: T,
    value: size_of::<TaskEvent>(),
    input: size_of::<TaskEvent>(),
};

/// Every constructor, every builder, and every accessor of every kind of event.
#[inline(never)]
fn events(tally: &mut Tally, text: &str) {
    covers! {
        events::TaskEvent {
            new, of_kind, from_type_str, received, task_setup, downloading_artifacts,
            failed_artifact_download, failed_validation, driver_failure, setup_failure,
            mark_failed_kill, started, terminated, terminated_by_signal, killing,
            hook_killing, killed_failing, killed_with_error, killed, restarting,
            not_restarting, restart_signaled, signaling, signaling_task_signal,
            sibling_task_failed, leader_task_dead, main_tasks_dead, driver, with_annotation,
            with_message, with_display_message, with_fails_task, with_fails_task_set,
            with_time, kind, time, type_str, detail, message, display_message_override,
            fails_task, marks_failed, is_truncated, display_message,
        }
        events::DisplayMessage { matches, Display }
        events::Detail { empty, kind }
        events::Annotations { iter, get, is_empty }
        events::EventKind { Display }
    }
    for (name, make) in MAKERS {
        charge(tally, name, EVENT, || {
            let event = make(black_box(text));
            black_box(&event).time()
        });
    }
    // Builders, on a driver event whose texts are full, with the long text.
    for (name, build) in BUILDERS {
        let event = TaskEvent::driver(1, text).with_message(text);
        charge(tally, name, EVENT_IN_OUT, move || {
            let built = build(event, black_box(text));
            black_box(&built).time()
        });
    }

    // Accessors, `Detail` and the display message of every kind, its texts full.
    let mut deepest = 0;
    let mut matched = 0;
    for (_, make) in MAKERS {
        let event = make(text).with_message(text).with_annotation(text, text);
        let (matches, used) = stack::measure(|| {
            let detail = black_box(event.detail());
            let _ = write!(Void, "{}", detail.kind());
            if let Detail::Driver {
                annotations: Some(annotations),
                ..
            } = detail
            {
                black_box((annotations.is_empty(), annotations.get(black_box(text))));
                for pair in annotations.iter() {
                    black_box(pair);
                }
            }
            black_box(Detail::empty(black_box(event.kind())));
            black_box((
                event.kind(),
                event.time(),
                event.type_str(),
                event.message(),
                event.display_message_override(),
                event.fails_task(),
                event.marks_failed(),
                event.is_truncated(),
            ));
            let mut shown = heapless::String::<512>::new();
            let _ = write!(shown, "{}", event.display_message());
            black_box(event.display_message().matches(black_box(&shown)))
        });
        deepest = deepest.max(used);
        matched += usize::from(matches);
    }
    judge(
        tally,
        "TaskEvent accessors, Detail and its annotations, DisplayMessage::matches (every kind)",
        Limit::Budget(T),
        deepest,
    );
    tally.check(
        matched == MAKERS.len(),
        format_args!("DisplayMessage::matches its own text (every kind)"),
    );
}

/// Names and their parsing: every kind, phase, state and status, and unknown names as
/// long as the long text.
#[inline(never)]
fn names(tally: &mut Tally, text: &str) {
    covers! {
        events::EventKind { type_str, from_type_str, code, from_code, name, Display, FromStr }
        events::ParseEventKindError { Display }
        events::Phase { wire_state, name, Display }
        events::WireState { as_str, from_wire_str, Display }
        events::ClientStatus { as_str, from_wire_str, description, Display }
        events::GoDuration { write_to, From, Display }
        events::GoQuoted { Display }
    }
    charge(
        tally,
        "EventKind, Phase, WireState, ClientStatus: names, parsing, Display",
        Limit::Budget(T),
        || {
            for code in 0..=u8::MAX {
                if let Some(kind) = EventKind::from_code(black_box(code)) {
                    let type_str = kind.type_str().unwrap_or("");
                    black_box((kind.code(), kind.name(), EventKind::from_type_str(type_str)));
                    let _ = black_box(type_str.parse::<EventKind>());
                    let _ = write!(Void, "{kind}");
                }
            }
            black_box(EventKind::from_type_str(black_box(text)));
            if let Err(unknown) = black_box(text).parse::<EventKind>() {
                let _ = write!(Void, "{unknown}");
            }
            for phase in Phase::ALL {
                black_box((phase.name(), phase.wire_state()));
                let _ = write!(Void, "{phase}");
            }
            for state in [WireState::Pending, WireState::Running, WireState::Dead] {
                black_box(WireState::from_wire_str(black_box(state.as_str())));
                let _ = write!(Void, "{state}");
            }
            black_box(WireState::from_wire_str(black_box(text)));
            for status in [
                ClientStatus::Pending,
                ClientStatus::Running,
                ClientStatus::Complete,
                ClientStatus::Failed,
                ClientStatus::Lost,
                ClientStatus::Unknown,
            ] {
                black_box(ClientStatus::from_wire_str(black_box(status.as_str())));
                black_box(status.description());
                let _ = write!(Void, "{status}");
            }
            black_box(ClientStatus::from_wire_str(black_box(text)));
        },
    );
    charge(
        tally,
        "GoDuration (Display, write_to, From<i64>), GoQuoted (Display)",
        Limit::Budget(T),
        || {
            for nanos in [i64::MIN, -1, 0, 999, 1_500_000, 61_000_000_000, i64::MAX] {
                let duration = GoDuration::from(black_box(nanos));
                let _ = write!(Void, "{duration} {duration:>30}");
                let _ = duration.write_to(&mut Void);
            }
            let _ = write!(Void, "{}", GoQuoted(black_box(text)));
        },
    );
}

/// The task state's accessors and the ones of its ring, built and reset in place.
#[inline(never)]
fn tasks(tally: &mut Tally, memory: &mut Memory) {
    covers! {
        events::TaskState {
            new, Default, phase, state, failed, successful, restarts, last_restart,
            started_at, finished_at, events, event_count, reset, PartialEq,
        }
        events::EventRing {
            new, Default, iter, len, is_empty, latest, oldest, accepted, evicted, PartialEq,
        }
        events::Transition { changed }
        events::TransitionError { phase, kind, event, into_event, Display }
        events::TaskStateError { Display }
        wire::DecodeError { Display }
    }
    let task = &mut *memory.task;
    let spare = &mut *memory.spare;
    super::full_task(task);
    super::full_task(spare);
    charge(
        tally,
        "TaskState and EventRing accessors, PartialEq",
        Limit::Budget(T),
        || {
            let events: &EventRing = task.events();
            for event in events.iter().chain(events) {
                black_box(event);
            }
            black_box((
                task.phase(),
                task.state(),
                task.failed(),
                task.successful(),
                task.restarts(),
                task.last_restart(),
                task.started_at(),
                task.finished_at(),
                task.event_count(),
                events.len(),
                events.is_empty(),
                events.latest(),
                events.oldest(),
                events.accepted(),
                events.evicted(),
            ));
            black_box(*task == *spare && *events == *spare.events())
        },
    );
    let transition = task.finish(30);
    charge(tally, "Transition::changed", Limit::Budget(T), || {
        black_box(black_box(&transition).changed())
    });
    charge(tally, "TaskState::reset", Limit::Budget(T), || {
        spare.reset();
        black_box(&*spare);
    });
    let state = Limit::Beyond {
        budget: T,
        value: size_of::<TaskState>(),
    };
    // By value: the state returned is the caller's slot.
    {
        charge(tally, "TaskState::new (by value)", state, || {
            let task = TaskState::new();
            black_box(&task).event_count()
        });
        charge(tally, "TaskState::default (by value)", state, || {
            let task = TaskState::default();
            black_box(&task).event_count()
        });
        charge(
            tally,
            "EventRing::new (by value)",
            Limit::Beyond {
                budget: T,
                value: size_of::<EventRing>(),
            },
            || {
                let ring = EventRing::new();
                black_box(&ring).len()
            },
        );
        charge(
            tally,
            "EventRing::default (by value)",
            Limit::Beyond {
                budget: T,
                value: size_of::<EventRing>(),
            },
            || {
                let ring = EventRing::default();
                black_box(&ring).len()
            },
        );
    }
    // Errors: what a refusal hands back, and every `Display`.
    let refused = task.apply(TaskEvent::received(99));
    charge(
        tally,
        "TransitionError: phase, kind, event, into_event, Display",
        Limit::Beyond {
            budget: T,
            value: size_of::<TaskEvent>(),
        },
        move || {
            if let Err(rejected) = refused {
                let _ = write!(Void, "{rejected}");
                black_box((rejected.phase(), rejected.kind(), rejected.event().time()));
                black_box(rejected.into_event()).time()
            } else {
                0
            }
        },
    );
    let invalid = TaskState::from_parts_into(
        allocstate::TaskStateParts::new(WireState::Pending),
        [TaskEvent::started(1)],
        spare,
    );
    let decode = TaskState::from_postcard_into(&[0xff; 3], spare);
    charge(
        tally,
        "TaskStateError, DecodeError: Display",
        Limit::Budget(T),
        || {
            if let Err(e) = invalid {
                let _ = write!(Void, "{e}");
            }
            if let Err(e) = decode {
                let _ = write!(Void, "{e}");
            }
        },
    );
}

/// The restart tracker through a run of decisions, its policy's constructors and names,
/// and every outcome's accessors, event and `Display`.
#[inline(never)]
fn restart(tally: &mut Tally, text: &str) {
    covers! {
        restart::RestartPolicy { new }
        restart::JobType { as_str, default_restart_policy, Display }
        restart::Lifecycle { main, prestart, poststart, poststop }
        restart::Nanos { get, from_duration }
        restart::RestartTracker {
            new, set_start_error, set_exit_result, set_restart_triggered, set_killed,
            set_policy, decide, count, policy, on_success, interval_start,
        }
        restart::RestartOutcome { fails_task, delay, reason, event, Display }
        restart::RestartReason { Display }
    }
    const SEC: i64 = 1_000_000_000;
    let policy = RestartPolicy::new(
        2,
        core::time::Duration::from_secs(600),
        15 * SEC,
        RestartMode::Fail,
    );
    charge(
        tally,
        "RestartPolicy, Nanos, JobType, Lifecycle: constructors and names",
        Limit::Budget(T),
        || {
            for job in [JobType::Service, JobType::Batch, JobType::Sysbatch] {
                black_box((job.as_str(), job.default_restart_policy()));
                let _ = write!(Void, "{job}");
            }
            black_box((
                Lifecycle::main(),
                Lifecycle::prestart(black_box(true)),
                Lifecycle::poststart(black_box(false)),
                Lifecycle::poststop(),
            ));
            let secs = core::time::Duration::from_secs(black_box(u64::MAX));
            black_box((Nanos::from(black_box(-1)).get(), Nanos::from_duration(secs)));
            black_box(RestartPolicy::new(
                black_box(3),
                secs,
                black_box(7_i64),
                RestartMode::Delay,
            ))
        },
    );
    let mut tracker = RestartTracker::new(policy, JobType::Service, Lifecycle::main(), 0);
    let mut jitter = |n: u64| n / 2;
    let mut outcomes = 0;
    charge(
        tally,
        "RestartTracker: new, set_*, decide, accessors",
        Limit::Budget(T),
        || {
            black_box(RestartTracker::new(
                black_box(policy),
                JobType::Batch,
                Lifecycle::poststart(true),
                0,
            ));
            for now in [SEC, 2 * SEC, 3 * SEC, 4 * SEC] {
                tracker.set_exit_result(black_box(1), black_box(9), black_box(true));
                black_box(tracker.decide(black_box(now), &mut jitter));
                tracker.set_start_error(black_box(true));
                black_box(tracker.decide(black_box(now + 1), &mut jitter));
                tracker.set_restart_triggered(black_box(true));
                black_box(tracker.decide(black_box(now + 2), &mut jitter));
                tracker.set_killed();
                black_box(tracker.decide(black_box(now + 3), &mut jitter));
                tracker.set_policy(black_box(policy));
                outcomes += 4;
            }
            black_box((
                tracker.count(),
                tracker.policy(),
                tracker.on_success(),
                tracker.interval_start(),
            ));
        },
    );
    black_box(outcomes);
    let reasons = [
        RestartReason::WithinPolicy,
        RestartReason::ExceededFail {
            attempts: u32::MAX,
            interval: i64::MIN,
        },
    ];
    charge(
        tally,
        "RestartOutcome, RestartReason: accessors, event, Display",
        Limit::Beyond {
            budget: T,
            value: size_of::<Option<TaskEvent>>(),
        },
        || {
            let mut latest = 0;
            for reason in reasons {
                let _ = write!(Void, "{reason}");
                for outcome in [
                    RestartOutcome::Restart {
                        delay: i64::MIN,
                        reason: Some(reason),
                    },
                    RestartOutcome::NoRestart { reason },
                ] {
                    let _ = write!(Void, "{outcome}");
                    black_box((outcome.fails_task(), outcome.delay(), outcome.reason()));
                    latest = black_box(outcome.event(black_box(i64::MAX))).map_or(0, |e| e.time());
                }
            }
            black_box(text);
            latest
        },
    );
}

/// JSON through serde-json-core of every kind of event (written, read back by value) and
/// of the names.
#[inline(never)]
fn serde(tally: &mut Tally, memory: &mut Memory, text: &str) {
    covers! {
        json::TaskEvent { Serialize, Deserialize }
        json::EventKind { Serialize, Deserialize }
        json::WireState { Serialize, Deserialize }
        json::ClientStatus { Serialize, Deserialize }
        json::DesiredStatus { Serialize, Deserialize }
    }
    let json = &mut *memory.json;
    let unescape = &mut *memory.unescape;
    let mut written = 0;
    let mut read = 0;
    let mut deepest_write = 0;
    let mut deepest_read = 0;
    for (_, make) in MAKERS {
        let event = make(text).with_message(text).with_display_message(text);
        let (len, used) = stack::measure(|| {
            serde_json_core::to_slice(black_box(&event), &mut *json).unwrap_or(0)
        });
        deepest_write = deepest_write.max(used);
        written += usize::from(len > 0);
        let bytes = json.get(..len).unwrap_or(&[]);
        let (back, used) = stack::measure(|| {
            serde_json_core::from_slice_escaped::<TaskEvent>(black_box(bytes), &mut *unescape)
                .map(|(back, _)| back.kind() == event.kind() && back.message() == event.message())
                .unwrap_or(false)
        });
        deepest_read = deepest_read.max(used);
        read += usize::from(back);
    }
    judge(
        tally,
        "TaskEvent JSON write (serde-json-core, every kind)",
        Limit::Budget(T),
        deepest_write,
    );
    judge(
        tally,
        "TaskEvent JSON read by value (serde-json-core, every kind)",
        Limit::Beyond {
            budget: T,
            value: size_of::<TaskEvent>(),
        },
        deepest_read,
    );
    tally.check(
        written == MAKERS.len() && read == MAKERS.len(),
        format_args!(
            "TaskEvent JSON through serde-json-core reads back every kind ({read} of {written})"
        ),
    );
    // The compact (postcard) form of one event, every kind.
    let (mut deepest_write, mut deepest_read, mut read) = (0, 0, 0);
    for (_, make) in MAKERS {
        let event = make(text).with_message(text).with_display_message(text);
        let (len, used) = stack::measure(|| {
            postcard::to_slice(black_box(&event), &mut *json).map_or(0, |b| b.len())
        });
        deepest_write = deepest_write.max(used);
        let bytes = json.get(..len).unwrap_or(&[]);
        let (back, used) = stack::measure(|| {
            postcard::from_bytes::<TaskEvent>(black_box(bytes)).is_ok_and(|back| back == event)
        });
        deepest_read = deepest_read.max(used);
        read += usize::from(len > 0 && back);
    }
    judge(
        tally,
        "TaskEvent postcard write (every kind)",
        Limit::Budget(T),
        deepest_write,
    );
    judge(
        tally,
        "TaskEvent postcard read by value (every kind)",
        EVENT,
        deepest_read,
    );
    tally.check(
        read == MAKERS.len(),
        format_args!("TaskEvent postcard reads back every kind ({read})"),
    );
    charge(
        tally,
        "WireState, ClientStatus, EventKind, DesiredStatus: JSON write and read",
        Limit::Budget(T),
        || {
            let mut ok = 0;
            for kind in [EventKind::Received, EventKind::SiblingTaskFailed] {
                if let Ok(len) = serde_json_core::to_slice(&kind, &mut *json) {
                    let bytes = json.get(..len).unwrap_or(&[]);
                    ok += usize::from(serde_json_core::from_slice::<EventKind>(bytes).is_ok());
                }
            }
            for state in [WireState::Pending, WireState::Dead] {
                if let Ok(len) = serde_json_core::to_slice(&state, &mut *json) {
                    let bytes = json.get(..len).unwrap_or(&[]);
                    ok += usize::from(serde_json_core::from_slice::<WireState>(bytes).is_ok());
                }
            }
            for status in [ClientStatus::Pending, ClientStatus::Complete] {
                if let Ok(len) = serde_json_core::to_slice(&status, &mut *json) {
                    let bytes = json.get(..len).unwrap_or(&[]);
                    ok += usize::from(serde_json_core::from_slice::<ClientStatus>(bytes).is_ok());
                }
            }
            for desired in [
                allocstate::DesiredStatus::Run,
                allocstate::DesiredStatus::Evict,
            ] {
                if let Ok(len) = serde_json_core::to_slice(&desired, &mut *json) {
                    let bytes = json.get(..len).unwrap_or(&[]);
                    ok += usize::from(
                        serde_json_core::from_slice::<allocstate::DesiredStatus>(bytes).is_ok(),
                    );
                }
            }
            black_box(ok)
        },
    );
}

/// An allocation of eight tasks of every role, each with a full ring (texts full).
fn fill(alloc: &mut allocstate::Allocation<8>, text: &str) {
    alloc.clear();
    for (name, role) in super::NAMES.iter().zip(super::ROLES) {
        let _ = alloc.add_task(name, role);
    }
    for (index, name) in super::NAMES.iter().enumerate() {
        let time = i64::try_from(index).unwrap_or(0);
        let _ = alloc.apply(name, TaskEvent::received(time));
        let _ = alloc.apply(name, TaskEvent::started(time + 1).with_message(text));
        for t in 0..9 {
            let _ = alloc.apply(
                name,
                TaskEvent::driver(time + 2 + t, text).with_message(text),
            );
        }
    }
    let _ = alloc.set_identity(super::IDENTITY);
}

/// The parts of an allocation's eight tasks, by value (each with a copy of its state).
fn parts_of(alloc: &allocstate::Allocation<8>) -> [allocstate::AllocTaskParts<'_>; 8] {
    core::array::from_fn(|i| {
        let task = alloc.task_at(i);
        allocstate::AllocTaskParts {
            name: task.map_or("", |t| t.name()),
            role: task.map_or(allocstate::Role::main(), |t| t.role()),
            kill_timeout: task.map_or(0, |t| t.kill_timeout()),
            kill_ordered: false,
            state: task.map_or(TaskState::new(), |t| t.state().clone()),
        }
    })
}

/// The allocation's operations `budgets.rs` does not measure: building and clearing, its
/// accessors and its tasks', the rebuild from parts, orders' accessors, names and errors.
#[inline(never)]
fn allocation(tally: &mut Tally, text: &str) {
    covers! {
        allocation::Allocation {
            new, Default, clear, capacity, len, is_empty, add_task_with_kill_timeout,
            index_of, task, task_at, state, tasks, derived_client_status, client_description,
            server_status, set_client_description, identity, identity_cut, id, eval_id, name,
            node_id, job_id, task_group, create_index, desired_status, desired_description,
            modify_index, changed_since, from_parts, from_parts_into, PartialEq,
        }
        allocation::AllocTask { name, role, kill_timeout, state, kill_ordered }
        allocation::TaskName { new, as_str, Display, PartialEq }
        allocation::Role {
            main, leader, prestart, poststart, poststop, with_leader, is_sidecar, is_poststop,
            Display,
        }
        allocation::IdentityField { as_str, capacity, Display }
        allocation::DesiredStatus { as_str, from_wire_str, is_terminal, Display }
        allocation::Order { task, task_name, cause, kill_timeout, reason_event, killing_event }
        allocation::Orders { as_slice, IntoIterator }
        allocation::KillCause { reason_event, Display }
        allocation::AllocationError { Display }
        allocation::ApplyError { event, into_event, rejected, Display }
    }
    use allocstate::{
        AllocTaskParts, Allocation, AllocationParts, DesiredStatus, IdentityField, Role, TaskName,
        TASK_NAME_CAPACITY,
    };
    const A: usize = super::ALLOC_BUDGET;
    let (alloc, spare) = crate::checks::allocations();
    fill(alloc, text);
    fill(spare, text);
    // The longest name a task may have, added to a full allocation but one.
    let mut long_name = heapless::String::<TASK_NAME_CAPACITY>::new();
    while long_name.push('n').is_ok() {}
    spare.clear();
    for name in &super::NAMES[..7] {
        let _ = spare.add_task(name, Role::main());
    }
    charge(
        tally,
        "Allocation<8>::add_task_with_kill_timeout",
        Limit::Budget(A),
        || {
            black_box(
                spare
                    .add_task_with_kill_timeout(
                        black_box(&long_name),
                        Role::poststop(),
                        core::time::Duration::from_secs(5),
                    )
                    .is_ok(),
            )
        },
    );
    charge(tally, "Allocation<8>::clear", Limit::Budget(A), || {
        spare.clear();
        black_box(spare.len())
    });
    charge(
        tally,
        "Allocation<8>::set_client_description",
        Limit::Budget(A),
        || {
            black_box((
                alloc.set_client_description(black_box(text)).is_err(),
                alloc
                    .set_client_description(black_box("Tasks are running"))
                    .is_ok(),
            ))
        },
    );
    charge(
        tally,
        "Allocation<8> and AllocTask accessors, TaskName, Role, DesiredStatus, IdentityField",
        Limit::Budget(A),
        || {
            black_box((alloc.capacity(), alloc.len(), alloc.is_empty()));
            black_box((
                alloc.index_of(black_box("h")),
                alloc.index_of(black_box(text)),
            ));
            black_box((
                alloc.task("h").is_some(),
                alloc.task_at(7).is_some(),
                alloc.state("h").is_some(),
            ));
            for task in alloc.tasks() {
                let _ = write!(Void, "{} {}", task.name(), task.role());
                black_box((
                    task.role().is_sidecar(),
                    task.role().is_poststop(),
                    task.kill_timeout(),
                    task.state().phase(),
                    task.kill_ordered(),
                ));
            }
            black_box((
                alloc.derived_client_status(),
                alloc.client_description(),
                alloc.server_status(),
            ));
            black_box((
                alloc.identity(),
                alloc.id(),
                alloc.eval_id(),
                alloc.name(),
                alloc.node_id(),
                alloc.job_id(),
                alloc.task_group(),
            ));
            black_box((
                alloc.create_index(),
                alloc.desired_status(),
                alloc.desired_description(),
                alloc.modify_index(),
                alloc.changed_since(black_box(3)),
            ));
            if let Ok(name) = TaskName::new(black_box(&long_name)) {
                let _ = write!(Void, "{name}");
                black_box((name.as_str(), name == *"x", name == "y"));
            }
            black_box(TaskName::new(black_box(text)).is_err());
            for role in [
                Role::main(),
                Role::leader(),
                Role::prestart(true),
                Role::poststart(false),
                Role::poststop(),
                Role::main().with_leader(true),
            ] {
                let _ = write!(Void, "{role}");
                black_box(role);
            }
            for desired in [
                DesiredStatus::Run,
                DesiredStatus::Stop,
                DesiredStatus::Evict,
            ] {
                let _ = write!(Void, "{desired}");
                black_box((
                    DesiredStatus::from_wire_str(black_box(desired.as_str())),
                    desired.is_terminal(),
                ));
            }
            black_box(DesiredStatus::from_wire_str(black_box(text)));
            for field in [
                IdentityField::Id,
                IdentityField::Name,
                IdentityField::TaskGroup,
            ] {
                let _ = write!(Void, "{field}");
                black_box((field.as_str(), field.capacity(), alloc.identity_cut(field)));
            }
            black_box(<Allocation<8> as PartialEq>::eq(alloc, spare))
        },
    );
    // Orders: a failed sibling kills the rest, each with its reason and `Killing` event.
    let _ = alloc.apply("b", TaskEvent::terminated(40, 1));
    let _ = alloc.apply("b", TaskEvent::not_restarting(41, text));
    let orders = alloc.orders();
    let count = orders.len();
    charge(
        tally,
        "Orders<8> and Order: as_slice, iterators, accessors, events, KillCause",
        Limit::BeyondInput {
            budget: A,
            value: 0,
            input: size_of::<allocstate::Orders<8>>(),
        },
        move || {
            let mut latest = 0;
            for order in orders.as_slice().iter().chain(&orders) {
                let _ = write!(Void, "{} {}", order.task_name(), order.cause());
                black_box((order.task(), order.kill_timeout()));
                latest = black_box(order.reason_event(black_box(50))).map_or(0, |e| e.time());
                latest += black_box(order.killing_event(black_box(51))).time();
                latest +=
                    black_box(order.cause().reason_event(black_box(52))).map_or(0, |e| e.time());
            }
            for order in orders {
                black_box(order.task());
            }
            latest
        },
    );
    tally.check(
        count > 0,
        format_args!("Orders<8> measured with {count} orders"),
    );
    // Errors and their `Display`.
    let unknown = alloc.apply(black_box(text), TaskEvent::received(60));
    let refused = alloc.apply("a", TaskEvent::received(61));
    let full = alloc.add_task("z", Role::main());
    charge(
        tally,
        "AllocationError, ApplyError: accessors, into_event, Display",
        Limit::Beyond {
            budget: A,
            value: size_of::<TaskEvent>(),
        },
        move || {
            let mut time = 0;
            for error in [unknown, refused].into_iter().filter_map(Result::err) {
                let _ = write!(Void, "{error}");
                black_box((error.event().time(), error.rejected().is_some()));
                time += black_box(error.into_event()).time();
            }
            if let Err(error) = full {
                let _ = write!(Void, "{error}");
            }
            time
        },
    );

    // By value: the allocation returned (13.4 KB) is the caller's slot, and so are the
    // tasks' parts (1.5 KB each) handed over by value.
    {
        let value = size_of::<Allocation<8>>();
        charge(
            tally,
            "Allocation<8>::new (by value)",
            Limit::Beyond { budget: A, value },
            || {
                let alloc = Allocation::<8>::new();
                black_box(&alloc).len()
            },
        );
        charge(
            tally,
            "Allocation<8>::default (by value)",
            Limit::Beyond { budget: A, value },
            || {
                let alloc = Allocation::<8>::default();
                black_box(&alloc).len()
            },
        );
        let parts = AllocationParts {
            identity: alloc.identity(),
            desired_status: DesiredStatus::Run,
            desired_description: "",
            client_status: Some(alloc.client_status()),
            client_description: None,
            create_index: 3,
            modify_index: 9,
        };
        let tasks = parts_of(alloc);
        let rebuilt = super::charge_kept(
            tally,
            "Allocation<8>::from_parts (by value, eight tasks' parts by value)",
            (A, size_of::<[AllocTaskParts<'_>; 8]>()),
            move || Allocation::<8>::from_parts(black_box(parts), tasks),
        );
        tally.check(
            rebuilt,
            format_args!("Allocation<8>::from_parts rebuilds eight tasks"),
        );
        let tasks = parts_of(alloc);
        let out = &mut *spare;
        let rebuilt = charge(
            tally,
            "Allocation<8>::from_parts_into (eight tasks' parts by value)",
            Limit::BeyondInput {
                budget: A,
                value: 0,
                input: size_of::<[AllocTaskParts<'_>; 8]>(),
            },
            move || {
                black_box(Allocation::<8>::from_parts_into(
                    black_box(parts),
                    tasks,
                    out,
                ))
                .is_ok()
            },
        );
        tally.check(
            rebuilt && spare.len() == 8 && spare.id() == alloc.id(),
            format_args!("Allocation<8>::from_parts_into rebuilds eight tasks"),
        );
    }
}

/// The runner's smaller types: specs, exits, stages, places, commands, targets, errors,
/// the jitter source; and `Runner::new` by value.
#[inline(never)]
fn runner(tally: &mut Tally, text: &str) {
    covers! {
        runner::Runner { new, describe }
        runner::GroupSpec { new }
        runner::TaskSpec { new }
        runner::Exit { code, signal }
        runner::Coordinator { allows }
        runner::Place { deadline, has_process }
        runner::Action { name }
        runner::RestartTarget { reason }
        runner::RunnerError { task, Display }
        runner::SpecField { name, Display }
        runner::Described { error, Display }
        runner::Now { new }
        runner::TaskId { Display }
    }
    use allocstate::runner::{
        Coordinator, Exit, GroupSpec, RestartTarget, Runner, Stage, TaskSpec,
    };
    const R: usize = super::RUNNER_BUDGET;
    let runner: &mut Runner<8> = crate::arena::runner();
    let policy = JobType::Service.default_restart_policy();
    for (name, role) in super::NAMES.iter().zip(super::ROLES) {
        let _ = runner.add_task(&TaskSpec::new(name, role, policy));
    }
    let _ = runner.arrive(1);
    let refused = runner
        .exited(2, runner.task_at(0).expect("a task"), Exit::code(0))
        .map(|_| ());
    charge(
        tally,
        "GroupSpec, TaskSpec, Exit, Stage, Coordinator, Place, Action, RestartTarget, RunnerError",
        Limit::Budget(R),
        || {
            black_box(GroupSpec::new(black_box(JobType::Batch)));
            black_box(TaskSpec::new(black_box(text), super::ROLES[7], policy));
            black_box((
                Exit::code(black_box(-1)),
                Exit::signal(black_box(137), black_box(9)),
            ));
            let coordinator = runner.coordinator();
            for stage in [Stage::PrestartEphemeral, Stage::Main, Stage::Poststop] {
                black_box(coordinator.allows(black_box(stage)));
            }
            black_box(Coordinator::Init);
            for id in runner.task_ids() {
                if let Some(place) = runner.place(id) {
                    black_box((place.deadline(), place.has_process()));
                }
            }
            black_box(allocstate::runner::Action::Kill.name());
            for target in [RestartTarget::Running, RestartTarget::All] {
                black_box(target.reason());
            }
            if let Err(error) = refused {
                let described = runner.describe(error);
                let _ = write!(Void, "{error} {described}");
                black_box((error.task(), described.error()));
            }
            for id in runner.task_ids() {
                let _ = write!(Void, "{id}");
            }
            let field = allocstate::runner::SpecField::KillTimeout;
            let _ = write!(Void, "{field} {}", field.name());
            black_box(allocstate::runner::Now::new(black_box(1), black_box(2)));
        },
    );
    charge(
        tally,
        "Runner<8>::new (by value)",
        Limit::Beyond {
            budget: R,
            value: size_of::<Runner<8>>(),
        },
        || {
            let runner = Runner::<8>::new(black_box(GroupSpec::new(JobType::Service)));
            black_box(&runner).is_finished()
        },
    );
}
