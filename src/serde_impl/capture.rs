//! Strings read from JSON into fixed capacity: cut visibly, never refused.

use core::fmt;

use heapless::String;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, Visitor};

use crate::text::{prefix_within, EVENT_TEXT_CAPACITY};

/// A string of at most one event's text capacity; `cut` says the input was longer, and
/// `whole` fingerprints all of it, so a long string can still be recognised afterwards
/// (an incoming `DisplayMessage` equal to the computed one is not stored).
#[derive(Default)]
pub(crate) struct Captured {
    pub(crate) text: String<EVENT_TEXT_CAPACITY>,
    pub(crate) cut: bool,
    pub(crate) whole: Fingerprint,
}

/// Length and FNV-1a hash of a string, fed piece by piece as a `fmt::Write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    len: usize,
    hash: u64,
}

impl Default for Fingerprint {
    fn default() -> Self {
        Self {
            len: 0,
            hash: 0xcbf2_9ce4_8422_2325,
        }
    }
}

impl Fingerprint {
    pub(crate) fn of(text: &str) -> Self {
        let mut print = Self::default();
        print.feed(text);
        print
    }

    fn feed(&mut self, text: &str) {
        self.len = self.len.saturating_add(text.len());
        for byte in text.bytes() {
            self.hash = (self.hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl fmt::Write for Fingerprint {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.feed(s);
        Ok(())
    }
}

impl Captured {
    pub(crate) fn as_str(&self) -> &str {
        self.text.as_str()
    }
}

impl<'de> Deserialize<'de> for Captured {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut captured = Captured::default();
        CaptureInto(&mut captured).deserialize(d)?;
        Ok(captured)
    }
}

/// Reads a string into the `Captured` it holds, replacing what was there: a field read
/// this way needs no temporary `Captured` of its own on the stack.
pub(crate) struct CaptureInto<'a>(pub(crate) &'a mut Captured);

impl<'de> DeserializeSeed<'de> for CaptureInto<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for CaptureInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        let kept = prefix_within(v, EVENT_TEXT_CAPACITY);
        let slot = self.0;
        slot.text.clear();
        // Cannot fail: `kept` fits the capacity.
        let pushed = slot.text.push_str(kept).is_ok();
        slot.cut = !pushed || kept.len() < v.len();
        slot.whole = Fingerprint::of(v);
        Ok(())
    }
}
