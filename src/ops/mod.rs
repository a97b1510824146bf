//! The only code that writes to a cluster or a platform API. Every operation ([`Op`])
//! goes through the same gate in [`Ops`]: refused in read-only mode, RBAC pre-checked
//! with a SelfSubjectAccessReview (cached per context), previewed with a server-side dry
//! run (or a read of what would change where the API has no dry run), confirmed by the
//! caller, and written to the audit log before and after it runs.
//!
//! Owns the operations' semantics and their preview text. Must not draw, must not decide
//! how the user confirms (the app and the runbook engine do), and must never put a
//! secret value into a preview, an outcome, an error or the audit log.

mod errors;
mod nodes;
mod platform;
mod rbac;
mod secrets;
mod velero;
mod workloads;

use std::collections::BTreeMap;
use std::fmt;

use jiff::{SignedDuration, Timestamp};
use kube::Client;
use serde_json::{Value, json};

use crate::audit::{AuditLog, AuditRecord, Phase};
use crate::endpoints::Platform;
use crate::endpoints::http::HttpEndpoint;

pub use velero::drill_namespaces;

/// Label on every namespace a restore drill creates (value: the run id). Cleanup only
/// ever deletes namespaces that carry it.
pub const DRILL_RUN_LABEL: &str = "lakedeck.io/drill-run";
/// Label naming the namespace a drill namespace was restored from.
pub const DRILL_SOURCE_LABEL: &str = "lakedeck.io/drill-source";
/// Label on the copy of a Secret kept by a rotation (value: the rotated Secret's name).
pub const SECRET_BACKUP_LABEL: &str = "lakedeck.io/secret-backup-of";
/// kubectl's pod-template annotation for `rollout restart`.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
/// Field manager for every write, so `managedFields` say who changed what.
pub const FIELD_MANAGER: &str = "lakedeck";

/// Workload kinds the scale and restart operations accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
}

impl WorkloadKind {
    pub fn label(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::StatefulSet => "statefulset",
            WorkloadKind::DaemonSet => "daemonset",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployments",
            WorkloadKind::StatefulSet => "statefulsets",
            WorkloadKind::DaemonSet => "daemonsets",
        }
    }

    /// Parses `deployment`, `deploy`, `statefulset`, `sts`, `daemonset`, `ds` (any case).
    pub fn parse(s: &str) -> Option<WorkloadKind> {
        match s.to_ascii_lowercase().as_str() {
            "deployment" | "deployments" | "deploy" => Some(WorkloadKind::Deployment),
            "statefulset" | "statefulsets" | "sts" => Some(WorkloadKind::StatefulSet),
            "daemonset" | "daemonsets" | "ds" => Some(WorkloadKind::DaemonSet),
            _ => None,
        }
    }
}

/// One Alertmanager matcher (`name=value`, `!=`, `=~`, `!~`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceMatcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    pub is_equal: bool,
}

impl fmt::Display for SilenceMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match (self.is_equal, self.is_regex) {
            (true, false) => "=",
            (false, false) => "!=",
            (true, true) => "=~",
            (false, true) => "!~",
        };
        write!(f, "{}{op}\"{}\"", self.name, self.value)
    }
}

/// Everything lakedeck can change.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Scale {
        kind: WorkloadKind,
        namespace: String,
        name: String,
        replicas: i32,
    },
    RolloutRestart {
        kind: WorkloadKind,
        namespace: String,
        name: String,
    },
    DeletePod {
        namespace: String,
        name: String,
    },
    Cordon {
        node: String,
    },
    Uncordon {
        node: String,
    },
    /// Cordon, then evict every pod on the node except DaemonSet and mirror pods;
    /// evictions a PodDisruptionBudget refuses are reported, not forced.
    Drain {
        node: String,
    },
    BackupFromSchedule {
        velero_namespace: String,
        schedule: String,
    },
    /// Restore `backup`, mapping source namespaces to new ones. With `drill_run`, the
    /// target namespaces are created first, labelled as that run's drill namespaces.
    Restore {
        velero_namespace: String,
        backup: String,
        namespace_mapping: BTreeMap<String, String>,
        drill_run: Option<String>,
    },
    DeleteDrillNamespace {
        namespace: String,
    },
    /// Keep a labelled copy of the Secret, then give every key a new random value.
    RotateSecret {
        namespace: String,
        name: String,
    },
    /// Put the values of the backup `from` (made by a rotation) back into the Secret.
    RestoreSecret {
        namespace: String,
        name: String,
        from: String,
    },
    ForceSyncExternalSecret {
        namespace: String,
        name: String,
    },
    CreateSilence {
        matchers: Vec<SilenceMatcher>,
        duration: SignedDuration,
        comment: String,
    },
    ExpireSilence {
        id: String,
    },
    KillTrinoQuery {
        query_id: String,
        reason: String,
    },
}

