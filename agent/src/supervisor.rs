//! The per-task supervisor: the agent's own binary in a hidden helper mode, started in
//! a session of its own (setsid) so that it outlives the agent, as Nomad's executor
//! (`drivers/shared/executor/`) and containerd's shim do. It starts the task as the
//! leader of a new process group, records the task's pid and start time crash-safely
//! (`private/handle.json`), tells the agent on its stdout, waits on the task and records
//! the exit (`private/exit.json`, replaced whole: it outlives an agent crash) before it
//! exits itself.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::files::{start_time, write_atomic, write_replace, ExitRecord, Handle};

/// What the agent passes to a supervisor.
#[derive(clap::Args, Debug)]
pub struct SuperviseArgs {
    /// The task's private directory, where the handle and exit files go.
    #[arg(long)]
    pub private: PathBuf,
    /// Which start of the task this is.
    #[arg(long)]
    pub run: u64,
    /// The task's working directory.
    #[arg(long)]
    pub cwd: PathBuf,
    /// The stdout log file (appended to).
    #[arg(long)]
    pub stdout: PathBuf,
    /// The stderr log file (appended to).
    #[arg(long)]
    pub stderr: PathBuf,
    /// A descriptor this process inherited that already holds the task's supervisor
    /// lock (the agent takes it before it forks, so that the lock is held for the whole
    /// life of the supervisor process). Without it the supervisor takes the lock itself.
    #[arg(long)]
    pub lock_fd: Option<i32>,
    /// The command and its arguments.
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

/// The line the supervisor writes on its stdout once the task runs.
pub const STARTED: &str = "started";

fn say(line: &str) {
    let mut out = std::io::stdout();
    // The agent may be gone: a write error is not ours to handle.
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Runs the supervisor; its exit code is 0 once it recorded the task's exit, 1 if the
/// task could not start (the reason went to stdout).
pub fn run(args: SuperviseArgs) -> i32 {
    let open = |path: &PathBuf| OpenOptions::new().create(true).append(true).open(path);
    let (out, err) = match (open(&args.stdout), open(&args.stderr)) {
        (Ok(out), Ok(err)) => (out, err),
        (Err(e), _) | (_, Err(e)) => {
            say(&format!("error: cannot open the task's log files: {e}"));
            return 1;
        }
    };
    // Held until this process exits (the descriptor is closed on exec, so the task does
    // not hold it).
    let held = match args.lock_fd {
        Some(fd) => crate::files::adopt_lock(fd).map(Some),
        None => crate::files::try_lock(&args.private),
    };
    let _lock = match held {
        Ok(Some(lock)) => lock,
        Ok(None) => {
            say("error: another supervisor runs this task");
            return 1;
        }
        Err(e) => {
            say(&format!(
                "error: cannot lock the task's private directory: {e}"
            ));
            return 1;
        }
    };
    let Some((program, rest)) = args.command.split_first() else {
        say("error: no command");
        return 1;
    };
    let mut command = Command::new(program);
    command
        .args(rest)
        .current_dir(&args.cwd)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(|| {
            // A signal ignored by whoever started the agent (SIGINT and SIGQUIT in a
            // shell's background job) would stay ignored in the task, which could then
            // not trap its kill signal: every disposition back to the default, no
            // signal blocked.
            for signal in 1..32 {
                if signal != libc::SIGKILL && signal != libc::SIGSTOP {
                    libc::signal(signal, libc::SIG_DFL);
                }
            }
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
            Ok(())
        });
    }
    let child = command.spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            say(&format!("error: failed to start {program:?}: {e}"));
            return 1;
        }
    };
    let pid = child.id() as i32;
    let me = std::process::id() as i32;
    let handle = Handle {
        run: args.run,
        supervisor_pid: me,
        supervisor_start: start_time(me).unwrap_or(0),
        pid,
        start: start_time(pid).unwrap_or(0),
    };
    let handle_path = args.private.join("handle.json");
    let bytes = serde_json::to_vec(&handle).unwrap_or_default();
    if let Err(e) = write_atomic(&handle_path, &bytes) {
        // Without a handle the agent could not find the task again: do not let it run.
        let _ = child.kill();
        let _ = child.wait();
        say(&format!("error: cannot record the task's handle: {e}"));
        return 1;
    }
    say(&format!("{STARTED} {pid}"));
    // No more output: the agent reads one line.
    if let Ok(null) = std::fs::File::open("/dev/null") {
        use std::os::fd::AsRawFd;
        // SAFETY: dup2 of an open descriptor over stdout.
        unsafe { libc::dup2(null.as_raw_fd(), 1) };
    }
    let status = loop {
        match child.wait() {
            Ok(status) => break status,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return 1,
        }
    };
    // As Nomad's executor reports it: a signal's exit code is 128 + the signal.
    let (exit_code, signal) = match (status.code(), status.signal()) {
        (_, Some(sig)) => (128 + sig, sig),
        (Some(code), None) => (code, 0),
        (None, None) => (255, 0),
    };
    let record = ExitRecord {
        run: args.run,
        exit_code,
        signal,
    };
    let bytes = serde_json::to_vec(&record).unwrap_or_default();
    // Replaced whole, not synced: it must outlive the agent (a crash, a restart), not
    // the machine, whose power cut kills the task and this supervisor as well; once the
    // agent has the exit, its journal holds it durably.
    match write_replace(&args.private.join("exit.json"), &bytes) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
