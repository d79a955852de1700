//! The latest ten accepted events, oldest first, as Nomad keeps them.

use heapless::HistoryBuf;

use crate::event::TaskEvent;

/// How many events a task keeps: Nomad's `defaultMaxEvents`.
pub const MAX_EVENTS: usize = 10;

/// The latest [`MAX_EVENTS`] accepted events, oldest first; when full, the oldest is
/// evicted. It also counts every event it ever took, so [`evicted`](EventRing::evicted)
/// tells how much history is gone.
///
/// Built on [`heapless::HistoryBuf`], read only through its oldest-first iterator (its
/// slice view is in storage order, not time order).
#[derive(Debug, Clone, PartialEq)]
pub struct EventRing {
    events: HistoryBuf<TaskEvent, MAX_EVENTS>,
    accepted: u64,
}

// `HistoryBuf` compares events oldest first; equality of events is total.
impl Eq for EventRing {}

impl Default for EventRing {
    fn default() -> Self {
        Self::new()
    }
}

impl EventRing {
    /// An empty ring.
    pub const fn new() -> Self {
        Self {
            events: HistoryBuf::new(),
            accepted: 0,
        }
    }

    /// Appends an event, evicting the oldest when full.
    pub(crate) fn push(&mut self, event: TaskEvent) {
        self.events.write(event);
        self.accepted = self.accepted.saturating_add(1);
    }

    /// Rebuilds a ring from events oldest first and the count of every event ever
    /// accepted. `None` if there are more events than fit or than `accepted` says.
    pub(crate) fn restore<I: IntoIterator<Item = TaskEvent>>(
        events: I,
        accepted: u64,
    ) -> Option<Self> {
        let mut ring = Self::new();
        for event in events {
            if ring.len() >= MAX_EVENTS {
                return None;
            }
            ring.push(event);
        }
        if accepted < ring.accepted {
            return None;
        }
        ring.accepted = accepted;
        Some(ring)
    }

    /// The events held, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &TaskEvent> + Clone + '_ {
        self.events.oldest_ordered()
    }

    /// How many events are held (at most [`MAX_EVENTS`]).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event was ever accepted.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The newest event.
    pub fn latest(&self) -> Option<&TaskEvent> {
        self.events.recent()
    }

    /// The oldest event still held.
    pub fn oldest(&self) -> Option<&TaskEvent> {
        self.events.oldest()
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
    type IntoIter = heapless::OldestOrdered<'a, TaskEvent>;

    fn into_iter(self) -> Self::IntoIter {
        self.events.oldest_ordered()
    }
}