/// How the user must confirm an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    YesNo,
    /// Destructive or cluster-wide: the user types exactly this name.
    TypeName(String),
}

impl Op {
    /// The operation's name in the audit log and in runbooks.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Scale { .. } => "scale",
            Op::RolloutRestart { .. } => "rollout-restart",
            Op::DeletePod { .. } => "delete-pod",
            Op::Cordon { .. } => "cordon",
            Op::Uncordon { .. } => "uncordon",
            Op::Drain { .. } => "drain",
            Op::BackupFromSchedule { .. } => "backup",
            Op::Restore { .. } => "restore",
            Op::DeleteDrillNamespace { .. } => "delete-drill-namespace",
            Op::RotateSecret { .. } => "rotate-secret",
            Op::RestoreSecret { .. } => "restore-secret",
            Op::ForceSyncExternalSecret { .. } => "force-sync",
            Op::CreateSilence { .. } => "silence",
            Op::ExpireSilence { .. } => "expire-silence",
            Op::KillTrinoQuery { .. } => "kill-query",
        }
    }

    /// What it acts on, kubectl style: `statefulset trino/trino-worker`.
    pub fn target(&self) -> String {
        match self {
            Op::Scale {
                kind,
                namespace,
                name,
                ..
            }
            | Op::RolloutRestart {
                kind,
                namespace,
                name,
            } => format!("{} {namespace}/{name}", kind.label()),
            Op::DeletePod { namespace, name } => format!("pod {namespace}/{name}"),
            Op::Cordon { node } | Op::Uncordon { node } | Op::Drain { node } => {
                format!("node {node}")
            }
            Op::BackupFromSchedule {
                velero_namespace,
                schedule,
            } => format!("schedule {velero_namespace}/{schedule}"),
            Op::Restore {
                velero_namespace,
                backup,
                ..
            } => format!("backup {velero_namespace}/{backup}"),
            Op::DeleteDrillNamespace { namespace } => format!("namespace {namespace}"),
            Op::RotateSecret { namespace, name }
            | Op::RestoreSecret {
                namespace, name, ..
            } => {
                format!("secret {namespace}/{name}")
            }
            Op::ForceSyncExternalSecret { namespace, name } => {
                format!("externalsecret {namespace}/{name}")
            }
            Op::CreateSilence { matchers, .. } => format!(
                "alerts {{{}}}",
                matchers
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Op::ExpireSilence { id } => format!("silence {id}"),
            Op::KillTrinoQuery { query_id, .. } => format!("trino query {query_id}"),
        }
    }

    /// One line saying what will happen.
    pub fn summary(&self) -> String {
        let target = self.target();
        match self {
            Op::Scale { replicas, .. } => format!("scale {target} to {replicas} replicas"),
            Op::RolloutRestart { .. } => format!("rollout restart {target}"),
            Op::DeletePod { .. } => format!("delete {target}"),
            Op::Cordon { .. } => format!("cordon {target}"),
            Op::Uncordon { .. } => format!("uncordon {target}"),
            Op::Drain { .. } => format!("drain {target} (cordon, then evict its pods)"),
            Op::BackupFromSchedule { .. } => format!("back up now from {target}"),
            Op::Restore {
                namespace_mapping, ..
            } => format!(
                "restore {target} into {}",
                namespace_mapping
                    .iter()
                    .map(|(from, to)| format!("{from} → {to}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Op::DeleteDrillNamespace { .. } => format!("delete drill {target}"),
            Op::RotateSecret { .. } => format!("rotate {target} (new random values)"),
            Op::RestoreSecret { from, .. } => format!("restore {target} from {from}"),
            Op::ForceSyncExternalSecret { .. } => format!("force a sync of {target}"),
            Op::CreateSilence { duration, .. } => {
                format!(
                    "silence {target} for {}",
                    crate::model::duration::human_duration(*duration)
                )
            }
            Op::ExpireSilence { .. } => format!("expire {target}"),
            Op::KillTrinoQuery { .. } => format!("kill {target}"),
        }
    }

    /// Destructive or cluster-wide operations ask for the target's name to be typed.
    pub fn confirmation(&self) -> Confirmation {
        let typed = |name: &str| Confirmation::TypeName(name.to_string());
        match self {
            Op::Scale { name, replicas, .. } if *replicas == 0 => typed(name),
            Op::DeletePod { name, .. }
            | Op::RotateSecret { name, .. }
            | Op::RestoreSecret { name, .. }
            | Op::ForceSyncExternalSecret { name, .. } => typed(name),
            Op::Drain { node } => typed(node),
            Op::DeleteDrillNamespace { namespace } => typed(namespace),
            Op::KillTrinoQuery { query_id, .. } => typed(query_id),
            // Restoring into namespaces that are not fresh drill namespaces can overwrite
            // live objects.
            Op::Restore {
                backup,
                drill_run: None,
                ..
            } => typed(backup),
            _ => Confirmation::YesNo,
        }
    }

    /// The parameters as written to the audit log (never secret values: no operation
    /// carries any).
    pub fn params(&self) -> Value {
        match self {
            Op::Scale { replicas, .. } => json!({"replicas": replicas}),
            Op::Restore {
                namespace_mapping,
                drill_run,
                ..
            } => json!({"namespace_mapping": namespace_mapping, "drill_run": drill_run}),
            Op::RestoreSecret { from, .. } => json!({"from": from}),
            Op::CreateSilence {
                matchers,
                duration,
                comment,
            } => json!({
                "matchers": matchers.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "duration_secs": duration.as_secs(),
                "comment": comment,
            }),
            Op::KillTrinoQuery { reason, .. } => json!({"reason": reason}),
            _ => json!({}),
        }
    }
}

/// Whether the operation may be attempted at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permission {
    Allowed,
    ReadOnly(String),
    Forbidden(String),
    /// The API it needs is not configured or not served (e.g. no Alertmanager).
    Unavailable(String),
}

impl Permission {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Permission::Allowed)
    }

    /// The refusal as an error, or `None` when allowed.
    pub fn refusal(&self) -> Option<OpError> {
        match self {
            Permission::Allowed => None,
            Permission::ReadOnly(m) => Some(OpError::ReadOnly(m.clone())),
            Permission::Forbidden(m) => Some(OpError::Forbidden(m.clone())),
            Permission::Unavailable(m) => Some(OpError::Unavailable(m.clone())),
        }
    }
}

