//! Evaluating a `check`/`wait` condition once: a PromQL instant query, a Kubernetes
//! get/list with a field, readiness or count expectation, or a drill restore's
//! verification (workloads present, pods Ready, RTO and RPO on the cluster's clock).
//!
//! Reads only, through [`Backend`]; never sleeps (polling is the engine's).

use std::collections::{BTreeMap, BTreeSet};

use minijinja::Environment;
use minijinja::value::Value as Ctx;
use serde_json::{Value, json};

use super::backend::Backend;
use super::expect::{Expect, text_of};
use super::fields;
use super::schema::{Condition, DrillCheck, KubeQuery, Text};
use super::template;

/// One evaluation: whether it holds, a line for the operator, and outputs.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    pub holds: bool,
    pub summary: String,
    pub outputs: BTreeMap<String, Value>,
}

#[derive(Debug, Clone)]
pub enum EvalError {
    /// The runbook or its inputs are wrong (bad template, unknown kind): no retry helps.
    Fatal(String),
    /// The source failed (API error, Prometheus down): a wait keeps trying.
    Transient(String),
}

impl EvalError {
    pub fn message(&self) -> &str {
        match self {
            EvalError::Fatal(m) | EvalError::Transient(m) => m,
        }
    }
}

fn render(env: &Environment<'static>, t: &Text, ctx: &Ctx) -> Result<String, EvalError> {
    template::render(env, t, ctx).map_err(EvalError::Fatal)
}

fn render_opt(
    env: &Environment<'static>,
    t: &Option<Text>,
    ctx: &Ctx,
) -> Result<Option<String>, EvalError> {
    t.as_ref().map(|t| render(env, t, ctx)).transpose()
}

pub async fn evaluate<B: Backend>(
    backend: &B,
    env: &Environment<'static>,
    ctx: &Ctx,
    cond: &Condition,
) -> Result<Observation, EvalError> {
    let expect = match &cond.expect {
        Some(e) => Some(Expect::parse(&render(env, e, ctx)?).map_err(EvalError::Fatal)?),
        None => None,
    };
    if let Some(q) = &cond.promql {
        let query = render(env, q, ctx)?;
        let mut matching = BTreeMap::new();
        for (k, v) in &cond.matching {
            matching.insert(k.clone(), render(env, v, ctx)?);
        }
        return promql(backend, &query, &matching, expect.as_ref(), cond.any).await;
    }
    if let Some(k) = &cond.kube {
        return kube(backend, env, ctx, k, expect.as_ref(), cond.any).await;
    }
    if let Some(v) = &cond.value {
        let got = render(env, v, ctx)?;
        let expect = expect.unwrap_or(Expect::Exists);
        let observed = Value::String(got.clone());
        return Ok(Observation {
            holds: expect.holds(Some(&observed)),
            summary: format!("{got} (expected {expect})"),
            outputs: BTreeMap::from([("value".to_string(), observed)]),
        });
    }
    if let Some(d) = &cond.drill {
        return drill(backend, env, ctx, d).await;
    }
    Err(EvalError::Fatal("the condition names no source".into()))
}

