//! The runbook engine: one task per run that walks the steps in order, asks the
//! operator through [`RunEvent::Ask`], sends ops through the backend (check → preview
//! → confirm → execute with the run id), persists the [`RunState`] after every change,
//! stops at the first failed step and then always runs the `finally` steps (also after
//! an abort or a "No"), and writes the report at the end. Resuming continues at the
//! step that was running; an op already sent for it is looked for, not repeated.
//!
//! Must not print or touch a terminal: front ends (TUI, headless CLI) read events.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use minijinja::Environment;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use super::backend::Backend;
use super::check::{self, EvalError};
use super::load::Runbook;
use super::state::{self, Note, Owner, RunState, RunStatus, StepOutcome, StepState};
use super::step::{OpStep, QueryStep, Step, StepKind};
use super::{Answer, Question, RunEvent, opbuild, params, query, report, template};
use crate::model::duration::human_duration;
use crate::ops::Confirmation;

/// How a step ended when it did not succeed.
enum Stop {
    Failed(String),
    /// The operator said no, or aborted: the run is Aborted.
    Declined(String),
}

type StepResult = Result<(BTreeMap<String, Value>, Vec<String>), Stop>;

pub(crate) enum Mode {
    Fresh(BTreeMap<String, String>),
    Resume,
    Cleanup,
}

pub(crate) struct Engine<B: Backend> {
    pub rb: Runbook,
    pub backend: B,
    pub state: RunState,
    /// This process's hold on the run (released when the engine ends or the process
    /// dies).
    pub lock: Option<super::lock::RunLock>,
    pub data_dir: PathBuf,
    pub dry_run: bool,
    pub events: mpsc::Sender<RunEvent>,
    pub answers: mpsc::Receiver<Answer>,
    pub notes: mpsc::Receiver<String>,
    pub abort: watch::Receiver<bool>,
    pub params: serde_json::Map<String, Value>,
    pub env: Environment<'static>,
    pub aborted: bool,
}

pub(crate) fn step_states(rb: &Runbook) -> Vec<StepState> {
    let one = |s: &Step, is_finally: bool| StepState {
        name: s.title.as_ref().map_or_else(
            || s.id.clone(),
            |t| {
                if t.src.contains("{{") {
                    s.id.clone()
                } else {
                    t.src.clone()
                }
            },
        ),
        id: s.id.clone(),
        kind: s.kind_name().to_string(),
        is_finally,
        optional: s.optional,
        state: StepOutcome::Pending,
        started: None,
        ended: None,
        detail: Vec::new(),
        outputs: BTreeMap::new(),
        items_done: 0,
        op_sent: false,
    };
    rb.steps
        .iter()
        .map(|s| one(s, false))
        .chain(rb.finally.iter().map(|s| one(s, true)))
        .collect()
}

pub(crate) fn owner() -> Owner {
    Owner {
        pid: std::process::id(),
        hostname: state::hostname(),
        heartbeat: Timestamp::now(),
    }
}

impl<B: Backend> Engine<B> {
    fn def(&self, i: usize) -> Option<&Step> {
        let n = self.rb.steps.len();
        if i < n {
            self.rb.steps.get(i)
        } else {
            self.rb.finally.get(i - n)
        }
    }

    async fn persist(&mut self) {
        while let Ok(text) = self.notes.try_recv() {
            self.add_note(text);
        }
        if let Some(o) = &mut self.state.owner {
            o.heartbeat = Timestamp::now();
        }
        if let Err(e) = state::save(&self.data_dir, &self.state) {
            tracing::warn!("runbook: {e}");
            if let Some(s) = self
                .state
                .steps
                .iter_mut()
                .find(|s| s.state == StepOutcome::Running)
                && !s.detail.iter().any(|d| d.contains("cannot write"))
            {
                s.detail.push(format!("warning: {e}"));
            }
        }
        let _ = self.events.send(RunEvent::State(self.state.clone())).await;
    }

    fn add_note(&mut self, text: String) {
        let text = text.trim().to_string();
        if !text.is_empty() {
            self.state.notes.push(Note {
                at: Timestamp::now(),
                text,
            });
        }
    }

