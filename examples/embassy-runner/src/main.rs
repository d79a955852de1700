//! An embassy firmware that supervises async tasks through allocstate's `Runner`: a task
//! is a future that runs until it returns an exit code or is told to stop; the runner's
//! commands start, stop, kill (drop) and signal those futures; its wake-ups become
//! embassy timers. Every input is journaled to a NOR flash emulated in RAM; at the
//! script's chosen times, and once in the middle of a flash write, the power is cut (the
//! runner, the journal's state and every task future are dropped; only the flash stays) and the board reboots in place: a fresh
//! runner is recovered from the journal and the group carries on to its end.
//!
//! It prints (semihosting) a log of every event the tasks recorded, which `ci/qemu.sh`
//! compares with `expected.log`, the log the host computes for the same group and script
//! (`tests/embassy_runner.rs` in the main crate). Lines starting with `#` are
//! measurements, not part of the comparison. Run under QEMU (mps2-an386):
//! `bash ci/qemu.sh`, or see README.md.

#![no_std]
#![no_main]

mod clock;
mod plan;
mod stack;

use core::fmt::{self, Write as _};
use core::future::{poll_fn, Future};
use core::pin::{pin, Pin};
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll};

use allocstate::runner::Exit;
use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hio};
use embassy_executor::raw;
use embassy_futures::select::{select, Either};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Instant, Timer};

use plan::{
    Cut, Driver, Due, Happened, RamFlash, Secs, Supervisor, CUTS, MS, N, REQUESTS, WRITE_CUT,
};

/// What the supervisor tells a task's future.
#[derive(Clone, Copy)]
enum Msg {
    /// The stop signal, sent at this time.
    Stop(i64),
    /// `SIGHUP`.
    Hup,
}

type Ctl = Signal<NoopRawMutex, Msg>;

/// The embassy tick (1 kHz) at or after the time `t` (ns).
fn tick_of(t: i64) -> u64 {
    (t.max(0) as u64).div_ceil(MS as u64)
}

/// One run of a task: it runs until its own end, or until it is told to stop and obeys.
/// Returns when it ended (the time it was due, not when the executor got to it) and how.
async fn task_run(task: usize, run: u32, at: i64, ctl: &Ctl) -> (i64, Exit) {
    let (len, mut code) = plan::run_of(task, run);
    let mut end = len.map(|len| at + len);
    loop {
        let deadline = async {
            match end {
                Some(end) => Timer::at(Instant::from_ticks(tick_of(end))).await,
                None => core::future::pending().await,
            }
        };
        match select(deadline, ctl.wait()).await {
            Either::First(()) => return (end.unwrap_or(at), Exit::code(code)),
            Either::Second(Msg::Stop(at)) => (end, code) = plan::stopped(task, at, end, code),
            // The uplink would reload its configuration; nothing the runner hears of.
            Either::Second(Msg::Hup) => {}
        }
    }
}

/// The earlier of `a` (if any) and `b`.
fn earliest<T: Ord>(a: Option<T>, b: T) -> Option<T> {
    Some(match a {
        Some(a) => a.min(b),
        None => b,
    })
}

/// A task's place: idle, its future running, or exited (not yet told to the runner).
enum Slot<F> {
    Idle,
    Running(F),
    Exited(i64, Exit),
}

/// The tasks' futures, pinned in the boot's own future: dropped with it at a power cut.
struct Tasks<'a, F, M> {
    slots: Pin<&'a mut [Slot<F>; N]>,
    ctl: &'a [Ctl; N],
    make: M,
}

impl<F: Future<Output = (i64, Exit)>, M: FnMut(usize, u32, i64) -> F> Tasks<'_, F, M> {
    fn slot(&mut self, task: usize) -> Pin<&mut Slot<F>> {
        // SAFETY: a structural projection of the pinned array onto one element; no slot
        // is ever moved out (only replaced, which drops the old value in place).
        unsafe {
            self.slots
                .as_mut()
                .map_unchecked_mut(|slots| &mut slots[task])
        }
    }

    /// Polls every running future; a finished one becomes `Exited`.
    fn poll_all(&mut self, cx: &mut Context<'_>) {
        for task in 0..N {
            // SAFETY: the future is not moved: it is polled in place, or dropped in place
            // when the slot is overwritten.
            let slot = unsafe { self.slot(task).get_unchecked_mut() };
            if let Slot::Running(future) = slot {
                if let Poll::Ready((at, exit)) = unsafe { Pin::new_unchecked(future) }.poll(cx) {
                    *slot = Slot::Exited(at, exit);
                }
            }
        }
    }

    fn exited(&mut self, task: usize) -> Option<(i64, Exit)> {
        match *self.slot(task) {
            Slot::Exited(at, exit) => Some((at, exit)),
            _ => None,
        }
    }
}

