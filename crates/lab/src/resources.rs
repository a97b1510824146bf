//! The lab's resource registry: every kind the simulated API server serves, with its
//! group/version, plural, short names, scope, verbs and subresources. Discovery, routing,
//! Table printing and the store all look kinds up here, so adding a kind is one entry.
//! Must not hold objects or do I/O.

/// One served resource type (a row of `kubectl api-resources`).
#[derive(Debug)]
pub struct Resource {
    /// "" for the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub verbs: &'static [&'static str],
    pub subresources: &'static [&'static str],
    /// Field names a `fieldSelector` may use on this kind (besides none at all).
    pub field_labels: &'static [&'static str],
    /// Served only as a virtual resource (metrics, reviews): not stored, not watchable.
    pub virtual_kind: bool,
}

impl Resource {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The `group/plural` name used in RBAC and error messages (`pods`, `deployments.apps`).
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    pub fn is_watchable(&self) -> bool {
        self.verbs.contains(&"watch")
    }
}

pub const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const READ_VERBS: &[&str] = &["get", "list"];
const META_FIELDS: &[&str] = &["metadata.name", "metadata.namespace"];
const POD_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "status.phase",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "status.podIP",
];
const EVENT_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
];

macro_rules! res {
    ($group:expr, $version:expr, $plural:expr, $singular:expr, $kind:expr, $ns:expr,
     $short:expr, $verbs:expr, $sub:expr, $fields:expr, $virt:expr) => {
        Resource {
            group: $group,
            version: $version,
            plural: $plural,
            singular: $singular,
            kind: $kind,
            namespaced: $ns,
            short_names: $short,
            verbs: $verbs,
            subresources: $sub,
            field_labels: $fields,
            virtual_kind: $virt,
        }
    };
}

