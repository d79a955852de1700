//! A `Driver` event's annotations: key and value pairs, sorted by key as Go writes a map.

use crate::head::Keys;
use crate::kind::EventKind;
use crate::text::{Packed, Packer, Slot, EVENT_TEXT_CAPACITY};

use super::TaskEvent;

/// A driver's annotations: key and value pairs, kept sorted by key (the order Go writes
/// a map in), each key once.
///
/// ```
/// use allocstate::{Detail, TaskEvent};
///
/// let pull = TaskEvent::driver(1, "Downloading image").with_annotation("image", "redis:7");
/// let Detail::Driver { annotations: Some(annotations), .. } = pull.detail() else {
///     unreachable!()
/// };
/// assert_eq!(annotations.get("image"), Some("redis:7"));
/// assert_eq!(annotations.iter().count(), 1);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Annotations<'a>(pub(crate) Packed<'a>);

impl<'a> Annotations<'a> {
    /// No annotation (an empty map, as opposed to none: `Option::None`).
    pub const EMPTY: Annotations<'static> = Annotations(Packed(""));

    /// The pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        let mut strings = self.0.iter();
        core::iter::from_fn(move || Some((strings.next()?, strings.next()?)))
    }

    /// The value of `key`, if annotated.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Whether there is no pair.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0 .0.is_empty()
    }
}

impl core::fmt::Debug for Annotations<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Annotations as an event holds them, from fuzz input: the input's next string when it
/// is such a packing (key and value pairs, keys strictly increasing, each length in its
/// shortest form), else [`Annotations::EMPTY`]. Borrowed from the input, as a
/// [`Detail`](super::Detail) is: there is no buffer to sort other pairs into.
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Annotations<'a> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let packed = Packed(<&'a str as arbitrary::Arbitrary<'a>>::arbitrary(u)?);
        Ok(if held_form(packed) {
            Annotations(packed)
        } else {
            Annotations::EMPTY
        })
    }
}

/// Whether `packed` is what an event holds: pairs, keys strictly increasing, each length
/// in its shortest form (one byte below 64), so that [`TaskEvent::new`] keeps it as is.
#[cfg(feature = "arbitrary")]
fn held_form(packed: Packed<'_>) -> bool {
    // Whether `piece`, read from the start of `at`, has its length in its shortest form.
    let shortest = |at: Packed<'_>, piece: &str| {
        at.0.as_bytes()
            .first()
            .is_some_and(|&b| (b < 0x40) == (piece.len() < 0x40))
    };
    let mut rest = packed;
    let mut last: Option<&str> = None;
    while !rest.0.is_empty() {
        let Some((key, at_value)) = rest.split() else {
            return false;
        };
        let Some((value, next)) = at_value.split() else {
            return false;
        };
        if !shortest(rest, key) || !shortest(at_value, value) || last.is_some_and(|l| l >= key) {
            return false;
        }
        last = Some(key);
        rest = next;
    }
    true
}

#[cfg(feature = "defmt")]
impl defmt::Format for Annotations<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{{");
        for (i, (key, value)) in self.iter().enumerate() {
            if i > 0 {
                defmt::write!(f, ", ");
            }
            defmt::write!(f, "{=str}: {=str}", key, value);
        }
        defmt::write!(f, "}}");
    }
}

/// Packs `held` annotations with `key` set to `value` into `packer`, kept sorted by key
/// (as Go writes a map). Into the caller's packer, not returned: a returned one was
/// copied out, a second text buffer on the stack.
fn insert_sorted(packer: &mut Packer, held: Packed<'_>, key: &str, value: &str) {
    let mut placed = false;
    for (k, v) in Annotations(held).iter() {
        if !placed && k >= key {
            packer.push(key, Some(value));
            placed = true;
        }
        if k != key {
            packer.push(k, Some(v));
        }
    }
    if !placed {
        packer.push(key, Some(value));
    }
}

impl TaskEvent {
    /// Adds one of the driver's annotations to a `Driver` event (replacing the key's
    /// value if annotated). A pair that does not fit whole is left out and
    /// [`is_truncated`](TaskEvent::is_truncated) says so. Other kinds carry no
    /// annotations and are returned unchanged.
    #[must_use]
    pub fn with_annotation(mut self, key: &str, value: &str) -> TaskEvent {
        self.annotate(key, value);
        self
    }

    /// [`with_annotation`](TaskEvent::with_annotation) in place.
    pub(super) fn annotate(&mut self, key: &str, value: &str) {
        if self.kind() != EventKind::Driver {
            return;
        }
        let held = self.texts.get(Slot::Second);
        // After every key held (annotations added in order, as Go writes a map and the
        // JSON reader keeps them): appended in place, with no packing buffer.
        let last = Annotations(Packed(held)).iter().last();
        let appended = match last {
            Some((last, _)) if last >= key => None,
            _ => self.texts.append_packed(Slot::Second, &[key, value]),
        };
        if appended.is_none() {
            self.insert_annotation(key, value);
        }
        self.head = self
            .head
            .with_keys(self.head.keys().with(Keys::NULL, false));
    }

    /// Puts one annotation in its sorted place, packing the slot again. Not inlined: the
    /// packing buffer is on the stack only when a key comes before one held.
    #[inline(never)]
    fn insert_annotation(&mut self, key: &str, value: &str) {
        let held = self.texts.get(Slot::Second);
        let others = self.texts.len().saturating_sub(held.len());
        let room = EVENT_TEXT_CAPACITY.saturating_sub(others);
        let mut packer = Packer::new(room);
        insert_sorted(&mut packer, Packed(held), key, value);
        self.texts.set(Slot::Second, &packer.buf);
        if packer.cut {
            self.texts.mark_truncated(Slot::Second);
        }
    }
}

#[cfg(all(test, feature = "arbitrary"))]
mod tests {
    use super::*;
    use crate::event::Detail;

    /// 70 bytes: its length takes the two-byte form.
    const LONG: &str = "0123456789012345678901234567890123456789012345678901234567890123456789";

    #[test]
    fn the_held_form_is_what_an_event_keeps_and_nothing_else() {
        let event = TaskEvent::driver(1, "pull")
            .with_annotation("b", "2")
            .with_annotation("a", LONG);
        let Detail::Driver {
            annotations: Some(held),
            ..
        } = event.detail()
        else {
            unreachable!()
        };
        assert!(held_form(held.0));
        assert_eq!(TaskEvent::new(1, event.detail()), event);
        assert!(held_form(Annotations::EMPTY.0));
        // Keys out of order, a key twice, a key without its value, a short length in the
        // long form, a length past the end.
        for other in [
            "\x01b\x012\x01a\x011",
            "\x01a\x011\x01a\x012",
            "\x01a",
            "\x40\x01a\x011",
            "\x05ab",
        ] {
            assert!(!held_form(Packed(other)), "{other:?}");
        }
    }
}
