//! Nomad jobs in their JSON form (what `nomad job run -output` and `GET /v1/job/:id`
//! give), read into the plan of each task group the agent runs. Nomad's field names;
//! unknown fields are ignored; `null` reads as absent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

const SEC: i64 = 1_000_000_000;

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Job {
    #[serde(rename = "ID")]
    id: Option<String>,
    name: Option<String>,
    #[serde(rename = "Type")]
    job_type: Option<String>,
    task_groups: Option<Vec<Group>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Group {
    name: Option<String>,
    count: Option<u32>,
    restart_policy: Option<Restart>,
    shutdown_delay: Option<i64>,
    tasks: Option<Vec<Task>>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "PascalCase")]
struct Restart {
    attempts: Option<u32>,
    interval: Option<i64>,
    delay: Option<i64>,
    mode: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Task {
    name: Option<String>,
    driver: Option<String>,
    config: Option<RawExecConfig>,
    env: Option<BTreeMap<String, String>>,
    user: Option<String>,
    lifecycle: Option<Lifecycle>,
    leader: Option<bool>,
    kill_timeout: Option<i64>,
    kill_signal: Option<String>,
    shutdown_delay: Option<i64>,
    restart_policy: Option<Restart>,
}

#[derive(Deserialize, Default)]
struct RawExecConfig {
    command: Option<String>,
    args: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Lifecycle {
    hook: Option<String>,
    sidecar: Option<bool>,
}

/// A restart policy as the plan holds it (ns).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RestartPlan {
    pub attempts: u32,
    pub interval: i64,
    pub delay: i64,
    /// `fail` or `delay`.
    pub mode: String,
}

/// One raw_exec task of a group.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct TaskPlan {
    pub name: String,
    pub command: String,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    /// `""` (main), `prestart`, `poststart` or `poststop`.
    pub hook: String,
    pub sidecar: bool,
    pub leader: bool,
    pub kill_timeout: i64,
    pub kill_signal: String,
    pub shutdown_delay: i64,
    pub restart: RestartPlan,
}

/// One task group of a job, with what the allocation needs to know of its job.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct GroupPlan {
    pub job_id: String,
    pub job_name: String,
    /// `service`, `batch`, `system` or `sysbatch`.
    pub job_type: String,
    pub group: String,
    pub count: u32,
    pub shutdown_delay: i64,
    pub tasks: Vec<TaskPlan>,
}

/// The most tasks a group may have (the agent's `Runner<8>`).
pub const MAX_TASKS: usize = 8;

/// Nomad's default restart policy for a job type (`structs.go`,
/// `NewRestartPolicy`): batch jobs 3 attempts in 24 h, others 2 in 30 min; 15 s delay,
/// mode `fail`.
fn default_restart(job_type: &str) -> RestartPlan {
    if job_type == "batch" || job_type == "sysbatch" {
        RestartPlan {
            attempts: 3,
            interval: 24 * 3600 * SEC,
            delay: 15 * SEC,
            mode: "fail".into(),
        }
    } else {
        RestartPlan {
            attempts: 2,
            interval: 30 * 60 * SEC,
            delay: 15 * SEC,
            mode: "fail".into(),
        }
    }
}

fn merge(base: &RestartPlan, over: &Option<Restart>) -> RestartPlan {
    let Some(over) = over else {
        return base.clone();
    };
    RestartPlan {
        attempts: over.attempts.unwrap_or(base.attempts),
        interval: over.interval.unwrap_or(base.interval),
        delay: over.delay.unwrap_or(base.delay),
        mode: over.mode.clone().unwrap_or_else(|| base.mode.clone()),
    }
}