impl<F: Future<Output = (i64, Exit)>, M: FnMut(usize, u32, i64) -> F> Driver for Tasks<'_, F, M> {
    fn start(&mut self, task: usize, run: u32, at: i64) {
        self.ctl[task].reset();
        let future = (self.make)(task, run, at);
        self.slot(task).set(Slot::Running(future));
    }
    fn stop(&mut self, task: usize, at: i64) {
        self.ctl[task].signal(Msg::Stop(at));
    }
    fn kill(&mut self, task: usize) {
        self.slot(task).set(Slot::Idle);
    }
    fn signal(&mut self, task: usize, _at: i64) {
        self.ctl[task].signal(Msg::Hup);
    }
}

/// The log: semihosting's stdout, a line at a time.
struct Out {
    host: Option<hio::HostStream>,
    line: [u8; 512],
    len: usize,
}

impl fmt::Write for Out {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &byte in s.as_bytes() {
            if self.len < self.line.len() {
                self.line[self.len] = byte;
                self.len += 1;
            }
            if byte == b'\n' {
                if let Some(host) = &mut self.host {
                    let _ = host.write_all(&self.line[..self.len]);
                }
                self.len = 0;
            }
        }
        Ok(())
    }
}

/// Measured at each reboot.
#[derive(Default, Clone, Copy)]
struct Reboot {
    at: i64,
    /// SysTick cycles (25 MHz) the journal's recovery took.
    recovery: u64,
    /// SysTick cycles to the first command: recovery, the restore with the driver's
    /// answers, the servers contacted, the new snapshot.
    boot: u64,
    /// Bytes of stack below the boot's frame used by the recovery.
    stack: usize,
    /// Inputs replayed.
    replayed: u32,
}

struct Progress {
    /// Power-ons so far.
    boots: u32,
    cut: usize,
    request: usize,
    reboots: [Reboot; REBOOTS],
    commits: u32,
}

/// The reboots: one per cut at a chosen time, one for the cut during a write.
const REBOOTS: usize = CUTS.len() + 1;

/// How a boot ended.
enum Ended {
    /// The group finished.
    Finished,
    /// The power was cut at this time (a cut of the script).
    Cut(i64),
    /// The power went during a flash write of an input at this time.
    WriteCut(i64),
}

/// One boot, from power on to a power cut or the group's end. Everything but the flash
/// lives in this future and is dropped when it returns.
async fn boot(flash: &mut RamFlash, t0: i64, progress: &mut Progress, out: &mut Out) -> Ended {
    let mut sup = Supervisor::new(flash);
    let mut t = t0;
    let ended = run(&mut sup, &mut t, progress, out).await;
    progress.commits += sup.commits;
    match ended {
        Ok(ended) => ended,
        Err(Cut) => {
            let _ = writeln!(out, "{} power cut during a flash write", Secs(t));
            Ended::WriteCut(t)
        }
    }
}

async fn run(
    sup: &mut Supervisor<'_>,
    t: &mut i64,
    progress: &mut Progress,
    out: &mut Out,
) -> Result<Ended, Cut> {
    let t0 = *t;
    let top = stack::paint();
    let start = clock::cycles();
    let recovered = sup.recover().await?;
    let recovery = clock::cycles() - start;
    let stack = stack::used(top);
    let step = sup.boot(t0, recovered, out).await?;
    let boot = clock::cycles() - start;
    if let Some(recovered) = recovered {
        let index = progress.boots.wrapping_sub(2) as usize;
        if let Some(reboot) = progress.reboots.get_mut(index) {
            *reboot = Reboot {
                at: t0,
                recovery,
                boot,
                stack,
                replayed: recovered.applied + recovered.refused,
            };
        }
    }
    let ctl: [Ctl; N] = [const { Signal::new() }; N];
    let slots = pin!([const { Slot::Idle }; N]);
    let mut tasks = Tasks {
        slots,
        ctl: &ctl,
        make: |task, run, at| task_run(task, run, at, &ctl[task]),
    };
    sup.carry_out(t0, step, &mut tasks, out).await?;
    while !sup.runner.is_finished() {
        let wake = sup.runner.next_wake();
        let request = REQUESTS.get(progress.request).map(|&(at, _)| at);
        let cut = CUTS.get(progress.cut).copied();
        // One pass with the clock held still (SysTick waits): every future polled, then
        // the earliest of what is due, in the host's order; ties as `Due` orders them.
        let (at, due) = poll_fn(|cx| {
            critical_section::with(|_| {
                tasks.poll_all(cx);
                let now = Instant::now().as_ticks();
                let mut best: Option<(i64, Due)> = None;
                let mut timer: Option<i64> = None;
                for task in 0..N {
                    if let Some((at, _)) = tasks.exited(task) {
                        best = earliest(best, (at, Due::Exit(task)));
                    }
                }
                let timers = [(wake, Due::Wake), (request, Due::Request), (cut, Due::Cut)];
                for (at, due) in timers {
                    let Some(at) = at else { continue };
                    if tick_of(at) <= now {
                        best = earliest(best, (at, due));
                    } else {
                        timer = earliest(timer, at);
                    }
                }
                match best {
                    Some(best) => Poll::Ready(best),
                    None => {
                        if let Some(at) = timer {
                            embassy_time_driver::schedule_wake(tick_of(at), cx.waker());
                        }
                        Poll::Pending
                    }
                }
            })
        })
        .await;
        *t = at;
        let happened = match due {
            Due::Exit(task) => {
                let (_, exit) = tasks.exited(task).expect("exited");
                tasks.kill(task);
                Happened::Exited(task, exit)
            }
            Due::Wake => Happened::Wake,
            Due::Request => {
                progress.request += 1;
                Happened::Request(REQUESTS[progress.request - 1].1)
            }
            Due::Cut => {
                progress.cut += 1;
                let _ = writeln!(out, "{} power cut", Secs(at));
                return Ok(Ended::Cut(at));
            }
        };
        sup.happened(at, happened, &mut tasks, out).await?;
    }
    sup.log_end(*t, out);
    Ok(Ended::Finished)
}

