//! Stack use measured by painting: every word between the start of RAM (the stack's floor
//! under flip-link) and the current stack pointer is set to a pattern, the operation runs,
//! and the lowest word no longer holding the pattern tells how deep it went.

use core::ptr;

use crate::generated::RAM_ORIGIN;

const PAINT: u32 = 0xA5C3_5A3C;

/// Runs `f` and returns its result and the bytes of stack it used below the caller's.
#[inline(never)]
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let top = cortex_m::register::msp::read();
    // Leave this frame's own words alone: paint from 16 bytes below the pointer down.
    let paint_top = top.saturating_sub(16) & !3;
    let mut at = RAM_ORIGIN;
    while at < paint_top {
        // SAFETY: [RAM_ORIGIN, sp) is the free part of the stack under flip-link; no
        // interrupt runs during a measurement, so nothing else lives there.
        unsafe { ptr::write_volatile(at as *mut u32, PAINT) };
        at += 4;
    }
    let result = core::hint::black_box(call(f));
    let mut lowest = RAM_ORIGIN;
    while lowest < paint_top {
        // SAFETY: as above; reading our own painted words.
        if unsafe { ptr::read_volatile(lowest as *const u32) } != PAINT {
            break;
        }
        lowest += 4;
    }
    (result, top.saturating_sub(lowest) as usize)
}

#[inline(never)]
fn call<R>(f: impl FnOnce() -> R) -> R {
    f()
}
