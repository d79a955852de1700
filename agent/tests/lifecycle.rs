//! The agent running real processes: restart policy, kill escalation, reactions,
//! poststop, shutdown delay.

mod common;

use common::*;

#[test]
fn a_crash_loop_restarts_after_real_delays_then_fails() {
    let restart = r#"{"Attempts":2,"Interval":60000000000,"Delay":300000000,"Mode":"fail"}"#;
    let j = job("crashy", restart, "", &[task("t", "echo up; exit 3", "")]);
    let agent = Agent::start("crash", &[&j], None);
    let id = agent.alloc_id("crashy");
    let alloc = agent.wait(&id, "the task to fail", |a| dead(a, "t"));
    assert_eq!(alloc["ClientStatus"], "failed");
    let ev = events(&alloc, "t");
    let kinds: Vec<&str> = ev.iter().map(|e| e.0.as_str()).collect();
    // The latest ten events (the ring drops `Received`).
    assert_eq!(
        kinds,
        [
            "Task Setup",
            "Started",
            "Terminated",
            "Restarting",
            "Started",
            "Terminated",
            "Restarting",
            "Started",
            "Terminated",
            "Not Restarting"
        ]
    );
    for e in ev.iter().filter(|e| e.0 == "Terminated") {
        assert_eq!(e.1, 3, "the real exit code");
    }
    // Each restart waited the policy's delay (jitter only adds).
    for pair in ev.windows(3) {
        if pair[0].0 == "Terminated" && pair[1].0 == "Restarting" {
            assert!(
                pair[2].3 - pair[0].3 >= 300 * MS,
                "restarted too early: {pair:?}"
            );
        }
    }
    let logs = agent.get(&format!("/v1/client/fs/logs/{id}?task=t&type=stdout"));
    assert_eq!(logs.text(), "up\nup\nup\n");
}

#[test]
fn a_task_that_ignores_its_kill_signal_is_force_killed_after_the_kill_timeout() {
    let t = stubborn_task("stubborn", SEC);
    let (agent, id) = running("killtimeout", "stubborn", &[t], "stubborn");
    let r = agent.put(&format!("/v1/allocation/{id}/stop"), "");
    assert_eq!(r.status, 200, "{}", r.text());
    let alloc = agent.wait(&id, "the kill", |a| dead(a, "stubborn"));
    let ev = events(&alloc, "stubborn");
    let killing = ev.iter().find(|e| e.0 == "Killing").expect("Killing");
    let terminated = ev.iter().find(|e| e.0 == "Terminated").expect("Terminated");
    assert_eq!(
        (terminated.1, terminated.2),
        (137, 9),
        "force-killed: {ev:?}"
    );
    assert!(
        terminated.3 - killing.3 >= SEC,
        "killed before the kill timeout"
    );
    assert_eq!(ev.last().unwrap().0, "Killed");
    assert_eq!(alloc["ClientStatus"], "complete");
}

