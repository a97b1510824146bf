//! Every write lakedeck can make, against the lab over real HTTP, through the same gate
//! the cockpit and runbooks use (`ops::Ops` from a headless `Session` configured by the
//! lab's written kubeconfig and lakedeck.yaml): a dry run changes nothing, read-only
//! mode refuses before any call, the viewer is refused by RBAC before the call (a
//! SelfSubjectAccessReview), real runs do what the preview said, and each leaves its
//! audit records.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::LabProcess;
use jiff::SignedDuration;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Secret};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use lakedeck::audit::{AuditLog, Phase};
use lakedeck::ops::{Confirmation, Op, OpError, Permission, SilenceMatcher, WorkloadKind};
use lakedeck::session::{Session, SessionOptions};

async fn session(
    lab: &LabProcess,
    context: &str,
    readonly: bool,
    data: &std::path::Path,
) -> Session {
    let options = SessionOptions {
        kubeconfig: Some(lab.kubeconfig.clone()),
        context: Some(context.into()),
        config: Some(lab.kubeconfig.parent().unwrap().join("lakedeck.yaml")),
        readonly,
        data_dir: Some(data.to_path_buf()),
        flags: Default::default(),
    };
    Session::open(&options)
        .await
        .unwrap_or_else(|e| panic!("session: {}", e.message))
}

fn velero(client: &kube::Client, kind: &str, plural: &str) -> Api<DynamicObject> {
    let ar =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("velero.io", "v1", kind), plural);
    Api::namespaced_with(client.clone(), "velero", &ar)
}

/// A digest of a Secret's data, so tests compare values without ever printing them.
fn digest(s: &Secret) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (k, v) in s.data.clone().unwrap_or_default() {
        k.hash(&mut h);
        v.0.hash(&mut h);
    }
    h.finish()
}

/// The newest Completed backup of the seed's `nightly` schedule, read from the lab: the
/// lab seeds a week of backups back from its own clock, so the name changes every day.
async fn latest_nightly_backup(client: &kube::Client) -> String {
    let backups = velero(client, "Backup", "backups")
        .list(&ListParams::default().labels("velero.io/schedule-name=nightly"))
        .await
        .unwrap()
        .items;
    backups
        .iter()
        .filter(|b| b.data["status"]["phase"] == "Completed")
        .max_by_key(|b| {
            b.data["status"]["completionTimestamp"]
                .as_str()
                .map(String::from)
        })
        .and_then(|b| b.metadata.name.clone())
        .expect("the seed has a Completed nightly backup")
}

/// The operations the lab's seed can take, one of each kind.
async fn seed_ops(client: &kube::Client) -> Vec<Op> {
    let backup = latest_nightly_backup(client).await;
    vec![
        Op::Scale {
            kind: WorkloadKind::StatefulSet,
            namespace: "trino".into(),
            name: "trino-worker".into(),
            replicas: 5,
        },
        Op::RolloutRestart {
            kind: WorkloadKind::Deployment,
            namespace: "nessie".into(),
            name: "nessie".into(),
        },
        Op::Cordon {
            node: "compute-3".into(),
        },
        Op::BackupFromSchedule {
            velero_namespace: "velero".into(),
            schedule: "nightly".into(),
        },
        Op::Restore {
            velero_namespace: "velero".into(),
            backup,
            namespace_mapping: BTreeMap::from([("nessie".into(), "drill-ops-nessie".into())]),
            drill_run: Some("ops-test".into()),
        },
        Op::RotateSecret {
            namespace: "keycloak".into(),
            name: "keycloak-db".into(),
        },
        Op::CreateSilence {
            matchers: vec![SilenceMatcher {
                name: "alertname".into(),
                value: "KafkaConsumerLagHigh".into(),
                is_regex: false,
                is_equal: true,
            }],
            duration: SignedDuration::from_hours(2),
            comment: "ops test".into(),
        },
        Op::DeletePod {
            namespace: "trino".into(),
            name: "trino-worker-0".into(),
        },
        Op::Drain {
            node: "compute-2".into(),
        },
        Op::ForceSyncExternalSecret {
            namespace: "trino".into(),
            name: "trino-catalog-credentials".into(),
        },
        Op::Uncordon {
            node: "compute-3".into(),
        },
    ]
}

