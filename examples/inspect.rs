//! Reads allocations as Nomad wrote them and says where their histories leave the
//! contract.
//!
//! ```text
//! cargo run --release --example inspect -- [--json] FILE|-
//! ```
//!
//! The input is one allocation as `GET /v1/allocation/:id` returns it, or the list
//! `GET /v1/allocations` returns (`-` reads standard input). Each allocation is read with
//! `allocstate::nomad::NomadAllocation`, the reading mode that keeps what Nomad wrote
//! (docs/reading-nomad.md). By default a short summary per allocation and task: state,
//! failed, restarts, the held events with their times, and each divergence from the
//! contract with the event and the rule it breaks. With `--json`, one document:
//! `{"Allocations": [{"Allocation": <the allocation written back as Nomad's JSON>,
//! "Divergences": [{"Task", "Event", "Type", "Rule"}]}]}`.
//!
//! An event text longer than the event's text capacity (`EVENT_TEXT_CAPACITY`, 107 bytes
//! by default) is cut, and a warning on standard error names the event; build with
//! `--features text-capacity-1024` (or `-4096`) to keep long driver errors whole.
//!
//! Exit status: 0 when every allocation was read (divergences are findings, not errors);
//! 2 when the input is not an allocation or a list of them (the message names the field
//! and the line), or the arguments are wrong; 1 when the file cannot be read.

use std::fmt;
use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use allocstate::nomad::{NomadAllocation, NomadTaskState};
use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::{json, Value};

/// Tasks per allocation this tool holds (a task group has a few; Nomad sets no limit).
const TASKS: usize = 64;

pub type Alloc = NomadAllocation<TASKS>;

/// Reads either one allocation or a list of them into `out`.
struct OneOrList<'a>(&'a mut Vec<Box<Alloc>>);

impl<'de> DeserializeSeed<'de> for OneOrList<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Reads one allocation into the box it holds.
struct Into<'a>(&'a mut Alloc);

impl<'de> DeserializeSeed<'de> for Into<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        NomadAllocation::deserialize_into(d, self.0)
    }
}

impl<'de> Visitor<'de> for OneOrList<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Nomad allocation object or a list of them")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let mut alloc = Box::new(Alloc::new());
        Into(&mut alloc).deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        self.0.push(alloc);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let mut alloc = Box::new(Alloc::new());
            let index = self.0.len();
            let read = seq.next_element_seed(Into(&mut alloc)).map_err(|e| {
                serde::de::Error::custom(format_args!("allocation {index} of the list: {e}"))
            })?;
            match read {
                Some(()) => self.0.push(alloc),
                None => return Ok(()),
            }
        }
    }
}

pub fn read(bytes: &[u8]) -> Result<Vec<Box<Alloc>>, serde_json::Error> {
    let mut allocs = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    OneOrList(&mut allocs).deserialize(&mut de)?;
    de.end()?;
    Ok(allocs)
}

/// A time as the written-back JSON shows it (`null` for Go's zero time), `-` if absent.
fn shown(time: Option<&Value>) -> String {
    match time {
        None => "-".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Null) => "never".to_owned(),
        Some(other) => other.to_string(),
    }
}

pub fn summary(alloc: &Alloc) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "allocation {} {} (job {}, group {}): client {} \"{}\", desired {}, modify index {}",
        alloc.id(),
        alloc.name(),
        alloc.job_id(),
        alloc.task_group(),
        alloc.client_status(),
        alloc.client_description(),
        alloc.desired_status(),
        alloc.modify_index(),
    );
    for task in alloc.tasks() {
        let state = task.state();
        let written = serde_json::to_value(state).unwrap_or(Value::Null);
        let _ = writeln!(
            out,
            "  task {}: {}, failed {}, restarts {}, started {}, finished {}, last restart {}",
            task.name(),
            state.state(),
            state.failed(),
            state.restarts(),
            shown(written.get("StartedAt")),
            shown(written.get("FinishedAt")),
            shown(written.get("LastRestart")),
        );
        for (index, event) in state.events().iter().enumerate() {
            let _ = writeln!(
                out,
                "    event {index} at {}: {}: {}",
                event.time(),
                event.type_str(),
                event.display_message(),
            );
        }
        for found in state.divergences() {
            let _ = writeln!(out, "    divergence: event {}: {}", found.event, found.rule);
        }
        if state.divergences().next().is_none() {
            let _ = writeln!(out, "    no divergence from the contract");
        }
    }
    out
}

pub fn document(allocs: &[Box<Alloc>]) -> Value {
    let entries: Vec<Value> = allocs
        .iter()
        .map(|alloc| {
            let divergences: Vec<Value> = alloc
                .tasks()
                .iter()
                .flat_map(|task| {
                    let state: &NomadTaskState = task.state();
                    state.divergences().map(move |found| {
                        let kind = state
                            .events()
                            .get(found.event)
                            .map_or("", |event| event.type_str());
                        json!({
                            "Task": task.name(),
                            "Event": found.event,
                            "Type": kind,
                            "Rule": found.rule.to_string(),
                        })
                    })
                })
                .collect();
            json!({
                "Allocation": serde_json::to_value(&**alloc).unwrap_or(Value::Null),
                "Divergences": divergences,
            })
        })
        .collect();
    json!({ "Allocations": entries })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (as_json, path) = match args.as_slice() {
        [flag, path] if flag == "--json" => (true, path.as_str()),
        [path] if path != "--json" => (false, path.as_str()),
        _ => {
            eprintln!("usage: inspect [--json] FILE|-");
            return ExitCode::from(2);
        }
    };
    let mut bytes = Vec::new();
    let loaded = if path == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|read| bytes = read)
    };
    if let Err(e) = loaded {
        eprintln!("inspect: cannot read {path}: {e}");
        return ExitCode::from(1);
    }
    let allocs = match read(&bytes) {
        Ok(allocs) => allocs,
        Err(e) => {
            eprintln!("inspect: {path}: not a Nomad allocation or list of allocations: {e}");
            return ExitCode::from(2);
        }
    };
    // A text longer than the event's text capacity was cut (and marked): say so, since
    // the allocation written back then differs from Nomad's there.
    for alloc in &allocs {
        for task in alloc.tasks() {
            for (index, event) in task.state().events().iter().enumerate() {
                if event.is_truncated() {
                    eprintln!(
                        "inspect: allocation {} task {} event {index} ({}): a text longer than \
                         {} bytes was cut (build with --features text-capacity-1024 or \
                         text-capacity-4096 to keep it)",
                        alloc.id(),
                        task.name(),
                        event.type_str(),
                        allocstate::EVENT_TEXT_CAPACITY,
                    );
                }
            }
        }
    }
    let text = if as_json {
        match serde_json::to_string_pretty(&document(&allocs)) {
            Ok(text) => text + "\n",
            Err(e) => {
                eprintln!("inspect: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        allocs.iter().map(|alloc| summary(alloc)).collect()
    };
    // A closed pipe (`| head`) is not an error of the input.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}
