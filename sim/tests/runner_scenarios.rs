//! The scenario files under `sim/scenarios/` (the sequences Nomad's task runner, alloc
//! runner and coordinator tests assert; docs/runner.md), run through the simulation
//! harness; each file's `Expect` holds the per-task History, final state, Failed, Restarts
//! and the client status that Nomad's test asserts (or that follows from its code).

use allocstate_sim::scenario;
use serde_json::Value;

fn simulate(text: &str) -> Value {
    allocstate_sim::simulate(text).unwrap_or_else(|e| panic!("the scenario plays: {e}"))
}

/// The problems of one scenario file: its histories, task states, client status (and
/// description, when given) against its `Expect`, and a refusal iff its name says so.
fn check(path: &std::path::Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let input: Value = serde_json::from_str(&text).unwrap();
    let expect = &input["Expect"];
    let output = simulate(&text);
    let mut problems = Vec::new();
    if output["History"] != expect["History"] {
        problems.push(format!(
            "History\n  got:  {}\n  want: {}",
            output["History"], expect["History"]
        ));
    }
    let alloc = &output["Allocation"];
    if let Some(want) = expect.get("ClientDescription") {
        if &alloc["ClientDescription"] != want {
            problems.push(format!(
                "ClientDescription: got {}, want {want}",
                alloc["ClientDescription"]
            ));
        }
    }
    if alloc["ClientStatus"] != expect["ClientStatus"] {
        problems.push(format!(
            "ClientStatus: got {}, want {}",
            alloc["ClientStatus"], expect["ClientStatus"]
        ));
    }
    for (task, want) in expect["Tasks"].as_object().unwrap() {
        let state = &alloc["TaskStates"][task];
        for field in ["State", "Failed", "Restarts"] {
            if state[field] != want[field] {
                problems.push(format!(
                    "{task}.{field}: got {}, want {}",
                    state[field], want[field]
                ));
            }
        }
    }
    let refusals = output["Timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("Refused").is_some())
        .count();
    let expects_refusal = path.to_string_lossy().contains("refused");
    if (refusals > 0) != expects_refusal {
        problems.push(format!(
            "{refusals} refused requests; a refusal expected: {expects_refusal}"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}:\n{}", path.display(), problems.join("\n")))
    }
}

/// One named test per scenario file: the case's name says which of Nomad's sequences
/// failed.
macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        /// The files with a named test.
        const NAMED: &[&str] = &[$(stringify!($name)),*];
        mod sequences {
            $(
                #[test]
                fn $name() {
                    let path = std::path::Path::new(allocstate_sim::scenario::DIR)
                        .join(concat!(stringify!($name), ".json"));
                    if let Err(problems) = super::check(&path) {
                        panic!("{problems}");
                    }
                }
            )*
        }
    };
}

scenarios!(
    batch_job_lifecycle,
    check_watcher_restart,
    completed_leader,
    coordinator_failed_init_task,
    coordinator_main_runs_after_many_init_tasks,
    coordinator_only_main_app,
    coordinator_poststart_starts_after_main,
    coordinator_prestart_runs_before_main,
    coordinator_restore_main_running,
    coordinator_restore_poststart_with_sidecar,
    coordinator_restore_poststop_running,
    coordinator_restore_prestart_ephemeral_complete,
    coordinator_restore_prestart_ephemeral_running,
    coordinator_sidecar_never_starts,
    derive_token_unrecoverable,
    destroy,
    dispatch_payload,
    download_list,
    download_raw_exec,
    download_retries,
    evict_with_task_shutdown_delay_and_slow_stop,
    failed_batch,
    failed_sibling,
    handles_artifact_failure,
    kill_before_start_sibling_fails_first,
    kill_during_blocking_prestart,
    kill_during_restart_wait,
    kill_tg_dead_tasks,
    kill_timeout_force_kill,
    lifecycle_batch_restart_entire_allocation_refused,
    lifecycle_batch_restart_running_tasks,
    lifecycle_failed_main_restart_refused,
    lifecycle_leader_main_stopped_unexpectedly,
    lifecycle_leader_main_task_fails_and_restarts_once,
    lifecycle_main_stopped_unexpectedly,
    lifecycle_main_task_fails_and_restarts_once,
    lifecycle_poststart,
    lifecycle_poststop,
    lifecycle_restart_entire_allocation_refused,
    lifecycle_restart_entire_allocation_with_leader_refused,
    lifecycle_restart_leader_main_task,
    lifecycle_restart_main_task,
    lifecycle_restart_poststart_sidecar,
    lifecycle_restart_prestart_sidecar,
    lifecycle_restart_running_tasks,
    lifecycle_restart_stop_from_server,
    lifecycle_shutdown_order,
    mark_failed_kill,
    max_run_duration_not_reached,
    max_run_duration_skips_poststop_tasks,
    max_run_duration_stops_expired_alloc,
    no_shutdown_delay,
    pre_kill_run_on_done,
    prestart_failures_lead_to_failed,
    prestart_hook_failure,
    reconnect_complete,
    reconnect_failed,
    reconnect_pending,
    reconnect_running,
    recover_from_driver_exiting,
    recoverable_start_error,
    restart_signal_task_not_running_refused,
    restart_task,
    restore_completed_batch,
    restore_dead_force_restart_refused,
    restore_kill,
    restore_kill_waiting_on_servers,
    restore_lifecycle_hooks,
    restore_restart,
    restore_running,
    restore_running_terminal,
    restore_system_reattach_failed,
    restore_terminal_reattached_waits_shutdown_delay,
    restart_delay_ends_while_stopping,
    start_latency_stop_while_starting,
    exit_before_start_ack,
    process_survives_force_kill,
    wall_clock_step_back,
    service_job_lifecycle,
    shutdown_delay,
    signal,
    signal_failure,
    simple_batch,
    simple_run,
    stop_exit_code,
    task_failed_kill_tg,
    task_group_shutdown_delay,
    task_leader_kill_tg,
    task_leader_stop_tg,
    task_main_kill_tg,
    template_artifact,
    template_blocking_prestart,
    unregister_consul_retries,
    update_missing_dead_task_refused,
    update_missing_task,
    vault_manager_restart,
);

