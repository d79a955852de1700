//! Blocking prestart hooks (Vault, template), after Nomad's `TaskRunner.prestart`.

use crate::sim::*;
use allocstate::restart::JobType;
use allocstate::runner::{Exit, PrestartStep, RestartTarget, RunnerError};
use allocstate::{ClientStatus, WireState};

#[test]
fn derive_token_unrecoverable_hook_kill_fails_the_task() {
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    let i = sim.i("web");
    sim.go(1, |r| r.prestart(1, i, PrestartStep::TaskDirBuilt));
    let message = "vault: failed to derive vault token: unrecoverable";
    assert_eq!(
        sim.go(2, |r| r.prestart(
            2,
            i,
            PrestartStep::HookKilled { message }
        )),
        vec![]
    );
    assert_eq!(sim.events("web"), "Received, Task Setup, Killing");
    assert!(sim.last("web").fails_task());
    assert_eq!(sim.last("web").display_message().to_string(), message);
    assert_eq!(sim.state("web"), (WireState::Dead, true, 0));
    assert_eq!(sim.status(), ClientStatus::Failed);
    assert!(sim.runner.is_finished());
}

#[test]
fn template_blocking_prestart_records_template_and_stays_pending() {
    let mut sim = Sim::web(JobType::Service, policy(2, MIN, SEC));
    let i = sim.i("web");
    sim.go(1, |r| r.prestart(1, i, PrestartStep::TaskDirBuilt));
    let message = "Missing: vault.read(foo/secret)";
    sim.go(2, |r| {
        r.prestart(2, i, PrestartStep::TemplateBlocked { message })
    });
    assert_eq!(sim.events("web"), "Received, Task Setup, Template");
    assert_eq!(sim.last("web").display_message().to_string(), message);
    assert_eq!(sim.state("web"), (WireState::Pending, false, 0));
    assert_eq!(
        sim.runner.next_wake(),
        None,
        "no timer: the hook unblocks it"
    );
}

#[test]
fn restart_signal_task_not_running_while_blocked_in_prestart() {
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    let i = sim.i("web");
    sim.go(1, |r| r.prestart(1, i, PrestartStep::TaskDirBuilt));
    let before = sim.runner.clone();
    assert_eq!(
        sim.runner.signal(2, i, Some("SIGHUP")).unwrap_err(),
        RunnerError::NotRunning { task: i }
    );
    assert_eq!(
        sim.runner
            .restart(3, RestartTarget::Task(i), false)
            .unwrap_err(),
        RunnerError::NotRunning { task: i }
    );
    assert_eq!(sim.runner, before);
    sim.go(SEC, |r| r.started(SEC, i));
    sim.exit(2 * SEC, "web", Exit::code(0));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated"
    );
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
}

#[test]
fn kill_during_a_blocking_prestart_hook_ends_the_task() {
    let mut sim = Sim::web(JobType::Service, policy(2, MIN, SEC));
    let i = sim.i("web");
    sim.go(1, |r| r.prestart(1, i, PrestartStep::TaskDirBuilt));
    let message = "Missing: kv.block(app/config)";
    sim.go(2, |r| {
        r.prestart(2, i, PrestartStep::TemplateBlocked { message })
    });
    assert_eq!(sim.stop(SEC), vec![cmd("web", "Stop")]);
    assert_eq!(sim.go(SEC, |r| r.start_cancelled(SEC, i)), vec![]);
    assert_eq!(sim.events("web"), "Received, Task Setup, Template, Killing");
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
    assert_eq!(sim.status(), ClientStatus::Complete);
}