    fn context_json(&self, item: Option<&Value>) -> Value {
        let mut steps = serde_json::Map::new();
        for s in &self.state.steps {
            steps.insert(
                s.id.clone(),
                Value::Object(s.outputs.clone().into_iter().collect()),
            );
        }
        let mut ctx = json!({
            "params": Value::Object(self.params.clone()),
            "steps": steps,
            "lookups": json!(self.state.lookups),
            "run": {
                "id": self.state.id, "context": self.state.context,
                "failed": self.state.failed() || self.aborted,
                "aborted": self.aborted,
                "dry_run": self.dry_run,
                "started": self.state.started.to_string(),
            },
        });
        if let Some(item) = item {
            ctx["item"] = item.clone();
        }
        ctx
    }

    pub async fn run(mut self, mode: Mode) -> RunState {
        self.state.owner = Some(owner());
        self.state.status = RunStatus::Running;
        let cleanup = matches!(mode, Mode::Cleanup);
        if let Mode::Fresh(given) = mode {
            self.state.identity = self.backend.identity().await;
            self.persist().await;
            if let Err(e) = self.resolve(&given).await {
                for s in &mut self.state.steps {
                    s.state = StepOutcome::Skipped;
                }
                return self.finish(Some(RunStatus::Failed(e))).await;
            }
        }
        if cleanup {
            for s in self.state.steps.iter_mut().filter(|s| !s.is_finally) {
                if matches!(
                    s.state,
                    StepOutcome::Pending | StepOutcome::Running | StepOutcome::Waiting
                ) {
                    s.state = StepOutcome::Skipped;
                    s.detail
                        .push("not run: cleanup of an interrupted run".into());
                }
            }
            self.aborted = true;
        }
        self.persist().await;
        self.backend.record_run(&self.state, false).await;
        let main = self.rb.steps.len();
        let mut stopped = self.state.failed() || self.aborted;
        for i in 0..self.state.steps.len() {
            if !matches!(
                self.state.steps[i].state,
                StepOutcome::Pending | StepOutcome::Running | StepOutcome::Waiting
            ) {
                continue;
            }
            let is_finally = i >= main;
            if !is_finally && !stopped && *self.abort.borrow() {
                self.aborted = true;
                stopped = true;
            }
            if !is_finally && stopped {
                self.state.steps[i].state = StepOutcome::Skipped;
                self.state.steps[i]
                    .detail
                    .push("not run: an earlier step stopped the run".into());
                continue;
            }
            match self.run_step(i).await {
                Ok(()) => {}
                Err(Stop::Failed(_)) if self.dry_run || self.state.steps[i].optional => {}
                Err(Stop::Failed(_)) => stopped = true,
                Err(Stop::Declined(_)) => {
                    if !is_finally {
                        self.aborted = true;
                    }
                    stopped = true;
                }
            }
            self.persist().await;
        }
        self.finish(None).await
    }

    async fn resolve(&mut self, given: &BTreeMap<String, String>) -> Result<(), String> {
        let run = self.context_json(None)["run"].clone();
        for l in self.rb.lookups.clone() {
            let ctx = template::context(
                &json!({"params": {}, "run": run, "lookups": self.state.lookups}),
            );
            let StepKind::Query(q) = &l.kind else {
                continue;
            };
            let out = self
                .query(q, &ctx)
                .await
                .map_err(|e| format!("lookup {}: {e}", l.id))?;
            self.state
                .lookups
                .insert(l.id.clone(), Value::Object(out.into_iter().collect()));
        }
        let (shown, typed) = params::resolve(&self.rb, given, &json!(self.state.lookups), &run)
            .map_err(|e| e.to_string())?;
        self.state.params = shown;
        self.params = typed;
        Ok(())
    }

    async fn finish(mut self, forced: Option<RunStatus>) -> RunState {
        let first_failure = |finally: bool, s: &RunState| {
            s.steps.iter().find_map(|st| match &st.state {
                StepOutcome::Failed(m) if st.is_finally == finally && !st.optional => {
                    Some(format!("step {}: {m}", st.id))
                }
                _ => None,
            })
        };
        self.state.status = match forced {
            Some(s) => s,
            None if self.aborted => RunStatus::Aborted,
            None => match (
                first_failure(false, &self.state),
                first_failure(true, &self.state),
            ) {
                (Some(m), _) => RunStatus::Failed(m),
                (None, Some(m)) => RunStatus::Failed(format!("cleanup {m}")),
                (None, None) => RunStatus::Succeeded,
            },
        };
        self.state.ended = Some(Timestamp::now());
        self.persist().await;
        match report::write(&self.data_dir, &self.state) {
            Ok(path) => self.state.report = Some(path),
            Err(e) => self.add_note(format!("the report could not be written: {e}")),
        }
        self.state.owner = None;
        self.persist().await;
        if let Some(lock) = self.lock.take() {
            lock.release_ended();
        }
        self.backend.record_run(&self.state, true).await;
        let _ = self
            .events
            .send(RunEvent::Finished(self.state.clone()))
            .await;
        self.state
    }

