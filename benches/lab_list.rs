//! Scale benchmark of the lab (a documented run, not a timed test):
//!
//!     cargo bench --bench lab_list                  # 100 000 extra pods
//!     LAB_BENCH_PODS=20000 cargo bench --bench lab_list
//!
//! Starts the real `lakedeck lab --pods N` binary, measures the time until it serves,
//! lists every pod with kube-rs paginated at 500 per page (as kubectl/client-go do),
//! does it again with Table output (what `kubectl get pods -A` asks for), and reads the
//! lab's peak RSS from /proc. Prints the figures recorded in the README.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let pods: usize = std::env::var("LAB_BENCH_PODS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("bench.kubeconfig");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lakedeck"))
        .args([
            "lab",
            "--listen",
            "127.0.0.1:0",
            "--pods",
            &pods.to_string(),
            "--write-kubeconfig",
        ])
        .arg(&kubeconfig)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the lab");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.unwrap_or_default().starts_with("press Ctrl-C") {
            break;
        }
    }
    let ready = started.elapsed();
    std::thread::spawn(move || for _ in lines {});
    let pid = child.id();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (total, list_secs, table_secs) = runtime.block_on(async {
        let yaml = std::fs::read_to_string(&kubeconfig).unwrap();
        let config = Config::from_custom_kubeconfig(
            Kubeconfig::from_yaml(&yaml).unwrap(),
            &KubeConfigOptions::default(),
        )
        .await
        .unwrap();
        let client = Client::try_from(config).unwrap();
        let api: Api<Pod> = Api::all(client.clone());
        let t = Instant::now();
        let mut total = 0usize;
        let mut token: Option<String> = None;
        loop {
            let mut lp = ListParams::default().limit(500);
            if let Some(c) = &token {
                lp = lp.continue_token(c);
            }
            let page = api.list(&lp).await.unwrap();
            total += page.items.len();
            token = page.metadata.continue_.filter(|c| !c.is_empty());
            if token.is_none() {
                break;
            }
        }
        let list_secs = t.elapsed().as_secs_f64();

        // The same walk as Table pages, as `kubectl get pods -A` requests them.
        let t = Instant::now();
        let mut cont = String::new();
        loop {
            let uri = format!("/api/v1/pods?limit=500&continue={cont}");
            let req = http::Request::get(uri)
                .header(
                    "Accept",
                    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
                )
                .body(Vec::new())
                .unwrap();
            let text = client.request_text(req).await.unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            cont = v["metadata"]["continue"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if cont.is_empty() {
                break;
            }
        }
        (total, list_secs, t.elapsed().as_secs_f64())
    });
    let rss = rss_kib(pid, "VmRSS:");
    let peak = rss_kib(pid, "VmHWM:");
    let _ = child.kill();
    let _ = child.wait();

    println!("lab --pods {pods}: {total} pods in total");
    println!("  serving after          {:>8.2} s", ready.as_secs_f64());
    println!(
        "  list (JSON, 500/page)  {:>8.2} s  = {:>9.0} pods/s",
        list_secs,
        total as f64 / list_secs
    );
    println!(
        "  list (Table, 500/page) {:>8.2} s  = {:>9.0} pods/s",
        table_secs,
        total as f64 / table_secs
    );
    println!(
        "  lab RSS now / peak     {:>8.0} MiB / {:.0} MiB",
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
}
