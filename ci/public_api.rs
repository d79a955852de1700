//! Every public operation of allocstate, written once. Two crates walk this list:
#![allow(unused_macros)]
//! `ci/panic-check` (a link-time proof that no public operation can panic) and
//! `ci/qemu-firmware` (the stack of every public operation, held to its budget on the
//! target). Both include this file with `#[path]`, invoke the groups they cover inside a
//! module that denies dead code, and name each operation beside the code that calls it
//! (`covers!`). An operation listed here that a crate never names is a variant never
//! constructed: that crate's build fails. So a new public function is added here, once,
//! and neither crate can leave it out.
//!
//! One macro per group, so a crate invokes a group under the features that build it
//! (the panic proof's `core-only` build has no restart tracker, allocation or runner).
//! An operation is `Type { function, … }`; trait implementations a user calls are named
//! by the trait (`Display`, `FromStr`, `Default`, `Serialize`, `Deserialize`, `From`).
//!
//! Left out, and why: what needs `std` (`FileJournal`, `runner::signal_number`) runs on
//! the host only, and `FlashJournal` needs a flash driver to build against; the journal's
//! common core (`Writer`, `Scan`, `Replay`, `Record`, `Crc32`) is listed. The firmware does not enable the `journal`
//! feature, so only the panic proof walks `journal` and `journal_runner`. The panic proof
//! walks `json` with its `json-core` feature, a build for size only (serde-json-core keeps
//! panic paths of its own).

/// One group: a module of one enum per type, one variant per operation.
macro_rules! api_group {
    ($group:ident { $($ty:ident { $($op:ident),* $(,)? })* }) => {
        #[allow(non_camel_case_types, clippy::enum_variant_names)]
        pub mod $group {
            $(
                #[derive(Clone, Copy)]
                pub enum $ty { $($op),* }
            )*
        }
    };
}

/// Names operations as called: `covers!(events::TaskEvent { new, with_message });`.
/// Each is a variant constructed, which is what the dead-code check looks for; the
/// values are dropped at once, so no code is generated (the panic proof's `.text`
/// budgets measure the crate, not the list).
macro_rules! covers {
    ($($group:ident::$ty:ident { $($op:ident),* $(,)? })*) => {
        $($(let _ = crate::api::$group::$ty::$op;)*)*
    };
}

/// The task lifecycle core: events, their kinds and display messages, the task state, its
/// ring, phases, statuses, Go's formats.
macro_rules! api_events {
    () => {
        api_group!(events {
            TaskEvent {
                new, of_kind, from_type_str, received, task_setup, downloading_artifacts,
                failed_artifact_download, failed_validation, driver_failure, setup_failure,
                mark_failed_kill, started, terminated, terminated_by_signal, killing,
                hook_killing, killed_failing, killed_with_error, killed, restarting,
                not_restarting, restart_signaled, signaling, signaling_task_signal,
                sibling_task_failed, leader_task_dead, main_tasks_dead, driver,
                with_annotation, with_message, with_display_message, with_fails_task,
                with_fails_task_set, with_time, kind, time, type_str, detail, message,
                display_message_override, fails_task, marks_failed, is_truncated,
                display_message,
            }
            DisplayMessage { matches, Display }
            Detail { empty, kind }
            Annotations { iter, get, is_empty }
            EventKind { type_str, from_type_str, code, from_code, name, Display, FromStr }
            Phase { wire_state, name, Display }
            WireState { as_str, from_wire_str, Display }
            ClientStatus { as_str, from_wire_str, description, of, Display }
            GoDuration { write_to, From, Display }
            GoQuoted { Display }
            EventRing {
                new, Default, iter, len, is_empty, latest, oldest, accepted, evicted, PartialEq,
            }
            TaskState {
                new, Default, apply, finish, accepts, phase, state, failed, successful,
                restarts, last_restart, started_at, finished_at, events, event_count,
                from_parts, from_parts_into, reset, PartialEq,
            }
            TaskStateParts { new }
            Transition { changed }
            TransitionError { phase, kind, event, into_event, Display }
            TaskStateError { Display }
            ParseEventKindError { Display }
        });
    };
}

/// The restart tracker, its policy and outcomes.
macro_rules! api_restart {
    () => {
        api_group!(restart {
            RestartPolicy { new }
            JobType { as_str, default_restart_policy, Display }
            Lifecycle { main, prestart, poststart, poststop }
            Nanos { get, from_duration }
            RestartTracker {
                new, set_start_error, set_exit_result, set_restart_triggered, set_killed,
                set_policy, decide, count, policy, on_success, interval_start,
            }
            RestartOutcome { fails_task, delay, reason, event, Display }
            RestartReason { Display }
            TaskState { apply_restart }
        });
    };
}

