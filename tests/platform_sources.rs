//! lakedeck's platform sources against the lab over real HTTP, configured the way a
//! user would: the `lakedeck.yaml` that `lab --write-kubeconfig` writes, for both lab
//! contexts (direct URLs with the lab CA; `service:` endpoints through the API server's
//! service proxy with the viewer's kubeconfig token). And against broken endpoints: an
//! HTML error page, truncated JSON, a hanging server and a runaway body each give one
//! clear line naming the endpoint, within the timeout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::LabProcess;
use kube::config::{KubeConfigOptions, Kubeconfig};
use lakedeck::config::platform::EndpointConfig;
use lakedeck::config::{Config, PlatformFlags};
use lakedeck::endpoints::Platform;
use lakedeck::endpoints::http::{HttpEndpoint, ProxyAccess};
use lakedeck::endpoints::prometheus::Prometheus;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn platform_for(lab: &LabProcess, context: &str) -> Platform {
    let config_file = lab.kubeconfig.parent().unwrap().join("lakedeck.yaml");
    let (config, _) = Config::load(Some(config_file.as_path())).unwrap();
    let kubeconfig = Kubeconfig::read_from(&lab.kubeconfig).unwrap();
    let options = KubeConfigOptions {
        context: Some(context.into()),
        ..Default::default()
    };
    let kube_config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .unwrap();
    let proxy = ProxyAccess::from_kube_config(&kube_config);
    let client = kube::Client::try_from(kube_config).unwrap();
    Platform::new(
        config.platform_for(context, PlatformFlags::default()),
        context,
        &proxy,
        client,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn written_config_reaches_the_lab_directly_and_through_the_service_proxy() {
    let lab = LabProcess::start(&["--scenario", "trino-backlog"]);
    for context in ["lakedeck-lab", "lakedeck-lab-viewer"] {
        let platform = platform_for(&lab, context).await;
        let shown = format!("{:?}", platform.settings.prometheus);
        if context == "lakedeck-lab-viewer" {
            assert!(shown.contains("Service"), "{context}: {shown}");
        }
        let prom = platform.prometheus().unwrap().clone();
        let minio = lakedeck::sources::platform::minio::fetch(&prom, &platform.settings.minio)
            .await
            .unwrap_or_else(|e| panic!("{context}: {e}"));
        assert_eq!(minio.drives_online, Some(16.0), "{context}");
        assert_eq!(minio.buckets.len(), 4, "{context}: {:?}", minio.buckets);

        // Trino's query list (REST, with X-Trino-User) and queue depth.
        let deadline = Instant::now() + Duration::from_secs(60);
        let trino = loop {
            let t = lakedeck::sources::platform::trino::fetch(&platform, platform.trino.as_ref())
                .await
                .unwrap_or_else(|e| panic!("{context}: {e}"));
            if t.queued.is_some_and(|q| q > 10) || Instant::now() > deadline {
                break t;
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        };
        assert_eq!(trino.queries_error, None, "{context}");
        assert!(trino.queued.unwrap() > 10, "{context}: {trino:?}");
        assert!(trino.queries.first().unwrap().is_queued(), "queued first");
        assert!(trino.info.is_some(), "{context}: coordinator info");

        // Alerts from Alertmanager (not the Prometheus fallback) with silences.
        let am = match &platform.alertmanager {
            Some(Ok(am)) => am.clone(),
            other => panic!("{context}: alertmanager endpoint {}", other.is_some()),
        };
        let alerts = lakedeck::sources::platform::alerts::from_alertmanager(&am)
            .await
            .unwrap();
        assert!(
            alerts.alerts.iter().any(|a| a.name == "TrinoQueueHigh"),
            "{context}: {:?}",
            alerts.alerts
        );

        // Velero from the Kubernetes API.
        let velero = lakedeck::sources::platform::velero::fetch(&platform.kube)
            .await
            .ok()
            .unwrap();
        assert!(
            velero.schedules.iter().any(|s| s.name == "nightly"),
            "{context}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_errors_keep_prometheus_wording() {
    let lab = LabProcess::start(&[]);
    let platform = platform_for(&lab, "lakedeck-lab").await;
    let prom = platform.prometheus().unwrap().clone();
    let err = prom.instant("sum(rate(foo[5m])").await.unwrap_err();
    assert!(err.starts_with("Prometheus at https://"), "{err}");
    assert!(err.contains(": bad_data: "), "{err}");
}

/// A one-connection-at-a-time HTTP server answering every request with `reply`
/// (raw bytes), or never answering when `reply` is None.
async fn canned(reply: Option<Vec<u8>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let reply = reply.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                match reply {
                    Some(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                        let _ = socket.shutdown().await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(60)).await,
                }
            });
        }
    });
    format!("http://{addr}")
}

fn response(status: &str, content_type: &str, body: &[u8], declared_len: usize) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {declared_len}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn prometheus_at(url: &str) -> Prometheus {
    let mut config = EndpointConfig::parse(url).unwrap();
    config.timeout_secs = Some(2);
    Prometheus::new(HttpEndpoint::build("Prometheus", &config, None, 5).unwrap()).unwrap()
}

#[tokio::test]
async fn broken_endpoints_get_one_clear_line_each() {
    let html = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>";
    let cases: Vec<(&str, Option<Vec<u8>>, &str)> = vec![
        (
            "an HTML error page",
            Some(response("502 Bad Gateway", "text/html", html, html.len())),
            "HTTP 502",
        ),
        (
            "truncated JSON",
            Some(response(
                "200 OK",
                "application/json",
                br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"val"#,
                70,
            )),
            "cut off",
        ),
        (
            "a login page with 200",
            Some(response("200 OK", "text/html", html, html.len())),
            "HTML page",
        ),
        ("a hanging server", None, "timed out"),
    ];
    for (what, reply, expected) in cases {
        let url = canned(reply).await;
        let started = Instant::now();
        let err = prometheus_at(&url)
            .instant("max(up)")
            .await
            .expect_err(what);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what} took {:?}",
            started.elapsed()
        );
        assert!(
            err.starts_with(&format!("Prometheus at {url}")),
            "{what}: {err}"
        );
        assert!(err.contains(expected), "{what}: {err}");
        assert!(!err.contains('\n'), "{what}: one line: {err}");
    }

    // A runaway body is refused, not buffered.
    let huge = vec![b' '; lakedeck::endpoints::http::MAX_BODY_BYTES + 1024];
    let url = canned(Some(response(
        "200 OK",
        "application/json",
        &huge,
        huge.len(),
    )))
    .await;
    let err = prometheus_at(&url).instant("max(up)").await.unwrap_err();
    assert!(err.contains("larger than"), "{err}");
}