/// Every operation, including those whose dry run needs something a run made first
/// (a silence, a query, a secret copy, a drill namespace): read-only mode and RBAC
/// refuse them all before anything is looked up. Their names are made up, so none of
/// them names a day.
fn all_ops(seed: &[Op]) -> Vec<Op> {
    let mut ops = seed.to_vec();
    ops.extend([
        Op::ExpireSilence { id: "x".into() },
        Op::KillTrinoQuery {
            query_id: "query-that-never-ran".into(),
            reason: "test".into(),
        },
        Op::RestoreSecret {
            namespace: "keycloak".into(),
            name: "keycloak-db".into(),
            from: "keycloak-db-previous-copy".into(),
        },
        Op::DeleteDrillNamespace {
            namespace: "drill-x".into(),
        },
    ]);
    ops
}

/// The confirmation each operation asks for, written out by hand from the README
/// ("confirmed (typing the target's name for destructive or cluster-wide ones: delete
/// pod, drain, rotate/restore a secret, force-sync, kill a query, delete a drill
/// namespace, restore into live namespaces, scale to 0)"), never from `Op::confirmation`.
/// Holds every seed operation, every one of `all_ops`, plus scale to 0 and a restore into
/// the live namespaces.
fn readme_confirmations(seed: &[Op]) -> Vec<(Op, Confirmation)> {
    let typed = |name: &str| Confirmation::TypeName(name.to_string());
    let backup = seed
        .iter()
        .find_map(|op| match op {
            Op::Restore { backup, .. } => Some(backup.clone()),
            _ => None,
        })
        .unwrap();
    let mut table: Vec<(Op, Confirmation)> = seed
        .iter()
        .cloned()
        .zip([
            Confirmation::YesNo,                // scale trino-worker to 5
            Confirmation::YesNo,                // rollout restart nessie
            Confirmation::YesNo,                // cordon compute-3
            Confirmation::YesNo,                // backup from the nightly schedule
            Confirmation::YesNo,                // restore into a drill namespace
            typed("keycloak-db"),               // rotate a secret
            Confirmation::YesNo,                // create a silence
            typed("trino-worker-0"),            // delete a pod
            typed("compute-2"),                 // drain
            typed("trino-catalog-credentials"), // force-sync
            Confirmation::YesNo,                // uncordon compute-3
        ])
        .collect();
    assert_eq!(table.len(), seed.len(), "the table covers the whole seed");
    table.extend([
        (
            Op::Scale {
                kind: WorkloadKind::StatefulSet,
                namespace: "trino".into(),
                name: "trino-worker".into(),
                replicas: 0,
            },
            typed("trino-worker"),
        ),
        (
            Op::Restore {
                velero_namespace: "velero".into(),
                backup: backup.clone(),
                namespace_mapping: BTreeMap::from([("nessie".into(), "nessie".into())]),
                drill_run: None,
            },
            typed(&backup),
        ),
        (Op::ExpireSilence { id: "x".into() }, Confirmation::YesNo),
        (
            Op::KillTrinoQuery {
                query_id: "query-that-never-ran".into(),
                reason: "test".into(),
            },
            typed("query-that-never-ran"),
        ),
        (
            Op::RestoreSecret {
                namespace: "keycloak".into(),
                name: "keycloak-db".into(),
                from: "keycloak-db-previous-copy".into(),
            },
            typed("keycloak-db"),
        ),
        (
            Op::DeleteDrillNamespace {
                namespace: "drill-x".into(),
            },
            typed("drill-x"),
        ),
    ]);
    for op in all_ops(seed) {
        assert!(
            table.iter().any(|(o, _)| *o == op),
            "{} is missing from the table",
            op.summary()
        );
    }
    table
}

