//! A simulated agent drives the allocation core end to end.
//!
//! One task group: `api` (the leader), `worker` (a main task that keeps failing under a
//! restart policy of 2 attempts per minute, 1 s delay, mode "fail"), `envoy` (a prestart
//! sidecar) and `cleanup` (a poststop task). The clock and the jitter are deterministic,
//! so every run prints the same lines: each event as it is recorded, and each change of
//! the allocation's client status.
//!
//! Run with `cargo run --example agent`.

use allocstate::restart::{JobType, RestartMode, RestartOutcome, RestartPolicy, RestartTracker};
use allocstate::{Allocation, ClientStatus, Order, Role, TaskEvent, WireState};

const MS: i64 = 1_000_000;
const SEC: i64 = 1_000 * MS;
/// The simulation's epoch: a fixed unix time in nanoseconds.
const EPOCH: i64 = 1_700_000_000 * SEC;

/// What the simulated driver does next.
#[derive(Debug, Clone, Copy)]
enum Action {
    /// Build the task directory and start the task.
    Start,
    /// The task's process exits with this code.
    Exit(i32),
    /// The process stopped after a kill signal.
    Stopped,
}

/// How each task's process behaves once started: `Some((run time, exit code))`, or
/// `None` to run until killed.
fn script(task: &str) -> Option<(i64, i32)> {
    match task {
        "worker" => Some((2 * SEC, 1)),
        "cleanup" => Some((SEC, 0)),
        _ => None,
    }
}

struct Agent {
    alloc: Allocation<4>,
    trackers: Vec<(String, RestartTracker)>,
    /// Pending actions: (time, sequence, task, action); the earliest runs next.
    agenda: Vec<(i64, u32, String, Action)>,
    seq: u32,
    status: ClientStatus,
    poststop_started: bool,
}

impl Agent {
    fn schedule(&mut self, at: i64, task: &str, action: Action) {
        self.seq += 1;
        self.agenda.push((at, self.seq, task.to_string(), action));
    }

    fn tracker(&mut self, task: &str) -> &mut RestartTracker {
        let entry = self.trackers.iter_mut().find(|(name, _)| name == task);
        &mut entry.expect("every task has a tracker").1
    }

    /// Records one event through the allocation and prints it, then acts on what follows.
    fn record(&mut self, now: i64, task: &str, event: TaskEvent) {
        let line = describe(&event);
        match self.alloc.apply(task, event) {
            Ok(_) => println!("{}  {task:<8} {line}", stamp(now)),
            Err(refused) => println!("{}  {task:<8} refused: {refused}", stamp(now)),
        }
        self.after_change(now);
    }

    fn after_change(&mut self, now: i64) {
        let status = self.alloc.client_status();
        if status != self.status {
            println!(
                "{}  {:<8} client status {} -> {} ({:?}), modify index {}",
                stamp(now),
                "alloc",
                self.status,
                status,
                self.alloc.client_description(),
                self.alloc.modify_index()
            );
            self.status = status;
        }
        let orders = self.alloc.orders();
        if !orders.is_empty() {
            self.carry_out(now, &orders);
        }
        // Poststop tasks run once every other task is dead.
        let others_dead = self
            .alloc
            .tasks()
            .filter(|t| !t.role().is_poststop())
            .all(|t| t.state().state() == WireState::Dead);
        if others_dead && !self.poststop_started {
            self.poststop_started = true;
            self.schedule(now + 500 * MS, "cleanup", Action::Start);
        }
    }

    /// Applies the kill orders, prints what they recorded, and signals the processes.
    fn carry_out(&mut self, now: i64, orders: &[Order]) {
        for order in orders {
            let name = self
                .alloc
                .task_at(order.task())
                .expect("ordered task")
                .name();
            for event in order
                .reason_event(now)
                .into_iter()
                .chain([order.killing_event(now)])
            {
                println!("{}  {name:<8} {}", stamp(now), describe(&event));
            }
        }
        let applied = self.alloc.apply_orders(now);
        for (i, order) in applied.iter().enumerate() {
            let name = self
                .alloc
                .task_at(order.task())
                .expect("task")
                .name()
                .to_string();
            // The processes stop one after another, in kill order.
            self.schedule(now + 200 * MS * (i as i64 + 1), &name, Action::Stopped);
        }
    }

