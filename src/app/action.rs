//! The cockpit's one vocabulary of user intents. The keymap, the `:` command line, the
//! help screen and tests all speak it, so a key, a command and a test step that mean the
//! same thing are the same value. Owns names and descriptions; not what actions do.

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Open the selected row (node → its pods; pod → describe).
    Enter,
    Describe,
    Yaml,
    Logs,
    Help,
    CommandLine,
    Filter,
    Overview,
    Pods,
    Nodes,
    Contexts,
    /// Scope to one namespace, or all of them with `None`.
    Namespace(Option<String>),
    Favourite(u8),
    /// Sort the table by the given column (again: reverse).
    SortBy(String),
    SwitchContext(String),
    /// Logs view toggles.
    LogsFollow,
    LogsWrap,
    LogsTimestamps,
    LogsPrevious,
    LogsNextContainer,
    /// Platform views.
    Minio,
    Trino,
    Kafka,
    Velero,
    Alerts,
    Silences,
    /// Pane actions (each opens the confirmation dialog; nothing changes before it).
    Delete,
    Restart,
    Scale,
    Cordon,
    Uncordon,
    Drain,
    KillQuery,
    Silence,
    BackupNow,
    Restore,
    /// Tab: the next table of a view with several (Velero, runbooks).
    SwitchTable,
    /// Runbooks: the list, one runbook, the alert's runbook, run/resume, clean up.
    Runbooks,
    ShowRunbook(String),
    OpenRunbook,
    Run,
    Cleanup,
    /// The run view: operator note, abort, report, answer the pending question.
    Notes,
    Abort,
    Report,
}

/// The named, bindable actions with their help text (parameterised ones excluded).
pub const BINDABLE: &[(&str, &str)] = &[
    ("quit", "quit lakedeck"),
    ("back", "close the view / clear the filter"),
    ("up", "move up"),
    ("down", "move down"),
    ("page-up", "page up"),
    ("page-down", "page down"),
    ("top", "go to the first row"),
    ("bottom", "go to the last row"),
    ("enter", "open: node → its pods, pod → describe"),
    ("describe", "describe the selected object"),
    ("yaml", "show the selected object's YAML"),
    ("logs", "show the selected pod's logs"),
    ("help", "show this help"),
    (
        "command",
        "command line (:pods, :alerts, :ns <name>… — see Commands below)",
    ),
    (
        "filter",
        "filter rows (/text, /!text inverts, -l k=v selects labels)",
    ),
    ("overview", "overview screen"),
    ("pods", "pods view"),
    ("nodes", "nodes view"),
    (
        "minio",
        "MinIO view: capacity, drives, buckets (:minio, :s3)",
    ),
    ("trino", "Trino view: coordinator, queue, queries (:trino)"),
    (
        "kafka",
        "Kafka view: consumer lag and drain ETA (:kafka, :lag)",
    ),
    (
        "velero",
        "Velero view: schedules, RPO, backups (:velero, :backups)",
    ),
    (
        "alerts",
        "alerts view; enter jumps to the pane an alert concerns",
    ),
    ("silences", "Alertmanager silences"),
    (
        "runbooks",
        "runbooks and interrupted runs (:runbooks, :runbook <name>)",
    ),
    (
        "delete",
        "pods: delete the pod · silences: expire the silence",
    ),
    (
        "restart",
        "pods: rollout-restart the pod's deployment/statefulset",
    ),
    ("scale", "pods: scale the pod's deployment/statefulset"),
    ("cordon", "nodes: cordon the node"),
    ("uncordon", "nodes: uncordon the node"),
    (
        "drain",
        "nodes: drain the node (cordon + evict, PDBs honoured)",
    ),
    ("kill", "trino: kill the selected query"),
    (
        "silence",
        "alerts: silence the selected alert (duration, comment)",
    ),
    ("backup", "velero schedules: back up now"),
    ("restore", "velero backups: restore (namespace mapping)"),
    (
        "switch-table",
        "velero, runbooks: switch between the tables",
    ),
    ("runbook", "alerts: open the selected alert's runbook"),
    (
        "run",
        "runbooks: run the runbook / resume the interrupted run",
    ),
    (
        "cleanup",
        "runbooks: clean up an interrupted run (finally steps)",
    ),
    ("notes", "run: write an operator note"),
    ("abort", "run: abort (finally steps still run)"),
    ("report", "run: show the report"),
    ("follow", "logs: follow / pause"),
    ("wrap", "logs: wrap long lines"),
    ("timestamps", "logs: show timestamps"),
    ("previous", "logs: previous container instance"),
    ("container", "logs: next container"),
    ("sort-name", "sort by name (again: reverse)"),
    ("sort-age", "sort by age"),
    ("sort-status", "sort by status"),
    ("sort-restarts", "sort by restarts"),
    ("sort-node", "sort by node"),
];

