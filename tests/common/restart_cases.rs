//! The restart tracker's table of cases from Nomad's
//! `client/allocrunner/taskrunner/restarts/restarts.go` (`RestartTracker.GetState`),
//! shared by tests/restart_table.rs and the on-target firmware (ci/qemu-firmware): plain
//! data and `core` only, so it compiles for a microcontroller too.
#![allow(dead_code)] // each user takes its own subset

use allocstate::restart::{JobType, Lifecycle, RestartMode, RestartPolicy, RestartTracker};

pub const MS: i64 = 1_000_000;
pub const SEC: i64 = 1_000 * MS;
pub const MIN: i64 = 60 * SEC;

#[derive(Clone, Copy, Debug)]
pub enum Input {
    Exit(i32),
    Signal(i32),
    ExitError,
    StartErr { recoverable: bool },
    Trigger { failure: bool },
    Killed,
    Nothing,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Want {
    Restart(i64, &'static str),
    NoRestart(&'static str),
    Completed(&'static str),
    Killed,
    NoFailure,
}

pub struct Case {
    pub name: &'static str,
    pub policy: RestartPolicy,
    pub job: JobType,
    pub lifecycle: Lifecycle,
    /// (now, input, expected outcome, count after)
    pub steps: &'static [(i64, Input, Want, u32)],
}

pub const fn policy(attempts: u32, interval: i64, delay: i64, mode: RestartMode) -> RestartPolicy {
    RestartPolicy {
        attempts,
        interval,
        delay,
        mode,
    }
}

/// Deterministic jitter: a fifth of the range, so a 1 s delay becomes 1.05 s.
pub fn fifth(n: u64) -> u64 {
    n / 5
}

pub fn feed(t: &mut RestartTracker, input: Input) {
    match input {
        Input::Exit(code) => t.set_exit_result(code, 0, false),
        Input::Signal(sig) => t.set_exit_result(0, sig, false),
        Input::ExitError => t.set_exit_result(0, 0, true),
        Input::StartErr { recoverable } => t.set_start_error(recoverable),
        Input::Trigger { failure } => t.set_restart_triggered(failure),
        Input::Killed => t.set_killed(),
        Input::Nothing => {}
    }
}

pub const FAIL_2_1M: RestartPolicy = policy(2, MIN, SEC, RestartMode::Fail);
pub const EXCEEDED_2_1M: &str =
    r#"Exceeded allowed attempts 2 in interval 1m0s and mode is "fail""#;
pub const WITHIN: &str = "Restart within policy";
pub const JITTERED_1S: i64 = SEC + SEC / 5 / 4; // 1.05 s

pub const CASES: &[Case] = &[
    Case {
        name: "within policy, then exceeded in fail mode",
        policy: FAIL_2_1M,
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (SEC, Input::Exit(1), Want::Restart(JITTERED_1S, WITHIN), 1),
            (
                2 * SEC,
                Input::Exit(1),
                Want::Restart(JITTERED_1S, WITHIN),
                2,
            ),
            (3 * SEC, Input::Exit(1), Want::NoRestart(EXCEEDED_2_1M), 3),
        ],
    },
    Case {
        name: "delay mode waits until the interval ends, then a new interval",
        policy: policy(1, MIN, SEC, RestartMode::Delay),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                10 * SEC,
                Input::Exit(1),
                Want::Restart(JITTERED_1S, WITHIN),
                1,
            ),
            (
                20 * SEC,
                Input::Exit(1),
                Want::Restart(40 * SEC, "Exceeded allowed attempts, applying a delay"),
                2,
            ),
            (
                MIN,
                Input::Exit(1),
                Want::Restart(0, "Exceeded allowed attempts, applying a delay"),
                3,
            ),
            (
                MIN + 1,
                Input::Exit(1),
                Want::Restart(JITTERED_1S, WITHIN),
                1,
            ),
        ],
    },
    Case {
        name: "interval boundary: exactly at the end is the same interval",
        policy: policy(1, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (0, Input::Exit(1), Want::Restart(JITTERED_1S, WITHIN), 1),
            (
                MIN,
                Input::Exit(1),
                Want::NoRestart(
                    r#"Exceeded allowed attempts 1 in interval 1m0s and mode is "fail""#,
                ),
                2,
            ),
        ],
    },
    Case {
        name: "interval boundary: one ns after the end resets the count, then counts",
        policy: policy(1, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (0, Input::Exit(1), Want::Restart(JITTERED_1S, WITHIN), 1),
            (
                MIN + 1,
                Input::Exit(1),
                Want::Restart(JITTERED_1S, WITHIN),
                1,
            ),
        ],
    },
    Case {
        name: "attempts 0: policy allows no restarts (service, even on success)",
        policy: policy(0, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                0,
                Input::Exit(99),
                Want::NoRestart("Policy allows no restarts"),
                0,
            ),
            (
                1,
                Input::Exit(0),
                Want::NoRestart("Policy allows no restarts"),
                0,
            ),
        ],
    },
    Case {
        name: "attempts 0, batch: success completes, a start error does not",
        policy: policy(0, MIN, SEC, RestartMode::Fail),
        job: JobType::Batch,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                0,
                Input::Exit(0),
                Want::Completed("Policy allows no restarts"),
                0,
            ),
            (
                1,
                Input::StartErr { recoverable: false },
                Want::NoRestart("Policy allows no restarts"),
                0,
            ),
        ],
    },
    Case {
        name: "unrecoverable start error",
        policy: policy(3, MIN, SEC, RestartMode::Delay),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[(
            0,
            Input::StartErr { recoverable: false },
            Want::NoRestart("Error was unrecoverable"),
            1,
        )],
    },
    Case {
        name: "recoverable start error: attempts 1, 10m, delay 0, fail (TestTaskRunner_Run_RecoverableStartError)",
        policy: policy(1, 10 * MIN, 0, RestartMode::Fail),
        job: JobType::Batch,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                0,
                Input::StartErr { recoverable: true },
                Want::Restart(1, WITHIN),
                1,
            ),
            (
                1,
                Input::StartErr { recoverable: true },
                Want::NoRestart(
                    r#"Exceeded allowed attempts 1 in interval 10m0s and mode is "fail""#,
                ),
                2,
            ),
        ],
    },
    Case {
        name: "batch success: restart unnecessary",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::Batch,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                0,
                Input::Exit(0),
                Want::Completed("Restart unnecessary as task terminated successfully"),
                1,
            ),
            (1, Input::Signal(9), Want::Restart(JITTERED_1S, WITHIN), 2),
            (2, Input::ExitError, Want::Restart(JITTERED_1S, WITHIN), 3),
        ],
    },
    Case {
        name: "service success restarts within policy",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::System,
        lifecycle: Lifecycle::main(),
        steps: &[(0, Input::Exit(0), Want::Restart(JITTERED_1S, WITHIN), 1)],
    },
    Case {
        name: "sysbatch success completes",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::Sysbatch,
        lifecycle: Lifecycle::main(),
        steps: &[(
            0,
            Input::Exit(0),
            Want::Completed("Restart unnecessary as task terminated successfully"),
            1,
        )],
    },
    Case {
        name: "ephemeral prestart in a service job completes on success",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::prestart(false),
        steps: &[(
            0,
            Input::Exit(0),
            Want::Completed("Restart unnecessary as task terminated successfully"),
            1,
        )],
    },
    Case {
        name: "poststart sidecar in a batch job restarts on success",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::Batch,
        lifecycle: Lifecycle::poststart(true),
        steps: &[(0, Input::Exit(0), Want::Restart(JITTERED_1S, WITHIN), 1)],
    },
    Case {
        name: "poststop never restarts on success",
        policy: policy(3, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::poststop(),
        steps: &[(
            0,
            Input::Exit(0),
            Want::Completed("Restart unnecessary as task terminated successfully"),
            1,
        )],
    },
    Case {
        name: "killed wins over everything, and clears the flags",
        policy: policy(0, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (0, Input::Killed, Want::Killed, 0),
            (
                1,
                Input::Nothing,
                Want::NoRestart("Policy allows no restarts"),
                0,
            ),
        ],
    },
    Case {
        name: "user-triggered restart: immediate, empty reason, not counted",
        policy: policy(1, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                0,
                Input::Trigger { failure: false },
                Want::Restart(0, ""),
                0,
            ),
            (
                1,
                Input::Trigger { failure: false },
                Want::Restart(0, ""),
                0,
            ),
            (2, Input::Exit(1), Want::Restart(JITTERED_1S, WITHIN), 1),
        ],
    },
    Case {
        name: "check_restart counts: attempts 2, 1m, 10ms, fail (TestTaskRunner_CheckWatcher_Restart)",
        policy: policy(2, MIN, 10 * MS, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (
                SEC,
                Input::Trigger { failure: true },
                Want::Restart(10 * MS + 10 * MS / 5 / 4, WITHIN),
                1,
            ),
            (
                2 * SEC,
                Input::Trigger { failure: true },
                Want::Restart(10 * MS + 10 * MS / 5 / 4, WITHIN),
                2,
            ),
            (
                3 * SEC,
                Input::Trigger { failure: true },
                Want::NoRestart(EXCEEDED_2_1M),
                3,
            ),
        ],
    },
    Case {
        name: "no failure: nothing to do, but the decision is counted",
        policy: policy(1, MIN, SEC, RestartMode::Fail),
        job: JobType::Service,
        lifecycle: Lifecycle::main(),
        steps: &[
            (0, Input::Nothing, Want::NoFailure, 1),
            (
                1,
                Input::Exit(1),
                Want::NoRestart(
                    r#"Exceeded allowed attempts 1 in interval 1m0s and mode is "fail""#,
                ),
                2,
            ),
        ],
    },
];
