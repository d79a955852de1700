//! Packed, fixed-capacity text for one event.
//!
//! An event carries at most four strings (two kind-specific annotations, `Message`, and a
//! `DisplayMessage` override). Giving each its own worst-case buffer would make the ring of
//! ten events several times larger than what real events use, so they share one buffer.
//! A string that does not fit is cut at a char boundary and the cut is recorded: text is
//! never lost silently.

use heapless::String;

/// Bytes of text one event can hold, shared by all of its strings: a build-time choice.
///
/// | feature | capacity |
/// |---|---|
/// | (none) | 107 |
/// | `text-capacity-256` | 256 |
/// | `text-capacity-1024` | 1024 |
/// | `text-capacity-4096` | 4096 |
///
/// The size of each public type at each capacity is the README's size table, which
/// `tests/size_budget.rs` asserts.
///
/// As smoltcp's buffer features do, the largest enabled wins, so features stay additive
/// (a dependency asking for 256 and another for 1024 get 1024).
///
/// The default, 107, makes an event's text (with its bookkeeping) exactly seven 16-byte
/// blocks: see `TaskEvent`'s layout. It holds Nomad's common executor error, 107 bytes:
/// `failed to launch command with executor: rpc error: code = Unknown desc = executable file
/// not found in $PATH`; driver and hook errors of 150 to 400 bytes (image pulls, OCI
/// runtimes) want 1024 on a server.
pub const EVENT_TEXT_CAPACITY: usize = if cfg!(feature = "text-capacity-4096") {
    4096
} else if cfg!(feature = "text-capacity-1024") {
    1024
} else if cfg!(feature = "text-capacity-256") {
    256
} else {
    107
};

/// An offset into the texts: a byte while the capacity fits one.
#[cfg(not(any(
    feature = "text-capacity-256",
    feature = "text-capacity-1024",
    feature = "text-capacity-4096"
)))]
type Offset = u8;
/// An offset into the texts: a byte while the capacity fits one.
#[cfg(any(
    feature = "text-capacity-256",
    feature = "text-capacity-1024",
    feature = "text-capacity-4096"
))]
type Offset = u16;

const _: () = assert!(EVENT_TEXT_CAPACITY <= Offset::MAX as usize);

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

impl Slot {
    /// The slot's bit in the cut mask.
    pub(crate) const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// Every slot's bit: a cut mask has no other.
#[cfg(feature = "serde")]
pub(crate) const ALL_SLOTS: u8 = 0b1111;

const SLOTS: [Slot; 4] = [Slot::First, Slot::Second, Slot::Message, Slot::Display];

/// Four strings packed into one buffer: `ends[i]` is where slot `i` ends; the last slot
/// ends where the buffer does. At the default capacity 112 bytes in all, seven whole
/// 16-byte blocks, laid out in this order (`repr(C)`) so that `TaskEvent`'s layout can be
/// checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[repr(C)]
pub(crate) struct Texts {
    ends: [Offset; 3],
    /// Which strings were cut, one bit per [`Slot`]: a string set again uncut clears its
    /// bit. A byte, not a `bool`, so that the texts offer no niche: `Result<Transition, TransitionError>` then keeps its tag out of them (in
    /// `TransitionError`'s own fields), and the optimiser still copies the texts as whole blocks
    /// (see `TaskEvent`'s layout).
    truncated: u8,
    buf: String<EVENT_TEXT_CAPACITY, Offset>,
}

impl Texts {
    pub(crate) const fn new() -> Self {
        Self {
            ends: [0; 3],
            truncated: 0,
            buf: String::new(),
        }
    }

    /// Empties every string in place.
    pub(crate) fn clear(&mut self) {
        self.ends = [0; 3];
        self.truncated = 0;
        self.buf.clear();
    }

    /// Packs `Signaling`'s reason and signal text into the second slot, each whole or
    /// empty (then cut), so the signal stays second. For the constructor, which has
    /// cleared the texts and set only the first: the second slot is then last and
    /// empty, and the packing is appended in place, with no buffer. Were strings held
    /// after it, nothing would be packed and the slot would be marked cut.
    pub(crate) fn pack_signal(&mut self, reason: &str, signal: &str) {
        for piece in [reason, signal] {
            match self.append_packed(Slot::Second, &[piece]) {
                Some(true) => {}
                Some(false) => {
                    let _ = self.append_packed(Slot::Second, &[""]);
                }
                None => self.mark_truncated(Slot::Second),
            }
        }
    }

