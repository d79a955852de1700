//! `apply`: the crate's validated apply of one typical event into a full ring, against the
//! alternatives a Nomad-style client would otherwise write, in one group so the ratios come
//! from one run. Also `restart` (one restart decision) and `ring_iter` (reading the ring
//! oldest first).
//!
//! Every contender in `apply` is measured the same way, by `per_input`: inputs prepared
//! outside the clock are handed to the routine by value in one loop written here, so each
//! routine pays for exactly one append and nothing else; the two fixed-memory rings sit on
//! 64-byte boundaries. A routine hands out only what must outlive the clock (Nomad's old
//! vector, whose drop Go leaves to its collector): the others return nothing, as
//! `HistoryBuf::write` does, so no contender pays for storing a result the others do not
//! have. The crate's result is still used: refusals are counted, and the bench fails
//! unless there were none. Run:
//!
//! ```text
//! cargo bench --bench apply -- --warm-up-time 1 --measurement-time 5 apply/
//! ```

// Nomad's ring is a slice of pointers (`[]*TaskEvent`): the boxes are the point.
#![allow(clippy::vec_box)]

use std::collections::{HashMap, VecDeque};
use std::hint::black_box;

use allocstate::restart::{JobType, Lifecycle, RestartMode, RestartPolicy, RestartTracker};
use allocstate::{EventKind, TaskEvent, TaskState, MAX_EVENTS};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Bencher, Criterion, Throughput};
use heapless::HistoryBuf;

/// A plausible unix-nanosecond timestamp.
const T0: i64 = 1_700_000_000_000_000_000;

/// A task that accepts `Terminated` over and over (`ShuttingDown`: Terminated is `=`), with
/// its ring already full.
fn full_shutting_down_task() -> TaskState {
    let mut task = TaskState::new();
    let setup = [
        TaskEvent::received(T0),
        TaskEvent::started(T0 + 1),
        TaskEvent::of_kind(T0 + 2, EventKind::WaitingForShutdownDelay),
    ];
    for event in setup {
        task.apply(event).expect("setup event accepted");
    }
    let mut t = T0 + 3;
    while task.events().len() < MAX_EVENTS {
        task.apply(TaskEvent::terminated(t, 1))
            .expect("Terminated accepted while shutting down");
        t += 1;
    }
    task
}

/// Go's `structs.TaskEvent` (HEAD), field for field, as the heap value Nomad builds.
#[allow(dead_code)] // the deprecated fields are never read, exactly as in Nomad
#[derive(Debug, Clone, Default)]
struct NomadEvent {
    type_: String,
    time: i64,
    message: String,
    display_message: String,
    details: HashMap<String, String>,
    fails_task: bool,
    restart_reason: String,
    setup_error: String,
    driver_error: String,
    exit_code: i64,
    signal: i64,
    kill_reason: String,
    kill_timeout: i64,
    kill_error: String,
    start_delay: i64,
    download_error: String,
    validation_error: String,
    disk_limit: i64,
    failed_sibling: String,
    vault_error: String,
    task_signal_reason: String,
    task_signal: String,
    driver_message: String,
    generic_source: String,
}

impl NomadEvent {
    /// `NewTaskEvent(event)`: `Time` is passed in rather than read from the clock, as for
    /// the crate.
    fn new(type_: &str, time: i64) -> Box<Self> {
        Box::new(NomadEvent {
            type_: type_.to_owned(),
            time,
            details: HashMap::new(),
            ..NomadEvent::default()
        })
    }

    /// `SetExitCode(c)`: `ExitCode = c; Details["exit_code"] = fmt.Sprintf("%d", c)`.
    fn set_exit_code(mut self: Box<Self>, code: i64) -> Box<Self> {
        self.exit_code = code;
        self.details
            .insert("exit_code".to_owned(), format!("{}", code));
        self
    }

