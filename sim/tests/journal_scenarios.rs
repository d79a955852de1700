//! Issue 22 item 3: the runner scenario files (sim/scenarios/) played by the
//! simulate harness, every input the runner accepts committed to a file journal (a
//! snapshot after the arrival, after each agent restart, and every `K` inputs), and after
//! each input a cut: the journal reopened and recovered into a fresh runner
//! (`RecoveryGlue`), which must be the runner that was never interrupted, at that input:
//! equal as a whole (`==`: allocation, restart trackers, places and timers, coordinator,
//! jitter generator, clock), persisting to the same bytes, with the same histories, and
//! deciding the same on what comes next (every running task exits, then a tick far
//! ahead: the same steps, events and persisted bytes from both).
//!
//! The snapshot is the runner's exact image (docs/journal.md), so no cut is excused:
//! Nomad's restore rules (a new restart tracker in `NewTaskRunner`,
//! `client/allocrunner/taskrunner/task_runner.go`; a reattach per task) belong to the
//! scenarios' own agent restarts, which the journal records by a snapshot of the
//! restored runner, not to the journal's recovery.
//!
//! ```text
//! cargo test -p allocstate-sim --test journal_scenarios -- --nocapture
//! cargo test -p allocstate-sim --test journal_scenarios -- --include-ignored --nocapture  # K = 1, 2, 3, 5, 8, 64 too
//! ```

use allocstate_sim::{engine, play, scenario, script};

use allocstate::journal::file::FileJournal;
use allocstate::journal::runner::{Input, RecoveryGlue, RunnerSnapshot, What};
use allocstate::journal::Piece;
use allocstate::runner::{Exit, Now, Runner};

const SNAPSHOT_MAX: usize = RunnerSnapshot::max_size::<{ play::TASKS }>();
const PERSIST_MAX: usize = Runner::<{ play::TASKS }>::POSTCARD_MAX_SIZE;

/// What the cuts of the scenarios gave.
#[derive(Default, Debug)]
struct Tally {
    scenarios: usize,
    cuts: usize,
    /// Cuts whose recovered runner equals (`==`) the uninterrupted one.
    same_state: usize,
    /// Cuts whose recovered runner persists to the uninterrupted one's bytes.
    same_bytes: usize,
    /// Cuts whose recovered runner has the uninterrupted one's histories.
    same_history: usize,
    /// Cuts whose recovered runner decides the same on what comes next.
    same_next: usize,
    /// Cuts taken while a task waited for its servers after a failed reattach.
    awaiting_servers: usize,
    /// Inputs before the arrival (no journal yet; not cuts).
    before_arrival: usize,
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
    let mut runner = Box::new(Runner::new(script::group_of(
        &scenario::Lent::of(scenario).digest(),
    )));
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

/// What `runner` does next, as a probe of its trackers, timers and jitter: every task
/// with a process exits with code 1 (in order, a nanosecond apart), then a tick an hour
/// later (`now`: the latest input's time); each step, the events it recorded, and at the end the persisted bytes.
fn next_decisions(runner: &Runner<{ play::TASKS }>, now: Now) -> Vec<String> {
    let mut runner = Box::new(runner.clone());
    let mut seen = Vec::new();
    let mut at = now;
    let ids: Vec<_> = runner.task_ids().collect();
    for id in ids {
        if runner.place(id).is_some_and(|place| place.has_process()) {
            at = Now::new(at.wall + 1, at.mono + 1);
            seen.push(format!("{:?}", runner.exited(at, id, Exit::code(1))));
            seen.push(format!("{:?}", runner.events().collect::<Vec<_>>()));
        }
    }
    const HOUR: i64 = 3_600_000_000_000;
    at = Now::new(at.wall + HOUR, at.mono + HOUR);
    seen.push(format!("{:?}", runner.tick(at)));
    seen.push(format!("{:?}", runner.events().collect::<Vec<_>>()));
    let mut buf = vec![0u8; PERSIST_MAX];
    seen.push(format!(
        "{:?}",
        runner.persist(&mut buf).map(|b| b.to_vec())
    ));
    seen
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
            .any(|id| runner.place(id) == Some(allocstate::runner::Place::AwaitingServers))
        {
            tally.awaiting_servers += 1;
        }
        let (recovered, refused) = recover(&dir, &scenario);
        let at = format!("{name} (K {k}), cut after input {cut}");
        if refused > 0 {
            tally
                .problems
                .push(format!("{at}: the recovery refused {refused} input(s)"));
        }
        if *recovered == *runner {
            tally.same_state += 1;
        } else {
            tally.problems.push(format!(
                "{at}: the recovered runner differs\n  got:  {recovered:?}\n  want: {runner:?}"
            ));
        }
        if recovered.persist(&mut b).unwrap() == runner.persist(&mut a).unwrap() {
            tally.same_bytes += 1;
        } else {
            tally
                .problems
                .push(format!("{at}: the recovered runner persists other bytes"));
        }
        if history(&recovered) == history(runner) {
            tally.same_history += 1;
        } else {
            tally.problems.push(format!(
                "{at}: the recovered runner's histories differ\n  got:  {}\n  want: {}",
                history(&recovered),
                history(runner),
            ));
        }
        if next_decisions(&recovered, now) == next_decisions(runner, now) {
            tally.same_next += 1;
        } else {
            tally
                .problems
                .push(format!("{at}: the recovered runner decides otherwise next"));
        }
    };
    simulation
        .run_with(&mut hook)
        .expect("the harness holds the scenario");
    tally.scenarios += 1;
    let _ = std::fs::remove_dir_all(&dir);
}

fn check(ks: &[u32]) {
    let mut tally = Tally::default();
    for path in scenario::files().expect("the scenario files") {
        for &k in ks {
            sweep(&path, k, &mut tally);
        }
    }
    println!(
        "{} scenario runs, {} cuts ({} inputs before an arrival not journaled; {} cuts while \
         a task awaited its servers): {} recovered to the uninterrupted runner (==), {} to its \
         persisted bytes, {} to its histories, {} to its next decisions; {} problems",
        tally.scenarios,
        tally.cuts,
        tally.before_arrival,
        tally.awaiting_servers,
        tally.same_state,
        tally.same_bytes,
        tally.same_history,
        tally.same_next,
        tally.problems.len(),
    );
    assert!(tally.cuts > tally.scenarios, "the hook saw the inputs");
    assert!(
        tally.problems.is_empty(),
        "{} cut(s) diverge:\n{}",
        tally.problems.len(),
        tally.problems.join("\n")
    );
    assert_eq!(tally.same_state, tally.cuts);
    assert_eq!(tally.same_next, tally.cuts);
}

/// Every scenario, a snapshot every 4 inputs (entries and snapshots both recovered).
#[test]
fn a_cut_after_any_input_of_a_scenario_recovers_the_uninterrupted_runner() {
    check(&[4]);
}

/// The full sweep: a snapshot every 1, 2, 3, 5, 8 and 64 inputs.
#[test]
#[ignore = "the full sweep; the test above covers K = 4"]
fn every_snapshot_interval_recovers_the_uninterrupted_runner() {
    check(&[1, 2, 3, 5, 8, 64]);
}
