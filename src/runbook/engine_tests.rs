//! Engine unit tests with a fake backend: step order, persistence, finally after a
//! failure or a "No", dry runs that only preview, and resume after a crash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::backend::Backend;
use super::load::parse;
use super::state::{RunStatus, StepOutcome};
use super::{Answer, RunEvent, RunState, start_with};
use crate::endpoints::prometheus::Sample;
use crate::ops::{Confirmation, Op, OpError, Outcome, Permission, Preview};

#[derive(Clone, Default)]
struct Fake {
    executed: Arc<Mutex<Vec<String>>>,
    previewed: Arc<Mutex<Vec<String>>>,
    queued: f64,
    readonly: bool,
}

impl Backend for Fake {
    async fn check(&self, _op: &Op) -> Permission {
        if self.readonly {
            Permission::ReadOnly("read-only".into())
        } else {
            Permission::Allowed
        }
    }
    async fn preview(&self, op: &Op, _run: Option<&str>) -> Result<Preview, OpError> {
        if self.readonly {
            return Err(OpError::ReadOnly("read-only: refused".into()));
        }
        self.previewed.lock().unwrap().push(op.name().to_string());
        Ok(Preview {
            lines: vec![format!("would {}", op.name())],
            confirmation: Confirmation::YesNo,
        })
    }
    async fn execute(&self, op: &Op, run: Option<&str>) -> Result<Outcome, OpError> {
        assert!(run.is_some(), "ops carry the run id");
        self.executed.lock().unwrap().push(op.summary());
        Ok(Outcome {
            summary: "ok".into(),
            outputs: BTreeMap::from([("done".to_string(), json!(true))]),
        })
    }
    async fn get(&self, _k: &str, _ns: Option<&str>, _n: &str) -> Result<Option<Value>, String> {
        Ok(Some(
            json!({"kind": "StatefulSet", "metadata": {"name": "w"}, "spec": {"replicas": 3}, "status": {"readyReplicas": 3}}),
        ))
    }
    async fn list(
        &self,
        _k: &str,
        _ns: Option<&str>,
        _s: Option<&str>,
        _f: Option<&str>,
    ) -> Result<Vec<Value>, String> {
        Ok(Vec::new())
    }
    async fn promql(&self, _q: &str) -> Result<Vec<Sample>, String> {
        Ok(vec![(Default::default(), self.queued)])
    }
    async fn identity(&self) -> String {
        "tester".into()
    }

    async fn record_run(&self, _state: &RunState, _ended: bool) {}
}

const BOOK: &str = "name: t\ntitle: T\nlookups:\n  - id: w\n    read-replicas: {kind: StatefulSet, namespace: a, name: w}\nparams:\n  - {name: replicas, type: int, default: \"{{ lookups.w.replicas + 2 }}\"}\nsteps:\n  - id: high\n    check: {promql: q, expect: \"> 10\"}\n  - id: scale\n    scale: {kind: StatefulSet, namespace: a, name: w, replicas: \"{{ params.replicas }}\"}\n  - id: ok\n    confirm: \"scaled {{ steps.scale.replicas }}?\"\nfinally:\n  - id: undo\n    when: run.failed\n    scale: {kind: StatefulSet, namespace: a, name: w, replicas: 3}\n";

async fn drive(mut h: super::RunHandle, answers: &[Answer]) -> RunState {
    let mut answers = answers.iter().cloned();
    while let Some(ev) = h.events.recv().await {
        match ev {
            RunEvent::Ask(_) => h
                .answers
                .send(answers.next().unwrap_or(Answer::No))
                .await
                .unwrap(),
            RunEvent::Finished(s) => return s,
            RunEvent::State(_) => {}
        }
    }
    panic!("no Finished event")
}

#[tokio::test]
async fn runs_in_order_with_lookup_defaults_and_writes_state_and_report() {
    let rb = parse("t.yaml", BOOK).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake {
        queued: 20.0,
        ..Fake::default()
    };
    let h = start_with(&rb, BTreeMap::new(), fake.clone(), "ctx", dir.path(), false).unwrap();
    let s = drive(h, &[Answer::Yes, Answer::Yes]).await;
    assert_eq!(s.status, RunStatus::Succeeded, "{s:#?}");
    assert_eq!(s.params["replicas"], "5");
    assert_eq!(s.identity, "tester");
    assert_eq!(s.steps[2].detail[0], "scaled 5? — yes");
    assert_eq!(
        s.steps[3].state,
        StepOutcome::Skipped,
        "finally undo only on failure"
    );
    assert_eq!(fake.executed.lock().unwrap().len(), 1);
    let saved = super::state::load(dir.path(), &s.id).unwrap();
    assert_eq!(saved.status, RunStatus::Succeeded);
    assert!(saved.owner.is_none());
    assert!(s.report.as_ref().unwrap().exists());
    assert!(super::interrupted(dir.path()).is_empty());
}