/// Every kind the lab serves. Indices into this table are the store's resource ids.
pub static RESOURCES: &[Resource] = &[
    res!(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        false,
        &["ns"],
        ALL_VERBS,
        &["status"],
        &["metadata.name", "status.phase"],
        false
    ),
    res!(
        "",
        "v1",
        "nodes",
        "node",
        "Node",
        false,
        &["no"],
        ALL_VERBS,
        &["status"],
        &["metadata.name", "spec.unschedulable"],
        false
    ),
    res!(
        "",
        "v1",
        "pods",
        "pod",
        "Pod",
        true,
        &["po"],
        ALL_VERBS,
        &["log", "status", "eviction"],
        POD_FIELDS,
        false
    ),
    res!(
        "",
        "v1",
        "services",
        "service",
        "Service",
        true,
        &["svc"],
        ALL_VERBS,
        &["status"],
        META_FIELDS,
        false
    ),
    res!(
        "",
        "v1",
        "secrets",
        "secret",
        "Secret",
        true,
        &[],
        ALL_VERBS,
        &[],
        &["metadata.name", "metadata.namespace", "type"],
        false
    ),
    res!(
        "",
        "v1",
        "configmaps",
        "configmap",
        "ConfigMap",
        true,
        &["cm"],
        ALL_VERBS,
        &[],
        META_FIELDS,
        false
    ),
    res!(
        "",
        "v1",
        "events",
        "event",
        "Event",
        true,
        &["ev"],
        ALL_VERBS,
        &[],
        EVENT_FIELDS,
        false
    ),
    res!(
        "",
        "v1",
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        true,
        &["sa"],
        ALL_VERBS,
        &[],
        META_FIELDS,
        false
    ),
    res!(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        true,
        &["deploy"],
        ALL_VERBS,
        &["scale", "status"],
        META_FIELDS,
        false
    ),
    res!(
        "apps",
        "v1",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        true,
        &["sts"],
        ALL_VERBS,
        &["scale", "status"],
        META_FIELDS,
        false
    ),
    res!(
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        true,
        &["ds"],
        ALL_VERBS,
        &["status"],
        META_FIELDS,
        false
    ),
    res!(
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        true,
        &["rs"],
        ALL_VERBS,
        &["scale", "status"],
        META_FIELDS,
        false
    ),
    res!(
        "batch",
        "v1",
        "jobs",
        "job",
        "Job",
        true,
        &[],
        ALL_VERBS,
        &["status"],
        &["metadata.name", "metadata.namespace", "status.successful"],
        false
    ),
    res!(
        "batch",
        "v1",
        "cronjobs",
        "cronjob",
        "CronJob",
        true,
        &["cj"],
        ALL_VERBS,
        &["status"],
        META_FIELDS,
        false
    ),
    res!(
        "velero.io",
        "v1",
        "backups",
        "backup",
        "Backup",
        true,
        &[],
        ALL_VERBS,
        &[],
        META_FIELDS,
        false
    ),
    res!(
        "velero.io",
        "v1",
        "restores",
        "restore",
        "Restore",
        true,
        &[],
        ALL_VERBS,
        &[],
        META_FIELDS,
        false
    ),
    res!(
        "velero.io",
        "v1",
        "schedules",
        "schedule",
        "Schedule",
        true,
        &[],
        ALL_VERBS,
        &[],
        META_FIELDS,
        false
    ),
    res!(
        "velero.io",
        "v1",
        "backupstoragelocations",
        "backupstoragelocation",
        "BackupStorageLocation",
        true,
        &["bsl"],
        ALL_VERBS,
        &[],
        META_FIELDS,
        false
    ),
    res!(
        "velero.io",
        "v1",
        "deletebackuprequests",
        "deletebackuprequest",
        "DeleteBackupRequest",
        true,
        &[],
        ALL_VERBS,
        &[],
        META_FIELDS,
        false
    ),
    res!(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        "PodDisruptionBudget",
        true,
        &["pdb"],
        ALL_VERBS,
        &["status"],
        META_FIELDS,
        false
    ),
    res!(
        "external-secrets.io",
        "v1",
        "externalsecrets",
        "externalsecret",
        "ExternalSecret",
        true,
        &["es"],
        ALL_VERBS,
        &["status"],
        META_FIELDS,
        false
    ),
    // A second view of the core Events, converted both ways (server/events_api.rs);
    // nothing is stored under this id.
    res!(
        "events.k8s.io",
        "v1",
        "events",
        "event",
        "Event",
        true,
        &["ev"],
        ALL_VERBS,
        &[],
        &[
            "metadata.name",
            "metadata.namespace",
            "regarding.kind",
            "regarding.namespace",
            "regarding.name",
            "regarding.uid",
            "reason",
            "reportingController",
            "type",
        ],
        false
    ),
    res!(
        "metrics.k8s.io",
        "v1beta1",
        "nodes",
        "",
        "NodeMetrics",
        false,
        &[],
        READ_VERBS,
        &[],
        &["metadata.name"],
        true
    ),
    res!(
        "metrics.k8s.io",
        "v1beta1",
        "pods",
        "",
        "PodMetrics",
        true,
        &[],
        READ_VERBS,
        &[],
        META_FIELDS,
        true
    ),
    res!(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "",
        "SelfSubjectAccessReview",
        false,
        &[],
        &["create"],
        &[],
        &[],
        true
    ),
    res!(
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "",
        "SelfSubjectRulesReview",
        false,
        &[],
        &["create"],
        &[],
        &[],
        true
    ),
    res!(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "",
        "SelfSubjectReview",
        false,
        &[],
        &["create"],
        &[],
        &[],
        true
    ),
];

/// Index of a resource in [`RESOURCES`]; the store is keyed by it.
pub type ResId = usize;

pub fn find(group: &str, version: &str, plural: &str) -> Option<ResId> {
    RESOURCES
        .iter()
        .position(|r| r.group == group && r.version == version && r.plural == plural)
}

