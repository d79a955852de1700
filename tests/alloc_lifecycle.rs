//! Allocation status and consequences for the lifecycle cases of Nomad's own tests (each
//! named below: `client/alloc_runner_test.go` @ v0.4.1,
//! `client/allocrunner/alloc_runner_test.go` @ v1.10.0, `e2e/taskevents/taskevents.go`),
//! with the kill rules of `client/allocrunner/alloc_runner.go`,
//! `allocRunner.handleTaskStateUpdates` and `allocRunner.killTasks`.

use allocstate::restart::{
    JobType, Lifecycle, RestartMode, RestartOutcome, RestartPolicy, RestartTracker,
};
use allocstate::{
    Allocation, ClientStatus, DesiredStatus, Detail, EventKind, KillCause, Role, TaskEvent,
    WireState,
};

const MS: i64 = 1_000_000;
const SEC: i64 = 1_000 * MS;
const MIN: i64 = 60 * SEC;

/// An allocation with these tasks, in this order, none of them started.
fn group(tasks: &[(&str, Role)]) -> Allocation {
    let mut alloc = Allocation::new();
    for &(name, role) in tasks {
        alloc.add_task(name, role).unwrap();
    }
    alloc
}

/// [`group`] with every task [`start`]ed at 0.
fn running(tasks: &[(&str, Role)]) -> Allocation {
    let mut alloc = group(tasks);
    for &(name, _) in tasks {
        start(&mut alloc, name, 0);
    }
    alloc
}

fn no_jitter(_: u64) -> u64 {
    0
}

fn kinds(alloc: &Allocation, name: &str) -> Vec<EventKind> {
    alloc
        .state(name)
        .expect("task")
        .events()
        .iter()
        .map(|e| e.kind())
        .collect()
}

fn apply_all(alloc: &mut Allocation, name: &str, events: impl IntoIterator<Item = TaskEvent>) {
    for event in events {
        alloc.apply(name, event).expect("accepted");
    }
}

fn start(alloc: &mut Allocation, name: &str, t: i64) {
    apply_all(
        alloc,
        name,
        [
            TaskEvent::received(t),
            TaskEvent::task_setup(t + 1),
            TaskEvent::started(t + 2),
        ],
    );
}

/// A successful exit the tracker completes (batch or ephemeral): Terminated, then finish.
fn complete(alloc: &mut Allocation, name: &str, tracker: &mut RestartTracker, t: i64) {
    alloc
        .apply(name, TaskEvent::terminated(t, 0))
        .expect("exit");
    tracker.set_exit_result(0, 0, false);
    let outcome = tracker.decide(t, &mut no_jitter);
    assert!(outcome.event(t).is_none(), "{outcome:?}");
    alloc.finish(name, t).expect("finish");
}

/// Records a restart decision's event, if it has one.
fn record(alloc: &mut Allocation, name: &str, outcome: &RestartOutcome, t: i64) {
    if let Some(event) = outcome.event(t) {
        alloc.apply(name, event).expect("accepted");
    }
}

/// The detail of the task's newest event.
fn latest_detail<'a>(alloc: &'a Allocation, name: &str) -> Detail<'a> {
    let events = alloc.state(name).expect("task").events();
    events.latest().expect("an event").detail()
}

/// A task told to stop: it exits 0 at `t`, then is killed.
fn terminated_then_killed(alloc: &mut Allocation, name: &str, t: i64) {
    let events = [TaskEvent::terminated(t, 0), TaskEvent::killed(t + 1)];
    apply_all(alloc, name, events);
}

/// The task exits 1 at `t` and is not restarted (its policy allows none).
fn fails(alloc: &mut Allocation, name: &str, t: i64) {
    let events = [
        TaskEvent::terminated(t, 1),
        TaskEvent::not_restarting(t + 1, "Policy allows no restarts"),
    ];
    apply_all(alloc, name, events);
}

fn order_names(alloc: &Allocation) -> Vec<String> {
    alloc
        .orders()
        .iter()
        .map(|o| alloc.task_at(o.task()).expect("task").name().to_string())
        .collect()
}

fn no_restarts() -> RestartPolicy {
    RestartPolicy {
        attempts: 0,
        interval: 10 * MIN,
        delay: SEC,
        mode: RestartMode::Fail,
    }
}