#[tokio::test]
async fn a_no_aborts_and_finally_still_runs() {
    let rb = parse("t.yaml", BOOK).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake {
        queued: 20.0,
        ..Fake::default()
    };
    let h = start_with(&rb, BTreeMap::new(), fake.clone(), "ctx", dir.path(), false).unwrap();
    // Yes to the scale, No to the confirm: the finally step scales back.
    let s = drive(h, &[Answer::Yes, Answer::No, Answer::Yes]).await;
    assert_eq!(s.status, RunStatus::Aborted);
    assert_eq!(s.steps[3].state, StepOutcome::Done, "{:#?}", s.steps[3]);
    assert_eq!(fake.executed.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_failed_check_stops_before_any_op() {
    let rb = parse("t.yaml", BOOK).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake {
        queued: 2.0,
        ..Fake::default()
    };
    let h = start_with(&rb, BTreeMap::new(), fake.clone(), "ctx", dir.path(), false).unwrap();
    let s = drive(h, &[Answer::Yes]).await;
    assert!(
        matches!(&s.status, RunStatus::Failed(m) if m.contains("step high")),
        "{:?}",
        s.status
    );
    assert_eq!(s.steps[1].state, StepOutcome::Skipped);
    // The undo runs (run.failed) — a scale back to 3 is harmless and shows finally ran.
    assert_eq!(s.steps[3].state, StepOutcome::Done);
    assert_eq!(fake.executed.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn dry_run_previews_only_and_readonly_refuses() {
    let rb = parse("t.yaml", BOOK).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake {
        queued: 20.0,
        ..Fake::default()
    };
    let h = start_with(&rb, BTreeMap::new(), fake.clone(), "ctx", dir.path(), true).unwrap();
    let s = drive(h, &[]).await;
    assert_eq!(s.status, RunStatus::Succeeded, "{s:#?}");
    assert!(fake.executed.lock().unwrap().is_empty());
    assert_eq!(fake.previewed.lock().unwrap().as_slice(), ["scale"]);

    let ro = Fake {
        queued: 20.0,
        readonly: true,
        ..Fake::default()
    };
    let h = start_with(&rb, BTreeMap::new(), ro.clone(), "ctx", dir.path(), false).unwrap();
    let s = drive(h, &[Answer::Yes]).await;
    assert!(
        matches!(&s.status, RunStatus::Failed(m) if m.contains("read-only")),
        "{:?}",
        s.status
    );
    assert!(ro.executed.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_crashed_run_resumes_at_its_step() {
    let rb = parse("t.yaml", BOOK).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake {
        queued: 20.0,
        ..Fake::default()
    };
    let h = start_with(&rb, BTreeMap::new(), fake.clone(), "ctx", dir.path(), false).unwrap();
    let s = drive(h, &[Answer::Yes, Answer::Yes]).await;
    // Pretend the process died while asking the confirm step.
    let mut crashed = s.clone();
    crashed.status = RunStatus::Running;
    crashed.steps[2].state = StepOutcome::Waiting;
    crashed.steps[3].state = StepOutcome::Pending;
    crashed.owner = Some(super::state::Owner {
        pid: u32::MAX - 1,
        hostname: super::state::hostname(),
        heartbeat: jiff::Timestamp::now(),
    });
    super::state::save(dir.path(), &crashed).unwrap();
    assert_eq!(super::interrupted(dir.path()).len(), 1);
    let catalog = super::Catalog::with(vec![rb.clone()]);
    let h = super::continue_with(&catalog, &s.id, fake.clone(), dir.path(), false).unwrap();
    let s = drive(h, &[Answer::Yes]).await;
    assert_eq!(s.status, RunStatus::Succeeded);
    assert_eq!(
        fake.executed.lock().unwrap().len(),
        1,
        "the scale was not repeated"
    );
    assert!(super::interrupted(dir.path()).is_empty());
}

#[tokio::test]
async fn two_resumes_at_once_get_one_runner() {
    let rb = parse("t.yaml", BOOK).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = Fake {
        queued: 20.0,
        ..Fake::default()
    };
    let h = start_with(&rb, BTreeMap::new(), first, "ctx", dir.path(), false).unwrap();
    let s = drive(h, &[Answer::Yes, Answer::Yes]).await;
    // The process died before the scale step; its owner is gone.
    let mut crashed = s.clone();
    crashed.status = RunStatus::Running;
    for st in &mut crashed.steps[1..] {
        st.state = StepOutcome::Pending;
        st.op_sent = false;
    }
    crashed.owner = Some(super::state::Owner {
        pid: u32::MAX - 1,
        hostname: super::state::hostname(),
        heartbeat: jiff::Timestamp::now(),
    });
    super::state::save(dir.path(), &crashed).unwrap();
    let catalog = super::Catalog::with(vec![rb.clone()]);
    let fake = Fake {
        queued: 20.0,
        ..Fake::default()
    };
    // Both ask before either has written its ownership into the run state.
    let a = super::continue_with(&catalog, &s.id, fake.clone(), dir.path(), false);
    let b = super::continue_with(&catalog, &s.id, fake.clone(), dir.path(), false);
    let a = a.unwrap();
    let Err(e) = b else {
        panic!("a second runner was started for the same run")
    };
    let e = e.to_string();
    assert!(
        e.contains(&format!(
            "is being run by pid {} on {}",
            std::process::id(),
            super::state::hostname()
        )),
        "{e}"
    );
    let s = drive(a, &[Answer::Yes, Answer::Yes]).await;
    assert_eq!(s.status, RunStatus::Succeeded);
    assert_eq!(fake.executed.lock().unwrap().len(), 1, "one scale");
    // Released at the end: the run has ended, so a resume now says so.
    let e = super::continue_with(&catalog, &s.id, fake, dir.path(), false)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("already ended"), "{e}");
}