/// Reads a job (`{"Job": {...}}` or the bare job) into its groups' plans, or the error
/// that names what is wrong.
pub fn parse_job(text: &str) -> Result<Vec<GroupPlan>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let value = match value.get("Job") {
        Some(job) if job.is_object() => job.clone(),
        _ => value,
    };
    let job: Job = serde_json::from_value(value).map_err(|e| format!("not a Nomad job: {e}"))?;
    let id = job.id.filter(|id| !id.is_empty()).ok_or("job has no ID")?;
    let name = job
        .name
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.clone());
    let job_type = job.job_type.unwrap_or_else(|| "service".into());
    if !matches!(
        job_type.as_str(),
        "service" | "batch" | "system" | "sysbatch"
    ) {
        return Err(format!("job {id}: unknown Type {job_type:?}"));
    }
    let groups = job.task_groups.unwrap_or_default();
    if groups.is_empty() {
        return Err(format!("job {id} has no TaskGroups"));
    }
    let mut plans = Vec::new();
    for group in groups {
        let gname = group
            .name
            .filter(|n| !n.is_empty())
            .ok_or_else(|| format!("job {id}: a task group has no Name"))?;
        let base = merge(&default_restart(&job_type), &group.restart_policy);
        let tasks = group.tasks.unwrap_or_default();
        if tasks.is_empty() {
            return Err(format!("job {id} group {gname}: no Tasks"));
        }
        if tasks.len() > MAX_TASKS {
            return Err(format!(
                "job {id} group {gname}: {} tasks, this agent runs at most {MAX_TASKS} per group",
                tasks.len()
            ));
        }
        let mut task_plans = Vec::new();
        for task in tasks {
            let tname = task
                .name
                .filter(|n| !n.is_empty())
                .ok_or_else(|| format!("job {id} group {gname}: a task has no Name"))?;
            let at = format!("job {id} group {gname} task {tname}");
            if tname.contains('/') || tname == "alloc" || tname.starts_with('.') {
                return Err(format!("{at}: the name cannot be a task directory"));
            }
            let driver = task.driver.unwrap_or_default();
            if driver != "raw_exec" {
                return Err(format!(
                    "{at}: driver {driver:?} is not supported (this agent runs raw_exec only)"
                ));
            }
            if task.user.as_deref().is_some_and(|u| !u.is_empty()) {
                return Err(format!(
                    "{at}: User is set, but this agent cannot run a task as another user"
                ));
            }
            let config = task.config.unwrap_or_default();
            let command = config
                .command
                .filter(|c| !c.is_empty())
                .ok_or_else(|| format!("{at}: Config.command is missing"))?;
            let lifecycle = task.lifecycle.unwrap_or_default();
            let hook = lifecycle.hook.unwrap_or_default();
            if !matches!(hook.as_str(), "" | "prestart" | "poststart" | "poststop") {
                return Err(format!("{at}: unknown Lifecycle.Hook {hook:?}"));
            }
            let restart = merge(&base, &task.restart_policy);
            if !matches!(restart.mode.as_str(), "fail" | "delay") {
                return Err(format!(
                    "{at}: unknown RestartPolicy.Mode {:?}",
                    restart.mode
                ));
            }
            let kill_signal = task.kill_signal.unwrap_or_default();
            if !kill_signal.is_empty() && allocstate::runner::signal_number(&kill_signal).is_none()
            {
                return Err(format!("{at}: unknown KillSignal {kill_signal:?}"));
            }
            task_plans.push(TaskPlan {
                name: tname,
                command,
                args: config.args.unwrap_or_default(),
                env: task.env.unwrap_or_default(),
                hook,
                sidecar: lifecycle.sidecar.unwrap_or(false),
                leader: task.leader.unwrap_or(false),
                kill_timeout: task.kill_timeout.unwrap_or(5 * SEC).max(0),
                kill_signal,
                shutdown_delay: task.shutdown_delay.unwrap_or(0).max(0),
                restart,
            });
        }
        plans.push(GroupPlan {
            job_id: id.clone(),
            job_name: name.clone(),
            job_type: job_type.clone(),
            group: gname,
            count: group.count.unwrap_or(1),
            shutdown_delay: group.shutdown_delay.unwrap_or(0).max(0),
            tasks: task_plans,
        });
    }
    Ok(plans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_and_bare_jobs_read_alike_and_unknown_fields_are_ignored() {
        let bare = r#"{"ID":"web","Datacenters":["dc1"],"TaskGroups":[{"Name":"g","Count":2,
            "Tasks":[{"Name":"t","Driver":"raw_exec","Config":{"command":"true"},"Env":null,"Resources":{}}]}]}"#;
        let wrapped = format!(r#"{{"Job": {bare}}}"#);
        let a = parse_job(bare).unwrap();
        assert_eq!(a, parse_job(&wrapped).unwrap());
        assert_eq!(a[0].count, 2);
        assert_eq!(a[0].tasks[0].restart, default_restart("service"));
    }

    #[test]
    fn the_shipped_jobs_read() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/jobs/");
        let cache =
            parse_job(&std::fs::read_to_string(format!("{root}cache.json")).unwrap()).unwrap();
        assert_eq!(
            (cache[0].group.as_str(), cache[0].tasks[0].name.as_str()),
            ("cache", "redis")
        );
        let policy = &cache[0].tasks[0].restart;
        assert_eq!(
            (
                policy.attempts,
                policy.interval,
                policy.delay,
                policy.mode.as_str()
            ),
            (10, 300 * SEC, 25 * SEC, "delay")
        );
        let lifecycle =
            parse_job(&std::fs::read_to_string(format!("{root}lifecycle.json")).unwrap()).unwrap();
        let hooks: Vec<_> = lifecycle[0]
            .tasks
            .iter()
            .map(|t| (t.hook.as_str(), t.sidecar, t.leader))
            .collect();
        assert_eq!(
            hooks,
            [
                ("prestart", false, false),
                ("prestart", true, false),
                ("", false, true),
                ("poststop", false, false)
            ]
        );
    }

    #[test]
    fn another_driver_or_a_user_is_refused_by_name() {
        let docker = r#"{"ID":"j","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t","Driver":"docker","Config":{"image":"x"}}]}]}"#;
        assert!(parse_job(docker)
            .unwrap_err()
            .contains("\"docker\" is not supported"));
        let user = r#"{"ID":"j","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t","Driver":"raw_exec","User":"nobody","Config":{"command":"true"}}]}]}"#;
        assert!(parse_job(user).unwrap_err().contains("User is set"));
    }
}