/// `TestAllocRunner_TaskFailed_KillTG`: task2 cannot start (batch, attempts 0),
/// task1 is running; task1 is killed, the alloc fails.
#[test]
fn failed_task_kills_the_group() {
    let mut alloc = group(&[("task1", Role::main()), ("task2", Role::main())]);
    start(&mut alloc, "task1", 10);
    apply_all(
        &mut alloc,
        "task2",
        [
            TaskEvent::received(10),
            TaskEvent::driver_failure(20, "invalid binary"),
        ],
    );
    assert!(alloc.orders().is_empty());
    let mut tracker = RestartTracker::new(no_restarts(), JobType::Batch, Lifecycle::main(), 0);
    tracker.set_start_error(false);
    let outcome = tracker.decide(21, &mut no_jitter);
    alloc
        .apply("task2", outcome.event(21).expect("Not Restarting"))
        .unwrap();
    assert_eq!(
        latest_detail(&alloc, "task2"),
        Detail::NotRestarting {
            restart_reason: "Policy allows no restarts"
        }
    );
    assert_eq!(alloc.client_status(), ClientStatus::Failed);
    assert_eq!(order_names(&alloc), ["task1"]);
    let applied = alloc.apply_orders(22);
    assert_eq!(applied.len(), 1);
    alloc.apply("task1", TaskEvent::killed(23)).unwrap();

    assert_eq!(
        kinds(&alloc, "task1"),
        [
            EventKind::Received,
            EventKind::TaskSetup,
            EventKind::Started,
            EventKind::SiblingTaskFailed,
            EventKind::Killing,
            EventKind::Killed
        ]
    );
    let task1 = alloc.state("task1").unwrap();
    assert_eq!(task1.state(), WireState::Dead);
    assert!(!task1.failed());
    assert!(alloc.state("task2").unwrap().failed());
    assert_eq!(alloc.client_status(), ClientStatus::Failed);
    assert_eq!(alloc.client_description(), "Failed tasks");
    assert!(alloc.orders().is_empty());
}

/// `TestTaskEvents_CompletedLeader`: batch; the leader completes, the other task
/// is told `Leader Task Dead` and killed; nothing failed.
#[test]
fn completed_leader() {
    let mut alloc = running(&[("leader", Role::leader()), ("task", Role::main())]);
    let mut tracker = RestartTracker::new(no_restarts(), JobType::Batch, Lifecycle::main(), 0);
    complete(&mut alloc, "leader", &mut tracker, SEC);
    assert_eq!(alloc.client_status(), ClientStatus::Running);
    let orders = alloc.orders();
    assert_eq!(order_names(&alloc), ["task"]);
    assert_eq!(orders[0].cause(), &KillCause::LeaderTaskDead);
    alloc.apply_orders(SEC + 1);
    terminated_then_killed(&mut alloc, "task", SEC + 2);
    assert_eq!(
        kinds(&alloc, "task"),
        [
            EventKind::Received,
            EventKind::TaskSetup,
            EventKind::Started,
            EventKind::LeaderTaskDead,
            EventKind::Killing,
            EventKind::Terminated,
            EventKind::Killed
        ]
    );
    assert!(!alloc.state("task").unwrap().failed());
    assert_eq!(alloc.client_status(), ClientStatus::Complete);
    assert!(alloc.orders().is_empty());
}

/// `TestTaskEvents_FailedSibling`: service, attempts 0; the sibling exits 99.
#[test]
fn failed_sibling() {
    let mut alloc = running(&[("task", Role::main()), ("failer", Role::main())]);
    let mut tracker = RestartTracker::new(no_restarts(), JobType::Service, Lifecycle::main(), 0);
    alloc
        .apply("failer", TaskEvent::terminated(SEC, 99))
        .unwrap();
    tracker.set_exit_result(99, 0, false);
    let outcome = tracker.decide(SEC, &mut no_jitter);
    record(&mut alloc, "failer", &outcome, SEC);
    assert_eq!(alloc.client_status(), ClientStatus::Failed);
    let applied = alloc.apply_orders(SEC + 1);
    assert_eq!(applied.len(), 1);
    terminated_then_killed(&mut alloc, "task", SEC + 2);
    let task = alloc.state("task").unwrap();
    assert_eq!(
        kinds(&alloc, "task"),
        [
            EventKind::Received,
            EventKind::TaskSetup,
            EventKind::Started,
            EventKind::SiblingTaskFailed,
            EventKind::Killing,
            EventKind::Terminated,
            EventKind::Killed
        ]
    );
    let sibling = task.events().iter().nth(3).unwrap();
    assert_eq!(
        sibling.detail(),
        Detail::SiblingTaskFailed {
            failed_sibling: "failer"
        }
    );
    assert!(!task.failed());
    assert_eq!(alloc.client_status(), ClientStatus::Failed);
}