/// What an operation will change, from a dry run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// e.g. `replicas 3 → 5`; for secrets, key names only.
    pub lines: Vec<String>,
    pub confirmation: Confirmation,
}

/// What an executed operation did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    pub summary: String,
    /// Named results later runbook steps can use: `backup`, `restore`, `namespaces`,
    /// `previous_secret`, `silence_id`, `replicas_before`, `evicted`, `blocked`…
    pub outputs: BTreeMap<String, Value>,
}

pub use errors::OpError;

/// The write gate for one context.
pub struct Ops {
    kube: Client,
    alertmanager: Option<Result<HttpEndpoint, String>>,
    trino: Option<Result<HttpEndpoint, String>>,
    /// Sent as `X-Trino-User` when killing a query.
    trino_user: String,
    context: String,
    readonly: bool,
    audit: AuditLog,
    /// The kubeconfig user entry of the context, recorded beside the identity.
    kubeconfig_user: Option<String>,
    identity: tokio::sync::Mutex<Option<Identity>>,
    rbac: rbac::Cache,
}

/// Who the cluster says we are, or why it could not say (asked again after a while).
#[derive(Debug, Clone)]
struct Identity {
    answer: Result<String, String>,
    asked: std::time::Instant,
}

/// How long a failed identity lookup stands before it is asked again.
const IDENTITY_RETRY: std::time::Duration = std::time::Duration::from_secs(30);

/// The name recorded when the cluster cannot say who we are.
pub const UNKNOWN_IDENTITY: &str = "unknown";

impl Ops {
    pub fn new(platform: &Platform, readonly: bool, audit: AuditLog) -> Ops {
        Ops {
            kube: platform.kube.clone(),
            alertmanager: platform.alertmanager.clone(),
            trino: platform.trino.clone(),
            trino_user: platform.trino_user(),
            context: platform.context.clone(),
            readonly,
            audit,
            kubeconfig_user: None,
            identity: tokio::sync::Mutex::new(None),
            rbac: rbac::Cache::default(),
        }
    }

    /// Records `user` (the kubeconfig's user entry for the context) in every audit
    /// record, so an auditor sees which credentials were used even when the cluster
    /// cannot say who they belong to.
    pub fn with_kubeconfig_user(mut self, user: Option<String>) -> Ops {
        self.kubeconfig_user = user.filter(|u| !u.is_empty());
        self
    }

    pub fn readonly(&self) -> bool {
        self.readonly
    }

    pub fn context(&self) -> &str {
        &self.context
    }