    /// `SetSignal(s)`: `Signal = s; Details["signal"] = fmt.Sprintf("%d", s)`.
    fn set_signal(mut self: Box<Self>, signal: i64) -> Box<Self> {
        self.signal = signal;
        self.details
            .insert("signal".to_owned(), format!("{}", signal));
        self
    }

    /// `SetOOMKilled(b)`: `Details["oom_killed"] = strconv.FormatBool(b)`.
    fn set_oom_killed(mut self: Box<Self>, oom: bool) -> Box<Self> {
        self.details
            .insert("oom_killed".to_owned(), oom.to_string());
        self
    }

    /// `PopulateEventDisplayMessage()`, the `Terminated` rule, run at append time.
    fn populate_display_message(&mut self) {
        if !self.display_message.is_empty() {
            return;
        }
        if self.type_ == "Terminated" {
            let mut desc = format!("Exit Code: {}", self.exit_code);
            if self.signal != 0 {
                desc = format!("{}, Signal: {}", desc, self.signal);
            }
            if !self.message.is_empty() {
                desc = format!("{}, Exit Message: {:?}", desc, self.message);
            }
            self.display_message = desc;
        } else {
            self.display_message = self.message.clone();
        }
    }
}

/// Nomad's `appendTaskEvent` (`client/allocrunner/taskrunner/task_runner.go`): when full, copy `Events[1:]` into a new
/// slice of capacity 10, then append. Returns the old vector (holding the evicted event) so
/// that its drop, which Go leaves to the garbage collector, is not timed.
fn nomad_append(events: &mut Vec<Box<NomadEvent>>, event: Box<NomadEvent>) -> Vec<Box<NomadEvent>> {
    const CAPACITY: usize = 10;
    if events.len() == CAPACITY {
        let mut fresh = Vec::with_capacity(CAPACITY);
        fresh.extend(events.drain(1..));
        let old = std::mem::replace(events, fresh);
        events.push(event);
        return old;
    }
    events.push(event);
    Vec::new()
}

/// Nomad's whole path for one exit: build the event as the task runner does, populate its
/// display message at append, and append it to the ring.
fn nomad_terminated(time: i64, exit_code: i64) -> Box<NomadEvent> {
    NomadEvent::new("Terminated", time)
        .set_exit_code(exit_code)
        .set_signal(0)
        .set_oom_killed(false)
}

fn nomad_ring_full() -> Vec<Box<NomadEvent>> {
    let mut ring = Vec::with_capacity(10);
    for i in 0..MAX_EVENTS as i64 {
        let mut e = nomad_terminated(T0 + i, 1);
        e.populate_display_message();
        drop(nomad_append(&mut ring, e));
    }
    ring
}

/// A value on a 64-byte boundary.
#[repr(align(64))]
struct CacheAligned<T>(T);

/// The crate's routine in both `apply` groups: one apply, with refusals counted in
/// `refused` (the result used as a caller would; the bench asserts there were none).
fn apply_counting<'a>(task: &'a mut TaskState, refused: &'a mut u64) -> impl FnMut(TaskEvent) + 'a {
    move |e| {
        if task.apply(e).is_err() {
            *refused += 1;
        }
    }
}

/// The floor's ring, on a 64-byte boundary like the crate's task, holding `task`'s events.
fn history_of(task: &TaskState) -> CacheAligned<HistoryBuf<TaskEvent, MAX_EVENTS>> {
    let mut history = CacheAligned(HistoryBuf::new());
    history.0.extend(task.events().iter().cloned());
    history
}

/// How many inputs are prepared, untimed, before each timed run of the routine.
const BATCH: usize = 512;

