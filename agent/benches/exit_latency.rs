//! The agent under load: 64 allocations of 4 raw_exec tasks, each task blocked on a
//! FIFO (no CPU of its own). Measures, for task exits one at a time, the time from the
//! write that lets the task exit to the reply of a blocking query that shows its
//! `Terminated` event (p50, p99); the agent's resident memory at that load; its CPU
//! time and context switches over an idle window (a steady agent sleeps until an
//! event or a timer). Run: `cargo bench -p allocstate-agent --bench exit_latency`
//! (`BENCH_DIR=/dev/shm` to put the data dir on a tmpfs).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../tests/common/mod.rs"]
mod common;

const ALLOCS: u32 = 64;
const TASKS: usize = 4;

fn get(port: u16, path: &str) -> (u64, serde_json::Value) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let index = head
        .lines()
        .find_map(|l| l.strip_prefix("x-nomad-index:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (index, serde_json::from_slice(&raw[split + 4..]).unwrap())
}

fn status_field(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// utime + stime (clock ticks) and context switches over every thread of `pid`.
fn cpu_and_switches(pid: u32) -> (u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    let mut switches = 0;
    for thread in std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
    {
        let tid: u32 = thread.file_name().to_string_lossy().parse().unwrap();
        let status =
            std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/status")).unwrap_or_default();
        for line in status.lines() {
            if line.starts_with("voluntary_ctxt_switches")
                || line.starts_with("nonvoluntary_ctxt_switches")
            {
                switches += line
                    .split_whitespace()
                    .nth(1)
                    .unwrap()
                    .parse::<u64>()
                    .unwrap();
            }
        }
    }
    (ticks, switches)
}

fn main() {
    // BENCH_DIR: where the data dir goes (default: the temp dir); on a tmpfs the fsyncs
    // cost nothing, which separates their share of the latency.
    let root = std::env::var_os("BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let data = root.join(format!("allocstate-agent-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let script = "mkfifo \"$NOMAD_TASK_DIR/go\" && read x < \"$NOMAD_TASK_DIR/go\"; exit 0";
    let task = |i: usize| {
        format!(
            r#"{{"Name":"t{i}","Driver":"raw_exec","Config":{{"command":"/bin/sh","args":["-c",{}]}}}}"#,
            serde_json::to_string(script).unwrap()
        )
    };
    let tasks: Vec<String> = (0..TASKS).map(task).collect();
    let job = format!(
        r#"{{"ID":"bench","Type":"batch","TaskGroups":[{{"Name":"g","Count":{ALLOCS},"RestartPolicy":{{"Attempts":0,"Interval":60000000000,"Delay":0,"Mode":"fail"}},"Tasks":[{}]}}]}}"#,
        tasks.join(",")
    );
    let job_path = data.join("bench.json");
    std::fs::write(&job_path, job).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut agent: Child = Command::new(env!("CARGO_BIN_EXE_allocstate-agent"))
        .arg("run")
        .arg("--data-dir")
        .arg(data.join("d"))
        .arg("--http-addr")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--log-level")
        .arg("warn")
        .arg(&job_path)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let pid = agent.id();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(300);
    // Every task running and blocked on its FIFO.
    let allocs: Vec<String> = loop {
        assert!(Instant::now() < deadline, "the tasks did not all start");
        if TcpStream::connect(("127.0.0.1", port)).is_err() {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        let (index, list) = get(port, "/v1/allocations");
        let list = list.as_array().unwrap().clone();
        let fifos = list.iter().all(|a| {
            let id = a["ID"].as_str().unwrap();
            (0..TASKS).all(|i| {
                data.join("d/alloc")
                    .join(id)
                    .join(format!("t{i}/local/go"))
                    .exists()
            })
        });
        let running = list.len() == ALLOCS as usize
            && list.iter().all(|a| {
                (0..TASKS).all(|i| a["TaskStates"][format!("t{i}")]["State"] == "running")
            });
        if running && fifos {
            break list
                .iter()
                .map(|a| a["ID"].as_str().unwrap().to_string())
                .collect();
        }
        get(port, &format!("/v1/allocations?index={index}&wait=1s"));
    };
    println!(
        "{} allocations x {TASKS} tasks running after {:?}",
        allocs.len(),
        started.elapsed()
    );

    // Idle: nothing happens for a while.
    std::thread::sleep(Duration::from_secs(1));
    let rss = status_field(pid, "VmRSS:");
    let (t0, s0) = cpu_and_switches(pid);
    let idle = Duration::from_secs(10);
    std::thread::sleep(idle);
    let (t1, s1) = cpu_and_switches(pid);
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    println!(
        "idle over {idle:?}: cpu {:.3}% ({} ticks), {} context switches",
        (t1 - t0) as f64 / hz / idle.as_secs_f64() * 100.0,
        t1 - t0,
        s1 - s0
    );
    println!("resident memory at load: {:.1} MiB", rss as f64 / 1024.0);

    // Latency: one exit at a time, every task of every allocation.
    let mut samples = Vec::new();
    for id in &allocs {
        for i in 0..TASKS {
            let (index, _) = get(port, &format!("/v1/allocation/{id}"));
            let id2 = id.clone();
            let fifo: PathBuf = data.join("d/alloc").join(id).join(format!("t{i}/local/go"));
            let (tx, rx) = std::sync::mpsc::channel();
            let waiter = std::thread::spawn(move || {
                let mut seen = 0;
                let mut index = index;
                loop {
                    let (next, alloc) = get(
                        port,
                        &format!("/v1/allocation/{id2}?index={index}&wait=30s"),
                    );
                    let events = alloc["TaskStates"][format!("t{i}")]["Events"]
                        .as_array()
                        .unwrap()
                        .clone();
                    if events.iter().any(|e| e["Type"] == "Terminated") {
                        let _ = tx.send(Instant::now());
                        return;
                    }
                    seen += 1;
                    assert!(seen < 100);
                    index = next;
                }
            });
            // Let the waiter's query reach the agent before the exit (it is answered at
            // once anyway if the exit came first: it compares indexes).
            std::thread::sleep(Duration::from_millis(5));
            let began = Instant::now();
            std::fs::OpenOptions::new()
                .write(true)
                .open(&fifo)
                .unwrap()
                .write_all(b"x\n")
                .unwrap();
            let seen = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("the exit never showed");
            waiter.join().unwrap();
            samples.push(seen - began);
        }
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "exit -> visible in a blocking query, {} exits: p50 {:?}, p99 {:?}, max {:?}",
        samples.len(),
        at(0.50),
        at(0.99),
        samples.last().unwrap()
    );
    let _ = agent.kill();
    let _ = agent.wait();
    common::kill_all_under(&data.join("d/alloc"));
    let _ = std::fs::remove_dir_all(&data);
}
