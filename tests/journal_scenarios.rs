//! Issue 22 item 3: the runner scenario files (tests/runner_scenarios/) played by the
//! simulate harness, every input the runner accepts committed to a file journal (a
//! snapshot after the arrival, after each agent restart, and every `K` inputs), and after
//! each input a cut: the journal reopened and recovered into a fresh runner
//! (`RecoveryGlue`), which must persist to the same bytes as the runner that was never
//! interrupted, at that input.
//!
//! The journal's recovery restores with every reattach answered `true` (docs/journal.md).
//! A cut after an agent restart that left a task waiting for its servers
//! (`Place::AwaitingServers`, a failed reattach) is not compared: what such a restore
//! should rebuild is being settled in the runner; those cuts are counted and printed.
//! Where the bytes differ, the histories (each task's events, state, failed flag and
//! restarts, and the client status) are compared. The scenarios that still diverge are
//! listed in `KNOWN` with what is known of why; a divergence outside it fails the test.
//!
//! ```text
//! cargo test --all-features --test journal_scenarios -- --nocapture
//! cargo test --all-features --test journal_scenarios -- --ignored --nocapture  # K = 1..=4
//! ```

#[path = "../examples/simulate/engine.rs"]
#[allow(dead_code)]
mod engine;
#[path = "../examples/simulate/play.rs"]
#[allow(dead_code)]
mod play;
#[path = "../examples/simulate/scenario.rs"]
#[allow(dead_code)]
mod scenario;
#[path = "../examples/simulate/script.rs"]
#[allow(dead_code)]
mod script;

use allocstate::journal::file::FileJournal;
use allocstate::journal::runner::{Input, RecoveryGlue, RunnerSnapshot, What};
use allocstate::journal::Piece;
use allocstate::runner::{Now, Place, Runner};

const SNAPSHOT_MAX: usize = Runner::<{ play::TASKS }>::POSTCARD_MAX_SIZE + 16;

/// What the cuts of the scenarios gave.
#[derive(Default, Debug)]
struct Tally {
    scenarios: usize,
    cuts: usize,
    same_bytes: usize,
    /// Cuts whose recovered runner persists differently but has the same histories.
    same_history: usize,
    /// The scenarios with a cut whose histories differ or whose recovery refused an input.
    diverged: std::collections::BTreeSet<String>,
    /// Inputs before the arrival (no journal yet; not cuts).
    before_arrival: usize,
    /// Cuts while a task waited for its servers after a failed reattach (not compared).
    awaiting_servers: usize,
    problems: Vec<String>,
}

/// Recovers the journal in `dir` into a fresh runner of `scenario`'s group; with the
/// number of inputs the recovered runner refused.
fn recover(
    dir: &std::path::Path,
    scenario: &scenario::Scenario,
) -> (Box<Runner<{ play::TASKS }>>, u32) {
    let (_, recovered) = FileJournal::open(dir).expect("the journal reopens");
    let snapshot = recovered.snapshot.expect("a snapshot after the arrival");
    let mut runner = Box::new(Runner::new(script::group_of(scenario)));
    let mut buf = vec![0u8; SNAPSHOT_MAX];
    let mut glue = RecoveryGlue::new(&mut runner, &mut buf);
    glue.piece(Piece::Chunk {
        offset: 0,
        bytes: &snapshot,
    })
    .expect("the snapshot fits");
    for entry in &recovered.entries {
        glue.piece(Piece::Entry(entry)).expect("the entry applies");
    }
    let recovery = glue.finish().expect("the recovery ends");
    (runner, recovery.refused)
}

/// Each task's events (type, time and message) and state, and the client status: what
/// the scenario files' `Expect` is about.
fn history(runner: &Runner<{ play::TASKS }>) -> serde_json::Value {
    let mut alloc = serde_json::to_value(runner.allocation()).unwrap();
    let states = alloc["TaskStates"].as_object_mut().unwrap();
    for state in states.values_mut() {
        let state = state.as_object_mut().unwrap();
        state.retain(|k, _| ["State", "Failed", "Restarts", "Events"].contains(&k.as_str()));
    }
    serde_json::json!({
        "ClientStatus": alloc["ClientStatus"],
        "TaskStates": alloc["TaskStates"],
    })
}

