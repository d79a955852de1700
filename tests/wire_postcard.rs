//! The compact postcard format: round trips, the size bound, corrupted input.

use allocstate::{
    DecodeError, Detail, EventKind, TaskEvent, TaskState, TaskStateError, WireState,
    EVENT_TEXT_CAPACITY,
};

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
                signal: "SIGUSR1",
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
    assert_eq!(
        TaskState::from_postcard(&bytes),
        Err(DecodeError::TrailingBytes)
    );
}

#[test]
fn a_cut_encoding_is_malformed() {
    let bytes = encode(&sample());
    assert_eq!(
        TaskState::from_postcard(&bytes[..bytes.len() - 1]),
        Err(DecodeError::Malformed)
    );
    assert_eq!(TaskState::from_postcard(&[]), Err(DecodeError::Malformed));
}

#[test]
fn an_overlong_varint_is_non_canonical() {
    // The empty state, with `Restarts` 0 written as the two-byte varint 0x80 0x00.
    let mut bytes = encode(&TaskState::new());
    assert_eq!(bytes[2], 0);
    bytes.splice(2..3, [0x80, 0x00]);
    assert_eq!(
        TaskState::from_postcard(&bytes),
        Err(DecodeError::NonCanonical)
    );
}

#[test]
fn event_text_over_the_capacity_is_named() {
    let mut task = TaskState::new();
    let message = "x".repeat(EVENT_TEXT_CAPACITY);
    task.apply(TaskEvent::received(1).with_message(&message))
        .unwrap();
    let mut bytes = encode(&task);
    let at = bytes
        .windows(EVENT_TEXT_CAPACITY)
        .position(|w| w == message.as_bytes())
        .unwrap();
    // One more byte than the capacity: the length varint grows too when it reaches 128.
    let longer = EVENT_TEXT_CAPACITY + 1;
    let mut length = Vec::new();
    let mut n = longer;
    while n >= 0x80 {
        length.push((n as u8) | 0x80);
        n >>= 7;
    }
    length.push(n as u8);
    let old_len_bytes = if EVENT_TEXT_CAPACITY >= 128 { 2 } else { 1 };
    bytes.splice(at - old_len_bytes..at, length);
    bytes.insert(at + 1, b'x');
    assert_eq!(
        TaskState::from_postcard(&bytes),
        Err(DecodeError::OverCapacity {
            field: "event text"
        })
    );
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
    const { assert!(EVENT_TEXT_CAPACITY != 107 || TaskState::POSTCARD_MAX_SIZE <= 1536) };
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
    assert_eq!(
        TaskState::from_postcard(&bytes),
        Err(DecodeError::InvalidState(
            TaskStateError::StateContradictsEvents
        ))
    );
    bytes[0] = 9;
    assert_eq!(
        TaskState::from_postcard(&bytes),
        Err(DecodeError::UnknownCode {
            field: "phase",
            code: 9
        })
    );

    // An unknown kind naming a known type.
    let mut forged = TaskState::new();
    forged.apply(TaskEvent::from_type_str(1, "Futur")).unwrap();
    let mut bytes = encode(&forged);
    let at = bytes.windows(5).position(|w| w == b"Futur").unwrap();
    bytes[at..at + 5].copy_from_slice(b"Start");
    bytes.splice(at + 5..at + 5, *b"ed");
    bytes[at - 1] = 7;
    assert_eq!(
        TaskState::from_postcard(&bytes),
        Err(DecodeError::NonCanonical)
    );

    // Eleven events claimed.
    let mut eleven = encode(&task);
    let count_at = eleven.len() - encode_events_len(&task);
    assert_eq!(eleven[count_at], 10);
    eleven[count_at] = 11;
    assert_eq!(
        TaskState::from_postcard(&eleven),
        Err(DecodeError::InvalidState(TaskStateError::TooManyEvents))
    );
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

#[test]
fn received_after_evicted_events_is_refused_with_its_invariant() {
    // Regression: `Received` held first, 2 events held, 20 accepted was restored.
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(1)).unwrap();
    task.apply(TaskEvent::started(2)).unwrap();
    let mut bytes = encode(&task);
    // The accepted count sits just before the events.
    let count_at = bytes.len() - encode_events_len(&task) - 1;
    assert_eq!(bytes[count_at], 2);
    bytes[count_at] = 20;
    assert_eq!(
        TaskState::from_postcard(&bytes),
        Err(DecodeError::InvalidState(
            TaskStateError::EventsOutOfOrder {
                index: 0,
                kind: EventKind::Received
            }
        ))
    );
}

#[test]
fn an_unknown_kind_code_is_named() {
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(1)).unwrap();
    let mut bytes = encode(&task);
    // The event's kind code follows the events' length byte.
    assert_eq!(&bytes[7..9], &[1, EventKind::Received.code()]);
    bytes[8] = 200;
    assert_eq!(
        TaskState::from_postcard(&bytes),
        Err(DecodeError::UnknownCode {
            field: "event kind",
            code: 200
        })
    );
}

