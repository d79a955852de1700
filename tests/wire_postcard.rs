//! The compact postcard format: round trips, the size bound, corrupted input.

use allocstate::{Detail, TaskEvent, TaskState, WireState};

mod common;

/// Exhaustive natively; under Miri, which interprets every step, a spread sample.
const STRIDE: usize = if cfg!(miri) { 29 } else { 1 };
/// The bit flips tried at each byte (fewer under Miri, for the same reason).
const MASKS: &[u8] = if cfg!(miri) {
    &[0x01, 0xFF]
} else {
    &[0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF]
};

fn sample() -> TaskState {
    let mut task = TaskState::new();
    for event in [
        TaskEvent::received(1_700_000_000_000_000_000),
        TaskEvent::task_setup(1_700_000_000_010_000_000),
        TaskEvent::started(1_700_000_000_100_000_000),
        TaskEvent::terminated_by_signal(1_700_000_001_000_000_000, 137, 9).with_message("OOM"),
        TaskEvent::restarting(
            1_700_000_001_000_000_001,
            15_302_026_290,
            "Restart within policy",
        ),
        TaskEvent::started(1_700_000_016_000_000_000),
        TaskEvent::from_type_str(1_700_000_017_000_000_000, "Future"),
        TaskEvent::new(
            1_700_000_018_000_000_000,
            Detail::Signaling {
                task_signal: "SIGHUP",
                task_signal_reason: "reload",
            },
        ),
        TaskEvent::killing(1_700_000_019_000_000_000, 5_000_000_000)
            .with_display_message("custom")
            .with_fails_task(),
        TaskEvent::killed(1_700_000_020_000_000_000),
        TaskEvent::driver(1_700_000_021_000_000_000, "bye"),
    ] {
        task.apply(event).unwrap();
    }
    task
}

fn encode(task: &TaskState) -> Vec<u8> {
    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    task.to_postcard(&mut buf).unwrap().to_vec()
}

#[test]
fn round_trips() {
    let task = sample();
    assert_eq!(task.events().evicted(), 1);
    let bytes = encode(&task);
    assert_eq!(TaskState::from_postcard(&bytes), Ok(task.clone()));
    assert_eq!(
        TaskState::from_postcard(&encode(&TaskState::new())),
        Ok(TaskState::new())
    );
    let mut fresh = TaskState::new();
    fresh.finish(5);
    assert_eq!(TaskState::from_postcard(&encode(&fresh)), Ok(fresh));
    // postcard's own entry points agree.
    let via_postcard: TaskState =
        postcard::from_bytes(&postcard::to_allocvec(&task).unwrap()).unwrap();
    assert_eq!(via_postcard, task);
}

#[test]
fn trailing_bytes_are_refused() {
    let mut bytes = encode(&sample());
    bytes.push(0);
    assert!(TaskState::from_postcard(&bytes).is_err());
}

/// The largest states this crate can hold (see `common::largest_task_state`).
fn largest() -> Vec<TaskState> {
    vec![common::largest_task_state()]
}

#[test]
fn max_size_bounds_the_largest_state() {
    let mut widest = 0;
    for task in largest() {
        let bytes = encode(&task);
        widest = widest.max(bytes.len());
        println!(
            "largest: {} of {}",
            bytes.len(),
            TaskState::POSTCARD_MAX_SIZE
        );
        assert!(bytes.len() <= TaskState::POSTCARD_MAX_SIZE);
        assert_eq!(TaskState::from_postcard(&bytes), Ok(task.clone()));
        for event in task.events() {
            let mut buf = [0u8; TaskEvent::POSTCARD_MAX_SIZE];
            let used = postcard::to_slice(event, &mut buf).unwrap().len();
            assert!(used <= TaskEvent::POSTCARD_MAX_SIZE);
        }
    }
    assert_eq!(widest, TaskState::POSTCARD_MAX_SIZE, "the bound is tight");
    const { assert!(TaskState::POSTCARD_MAX_SIZE <= 1536) };
}

#[test]
fn every_truncation_is_an_error() {
    for task in [sample(), largest().remove(0)] {
        let bytes = encode(&task);
        for len in (0..bytes.len()).step_by(STRIDE) {
            assert!(
                TaskState::from_postcard(&bytes[..len]).is_err(),
                "prefix {len}"
            );
        }
    }
}

#[test]
fn flipped_bytes_give_errors_or_states_that_reencode_identically() {
    let bytes = encode(&sample());
    let mut accepted = 0;
    for index in (0..bytes.len()).step_by(STRIDE) {
        for mask in MASKS.iter().copied() {
            let mut corrupt = bytes.clone();
            corrupt[index] ^= mask;
            if let Ok(task) = TaskState::from_postcard(&corrupt) {
                accepted += 1;
                assert_eq!(encode(&task), corrupt, "byte {index} ^ {mask:#x}");
            }
        }
    }
    println!("{accepted} corrupted encodings were valid states");
}

#[test]
fn invariants_are_checked() {
    let task = sample();
    let mut bytes = encode(&task);
    // Phase Dead (4) -> Running (1): the events contradict it.
    assert_eq!(bytes[0], 4);
    bytes[0] = 1;
    assert!(TaskState::from_postcard(&bytes).is_err());
    bytes[0] = 9;
    assert!(TaskState::from_postcard(&bytes).is_err());

    // An unknown kind naming a known type.
    let mut forged = TaskState::new();
    forged.apply(TaskEvent::from_type_str(1, "Futur")).unwrap();
    let mut bytes = encode(&forged);
    let at = bytes.windows(5).position(|w| w == b"Futur").unwrap();
    bytes[at..at + 5].copy_from_slice(b"Start");
    bytes.splice(at + 5..at + 5, *b"ed");
    bytes[at - 1] = 7;
    assert!(TaskState::from_postcard(&bytes).is_err());

    // Eleven events claimed.
    let mut eleven = encode(&task);
    let count_at = eleven.len() - encode_events_len(&task);
    assert_eq!(eleven[count_at], 10);
    eleven[count_at] = 11;
    assert!(TaskState::from_postcard(&eleven).is_err());
    assert_eq!(WireState::Dead, task.state());
}

/// Bytes taken by the events sequence (length byte included).
fn encode_events_len(task: &TaskState) -> usize {
    1 + task
        .events()
        .iter()
        .map(|e| postcard::to_allocvec(e).unwrap().len())
        .sum::<usize>()
}