    fn step(&mut self, now: i64, task: &str, action: Action) {
        let alive = self.alloc.state(task).map(|s| s.state()) != Some(WireState::Dead);
        match action {
            Action::Start if alive => {
                if self.alloc.state(task).map(|s| s.restarts()) == Some(0) {
                    self.record(now, task, TaskEvent::task_setup(now));
                }
                self.record(now, task, TaskEvent::started(now));
                if let Some((run, code)) = script(task) {
                    self.schedule(now + run, task, Action::Exit(code));
                }
            }
            Action::Exit(code) if alive => {
                self.record(now, task, TaskEvent::terminated(now, code));
                let tracker = self.tracker(task);
                tracker.set_exit_result(code, 0, false);
                // Deterministic jitter: a fifth of the range, so 1 s becomes 1.05 s.
                let outcome = tracker.decide(now, &mut |n: u64| n / 5);
                self.decided(now, task, outcome);
            }
            Action::Stopped if alive => {
                self.record(now, task, TaskEvent::terminated_by_signal(now, 0, 15));
                let tracker = self.tracker(task);
                tracker.set_killed();
                let outcome = tracker.decide(now, &mut |_| 0);
                self.decided(now, task, outcome);
            }
            _ => {}
        }
    }

    /// Records the restart decision (or finishes a completed task) and follows it.
    fn decided(&mut self, now: i64, task: &str, outcome: RestartOutcome) {
        match outcome.event(now) {
            Some(event) => self.record(now, task, event),
            None => {
                self.alloc.finish(task, now).expect("known task");
                println!("{}  {task:<8} finished", stamp(now));
                self.after_change(now);
            }
        }
        if let Some(delay) = outcome.delay() {
            self.schedule(now + delay, task, Action::Start);
        }
    }

    fn run(&mut self) {
        while let Some(next) =
            (0..self.agenda.len()).min_by_key(|&i| (self.agenda[i].0, self.agenda[i].1))
        {
            let (at, _, task, action) = self.agenda.swap_remove(next);
            self.step(at, &task, action);
        }
    }
}

/// The event's type and its key annotations on one line.
fn describe(event: &TaskEvent) -> String {
    // Nomad's own words for the event: its DisplayMessage.
    format!("{:<20} {}", event.type_str(), event.display_message())
        .trim_end()
        .to_string()
}

/// `t=+3.000s`: time since the simulation's epoch.
fn stamp(now: i64) -> String {
    let rel = now - EPOCH;
    format!("t=+{}.{:03}s", rel / SEC, (rel % SEC) / MS)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = RestartPolicy {
        attempts: 2,
        interval: 60 * SEC,
        delay: SEC,
        mode: RestartMode::Fail,
    };
    let tasks = [
        ("envoy", Role::prestart(true)),
        ("api", Role::leader()),
        ("worker", Role::main()),
        ("cleanup", Role::poststop()),
    ];
    let mut agent = Agent {
        alloc: Allocation::new(),
        trackers: Vec::new(),
        agenda: Vec::new(),
        seq: 0,
        status: ClientStatus::Pending,
        poststop_started: false,
    };
    for (name, role) in tasks {
        agent.alloc.add_task(name, role)?;
        agent.trackers.push((
            name.to_string(),
            RestartTracker::new(policy, JobType::Service, role.lifecycle, EPOCH),
        ));
    }
    for (name, _) in tasks {
        agent.record(EPOCH, name, TaskEvent::received(EPOCH));
    }
    // The prestart sidecar first, then the main tasks.
    agent.schedule(EPOCH + 100 * MS, "envoy", Action::Start);
    agent.schedule(EPOCH + SEC, "api", Action::Start);
    agent.schedule(EPOCH + SEC, "worker", Action::Start);
    agent.run();

    println!(
        "final: client status {} ({:?}), desired {}, modify index {}",
        agent.alloc.client_status(),
        agent.alloc.client_description(),
        agent.alloc.desired_status(),
        agent.alloc.modify_index()
    );
    for task in agent.alloc.tasks() {
        let state = task.state();
        println!(
            "  {:<8} {:<7} failed={:<5} restarts={} events={}",
            task.name(),
            state.state(),
            state.failed(),
            state.restarts(),
            state.event_count()
        );
    }
    Ok(())
}