/// `TestAllocRunner_Lifecycle_Restart` before the restart: main and sidecars
/// running, one-shots dead, poststop pending → running, nothing to kill.
#[test]
fn lifecycle_group_before_restart() {
    let mut alloc = group(&[
        ("main", Role::main()),
        ("prestart-oneshot", Role::prestart(false)),
        ("prestart-sidecar", Role::prestart(true)),
        ("poststart-oneshot", Role::poststart(false)),
        ("poststart-sidecar", Role::poststart(true)),
        ("poststop", Role::poststop()),
    ]);
    let policy = RestartPolicy {
        attempts: 3,
        interval: 10 * MIN,
        delay: MIN,
        mode: RestartMode::Delay,
    };
    let mut oneshot = RestartTracker::new(policy, JobType::Service, Lifecycle::prestart(false), 0);
    start(&mut alloc, "prestart-oneshot", 0);
    complete(&mut alloc, "prestart-oneshot", &mut oneshot, 5);
    start(&mut alloc, "prestart-sidecar", 0);
    assert!(alloc.orders().is_empty(), "main still pending");
    start(&mut alloc, "main", 10);
    start(&mut alloc, "poststart-sidecar", 20);
    start(&mut alloc, "poststart-oneshot", 20);
    let mut oneshot = RestartTracker::new(policy, JobType::Service, Lifecycle::poststart(false), 0);
    complete(&mut alloc, "poststart-oneshot", &mut oneshot, 25);
    alloc.apply("poststop", TaskEvent::received(0)).unwrap();

    assert_eq!(alloc.client_status(), ClientStatus::Running);
    assert_eq!(alloc.client_description(), "Tasks are running");
    let states: Vec<_> = alloc
        .tasks()
        .map(|t| (t.name(), t.state().state(), t.state().restarts()))
        .collect();
    assert_eq!(
        states,
        [
            ("main", WireState::Running, 0),
            ("prestart-oneshot", WireState::Dead, 0),
            ("prestart-sidecar", WireState::Running, 0),
            ("poststart-oneshot", WireState::Dead, 0),
            ("poststart-sidecar", WireState::Running, 0),
            ("poststop", WireState::Pending, 0),
        ]
    );
    assert!(alloc.orders().is_empty());
    assert!(alloc.tasks().all(|t| !t.state().failed()));
}

/// `TestAllocRunner_HandlesArtifactFailure`: batch; "bad" cannot download its
/// artifact (attempts 1, fail); "web" is fine → web killed but successful, alloc failed.
#[test]
fn artifact_failure() {
    let mut alloc = group(&[("web", Role::main()), ("bad", Role::main())]);
    start(&mut alloc, "web", 0);
    let policy = RestartPolicy {
        attempts: 1,
        interval: 10 * MIN,
        delay: SEC,
        mode: RestartMode::Fail,
    };
    let mut tracker = RestartTracker::new(policy, JobType::Batch, Lifecycle::main(), 0);
    apply_all(
        &mut alloc,
        "bad",
        [TaskEvent::received(0), TaskEvent::task_setup(1)],
    );
    for attempt in 0..2 {
        let t = 10 + attempt * 2 * SEC;
        apply_all(
            &mut alloc,
            "bad",
            [
                TaskEvent::downloading_artifacts(t),
                TaskEvent::failed_artifact_download(t + 1, "bad artifact"),
            ],
        );
        tracker.set_start_error(true);
        let outcome = tracker.decide(t + 2, &mut no_jitter);
        record(&mut alloc, "bad", &outcome, t + 2);
        if attempt == 0 {
            assert_eq!(alloc.client_status(), ClientStatus::Running);
            assert!(alloc.orders().is_empty(), "bad is only restarting");
        }
    }
    assert_eq!(
        kinds(&alloc, "bad"),
        [
            EventKind::Received,
            EventKind::TaskSetup,
            EventKind::DownloadingArtifacts,
            EventKind::FailedArtifactDownload,
            EventKind::Restarting,
            EventKind::DownloadingArtifacts,
            EventKind::FailedArtifactDownload,
            EventKind::NotRestarting
        ]
    );
    assert_eq!(
        latest_detail(&alloc, "bad"),
        Detail::NotRestarting {
            restart_reason: r#"Exceeded allowed attempts 1 in interval 10m0s and mode is "fail""#
        }
    );
    assert_eq!(order_names(&alloc), ["web"]);
    alloc.apply_orders(5 * SEC);
    alloc.apply("web", TaskEvent::killed(5 * SEC + 1)).unwrap();
    assert!(alloc.state("web").unwrap().successful());
    assert!(alloc.state("bad").unwrap().failed());
    assert_eq!(alloc.client_status(), ClientStatus::Failed);
}

