//! A runtime's contract: clocks, races, handles, specs (docs/runner.md).

use crate::sim::*;
use allocstate::restart::{JobType, RestartMode, RestartPolicy};
use allocstate::runner::{
    Action, Exit, GroupSpec, Now, Runner, RunnerError, SpecField, TaskId, TaskSpec,
};
use allocstate::{Role, TaskEvent, WireState};

#[test]
fn an_input_older_than_the_last_is_refused_and_changes_nothing() {
    // `Terminated` at 500 after `Started` at 1000.
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    sim.start(1000, "web");
    let before = sim.runner.clone();
    let web = sim.i("web");
    assert_eq!(
        sim.runner.exited(500, web, Exit::code(0)).unwrap_err(),
        RunnerError::ClockWentBack {
            last: 1000,
            now: 500
        }
    );
    assert_eq!(sim.runner, before);
    // The same time again is accepted.
    sim.exit(1000, "web", Exit::code(0));
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Terminated"
    );
}

#[test]
fn timers_run_on_the_monotonic_clock_whatever_the_wall_clock_does() {
    let mut runner: Runner<2> = Runner::new(GroupSpec::new(JobType::Service));
    let web = runner
        .add_task(&task("web", Role::main(), policy(2, MIN, 10 * SEC)))
        .unwrap();
    let wall = 1_700_000_000 * SEC;
    let _ = runner.arrive(Now::new(wall, 0)).unwrap();
    let _ = runner.started(Now::new(wall, 1), web).unwrap();
    // It crashes; then the wall clock is stepped back an hour (NTP).
    let step = runner.exited(Now::new(wall + SEC, SEC), web, Exit::code(1));
    let wake = step.unwrap().wake.unwrap();
    assert!(
        (11 * SEC..=12 * SEC).contains(&wake),
        "a monotonic deadline: {wake}"
    );
    let stepped = wall - 3_600 * SEC;
    let step = runner.tick(Now::new(stepped, wake)).unwrap();
    assert_eq!(step.commands[0].action, Action::Start, "fires on time");
    let _ = runner
        .started(Now::new(stepped + 1, wake + 1), web)
        .unwrap();
    // Events carry the wall clock as given.
    let (_, started) = runner.events().last().unwrap();
    assert_eq!(started.time(), stepped + 1);
    let restarting = runner.allocation().state("web").unwrap().events().iter();
    let times: Vec<i64> = restarting.map(TaskEvent::time).collect();
    assert_eq!(times[..4], [wall, wall, wall + SEC, wall + SEC]);
}

#[test]
fn events_come_out_in_the_order_recorded_each_with_its_task() {
    let mut runner: Runner<2> = Runner::new(GroupSpec::new(JobType::Service));
    let web = runner
        .add_task(&task("web", Role::main(), policy(0, MIN, 0)))
        .unwrap();
    let side = runner
        .add_task(&task("side", Role::main(), policy(0, MIN, 0)))
        .unwrap();
    let _ = runner.arrive(0).unwrap();
    let got: Vec<(String, &str)> = runner
        .events()
        .map(|(id, e)| (runner.task_name(id).to_string(), e.type_str()))
        .collect();
    assert_eq!(
        got,
        [("web".into(), "Received"), ("side".into(), "Received")]
    );
    let _ = runner.started(1, web).unwrap();
    let _ = runner.started(1, side).unwrap();
    let _ = runner.exited(2, web, Exit::code(1)).unwrap();
    let got: Vec<(TaskId, &str)> = runner.events().map(|(id, e)| (id, e.type_str())).collect();
    assert_eq!(
        got,
        [
            (web, "Terminated"),
            (web, "Not Restarting"),
            (side, "Sibling Task Failed"),
            (side, "Killing"),
        ]
    );
}

#[test]
fn a_stop_decided_while_starting_comes_again_with_started() {
    let mut spec = task("web", Role::main(), policy(0, MIN, 0));
    spec.kill_signal = Some("SIGTERM");
    let mut sim = Sim::new(JobType::Service, &[spec]);
    assert_eq!(sim.arrive(0), vec![cmd("web", "Start")]);
    assert_eq!(sim.stop(SEC), vec![cmd("web", "Stop")]);
    let web = sim.i("web");
    let step = sim.runner.started(2 * SEC, web).unwrap();
    let [command] = &step.commands[..] else {
        panic!("one command: {:?}", step.commands)
    };
    assert_eq!(
        command.action,
        Action::Stop {
            signal: Some("SIGTERM".try_into().unwrap()),
            kill_timeout: 5 * SEC
        }
    );
    assert_eq!(
        step.wake,
        Some(7 * SEC),
        "the kill timeout runs from the start"
    );
}

#[test]
fn an_exit_before_the_start_acknowledgement_is_started_then_exited() {
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    assert_eq!(sim.exit(SEC, "web", Exit::code(0)), vec![]);
    assert_eq!(sim.events("web"), "Received, Started, Terminated");
    assert_eq!(sim.state("web"), (WireState::Dead, false, 0));
    // Killed while starting: Started, Terminated, Killed; no stop to carry out.
    let mut sim = Sim::web(JobType::Service, policy(0, MIN, 0));
    sim.stop(SEC);
    assert_eq!(sim.exit(2 * SEC, "web", Exit::signal(143, 15)), vec![]);
    assert_eq!(
        sim.events("web"),
        "Received, Killing, Started, Terminated, Killed"
    );
}