/// Plays `path` with a cut after every accepted input, a snapshot every `k` inputs.
fn sweep(path: &std::path::Path, k: u32, tally: &mut Tally) {
    let text = std::fs::read_to_string(path).unwrap();
    let scenario = scenario::parse(&text).expect("a valid scenario");
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let dir = std::env::temp_dir().join(format!(
        "allocstate-journal-scenarios-{}-{k}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (mut journal, _) = FileJournal::open(&dir).unwrap();
    let mut simulation = engine::Simulation::new(&scenario).expect("a valid group");
    let mut last = Now::new(0, 0);
    let mut snapshot = vec![0u8; SNAPSHOT_MAX];
    let mut entry = vec![0u8; 512];
    let (mut a, mut b) = (vec![0u8; SNAPSHOT_MAX], vec![0u8; SNAPSHOT_MAX]);
    let mut cut = 0usize;
    let mut hook = |runner: &Runner<{ play::TASKS }>, now: Now, said: Option<What<'_>>| {
        if !runner.arrived() {
            // A desired status given before the arrival: the runtime rebuilds the group
            // from its job until the first snapshot (RunnerSnapshot::write).
            tally.before_arrival += 1;
            return;
        }
        match said {
            Some(what) if journal.entries() + 1 < k => {
                let bytes = Input::new(now, what).encode(last, &mut entry).unwrap();
                journal.commit(bytes).unwrap();
            }
            // The arrival, a restore, or the K-th input: a snapshot in place of it all.
            _ => {
                let bytes = RunnerSnapshot::write(runner, now, &mut snapshot).unwrap();
                journal.snapshot(bytes).unwrap();
            }
        }
        last = now;
        cut += 1;
        tally.cuts += 1;
        if runner
            .task_ids()
            .any(|id| runner.place(id) == Some(Place::AwaitingServers))
        {
            tally.awaiting_servers += 1;
            return;
        }
        let (recovered, refused) = recover(&dir, &scenario);
        if refused > 0 {
            tally.diverged.insert(name.clone());
            tally.problems.push(format!(
                "{name} (K {k}), cut after input {cut}: the recovery refused {refused} input(s)"
            ));
        }
        let want = runner.persist(&mut a).unwrap();
        let got = recovered.persist(&mut b).unwrap();
        if got == want {
            tally.same_bytes += 1;
        } else if history(&recovered) == history(runner) {
            tally.same_history += 1;
        } else {
            tally.diverged.insert(name.clone());
            tally.problems.push(format!(
                "{name} (K {k}), cut after input {cut}: the recovered runner's histories differ\n  \
                 got:  {}\n  want: {}",
                history(&recovered),
                history(runner),
            ));
        }
    };
    simulation
        .run_with(&mut hook)
        .expect("the harness holds the scenario");
    tally.scenarios += 1;
    let _ = std::fs::remove_dir_all(&dir);
}

fn scenarios() -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir("tests/runner_scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
}

/// The scenarios whose recovery, at some cut, does not give the uninterrupted runner's
/// histories (or refuses an input), as of this test's writing. What is known of why:
/// download_retries: the restored runner's restart tracker starts its attempts afresh
/// (Nomad builds the tracker new in `NewTaskRunner`,
/// `client/allocrunner/taskrunner/task_runner.go`, and does not restore it), so a failure
/// the uninterrupted runner ends with `Not Restarting` is `Restarting` after the cut. The
/// `restore_*` ones already restart the agent with a failed reattach (the journal's
/// recovery answers every reattach `true`). The rest are not yet looked into.
const KNOWN: &[&str] = &[
    "check_watcher_restart.json",
    "download_retries.json",
    "handles_artifact_failure.json",
    "lifecycle_batch_restart_running_tasks.json",
    "lifecycle_failed_main_restart_refused.json",
    "lifecycle_leader_main_stopped_unexpectedly.json",
    "lifecycle_leader_main_task_fails_and_restarts_once.json",
    "lifecycle_main_stopped_unexpectedly.json",
    "lifecycle_main_task_fails_and_restarts_once.json",
    "lifecycle_restart_running_tasks.json",
    "lifecycle_shutdown_order.json",
    "recoverable_start_error.json",
    "restore_kill_waiting_on_servers.json",
    "restore_restart.json",
    "restore_system_reattach_failed.json",
    "unregister_consul_retries.json",
];

/// The scenarios that diverge only at other snapshot intervals than 4 (the full sweep),
/// not yet looked into.
const KNOWN_OTHER_K: &[&str] = &[
    "kill_before_start_sibling_fails_first.json",
    "kill_during_blocking_prestart.json",
    "kill_during_restart_wait.json",
    "restart_delay_ends_while_stopping.json",
    "restart_task.json",
    "start_latency_stop_while_starting.json",
    "task_group_shutdown_delay.json",
    "vault_manager_restart.json",
];

fn check(ks: &[u32], known: &[&str]) {
    let mut tally = Tally::default();
    for path in scenarios() {
        for &k in ks {
            sweep(&path, k, &mut tally);
        }
    }
    println!(
        "{} scenario runs, {} cuts ({} inputs before an arrival not journaled): {} recovered \
         to the uninterrupted runner's bytes, {} to the same histories, {} not compared (a \
         task awaiting servers), {} problems (a cut whose histories differ or whose recovery refused an input) in {} \
         scenarios",
        tally.scenarios,
        tally.cuts,
        tally.before_arrival,
        tally.same_bytes,
        tally.same_history,
        tally.awaiting_servers,
        tally.problems.len(),
        tally.diverged.len(),
    );
    println!("diverged: {:?}", tally.diverged);
    assert!(tally.cuts > tally.scenarios, "the hook saw the inputs");
    assert!(
        tally.same_bytes > tally.cuts / 2,
        "most cuts recover exactly"
    );
    let new: Vec<&String> = tally
        .problems
        .iter()
        .filter(|p| !known.iter().any(|known| p.starts_with(known)))
        .collect();
    assert!(
        new.is_empty(),
        "{} cut(s) outside KNOWN diverge:\n{}",
        new.len(),
        new.iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let recovered: Vec<&&str> = known
        .iter()
        .filter(|known| !tally.diverged.contains(**known))
        .collect();
    if !recovered.is_empty() {
        println!("now recovered, to drop from KNOWN: {recovered:?}");
    }
}

/// Every scenario, a snapshot every 4 inputs (entries and snapshots both recovered).
#[test]
fn a_cut_after_any_input_of_a_scenario_recovers_the_uninterrupted_runner() {
    check(&[4], KNOWN);
}

/// The full sweep: a snapshot every 1, 2, 3, 5, 8 and 64 inputs.
#[test]
#[ignore = "the full sweep; the test above covers K = 4"]
fn every_snapshot_interval_recovers_the_uninterrupted_runner() {
    check(&[1, 2, 3, 5, 8, 64], &[KNOWN, KNOWN_OTHER_K].concat());
}
