//! A checked step: its id, optional title/when/for_each, and exactly one kind. Maps
//! the file's "one key per kind" form onto an enum and lists the step's templates for
//! the load-time check.
//!
//! Pure data; executing a step is `exec.rs`'s job.

use super::schema::{
    BackupArgs, Condition, FindBackupArgs, FindConsumersArgs, IdArgs, KillArgs, NamespaceArgs,
    NodeArgs, ObjectArgs, RestoreArgs, RestoreSecretArgs, SilenceArgs, StepFile, Text,
    WorkloadArgs, WorkloadRef,
};

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub title: Option<Text>,
    pub when: Option<Text>,
    pub for_each: Option<Text>,
    pub optional: bool,
    pub kind: StepKind,
}

#[derive(Debug, Clone)]
pub enum StepKind {
    Note(Text),
    Confirm(Text),
    Check(Condition),
    Wait(Condition),
    Op(OpStep),
    Query(QueryStep),
}

#[derive(Debug, Clone)]
pub enum OpStep {
    Scale(WorkloadArgs),
    RolloutRestart(WorkloadArgs),
    DeletePod(ObjectArgs),
    Cordon(NodeArgs),
    Uncordon(NodeArgs),
    Drain(NodeArgs),
    Backup(BackupArgs),
    Restore(RestoreArgs),
    DeleteDrillNamespace(NamespaceArgs),
    RotateSecret(ObjectArgs),
    RestoreSecret(RestoreSecretArgs),
    ForceSync(ObjectArgs),
    Silence(SilenceArgs),
    ExpireSilence(IdArgs),
    KillQuery(KillArgs),
}

#[derive(Debug, Clone)]
pub enum QueryStep {
    ReadReplicas(WorkloadRef),
    FindLatestBackup(FindBackupArgs),
    FindConsumers(FindConsumersArgs),
}

/// Every step kind a file may use, as written.
pub const KINDS: &[&str] = &[
    "note",
    "confirm",
    "check",
    "wait",
    "scale",
    "rollout-restart",
    "delete-pod",
    "cordon",
    "uncordon",
    "drain",
    "backup",
    "restore",
    "delete-drill-namespace",
    "rotate-secret",
    "restore-secret",
    "force-sync",
    "silence",
    "expire-silence",
    "kill-query",
    "read-replicas",
    "find-latest-backup",
    "find-consumers",
];

