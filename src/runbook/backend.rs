//! What the engine needs from the outside world, as a trait: the ops (check, preview,
//! execute), Kubernetes reads by kind, and PromQL instant queries. `Live` implements it
//! with `ops::Ops`, a kube client and the context's Prometheus; the engine's unit tests
//! use a fake.
//!
//! Reads only, apart from passing ops to `ops::Ops`. Secret reads drop `data` and
//! `stringData` at once, so no secret value ever reaches a runbook.

use std::future::Future;
use std::sync::Arc;

use kube::api::{Api, DynamicObject, ListParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

use super::state::RunState;
use crate::audit::Phase;
use crate::endpoints::prometheus::{Prometheus, Sample};
use crate::ops::{Op, OpError, Ops, Outcome, Permission, Preview};

pub trait Backend: Send + Sync + 'static {
    fn check(&self, op: &Op) -> impl Future<Output = Permission> + Send;
    fn preview(
        &self,
        op: &Op,
        run: Option<&str>,
    ) -> impl Future<Output = Result<Preview, OpError>> + Send;
    fn execute(
        &self,
        op: &Op,
        run: Option<&str>,
    ) -> impl Future<Output = Result<Outcome, OpError>> + Send;
    /// One object, None when it does not exist.
    fn get(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> impl Future<Output = Result<Option<Value>, String>> + Send;
    fn list(
        &self,
        kind: &str,
        namespace: Option<&str>,
        selector: Option<&str>,
        field_selector: Option<&str>,
    ) -> impl Future<Output = Result<Vec<Value>, String>> + Send;
    fn promql(&self, query: &str) -> impl Future<Output = Result<Vec<Sample>, String>> + Send;
    /// The kube identity ops act as (for the report).
    fn identity(&self) -> impl Future<Output = String> + Send;
    /// Writes the run's start (`ended` false) or end to the audit log.
    fn record_run(&self, state: &RunState, ended: bool) -> impl Future<Output = ()> + Send;
}

/// The kinds checks and queries may name: (kind, group, version, plural, namespaced).
const KINDS: &[(&str, &str, &str, &str, bool)] = &[
    ("Pod", "", "v1", "pods", true),
    ("Node", "", "v1", "nodes", false),
    ("Namespace", "", "v1", "namespaces", false),
    ("Secret", "", "v1", "secrets", true),
    ("ConfigMap", "", "v1", "configmaps", true),
    ("Service", "", "v1", "services", true),
    ("Deployment", "apps", "v1", "deployments", true),
    ("StatefulSet", "apps", "v1", "statefulsets", true),
    ("DaemonSet", "apps", "v1", "daemonsets", true),
    ("ReplicaSet", "apps", "v1", "replicasets", true),
    ("Job", "batch", "v1", "jobs", true),
    ("CronJob", "batch", "v1", "cronjobs", true),
    (
        "PodDisruptionBudget",
        "policy",
        "v1",
        "poddisruptionbudgets",
        true,
    ),
    ("Backup", "velero.io", "v1", "backups", true),
    ("Restore", "velero.io", "v1", "restores", true),
    ("Schedule", "velero.io", "v1", "schedules", true),
    (
        "BackupStorageLocation",
        "velero.io",
        "v1",
        "backupstoragelocations",
        true,
    ),
    (
        "ExternalSecret",
        "external-secrets.io",
        "v1",
        "externalsecrets",
        true,
    ),
];

/// The canonical kind for `name` (case-insensitive, plural or singular), with whether
/// it is namespaced.
pub fn kind(name: &str) -> Result<(ApiResource, bool), String> {
    let n = name.trim().to_ascii_lowercase();
    KINDS
        .iter()
        .find(|(k, _, _, plural, _)| k.to_ascii_lowercase() == n || *plural == n)
        .map(|(k, g, v, plural, namespaced)| {
            (
                ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(g, v, k), plural),
                *namespaced,
            )
        })
        .ok_or_else(|| {
            let known: Vec<&str> = KINDS.iter().map(|k| k.0).collect();
            format!("unknown kind {name:?}; known kinds: {}", known.join(", "))
        })
}

