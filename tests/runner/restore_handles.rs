//! A runtime's contract across a restore: the driver handle and each task's restore status
//! (docs/runner.md; Nomad's `TaskRunner.Restore`).

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{Action, GroupSpec, RestoreStatus, Runner, RunnerError};
use allocstate::Role;

#[test]
fn a_driver_handle_survives_the_restore_with_each_tasks_status() {
    let mut sim = Sim::new(
        JobType::Service,
        &[
            task("web", Role::main(), policy(0, MIN, 0)),
            task("side", Role::main(), policy(0, MIN, 0)),
        ],
    );
    sim.arrive(0);
    sim.start(1, "web");
    let (web, side) = (sim.i("web"), sim.i("side"));
    sim.runner.set_handle(web, b"pid=42 start=123").unwrap();
    assert_eq!(
        sim.runner.set_handle(web, &[0; 65]),
        Err(RunnerError::HandleTooLong { task: web, len: 65 })
    );
    let mut buf = vec![0u8; Runner::<8>::POSTCARD_MAX_SIZE];
    let bytes = sim.runner.persist(&mut buf).unwrap().to_vec();
    let mut fresh: Runner<8> = Runner::new(GroupSpec::new(JobType::Service));
    let mut seen = Vec::new();
    let step = fresh
        .restore(2, &bytes, None, |id, restoring| {
            seen.push((id, restoring.status, restoring.handle.map(<[u8]>::to_vec)));
            true
        })
        .unwrap();
    assert_eq!(
        seen,
        [
            (
                web,
                RestoreStatus::Running,
                Some(b"pid=42 start=123".to_vec())
            ),
            (side, RestoreStatus::StartInFlight, None),
        ]
    );
    assert!(
        step.commands.is_empty(),
        "no second start: {:?}",
        step.commands
    );
    assert_eq!(fresh.handle(web), Some(&b"pid=42 start=123"[..]));
    // The start in flight is still the runtime's to report.
    let _ = fresh.started(3, side).unwrap();
    assert_eq!(fresh.place(side), Some(allocstate::runner::Place::Running));
}

#[test]
fn a_start_in_flight_that_did_not_survive_starts_again() {
    let sim = Sim::web(JobType::Service, policy(0, MIN, 0));
    let mut buf = vec![0u8; Runner::<8>::POSTCARD_MAX_SIZE];
    let bytes = sim.runner.persist(&mut buf).unwrap().to_vec();
    let mut fresh: Runner<8> = Runner::new(GroupSpec::new(JobType::Service));
    let step = fresh.restore(2, &bytes, None, |_, _| false).unwrap();
    assert_eq!(step.commands.len(), 1);
    assert_eq!(step.commands[0].action, Action::Start);
}