/// `TestAllocRunner_TaskLeader_KillTG`: batch; the leader runs 1 s, the other
/// task is told `Leader Task Dead` and killed with its 10 ms kill timeout.
#[test]
fn leader_kills_the_group() {
    let mut alloc = Allocation::new();
    alloc
        .add_task_with_kill_timeout("task1", Role::main(), 10 * MS)
        .unwrap();
    alloc
        .add_task_with_kill_timeout("task2", Role::leader(), 10 * MS)
        .unwrap();
    start(&mut alloc, "task1", 0);
    start(&mut alloc, "task2", 0);
    let mut tracker = RestartTracker::new(no_restarts(), JobType::Batch, Lifecycle::main(), 0);
    complete(&mut alloc, "task2", &mut tracker, SEC);
    alloc.apply_orders(SEC + 1);
    alloc
        .apply("task1", TaskEvent::killed(SEC + 20 * MS))
        .unwrap();

    let task1 = alloc.state("task1").unwrap();
    let events: Vec<_> = task1.events().iter().collect();
    assert!(events.iter().any(|e| e.kind() == EventKind::LeaderTaskDead));
    let killing = events
        .iter()
        .find(|e| e.kind() == EventKind::Killing)
        .expect("Killing");
    assert_eq!(
        killing.detail(),
        Detail::Killing {
            kill_timeout: 10 * MS,
            kill_reason: ""
        }
    );
    for task in alloc.tasks() {
        assert!(task.state().started_at().is_some(), "{}", task.name());
        assert!(task.state().finished_at().is_some(), "{}", task.name());
        assert!(task.state().successful(), "{}", task.name());
    }
    assert_eq!(alloc.client_status(), ClientStatus::Complete);
    assert_eq!(alloc.client_description(), "All tasks have completed");
}

/// `TestAllocRunner_TaskMain_KillTG`: the main tasks finish; the prestart and
/// poststart sidecars are told `Main Tasks Dead` and killed; the mains are not.
#[test]
fn main_tasks_dead_kills_sidecars() {
    let mut alloc = group(&[
        ("prestart-sidecar", Role::prestart(true)),
        ("poststart-sidecar", Role::poststart(true)),
        ("main1", Role::main()),
        ("main2", Role::main()),
    ]);
    for name in ["prestart-sidecar", "main1", "main2", "poststart-sidecar"] {
        start(&mut alloc, name, 0);
    }
    let mut tracker = RestartTracker::new(no_restarts(), JobType::Batch, Lifecycle::main(), 0);
    complete(&mut alloc, "main1", &mut tracker, SEC);
    assert!(alloc.orders().is_empty(), "main2 still runs");
    complete(&mut alloc, "main2", &mut tracker, 2 * SEC);
    assert_eq!(
        order_names(&alloc),
        ["prestart-sidecar", "poststart-sidecar"]
    );
    assert!(alloc
        .orders()
        .iter()
        .all(|o| o.cause() == &KillCause::MainTasksDead));
    assert_eq!(alloc.apply_orders(2 * SEC + 1).len(), 2);
    for name in ["prestart-sidecar", "poststart-sidecar"] {
        alloc.apply(name, TaskEvent::killed(3 * SEC)).unwrap();
        assert!(kinds(&alloc, name).contains(&EventKind::MainTasksDead));
    }
    for name in ["main1", "main2"] {
        assert!(!kinds(&alloc, name).contains(&EventKind::MainTasksDead));
    }
    assert_eq!(alloc.client_status(), ClientStatus::Complete);
    assert!(alloc.orders().is_empty());
}

/// `TestAllocRunner_Lifecycle_Poststop`: main dead + poststop running → running;
/// the poststop task is never ordered killed.
#[test]
fn poststop_runs_after_main() {
    let mut alloc = group(&[("main", Role::main()), ("post", Role::poststop())]);
    start(&mut alloc, "main", 0);
    alloc.apply("post", TaskEvent::received(0)).unwrap();
    let mut tracker = RestartTracker::new(no_restarts(), JobType::Batch, Lifecycle::main(), 0);
    complete(&mut alloc, "main", &mut tracker, SEC);
    assert_eq!(
        alloc.client_status(),
        ClientStatus::Pending,
        "poststop pending"
    );
    apply_all(
        &mut alloc,
        "post",
        [TaskEvent::task_setup(SEC + 1), TaskEvent::started(SEC + 2)],
    );
    assert_eq!(alloc.client_status(), ClientStatus::Running);
    assert!(alloc.orders().is_empty());
    // Even a desired stop leaves the poststop task to run.
    alloc.set_desired(DesiredStatus::Stop, "").unwrap();
    assert!(alloc.orders().is_empty());
    complete(&mut alloc, "post", &mut tracker, 2 * SEC);
    assert_eq!(alloc.client_status(), ClientStatus::Complete);
}