    pub fn kube(&self) -> &Client {
        &self.kube
    }

    pub fn audit_log(&self) -> &AuditLog {
        &self.audit
    }

    /// The user the cluster knows us as (SelfSubjectReview), or [`UNKNOWN_IDENTITY`].
    pub async fn identity(&self) -> String {
        self.identity_or_why()
            .await
            .unwrap_or_else(|_| UNKNOWN_IDENTITY.to_string())
    }

    /// The user the cluster knows us as, or why it could not say. A known identity is
    /// asked once; a failure is asked again after [`IDENTITY_RETRY`].
    async fn identity_or_why(&self) -> Result<String, String> {
        let mut cached = self.identity.lock().await;
        if let Some(id) = cached.as_ref()
            && (id.answer.is_ok() || id.asked.elapsed() < IDENTITY_RETRY)
        {
            return id.answer.clone();
        }
        let answer = rbac::whoami(&self.kube).await;
        *cached = Some(Identity {
            answer: answer.clone(),
            asked: std::time::Instant::now(),
        });
        answer
    }

    /// A record's who-fields: the identity (never an error message), why it is
    /// unknown, and the kubeconfig user.
    async fn who(&self) -> (String, Option<String>, Option<String>) {
        match self.identity_or_why().await {
            Ok(user) => (user, None, self.kubeconfig_user.clone()),
            Err(why) => (
                UNKNOWN_IDENTITY.to_string(),
                Some(why),
                self.kubeconfig_user.clone(),
            ),
        }
    }

    /// Records a runbook run starting (`phase` Before) or ending (After) in the audit
    /// log, so a run that stopped before any write still says what happened. `params`
    /// are the run's parameters (names of things, never secret values); `dry_run` says
    /// whether the whole run is a `--dry-run`.
    pub async fn record_run(
        &self,
        runbook: &str,
        run: &str,
        phase: Phase,
        outcome: String,
        params: Value,
        dry_run: bool,
    ) {
        let (identity, identity_unknown, kubeconfig_user) = self.who().await;
        let record = AuditRecord {
            time: Timestamp::now(),
            identity,
            identity_unknown,
            kubeconfig_user,
            context: self.context.clone(),
            op: "runbook".into(),
            target: format!("runbook {runbook}"),
            params,
            dry_run,
            phase,
            outcome,
            run: Some(run.to_string()),
        };
        if let Err(e) = self.audit.append(&record) {
            tracing::error!("{e}");
        }
    }

    /// Read-only mode, then the API's availability, then RBAC (cached).
    pub async fn check(&self, op: &Op) -> Permission {
        if self.readonly {
            return Permission::ReadOnly(format!(
                "read-only: {} is a write and lakedeck runs read-only here (--readonly or `readonly: true` for context {}) — restart without it to act",
                op.name(),
                self.context
            ));
        }
        match op {
            Op::CreateSilence { .. } | Op::ExpireSilence { .. } => {
                if let Err(m) = endpoint("Alertmanager", &self.alertmanager) {
                    return Permission::Unavailable(m.to_string());
                }
                Permission::Allowed
            }
            Op::KillTrinoQuery { .. } => {
                if let Err(m) = endpoint("Trino", &self.trino) {
                    return Permission::Unavailable(m.to_string());
                }
                Permission::Allowed
            }
            _ => self.rbac.check(&self.kube, op).await,
        }
    }

    /// The dry run: what would change. Audited as a dry run; refusals are audited too.
    pub async fn preview(&self, op: &Op) -> Result<Preview, OpError> {
        self.preview_for(op, None).await
    }

    /// [`Ops::preview`] as part of runbook run `run` (its audit records say so).
    pub async fn preview_for(&self, op: &Op, run: Option<&str>) -> Result<Preview, OpError> {
        self.gate(op, true, run).await?;
        let result = self.preview_unaudited(op).await;
        let outcome = match &result {
            Ok(p) => format!("ok: {}", p.lines.join("; ")),
            Err(e) => format!("failed: {e}"),
        };
        self.record(op, true, Phase::After, outcome, run).await;
        result
    }

    /// Carries the operation out; `run` is the runbook run it belongs to.
    pub async fn execute(&self, op: &Op, run: Option<&str>) -> Result<Outcome, OpError> {
        self.gate(op, false, run).await?;
        self.append(op, false, Phase::Before, "started".into(), run)
            .await?;
        let result = self.execute_unaudited(op, run).await;
        let outcome = match &result {
            Ok(o) => format!("ok: {}", o.summary),
            Err(e) => format!("failed: {e}"),
        };
        self.record(op, false, Phase::After, outcome, run).await;
        result
    }

