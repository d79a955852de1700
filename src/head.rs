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

/// The kind's position in [`EventKind::ALL`] sits in the low five bits.
const KIND_BITS: u64 = 0b1_1111;

/// The `FailsTask` flag, just above the kind.
const FAILS_TASK: u64 = 1 << 5;

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
        let starts = matches!(kind, EventKind::Started | EventKind::Restarting);
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
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_flag_reads_back() {
        for kind in EventKind::ALL {
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
        for kind in EventKind::ALL {
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
