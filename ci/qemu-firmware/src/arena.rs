//! RAM that the checks take one after another: the two `Allocation<8>` the budgets work
//! on, or the `Runner<8>` the runner checks drive. Both do not fit a 64 KiB part beside
//! the firmware's buffers; one at a time they do. The arena is in `.bss` (no image in
//! flash) and each taker resets it in place.

use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr::addr_of_mut;

use allocstate::restart::JobType;
use allocstate::runner::{GroupSpec, Runner};
use allocstate::Allocation;

/// What the arena can hold, one at a time (the union gives the size and alignment).
#[allow(dead_code)] // only its layout is used
union Arena {
    allocations: ManuallyDrop<(Allocation<8>, Allocation<8>)>,
    runner: ManuallyDrop<Runner<8>>,
}

static mut ARENA: MaybeUninit<Arena> = MaybeUninit::uninit();

// All-zero bytes are a valid value of both (const evaluation checks the value's validity
// and `zeroed` refuses types that have none), so the arena can be zeroed in place and
// then reset through the crate's own in-place API: writing `Runner::new(..)` or
// `Allocation::new()` would build the value on the stack first (15 and 27 KB).
const _: (Allocation<8>, Allocation<8>) = unsafe { core::mem::zeroed() };
const _: Runner<8> = unsafe { core::mem::zeroed() };

/// The two allocations, empty. Whatever the arena held before is gone: a previous
/// taker's references must be dead (the checks run one after another and keep nothing).
#[cfg(budgets)]
pub fn allocations() -> (&'static mut Allocation<8>, &'static mut Allocation<8>) {
    let place = addr_of_mut!(ARENA).cast::<(Allocation<8>, Allocation<8>)>();
    // SAFETY: the arena is big and aligned enough for the pair (the union); zeroed, it
    // holds a valid pair (checked above); single-threaded, no interrupt touches it; the
    // values it held need no drop (plain data, no destructor with effects).
    let pair = unsafe {
        place.write_bytes(0, 1);
        &mut *place
    };
    pair.0.clear();
    pair.1.clear();
    (&mut pair.0, &mut pair.1)
}

/// The runner, as `Runner::new` builds it (see [`allocations`] for the arena's rule).
pub fn runner() -> &'static mut Runner<8> {
    let place = addr_of_mut!(ARENA).cast::<Runner<8>>();
    // SAFETY: as in `allocations`.
    let runner = unsafe {
        place.write_bytes(0, 1);
        &mut *place
    };
    runner.reset(GroupSpec::new(JobType::Service));
    runner
}

/// The reading mode's allocation the budgets read into (thumbv7em only: the 64 KiB part
/// has no room for it beside the arena). Called once.
#[cfg(budgets)]
pub fn nomad() -> &'static mut allocstate::nomad::NomadAllocation<8> {
    static mut NOMAD: allocstate::nomad::NomadAllocation<8> =
        allocstate::nomad::NomadAllocation::new();
    // SAFETY: taken once (`budgets::allocations`), single-threaded, no interrupt touches
    // it.
    unsafe { &mut *addr_of_mut!(NOMAD) }
}
