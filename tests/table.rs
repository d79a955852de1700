//! The contract's transition table, cell by cell, from outside the crate.
//!
//! Each row below is copied from `docs/transitions.md`; each cell is checked on a task brought
//! to that column's phase by a real event sequence. A refused cell must leave the task
//! exactly as it was and hand the event back.

use allocstate::{EventKind, Phase, TaskEvent, TaskState};

const T: i64 = 1_000;

/// Events that bring a fresh task to `phase`.
fn task_in(phase: Phase) -> TaskState {
    let path: &[&str] = match phase {
        Phase::Pending => &["Received", "Task Setup"],
        Phase::Running => &["Received", "Task Setup", "Started"],
        Phase::Exited => &["Received", "Started", "Terminated"],
        Phase::ShuttingDown => &["Received", "Started", "Waiting for shutdown delay"],
        Phase::Dead => &["Received", "Started", "Terminated", "Not Restarting"],
    };
    let mut task = TaskState::new();
    for (i, kind) in path.iter().enumerate() {
        task.apply(TaskEvent::from_type_str(i as i64, kind))
            .expect("path event accepted");
    }
    assert_eq!(task.phase(), phase);
    task
}

fn expected(cell: &str, column: Phase) -> Option<Phase> {
    match cell {
        "=" => Some(column),
        "x" => None,
        "Pending" => Some(Phase::Pending),
        "Running" => Some(Phase::Running),
        "Exited" => Some(Phase::Exited),
        "ShuttingDown" => Some(Phase::ShuttingDown),
        "Dead" => Some(Phase::Dead),
        other => panic!("bad cell {other}"),
    }
}

fn check_cell(mut task: TaskState, type_str: &str, column: Phase, cell: &str) {
    let event = TaskEvent::from_type_str(T, type_str);
    let before = task.clone();
    let accepts = task.accepts(&event);
    match (expected(cell, column), task.apply(event.clone())) {
        (Some(next), Ok(step)) => {
            assert!(accepts);
            assert_eq!(
                (step.from, step.to),
                (column, next),
                "{type_str} in {column}"
            );
            assert_eq!(task.phase(), next);
            assert_eq!(task.event_count(), before.event_count() + 1);
            assert_eq!(task.events().latest(), Some(&event));
        }
        (None, Err(refused)) => {
            assert!(!accepts);
            assert_eq!(refused.phase(), column);
            assert_eq!(refused.kind(), event.kind());
            assert_eq!(
                task, before,
                "a refused {type_str} changed the task in {column}"
            );
            assert_eq!(refused.into_event(), event);
        }
        (want, got) => panic!("{type_str} in {column}: expected {want:?}, got {got:?}"),
    }
}

macro_rules! rows {
    ($( $name:ident: $type_str:literal => [$p:literal, $r:literal, $e:literal, $s:literal, $d:literal], )*) => {
        $(
            mod $name {
                use super::*;
                #[test] fn in_pending_fresh() {
                    // A fresh task has no events: only `Received` is special there.
                    let cell = if $type_str == "Received" { "=" } else { $p };
                    check_cell(TaskState::new(), $type_str, Phase::Pending, cell);
                }
                #[test] fn in_pending() {
                    let cell = if $type_str == "Received" { "x" } else { $p };
                    check_cell(task_in(Phase::Pending), $type_str, Phase::Pending, cell);
                }
                #[test] fn in_running() { check_cell(task_in(Phase::Running), $type_str, Phase::Running, $r); }
                #[test] fn in_exited() { check_cell(task_in(Phase::Exited), $type_str, Phase::Exited, $e); }
                #[test] fn in_shutting_down() { check_cell(task_in(Phase::ShuttingDown), $type_str, Phase::ShuttingDown, $s); }
                #[test] fn in_dead() { check_cell(task_in(Phase::Dead), $type_str, Phase::Dead, $d); }
            }
        )*
        /// Every kind the crate knows has a row here.
        #[test]
        fn every_kind_has_a_row() {
            let rows = [$( $type_str ),*];
            for &kind in EventKind::ALL {
                let name = kind.type_str().unwrap_or("Some Future Type");
                assert!(rows.contains(&name), "no row for {name}");
            }
        }
    };
}