/// Drops secret values from an object as soon as it is read.
pub fn scrub(mut v: Value) -> Value {
    if v["kind"] == "Secret"
        && let Some(m) = v.as_object_mut()
    {
        m.remove("data");
        m.remove("stringData");
    }
    if let Some(ann) = v
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        // kubectl keeps the whole object, values included, in this annotation.
        ann.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
    v
}

pub struct Live {
    pub ops: Arc<Ops>,
    pub kube: kube::Client,
    pub prometheus: Option<Prometheus>,
}

impl Live {
    fn api(
        &self,
        kind_name: &str,
        namespace: Option<&str>,
    ) -> Result<(Api<DynamicObject>, ApiResource), String> {
        let (ar, namespaced) = kind(kind_name)?;
        let api = match (namespaced, namespace) {
            (true, Some(ns)) if !ns.is_empty() => Api::namespaced_with(self.kube.clone(), ns, &ar),
            _ => Api::all_with(self.kube.clone(), &ar),
        };
        Ok((api, ar))
    }
}

fn kube_error(what: &str, e: &kube::Error) -> String {
    format!("{what}: {}", crate::endpoints::explain(e).1)
}

fn to_json(o: DynamicObject, ar: &ApiResource) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
    v["kind"] = Value::String(ar.kind.clone());
    scrub(v)
}

impl Backend for Live {
    async fn check(&self, op: &Op) -> Permission {
        self.ops.check(op).await
    }

    async fn preview(&self, op: &Op, run: Option<&str>) -> Result<Preview, OpError> {
        self.ops.preview_for(op, run).await
    }

    async fn execute(&self, op: &Op, run: Option<&str>) -> Result<Outcome, OpError> {
        self.ops.execute(op, run).await
    }

    async fn record_run(&self, state: &RunState, ended: bool) {
        let (phase, outcome) = if ended {
            (Phase::After, state.status.label())
        } else if state.steps.iter().any(|s| s.started.is_some()) {
            (Phase::Before, "resumed".to_string())
        } else {
            (Phase::Before, "started".to_string())
        };
        let params = serde_json::to_value(&state.params).unwrap_or_default();
        self.ops
            .record_run(
                &state.runbook,
                &state.id,
                phase,
                outcome,
                params,
                state.dry_run,
            )
            .await;
    }

    async fn get(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Value>, String> {
        let (api, ar) = self.api(kind, namespace)?;
        let what = format!("get {} {}/{name}", ar.kind, namespace.unwrap_or(""));
        api.get_opt(name)
            .await
            .map(|o| o.map(|o| to_json(o, &ar)))
            .map_err(|e| kube_error(&what, &e))
    }

    async fn list(
        &self,
        kind: &str,
        namespace: Option<&str>,
        selector: Option<&str>,
        field_selector: Option<&str>,
    ) -> Result<Vec<Value>, String> {
        let (api, ar) = self.api(kind, namespace)?;
        let mut lp = ListParams::default();
        if let Some(s) = selector.filter(|s| !s.is_empty()) {
            lp = lp.labels(s);
        }
        if let Some(f) = field_selector.filter(|s| !s.is_empty()) {
            lp = lp.fields(f);
        }
        let what = format!(
            "list {} in {}",
            ar.plural,
            namespace.unwrap_or("all namespaces")
        );
        api.list(&lp)
            .await
            .map(|l| l.items.into_iter().map(|o| to_json(o, &ar)).collect())
            .map_err(|e| kube_error(&what, &e))
    }

    async fn promql(&self, query: &str) -> Result<Vec<Sample>, String> {
        match &self.prometheus {
            Some(p) => p.instant(query).await,
            None => Err(format!(
                "no Prometheus endpoint for this context, so {query:?} cannot be checked — set `prometheus:` for the context in the config or pass --prometheus"
            )),
        }
    }

    async fn identity(&self) -> String {
        self.ops.identity().await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_resolve_and_secrets_are_scrubbed() {
        assert_eq!(kind("statefulsets").unwrap().0.kind, "StatefulSet");
        assert_eq!(kind("restore").unwrap().0.group, "velero.io");
        assert!(kind("Widget").unwrap_err().contains("known kinds"));
        let s = scrub(
            json!({"kind": "Secret", "data": {"password": "c2VjcmV0"}, "metadata": {"name": "x"}}),
        );
        assert!(s.get("data").is_none());
    }
}