impl Step {
    pub fn from_file(s: &StepFile) -> Result<Step, String> {
        let mut found: Vec<(&str, StepKind)> = Vec::new();
        let mut add = |name: &'static str, kind: Option<StepKind>| {
            if let Some(k) = kind {
                found.push((name, k));
            }
        };
        add("note", s.note.clone().map(StepKind::Note));
        add("confirm", s.confirm.clone().map(StepKind::Confirm));
        add("check", s.check.clone().map(StepKind::Check));
        add("wait", s.wait.clone().map(StepKind::Wait));
        let op = |o: OpStep| StepKind::Op(o);
        add("scale", s.scale.clone().map(OpStep::Scale).map(op));
        add(
            "rollout-restart",
            s.rollout_restart
                .clone()
                .map(OpStep::RolloutRestart)
                .map(op),
        );
        add(
            "delete-pod",
            s.delete_pod.clone().map(OpStep::DeletePod).map(op),
        );
        add("cordon", s.cordon.clone().map(OpStep::Cordon).map(op));
        add("uncordon", s.uncordon.clone().map(OpStep::Uncordon).map(op));
        add("drain", s.drain.clone().map(OpStep::Drain).map(op));
        add("backup", s.backup.clone().map(OpStep::Backup).map(op));
        add("restore", s.restore.clone().map(OpStep::Restore).map(op));
        add(
            "delete-drill-namespace",
            s.delete_drill_namespace
                .clone()
                .map(OpStep::DeleteDrillNamespace)
                .map(op),
        );
        add(
            "rotate-secret",
            s.rotate_secret.clone().map(OpStep::RotateSecret).map(op),
        );
        add(
            "restore-secret",
            s.restore_secret.clone().map(OpStep::RestoreSecret).map(op),
        );
        add(
            "force-sync",
            s.force_sync.clone().map(OpStep::ForceSync).map(op),
        );
        add("silence", s.silence.clone().map(OpStep::Silence).map(op));
        add(
            "expire-silence",
            s.expire_silence.clone().map(OpStep::ExpireSilence).map(op),
        );
        add(
            "kill-query",
            s.kill_query.clone().map(OpStep::KillQuery).map(op),
        );
        let q = |q: QueryStep| StepKind::Query(q);
        add(
            "read-replicas",
            s.read_replicas.clone().map(QueryStep::ReadReplicas).map(q),
        );
        add(
            "find-latest-backup",
            s.find_latest_backup
                .clone()
                .map(QueryStep::FindLatestBackup)
                .map(q),
        );
        add(
            "find-consumers",
            s.find_consumers
                .clone()
                .map(QueryStep::FindConsumers)
                .map(q),
        );
        if found.len() > 1 {
            let names: Vec<&str> = found.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "has several kinds ({}); a step does one thing",
                names.join(", ")
            ));
        }
        let Some((_, kind)) = found.pop() else {
            return Err(format!(
                "says nothing to do; give one of: {}",
                KINDS.join(", ")
            ));
        };
        if let StepKind::Check(c) | StepKind::Wait(c) = &kind {
            let sources = [
                c.promql.is_some(),
                c.kube.is_some(),
                c.drill.is_some(),
                c.value.is_some(),
            ];
            if sources.iter().filter(|b| **b).count() != 1 {
                return Err(
                    "a check or wait needs exactly one of promql, kube, drill, value".into(),
                );
            }
            if c.expect.is_none() && c.drill.is_none() && !c.kube.as_ref().is_some_and(|k| k.ready)
            {
                return Err(
                    "a check or wait needs `expect` (e.g. \"> 10\", \"== Completed\")".into(),
                );
            }
        }
        Ok(Step {
            id: s.id.value.clone(),
            title: s.title.clone(),
            when: s.when.clone(),
            for_each: s.for_each.clone(),
            optional: s.optional,
            kind,
        })
    }

    /// The kind as written in the file (`scale`, `wait`, …).
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            StepKind::Note(_) => "note",
            StepKind::Confirm(_) => "confirm",
            StepKind::Check(_) => "check",
            StepKind::Wait(_) => "wait",
            StepKind::Op(o) => match o {
                OpStep::Scale(_) => "scale",
                OpStep::RolloutRestart(_) => "rollout-restart",
                OpStep::DeletePod(_) => "delete-pod",
                OpStep::Cordon(_) => "cordon",
                OpStep::Uncordon(_) => "uncordon",
                OpStep::Drain(_) => "drain",
                OpStep::Backup(_) => "backup",
                OpStep::Restore(_) => "restore",
                OpStep::DeleteDrillNamespace(_) => "delete-drill-namespace",
                OpStep::RotateSecret(_) => "rotate-secret",
                OpStep::RestoreSecret(_) => "restore-secret",
                OpStep::ForceSync(_) => "force-sync",
                OpStep::Silence(_) => "silence",
                OpStep::ExpireSilence(_) => "expire-silence",
                OpStep::KillQuery(_) => "kill-query",
            },
            StepKind::Query(q) => match q {
                QueryStep::ReadReplicas(_) => "read-replicas",
                QueryStep::FindLatestBackup(_) => "find-latest-backup",
                QueryStep::FindConsumers(_) => "find-consumers",
            },
        }
    }

    /// Every template of the step, with whether it is a bare expression.
    pub fn texts(&self) -> Vec<(&Text, bool)> {
        let mut templates: Vec<&Text> = Vec::new();
        if let Some(x) = &self.title {
            templates.push(x);
        }
        match &self.kind {
            StepKind::Note(x) | StepKind::Confirm(x) => templates.push(x),
            StepKind::Check(c) | StepKind::Wait(c) => {
                templates.extend(c.promql.iter());
                templates.extend(c.value.iter());
                templates.extend(c.matching.values());
                templates.extend(c.expect.iter());
                templates.extend(c.timeout.iter());
                templates.extend(c.interval.iter());
                if let Some(k) = &c.kube {
                    templates.push(&k.kind);
                    templates.extend(
                        [
                            &k.namespace,
                            &k.name,
                            &k.selector,
                            &k.field_selector,
                            &k.field,
                        ]
                        .into_iter()
                        .flatten(),
                    );
                }
                if let Some(d) = &c.drill {
                    templates.push(&d.velero_namespace);
                    templates.push(&d.restore);
                    templates.extend(d.backup_completed.iter());
                    templates.extend(d.target_rto.iter());
                }
            }
            StepKind::Op(o) => match o {
                OpStep::Scale(w) | OpStep::RolloutRestart(w) => {
                    templates.extend([&w.kind, &w.namespace, &w.name]);
                    templates.extend(w.replicas.iter());
                }
                OpStep::DeletePod(a) | OpStep::RotateSecret(a) | OpStep::ForceSync(a) => {
                    templates.extend([&a.namespace, &a.name]);
                }
                OpStep::Cordon(n) | OpStep::Uncordon(n) | OpStep::Drain(n) => {
                    templates.push(&n.node)
                }
                OpStep::Backup(b) => templates.extend([&b.velero_namespace, &b.schedule]),
                OpStep::Restore(r) => {
                    templates.extend([&r.velero_namespace, &r.backup, &r.namespaces])
                }
                OpStep::DeleteDrillNamespace(n) => templates.push(&n.namespace),
                OpStep::RestoreSecret(r) => templates.extend([&r.namespace, &r.name, &r.from]),
                OpStep::Silence(s) => {
                    templates.extend(s.matchers.iter());
                    templates.extend([&s.duration, &s.comment]);
                }
                OpStep::ExpireSilence(i) => templates.push(&i.id),
                OpStep::KillQuery(k) => templates.extend([&k.query_id, &k.reason]),
            },
            StepKind::Query(q) => match q {
                QueryStep::ReadReplicas(w) => templates.extend([&w.kind, &w.namespace, &w.name]),
                QueryStep::FindLatestBackup(b) => {
                    templates.extend([&b.velero_namespace, &b.schedule])
                }
                QueryStep::FindConsumers(c) => templates.extend([&c.namespace, &c.secret]),
            },
        }
        let mut out: Vec<(&Text, bool)> = templates.into_iter().map(|x| (x, false)).collect();
        out.extend(self.when.iter().map(|x| (x, true)));
        out.extend(self.for_each.iter().map(|x| (x, true)));
        out
    }
}
