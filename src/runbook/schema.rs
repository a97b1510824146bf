//! The runbook file format as serde types: what `runbooks/*.yaml` may contain, with the
//! location of every template so a bad one is reported at file:line:column. Unknown
//! fields are errors (`deny_unknown_fields`) so a typo never silently does nothing.
//!
//! Owns parsing only; checking the parsed data (ids, references, template syntax) is
//! `load.rs`'s job and running it is the engine's.

use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

/// A template (or plain) string from the file and where it was written. Numbers and
/// booleans are accepted and kept as their text, so `replicas: 5` works like `"5"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub src: String,
    pub line: u64,
    pub column: u64,
}

impl Text {
    pub fn plain(src: &str) -> Text {
        Text {
            src: src.to_string(),
            line: 0,
            column: 0,
        }
    }
}

struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<Scalar>::deserialize(d)?;
        Ok(Text {
            src: s.value.0,
            line: s.referenced.line(),
            column: s.referenced.column(),
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunbookFile {
    pub name: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// Alert names (Prometheus `alertname`) this runbook answers.
    #[serde(default)]
    pub alerts: Vec<String>,
    /// Other names that open this runbook (e.g. an alert rule's `runbook` annotation).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Read-only query steps run before parameters are resolved, so a default can say
    /// "current replicas + 2" (`lookups.<id>.<key>`).
    #[serde(default)]
    pub lookups: Vec<StepFile>,
    #[serde(default)]
    pub params: Vec<ParamFile>,
    pub steps: Vec<StepFile>,
    #[serde(default)]
    pub finally: Vec<StepFile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParamType {
    String,
    Int,
    Duration,
    Bool,
    Namespace,
    NamespaceList,
}

impl ParamType {
    pub fn label(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Int => "int",
            ParamType::Duration => "duration",
            ParamType::Bool => "bool",
            ParamType::Namespace => "namespace",
            ParamType::NamespaceList => "namespace-list",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamFile {
    pub name: Spanned<String>,
    #[serde(rename = "type", default = "default_type")]
    pub kind: ParamType,
    pub default: Option<Text>,
    pub min: Option<Text>,
    pub max: Option<Text>,
    /// A regular expression the whole value must match.
    pub pattern: Option<String>,
    #[serde(default)]
    pub help: String,
}

fn default_type() -> ParamType {
    ParamType::String
}

/// One step: an `id`, optional `title`/`when`/`for_each`, and exactly one kind key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepFile {
    pub id: Spanned<String>,
    pub title: Option<Text>,
    /// An expression; the step is skipped when it is false.
    pub when: Option<Text>,
    /// An expression giving a list; the step runs once per item (`item`).
    pub for_each: Option<Text>,
    /// A failure is recorded but does not stop the run (investigation checks).
    #[serde(default)]
    pub optional: bool,

    pub note: Option<Text>,
    pub confirm: Option<Text>,
    pub check: Option<Condition>,
    pub wait: Option<Condition>,

    pub scale: Option<WorkloadArgs>,
    #[serde(rename = "rollout-restart")]
    pub rollout_restart: Option<WorkloadArgs>,
    #[serde(rename = "delete-pod")]
    pub delete_pod: Option<ObjectArgs>,
    pub cordon: Option<NodeArgs>,
    pub uncordon: Option<NodeArgs>,
    pub drain: Option<NodeArgs>,
    pub backup: Option<BackupArgs>,
    pub restore: Option<RestoreArgs>,
    #[serde(rename = "delete-drill-namespace")]
    pub delete_drill_namespace: Option<NamespaceArgs>,
    #[serde(rename = "rotate-secret")]
    pub rotate_secret: Option<ObjectArgs>,
    #[serde(rename = "restore-secret")]
    pub restore_secret: Option<RestoreSecretArgs>,
    #[serde(rename = "force-sync")]
    pub force_sync: Option<ObjectArgs>,
    pub silence: Option<SilenceArgs>,
    #[serde(rename = "expire-silence")]
    pub expire_silence: Option<IdArgs>,
    #[serde(rename = "kill-query")]
    pub kill_query: Option<KillArgs>,

    #[serde(rename = "read-replicas")]
    pub read_replicas: Option<WorkloadRef>,
    #[serde(rename = "find-latest-backup")]
    pub find_latest_backup: Option<FindBackupArgs>,
    #[serde(rename = "find-consumers")]
    pub find_consumers: Option<FindConsumersArgs>,
}

/// What a step must check: exactly one of `promql`, `kube`, `drill`, `value`, with `expect`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub promql: Option<Text>,
    /// Only samples whose labels have these values count (PromQL).
    #[serde(rename = "match", default)]
    pub matching: std::collections::BTreeMap<String, Text>,
    pub kube: Option<KubeQuery>,
    pub drill: Option<DrillCheck>,
    /// A value worked out by a template (e.g. an earlier step's output).
    pub value: Option<Text>,
    /// PromQL/kube lists: one matching series or object is enough (default: all).
    #[serde(default)]
    pub any: bool,
    /// `"> 10"`, `">= {{ params.replicas }}"`, `"== Completed"`, `"!= True"`,
    /// `exists`, `absent`.
    pub expect: Option<Text>,
    /// `wait` only: give up after this long (e.g. `5m`).
    pub timeout: Option<Text>,
    /// `wait` only: poll every (default 2s).
    pub interval: Option<Text>,
}

/// Get one object (`name`) or list (`selector`, optional `field_selector`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubeQuery {
    pub kind: Text,
    pub namespace: Option<Text>,
    pub name: Option<Text>,
    pub selector: Option<Text>,
    pub field_selector: Option<Text>,
    /// Dotted path with `[key=value]` list filters, e.g.
    /// `status.conditions[type=Ready].status`.
    pub field: Option<Text>,
    /// Every object is Ready (pods: the Ready condition; workloads: all replicas ready
    /// and updated).
    #[serde(default)]
    pub ready: bool,
    /// Compare the number of objects instead of a field.
    #[serde(default)]
    pub count: bool,
}

/// Verifies a drill restore: the restored namespaces hold the source namespaces'
/// workloads and all their pods are Ready; measures RTO and RPO on the cluster's clock.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillCheck {
    #[serde(default = "velero_ns")]
    pub velero_namespace: Text,
    pub restore: Text,
    /// The backup's completionTimestamp (RFC 3339) for the RPO.
    pub backup_completed: Option<Text>,
    /// Target RTO (a duration) to compare against.
    pub target_rto: Option<Text>,
}

fn velero_ns() -> Text {
    Text::plain("velero")
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadArgs {
    pub kind: Text,
    pub namespace: Text,
    pub name: Text,
    pub replicas: Option<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadRef {
    pub kind: Text,
    pub namespace: Text,
    pub name: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectArgs {
    pub namespace: Text,
    pub name: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreSecretArgs {
    pub namespace: Text,
    pub name: Text,
    pub from: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeArgs {
    pub node: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamespaceArgs {
    pub namespace: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdArgs {
    pub id: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupArgs {
    #[serde(default = "velero_ns")]
    pub velero_namespace: Text,
    pub schedule: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreArgs {
    #[serde(default = "velero_ns")]
    pub velero_namespace: Text,
    pub backup: Text,
    /// Comma- or space-separated source namespaces.
    pub namespaces: Text,
    /// Restore into `drill-<run time>-<namespace>` namespaces labelled with the run id
    /// (otherwise into the same names: a real restore).
    #[serde(default)]
    pub drill: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SilenceArgs {
    /// `name=value` (or `name=~regex`) matchers, one per entry.
    pub matchers: Vec<Text>,
    pub duration: Text,
    pub comment: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KillArgs {
    pub query_id: Text,
    pub reason: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindBackupArgs {
    #[serde(default = "velero_ns")]
    pub velero_namespace: Text,
    pub schedule: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindConsumersArgs {
    pub namespace: Text,
    pub secret: Text,
}