/// Times `routine` on inputs made by `setup` outside the timing, like criterion's
/// `iter_batched`, but with the loop written here, once, for every contender: criterion's
/// own loop calls the routine through `&mut F`, which the optimiser inlines for a small
/// routine (the `HistoryBuf` write) and not for a larger one, so the contenders would not
/// be measured the same way. Outputs are dropped after the clock stops, as Go's garbage
/// collector would drop them later.
fn per_input<I, O>(b: &mut Bencher, mut setup: impl FnMut() -> I, mut routine: impl FnMut(I) -> O) {
    b.iter_custom(|iters| {
        let mut inputs: Vec<I> = Vec::with_capacity(BATCH);
        let mut outputs: Vec<O> = Vec::with_capacity(BATCH);
        let mut total = Duration::ZERO;
        let mut left = iters;
        while left > 0 {
            let n = left.min(BATCH as u64);
            inputs.extend((0..n).map(|_| setup()));
            let start = Instant::now();
            for input in inputs.drain(..) {
                outputs.push(black_box(routine(input)));
            }
            total += start.elapsed();
            outputs.clear();
            left -= n;
        }
        total
    })
}

fn bench_apply(c: &mut Criterion) {
    let event = TaskEvent::terminated(T0 + 100, 1);
    let mut group = c.benchmark_group("apply");
    group.throughput(Throughput::Elements(1));

    // The two fixed-memory rings sit on 64-byte boundaries, so where their slots fall
    // relative to cache lines does not change with the build. Their inputs are the same
    // plain `Vec<TaskEvent>` for every contender.
    let mut task = CacheAligned(full_shutting_down_task());
    // Counting refusals uses the result as a caller would, and proves every timed apply
    // took the accepting path. (Returning `is_ok()` instead cost the crate alone 0.8 ns: a
    // bool stored through `black_box` and pushed to the output buffer, which the floor,
    // returning `()`, never pays.)
    let mut refused = 0_u64;
    group.bench_function("allocstate_apply", |b| {
        per_input(
            b,
            || event.clone(),
            apply_counting(&mut task.0, &mut refused),
        )
    });
    let task = task.0;
    assert_eq!(refused, 0, "every timed apply was accepted");
    assert_eq!(task.events().len(), MAX_EVENTS);

    let mut history = history_of(&task);
    group.bench_function("heapless_historybuf_write", |b| {
        per_input(b, || event.clone(), |e| history.0.write(e))
    });

    let mut deque: VecDeque<TaskEvent> = task.events().iter().cloned().collect();
    group.bench_function("vecdeque_pop_push", |b| {
        per_input(
            b,
            || event.clone(),
            |e| {
                if deque.len() == MAX_EVENTS {
                    deque.pop_front();
                }
                deque.push_back(e);
            },
        )
    });

    let mut nomad_ring = nomad_ring_full();
    let mut prebuilt = nomad_terminated(T0 + 100, 1);
    prebuilt.populate_display_message();
    group.bench_function("nomad_ring_prebuilt", |b| {
        per_input(b, || prebuilt.clone(), |e| nomad_append(&mut nomad_ring, e))
    });

    let mut nomad_ring = nomad_ring_full();
    group.bench_function("nomad_whole_path", |b| {
        per_input(
            b,
            || T0 + 100,
            |t| {
                let mut e = nomad_terminated(black_box(t), black_box(1));
                e.populate_display_message();
                nomad_append(&mut nomad_ring, e)
            },
        )
    });
    group.finish();
}

/// A running task with a full ring, for `apply_cycle`.
fn full_running_task() -> TaskState {
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(T0)).expect("first event");
    let events = restart_cycle().into_iter().cycle().skip(2).take(MAX_EVENTS);
    for (t, event) in (T0 + 1..).zip(events) {
        task.apply(event.with_time(t))
            .expect("the cycle is accepted from Pending");
    }
    assert_eq!(task.phase(), allocstate::Phase::Running);
    task
}

/// One restart of a running task: it exits with code 1, is restarted, runs again. Every
/// step changes the phase (Running, Exited, Pending, Running) and so takes the bookkeeping
/// path the `apply` group's event does not.
fn restart_cycle() -> [TaskEvent; 3] {
    [
        TaskEvent::terminated(T0 + 100, 1),
        TaskEvent::restarting(T0 + 101, 15_000_000_000, "Restart within policy"),
        TaskEvent::started(T0 + 102),
    ]
}

