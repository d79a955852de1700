//! Instructions per operation on the Cortex-M4F, counted under QEMU with `-icount shift=0`
//! (one instruction per virtual nanosecond) through SysTick on the processor clock: the
//! crate's `apply` of one event into a full ring and a restart cycle (Terminated,
//! Restarting, Started), each against `heapless::HistoryBuf::write` of the same events.
//! The conversion from SysTick ticks to instructions is measured, not assumed, on a loop
//! of a known instruction count. As in benches/apply.rs, inputs are prepared outside the
//! count and each contender takes them by value in the same loop, paying for one append
//! and nothing else; the crate's refusals are counted and must be zero. Reported, not
//! asserted (the numbers are a property of the build, not a test).

use core::hint::black_box;

use allocstate::{EventKind, TaskEvent, TaskState, MAX_EVENTS};
use cortex_m::peripheral::{syst::SystClkSource, SYST};
use heapless::{HistoryBuf, Vec};

use crate::checks::Tally;
use crate::out;

/// Events per counted batch (a whole number of restart cycles), and batches per figure.
const BATCH: usize = 30;
const BATCHES: usize = 32;

/// Runs `f` and returns the SysTick ticks it took.
#[inline(never)]
fn ticks(syst: &mut SYST, f: impl FnOnce()) -> u32 {
    syst.clear_current();
    let start = SYST::get_current();
    f();
    let end = SYST::get_current();
    // SysTick counts down from its reload value.
    start.wrapping_sub(end) & 0x00FF_FFFF
}

/// Ticks of a loop of exactly `2 * n + 2` instructions.
#[inline(never)]
fn calibration(syst: &mut SYST, n: u32) -> u32 {
    ticks(syst, || {
        // SAFETY: a counting loop on a scratch register.
        unsafe {
            core::arch::asm!(
                "2:",
                "subs {0}, #1",
                "bne 2b",
                inout(reg) n => _,
                options(nomem, nostack),
            );
        }
    })
}

/// A task accepting `Terminated` again and again (ShuttingDown), ring full.
fn shutting_down() -> TaskState {
    let mut task = TaskState::new();
    let _ = task.apply(TaskEvent::received(1));
    let _ = task.apply(TaskEvent::started(2));
    let _ = task.apply(TaskEvent::of_kind(3, EventKind::WaitingForShutdownDelay));
    for time in 4..4 + MAX_EVENTS as i64 {
        let _ = task.apply(TaskEvent::terminated(time, 1));
    }
    task
}

/// One restart cycle's events, in the order a running task takes them.
fn cycle(time: i64) -> [TaskEvent; 3] {
    [
        TaskEvent::terminated(time, 1),
        TaskEvent::restarting(time + 1, 15_000_000_000, "Restart within policy"),
        TaskEvent::started(time + 2),
    ]
}

/// Fills `inputs` with `BATCH` events from `next`, untimed.
fn prepare(inputs: &mut Vec<TaskEvent, BATCH>, mut next: impl FnMut(usize) -> TaskEvent) {
    inputs.clear();
    for index in 0..BATCH {
        let _ = inputs.push(next(index));
    }
}

/// Ticks for `BATCH * BATCHES` appends by `routine` of the inputs `next` makes.
fn count(
    syst: &mut SYST,
    inputs: &mut Vec<TaskEvent, BATCH>,
    mut next: impl FnMut(usize) -> TaskEvent,
    mut routine: impl FnMut(TaskEvent),
) -> u64 {
    let mut total = 0u64;
    for _ in 0..BATCHES {
        prepare(inputs, &mut next);
        total += u64::from(ticks(syst, || {
            while let Some(event) = inputs.pop() {
                routine(black_box(event));
            }
        }));
    }
    total
}

/// Prints instructions per operation for both contenders; counts one check: the crate
/// refused nothing (a refusal would make its figure meaningless).
pub fn run(tally: &mut Tally, syst: &mut SYST, task: &mut TaskState) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(0x00FF_FFFF);
    syst.clear_current();
    syst.enable_counter();

    let n = 100_000;
    let per_tick = (2.0 * n as f32 + 2.0) / calibration(syst, n).max(1) as f32;
    out::line(format_args!(
        "     cost: {per_tick:.2} instructions per SysTick tick (calibrated; 40 expected at 25 MHz with -icount shift=0)"
    ));
    let appends = (BATCH * BATCHES) as f32;
    let mut inputs: Vec<TaskEvent, BATCH> = Vec::new();
    let mut refused = 0u32;

    *task = shutting_down();
    let crate_apply = count(
        syst,
        &mut inputs,
        |i| TaskEvent::terminated(100 + i as i64, 1),
        |e| {
            if task.apply(e).is_err() {
                refused += 1;
            }
        },
    );
    let mut history: HistoryBuf<TaskEvent, MAX_EVENTS> = HistoryBuf::new();
    history.extend(task.events().iter().cloned());
    let floor_apply = count(
        syst,
        &mut inputs,
        |i| TaskEvent::terminated(100 + i as i64, 1),
        |e| history.write(e),
    );

    task.reset();
    let _ = task.apply(TaskEvent::received(1));
    let _ = task.apply(TaskEvent::started(2));
    for round in 0..4 {
        for event in cycle(10 + round * 3) {
            let _ = task.apply(event);
        }
    }
    // `pop` takes the batch from its end: prepare it backwards so the cycle runs in order.
    let event_at = |i: usize| {
        let step = BATCH - 1 - i;
        let round = (step / 3) as i64;
        let [a, b, c] = cycle(1_000 + round * 3);
        match step % 3 {
            0 => a,
            1 => b,
            _ => c,
        }
    };
    let crate_cycle = count(syst, &mut inputs, event_at, |e| {
        if task.apply(e).is_err() {
            refused += 1;
        }
    });
    let floor_cycle = count(syst, &mut inputs, event_at, |e| history.write(e));

    // The loop alone: each input taken by value and discarded.
    let harness = count(syst, &mut inputs, event_at, |e| {
        black_box(&e);
    });

    let instructions = |ticks: u64, per: f32| ticks as f32 * per_tick / appends * per;
    let report = |name: &str, crate_ticks: u64, floor_ticks: u64, per: f32| {
        let (mine, floor) = (
            instructions(crate_ticks, per),
            instructions(floor_ticks, per),
        );
        let base = instructions(harness, per);
        out::line(format_args!(
            "     cost {name}: allocstate {mine:.0} instructions, HistoryBuf::write {floor:.0} ({:.2}x); less the loop's {base:.0}: {:.0} against {:.0} ({:.2}x)",
            mine / floor.max(1.0),
            mine - base,
            floor - base,
            (mine - base) / (floor - base).max(1.0)
        ));
    };
    report(
        "per apply (Terminated into a full ring)",
        crate_apply,
        floor_apply,
        1.0,
    );
    report(
        "per restart cycle (3 events)",
        crate_cycle,
        floor_cycle,
        3.0,
    );
    tally.check(
        refused == 0,
        format_args!("cost: the crate accepted every counted event ({refused} refused)"),
    );
}
