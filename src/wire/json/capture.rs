//! Strings read from JSON into fixed capacity: cut visibly, never refused.

use core::fmt;

use heapless::String;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, Visitor};

use crate::text::{prefix_within, EVENT_TEXT_CAPACITY};

/// A string of at most `C` bytes (one event's text capacity unless said); `cut` says
/// the input was longer. Its length is a `u16` (every capacity fits one), not a `usize`:
/// the JSON event reader holds several, and the bytes saved are stack on the target.
#[derive(Default)]
pub(crate) struct Captured<const C: usize = EVENT_TEXT_CAPACITY> {
    pub(crate) text: String<C, u16>,
    pub(crate) cut: bool,
}

impl<const C: usize> Captured<C> {
    pub(crate) fn as_str(&self) -> &str {
        self.text.as_str()
    }

    pub(crate) fn of(v: &str) -> Self {
        let mut captured = Captured::default();
        captured.capture(v);
        captured
    }

    /// Replaces what is held with `v`, cut to the capacity.
    pub(crate) fn capture(&mut self, v: &str) {
        let kept = prefix_within(v, C);
        self.text.clear();
        // Cannot fail: `kept` fits the capacity.
        let pushed = self.text.push_str(kept).is_ok();
        self.cut = !pushed || kept.len() < v.len();
    }
}

impl<'de, const C: usize> Deserialize<'de> for Captured<C> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(CapturedVisitor::<C>)
    }
}

struct CapturedVisitor<const C: usize>;

impl<const C: usize> Visitor<'_> for CapturedVisitor<C> {
    type Value = Captured<C>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Captured<C>, E> {
        Ok(Captured::of(v))
    }
}

/// What a JSON string is read into, in place: a field of the value being read.
pub(crate) trait TakeStr {
    /// What the reader expected, for the error on anything but a string.
    const EXPECTING: &'static str = "a string";

    /// Takes the string read; an error refuses it.
    fn take<E: de::Error>(self, v: &str) -> Result<(), E>;
}

/// Reads one string into a [`TakeStr`]: the one seed of every string read in place, so
/// no string is built on the stack to be moved into place.
pub(crate) struct StrInto<T>(pub(crate) T);

impl<'de, T: TakeStr> DeserializeSeed<'de> for StrInto<T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<T: TakeStr> Visitor<'_> for StrInto<T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.take(v)
    }
}

/// A string cut to the capacity.
impl<const C: usize> TakeStr for &mut Captured<C> {
    fn take<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.capture(v);
        Ok(())
    }
}