#[test]
fn every_scenario_file_has_a_named_test() {
    let mut files: Vec<String> = scenario::files()
        .unwrap()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut named: Vec<String> = NAMED.iter().map(|n| n.to_string()).collect();
    named.sort();
    assert_eq!(files, named);
}

#[test]
fn a_refused_restart_is_reported_in_the_timeline_and_changes_nothing() {
    let dir = std::path::Path::new(scenario::DIR);
    let text =
        std::fs::read_to_string(dir.join("lifecycle_restart_entire_allocation_refused.json"))
            .unwrap();
    let output = simulate(&text);
    let refused: Vec<&Value> = output["Timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("Refused").is_some())
        .collect();
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0]["Reason"].as_str().unwrap().contains("dead"),
        "{}",
        refused[0]
    );
}

#[test]
fn malformed_input_names_the_field() {
    let cases = [
        (r#"{"Start": 0}"#, "input.Job: missing"),
        (
            r#"{"Job": {"Type": "web", "TaskGroups": []}, "Start": 0}"#,
            "Job.Type",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"Tasks": [{"Name": "a", "KillTimeout": "5s"}]}]}, "Start": 0}"#,
            "Job.TaskGroups[0].Tasks[0].KillTimeout",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"Tasks": [{"Name": "a"}]}]}, "Start": 0, "Runs": {"a": [{"Exit": 1}]}}"#,
            "Runs.a[0].After: missing",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"Tasks": [{"Name": "a"}]}]}, "Start": 0, "Requests": [{"At": 1, "Desired": "halt"}]}"#,
            "Requests[0].Desired",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"RestartPolicy": {"Mode": "sometimes"}, "Tasks": [{"Name": "a"}]}]}, "Start": 0}"#,
            "Job.TaskGroups[0].RestartPolicy.Mode",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"Tasks": [{"Name": "a"}]}]}, "Start": 0, "Runs": {"a": [{"Template": "Missing: x"}]}}"#,
            "Runs.a[0].Template: only with Blocks",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"Tasks": [{"Name": "a"}]}]}, "Start": 0, "Runs": {"a": [{"Blocks": "5s"}]}}"#,
            "Runs.a[0].Blocks",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"MaxRunDuration": "1h", "Tasks": [{"Name": "a"}]}]}, "Start": 0}"#,
            "Job.TaskGroups[0].MaxRunDuration",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"Tasks": [{"Name": "a"}]}]}, "Start": 0, "Requests": [{"At": 1, "UpdateDrops": 3}]}"#,
            "Requests[0].UpdateDrops",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"Tasks": [{"Name": "a"}]}]}, "Start": 0, "Desired": "later"}"#,
            "input.Desired",
        ),
    ];
    for (input, field) in cases {
        let error = scenario::parse(input).unwrap_err();
        assert!(error.starts_with(field), "{input}: {error}");
    }
}

#[test]
fn unknown_fields_of_a_nomad_job_are_ignored() {
    let input = r#"{"Job": {"ID": "example", "Datacenters": ["dc1"], "TaskGroups": [{"Name": "cache", "Count": 1,
        "Tasks": [{"Name": "redis", "Driver": "docker", "Config": {"image": "redis:7"}, "Resources": {"CPU": 500}}]}]},
        "Start": 1447806038427841000, "Requests": [{"At": 1000000000, "Desired": "stop"}]}"#;
    let output = simulate(input);
    assert_eq!(output["History"]["redis"].as_array().unwrap().len(), 6);
    assert_eq!(output["Allocation"]["ClientStatus"], "complete");
}
