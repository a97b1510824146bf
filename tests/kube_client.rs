//! The lab against kube-rs, the client the cockpit uses: pagination, watch resume from a
//! resourceVersion, bookmarks, 410 Expired after the history is expired, continue-token
//! expiry, and kube-runtime's watcher surviving dropped watches and expired history
//! with no lost or duplicated objects. The lab runs in-process on a free port over HTTPS,
//! configured from the kubeconfig it writes — the same path a user's kubectl takes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{Api, ListParams, PostParams, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::watcher;
use kube::{Client, Config};
use lakedeck::lab::{Lab, LabOptions};

async fn lab(history: usize) -> Lab {
    Lab::start(LabOptions {
        history,
        ..LabOptions::default()
    })
    .await
    .expect("lab starts")
}

async fn client(lab: &Lab, context: &str) -> Client {
    let yaml = lakedeck::lab::kubeconfig::render(&lab.url, &lab.ca_pem, &lab.tokens);
    let kubeconfig = Kubeconfig::from_yaml(&yaml).unwrap();
    let options = KubeConfigOptions {
        context: Some(context.into()),
        ..Default::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .unwrap();
    Client::try_from(config).unwrap()
}

async fn fault(client: &Client, action: &str) {
    let req = http::Request::post(format!("/lakedeck/faults/{action}"))
        .body(Vec::new())
        .unwrap();
    client
        .request_text(req)
        .await
        .expect("fault endpoint answers");
}

fn config_map(name: &str) -> ConfigMap {
    serde_json::from_value(serde_json::json!({"metadata": {"name": name}, "data": {"k": "v"}}))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paginated_list_returns_every_pod_exactly_once() {
    let lab = lab(10_000).await;
    let client = client(&lab, "lakedeck-lab").await;
    let pods: Api<Pod> = Api::all(client);
    let everything: BTreeSet<String> = pods
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|p| {
            format!(
                "{}/{}",
                p.metadata.namespace.unwrap_or_default(),
                p.metadata.name.unwrap_or_default()
            )
        })
        .collect();
    assert!(everything.len() > 50, "the seed has dozens of pods");

    let mut paged = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut lp = ListParams::default().limit(7);
        if let Some(t) = &token {
            lp = lp.continue_token(t);
        }
        let page = pods.list(&lp).await.unwrap();
        assert!(page.items.len() <= 7);
        pages += 1;
        paged.extend(page.items.into_iter().map(|p| {
            format!(
                "{}/{}",
                p.metadata.namespace.unwrap_or_default(),
                p.metadata.name.unwrap_or_default()
            )
        }));
        token = page.metadata.continue_.filter(|c| !c.is_empty());
        if token.is_none() {
            break;
        }
        assert!(page.metadata.remaining_item_count.unwrap_or(0) > 0);
    }
    assert!(pages > 5, "pagination really happened ({pages} pages)");
    let unique: BTreeSet<String> = paged.iter().cloned().collect();
    assert_eq!(unique.len(), paged.len(), "no pod listed twice");
    assert_eq!(unique, everything, "pages add up to the full list");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_continue_token_is_410_with_a_fresh_token() {
    let lab = lab(10_000).await;
    let client = client(&lab, "lakedeck-lab").await;
    let pods: Api<Pod> = Api::all(client.clone());
    let first = pods.list(&ListParams::default().limit(5)).await.unwrap();
    let token = first.metadata.continue_.unwrap();
    fault(&client, "expire-history").await;
    match pods
        .list(&ListParams::default().limit(5).continue_token(&token))
        .await
    {
        Err(kube::Error::Api(status)) => {
            assert_eq!(status.code, 410);
            assert_eq!(status.reason, "Expired");
        }
        other => panic!("expected 410 Expired, got {other:?}"),
    }
    // kube's error drops the Status's metadata; read the response itself. The API server
    // puts a fresh token in `metadata.continue` (an inconsistent continuation).
    let req = http::Request::get(format!("/api/v1/pods?limit=5&continue={token}"))
        .body(Vec::new())
        .unwrap();
    let resp = client
        .send(req.map(kube::client::Body::from))
        .await
        .unwrap();
    assert_eq!(resp.status(), 410);
    let body = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let status: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status["kind"], "Status", "{status}");
    let fresh = status["metadata"]["continue"]
        .as_str()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| panic!("no fresh continue token in {status}"));
    assert_ne!(fresh, token, "the fresh token is a new one");
    // It works, and continues after the first page: no pod of it again, none before it.
    let rest = pods
        .list(&ListParams::default().limit(5).continue_token(fresh))
        .await
        .unwrap_or_else(|e| panic!("the fresh token is refused: {e}"));
    let key = |p: &Pod| {
        (
            p.metadata.namespace.clone().unwrap(),
            p.metadata.name.clone().unwrap(),
        )
    };
    let last = first.items.iter().map(key).max().unwrap();
    assert!(!rest.items.is_empty(), "the continuation is empty");
    for p in &rest.items {
        assert!(key(p) > last, "{:?} is not after {last:?}", key(p));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_resumes_from_a_resource_version_and_sends_bookmarks() {
    let lab = lab(10_000).await;
    let client = client(&lab, "lakedeck-lab").await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "trino");
    let rv = cms
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    // Changes made *before* the watch starts must be replayed from the history.
    cms.create(&PostParams::default(), &config_map("made-before-watch"))
        .await
        .unwrap();
    let mut stream = cms
        .watch(&WatchParams::default().timeout(30), &rv)
        .await
        .unwrap()
        .boxed();
    let mut seen_added = false;
    let mut seen_bookmark = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !(seen_added && seen_bookmark) {
        let ev = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("events before the deadline");
        match ev {
            Some(Ok(WatchEvent::Added(cm))) => {
                assert_eq!(cm.metadata.name.as_deref(), Some("made-before-watch"));
                seen_added = true;
            }
            Some(Ok(WatchEvent::Bookmark(b))) => {
                let bookmark_rv: u64 = b.metadata.resource_version.parse().unwrap();
                assert!(bookmark_rv >= rv.parse::<u64>().unwrap());
                seen_bookmark = true;
            }
            Some(Ok(other)) => panic!("unexpected event {other:?}"),
            Some(Err(e)) => panic!("watch error {e}"),
            None => panic!("watch ended early"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_after_the_history_expired_is_410_expired() {
    let lab = lab(10_000).await;
    let client = client(&lab, "lakedeck-lab").await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "trino");
    let rv = cms
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    cms.create(&PostParams::default(), &config_map("lost-in-history"))
        .await
        .unwrap();
    fault(&client, "expire-history").await;
    let mut stream = cms
        .watch(&WatchParams::default(), &rv)
        .await
        .unwrap()
        .boxed();
    match tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .unwrap()
    {
        Some(Ok(WatchEvent::Error(status))) => {
            assert_eq!(status.code, 410);
            assert_eq!(status.reason, "Expired");
        }
        other => panic!("expected an in-stream 410 Expired, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_history_overflows_into_410_like_a_compacted_etcd() {
    // A lab keeping only 5 events: 10 writes later, the old version is gone.
    let lab = lab(5).await;
    let client = client(&lab, "lakedeck-lab").await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "trino");
    let rv = cms
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    for i in 0..10 {
        cms.create(&PostParams::default(), &config_map(&format!("burst-{i}")))
            .await
            .unwrap();
    }
    let mut stream = cms
        .watch(&WatchParams::default(), &rv)
        .await
        .unwrap()
        .boxed();
    match tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .unwrap()
    {
        Some(Ok(WatchEvent::Error(status))) => assert_eq!(status.code, 410),
        other => panic!("expected 410, got {other:?}"),
    }
}

/// Applies watcher events to a name → resourceVersion map, as a cockpit store would.
fn apply(
    state: &mut BTreeMap<String, String>,
    pending: &mut Option<BTreeMap<String, String>>,
    ev: watcher::Event<ConfigMap>,
) {
    let key = |cm: &ConfigMap| cm.metadata.name.clone().unwrap_or_default();
    let rv = |cm: &ConfigMap| cm.metadata.resource_version.clone().unwrap_or_default();
    match ev {
        watcher::Event::Init => *pending = Some(BTreeMap::new()),
        watcher::Event::InitApply(cm) => {
            if let Some(p) = pending.as_mut() {
                assert!(
                    p.insert(key(&cm), rv(&cm)).is_none(),
                    "re-list must not yield an object twice"
                );
            }
        }
        watcher::Event::InitDone => {
            if let Some(p) = pending.take() {
                *state = p;
            }
        }
        watcher::Event::Apply(cm) => {
            state.insert(key(&cm), rv(&cm));
        }
        watcher::Event::Delete(cm) => {
            state.remove(&key(&cm));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_runtime_watcher_survives_dropped_watches_and_expired_history() {
    let lab = lab(10_000).await;
    let client = client(&lab, "lakedeck-lab").await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "kafka");
    let mut events = watcher(cms.clone(), watcher::Config::default()).boxed();
    let mut state = BTreeMap::new();
    let mut pending = None;
    let mut inits = 0;

    let mut drain = async |state: &mut BTreeMap<String, String>,
                           pending: &mut Option<BTreeMap<String, String>>,
                           inits: &mut i32,
                           until: &dyn Fn(&BTreeMap<String, String>) -> bool| {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !(until(state) && pending.is_none()) {
            let ev = tokio::time::timeout_at(deadline, events.try_next())
                .await
                .expect("watcher progresses");
            match ev {
                Ok(Some(ev)) => {
                    if matches!(ev, watcher::Event::Init) {
                        *inits += 1;
                    }
                    apply(state, pending, ev);
                }
                Ok(None) => panic!("watcher ended"),
                // The watcher reports errors and retries with backoff; that is its job.
                Err(_) => {}
            }
        }
    };

    drain(&mut state, &mut pending, &mut inits, &|s| {
        s.contains_key("kube-root-ca.crt")
    })
    .await;
    assert_eq!(inits, 1);

    // 1. Dropped watch: the watcher resumes and sees the change.
    fault(&client, "drop-watches").await;
    cms.create(&PostParams::default(), &config_map("after-drop"))
        .await
        .unwrap();
    drain(&mut state, &mut pending, &mut inits, &|s| {
        s.contains_key("after-drop")
    })
    .await;

    // 2. Dropped watch + expired history + a change in the gap: a re-list recovers it.
    fault(&client, "drop-watches").await;
    fault(&client, "expire-history").await;
    cms.create(&PostParams::default(), &config_map("during-outage"))
        .await
        .unwrap();
    cms.delete("after-drop", &Default::default()).await.unwrap();
    drain(&mut state, &mut pending, &mut inits, &|s| {
        s.contains_key("during-outage") && !s.contains_key("after-drop")
    })
    .await;
    assert!(
        inits >= 2,
        "the watcher re-listed after 410 ({inits} inits)"
    );

    let truth: BTreeMap<String, String> = cms
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|cm| {
            (
                cm.metadata.name.unwrap_or_default(),
                cm.metadata.resource_version.unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(state, truth, "no lost or duplicated objects after recovery");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_is_forbidden_to_write_and_anonymous_is_unauthorized() {
    let lab = lab(10_000).await;
    let viewer = client(&lab, "lakedeck-lab-viewer").await;
    let cms: Api<ConfigMap> = Api::namespaced(viewer.clone(), "trino");
    assert!(
        cms.list(&ListParams::default()).await.is_ok(),
        "viewer may read"
    );
    match cms
        .create(&PostParams::default(), &config_map("nope"))
        .await
    {
        Err(kube::Error::Api(s)) => {
            assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
            assert!(
                s.message
                    .contains("User \"viewer\" cannot create resource \"configmaps\""),
                "{}",
                s.message
            );
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
    // The fault endpoint is admin-only.
    let req = http::Request::post("/lakedeck/faults/drop-watches")
        .body(Vec::new())
        .unwrap();
    match viewer.request_text(req).await {
        Err(kube::Error::Api(s)) => {
            assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
            assert!(
                s.message
                    .contains("User \"viewer\" cannot use the lab's fault endpoint"),
                "{}",
                s.message
            );
        }
        other => panic!("expected Forbidden from the fault endpoint, got {other:?}"),
    }

    let mut anonymous = Config::new(lab.url.parse().unwrap());
    anonymous.accept_invalid_certs = true;
    let anonymous = Client::try_from(anonymous).unwrap();
    match Api::<Pod>::all(anonymous)
        .list(&ListParams::default())
        .await
    {
        Err(kube::Error::Api(s)) => assert_eq!((s.code, s.reason.as_str()), (401, "Unauthorized")),
        other => panic!("expected 401, got {other:?}"),
    }
}
