//! Scenario files (`config/scenarios/*.yaml`, embedded in the binary; a path may be given
//! instead): the cluster the lab starts with — nodes, namespaces, workloads and their
//! trouble, secrets, Velero — and a timeline of incidents. This module owns the file
//! format, loading and the error a bad file gets (file:line:column and what was
//! expected); turning a scenario into objects is `lab::seed`'s job.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

pub use super::platform::spec::PlatformSpec;

/// The scenarios shipped inside the binary.
pub const BUILTIN: &[(&str, &str)] = &[
    ("seed", include_str!("../../../config/scenarios/seed.yaml")),
    (
        "node-failure",
        include_str!("../../../config/scenarios/node-failure.yaml"),
    ),
    (
        "trino-backlog",
        include_str!("../../../config/scenarios/trino-backlog.yaml"),
    ),
    (
        "minio-disk-pressure",
        include_str!("../../../config/scenarios/minio-disk-pressure.yaml"),
    ),
    (
        "kafka-lag-spike",
        include_str!("../../../config/scenarios/kafka-lag-spike.yaml"),
    ),
    (
        "backup-missed",
        include_str!("../../../config/scenarios/backup-missed.yaml"),
    ),
    (
        "secret-rotation-breaks",
        include_str!("../../../config/scenarios/secret-rotation-breaks.yaml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error(
        "unknown scenario {0:?}: built-in scenarios are {names}; or pass the path of a scenario YAML file",
        names = BUILTIN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    )]
    Unknown(String),
    #[error("cannot read scenario file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: invalid scenario: {message}")]
    Invalid {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Another scenario whose cluster this one starts from (e.g. `node-failure` extends `seed`).
    #[serde(default)]
    pub extends: Option<String>,
    #[serde(default)]
    pub nodes: Vec<NodeGroup>,
    #[serde(default)]
    pub namespaces: Vec<String>,
    #[serde(default)]
    pub workloads: Vec<Workload>,
    #[serde(default)]
    pub secrets: Vec<SecretSpec>,
    #[serde(default)]
    pub configmaps: Vec<ConfigMapSpec>,
    /// Extra ClusterIP Services (besides the ones workloads expose under their own name).
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    #[serde(default)]
    pub velero: Option<VeleroSpec>,
    /// PodDisruptionBudgets (policy/v1), their status kept by the disruption controller.
    #[serde(default)]
    pub disruption_budgets: Vec<DisruptionBudgetSpec>,
    /// External Secrets Operator ExternalSecrets, each owning the scenario Secret it names.
    #[serde(default)]
    pub external_secrets: Vec<ExternalSecretSpec>,
    /// Consumers whose new containers fail while a Secret differs from its value at
    /// start (see `secret-rotation-breaks`).
    #[serde(default)]
    pub credential_checks: Vec<CredentialCheck>,
    /// The simulated services beyond Kubernetes objects (MinIO, Kafka, Trino).
    #[serde(default)]
    pub platform: PlatformSpec,
    #[serde(default)]
    pub timeline: Vec<TimelineStep>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeGroup {
    /// Nodes are named `<prefix>-1 … <prefix>-<count>`.
    pub prefix: String,
    pub count: u32,
    /// The `node-role.kubernetes.io/<role>` label.
    pub role: String,
    pub cpu: String,
    pub memory: String,
    #[serde(default = "default_max_pods")]
    pub pods: u32,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub taints: Vec<TaintSpec>,
    #[serde(default)]
    pub storage: Option<String>,
}

fn default_max_pods() -> u32 {
    110
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaintSpec {
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
    pub effect: TaintEffect,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    pub kind: WorkloadKind,
    pub namespace: String,
    pub name: String,
    #[serde(default = "one")]
    pub replicas: u32,
    /// Pod labels (also the selector).
    pub labels: BTreeMap<String, String>,
    pub containers: Vec<ContainerSpec>,
    #[serde(default)]
    pub init_containers: Vec<ContainerSpec>,
    /// Node labels the pods require (`spec.nodeSelector`).
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
    #[serde(default)]
    pub tolerate_control_plane: bool,
    /// How long ago the workload was created, e.g. `40d`, `3h`.
    #[serde(default = "default_age")]
    pub age: String,
    /// Service port to expose as a ClusterIP Service named like the workload.
    #[serde(default)]
    pub service_port: Option<u16>,
    /// CronJob schedule (CronJob only).
    #[serde(default)]
    pub schedule: Option<String>,
    /// Job/CronJob: how long a run takes, e.g. `40s`.
    #[serde(default)]
    pub run_time: Option<String>,
    /// Trouble some of the pods have.
    #[serde(default)]
    pub trouble: Vec<Trouble>,
    /// StatefulSet only: `OrderedReady` (default) or `Parallel` pod management.
    #[serde(default)]
    pub pod_management: PodManagement,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
pub enum PodManagement {
    #[default]
    OrderedReady,
    Parallel,
}

fn one() -> u32 {
    1
}

fn default_age() -> String {
    "30d".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    #[serde(default)]
    pub cpu: Option<String>,
    #[serde(default)]
    pub memory: Option<String>,
    #[serde(default)]
    pub cpu_limit: Option<String>,
    #[serde(default)]
    pub memory_limit: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    /// Environment variables taken from a secret key (names only ever; values stay in the secret).
    #[serde(default)]
    pub secret_env: Vec<SecretEnv>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretEnv {
    pub name: String,
    pub secret: String,
    pub key: String,
}

/// Something wrong with one pod of a workload (by replica index / ordinal).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trouble {
    pub pod: u32,
    #[serde(flatten)]
    pub kind: TroubleKind,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TroubleKind {
    /// The container exits with `exit_code` after running `runs_for`; the kubelet backs off.
    Crashloop {
        #[serde(default = "default_runs_for")]
        runs_for: String,
        #[serde(default = "default_exit")]
        exit_code: i32,
        /// Restarts already counted when the lab starts.
        #[serde(default)]
        restarts: u32,
    },
    /// The container was OOMKilled `ago` and restarted; it now runs.
    OomKilled {
        #[serde(default = "default_oom_ago")]
        ago: String,
    },
    /// The pod requests more than any node can offer and stays Pending.
    Unschedulable { memory: String },
}

fn default_runs_for() -> String {
    "15s".to_string()
}

fn default_exit() -> i32 {
    1
}

fn default_oom_ago() -> String {
    "25m".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretSpec {
    pub namespace: String,
    pub name: String,
    #[serde(default = "default_secret_type")]
    pub r#type: String,
    /// Key names; values are random bytes generated at start and never printed.
    pub keys: Vec<String>,
}

fn default_secret_type() -> String {
    "Opaque".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigMapSpec {
    pub namespace: String,
    pub name: String,
    pub data: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    pub namespace: String,
    pub name: String,
    pub port: u16,
    #[serde(default)]
    pub target_port: Option<u16>,
    pub selector: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VeleroSpec {
    pub schedule: String,
    pub cron: String,
    #[serde(default = "default_ttl")]
    pub ttl: String,
    pub included_namespaces: Vec<String>,
    pub bucket: String,
    /// Daily backups to have in the past (the newest last night).
    pub history_days: u32,
    /// Which of those (1 = last night) ended PartiallyFailed.
    #[serde(default)]
    pub partially_failed: Vec<u32>,
    /// Which of those ended Failed.
    #[serde(default)]
    pub failed: Vec<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisruptionBudgetSpec {
    pub namespace: String,
    pub name: String,
    /// `spec.selector.matchLabels`.
    pub selector: BTreeMap<String, String>,
    /// An integer or a percentage such as `"50%"`; exactly one of the two.
    #[serde(default)]
    pub min_available: Option<IntOrPercent>,
    #[serde(default)]
    pub max_unavailable: Option<IntOrPercent>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum IntOrPercent {
    Int(i64),
    Percent(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalSecretSpec {
    pub namespace: String,
    pub name: String,
    /// The target Secret (default: the ExternalSecret's name); must be one of `secrets`.
    #[serde(default)]
    pub target: Option<String>,
    /// The ClusterSecretStore it reads from.
    #[serde(default = "default_secret_store")]
    pub store: String,
    /// The backend path each key's `remoteRef.key` names.
    #[serde(default)]
    pub remote_key: Option<String>,
    #[serde(default = "default_refresh_interval")]
    pub refresh_interval: String,
}

fn default_secret_store() -> String {
    "vault-backend".to_string()
}

fn default_refresh_interval() -> String {
    "1h".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialCheck {
    pub namespace: String,
    /// The Secret whose data at lab start is the credential the backend still expects.
    pub secret: String,
    /// The Deployment or StatefulSet whose containers use it.
    pub workload: String,
}

fn default_ttl() -> String {
    "720h0m0s".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineStep {
    /// Simulated time after start, e.g. `60s`.
    pub at: String,
    #[serde(flatten)]
    pub event: TimelineEvent,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineEvent {
    /// The node's kubelet stops reporting: NotReady, its pods lost and rescheduled.
    NodeNotReady(String),
    /// The node comes back.
    NodeReady(String),
    /// A MinIO drive stops answering (server and drive are 0-based indexes).
    MinioDriveOffline(DriveRef),
    /// The drive is back (replaced): it heals for a while.
    MinioDriveOnline(DriveRef),
    /// A whole MinIO server (0-based) goes down, with its drives.
    MinioNodeOffline(u32),
    MinioNodeOnline(u32),
    /// A bucket's growth rate changes (bytes per hour).
    BucketGrowth {
        bucket: String,
        per_hour: f64,
    },
    /// A consumer group's consume capacity becomes `factor` × its normal capacity.
    KafkaConsumerSpeed {
        group: String,
        factor: f64,
    },
    /// Trino's query arrival rate changes.
    TrinoArrivals {
        per_minute: f64,
    },
    /// A pod's containers start crash-looping (exit after `runs_for`).
    PodCrashloop {
        namespace: String,
        pod: String,
        #[serde(default = "default_crash_runs_for")]
        runs_for: String,
    },
    /// A Velero BackupStorageLocation becomes Unavailable / Available.
    BslUnavailable(String),
    BslAvailable(String),
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DriveRef {
    pub server: u32,
    pub drive: u32,
}

fn default_crash_runs_for() -> String {
    "5s".to_string()
}

/// Durations in scenarios: `90s`, `15m`, `3h`, `40d`, `1h30m`.
pub use lakedeck_model::duration::parse_duration;

impl Scenario {
    /// Loads a built-in scenario by name, or a file by path, resolving `extends`.
    pub fn load(name_or_path: &str) -> Result<Self, ScenarioError> {
        let (file, text) = match BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            Some((n, text)) => (format!("config/scenarios/{n}.yaml"), (*text).to_string()),
            None if Path::new(name_or_path).exists() => {
                let text = std::fs::read_to_string(name_or_path).map_err(|source| {
                    ScenarioError::Read {
                        path: name_or_path.to_string(),
                        source,
                    }
                })?;
                (name_or_path.to_string(), text)
            }
            None => return Err(ScenarioError::Unknown(name_or_path.to_string())),
        };
        let mut scenario = Self::parse(&file, &text)?;
        if let Some(base) = scenario.extends.clone() {
            if base == scenario.name {
                return Err(invalid(
                    &file,
                    1,
                    1,
                    format!("scenario {base:?} cannot extend itself"),
                ));
            }
            let base = Self::load(&base)?;
            scenario = base.merged_with(scenario);
            scenario.check_platform(&file, &text)?;
        }
        Ok(scenario)
    }

    pub fn parse(file: &str, text: &str) -> Result<Self, ScenarioError> {
        let scenario: Scenario = serde_saphyr::from_str(text).map_err(|e| {
            let (line, column, message) = lakedeck_model::yaml_words::explain(text, &e);
            invalid(file, line.max(1), column.max(1), message)
        })?;
        scenario.check(file, text)?;
        Ok(scenario)
    }

    /// Semantic checks serde cannot express, located at the offending text.
    fn check(&self, file: &str, text: &str) -> Result<(), ScenarioError> {
        let locate = |needle: &str| -> (u64, u64) {
            text.lines()
                .enumerate()
                .find_map(|(i, l)| l.find(needle).map(|c| (i as u64 + 1, c as u64 + 1)))
                .unwrap_or((1, 1))
        };
        let duration = |value: &str, what: &str| -> Result<(), ScenarioError> {
            if parse_duration(value).is_some() {
                return Ok(());
            }
            let (line, column) = locate(value);
            Err(invalid(
                file,
                line,
                column,
                format!("{what} {value:?} is not a duration; expected e.g. 90s, 15m, 3h, 40d"),
            ))
        };
        for w in &self.workloads {
            duration(&w.age, "age")?;
            if let Some(rt) = &w.run_time {
                duration(rt, "run_time")?;
            }
            for t in &w.trouble {
                if t.pod >= w.replicas.max(1) && w.kind != WorkloadKind::DaemonSet {
                    let (line, column) = locate(&format!("pod: {}", t.pod));
                    return Err(invalid(
                        file,
                        line,
                        column,
                        format!(
                            "trouble for pod {} of {} but it has {} replica(s); expected an index below {}",
                            t.pod, w.name, w.replicas, w.replicas
                        ),
                    ));
                }
                match &t.kind {
                    TroubleKind::Crashloop { runs_for, .. } => duration(runs_for, "runs_for")?,
                    TroubleKind::OomKilled { ago } => duration(ago, "ago")?,
                    TroubleKind::Unschedulable { .. } => {}
                }
            }
            for c in w.containers.iter().chain(&w.init_containers) {
                for q in [&c.cpu, &c.memory, &c.cpu_limit, &c.memory_limit]
                    .into_iter()
                    .flatten()
                {
                    if lakedeck_model::quantity::parse(q).is_none() {
                        let (line, column) = locate(q);
                        return Err(invalid(
                            file,
                            line,
                            column,
                            format!(
                                "{q:?} is not a Kubernetes quantity; expected e.g. 500m, 2, 512Mi, 4Gi"
                            ),
                        ));
                    }
                }
            }
        }
        for step in &self.timeline {
            duration(&step.at, "at")?;
            if let TimelineEvent::PodCrashloop { runs_for, .. } = &step.event {
                duration(runs_for, "runs_for")?;
            }
        }
        if self.extends.is_none() {
            self.check_platform(file, text)?;
        }
        Ok(())
    }

    /// The platform section and the timeline steps that name platform things (run on the
    /// merged scenario, since an overlay may name what its base defines).
    fn check_platform(&self, file: &str, text: &str) -> Result<(), ScenarioError> {
        let locate = |needle: &str| -> (u64, u64) {
            text.lines()
                .enumerate()
                .find_map(|(i, l)| l.find(needle).map(|c| (i as u64 + 1, c as u64 + 1)))
                .unwrap_or((1, 1))
        };
        if let Some((needle, message)) = self.platform.problems().into_iter().next() {
            let (line, column) = locate(&needle);
            return Err(invalid(file, line, column, message));
        }
        let minio = self.platform.minio.clone().unwrap_or_default();
        for step in &self.timeline {
            let problem = match &step.event {
                TimelineEvent::MinioDriveOffline(d) | TimelineEvent::MinioDriveOnline(d)
                    if d.server >= minio.servers || d.drive >= minio.drives_per_server =>
                {
                    Some((
                        format!("drive: {}", d.drive),
                        format!(
                            "there is no MinIO drive {}/{}: the tenant has servers 0..{} with drives 0..{}",
                            d.server,
                            d.drive,
                            minio.servers.saturating_sub(1),
                            minio.drives_per_server.saturating_sub(1)
                        ),
                    ))
                }
                TimelineEvent::MinioNodeOffline(n) | TimelineEvent::MinioNodeOnline(n)
                    if *n >= minio.servers =>
                {
                    Some((
                        format!("{n}"),
                        format!(
                            "there is no MinIO server {n}: the tenant has servers 0..{}",
                            minio.servers.saturating_sub(1)
                        ),
                    ))
                }
                TimelineEvent::BucketGrowth { bucket, .. }
                    if !self.platform.buckets.iter().any(|b| &b.name == bucket) =>
                {
                    Some((bucket.clone(), format!("unknown bucket {bucket:?}")))
                }
                TimelineEvent::KafkaConsumerSpeed { group, factor }
                    if !self
                        .platform
                        .consumer_groups
                        .iter()
                        .any(|g| &g.name == group)
                        || factor.is_nan()
                        || *factor < 0.0 =>
                {
                    Some((
                        group.clone(),
                        format!("unknown consumer group {group:?} or a negative factor"),
                    ))
                }
                TimelineEvent::TrinoArrivals { per_minute }
                    if per_minute.is_nan() || *per_minute < 0.0 =>
                {
                    Some(("per_minute".into(), "per_minute must be ≥ 0".into()))
                }
                _ => None,
            };
            if let Some((needle, message)) = problem {
                let (line, column) = locate(&needle);
                return Err(invalid(file, line, column, message));
            }
        }
        Ok(())
    }

    /// `self` as the base, extended by `overlay`'s additions.
    fn merged_with(mut self, overlay: Scenario) -> Scenario {
        self.name = overlay.name;
        if !overlay.description.is_empty() {
            self.description = overlay.description;
        }
        self.nodes.extend(overlay.nodes);
        self.namespaces.extend(overlay.namespaces);
        self.workloads.extend(overlay.workloads);
        self.secrets.extend(overlay.secrets);
        self.configmaps.extend(overlay.configmaps);
        self.services.extend(overlay.services);
        if overlay.velero.is_some() {
            self.velero = overlay.velero;
        }
        self.disruption_budgets.extend(overlay.disruption_budgets);
        self.external_secrets.extend(overlay.external_secrets);
        self.credential_checks.extend(overlay.credential_checks);
        self.timeline.extend(overlay.timeline);
        self.platform = self.platform.merged_with(overlay.platform);
        self.extends = None;
        self
    }
}

fn invalid(file: &str, line: u64, column: u64, message: String) -> ScenarioError {
    ScenarioError::Invalid {
        file: file.to_string(),
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_scenarios_load() -> Result<(), ScenarioError> {
        for (name, _) in BUILTIN {
            let s = Scenario::load(name)?;
            assert!(!s.nodes.is_empty(), "{name} has nodes");
        }
        let nf = Scenario::load("node-failure")?;
        assert!(!nf.timeline.is_empty());
        Ok(())
    }

    #[test]
    fn bad_files_say_where_and_what() {
        let err = Scenario::parse(
            "x.yaml",
            "name: x\nnodes:\n  - prefix: a\n    count: many\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.starts_with("x.yaml:4:"), "{err}");
        let err = Scenario::parse("x.yaml", "name: x\nbogus: 1\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("x.yaml:2:"), "{err}");
        let err = Scenario::parse(
            "x.yaml",
            "name: x\ntimeline:\n  - at: soon\n    node_not_ready: a\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("x.yaml:3:") && err.contains("not a duration"),
            "{err}"
        );
        let err = Scenario::parse(
            "x.yaml",
            "name: x\nplatform:\n  topics:\n    - {name: t, partitions: 1, produce_per_second: 1}\n  consumer_groups:\n    - {name: g, topics: [missing-topic]}\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.starts_with("x.yaml:6:") && err.contains("missing-topic"),
            "{err}"
        );
        let err = Scenario::parse(
            "x.yaml",
            "name: x\ntimeline:\n  - at: 5s\n    minio_drive_offline: {server: 9, drive: 0}\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("x.yaml:4:") && err.contains("no MinIO drive 9/0"),
            "{err}"
        );
        assert!(matches!(
            Scenario::load("no-such-scenario"),
            Err(ScenarioError::Unknown(_))
        ));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").map(|d| d.as_secs()), Some(90));
        assert_eq!(parse_duration("1h30m").map(|d| d.as_secs()), Some(5400));
        assert_eq!(parse_duration("40d").map(|d| d.as_secs()), Some(40 * 86400));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("x"), None);
    }
}