/// Whether the gate's dry run works for `op` on a fresh lab (the rest need something a
/// run made first: a silence, a query, a secret copy, a drill namespace).
fn previewable(op: &Op) -> bool {
    !matches!(
        op,
        Op::ExpireSilence { .. }
            | Op::KillTrinoQuery { .. }
            | Op::RestoreSecret { .. }
            | Op::DeleteDrillNamespace { .. }
    )
}

/// What a dry run must leave untouched, read back from the cluster.
#[derive(Debug, PartialEq)]
struct Observed {
    worker_replicas: Option<i32>,
    nessie_restarted: bool,
    compute3_unschedulable: bool,
    backups: usize,
    restores: usize,
    drill_namespace: bool,
    keycloak_db: u64,
    secrets_in_keycloak: usize,
    trino_worker0_uid: Option<String>,
    compute2_unschedulable: bool,
    pods_on_compute2: Vec<String>,
    trino_catalog: u64,
    es_force_sync: bool,
}

async fn observe(client: &kube::Client) -> Observed {
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), "trino");
    let deploys: Api<k8s_openapi::api::apps::v1::Deployment> =
        Api::namespaced(client.clone(), "nessie");
    let nodes: Api<Node> = Api::all(client.clone());
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "keycloak");
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let nessie = deploys.get("nessie").await.unwrap();
    Observed {
        worker_replicas: sts
            .get("trino-worker")
            .await
            .unwrap()
            .spec
            .unwrap()
            .replicas,
        nessie_restarted: nessie
            .spec
            .unwrap()
            .template
            .metadata
            .and_then(|m| m.annotations)
            .is_some_and(|a| a.contains_key(lakedeck::ops::RESTARTED_AT)),
        compute3_unschedulable: nodes
            .get("compute-3")
            .await
            .unwrap()
            .spec
            .unwrap()
            .unschedulable
            .unwrap_or(false),
        backups: velero(client, "Backup", "backups")
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        restores: velero(client, "Restore", "restores")
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        drill_namespace: namespaces
            .get_opt("drill-ops-nessie")
            .await
            .unwrap()
            .is_some(),
        keycloak_db: digest(&secrets.get("keycloak-db").await.unwrap()),
        secrets_in_keycloak: secrets
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        trino_worker0_uid: Api::<Pod>::namespaced(client.clone(), "trino")
            .get("trino-worker-0")
            .await
            .unwrap()
            .metadata
            .uid,
        compute2_unschedulable: nodes
            .get("compute-2")
            .await
            .unwrap()
            .spec
            .unwrap()
            .unschedulable
            .unwrap_or(false),
        pods_on_compute2: pods_on(
            &Api::<Pod>::all(client.clone())
                .list(&ListParams::default())
                .await
                .unwrap()
                .items,
            "compute-2",
        ),
        trino_catalog: digest(
            &Api::<Secret>::namespaced(client.clone(), "trino")
                .get("trino-catalog-credentials")
                .await
                .unwrap(),
        ),
        es_force_sync: Api::<DynamicObject>::namespaced_with(
            client.clone(),
            "trino",
            &ApiResource::from_gvk_with_plural(
                &GroupVersionKind::gvk("external-secrets.io", "v1", "ExternalSecret"),
                "externalsecrets",
            ),
        )
        .get("trino-catalog-credentials")
        .await
        .unwrap()
        .metadata
        .annotations
        .is_some_and(|a| a.contains_key("force-sync")),
    }
}

