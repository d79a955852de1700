//! The agent survives its own crash: SIGTERM leaves tasks running, SIGKILL at any
//! moment loses no event and neither duplicates nor orphans a task, and a reused pid is
//! never signalled.

mod common;

use std::time::{Duration, Instant};

use common::*;

fn wait_file(path: &std::path::Path) {
    let deadline = Instant::now() + DEADLINE;
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn started_count(alloc: &serde_json::Value, task: &str) -> usize {
    types(alloc, task)
        .iter()
        .filter(|t| *t == "Started")
        .count()
}

#[test]
fn sigterm_leaves_tasks_running_and_the_next_agent_reattaches() {
    let (mut agent, id) = running("sigterm", "keep", &[service_task("web")], "web");
    let handle = agent.handle(&id, "web").unwrap();
    let pid = handle["pid"].as_i64().unwrap() as i32;
    assert_eq!(agent.terminate(), Some(0));
    assert!(alive(pid), "the task died with the agent");
    assert!(agent.log().contains("agent stopped"));
    assert!(
        !agent.log().contains('\u{1b}'),
        "colour codes in a log that is not a terminal"
    );

    agent.launch();
    let alloc = agent.get(&format!("/v1/allocation/{id}")).json();
    assert_eq!(state(&alloc, "web"), "running");
    assert_eq!(started_count(&alloc, "web"), 1, "started a second time");
    // Reattached: a stop reaches the same process.
    assert_eq!(
        agent.put(&format!("/v1/allocation/{id}/stop"), "").status,
        200
    );
    let alloc = agent.wait(&id, "dead", |a| dead(a, "web"));
    assert_eq!(types(&alloc, "web"), STOPPED_ONCE);
    let deadline = Instant::now() + DEADLINE;
    while alive(pid) {
        assert!(Instant::now() < deadline, "the task outlived its stop");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_torn_last_journal_record_is_dropped_and_the_state_before_it_restored() {
    use std::io::Write;
    let (mut agent, id) = running("torn", "torn", &[service_task("web")], "web");
    agent.kill9();
    let journal = agent
        .data
        .join("d")
        .join("client")
        .join("allocs")
        .join(&id)
        .join("journal");
    let whole = std::fs::metadata(&journal).unwrap().len();
    // What a crash in the middle of an append leaves: a frame head announcing 32 bytes
    // and only three of them.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .unwrap()
        .write_all(&[0x20, 0x00, 0xdf, 0xff, 0x13, 0x01, 0x02])
        .unwrap();
    agent.launch();
    let alloc = agent.get(&format!("/v1/allocation/{id}")).json();
    assert_eq!(state(&alloc, "web"), "running");
    assert_eq!(started_count(&alloc, "web"), 1, "started a second time");
    assert!(agent.log().contains("torn last record"), "{}", agent.log());
    // Restored and compacted: the journal is a fresh snapshot, the torn bytes gone.
    let len = std::fs::metadata(&journal).unwrap().len();
    assert!(len > 0 && len != whole + 7, "{len} bytes");
}

#[test]
fn a_journal_compacted_several_times_restores_the_same_history() {
    // A task that fails at once and is restarted without delay: four or five inputs a
    // run, so 60 restarts take the journal past its snapshot interval (128 inputs)
    // twice, and the agent restores from a compacted journal.
    let t = task("t", "echo run; exit 2", "");
    let restart = r#"{"Attempts":60,"Interval":3600000000000,"Delay":0,"Mode":"fail"}"#;
    let j = job("compact", restart, "", &[t]).replace(r#""Type":"service""#, r#""Type":"batch""#);
    let mut agent = Agent::start("compact", &[&j], None);
    let id = agent.alloc_id("compact");
    let before = agent.wait(&id, "failed for good", |a| dead(a, "t"));
    assert_eq!(before["ClientStatus"], "failed");
    assert_eq!(before["TaskStates"]["t"]["Restarts"], 60);
    // The first snapshot after arrival, then at least two compactions.
    let snapshots = agent
        .log()
        .matches("journal compacted into a snapshot")
        .count();
    assert!(snapshots >= 3, "{snapshots} snapshots");
    agent.kill9();
    agent.launch();
    let after = agent.get(&format!("/v1/allocation/{id}")).json();
    assert_eq!(events(&after, "t"), events(&before, "t"));
    for field in ["State", "Failed", "Restarts", "StartedAt", "FinishedAt"] {
        assert_eq!(
            after["TaskStates"]["t"][field], before["TaskStates"]["t"][field],
            "{field}"
        );
    }
    assert_eq!(after["ClientStatus"], "failed");
    let log = agent
        .get(&format!("/v1/client/fs/logs/{id}?task=t&type=stdout"))
        .text();
    assert_eq!(log.lines().count(), 61, "a run too many or too few");
}

/// A batch task that fails its first run and succeeds its second.
fn fails_once() -> String {
    let t = task(
        "t",
        "echo run; if [ -e \"$NOMAD_ALLOC_DIR/data/once\" ]; then exit 0; fi; touch \"$NOMAD_ALLOC_DIR/data/once\"; exit 3",
        "",
    );
    let restart = r#"{"Attempts":2,"Interval":60000000000,"Delay":2000000000,"Mode":"fail"}"#;
    job("once", restart, "", &[t]).replace(r#""Type":"service""#, r#""Type":"batch""#)
}

const FAILS_ONCE: [&str; 7] = [
    "Received",
    "Task Setup",
    "Started",
    "Terminated",
    "Restarting",
    "Started",
    "Terminated",
];

#[test]
fn a_restart_delay_survives_a_kill_9_of_the_agent_with_the_same_history() {
    // Uninterrupted.
    let j = fails_once();
    let agent = Agent::start("delay-ref", &[&j], None);
    let id = agent.alloc_id("once");
    let reference = agent.wait(&id, "done", |a| dead(a, "t"));
    assert_eq!(types(&reference, "t"), FAILS_ONCE);
    drop(agent);

    // Killed during the restart delay.
    let mut agent = Agent::start("delay", &[&j], None);
    let id = agent.alloc_id("once");
    agent.wait(&id, "Restarting", |a| {
        types(a, "t").contains(&"Restarting".to_string())
    });
    agent.kill9();
    agent.launch();
    let alloc = agent.wait(&id, "done", |a| dead(a, "t"));
    assert_eq!(
        types(&alloc, "t"),
        types(&reference, "t"),
        "{:?}\n{}",
        events(&alloc, "t"),
        agent.log()
    );
    let codes: Vec<i64> = events(&alloc, "t")
        .iter()
        .filter(|e| e.0 == "Terminated")
        .map(|e| e.1)
        .collect();
    assert_eq!(codes, [3, 0]);
    assert_eq!(alloc["ClientStatus"], "complete");
    let log = agent
        .get(&format!("/v1/client/fs/logs/{id}?task=t&type=stdout"))
        .text();
    assert_eq!(log, "run\nrun\n", "a run too many or too few");
}

#[test]
fn a_kill_in_progress_survives_a_kill_9_of_the_agent() {
    let t = stubborn_task("stubborn", 1_500_000_000);
    let (mut agent, id) = running("killing", "killing", &[t], "stubborn");
    let pid = agent.handle(&id, "stubborn").unwrap()["pid"]
        .as_i64()
        .unwrap() as i32;
    assert_eq!(
        agent.put(&format!("/v1/allocation/{id}/stop"), "").status,
        200
    );
    agent.wait(&id, "Killing", |a| {
        types(a, "stubborn").contains(&"Killing".to_string())
    });
    agent.kill9();
    assert!(alive(pid));
    agent.launch();
    let alloc = agent.wait(&id, "dead", |a| dead(a, "stubborn"));
    assert_eq!(types(&alloc, "stubborn"), STOPPED_ONCE);
    let terminated = events(&alloc, "stubborn")
        .into_iter()
        .find(|e| e.0 == "Terminated")
        .unwrap();
    assert_eq!((terminated.1, terminated.2), (137, 9));
    assert!(!alive(pid));
    assert_eq!(alloc["ClientStatus"], "complete");
}

#[test]
fn an_exit_while_the_agent_is_down_is_reported_with_its_real_exit_code() {
    let t = task(
        "t",
        "echo run; while [ ! -e \"$NOMAD_ALLOC_DIR/tmp/go\" ]; do sleep 0.02; done; exit 7",
        "",
    );
    let j = job("exits", NO_RESTART, "", &[t]).replace(r#""Type":"service""#, r#""Type":"batch""#);
    let mut agent = Agent::start("exits", &[&j], None);
    let id = agent.alloc_id("exits");
    agent.wait(&id, "running", |a| state(a, "t") == "running");
    agent.kill9();
    let alloc_dir = agent.data.join("d").join("alloc").join(&id);
    std::fs::write(alloc_dir.join("alloc/tmp/go"), "").unwrap();
    wait_file(&agent.task_private(&id, "t").join("exit.json"));
    agent.launch();
    let alloc = agent.wait(&id, "dead", |a| dead(a, "t"));
    assert_eq!(
        types(&alloc, "t"),
        [
            "Received",
            "Task Setup",
            "Started",
            "Terminated",
            "Not Restarting"
        ]
    );
    assert_eq!(events(&alloc, "t")[3].1, 7);
    assert_eq!(alloc["ClientStatus"], "failed");
    assert_eq!(
        agent
            .get(&format!("/v1/client/fs/logs/{id}?task=t&type=stdout"))
            .text(),
        "run\n"
    );
}

#[test]
fn a_reused_pid_is_never_signalled() {
    let (mut agent, id) = running("reuse", "reuse", &[service_task("web")], "web");
    agent.kill9();
    // The supervisor and the task die while the agent is down, with no exit recorded.
    let mut handle = agent.handle(&id, "web").unwrap();
    let sup = handle["supervisor_pid"].as_i64().unwrap() as i32;
    let pid = handle["pid"].as_i64().unwrap() as i32;
    unsafe { libc::kill(sup, libc::SIGKILL) };
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    let deadline = Instant::now() + DEADLINE;
    while alive(sup) || alive(pid) {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    // Another process now holds the recorded pids (as if reused); start times differ.
    let mut decoy = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let decoy_pid = decoy.id() as i64;
    handle["pid"] = decoy_pid.into();
    handle["supervisor_pid"] = decoy_pid.into();
    std::fs::write(
        agent.task_private(&id, "web").join("handle.json"),
        handle.to_string(),
    )
    .unwrap();

    agent.launch();
    let alloc = agent.wait(&id, "started again", |a| {
        started_count(a, "web") == 2 && state(a, "web") == "running"
    });
    assert!(
        types(&alloc, "web").contains(&"Failed Restoring Task".to_string()),
        "{:?}",
        types(&alloc, "web")
    );
    assert_eq!(
        agent.put(&format!("/v1/allocation/{id}/stop"), "").status,
        200
    );
    agent.wait(&id, "dead", |a| dead(a, "web"));
    assert!(
        decoy.try_wait().unwrap().is_none(),
        "the decoy holding a reused pid was signalled"
    );
    let _ = decoy.kill();
    let _ = decoy.wait();
}

#[test]
fn kill_9_at_random_moments_neither_duplicates_nor_orphans_nor_loses_a_run() {
    let j = job(
        "random",
        r#"{"Attempts":3,"Interval":60000000000,"Delay":100000000,"Mode":"fail"}"#,
        "",
        &[
            task("init", "echo run", r#","Lifecycle":{"Hook":"prestart"}"#),
            task(
                "side",
                "trap 'exit 0' INT TERM; echo run; while :; do sleep 0.05; done",
                r#","Lifecycle":{"Hook":"prestart","Sidecar":true}"#,
            ),
            task("main", "echo run; sleep 0.3; exit 1", ""),
            task("post", "echo run", r#","Lifecycle":{"Hook":"poststop"}"#),
        ],
    );
    let mut agent = Agent::start("random", &[&j], None);
    let id = agent.alloc_id("random");
    // A fixed pseudo-random sequence of kill moments (the test is reproducible).
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..6 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(20 + seed % 300));
        agent.kill9();
        agent.launch();
    }
    let alloc = agent.wait(&id, "all dead", |a| {
        ["init", "side", "main", "post"].iter().all(|t| dead(a, t))
    });
    for t in ["init", "side", "main", "post"] {
        let log = agent
            .get(&format!("/v1/client/fs/logs/{id}?task={t}&type=stdout"))
            .text();
        let runs = log.lines().count();
        let count = alloc["TaskStates"][t]["Events"].as_array().unwrap().len();
        // Every process that ran is a recorded start (the ring keeps ten events, so count
        // only while it holds them all).
        if count < 10 {
            assert_eq!(
                started_count(&alloc, t),
                runs,
                "{t}: {:?}\n{}",
                types(&alloc, t),
                agent.log()
            );
        }
        assert!(runs >= 1, "{t} never ran");
    }
    assert_eq!(
        started_count(&alloc, "init"),
        1,
        "a prestart task ran twice"
    );
    assert_eq!(
        started_count(&alloc, "post"),
        1,
        "the poststop task ran twice"
    );
    // Nothing left behind.
    for t in ["init", "side", "main", "post"] {
        let handle = agent.handle(&id, t).unwrap();
        let pid = handle["pid"].as_i64().unwrap() as i32;
        let sup = handle["supervisor_pid"].as_i64().unwrap() as i32;
        let deadline = Instant::now() + DEADLINE;
        while (alive(pid) && start_time(pid) == handle["start"].as_u64())
            || (alive(sup) && start_time(sup) == handle["supervisor_start"].as_u64())
        {
            assert!(Instant::now() < deadline, "{t} left running");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn a_second_supervisor_of_one_task_is_refused() {
    use std::io::BufRead;
    let dir = std::env::temp_dir().join(format!("allocstate-agent-lock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let supervise = || {
        let mut cmd = std::process::Command::new(bin());
        cmd.arg("supervise")
            .arg("--private")
            .arg(&dir)
            .arg("--run")
            .arg("1")
            .arg("--cwd")
            .arg(&dir)
            .arg("--stdout")
            .arg(dir.join("out"))
            .arg("--stderr")
            .arg(dir.join("err"))
            .args(["--", "sleep", "60"])
            .stdout(std::process::Stdio::piped());
        cmd
    };
    let mut first = supervise().spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(first.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let pid: i32 = line
        .trim()
        .strip_prefix("started ")
        .unwrap()
        .parse()
        .unwrap();
    let second = supervise().output().unwrap();
    assert_eq!(second.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&second.stdout).trim(),
        "error: another supervisor runs this task"
    );
    // The first one's task was not disturbed; its exit is recorded once it ends.
    assert!(alive(pid));
    unsafe { libc::kill(pid, libc::SIGKILL) };
    first.wait().unwrap();
    let exit: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("exit.json")).unwrap()).unwrap();
    assert_eq!(
        (exit["exit_code"].as_i64(), exit["signal"].as_i64()),
        (Some(137), Some(9))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
