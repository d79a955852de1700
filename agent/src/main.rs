//! allocstate-agent: a small Nomad-style client agent on allocstate's runner. See
//! README.md.

mod alloc_runner;
mod files;
mod http;
mod job;
mod state;
mod supervisor;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "allocstate-agent",
    version,
    about = "A small Nomad-style client agent: runs Nomad jobs' raw_exec tasks on allocstate's runner",
    long_about = "A small Nomad-style client agent. `run` restores every allocation its data \
directory holds, places each task group of the JOB files Count times (a job ID it already \
holds is not placed again), runs their raw_exec tasks each under a supervisor process that \
outlives the agent, and serves Nomad's allocation HTTP API on --http-addr (loopback, port \
4646 by default). Stopping the agent (SIGTERM, SIGINT) leaves the tasks running; a restarted \
agent reattaches to them. It exits with status 1 and a message if the port is in use, the \
data directory cannot be used or a job file is invalid."
)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand, Debug)]
enum Commands {
    /// Runs the agent.
    Run(RunArgs),
    /// Internal: the per-task supervisor (started by the agent itself).
    #[command(hide = true)]
    Supervise(supervisor::SuperviseArgs),
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Where allocations, task directories, logs and the agent's state live.
    #[arg(long, default_value = "allocstate-data")]
    data_dir: PathBuf,
    /// The HTTP API's address.
    #[arg(long, default_value = "127.0.0.1:4646")]
    http_addr: SocketAddr,
    /// An ACL token every mutating request must carry in X-Nomad-Token (else 403).
    #[arg(long, env = "ALLOCSTATE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The log level: error, warn, info, debug or trace.
    #[arg(long, default_value = "info")]
    log_level: tracing::Level,
    /// Nomad jobs in JSON (`{"Job": {...}}` or the bare job) to place.
    jobs: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Commands::Supervise(args) => ExitCode::from(supervisor::run(args) as u8),
        Commands::Run(args) => {
            // Colours only on a terminal: a log file or journald gets plain text.
            tracing_subscriber::fmt()
                .with_max_level(args.log_level)
                .with_writer(std::io::stderr)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .init();
            match run(args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    tracing::error!("{message}");
                    eprintln!("allocstate-agent: {message}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// The node's ID, made once per data dir.
fn node_id(data: &Path) -> Result<String, String> {
    let path = data.join("client").join("node-id");
    if let Ok(id) = std::fs::read_to_string(&path) {
        let id = id.trim().to_string();
        if !id.is_empty() {
            return Ok(id);
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    files::write_atomic(&path, id.as_bytes()).map_err(|e| {
        format!(
            "data dir {}: cannot write {}: {e}",
            data.display(),
            path.display()
        )
    })?;
    Ok(id)
}

fn run(args: RunArgs) -> Result<(), String> {
    // Every job is read and checked before anything starts.
    let mut plans = Vec::new();
    for path in &args.jobs {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("job file {}: {e}", path.display()))?;
        let groups =
            job::parse_job(&text).map_err(|e| format!("job file {}: {e}", path.display()))?;
        for group in &groups {
            alloc_runner::check_plan(group)
                .map_err(|e| format!("job file {}: {e}", path.display()))?;
        }
        plans.extend(groups);
    }
    let data = &args.data_dir;
    for dir in [data.join("alloc"), data.join("client").join("allocs")] {
        std::fs::create_dir_all(&dir).map_err(|e| {
            format!(
                "data dir {}: cannot create {}: {e}",
                data.display(),
                dir.display()
            )
        })?;
    }
    let data =
        std::fs::canonicalize(data).map_err(|e| format!("data dir {}: {e}", data.display()))?;
    let node = node_id(&data)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(args.http_addr, data, node, args.token, plans))
}

async fn serve(
    addr: SocketAddr,
    data: PathBuf,
    node: String,
    token: Option<String>,
    plans: Vec<job::GroupPlan>,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("http: cannot listen on {addr}: {e}"))?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        data_dir = %data.display(),
        http = %addr,
        acl = token.is_some(),
        "allocstate-agent starting"
    );
    let shared = state::Shared::new(data, token);
    let restored = alloc_runner::restore_all(&shared)?;
    tracing::info!(restored, "allocations restored from the data dir");
    for plan in plans {
        if shared.holds_job(&plan.job_id) {
            tracing::info!(job = %plan.job_id, group = %plan.group, "job already held: not placed again");
            continue;
        }
        for index in 0..plan.count {
            alloc_runner::place(&shared, &plan, index, &node)?;
        }
    }
    tracing::info!(http = %addr, "agent running; SIGTERM or SIGINT stops it (tasks keep running)");
    let app = http::router(shared);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("http: {e}"))?;
    tracing::info!("agent stopped; its tasks keep running under their supervisors");
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    let mut int = match signal(SignalKind::interrupt()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    };
    tracing::info!(signal = name, "shutting down");
}