#[test]
fn a_kill_that_fails_records_killed_with_the_error_and_ends_the_task() {
    let mut sim = Sim::web(JobType::Service, policy(0, MIN, 0));
    sim.start(1, "web");
    sim.stop(SEC);
    assert_eq!(sim.tick(6 * SEC), vec![cmd("web", "Kill")]);
    let web = sim.i("web");
    sim.go(7 * SEC, |r| {
        r.kill_failed(7 * SEC, web, "process survived SIGKILL")
    });
    assert_eq!(
        sim.events("web"),
        "Received, Task Setup, Started, Killing, Killed"
    );
    let killed = sim.last("web");
    assert!(matches!(
        killed.detail(),
        allocstate::Detail::Killed {
            kill_error: "process survived SIGKILL",
            ..
        }
    ));
    assert!(sim.runner.is_finished());
    assert_eq!(sim.runner.next_wake(), None);
}

#[test]
fn errors_name_the_task() {
    let mut sim = Sim::web(JobType::Batch, policy(0, MIN, 0));
    let web = sim.i("web");
    let error = sim.runner.signal(1, web, None).unwrap_err();
    assert_eq!(error.to_string(), "task #0: Task not running");
    assert_eq!(
        sim.runner.describe(error).to_string(),
        "task \"web\": Task not running"
    );
}

#[test]
fn specs_nomad_refuses_are_refused_naming_the_field() {
    let mut runner: Runner<4> = Runner::new(GroupSpec::new(JobType::Service));
    let cases: [(TaskSpec<'_>, SpecField); 6] = [
        (
            TaskSpec {
                kill_timeout: -1,
                ..task("a", Role::main(), policy(0, MIN, 0))
            },
            SpecField::KillTimeout,
        ),
        (
            TaskSpec {
                shutdown_delay: -1,
                ..task("a", Role::main(), policy(0, MIN, 0))
            },
            SpecField::ShutdownDelay,
        ),
        (
            task("a", Role::main(), policy(0, SEC, 0)),
            SpecField::RestartInterval,
        ),
        (
            task("a", Role::main(), policy(3, 10 * SEC, 5 * SEC)),
            SpecField::RestartAttemptsInInterval,
        ),
        (
            task(
                "a",
                Role::main(),
                RestartPolicy {
                    mode: RestartMode::Delay,
                    ..policy(0, MIN, 0)
                },
            ),
            SpecField::RestartAttempts,
        ),
        (
            TaskSpec {
                kill_signal: Some(""),
                ..task("a", Role::main(), policy(0, MIN, 0))
            },
            SpecField::KillSignal,
        ),
    ];
    for (spec, field) in cases {
        let before = runner.clone();
        let error = runner.add_task(&spec).unwrap_err();
        assert!(
            matches!(error, RunnerError::InvalidSpec { field: f, .. } if f == field),
            "{error:?}"
        );
        assert!(runner.describe(error).to_string().contains(field.name()));
        assert_eq!(runner, before);
    }
    let leader = runner
        .add_task(&task("a", Role::leader(), policy(0, MIN, 0)))
        .unwrap();
    assert_eq!(
        runner.add_task(&task("b", Role::leader(), policy(0, MIN, 0))),
        Err(RunnerError::SecondLeader { leader })
    );
    assert_eq!(
        runner.add_task(&task("a", Role::main(), policy(0, MIN, 0))),
        Err(RunnerError::DuplicateTask { task: leader })
    );
    let mut group = GroupSpec::new(JobType::Batch);
    group.max_run_duration = -1;
    let mut runner: Runner<1> = Runner::new(group);
    assert_eq!(
        runner.add_task(&task("a", Role::main(), policy(0, MIN, 0))),
        Err(RunnerError::InvalidSpec {
            task: None,
            field: SpecField::MaxRunDuration
        })
    );
}

#[test]
fn runners_not_seeded_draw_different_jitter() {
    let delays: Vec<i64> = (0..4)
        .map(|i| {
            let mut runner: Runner<1> = Runner::new(GroupSpec::new(JobType::Service));
            let web = runner
                .add_task(&task("web", Role::main(), policy(2, 10 * MIN, MIN)))
                .unwrap();
            let _ = runner.arrive(i).unwrap();
            let _ = runner.started(10, web).unwrap();
            runner.exited(20, web, Exit::code(1)).unwrap().wake.unwrap()
        })
        .collect();
    let mut distinct = delays.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), delays.len(), "{delays:?}");
}

#[cfg(feature = "std")]
#[test]
fn nomad_signal_names_map_to_the_platform_numbers() {
    use allocstate::runner::signal_number;
    assert_eq!(signal_number("SIGTERM"), Some(15));
    assert_eq!(signal_number("SIGKILL"), Some(9));
    assert_eq!(signal_number("sigint"), Some(2));
    assert_eq!(signal_number("HUP"), Some(1));
    assert_eq!(signal_number("SIGNOPE"), None);
    #[cfg(target_os = "linux")]
    assert_eq!(signal_number("SIGUSR1"), Some(10));
}
