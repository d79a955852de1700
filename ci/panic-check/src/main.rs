//! Calls every public operation of allocstate on opaque inputs. Built in release for
//! thumbv7em-none-eabihf; the link fails if any panic path is reachable.

#![no_std]
#![no_main]

use core::fmt::Write;
use core::hint::black_box;

#[cfg(not(feature = "core-only"))]
use allocstate::restart::{JobType, Lifecycle, RestartMode, RestartPolicy, RestartTracker};
use allocstate::{
    ClientStatus, Detail, EventKind, EventRing, GoDuration, Phase, TaskEvent, TaskState, WireState,
};

#[path = "../../public_api.rs"]
#[macro_use]
mod public_api;

/// The public operations this proof calls: every group of ci/public_api.rs its features
/// build. Dead code is denied here, so an operation listed there and not named beside its
/// call here (`covers!`) fails the build.
#[deny(dead_code)]
mod api {
    api_events!();
    #[cfg(not(feature = "core-only"))]
    api_restart!();
    #[cfg(not(feature = "core-only"))]
    api_allocation!();
    #[cfg(not(feature = "core-only"))]
    api_runner!();
    #[cfg(all(feature = "serde", not(feature = "core-only")))]
    api_wire!();
    #[cfg(all(feature = "json-core", not(feature = "core-only")))]
    api_json!();
    #[cfg(feature = "journal")]
    api_journal!();
    #[cfg(all(feature = "journal", feature = "serde"))]
    api_journal_runner!();
}

/// A `fmt::Write` into a fixed buffer that drops what does not fit.
struct Sink {
    buf: [u8; 256],
    len: usize,
}

impl Write for Sink {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for byte in s.bytes() {
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = byte;
                self.len = self.len.wrapping_add(1);
            }
        }
        Ok(())
    }
}

fn any_detail(kind: EventKind, text: &'static str, number: i64) -> Detail<'static> {
    match Detail::empty(kind) {
        Detail::Terminated { .. } => Detail::Terminated {
            exit_code: number as i32,
            signal: black_box(9),
            oom_killed: black_box(Some(true)),
        },
        Detail::Restarting { .. } => Detail::Restarting {
            start_delay: number,
            restart_reason: text,
        },
        Detail::Killing { .. } => Detail::Killing {
            kill_timeout: number,
            kill_reason: text,
        },
        Detail::Killed { .. } => Detail::Killed {
            kill_error: text,
            kill_reason: text,
        },
        Detail::Signaling { .. } => Detail::Signaling {
            task_signal: text,
            task_signal_reason: text,
            signal: text,
        },
        Detail::SetupFailure { .. } => Detail::SetupFailure {
            setup_error: text,
            kill_reason: text,
        },
        Detail::Unknown { .. } => Detail::Unknown { type_name: text },
        other => other,
    }
}

fn exercise_events(sink: &mut Sink) {
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
        events::DisplayMessage { Display }
        events::Detail { empty, kind }
        events::Annotations { iter, get, is_empty }
        events::EventKind { type_str, from_type_str, code, from_code, name, Display, FromStr }
        events::ParseEventKindError { Display }
    }
    let time = black_box(1_i64);
    let text: &'static str = black_box("a string that may or may not fit the capacity");
    let code = black_box(3_u8);
    let kind = EventKind::from_code(code).unwrap_or(EventKind::from_type_str(text));
    let event = TaskEvent::new(time, any_detail(kind, text, black_box(-7)))
        .with_message(text)
        .with_display_message(text)
        .with_fails_task_set(black_box(true))
        .with_time(time);
    let _ = write!(
        sink,
        "{} {} {}",
        event.type_str(),
        kind,
        event.kind().name()
    );
    // `Debug` is left out: core's `str` Debug escaping keeps panic paths of its own.
    black_box(event.detail());
    black_box((
        event.message(),
        event.display_message_override(),
        event.is_truncated(),
    ));
    black_box((
        event.fails_task(),
        event.marks_failed(),
        event.time(),
        kind.type_str(),
    ));
    black_box(TaskEvent::of_kind(time, kind));
    black_box(TaskEvent::from_type_str(time, text));
    black_box(TaskEvent::terminated_by_signal(time, 1, 9));
    black_box(TaskEvent::restarting(time, time, text));
    black_box(TaskEvent::not_restarting(time, text));
    black_box(TaskEvent::setup_failure(time, text));
    black_box(TaskEvent::sibling_task_failed(time, text));
    black_box(TaskEvent::mark_failed_kill(time, text));
    black_box(TaskEvent::hook_killing(time, text));
    black_box(TaskEvent::killed_failing(time, text));
    black_box(TaskEvent::signaling(time, text));
    black_box(TaskEvent::signaling_task_signal(time, text));
    black_box(TaskEvent::killed_with_error(time, text));
    black_box(TaskEvent::failed_artifact_download(time, text));
    black_box(TaskEvent::failed_validation(time, text));
    black_box(TaskEvent::driver_failure(time, text));
    black_box(TaskEvent::restart_signaled(time, text));
    black_box(TaskEvent::terminated(time, black_box(-1)).with_fails_task());
    black_box(TaskEvent::killing(time, black_box(i64::MIN)));
    for make in [
        TaskEvent::received,
        TaskEvent::task_setup,
        TaskEvent::downloading_artifacts,
        TaskEvent::started,
        TaskEvent::killed,
        TaskEvent::leader_task_dead,
        TaskEvent::main_tasks_dead,
    ] {
        let event = make(black_box(time));
        black_box((event.detail().kind(), event.kind().code()));
    }
    match text.parse::<EventKind>() {
        Ok(parsed) => black_box(parsed.code()),
        Err(unknown) => {
            let _ = write!(sink, "{unknown}");
            0
        }
    };
    let driver = TaskEvent::driver(time, text)
        .with_annotation(text, text)
        .with_annotation(black_box("image"), text);
    if let Detail::Driver {
        annotations: Some(annotations),
        ..
    } = driver.detail()
    {
        black_box(annotations.get(text));
        black_box(annotations.is_empty());
        for pair in annotations.iter() {
            black_box(pair);
        }
    }
    let _ = write!(sink, "{}", driver.display_message());
}

