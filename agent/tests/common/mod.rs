//! A real agent in a temporary data dir, talked to over HTTP on loopback. Every wait is
//! on a condition with a deadline (blocking queries where possible), never a fixed sleep.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const SEC: i64 = 1_000_000_000;
pub const MS: i64 = 1_000_000;

/// The longest any single wait in a test may take.
pub const DEADLINE: Duration = Duration::from_secs(30);

static NEXT: AtomicU32 = AtomicU32::new(0);

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn index(&self) -> u64 {
        self.header("X-Nomad-Index")
            .and_then(|v| v.parse().ok())
            .expect("X-Nomad-Index")
    }
}

pub struct Agent {
    pub data: PathBuf,
    pub port: u16,
    pub child: Option<Child>,
    jobs: Vec<PathBuf>,
    token: Option<String>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_allocstate-agent")
}

impl Agent {
    /// A fresh data dir with `jobs` (JSON texts) written into it, and the agent started.
    pub fn start(name: &str, jobs: &[&str], token: Option<&str>) -> Agent {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let data = std::env::temp_dir().join(format!(
            "allocstate-agent-test-{}-{name}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).unwrap();
        let mut paths = Vec::new();
        for (i, job) in jobs.iter().enumerate() {
            let path = data.join(format!("job{i}.json"));
            std::fs::write(&path, job).unwrap();
            paths.push(path);
        }
        let mut agent = Agent {
            data,
            port: free_port(),
            child: None,
            jobs: paths,
            token: token.map(str::to_string),
        };
        agent.launch();
        agent
    }

    /// Starts the agent process (again) on the same data dir and jobs.
    pub fn launch(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data.join("agent.log"))
            .unwrap();
        let mut cmd = Command::new(bin());
        cmd.arg("run")
            .arg("--data-dir")
            .arg(self.data.join("d"))
            .arg("--http-addr")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--log-level")
            .arg("debug")
            .args(&self.jobs)
            .env_remove("ALLOCSTATE_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        if let Some(token) = &self.token {
            cmd.arg("--token").arg(token);
        }
        // As a shell's background job starts it: SIGINT ignored. The tasks must still
        // get their default kill signal (SIGINT) with its default disposition.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
                libc::signal(libc::SIGINT, libc::SIG_IGN);
                Ok(())
            });
        }
        self.child = Some(cmd.spawn().unwrap());
        let deadline = Instant::now() + DEADLINE;
        loop {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                break;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("agent exited at start ({status}): {}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "agent did not listen: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data.join("agent.log")).unwrap_or_default()
    }

    /// SIGKILL of the agent (its tasks live on under their supervisors).
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            self.wait_port_free();
        }
    }

    /// Waits until nothing listens on the agent's port any more. The agent may have been
    /// killed between forking a supervisor and that child's exec: until the exec closes
    /// it, the child holds the agent's listening socket, so the next agent's bind would
    /// fail, or (worse) `launch` would see that socket accept and take it for the next
    /// agent, whose first request would then be reset when the exec closes it.
    fn wait_port_free(&self) {
        let deadline = Instant::now() + DEADLINE;
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(
                Instant::now() < deadline,
                "port {} still listening after the agent exited",
                self.port
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// SIGTERM of the agent; waits for it to exit and returns its status code.
    pub fn terminate(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                self.wait_port_free();
                return status.code();
            }
            assert!(Instant::now() < deadline, "agent did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        request(self.port, method, path, headers, body)
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], b"")
    }

    pub fn put(&self, path: &str, body: &str) -> Response {
        let token = self.token.clone().unwrap_or_default();
        self.request("PUT", path, &[("X-Nomad-Token", &token)], body.as_bytes())
    }

    /// The ID of the first allocation of `job`.
    pub fn alloc_id(&self, job: &str) -> String {
        self.wait_allocs(|allocs| allocs.iter().any(|a| a["JobID"] == job));
        let allocs = self.get("/v1/allocations").json();
        allocs
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["JobID"] == job)
            .map(|a| a["ID"].as_str().unwrap().to_string())
            .unwrap()
    }

    fn wait_allocs(&self, done: impl Fn(&Vec<Value>) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let r = self.get("/v1/allocations");
            if r.status == 200 && done(r.json().as_array().unwrap()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no such allocations: {}",
                self.log()
            );
            let index = r.index();
            self.get(&format!("/v1/allocations?index={index}&wait=2s"));
        }
    }

    /// Waits, through blocking queries, until `done` holds for the allocation; returns it.
    pub fn wait(&self, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DEADLINE;
        let mut index = 0;
        loop {
            let r = self.get(&format!("/v1/allocation/{id}?index={index}&wait=2s"));
            assert_eq!(r.status, 200, "{}", r.text());
            let alloc = r.json();
            if done(&alloc) {
                return alloc;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {}\n{}",
                serde_json::to_string_pretty(&alloc).unwrap(),
                self.log()
            );
            index = r.index();
        }
    }

    /// The handle the supervisor recorded for a task.
    pub fn handle(&self, id: &str, task: &str) -> Option<Value> {
        let path = self.task_private(id, task).join("handle.json");
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }

    pub fn task_private(&self, id: &str, task: &str) -> PathBuf {
        self.data
            .join("d")
            .join("alloc")
            .join(id)
            .join(task)
            .join("private")
    }

    /// Kills every supervisor and task this agent started (pid and start time checked).
    pub fn kill_all_tasks(&self) {
        kill_all_under(&self.data.join("d").join("alloc"));
    }
}

