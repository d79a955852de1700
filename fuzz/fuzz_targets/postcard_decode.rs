//! `postcard_decode`: arbitrary bytes into `TaskState::from_postcard` and
//! `Allocation::<4>::from_postcard`. Either an error, or a value whose invariants hold
//! and that re-encodes to exactly the input bytes; the decoded value then keeps working
//! through the validated API.

#![no_main]

use allocstate::{
    Allocation, ClientStatus, EventKind, Phase, TaskEvent, TaskState, WireState,
    CLIENT_DESCRIPTION_CAPACITY, MAX_EVENTS, TASK_NAME_CAPACITY,
};
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

/// What a decoded allocation must satisfy: the wire format's checks (see *Wire formats*
/// in the crate docs) and the client-status rule of the `allocation` module docs.
fn check_alloc(alloc: &Allocation<4>) {
    assert!(alloc.len() <= alloc.capacity());
    assert!(alloc.create_index() <= alloc.modify_index());
    for (i, task) in alloc.tasks().enumerate() {
        assert!(!task.name().is_empty() && task.name().len() <= TASK_NAME_CAPACITY);
        assert_eq!(alloc.index_of(task.name()), Some(i), "names not unique");
        if task.kill_ordered() {
            assert!(!task.role().is_poststop(), "kill-ordered poststop task");
            assert!(
                task.state().event_count() > 0,
                "kill-ordered before any event"
            );
        }
        check_invariants(task.state());
    }
    let derived = alloc.derived_client_status();
    assert_eq!(derived, ClientStatus::of(alloc.tasks().map(|t| t.state())));
    assert!(!matches!(
        derived,
        ClientStatus::Lost | ClientStatus::Unknown
    ));
    match alloc.server_status() {
        None => assert_eq!(alloc.client_status(), derived),
        Some(server) => {
            assert!(matches!(server, ClientStatus::Lost | ClientStatus::Unknown));
            assert_eq!(alloc.client_status(), server);
        }
    }
    assert!(alloc.client_description().len() <= CLIENT_DESCRIPTION_CAPACITY);
    for order in &alloc.orders() {
        let task = alloc.task_at(order.task()).expect("order names a task");
        assert!(!task.role().is_poststop(), "order names a poststop task");
        assert_ne!(task.state().phase(), Phase::Dead, "order names a dead task");
        assert!(!task.kill_ordered(), "order names a task ordered before");
    }
}

/// A decoded allocation re-encodes to exactly its bytes, then keeps obeying the rules:
/// a refused step changes nothing, a change moves the modify index (which saturates),
/// and it still encodes within the bound and decodes back equal.
fn decode_allocation(bytes: &[u8]) {
    let Ok(alloc) = Allocation::<4>::from_postcard(bytes) else {
        return;
    };
    check_alloc(&alloc);
    let mut buf = [0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
    let again = alloc
        .to_postcard(&mut buf)
        .expect("POSTCARD_MAX_SIZE suffices");
    assert_eq!(&*again, bytes, "decode then encode is not byte-identical");

    let mut live = alloc.clone();
    if let Some(first) = alloc.task_at(0).map(|t| t.name().to_owned()) {
        let before = live.clone();
        match live.apply(&first, TaskEvent::killed(1)) {
            Ok(_) => assert!(
                live.changed_since(before.modify_index()) || before.modify_index() == u64::MAX
            ),
            Err(_) => assert_eq!(live, before, "a refused event changed the allocation"),
        }
        check_alloc(&live);
        let before = live.clone();
        let step = live.finish(&first, 2).expect("finish on a known task");
        assert_eq!(live.state(&first).map(TaskState::phase), Some(Phase::Dead));
        if !step.changed() {
            assert_eq!(live, before, "finish on a dead task changed the allocation");
        }
        check_alloc(&live);
    }
    let before = live.modify_index();
    let applied = live.apply_orders(3);
    assert!(live.modify_index() >= before);
    for order in &applied {
        assert!(live.task_at(order.task()).unwrap().kill_ordered());
    }
    check_alloc(&live);
    let bytes = live
        .to_postcard(&mut buf)
        .expect("POSTCARD_MAX_SIZE suffices");
    assert_eq!(Allocation::<4>::from_postcard(bytes).as_ref(), Ok(&live));
}

fuzz_target!(|bytes: &[u8]| {
    decode_allocation(bytes);
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
