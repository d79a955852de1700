//! allocstate on an emulated Cortex-M: replays every scenario and compares the output with
//! the host's byte for byte, runs the restart-tracker table and an allocation's orders,
//! plays every runner scenario file on a `Runner<8>` (`runner_check.rs`), and measures the
//! stack of the crate's operations against their budgets. Prints one line per check and
//! `firmware: N passed, M failed`; exits 0 only if none failed. A panic or a fault exits
//! 1 (a stack overflow is a fault: the firmware is linked with flip-link).

#![no_std]
#![no_main]

#[path = "../../public_api.rs"]
#[macro_use]
mod public_api;

/// The public operations whose stack the budgets measure: every group of ci/public_api.rs
/// the firmware builds (it does not enable `journal`). On thumbv7em, where the budgets
/// run, dead code is denied here: an operation listed there and not named beside its
/// measurement (`covers!`) fails the build.
#[cfg_attr(budgets, deny(dead_code))]
#[cfg_attr(not(budgets), allow(dead_code))]
mod api {
    api_events!();
    api_restart!();
    api_allocation!();
    api_runner!();
    api_wire!();
    api_json!();
}

#[cfg(alloc_ram)]
mod arena;
#[cfg(any(budgets, not(alloc_ram)))]
mod budgets;
#[cfg(budgets)]
mod budgets_nomad;
mod checks;
// Not on the lm3s6965evb: its 256 KiB of flash are full (the runner's digests).
#[cfg(budgets)]
mod cost;
#[cfg(any(budgets, not(alloc_ram)))]
mod json_kinds;
mod out;
#[cfg(alloc_ram)]
mod runner_check;
mod stack;
mod target_json;
mod transcript;

#[cfg(any(budgets, not(alloc_ram)))]
#[path = "../../../tests/common/loaded_events.rs"]
mod loaded_events;
#[path = "../../../tests/common/restart_cases.rs"]
mod restart_cases;

/// Written by build.rs: the machine, the scenarios and the host's transcripts.
mod generated {
    include!(concat!(env!("OUT_DIR"), "/generated.rs"));
}

use cortex_m_rt::{entry, exception, ExceptionFrame};

#[entry]
fn main() -> ! {
    let mut tally = checks::Tally::default();
    out::line(format_args!(
        "machine {}: {} KiB RAM",
        generated::MACHINE,
        generated::RAM_LENGTH / 1024
    ));
    checks::run(&mut tally);
    out::line(format_args!(
        "firmware: {} passed, {} failed",
        tally.passed, tally.failed
    ));
    out::exit(tally.failed == 0)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    out::line(format_args!("HardFault at pc {:#010x}", frame.pc()));
    out::exit(false)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    out::line(format_args!("panic: {info}"));
    out::exit(false)
}
