//! What the firmware prints and the host predicts: the same code, compiled twice. build.rs
//! runs it on the host with serde_json and writes the expected bytes; the firmware runs
//! it on the target with serde-json-core and compares as it writes. Only `core` and the
//! crate: the JSON library and the output sink are the caller's.

use core::fmt::{self, Write};

use allocstate::{Allocation, ClientStatus, Role, TaskEvent, TaskState};

/// One scenario line, read.
pub enum Line {
    /// A task event (Nomad's JSON).
    Event(TaskEvent),
    /// `{"Finish": TIME}`: the run loop exits without an event.
    Finish(i64),
    /// Blank or a `#` comment.
    Skip,
}

/// The JSON library under test: serde_json on the host, serde-json-core on the target.
pub trait Json {
    /// Reads one task event.
    fn event(&mut self, line: &str) -> Option<TaskEvent>;
    /// Writes a task state as Nomad's JSON.
    fn task(&mut self, task: &TaskState, out: &mut dyn Write) -> fmt::Result;
    /// Writes an allocation as Nomad's JSON.
    #[cfg_attr(not(any(alloc_ram, not(target_os = "none"))), allow(dead_code))]
    fn alloc(&mut self, alloc: &Allocation<4>, out: &mut dyn Write) -> fmt::Result;
}

/// Reads one line of a scenario file.
pub fn line(json: &mut dyn Json, text: &str) -> Option<Line> {
    let text = text.trim();
    if text.is_empty() || text.starts_with('#') {
        return Some(Line::Skip);
    }
    if let Some(rest) = text.strip_prefix("{\"Finish\":") {
        let number = rest.strip_suffix('}')?.trim();
        return number.parse().ok().map(Line::Finish);
    }
    json.event(text).map(Line::Event)
}

/// Replays a scenario into `task`, writing one line per input line and then the final
/// state in every format: the client status, Nomad's JSON and the compact encoding in hex.
pub fn scenario(
    json: &mut dyn Json,
    text: &str,
    task: &mut TaskState,
    scratch: &mut [u8],
    out: &mut dyn Write,
) -> fmt::Result {
    for (index, text) in text.lines().enumerate() {
        let number = index.wrapping_add(1);
        match line(json, text) {
            Some(Line::Skip) => {}
            Some(Line::Event(event)) => match task.apply(event) {
                Ok(t) => writeln!(out, "line {number}: {} -> {}", t.from, t.to)?,
                Err(refused) => writeln!(out, "line {number}: refused: {refused}")?,
            },
            Some(Line::Finish(time)) => {
                let t = task.finish(time);
                writeln!(out, "line {number}: finish {} -> {}", t.from, t.to)?;
            }
            None => writeln!(out, "line {number}: unreadable")?,
        }
    }
    let status = ClientStatus::of([&*task]);
    writeln!(out, "status: {status} ({})", status.description())?;
    out.write_str("json: ")?;
    json.task(task, out)?;
    out.write_str("\npostcard: ")?;
    match task.to_postcard(scratch) {
        Ok(bytes) => hex(bytes, out)?,
        Err(_) => out.write_str("error")?,
    }
    out.write_str("\n")
}

/// An allocation with a leader, a sidecar and a prestart task taken through a run until
/// the leader exits: the orders that follow, each task's phase after they are applied,
/// and the allocation in both formats. `alloc` must be empty.
#[cfg_attr(not(any(alloc_ram, not(target_os = "none"))), allow(dead_code))]
pub fn alloc_orders(
    json: &mut dyn Json,
    alloc: &mut Allocation<4>,
    scratch: &mut [u8],
    out: &mut dyn Write,
) -> fmt::Result {
    for (name, role) in [
        ("init", Role::prestart(false)),
        ("web", Role::leader()),
        ("log", Role::poststart(true)),
    ] {
        if let Err(e) = alloc.add_task(name, role) {
            writeln!(out, "add {name}: {e}")?;
        }
    }
    let steps: [(&str, TaskEvent); 9] = [
        ("init", TaskEvent::received(1)),
        ("init", TaskEvent::started(2)),
        ("init", TaskEvent::terminated(3, 0)),
        ("web", TaskEvent::received(4)),
        ("web", TaskEvent::started(5)),
        ("log", TaskEvent::received(6)),
        ("log", TaskEvent::started(7)),
        ("web", TaskEvent::terminated(8, 0)),
        ("nope", TaskEvent::started(9)),
    ];
    for (name, event) in steps {
        match alloc.apply(name, event) {
            Ok(t) => writeln!(out, "{name}: {} -> {}", t.from, t.to)?,
            Err(e) => writeln!(out, "{name}: refused: {e}")?,
        }
    }
    let _ = alloc.finish("init", 3);
    let _ = alloc.finish("web", 8);
    for order in &alloc.orders() {
        let name = alloc.task_at(order.task()).map_or("?", |t| t.name());
        write!(out, "order: kill {name} within {} ns", order.kill_timeout())?;
        if let Some(reason) = order.reason_event(10) {
            write!(
                out,
                " after {:?}: {}",
                reason.type_str(),
                reason.display_message()
            )?;
        }
        out.write_str("\n")?;
    }
    let applied = alloc.apply_orders(10);
    writeln!(out, "applied {} orders", applied.len())?;
    let _ = alloc.apply("log", TaskEvent::terminated(11, 0));
    let _ = alloc.apply("log", TaskEvent::killed(12));
    let _ = alloc.finish("log", 13);
    for task in alloc.tasks() {
        writeln!(
            out,
            "task {}: {} ({} events)",
            task.name(),
            task.state().phase(),
            task.state().event_count()
        )?;
    }
    writeln!(
        out,
        "status: {} ({})",
        alloc.client_status(),
        alloc.client_description()
    )?;
    out.write_str("json: ")?;
    json.alloc(alloc, out)?;
    out.write_str("\npostcard: ")?;
    match alloc.to_postcard(scratch) {
        Ok(bytes) => hex(bytes, out)?,
        Err(_) => out.write_str("error")?,
    }
    out.write_str("\n")
}

fn hex(bytes: &[u8], out: &mut dyn Write) -> fmt::Result {
    for byte in bytes {
        write!(out, "{byte:02x}")?;
    }
    Ok(())
}
