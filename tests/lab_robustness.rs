//! Bad input gets a Kubernetes `Status`, never a crash or a hang: malformed bodies,
//! patches and queries, unknown paths and methods, garbage fired in bulk — after which
//! the lab still serves. Also the fault endpoint's 503 period and latency, and the
//! command line's own bad input (unknown scenario, broken scenario file, port in use,
//! non-loopback address), checked on the real binary's exit code and message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use kube::client::Body;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use lakedeck::lab::{Lab, LabOptions};
use serde_json::Value;

async fn lab() -> (Lab, Client) {
    let lab = Lab::start(LabOptions::default()).await.expect("lab starts");
    let yaml = lakedeck::lab::kubeconfig::render(&lab.url, &lab.ca_pem, &lab.tokens);
    let mut config = Config::from_custom_kubeconfig(
        Kubeconfig::from_yaml(&yaml).unwrap(),
        &KubeConfigOptions::default(),
    )
    .await
    .unwrap();
    // kube-rs retries 503s by default, which would hide the injected outage from us.
    config.default_retry = false;
    let client = Client::try_from(config).unwrap();
    (lab, client)
}

/// Sends a raw request; returns (status code, body as JSON if it is JSON).
async fn raw(
    client: &Client,
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, Option<Value>) {
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("Content-Type", content_type)
        .body(Body::from(body.to_vec()))
        .unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(10), client.send(req))
        .await
        .expect("the lab answers, never hangs")
        .expect("transport works");
    let code = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (code, serde_json::from_slice(&bytes).ok())
}