#[test]
fn decode_errors_say_what_was_wrong() {
    let cases = [
        (DecodeError::Malformed, "malformed"),
        (DecodeError::TrailingBytes, "trailing bytes"),
        (DecodeError::NonCanonical, "non-canonical"),
        (
            DecodeError::InvalidState(TaskStateError::TooManyEvents),
            "more than 10 events",
        ),
        (
            DecodeError::OverCapacity {
                field: "event text",
            },
            "`event text` over capacity",
        ),
    ];
    for (error, text) in cases {
        assert!(error.to_string().contains(text), "{error}");
        let _: &dyn core::error::Error = &error;
    }
}

#[test]
fn a_truncation_survives_the_compact_format_slot_by_slot() {
    let long = "y".repeat(EVENT_TEXT_CAPACITY + 5);
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(1).with_message(&long))
        .unwrap();
    let back = TaskState::from_postcard(&encode(&task)).unwrap();
    assert!(back.events().iter().next().unwrap().is_truncated());
    assert_eq!(back, task);
}

#[test]
fn allocation_decoding_names_what_was_wrong() {
    use allocstate::{Allocation, AllocationError};

    let fresh = TaskState::new();
    let mut started = TaskState::new();
    started.apply(TaskEvent::started(1)).unwrap();
    let task = |name, hook, kill_ordered, state: &TaskState| {
        (name, hook, false, false, 5, kill_ordered, state.clone())
    };
    let ok = common::compact_allocation("a", vec![task("a", 0, false, &fresh)], 1, 2);
    assert!(Allocation::<2>::from_postcard(&ok).is_ok());
    let mut trailing = ok.clone();
    trailing.push(0);
    let cases = [
        (trailing, DecodeError::TrailingBytes),
        (ok[..ok.len() - 1].to_vec(), DecodeError::Malformed),
        (
            common::compact_allocation(
                "a",
                vec![task("a", 0, false, &fresh), task("a", 0, false, &fresh)],
                1,
                2,
            ),
            DecodeError::InvalidAllocation(AllocationError::DuplicateTask),
        ),
        (
            common::compact_allocation(
                "a",
                vec![
                    task("a", 0, false, &fresh),
                    task("b", 0, false, &fresh),
                    task("c", 0, false, &fresh),
                ],
                1,
                2,
            ),
            DecodeError::InvalidAllocation(AllocationError::Full { capacity: 2 }),
        ),
        (
            common::compact_allocation("a", vec![task("", 0, false, &fresh)], 1, 2),
            DecodeError::InvalidAllocation(AllocationError::EmptyName),
        ),
        (
            common::compact_allocation("a", vec![task("a", 4, false, &fresh)], 1, 2),
            DecodeError::UnknownCode {
                field: "lifecycle hook",
                code: 4,
            },
        ),
        (
            common::compact_allocation("a", vec![task("a", 3, true, &started)], 1, 2),
            DecodeError::InvalidAllocation(AllocationError::KillOrderedTask),
        ),
        (
            common::compact_allocation("a", vec![], 3, 2),
            DecodeError::InvalidAllocation(AllocationError::InvalidIndexes {
                create_index: 3,
                modify_index: 2,
            }),
        ),
        (
            common::compact_allocation(&"i".repeat(40), vec![], 0, 0),
            DecodeError::OverCapacity { field: "ID" },
        ),
        (
            {
                let mut bytes = common::compact_allocation("a", vec![], 0, 0);
                *bytes.last_mut().unwrap() = 1 << 6; // a seventh identity field
                bytes
            },
            DecodeError::UnknownCode {
                field: "identity cut mask",
                code: 64,
            },
        ),
    ];
    for (i, (bytes, expected)) in cases.iter().enumerate() {
        assert_eq!(
            Allocation::<2>::from_postcard(bytes),
            Err(*expected),
            "case {i}"
        );
    }
    // A task state's own reason comes through.
    let mut running = common::compact_allocation("a", vec![task("a", 0, false, &started)], 1, 2);
    // The state ends one byte before the end (the identity cut mask follows it).
    let at = running.len() - 2 - postcard::to_allocvec(&started).unwrap().len() + 1;
    assert_eq!(running[at], 1, "the task state's phase: Running");
    running[at] = 0;
    assert_eq!(
        Allocation::<2>::from_postcard(&running),
        Err(DecodeError::InvalidState(
            TaskStateError::StateContradictsEvents
        ))
    );
    // An unknown desired status code.
    let mut bytes = common::compact_allocation("a", vec![], 0, 0);
    assert_eq!(bytes[12], 0, "the desired status follows six short strings");
    bytes[12] = 3;
    assert_eq!(
        Allocation::<2>::from_postcard(&bytes),
        Err(DecodeError::UnknownCode {
            field: "desired status",
            code: 3
        })
    );
}