#[test]
fn a_failing_sibling_and_a_dead_leader_stop_the_others() {
    let failing = job(
        "sibling",
        NO_RESTART,
        "",
        &[
            task("bad", "exit 2", ""),
            task(
                "good",
                "trap 'exit 0' INT TERM; while :; do sleep 0.1; done",
                "",
            ),
        ],
    );
    // A batch job: the leader's exit 0 completes it (not a failure).
    let leader = job(
        "leader",
        NO_RESTART,
        "",
        &[
            task("boss", "while [ ! -e \"$NOMAD_ALLOC_DIR/tmp/go\" ]; do sleep 0.05; done; exit 0", r#","Leader":true"#),
            task("worker", "trap 'exit 0' INT TERM; touch \"$NOMAD_ALLOC_DIR/tmp/go\"; while :; do sleep 0.1; done", ""),
        ],
    );
    let leader = leader.replace(r#""Type":"service""#, r#""Type":"batch""#);
    let agent = Agent::start("reactions", &[&failing, &leader], None);
    let id = agent.alloc_id("sibling");
    let alloc = agent.wait(&id, "both dead", |a| dead(a, "bad") && dead(a, "good"));
    assert_eq!(alloc["ClientStatus"], "failed");
    assert!(
        types(&alloc, "good").contains(&"Sibling Task Failed".to_string()),
        "{:?}",
        types(&alloc, "good")
    );
    assert_eq!(alloc["TaskStates"]["bad"]["Failed"], true);

    let id = agent.alloc_id("leader");
    let alloc = agent.wait(&id, "both dead", |a| dead(a, "boss") && dead(a, "worker"));
    assert!(
        types(&alloc, "worker").contains(&"Leader Task Dead".to_string()),
        "{:?}",
        types(&alloc, "worker")
    );
    assert_eq!(alloc["ClientStatus"], "complete");
}

#[test]
fn poststop_runs_last_and_prestart_first_with_nomads_layout_and_env() {
    let j = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/jobs/lifecycle.json"
    ))
    .unwrap();
    let env_task = task(
        "envcheck",
        "echo \"$NOMAD_ALLOC_ID $NOMAD_ALLOC_NAME $NOMAD_ALLOC_INDEX $NOMAD_TASK_NAME $NOMAD_JOB_NAME $NOMAD_JOB_ID $NOMAD_GROUP_NAME\"; echo \"$NOMAD_ALLOC_DIR $NOMAD_TASK_DIR $NOMAD_SECRETS_DIR $PWD\"; echo err >&2",
        r#","Env":{"EXTRA":"x"}"#,
    );
    let envjob = job("envjob", NO_RESTART, "", &[env_task]);
    let agent = Agent::start("poststop", &[&j, &envjob], None);
    let id = agent.alloc_id("lifecycle");
    agent.wait(&id, "server running", |a| {
        state(a, "server") == "running" && state(a, "proxy") == "running"
    });
    let r = agent.put(&format!("/v1/allocation/{id}/stop"), "");
    assert_eq!(r.status, 200);
    let alloc = agent.wait(&id, "all dead", |a| {
        ["init", "proxy", "server", "flush"]
            .iter()
            .all(|t| dead(a, t))
    });
    let started = |t: &str| {
        events(&alloc, t)
            .iter()
            .find(|e| e.0 == "Started")
            .map(|e| e.3)
            .unwrap()
    };
    let ended = |t: &str| {
        events(&alloc, t)
            .iter()
            .rev()
            .find(|e| e.0 == "Terminated")
            .map(|e| e.3)
            .unwrap()
    };
    assert!(ended("init") <= started("server"), "prestart before main");
    assert!(
        started("flush") >= ended("server") && started("flush") >= ended("proxy"),
        "poststop last"
    );
    assert_eq!(alloc["ClientStatus"], "complete");
    let flushed = agent.get(&format!("/v1/client/fs/logs/{id}?task=flush&type=stdout"));
    assert_eq!(flushed.text(), "flushed after lifecycle.web[0] stopped\n");

    let id = agent.alloc_id("envjob");
    agent.wait(&id, "envcheck done", |a| dead(a, "envcheck"));
    let out = agent
        .get(&format!(
            "/v1/client/fs/logs/{id}?task=envcheck&type=stdout"
        ))
        .text();
    let dir = agent
        .data
        .join("d")
        .canonicalize()
        .unwrap()
        .join("alloc")
        .join(&id);
    let expected = format!(
        "{id} envjob.g[0] 0 envcheck envjob envjob g\n{} {} {} {}\n",
        dir.join("alloc").display(),
        dir.join("envcheck/local").display(),
        dir.join("envcheck/secrets").display(),
        dir.join("envcheck").display()
    );
    assert_eq!(out, expected);
    assert_eq!(
        agent
            .get(&format!(
                "/v1/client/fs/logs/{id}?task=envcheck&type=stderr"
            ))
            .text(),
        "err\n"
    );
    for sub in [
        "alloc/data",
        "alloc/logs",
        "alloc/tmp",
        "envcheck/local",
        "envcheck/secrets",
        "envcheck/tmp",
    ] {
        assert!(dir.join(sub).is_dir(), "{sub}");
    }
    assert!(dir.join("alloc/logs/envcheck.stdout.0").is_file());
}

#[test]
fn a_desired_stop_waits_the_shutdown_delay_unless_told_not_to() {
    let t = |name: &str| {
        task(
            name,
            "trap 'exit 0' INT TERM; while :; do sleep 0.05; done",
            r#","ShutdownDelay":700000000"#,
        )
    };
    let a = job("delayed", NO_RESTART, "", &[t("t")]);
    let b = job("undelayed", NO_RESTART, "", &[t("t")]);
    let agent = Agent::start("shutdowndelay", &[&a, &b], None);
    for (jobid, skip) in [("delayed", false), ("undelayed", true)] {
        let id = agent.alloc_id(jobid);
        agent.wait(&id, "running", |a| state(a, "t") == "running");
        let path = if skip {
            format!("/v1/allocation/{id}/stop?no_shutdown_delay=true")
        } else {
            format!("/v1/allocation/{id}/stop")
        };
        assert_eq!(agent.put(&path, "").status, 200);
        let alloc = agent.wait(&id, "dead", |a| dead(a, "t"));
        let ev = events(&alloc, "t");
        let killing = ev.iter().find(|e| e.0 == "Killing").unwrap().3;
        let terminated = ev.iter().find(|e| e.0 == "Terminated").unwrap();
        // The default kill signal (SIGINT) reached the task's trap, though the agent
        // was started with SIGINT ignored: not force-killed.
        assert_eq!((terminated.1, terminated.2), (0, 0), "{ev:?}");
        if skip {
            assert!(
                ev.iter().any(|e| e.0 == "Skipping shutdown delay"),
                "{ev:?}"
            );
        } else {
            assert!(
                ev.iter().any(|e| e.0 == "Waiting for shutdown delay"),
                "{ev:?}"
            );
            assert!(
                terminated.3 - killing >= 700 * MS,
                "stopped before the delay: {ev:?}"
            );
        }
        assert_eq!(alloc["DesiredStatus"], "stop");
    }
}
