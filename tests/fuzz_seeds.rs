//! The committed seed corpora of the `postcard_decode` and `json_decode` fuzz targets.
//!
//! `cargo test --test fuzz_seeds -- --ignored` rewrites the generated seeds; the other
//! tests check that every committed seed is still accepted, so a format change cannot
//! leave the fuzzers starting from inputs that are all refused.

use std::fs;
use std::path::Path;

use allocstate::{Allocation, ClientStatus, TaskEvent, TaskState};

mod common;
use common::modern;

const SEED_ALLOCATION: &str = "tests/data/seed_allocation.json";

/// The scenario files' names (without `.jsonl`), sorted.
fn scenarios() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir("tests/scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A scenario file's events applied in order (refused events skipped, as the replay tool
/// reports and skips them).
fn scenario_state(name: &str) -> TaskState {
    let text = fs::read_to_string(format!("tests/scenarios/{name}.jsonl")).unwrap();
    let mut task = TaskState::new();
    for line in text.lines().filter(|l| l.starts_with('{')) {
        if let Ok(event) = serde_json::from_str::<TaskEvent>(line) {
            let _ = task.apply(event);
        }
    }
    task
}

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = fs::read_dir(Path::new("fuzz/corpus").join(target))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("seed-")
        })
        .map(|p| (p.display().to_string(), fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

/// The generated allocation seeds: `modern()`, and the same with a server-set status,
/// which the fuzzers rarely reach on their own.
fn allocations() -> [(&'static str, Allocation<4>); 2] {
    let mut lost = modern();
    lost.set_server_status(Some(ClientStatus::Lost)).unwrap();
    [
        ("seed-allocation-modern", modern()),
        ("seed-allocation-modern-lost", lost),
    ]
}

/// The seed names every corpus must hold: one per scenario, plus the allocations.
fn expected_seeds(target: &str) -> Vec<String> {
    let mut names: Vec<String> = scenarios().iter().map(|n| format!("seed-{n}")).collect();
    names.extend(allocations().map(|(seed, _)| seed.to_owned()));
    if target == "json_decode" {
        names.push("seed-allocation-seed-document".into());
    }
    names
}

#[test]
#[ignore = "writes the generated seeds under fuzz/corpus/"]
fn write_seeds() {
    let pc = Path::new("fuzz/corpus/postcard_decode");
    let js = Path::new("fuzz/corpus/json_decode");
    fs::create_dir_all(pc).unwrap();
    fs::create_dir_all(js).unwrap();
    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    let empty = TaskState::new();
    fs::write(pc.join("seed-empty"), empty.to_postcard(&mut buf).unwrap()).unwrap();
    for name in scenarios() {
        let task = scenario_state(&name);
        let seed = format!("seed-{name}");
        fs::write(pc.join(&seed), task.to_postcard(&mut buf).unwrap()).unwrap();
        fs::write(js.join(&seed), serde_json::to_string_pretty(&task).unwrap()).unwrap();
    }
    let task = scenario_state("13_check_watcher_restart");
    let event = task.events().latest().unwrap();
    fs::write(
        js.join("seed-event-not-restarting"),
        serde_json::to_string(event).unwrap(),
    )
    .unwrap();

    fs::copy(SEED_ALLOCATION, js.join("seed-allocation-seed-document")).unwrap();
    let mut buf = [0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
    for (seed, alloc) in allocations() {
        fs::write(pc.join(seed), alloc.to_postcard(&mut buf).unwrap()).unwrap();
        fs::write(js.join(seed), serde_json::to_string_pretty(&alloc).unwrap()).unwrap();
    }
}

#[test]
fn every_generated_seed_is_committed() {
    for target in ["postcard_decode", "json_decode"] {
        let held: Vec<String> = seeds(target)
            .into_iter()
            .map(|(path, _)| {
                Path::new(&path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into()
            })
            .collect();
        for name in expected_seeds(target) {
            assert!(
                held.contains(&name),
                "{target}/{name} missing: run `cargo test --test fuzz_seeds -- --ignored`"
            );
        }
    }
}

#[test]
fn postcard_seeds_decode_and_reencode() {
    for (path, bytes) in seeds("postcard_decode") {
        let again = if let Ok(task) = TaskState::from_postcard(&bytes) {
            let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
            task.to_postcard(&mut buf).unwrap().to_vec()
        } else if let Ok(alloc) = Allocation::<4>::from_postcard(&bytes) {
            let mut buf = [0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
            alloc.to_postcard(&mut buf).unwrap().to_vec()
        } else {
            panic!("{path}: neither a task state nor an Allocation<4>");
        };
        assert_eq!(again, bytes, "{path}");
    }
}

#[test]
fn json_seeds_are_accepted() {
    for (path, bytes) in seeds("json_decode") {
        // Tried in turn, the next only if the one before refused (under Miri, which
        // interprets each decode, the refusals of the wrong type were most of the time).
        let accepted = serde_json::from_slice::<TaskState>(&bytes).is_ok()
            || serde_json::from_slice::<TaskEvent>(&bytes).is_ok()
            || serde_json::from_slice::<Allocation<4>>(&bytes).is_ok();
        assert!(
            accepted,
            "{path}: neither a task state, an event nor an Allocation<4>"
        );
    }
}

/// The seed document's allocation is committed byte for byte, not re-serialized.
#[test]
fn the_seed_document_seed_is_the_document() {
    let seed = fs::read("fuzz/corpus/json_decode/seed-allocation-seed-document").unwrap();
    assert_eq!(seed, fs::read(SEED_ALLOCATION).unwrap());
}