fn exercise_task(sink: &mut Sink) {
    covers! {
        events::TaskState {
            new, Default, apply, finish, accepts, phase, state, failed, successful,
            restarts, last_restart, started_at, finished_at, events, event_count, reset,
            PartialEq,
        }
        events::Transition { changed }
        events::TransitionError { phase, kind, event, into_event, Display }
        events::EventRing {
            new, Default, iter, len, is_empty, latest, oldest, accepted, evicted, PartialEq,
        }
        events::ClientStatus { as_str, from_wire_str, description, of, Display }
        events::WireState { as_str, from_wire_str, Display }
        events::Phase { wire_state, name, Display }
        events::GoDuration { write_to, From, Display }
    }
    let mut task = black_box(TaskState::new());
    for step in 0..black_box(40_u8) {
        let kind = EventKind::from_code(step % 32).unwrap_or(EventKind::Unknown);
        let event = TaskEvent::of_kind(i64::from(step), kind);
        let accepts = task.accepts(&event);
        match task.apply(event) {
            Ok(transition) => {
                black_box((
                    transition.from,
                    transition.to,
                    transition.changed(),
                    accepts,
                ));
            }
            Err(refused) => {
                let _ = write!(sink, "{refused}");
                black_box((refused.phase(), refused.kind(), refused.event().time()));
                black_box(refused.into_event());
            }
        }
    }
    black_box(task.finish(black_box(99)));
    for event in task.events() {
        black_box(event.time());
    }
    let ring = task.events();
    black_box((ring.len(), ring.is_empty(), ring.evicted(), ring.accepted()));
    black_box((ring.latest(), ring.oldest(), ring.iter().rev().next()));
    black_box((task.phase(), task.state(), task.failed(), task.successful()));
    black_box((
        task.restarts(),
        task.last_restart(),
        task.started_at(),
        task.finished_at(),
    ));
    black_box(task.event_count());
    let status = ClientStatus::of([&task, &TaskState::new()]);
    let _ = write!(sink, "{status} {} {}", status.description(), task.state());
    black_box(ClientStatus::from_wire_str(black_box("failed")));
    if let Some(state) = WireState::from_wire_str(black_box("dead")) {
        let _ = write!(sink, "{state} {}", state.as_str());
    }
    for phase in Phase::ALL {
        let _ = write!(sink, "{phase} {} {}", phase.wire_state(), phase.name());
    }
    let _ = write!(sink, "{}", status.as_str());
    let mut other = TaskState::default();
    black_box(other == task && EventRing::new() == EventRing::default());
    other.reset();
    black_box(&other);
    let duration = GoDuration::from(black_box(-1_500_000_i64));
    let _ = write!(sink, "{duration}");
    let _ = duration.write_to(sink);
}

#[cfg(not(feature = "core-only"))]
fn exercise_restart(sink: &mut Sink) {
    covers! {
        restart::RestartPolicy { new }
        restart::JobType { as_str, default_restart_policy, Display }
        restart::Lifecycle { main, prestart, poststart, poststop }
        restart::Nanos { get, from_duration }
        restart::RestartTracker {
            new, set_start_error, set_exit_result, set_restart_triggered, set_killed,
            set_policy, decide, count, policy, on_success, interval_start,
        }
        restart::RestartOutcome { fails_task, delay, reason, Display }
        restart::RestartReason { Display }
    }
    let policy = RestartPolicy {
        attempts: black_box(2),
        interval: black_box(60_000_000_000),
        delay: black_box(15_000_000_000),
        mode: if black_box(true) {
            RestartMode::Fail
        } else {
            RestartMode::Delay
        },
    };
    let mut tracker =
        RestartTracker::new(policy, JobType::Service, Lifecycle::main(), black_box(0));
    let mut jitter = |n: u64| black_box(n / 3);
    tracker.set_exit_result(black_box(1), black_box(0), black_box(false));
    let outcome = tracker.decide(black_box(5), &mut jitter);
    tracker.set_start_error(black_box(true));
    tracker.set_restart_triggered(black_box(false));
    tracker.set_killed();
    tracker.set_policy(policy);
    let again = tracker.decide(black_box(i64::MAX), &mut jitter);
    black_box((
        outcome.fails_task(),
        outcome.delay(),
        again,
        tracker.count(),
    ));
    black_box((
        tracker.policy(),
        tracker.on_success(),
        tracker.interval_start(),
    ));
    for lifecycle in [
        Lifecycle::prestart(black_box(true)),
        Lifecycle::poststart(black_box(false)),
        Lifecycle::poststop(),
    ] {
        let other = RestartTracker::new(policy, JobType::Batch, lifecycle, black_box(1));
        black_box(other.on_success());
    }
    let nanos = allocstate::Nanos::from_duration(core::time::Duration::from_nanos(black_box(9)));
    black_box(nanos.get());
    if let Some(reason) = outcome.reason() {
        let _ = write!(sink, "{reason}");
    }
    let _ = write!(sink, "{}", allocstate::GoDuration(black_box(i64::MIN)));
    let job = if black_box(true) {
        JobType::Batch
    } else {
        JobType::Sysbatch
    };
    let secs = core::time::Duration::from_secs(black_box(u64::MAX));
    let policy = RestartPolicy::new(black_box(3), secs, black_box(7_i64), RestartMode::Delay);
    let _ = write!(sink, "{job} {}", job.as_str());
    black_box((job.default_restart_policy(), policy));
    let _ = write!(sink, "{outcome} {again}");
    let _ = write!(sink, "{:>12}", allocstate::GoDuration(black_box(7)));
}

