//! Task ids, the runtime's clock and the events of one input.

use core::fmt;

use crate::event::TaskEvent;

/// A task of a runner: returned by [`Runner::add_task`](super::Runner::add_task) and
/// taken by every input about one task. Its name is
/// [`Runner::task_name`](super::Runner::task_name); the position in the group (the
/// order the tasks were added) is [`index`](Self::index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TaskId(u8);

impl TaskId {
    /// The id of the task at `index`; `None` past 255 (no runner holds that many).
    pub(crate) fn at(index: usize) -> Option<Self> {
        u8::try_from(index).ok().map(Self)
    }

    /// The task's position in the group: the order the tasks were added, from 0.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// `#<index>`; [`Runner::describe`](super::Runner::describe) names the task instead.
impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The time of an input, on the runtime's two clocks.
///
/// - `wall`: unix ns (the system's real-time clock). Stamped on the events, as Nomad
///   stamps them; taken as given, so a wall-clock step (NTP) shows in event times and
///   moves no timer.
/// - `mono`: ns of a monotonic clock (an `Instant` since any origin the runtime fixes).
///   Every timer runs on it: restart delays, shutdown delays, kill timeouts,
///   `max_run_duration` and the restart interval. [`Step::wake`](super::Step::wake) and
///   [`Runner::next_wake`](super::Runner::next_wake) are monotonic deadlines.
///
/// An input whose `mono` is earlier than the latest accepted input's is refused
/// ([`RunnerError::ClockWentBack`](super::RunnerError::ClockWentBack)), changing
/// nothing. A plain `i64` converts to a `Now` with both clocks equal: simulations and
/// tests, where there is one clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Now {
    /// Unix ns: the events' time.
    pub wall: i64,
    /// Monotonic ns: the timers' time.
    pub mono: i64,
}

impl Now {
    /// A time on both clocks.
    pub const fn new(wall: i64, mono: i64) -> Self {
        Self { wall, mono }
    }
}

/// One clock for both: `wall == mono`.
impl From<i64> for Now {
    fn from(time: i64) -> Self {
        Self {
            wall: time,
            mono: time,
        }
    }
}

/// The events the latest accepted input recorded, in the order recorded, each with its
/// task ([`Runner::events`](super::Runner::events)). Read from the tasks' rings, not
/// copied.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Events<'r> {
    pub(crate) journal: &'r [u8],
    pub(crate) tasks: &'r [crate::allocation::AllocTask],
}

impl<'r> Iterator for Events<'r> {
    type Item = (TaskId, &'r TaskEvent);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (&first, rest) = self.journal.split_first()?;
            self.journal = rest;
            // This event is the k-th newest of its task's ring, k counting it and every
            // later event the input recorded for the same task.
            let later = rest.iter().filter(|&&t| t == first).count();
            let task = self.tasks.get(usize::from(first))?;
            if let Some(event) = task.state.events().iter().nth_back(later) {
                return Some((TaskId(first), event));
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.journal.len()))
    }
}
