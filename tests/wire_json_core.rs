//! Nomad's JSON through serde-json-core, the allocator-free JSON a microcontroller uses:
//! it writes the bytes serde_json writes (but for the one documented difference, the hex
//! case of `\u00XX` escapes), reads the seed allocation and the crate's own output, and
//! refuses an escaped string longer than its unescape buffer with a clear error. The same
//! paths run on the target in ci/qemu-firmware.

use allocstate::{
    Allocation, EventKind, Role, TaskEvent, TaskState, DISPLAY_MESSAGE_MAX_LEN, EVENT_TEXT_CAPACITY,
};

mod common;
use common::{large_task_state, modern};
#[path = "common/loaded_events.rs"]
mod loaded_events;

const SEED: &str = include_str!("data/seed_allocation.json");

/// The largest task state, every field at its longest and its texts full; under Miri
/// (which interprets every byte written and read) texts of an eighth of that, through the
/// same paths.
fn large_task() -> TaskState {
    let text = EVENT_TEXT_CAPACITY / if cfg!(miri) { 8 } else { 1 };
    large_task_state(text)
}

/// Writes with serde-json-core into a buffer large enough for anything here.
fn core_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut buf = vec![0u8; 1 << 20];
    let len = serde_json_core::to_slice(value, &mut buf).unwrap();
    buf.truncate(len);
    buf
}

