//! `postcard` and `json`: encode and decode of a full task state (ten events held, the
//! realistic strings Nomad's setters write) and of a four-task allocation (Nomad's
//! `/v1/allocation` lifecycle fields with the four task states). Throughput is in events
//! (the events held), so reports read as events per second. Run:
//!
//! ```text
//! cargo bench --bench wire -- --warm-up-time 1 --measurement-time 2
//! ```

use std::hint::black_box;

use allocstate::{Allocation, Role, TaskEvent, TaskState, MAX_EVENTS};
use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, Throughput,
};

const T0: i64 = 1_700_000_000_000_000_000;
const SEC: i64 = 1_000_000_000;

/// A service that crashed twice and then failed for good: twelve events accepted, the
/// ring full with the latest ten.
fn full_task_events(t: i64) -> Vec<TaskEvent> {
    let exit = "Docker container exited with non-zero exit code: 1";
    vec![
        TaskEvent::received(t),
        TaskEvent::task_setup(t + SEC).with_message("Building Task Directory"),
        TaskEvent::driver(t + 2 * SEC, "Downloading image redis:7.2"),
        TaskEvent::started(t + 3 * SEC),
        TaskEvent::terminated(t + 60 * SEC, 1).with_message(exit),
        TaskEvent::restarting(t + 61 * SEC, 15_302_026_290, "Restart within policy"),
        TaskEvent::started(t + 77 * SEC),
        TaskEvent::restart_signaled(t + 90 * SEC, "healthcheck: check \"web-alive\" unhealthy"),
        TaskEvent::terminated(t + 91 * SEC, 1).with_message(exit),
        TaskEvent::restarting(t + 92 * SEC, 16_083_152_114, "Restart within policy"),
        TaskEvent::started(t + 109 * SEC),
        TaskEvent::terminated(t + 150 * SEC, 1).with_message(exit),
        TaskEvent::not_restarting(
            t + 151 * SEC,
            "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\"",
        ),
    ]
}

fn full_task() -> TaskState {
    let mut task = TaskState::new();
    for event in full_task_events(T0) {
        task.apply(event).expect("a valid sequence");
    }
    assert_eq!(task.events().len(), MAX_EVENTS);
    task
}

/// A group as a runtime holds it: a leader that failed for good (full ring), its
/// sidecar and a main task told and killed, and a poststop task still waiting.
fn four_tasks() -> Allocation<4> {
    let mut group: Allocation<4> = Allocation::new();
    group.add_task("web", Role::leader()).unwrap();
    group.add_task("db", Role::main()).unwrap();
    group.add_task("logger", Role::prestart(true)).unwrap();
    group.add_task("cleanup", Role::poststop()).unwrap();
    for name in ["logger", "db", "cleanup"] {
        group.apply(name, TaskEvent::received(T0)).unwrap();
        group
            .apply(
                name,
                TaskEvent::task_setup(T0 + SEC).with_message("Building Task Directory"),
            )
            .unwrap();
    }
    group
        .apply("logger", TaskEvent::started(T0 + 2 * SEC))
        .unwrap();
    group.apply("db", TaskEvent::started(T0 + 3 * SEC)).unwrap();
    for event in full_task_events(T0) {
        group.apply("web", event).unwrap();
    }
    let applied = group.apply_orders(T0 + 152 * SEC);
    assert_eq!(applied.len(), 2);
    group
}

fn states(group: &Allocation<4>) -> Vec<TaskState> {
    group.tasks().map(|t| t.state().clone()).collect()
}

fn held(states: &[TaskState]) -> u64 {
    states.iter().map(|s| s.events().len() as u64).sum()
}

/// A value the crate encodes in its compact format.
trait Compact: serde::Serialize + Sized {
    const MAX_SIZE: usize;
    fn encode(&self, out: &mut [u8]) -> usize;
    fn decode(bytes: &[u8]) -> Self;
}

impl Compact for TaskState {
    const MAX_SIZE: usize = TaskState::POSTCARD_MAX_SIZE;
    fn encode(&self, out: &mut [u8]) -> usize {
        self.to_postcard(out).unwrap().len()
    }
    fn decode(bytes: &[u8]) -> Self {
        TaskState::from_postcard(bytes).unwrap()
    }
}

impl Compact for Allocation<4> {
    const MAX_SIZE: usize = Allocation::<4>::POSTCARD_MAX_SIZE;
    fn encode(&self, out: &mut [u8]) -> usize {
        self.to_postcard(out).unwrap().len()
    }
    fn decode(bytes: &[u8]) -> Self {
        Allocation::<4>::from_postcard(bytes).unwrap()
    }
}

/// `value`'s compact runs, as `name`: the crate's writer, the same bytes through
/// postcard's own encoder (the dev-dependency's version, which the crate no longer uses:
/// the contender its writer replaced), and decoding.
fn postcard_runs<T: Compact>(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, value: &T) {
    let mut buf = vec![0u8; T::MAX_SIZE];
    let len = value.encode(&mut buf);
    let encoded = buf[..len].to_vec();
    println!("postcard {name}: {len} bytes");
    let mut out = vec![0u8; T::MAX_SIZE];
    group.bench_function(BenchmarkId::new("encode", name), |b| {
        b.iter(|| black_box(black_box(value).encode(&mut out)))
    });
    group.bench_function(BenchmarkId::new("encode_via_postcard", name), |b| {
        b.iter(|| {
            black_box(
                postcard::to_slice(black_box(value), &mut out)
                    .unwrap()
                    .len(),
            )
        })
    });
    group.bench_function(BenchmarkId::new("decode", name), |b| {
        b.iter(|| black_box(T::decode(black_box(&encoded))))
    });
}

/// `value`'s Nomad JSON runs, as `name`: encoding into a reused buffer, and decoding.
fn json_runs<T: serde::Serialize + serde::de::DeserializeOwned>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    value: &T,
) {
    let encoded = serde_json::to_vec(value).unwrap();
    println!("json {name}: {} bytes", encoded.len());
    let mut out = Vec::with_capacity(encoded.len() * 2);
    group.bench_function(BenchmarkId::new("encode", name), |b| {
        b.iter(|| {
            out.clear();
            serde_json::to_writer(&mut out, black_box(value)).unwrap();
            black_box(out.len())
        })
    });
    group.bench_function(BenchmarkId::new("decode", name), |b| {
        b.iter(|| black_box(serde_json::from_slice::<T>(black_box(&encoded)).unwrap()))
    });
}

fn bench_postcard(c: &mut Criterion) {
    let mut group = c.benchmark_group("postcard");
    let task = full_task();
    group.throughput(Throughput::Elements(task.events().len() as u64));
    postcard_runs(&mut group, "full_task_state", &task);
    let alloc = four_tasks();
    group.throughput(Throughput::Elements(held(&states(&alloc))));
    postcard_runs(&mut group, "four_task_allocation", &alloc);
    group.finish();
}

fn bench_json(c: &mut Criterion) {
    let mut group = c.benchmark_group("json");
    let task = full_task();
    group.throughput(Throughput::Elements(task.events().len() as u64));
    json_runs(&mut group, "full_task_state", &task);
    let alloc = four_tasks();
    group.throughput(Throughput::Elements(held(&states(&alloc))));
    json_runs(&mut group, "four_task_allocation", &alloc);
    group.finish();
}

criterion_group!(benches, bench_postcard, bench_json);
criterion_main!(benches);