    async fn run_step(&mut self, i: usize) -> Result<(), Stop> {
        let Some(step) = self.def(i).cloned() else {
            return Ok(());
        };
        {
            let s = &mut self.state.steps[i];
            if s.started.is_none() {
                s.started = Some(Timestamp::now());
            }
            s.state = StepOutcome::Running;
        }
        let ctx_json = self.context_json(None);
        let ctx = template::context(&ctx_json);
        if let Some(t) = &step.title
            && let Ok(name) = template::render(&self.env, t, &ctx)
        {
            self.state.steps[i].name = name;
        }
        self.persist().await;
        let result = self.run_items(i, &step, &ctx_json).await;
        let s = &mut self.state.steps[i];
        s.ended = Some(Timestamp::now());
        match result {
            Ok(Some(())) => {
                s.state = StepOutcome::Done;
                Ok(())
            }
            Ok(None) => {
                s.state = StepOutcome::Skipped;
                Ok(())
            }
            Err(Stop::Failed(m)) => {
                s.state = StepOutcome::Failed(m.clone());
                Err(Stop::Failed(m))
            }
            Err(Stop::Declined(m)) => {
                s.state = StepOutcome::Failed(m.clone());
                Err(Stop::Declined(m))
            }
        }
    }

    /// Ok(None) = skipped (when false, or nothing to do in a dry run).
    async fn run_items(
        &mut self,
        i: usize,
        step: &Step,
        ctx_json: &Value,
    ) -> Result<Option<()>, Stop> {
        let ctx = template::context(ctx_json);
        if let Some(w) = &step.when {
            match template::eval(&self.env, w, &ctx) {
                Ok(v) if !template::truthy(&v) => {
                    self.state.steps[i]
                        .detail
                        .push(format!("skipped: {} is false", w.src));
                    return Ok(None);
                }
                Ok(_) => {}
                Err(e) if self.dry_run => {
                    self.state.steps[i]
                        .detail
                        .push(format!("skipped in dry run: {e}"));
                    return Ok(None);
                }
                Err(e) => return Err(Stop::Failed(format!("when: {e}"))),
            }
        }
        let items: Option<Vec<Value>> = match &step.for_each {
            None => None,
            Some(fe) => match template::eval(&self.env, fe, &ctx) {
                Ok(Value::Array(a)) => Some(a),
                Ok(Value::Null) => Some(Vec::new()),
                Ok(other) => {
                    return Err(Stop::Failed(format!(
                        "for_each {}: not a list but {other}",
                        fe.src
                    )));
                }
                Err(e) if self.dry_run => {
                    self.state.steps[i]
                        .detail
                        .push(format!("skipped in dry run: {e}"));
                    return Ok(None);
                }
                Err(e) => return Err(Stop::Failed(format!("for_each: {e}"))),
            },
        };
        let Some(items) = items else {
            let (outputs, detail) = self.exec(i, step, None).await?;
            let s = &mut self.state.steps[i];
            s.outputs.extend(outputs);
            s.detail.extend(detail);
            s.op_sent = false;
            return Ok(Some(()));
        };
        if items.is_empty() {
            self.state.steps[i]
                .detail
                .push("nothing to do: the list is empty".into());
            self.state.steps[i]
                .outputs
                .insert("items".into(), json!([]));
            return Ok(Some(()));
        }
        let start = self.state.steps[i].items_done;
        for (k, item) in items.iter().enumerate().skip(start) {
            let (outputs, detail) = self.exec(i, step, Some(item)).await?;
            let s = &mut self.state.steps[i];
            let list = s
                .outputs
                .entry("items".to_string())
                .or_insert_with(|| json!([]));
            if let Some(a) = list.as_array_mut() {
                a.push(Value::Object(outputs.into_iter().collect()));
            }
            s.detail.extend(detail);
            s.items_done = k + 1;
            s.op_sent = false;
            self.persist().await;
        }
        Ok(Some(()))
    }

