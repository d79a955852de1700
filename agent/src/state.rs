//! What the HTTP side sees of the allocations: a registry of snapshots, each replaced
//! after every runner input, and one watch channel bumped on every change (blocking
//! queries wait on it; nothing polls).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{mpsc, oneshot, watch};

/// An allocation as last published by its runner.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The allocation in Nomad's JSON.
    pub json: Arc<serde_json::Value>,
    /// Its `ModifyIndex`.
    pub index: u64,
    pub job_id: String,
    /// Task names, in the group's order.
    pub tasks: Vec<String>,
}

/// Why a request to an allocation was refused, as Nomad answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    NotFound(String),
    BadRequest(String),
    Internal(String),
}

/// A request to one allocation's runner.
pub enum Request {
    Restart {
        task: Option<String>,
        all: bool,
        reply: oneshot::Sender<Result<(), ApiError>>,
    },
    Signal {
        task: Option<String>,
        signal: String,
        reply: oneshot::Sender<Result<(), ApiError>>,
    },
    Stop {
        no_shutdown_delay: bool,
        reply: oneshot::Sender<Result<u64, ApiError>>,
    },
}

/// One allocation in the registry.
pub struct Entry {
    pub snapshot: Snapshot,
    pub requests: mpsc::UnboundedSender<Request>,
}

/// The agent's shared state.
pub struct Shared {
    allocs: Mutex<BTreeMap<String, Entry>>,
    changes: watch::Sender<u64>,
    pub data_dir: PathBuf,
    pub token: Option<String>,
}

impl Shared {
    pub fn new(data_dir: PathBuf, token: Option<String>) -> Arc<Self> {
        Arc::new(Self {
            allocs: Mutex::new(BTreeMap::new()),
            changes: watch::Sender::new(0),
            data_dir,
            token,
        })
    }

    pub fn allocs(&self) -> MutexGuard<'_, BTreeMap<String, Entry>> {
        // A panic while holding the lock leaves the map whole: take it anyway.
        self.allocs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Publishes a new snapshot of allocation `id` and wakes every waiting query.
    pub fn publish(&self, id: &str, snapshot: Snapshot) {
        if let Some(entry) = self.allocs().get_mut(id) {
            entry.snapshot = snapshot;
        }
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn insert(&self, id: String, entry: Entry) {
        self.allocs().insert(id, entry);
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    pub fn snapshot(&self, id: &str) -> Option<Snapshot> {
        self.allocs().get(id).map(|e| e.snapshot.clone())
    }

    pub fn holds_job(&self, job_id: &str) -> bool {
        self.allocs().values().any(|e| e.snapshot.job_id == job_id)
    }

    pub fn sender(&self, id: &str) -> Option<mpsc::UnboundedSender<Request>> {
        self.allocs().get(id).map(|e| e.requests.clone())
    }
}
