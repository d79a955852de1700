//! The contract's transition table, cell by cell, from outside the crate.
//!
//! The table is read from `docs/transitions.md`, the one copy (the crate docs include the
//! same file); each cell is checked on a task brought to that column's phase by a real
//! event sequence. A refused cell must leave the task exactly as it was and hand the event
//! back.

use allocstate::{EventKind, Phase, TaskEvent, TaskState};

const T: i64 = 1_000;

/// The contract, as the crate docs include it.
const CONTRACT: &str = include_str!("../docs/transitions.md");

/// The type string this test uses for "any type string the crate does not know".
const UNKNOWN: &str = "Some Future Type";

/// The columns of the table, in order.
const COLUMNS: [Phase; 5] = [
    Phase::Pending,
    Phase::Running,
    Phase::Exited,
    Phase::ShuttingDown,
    Phase::Dead,
];

/// Events that bring a fresh task to `phase`.
fn task_in(phase: Phase) -> TaskState {
    let path: &[&str] = match phase {
        Phase::Pending => &["Received", "Task Setup"],
        Phase::Running => &["Received", "Task Setup", "Started"],
        Phase::Exited => &["Received", "Started", "Terminated"],
        Phase::ShuttingDown => &["Received", "Started", "Waiting for shutdown delay"],
        Phase::Dead => &["Received", "Started", "Terminated", "Not Restarting"],
    };
    let mut task = TaskState::new();
    for (i, kind) in path.iter().enumerate() {
        task.apply(TaskEvent::from_type_str(i as i64, kind))
            .expect("path event accepted");
    }
    assert_eq!(task.phase(), phase);
    task
}

fn expected(cell: &str, column: Phase) -> Option<Phase> {
    match cell {
        "=" => Some(column),
        "x" => None,
        "Pending" => Some(Phase::Pending),
        "Running" => Some(Phase::Running),
        "Exited" => Some(Phase::Exited),
        "ShuttingDown" => Some(Phase::ShuttingDown),
        "Dead" => Some(Phase::Dead),
        other => panic!("bad cell {other}"),
    }
}

fn check_cell(mut task: TaskState, type_str: &str, column: Phase, cell: &str) {
    let event = TaskEvent::from_type_str(T, type_str);
    let before = task.clone();
    let accepts = task.accepts(&event);
    match (expected(cell, column), task.apply(event.clone())) {
        (Some(next), Ok(step)) => {
            assert!(accepts);
            assert_eq!(
                (step.from, step.to),
                (column, next),
                "{type_str} in {column}"
            );
            assert_eq!(task.phase(), next);
            assert_eq!(task.event_count(), before.event_count() + 1);
            assert_eq!(task.events().latest(), Some(&event));
        }
        (None, Err(refused)) => {
            assert!(!accepts);
            assert_eq!(refused.phase(), column);
            assert_eq!(refused.kind(), event.kind());
            assert_eq!(
                task, before,
                "a refused {type_str} changed the task in {column}"
            );
            assert_eq!(refused.into_event(), event);
        }
        (want, got) => panic!("{type_str} in {column}: expected {want:?}, got {got:?}"),
    }
}

/// One row of the table: the type strings of its first cell (`finish` for the eventless
/// transition, [`UNKNOWN`] for unknown types) and its five cells, notes in parentheses
/// dropped.
struct Row {
    names: Vec<String>,
    cells: Vec<String>,
}

/// `text` without its parenthesised notes.
fn without_notes(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// The transition table of `docs/transitions.md`: the rows after its header row
/// (`| event (Nomad `Type` string) | Pending | …`), up to the first line that is not a row.
fn table() -> Vec<Row> {
    let mut lines = CONTRACT
        .lines()
        .skip_while(|line| !line.starts_with("| event (Nomad `Type` string) |"));
    let header = lines
        .next()
        .expect("docs/transitions.md has the transition table");
    let titles: Vec<&str> = header.trim_matches('|').split('|').map(str::trim).collect();
    let phases: Vec<String> = COLUMNS.iter().map(|phase| format!("{phase:?}")).collect();
    assert_eq!(
        titles[1..],
        phases,
        "the table's columns are the five phases in order"
    );
    lines
        .skip(1) // |---|
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 6, "a row of six cells: {line}");
            let names = without_notes(cells[0])
                .split(',')
                .map(|name| match name.trim() {
                    "any type string the crate does not know" => UNKNOWN.to_owned(),
                    name => name.to_owned(),
                })
                .collect();
            let cells = cells[1..]
                .iter()
                .map(|cell| match without_notes(cell).as_str() {
                    "✗" => "x".to_owned(),
                    cell => cell.to_owned(),
                })
                .collect();
            Row { names, cells }
        })
        .collect()
}

