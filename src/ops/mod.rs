//! PLACEHOLDER for the lead's ops/ (issue 5 contract), so runbook/ compiles before the
//! real module lands on main. It has the contract's types and signatures and refuses
//! every call; when main's `src/ops/` is merged, main's version replaces this file.
//!
//! Must not be extended here: every write to a cluster belongs to the real ops/.

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

    pub fn target(&self) -> String {
        format!("{self:?}")
    }

    pub fn summary(&self) -> String {
        format!("{} {}", self.name(), self.target())
    }

    pub fn confirmation(&self) -> Confirmation {
        Confirmation::YesNo
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

#[derive(Debug, Clone)]
pub struct Preview {
    pub lines: Vec<String>,
    pub confirmation: Confirmation,
}

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub summary: String,
    pub outputs: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum OpError {
    #[error("{0}")]
    ReadOnly(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Api(String),
}

pub struct Ops {
    pub readonly: bool,
    pub context: String,
    pub identity: String,
}

impl Ops {
    pub async fn check(&self, _op: &Op) -> Permission {
        Permission::Forbidden("ops/ has not landed yet".into())
    }

    pub async fn preview(&self, _op: &Op) -> Result<Preview, OpError> {
        Err(OpError::Api("ops/ has not landed yet".into()))
    }

    pub async fn execute(&self, _op: &Op, _run: Option<&str>) -> Result<Outcome, OpError> {
        Err(OpError::Api("ops/ has not landed yet".into()))
    }
}
