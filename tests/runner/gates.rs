//! Gates, after Nomad's `client/allocrunner/tasklifecycle/gate_test.go` (`TestGate`,
//! `TestGate_shutdown`).

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{Coordinator, Exit};
use allocstate::Role;

#[test]
fn gate_is_a_level_passing_every_start_and_shut_for_good_once_stopping() {
    // A gate is a level: the open main gate passes the first start and every restart.
    let mut sim = Sim::new(
        JobType::Service,
        &[task("web", Role::main(), policy(3, MIN, SEC))],
    );
    assert!(!Coordinator::Init.allows(allocstate::runner::Stage::Main));
    sim.arrive(0);
    sim.start(1, "web");
    for n in 1..=2 {
        sim.exit(n * 10 * SEC, "web", Exit::code(1));
        let wake = sim.runner.next_wake().unwrap();
        assert_eq!(sim.tick(wake), vec![cmd("web", "Start")], "passes again");
        sim.start(wake, "web");
    }
    // Once the allocation stops (Nomad closes the gates' shutdown channel), a task in
    // its restart wait never passes again.
    sim.exit(40 * SEC, "web", Exit::code(1));
    let wake = sim.runner.next_wake().unwrap();
    sim.stop(41 * SEC);
    assert_eq!(sim.tick(wake), vec![]);
    assert_eq!(sim.events("web"), "Received, Task Setup, Started, Terminated, Restarting, Started, Terminated, Restarting, Started, Terminated, Restarting, Killing");
    assert!(sim.runner.is_finished());
}