#[embassy_executor::task]
async fn supervisor() {
    let mut out = Out {
        host: hio::hstdout().ok(),
        line: [0; 512],
        len: 0,
    };
    // The flash: outside every boot's future, so a power cut keeps it.
    let mut flash = RamFlash::new();
    let mut progress = Progress {
        boots: 0,
        cut: 0,
        request: 0,
        reboots: [Reboot::default(); REBOOTS],
        commits: 0,
    };
    let mut t = 0;
    let mut write_cut = false;
    let started = clock::cycles();
    loop {
        let cut = (progress.boots == WRITE_CUT.0).then_some(WRITE_CUT.1);
        let lost = flash.power_on(cut);
        assert_eq!(
            lost, write_cut,
            "the journal failed only when the power went"
        );
        progress.boots += 1;
        (t, write_cut) = match boot(&mut flash, t, &mut progress, &mut out).await {
            Ended::Finished => break,
            Ended::Cut(at) => (at, false),
            Ended::WriteCut(at) => (at, true),
        };
    }
    let total = clock::cycles() - started;
    let _ = writeln!(
        out,
        "# {} inputs committed over {} boots; the whole run took {} SysTick cycles",
        progress.commits, progress.boots, total
    );
    for reboot in progress.reboots {
        let _ = writeln!(
            out,
            "# reboot at {}: journal recovery (flash read twice, snapshot restored, {} inputs replayed) {} SysTick cycles = {} instructions, {} bytes of stack; to the first command (restore with the driver, new snapshot) {} cycles = {} instructions",
            Secs(reboot.at),
            reboot.replayed,
            reboot.recovery,
            reboot.recovery * clock::INSTRUCTIONS_PER_CYCLE,
            reboot.stack,
            reboot.boot,
            reboot.boot * clock::INSTRUCTIONS_PER_CYCLE
        );
    }
    let _ = writeln!(
        out,
        "# sizes: Runner<{N}> {} B, Supervisor {} B, snapshot buffer {} B",
        core::mem::size_of::<allocstate::runner::Runner<N>>(),
        core::mem::size_of::<Supervisor<'static>>(),
        plan::SNAPSHOT_MAX
    );
    debug::exit(debug::EXIT_SUCCESS);
}

/// Set by the executor when a task is woken; the idle loop sleeps until then.
static PENDING: AtomicBool = AtomicBool::new(true);

#[unsafe(export_name = "__pender")]
fn pender(_context: *mut ()) {
    PENDING.store(true, Ordering::Release);
}

#[entry]
fn main() -> ! {
    let peripherals = cortex_m::Peripherals::take().expect("peripherals");
    clock::start(peripherals.SYST);
    let executor: &'static raw::Executor =
        cortex_m::singleton!(: raw::Executor = raw::Executor::new(core::ptr::null_mut()))
            .expect("once");
    executor
        .spawner()
        .spawn(supervisor().expect("spawned once"));
    loop {
        if PENDING.swap(false, Ordering::AcqRel) {
            // SAFETY: polled from this loop only, never from the pender.
            unsafe { executor.poll() };
        } else {
            // QEMU treats WFE as a no-op; WFI with interrupts masked sleeps until the
            // next interrupt (SysTick) without missing a wake set before it.
            cortex_m::interrupt::free(|_| {
                if !PENDING.load(Ordering::Acquire) {
                    cortex_m::asm::wfi();
                }
            });
        }
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    if let Ok(mut host) = hio::hstdout() {
        let _ = writeln!(host, "panic: {info}");
    }
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    if let Ok(mut host) = hio::hstdout() {
        let _ = writeln!(host, "hard fault at {:#010x}", frame.pc());
    }
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