/// Looks a kind up by its `Kind` name within a group (used for owner references and seeds).
pub fn by_kind(group: &str, kind: &str) -> Option<ResId> {
    RESOURCES
        .iter()
        .position(|r| r.group == group && r.kind == kind && !r.virtual_kind)
}

pub fn get(id: ResId) -> &'static Resource {
    // Ids only ever come from `find`/`by_kind`, so they are in range; fall back to the
    // first entry rather than panic if that invariant is ever broken.
    RESOURCES.get(id).unwrap_or(&RESOURCES[0])
}

/// The API groups in discovery order, each with its one served version.
pub fn groups() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for r in RESOURCES.iter().filter(|r| !r.group.is_empty()) {
        if !out.iter().any(|(g, _)| *g == r.group) {
            out.push((r.group, r.version));
        }
    }
    out
}

/// Ids of the well-known kinds the simulation touches directly.
pub mod ids {
    use super::{ResId, by_kind};

    /// The stored kind named `kind` in any group (kinds are unique across the lab's groups).
    pub fn by_name(kind: &str) -> ResId {
        super::RESOURCES
            .iter()
            .position(|r| r.kind == kind && !r.virtual_kind)
            .unwrap_or(0)
    }
    pub fn namespaces() -> ResId {
        by_kind("", "Namespace").unwrap_or(0)
    }
    pub fn nodes() -> ResId {
        by_kind("", "Node").unwrap_or(0)
    }
    pub fn pods() -> ResId {
        by_kind("", "Pod").unwrap_or(0)
    }
    pub fn events() -> ResId {
        by_kind("", "Event").unwrap_or(0)
    }
    pub fn deployments() -> ResId {
        by_kind("apps", "Deployment").unwrap_or(0)
    }
    pub fn statefulsets() -> ResId {
        by_kind("apps", "StatefulSet").unwrap_or(0)
    }
    pub fn daemonsets() -> ResId {
        by_kind("apps", "DaemonSet").unwrap_or(0)
    }
    pub fn replicasets() -> ResId {
        by_kind("apps", "ReplicaSet").unwrap_or(0)
    }
    pub fn jobs() -> ResId {
        by_kind("batch", "Job").unwrap_or(0)
    }
    pub fn backups() -> ResId {
        by_kind("velero.io", "Backup").unwrap_or(0)
    }
    pub fn restores() -> ResId {
        by_kind("velero.io", "Restore").unwrap_or(0)
    }
    pub fn delete_backup_requests() -> ResId {
        by_kind("velero.io", "DeleteBackupRequest").unwrap_or(0)
    }
    pub fn secrets() -> ResId {
        by_kind("", "Secret").unwrap_or(0)
    }
    pub fn pdbs() -> ResId {
        by_kind("policy", "PodDisruptionBudget").unwrap_or(0)
    }
    pub fn external_secrets() -> ResId {
        by_kind("external-secrets.io", "ExternalSecret").unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_are_unique_per_group_version() {
        for (i, a) in RESOURCES.iter().enumerate() {
            for b in RESOURCES.iter().skip(i + 1) {
                assert!(
                    !(a.group == b.group && a.version == b.version && a.plural == b.plural),
                    "duplicate {}",
                    a.plural
                );
            }
        }
    }

    #[test]
    fn short_names_match_kubernetes() {
        let short = |p: &str, g: &str| {
            RESOURCES
                .iter()
                .find(|r| r.plural == p && r.group == g)
                .map(|r| r.short_names.to_vec())
        };
        assert_eq!(short("pods", ""), Some(vec!["po"]));
        assert_eq!(short("deployments", "apps"), Some(vec!["deploy"]));
        assert_eq!(short("statefulsets", "apps"), Some(vec!["sts"]));
        assert_eq!(short("namespaces", ""), Some(vec!["ns"]));
        assert_eq!(short("nodes", ""), Some(vec!["no"]));
    }
}