/// `apply_cycle`: the crate's apply of events that change the phase and its bookkeeping
/// (started time, restart count, last restart), against the same events written into a
/// `HistoryBuf`, the copy alone.
fn bench_apply_cycle(c: &mut Criterion) {
    let cycle = restart_cycle();
    let mut group = c.benchmark_group("apply_cycle");
    group.throughput(Throughput::Elements(1));

    let mut task = CacheAligned(full_running_task());
    let mut refused = 0_u64;
    let mut at = 0;
    group.bench_function("allocstate_apply", |b| {
        per_input(
            b,
            || next_in(&cycle, &mut at),
            apply_counting(&mut task.0, &mut refused),
        )
    });
    assert_eq!(refused, 0, "every timed apply was accepted");
    assert!(task.0.restarts() > 0);

    let mut history = history_of(&task.0);
    let mut at = 0;
    group.bench_function("heapless_historybuf_write", |b| {
        per_input(b, || next_in(&cycle, &mut at), |e| history.0.write(e))
    });
    group.finish();
}

/// The event at `at` in `cycle`, moving `at` on (wrapping).
fn next_in(cycle: &[TaskEvent; 3], at: &mut usize) -> TaskEvent {
    let event = cycle[*at].clone();
    *at = (*at + 1) % cycle.len();
    event
}

/// SplitMix64: a cheap, deterministic jitter source.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn bench_restart(c: &mut Criterion) {
    const SEC: i64 = 1_000_000_000;
    let mut group = c.benchmark_group("restart");
    group.throughput(Throughput::Elements(1));
    // So many attempts in so long an interval that every failure is "within policy": the
    // longest path (interval check, count, jitter).
    let policy = RestartPolicy {
        attempts: u32::MAX,
        interval: i64::MAX / 2,
        delay: 15 * SEC,
        mode: RestartMode::Fail,
    };
    let mut tracker = RestartTracker::new(policy, JobType::Service, Lifecycle::main(), T0);
    let mut seed = 0x5EED_u64;
    let mut jitter = move |n: u64| splitmix(&mut seed) % n;
    group.bench_function("decide_after_failing_exit", |b| {
        b.iter(|| {
            tracker.set_exit_result(black_box(1), 0, false);
            tracker.decide(black_box(T0 + SEC), &mut jitter)
        })
    });
    group.finish();
}

fn bench_ring_iter(c: &mut Criterion) {
    let mut group = c.benchmark_group("ring_iter");
    group.throughput(Throughput::Elements(MAX_EVENTS as u64));
    let task = full_shutting_down_task();
    group.bench_function("allocstate_ring", |b| {
        b.iter(|| {
            black_box(&task)
                .events()
                .iter()
                .map(|e| e.time())
                .sum::<i64>()
        })
    });
    let mut history: HistoryBuf<TaskEvent, MAX_EVENTS> = HistoryBuf::new();
    // Written past capacity so the oldest-first iterator has to wrap, as in the crate.
    history.extend(task.events().iter().cloned());
    history.extend(task.events().iter().take(3).cloned());
    group.bench_function("heapless_oldest_ordered", |b| {
        b.iter(|| {
            black_box(&history)
                .oldest_ordered()
                .map(|e| e.time())
                .sum::<i64>()
        })
    });
    let deque: VecDeque<TaskEvent> = task.events().iter().cloned().collect();
    group.bench_function("vecdeque_iter", |b| {
        b.iter(|| black_box(&deque).iter().map(|e| e.time()).sum::<i64>())
    });
    let nomad = nomad_ring_full();
    group.bench_function("nomad_vec_box_iter", |b| {
        b.iter(|| black_box(&nomad).iter().map(|e| e.time).sum::<i64>())
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_apply,
    bench_apply_cycle,
    bench_restart,
    bench_ring_iter
);
criterion_main!(benches);
