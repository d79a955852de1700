//! Nomad's HTTP API: restart and signal, blocking queries, refusals.

mod common;

use std::time::{Duration, Instant};

use common::*;

fn sleeper(name: &str) -> String {
    task(
        name,
        "trap 'echo got USR1' USR1; trap 'exit 0' INT TERM; echo start; while :; do sleep 0.05; done",
        "",
    )
}

#[test]
fn restart_and_signal_requests_reach_the_task() {
    let j = job(
        "svc",
        NO_RESTART,
        "",
        &[
            sleeper("web"),
            task("once", "exit 0", r#","Lifecycle":{"Hook":"prestart"}"#),
        ],
    );
    let agent = Agent::start("restart", &[&j], None);
    let id = agent.alloc_id("svc");
    agent.wait(&id, "running", |a| state(a, "web") == "running");

    let r = agent.put(
        &format!("/v1/client/allocation/{id}/signal"),
        r#"{"Task":"web","Signal":"SIGUSR1"}"#,
    );
    assert_eq!((r.status, r.json()), (200, serde_json::json!({})));
    agent.wait(&id, "Signaling", |a| {
        types(a, "web").contains(&"Signaling".to_string())
    });
    let deadline = Instant::now() + DEADLINE;
    while !agent
        .get(&format!("/v1/client/fs/logs/{id}?task=web&type=stdout"))
        .text()
        .contains("got USR1")
    {
        assert!(Instant::now() < deadline, "the task never got SIGUSR1");
        std::thread::sleep(Duration::from_millis(20));
    }

    let r = agent.put(
        &format!("/v1/client/allocation/{id}/restart"),
        r#"{"TaskName":"web"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let alloc = agent.wait(&id, "restarted", |a| {
        types(a, "web").iter().filter(|t| *t == "Started").count() == 2
    });
    let kinds = types(&alloc, "web");
    assert!(
        kinds.ends_with(
            &["Restart Signaled", "Terminated", "Restarting", "Started"].map(String::from)
        ),
        "{kinds:?}"
    );
    assert_eq!(alloc["TaskStates"]["web"]["Restarts"], 1);

    // Restarting every running task (no body, as `nomad alloc restart` without a task).
    let r = agent.put(&format!("/v1/client/allocation/{id}/restart"), "{}");
    assert_eq!(r.status, 200, "{}", r.text());
    agent.wait(&id, "restarted again", |a| {
        a["TaskStates"]["web"]["Restarts"] == 2 && state(a, "web") == "running"
    });

    // Restart or signal of a task that is not running: Nomad's 500 `Task not running`.
    for (path, body) in [
        ("restart", r#"{"TaskName":"once"}"#),
        ("signal", r#"{"Task":"once","Signal":"SIGHUP"}"#),
    ] {
        let r = agent.put(&format!("/v1/client/allocation/{id}/{path}"), body);
        assert_eq!((r.status, r.text().as_str()), (500, "Task not running"));
    }
}

#[test]
fn a_blocking_query_wakes_on_change_and_times_out_without_one() {
    let j = job("block", NO_RESTART, "", &[sleeper("web")]);
    let agent = Agent::start("blocking", &[&j], None);
    let id = agent.alloc_id("block");
    agent.wait(&id, "running", |a| state(a, "web") == "running");
    let now = agent.get(&format!("/v1/allocation/{id}"));
    let index = now.index();
    assert_eq!(now.json()["ModifyIndex"], index);

    // Nothing changes: it answers at the end of the wait (jitter at most wait/16), same index.
    let began = Instant::now();
    let r = agent.get(&format!("/v1/allocation/{id}?index={index}&wait=400ms"));
    let took = began.elapsed();
    assert_eq!((r.status, r.index()), (200, index));
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(10),
        "{took:?}"
    );

    // A change (a signal) wakes it well before its 20 s wait.
    let port = agent.port;
    let path = format!("/v1/allocation/{id}?index={index}&wait=20s");
    let waiter = std::thread::spawn(move || {
        let began = Instant::now();
        (request(port, "GET", &path, &[], b""), began.elapsed())
    });
    // The waiter is blocked once the agent holds its connection; a later change is seen
    // whenever it arrives, since the waiter compares indexes.
    let r = agent.put(
        &format!("/v1/client/allocation/{id}/signal"),
        r#"{"Task":"web","Signal":"SIGUSR1"}"#,
    );
    assert_eq!(r.status, 200);
    let (r, took) = waiter.join().unwrap();
    assert!(r.index() > index, "woke without a change");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(types(&r.json(), "web").contains(&"Signaling".to_string()));

    // The list blocks too.
    let list = agent.get("/v1/allocations");
    let r = agent.get(&format!(
        "/v1/allocations?index={}&wait=100ms",
        list.index()
    ));
    assert_eq!(r.status, 200);
    assert_eq!(r.json().as_array().unwrap().len(), 1);
}

/// Method, path, headers, body, the expected status and message (empty: any).
type Case<'a> = (
    &'a str,
    String,
    Vec<(&'a str, &'a str)>,
    Vec<u8>,
    u16,
    &'a str,
);

