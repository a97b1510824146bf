//! Turns an op step's (rendered) arguments into an `ops::Op`, plus the outputs the
//! runbook itself knows before the op runs (the drill namespace mapping, the target
//! replicas). Drill namespaces are `drill-<run start yyyyMMddHHmmss>-<namespace>`.
//!
//! Pure: no I/O; the engine sends the op through `ops::Ops`.

use std::collections::BTreeMap;

use minijinja::Environment;
use minijinja::value::Value as Ctx;
use serde_json::{Value, json};

use super::params::split_list;
use super::schema::Text;
use super::step::OpStep;
use super::template;
use crate::ops::{Op, SilenceMatcher, WorkloadKind};

pub struct Built {
    pub op: Op,
    pub outputs: BTreeMap<String, Value>,
}

fn workload_kind(s: &str) -> Result<WorkloadKind, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "deployment" | "deployments" | "deploy" => Ok(WorkloadKind::Deployment),
        "statefulset" | "statefulsets" | "sts" => Ok(WorkloadKind::StatefulSet),
        "daemonset" | "daemonsets" | "ds" => Ok(WorkloadKind::DaemonSet),
        other => Err(format!(
            "{other:?} is not a workload kind; use Deployment, StatefulSet or DaemonSet"
        )),
    }
}

/// The drill namespace for `source` in a run started at `run_started`.
pub fn drill_namespace(run_started: jiff::Timestamp, source: &str) -> String {
    let mut name = format!("drill-{}-{source}", run_started.strftime("%Y%m%d%H%M%S"));
    name.truncate(63);
    name.trim_end_matches('-').to_string()
}

fn matcher(s: &str) -> Result<SilenceMatcher, String> {
    for (sep, is_regex, is_equal) in [
        ("!~", true, false),
        ("=~", true, true),
        ("!=", false, false),
        ("=", false, true),
    ] {
        if let Some((n, v)) = s.split_once(sep) {
            return Ok(SilenceMatcher {
                name: n.trim().to_string(),
                value: v.trim().trim_matches('"').to_string(),
                is_regex,
                is_equal,
            });
        }
    }
    Err(format!(
        "silence matcher {s:?}: write name=value, name!=value, name=~regex or name!~regex"
    ))
}

pub fn build(
    env: &Environment<'static>,
    ctx: &Ctx,
    step: &OpStep,
    run_id: &str,
    run_started: jiff::Timestamp,
) -> Result<Built, String> {
    let r = |t: &Text| template::render(env, t, ctx);
    let mut outputs = BTreeMap::new();
    let op = match step {
        OpStep::Scale(w) => {
            let replicas_text = w.replicas.as_ref().ok_or("scale needs replicas")?;
            let raw = r(replicas_text)?;
            let replicas: i32 = raw
                .parse()
                .map_err(|_| format!("replicas {raw:?} is not a whole number"))?;
            if replicas < 0 {
                return Err(format!("replicas {replicas} is negative"));
            }
            outputs.insert("replicas".into(), json!(replicas));
            Op::Scale {
                kind: workload_kind(&r(&w.kind)?)?,
                namespace: r(&w.namespace)?,
                name: r(&w.name)?,
                replicas,
            }
        }
        OpStep::RolloutRestart(w) => Op::RolloutRestart {
            kind: workload_kind(&r(&w.kind)?)?,
            namespace: r(&w.namespace)?,
            name: r(&w.name)?,
        },
        OpStep::DeletePod(a) => Op::DeletePod {
            namespace: r(&a.namespace)?,
            name: r(&a.name)?,
        },
        OpStep::Cordon(n) => Op::Cordon { node: r(&n.node)? },
        OpStep::Uncordon(n) => Op::Uncordon { node: r(&n.node)? },
        OpStep::Drain(n) => Op::Drain { node: r(&n.node)? },
        OpStep::Backup(b) => Op::BackupFromSchedule {
            velero_namespace: r(&b.velero_namespace)?,
            schedule: r(&b.schedule)?,
        },
        OpStep::Restore(a) => {
            let sources = split_list(&r(&a.namespaces)?);
            if sources.is_empty() {
                return Err("restore: no namespaces to restore".into());
            }
            let mapping: BTreeMap<String, String> = sources
                .iter()
                .map(|s| {
                    let target = if a.drill {
                        drill_namespace(run_started, s)
                    } else {
                        s.clone()
                    };
                    (s.clone(), target)
                })
                .collect();
            outputs.insert("mapping".into(), json!(mapping));
            outputs.insert(
                "namespaces".into(),
                json!(mapping.values().collect::<Vec<_>>()),
            );
            outputs.insert("sources".into(), json!(sources));
            Op::Restore {
                velero_namespace: r(&a.velero_namespace)?,
                backup: r(&a.backup)?,
                namespace_mapping: if a.drill { mapping } else { BTreeMap::new() },
                drill_run: a.drill.then(|| run_id.to_string()),
            }
        }
        OpStep::DeleteDrillNamespace(n) => Op::DeleteDrillNamespace {
            namespace: r(&n.namespace)?,
        },
        OpStep::RotateSecret(a) => Op::RotateSecret {
            namespace: r(&a.namespace)?,
            name: r(&a.name)?,
        },
        OpStep::RestoreSecret(a) => Op::RestoreSecret {
            namespace: r(&a.namespace)?,
            name: r(&a.name)?,
            from: r(&a.from)?,
        },
        OpStep::ForceSync(a) => Op::ForceSyncExternalSecret {
            namespace: r(&a.namespace)?,
            name: r(&a.name)?,
        },
        OpStep::Silence(s) => {
            let matchers = s
                .matchers
                .iter()
                .map(|m| r(m).and_then(|m| matcher(&m)))
                .collect::<Result<Vec<_>, _>>()?;
            let comment = r(&s.comment)?;
            if comment.trim().is_empty() {
                return Err("a silence needs a comment".into());
            }
            Op::CreateSilence {
                matchers,
                duration: template::parse_duration(&r(&s.duration)?)?,
                comment,
            }
        }
        OpStep::ExpireSilence(i) => Op::ExpireSilence { id: r(&i.id)? },
        OpStep::KillQuery(k) => Op::KillTrinoQuery {
            query_id: r(&k.query_id)?,
            reason: r(&k.reason)?,
        },
    };
    Ok(Built { op, outputs })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn drill_namespaces_and_matchers() {
        let t: jiff::Timestamp = "2026-11-21T10:15:00Z".parse().unwrap();
        assert_eq!(drill_namespace(t, "nessie"), "drill-20261121101500-nessie");
        assert!(drill_namespace(t, &"x".repeat(80)).len() <= 63);
        let m = matcher("alertname=~Trino.*").unwrap();
        assert!(m.is_regex && m.is_equal && m.name == "alertname");
        assert!(matcher("nothing").is_err());
    }
}
