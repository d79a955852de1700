//! `runner`: the cost of the allocation runner, in one group so the ratios come from one
//! run.
//!
//! - `cycle/runner`: one restart cycle of a task through the runner: it exits
//!   (`Terminated`, the restart decision, `Restarting`), the clock reaches the restart
//!   delay (`tick`, which sends the start), the driver reports it started (`Started`).
//! - `cycle/allocation`: the floor: the same three events applied directly to an
//!   `Allocation`, plus the same restart decision by a `RestartTracker`.
//! - `hour/1000x8`: 1,000 allocations of 8 tasks each through a simulated hour in which
//!   every task crashes every 30–150 s and is restarted by the seed's policy (10 attempts
//!   in 5 m, 25 s delay, mode delay); it prints the events recorded per second of wall
//!   time and the bytes per allocation.
//!
//! ```text
//! cargo bench --bench runner -- --warm-up-time 1 --measurement-time 5
//! ```

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use allocstate::restart::{JobType, Lifecycle, RestartMode, RestartPolicy, RestartTracker};
use allocstate::runner::{Action, Exit, GroupSpec, Place, Runner, TaskId, TaskSpec};
use allocstate::{Allocation, Role, TaskEvent};
use criterion::{criterion_group, criterion_main, Criterion};

const T0: i64 = 1_700_000_000_000_000_000;
const SEC: i64 = 1_000_000_000;

/// A policy that restarts after 1 ns every time the bench can reach (Nomad's minimum
/// interval of 5 s holds a billion attempts of 1 ns).
const CYCLE_POLICY: RestartPolicy = RestartPolicy {
    attempts: 1_000_000_000,
    interval: 5 * SEC,
    delay: 1,
    mode: RestartMode::Fail,
};

fn no_jitter(_: u64) -> u64 {
    0
}

fn cycle_runner() -> (Box<Runner<8>>, i64) {
    let mut runner: Box<Runner<8>> = Box::new(Runner::new(GroupSpec::new(JobType::Service)));
    let web = runner
        .add_task(&TaskSpec::new("web", Role::main(), CYCLE_POLICY))
        .unwrap();
    let _ = runner.arrive(T0).unwrap();
    let _ = runner.started(T0, web).unwrap();
    (runner, T0 + 1)
}

/// One restart cycle through the runner; returns the next time.
fn runner_cycle(runner: &mut Runner<8>, web: TaskId, now: i64) -> i64 {
    let wake = runner
        .exited(now, web, Exit::code(1))
        .ok()
        .and_then(|s| s.wake)
        .unwrap_or(now);
    let _ = black_box(runner.tick(wake));
    let _ = black_box(runner.started(wake, web));
    wake + 1
}

fn floor() -> (Box<Allocation<8>>, RestartTracker, i64) {
    let mut alloc: Box<Allocation<8>> = Box::new(Allocation::new());
    alloc.add_task("web", Role::main()).unwrap();
    alloc.apply_at(0, TaskEvent::received(T0)).unwrap();
    alloc.apply_at(0, TaskEvent::started(T0)).unwrap();
    let tracker = RestartTracker::new(CYCLE_POLICY, JobType::Service, Lifecycle::main(), T0);
    (alloc, tracker, T0 + 1)
}

/// The same events and decision applied directly.
fn floor_cycle(alloc: &mut Allocation<8>, tracker: &mut RestartTracker, now: i64) -> i64 {
    let _ = alloc.apply_at(0, TaskEvent::terminated(now, 1));
    tracker.set_exit_result(1, 0, false);
    let outcome = tracker.decide(now, &mut no_jitter);
    let delay = outcome.delay().unwrap_or(0);
    if let Some(event) = outcome.event(now) {
        let _ = alloc.apply_at(0, event);
    }
    let wake = now + delay;
    let _ = alloc.apply_at(0, TaskEvent::started(wake));
    wake + 1
}