#[cfg(not(feature = "core-only"))]
fn exercise_alloc(sink: &mut Sink) {
    covers! {
        allocation::Allocation {
            new, Default, clear, capacity, len, is_empty, add_task, add_task_with_kill_timeout,
            index_of, task, task_at, state, tasks, apply, apply_at, finish, client_status,
            client_description, desired_status, desired_description, set_desired,
            modify_index, changed_since, orders, apply_orders, from_parts, from_parts_into,
            PartialEq,
        }
        allocation::AllocTask { name, role, kill_timeout, state, kill_ordered }
        allocation::TaskName { new, as_str, Display, PartialEq }
        allocation::Role {
            main, leader, prestart, poststart, poststop, with_leader, is_sidecar, is_poststop,
            Display,
        }
        allocation::DesiredStatus { as_str, from_wire_str, is_terminal, Display }
        allocation::Order { task, task_name, cause, kill_timeout, reason_event, killing_event }
        allocation::Orders { as_slice, IntoIterator }
        allocation::KillCause { reason_event, Display }
        allocation::AllocationError { Display }
        allocation::ApplyError { event, into_event, rejected, Display }
        restart::RestartOutcome { event }
        restart::TaskState { apply_restart }
    }
    use allocstate::restart::{RestartOutcome, RestartReason};
    use allocstate::{Allocation, DesiredStatus, Role, TaskName};
    let text: &'static str = black_box("web");
    let time = black_box(5_i64);
    let mut alloc: Allocation<4> = black_box(Allocation::new());
    let roles = [
        Role::leader(),
        Role::main(),
        Role::prestart(black_box(true)),
        Role::poststart(false).with_leader(black_box(false)),
        Role::poststop(),
    ];
    for (i, role) in roles.iter().enumerate() {
        let name = black_box(["a", "b", "c", "d", "e"])
            .get(i)
            .copied()
            .unwrap_or("z");
        match alloc.add_task_with_kill_timeout(name, *role, time) {
            Ok(index) => black_box(index),
            Err(e) => {
                let _ = write!(sink, "{e}");
                0
            }
        };
        black_box((role.is_sidecar(), role.is_poststop()));
    }
    let _ = alloc
        .add_task(text, Role::main())
        .map_err(|e| write!(sink, "{e}"));
    for step in 0..black_box(40_u8) {
        let kind = EventKind::from_code(step % 32).unwrap_or(EventKind::Unknown);
        let name = black_box(["a", "b", "c", "d", "nope"])
            .get(usize::from(step % 5))
            .copied()
            .unwrap_or("");
        match alloc.apply(name, TaskEvent::of_kind(i64::from(step), kind)) {
            Ok(t) => black_box(t.changed()),
            Err(e) => {
                let _ = write!(sink, "{e}");
                black_box((e.event().time(), e.rejected().is_some()));
                black_box(e.into_event());
                false
            }
        };
        let _ = alloc.apply_at(usize::from(step), TaskEvent::of_kind(1, kind));
        let orders = alloc.orders();
        for order in &orders {
            let _ = write!(sink, "{} {}", order.task_name(), order.cause());
            black_box((
                order.task(),
                order.kill_timeout(),
                order.reason_event(time),
                order.killing_event(time),
            ));
            black_box(order.cause().reason_event(time));
        }
        black_box(alloc.apply_orders(time).len());
        black_box(alloc.changed_since(black_box(3)));
    }
    let _ = alloc.finish(text, time).map_err(|e| write!(sink, "{e}"));
    let _ = alloc.finish("a", time);
    let _ = alloc.set_desired(
        DesiredStatus::from_wire_str(text).unwrap_or(DesiredStatus::Stop),
        text,
    );
    let _ = write!(
        sink,
        "{} {} {} {}",
        alloc.client_status(),
        alloc.client_description(),
        alloc.desired_status(),
        alloc.desired_description()
    );
    black_box((
        alloc.modify_index(),
        alloc.len(),
        alloc.is_empty(),
        alloc.capacity(),
        alloc.index_of(text),
    ));
    for order in alloc.orders() {
        black_box(order.task_name().len());
    }
    black_box(alloc.orders().as_slice().len());
    let desired = alloc.desired_status();
    black_box((desired.as_str(), desired.is_terminal()));
    let parts = allocstate::AllocationParts {
        client_status: Some(alloc.client_status()),
        client_description: Some(text),
        modify_index: black_box(9),
        ..allocstate::AllocationParts::default()
    };
    let task = allocstate::AllocTaskParts {
        name: text,
        role: Role::main(),
        kill_timeout: time,
        kill_ordered: black_box(false),
        state: black_box(TaskState::new()),
    };
    let rebuilt = Allocation::<4>::from_parts(parts, [task.clone()]);
    match rebuilt {
        Ok(back) => black_box(back.modify_index()),
        Err(e) => {
            let _ = write!(sink, "{e}");
            0
        }
    };
    // In place (a refusal leaves it new).
    let mut into = Allocation::<4>::new();
    if let Err(e) = Allocation::from_parts_into(parts, [task], &mut into) {
        let _ = write!(sink, "{e}");
    }
    black_box(into.modify_index());
    black_box(into == alloc);
    into.clear();
    black_box(Allocation::<4>::default().len());
    for task in alloc.tasks() {
        let _ = write!(sink, "{}", task.role());
        black_box((
            task.name(),
            task.role(),
            task.kill_timeout(),
            task.state().phase(),
            task.kill_ordered(),
        ));
    }
    black_box((
        alloc.task(text).is_some(),
        alloc.task_at(9).is_some(),
        alloc.state("a").is_some(),
    ));
    if let Ok(name) = TaskName::new(text) {
        let _ = write!(sink, "{name} {}", name.as_str());
        black_box((name == *text, name == text));
    }
    let outcome = if black_box(true) {
        RestartOutcome::NoRestart {
            reason: RestartReason::ExceededFail {
                attempts: black_box(u32::MAX),
                interval: black_box(i64::MIN),
            },
        }
    } else {
        RestartOutcome::Killed
    };
    black_box(outcome.event(time));
    let mut task = TaskState::new();
    black_box(task.apply_restart(&outcome, time).is_ok());
    black_box(
        task.apply_restart(
            &RestartOutcome::Restart {
                delay: time,
                reason: None,
            },
            time,
        )
        .is_ok(),
    );
}

fn exercise_display(sink: &mut Sink) {
    covers! {
        events::DisplayMessage { matches, Display }
        events::GoQuoted { Display }
        events::TaskStateParts { new }
        events::TaskState { from_parts, from_parts_into }
        events::TaskStateError { Display }
    }
    use allocstate::{GoQuoted, TaskStateError, TaskStateParts};
    let text: &'static str = black_box("exit \"status\"\n\u{7f}é");
    for &kind in EventKind::ALL {
        let event = TaskEvent::new(black_box(3), any_detail(kind, text, black_box(i64::MIN)))
            .with_message(text);
        let shown = event.display_message();
        let _ = write!(sink, "{shown}");
        black_box(shown.matches(text));
    }
    let _ = write!(sink, "{}", GoQuoted(text));
    let parts = TaskStateParts {
        failed: black_box(Some(true)),
        restarts: black_box(Some(2)),
        event_count: black_box(Some(40)),
        ..TaskStateParts::new(WireState::from_wire_str(text).unwrap_or(WireState::Running))
    };
    let events = [TaskEvent::started(1), TaskEvent::terminated(2, 1)];
    match allocstate::TaskState::from_parts(parts, events) {
        Ok(task) => black_box(task.phase()),
        Err(TaskStateError::TooManyEvents) => Phase::Dead,
        Err(other) => {
            let _ = write!(sink, "{other}");
            Phase::Pending
        }
    };
    // In place (a refusal leaves it new).
    let mut rebuilt = TaskState::new();
    let held = [
        TaskEvent::started(black_box(1)),
        TaskEvent::terminated(2, 1),
    ];
    if let Err(error) = TaskState::from_parts_into(parts, held, &mut rebuilt) {
        let _ = write!(sink, "{error}");
    }
    black_box(rebuilt.phase());
}

