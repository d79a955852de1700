//! The ring of the latest ten events and the bookkeeping that survives its evictions.

use allocstate::{EventKind, Phase, TaskEvent, TaskState, MAX_EVENTS};

/// A running task fed `n` annotations (`Driver` events at times 1..=n).
fn running_with_annotations(n: i64) -> TaskState {
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(-2)).unwrap();
    task.apply(TaskEvent::started(-1)).unwrap();
    for t in 1..=n {
        task.apply(TaskEvent::driver(t, "msg")).unwrap();
    }
    task
}

fn times(task: &TaskState) -> Vec<i64> {
    task.events().iter().map(TaskEvent::time).collect()
}

#[test]
fn ten_events_fill_the_ring_without_eviction() {
    let task = running_with_annotations(8);
    assert_eq!(task.events().len(), MAX_EVENTS);
    assert_eq!(task.events().evicted(), 0);
    assert_eq!(times(&task), [-2, -1, 1, 2, 3, 4, 5, 6, 7, 8]);
}

#[test]
fn the_eleventh_event_evicts_the_oldest() {
    let task = running_with_annotations(9);
    assert_eq!(task.events().len(), MAX_EVENTS);
    assert_eq!(task.events().evicted(), 1);
    assert_eq!(task.event_count(), 11);
    assert_eq!(times(&task), [-1, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(
        task.events().oldest().map(TaskEvent::kind),
        Some(EventKind::Started)
    );
    assert_eq!(task.events().latest().map(TaskEvent::time), Some(9));
}

#[test]
fn a_thousand_events_keep_the_latest_ten_in_order() {
    let task = running_with_annotations(998);
    assert_eq!(task.event_count(), 1000);
    assert_eq!(task.events().evicted(), 990);
    assert_eq!(times(&task), (989..=998).collect::<Vec<_>>());
    let reversed: Vec<i64> = task.events().iter().rev().map(TaskEvent::time).collect();
    assert_eq!(reversed, (989..=998).rev().collect::<Vec<_>>());
}

#[test]
fn bookkeeping_survives_eviction() {
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(1)).unwrap();
    task.apply(TaskEvent::started(2)).unwrap();
    task.apply(TaskEvent::terminated(3, 1)).unwrap();
    task.apply(TaskEvent::restarting(4, 10, "Restart within policy"))
        .unwrap();
    task.apply(TaskEvent::started(5)).unwrap();
    // A FailsTask event that is not itself a failure kind.
    task.apply(TaskEvent::killing(6, 0).with_fails_task())
        .unwrap();
    for t in 7..40 {
        task.apply(TaskEvent::driver(t, "noise")).unwrap();
    }
    assert!(task.events().iter().all(|e| e.kind() == EventKind::Driver));
    assert_eq!(task.restarts(), 1);
    assert_eq!(task.last_restart(), Some(4));
    assert_eq!(task.started_at(), Some(5));
    assert!(
        task.failed(),
        "Failed is sticky even after its event is evicted"
    );
    assert_eq!(task.finished_at(), None);
    task.apply(TaskEvent::killed(50)).unwrap();
    assert_eq!(task.finished_at(), Some(50));
    for t in 51..70 {
        task.apply(TaskEvent::driver(t, "after death")).unwrap();
    }
    assert_eq!(task.phase(), Phase::Dead);
    assert_eq!(
        task.finished_at(),
        Some(50),
        "FinishedAt never changes after"
    );
    task.finish(99);
    assert_eq!(task.finished_at(), Some(50));
}

#[test]
fn received_stays_refused_after_the_first_event_is_evicted() {
    let mut task = running_with_annotations(20);
    assert!(task
        .events()
        .iter()
        .all(|e| e.kind() != EventKind::Received));
    assert!(task.apply(TaskEvent::received(0)).is_err());
}

#[test]
fn times_need_not_increase() {
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(100)).unwrap();
    task.apply(TaskEvent::started(50)).unwrap();
    task.apply(TaskEvent::terminated(-5, 0)).unwrap();
    assert_eq!(times(&task), [100, 50, -5]);
    assert_eq!(task.started_at(), Some(50));
}

#[test]
fn a_task_state_can_live_in_a_static() {
    static IDLE: TaskState = TaskState::new();
    assert_eq!(IDLE.phase(), Phase::Pending);
    assert!(IDLE.events().is_empty());
}

#[test]
fn long_strings_are_cut_visibly_at_a_char_boundary() {
    let long = "ü".repeat(allocstate::EVENT_TEXT_CAPACITY);
    let event = TaskEvent::driver_failure(1, &long);
    assert!(event.is_truncated());
    match event.detail() {
        allocstate::Detail::DriverFailure { driver_error } => {
            // "ü" is two bytes: the cut falls on the last whole one that fits.
            assert_eq!(driver_error.len(), allocstate::EVENT_TEXT_CAPACITY / 2 * 2);
            assert!(long.starts_with(driver_error));
        }
        other => panic!("{other:?}"),
    }
    assert!(!TaskEvent::driver_failure(1, "short").is_truncated());
}