    async fn exec(&mut self, i: usize, step: &Step, item: Option<&Value>) -> StepResult {
        let ctx_json = self.context_json(item);
        let ctx = template::context(&ctx_json);
        let render = |t| template::render(&self.env, t, &ctx);
        match &step.kind {
            StepKind::Note(t) => {
                let text = render(t).map_err(Stop::Failed)?;
                if self.dry_run {
                    return Ok((BTreeMap::new(), vec![text]));
                }
                let answer = self
                    .ask(
                        i,
                        Question::Acknowledge {
                            step: i,
                            text: text.clone(),
                        },
                    )
                    .await?;
                match answer {
                    Answer::No => Err(Stop::Declined("not acknowledged by the operator".into())),
                    _ => Ok((BTreeMap::new(), vec![text])),
                }
            }
            StepKind::Confirm(t) => {
                let text = render(t).map_err(Stop::Failed)?;
                if self.dry_run {
                    return Ok((
                        BTreeMap::new(),
                        vec![format!("{text} (dry run: not asked)")],
                    ));
                }
                match self
                    .ask(
                        i,
                        Question::Confirm {
                            step: i,
                            text: text.clone(),
                        },
                    )
                    .await?
                {
                    Answer::No => Err(Stop::Declined(format!(
                        "the operator answered no to: {text}"
                    ))),
                    _ => Ok((BTreeMap::new(), vec![format!("{text} — yes")])),
                }
            }
            StepKind::Check(c) => match check::evaluate(&self.backend, &self.env, &ctx, c).await {
                Ok(o) if o.holds => Ok((o.outputs, vec![o.summary])),
                Ok(o) => Err(Stop::Failed(o.summary)),
                Err(e) => Err(Stop::Failed(e.message().to_string())),
            },
            StepKind::Wait(c) => {
                if self.dry_run {
                    self.state.steps[i]
                        .detail
                        .push("dry run: not waited for".into());
                    return Ok((BTreeMap::new(), Vec::new()));
                }
                self.wait(i, c, &ctx).await
            }
            StepKind::Query(q) => {
                let out = self.query(q, &ctx).await.map_err(Stop::Failed)?;
                let shown: Vec<String> = out
                    .iter()
                    .filter(|(_, v)| !v.is_array() && !v.is_object())
                    .map(|(k, v)| format!("{k}: {}", super::expect::text_of(v)))
                    .collect();
                Ok((out, vec![shown.join(", ")]))
            }
            StepKind::Op(o) => self.op(i, o, &ctx).await,
        }
    }

    async fn query(
        &self,
        q: &QueryStep,
        ctx: &minijinja::Value,
    ) -> Result<BTreeMap<String, Value>, String> {
        let r = |t| template::render(&self.env, t, ctx);
        match q {
            QueryStep::ReadReplicas(w) => {
                query::read_replicas(&self.backend, &r(&w.kind)?, &r(&w.namespace)?, &r(&w.name)?)
                    .await
            }
            QueryStep::FindLatestBackup(b) => {
                query::find_latest_backup(&self.backend, &r(&b.velero_namespace)?, &r(&b.schedule)?)
                    .await
            }
            QueryStep::FindConsumers(c) => {
                query::find_consumers(&self.backend, &r(&c.namespace)?, &r(&c.secret)?).await
            }
        }
    }