impl Action {
    /// The bindable action with this name.
    pub fn from_name(name: &str) -> Option<Action> {
        Some(match name {
            "quit" => Action::Quit,
            "back" => Action::Back,
            "up" => Action::Up,
            "down" => Action::Down,
            "page-up" => Action::PageUp,
            "page-down" => Action::PageDown,
            "top" => Action::Top,
            "bottom" => Action::Bottom,
            "enter" => Action::Enter,
            "describe" => Action::Describe,
            "yaml" => Action::Yaml,
            "logs" => Action::Logs,
            "help" => Action::Help,
            "command" => Action::CommandLine,
            "filter" => Action::Filter,
            "overview" => Action::Overview,
            "pods" => Action::Pods,
            "nodes" => Action::Nodes,
            "minio" => Action::Minio,
            "trino" => Action::Trino,
            "kafka" => Action::Kafka,
            "velero" => Action::Velero,
            "alerts" => Action::Alerts,
            "silences" => Action::Silences,
            "runbooks" => Action::Runbooks,
            "delete" => Action::Delete,
            "restart" => Action::Restart,
            "scale" => Action::Scale,
            "cordon" => Action::Cordon,
            "uncordon" => Action::Uncordon,
            "drain" => Action::Drain,
            "kill" => Action::KillQuery,
            "silence" => Action::Silence,
            "backup" => Action::BackupNow,
            "restore" => Action::Restore,
            "switch-table" => Action::SwitchTable,
            "runbook" => Action::OpenRunbook,
            "run" => Action::Run,
            "cleanup" => Action::Cleanup,
            "notes" => Action::Notes,
            "abort" => Action::Abort,
            "report" => Action::Report,
            "follow" => Action::LogsFollow,
            "wrap" => Action::LogsWrap,
            "timestamps" => Action::LogsTimestamps,
            "previous" => Action::LogsPrevious,
            "container" => Action::LogsNextContainer,
            sort if sort.starts_with("sort-") => {
                Action::SortBy(sort.trim_start_matches("sort-").to_string())
            }
            _ => return None,
        })
    }

    /// Parses a `:` command line (k9s-style aliases) into an action.
    pub fn from_command(line: &str) -> Result<Action, String> {
        let mut words = line.split_whitespace();
        let Some(head) = words.next() else {
            return Err("empty command".into());
        };
        let arg = words.next();
        Ok(match (head, arg) {
            ("q" | "q!" | "quit" | "exit", _) => Action::Quit,
            ("po" | "pod" | "pods", None) => Action::Pods,
            // `:pods <ns>` scopes to a namespace, like `:ns <ns>` from the pods view.
            ("po" | "pod" | "pods", Some(ns)) => Action::Namespace(scope(ns)),
            ("no" | "node" | "nodes", _) => Action::Nodes,
            ("overview" | "home" | "o", _) => Action::Overview,
            ("ns" | "namespace", Some(ns)) => Action::Namespace(scope(ns)),
            ("ns" | "namespace", None) => return Err("usage: :ns <namespace> (or :ns all)".into()),
            ("ctx" | "context" | "contexts", None) => Action::Contexts,
            ("ctx" | "context" | "contexts", Some(name)) => Action::SwitchContext(name.to_string()),
            ("help" | "h" | "?", _) => Action::Help,
            ("minio" | "s3", _) => Action::Minio,
            ("trino" | "queries", _) => Action::Trino,
            ("kafka" | "lag", _) => Action::Kafka,
            ("velero" | "backups" | "backup", _) => Action::Velero,
            ("alerts" | "alert", _) => Action::Alerts,
            ("silences" | "silence", _) => Action::Silences,
            ("runbooks" | "rb", _) | ("runbook", None) => Action::Runbooks,
            ("runbook", Some(name)) => Action::ShowRunbook(name.to_string()),
            (other, _) => {
                return Err(format!(
                    "unknown command :{other} — try :pods, :nodes, :minio, :trino, :kafka, :velero, :alerts, :runbooks, :ns <name>, :ctx, :q (press ? for help)"
                ));
            }
        })
    }
}

fn scope(ns: &str) -> Option<String> {
    match ns {
        "all" | "-A" | "*" => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_use_k9s_aliases() {
        assert_eq!(Action::from_command("po"), Ok(Action::Pods));
        assert_eq!(Action::from_command("pods"), Ok(Action::Pods));
        assert_eq!(Action::from_command("no"), Ok(Action::Nodes));
        assert_eq!(
            Action::from_command("ns trino"),
            Ok(Action::Namespace(Some("trino".into())))
        );
        assert_eq!(Action::from_command("ns all"), Ok(Action::Namespace(None)));
        assert_eq!(Action::from_command("ctx"), Ok(Action::Contexts));
        assert_eq!(
            Action::from_command("ctx prod"),
            Ok(Action::SwitchContext("prod".into()))
        );
        assert_eq!(Action::from_command("q"), Ok(Action::Quit));
        assert_eq!(Action::from_command("s3"), Ok(Action::Minio));
        assert_eq!(Action::from_command("minio"), Ok(Action::Minio));
        assert_eq!(Action::from_command("trino"), Ok(Action::Trino));
        assert_eq!(Action::from_command("lag"), Ok(Action::Kafka));
        assert_eq!(Action::from_command("kafka"), Ok(Action::Kafka));
        assert_eq!(Action::from_command("backups"), Ok(Action::Velero));
        assert_eq!(Action::from_command("velero"), Ok(Action::Velero));
        assert_eq!(Action::from_command("alerts"), Ok(Action::Alerts));
        assert_eq!(Action::from_command("silences"), Ok(Action::Silences));
        assert_eq!(Action::from_command("runbooks"), Ok(Action::Runbooks));
        assert_eq!(
            Action::from_command("runbook trino-scale-up"),
            Ok(Action::ShowRunbook("trino-scale-up".into()))
        );
        assert!(Action::from_command("bogus").is_err_and(|e| e.contains(":bogus")));
        assert!(Action::from_command("").is_err());
    }

    #[test]
    fn every_bindable_name_parses() {
        for (name, _) in BINDABLE {
            assert!(Action::from_name(name).is_some(), "{name}");
        }
    }
}
