//! The runner's deterministic jitter source for restart delays.

use crate::restart::Jitter;

/// xorshift64*: small, fast, reproducible from its seed (persisted with the runner).
/// Held XORed with the default seed, so that the default source is all zero bytes (a
/// `static` runner lands in `.bss`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct XorShift(u64);

/// Shows the state, not how it is held.
impl core::fmt::Debug for XorShift {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("XorShift").field(&self.state()).finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for XorShift {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "XorShift({=u64})", self.state());
    }
}

/// The state of a source seeded with 0 (xorshift would stay at 0).
const DEFAULT_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

impl XorShift {
    /// A source seeded with `seed` (0 is replaced, since xorshift would stay at 0).
    pub(crate) const fn new(seed: u64) -> Self {
        Self::from_state(if seed == 0 { DEFAULT_SEED } else { seed })
    }

    /// The source in `state` exactly (as persisted).
    pub(crate) const fn from_state(state: u64) -> Self {
        Self(state ^ DEFAULT_SEED)
    }

    /// The current state (what is persisted).
    pub(crate) const fn state(&self) -> u64 {
        self.0 ^ DEFAULT_SEED
    }
}

impl Jitter for XorShift {
    fn below(&mut self, n: u64) -> u64 {
        let mut x = self.state();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *self = Self::from_state(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
            .checked_rem(n)
            .unwrap_or(0)
    }
}
