//! A `DisplayMessage` read from JSON, held to be compared with the one computed from the
//! event built (an override is kept only if it differs).

use core::fmt::{self, Write};

use serde::de;

use crate::event::TaskEvent;
use crate::wire::json::capture::{Captured, TakeStr};

/// A `DisplayMessage` as the JSON reader holds it, to be compared with the computed one
/// once the event is built: its first bytes, as many as an event's text can hold (all an
/// override could keep), its length and a hash of all of it. Holding every byte would
/// take room for the longest computed message (Terminated's quoted exit message, up to
/// four bytes for each of the event's), several times the capacity, on the stack of
/// every event read.
#[derive(Default)]
pub(crate) struct Heard {
    /// The first bytes, cut at a char boundary; `cut` if the message was longer.
    pub(crate) head: Captured,
    len: usize,
    hash: u64,
}

impl Heard {
    /// Holds `text` (replacing what was held).
    pub(crate) fn hear(&mut self, text: &str) {
        self.head.capture(text);
        self.len = text.len();
        self.hash = text.bytes().fold(FNV_OFFSET, fnv);
    }

    /// Whether the computed message of `event` (ignoring its override) is what was
    /// heard: the same length and the same bytes, all of them while the message fits
    /// the head; beyond it the same head and the same 64-bit hash of the whole.
    pub(crate) fn is_computed(&self, event: &TaskEvent) -> bool {
        let mut check = HeardCheck {
            head: self.head.as_str().as_bytes(),
            at: 0,
            hash: FNV_OFFSET,
            len: self.len,
        };
        event.display_message().computed(&mut check).is_ok()
            && check.at == self.len
            && (!self.head.cut || check.hash == self.hash)
    }
}

/// FNV-1a, 64 bits: small and byte at a time, so the computed message is hashed as it is
/// written.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
}

/// A `fmt::Write` that checks a message against a [`Heard`] one as it is written, and
/// fails at the first difference in the head or once it is longer.
struct HeardCheck<'a> {
    head: &'a [u8],
    at: usize,
    hash: u64,
    len: usize,
}

impl Write for HeardCheck<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for byte in s.bytes() {
            if self.at >= self.len {
                return Err(fmt::Error);
            }
            if let Some(expected) = self.head.get(self.at) {
                if *expected != byte {
                    return Err(fmt::Error);
                }
            }
            self.hash = fnv(self.hash, byte);
            self.at = self.at.saturating_add(1);
        }
        Ok(())
    }
}

/// `DisplayMessage`, heard to be compared with the computed one.
impl TakeStr for &mut Heard {
    fn take<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.hear(v);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Heard;
    use crate::event::TaskEvent;

    #[test]
    fn a_heard_message_is_the_computed_one_only_byte_for_byte() {
        let event = TaskEvent::started(1).with_display_message("custom");
        let mut heard = Heard::default();
        heard.hear("Task started by client");
        assert!(heard.is_computed(&event));
        heard.hear("Task started by clien");
        assert!(!heard.is_computed(&event));
        heard.hear("Task started by client!");
        assert!(!heard.is_computed(&event));
    }
}