    /// Whether any string held was cut to fit.
    pub(crate) const fn truncated(&self) -> bool {
        self.truncated != 0
    }

    /// Which strings were cut, one bit per [`Slot`] (the compact format carries it).
    #[cfg(feature = "serde")]
    pub(crate) const fn cut_mask(&self) -> u8 {
        self.truncated
    }

    /// Records that the string in `slot` was cut before it reached this buffer.
    pub(crate) fn mark_truncated(&mut self, slot: Slot) {
        self.truncated |= slot.bit();
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

    /// Bytes held by all the strings together.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
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
        let mut truncated = self.truncated & !slot.bit();
        if kept.len() < text.len() {
            truncated |= slot.bit();
        }
        if end >= self.buf.len() {
            // Nothing held after this slot (the decoders and constructors fill the slots in
            // order): replace the end in place, with no second buffer on the stack.
            // Popped, not truncated: `truncate` asserts a char boundary (a panic path the
            // proof refuses); `start` is one, so whole chars come off.
            while self.buf.len() > start && self.buf.pop().is_some() {}
            // Cannot fail: `kept` fits the room left.
            if self.buf.push_str(kept).is_err() {
                truncated |= slot.bit();
            }
            self.truncated = truncated;
            let len = Offset::try_from(self.buf.len()).unwrap_or(Offset::MAX);
            for end in self.ends.iter_mut().skip(slot as usize) {
                *end = len;
            }
            return;
        }
        self.rebuild(slot, kept, truncated);
    }

    /// Appends `pieces`, packed (see [`Packed`]), to `slot` when nothing is held after
    /// it: all of them whole if they fit, else none and the slot marked cut.
    /// `Some(fitted)` then; `None` if strings follow the slot (nothing changes), for
    /// the caller to build the slot again instead.
    pub(crate) fn append_packed(&mut self, slot: Slot, pieces: &[&str]) -> Option<bool> {
        let (_, end) = self.bounds(slot);
        if end < self.buf.len() {
            return None;
        }
        let need = pieces
            .iter()
            .fold(0usize, |need, piece| need.saturating_add(packed_len(piece)));
        if self.buf.len().saturating_add(need) > EVENT_TEXT_CAPACITY {
            self.mark_truncated(slot);
            return Some(false);
        }
        for piece in pieces {
            if !push_packed(&mut self.buf, piece) {
                self.mark_truncated(slot);
            }
        }
        let len = Offset::try_from(self.buf.len()).unwrap_or(Offset::MAX);
        for end in self.ends.iter_mut().skip(slot as usize) {
            *end = len;
        }
        Some(true)
    }

