//! `postcard_decode`: arbitrary bytes into `TaskState::from_postcard`. Either an error, or
//! a state whose invariants hold and that re-encodes to exactly the input bytes; the
//! decoded state then keeps working through the validated API.

#![no_main]

use allocstate::{EventKind, Phase, TaskEvent, TaskState, WireState, MAX_EVENTS};
use libfuzzer_sys::fuzz_target;

/// What any state, however obtained, must satisfy.
fn check_invariants(task: &TaskState) {
    let ring = task.events();
    assert!(ring.len() <= MAX_EVENTS, "more than ten events held");
    assert!(task.event_count() >= ring.len() as u64, "count below held");
    assert_eq!(ring.accepted(), task.event_count());
    assert_eq!(ring.evicted(), task.event_count() - ring.len() as u64);
    assert_eq!(ring.iter().count(), ring.len());
    assert!(ring
        .iter()
        .rev()
        .eq(ring.iter().collect::<Vec<_>>().into_iter().rev()));
    assert_eq!(ring.oldest(), ring.iter().next());
    assert_eq!(ring.latest(), ring.iter().last());
    let held_restarts = ring
        .iter()
        .filter(|e| e.kind() == EventKind::Restarting)
        .count() as u64;
    assert!(
        task.restarts() >= held_restarts,
        "restarts below held Restarting"
    );
    let wire = match task.phase() {
        Phase::Pending | Phase::ShuttingDown => WireState::Pending,
        Phase::Running | Phase::Exited => WireState::Running,
        Phase::Dead => WireState::Dead,
    };
    assert_eq!(task.state(), wire);
    assert_eq!(
        task.successful(),
        task.phase() == Phase::Dead && !task.failed()
    );
    for event in ring {
        assert_eq!(event.detail().kind(), event.kind());
        let mut text = String::new();
        use std::fmt::Write;
        write!(text, "{}", event.display_message()).unwrap();
        assert!(event.display_message().matches(&text));
    }
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(task) = TaskState::from_postcard(bytes) else {
        return;
    };
    check_invariants(&task);

    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    let again = task
        .to_postcard(&mut buf)
        .expect("POSTCARD_MAX_SIZE suffices");
    assert_eq!(&*again, bytes, "decode then encode is not byte-identical");

    // The restored state keeps obeying the machine: a refused event changes nothing,
    // finish makes it dead, and it still encodes within the bound.
    let mut live = task.clone();
    for event in [
        TaskEvent::started(1),
        TaskEvent::terminated(2, 1),
        TaskEvent::restarting(3, 1, "r"),
        TaskEvent::killed(4),
    ] {
        let before = live.clone();
        if live.apply(event).is_err() {
            assert_eq!(live, before, "a refused event changed the restored task");
        }
        check_invariants(&live);
    }
    let was_dead = live.phase() == Phase::Dead;
    let before = live.clone();
    live.finish(5);
    assert_eq!(live.phase(), Phase::Dead);
    if was_dead {
        assert_eq!(live, before);
    }
    check_invariants(&live);
    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    let bytes = live
        .to_postcard(&mut buf)
        .expect("POSTCARD_MAX_SIZE suffices");
    assert_eq!(TaskState::from_postcard(bytes).as_ref(), Ok(&live));
});