fn audit(data: &std::path::Path) -> Vec<lakedeck::audit::AuditRecord> {
    let (records, problems) = AuditLog::in_dir(data).read().unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    records
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_runs_change_nothing_readonly_and_viewer_are_refused_before_any_call() {
    dry_runs_and_refusals(&LabProcess::start(&[])).await;
}

/// The same with the lab's clock just past a year's end (whatever today is): last night's
/// backup, the week of backups before it and every timestamp cross into a new month and
/// year, and nothing may depend on the calendar.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_runs_and_refusals_hold_with_the_lab_clock_just_past_new_year() {
    let next_year = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .year()
        + 1;
    let start = jiff::civil::date(next_year, 1, 1)
        .at(1, 30, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp();
    let lab = LabProcess::start(&["--start-time", &start.to_string()]);
    let client = session(
        &lab,
        "lakedeck-lab",
        false,
        tempfile::tempdir().unwrap().path(),
    )
    .await
    .target
    .client;
    // The lab's own clock says where it is, and last night's backup is last year's.
    let backup = latest_nightly_backup(&client).await;
    let last_year = format!("nightly-{}1231", next_year - 1);
    assert!(backup.starts_with(&last_year), "{backup}");
    dry_runs_and_refusals(&lab).await;
}

async fn dry_runs_and_refusals(lab: &LabProcess) {
    let data = tempfile::tempdir().unwrap();
    let admin = session(lab, "lakedeck-lab", false, data.path()).await;
    let client = admin.target.client.clone();
    let before = observe(&client).await;
    let seed = seed_ops(&client).await;

    let table = readme_confirmations(&seed);
    for (op, expected) in table.iter().filter(|(op, _)| previewable(op)) {
        assert_eq!(
            admin.ops.check(op).await,
            Permission::Allowed,
            "{}",
            op.summary()
        );
        let preview = admin
            .ops
            .preview(op)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", op.summary()));
        assert!(!preview.lines.is_empty(), "{}", op.summary());
        assert_eq!(
            &preview.confirmation,
            expected,
            "the confirmation {} asks for",
            op.summary()
        );
    }
    // The operations whose dry run needs a run's leftovers ask the same, before any call.
    for (op, expected) in table.iter().filter(|(op, _)| !previewable(op)) {
        assert_eq!(
            &op.confirmation(),
            expected,
            "the confirmation {} asks for",
            op.summary()
        );
    }
    assert_eq!(
        observe(&client).await,
        before,
        "a dry run changed the cluster"
    );

    // What the previews say, for the ones an operator reads most.
    let scale = admin.ops.preview(&seed[0]).await.unwrap();
    assert_eq!(scale.lines[0], "replicas 3 → 5");
    let rotate = admin.ops.preview(&seed[5]).await.unwrap();
    assert!(rotate.lines[0].starts_with("keys "), "{:?}", rotate.lines);
    assert!(
        rotate.lines[1].contains("keycloak-db-previous-"),
        "{:?}",
        rotate.lines
    );

    let records = audit(data.path());
    for op in seed.clone() {
        assert!(
            records.iter().any(|r| r.op == op.name()
                && r.target == op.target()
                && r.phase == Phase::After
                && r.outcome.starts_with("ok: ")),
            "no dry-run record for {}",
            op.summary()
        );
    }
    assert!(
        records
            .iter()
            .all(|r| r.dry_run && r.identity == "admin" && r.context == "lakedeck-lab")
    );
    assert!(
        records
            .iter()
            .any(|r| r.op == "rotate-secret" && r.outcome.starts_with("ok: keys "))
    );

    // Read-only: refused before anything is sent, and audited as refused.
    let ro_data = tempfile::tempdir().unwrap();
    let ro = session(lab, "lakedeck-lab", true, ro_data.path()).await;
    for op in all_ops(&seed) {
        assert!(matches!(ro.ops.check(&op).await, Permission::ReadOnly(_)));
        let err = ro.ops.execute(&op, None).await.unwrap_err();
        assert!(matches!(err, OpError::ReadOnly(_)), "{err}");
        assert!(err.to_string().contains("read-only"), "{err}");
    }
    let refused = audit(ro_data.path());
    assert_eq!(refused.len(), all_ops(&seed).len());
    assert!(
        refused
            .iter()
            .all(|r| r.phase == Phase::Refused && !r.dry_run)
    );

    // The viewer: RBAC says no (SelfSubjectAccessReview) before the write is tried.
    let v_data = tempfile::tempdir().unwrap();
    let viewer = session(lab, "lakedeck-lab-viewer", false, v_data.path()).await;
    for op in all_ops(&seed).into_iter().filter(|op| {
        !matches!(
            op,
            Op::CreateSilence { .. } | Op::ExpireSilence { .. } | Op::KillTrinoQuery { .. }
        )
    }) {
        let Permission::Forbidden(why) = viewer.ops.check(&op).await else {
            panic!("viewer allowed to {}", op.summary());
        };
        assert!(why.contains("SelfSubjectAccessReview"), "{why}");
        let err = viewer.ops.preview(&op).await.unwrap_err();
        assert!(matches!(err, OpError::Forbidden(_)), "{err}");
    }
    let denied = audit(v_data.path());
    assert!(
        denied
            .iter()
            .all(|r| r.phase == Phase::Refused && r.identity == "viewer")
    );
    assert_eq!(
        observe(&client).await,
        before,
        "a refused op changed the cluster"
    );
}

async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_ops_do_what_the_preview_said_and_are_audited_before_and_after() {
    let lab = LabProcess::start(&[]);
    let data = tempfile::tempdir().unwrap();
    let admin = session(&lab, "lakedeck-lab", false, data.path()).await;
    let ops = &admin.ops;
    let client = admin.target.client.clone();
    let run = Some("test-run-1");
    let seed = seed_ops(&client).await;

    // Scale: 3 → 5, and the new pods appear.
    let scale = &seed[0];
    let out = ops.execute(scale, run).await.unwrap();
    assert_eq!(out.outputs["replicas_before"], 3);
    let pods: Api<Pod> = Api::namespaced(client.clone(), "trino");
    wait_until("trino-worker-4", Duration::from_secs(20), || async {
        pods.get_opt("trino-worker-4").await.unwrap().is_some()
    })
    .await;

    // Restart: the annotation kubectl would set.
    ops.execute(&seed[1], run).await.unwrap();
    assert!(observe(&client).await.nessie_restarted);

    // Cordon and uncordon.
    ops.execute(&seed[2], run).await.unwrap();
    assert!(observe(&client).await.compute3_unschedulable);
    ops.execute(
        &Op::Uncordon {
            node: "compute-3".into(),
        },
        run,
    )
    .await
    .unwrap();
    assert!(!observe(&client).await.compute3_unschedulable);

    // Backup now: a Backup labelled with its schedule that completes.
    let out = ops.execute(&seed[3], run).await.unwrap();
    let name = out.outputs["backup"].as_str().unwrap().to_string();
    let backups = velero(&client, "Backup", "backups");
    let b = backups.get(&name).await.unwrap();
    assert_eq!(
        b.metadata.labels.unwrap()["velero.io/schedule-name"],
        "nightly"
    );

    // Restore into a labelled drill namespace; a second drill into it is refused; the
    // drill namespace can be deleted, a live one cannot.
    let restore = &seed[4];
    let out = ops.execute(restore, run).await.unwrap();
    assert_eq!(
        out.outputs["namespaces"],
        serde_json::json!(["drill-ops-nessie"])
    );
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns = namespaces.get("drill-ops-nessie").await.unwrap();
    assert_eq!(
        ns.metadata.labels.unwrap()[lakedeck::ops::DRILL_RUN_LABEL],
        "ops-test"
    );
    assert_eq!(
        lakedeck::ops::drill_namespaces(&client).await.unwrap(),
        vec![("drill-ops-nessie".to_string(), "ops-test".to_string())]
    );
    let again = ops.preview(restore).await.unwrap_err();
    assert!(again.to_string().contains("already exists"), "{again}");
    let live = ops
        .preview(&Op::DeleteDrillNamespace {
            namespace: "nessie".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(live, OpError::Refused(_)), "{live}");
    let drop_drill = Op::DeleteDrillNamespace {
        namespace: "drill-ops-nessie".into(),
    };
    assert_eq!(
        ops.preview(&drop_drill).await.unwrap().confirmation,
        lakedeck::ops::Confirmation::TypeName("drill-ops-nessie".into())
    );
    // Velero writes into the namespace until the restore has finished.
    let restores = velero(&client, "Restore", "restores");
    let restore_name = out.outputs["restore"].as_str().unwrap().to_string();
    wait_until(
        "the restore to complete",
        Duration::from_secs(60),
        || async {
            restores.get(&restore_name).await.unwrap().data["status"]["phase"] == "Completed"
        },
    )
    .await;
    ops.execute(&drop_drill, run).await.unwrap();
    wait_until(
        "the drill namespace to go",
        Duration::from_secs(30),
        || async {
            namespaces
                .get_opt("drill-ops-nessie")
                .await
                .unwrap()
                .is_none()
        },
    )
    .await;

    // Rotate a secret, then roll it back from the kept copy.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "keycloak");
    let original = digest(&secrets.get("keycloak-db").await.unwrap());
    let out = ops.execute(&seed[5], run).await.unwrap();
    let previous = out.outputs["previous_secret"].as_str().unwrap().to_string();
    assert_ne!(digest(&secrets.get("keycloak-db").await.unwrap()), original);
    assert_eq!(digest(&secrets.get(&previous).await.unwrap()), original);
    ops.execute(
        &Op::RestoreSecret {
            namespace: "keycloak".into(),
            name: "keycloak-db".into(),
            from: previous,
        },
        run,
    )
    .await
    .unwrap();
    assert_eq!(digest(&secrets.get("keycloak-db").await.unwrap()), original);
    // TLS material is not random text: refused.
    let tls = ops
        .preview(&Op::RotateSecret {
            namespace: "kafka".into(),
            name: "datalake-cluster-ca".into(),
        })
        .await
        .unwrap_err();
    assert!(tls.to_string().contains("kubernetes.io/tls"), "{tls}");

    // A silence, then expire it.
    let out = ops.execute(&seed[6], run).await.unwrap();
    let id = out.outputs["silence_id"].as_str().unwrap().to_string();
    let expire = Op::ExpireSilence { id: id.clone() };
    assert!(ops.preview(&expire).await.unwrap().lines[0].contains("KafkaConsumerLagHigh"));
    ops.execute(&expire, run).await.unwrap();
    let expired = ops.preview(&expire).await.unwrap();
    assert!(
        expired.lines.iter().any(|l| l.contains("already expired")),
        "{:?}",
        expired.lines
    );

    // Deleting a pod: its StatefulSet brings it back.
    let delete = Op::DeletePod {
        namespace: "trino".into(),
        name: "trino-worker-0".into(),
    };
    let preview = ops.preview(&delete).await.unwrap();
    assert!(
        preview.lines[1].contains("StatefulSet trino-worker creates a replacement"),
        "{:?}",
        preview.lines
    );
    let uid = pods.get("trino-worker-0").await.unwrap().metadata.uid;
    ops.execute(&delete, run).await.unwrap();
    wait_until("a new trino-worker-0", Duration::from_secs(30), || async {
        pods.get_opt("trino-worker-0")
            .await
            .unwrap()
            .is_some_and(|p| p.metadata.uid != uid)
    })
    .await;

    // Kill a running Trino query (the web UI's PUT …/killed); a second kill is refused.
    let trino = admin.platform.trino.clone().unwrap().unwrap();
    let headers = [("X-Trino-User", "lakedeck".to_string())];
    let deadline = Instant::now() + Duration::from_secs(30);
    let running = loop {
        let list = trino
            .get_json("/v1/query", &[("state", "RUNNING")], &headers)
            .await
            .unwrap();
        if let Some(q) = list.as_array().and_then(|a| a.first()) {
            break q["queryId"].as_str().unwrap().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no running Trino query in the lab"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let kill = Op::KillTrinoQuery {
        query_id: running.clone(),
        reason: "runaway".into(),
    };
    let preview = ops.preview(&kill).await.unwrap();
    assert_eq!(
        preview.confirmation,
        lakedeck::ops::Confirmation::TypeName(running.clone())
    );
    assert!(preview.lines[0].contains("RUNNING"), "{:?}", preview.lines);
    ops.execute(&kill, run).await.unwrap();
    let info = trino
        .get_json(&format!("/v1/query/{running}"), &[], &headers)
        .await
        .unwrap();
    assert_eq!(info["state"], "FAILED");
    let twice = ops.execute(&kill, run).await.unwrap_err();
    assert!(matches!(twice, OpError::Refused(_)), "{twice}");

    // Each real op: a "before" record, then an "after" one with the outcome and run id.
    let records = audit(data.path());
    let real: Vec<_> = records.iter().filter(|r| !r.dry_run).collect();
    for op in [
        "scale",
        "rollout-restart",
        "cordon",
        "uncordon",
        "backup",
        "restore",
        "delete-drill-namespace",
        "rotate-secret",
        "restore-secret",
        "silence",
        "expire-silence",
        "delete-pod",
    ] {
        let mine: Vec<_> = real.iter().filter(|r| r.op == op).collect();
        assert!(
            mine.iter().any(|r| r.phase == Phase::Before),
            "{op}: no before record"
        );
        assert!(
            mine.iter()
                .any(|r| r.phase == Phase::After && r.outcome.starts_with("ok")),
            "{op}: no after record: {mine:?}"
        );
        assert!(
            mine.iter().all(|r| r.run.as_deref() == Some("test-run-1")),
            "{op}"
        );
    }
}

fn pods_on(pods: &[Pod], node: &str) -> Vec<String> {
    pods.iter()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            !p.metadata
                .owner_references
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|o| o.kind == "DaemonSet")
        })
        .map(|p| {
            format!(
                "{}/{}",
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_evicts_through_the_eviction_api_and_force_sync_rewrites_an_external_secret() {
    let lab = LabProcess::start(&[]);
    let data = tempfile::tempdir().unwrap();
    let admin = session(&lab, "lakedeck-lab", false, data.path()).await;
    let ops = &admin.ops;
    let client = admin.target.client.clone();
    let all_pods: Api<Pod> = Api::all(client.clone());

    // Drain compute-3: a dry run first (nothing moves), then for real.
    let drain = Op::Drain {
        node: "compute-3".into(),
    };
    let before = pods_on(
        &all_pods.list(&ListParams::default()).await.unwrap().items,
        "compute-3",
    );
    assert!(!before.is_empty());
    let preview = ops.preview(&drain).await.unwrap();
    assert_eq!(
        preview.lines[0],
        "node compute-3: schedulable → unschedulable"
    );
    assert!(
        preview.lines[1].starts_with(&format!("{} pods evicted now", before.len())),
        "{:?}",
        preview.lines
    );
    assert_eq!(
        preview.confirmation,
        lakedeck::ops::Confirmation::TypeName("compute-3".into())
    );
    assert_eq!(
        pods_on(
            &all_pods.list(&ListParams::default()).await.unwrap().items,
            "compute-3"
        ),
        before
    );
    let out = ops.execute(&drain, None).await.unwrap();
    assert_eq!(
        out.outputs["evicted"].as_array().unwrap().len(),
        before.len()
    );
    assert!(observe(&client).await.compute3_unschedulable);
    wait_until("compute-3 to be empty", Duration::from_secs(60), || async {
        pods_on(
            &all_pods.list(&ListParams::default()).await.unwrap().items,
            "compute-3",
        )
        .is_empty()
    })
    .await;

    // The External Secret: rotating its Secret directly is refused; a forced sync makes
    // the (simulated) operator write new values and report SecretSynced.
    let managed = ops
        .preview(&Op::RotateSecret {
            namespace: "trino".into(),
            name: "trino-catalog-credentials".into(),
        })
        .await
        .unwrap_err();
    assert!(
        managed.to_string().contains("External Secrets"),
        "{managed}"
    );
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "trino");
    let original = digest(&secrets.get("trino-catalog-credentials").await.unwrap());
    let sync = Op::ForceSyncExternalSecret {
        namespace: "trino".into(),
        name: "trino-catalog-credentials".into(),
    };
    let preview = ops.preview(&sync).await.unwrap();
    assert!(
        preview.lines[0].starts_with("annotation force-sync: not set → "),
        "{:?}",
        preview.lines
    );
    let out = ops.execute(&sync, None).await.unwrap();
    let before_sync = out.outputs["previous_refresh_time"].clone();
    let es_api: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "trino",
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("external-secrets.io", "v1", "ExternalSecret"),
            "externalsecrets",
        ),
    );
    wait_until(
        "the ExternalSecret to re-sync",
        Duration::from_secs(30),
        || async {
            let es = es_api.get("trino-catalog-credentials").await.unwrap();
            let ready = es.data["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| {
                    c["type"] == "Ready" && c["reason"] == "SecretSynced" && c["status"] == "True"
                });
            ready && es.data["status"]["refreshTime"] != before_sync
        },
    )
    .await;
    assert_ne!(
        digest(&secrets.get("trino-catalog-credentials").await.unwrap()),
        original
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drain_a_disruption_budget_blocks_is_reported_not_forced() {
    // A budget that allows no disruption at all (a classic drain blocker).
    let lab = LabProcess::start(&[]);
    let data = tempfile::tempdir().unwrap();
    let admin = session(&lab, "lakedeck-lab", false, data.path()).await;
    let client = admin.target.client.clone();
    let pdbs: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "nessie",
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("policy", "v1", "PodDisruptionBudget"),
            "poddisruptionbudgets",
        ),
    );
    let pdb: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": "nessie-strict", "namespace": "nessie"},
        "spec": {"maxUnavailable": 0, "selector": {"matchLabels": {"app.kubernetes.io/name": "nessie"}}}
    }))
    .unwrap();
    pdbs.create(&Default::default(), &pdb).await.unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "nessie");
    let nessie = pods
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .remove(0);
    let name = nessie.metadata.name.clone().unwrap();
    let node = nessie.spec.unwrap().node_name.unwrap();
    // The disruption controller has computed the budget's status (it allows nothing).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let b = pdbs.get("nessie-strict").await.unwrap();
        let observed = b.data["status"]["observedGeneration"].as_i64();
        if observed.is_some() && observed == b.metadata.generation {
            assert_eq!(b.data["status"]["disruptionsAllowed"], 0, "{:?}", b.data);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no status on the budget: {:?}",
            b.data
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let drain = Op::Drain { node: node.clone() };
    let preview = admin.ops.preview(&drain).await.unwrap();
    assert!(
        preview
            .lines
            .iter()
            .any(|l| l.contains("blocked by a disruption budget") && l.contains(&name)),
        "{:?}",
        preview.lines
    );
    let err = admin.ops.execute(&drain, None).await.unwrap_err();
    assert!(matches!(err, OpError::Refused(_)), "{err}");
    assert!(err.to_string().contains("disruption budget"), "{err}");
    assert!(err.to_string().contains(&format!("nessie/{name}")), "{err}");
    assert!(
        pods.get(&name)
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_none()
    );
    let records = audit(data.path());
    assert!(records.iter().any(|r| r.op == "drain"
        && r.phase == Phase::After
        && r.outcome.starts_with("failed: refused")));
}