    /// [`set`](Texts::set) with strings after the slot: the buffer is built again. Not
    /// inlined, so the in-place path does not carry this frame's copy.
    #[inline(never)]
    fn rebuild(&mut self, slot: Slot, kept: &str, truncated: u8) {
        let mut rebuilt = Self {
            truncated,
            ..Self::new()
        };
        for (index, each) in SLOTS.iter().enumerate() {
            let piece = if *each == slot { kept } else { self.get(*each) };
            // Cannot fail: the pieces add up to at most the capacity, checked above.
            if rebuilt.buf.push_str(piece).is_err() {
                rebuilt.truncated |= each.bit();
            }
            if let Some(end) = rebuilt.ends.get_mut(index) {
                *end = Offset::try_from(rebuilt.buf.len()).unwrap_or(Offset::MAX);
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

/// Strings packed into one slot, for the kinds that keep more strings than the slots
/// hold (`Signaling`'s reason and signal text, `Driver`'s annotations): each string is
/// its length, then its bytes. The length takes one byte below 64 and two from there
/// (`0x40 | len >> 7`, then `len & 0x7f`), all ASCII, so the slot stays plain UTF-8 and
/// the texts need no second layout.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Packed<'a>(pub(crate) &'a str);

/// The longest string a packing can hold: two length bytes of 7 bits, the first below
/// 0x40 once its flag is taken off.
const PACKED_MAX: usize = (1 << 13) - 1;

const _: () = assert!(EVENT_TEXT_CAPACITY <= PACKED_MAX);

impl<'a> Packed<'a> {
    /// The next string and the rest, or `None` at the end or on a broken packing.
    pub(crate) fn split(self) -> Option<(&'a str, Packed<'a>)> {
        let (len, rest) = match *self.0.as_bytes() {
            [high @ 0x40..=0x7f, low @ 0..=0x7f, ..] => {
                (usize::from(high & 0x3f) << 7 | usize::from(low), 2)
            }
            [len @ 0..=0x3f, ..] => (usize::from(len), 1),
            _ => return None,
        };
        let rest = self.0.get(rest..)?;
        Some((rest.get(..len)?, Packed(rest.get(len..)?)))
    }

    /// Whether the packing reads through to its end.
    #[cfg(feature = "serde")]
    pub(crate) fn is_well_formed(self) -> bool {
        let mut rest = self;
        while !rest.0.is_empty() {
            match rest.split() {
                Some((_, next)) => rest = next,
                None => return false,
            }
        }
        true
    }

    /// The strings, in order; stops at a broken packing.
    pub(crate) fn iter(self) -> impl Iterator<Item = &'a str> {
        let mut rest = self;
        core::iter::from_fn(move || {
            let (piece, next) = rest.split()?;
            rest = next;
            Some(piece)
        })
    }
}

/// Bytes a string takes packed.
fn packed_len(piece: &str) -> usize {
    let prefix = if piece.len() < 0x40 { 1 } else { 2 };
    piece.len().saturating_add(prefix)
}

/// Builds a packed slot of at most `room` bytes: a string that does not fit whole is
/// left out and the cut reported (a packing is never cut inside).
pub(crate) struct Packer {
    pub(crate) buf: String<EVENT_TEXT_CAPACITY>,
    pub(crate) cut: bool,
    room: usize,
}

impl Packer {
    pub(crate) fn new(room: usize) -> Self {
        Self {
            buf: String::new(),
            cut: false,
            room: room.min(EVENT_TEXT_CAPACITY),
        }
    }

    /// Appends `first` and `second` whole, or neither (then the cut is reported).
    pub(crate) fn push(&mut self, first: &str, second: Option<&str>) -> bool {
        let need = packed_len(first).saturating_add(second.map_or(0, packed_len));
        if self.buf.len().saturating_add(need) > self.room {
            self.cut = true;
            return false;
        }
        for piece in core::iter::once(first).chain(second) {
            self.cut |= !push_packed(&mut self.buf, piece);
        }
        true
    }
}

/// Appends one packed string (its length, then its bytes) to `buf`; `false` if it did
/// not fit whole.
fn push_packed<L: heapless::LenType>(
    buf: &mut String<EVENT_TEXT_CAPACITY, L>,
    piece: &str,
) -> bool {
    let len = piece.len();
    // Two length bytes hold up to `PACKED_MAX`: a longer string (none fits the capacity,
    // asserted above) is refused before a cast could drop its high bits, so the casts
    // below keep every bit.
    if len > PACKED_MAX {
        return false;
    }
    let pushed = if len < 0x40 {
        buf.push(char::from(len as u8)).is_ok()
    } else {
        buf.push(char::from(0x40 | (len >> 7) as u8 & 0x3f)).is_ok()
            && buf.push(char::from(len as u8 & 0x7f)).is_ok()
    };
    pushed && buf.push_str(piece).is_ok()
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

    #[test]
    fn a_string_set_again_uncut_clears_its_cut() {
        let mut t = Texts::new();
        t.set(Slot::First, "kept");
        t.set(Slot::Message, &"x".repeat(EVENT_TEXT_CAPACITY + 1));
        assert!(t.truncated());
        t.set(Slot::Message, "short");
        assert!(!t.truncated());
        assert_eq!(t.get(Slot::First), "kept");
    }
}