/// Kills every supervisor and task recorded under `alloc_root` (pid and start time
/// checked, so that no other process is hit).
pub fn kill_all_under(alloc_root: &Path) {
    for handle in handles(alloc_root) {
        let pid = handle["pid"].as_i64().unwrap() as i32;
        let sup = handle["supervisor_pid"].as_i64().unwrap() as i32;
        if start_time(pid) == handle["start"].as_u64() {
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
        if start_time(sup) == handle["supervisor_start"].as_u64() {
            unsafe { libc::kill(sup, libc::SIGKILL) };
        }
    }
}

fn handles(alloc_root: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for alloc in std::fs::read_dir(alloc_root)
        .into_iter()
        .flatten()
        .flatten()
    {
        for task in std::fs::read_dir(alloc.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = task.path().join("private").join("handle.json");
            if let Ok(bytes) = std::fs::read(path) {
                if let Ok(v) = serde_json::from_slice(&bytes) {
                    out.push(v);
                }
            }
        }
    }
    out
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.kill9();
        self.kill_all_tasks();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.data);
        }
    }
}

pub fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Whether `pid` is a live (not zombie) process.
pub fn alive(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat[stat.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .next()
        .unwrap_or("");
    state != "Z" && state != "X"
}

pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// The events of `task` as (Type, ExitCode, Signal, Time).
pub fn events(alloc: &Value, task: &str) -> Vec<(String, i64, i64, i64)> {
    alloc["TaskStates"][task]["Events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .map(|e| {
                    (
                        e["Type"].as_str().unwrap_or("").to_string(),
                        e["ExitCode"].as_i64().unwrap_or(0),
                        e["Signal"].as_i64().unwrap_or(0),
                        e["Time"].as_i64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn types(alloc: &Value, task: &str) -> Vec<String> {
    events(alloc, task).into_iter().map(|e| e.0).collect()
}

pub fn state(alloc: &Value, task: &str) -> String {
    alloc["TaskStates"][task]["State"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

pub fn dead(alloc: &Value, task: &str) -> bool {
    state(alloc, task) == "dead"
}

/// A raw_exec task as Nomad's JSON writes it.
pub fn task(name: &str, script: &str, extra: &str) -> String {
    let script = serde_json::to_string(script).unwrap();
    format!(
        r#"{{"Name":"{name}","Driver":"raw_exec","Config":{{"command":"/bin/sh","args":["-c",{script}]}}{extra}}}"#
    )
}

/// A service job of one group.
pub fn job(id: &str, restart: &str, group_extra: &str, tasks: &[String]) -> String {
    format!(
        r#"{{"Job":{{"ID":"{id}","Name":"{id}","Type":"service","TaskGroups":[{{"Name":"g","Count":1,"RestartPolicy":{restart}{group_extra},"Tasks":[{}]}}]}}}}"#,
        tasks.join(",")
    )
}

pub const NO_RESTART: &str = r#"{"Attempts":0,"Interval":60000000000,"Delay":0,"Mode":"fail"}"#;

/// A task that runs until its kill signal (SIGINT or SIGTERM), which it traps to exit 0;
/// it prints `run` once.
pub fn service_task(name: &str) -> String {
    task(
        name,
        "trap 'exit 0' INT TERM; echo run; while :; do sleep 0.05; done",
        "",
    )
}

/// A task that ignores SIGTERM and SIGINT, so that only the kill after its kill timeout
/// (`kill_timeout` nanoseconds; its kill signal SIGTERM) ends it.
pub fn stubborn_task(name: &str, kill_timeout: i64) -> String {
    task(
        name,
        "trap '' TERM INT; while :; do sleep 0.05; done",
        &format!(r#","KillTimeout":{kill_timeout},"KillSignal":"SIGTERM""#),
    )
}

/// An agent running the service job `id` (no restarts) of `tasks`, once `task` runs;
/// with the allocation's ID.
pub fn running(name: &str, id: &str, tasks: &[String], task: &str) -> (Agent, String) {
    let j = job(id, NO_RESTART, "", tasks);
    let agent = Agent::start(name, &[&j], None);
    let alloc = agent.alloc_id(id);
    agent.wait(&alloc, "running", |a| state(a, task) == "running");
    (agent, alloc)
}

/// The history of a task that ran once and was stopped by the agent.
pub const STOPPED_ONCE: [&str; 6] = [
    "Received",
    "Task Setup",
    "Started",
    "Killing",
    "Terminated",
    "Killed",
];
