//! Crash-safe files, process identity and signals (Linux).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Writes `bytes` to `path` so that after a crash, of the process or of the machine, the
/// file holds either the old or the new contents: a temp file in the same directory,
/// fsync, rename over, fsync of the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_via_temp(path, bytes, true)
}

/// Writes `bytes` to `path` so that a reader never sees half of it, and a crash of any
/// process (not of the machine) leaves the old or the new contents: a temp file renamed
/// over, no fsync. For what a power cut makes moot: a task's exit record (the task and
/// its supervisor die with the machine; the exit is durable once the agent journals it).
pub fn write_replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_via_temp(path, bytes, false)
}

fn write_via_temp(path: &Path, bytes: &[u8], sync: bool) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("no parent directory"))?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("no file name"))?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        if sync {
            file.sync_all()?;
        }
    }
    fs::rename(&tmp, path)?;
    if sync {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// The task process a supervisor runs, as the supervisor records it in the task's
/// `private/handle.json` before it reports the start.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handle {
    /// Which start of the task (counts up per task).
    pub run: u64,
    pub supervisor_pid: i32,
    /// Field 22 of `/proc/<pid>/stat` (clock ticks after boot).
    pub supervisor_start: u64,
    pub pid: i32,
    pub start: u64,
}

/// The task's exit, as its supervisor records it in `private/exit.json`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitRecord {
    pub run: u64,
    pub exit_code: i32,
    pub signal: i32,
}

/// Reads a JSON file; `None` if it does not exist or cannot be read.
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
    let bytes = fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A process's start time: field 22 of `/proc/<pid>/stat`; `None` if there is no such
/// process (or it is a zombie already reaped).
pub fn start_time(pid: i32) -> Option<u64> {
    if pid <= 0 {
        return None;
    }
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count after the last ')'.
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Whether `pid` is the process that started at `start` and has not exited (a zombie
/// counts as exited).
pub fn is_alive(pid: i32, start: u64) -> bool {
    if start_time(pid) != Some(start) {
        return false;
    }
    let state = fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = s.get(s.rfind(')')? + 1..)?.to_string();
            rest.split_whitespace().next().map(str::to_string)
        });
    !matches!(state.as_deref(), Some("Z") | Some("X") | None)
}

/// A pidfd for `pid` (it refers to that process even if the pid is reused later).
pub fn pidfd_open(pid: i32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just returned this descriptor, owned by no one else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

fn pidfd_send_signal(fd: &OwnedFd, signal: i32) -> io::Result<()> {
    // SAFETY: a valid pidfd, a signal number, no siginfo, no flags.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            fd.as_raw_fd(),
            signal,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// A pidfd for the process `pid` started at `start`, or an error if that process is
/// gone (its pid may now be another process's: it is never signalled).
pub fn open_verified(pid: i32, start: u64) -> io::Result<OwnedFd> {
    let fd = pidfd_open(pid)?;
    // Opened first, checked second: if the start time matches now, the pidfd refers to
    // the process that started then, whatever happens to the pid later.
    if start_time(pid) != Some(start) {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("pid {pid} is no longer the task's process"),
        ));
    }
    Ok(fd)
}

/// Sends `signal` to the task process `pid` started at `start` and to its process
/// group (the supervisor makes each task a group leader), only once verified through a
/// pidfd that the pid is still that process.
pub fn signal_task(pid: i32, start: u64, signal: i32) -> io::Result<()> {
    let fd = open_verified(pid, start)?;
    pidfd_send_signal(&fd, signal)?;
    // The leader is alive (or an unreaped zombie), so the group id is still its own.
    if pidfd_send_signal(&fd, 0).is_ok() {
        // SAFETY: kill with a negative pid signals that process group.
        unsafe { libc::kill(-pid, signal) };
    }
    Ok(())
}

/// Reaps `pid` if it is this process's child and has exited (no-op otherwise).
pub fn reap(pid: i32) {
    let mut status = 0;
    // SAFETY: waitpid on one pid with WNOHANG never blocks.
    unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
}

/// The supervisor lock inherited as descriptor `fd` (see [`try_lock`]): checked to be
/// held (a second `flock` through the same open file succeeds, through another it fails)
/// and made close-on-exec, so that the task does not inherit it.
pub fn adopt_lock(fd: i32) -> io::Result<File> {
    // SAFETY: fcntl on a descriptor number; an invalid one is an error, not UB.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the descriptor was inherited for this purpose and nothing else owns it.
    let file = unsafe { File::from_raw_fd(fd) };
    // SAFETY: flock on the descriptor just taken over.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(file)
}

/// Takes the task's supervisor lock (`private/supervisor.lock`, flock) without waiting:
/// `Ok(None)` if another live process holds it. A supervisor holds it for its whole
/// life, so a second supervisor of the same task can never start, and a restarted agent
/// can tell a supervisor that has not yet written its handle from none at all.
pub fn try_lock(private: &Path) -> io::Result<Option<File>> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(private.join("supervisor.lock"))?;
    // SAFETY: flock on a descriptor this function owns.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(Some(file));
    }
    let error = io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(None)
    } else {
        Err(error)
    }
}
