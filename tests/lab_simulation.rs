//! The lab behaves like a cluster over time, seen through kube-rs: pod lifecycle events,
//! a crash loop whose restart count grows, garbage collection of a deleted Deployment,
//! the `node-failure` scenario (NotReady, eviction, replacement elsewhere) and a Velero
//! restore that re-creates a namespace's workloads under a new name, Velero item progress
//! and a drill restore at the default speed, evictions against PodDisruptionBudgets (the
//! API server's 429, over plain HTTPS) and an ExternalSecret force-sync. Runs with a
//! speed factor where minutes of simulated time must pass in seconds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::{Client, Config};
use lakedeck::lab::{Lab, LabOptions};

async fn lab(scenario: &str, speed: f64) -> (Lab, Client) {
    let lab = Lab::start(LabOptions {
        scenario: scenario.into(),
        speed,
        ..LabOptions::default()
    })
    .await
    .expect("lab starts");
    let yaml = lakedeck::lab::kubeconfig::render(&lab.url, &lab.ca_pem, &lab.tokens);
    let config = Config::from_custom_kubeconfig(
        Kubeconfig::from_yaml(&yaml).unwrap(),
        &KubeConfigOptions::default(),
    )
    .await
    .unwrap();
    let client = Client::try_from(config).unwrap();
    (lab, client)
}