    /// Refuses (and audits the refusal) unless the operation is allowed.
    async fn gate(&self, op: &Op, dry_run: bool, run: Option<&str>) -> Result<(), OpError> {
        if let Some(refusal) = self.check(op).await.refusal() {
            self.record(
                op,
                dry_run,
                Phase::Refused,
                format!("refused: {refusal}"),
                run,
            )
            .await;
            return Err(refusal);
        }
        Ok(())
    }

    async fn append(
        &self,
        op: &Op,
        dry_run: bool,
        phase: Phase,
        outcome: String,
        run: Option<&str>,
    ) -> Result<(), OpError> {
        let (identity, identity_unknown, kubeconfig_user) = self.who().await;
        let record = AuditRecord {
            time: Timestamp::now(),
            identity,
            identity_unknown,
            kubeconfig_user,
            context: self.context.clone(),
            op: op.name().to_string(),
            target: op.target(),
            params: op.params(),
            dry_run,
            phase,
            outcome,
            run: run.map(str::to_string),
        };
        self.audit.append(&record).map_err(OpError::Audit)
    }

    /// An "after" record: the operation has happened, so a failing audit write is
    /// logged rather than turning a done write into an error.
    async fn record(
        &self,
        op: &Op,
        dry_run: bool,
        phase: Phase,
        outcome: String,
        run: Option<&str>,
    ) {
        if let Err(e) = self.append(op, dry_run, phase, outcome, run).await {
            tracing::error!("{e}");
        }
    }

    async fn preview_unaudited(&self, op: &Op) -> Result<Preview, OpError> {
        let lines = match op {
            Op::Scale { .. } | Op::RolloutRestart { .. } | Op::DeletePod { .. } => {
                workloads::preview(&self.kube, op).await?
            }
            Op::Cordon { .. } | Op::Uncordon { .. } | Op::Drain { .. } => {
                nodes::preview(&self.kube, op).await?
            }
            Op::BackupFromSchedule { .. }
            | Op::Restore { .. }
            | Op::DeleteDrillNamespace { .. } => velero::preview(&self.kube, op).await?,
            Op::RotateSecret { .. }
            | Op::RestoreSecret { .. }
            | Op::ForceSyncExternalSecret { .. } => secrets::preview(&self.kube, op).await?,
            Op::CreateSilence { .. } | Op::ExpireSilence { .. } => {
                platform::preview_silence(endpoint("Alertmanager", &self.alertmanager)?, op).await?
            }
            Op::KillTrinoQuery { .. } => {
                platform::preview_kill(endpoint("Trino", &self.trino)?, &self.trino_user, op)
                    .await?
            }
        };
        Ok(Preview {
            lines,
            confirmation: op.confirmation(),
        })
    }

    async fn execute_unaudited(&self, op: &Op, run: Option<&str>) -> Result<Outcome, OpError> {
        match op {
            Op::Scale { .. } | Op::RolloutRestart { .. } | Op::DeletePod { .. } => {
                workloads::execute(&self.kube, op).await
            }
            Op::Cordon { .. } | Op::Uncordon { .. } | Op::Drain { .. } => {
                nodes::execute(&self.kube, op).await
            }
            Op::BackupFromSchedule { .. }
            | Op::Restore { .. }
            | Op::DeleteDrillNamespace { .. } => velero::execute(&self.kube, op).await,
            Op::RotateSecret { .. }
            | Op::RestoreSecret { .. }
            | Op::ForceSyncExternalSecret { .. } => secrets::execute(&self.kube, op, run).await,
            Op::CreateSilence { .. } | Op::ExpireSilence { .. } => {
                let created_by = format!("lakedeck:{}", self.identity().await);
                platform::execute_silence(
                    endpoint("Alertmanager", &self.alertmanager)?,
                    op,
                    &created_by,
                )
                .await
            }
            Op::KillTrinoQuery { .. } => {
                platform::execute_kill(endpoint("Trino", &self.trino)?, &self.trino_user, op).await
            }
        }
    }
}

fn endpoint<'a>(
    what: &str,
    configured: &'a Option<Result<HttpEndpoint, String>>,
) -> Result<&'a HttpEndpoint, OpError> {
    match configured {
        Some(Ok(e)) => Ok(e),
        Some(Err(m)) => Err(OpError::Unavailable(m.clone())),
        None => Err(OpError::Unavailable(format!(
            "no {what} is configured for this context — set `{}:` for it in ~/.config/lakedeck/config.yaml or pass --{}",
            what.to_ascii_lowercase(),
            what.to_ascii_lowercase()
        ))),
    }
}
