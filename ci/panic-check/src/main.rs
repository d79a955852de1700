//! Calls every public operation of allocstate on opaque inputs. Built in release for
//! thumbv7em-none-eabihf; the link fails if any panic path is reachable.

#![no_std]
#![no_main]

use core::fmt::Write;
use core::hint::black_box;

use allocstate::restart::{JobType, Lifecycle, RestartMode, RestartPolicy, RestartTracker};
use allocstate::{ClientStatus, Detail, EventKind, Phase, TaskEvent, TaskState, WireState};

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
        },
        Detail::Unknown { .. } => Detail::Unknown { type_name: text },
        other => other,
    }
}

fn exercise_events(sink: &mut Sink) {
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
}

fn exercise_task(sink: &mut Sink) {
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
    black_box(WireState::from_wire_str(black_box("dead")));
    for phase in Phase::ALL {
        let _ = write!(sink, "{phase} {}", phase.wire_state());
    }
}

fn exercise_restart(sink: &mut Sink) {
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
    if let Some(reason) = outcome.reason() {
        let _ = write!(sink, "{reason}");
    }
    let _ = write!(sink, "{}", allocstate::GoDuration(black_box(i64::MIN)));
}

#[no_mangle]
pub extern "C" fn _start() -> ! {
    let mut sink = Sink {
        buf: [0; 256],
        len: 0,
    };
    exercise_events(&mut sink);
    exercise_task(&mut sink);
    exercise_restart(&mut sink);
    black_box(&sink.buf);
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    extern "C" {
        /// Deliberately undefined: referencing it means a panic path survived.
        fn allocstate_panic_path_is_reachable() -> !;
    }
    unsafe { allocstate_panic_path_is_reachable() }
}
