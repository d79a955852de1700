//! The allocation runner against the sequences Nomad's own tests assert
//! (`client/allocrunner/taskrunner/task_runner_linux_test.go`,
//! `client/allocrunner/alloc_runner_test.go`) and the coordinator cases
//! (`client/allocrunner/tasklifecycle/coordinator_test.go`), driven through its API;
//! docs/runner.md has the rules.
//!
//! A case whose histories, task states and client status are all a scenario file can
//! say lives in sim/scenarios/ (run by sim/tests/runner_scenarios.rs). The cases
//! here assert more than that: the commands and their arguments, refusals and their
//! errors, timers and wake times, coordinator stages, event details and messages,
//! persist and restore, and the API's own shape (`Runner::events`, `TaskId`, `describe`).

mod sim;

mod alloc_runner;
mod coordinator;
mod gates;
mod lifecycle_restart;
mod max_run_duration;
mod prestart_hooks;
mod reconnect;
#[cfg(feature = "serde")]
mod restore;
#[cfg(feature = "serde")]
mod restore_handles;
mod runtime_contract;
mod single_runs;
mod task_runner;
mod update_missing_task;
