//! Cordon, uncordon (`spec.unschedulable`, merge patch like `kubectl cordon`) and drain:
//! cordon, then evict every pod on the node through the Eviction API so
//! PodDisruptionBudgets are honoured — DaemonSet and mirror pods stay, pods no controller
//! would recreate make the drain refuse (as `kubectl drain` does without `--force`).
//! Must not delete pods directly: a refused eviction is reported, never forced.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Client;
use kube::api::{Api, DeleteParams, EvictParams, ListParams, Patch, PostParams};
use serde_json::json;

use super::{FIELD_MANAGER, Op, OpError, Outcome};

/// How long `drain` keeps retrying evictions a disruption budget refused (kubectl
/// retries every 5 s until its --timeout).
const EVICTION_PATIENCE: Duration = Duration::from_secs(20);
const EVICTION_RETRY: Duration = Duration::from_secs(5);

fn patch_params(dry_run: bool) -> kube::api::PatchParams {
    let pp = kube::api::PatchParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..Default::default()
    };
    if dry_run { pp.dry_run() } else { pp }
}

async fn set_unschedulable(
    client: &Client,
    node: &str,
    value: bool,
    dry_run: bool,
) -> Result<bool, OpError> {
    let what = format!("node {node}");
    let api: Api<Node> = Api::all(client.clone());
    let before = api
        .get(node)
        .await
        .map_err(|e| OpError::from_kube(&what, &e))?
        .spec
        .and_then(|s| s.unschedulable)
        .unwrap_or(false);
    api.patch(
        node,
        &patch_params(dry_run),
        &Patch::Merge(json!({"spec": {"unschedulable": value}})),
    )
    .await
    .map_err(|e| OpError::from_kube(&what, &e))?;
    Ok(before)
}

fn schedulable(unschedulable: bool) -> &'static str {
    if unschedulable {
        "unschedulable"
    } else {
        "schedulable"
    }
}

/// A pod on the node, and what a drain does with it.
struct Resident {
    namespace: String,
    name: String,
    fate: Fate,
}

#[derive(PartialEq)]
enum Fate {
    Evict,
    KeepDaemonSet,
    KeepMirror,
    Unmanaged,
}

async fn residents(client: &Client, node: &str) -> Result<Vec<Resident>, OpError> {
    let api: Api<Pod> = Api::all(client.clone());
    let list = api
        .list(&ListParams::default().fields(&format!("spec.nodeName={node}")))
        .await
        .map_err(|e| OpError::from_kube(&format!("pods on node {node}"), &e))?;
    Ok(list
        .items
        .into_iter()
        .map(|p| {
            let meta = &p.metadata;
            let controller = meta
                .owner_references
                .as_deref()
                .unwrap_or_default()
                .iter()
                .find(|o| o.controller == Some(true));
            let mirror = meta
                .annotations
                .as_ref()
                .is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"));
            let fate = if mirror {
                Fate::KeepMirror
            } else if controller.is_some_and(|o| o.kind == "DaemonSet") {
                Fate::KeepDaemonSet
            } else if controller.is_none() {
                Fate::Unmanaged
            } else {
                Fate::Evict
            };
            Resident {
                namespace: meta.namespace.clone().unwrap_or_default(),
                name: meta.name.clone().unwrap_or_default(),
                fate,
            }
        })
        .collect())
}

fn refuse_unmanaged(node: &str, pods: &[Resident]) -> Result<(), OpError> {
    let unmanaged: Vec<String> = pods
        .iter()
        .filter(|p| p.fate == Fate::Unmanaged)
        .map(|p| format!("{}/{}", p.namespace, p.name))
        .collect();
    if unmanaged.is_empty() {
        return Ok(());
    }
    Err(OpError::Refused(format!(
        "node {node} runs pods no controller would recreate ({}) — move or delete them first, then drain",
        unmanaged.join(", ")
    )))
}

/// Evicts one pod; `Ok(None)` = evicted, `Ok(Some(why))` = a disruption budget said no.
async fn evict(client: &Client, p: &Resident, dry_run: bool) -> Result<Option<String>, OpError> {
    let api: Api<Pod> = Api::namespaced(client.clone(), &p.namespace);
    let mut params = EvictParams::default();
    if dry_run {
        params.post_options = PostParams {
            dry_run: true,
            ..PostParams::default()
        };
        params.delete_options = Some(DeleteParams::default().dry_run());
    }
    match api.evict(&p.name, &params).await {
        Ok(_) => Ok(None),
        Err(kube::Error::Api(s)) if s.code == 429 => Ok(Some(s.message.clone())),
        // Already gone: nothing left to evict.
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(None),
        Err(e) => Err(OpError::from_kube(
            &format!("evicting pod {}/{}", p.namespace, p.name),
            &e,
        )),
    }
}

