//! build.rs's part for the runner scenarios: each file of sim/scenarios is read with the
//! simulation harness's own reader (allocstate-sim's `scenario`), digested into statics the
//! firmware plays (`script::Digest`, written as Rust), and played here on the host by the
//! same loop (`play`) into the transcript the firmware must reproduce byte for byte.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use allocstate::restart::{JobType, RestartMode, RestartPolicy};
use allocstate::runner::Runner;
use allocstate::{DesiredStatus, Role};

use allocstate_sim::play::{Lines, Player, TASKS};
use allocstate_sim::scenario;
use allocstate_sim::script::{self, Digest, Request};

/// The persist buffer the firmware lends the player (its JSON buffer): the host plays
/// with the same size, so both meet the same limits.
pub const BUF: usize = 12 * 1024;

fn job(job: JobType) -> &'static str {
    match job {
        JobType::Service => "JobType::Service",
        JobType::Batch => "JobType::Batch",
        JobType::System => "JobType::System",
        JobType::Sysbatch => "JobType::Sysbatch",
    }
}

fn policy(p: &RestartPolicy) -> String {
    let mode = match p.mode {
        RestartMode::Fail => "Fail",
        RestartMode::Delay => "Delay",
    };
    format!(
        "RestartPolicy {{ attempts: {}, interval: {}, delay: {}, mode: RestartMode::{mode} }}",
        p.attempts, p.interval, p.delay
    )
}

fn role(r: &Role) -> String {
    let hook = match r.lifecycle.hook {
        None => "None".to_string(),
        Some(hook) => format!("Some(LifecycleHook::{hook:?})"),
    };
    format!(
        "Role {{ lifecycle: Lifecycle {{ hook: {hook}, sidecar: {} }}, leader: {} }}",
        r.lifecycle.sidecar, r.leader
    )
}

fn desired(d: Option<DesiredStatus>) -> String {
    match d {
        None => "None".into(),
        Some(d) => format!("Some(DesiredStatus::{d:?})"),
    }
}

/// The scenario as a `Digest` expression.
fn digest(s: &Digest<'_>) -> String {
    let h = s.header();
    let mut out = String::new();
    let _ = write!(
        out,
        "Digest {{ header: Header {{ job_id: {:?}, group: {:?}, job_type: {}, group_shutdown_delay: {}, max_run_duration: {}, desired_at_arrival: {}, setup_failure: {:?}, start: {} }}, tasks: &[",
        h.job_id,
        h.group,
        job(h.job_type),
        h.group_shutdown_delay,
        h.max_run_duration,
        desired(h.desired_at_arrival),
        h.setup_failure,
        h.start
    );
    for t in (0..s.task_count()).filter_map(|i| s.task(i)) {
        let spec = &t.spec;
        let _ = write!(
            out,
            "TaskDef {{ spec: TaskSpec {{ name: {:?}, role: {}, restart: {}, kill_timeout: {}, kill_signal: {:?}, shutdown_delay: {} }}, artifacts: {} }}, ",
            spec.name,
            role(&spec.role),
            policy(&spec.restart),
            spec.kill_timeout,
            spec.kill_signal,
            spec.shutdown_delay,
            t.artifacts
        );
    }
    out.push_str("], runs: &[");
    for (task, (block, run)) in s.runs {
        let _ = write!(out, "({task}, ({block:?}, Run::{run:?})), ");
    }
    out.push_str("], requests: &[");
    for (at, request) in (0..s.request_count()).filter_map(|i| s.request(i)) {
        let request = match request {
            Request::Desired {
                status,
                no_shutdown_delay,
            } => format!(
                "Request::Desired {{ status: DesiredStatus::{status:?}, no_shutdown_delay: {no_shutdown_delay} }}"
            ),
            Request::AgentRestart { desired: d } => {
                format!("Request::AgentRestart {{ desired: {} }}", desired(d))
            }
            other => format!("Request::{other:?}"),
        };
        let _ = write!(out, "({at}, {request}), ");
    }
    out.push_str("], reattach: &[");
    for (request, name, reattaches) in s.reattach {
        let _ = write!(out, "({request}, {name:?}, {reattaches}), ");
    }
    out.push_str("] }");
    out
}

/// The host's transcript of one scenario.
fn transcript(s: &Digest<'_>) -> String {
    let mut runner: Box<Runner<TASKS>> = Box::new(Runner::new(script::group_of(s)));
    script::add_tasks(s, &mut runner).expect("the scenario's tasks fit the runner");
    let mut buf = vec![0u8; BUF];
    let mut lines = Lines { out: String::new() };
    let ended = Player::new(s, &mut runner, &mut buf, &mut lines).run();
    lines
        .finish(ended, &runner, &mut buf)
        .expect("the transcript is written");
    lines.out
}

/// FNV-1a over the transcript, as the firmware's `Check` computes it.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Writes `runner_scenarios.rs` (the digests and the host's transcripts) into `out`;
/// the transcripts themselves only where the flash holds them (`embed`), else their
/// length and hash only.
/// (A change of the harness itself rebuilds this script, a build-dependency's change.)
pub fn generate(out: &Path, embed: bool) {
    println!("cargo:rerun-if-changed={}", scenario::DIR);
    println!("cargo:rerun-if-changed=build_runner.rs");
    let paths = scenario::files().expect("the scenario files of allocstate-sim");
    let expected = out.join("expected_runner");
    fs::create_dir_all(&expected).unwrap();
    let mut generated = format!(
        "/// The persist buffer the host played with.\npub const BUF: usize = {BUF};\n\
         /// (name, the scenario digested, the host's transcript or nothing, its FNV-1a\n\
         /// hash, its length)\n\
         pub static SCENARIOS: &[(&str, Digest<'static>, &[u8], u64, usize)] = &[\n"
    );
    for path in &paths {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let text = fs::read_to_string(path).unwrap();
        let scenario = scenario::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let lent = scenario::Lent::of(&scenario);
        let transcript = transcript(&lent.digest());
        assert!(
            !transcript.contains("buffer is too small"),
            "{name}: the persisted runner does not fit {BUF} bytes"
        );
        let file = expected.join(format!("{name}.txt"));
        fs::write(&file, &transcript).unwrap();
        let bytes = if embed {
            format!(
                "include_bytes!({:?})",
                fs::canonicalize(&file).unwrap().display().to_string()
            )
        } else {
            "&[]".to_string()
        };
        let _ = writeln!(
            generated,
            "    ({name:?}, {}, {bytes}, {:#x}, {}),",
            digest(&lent.digest()),
            fnv(transcript.as_bytes()),
            transcript.len()
        );
    }
    generated.push_str("];\n");
    fs::write(out.join("runner_scenarios.rs"), generated).unwrap();
}