async fn promql<B: Backend>(
    backend: &B,
    query: &str,
    matching: &BTreeMap<String, String>,
    expect: Option<&Expect>,
    any: bool,
) -> Result<Observation, EvalError> {
    let samples = backend.promql(query).await.map_err(EvalError::Transient)?;
    let samples: Vec<_> = samples
        .into_iter()
        .filter(|(labels, _)| matching.iter().all(|(k, v)| labels.get(k) == Some(v)))
        .collect();
    let expect = expect.cloned().unwrap_or(Expect::Exists);
    let values: Vec<Value> = samples.iter().map(|(_, v)| json!(v)).collect();
    let holds = if samples.is_empty() {
        expect.holds(None)
    } else if any {
        values.iter().any(|v| expect.holds(Some(v)))
    } else {
        values.iter().all(|v| expect.holds(Some(v)))
    };
    let shown = if samples.is_empty() {
        "no data".to_string()
    } else {
        samples
            .iter()
            .map(|(labels, v)| {
                let mut l: Vec<String> = labels
                    .iter()
                    .filter(|(k, _)| *k != "__name__")
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                l.sort();
                if l.is_empty() {
                    format!("{v}")
                } else {
                    format!("{{{}}} {v}", l.join(","))
                }
            })
            .take(5)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut outputs = BTreeMap::new();
    outputs.insert(
        "value".into(),
        values.first().cloned().unwrap_or(Value::Null),
    );
    outputs.insert("values".into(), Value::Array(values));
    Ok(Observation {
        holds,
        summary: format!("{query} = {shown} (expected {expect})"),
        outputs,
    })
}

async fn kube<B: Backend>(
    backend: &B,
    env: &Environment<'static>,
    ctx: &Ctx,
    k: &KubeQuery,
    expect: Option<&Expect>,
    any: bool,
) -> Result<Observation, EvalError> {
    let kind = render(env, &k.kind, ctx)?;
    super::backend::kind(&kind).map_err(EvalError::Fatal)?;
    let namespace = render_opt(env, &k.namespace, ctx)?;
    let name = render_opt(env, &k.name, ctx)?;
    let selector = render_opt(env, &k.selector, ctx)?;
    let field_selector = render_opt(env, &k.field_selector, ctx)?;
    let field = render_opt(env, &k.field, ctx)?;
    let ns = namespace.as_deref();
    let where_ = match (ns, &name) {
        (Some(ns), Some(n)) => format!("{kind} {ns}/{n}"),
        (None, Some(n)) => format!("{kind} {n}"),
        (Some(ns), None) => format!("{kind} in {ns}"),
        (None, None) => kind.clone(),
    };
    let objects = match &name {
        Some(n) => backend
            .get(&kind, ns, n)
            .await
            .map_err(EvalError::Transient)?
            .into_iter()
            .collect::<Vec<_>>(),
        None => backend
            .list(&kind, ns, selector.as_deref(), field_selector.as_deref())
            .await
            .map_err(EvalError::Transient)?,
    };
    let mut outputs = BTreeMap::new();
    outputs.insert("count".into(), json!(objects.len()));
    if k.count {
        let expect = expect
            .cloned()
            .unwrap_or(Expect::Cmp(super::expect::CmpOp::Gt, "0".into()));
        let holds = expect.holds(Some(&json!(objects.len())));
        return Ok(Observation {
            holds,
            summary: format!("{where_}: {} found (expected {expect})", objects.len()),
            outputs,
        });
    }
    if objects.is_empty() {
        let holds = expect.is_some_and(|e| *e == Expect::Absent);
        return Ok(Observation {
            holds,
            summary: format!("{where_}: not found"),
            outputs,
        });
    }
    if k.ready {
        let states: Vec<(bool, String)> = objects.iter().map(fields::ready).collect();
        let ready = states.iter().filter(|(ok, _)| *ok).count();
        let not_ready: Vec<&str> = states
            .iter()
            .filter(|(ok, _)| !ok)
            .map(|(_, s)| s.as_str())
            .take(3)
            .collect();
        outputs.insert("ready".into(), json!(ready));
        let summary = if objects.len() == 1 {
            states[0].1.clone()
        } else if not_ready.is_empty() {
            format!("{where_}: all {} Ready", objects.len())
        } else {
            format!(
                "{where_}: {ready}/{} Ready ({})",
                objects.len(),
                not_ready.join("; ")
            )
        };
        return Ok(Observation {
            holds: ready == objects.len(),
            summary,
            outputs,
        });
    }
    let path = field.unwrap_or_default();
    if path.is_empty() {
        let expect = expect.cloned().unwrap_or(Expect::Exists);
        let holds = expect.holds(Some(&json!(true)));
        return Ok(Observation {
            holds,
            summary: format!("{where_}: exists (expected {expect})"),
            outputs,
        });
    }
    let expect = expect.cloned().unwrap_or(Expect::Exists);
    let observed: Vec<Option<&Value>> = objects.iter().map(|o| fields::at(o, &path)).collect();
    let holds = if any {
        observed.iter().any(|v| expect.holds(*v))
    } else {
        observed.iter().all(|v| expect.holds(*v))
    };
    let shown: Vec<String> = observed
        .iter()
        .zip(&objects)
        .take(5)
        .map(|(v, o)| {
            let v = v.map_or("(absent)".to_string(), text_of);
            if objects.len() == 1 {
                v
            } else {
                format!("{}={v}", fields::name(o))
            }
        })
        .collect();
    if let Some(Some(v)) = observed.first() {
        outputs.insert("value".into(), (*v).clone());
    }
    Ok(Observation {
        holds,
        summary: format!("{where_} {path} = {} (expected {expect})", shown.join(", ")),
        outputs,
    })
}

const WORKLOAD_KINDS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet"];

async fn workload_names<B: Backend>(backend: &B, ns: &str) -> Result<BTreeSet<String>, EvalError> {
    let mut out = BTreeSet::new();
    for kind in WORKLOAD_KINDS {
        for o in backend
            .list(kind, Some(ns), None, None)
            .await
            .map_err(EvalError::Transient)?
        {
            out.insert(format!(
                "{} {}",
                kind.to_ascii_lowercase(),
                fields::name(&o)
            ));
        }
    }
    Ok(out)
}

async fn drill<B: Backend>(
    backend: &B,
    env: &Environment<'static>,
    ctx: &Ctx,
    d: &DrillCheck,
) -> Result<Observation, EvalError> {
    let velero_ns = render(env, &d.velero_namespace, ctx)?;
    let restore_name = render(env, &d.restore, ctx)?;
    let backup_completed = render_opt(env, &d.backup_completed, ctx)?;
    let target = render_opt(env, &d.target_rto, ctx)?
        .map(|t| template::parse_duration(&t).map_err(EvalError::Fatal))
        .transpose()?;
    let Some(restore) = backend
        .get("Restore", Some(&velero_ns), &restore_name)
        .await
        .map_err(EvalError::Transient)?
    else {
        return Err(EvalError::Fatal(format!(
            "restore {velero_ns}/{restore_name} does not exist"
        )));
    };
    let phase = restore["status"]["phase"]
        .as_str()
        .unwrap_or("New")
        .to_string();
    if matches!(
        phase.as_str(),
        "Failed" | "PartiallyFailed" | "FailedValidation"
    ) {
        let why = restore["status"]["failureReason"]
            .as_str()
            .map(str::to_string)
            .or_else(|| {
                restore["status"]["validationErrors"]
                    .as_array()
                    .map(|a| a.iter().map(text_of).collect::<Vec<_>>().join("; "))
            })
            .unwrap_or_default();
        return Err(EvalError::Fatal(
            format!("restore {restore_name} ended {phase} {why}")
                .trim()
                .to_string(),
        ));
    }
    let mut outputs = BTreeMap::new();
    outputs.insert("restore".into(), json!(restore_name));
    outputs.insert("phase".into(), json!(phase));
    let created = fields::timestamp(&restore, "metadata.creationTimestamp");
    let started = fields::timestamp(&restore, "status.startTimestamp");
    let completed = fields::timestamp(&restore, "status.completionTimestamp");
    for (k, t) in [
        ("restore_created", created),
        ("restore_started", started),
        ("restore_completed", completed),
    ] {
        outputs.insert(k.into(), t.map_or(Value::Null, |t| json!(t.to_string())));
    }
    if phase != "Completed" {
        return Ok(Observation {
            holds: false,
            summary: format!("restore {restore_name}: {phase}"),
            outputs,
        });
    }
    let mapping: BTreeMap<String, String> = restore["spec"]["namespaceMapping"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), text_of(v))).collect())
        .unwrap_or_default();
    let (mut expected, mut present, mut missing) = (0usize, 0usize, Vec::new());
    let (mut pods, mut pods_ready) = (0usize, 0usize);
    let mut ready_at: Option<jiff::Timestamp> = None;
    for (src, dst) in &mapping {
        let want = workload_names(backend, src).await?;
        let have = workload_names(backend, dst).await?;
        expected += want.len();
        present += want.intersection(&have).count();
        missing.extend(want.difference(&have).map(|w| format!("{w} (from {src})")));
        for pod in backend
            .list("Pod", Some(dst), None, None)
            .await
            .map_err(EvalError::Transient)?
        {
            pods += 1;
            if let Some(t) = fields::ready_since(&pod) {
                pods_ready += 1;
                ready_at = Some(ready_at.map_or(t, |r| r.max(t)));
            }
        }
    }
    outputs.insert(
        "namespaces".into(),
        json!(mapping.values().collect::<Vec<_>>()),
    );
    outputs.insert("workloads_expected".into(), json!(expected));
    outputs.insert("workloads_present".into(), json!(present));
    outputs.insert("missing".into(), json!(missing));
    outputs.insert("pods".into(), json!(pods));
    outputs.insert("pods_ready".into(), json!(pods_ready));
    let holds = missing.is_empty() && pods > 0 && pods_ready == pods;
    if holds {
        let end = match (ready_at, completed) {
            (Some(r), Some(c)) => Some(r.max(c)),
            (r, c) => r.or(c),
        };
        outputs.insert(
            "ready_at".into(),
            end.map_or(Value::Null, |t| json!(t.to_string())),
        );
        if let (Some(c), Some(e)) = (created, end) {
            let rto = e.duration_since(c).as_secs().max(0);
            outputs.insert("rto_seconds".into(), json!(rto));
            if let Some(t) = target {
                outputs.insert("target_rto_seconds".into(), json!(t.as_secs()));
                outputs.insert("rto_met".into(), json!(rto <= t.as_secs()));
            }
        }
        if let (Some(s), Some(b)) = (
            started.or(created),
            backup_completed
                .as_deref()
                .and_then(|b| b.parse::<jiff::Timestamp>().ok()),
        ) {
            outputs.insert("backup_completed".into(), json!(b.to_string()));
            outputs.insert(
                "rpo_seconds".into(),
                json!(s.duration_since(b).as_secs().max(0)),
            );
        }
    }
    let summary = if missing.is_empty() {
        format!(
            "restore {restore_name} Completed; {present}/{expected} workloads present; {pods_ready}/{pods} pods Ready"
        )
    } else {
        format!(
            "restore {restore_name} Completed; missing: {}; {pods_ready}/{pods} pods Ready",
            missing.join(", ")
        )
    };
    Ok(Observation {
        holds,
        summary,
        outputs,
    })
}
