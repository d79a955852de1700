//! Fixed memory: the sizes the README's size table states, asserted exactly.
//!
//! The figures are written once, in the README's table ("Memory"); this file reads that
//! table and compares each cell of the column for the build's text capacity with the real
//! size, so a change of layout fails here until the README says the new figure. A failure
//! prints the row as it should read.

mod common;

use allocstate::restart::RestartTracker;
use allocstate::runner::Runner;
use allocstate::{Allocation, Orders, TaskEvent, TaskState, EVENT_TEXT_CAPACITY};
use core::mem::size_of;

const README: &str = include_str!("../README.md");

/// The size a row of the table names, or `None` when this build cannot tell (the compact
/// bound needs the `serde` feature).
fn actual(row: &str) -> Option<usize> {
    Some(match row {
        "TaskEvent" => size_of::<TaskEvent>(),
        "TaskState" => size_of::<TaskState>(),
        #[cfg(feature = "serde")]
        "TaskState::POSTCARD_MAX_SIZE" => TaskState::POSTCARD_MAX_SIZE,
        #[cfg(not(feature = "serde"))]
        "TaskState::POSTCARD_MAX_SIZE" => return None,
        "RestartTracker" => size_of::<RestartTracker>(),
        "Allocation<1>" => size_of::<Allocation<1>>(),
        "Allocation<8>" => size_of::<Allocation<8>>(),
        "Orders<8>" => size_of::<Orders<8>>(),
        "Runner<1>" => size_of::<Runner<1>>(),
        "Runner<8>" => size_of::<Runner<8>>(),
        other => panic!("the README's size table names `{other}`, which this test does not know"),
    })
}

/// The rows every build must find in the table.
const ROWS: [&str; 9] = [
    "TaskEvent",
    "TaskState",
    "TaskState::POSTCARD_MAX_SIZE",
    "RestartTracker",
    "Allocation<1>",
    "Allocation<8>",
    "Orders<8>",
    "Runner<1>",
    "Runner<8>",
];

/// The cells of a markdown table row, trimmed, without the outer pipes.
fn cells(line: &str) -> Vec<&str> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(str::trim).collect()
}

/// The README's size table: its header cells and its rows (name without backticks, the
/// figures as written).
fn size_table() -> (Vec<&'static str>, Vec<(String, Vec<&'static str>)>) {
    let mut lines = README
        .lines()
        .skip_while(|line| !line.starts_with("| size in bytes"));
    let header = cells(
        lines
            .next()
            .expect("the README has a `| size in bytes` table"),
    );
    let rows = lines
        .skip(1) // |---|
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let row = cells(line);
            (row[0].replace('`', ""), row[1..].to_vec())
        })
        .collect();
    (header, rows)
}

#[test]
fn every_size_is_the_readme_figure() {
    let (header, rows) = size_table();
    // The column of this build's capacity: its header starts with the capacity.
    let capacity = EVENT_TEXT_CAPACITY.to_string();
    let column = header[1..]
        .iter()
        .position(|title| title.split_whitespace().next() == Some(capacity.as_str()))
        .unwrap_or_else(|| panic!("the size table has no column for {capacity} B of text"));
    for name in ROWS {
        assert!(
            rows.iter().any(|(row, _)| row == name),
            "the README's size table has no row `{name}`"
        );
    }
    let mut wrong = Vec::new();
    for (name, figures) in &rows {
        let Some(size) = actual(name) else { continue };
        let written = figures[column];
        let stated: usize = written
            .parse()
            .unwrap_or_else(|_| panic!("`{name}`: `{written}` is not a number of bytes"));
        println!("{name}: {size} bytes at {capacity} B of text");
        if stated != size {
            wrong.push(format!(
                "`{name}` is {size} bytes at {capacity} B of text; the README says {stated}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The compact encoding's bound is below the task state's own size at every capacity.
#[cfg(feature = "serde")]
#[test]
fn postcard_bound_is_below_the_task_state_size() {
    const { assert!(TaskState::POSTCARD_MAX_SIZE < size_of::<TaskState>()) };
}

/// The postcard bound of a full task state is at most a quarter of the same state's
/// Nomad JSON. The state built here reaches the bound exactly.
#[cfg(feature = "serde")]
#[test]
fn postcard_bound_is_at_most_a_quarter_of_nomad_json() {
    let task = common::largest_task_state();
    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    let postcard = task.to_postcard(&mut buf).expect("within the bound").len();
    let json = serde_json::to_vec(&task).unwrap().len();
    println!(
        "largest task state: postcard {postcard} bytes (bound POSTCARD_MAX_SIZE = {}), \
         Nomad JSON {json} bytes, bound/JSON = {:.3}",
        TaskState::POSTCARD_MAX_SIZE,
        TaskState::POSTCARD_MAX_SIZE as f64 / json as f64
    );
    assert_eq!(postcard, TaskState::POSTCARD_MAX_SIZE, "the bound is tight");
    // Beyond the text itself (ten events' worth), the compact overhead is at most a
    // quarter of JSON's, whatever the capacity; at the default, the whole bound is.
    let text = 10 * EVENT_TEXT_CAPACITY;
    assert!(
        4 * (TaskState::POSTCARD_MAX_SIZE - text) <= json - text,
        "POSTCARD_MAX_SIZE = {} is more than a quarter of the JSON ({json} bytes) beyond the text",
        TaskState::POSTCARD_MAX_SIZE
    );
    if EVENT_TEXT_CAPACITY == 107 {
        assert!(
            4 * TaskState::POSTCARD_MAX_SIZE <= json,
            "POSTCARD_MAX_SIZE = {} is more than a quarter of the JSON ({json} bytes)",
            TaskState::POSTCARD_MAX_SIZE
        );
    }
}

/// The persisted form of a full runner fits the bound and is smaller than the runner.
#[cfg(feature = "serde")]
#[test]
fn runner_postcard_bound_is_below_its_size() {
    let bound = Runner::<8>::POSTCARD_MAX_SIZE;
    println!("Runner::<8>::POSTCARD_MAX_SIZE = {bound}");
    assert!(bound < size_of::<Runner<8>>());
}

/// The reading mode's types hold what Nomad wrote in about the strict types' room: a
/// task state's fields and ten events (1512 bytes at the default text capacity, the
/// strict 1528), and an allocation's identity, four bounded texts (statuses 16 bytes,
/// descriptions 256) and its tasks (`NomadAllocation<8>` 14008 bytes, `Allocation<8>`
/// 13888).
#[cfg(feature = "serde")]
#[test]
fn reading_mode_fits_beside_the_strict_types() {
    use allocstate::nomad::{NomadAllocation, NomadTaskState};
    use allocstate::Allocation;
    let task = core::mem::size_of::<NomadTaskState>();
    let strict_task = core::mem::size_of::<TaskState>();
    let alloc = core::mem::size_of::<NomadAllocation<8>>();
    let strict_alloc = core::mem::size_of::<Allocation<8>>();
    println!(
        "size_of::<NomadTaskState>() = {task} (TaskState {strict_task}), \
         size_of::<NomadAllocation<8>>() = {alloc} (Allocation<8> {strict_alloc})"
    );
    assert!(task <= strict_task, "NomadTaskState is {task} bytes");
    assert!(
        alloc <= strict_alloc + 256,
        "NomadAllocation<8> is {alloc} bytes"
    );
}