#[cfg(feature = "serde")]
fn exercise_postcard(sink: &mut Sink) {
    #[cfg(not(feature = "core-only"))]
    covers! {
        wire::TaskState { to_postcard, from_postcard }
        wire::DecodeError { Display }
    }
    let mut task = TaskState::new();
    let _ = task.apply(TaskEvent::received(black_box(1)));
    let _ = task.apply(TaskEvent::started(black_box(2)));
    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    if let Ok(bytes) = task.to_postcard(&mut buf) {
        if let Some(byte) = bytes.get_mut(black_box(3)) {
            *byte ^= black_box(0x40);
        }
        match TaskState::from_postcard(black_box(&*bytes)) {
            Ok(back) => black_box(back.event_count()),
            Err(e) => {
                let _ = write!(sink, "{e}");
                0
            }
        };
    }
    black_box(TaskEvent::POSTCARD_MAX_SIZE);
}

#[cfg(not(feature = "core-only"))]
fn exercise_alloc_identity(sink: &mut Sink) {
    covers! {
        allocation::Allocation {
            add_task, set_identity, identity_cut, identity, id, eval_id, name, node_id, job_id,
            task_group, set_server_status, server_status, derived_client_status,
            set_client_description, client_description, set_indexes, create_index,
            modify_index,
        }
        allocation::IdentityField { as_str, capacity, Display }
    }
    use allocstate::{AllocIdentity, Allocation, IdentityField, Role};
    let text: &'static str = black_box("203266e5-e0d6-9486-5e05-397ed2b184af");
    let mut alloc: Allocation<4> = black_box(Allocation::new());
    let _ = alloc.add_task(black_box("a"), Role::main());
    let identity = AllocIdentity {
        id: text,
        eval_id: black_box(text),
        name: black_box("example.cache[0]"),
        node_id: text,
        job_id: black_box("example"),
        task_group: black_box("cache"),
    };
    match alloc.set_identity(identity) {
        Ok(changed) => black_box(changed),
        Err(e) => {
            let _ = write!(sink, "{e}");
            false
        }
    };
    for field in IdentityField::ALL {
        black_box(alloc.identity_cut(black_box(field)));
    }
    let got = alloc.identity();
    black_box((
        got.id,
        got.eval_id,
        got.name,
        got.node_id,
        got.job_id,
        got.task_group,
    ));
    let _ = write!(
        sink,
        "{}{}{}{}{}{}",
        alloc.id(),
        alloc.eval_id(),
        alloc.name(),
        alloc.node_id(),
        alloc.job_id(),
        alloc.task_group()
    );
    let status = ClientStatus::from_wire_str(black_box("lost"));
    if let Err(e) = alloc.set_server_status(status) {
        let _ = write!(sink, "{e}");
    }
    let _ = alloc.set_server_status(black_box(Some(ClientStatus::Running)));
    black_box((alloc.server_status(), alloc.derived_client_status()));
    if let Err(e) = alloc.set_client_description(black_box(text)) {
        let _ = write!(sink, "{e}");
    }
    let _ = write!(sink, "{}", alloc.client_description());
    if let Err(e) = alloc.set_indexes(black_box(7), black_box(9)) {
        let _ = write!(sink, "{e}");
    }
    black_box((alloc.create_index(), alloc.modify_index()));
    let field = if black_box(true) {
        IdentityField::Name
    } else {
        IdentityField::TaskGroup
    };
    let _ = write!(sink, "{field} {} {}", field.as_str(), field.capacity());
}