/// The allocation: its tasks, roles, identity, orders, statuses.
macro_rules! api_allocation {
    () => {
        api_group!(allocation {
            Allocation {
                new, Default, clear, capacity, len, is_empty, add_task,
                add_task_with_kill_timeout, index_of, task, task_at, state, tasks, apply,
                apply_at, finish, client_status, derived_client_status, client_description,
                server_status, set_server_status, set_client_description, identity,
                set_identity, identity_cut, id, eval_id, name, node_id, job_id, task_group,
                create_index, set_indexes, desired_status, desired_description, set_desired,
                modify_index, changed_since, orders, apply_orders, from_parts,
                from_parts_into, PartialEq,
            }
            AllocTask { name, role, kill_timeout, state, kill_ordered }
            TaskName { new, as_str, Display, PartialEq }
            Role {
                main, leader, prestart, poststart, poststop, with_leader, is_sidecar,
                is_poststop, Display,
            }
            IdentityField { as_str, capacity, Display }
            DesiredStatus { as_str, from_wire_str, is_terminal, Display }
            Order { task, task_name, cause, kill_timeout, reason_event, killing_event }
            Orders { as_slice, IntoIterator }
            KillCause { reason_event, Display }
            AllocationError { Display }
            ApplyError { event, into_event, rejected, Display }
        });
    };
}

/// The sans-IO task-group runner.
macro_rules! api_runner {
    () => {
        api_group!(runner {
            Runner {
                new, reset, seed_jitter, add_task, arrive, set_identity, allocation,
                coordinator, place, tracker, task_id, task_at, task_ids, task_name, describe,
                events, next_wake, arrived, is_finished, is_client_terminal, handle,
                set_handle, prestart, started, start_failed, start_cancelled, exited,
                kill_failed, restart, signal, stop, setup_failed, tick, drop_task,
                reconnected, servers_contacted,
            }
            GroupSpec { new }
            TaskSpec { new }
            Now { new }
            TaskId { index, Display }
            Place { deadline, has_process }
            Coordinator { allows }
            Exit { code, signal }
            Action { name }
            RestartTarget { reason }
            RunnerError { task, Display }
            SpecField { name, Display }
            Described { error, Display }
        });
    };
}

/// The compact wire format (feature `serde`): postcard, by value and in place, and the
/// runner's persisted form.
macro_rules! api_wire {
    () => {
        api_group!(wire {
            TaskState { to_postcard, from_postcard, from_postcard_into }
            Allocation { to_postcard, from_postcard, from_postcard_into }
            DecodeError { Display }
            Runner { persist, restore }
        });
    };
}

/// Nomad's JSON (feature `serde`, through a serde format such as serde-json-core): the
/// types' `Serialize` and `Deserialize`, decoding in place, and the reading mode
/// (`allocstate::nomad`): what an agent's JSON says, beside the divergences from the
/// lifecycle's rules.
macro_rules! api_json {
    () => {
        api_group!(json {
            TaskEvent { Serialize, Deserialize }
            TaskState { Serialize, Deserialize, deserialize_into }
            Allocation { Serialize, Deserialize, deserialize_into }
            WithZeroTime { Serialize }
            EventKind { Serialize, Deserialize }
            WireState { Serialize, Deserialize }
            ClientStatus { Serialize, Deserialize }
            DesiredStatus { Serialize, Deserialize }
            NomadAllocation {
                new, Default, identity, identity_cut, id, name, node_id, job_id, task_group,
                desired_status, desired_description, client_status, client_description,
                text_cut, create_index, modify_index, create_time, modify_time, tasks, task,
                divergences, deserialize_into, Serialize, Deserialize,
            }
            NomadTask { name, state }
            NomadTaskState {
                new, Default, state, failed, restarts, last_restart, started_at,
                finished_at, events, divergences, deserialize_into, Serialize, Deserialize,
            }
            Rule { kind, was_in, Display }
        });
    };
}

/// The crash-safe journal's core (feature `journal`).
macro_rules! api_journal {
    () => {
        api_group!(journal {
            Writer {
                Default, after, has_snapshot, entries, epoch, next_epoch, entry, entry_done, chunk,
                commit, commit_done, chunks_abandoned,
            }
            Scan { new, feed, finish }
            Replay { new, feed, finish }
            Record { decode, encode }
            Crc32 { new, Default, update, finish, of }
            JournalError { Display }
        });
    };
}

/// The runner's inputs as journal entries (features `journal` and `serde`).
macro_rules! api_journal_runner {
    () => {
        api_group!(journal_runner {
            Input { new, encode, decode, apply }
            RunnerSnapshot { write, time, max_size }
            RecoveryGlue { new, piece, finish, error }
        });
    };
}
