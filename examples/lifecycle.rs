//! Walks one task through a real lifecycle — the seed's redis task failing, restarting
//! within its policy, and finally being refused a late event — printing every step.
//!
//! Run with `cargo run --example lifecycle`.

use allocstate::{ClientStatus, TaskEvent, TaskState};

fn main() {
    let t0: i64 = 1_447_806_038_427_841_000; // the seed document's `Started` time
    let second = 1_000_000_000;
    let steps = [
        TaskEvent::received(t0),
        TaskEvent::task_setup(t0 + second / 10),
        TaskEvent::started(t0 + second),
        TaskEvent::terminated(t0 + 30 * second, 1).with_message("exit status 1"),
        TaskEvent::restarting(t0 + 30 * second, 15_302_026_290, "Restart within policy"),
        TaskEvent::started(t0 + 46 * second),
        // Refused: a running task cannot be restarted without exiting first.
        TaskEvent::restarting(t0 + 47 * second, 0, "Restart within policy"),
        TaskEvent::killing(t0 + 60 * second, 5 * second),
        TaskEvent::terminated_by_signal(t0 + 61 * second, 137, 9),
        TaskEvent::killed(t0 + 61 * second),
        // Refused: dead is terminal.
        TaskEvent::started(t0 + 62 * second),
    ];

    let mut task = TaskState::new();
    for event in steps {
        let offset = (event.time() - t0) as f64 / 1e9;
        let name = event.type_str().to_owned();
        match task.apply(event) {
            Ok(step) => println!(
                "+{offset:>6.3}s  {name:<12} {:>8} -> {:<8} state={:<7} failed={} restarts={}",
                step.from.name(),
                step.to.name(),
                task.state(),
                task.failed(),
                task.restarts(),
            ),
            Err(refused) => println!("+{offset:>6.3}s  {name:<12} refused: {refused}"),
        }
    }
    let status = ClientStatus::of([&task]);
    println!(
        "client status: {status} ({}); {} events held of {} accepted",
        status.description(),
        task.events().len(),
        task.event_count()
    );
}
