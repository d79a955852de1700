//! The runner's deterministic jitter source for restart delays.

use crate::restart::Jitter;

/// xorshift64*: small, fast, reproducible from its seed (persisted with the runner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct XorShift(pub(crate) u64);

impl XorShift {
    /// A source seeded with `seed` (0 is replaced, since xorshift would stay at 0).
    pub const fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }
}

impl Jitter for XorShift {
    fn below(&mut self, n: u64) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
            .checked_rem(n)
            .unwrap_or(0)
    }
}
