//! Strings read from JSON into fixed capacity: cut visibly, never refused.

use core::fmt;

use heapless::String;
use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::text::{prefix_within, EVENT_TEXT_CAPACITY};

/// A string of at most one event's text capacity; `cut` says the input was longer.
#[derive(Default)]
pub(crate) struct Captured {
    pub(crate) text: String<EVENT_TEXT_CAPACITY>,
    pub(crate) cut: bool,
}

impl Captured {
    pub(crate) fn as_str(&self) -> &str {
        self.text.as_str()
    }
}

impl<'de> Deserialize<'de> for Captured {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(CapturedVisitor)
    }
}

struct CapturedVisitor;

impl Visitor<'_> for CapturedVisitor {
    type Value = Captured;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Captured, E> {
        let kept = prefix_within(v, EVENT_TEXT_CAPACITY);
        let mut text = String::new();
        // Cannot fail: `kept` fits the capacity.
        let pushed = text.push_str(kept).is_ok();
        Ok(Captured {
            text,
            cut: !pushed || kept.len() < v.len(),
        })
    }
}
