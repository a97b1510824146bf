//! The lab behaves like a cluster over time, seen through kube-rs: pod lifecycle events,
//! a crash loop whose restart count grows, garbage collection of a deleted Deployment,
//! the `node-failure` scenario (NotReady, eviction, replacement elsewhere) and a Velero
//! restore that re-creates a namespace's workloads under a new name. Runs with a speed
//! factor so minutes of simulated time pass in seconds.
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
    // Its pods are evicted: kubectl shows them Unknown (NodeLost) until they are removed.
    eventually(30, "the lost pods to show Unknown", || {
        let pods = pods.clone();
        let names = names.clone();
        async move {
            let all = pods.list(&ListParams::default()).await.ok()?.items;
            let statuses: Vec<String> = all
                .iter()
                .filter(|p| p.metadata.name.as_ref().is_some_and(|n| names.contains(n)))
                .map(|p| lakedeck::model::pod_status::pod_columns(p).status)
                .collect();
            (!statuses.is_empty() && statuses.iter().all(|s| s == "Unknown")).then_some(())
        }
    })
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
