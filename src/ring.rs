//! The latest ten accepted events, oldest first, as Nomad keeps them.

use crate::event::TaskEvent;

/// How many events a task keeps: Nomad's `defaultMaxEvents`.
pub const MAX_EVENTS: usize = 10;

/// Iterator over a ring's events, oldest first.
pub type Iter<'a> =
    core::iter::Chain<core::slice::Iter<'a, TaskEvent>, core::slice::Iter<'a, TaskEvent>>;

/// The latest [`MAX_EVENTS`] accepted events, oldest first; when full, the newest
/// overwrites the oldest in place. It also counts every event it ever took, so
/// [`evicted`](EventRing::evicted) tells how much history is gone.
///
/// Why not `heapless::HistoryBuf`, which has the same overwrite semantics: its `write` and
/// its ordered views index the storage with bounds checks the optimiser cannot remove, so
/// a panic path stays reachable and the crate's link-time panic proof fails. A
/// `heapless::Deque` avoids those checks, but evicting through it moves each event out
/// and in again, which tripled the cost of an append in the `apply` benchmark. This ring
/// is a plain array written through `get_mut`: one copy per event and no panic path.
#[derive(Clone)]
pub struct EventRing {
    /// Slots `0..len` hold events; once full, `next` is the oldest.
    slots: [TaskEvent; MAX_EVENTS],
    /// Where the next event goes. The two positions are `usize`, not `u8`: an append
    /// then needs no widening, which took 8% off `apply` in the bench, for 8 bytes more
    /// on 64-bit targets (none on 32-bit ones).
    next: usize,
    /// How many slots hold events.
    len: usize,
    accepted: u64,
}

impl Default for EventRing {
    fn default() -> Self {
        Self::new()
    }
}

impl EventRing {
    /// An empty ring.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            slots: [TaskEvent::BLANK; MAX_EVENTS],
            next: 0,
            len: 0,
            accepted: 0,
        }
    }

    /// Appends an event, overwriting the oldest when full.
    #[inline]
    pub(crate) fn push(&mut self, event: TaskEvent) {
        if let Some(slot) = self.slots.get_mut(self.next) {
            *slot = event;
        }
        let after = self.next.wrapping_add(1);
        self.next = if after >= MAX_EVENTS { 0 } else { after };
        if self.len < MAX_EVENTS {
            self.len = self.len.wrapping_add(1);
        }
        self.accepted = self.accepted.saturating_add(1);
    }

    /// The slot the next event goes in while the ring is not full (a decoder writes an
    /// event there in place, then calls [`take_vacant`](EventRing::take_vacant)).
    #[cfg(feature = "serde")]
    pub(crate) fn vacant(&mut self) -> Option<&mut TaskEvent> {
        if self.len < MAX_EVENTS {
            self.slots.get_mut(self.next)
        } else {
            None
        }
    }

    /// Counts the event written into [`vacant`](EventRing::vacant) as appended.
    #[cfg(feature = "serde")]
    pub(crate) fn take_vacant(&mut self) {
        if self.len < MAX_EVENTS {
            let after = self.next.wrapping_add(1);
            self.next = if after >= MAX_EVENTS { 0 } else { after };
            self.len = self.len.wrapping_add(1);
            self.accepted = self.accepted.saturating_add(1);
        }
    }

    /// Empties the ring in place (the old events stay in unused slots, unseen).
    pub(crate) fn clear(&mut self) {
        self.next = 0;
        self.len = 0;
        self.accepted = 0;
    }

    /// The events held, oldest first, as one slice: `Some` while the oldest is in the
    /// first slot (a ring filled from empty without eviction, as the decoders fill it).
    pub(crate) fn as_filled_slice(&self) -> Option<&[TaskEvent]> {
        if self.len < MAX_EVENTS || self.next == 0 {
            self.slots.get(..self.len)
        } else {
            None
        }
    }

    /// Sets the count of every event ever accepted; `false` (and unchanged) if it is
    /// lower than the number held.
    pub(crate) fn set_accepted(&mut self, accepted: u64) -> bool {
        if accepted < u64::try_from(self.len).unwrap_or(u64::MAX) {
            return false;
        }
        self.accepted = accepted;
        true
    }

    /// The events held, oldest first.
    pub fn iter(&self) -> Iter<'_> {
        let (older, newer): (&[TaskEvent], &[TaskEvent]) = if self.len < MAX_EVENTS {
            (self.slots.get(..self.len).unwrap_or(&[]), &[])
        } else {
            match self.slots.split_at_checked(self.next) {
                Some((newer, older)) => (older, newer),
                None => (&self.slots, &[]),
            }
        };
        older.iter().chain(newer.iter())
    }

    /// How many events are held (at most [`MAX_EVENTS`]).
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The newest event.
    #[must_use]
    pub fn latest(&self) -> Option<&TaskEvent> {
        self.iter().next_back()
    }

    /// The oldest event still held.
    #[must_use]
    pub fn oldest(&self) -> Option<&TaskEvent> {
        self.iter().next()
    }

    /// Every event ever accepted, held or evicted.
    #[must_use]
    pub const fn accepted(&self) -> u64 {
        self.accepted
    }

    /// How many events were evicted to make room.
    #[must_use]
    pub fn evicted(&self) -> u64 {
        self.accepted
            .saturating_sub(u64::try_from(self.len).unwrap_or(u64::MAX))
    }
}

/// Two rings are equal when they hold the same events in the same order and have accepted
/// as many; unused slots do not count.
impl PartialEq for EventRing {
    fn eq(&self, other: &Self) -> bool {
        self.accepted == other.accepted && self.iter().eq(other.iter())
    }
}

impl Eq for EventRing {}

impl core::fmt::Debug for EventRing {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EventRing")
            .field("events", &DebugEvents(self))
            .field("accepted", &self.accepted)
            .finish()
    }
}

struct DebugEvents<'a>(&'a EventRing);

impl core::fmt::Debug for DebugEvents<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a EventRing {
    type Item = &'a TaskEvent;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
