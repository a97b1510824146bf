//! Headless `lakedeck runbook` against the real `lakedeck lab` binary over HTTP: the
//! restore drill completes in under a minute, leaves no drill namespace and reports an
//! RTO/RPO consistent with the lab's clock; a drill killed with SIGKILL mid-restore is
//! resumed (or, in another run, cleaned up); trino-scale-up drains the backlog;
//! rotate-secret rolls back on the failing scenario; read-only and the viewer are
//! refused with the refusal in the audit log; bad runbooks and parameters are usage
//! errors with a clear message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::LabProcess;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Api, DynamicObject, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;

fn lakedeck(lab: Option<&LabProcess>, data: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lakedeck"));
    c.env_remove("KUBERNETES_SERVICE_HOST")
        .env("XDG_CONFIG_HOME", data.join("xdg-config"))
        .env("XDG_CACHE_HOME", data.join("xdg-cache"))
        .env("LAKEDECK_DATA_DIR", data);
    if let Some(lab) = lab {
        c.arg("--kubeconfig")
            .arg(&lab.kubeconfig)
            .arg("--config")
            .arg(lab.kubeconfig.parent().unwrap().join("lakedeck.yaml"));
    }
    c.args(args).stdin(Stdio::null());
    c
}

fn run(lab: Option<&LabProcess>, data: &Path, args: &[&str]) -> (i32, String) {
    let out: Output = lakedeck(lab, data, args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

async fn client(lab: &LabProcess, context: &str) -> kube::Client {
    let kc = Kubeconfig::read_from(&lab.kubeconfig).unwrap();
    let options = KubeConfigOptions {
        context: Some(context.into()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kc, &options)
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
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

fn pod_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Waits until the StatefulSet `ns/name` has `replicas` replicas and pods, none
/// terminating, and the pods named in `ready` (all of them when empty) are Ready — read
/// from the cluster, not from a report.
async fn wait_statefulset_ready(
    kube: &kube::Client,
    ns: &str,
    name: &str,
    replicas: i32,
    ready_pods: &[&str],
) {
    let sts: Api<StatefulSet> = Api::namespaced(kube.clone(), ns);
    let pods: Api<Pod> = Api::namespaced(kube.clone(), ns);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let s = sts.get(name).await.unwrap();
        let spec = s.spec.as_ref().and_then(|s| s.replicas);
        let ready = s.status.as_ref().and_then(|s| s.ready_replicas);
        let ours: Vec<Pod> = pods
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|p| {
                p.metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|o| o.kind == "StatefulSet" && o.name == name)
            })
            .collect();
        let must = |p: &Pod| {
            ready_pods.is_empty() || ready_pods.contains(&p.metadata.name.as_deref().unwrap_or(""))
        };
        let all_ready = ours.len() == replicas as usize
            && ours.iter().all(|p| p.metadata.deletion_timestamp.is_none())
            && ours.iter().filter(|p| must(p)).all(pod_ready)
            && ours.iter().filter(|p| must(p)).count()
                == if ready_pods.is_empty() {
                    replicas as usize
                } else {
                    ready_pods.len()
                };
        let enough = ready.unwrap_or(0) >= ours.iter().filter(|p| must(p)).count() as i32;
        if spec == Some(replicas) && enough && all_ready {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{ns}/{name}: replicas {spec:?}, ready {ready:?}, pods {:?}",
            ours.iter()
                .map(|p| (p.metadata.name.clone().unwrap_or_default(), pod_ready(p)))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Polls the lab's Prometheus (through the API server's service proxy, as the cockpit
/// reaches it) until `promql` has a sample (labels, value) that `holds`: the condition a
/// runbook's first check needs, waited for instead of slept for.
async fn wait_promql(kube: &kube::Client, promql: &str, holds: impl Fn(&Value, f64) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = String::new();
    loop {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("query", promql);
        let req = http::Request::get(format!(
            "/api/v1/namespaces/monitoring/services/prometheus:9090/proxy/api/v1/query?{}",
            query.finish()
        ))
        .body(Vec::new())
        .unwrap();
        if let Ok(text) = kube.request_text(req).await {
            let v: Value = serde_json::from_str(&text).unwrap_or_default();
            let met = v["data"]["result"].as_array().is_some_and(|r| {
                r.iter().any(|s| {
                    s["value"][1]
                        .as_str()
                        .and_then(|x| x.parse::<f64>().ok())
                        .is_some_and(|v| holds(&s["metric"], v))
                })
            });
            if met {
                return;
            }
            last = text;
        }
        assert!(Instant::now() < deadline, "{promql} never held: {last}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Waits until this machine's clock is in a later second than now: drill namespaces and
/// run ids are named to the second.
async fn next_second() {
    let now = jiff::Timestamp::now().as_second();
    while jiff::Timestamp::now().as_second() == now {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn drill_namespaces(client: &kube::Client) -> Vec<String> {
    let api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    api.list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .filter(|n| n.starts_with("drill-"))
        .collect()
}

fn runs(data: &Path) -> Vec<Value> {
    let Ok(entries) = std::fs::read_dir(data.join("runs")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|b| serde_json::from_slice(&b).ok())
        .collect()
}

fn report_json(data: &Path, id: &str) -> Value {
    let path = data.join("reports").join(format!("{id}.json"));
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn ts(v: &Value) -> jiff::Timestamp {
    v.as_str().unwrap().parse().unwrap()
}

fn run_id(output: &str) -> String {
    output
        .lines()
        .find_map(|l| l.strip_prefix("lakedeck runbook: run "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_drill_completes_cleans_up_and_reports_rto_and_rpo() {
    let lab = LabProcess::start(&[]);
    let data = tempfile::tempdir().unwrap();
    let (code, out) = run(
        Some(&lab),
        data.path(),
        &[
            "runbook",
            "run",
            "velero-restore-drill",
            "--context",
            "lakedeck-lab",
            "--yes",
            "--param",
            "verify_promql=max(minio_cluster_drive_online_total)",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("[3/10] Restore nessie into drill namespaces"),
        "{out}"
    );
    let kube = client(&lab, "lakedeck-lab").await;
    assert!(drill_namespaces(&kube).await.is_empty());

    assert!(
        out.contains("Verification query max(minio_cluster_drive_online_total)")
            && out.contains("(expected > 0)"),
        "the optional PromQL verification ran: {out}"
    );
    let id = run_id(&out);
    let report = report_json(data.path(), &id);
    assert_eq!(report["status"], "succeeded");
    assert_eq!(report["who"], "admin");
    assert_eq!(report["context"], "lakedeck-lab");
    let r = &report["recovery"];
    // RTO on the cluster clock: created → restored and Ready, consistent with the
    // timestamps the lab stamped and with the wall time at speed 1.
    let rto = r["rto_seconds"].as_i64().unwrap();
    assert_eq!(
        rto,
        ts(&r["ready_at"])
            .duration_since(ts(&r["restore_created"]))
            .as_secs()
    );
    assert!(ts(&r["ready_at"]) >= ts(&r["restore_completed"]));
    assert!((15..=45).contains(&rto), "the lab restores in ~20 s: {rto}");
    // The wall time spans the restore step's start to the verification, which enclose
    // the restore's creation and its pods' Ready transition; at speed 1 the lab's clock is
    // this machine's, so wall ≥ RTO (less a second: the cluster's stamps have second
    // precision). No upper bound: a loaded machine only makes the wall time longer.
    let wall = r["wall_seconds"].as_i64().unwrap();
    assert!(rto <= wall + 1, "rto {rto} vs wall {wall}");
    assert_eq!(r["target_rto_seconds"], 1800);
    assert_eq!(r["rto_met"], true);
    // RPO: the restore's start minus the backup's completion, both cluster time.
    let rpo = r["rpo_seconds"].as_i64().unwrap();
    assert_eq!(
        rpo,
        ts(&r["restore_started"])
            .duration_since(ts(&r["backup_completed"]))
            .as_secs()
    );
    assert!(rpo > 0);
    let md = std::fs::read_to_string(data.path().join("reports").join(format!("{id}.md"))).unwrap();
    assert!(
        md.contains("**RTO**") && md.contains("**RPO**") && md.contains("## Timeline"),
        "{md}"
    );
    // The audit log has the restore and the cleanup under this run id.
    let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap();
    let run_records: Vec<&str> = audit
        .lines()
        .filter(|l| l.contains("\"op\":\"runbook\"") && l.contains(&id))
        .collect();
    assert!(
        run_records.len() == 2
            && run_records[0].contains("\"outcome\":\"started\"")
            && run_records[1].contains("\"outcome\":\"succeeded\""),
        "the run's start and end in the audit log: {run_records:?}"
    );
    assert!(
        audit.lines().any(|l| l.contains("\"op\":\"restore\"")
            && l.contains(&id)
            && l.contains("\"dry_run\":true")),
        "the restore's preview is audited under the run id"
    );
    for op in ["\"restore\"", "\"delete-drill-namespace\""] {
        assert!(
            audit
                .lines()
                .any(|l| l.contains(op) && l.contains(&id) && l.contains("\"after\"")),
            "{op} not audited for {id}"
        );
    }
    // `runbook report` prints it; the state is Succeeded, not interrupted.
    let (code, printed) = run(None, data.path(), &["runbook", "report", &id]);
    assert_eq!(code, 0);
    assert!(printed.contains("Velero restore drill — succeeded"));
    assert!(!printed.contains("interrupted"));
}

/// Starts the drill and SIGKILLs it while the restore is in progress; returns the run id.
async fn kill_mid_restore(lab: &LabProcess, data: &Path) -> String {
    let mut child = lakedeck(
        Some(lab),
        data,
        &[
            "runbook",
            "run",
            "velero-restore-drill",
            "--context",
            "lakedeck-lab",
            "--yes",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(40);
    let id = loop {
        let waiting = runs(data).into_iter().find(|r| {
            r["steps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == "verify" && s["state"] == "Waiting")
        });
        if let Some(r) = waiting {
            break r["id"].as_str().unwrap().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "the drill never reached the restore wait"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let kube = client(lab, "lakedeck-lab").await;
    assert_eq!(
        drill_namespaces(&kube).await.len(),
        1,
        "the drill namespace is there while interrupted"
    );
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_drill_is_listed_then_resumed_or_cleaned_up() {
    let lab = LabProcess::start(&[]);
    let kube = client(&lab, "lakedeck-lab").await;

    let data = tempfile::tempdir().unwrap();
    let id = kill_mid_restore(&lab, data.path()).await;
    let (_, listed) = run(None, data.path(), &["runbook", "list"]);
    assert!(
        listed.contains("interrupted runs") && listed.contains(&id),
        "{listed}"
    );
    let (code, out) = run(
        Some(&lab),
        data.path(),
        &[
            "runbook",
            "resume",
            &id,
            "--context",
            "lakedeck-lab",
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(drill_namespaces(&kube).await.is_empty());
    let report = report_json(data.path(), &id);
    assert_eq!(report["status"], "succeeded");
    assert!(report["recovery"]["rto_seconds"].as_i64().is_some());
    // Exactly one Restore was created for this run (the resumed one was not repeated):
    // the one labelled with the run id, read from the cluster.
    let restores = velero_restores(&kube).await;
    let mapped: Vec<_> = restores
        .iter()
        .filter(|r| {
            r.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(lakedeck::ops::DRILL_RUN_LABEL))
                == Some(&id)
        })
        .map(|r| r.metadata.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        mapped.len(),
        1,
        "Restores labelled {}={id}: {mapped:?} of {:?}",
        lakedeck::ops::DRILL_RUN_LABEL,
        restores
            .iter()
            .map(|r| (r.metadata.name.clone(), r.metadata.labels.clone()))
            .collect::<Vec<_>>()
    );
    let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap();
    let restores_run = audit
        .lines()
        .filter(|l| {
            l.contains("\"op\":\"restore\"")
                && l.contains(&id)
                && l.contains("\"dry_run\":false")
                && l.contains("\"before\"")
        })
        .count();
    assert_eq!(restores_run, 1, "one restore executed for the run");

    // A second run, killed the same way, cleaned up instead of resumed.
    let data2 = tempfile::tempdir().unwrap();
    next_second().await; // a new drill timestamp
    let id2 = kill_mid_restore(&lab, data2.path()).await;
    let (code, out) = run(
        Some(&lab),
        data2.path(),
        &[
            "runbook",
            "cleanup",
            &id2,
            "--context",
            "lakedeck-lab",
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(drill_namespaces(&kube).await.is_empty());
    let report = report_json(data2.path(), &id2);
    assert_eq!(report["status"], "aborted");
    let (_, listed) = run(None, data2.path(), &["runbook", "list"]);
    assert!(!listed.contains(&id2), "{listed}");
    // A finished run cannot be resumed again.
    let (code, out) = run(
        Some(&lab),
        data2.path(),
        &[
            "runbook",
            "resume",
            &id2,
            "--context",
            "lakedeck-lab",
            "--yes",
        ],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("already ended"), "{out}");
}

/// How many times `op` was executed (a "before" record of a real write) for run `id`.
fn executed(data: &Path, op: &str, id: &str) -> usize {
    std::fs::read_to_string(data.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter(|l| {
            l.contains(&format!("\"op\":\"{op}\""))
                && l.contains(id)
                && l.contains("\"dry_run\":false")
                && l.contains("\"before\"")
        })
        .count()
}

/// Issue 10: one run, one runner. Two `resume --yes` started together: one runs the
/// rest of the run, the other exits non-zero (naming the holder, or finding the run
/// ended) and writes nothing — the cleanup's delete is sent once. Then a resume that
/// holds a run while it waits for its operator: a second resume names it (pid, host,
/// since) and exits non-zero; once the holder is SIGKILLed the OS has released the
/// lock and the run resumes to the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_is_resumed_by_one_process_at_a_time() {
    let lab = LabProcess::start(&[]);
    let kube = client(&lab, "lakedeck-lab").await;

    let data = tempfile::tempdir().unwrap();
    let id = kill_mid_restore(&lab, data.path()).await;
    let resume = |data: &Path| {
        lakedeck(
            Some(&lab),
            data,
            &[
                "runbook",
                "resume",
                &id,
                "--context",
                "lakedeck-lab",
                "--yes",
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
    };
    let (a, b) = (resume(data.path()), resume(data.path()));
    let outcomes: Vec<(u32, i32, String)> = [a, b]
        .into_iter()
        .map(|c| {
            let pid = c.id();
            let out = c.wait_with_output().unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            (pid, out.status.code().unwrap_or(-1), text)
        })
        .collect();
    let winners: Vec<_> = outcomes.iter().filter(|o| o.1 == 0).collect();
    assert_eq!(winners.len(), 1, "exactly one resume ran: {outcomes:#?}");
    let loser = outcomes.iter().find(|o| o.1 != 0).unwrap();
    assert!(
        loser
            .2
            .contains(&format!("is being run by pid {} on ", winners[0].0))
            || loser.2.contains("already ended"),
        "{outcomes:#?}"
    );
    assert!(drill_namespaces(&kube).await.is_empty());
    assert_eq!(executed(data.path(), "restore", &id), 1);
    assert_eq!(
        executed(data.path(), "delete-drill-namespace", &id),
        1,
        "the cleanup's delete was sent once: {outcomes:#?}"
    );

    // A holder: no --yes and a silent, open stdin, so it keeps the run (it waits for
    // the restore, then for the operator to confirm the cleanup).
    let data = tempfile::tempdir().unwrap();
    next_second().await; // a new drill timestamp
    let id = kill_mid_restore(&lab, data.path()).await;
    let mut holder = lakedeck(
        Some(&lab),
        data.path(),
        &["runbook", "resume", &id, "--context", "lakedeck-lab"],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let lock = data.path().join("runs").join(format!("{id}.lock"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let held: Value = loop {
        let text = std::fs::read_to_string(&lock).unwrap_or_default();
        if let Ok(v) = serde_json::from_str::<Value>(&text)
            && v["pid"] == holder.id()
        {
            break v;
        }
        assert!(
            Instant::now() < deadline,
            "the resume never took the run: {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let args = [
        "runbook",
        "resume",
        &id,
        "--context",
        "lakedeck-lab",
        "--yes",
    ];
    let (code, out) = run(Some(&lab), data.path(), &args);
    assert_ne!(code, 0, "{out}");
    let host = held["host"].as_str().unwrap();
    assert!(
        out.contains(&format!(
            "is being run by pid {} on {host} since ",
            holder.id()
        )),
        "{out}"
    );
    holder.kill().unwrap(); // SIGKILL: no chance to clean up; the OS drops the lock.
    holder.wait().unwrap();
    let (code, out) = run(Some(&lab), data.path(), &args);
    assert_eq!(code, 0, "{out}");
    assert!(drill_namespaces(&kube).await.is_empty());
    assert_eq!(report_json(data.path(), &id)["status"], "succeeded");
    assert!(!lock.exists(), "an ended run leaves no lock file");
    assert_eq!(executed(data.path(), "restore", &id), 1);
    assert_eq!(executed(data.path(), "delete-drill-namespace", &id), 1);
}

async fn velero_restores(kube: &kube::Client) -> Vec<DynamicObject> {
    let (ar, _) = lakedeck::runbook::backend::kind("Restore").unwrap();
    let api: Api<DynamicObject> = Api::namespaced_with(kube.clone(), "velero", &ar);
    api.list(&ListParams::default()).await.unwrap().items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trino_scale_up_drains_the_backlog() {
    let lab = LabProcess::start(&["--scenario", "trino-backlog"]);
    let data = tempfile::tempdir().unwrap();
    // The backlog builds within half a minute; retry the runbook's own first check.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (code, out) = loop {
        let (code, out) = run(
            Some(&lab),
            data.path(),
            &[
                "runbook",
                "run",
                "trino-scale-up",
                "--context",
                "lakedeck-lab",
                "--yes",
            ],
        );
        let too_early =
            code == 1 && out.contains("[1/5] The queue is high") && out.contains("failed");
        if !too_early || Instant::now() > deadline {
            break (code, out);
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    };
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("scale statefulset trino/trino-worker"),
        "{out}"
    );
    let id = run_id(&out);
    let report = report_json(data.path(), &id);
    assert_eq!(report["params"]["replicas"], "5", "default = current 3 + 2");
    let drained = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "drained")
        .unwrap();
    assert_eq!(drained["outcome"], "done", "{drained}");
    // The cluster itself: five workers, the two added ones and the healthy one Ready
    // (workers 1 and 2 crash-loop in this scenario).
    let kube = client(&lab, "lakedeck-lab").await;
    let healthy = ["trino-worker-0", "trino-worker-3", "trino-worker-4"];
    wait_statefulset_ready(&kube, "trino", "trino-worker", 5, &healthy).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_secret_rolls_back_when_consumers_do_not_come_back() {
    // The secret whose rotation breaks its consumer in that scenario.
    let (ns, secret) = ("keycloak", "keycloak-db");
    let lab = LabProcess::start(&["--scenario", "secret-rotation-breaks"]);
    let kube = client(&lab, "lakedeck-lab").await;
    let secrets: Api<Secret> = Api::namespaced(kube.clone(), ns);
    let original = digest(&secrets.get(secret).await.unwrap());
    let data = tempfile::tempdir().unwrap();
    let (code, out) = run(
        Some(&lab),
        data.path(),
        &[
            "runbook",
            "run",
            "rotate-secret",
            "--context",
            "lakedeck-lab",
            "--yes",
            "--param",
            &format!("namespace={ns}"),
            "--param",
            &format!("secret={secret}"),
            "--param",
            "ready_timeout=40s",
        ],
    );
    assert_eq!(code, 1, "{out}");
    let id = run_id(&out);
    let report = report_json(data.path(), &id);
    let step = |id: &str| {
        report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    assert!(
        step("ready")["outcome"]
            .as_str()
            .unwrap()
            .starts_with("failed"),
        "{report}"
    );
    assert_eq!(step("rollback")["outcome"], "done", "{report}");
    let md = std::fs::read_to_string(data.path().join("reports").join(format!("{id}.md"))).unwrap();
    assert!(
        md.contains("Rollback and cleanup after the failure"),
        "{md}"
    );
    // The cluster itself, not the report: the Secret holds its original values again
    // (compared by digest, never printed), the rotation's backup copy holds them too, and
    // Keycloak's pods are back and Ready on them.
    assert_eq!(
        digest(&secrets.get(secret).await.unwrap()),
        original,
        "{ns}/{secret} was not rolled back to its original values"
    );
    let backups: Vec<Secret> = secrets
        .list(
            &ListParams::default()
                .labels(&format!("{}={secret}", lakedeck::ops::SECRET_BACKUP_LABEL)),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(backups.len(), 1, "one backup copy of {secret}");
    assert_eq!(
        digest(&backups[0]),
        original,
        "the backup holds the original values"
    );
    wait_statefulset_ready(&kube, ns, "keycloak", 2, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readonly_and_viewer_are_refused_before_the_call_and_audited() {
    let lab = LabProcess::start(&[]);
    let kube = client(&lab, "lakedeck-lab").await;
    let backups = |kube: kube::Client| async move {
        let (ar, _) = lakedeck::runbook::backend::kind("Backup").unwrap();
        let api: Api<DynamicObject> = Api::namespaced_with(kube, "velero", &ar);
        api.list(&ListParams::default()).await.unwrap().items.len()
    };
    let before = backups(kube.clone()).await;
    for (context, readonly, word) in [
        ("lakedeck-lab", true, "read-only"),
        ("lakedeck-lab-viewer", false, "forbidden"),
    ] {
        let data = tempfile::tempdir().unwrap();
        let mut args = vec![
            "runbook",
            "run",
            "velero-backup-missed",
            "--context",
            context,
            "--yes",
        ];
        if readonly {
            args.push("--readonly");
        }
        let (code, out) = run(Some(&lab), data.path(), &args);
        assert_eq!(code, 1, "{out}");
        assert!(out.to_lowercase().contains(word), "{context}: {out}");
        let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap();
        assert!(
            audit
                .lines()
                .any(|l| l.contains("\"op\":\"backup\"") && l.contains("refused")),
            "{context}: {audit}"
        );
        assert!(
            !audit.lines().any(|l| !l.contains("\"op\":\"runbook\"")
                && l.contains("\"dry_run\":false,\"phase\":\"before\"")),
            "{context}: nothing executed"
        );
        // The run itself is on record: started, then failed.
        assert!(
            audit.lines().any(|l| l.contains("\"op\":\"runbook\"")
                && l.contains("\"phase\":\"after\"")
                && l.contains("failed")),
            "{context}: {audit}"
        );
    }
    assert_eq!(backups(kube).await, before, "no backup was created");
}

#[test]
fn bad_runbook_files_and_parameters_are_usage_errors() {
    let data = tempfile::tempdir().unwrap();
    let dir: PathBuf = data.path().join("xdg-config/lakedeck/runbooks");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mine.yaml").display().to_string();
    std::fs::write(
        dir.join("mine.yaml"),
        "name: mine\ntitle: Mine\nsteps:\n  - id: a\n    note: \"{{ params.missing }}\"\n",
    )
    .unwrap();
    // A bad user file is skipped with a located warning; the rest still list.
    let (code, out) = run(None, data.path(), &["runbook", "list"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("velero-restore-drill"), "{out}");
    assert!(
        out.contains("warning")
            && out.contains(&format!("{file}:5:11:"))
            && out.contains("unknown parameter params.missing"),
        "{out}"
    );
    let (code, out) = run(None, data.path(), &["runbook", "show", "mine"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains(&format!("{file}:5:11:")), "{out}");
    // Issue 10: a misspelt key in the second step's scale (line 10) is located at that
    // key, not at the step's first key; list and the shipped runbooks still work, only
    // the broken one fails.
    let typo = "name: mine\ntitle: Mine\nsteps:\n  - id: a\n    note: hi\n  - id: b\n    scale:\n      kind: statefulset\n      namespace: trino\n      nmae: trino-worker\n      replicas: 3\n";
    assert_eq!(typo.lines().nth(9), Some("      nmae: trino-worker"));
    std::fs::write(dir.join("mine.yaml"), typo).unwrap();
    let located = format!("{file}:10:7: steps[1].scale: unknown field `nmae`");
    let (code, out) = run(None, data.path(), &["runbook", "list"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("trino-scale-up") && out.contains(&located),
        "{out}"
    );
    let (code, out) = run(None, data.path(), &["runbook", "show", "trino-scale-up"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Scale up Trino workers") && out.contains(&located),
        "{out}"
    );
    for cmd in ["show", "run"] {
        let (code, out) = run(None, data.path(), &["runbook", cmd, "mine"]);
        assert_eq!(code, 2, "{cmd}: {out}");
        assert!(out.contains(&located), "{cmd}: {out}");
        assert!(
            !out.contains("warning"),
            "{cmd}: the error, not a warning too: {out}"
        );
    }
    std::fs::write(
        dir.join("mine.yaml"),
        "name: mine\ntitle: Mine\nsteps:\n  - id: a\n    scael: {}\n",
    )
    .unwrap();
    let (code, out) = run(None, data.path(), &["runbook", "show", "mine"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(&format!("{file}:5:5: steps[0]: unknown field `scael`")),
        "{out}"
    );

    // A good user runbook overrides the shipped one of the same name.
    std::fs::write(
        dir.join("mine.yaml"),
        "name: trino-scale-up\ntitle: My scale-up\nsteps:\n  - id: a\n    note: hi\n",
    )
    .unwrap();
    let (code, out) = run(None, data.path(), &["runbook", "show", "trino-scale-up"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("My scale-up"), "{out}");
    // A broken one stays in the directory for the rest: running the shipped runbooks
    // gets past the catalog to their own parameter checks.
    std::fs::write(dir.join("mine.yaml"), typo).unwrap();

    let (code, out) = run(None, data.path(), &["runbook", "run", "no-such-book"]);
    assert_eq!(code, 2);
    assert!(
        out.contains("unknown runbook \"no-such-book\"") && out.contains("velero-restore-drill"),
        "{out}"
    );
    let (code, out) = run(
        None,
        data.path(),
        &[
            "runbook",
            "run",
            "velero-restore-drill",
            "--param",
            "nmespaces=a",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        out.contains("no parameter \"nmespaces\"") && out.contains("namespaces (namespace-list"),
        "{out}"
    );
    let (code, out) = run(
        None,
        data.path(),
        &["runbook", "run", "trino-scale-up", "--param", "replicas=99"],
    );
    assert_eq!(code, 2);
    assert!(out.contains("out of range; valid: 1..=30"), "{out}");
    let (code, out) = run(
        None,
        data.path(),
        &[
            "runbook",
            "run",
            "velero-restore-drill",
            "--param",
            "target_rto=soon",
        ],
    );
    assert_eq!(code, 2);
    assert!(out.contains("not a duration"), "{out}");
    let (code, out) = run(
        None,
        data.path(),
        &["runbook", "resume", "nope-20260101-000000-0000"],
    );
    assert_eq!(code, 2);
    assert!(out.contains("no run"), "{out}");
}

/// Runs `runbook run NAME --yes` against `lab` and returns the report (JSON).
fn run_to_report(
    lab: &LabProcess,
    data: &Path,
    name: &str,
    params: &[&str],
) -> (i32, String, Value) {
    let mut args = vec!["runbook", "run", name, "--context", "lakedeck-lab", "--yes"];
    for p in params {
        args.extend(["--param", p]);
    }
    let (code, out) = run(Some(lab), data, &args);
    let id = run_id(&out);
    (code, out.clone(), report_json(data, &id))
}

fn step<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id} in {report}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_not_ready_confirms_the_node_and_drains_it() {
    // node-failure at 10x: compute-3 goes NotReady after 60 simulated seconds.
    let lab = LabProcess::start(&["--scenario", "node-failure", "--speed", "10"]);
    let kube = client(&lab, "lakedeck-lab").await;
    let nodes: Api<k8s_openapi::api::core::v1::Node> = Api::all(kube.clone());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n = nodes.get("compute-3").await.unwrap();
        let ready = n
            .status
            .and_then(|s| s.conditions)
            .unwrap_or_default()
            .into_iter()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        if !ready {
            break;
        }
        assert!(Instant::now() < deadline, "compute-3 never went NotReady");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let data = tempfile::tempdir().unwrap();
    let (code, out, report) =
        run_to_report(&lab, data.path(), "node-not-ready", &["node=compute-3"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        step(&report, "state")["outcome"],
        "done",
        "the node is confirmed NotReady"
    );
    assert_eq!(step(&report, "drain")["outcome"], "done");
    let n = nodes.get("compute-3").await.unwrap();
    assert_eq!(
        n.spec.unwrap().unschedulable,
        Some(true),
        "cordoned by the run"
    );
    // Drained: every pod on compute-3 but the DaemonSets' is being evicted (the node is
    // down, so they stay Terminating until force-deleted).
    let pods: Api<Pod> = Api::all(kube.clone());
    let left: Vec<String> = pods
        .list(&ListParams::default().fields("spec.nodeName=compute-3"))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|p| {
            !p.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.kind == "DaemonSet")
                && p.metadata.deletion_timestamp.is_none()
        })
        .map(|p| p.metadata.name.unwrap_or_default())
        .collect();
    assert!(
        left.is_empty(),
        "pods the drain left on compute-3: {left:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minio_drive_offline_waits_until_the_drive_is_back() {
    // minio-disk-pressure at 10x: a drive goes offline at 5 s and is replaced at 10 min
    // (simulated), i.e. about a minute of wall time after the run starts.
    let lab = LabProcess::start(&["--scenario", "minio-disk-pressure", "--speed", "10"]);
    let kube = client(&lab, "lakedeck-lab").await;
    wait_promql(&kube, "max(minio_cluster_drive_offline_total)", |_, v| {
        v > 0.0
    })
    .await;
    let data = tempfile::tempdir().unwrap();
    let (code, out, report) = run_to_report(&lab, data.path(), "minio-drive-offline", &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        step(&report, "drives")["outcome"],
        "done",
        "a drive was reported offline: {out}"
    );
    assert_eq!(
        step(&report, "pods")["outcome"],
        "done",
        "the MinIO pods were checked: {out}"
    );
    assert_eq!(step(&report, "online")["outcome"], "done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_consumer_lag_restarts_the_consumers_and_sees_the_lag_come_down() {
    // kafka-lag-spike at 10x: connect-s3-sink falls behind within seconds and recovers
    // after four simulated minutes; the seed's crash-looping connect worker keeps the
    // Deployment at 1/2 Ready, which the runbook records without stopping.
    let lab = LabProcess::start(&["--scenario", "kafka-lag-spike", "--speed", "10"]);
    let kube = client(&lab, "lakedeck-lab").await;
    // The runbook's own query, default group and threshold (connect-s3-sink, 10000).
    wait_promql(
        &kube,
        "sum by (consumergroup, topic) (kafka_consumergroup_lag_sum)",
        |labels, v| labels["consumergroup"] == "connect-s3-sink" && v > 10_000.0,
    )
    .await;
    let data = tempfile::tempdir().unwrap();
    let (code, out, report) = run_to_report(
        &lab,
        data.path(),
        "kafka-consumer-lag",
        &["ready_timeout=15s"],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        step(&report, "lag")["outcome"],
        "done",
        "the lag was high: {out}"
    );
    assert_eq!(step(&report, "restart")["outcome"], "done");
    assert_eq!(step(&report, "catching_up")["outcome"], "done");
    let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap();
    assert!(audit.contains("\"op\":\"rollout-restart\""), "{audit}");
    // The cluster itself: the consumers' pod template carries the restart.
    let deployments: Api<k8s_openapi::api::apps::v1::Deployment> =
        Api::namespaced(kube.clone(), "kafka");
    let template = deployments
        .get("datalake-kafka-connect")
        .await
        .unwrap()
        .spec
        .unwrap()
        .template;
    assert!(
        template
            .metadata
            .and_then(|m| m.annotations)
            .is_some_and(|a| a.contains_key("kubectl.kubernetes.io/restartedAt")),
        "datalake-kafka-connect was not restarted"
    );
}
