//! `display`: an event's `DisplayMessage` written into a stack buffer (a small
//! `fmt::Write` into `[u8; 256]`), one benchmark per event kind, each event carrying the
//! realistic strings Nomad's setters put in it. Run:
//!
//! ```text
//! cargo bench --bench display -- --warm-up-time 1 --measurement-time 2
//! ```

use core::fmt::{self, Write};
use std::hint::black_box;

use allocstate::{Detail, EventKind, TaskEvent};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const T0: i64 = 1_700_000_000_000_000_000;

/// A `fmt::Write` into a fixed stack buffer; refuses what does not fit.
struct StackBuf {
    buf: [u8; 256],
    len: usize,
}

impl StackBuf {
    const fn new() -> Self {
        StackBuf {
            buf: [0; 256],
            len: 0,
        }
    }
}

impl Write for StackBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// One event of `kind`, with the fields Nomad's setters would give it.
fn sample(kind: EventKind) -> TaskEvent {
    let detail = match kind {
        EventKind::DriverFailure => Detail::DriverFailure {
            driver_error: "failed to launch command with executor: rpc error: code = Unknown",
        },
        EventKind::Terminated => Detail::Terminated {
            exit_code: 1,
            signal: 0,
            oom_killed: Some(false),
        },
        EventKind::Killed => Detail::Killed {
            kill_error: "",
            kill_reason: "",
        },
        EventKind::FailedValidation => Detail::FailedValidation {
            validation_error: "task must have a driver",
        },
        EventKind::Restarting => Detail::Restarting {
            start_delay: 15_302_026_290,
            restart_reason: "Restart within policy",
        },
        EventKind::NotRestarting => Detail::NotRestarting {
            restart_reason: "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\"",
        },
        EventKind::FailedArtifactDownload => Detail::FailedArtifactDownload {
            download_error: "GET error: bad response code: 404",
        },
        EventKind::Killing => Detail::Killing {
            kill_timeout: 5_000_000_000,
            kill_reason: "",
        },
        EventKind::SetupFailure => Detail::SetupFailure {
            setup_error: "failed to build task directory: mkdir: permission denied",
            kill_reason: "",
        },
        EventKind::RestartSignaled => Detail::RestartSignaled {
            restart_reason: "healthcheck: check \"web-alive\" unhealthy",
        },
        EventKind::Signaling => Detail::Signaling {
            task_signal: "SIGHUP",
            task_signal_reason: "",
            signal: "",
        },
        EventKind::SiblingTaskFailed => Detail::SiblingTaskFailed {
            failed_sibling: "web",
        },
        EventKind::Driver => Detail::Driver {
            driver_message: "Downloading image redis:7.2",
            annotations: None,
        },
        EventKind::DiskResourcesExceeded => Detail::DiskResourcesExceeded { disk_limit: 300 },
        EventKind::Unknown => Detail::Unknown {
            type_name: "Custom Event",
        },
        other => Detail::empty(other),
    };
    let event = TaskEvent::new(T0, detail);
    match kind {
        EventKind::Terminated => {
            event.with_message("Docker container exited with non-zero exit code: 1")
        }
        EventKind::TaskSetup => event.with_message("Building Task Directory"),
        EventKind::Template => event.with_message("Missing: vault.read(secret/data/db)"),
        _ => event,
    }
}

fn bench_display(c: &mut Criterion) {
    let mut group = c.benchmark_group("display");
    group.throughput(Throughput::Elements(1));
    for &kind in EventKind::ALL {
        let event = sample(kind);
        let name = kind.type_str().unwrap_or("Unknown");
        group.bench_with_input(BenchmarkId::from_parameter(name), &event, |b, event| {
            b.iter(|| {
                let mut out = StackBuf::new();
                write!(out, "{}", black_box(event).display_message()).expect("fits in 256");
                black_box(out.len)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_display);
criterion_main!(benches);
