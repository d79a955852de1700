//! The simulation on the host: the playing loop ([`crate::play`]) around a boxed
//! `Runner`, reporting into a JSON timeline and each task's history.

use allocstate::runner::{Action, Runner, TaskSpec};
use allocstate::{ClientStatus, TaskEvent};
use serde_json::{json, Value};

use crate::play::{self, Overflow, Player, TASKS};
use crate::scenario::{self, Scenario};
use crate::script::{self, Block, Header, Request, Run, Script, TaskDef};

impl Script for Scenario {
    fn header(&self) -> Header<'_> {
        Header {
            job_id: &self.job_id,
            group: &self.group,
            job_type: self.job_type,
            group_shutdown_delay: self.group_shutdown_delay,
            max_run_duration: self.max_run_duration,
            desired_at_arrival: self.desired_at_arrival,
            setup_failure: self.setup_failure.as_deref(),
            start: self.start,
        }
    }
    fn task_count(&self) -> usize {
        self.tasks.len()
    }
    fn task(&self, index: usize) -> Option<TaskDef<'_>> {
        let t = self.tasks.get(index)?;
        let spec = TaskSpec {
            name: &t.name,
            role: t.role,
            restart: t.restart,
            kill_timeout: t.kill_timeout,
            kill_signal: (!t.kill_signal.is_empty()).then_some(t.kill_signal.as_str()),
            shutdown_delay: t.shutdown_delay,
        };
        Some(TaskDef {
            spec,
            artifacts: t.artifacts,
        })
    }
    fn runs(&self, index: usize) -> usize {
        self.runs_of(index).map_or(0, Vec::len)
    }
    fn run(&self, index: usize, start: usize) -> Option<Run<&str>> {
        self.runs_of(index)?.get(start).map(|s| s.run.borrowed())
    }
    fn block(&self, index: usize, start: usize) -> Option<Block<&str>> {
        self.runs_of(index)?
            .get(start)?
            .block
            .as_ref()
            .map(Block::borrowed)
    }
    fn request_count(&self) -> usize {
        self.requests.len()
    }
    fn request(&self, index: usize) -> Option<(i64, Request<&str>)> {
        let (at, request, _) = self.requests.get(index)?;
        Some((*at, request.borrowed()))
    }
    fn reattaches(&self, request: usize, task: &str) -> Option<bool> {
        self.requests.get(request)?.2.get(task).copied()
    }
}

impl Scenario {
    fn runs_of(&self, index: usize) -> Option<&Vec<scenario::Start>> {
        self.runs.get(&self.tasks.get(index)?.name)
    }
}

/// The host's report: the JSON timeline and every task's event types.
struct Report {
    timeline: Vec<Value>,
    history: Vec<(String, Vec<String>)>,
}

impl play::Sink for Report {
    fn event(&mut self, task: &str, event: &TaskEvent) {
        self.timeline.push(json!({
            "Time": event.time(),
            "Task": task,
            "Type": event.type_str(),
            "DisplayMessage": event.display_message().to_string(),
        }));
        if let Some((_, types)) = self.history.iter_mut().find(|(name, _)| name == task) {
            types.push(event.type_str().to_string());
        }
    }
    fn command(&mut self, time: i64, action: &Action, task: &str) {
        self.timeline.push(json!({
            "Time": time,
            "Command": action.name(),
            "Task": task,
        }));
    }
    fn status(&mut self, time: i64, status: ClientStatus, description: &str) {
        self.timeline.push(json!({
            "Time": time,
            "ClientStatus": status.as_str(),
            "ClientDescription": description,
        }));
    }
    fn refused(&mut self, time: i64, what: &dyn std::fmt::Display, reason: &dyn std::fmt::Display) {
        self.timeline.push(json!({
            "Time": time,
            "Refused": what.to_string(),
            "Reason": reason.to_string(),
        }));
    }
}

/// A scenario being played on the host: its runner and what the player reported.
pub struct Simulation<'s> {
    scenario: &'s Scenario,
    runner: Box<Runner<TASKS>>,
    report: Report,
}

impl<'s> Simulation<'s> {
    /// A runner of the scenario's group with its tasks added; `Err` names the task the
    /// runner refused.
    pub fn new(scenario: &'s Scenario) -> Result<Self, String> {
        let mut runner: Box<Runner<TASKS>> = Box::new(Runner::new(script::group_of(scenario)));
        script::add_tasks(scenario, &mut runner)
            .map_err(|(i, e)| format!("Job.TaskGroups[0].Tasks[{i}]: {e}"))?;
        let history = scenario
            .tasks
            .iter()
            .map(|t| (t.name.clone(), Vec::new()))
            .collect();
        Ok(Simulation {
            scenario,
            runner,
            report: Report {
                timeline: Vec::new(),
                history,
            },
        })
    }

    /// Runs the scenario to its end (nothing more can happen, or the horizon).
    pub fn run(&mut self) -> Result<(), Overflow> {
        let mut buf = vec![0u8; Runner::<TASKS>::POSTCARD_MAX_SIZE];
        Player::new(self.scenario, &mut self.runner, &mut buf, &mut self.report).run()
    }

    /// Runs the scenario as [`Simulation::run`], `hook` seeing each input the runner
    /// accepted (tests/journal_scenarios.rs journals them).
    #[cfg(feature = "journal")]
    pub fn run_with(&mut self, hook: play::Hook<'_>) -> Result<(), Overflow> {
        let mut buf = vec![0u8; Runner::<TASKS>::POSTCARD_MAX_SIZE];
        let mut player = Player::new(self.scenario, &mut self.runner, &mut buf, &mut self.report);
        player.hook = Some(hook);
        player.run()
    }

    /// The output document: `Timeline` (events, commands, client status changes and
    /// refused requests, in time order), `History` (per task, every event type, oldest
    /// first) and `Allocation` (Nomad's allocation JSON).
    pub fn output(&self) -> Value {
        let mut history = serde_json::Map::new();
        for (name, types) in &self.report.history {
            history.insert(name.clone(), json!(types));
        }
        json!({
            "Timeline": self.report.timeline,
            "History": history,
            "Allocation": serde_json::to_value(self.runner.allocation()).unwrap_or(Value::Null),
        })
    }
}

/// Reads a scenario (JSON text), plays it to its end and returns the output document
/// ([`Simulation::output`]); `Err` is the message of a refused input, which names the
/// field, or of the harness's overflow.
pub fn simulate(input: &str) -> Result<Value, String> {
    let scenario = scenario::parse(input)?;
    let mut simulation = Simulation::new(&scenario)?;
    simulation.run().map_err(|e| e.to_string())?;
    Ok(simulation.output())
}