/// serde_json's output with its `\u00xx` escapes in serde-json-core's upper-case hex.
fn with_upper_case_escapes(json: &[u8]) -> Vec<u8> {
    let mut out = json.to_vec();
    let mut i = 0;
    while i + 6 <= out.len() {
        if out[i] == b'\\' {
            if out[i + 1] == b'u' {
                out[i + 2..i + 6].make_ascii_uppercase();
                i += 6;
            } else {
                i += 2;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// A task whose texts hold every kind of character a JSON writer must escape.
fn task_with_escapes() -> TaskState {
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(1)).unwrap();
    task.apply(
        TaskEvent::driver(2, "tab\tnewline\n\u{1}\u{1f}\u{7f}")
            .with_message("quote\"back\\slash/é"),
    )
    .unwrap();
    task.apply(TaskEvent::started(3).with_message("\u{8}\u{c}\r\u{0}"))
        .unwrap();
    task
}

#[test]
fn writing_gives_serde_json_bytes_but_for_the_hex_case_of_control_escapes() {
    let escaping = task_with_escapes();
    let serde = serde_json::to_vec(&escaping).unwrap();
    let core = core_json(&escaping);
    assert_ne!(core, serde, "the \\u00XX escapes differ in case");
    assert_eq!(core, with_upper_case_escapes(&serde));
    assert!(String::from_utf8_lossy(&core).contains(r"\u001F"));
    assert!(String::from_utf8_lossy(&serde).contains(r"\u001f"));

    // Without control characters other than \b \f \n \r \t: byte for byte.
    for task in [large_task(), TaskState::new()] {
        assert_eq!(core_json(&task), serde_json::to_vec(&task).unwrap());
    }
    let alloc = modern();
    assert_eq!(core_json(&alloc), serde_json::to_vec(&alloc).unwrap());
}

#[test]
fn the_seed_allocation_reads_as_with_serde_json() {
    let want: Allocation = serde_json::from_str(SEED).unwrap();
    let mut unescape = [0u8; 256];
    let mut read: Allocation = Allocation::new();
    let mut de = serde_json_core::de::Deserializer::new(SEED.as_bytes(), Some(&mut unescape));
    Allocation::deserialize_into(&mut de, &mut read).unwrap();
    assert_eq!(de.end().unwrap(), SEED.len());
    assert_eq!(read, want);

    let (by_value, used) =
        serde_json_core::from_slice_escaped::<Allocation>(SEED.as_bytes(), &mut unescape).unwrap();
    assert_eq!((by_value, used), (want, SEED.len()));
}

#[test]
fn the_crates_own_output_reads_back_to_the_same_json() {
    let mut unescape = [0u8; 256];
    for task in [task_with_escapes(), large_task()] {
        let json = core_json(&task);
        let mut back = TaskState::new();
        let mut de = serde_json_core::de::Deserializer::new(&json, Some(&mut unescape));
        TaskState::deserialize_into(&mut de, &mut back).unwrap();
        assert_eq!(core_json(&back), json);
        assert_eq!(back.events().len(), task.events().len());
        // JSON does not carry the truncation flag; everything it carries comes back.
        for (read, written) in back.events().iter().zip(task.events()) {
            assert_eq!(read.detail(), written.detail());
            assert_eq!(read.message(), written.message());
            assert_eq!(read.time(), written.time());
        }
        assert_eq!(
            (back.phase(), back.restarts()),
            (task.phase(), task.restarts())
        );
    }
    let alloc = modern();
    let json = core_json(&alloc);
    let mut back: Allocation<4> = Allocation::new();
    let mut de = serde_json_core::de::Deserializer::new(&json, Some(&mut unescape));
    Allocation::deserialize_into(&mut de, &mut back).unwrap();
    assert_eq!(core_json(&back), json);
}

#[test]
fn an_escaped_string_longer_than_the_unescape_buffer_is_a_clear_error() {
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(1).with_message(&"\"".repeat(40)))
        .unwrap();
    let json = core_json(&task);
    // 40 quotes unescape to 40 bytes: a 32-byte buffer is too small.
    let mut small = [0u8; 32];
    let mut back = TaskState::new();
    back.apply(TaskEvent::received(9)).unwrap();
    let mut de = serde_json_core::de::Deserializer::new(&json, Some(&mut small));
    let error = TaskState::deserialize_into(&mut de, &mut back).unwrap_err();
    assert_eq!(error, serde_json_core::de::Error::EscapedStringIsTooLong);
    assert_eq!(back, TaskState::new(), "left new, never half read");

    // A string without escapes is read in place, whatever its length, and cut visibly.
    let long = "x".repeat(EVENT_TEXT_CAPACITY + 10);
    let json = format!(
        r#"{{"State":"pending","Events":[{{"Type":"Received","Time":1,"Message":"{long}"}}]}}"#
    );
    let mut de = serde_json_core::de::Deserializer::new(json.as_bytes(), Some(&mut small));
    TaskState::deserialize_into(&mut de, &mut back).unwrap();
    let event = back.events().latest().unwrap();
    assert_eq!(event.message().len(), EVENT_TEXT_CAPACITY);
    assert!(event.is_truncated());
}

#[test]
fn an_allocation_decoded_in_place_keeps_roles_only_through_postcard() {
    // JSON carries no lifecycle: read back, every task is `main` (see the crate docs).
    let alloc = modern();
    let json = core_json(&alloc);
    let mut unescape = [0u8; 256];
    let (back, _) =
        serde_json_core::from_slice_escaped::<Allocation<4>>(&json, &mut unescape).unwrap();
    assert!(back.tasks().all(|t| t.role() == Role::main()));
}

#[test]
fn every_kind_at_its_longest_reads_back_through_an_unescape_buffer_of_display_message_max_len() {
    let mut unescape = vec![0u8; DISPLAY_MESSAGE_MAX_LEN];
    for &kind in EventKind::ALL {
        let mut task = TaskState::new();
        assert!(loaded_events::place(&mut task, kind), "{kind:?} placed");
        for event in task.events() {
            assert!(event.display_message().to_string().len() <= DISPLAY_MESSAGE_MAX_LEN);
        }
        let json = core_json(&task);
        let (back, _): (TaskState, _) =
            serde_json_core::from_slice_escaped(&json, &mut unescape).unwrap();
        assert!(back.events().iter().eq(task.events().iter()), "{kind:?}");
        let back: TaskState = serde_json::from_slice(&json).unwrap();
        assert!(back.events().iter().eq(task.events().iter()), "{kind:?}");
    }
}

/// A state whose `Terminated` computes a `DisplayMessage` longer than an event's text
/// capacity, as JSON, and that message.
fn long_computed_message() -> (serde_json::Value, String) {
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(1)).unwrap();
    task.apply(TaskEvent::started(2)).unwrap();
    let controls = "\u{1}".repeat(EVENT_TEXT_CAPACITY / 4);
    task.apply(TaskEvent::terminated(3, 1).with_message(&controls))
        .unwrap();
    let shown = task
        .events()
        .latest()
        .unwrap()
        .display_message()
        .to_string();
    assert!(shown.len() > EVENT_TEXT_CAPACITY, "{}", shown.len());
    (serde_json::to_value(&task).unwrap(), shown)
}

/// Reads `json` with both readers (they must agree) and returns the `Terminated` event.
fn read_terminated(json: &serde_json::Value) -> TaskEvent {
    let text = serde_json::to_vec(json).unwrap();
    let by_serde_json: TaskState = serde_json::from_slice(&text).unwrap();
    let mut unescape = vec![0u8; DISPLAY_MESSAGE_MAX_LEN];
    let (by_core, _): (TaskState, _) =
        serde_json_core::from_slice_escaped(&text, &mut unescape).unwrap();
    assert_eq!(by_core, by_serde_json);
    by_core.events().latest().unwrap().clone()
}

#[test]
fn a_display_message_longer_than_the_capacity_is_recognised_as_the_computed_one() {
    let (json, shown) = long_computed_message();
    let event = read_terminated(&json);
    assert_eq!(event.display_message_override(), None);
    assert!(!event.is_truncated());
    assert_eq!(event.display_message().to_string(), shown);
}

#[test]
fn a_long_display_message_that_differs_anywhere_is_kept_as_an_override_visibly_cut() {
    let (json, shown) = long_computed_message();
    let mut chars: Vec<char> = shown.chars().collect();
    let last = chars.len() - 1;
    // Past the head the reader keeps (length and hash), then within it (bytes).
    for at in [last, 0] {
        let mut changed = chars.clone();
        changed[at] = if changed[at] == 'x' { 'y' } else { 'x' };
        let mut json = json.clone();
        json["Events"][2]["DisplayMessage"] = changed.iter().collect::<String>().into();
        let event = read_terminated(&json);
        let kept = event.display_message_override().expect("an override");
        assert!(changed.iter().collect::<String>().starts_with(kept));
        assert!(event.is_truncated(), "cut to the room left, and says so");
    }
    // Longer by one character, equal as far as the head goes.
    chars.push('!');
    let mut json = json.clone();
    json["Events"][2]["DisplayMessage"] = chars.iter().collect::<String>().into();
    assert!(read_terminated(&json).display_message_override().is_some());
}

/// Nomad's HTTP API form through serde-json-core: `null` zero times, `null` `Details`
/// and `Events`, fields of newer Nomad versions; and encoding/json's zero time alike.
#[test]
fn null_zero_times_and_nil_maps_read_without_an_allocator() {
    use allocstate::{WithZeroTime, ZeroTime};
    let api = br#"{"State":"running","Failed":false,"Restarts":0,"LastRestart":null,
        "StartedAt":"2024-05-02T10:00:01.5Z","FinishedAt":null,"TaskHandle":null,"Paused":false,
        "Events":[{"Type":"Received","Time":1714644000000000000,"Details":null},
                  {"Type":"Started","Time":1714644001500000000,"Details":{}}]}"#;
    let mut unescape = [0u8; 64];
    let mut task = TaskState::new();
    let mut de = serde_json_core::de::Deserializer::new(api, Some(&mut unescape));
    TaskState::deserialize_into(&mut de, &mut task).unwrap();
    assert_eq!(task.last_restart(), None);
    assert_eq!(task.started_at(), Some(1_714_644_001_500_000_000));
    assert_eq!(task.events().len(), 2);
    let written = core_json(&task);
    assert_eq!(written, serde_json::to_vec(&task).unwrap());
    assert!(String::from_utf8_lossy(&written).contains(r#""LastRestart":null"#));

    let go = core_json(&WithZeroTime(&task, ZeroTime::EncodingJson));
    assert!(String::from_utf8_lossy(&go).contains(r#""LastRestart":"0001-01-01T00:00:00Z""#));
    let mut back = TaskState::new();
    let mut de = serde_json_core::de::Deserializer::new(&go, Some(&mut unescape));
    TaskState::deserialize_into(&mut de, &mut back).unwrap();
    assert_eq!(core_json(&back), written);

    let empty = br#"{"State":"pending","LastRestart":null,"StartedAt":null,"FinishedAt":null,"Events":null}"#;
    let mut de = serde_json_core::de::Deserializer::new(empty, Some(&mut unescape));
    TaskState::deserialize_into(&mut de, &mut back).unwrap();
    assert_eq!(back, TaskState::new());
}
