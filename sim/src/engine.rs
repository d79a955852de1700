//! The simulation on the host: the playing loop ([`crate::play`]) around a boxed
//! `Runner`, reporting into a JSON timeline and each task's history.

use allocstate::runner::{Action, Runner};
use allocstate::{ClientStatus, TaskEvent};
use serde_json::{json, Value};

use crate::play::{self, Overflow, Player, TASKS};
use crate::scenario::{self, Lent, Scenario};
use crate::script;

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
    lent: Lent<'s>,
    runner: Box<Runner<TASKS>>,
    report: Report,
}

impl<'s> Simulation<'s> {
    /// A runner of the scenario's group with its tasks added; `Err` names the task the
    /// runner refused.
    pub fn new(scenario: &'s Scenario) -> Result<Self, String> {
        let lent = Lent::of(scenario);
        let digest = lent.digest();
        let mut runner: Box<Runner<TASKS>> = Box::new(Runner::new(script::group_of(&digest)));
        script::add_tasks(&digest, &mut runner)
            .map_err(|(i, e)| format!("Job.TaskGroups[0].Tasks[{i}]: {e}"))?;
        let history = scenario
            .tasks
            .iter()
            .map(|t| (t.name.clone(), Vec::new()))
            .collect();
        Ok(Simulation {
            lent,
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
        let digest = self.lent.digest();
        Player::new(&digest, &mut self.runner, &mut buf, &mut self.report).run()
    }

    /// Runs the scenario as [`Simulation::run`], `hook` seeing each input the runner
    /// accepted (tests/journal_scenarios.rs journals them).
    #[cfg(feature = "journal")]
    pub fn run_with(&mut self, hook: play::Hook<'_>) -> Result<(), Overflow> {
        let mut buf = vec![0u8; Runner::<TASKS>::POSTCARD_MAX_SIZE];
        let digest = self.lent.digest();
        let mut player = Player::new(&digest, &mut self.runner, &mut buf, &mut self.report);
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