pub async fn preview(client: &Client, op: &Op) -> Result<Vec<String>, OpError> {
    match op {
        Op::Cordon { node } | Op::Uncordon { node } => {
            let value = matches!(op, Op::Cordon { .. });
            let before = set_unschedulable(client, node, value, true).await?;
            let mut lines = vec![format!(
                "node {node}: {} → {}",
                schedulable(before),
                schedulable(value)
            )];
            if before == value {
                lines.push("no change: it already is".into());
            } else if value {
                lines.push("pods already there keep running; new pods go elsewhere".into());
            }
            Ok(lines)
        }
        Op::Drain { node } => {
            let before = set_unschedulable(client, node, true, true).await?;
            let pods = residents(client, node).await?;
            refuse_unmanaged(node, &pods)?;
            let mut lines = vec![format!(
                "node {node}: {} → unschedulable",
                schedulable(before)
            )];
            let mut blocked = Vec::new();
            let mut evicted = 0;
            for p in pods.iter().filter(|p| p.fate == Fate::Evict) {
                match evict(client, p, true).await? {
                    None => evicted += 1,
                    Some(why) => blocked.push(format!("{}/{}: {why}", p.namespace, p.name)),
                }
            }
            let kept = pods.iter().filter(|p| p.fate != Fate::Evict).count();
            lines.push(format!(
                "{evicted} pods evicted now, {kept} DaemonSet/mirror pods stay"
            ));
            for b in &blocked {
                lines.push(format!(
                    "blocked by a disruption budget (retried for {}s): {b}",
                    EVICTION_PATIENCE.as_secs()
                ));
            }
            Ok(lines)
        }
        _ => Err(OpError::Invalid(format!(
            "{} is not a node operation",
            op.name()
        ))),
    }
}

pub async fn execute(client: &Client, op: &Op) -> Result<Outcome, OpError> {
    let mut out = Outcome::default();
    match op {
        Op::Cordon { node } | Op::Uncordon { node } => {
            let value = matches!(op, Op::Cordon { .. });
            set_unschedulable(client, node, value, false).await?;
            out.summary = format!("node {node} is {}", schedulable(value));
        }
        Op::Drain { node } => {
            // Refuse before cordoning, so a refused drain changes nothing.
            let pods = residents(client, node).await?;
            refuse_unmanaged(node, &pods)?;
            set_unschedulable(client, node, true, false).await?;
            let mut pending: Vec<&Resident> =
                pods.iter().filter(|p| p.fate == Fate::Evict).collect();
            let mut evicted = Vec::new();
            let deadline = tokio::time::Instant::now() + EVICTION_PATIENCE;
            loop {
                let mut blocked = Vec::new();
                for p in pending {
                    match evict(client, p, false).await? {
                        None => evicted.push(format!("{}/{}", p.namespace, p.name)),
                        Some(why) => blocked.push((p, why)),
                    }
                }
                if blocked.is_empty() {
                    break;
                }
                if tokio::time::Instant::now() >= deadline {
                    let list: Vec<String> = blocked
                        .iter()
                        .map(|(p, why)| format!("{}/{} ({why})", p.namespace, p.name))
                        .collect();
                    return Err(OpError::Refused(format!(
                        "node {node} is cordoned and {} pods were evicted, but disruption budgets still block {} after {}s: {} — wait for those workloads to become healthy elsewhere, then drain again",
                        evicted.len(),
                        list.len(),
                        EVICTION_PATIENCE.as_secs(),
                        list.join("; ")
                    )));
                }
                tokio::time::sleep(EVICTION_RETRY).await;
                pending = blocked.into_iter().map(|(p, _)| p).collect();
            }
            out.summary = format!("node {node} drained: {} pods evicted", evicted.len());
            out.outputs.insert("evicted".into(), json!(evicted));
        }
        _ => {
            return Err(OpError::Invalid(format!(
                "{} is not a node operation",
                op.name()
            )));
        }
    }
    Ok(out)
}