#[test]
fn bad_requests_get_nomads_answers_and_never_a_panic() {
    let j = job("bad", NO_RESTART, "", &[sleeper("web")]);
    let agent = Agent::start("bad", &[&j], Some("secret"));
    let id = agent.alloc_id("bad");
    agent.wait(&id, "running", |a| state(a, "web") == "running");
    let tok = [("X-Nomad-Token", "secret")];
    let unknown = "00000000-1111-2222-3333-444444444444";

    let cases: Vec<Case> = vec![
        (
            "GET",
            format!("/v1/allocation/{unknown}"),
            vec![],
            vec![],
            404,
            "alloc not found",
        ),
        (
            "PUT",
            format!("/v1/allocation/{unknown}/stop"),
            tok.to_vec(),
            vec![],
            404,
            "alloc not found",
        ),
        (
            "PUT",
            format!("/v1/client/allocation/{unknown}/restart"),
            tok.to_vec(),
            b"{}".to_vec(),
            404,
            "Unknown allocation",
        ),
        (
            "PUT",
            format!("/v1/client/allocation/{id}/restart"),
            vec![],
            b"{}".to_vec(),
            403,
            "Permission denied",
        ),
        (
            "PUT",
            format!("/v1/client/allocation/{id}/signal"),
            vec![("X-Nomad-Token", "wrong")],
            b"{}".to_vec(),
            403,
            "Permission denied",
        ),
        (
            "POST",
            format!("/v1/allocation/{id}/stop"),
            vec![],
            vec![],
            403,
            "Permission denied",
        ),
        (
            "PUT",
            format!("/v1/client/allocation/{id}/restart"),
            tok.to_vec(),
            br#"{"TaskName":5}"#.to_vec(),
            400,
            "field TaskName: expected a string",
        ),
        (
            "PUT",
            format!("/v1/client/allocation/{id}/restart"),
            tok.to_vec(),
            br#"{"AllTasks":"yes"}"#.to_vec(),
            400,
            "field AllTasks: expected a boolean",
        ),
        (
            "PUT",
            format!("/v1/client/allocation/{id}/signal"),
            tok.to_vec(),
            br#"{"Signal":"SIGNOPE"}"#.to_vec(),
            400,
            "field Signal: unknown signal \"SIGNOPE\"",
        ),
        (
            "PUT",
            format!("/v1/client/allocation/{id}/signal"),
            tok.to_vec(),
            br#"{"Task":["x"]}"#.to_vec(),
            400,
            "field Task: expected a string",
        ),
        (
            "PUT",
            format!("/v1/client/allocation/{id}/restart"),
            tok.to_vec(),
            b"{not json".to_vec(),
            400,
            "",
        ),
        (
            "PUT",
            format!("/v1/client/allocation/{id}/restart"),
            tok.to_vec(),
            b"[1]".to_vec(),
            400,
            "request body must be a JSON object",
        ),
        (
            "PUT",
            format!("/v1/client/allocation/{id}/restart"),
            tok.to_vec(),
            br#"{"TaskName":"nope"}"#.to_vec(),
            500,
            "Could not find task runner for task: nope",
        ),
        (
            "PUT",
            format!("/v1/client/allocation/{id}/restart"),
            tok.to_vec(),
            vec![b' '; 64 * 1024],
            413,
            "",
        ),
        (
            "GET",
            format!("/v1/allocation/{id}?index=x"),
            vec![],
            vec![],
            400,
            "Invalid index",
        ),
        (
            "GET",
            format!("/v1/allocation/{id}?index=1&wait=5"),
            vec![],
            vec![],
            400,
            "Invalid wait time",
        ),
        (
            "GET",
            format!("/v1/client/fs/logs/{id}?type=stdout"),
            vec![],
            vec![],
            400,
            "must include task name",
        ),
        (
            "GET",
            format!("/v1/client/fs/logs/{id}?task=web&type=x"),
            vec![],
            vec![],
            400,
            "must include a log type of stdout or stderr",
        ),
        (
            "GET",
            format!("/v1/client/fs/logs/{id}?task=..%2F..%2Fx&type=stdout"),
            vec![],
            vec![],
            404,
            "",
        ),
        (
            "PUT",
            format!("/v1/allocation/{id}/stop?no_shutdown_delay=maybe"),
            tok.to_vec(),
            vec![],
            400,
            "",
        ),
    ];
    for (method, path, headers, body, status, message) in cases {
        let r = agent.request(method, &path, &headers, &body);
        assert_eq!(r.status, status, "{method} {path}: {}", r.text());
        if !message.is_empty() {
            assert_eq!(r.text(), message, "{method} {path}");
        }
    }
    // Garbage on the socket is answered or dropped; the agent still serves.
    for junk in [
        &b"\x00\x01\x02\r\n\r\n"[..],
        b"GET / HTTP/9.9\r\n\r\n",
        b"PUT /v1/allocation/\xff HTTP/1.1\r\n\r\n",
    ] {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", agent.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = s.write_all(junk);
        let _ = s.read_to_end(&mut Vec::new());
    }
    assert_eq!(agent.get(&format!("/v1/allocation/{id}")).status, 200);
    // Nothing the refusals sent changed the allocation.
    let alloc = agent.get(&format!("/v1/allocation/{id}")).json();
    assert_eq!(state(&alloc, "web"), "running");
    assert_eq!(alloc["DesiredStatus"], "run");
}

#[test]
fn the_agent_refuses_to_start_with_a_clear_message() {
    let dir =
        std::env::temp_dir().join(format!("allocstate-agent-refusals-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin())
            .arg("run")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let docker = dir.join("docker.json");
    std::fs::write(&docker, r#"{"ID":"d","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t","Driver":"docker","Config":{"image":"redis"}}]}]}"#).unwrap();
    let data = dir.join("data");
    let data = data.to_str().unwrap();
    let (code, err) = run(&[
        "--data-dir",
        data,
        "--http-addr",
        "127.0.0.1:0",
        docker.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("driver \"docker\" is not supported"), "{err}");

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, err) = run(&["--data-dir", data, "--http-addr", &addr]);
    assert_eq!(code, Some(1));
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");

    let file = dir.join("a-file");
    std::fs::write(&file, "").unwrap();
    let (code, err) = run(&[
        "--data-dir",
        file.to_str().unwrap(),
        "--http-addr",
        "127.0.0.1:0",
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("data dir"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
