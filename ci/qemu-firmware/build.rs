//! Picks the machine's memory.x from the target and computes, on the host with the same
//! crate and serde_json, every output the firmware must reproduce byte for byte.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::{env, fs};

use allocstate::{Allocation, TaskEvent, TaskState};

#[path = "src/transcript.rs"]
mod transcript;

// The runner scenarios: the simulation harness's reader and playing loop, run on the host.
mod build_runner;

/// The host's JSON: serde_json, as an agent on a server writes it.
struct HostJson;

impl transcript::Json for HostJson {
    fn event(&mut self, line: &str) -> Option<TaskEvent> {
        serde_json::from_str(line).ok()
    }
    fn task(&mut self, task: &TaskState, out: &mut dyn fmt::Write) -> fmt::Result {
        out.write_str(&serde_json::to_string(task).map_err(|_| fmt::Error)?)
    }
    fn alloc(&mut self, alloc: &Allocation<4>, out: &mut dyn fmt::Write) -> fmt::Result {
        out.write_str(&serde_json::to_string(alloc).map_err(|_| fmt::Error)?)
    }
}

/// (target prefix, QEMU machine, memory layout file, RAM origin, RAM length)
const MACHINES: &[(&str, &str, &str, u32, u32)] = &[
    (
        "thumbv6m",
        "microbit",
        "memory/microbit.x",
        0x2000_0000,
        16 * 1024,
    ),
    (
        "thumbv7m",
        "lm3s6965evb",
        "memory/lm3s6965evb.x",
        0x2000_0000,
        64 * 1024,
    ),
    (
        "thumbv7em",
        "mps2-an386",
        "memory/mps2-an386.x",
        0x2000_0000,
        256 * 1024,
    ),
];

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let target = env::var("TARGET").unwrap();
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut generated = String::new();

    if let Some(&(_, machine, layout, origin, length)) = MACHINES
        .iter()
        .find(|m| target.split('-').next() == Some(m.0))
    {
        fs::copy(manifest.join(layout), out.join("memory.x")).unwrap();
        // An allocation's checks need more than the micro:bit's 16 KiB; the budgets are
        // for thumbv7em (the figures the crate documents).
        if length >= 64 * 1024 {
            println!("cargo:rustc-cfg=alloc_ram");
        }
        if target.starts_with("thumbv7em") {
            println!("cargo:rustc-cfg=budgets");
        }
        println!("cargo:rustc-link-search={}", out.display());
        println!("cargo:rerun-if-changed={layout}");
        writeln!(
            generated,
            "/// The QEMU machine this build is for.\npub const MACHINE: &str = {machine:?};\n\
             /// Where RAM starts (the stack's floor under flip-link).\npub const RAM_ORIGIN: u32 = {origin:#x};\n\
             /// RAM's size.\npub const RAM_LENGTH: u32 = {length:#x};"
        )
        .unwrap();
    }

    let scenarios = manifest.join("../../tests/scenarios");
    println!("cargo:rerun-if-changed={}", scenarios.display());
    println!("cargo:rerun-if-changed=src/transcript.rs");
    let mut paths: Vec<PathBuf> = fs::read_dir(&scenarios)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    let expected = out.join("expected");
    fs::create_dir_all(&expected).unwrap();
    generated.push_str("/// (name, scenario file, the host's transcript)\npub static SCENARIOS: &[(&str, &[u8], &[u8])] = &[\n");
    let mut scratch = vec![0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
    for path in &paths {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let text = fs::read_to_string(path).unwrap();
        let mut task = TaskState::new();
        let mut transcript = String::new();
        transcript::scenario(
            &mut HostJson,
            &text,
            &mut task,
            &mut scratch,
            &mut transcript,
        )
        .unwrap();
        let file = expected.join(format!("{name}.txt"));
        fs::write(&file, transcript).unwrap();
        writeln!(
            generated,
            "    ({name:?}, include_bytes!({:?}), include_bytes!({:?})),",
            absolute(path),
            absolute(&file)
        )
        .unwrap();
    }
    generated.push_str("];\n");

    let mut alloc = Box::new(Allocation::<4>::new());
    let mut transcript = String::new();
    transcript::alloc_orders(&mut HostJson, &mut alloc, &mut scratch, &mut transcript).unwrap();
    let file = expected.join("alloc_orders.txt");
    fs::write(&file, transcript).unwrap();
    writeln!(
        generated,
        "/// The host's transcript of `transcript::alloc_orders`.\n#[allow(dead_code)] // no allocation on the micro:bit\npub static ALLOC_ORDERS: &[u8] = include_bytes!({:?});",
        absolute(&file)
    )
    .unwrap();
    fs::write(out.join("generated.rs"), generated).unwrap();
    // The transcripts themselves where the flash holds them (the MPS2's 4 MiB).
    build_runner::generate(&out, target.starts_with("thumbv7em"));
}

fn absolute(path: &Path) -> String {
    fs::canonicalize(path).unwrap().display().to_string()
}
