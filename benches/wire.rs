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
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

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

fn bench_postcard(c: &mut Criterion) {
    let mut group = c.benchmark_group("postcard");
    let task = full_task();
    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    let encoded = task.to_postcard(&mut buf).unwrap().to_vec();
    println!("postcard full_task_state: {} bytes", encoded.len());
    group.throughput(Throughput::Elements(task.events().len() as u64));
    group.bench_function(BenchmarkId::new("encode", "full_task_state"), |b| {
        let mut out = [0u8; TaskState::POSTCARD_MAX_SIZE];
        b.iter(|| black_box(black_box(&task).to_postcard(&mut out).unwrap().len()))
    });
    // The same bytes through postcard's own encoder (the dev-dependency's version), which
    // the crate no longer uses: the contender the crate's writer replaced.
    group.bench_function(
        BenchmarkId::new("encode_via_postcard", "full_task_state"),
        |b| {
            let mut out = [0u8; TaskState::POSTCARD_MAX_SIZE];
            b.iter(|| {
                black_box(
                    postcard::to_slice(black_box(&task), &mut out)
                        .unwrap()
                        .len(),
                )
            })
        },
    );
    group.bench_function(BenchmarkId::new("decode", "full_task_state"), |b| {
        b.iter(|| black_box(TaskState::from_postcard(black_box(&encoded)).unwrap()))
    });

    let alloc = four_tasks();
    let mut alloc_buf = vec![0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
    let encoded = alloc.to_postcard(&mut alloc_buf).unwrap().to_vec();
    println!("postcard four_task_allocation: {} bytes", encoded.len());
    group.throughput(Throughput::Elements(held(&states(&alloc))));
    group.bench_function(BenchmarkId::new("encode", "four_task_allocation"), |b| {
        let mut out = vec![0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
        b.iter(|| black_box(black_box(&alloc).to_postcard(&mut out).unwrap().len()))
    });
    group.bench_function(
        BenchmarkId::new("encode_via_postcard", "four_task_allocation"),
        |b| {
            let mut out = vec![0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
            b.iter(|| {
                black_box(
                    postcard::to_slice(black_box(&alloc), &mut out)
                        .unwrap()
                        .len(),
                )
            })
        },
    );
    group.bench_function(BenchmarkId::new("decode", "four_task_allocation"), |b| {
        b.iter(|| black_box(Allocation::<4>::from_postcard(black_box(&encoded)).unwrap()))
    });
    group.finish();
}

fn bench_json(c: &mut Criterion) {
    let mut group = c.benchmark_group("json");
    let task = full_task();
    let encoded = serde_json::to_vec(&task).unwrap();
    println!("json full_task_state: {} bytes", encoded.len());
    group.throughput(Throughput::Elements(task.events().len() as u64));
    group.bench_function(BenchmarkId::new("encode", "full_task_state"), |b| {
        let mut out = Vec::with_capacity(encoded.len() * 2);
        b.iter(|| {
            out.clear();
            serde_json::to_writer(&mut out, black_box(&task)).unwrap();
            black_box(out.len())
        })
    });
    group.bench_function(BenchmarkId::new("decode", "full_task_state"), |b| {
        b.iter(|| black_box(serde_json::from_slice::<TaskState>(black_box(&encoded)).unwrap()))
    });

    let alloc = four_tasks();
    let encoded = serde_json::to_vec(&alloc).unwrap();
    println!("json four_task_allocation: {} bytes", encoded.len());
    group.throughput(Throughput::Elements(held(&states(&alloc))));
    group.bench_function(BenchmarkId::new("encode", "four_task_allocation"), |b| {
        let mut out = Vec::with_capacity(encoded.len() * 2);
        b.iter(|| {
            out.clear();
            serde_json::to_writer(&mut out, black_box(&alloc)).unwrap();
            black_box(out.len())
        })
    });
    group.bench_function(
        BenchmarkId::new("encode_via_postcard", "four_task_allocation"),
        |b| {
            let mut out = vec![0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
            b.iter(|| {
                black_box(
                    postcard::to_slice(black_box(&alloc), &mut out)
                        .unwrap()
                        .len(),
                )
            })
        },
    );
    group.bench_function(BenchmarkId::new("decode", "four_task_allocation"), |b| {
        b.iter(|| black_box(serde_json::from_slice::<Allocation<4>>(black_box(&encoded)).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench_postcard, bench_json);
criterion_main!(benches);
