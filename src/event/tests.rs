use super::*;
use crate::kind::shape;
#[cfg(feature = "serde")]
use crate::kind::Key;

#[test]
fn every_kinds_row_fits_the_head_and_the_slots() {
    for &kind in EventKind::ALL {
        let row = shape(kind);
        // The head keeps three presence bits for a kind's own keys.
        assert!(row.keys.len() <= 3, "{kind:?}");
        // Only a second slot is packed.
        #[cfg(feature = "serde")]
        assert!(
            !row.layout.packed() || row.layout.strings() == 2,
            "{kind:?}"
        );
        // `new` marks every own key: the bits read back as the row's.
        let keys = TaskEvent::of_kind(1, kind).head.keys();
        for index in 0..3 {
            let bit = Keys::annotation(index);
            assert_eq!(
                keys.has(bit),
                index < row.keys.len(),
                "{kind:?} key {index}"
            );
        }
    }
}

#[test]
fn debug_reads_as_the_event() {
    extern crate std;
    let event = TaskEvent::restarting(1, 5, "Restart within policy");
    assert_eq!(
        std::format!("{event:?}"),
        "TaskEvent { kind: Restarting, time: 1, detail: Restarting { start_delay: 5, \
         restart_reason: \"Restart within policy\" }, details: [\"start_delay\", \
         \"restart_reason\"] }"
    );
}

#[cfg(feature = "serde")]
#[test]
fn every_details_key_reads_the_field_it_names() {
    use Value::{Duration, Int, Text};
    let cases: [(Detail<'_>, &[Value<'_>]); 10] = [
        (Detail::DriverFailure { driver_error: "d" }, &[Text("d")]),
        (
            Detail::Terminated {
                exit_code: 3,
                signal: 9,
                oom_killed: Some(true),
            },
            &[Int(3), Int(9)],
        ),
        (
            Detail::Killed {
                kill_error: "e",
                kill_reason: "r",
            },
            &[Text("e"), Text("r")],
        ),
        (
            Detail::FailedValidation {
                validation_error: "v",
            },
            &[Text("v")],
        ),
        (
            Detail::Restarting {
                start_delay: 5,
                restart_reason: "r",
            },
            &[Int(5), Text("r")],
        ),
        (
            Detail::Killing {
                kill_timeout: 7,
                kill_reason: "k",
            },
            &[Duration(7), Text("k")],
        ),
        (
            Detail::SetupFailure {
                setup_error: "s",
                kill_reason: "k",
            },
            &[Text("s"), Text("k")],
        ),
        (
            Detail::Signaling {
                task_signal: "SIGHUP",
                task_signal_reason: "why",
                signal: "1",
            },
            &[Text("SIGHUP"), Text("why"), Text("1")],
        ),
        (
            Detail::SiblingTaskFailed {
                failed_sibling: "f",
            },
            &[Text("f")],
        ),
        (Detail::DiskResourcesExceeded { disk_limit: 2 }, &[Int(2)]),
    ];
    for (detail, values) in cases {
        let keys = own_keys(detail.kind());
        assert_eq!(keys.len(), values.len(), "{detail:?}");
        for (key, value) in keys.iter().zip(values) {
            assert_eq!(detail.value(*key), *value, "{detail:?} {key:?}");
        }
        // A key of another kind reads as zero.
        assert_eq!(
            detail.value(Key::FailedSibling),
            match detail {
                Detail::SiblingTaskFailed { .. } => Text("f"),
                _ => Text(""),
            }
        );
    }
}

#[test]
fn every_kind_round_trips_through_detail() {
    for &kind in EventKind::ALL {
        let event = TaskEvent::of_kind(7, kind);
        assert_eq!(event.kind(), kind);
        assert_eq!(event.detail(), Detail::empty(kind));
    }
}

#[test]
fn unknown_type_strings_are_kept_and_known_ones_normalised() {
    let event = TaskEvent::from_type_str(1, "Some Future Type");
    assert_eq!(event.kind(), EventKind::Unknown);
    assert_eq!(event.type_str(), "Some Future Type");
    let known = TaskEvent::from_type_str(1, "Started");
    assert_eq!(known, TaskEvent::started(1));
}

#[test]
fn kind_specific_fields_read_back() {
    let e = TaskEvent::new(
        3,
        Detail::Killed {
            kill_error: "boom",
            kill_reason: "update missing task",
        },
    );
    assert_eq!(
        e.detail(),
        Detail::Killed {
            kill_error: "boom",
            kill_reason: "update missing task"
        }
    );
    let r = TaskEvent::restarting(4, 15_302_026_290, "Restart within policy");
    assert_eq!(
        r.detail(),
        Detail::Restarting {
            start_delay: 15_302_026_290,
            restart_reason: "Restart within policy"
        }
    );
}