//   event                                  Pending    Running         Exited     ShuttingDown    Dead
rows! {
    received: "Received"                  => ["=",      "x",            "x",       "x",            "x"],
    task_setup: "Task Setup"              => ["=",      "x",            "x",       "x",            "x"],
    downloading: "Downloading Artifacts"  => ["=",      "x",            "x",       "x",            "x"],
    failed_download: "Failed Artifact Download" => ["=", "x",           "x",       "x",            "x"],
    failed_validation: "Failed Validation" => ["=",     "x",            "x",       "x",            "x"],
    driver_failure: "Driver Failure"      => ["=",      "x",            "x",       "x",            "x"],
    setup_failure: "Setup Failure"        => ["=",      "x",            "x",       "x",            "x"],
    started: "Started"                    => ["Running", "x",           "x",       "x",            "x"],
    terminated: "Terminated"              => ["x",      "Exited",       "x",       "=",            "x"],
    killing: "Killing"                    => ["=",      "=",            "=",       "=",            "x"],
    killed: "Killed"                      => ["Dead",   "Dead",         "Dead",    "Dead",         "x"],
    restarting: "Restarting"              => ["=",      "x",            "Pending", "x",            "x"],
    not_restarting: "Not Restarting"      => ["Dead",   "x",            "Dead",    "x",            "x"],
    restart_signaled: "Restart Signaled"  => ["x",      "=",            "x",       "x",            "x"],
    signaling: "Signaling"                => ["x",      "=",            "x",       "x",            "x"],
    sibling_failed: "Sibling Task Failed" => ["=",      "=",            "=",       "=",            "x"],
    leader_dead: "Leader Task Dead"       => ["=",      "=",            "=",       "=",            "x"],
    main_dead: "Main Tasks Dead"          => ["=",      "=",            "=",       "=",            "x"],
    hook_failed: "Task hook failed"       => ["=",      "=",            "=",       "=",            "x"],
    restore_failed: "Failed Restoring Task" => ["=",    "Pending",      "x",       "x",            "x"],
    waiting_shutdown: "Waiting for shutdown delay" => ["x", "ShuttingDown", "x",   "x",            "x"],
    skipping_shutdown: "Skipping shutdown delay" => ["x", "ShuttingDown", "x",     "x",            "x"],
    driver: "Driver"                      => ["=",      "=",            "=",       "=",            "="],
    disk: "Disk Resources Exceeded"       => ["=",      "=",            "=",       "=",            "="],
    plugin_unhealthy: "Plugin became unhealthy" => ["=", "=",           "=",       "=",            "="],
    plugin_healthy: "Plugin became healthy" => ["=",    "=",            "=",       "=",            "="],
    reconnected: "Reconnected"            => ["=",      "=",            "=",       "=",            "="],
    hook_message: "Task hook message"     => ["=",      "=",            "=",       "=",            "="],
    template: "Template"                  => ["=",      "=",            "=",       "=",            "="],
    alloc_unhealthy: "Alloc Unhealthy"    => ["=",      "=",            "=",       "=",            "="],
    generic: "Generic"                    => ["=",      "=",            "=",       "=",            "="],
    unknown: "Some Future Type"           => ["=",      "=",            "=",       "=",            "="],
}

mod finish {
    use super::*;

    fn check(mut task: TaskState, column: Phase) {
        let before = task.clone();
        let step = task.finish(77);
        assert_eq!((step.from, step.to), (column, Phase::Dead));
        assert_eq!(task.phase(), Phase::Dead);
        assert_eq!(
            task.event_count(),
            before.event_count(),
            "finish adds no event"
        );
        if column == Phase::Dead {
            assert_eq!(task, before, "finish on a dead task is a no-op");
            assert!(!step.changed());
        } else {
            assert_eq!(task.finished_at(), Some(77));
            assert!(step.changed());
        }
    }

    #[test]
    fn in_pending_fresh() {
        check(TaskState::new(), Phase::Pending);
    }
    #[test]
    fn in_pending() {
        check(task_in(Phase::Pending), Phase::Pending);
    }
    #[test]
    fn in_running() {
        check(task_in(Phase::Running), Phase::Running);
    }
    #[test]
    fn in_exited() {
        check(task_in(Phase::Exited), Phase::Exited);
    }
    #[test]
    fn in_shutting_down() {
        check(task_in(Phase::ShuttingDown), Phase::ShuttingDown);
    }
    #[test]
    fn in_dead() {
        check(task_in(Phase::Dead), Phase::Dead);
    }
}

#[test]
fn wire_states_follow_phases() {
    use allocstate::WireState::*;
    let shown: Vec<_> = Phase::ALL.iter().map(|p| p.wire_state()).collect();
    assert_eq!(shown, [Pending, Running, Running, Pending, Dead]);
}

#[test]
fn refusal_messages_name_phase_and_kind() {
    let mut task = task_in(Phase::Running);
    let refused = task.apply(TaskEvent::received(9)).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "`Received` event not allowed in phase Running"
    );
    let mut pending = task_in(Phase::Pending);
    let refused = pending.apply(TaskEvent::received(9)).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "`Received` is accepted only as a task's first event"
    );
    let refused = task
        .apply(TaskEvent::from_type_str(9, "Restarting"))
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "`Restarting` event not allowed in phase Running"
    );
}
