//! An event's kind and `FailsTask` flag, packed in one word.
//!
//! Why a word and not two byte fields: an append moves the event into the ring, and the
//! optimiser copies the bytes `apply` reads one piece at a time. As two bytes, the kind and
//! the flag left six bytes of padding beside them, copied as two more pieces (and, short of
//! registers, through the stack): the event's last 16 bytes took five stores. As one word
//! they take two (the time and this), and the `apply` bench got about 13% faster (medians
//! of alternating runs). The word also answers, with one shift, whether the event fails
//! the task or keeps Nomad's books.

use core::fmt;

use crate::kind::EventKind;
use crate::kind::{shape, Books};

/// The kind's position in [`EventKind::ALL`] sits in the low five bits.
const KIND_BITS: u64 = 0b1_1111;

/// The `FailsTask` flag, just above the kind.
const FAILS_TASK: u64 = 1 << 5;

/// Where the [`Keys`] byte sits.
const KEYS_SHIFT: u32 = 8;

/// Which of Nomad's `Details` keys the event carries, one bit each: a setter called with
/// an empty or zero value still writes its key, so presence is a fact of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Keys(pub(crate) u8);

impl Keys {
    /// `Details` is `null` (Go's nil map): no key at all. Seed-era events, and `Driver`
    /// events whose driver gave no annotations.
    pub(crate) const NULL: u8 = 1 << 0;
    /// `fails_task`, written by `SetFailsTask`.
    pub(crate) const FAILS_TASK: u8 = 1 << 1;
    /// `message` (`exit_message` for `Terminated`), written with the `Message`.
    pub(crate) const MESSAGE: u8 = 1 << 2;
    /// The kind's own keys, in the order of its row (`crate::kind`), from this bit up.
    pub(crate) const FIRST_ANNOTATION: u8 = 3;
    /// Every bit a key set may hold.
    pub(crate) const ALL: u8 = 0b11_1111;

    /// The bit of the kind's `index`th own key.
    pub(crate) const fn annotation(index: usize) -> u8 {
        match index {
            0 => 1 << Self::FIRST_ANNOTATION,
            1 => 1 << (Self::FIRST_ANNOTATION + 1),
            2 => 1 << (Self::FIRST_ANNOTATION + 2),
            _ => 0,
        }
    }

    /// The bits of a kind's first `count` own keys.
    pub(crate) const fn own(count: usize) -> u8 {
        match count {
            0 => 0,
            1 => Self::annotation(0),
            2 => Self::annotation(0) | Self::annotation(1),
            _ => Self::annotation(0) | Self::annotation(1) | Self::annotation(2),
        }
    }

    pub(crate) const fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    pub(crate) const fn with(self, bit: u8, on: bool) -> Keys {
        if on {
            Keys(self.0 | bit)
        } else {
            Keys(self.0 & !bit)
        }
    }
}

// Appending a 33rd kind must widen `KIND_BITS` (and move `FAILS_TASK`); this stops the
// build until it does.
const _: () = assert!(EventKind::ALL.len() <= 32);

/// One bit per kind: set if accepting an event of that kind fails the task whatever its
/// flag says.
const ALWAYS_FAILS: u32 = by_kind(false);

/// One bit per kind: set if accepting an event of that kind touches Nomad's bookkeeping in
/// any phase (it fails, starts or restarts the task).
const ALWAYS_BOOKS: u32 = by_kind(true);

/// One bit per kind, evaluated by the compiler. 32-bit, so that on 32-bit targets testing
/// a bit is one shift.
// Evaluated by the compiler: an index out of bounds here is a build error, not a panic.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const fn by_kind(books: bool) -> u32 {
    let mut mask = 0;
    let mut index = 0;
    while index < EventKind::ALL.len() {
        let kind = EventKind::ALL[index];
        let starts = matches!(shape(kind).books, Books::Starts | Books::Restarts);
        if kind.always_fails_task() || (books && starts) {
            mask |= 1 << index;
        }
        index += 1;
    }
    mask
}

/// An event's kind and `FailsTask` flag (see the module docs for why one word).
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(transparent)]
pub(crate) struct Head(u64);

impl Head {
    pub(crate) const fn new(kind: EventKind, fails_task: bool) -> Head {
        let flag = if fails_task { FAILS_TASK } else { 0 };
        Head(kind as u64 | flag)
    }

    /// The kind's position in [`EventKind::ALL`]: below 32, so it indexes a table of one
    /// row per kind with no bounds check left at run time.
    #[inline(always)]
    pub(crate) const fn kind_index(self) -> usize {
        (self.0 & KIND_BITS) as usize
    }

    #[inline]
    pub(crate) const fn kind(self) -> EventKind {
        match EventKind::ALL.split_at_checked(self.kind_index()) {
            Some((_, [kind, ..])) => *kind,
            // Not reached: a head is only made from a kind.
            _ => EventKind::Unknown,
        }
    }

    /// The same head with `FailsTask` set to `fails_task` (the keys are kept).
    pub(crate) const fn with_fails_task(self, fails_task: bool) -> Head {
        if fails_task {
            Head(self.0 | FAILS_TASK)
        } else {
            Head(self.0 & !FAILS_TASK)
        }
    }

    /// The `Details` keys the event carries.
    pub(crate) const fn keys(self) -> Keys {
        // The byte at `KEYS_SHIFT`; the truncating cast is intended.
        Keys((self.0 >> KEYS_SHIFT) as u8 & Keys::ALL)
    }

    /// The same head carrying `keys`.
    pub(crate) const fn with_keys(self, keys: Keys) -> Head {
        let cleared = self.0 & !((Keys::ALL as u64) << KEYS_SHIFT);
        Head(cleared | ((keys.0 & Keys::ALL) as u64) << KEYS_SHIFT)
    }

    #[inline(always)]
    pub(crate) const fn fails_task(self) -> bool {
        self.0 & FAILS_TASK != 0
    }

    /// Whether accepting the event fails the task: its flag, or a kind that always does.
    #[inline(always)]
    pub(crate) const fn marks_failed(self) -> bool {
        self.fails_task() || ALWAYS_FAILS >> self.kind_index() & 1 != 0
    }

    /// Whether accepting the event touches the bookkeeping in any phase: it fails, starts
    /// or restarts the task. (A step that changes the phase does too.)
    #[inline(always)]
    pub(crate) const fn keeps_books(self) -> bool {
        self.fails_task() || ALWAYS_BOOKS >> self.kind_index() & 1 != 0
    }
}

impl fmt::Debug for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Head")
            .field("kind", &self.kind())
            .field("fails_task", &self.fails_task())
            .field("keys", &self.keys())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_flag_reads_back() {
        for &kind in EventKind::ALL {
            for fails_task in [false, true] {
                let head = Head::new(kind, fails_task);
                assert_eq!(head.kind(), kind);
                assert_eq!(head.kind_index(), kind as usize);
                assert_eq!(head.fails_task(), fails_task);
            }
        }
    }

    #[test]
    fn the_masks_answer_as_the_contract_says() {
        use EventKind as K;
        for &kind in EventKind::ALL {
            for fails_task in [false, true] {
                let head = Head::new(kind, fails_task);
                let fails = fails_task || matches!(kind, K::NotRestarting | K::SetupFailure);
                assert_eq!(head.marks_failed(), fails, "{kind:?} {fails_task}");
                let books = fails || matches!(kind, K::Started | K::Restarting);
                assert_eq!(head.keeps_books(), books, "{kind:?} {fails_task}");
            }
        }
    }
}