/// The rows naming events (all but `finish`), one entry per type string.
fn event_rows() -> Vec<(String, Vec<String>)> {
    table()
        .into_iter()
        .flat_map(|row| {
            let cells = row.cells;
            row.names
                .into_iter()
                .filter(|name| name != "finish")
                .map(move |name| (name, cells.clone()))
        })
        .collect()
}

/// Every cell of every event row holds on a task in that column's phase. A fresh task
/// (no events) is checked too: in its Pending column, only `Received` is special.
#[test]
fn every_cell_of_the_contract_holds() {
    let rows = event_rows();
    assert!(
        rows.len() > 30,
        "the table names every kind: {} read",
        rows.len()
    );
    for (name, cells) in &rows {
        for (column, cell) in COLUMNS.iter().zip(cells) {
            if *column == Phase::Pending {
                // `Received` is accepted only as the first event: its cell holds on a
                // fresh task, and it is refused on one already pending with events.
                check_cell(TaskState::new(), name, Phase::Pending, cell);
                let later = if name == "Received" { "x" } else { cell };
                check_cell(task_in(Phase::Pending), name, Phase::Pending, later);
            } else {
                check_cell(task_in(*column), name, *column, cell);
            }
        }
    }
}

/// Every kind the crate knows has a row, and every name in a row is a kind the crate knows
/// (or the unknown row).
#[test]
fn every_kind_has_a_row() {
    let rows = event_rows();
    let names: Vec<&str> = rows.iter().map(|(name, _)| name.as_str()).collect();
    for &kind in EventKind::ALL {
        let name = kind.type_str().unwrap_or(UNKNOWN);
        assert!(
            names.contains(&name),
            "docs/transitions.md has no row for {name}"
        );
    }
    for name in names {
        let kind = TaskEvent::from_type_str(T, name).kind();
        assert_eq!(
            kind.type_str().unwrap_or(UNKNOWN),
            name,
            "docs/transitions.md names `{name}`, which is not a kind's type string"
        );
    }
}

/// The `finish` row, cell by cell: `Dead` ends the task at the given time, `=` is a
/// no-op that reports no change; neither adds an event.
#[test]
fn the_finish_row_holds() {
    let table = table();
    let finish = table
        .iter()
        .find(|row| row.names == ["finish"])
        .expect("docs/transitions.md has a `finish` row");
    check_finish(TaskState::new(), Phase::Pending, &finish.cells[0]);
    for (column, cell) in COLUMNS.iter().zip(&finish.cells) {
        check_finish(task_in(*column), *column, cell);
    }
}

fn check_finish(mut task: TaskState, column: Phase, cell: &str) {
    let before = task.clone();
    let step = task.finish(77);
    assert_eq!(step.from, column);
    assert_eq!(
        task.event_count(),
        before.event_count(),
        "finish adds no event"
    );
    match expected(cell, column) {
        Some(next) if step.changed() => {
            assert_eq!((step.to, task.phase()), (next, next), "finish in {column}");
            assert_eq!(task.finished_at(), Some(77));
        }
        Some(next) => {
            assert_eq!(
                next, column,
                "finish in {column} is a no-op, the table says {cell}"
            );
            assert_eq!(task, before, "finish in {column} is a no-op");
        }
        None => panic!("the finish row refuses in {column}, but finish never fails"),
    }
}

#[test]
fn wire_states_follow_phases() {
    use allocstate::WireState::*;
    let shown: Vec<_> = Phase::ALL.iter().map(|p| p.wire_state()).collect();
    assert_eq!(shown, [Pending, Running, Running, Pending, Dead]);
}

#[test]
fn refusal_messages_name_phase_and_kind() {
    let mut task = task_in(Phase::Running);
    let refused = task.apply(TaskEvent::received(9)).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "`Received` event not allowed in phase Running"
    );
    let mut pending = task_in(Phase::Pending);
    let refused = pending.apply(TaskEvent::received(9)).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "`Received` is accepted only as a task's first event"
    );
    let refused = task
        .apply(TaskEvent::from_type_str(9, "Restarting"))
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "`Restarting` event not allowed in phase Running"
    );
}