/// 1,000 allocations x 8 tasks through one simulated hour; returns the events recorded.
fn hour(allocs: usize) -> u64 {
    let policy = RestartPolicy {
        attempts: 10,
        interval: 300 * SEC,
        delay: 25 * SEC,
        mode: RestartMode::Delay,
    };
    let names = ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"];
    let mut runners: Vec<Box<Runner<8>>> = Vec::with_capacity(allocs);
    // (time, alloc, task, is_exit): exits scheduled by the driver, wake-ups by the runners.
    let mut agenda: BinaryHeap<Reverse<(i64, usize, usize, bool)>> = BinaryHeap::new();
    let mut lcg: u64 = 42;
    let mut run_time = || {
        lcg = lcg
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        30 * SEC + ((lcg >> 33) % 120) as i64 * SEC
    };
    for a in 0..allocs {
        let mut runner: Box<Runner<8>> = Box::new(Runner::new(GroupSpec::new(JobType::Service)));
        runner.seed_jitter(a as u64 + 1);
        for name in names {
            runner
                .add_task(&TaskSpec::new(name, Role::main(), policy))
                .unwrap();
        }
        let starts: Vec<TaskId> = runner
            .arrive(T0)
            .unwrap()
            .commands
            .iter()
            .map(|c| c.task)
            .collect();
        for task in starts {
            let _ = runner.started(T0, task).unwrap();
            agenda.push(Reverse((T0 + run_time(), a, task.index(), true)));
        }
        runners.push(runner);
    }
    let end = T0 + 3_600 * SEC;
    // The wake-up already on the agenda for each allocation, so each is pushed once.
    let mut scheduled: Vec<Option<i64>> = vec![None; allocs];
    while let Some(Reverse((now, a, task, is_exit))) = agenda.pop() {
        if now > end {
            break;
        }
        let runner = &mut runners[a];
        let step = if is_exit {
            let Some(task) = runner.task_at(task) else {
                continue;
            };
            runner.exited(now, task, Exit::code(1))
        } else {
            runner.tick(now)
        };
        let Ok(step) = step else { continue };
        let wake = step.wake;
        let starts: Vec<TaskId> = step
            .commands
            .iter()
            .filter(|c| c.action == Action::Start)
            .map(|c| c.task)
            .collect();
        for t in starts {
            if runner.started(now, t).is_ok() {
                agenda.push(Reverse((now + run_time(), a, t.index(), true)));
            }
        }
        if !is_exit {
            scheduled[a] = None;
        }
        if let Some(wake) = wake {
            if scheduled[a].is_none_or(|s| wake < s) {
                scheduled[a] = Some(wake);
                agenda.push(Reverse((wake, a, usize::MAX, false)));
            }
        }
    }
    runners
        .iter()
        .map(|r| {
            r.allocation()
                .tasks()
                .map(|t| t.state().event_count())
                .sum::<u64>()
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("runner");
    group.bench_function("cycle/runner", |b| {
        let (mut runner, mut now) = cycle_runner();
        let web = runner.task_id("web").unwrap();
        b.iter(|| now = runner_cycle(black_box(&mut runner), web, now));
        assert_eq!(runner.place(web), Some(Place::Running), "still cycling");
    });
    group.bench_function("cycle/allocation", |b| {
        let (mut alloc, mut tracker, mut now) = floor();
        b.iter(|| now = floor_cycle(black_box(&mut alloc), &mut tracker, now));
    });
    group.sample_size(10);
    group.bench_function("hour/1000x8", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                black_box(hour(1_000));
                total += start.elapsed();
            }
            total
        })
    });
    group.finish();

    let start = Instant::now();
    let events = hour(1_000);
    let elapsed = start.elapsed();
    println!(
        "hour/1000x8: {events} events recorded in {:.3} s of wall time = {:.2} M events/s; \
         {} bytes per allocation (size_of::<Runner<8>>())",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64() / 1e6,
        std::mem::size_of::<Runner<8>>()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
