//! The replay tool's line processing, shared by the example and its integration test.

use allocstate::{ClientStatus, TaskEvent, TaskState};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The task an event without `Task` belongs to.
pub const DEFAULT_TASK: &str = "task";

/// The tasks seen so far, in first-seen order, and what was accepted and refused.
#[derive(Default)]
pub struct Replay {
    /// Each task's name and state.
    pub tasks: Vec<(String, TaskState)>,
    /// Events accepted so far.
    pub accepted: usize,
    /// Lines refused so far.
    pub refused: usize,
}

impl Replay {
    /// An empty replay.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds every line of `input`; each refused line is passed to `report` as
    /// `line N: <reason>`.
    pub fn run(&mut self, input: &str, mut report: impl FnMut(String)) {
        for (index, text) in input.lines().enumerate() {
            if let Err(reason) = self.line(text) {
                self.refused += 1;
                report(format!("line {}: {reason}", index + 1));
            }
        }
    }

    /// Applies one JSON line; `Err` says why it was refused. Blank lines and `#` comments
    /// are skipped.
    pub fn line(&mut self, text: &str) -> Result<(), String> {
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            return Ok(());
        }
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("malformed JSON: {e}"))?;
        let Value::Object(mut object) = value else {
            return Err("expected a JSON object".into());
        };
        let name = match object.shift_remove("Task") {
            None => None,
            Some(Value::String(name)) => Some(name),
            Some(_) => return Err("`Task` must be a string".into()),
        };
        if object.contains_key("Type") {
            let event = TaskEvent::deserialize(Value::Object(object))
                .map_err(|e| format!("invalid event: {e}"))?;
            let name = name.unwrap_or_else(|| DEFAULT_TASK.to_string());
            self.task(&name)
                .apply(event)
                .map_err(|rejected| rejected.to_string())?;
            self.accepted += 1;
            Ok(())
        } else if let Some(time) = object.get("Finish") {
            let time = time
                .as_i64()
                .ok_or("`Finish` must be an integer time (unix nanoseconds)")?;
            let index = match name {
                Some(name) => self.index(&name),
                None => self.only_task()?,
            };
            let _ = self.tasks[index].1.finish(time);
            Ok(())
        } else {
            Err("neither an event (no `Type`) nor a `Finish`".into())
        }
    }

    fn task(&mut self, name: &str) -> &mut TaskState {
        let index = self.index(name);
        &mut self.tasks[index].1
    }

    /// The task's index, adding it (pending, no events) if it is new.
    fn index(&mut self, name: &str) -> usize {
        match self.tasks.iter().position(|(n, _)| n == name) {
            Some(index) => index,
            None => {
                self.tasks.push((name.to_string(), TaskState::new()));
                self.tasks.len() - 1
            }
        }
    }

    /// The task a `Finish` without `Task` means: the only one seen so far.
    fn only_task(&self) -> Result<usize, String> {
        match self.tasks.len() {
            1 => Ok(0),
            0 => Err("`Finish` without `Task` before any task's event: nothing to finish".into()),
            n => Err(format!(
                "`Finish` without `Task` is ambiguous: {n} tasks ({}); name one with \"Task\"",
                self.tasks
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// One line for the end of a replay: tasks, events accepted, lines refused, the final
    /// client status.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "replay: {}, {} accepted, {} refused, client status {}",
            plural(self.tasks.len(), "task"),
            plural(self.accepted, "event"),
            plural(self.refused, "line"),
            self.client_status()
        )
    }

    /// The allocation's client status.
    pub fn client_status(&self) -> ClientStatus {
        ClientStatus::of(self.tasks.iter().map(|(_, task)| task))
    }

    /// The output document: client status, description and task states.
    pub fn output(&self) -> Value {
        let status = self.client_status();
        let mut states = Map::new();
        for (name, task) in &self.tasks {
            states.insert(
                name.clone(),
                serde_json::to_value(task).expect("a task state always serializes"),
            );
        }
        let mut out = Map::new();
        out.insert("ClientStatus".into(), Value::from(status.as_str()));
        out.insert(
            "ClientDescription".into(),
            Value::from(status.description()),
        );
        out.insert("TaskStates".into(), Value::Object(states));
        Value::Object(out)
    }
}