#[cfg(all(feature = "serde", not(feature = "core-only")))]
fn exercise_alloc_postcard(sink: &mut Sink) {
    covers!(wire::Allocation {
        to_postcard,
        from_postcard
    });
    use allocstate::{Allocation, DesiredStatus, Role};
    let mut alloc: Allocation<4> = black_box(Allocation::new());
    let _ = alloc.add_task(black_box("a"), Role::leader());
    let _ = alloc.add_task(black_box("b"), Role::prestart(black_box(true)));
    let _ = alloc.apply(black_box("a"), TaskEvent::received(black_box(1)));
    let _ = alloc.apply(black_box("b"), TaskEvent::started(black_box(2)));
    let _ = alloc.set_desired(DesiredStatus::Stop, black_box("stop"));
    let _ = alloc.set_server_status(black_box(Some(ClientStatus::Unknown)));
    let mut buf = [0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
    if let Ok(bytes) = alloc.to_postcard(&mut buf) {
        if let Some(byte) = bytes.get_mut(black_box(3)) {
            *byte ^= black_box(0x40);
        }
        let len = black_box(bytes.len());
        let read = bytes.get(..len).unwrap_or(&[]);
        match Allocation::<4>::from_postcard(black_box(read)) {
            Ok(back) => black_box(back.modify_index()),
            Err(e) => {
                let _ = write!(sink, "{e}");
                0
            }
        };
    }
}

#[cfg(not(feature = "core-only"))]
fn exercise_runner(sink: &mut Sink) {
    covers! {
        runner::Runner {
            new, reset, seed_jitter, add_task, arrive, set_identity, allocation, coordinator,
            place, tracker, task_id, task_at, task_ids, task_name, describe, events,
            next_wake, arrived, is_finished, is_client_terminal, handle, set_handle,
            prestart, started, start_failed, start_cancelled, exited, kill_failed, restart,
            signal, stop, setup_failed, tick, drop_task, reconnected, servers_contacted,
        }
        runner::GroupSpec { new }
        runner::TaskSpec { new }
        runner::Now { new }
        runner::TaskId { index, Display }
        runner::Place { deadline, has_process }
        runner::Coordinator { allows }
        runner::Exit { code, signal }
        runner::Action { name }
        runner::RestartTarget { reason }
        runner::RunnerError { task, Display }
        runner::SpecField { name, Display }
        runner::Described { error, Display }
    }
    use allocstate::restart::{JobType, RestartMode, RestartPolicy};
    #[cfg(feature = "serde")]
    use allocstate::runner::RestoreStatus;
    use allocstate::runner::{
        Action, Exit, GroupSpec, Now, PrestartStep, RestartTarget, Runner, RunnerError, Step,
        TaskSpec,
    };
    use allocstate::{AllocIdentity, DesiredStatus, Role};
    fn seen(sink: &mut Sink, runner: &Runner<4>, result: Result<Step<4>, RunnerError>) {
        match result {
            Ok(step) => {
                for command in step.commands {
                    let _ = write!(sink, "{} {}", command.task, command.action.name());
                    if let Action::Stop {
                        signal,
                        kill_timeout,
                    } = &command.action
                    {
                        let signal = signal.as_deref().unwrap_or("default");
                        let _ = write!(sink, "{signal} {kill_timeout}");
                    }
                }
                black_box(step.wake);
                for (task, event) in runner.events() {
                    let _ = write!(sink, "{} {}", runner.task_name(task), event.type_str());
                }
            }
            Err(e) => {
                let described = runner.describe(e);
                let _ = write!(sink, "{described} {e}");
                black_box((described.error().task(), e.task().map(|id| id.index())));
                if let RunnerError::InvalidSpec { field, .. } = e {
                    let _ = write!(sink, "{field} {}", field.name());
                }
            }
        }
    }
    let t = black_box(7_i64);
    let policy = RestartPolicy {
        attempts: black_box(2),
        interval: black_box(60_000_000_000),
        delay: black_box(3),
        mode: if black_box(true) {
            RestartMode::Delay
        } else {
            RestartMode::Fail
        },
    };
    let job = black_box([JobType::Service, JobType::Batch])
        .get(black_box(1))
        .copied()
        .unwrap_or(JobType::System);
    let mut group = GroupSpec::new(job);
    group.shutdown_delay = black_box(4);
    group.max_run_duration = black_box(30);
    let mut runner: Runner<4> = black_box(Runner::new(group));
    runner.seed_jitter(black_box(9));
    let roles = [
        Role::leader(),
        Role::prestart(black_box(true)),
        Role::poststart(false),
        Role::poststop(),
        Role::main(),
    ];
    for (i, role) in roles.iter().enumerate() {
        let mut spec = TaskSpec::new(
            black_box(["a", "b", "c", "d", "e"])
                .get(i)
                .copied()
                .unwrap_or(""),
            *role,
            policy,
        );
        spec.kill_timeout = black_box(i64::MAX);
        spec.kill_signal = black_box(Some("SIGTERM"));
        // The first task's spec is refused (a negative shutdown delay), the others not.
        spec.shutdown_delay = if i == black_box(0) { i64::MIN } else { 2 };
        if let Err(e) = runner.add_task(&spec) {
            let _ = write!(sink, "{e}");
        }
    }
    let _ = runner.set_identity(AllocIdentity {
        id: "",
        eval_id: "",
        name: "x",
        node_id: "",
        job_id: "j",
        task_group: "g",
    });
    let result = runner.arrive(t);
    seen(sink, &runner, result);
    for step in 0..black_box(48_u8) {
        let Some(i) = runner.task_at(usize::from(black_box(step) % 5)) else {
            continue;
        };
        let now = Now::new(
            t.saturating_add(i64::from(step)),
            black_box(i64::from(step)),
        );
        let text = black_box("boom");
        let result = match step % 20 {
            0 => runner.prestart(now, i, PrestartStep::TaskDirBuilt),
            1 => runner.prestart(now, i, PrestartStep::DownloadingArtifacts),
            2 => runner.prestart(now, i, PrestartStep::ArtifactFailed { error: text }),
            3 => runner.prestart(
                now,
                i,
                PrestartStep::HookFailed {
                    message: text,
                    recoverable: black_box(true),
                },
            ),
            4 => runner.started(now, i),
            5 => runner.start_failed(now, i, text, black_box(false)),
            6 => runner.exited(
                now,
                i,
                Exit {
                    exit_code: black_box(1),
                    signal: 0,
                    oom_killed: black_box(true),
                },
            ),
            7 => runner.restart(
                now,
                [
                    RestartTarget::Task(i),
                    RestartTarget::Running,
                    RestartTarget::All,
                ][usize::from(step % 3)],
                black_box(true),
            ),
            8 => runner.signal(now, i, black_box(Some(text))),
            9 => runner.stop(now, DesiredStatus::Evict, text, black_box(step % 2 == 0)),
            10 => runner.start_cancelled(now, i),
            11 if step == 11 => runner.setup_failed(now, text),
            12 => runner.prestart(now, i, PrestartStep::TemplateBlocked { message: text }),
            13 => runner.prestart(now, i, PrestartStep::HookKilled { message: text }),
            14 => runner.reconnected(now),
            15 => runner.drop_task(now, i),
            16 => runner.kill_failed(now, i, text),
            17 => runner.servers_contacted(now),
            18 => match runner.set_handle(i, black_box(b"pid 42")) {
                Ok(()) => runner.signal(now, i, None),
                Err(e) => Err(e),
            },
            _ => runner.tick(runner.next_wake().unwrap_or(now.mono)),
        };
        seen(sink, &runner, result);
    }
    black_box((
        runner.is_finished(),
        runner.is_client_terminal(),
        runner.coordinator(),
        runner.task_at(black_box(2)).and_then(|id| runner.place(id)),
        runner
            .task_at(black_box(1))
            .and_then(|id| runner.tracker(id))
            .map(|t| t.count()),
        runner.task_id(black_box("c")),
        runner.task_ids().count(),
        runner
            .task_at(black_box(1))
            .and_then(|id| runner.handle(id)),
        runner.allocation().modify_index(),
        runner.arrived(),
        RestartTarget::Running.reason(),
        runner.events().count(),
    ));
    if let Some(id) = runner.task_at(black_box(3)) {
        let _ = write!(sink, "{id}");
        if let Some(place) = runner.place(id) {
            black_box((place.deadline(), place.has_process()));
        }
    }
    black_box(runner.coordinator().allows(allocstate::runner::Stage::Main));
    black_box((
        Exit::code(black_box(2)),
        Exit::signal(black_box(-1), black_box(9)),
    ));
    #[cfg(feature = "serde")]
    {
        covers!(wire::Runner { persist, restore });
        let mut buf = [0u8; Runner::<4>::POSTCARD_MAX_SIZE];
        let persisted = match runner.persist(&mut buf) {
            Ok(bytes) => {
                if let Some(byte) = bytes.get_mut(black_box(5)) {
                    *byte ^= black_box(1);
                }
                bytes.len()
            }
            Err(e) => {
                let _ = write!(sink, "{e}");
                0
            }
        };
        let bytes = buf.get(..black_box(persisted)).unwrap_or(&[]);
        // Restore decodes into a fresh runner: the same one, reset in place.
        runner.reset(black_box(GroupSpec::new(JobType::Sysbatch)));
        let answers = black_box([true, false, true, false]);
        let result = runner.restore(
            t,
            black_box(bytes),
            black_box(Some(DesiredStatus::Stop)),
            |id, restoring| {
                black_box((restoring.name, restoring.status == RestoreStatus::Running));
                black_box(restoring.handle.map(<[u8]>::len));
                answers.get(id.index()).copied().unwrap_or(false)
            },
        );
        seen(sink, &runner, result);
    }
    runner.reset(black_box(GroupSpec::new(JobType::Batch)));
    black_box(runner.arrived());
}

/// The in-place decoders and resets, on opaque bytes.
#[cfg(feature = "serde")]
fn exercise_in_place(sink: &mut Sink) {
    #[cfg(not(feature = "core-only"))]
    covers! {
        wire::TaskState { to_postcard, from_postcard_into }
        wire::Allocation { to_postcard, from_postcard_into }
    }
    let mut task = TaskState::new();
    let _ = task.apply(TaskEvent::received(black_box(1)));
    let mut back = TaskState::new();
    let mut compact = [0u8; TaskState::POSTCARD_MAX_SIZE];
    if let Ok(bytes) = task.to_postcard(&mut compact) {
        if let Some(byte) = bytes.get_mut(black_box(2)) {
            *byte ^= black_box(0x10);
        }
        let read = bytes.get(..black_box(bytes.len())).unwrap_or(&[]);
        match TaskState::from_postcard_into(black_box(read), &mut back) {
            Ok(()) => black_box(back.event_count()),
            Err(e) => {
                let _ = write!(sink, "{e}");
                0
            }
        };
    }
    back.reset();
    black_box(&back);

    #[cfg(not(feature = "core-only"))]
    {
        use allocstate::{Allocation, Role};
        let mut alloc: Allocation<4> = Allocation::new();
        let _ = alloc.add_task(black_box("web"), Role::leader());
        let _ = alloc.apply(black_box("web"), TaskEvent::received(black_box(1)));
        let mut read: Allocation<4> = Allocation::new();
        let mut compact = [0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
        if let Ok(bytes) = alloc.to_postcard(&mut compact) {
            if let Some(byte) = bytes.get_mut(black_box(5)) {
                *byte ^= black_box(0x10);
            }
            let bytes = bytes.get(..black_box(bytes.len())).unwrap_or(&[]);
            if let Err(e) = Allocation::from_postcard_into(black_box(bytes), &mut read) {
                let _ = write!(sink, "{e}");
            }
        }
        read.clear();
        black_box(&read);
    }
}

/// Nomad's JSON through serde-json-core: written, read in place and by value, on opaque
/// bytes (size only, see `json-core` in Cargo.toml).
#[cfg(feature = "json-core")]
fn exercise_json_core(sink: &mut Sink) {
    #[cfg(not(feature = "core-only"))]
    covers! {
        json::TaskEvent { Serialize, Deserialize }
        json::TaskState { Serialize, Deserialize, deserialize_into }
        json::Allocation { Serialize, Deserialize, deserialize_into }
        json::WithZeroTime { Serialize }
        json::EventKind { Serialize, Deserialize }
        json::WireState { Serialize, Deserialize }
        json::ClientStatus { Serialize, Deserialize }
        json::DesiredStatus { Serialize, Deserialize }
    }
    use serde_json_core::de::Deserializer;
    let mut task = TaskState::new();
    let _ = task.apply(TaskEvent::received(black_box(1)).with_message(black_box("a \"b\"\n")));
    let mut buf = [0u8; 2048];
    let mut unescape = [0u8; 64];
    let zero = if black_box(true) {
        allocstate::ZeroTime::EncodingJson
    } else {
        allocstate::ZeroTime::default()
    };
    black_box(serde_json_core::to_slice(&allocstate::WithZeroTime(&task, zero), &mut buf).is_ok());
    let len = serde_json_core::to_slice(&task, &mut buf).unwrap_or(0);
    if let Some(byte) = buf.get_mut(black_box(7)) {
        *byte ^= black_box(0x20);
    }
    let text = buf.get(..black_box(len)).unwrap_or(&[]);
    let mut back = TaskState::new();
    let mut de = Deserializer::new(black_box(text), Some(&mut unescape));
    match TaskState::deserialize_into(&mut de, &mut back) {
        Ok(()) => black_box(de.end().is_ok()),
        Err(e) => {
            let _ = write!(sink, "{e}");
            false
        }
    };
    black_box(serde_json_core::from_slice_escaped::<TaskState>(text, &mut unescape).is_ok());
    black_box(serde_json_core::from_slice_escaped::<TaskEvent>(text, &mut unescape).is_ok());
    if let Some(event) = task.events().latest() {
        black_box(serde_json_core::to_slice(event, &mut buf).is_ok());
    }
    // The names, written and read back.
    let len = serde_json_core::to_slice(&EventKind::from_type_str(black_box("Killed")), &mut buf);
    let text = buf.get(..len.unwrap_or(0)).unwrap_or(&[]);
    black_box(serde_json_core::from_slice::<EventKind>(text).is_ok());
    let len = serde_json_core::to_slice(&task.state(), &mut buf);
    let text = buf.get(..len.unwrap_or(0)).unwrap_or(&[]);
    black_box(serde_json_core::from_slice::<WireState>(text).is_ok());
    let len = serde_json_core::to_slice(&ClientStatus::of([&task]), &mut buf);
    let text = buf.get(..len.unwrap_or(0)).unwrap_or(&[]);
    black_box(serde_json_core::from_slice::<ClientStatus>(text).is_ok());
    #[cfg(not(feature = "core-only"))]
    {
        use allocstate::DesiredStatus;
        let desired =
            DesiredStatus::from_wire_str(black_box("evict")).unwrap_or(DesiredStatus::Run);
        let len = serde_json_core::to_slice(&desired, &mut buf);
        let text = buf.get(..len.unwrap_or(0)).unwrap_or(&[]);
        black_box(serde_json_core::from_slice::<DesiredStatus>(text).is_ok());
    }

    #[cfg(not(feature = "core-only"))]
    {
        use allocstate::{Allocation, Role};
        let mut alloc: Allocation<4> = Allocation::new();
        let _ = alloc.add_task(black_box("web"), Role::leader());
        let _ = alloc.apply(black_box("web"), TaskEvent::received(black_box(1)));
        black_box(
            serde_json_core::to_slice(&allocstate::WithZeroTime(&alloc, zero), &mut buf).is_ok(),
        );
        let len = serde_json_core::to_slice(&alloc, &mut buf).unwrap_or(0);
        if let Some(byte) = buf.get_mut(black_box(9)) {
            *byte ^= black_box(0x20);
        }
        let text = buf.get(..black_box(len)).unwrap_or(&[]);
        let mut read: Allocation<4> = Allocation::new();
        let mut de = Deserializer::new(black_box(text), Some(&mut unescape));
        if let Err(e) = Allocation::deserialize_into(&mut de, &mut read) {
            let _ = write!(sink, "{e}");
        }
        black_box(
            serde_json_core::from_slice_escaped::<Allocation<4>>(text, &mut unescape).is_ok(),
        );
    }
}

/// The reading mode (`allocstate::nomad`) through serde-json-core: an allocation and a
/// task state read in place from opaque bytes, every accessor, the divergences with
/// their rules written out, and both written back in both zero-time forms.
#[cfg(all(feature = "json-core", not(feature = "core-only")))]
fn exercise_nomad_read(sink: &mut Sink) {
    covers! {
        json::NomadAllocation {
            new, Default, identity, identity_cut, id, name, node_id, job_id, task_group,
            desired_status, desired_description, client_status, client_description, text_cut,
            create_index, modify_index, create_time, modify_time, tasks, task, divergences,
            deserialize_into, Serialize, Deserialize,
        }
        json::NomadTask { name, state }
        json::NomadTaskState {
            new, Default, state, failed, restarts, last_restart, started_at, finished_at,
            events, divergences, deserialize_into, Serialize, Deserialize,
        }
        json::Rule { kind, was_in, Display }
    }
    use allocstate::nomad::{NomadAllocation, NomadTaskState};
    use allocstate::{IdentityField, WithZeroTime, ZeroTime};
    use serde_json_core::de::Deserializer;
    let text: &[u8] = black_box(
        br#"{"ID":"a","TaskGroup":"g","ClientStatus":"running","TaskStates":{"web":{"State":"dead","LastRestart":null,"Events":[{"Type":"Killed","Time":1},{"Type":"Killing","Time":2}]}}}"#,
    );
    let mut unescape = [0u8; 64];
    let mut buf = [0u8; 2048];
    let zero = if black_box(true) {
        ZeroTime::EncodingJson
    } else {
        ZeroTime::Null
    };
    let mut alloc: NomadAllocation<4> = NomadAllocation::new();
    let mut de = Deserializer::new(text, Some(&mut unescape));
    if let Err(e) = NomadAllocation::deserialize_into(&mut de, &mut alloc) {
        let _ = write!(sink, "{e}");
    }
    black_box((
        alloc.identity(),
        alloc.id(),
        alloc.name(),
        alloc.node_id(),
        alloc.job_id(),
        alloc.task_group(),
        alloc.desired_status(),
        alloc.desired_description(),
        alloc.client_status(),
        alloc.client_description(),
        alloc.text_cut(black_box("ClientDescription")),
        alloc.create_index(),
        alloc.modify_index(),
        alloc.create_time(),
        alloc.modify_time(),
    ));
    for field in IdentityField::ALL {
        black_box(alloc.identity_cut(field));
    }
    for (task, found) in alloc.divergences() {
        let rule = found.rule;
        black_box((rule.kind(), rule.was_in(allocstate::Phase::Dead)));
        let _ = write!(sink, "{task} {} {rule}", found.event);
    }
    for task in alloc.tasks() {
        let state = task.state();
        black_box((
            task.name(),
            state.state(),
            state.failed(),
            state.restarts(),
            state.last_restart(),
            state.started_at(),
            state.finished_at(),
            state.events().len(),
        ));
    }
    black_box(alloc.task(black_box("web")).is_some());
    black_box(serde_json_core::to_slice(&alloc, &mut buf).is_ok());
    black_box(serde_json_core::to_slice(&WithZeroTime(&alloc, zero), &mut buf).is_ok());
    black_box(
        serde_json_core::from_slice_escaped::<NomadAllocation<4>>(text, &mut unescape).is_ok(),
    );

    let text: &[u8] = black_box(
        br#"{"State":"dead","Events":[{"Type":"Killed","Time":1},{"Type":"Killing","Time":2}]}"#,
    );
    let mut task = NomadTaskState::new();
    let mut de = Deserializer::new(text, Some(&mut unescape));
    if let Err(e) = NomadTaskState::deserialize_into(&mut de, &mut task) {
        let _ = write!(sink, "{e}");
    }
    for found in task.divergences() {
        let _ = write!(sink, "{} {}", found.event, found.rule);
    }
    black_box(serde_json_core::to_slice(&task, &mut buf).is_ok());
    black_box(serde_json_core::to_slice(&WithZeroTime(&task, zero), &mut buf).is_ok());
    black_box(serde_json_core::from_slice_escaped::<NomadTaskState>(text, &mut unescape).is_ok());
    black_box((
        NomadAllocation::<4>::default().tasks().len(),
        NomadTaskState::default().events().len(),
    ));
}

/// The journal's core: records, the two passes of recovery and the writer, on opaque
/// bytes; with serde, the runner's inputs as entries and the recovery glue.
#[cfg(feature = "journal")]
fn exercise_journal(sink: &mut Sink) {
    covers! {
        journal::Writer {
            Default, after, has_snapshot, entries, epoch, next_epoch, entry, entry_done,
            chunk, commit, commit_done, chunks_abandoned,
        }
        journal::Scan { new, feed, finish }
        journal::Replay { new, feed, finish }
        journal::Record { decode, encode }
        journal::Crc32 { new, Default, update, finish, of }
        journal::JournalError { Display }
    }
    use allocstate::journal::{Crc32, Piece, Record, Replay, Scan, Writer};
    let mut buf = [0u8; 96];
    let bytes: &[u8] = black_box(b"opaque snapshot bytes, longer than one chunk");
    let chunk_len = black_box(16_usize);
    let mut crc = Crc32::new();
    crc.update(bytes);
    let _ = black_box((crc.finish(), Crc32::of(bytes), Crc32::default().finish()));
    let mut writer = Writer::default();
    let mut scan = Scan::new();
    let mut index = 0_u32;
    while let Ok(Some(record)) = writer.chunk(bytes, chunk_len, index, &mut buf) {
        let _ = scan.feed(record);
        index = index.wrapping_add(1);
    }
    if let Ok(record) = writer.commit(bytes, chunk_len, &mut buf) {
        let _ = scan.feed(record);
        writer.commit_done();
    }
    if let Ok(record) = writer.entry(bytes, &mut buf) {
        let _ = scan.feed(record);
        writer.entry_done();
    }
    writer.chunks_abandoned();
    let _ = black_box((
        writer.entries(),
        writer.epoch(),
        writer.next_epoch(),
        writer.has_snapshot(),
    ));
    let record = Record::Entry {
        epoch: black_box(1),
        seq: black_box(0),
        bytes,
    };
    let encoded_len = record.encode(&mut buf).map(|r| r.len()).unwrap_or(0);
    let encoded = buf.get(..encoded_len).unwrap_or(&[]);
    let _ = black_box(Record::decode(black_box(encoded)));
    match scan.finish() {
        Ok(plan) => {
            let _ = black_box(Writer::after(&plan).next_epoch());
            let mut replay = Replay::new(plan);
            match replay.feed(encoded) {
                Ok(Some(Piece::Chunk { offset, bytes })) => black_box((offset, bytes.len())),
                Ok(Some(Piece::Entry(bytes))) => black_box((0, bytes.len())),
                Ok(None) => (0, 0),
                Err(e) => {
                    let _ = write!(sink, "{e}");
                    (0, 0)
                }
            };
            let _ = black_box(replay.finish());
        }
        Err(e) => {
            let _ = write!(sink, "{e}");
        }
    }
    #[cfg(feature = "serde")]
    {
        covers! {
            journal_runner::Input { new, encode, decode, apply }
            journal_runner::RunnerSnapshot { write, time, max_size }
            journal_runner::RecoveryGlue { new, piece, finish, error }
        }
        use allocstate::journal::runner::{Input, RecoveryGlue, RunnerSnapshot, What};
        use allocstate::runner::{Exit, GroupSpec, Now, Runner};
        let mut runner: Runner<4> =
            Runner::new(GroupSpec::new(allocstate::restart::JobType::Batch));
        let since = Now::new(black_box(3), black_box(4));
        let mut len = 0;
        if let Some(task) = black_box(&runner).task_at(black_box(0)) {
            let input = Input::new(
                Now::new(black_box(5), black_box(6)),
                What::Exited {
                    task,
                    exit: Exit::code(black_box(1)),
                },
            );
            len = input.encode(since, &mut buf).map(|b| b.len()).unwrap_or(0);
        }
        let entry = buf.get(..len).unwrap_or(&[]);
        if let Ok(decoded) = Input::decode(black_box(entry), since) {
            let _ = black_box(decoded.apply(&mut runner));
        }
        let mut snapshot = [0u8; 512];
        let mut other = [0u8; 512];
        let len = RunnerSnapshot::write(&runner, black_box(7), &mut snapshot)
            .map(|s| s.len())
            .unwrap_or(0);
        let mut fresh: Runner<4> = Runner::new(GroupSpec::new(allocstate::restart::JobType::Batch));
        let mut glue = RecoveryGlue::new(&mut fresh, &mut other);
        let _ = glue.piece(Piece::Chunk {
            offset: 0,
            bytes: snapshot.get(..len).unwrap_or(&[]),
        });
        let _ = glue.piece(Piece::Entry(black_box(entry)));
        let _ = black_box(glue.error());
        let _ = black_box(glue.finish());
        let _ = black_box(RunnerSnapshot::time(black_box(&snapshot)));
        let _ = black_box(RunnerSnapshot::max_size::<4>());
    }
}

#[no_mangle]
pub extern "C" fn _start() -> ! {
    let mut sink = Sink {
        buf: [0; 256],
        len: 0,
    };
    exercise_events(&mut sink);
    exercise_task(&mut sink);
    #[cfg(not(feature = "core-only"))]
    exercise_restart(&mut sink);
    #[cfg(not(feature = "core-only"))]
    exercise_alloc(&mut sink);
    #[cfg(not(feature = "core-only"))]
    exercise_runner(&mut sink);
    exercise_display(&mut sink);
    #[cfg(not(feature = "core-only"))]
    exercise_alloc_identity(&mut sink);
    #[cfg(all(feature = "serde", not(feature = "core-only")))]
    exercise_alloc_postcard(&mut sink);
    #[cfg(feature = "serde")]
    exercise_postcard(&mut sink);
    #[cfg(feature = "serde")]
    exercise_in_place(&mut sink);
    #[cfg(feature = "json-core")]
    exercise_json_core(&mut sink);
    #[cfg(all(feature = "json-core", not(feature = "core-only")))]
    exercise_nomad_read(&mut sink);
    #[cfg(feature = "journal")]
    exercise_journal(&mut sink);
    black_box(&sink.buf);
    // `ci/text-size.sh` checks these land in `.bss`: `new()` is all zero bytes.
    black_box(core::ptr::addr_of!(IDLE_TASK));
    #[cfg(not(feature = "core-only"))]
    black_box(core::ptr::addr_of!(IDLE_ALLOCATION));
    #[cfg(not(feature = "core-only"))]
    black_box(core::ptr::addr_of!(IDLE_RUNNER));
    loop {
        core::hint::spin_loop();
    }
}

/// A task state as a firmware keeps one: in a mutable `static`, which must need no
/// initial image in flash (only its address is taken: no access, no `unsafe`).
#[no_mangle]
static mut IDLE_TASK: TaskState = TaskState::new();

/// An allocation as a firmware keeps one, likewise.
#[cfg(not(feature = "core-only"))]
#[no_mangle]
static mut IDLE_ALLOCATION: allocstate::Allocation<4> = allocstate::Allocation::new();

/// A runner as a firmware keeps one, for a group with the default settings, likewise.
#[cfg(not(feature = "core-only"))]
#[no_mangle]
static mut IDLE_RUNNER: allocstate::Runner<4> = allocstate::Runner::new(
    allocstate::runner::GroupSpec::new(allocstate::restart::JobType::Service),
);

#[cfg(not(feature = "json-core"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    extern "C" {
        /// Deliberately undefined: referencing it means a panic path survived.
        fn allocstate_panic_path_is_reachable() -> !;
    }
    unsafe { allocstate_panic_path_is_reachable() }
}

/// Size only: serde-json-core keeps panic paths of its own (see Cargo.toml).
#[cfg(feature = "json-core")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