fn assert_status(got: &(u16, Option<Value>), code: u16, reason: &str) {
    let (c, body) = got;
    let body = body
        .as_ref()
        .unwrap_or_else(|| panic!("a JSON Status body for {code} {reason}"));
    assert_eq!(*c, code, "{body}");
    assert_eq!(body["kind"], "Status", "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["reason"], reason, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message says what went wrong: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_kubernetes_status_errors() {
    let (_lab, c) = lab().await;
    let json = "application/json";
    let merge = "application/merge-patch+json";
    let pods = "/api/v1/namespaces/trino/pods";
    assert_status(
        &raw(&c, "POST", pods, json, b"{not json").await,
        400,
        "BadRequest",
    );
    assert_status(&raw(&c, "POST", pods, json, b"").await, 400, "BadRequest");
    assert_status(
        &raw(&c, "POST", pods, json, b"[1,2]").await,
        400,
        "BadRequest",
    );
    assert_status(
        &raw(
            &c,
            "POST",
            pods,
            json,
            br#"{"metadata":{"name":"Bad_Name"},"spec":{"containers":[]}}"#,
        )
        .await,
        422,
        "Invalid",
    );
    assert_status(
        &raw(
            &c,
            "POST",
            pods,
            json,
            br#"{"kind":"Service","metadata":{"name":"x"}}"#,
        )
        .await,
        400,
        "BadRequest",
    );
    assert_status(
        &raw(
            &c,
            "POST",
            "/api/v1/namespaces/nope/configmaps",
            json,
            br#"{"metadata":{"name":"x"}}"#,
        )
        .await,
        404,
        "NotFound",
    );
    assert_status(
        &raw(
            &c,
            "POST",
            "/api/v1/namespaces/trino/configmaps",
            json,
            br#"{"metadata":{"name":"trino-config"}}"#,
        )
        .await,
        409,
        "AlreadyExists",
    );
    assert_status(
        &raw(&c, "GET", "/api/v1/namespaces/trino/pods/nope", json, b"").await,
        404,
        "NotFound",
    );
    assert_status(
        &raw(&c, "GET", "/api/v1/widgets", json, b"").await,
        404,
        "NotFound",
    );
    assert_status(
        &raw(&c, "GET", "/definitely/not/kubernetes", json, b"").await,
        404,
        "NotFound",
    );
    assert_status(
        &raw(&c, "PUT", pods, json, b"{}").await,
        405,
        "MethodNotAllowed",
    );
    assert_status(
        &raw(&c, "GET", "/api/v1/pods?limit=lots", json, b"").await,
        400,
        "BadRequest",
    );
    assert_status(
        &raw(
            &c,
            "GET",
            "/api/v1/pods?labelSelector=a%3D%3D%3Db",
            json,
            b"",
        )
        .await,
        400,
        "BadRequest",
    );
    assert_status(
        &raw(
            &c,
            "GET",
            "/api/v1/pods?fieldSelector=spec.bogus%3D1",
            json,
            b"",
        )
        .await,
        400,
        "BadRequest",
    );
    assert_status(
        &raw(&c, "GET", "/api/v1/pods?continue=garbage", json, b"").await,
        400,
        "BadRequest",
    );
    assert_status(
        &raw(
            &c,
            "GET",
            "/api/v1/pods?watch=1&resourceVersion=abc",
            json,
            b"",
        )
        .await,
        400,
        "BadRequest",
    );
    assert_status(
        &raw(
            &c,
            "POST",
            "/api/v1/namespaces/trino/configmaps?dryRun=Some",
            json,
            br#"{"metadata":{"name":"x"}}"#,
        )
        .await,
        400,
        "BadRequest",
    );
    let worker = "/apis/apps/v1/namespaces/trino/statefulsets/trino-worker";
    assert_status(
        &raw(&c, "PATCH", worker, "text/plain", b"{}").await,
        415,
        "UnsupportedMediaType",
    );
    assert_status(
        &raw(&c, "PATCH", worker, merge, b"{oops").await,
        400,
        "BadRequest",
    );
    assert_status(
        &raw(
            &c,
            "PATCH",
            worker,
            "application/json-patch+json",
            br#"[{"op":"remove","path":"/nope"}]"#,
        )
        .await,
        422,
        "Invalid",
    );
    assert_status(
        &raw(
            &c,
            "PATCH",
            worker,
            merge,
            br#"{"metadata":{"resourceVersion":"1"}}"#,
        )
        .await,
        409,
        "Conflict",
    );
    assert_status(
        &raw(
            &c,
            "PATCH",
            &format!("{worker}/scale"),
            merge,
            br#"{"spec":{"replicas":-3}}"#,
        )
        .await,
        422,
        "Invalid",
    );
    assert_status(
        &raw(
            &c,
            "PATCH",
            &format!("{worker}/scale"),
            merge,
            br#"{"spec":{"replicas":"many"}}"#,
        )
        .await,
        422,
        "Invalid",
    );
    assert_status(
        &raw(
            &c,
            "GET",
            "/api/v1/namespaces/trino/pods/trino-worker-0/log?tailLines=x",
            json,
            b"",
        )
        .await,
        400,
        "BadRequest",
    );
    assert_status(
        &raw(
            &c,
            "GET",
            "/api/v1/namespaces/trino/pods/trino-worker-0/log?container=nope",
            json,
            b"",
        )
        .await,
        400,
        "BadRequest",
    );
    assert_status(
        &raw(
            &c,
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            "application/vnd.kubernetes.protobuf",
            b"k8s\0\xff\xff",
        )
        .await,
        400,
        "BadRequest",
    );
    assert_status(
        &raw(
            &c,
            "POST",
            "/lakedeck/faults/unavailable?seconds=soon",
            json,
            b"",
        )
        .await,
        400,
        "BadRequest",
    );
    // And it still serves.
    let (code, body) = raw(&c, "GET", "/api/v1/namespaces/trino/pods", json, b"").await;
    assert_eq!(code, 200);
    assert!(
        body.unwrap()["items"]
            .as_array()
            .is_some_and(|i| !i.is_empty())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_in_bulk_never_takes_the_lab_down() {
    let (_lab, c) = lab().await;
    let paths = [
        "/api/v1/namespaces/trino/pods",
        "/api/v1/namespaces/trino/pods/trino-worker-0",
        "/api/v1/nodes/compute-1",
        "/apis/apps/v1/namespaces/trino/statefulsets/trino-worker/scale",
        "/api/v1/namespaces/x/y/z/w",
        "/apis/velero.io/v1/namespaces/velero/restores",
        "/api/v1/namespaces",
        "/apis/metrics.k8s.io/v1beta1/pods",
    ];
    let types = [
        "application/json",
        "application/merge-patch+json",
        "application/json-patch+json",
        "application/strategic-merge-patch+json",
        "application/vnd.kubernetes.protobuf",
        "",
    ];
    let methods = ["POST", "PUT", "PATCH", "DELETE", "GET"];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = br#"{}[]":,0123456789abcdefnull truefalse\ metadata spec name replicas $patch op path value"#;
    for _ in 0..300 {
        let len = (next() % 80) as usize;
        let body: Vec<u8> = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        let method = methods[(next() % methods.len() as u64) as usize];
        let path = paths[(next() % paths.len() as u64) as usize];
        let ct = types[(next() % types.len() as u64) as usize];
        let (code, body_json) = raw(&c, method, path, ct, &body).await;
        if code >= 400 {
            let v = body_json
                .unwrap_or_else(|| panic!("{method} {path} ({ct}) → {code} without a Status body"));
            assert_eq!(v["kind"], "Status");
        }
    }
    let (code, _) = raw(&c, "GET", "/api/v1/nodes", "application/json", b"").await;
    assert_eq!(code, 200, "still serving after the garbage");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_outage_answers_503_then_recovers_and_latency_delays() {
    let (_lab, c) = lab().await;
    let json = "application/json";
    let (code, state) = raw(
        &c,
        "POST",
        "/lakedeck/faults/unavailable?seconds=2",
        json,
        b"",
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(state.unwrap()["unavailableSeconds"], 2);
    assert_status(
        &raw(&c, "GET", "/api/v1/pods", json, b"").await,
        503,
        "ServiceUnavailable",
    );
    // The fault endpoint itself stays reachable during the outage.
    let (code, state) = raw(&c, "GET", "/lakedeck/faults", json, b"").await;
    assert_eq!(code, 200);
    assert!(state.unwrap()["unavailableSeconds"].as_u64().unwrap() >= 1);
    // The outage ends on its own after its 2 s: the API answers again.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while raw(&c, "GET", "/api/v1/pods", json, b"").await.0 != 200 {
        assert!(std::time::Instant::now() < deadline, "never recovered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    raw(&c, "POST", "/lakedeck/faults/latency?ms=400", json, b"").await;
    let t = Instant::now();
    assert_eq!(raw(&c, "GET", "/api/v1/nodes", json, b"").await.0, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "latency was injected"
    );
    assert_eq!(
        raw(&c, "DELETE", "/lakedeck/faults", json, b"").await.0,
        200
    );
}

fn lab_cli(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lakedeck"))
        .args(["lab", "--write-kubeconfig", "/dev/null"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn unknown_scenario_exits_2_naming_the_choices() {
    let (code, err) = lab_cli(&["--listen", "127.0.0.1:0", "--scenario", "no-such-thing"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown scenario \"no-such-thing\"")
            && err.contains("seed")
            && err.contains("node-failure"),
        "{err}"
    );
}

#[test]
fn broken_scenario_file_exits_2_with_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.yaml");
    std::fs::write(&path, "name: broken\nnodes:\n  - prefix: a\n    count: lots\n    role: x\n    cpu: \"1\"\n    memory: 1Gi\n").unwrap();
    let (code, err) = lab_cli(&[
        "--listen",
        "127.0.0.1:0",
        "--scenario",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("{}:4:12:", path.display())),
        "file:line:column in {err}"
    );
    // Which field wants what, in words (it used to say only "invalid u32").
    assert!(
        err.contains("nodes[0].count: expected a whole number, found \"lots\""),
        "{err}"
    );
    assert!(!err.contains("u32"), "type jargon in {err}");

    std::fs::write(&path, "name: broken\nworkloads:\n  - kind: Deployment\n    namespace: a\n    name: b\n    labels: {a: b}\n    containers:\n      - {name: c, image: i, memory: 12XB}\n").unwrap();
    let (code, err) = lab_cli(&[
        "--listen",
        "127.0.0.1:0",
        "--scenario",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(":8:") && err.contains("not a Kubernetes quantity"),
        "{err}"
    );
}

#[test]
fn port_in_use_and_non_loopback_are_refused_clearly() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, err) = lab_cli(&["--listen", &addr]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("cannot listen on {addr}")) && err.contains("--listen 127.0.0.1:0"),
        "{err}"
    );

    let (code, err) = lab_cli(&["--listen", "0.0.0.0:0"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("refusing to listen on 0.0.0.0:0") && err.contains("--allow-remote"),
        "{err}"
    );
}