/// Polls `check` every 200 ms until it returns Some, or fails after `secs`.
async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_pod_is_killed_replaced_and_its_replacement_goes_through_the_kubelet_events() {
    let (_lab, client) = lab("seed", 1.0).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "trino");
    let old_uid = pods.get("trino-worker-0").await.unwrap().metadata.uid;
    pods.delete("trino-worker-0", &DeleteParams::default())
        .await
        .unwrap();
    let fresh = eventually(20, "a new trino-worker-0 Ready", || {
        let pods = pods.clone();
        let old_uid = old_uid.clone();
        async move {
            pods.get_opt("trino-worker-0")
                .await
                .ok()
                .flatten()
                .filter(|p| p.metadata.uid != old_uid && ready(p))
        }
    })
    .await;
    let events: Api<Event> = Api::namespaced(client, "trino");
    let reasons_for = |uid: Option<String>, list: &[Event]| -> Vec<String> {
        list.iter()
            .filter(|e| e.involved_object.uid == uid)
            .filter_map(|e| e.reason.clone())
            .collect()
    };
    let all = events.list(&ListParams::default()).await.unwrap().items;
    assert!(reasons_for(old_uid, &all).contains(&"Killing".to_string()));
    let new_reasons = reasons_for(fresh.metadata.uid, &all);
    for reason in ["Scheduled", "Pulled", "Created", "Started"] {
        assert!(
            new_reasons.iter().any(|r| r == reason),
            "{reason} missing from {new_reasons:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_crash_loop_keeps_restarting_with_back_off_events() {
    let (_lab, client) = lab("seed", 20.0).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "kafka");
    let restarts = |p: &Pod| {
        p.status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .map_or(0, |cs| cs[0].restart_count)
    };
    let looping = pods
        .list(&ListParams::default().labels("strimzi.io/kind=KafkaConnect"))
        .await
        .unwrap()
        .items
        .into_iter()
        .max_by_key(restarts)
        .unwrap();
    let before = restarts(&looping);
    assert!(before >= 7);
    let name = looping.metadata.name.clone().unwrap();
    eventually(20, "the restart count to grow", || {
        let pods = pods.clone();
        let name = name.clone();
        async move { pods.get(&name).await.ok().filter(|p| restarts(p) > before) }
    })
    .await;
    let events: Api<Event> = Api::namespaced(client, "kafka");
    let back_off = events
        .list(&ListParams::default().fields(&format!("involvedObject.name={name},reason=BackOff")))
        .await
        .unwrap()
        .items;
    assert!(
        !back_off.is_empty(),
        "BackOff events for the crash-looping pod"
    );
    assert_eq!(back_off[0].type_.as_deref(), Some("Warning"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_deployment_garbage_collects_its_replicasets_and_pods() {
    let (_lab, client) = lab("seed", 1.0).await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "nessie");
    let sets: Api<ReplicaSet> = Api::namespaced(client.clone(), "nessie");
    let pods: Api<Pod> = Api::namespaced(client, "nessie");
    assert_eq!(
        pods.list(&ListParams::default()).await.unwrap().items.len(),
        2
    );
    deployments
        .delete("nessie", &DeleteParams::default())
        .await
        .unwrap();
    eventually(15, "nessie's ReplicaSets and pods to go", || {
        let (sets, pods) = (sets.clone(), pods.clone());
        async move {
            let rs = sets.list(&ListParams::default()).await.ok()?.items.len();
            let p = pods.list(&ListParams::default()).await.ok()?.items.len();
            (rs == 0 && p == 0).then_some(())
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_failure_scenario_evicts_and_replaces_the_lost_nodes_pods() {
    // 60 simulated seconds before the failure, 30 more before eviction: ~4.5 s at 20x.
    let (_lab, client) = lab("node-failure", 20.0).await;
    let nodes: Api<Node> = Api::all(client.clone());
    let pods: Api<Pod> = Api::all(client.clone());
    let on_compute_3 = ListParams::default().fields("spec.nodeName=compute-3");
    let lost_before: Vec<Pod> = pods
        .list(&on_compute_3)
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|p| {
            p.metadata
                .owner_references
                .as_ref()
                .is_some_and(|o| o[0].kind == "ReplicaSet")
        })
        .collect();
    assert!(
        !lost_before.is_empty(),
        "the seed places Deployment pods on compute-3"
    );
    let names: Vec<String> = lost_before
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    let owners: Vec<(String, String)> = lost_before
        .iter()
        .map(|p| {
            (
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.owner_references.as_ref().unwrap()[0]
                    .name
                    .clone(),
            )
        })
        .collect();

    eventually(30, "compute-3 NotReady", || {
        let nodes = nodes.clone();
        async move {
            let n = nodes.get("compute-3").await.ok()?;
            let cond = n
                .status?
                .conditions?
                .into_iter()
                .find(|c| c.type_ == "Ready")?;
            (cond.status == "Unknown").then_some(())
        }
    })
    .await;
    // Its pods are evicted: being deleted with `status.reason: NodeLost`, which kubectl
    // prints as Unknown, until they are removed. Checked on the object's fields, not through
    // our printer (that would test the printer with itself).
    eventually(
        30,
        "the lost pods to be deleted with reason NodeLost",
        || {
            let pods = pods.clone();
            let names = names.clone();
            async move {
                let all = pods.list(&ListParams::default()).await.ok()?.items;
                let lost: Vec<bool> = all
                    .iter()
                    .filter(|p| p.metadata.name.as_ref().is_some_and(|n| names.contains(n)))
                    .map(|p| {
                        p.metadata.deletion_timestamp.is_some()
                            && p.status.as_ref().and_then(|s| s.reason.as_deref())
                                == Some("NodeLost")
                    })
                    .collect();
                (!lost.is_empty() && lost.iter().all(|l| *l)).then_some(())
            }
        },
    )
    .await;
    // Their ReplicaSets bring them back elsewhere.
    for (ns, rs) in owners {
        let sets: Api<ReplicaSet> = Api::namespaced(client.clone(), &ns);
        let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
        eventually(30, &format!("{ns}/{rs} fully ready off compute-3"), || {
            let (sets, pods, rs) = (sets.clone(), pods.clone(), rs.clone());
            async move {
                let want = sets.get(&rs).await.ok()?.spec?.replicas?;
                let ready_elsewhere = pods
                    .list(&ListParams::default())
                    .await
                    .ok()?
                    .items
                    .iter()
                    .filter(|p| {
                        p.metadata
                            .owner_references
                            .as_ref()
                            .is_some_and(|o| o[0].name == rs)
                    })
                    .filter(|p| {
                        ready(p)
                            && p.spec.as_ref().and_then(|s| s.node_name.as_deref())
                                != Some("compute-3")
                    })
                    .count();
                (ready_elsewhere as i32 >= want).then_some(())
            }
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn velero_restore_recreates_a_namespace_under_its_mapped_name() {
    let (_lab, client) = lab("seed", 10.0).await;
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("velero.io", "v1", "Backup"),
        "backups",
    );
    let backups: Api<DynamicObject> = Api::namespaced_with(client.clone(), "velero", &ar);
    let latest = backups
        .list(&ListParams::default().labels("velero.io/schedule-name=nightly"))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|b| b.data["status"]["phase"] == "Completed")
        .filter_map(|b| b.metadata.name)
        .max()
        .unwrap();
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("velero.io", "v1", "Restore"),
        "restores",
    );
    let restores: Api<DynamicObject> = Api::namespaced_with(client.clone(), "velero", &ar);
    let restore: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "velero.io/v1", "kind": "Restore",
        "metadata": {"name": "drill-trino", "namespace": "velero"},
        "spec": {"backupName": latest, "includedNamespaces": ["trino"], "namespaceMapping": {"trino": "trino-drill"}},
    }))
    .unwrap();
    restores
        .create(&PostParams::default(), &restore)
        .await
        .unwrap();
    eventually(30, "the restore to complete", || {
        let restores = restores.clone();
        async move {
            let r = restores.get("drill-trino").await.ok()?;
            (r.data["status"]["phase"] == "Completed").then_some(())
        }
    })
    .await;
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), "trino-drill");
    let worker = sts
        .get("trino-worker")
        .await
        .expect("the StatefulSet was restored");
    let labels = worker.metadata.labels.unwrap_or_default();
    assert_eq!(
        labels.get("velero.io/restore-name").map(String::as_str),
        Some("drill-trino")
    );
    // The restored workloads come up: their controllers start pods in the new namespace.
    let pods: Api<Pod> = Api::namespaced(client, "trino-drill");
    eventually(30, "a restored trino worker running", || {
        let pods = pods.clone();
        async move {
            pods.get_opt("trino-worker-0")
                .await
                .ok()
                .flatten()
                .filter(ready)
        }
    })
    .await;
}

/// Plain HTTPS to the lab as one of its users, without kube-rs (whose client retries
/// 429 answers, which would hide the API server's TooManyRequests).
#[derive(Clone)]
struct Raw {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Raw {
    fn new(lab: &Lab, viewer: bool) -> Raw {
        lakedeck::endpoints::http::use_ring_crypto();
        let http = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(lab.ca_pem.as_bytes()).unwrap())
            .build()
            .unwrap();
        let token = if viewer {
            lab.tokens.viewer.clone()
        } else {
            lab.tokens.admin.clone()
        };
        Raw {
            http,
            url: lab.url.clone(),
            token,
        }
    }
}

/// (status, JSON body) of one request; PATCH bodies are JSON merge patches.
async fn raw(
    who: &Raw,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let content_type = if method == "PATCH" {
        "application/merge-patch+json"
    } else {
        "application/json"
    };
    let mut req = who
        .http
        .request(method.parse().unwrap(), format!("{}{path}", who.url))
        .bearer_auth(&who.token)
        .header("Content-Type", content_type);
    if let Some(b) = body {
        req = req.body(serde_json::to_vec(&b).unwrap());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

fn pdb_path(ns: &str, name: &str) -> String {
    format!("/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets/{name}")
}

fn eviction(version: &str, pod: &str, dry_run: bool) -> serde_json::Value {
    let mut e = serde_json::json!({"apiVersion": version, "kind": "Eviction",
        "metadata": {"name": pod, "namespace": "trino"}});
    if dry_run {
        e["deleteOptions"] = serde_json::json!({"dryRun": ["All"]});
    }
    e
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eviction_honours_the_disruption_budget_like_the_api_server() {
    let (lab, client) = lab("seed", 1.0).await;
    let admin = Raw::new(&lab, false);
    let evict = |pod: &str| format!("/api/v1/namespaces/trino/pods/{pod}/eviction");
    // Discovery lists the subresource the way kubectl drain looks for it.
    let (_, core) = raw(&admin, "GET", "/api/v1", None).await;
    let entry = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "pods/eviction")
        .cloned()
        .unwrap();
    assert_eq!(
        (&entry["group"], &entry["version"], &entry["kind"]),
        (&"policy".into(), &"v1".into(), &"Eviction".into())
    );
    // The seeded budget: 3 workers, maxUnavailable 1.
    let (_, pdb) = raw(&admin, "GET", &pdb_path("trino", "trino-worker"), None).await;
    assert_eq!(pdb["spec"]["maxUnavailable"], 1);
    assert_eq!(pdb["status"]["expectedPods"], 3);
    assert_eq!(pdb["status"]["desiredHealthy"], 2);
    assert_eq!(pdb["status"]["disruptionsAllowed"], 1);
    let (_, minio) = raw(&admin, "GET", &pdb_path("minio", "datalake"), None).await;
    assert_eq!(minio["spec"]["minAvailable"], 3);
    assert_eq!(minio["status"]["currentHealthy"], 4);

    // The viewer may not evict, and its access review says so.
    let viewer = Raw::new(&lab, true);
    let (code, body) = raw(
        &viewer,
        "POST",
        &evict("trino-worker-0"),
        Some(eviction("policy/v1", "trino-worker-0", false)),
    )
    .await;
    assert_eq!(
        (code, &body["reason"]),
        (403, &"Forbidden".into()),
        "{body}"
    );
    let review = serde_json::json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"namespace": "trino", "verb": "create", "resource": "pods", "subresource": "eviction"}}});
    let ssar = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    let (_, answer) = raw(&viewer, "POST", ssar, Some(review.clone())).await;
    assert_eq!(answer["status"]["allowed"], false);
    let (_, answer) = raw(&admin, "POST", ssar, Some(review)).await;
    assert_eq!(answer["status"]["allowed"], true);

    // Dry run: 201, nothing changes.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "trino");
    let uid = pods.get("trino-worker-0").await.unwrap().metadata.uid;
    let (code, body) = raw(
        &admin,
        "POST",
        &format!("{}?dryRun=All", evict("trino-worker-0")),
        Some(eviction("policy/v1", "trino-worker-0", false)),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let (code, _) = raw(
        &admin,
        "POST",
        &evict("trino-worker-0"),
        Some(eviction("policy/v1", "trino-worker-0", true)),
    )
    .await;
    assert_eq!(code, 201);
    let still = pods.get("trino-worker-0").await.unwrap();
    assert_eq!(still.metadata.uid, uid);
    assert!(still.metadata.deletion_timestamp.is_none());
    let (_, pdb) = raw(&admin, "GET", &pdb_path("trino", "trino-worker"), None).await;
    assert_eq!(pdb["status"]["disruptionsAllowed"], 1);

    // A real eviction (policy/v1beta1 is accepted too): 201 and a graceful delete.
    let (code, body) = raw(
        &admin,
        "POST",
        &evict("trino-worker-0"),
        Some(eviction("policy/v1beta1", "trino-worker-0", false)),
    )
    .await;
    assert_eq!((code, &body["status"]), (201, &"Success".into()), "{body}");
    let gone = pods.get_opt("trino-worker-0").await.unwrap();
    assert!(gone.is_none_or(|p| p.metadata.uid != uid || p.metadata.deletion_timestamp.is_some()));

    // The budget is used up: the next eviction gets the API server's 429.
    eventually(10, "the budget to count 2 healthy workers", || {
        let admin = admin.clone();
        async move {
            let (_, pdb) = raw(&admin, "GET", &pdb_path("trino", "trino-worker"), None).await;
            (pdb["status"]["currentHealthy"] == 2 && pdb["status"]["disruptionsAllowed"] == 0)
                .then_some(())
        }
    })
    .await;
    let (code, body) = raw(
        &admin,
        "POST",
        &evict("trino-worker-1"),
        Some(eviction("policy/v1", "trino-worker-1", false)),
    )
    .await;
    assert_eq!(code, 429, "{body}");
    assert_eq!(body["kind"], "Status");
    assert_eq!(body["reason"], "TooManyRequests");
    assert_eq!(
        body["message"],
        "Cannot evict pod as it would violate the pod's disruption budget."
    );
    assert_eq!(
        body["details"]["causes"],
        serde_json::json!([{"reason": "DisruptionBudget",
            "message": "The disruption budget trino-worker needs 2 healthy pods and has 2 currently"}])
    );
    // Once the replacement is Ready the budget allows one disruption again.
    eventually(30, "the budget to recover", || {
        let admin = admin.clone();
        async move {
            let (_, pdb) = raw(&admin, "GET", &pdb_path("trino", "trino-worker"), None).await;
            (pdb["status"]["disruptionsAllowed"] == 1).then_some(())
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn velero_backup_and_restore_show_progress_and_a_drill_restore_finishes_in_seconds() {
    // The lab's default speed: a restore and its pods must be done well within a minute.
    let (lab, client) = lab("seed", 1.0).await;
    let admin = Raw::new(&lab, false);
    let gvk = |kind: &str, plural: &str| {
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("velero.io", "v1", kind), plural)
    };
    let backups: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "velero", &gvk("Backup", "backups"));
    let restores: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "velero", &gvk("Restore", "restores"));
    let schedules: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "velero", &gvk("Schedule", "schedules"));
    // The seed: schedule nightly, its newest Completed backup from last night (lab clock).
    let nightly = schedules.get("nightly").await.unwrap();
    let now = lab.store.clock.now();
    let latest = backups
        .list(&ListParams::default().labels("velero.io/schedule-name=nightly"))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|b| b.data["status"]["phase"] == "Completed")
        .max_by_key(|b| {
            b.data["status"]["completionTimestamp"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .unwrap();
    let done: jiff::Timestamp = latest.data["status"]["completionTimestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let age = now.duration_since(done).as_secs();
    assert!((0..26 * 3600).contains(&age), "last backup {age}s old");
    let covered: Vec<String> =
        serde_json::from_value(latest.data["spec"]["includedNamespaces"].clone()).unwrap();
    assert!(covered.contains(&"nessie".to_string()) && covered.contains(&"trino".to_string()));

    // A backup made from the schedule (as `velero backup create --from-schedule` does).
    let mut backup: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "velero.io/v1", "kind": "Backup",
        "metadata": {"name": "nightly-manual", "namespace": "velero", "labels": {"velero.io/schedule-name": "nightly"}},
    }))
    .unwrap();
    backup.data["spec"] = nightly.data["spec"]["template"].clone();
    backups
        .create(&PostParams::default(), &backup)
        .await
        .unwrap();

    // A drill: the namespace exists first, with the cockpit's labels.
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    let ns: k8s_openapi::api::core::v1::Namespace = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "drill-test-nessie", "labels": {"lakedeck.io/drill-run": "run-1", "lakedeck.io/drill-source": "nessie"}}
    }))
    .unwrap();
    namespaces
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
    let restore: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "velero.io/v1", "kind": "Restore",
        "metadata": {"name": "drill-nessie", "namespace": "velero"},
        "spec": {"backupName": latest.metadata.name, "includedNamespaces": ["nessie"],
                 "namespaceMapping": {"nessie": "drill-test-nessie"}},
    }))
    .unwrap();
    restores
        .create(&PostParams::default(), &restore)
        .await
        .unwrap();

    // Both show item progress while InProgress.
    let (mut backup_partial, mut restore_partial) = (false, false);
    let pods: Api<Pod> = Api::namespaced(client.clone(), "drill-test-nessie");
    let deadline = std::time::Instant::now() + Duration::from_secs(45);
    loop {
        let b = backups.get("nightly-manual").await.unwrap().data;
        let r = restores.get("drill-nessie").await.unwrap().data;
        let p = &b["status"]["progress"];
        if b["status"]["phase"] == "InProgress"
            && p["itemsBackedUp"].as_u64() > Some(0)
            && p["itemsBackedUp"].as_u64() < p["totalItems"].as_u64()
        {
            backup_partial = true;
        }
        let p = &r["status"]["progress"];
        if r["status"]["phase"] == "InProgress"
            && p["itemsRestored"].as_u64() < p["totalItems"].as_u64()
        {
            restore_partial = true;
        }
        let ready = pods
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .iter()
            .filter(|p| ready(p))
            .count();
        if r["status"]["phase"] == "Completed" && ready == 2 {
            assert_eq!(p["itemsRestored"], p["totalItems"]);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "restore: {r}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // On the lab's clock, not this (shared, maybe loaded) machine's: from the Restore's
    // creation to the last of its pods turning Ready.
    let created = restores
        .get("drill-nessie")
        .await
        .unwrap()
        .metadata
        .creation_timestamp
        .unwrap()
        .0;
    let ready_at = pods
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .iter()
        .filter_map(|p| {
            p.status
                .as_ref()?
                .conditions
                .as_ref()?
                .iter()
                .find(|c| c.type_ == "Ready" && c.status == "True")?
                .last_transition_time
                .as_ref()
                .map(|t| t.0)
        })
        .max()
        .unwrap();
    let restore_secs = ready_at.duration_since(created).as_secs();
    assert!(
        (0..40).contains(&restore_secs),
        "restore and pods took {restore_secs}s of the lab's clock"
    );
    assert!(restore_partial, "restore progress was never seen mid-way");
    let labels = namespaces
        .get("drill-test-nessie")
        .await
        .unwrap()
        .metadata
        .labels
        .unwrap();
    assert_eq!(
        labels.get("lakedeck.io/drill-run").map(String::as_str),
        Some("run-1")
    );
    eventually(30, "the backup to complete", || {
        let backups = backups.clone();
        async move {
            let b = backups.get("nightly-manual").await.ok()?.data;
            let p = &b["status"]["progress"];
            (b["status"]["phase"] == "Completed" && p["itemsBackedUp"] == p["totalItems"])
                .then_some(())
        }
    })
    .await;
    assert!(backup_partial, "backup progress was never seen mid-way");

    // Drill clean-up: deleting the namespace removes everything in it, then itself.
    namespaces
        .delete("drill-test-nessie", &DeleteParams::default())
        .await
        .unwrap();
    eventually(20, "the drill namespace to go", || {
        let namespaces = namespaces.clone();
        async move {
            namespaces
                .get_opt("drill-test-nessie")
                .await
                .ok()?
                .is_none()
                .then_some(())
        }
    })
    .await;
    for r in lakedeck::lab::resources::RESOURCES
        .iter()
        .filter(|r| r.namespaced && !r.virtual_kind)
    {
        let path = if r.group.is_empty() {
            format!("/api/v1/namespaces/drill-test-nessie/{}", r.plural)
        } else {
            format!(
                "/apis/{}/{}/namespaces/drill-test-nessie/{}",
                r.group, r.version, r.plural
            )
        };
        let (_, list) = raw(&admin, "GET", &path, None).await;
        assert_eq!(
            list["items"].as_array().map_or(0, Vec::len),
            0,
            "{} left in the deleted namespace",
            r.plural
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_secret_force_sync_writes_new_values_after_a_few_seconds() {
    let (lab, _client) = lab("seed", 1.0).await;
    let admin = Raw::new(&lab, false);
    let es_path =
        "/apis/external-secrets.io/v1/namespaces/trino/externalsecrets/trino-catalog-credentials";
    let secret_path = "/api/v1/namespaces/trino/secrets/trino-catalog-credentials";
    let (_, es) = raw(&admin, "GET", es_path, None).await;
    assert_eq!(es["status"]["conditions"][0]["reason"], "SecretSynced");
    assert_eq!(es["status"]["binding"]["name"], "trino-catalog-credentials");
    let (_, secret) = raw(&admin, "GET", secret_path, None).await;
    assert_eq!(
        secret["metadata"]["labels"]["reconcile.external-secrets.io/managed"],
        "true"
    );
    assert_eq!(
        secret["metadata"]["ownerReferences"][0]["kind"],
        "ExternalSecret"
    );
    let before = secret["data"].clone();
    let synced = es["status"]["syncedResourceVersion"].clone();
    // Force a sync the documented way: bump an annotation.
    let patch =
        |value: &str| serde_json::json!({"metadata": {"annotations": {"force-sync": value}}});
    let asked = std::time::Instant::now();
    raw(&admin, "PATCH", es_path, Some(patch("1"))).await;
    let (_, es) = raw(&admin, "GET", es_path, None).await;
    assert_eq!(
        es["status"]["syncedResourceVersion"], synced,
        "not synced at once"
    );
    let es = eventually(15, "the ExternalSecret to sync", || {
        let admin = admin.clone();
        let synced = synced.clone();
        async move {
            let (_, es) = raw(&admin, "GET", es_path, None).await;
            (es["status"]["syncedResourceVersion"] != synced).then_some(es)
        }
    })
    .await;
    let took = asked.elapsed().as_secs_f64();
    assert!((2.0..10.0).contains(&took), "sync took {took}s");
    assert_eq!(es["status"]["conditions"][0]["type"], "Ready");
    assert_eq!(es["status"]["conditions"][0]["status"], "True");
    assert_eq!(es["status"]["conditions"][0]["reason"], "SecretSynced");
    let (_, secret) = raw(&admin, "GET", secret_path, None).await;
    let after = &secret["data"];
    let keys = |d: &serde_json::Value| d.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(after), keys(&before));
    // Compared, never printed: the values are secret.
    for k in keys(&before) {
        assert!(after[&k] != before[&k], "key {k} was not rotated");
    }
    // refreshPolicy CreatedOnce: no refresh after the first sync, whatever changes.
    raw(
        &admin,
        "PATCH",
        es_path,
        Some(serde_json::json!({"spec": {"refreshPolicy": "CreatedOnce"}})),
    )
    .await;
    raw(&admin, "PATCH", es_path, Some(patch("2"))).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (_, again) = raw(&admin, "GET", secret_path, None).await;
    assert!(again["data"] == *after, "CreatedOnce must not rotate again");
}
