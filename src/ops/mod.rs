//! PLACEHOLDER on branch `tui`: the types of the shared issue-5 contract (ops/ API) that
//! the cockpit's app layer speaks, so the TUI can be built before the real ops module
//! lands. The real `src/ops/` on main replaces this file on merge; nothing here talks to
//! a cluster.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceMatcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    pub is_equal: bool,
}

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
    Drain {
        node: String,
    },
    BackupFromSchedule {
        velero_namespace: String,
        schedule: String,
    },
    Restore {
        velero_namespace: String,
        backup: String,
        namespace_mapping: BTreeMap<String, String>,
        drill_run: Option<String>,
    },
    DeleteDrillNamespace {
        namespace: String,
    },
    RotateSecret {
        namespace: String,
        name: String,
    },
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
        duration: jiff::SignedDuration,
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

impl Op {
    pub fn summary(&self) -> String {
        format!("{self:?}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    YesNo,
    TypeName(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permission {
    Allowed,
    ReadOnly(String),
    Forbidden(String),
}
