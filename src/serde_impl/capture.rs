//! Strings read from JSON into fixed capacity: cut visibly, never refused.

use core::fmt;

use heapless::String;
use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::text::{prefix_within, EVENT_TEXT_CAPACITY};

/// A string of at most `C` bytes (one event's text capacity unless said); `cut` says
/// the input was longer.
#[derive(Default)]
pub(crate) struct Captured<const C: usize = EVENT_TEXT_CAPACITY> {
    pub(crate) text: String<C>,
    pub(crate) cut: bool,
}

impl<const C: usize> Captured<C> {
    pub(crate) fn as_str(&self) -> &str {
        self.text.as_str()
    }

    pub(crate) fn of(v: &str) -> Self {
        let kept = prefix_within(v, C);
        let mut text = String::new();
        // Cannot fail: `kept` fits the capacity.
        let pushed = text.push_str(kept).is_ok();
        Captured {
            text,
            cut: !pushed || kept.len() < v.len(),
        }
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
