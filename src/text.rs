//! Packed, fixed-capacity text for one event.
//!
//! An event carries at most four strings (two kind-specific annotations, `Message`, and a
//! `DisplayMessage` override). Giving each its own worst-case buffer would make the ring of
//! ten events several times larger than what real events use, so they share one buffer.
//! A string that does not fit is cut at a char boundary and the cut is recorded: text is
//! never lost silently.

use heapless::String;

/// Bytes of text one event can hold, shared by all of its strings.
///
/// 107 so that an event's text (with its bookkeeping) is exactly seven 16-byte blocks: see
/// `TaskEvent`'s layout. It still holds Nomad's common executor error, 107 bytes:
/// `failed to launch command with executor: rpc error: code = Unknown desc = executable file
/// not found in $PATH`.
pub const EVENT_TEXT_CAPACITY: usize = 107;

/// Which of an event's strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// The kind's first annotation (an error, a reason, a type string…).
    First = 0,
    /// The kind's second annotation (`KillReason` of `Killed`, `TaskSignalReason`).
    Second = 1,
    /// Nomad's `Message` (the exit message of `Terminated`).
    Message = 2,
    /// A `DisplayMessage` that overrides the computed one.
    Display = 3,
}

const SLOTS: [Slot; 4] = [Slot::First, Slot::Second, Slot::Message, Slot::Display];

/// Four strings packed into one buffer: `ends[i]` is where slot `i` ends; the last slot
/// ends where the buffer does. 112 bytes in all, seven whole 16-byte blocks, laid out in
/// this order (`repr(C)`) so that `TaskEvent`'s layout can be checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[repr(C)]
pub(crate) struct Texts {
    ends: [u8; 3],
    /// Whether a string was cut: 0 or 1. A byte, not a `bool`, so that the texts offer no
    /// niche: `Result<Transition, Rejected>` then keeps its tag out of them (in
    /// `Rejected`'s own fields), and the optimiser still copies the texts as whole blocks
    /// (see `TaskEvent`'s layout).
    truncated: u8,
    buf: String<EVENT_TEXT_CAPACITY, u8>,
}

impl Texts {
    pub(crate) const fn new() -> Self {
        Self {
            ends: [0; 3],
            truncated: 0,
            buf: String::new(),
        }
    }

    /// Whether any string was cut to fit.
    pub(crate) const fn truncated(&self) -> bool {
        self.truncated != 0
    }

    /// Records that a string was cut before it reached this buffer.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn mark_truncated(&mut self) {
        self.truncated = 1;
    }

    fn bounds(&self, slot: Slot) -> (usize, usize) {
        let index = slot as usize;
        let start = match index.checked_sub(1) {
            Some(previous) => self.ends.get(previous).copied().unwrap_or(0),
            None => 0,
        };
        let end = match self.ends.get(index) {
            Some(end) => usize::from(*end),
            None => self.buf.len(),
        };
        (usize::from(start), end)
    }

    pub(crate) fn get(&self, slot: Slot) -> &str {
        let (start, end) = self.bounds(slot);
        self.buf.get(start..end).unwrap_or("")
    }

    /// Sets one string. What is already held keeps its room; the new string gets what is
    /// left and is cut at a char boundary if it does not fit (then `truncated` is set).
    pub(crate) fn set(&mut self, slot: Slot, text: &str) {
        let (start, end) = self.bounds(slot);
        let others = self.buf.len().saturating_sub(end.saturating_sub(start));
        let room = EVENT_TEXT_CAPACITY.saturating_sub(others);
        let kept = prefix_within(text, room);
        if kept.len() < text.len() {
            self.truncated = 1;
        }
        let mut rebuilt = Self {
            truncated: self.truncated,
            ..Self::new()
        };
        for (index, each) in SLOTS.iter().enumerate() {
            let piece = if *each == slot { kept } else { self.get(*each) };
            // Cannot fail: the pieces add up to at most the capacity, checked above.
            if rebuilt.buf.push_str(piece).is_err() {
                rebuilt.truncated = 1;
            }
            if let Some(end) = rebuilt.ends.get_mut(index) {
                *end = u8::try_from(rebuilt.buf.len()).unwrap_or(u8::MAX);
            }
        }
        *self = rebuilt;
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
pub(crate) fn prefix_within(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.get(..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_hold_their_own_strings() {
        let mut t = Texts::new();
        t.set(Slot::Message, "exit 1");
        t.set(Slot::First, "reason");
        t.set(Slot::Display, "shown");
        assert_eq!(t.get(Slot::First), "reason");
        assert_eq!(t.get(Slot::Second), "");
        assert_eq!(t.get(Slot::Message), "exit 1");
        assert_eq!(t.get(Slot::Display), "shown");
        t.set(Slot::First, "r");
        assert_eq!(t.get(Slot::First), "r");
        assert_eq!(t.get(Slot::Message), "exit 1");
        assert!(!t.truncated());
    }

    #[test]
    fn overflow_cuts_the_new_string_at_a_char_boundary_and_says_so() {
        let mut t = Texts::new();
        let long = "é".repeat(EVENT_TEXT_CAPACITY);
        t.set(Slot::Message, "kept");
        t.set(Slot::First, &long);
        assert!(t.truncated());
        assert_eq!(t.get(Slot::Message), "kept");
        let first = t.get(Slot::First);
        // "é" is two bytes: the cut falls on the last whole one that fits.
        assert_eq!(first.len(), (EVENT_TEXT_CAPACITY - 4) / 2 * 2);
        assert!(first.chars().all(|c| c == 'é'));
    }
}
