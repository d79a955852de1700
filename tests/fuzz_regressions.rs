//! Inputs the fuzz targets (`fuzz/`) found, kept as plain unit tests.

use allocstate::restart::{
    JobType, Lifecycle, RestartMode, RestartOutcome, RestartPolicy, RestartReason, RestartTracker,
};

/// `restart` target, first run: with a delay near 2^62 ns and the largest jitter, the
/// within-policy delay exceeds the integer bound `d + (d-1)/4` by a few nanoseconds,
/// because the `0.25·rand` step is computed in `f64`, as Go computes it. The delay is
/// exactly Go's `d + int64(float64(d-1) * 0.25)`, and the excess stays under
/// `(d >> 55) + 1` (here 42 ns over a 4.8e18 ns bound: 1e-17 relative). Not a library
/// bug; the fuzz target's bound was too tight.
#[test]
fn within_policy_delay_near_i64_max_rounds_like_go() {
    let d: i64 = 3_834_071_105_708_710_747;
    let policy = RestartPolicy {
        attempts: 1_532_713_819,
        interval: 6_582_955_728_264_977_243,
        delay: d,
        mode: RestartMode::Fail,
    };
    let start = 6_582_955_728_264_967_477;
    let mut tracker = RestartTracker::new(policy, JobType::Service, Lifecycle::main(), start);

    tracker.set_restart_triggered(true);
    let mut max = |n: u64| n - 1;
    let first = tracker.decide(6_557_241_057_451_442_176, &mut max);
    let go = d + ((d - 1) as f64 * 0.25) as i64;
    assert_eq!(
        first,
        RestartOutcome::Restart {
            delay: go,
            reason: Some(RestartReason::WithinPolicy)
        }
    );
    let exact = d + (d - 1) / 4;
    assert!(go > exact, "the f64 step rounds up here");
    assert!(go - exact <= (d >> 55) + 1);

    // Then a successful exit of a service at an earlier time: restarted within policy too.
    tracker.set_exit_result(0, 0, false);
    let mut zero = |_n: u64| 0;
    let second = tracker.decide(0, &mut zero);
    assert_eq!(
        second,
        RestartOutcome::Restart {
            delay: d,
            reason: Some(RestartReason::WithinPolicy)
        }
    );
}

/// `ops` and `json_decode`: an event whose own strings fit (`Signaling` with a 100-byte
/// signal name) but whose *computed* `DisplayMessage` is longer than
/// [`EVENT_TEXT_CAPACITY`] arrived from JSON cut, no longer equal to the computed message,
/// and was kept as a cut override ("Task being s"). Fixed: an incoming message is held
/// whole up to the longest a computed one can be and compared exactly.
#[test]
fn long_computed_display_message_survives_json() {
    use allocstate::{TaskEvent, EVENT_TEXT_CAPACITY};

    let event = TaskEvent::signaling_task_signal(1, &"a".repeat(EVENT_TEXT_CAPACITY - 7));
    let shown = event.display_message().to_string();
    assert!(shown.len() > EVENT_TEXT_CAPACITY);
    assert!(!event.is_truncated());
    let json = serde_json::to_string(&event).unwrap();
    let back: TaskEvent = serde_json::from_str(&json).unwrap();
    assert_eq!(back.display_message().to_string(), shown);
    assert!(!back.is_truncated());
    assert_eq!(back, event);
}
