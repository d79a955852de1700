//! The time driver for embassy-time: SysTick on the 25 MHz core clock at 1 kHz, a tick
//! count, and embassy's generic timer queue behind a critical section. Also the cycle
//! count for measurements: ticks × 25,000 plus SysTick's current count.

use core::cell::RefCell;
use core::task::Waker;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{SCB, SYST};
use cortex_m_rt::exception;
use critical_section::Mutex;
use embassy_time_queue_utils::Queue;

/// SysTick cycles per embassy tick (1 ms at 25 MHz).
const RELOAD: u32 = 25_000;
/// Instructions per SysTick cycle under QEMU's `-icount shift=0` (one instruction per
/// virtual nanosecond, SysTick at 25 MHz).
pub const INSTRUCTIONS_PER_CYCLE: u64 = 40;

struct State {
    ticks: u64,
    alarm: u64,
    queue: Queue,
}

static STATE: Mutex<RefCell<State>> = Mutex::new(RefCell::new(State {
    ticks: 0,
    alarm: u64::MAX,
    queue: Queue::new(),
}));

struct Driver;

impl embassy_time_driver::Driver for Driver {
    fn now(&self) -> u64 {
        critical_section::with(|cs| STATE.borrow_ref(cs).ticks)
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            let mut state = STATE.borrow_ref_mut(cs);
            let state = &mut *state;
            if state.queue.schedule_wake(at, waker) {
                state.alarm = state.queue.next_expiration(state.ticks);
            }
        });
    }
}

embassy_time_driver::time_driver_impl!(static DRIVER: Driver = Driver);

#[exception]
fn SysTick() {
    critical_section::with(|cs| {
        let mut state = STATE.borrow_ref_mut(cs);
        let state = &mut *state;
        state.ticks += 1;
        if state.ticks >= state.alarm {
            state.alarm = state.queue.next_expiration(state.ticks);
        }
    });
}

/// Starts SysTick at 1 kHz.
pub fn start(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(RELOAD - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

/// SysTick cycles since start (25 MHz).
pub fn cycles() -> u64 {
    critical_section::with(|cs| {
        let ticks = STATE.borrow_ref(cs).ticks;
        let mut current = SYST::get_current();
        // A wrap not yet counted: the handler waits for this critical section.
        let ticks = if SCB::is_pendst_pending() {
            current = SYST::get_current();
            ticks + 1
        } else {
            ticks
        };
        ticks * u64::from(RELOAD) + u64::from(RELOAD - 1 - current)
    })
}
