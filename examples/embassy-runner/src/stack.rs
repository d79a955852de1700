//! Stack use by painting (as in ci/qemu-firmware): every word between the start of RAM
//! (the stack's floor under flip-link) and just below the current stack pointer is set to
//! a pattern; later, the lowest word no longer holding it tells how deep the stack went.
//! An interrupt taken meanwhile (SysTick) counts too.

use core::ptr;

const RAM_ORIGIN: u32 = 0x2000_0000;
const PAINT: u32 = 0xA5C3_5A3C;

/// Paints the free stack; returns the stack pointer it painted below.
#[inline(never)]
pub fn paint() -> u32 {
    let top = cortex_m::register::msp::read();
    let paint_top = top.saturating_sub(64) & !3;
    let mut at = RAM_ORIGIN;
    while at < paint_top {
        // SAFETY: [RAM_ORIGIN, sp - 64) is the free part of the stack under flip-link.
        unsafe { ptr::write_volatile(at as *mut u32, PAINT) };
        at += 4;
    }
    top
}

/// Bytes of stack used below `top` since [`paint`].
#[inline(never)]
pub fn used(top: u32) -> usize {
    let paint_top = top.saturating_sub(64) & !3;
    let mut lowest = RAM_ORIGIN;
    while lowest < paint_top {
        // SAFETY: as above; reading painted words.
        if unsafe { ptr::read_volatile(lowest as *const u32) } != PAINT {
            break;
        }
        lowest += 4;
    }
    top.saturating_sub(lowest) as usize
}
