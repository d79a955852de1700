//! A simulated agent on the allocation runner: what is left is a driver and a clock.
//!
//! One task group: `api` (the leader), `worker` (a main task that keeps failing under a
//! restart policy of 2 attempts per minute, 1 s delay, mode "fail"), `envoy` (a prestart
//! sidecar) and `cleanup` (a poststop task). The runner decides everything else: which
//! task starts when, the restarts, the kill order when `worker` fails for good, and the
//! poststop task at the end. The clock and the jitter are deterministic, so every run
//! prints the same lines: each event as it is recorded, each command the driver carries
//! out, and each change of the allocation's client status.
//!
//! Run with `cargo run --example agent`.

use allocstate::restart::{JobType, RestartMode, RestartPolicy};
use allocstate::runner::{
    Action, Exit, GroupSpec, PrestartStep, Runner, RunnerError, Step, TaskSpec,
};
use allocstate::{ClientStatus, Role};

const MS: i64 = 1_000_000;
const SEC: i64 = 1_000 * MS;
/// The simulation's epoch: a fixed unix time in nanoseconds.
const EPOCH: i64 = 1_700_000_000 * SEC;

/// The driver: how each task's process behaves once started (`Some((run time, exit
/// code))`, or `None` to run until stopped), and which process is alive.
struct Driver {
    /// Per task: when its running process exits, and with what.
    exits: Vec<Option<(i64, Exit)>>,
}

impl Driver {
    fn script(task: &str) -> Option<(i64, i32)> {
        match task {
            "worker" => Some((2 * SEC, 1)),
            "cleanup" => Some((SEC, 0)),
            _ => None,
        }
    }

    /// Gives the runner one input, prints what it recorded, and carries out its
    /// commands: a start reports at once, a stop takes 200 ms.
    fn input(
        &mut self,
        runner: &mut Runner<4>,
        now: i64,
        input: &dyn Fn(&mut Runner<4>) -> Result<Step<4>, RunnerError>,
    ) {
        let before = runner.allocation().client_status();
        let step = match input(runner) {
            Ok(step) => step,
            Err(refused) => {
                return println!("{}  refused: {}", stamp(now), runner.describe(refused))
            }
        };
        report(runner, now, before);
        for command in step.commands {
            let task = command.task;
            let name = runner.task_name(task).to_string();
            println!("{}  {name:<8} -> {}", stamp(now), command.action.name());
            match command.action {
                Action::Start => {
                    self.input(runner, now, &|r| {
                        r.prestart(now, task, PrestartStep::TaskDirBuilt)
                    });
                    self.exits[task.index()] =
                        Driver::script(&name).map(|(run, code)| (now + run, Exit::code(code)));
                    self.input(runner, now, &|r| r.started(now, task));
                }
                Action::Stop { .. } => {
                    self.exits[task.index()] = Some((now + 200 * MS, Exit::signal(143, 15)));
                }
                Action::Kill => self.exits[task.index()] = Some((now, Exit::signal(137, 9))),
                Action::Signal { .. } => {}
            }
        }
    }
}

/// Prints the events the input recorded, in order, and a client status change.
fn report(runner: &Runner<4>, now: i64, before: ClientStatus) {
    for (task, event) in runner.events() {
        println!(
            "{}  {:<8} {:<20} {}",
            stamp(now),
            runner.task_name(task),
            event.type_str(),
            event.display_message()
        );
    }
    let alloc = runner.allocation();
    if alloc.client_status() != before {
        println!(
            "{}  {:<8} client status {} -> {} ({:?}), modify index {}",
            stamp(now),
            "alloc",
            before,
            alloc.client_status(),
            alloc.client_description(),
            alloc.modify_index()
        );
    }
}

/// `t=+3.000s`: time since the simulation's epoch.
fn stamp(now: i64) -> String {
    let rel = now - EPOCH;
    format!("t=+{}.{:03}s", rel / SEC, (rel % SEC) / MS)
}

fn main() -> Result<(), RunnerError> {
    let policy = RestartPolicy {
        attempts: 2,
        interval: 60 * SEC,
        delay: SEC,
        mode: RestartMode::Fail,
    };
    let mut runner: Box<Runner<4>> = Box::new(Runner::new(GroupSpec::new(JobType::Service)));
    runner.seed_jitter(1);
    for (name, role) in [
        ("envoy", Role::prestart(true)),
        ("api", Role::leader()),
        ("worker", Role::main()),
        ("cleanup", Role::poststop()),
    ] {
        runner.add_task(&TaskSpec::new(name, role, policy))?;
    }
    let mut driver = Driver {
        exits: vec![None; 4],
    };
    driver.input(&mut runner, EPOCH, &|r| r.arrive(EPOCH));

    // The clock: the earliest of the next process exit and the runner's next wake-up.
    loop {
        let exit = (0..4)
            .filter_map(|i| driver.exits[i].map(|(at, exit)| (at, i, exit)))
            .min_by_key(|&(at, i, _)| (at, i))
            .and_then(|(at, i, exit)| Some((at, runner.task_at(i)?, exit)));
        let wake = runner.next_wake();
        match (exit, wake) {
            (None, None) => break,
            (Some((at, task, exit)), wake) if wake.is_none_or(|w| at <= w) => {
                driver.exits[task.index()] = None;
                driver.input(&mut runner, at, &|r| r.exited(at, task, exit));
            }
            (_, Some(at)) => {
                driver.input(&mut runner, at, &|r| r.tick(at));
            }
            (Some(_), None) => unreachable!("handled by the arm above"),
        }
    }

    let alloc = runner.allocation();
    println!(
        "final: client status {} ({:?}), desired {}, modify index {}",
        alloc.client_status(),
        alloc.client_description(),
        alloc.desired_status(),
        alloc.modify_index()
    );
    for task in alloc.tasks() {
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
