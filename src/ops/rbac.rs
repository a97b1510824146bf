//! RBAC pre-checks: which verbs on which resources each operation needs, asked of the
//! API server with SelfSubjectAccessReviews (what `kubectl auth can-i` sends) and cached
//! for the life of the connection, so a forbidden action is shown as forbidden before
//! anyone tries it. Must not decide anything the API server would not: a failed review
//! is reported, never read as "allowed".

use std::collections::HashMap;

use kube::Client;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::{Op, Permission};
use crate::endpoints::kube_error::{KubeProblem, classify};

/// One `can-i` question: verb, API group, resource, subresource, namespace ("" =
/// cluster-wide or cluster-scoped).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Need {
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
    subresource: &'static str,
    namespace: String,
}

fn need(verb: &'static str, group: &'static str, resource: &'static str, ns: &str) -> Need {
    Need {
        verb,
        group,
        resource,
        subresource: "",
        namespace: ns.to_string(),
    }
}

impl Need {
    fn sub(mut self, subresource: &'static str) -> Need {
        self.subresource = subresource;
        self
    }

    fn describe(&self) -> String {
        let resource = if self.subresource.is_empty() {
            self.resource.to_string()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        };
        let resource = if self.group.is_empty() {
            resource
        } else {
            format!("{resource}.{}", self.group)
        };
        if self.namespace.is_empty() {
            format!("{} {resource}", self.verb)
        } else {
            format!("{} {resource} in namespace {}", self.verb, self.namespace)
        }
    }
}

/// Everything `op` needs to be allowed to do.
pub fn needs(op: &Op) -> Vec<Need> {
    match op {
        Op::Scale {
            kind, namespace, ..
        } => vec![
            need("get", "apps", kind.plural(), namespace).sub("scale"),
            need("patch", "apps", kind.plural(), namespace).sub("scale"),
        ],
        Op::RolloutRestart {
            kind, namespace, ..
        } => vec![need("patch", "apps", kind.plural(), namespace)],
        Op::DeletePod { namespace, .. } => vec![need("delete", "", "pods", namespace)],
        Op::Cordon { .. } | Op::Uncordon { .. } => vec![need("patch", "", "nodes", "")],
        Op::Drain { .. } => vec![
            need("patch", "", "nodes", ""),
            need("list", "", "pods", ""),
            need("create", "", "pods", "").sub("eviction"),
        ],
        Op::BackupFromSchedule {
            velero_namespace, ..
        } => vec![
            need("get", "velero.io", "schedules", velero_namespace),
            need("create", "velero.io", "backups", velero_namespace),
        ],
        Op::Restore {
            velero_namespace,
            drill_run,
            ..
        } => {
            let mut v = vec![
                need("get", "velero.io", "backups", velero_namespace),
                need("create", "velero.io", "restores", velero_namespace),
            ];
            if drill_run.is_some() {
                v.push(need("create", "", "namespaces", ""));
            }
            v
        }
        Op::DeleteDrillNamespace { .. } => vec![
            need("get", "", "namespaces", ""),
            need("delete", "", "namespaces", ""),
        ],
        Op::RotateSecret { namespace, .. } | Op::RestoreSecret { namespace, .. } => vec![
            need("get", "", "secrets", namespace),
            need("create", "", "secrets", namespace),
            need("patch", "", "secrets", namespace),
        ],
        Op::ForceSyncExternalSecret { namespace, .. } => vec![
            need("get", "external-secrets.io", "externalsecrets", namespace),
            need("patch", "external-secrets.io", "externalsecrets", namespace),
        ],
        Op::CreateSilence { .. } | Op::ExpireSilence { .. } | Op::KillTrinoQuery { .. } => {
            Vec::new()
        }
    }
}

/// Answers per question; only definite answers are kept (a failed review is asked again).
#[derive(Default)]
pub struct Cache {
    answers: Mutex<HashMap<Need, bool>>,
}

impl Cache {
    pub async fn check(&self, client: &Client, op: &Op) -> Permission {
        for n in needs(op) {
            let cached = self.answers.lock().await.get(&n).copied();
            let allowed = match cached {
                Some(a) => a,
                None => match review(client, &n).await {
                    Ok(a) => {
                        self.answers.lock().await.insert(n.clone(), a);
                        a
                    }
                    // No answer is not a "no": say what kept the question from being
                    // asked, and try nothing.
                    Err(KubeProblem::Unreachable(why)) => {
                        return Permission::Unavailable(format!(
                            "cannot reach the Kubernetes API ({why}), so whether you may {} cannot be checked — nothing was tried; retry once the API answers",
                            n.describe()
                        ));
                    }
                    Err(problem) => {
                        return Permission::Unavailable(format!(
                            "the API server did not answer whether you may {} ({}) — nothing was tried",
                            n.describe(),
                            problem.words()
                        ));
                    }
                },
            };
            if !allowed {
                return Permission::Forbidden(format!(
                    "your identity may not {} (RBAC, checked with a SelfSubjectAccessReview) — {} needs it; use a context that has it",
                    n.describe(),
                    op.name()
                ));
            }
        }
        Permission::Allowed
    }
}

async fn review(client: &Client, n: &Need) -> Result<bool, KubeProblem> {
    let mut attrs = json!({"verb": n.verb, "group": n.group, "resource": n.resource});
    if !n.subresource.is_empty() {
        attrs["subresource"] = json!(n.subresource);
    }
    if !n.namespace.is_empty() {
        attrs["namespace"] = json!(n.namespace);
    }
    let body = json!({
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": attrs},
    });
    let v: Value = post(
        client,
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        &body,
    )
    .await?;
    v["status"]["allowed"]
        .as_bool()
        .ok_or_else(|| KubeProblem::Answered("the review came back without an answer".to_string()))
}

/// The user the cluster knows us as (what `kubectl auth whoami` asks), or why the
/// cluster could not say.
pub async fn whoami(client: &Client) -> Result<String, String> {
    let body = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"});
    let v = post(
        client,
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        &body,
    )
    .await
    .map_err(|e| format!("the SelfSubjectReview (who am I?) failed: {}", e.words()))?;
    v["status"]["userInfo"]["username"]
        .as_str()
        .filter(|u| !u.is_empty())
        .map(str::to_string)
        .ok_or_else(|| "the SelfSubjectReview answer names no user".to_string())
}

async fn post(client: &Client, path: &str, body: &Value) -> Result<Value, KubeProblem> {
    let req = http::Request::post(path)
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(body).map_err(|e| KubeProblem::Answered(e.to_string()))?)
        .map_err(|e| KubeProblem::Answered(e.to_string()))?;
    client.request::<Value>(req).await.map_err(|e| classify(&e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // fixtures; a failure should be loud
mod tests {
    use super::*;
    use crate::ops::WorkloadKind;

    #[test]
    fn scale_needs_the_scale_subresource_and_drain_needs_evictions() {
        let scale = needs(&Op::Scale {
            kind: WorkloadKind::StatefulSet,
            namespace: "trino".into(),
            name: "trino-worker".into(),
            replicas: 5,
        });
        assert_eq!(
            scale[1].describe(),
            "patch statefulsets/scale.apps in namespace trino"
        );
        let drain = needs(&Op::Drain {
            node: "compute-1".into(),
        });
        assert!(drain.iter().any(|n| n.describe() == "create pods/eviction"));
    }
}
