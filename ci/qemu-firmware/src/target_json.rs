//! The target's JSON: serde-json-core, no allocator.

use core::fmt::{self, Write};

use allocstate::{Allocation, TaskEvent, TaskState};

use crate::transcript::Json;

/// serde-json-core with the caller's buffers: `out` for what it writes, `unescape` for
/// strings with escapes it reads.
pub struct CoreJson<'a> {
    pub out: &'a mut [u8],
    pub unescape: &'a mut [u8],
}

impl CoreJson<'_> {
    fn written(&self, len: usize, out: &mut dyn Write) -> fmt::Result {
        let bytes = self.out.get(..len).ok_or(fmt::Error)?;
        out.write_str(core::str::from_utf8(bytes).map_err(|_| fmt::Error)?)
    }
}

impl Json for CoreJson<'_> {
    fn event(&mut self, line: &str) -> Option<TaskEvent> {
        let (event, used) =
            serde_json_core::from_str_escaped::<TaskEvent>(line, self.unescape).ok()?;
        line.get(used..)?.trim().is_empty().then_some(event)
    }

    fn task(&mut self, task: &TaskState, out: &mut dyn Write) -> fmt::Result {
        let len = serde_json_core::to_slice(task, self.out).map_err(|_| fmt::Error)?;
        self.written(len, out)
    }

    fn alloc(&mut self, alloc: &Allocation<4>, out: &mut dyn Write) -> fmt::Result {
        let len = serde_json_core::to_slice(alloc, self.out).map_err(|_| fmt::Error)?;
        self.written(len, out)
    }
}
