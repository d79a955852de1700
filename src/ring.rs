//! The latest ten accepted events, oldest first, as Nomad keeps them.

use heapless::Deque;

use crate::event::TaskEvent;

/// How many events a task keeps: Nomad's `defaultMaxEvents`.
pub const MAX_EVENTS: usize = 10;

/// Iterator over a ring's events, oldest first.
pub type Iter<'a> = heapless::deque::Iter<'a, TaskEvent>;

/// The latest [`MAX_EVENTS`] accepted events, oldest first; when full, the oldest is
/// evicted. It also counts every event it ever took, so [`evicted`](EventRing::evicted)
/// tells how much history is gone.
///
/// Why a [`heapless::Deque`] and not `heapless::HistoryBuf`: `HistoryBuf::write` and its
/// ordered views index their storage with bounds checks the optimiser cannot remove, so a
/// panic path stays reachable and the crate's link-time panic proof fails. `Deque` is
/// written to avoid those checks; evicting is an explicit `pop_front` before `push_back`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRing {
    events: Deque<TaskEvent, MAX_EVENTS>,
    accepted: u64,
}

impl Default for EventRing {
    fn default() -> Self {
        Self::new()
    }
}

impl EventRing {
    /// An empty ring.
    pub const fn new() -> Self {
        Self {
            events: Deque::new(),
            accepted: 0,
        }
    }

    /// Appends an event, evicting the oldest when full.
    pub(crate) fn push(&mut self, event: TaskEvent) {
        if self.events.is_full() {
            self.events.pop_front();
        }
        // Cannot be refused: there is room after the eviction above.
        let _ = self.events.push_back(event);
        self.accepted = self.accepted.saturating_add(1);
    }

    /// The events held, oldest first.
    pub fn iter(&self) -> Iter<'_> {
        self.events.iter()
    }

    /// How many events are held (at most [`MAX_EVENTS`]).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event is held.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The newest event.
    pub fn latest(&self) -> Option<&TaskEvent> {
        self.events.back()
    }

    /// The oldest event still held.
    pub fn oldest(&self) -> Option<&TaskEvent> {
        self.events.front()
    }

    /// Every event ever accepted, held or evicted.
    pub const fn accepted(&self) -> u64 {
        self.accepted
    }

    /// How many events were evicted to make room.
    pub fn evicted(&self) -> u64 {
        let held = u64::try_from(self.events.len()).unwrap_or(u64::MAX);
        self.accepted.saturating_sub(held)
    }
}

impl<'a> IntoIterator for &'a EventRing {
    type Item = &'a TaskEvent;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