    async fn wait(
        &mut self,
        i: usize,
        c: &super::schema::Condition,
        ctx: &minijinja::Value,
    ) -> StepResult {
        let dur = |t: &Option<super::schema::Text>, default: u64| -> Result<Duration, Stop> {
            match t {
                None => Ok(Duration::from_secs(default)),
                Some(t) => template::render(&self.env, t, ctx)
                    .and_then(|s| template::parse_duration(&s))
                    .map(|d| d.unsigned_abs())
                    .map_err(Stop::Failed),
            }
        };
        let timeout = dur(&c.timeout, 300)?;
        let interval = dur(&c.interval, 2)?.max(Duration::from_millis(200));
        let began = Instant::now();
        let base = self.state.steps[i].detail.len();
        loop {
            let last = match check::evaluate(&self.backend, &self.env, ctx, c).await {
                Ok(o) if o.holds => {
                    self.state.steps[i].detail.truncate(base);
                    return Ok((
                        o.outputs,
                        vec![format!("{} (after {:.0?})", o.summary, began.elapsed())],
                    ));
                }
                Ok(o) => o.summary,
                Err(EvalError::Fatal(m)) => return Err(Stop::Failed(m)),
                Err(EvalError::Transient(m)) => m,
            };
            if began.elapsed() >= timeout {
                self.state.steps[i].detail.truncate(base);
                return Err(Stop::Failed(format!(
                    "timed out after {}: {last}",
                    human_duration(
                        jiff::SignedDuration::try_from(timeout)
                            .unwrap_or(jiff::SignedDuration::MAX)
                    )
                )));
            }
            {
                let s = &mut self.state.steps[i];
                s.detail.truncate(base);
                s.detail.push(format!("waiting: {last}"));
                s.state = StepOutcome::Waiting;
            }
            self.persist().await;
            let is_finally = self.state.steps[i].is_finally;
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                changed = self.abort.changed(), if !is_finally => {
                    if changed.is_ok() && *self.abort.borrow() {
                        self.state.steps[i].detail.truncate(base);
                        return Err(Stop::Declined(format!("aborted by the operator while waiting: {last}")));
                    }
                }
            }
            self.state.steps[i].state = StepOutcome::Running;
        }
    }

    async fn ask(&mut self, i: usize, q: Question) -> Result<Answer, Stop> {
        self.state.steps[i].state = StepOutcome::Waiting;
        self.persist().await;
        let _ = self.events.send(RunEvent::Ask(q)).await;
        let is_finally = self.state.steps[i].is_finally;
        let answer = loop {
            tokio::select! {
                a = self.answers.recv() => break a,
                n = self.notes.recv() => if let Some(n) = n { self.add_note(n) },
                changed = self.abort.changed(), if !is_finally => {
                    if changed.is_ok() && *self.abort.borrow() {
                        break None;
                    }
                }
            }
        };
        self.state.steps[i].state = StepOutcome::Running;
        answer.ok_or_else(|| Stop::Declined("aborted by the operator".into()))
    }

    async fn op(&mut self, i: usize, o: &OpStep, ctx: &minijinja::Value) -> StepResult {
        let started = self.state.started;
        let built =
            opbuild::build(&self.env, ctx, o, &self.state.id, started).map_err(Stop::Failed)?;
        let op = built.op;
        let mut outputs = built.outputs;
        let mut detail = vec![op.summary()];
        if self.state.steps[i].op_sent
            && !self.dry_run
            && let Some(found) = query::already_done(
                &self.backend,
                &op,
                self.state.steps[i].started.unwrap_or(self.state.started),
            )
            .await
        {
            outputs.extend(found);
            detail.push("already done before the interruption; not repeated".into());
            return Ok((outputs, detail));
        }
        if let Some(refusal) = self.backend.check(&op).await.refusal() {
            // Through the gate once more so the refusal is in the audit log.
            let run = self.state.id.clone();
            let said = self
                .backend
                .preview(&op, Some(&run))
                .await
                .err()
                .unwrap_or(refusal);
            return Err(Stop::Failed(said.to_string()));
        }
        let run = self.state.id.clone();
        let preview = self
            .backend
            .preview(&op, Some(&run))
            .await
            .map_err(|e| Stop::Failed(e.to_string()))?;
        detail.extend(preview.lines.iter().cloned());
        if self.dry_run {
            detail.push("dry run: previewed only".into());
            return Ok((outputs, detail));
        }
        let q = Question::ConfirmOp {
            step: i,
            summary: op.summary(),
            preview: preview.lines.clone(),
            confirmation: preview.confirmation.clone(),
        };
        let answer = self.ask(i, q).await?;
        let confirmed = match (&preview.confirmation, &answer) {
            (_, Answer::No) => false,
            (Confirmation::YesNo, _) => true,
            (Confirmation::TypeName(want), Answer::Typed(got)) => got.trim() == want,
            (Confirmation::TypeName(_), Answer::Yes) => false,
        };
        if !confirmed {
            return Err(Stop::Declined(format!("not confirmed: {}", op.summary())));
        }
        self.state.steps[i].op_sent = true;
        self.persist().await;
        let outcome = self
            .backend
            .execute(&op, Some(&self.state.id))
            .await
            .map_err(|e| Stop::Failed(e.to_string()))?;
        detail.push(outcome.summary.clone());
        outputs.extend(outcome.outputs);
        if let Some(found) = query::already_done(
            &self.backend,
            &op,
            self.state.steps[i].started.unwrap_or(self.state.started),
        )
        .await
        {
            for (k, v) in found {
                outputs.entry(k).or_insert(v);
            }
        }
        Ok((outputs, detail))
    }
}