/// Section 7: the leader is killed first, then the other main tasks, then sidecars;
/// poststop tasks are left to run. A desired stop gives no reason event.
#[test]
fn desired_stop_kills_in_nomads_order() {
    for status in [DesiredStatus::Stop, DesiredStatus::Evict] {
        let mut alloc = group(&[
            ("sidecar", Role::prestart(true)),
            ("a", Role::main()),
            ("post", Role::poststop()),
            ("leader", Role::leader()),
            ("b", Role::main()),
            ("oneshot", Role::poststart(false)),
        ]);
        for t in alloc
            .tasks()
            .map(|t| t.name().to_string())
            .collect::<Vec<_>>()
        {
            if t != "post" {
                start(&mut alloc, &t, 0);
            }
        }
        assert!(alloc.orders().is_empty());
        alloc.set_desired(status, "alloc not needed").unwrap();
        assert_eq!(
            order_names(&alloc),
            ["leader", "a", "b", "oneshot", "sidecar"]
        );
        assert!(alloc
            .orders()
            .iter()
            .all(|o| o.cause() == &KillCause::Desired(status)));
        let applied = alloc.apply_orders(SEC);
        assert_eq!(applied.len(), 5);
        let leader = kinds(&alloc, "leader");
        assert_eq!(leader.last(), Some(&EventKind::Killing));
        assert!(!leader.contains(&EventKind::LeaderTaskDead));
        assert_eq!(kinds(&alloc, "post"), Vec::<EventKind>::new());
        assert!(alloc.orders().is_empty());
    }
}

/// A dead, non-failed leader takes priority over a failed sibling; a failed leader is a
/// failed sibling.
#[test]
fn cause_priority() {
    let mut alloc = running(&[
        ("leader", Role::leader()),
        ("failer", Role::main()),
        ("other", Role::main()),
    ]);
    fails(&mut alloc, "failer", 5);
    assert_eq!(order_names(&alloc), ["leader", "other"]);
    alloc.apply("leader", TaskEvent::terminated(7, 0)).unwrap();
    alloc.finish("leader", 8).unwrap();
    assert_eq!(order_names(&alloc), ["other"]);
    assert_eq!(alloc.orders()[0].cause(), &KillCause::LeaderTaskDead);

    let mut alloc = running(&[("leader", Role::leader()), ("other", Role::main())]);
    fails(&mut alloc, "leader", 5);
    assert!(matches!(
        alloc.orders()[0].cause(),
        KillCause::SiblingTaskFailed { failed } if failed == "leader"
    ));
}

/// Orders are not repeated: once the group is being killed, the leader's death (from the
/// kill) does not order `Leader Task Dead` for tasks already told `Sibling Task Failed`.
#[test]
fn orders_do_not_repeat() {
    let mut alloc = running(&[
        ("leader", Role::leader()),
        ("failer", Role::main()),
        ("sidecar", Role::poststart(true)),
    ]);
    fails(&mut alloc, "failer", 5);
    assert_eq!(alloc.apply_orders(7).len(), 2);
    assert!(alloc.orders().is_empty());
    assert_eq!(alloc.apply_orders(8).len(), 0);
    alloc.apply("leader", TaskEvent::killed(9)).unwrap();
    assert!(alloc.orders().is_empty(), "leader died from the kill");
    alloc.set_desired(DesiredStatus::Stop, "").unwrap();
    assert!(alloc.orders().is_empty(), "sidecar already ordered");
    let sidecar = kinds(&alloc, "sidecar");
    let count = |k| sidecar.iter().filter(|&&x| x == k).count();
    assert_eq!(count(EventKind::SiblingTaskFailed), 1);
    assert_eq!(count(EventKind::Killing), 1);
    assert_eq!(count(EventKind::LeaderTaskDead), 0);
}

/// A lone sidecar (no main task added yet) is not told `Main Tasks Dead`.
#[test]
fn main_tasks_dead_needs_a_main_task() {
    let mut alloc = group(&[("sidecar", Role::prestart(true))]);
    start(&mut alloc, "sidecar", 0);
    assert!(alloc.orders().is_empty());
    alloc.add_task("main", Role::main()).unwrap();
    assert!(alloc.orders().is_empty(), "main pending");
    alloc.apply("main", TaskEvent::received(1)).unwrap();
    alloc.finish("main", 2).unwrap();
    assert_eq!(order_names(&alloc), ["sidecar"]);
    assert_eq!(alloc.orders()[0].cause(), &KillCause::MainTasksDead);
}
