//! The host's side of the embassy firmware (examples/embassy-runner): the same group,
//! script, journal and power cuts, with each task's run modelled by its deadline instead
//! of a future on an embassy timer. The log it computes must be
//! examples/embassy-runner/expected.log, which `bash ci/qemu.sh` compares with what the
//! firmware prints under QEMU. `BLESS=1` rewrites the file.
//!
//! ```text
//! cargo test --features journal-flash,serde --test embassy_runner
//! ```
#![cfg(all(feature = "journal-flash", feature = "serde"))]

use std::fmt::Write as _;

use allocstate::runner::Exit;
use futures::executor::block_on;

#[path = "../examples/embassy-runner/src/plan.rs"]
mod plan;

use plan::{Cut, Driver, Due, Happened, RamFlash, Secs, Supervisor, CUTS, N, REQUESTS, WRITE_CUT};

/// A task's run: when it ends (`None`: not until stopped) and with what code.
#[derive(Clone, Copy)]
struct Run {
    end: Option<i64>,
    code: i32,
}

#[derive(Default)]
struct Model {
    runs: [Option<Run>; N],
}

impl Driver for Model {
    fn start(&mut self, task: usize, run: u32, at: i64) {
        let (len, code) = plan::run_of(task, run);
        self.runs[task] = Some(Run {
            end: len.map(|len| at + len),
            code,
        });
    }
    fn stop(&mut self, task: usize, at: i64) {
        if let Some(run) = &mut self.runs[task] {
            (run.end, run.code) = plan::stopped(task, at, run.end, run.code);
        }
    }
    fn kill(&mut self, task: usize) {
        self.runs[task] = None;
    }
    fn signal(&mut self, _task: usize, _at: i64) {}
}

/// How a boot ended.
enum Ended {
    Finished,
    Cut(i64),
}

/// One boot, from power on to a power cut or the group's end.
fn boot(
    sup: &mut Supervisor<'_>,
    t: &mut i64,
    cut: &mut usize,
    request: &mut usize,
    log: &mut String,
) -> Result<Ended, Cut> {
    let mut model = Model::default();
    let recovered = block_on(sup.recover())?;
    let step = block_on(sup.boot(*t, recovered, log))?;
    block_on(sup.carry_out(*t, step, &mut model, log))?;
    while !sup.runner.is_finished() {
        let mut due: Vec<(i64, Due)> = Vec::new();
        for (index, run) in model.runs.iter().enumerate() {
            if let Some(Run { end: Some(end), .. }) = run {
                due.push((*end, Due::Exit(index)));
            }
        }
        if let Some(wake) = sup.runner.next_wake() {
            due.push((wake, Due::Wake));
        }
        if let Some(&(at, _)) = REQUESTS.get(*request) {
            due.push((at, Due::Request));
        }
        if let Some(&at) = CUTS.get(*cut) {
            due.push((at, Due::Cut));
        }
        let (at, what) = due.into_iter().min().expect("something is due");
        *t = at;
        let happened = match what {
            Due::Exit(index) => {
                let run = model.runs[index].take().expect("running");
                Happened::Exited(index, Exit::code(run.code))
            }
            Due::Wake => Happened::Wake,
            Due::Request => {
                *request += 1;
                Happened::Request(REQUESTS[*request - 1].1)
            }
            Due::Cut => {
                *cut += 1;
                writeln!(log, "{} power cut", Secs(at)).unwrap();
                return Ok(Ended::Cut(at));
            }
        };
        block_on(sup.happened(at, happened, &mut model, log))?;
    }
    sup.log_end(*t, log);
    Ok(Ended::Finished)
}

/// The host's run of the script: the log the firmware must print.
fn host_log() -> String {
    let mut log = String::new();
    let mut flash = RamFlash::new();
    let (mut cut, mut request) = (0, 0);
    let mut t = 0;
    let mut write_cut = false;
    for boots in 0.. {
        let lost = flash.power_on((boots == WRITE_CUT.0).then_some(WRITE_CUT.1));
        assert_eq!(
            lost, write_cut,
            "the journal failed only when the power went"
        );
        let mut sup = Box::new(Supervisor::new(&mut flash));
        let ended = boot(&mut sup, &mut t, &mut cut, &mut request, &mut log);
        (t, write_cut) = match ended {
            Ok(Ended::Finished) => break,
            Ok(Ended::Cut(at)) => (at, false),
            Err(Cut) => {
                writeln!(log, "{} power cut during a flash write", Secs(t)).unwrap();
                (t, true)
            }
        };
    }
    log
}

#[test]
fn the_firmware_log_is_what_the_host_computes() {
    let log = host_log();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/embassy-runner/expected.log"
    );
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, &log).unwrap();
    }
    let expected = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        log, expected,
        "examples/embassy-runner/expected.log is out of date (BLESS=1)"
    );
    assert_eq!(log.matches("power cut").count(), CUTS.len() + 1);
    assert_eq!(log.matches("power cut during a flash write").count(), 1);
}
