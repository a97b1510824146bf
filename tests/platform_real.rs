//! Real components end to end: a real Prometheus scrapes the lab's `/metrics` with the
//! shipped `config/prometheus-rules.yaml` and sends to a real Alertmanager; lakedeck's
//! own platform sources read both, and what they report matches the lab's simulated
//! values. An alert fired by the real Prometheus shows up in the Alerts pane.
//!
//! The lab's values move with simulated time between a scrape and the comparison, so
//! byte and message counts are compared within 1 %; counts of drives, nodes and queries
//! must be equal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{LabProcess, require_tool};
use lakedeck::config::Config;
use lakedeck::config::platform::EndpointConfig;
use lakedeck::endpoints::http::HttpEndpoint;
use lakedeck::endpoints::prometheus::Prometheus;

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn(bin: &Path, args: &[String], log: &Path) -> Daemon {
    let log = std::fs::File::create(log).unwrap();
    Daemon(
        Command::new(bin)
            .args(args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", bin.display())),
    )
}

/// Exporter series by metric name: [(labels, value)].
type SeriesByName = HashMap<String, Vec<(HashMap<String, String>, f64)>>;

/// The lab's own exporter series.
fn lab_series(text: &str) -> SeriesByName {
    let mut out: HashMap<String, Vec<_>> = HashMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (series, value) = line.rsplit_once(' ').unwrap();
        let (name, labels) = match series.split_once('{') {
            Some((n, rest)) => (n, rest.trim_end_matches('}')),
            None => (series, ""),
        };
        let labels = labels
            .split("\",")
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.split_once("=\""))
            .map(|(k, v)| (k.to_string(), v.trim_end_matches('"').to_string()))
            .collect();
        out.entry(name.to_string())
            .or_default()
            .push((labels, value.parse().unwrap()));
    }
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.01 * a.abs().max(b.abs()).max(1.0)
}

struct Stack {
    lab: LabProcess,
    _dir: tempfile::TempDir,
    _prometheus: Daemon,
    _alertmanager: Daemon,
    prom_url: String,
    am_url: String,
}

fn start_stack(scenario: &str) -> Option<Stack> {
    let prometheus = require_tool("prometheus")?;
    let alertmanager = require_tool("prometheus-alertmanager")?;
    let lab = LabProcess::start(&["--scenario", scenario]);
    let dir = tempfile::tempdir().unwrap();
    let (prom_port, am_port) = (free_port(), free_port());
    let lab_addr = lab.url.trim_start_matches("https://").to_string();
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/prometheus-rules.yaml");
    std::fs::write(
        dir.path().join("alertmanager.yml"),
        "route: {receiver: blackhole, group_wait: 1s, group_interval: 1s}\nreceivers: [{name: blackhole}]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("prometheus.yml"),
        format!(
            "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\n\
             rule_files: [{rules}]\n\
             alerting: {{alertmanagers: [{{static_configs: [{{targets: ['127.0.0.1:{am_port}']}}]}}]}}\n\
             scrape_configs:\n\
             - job_name: lakedeck-lab\n  scheme: https\n  tls_config: {{insecure_skip_verify: true}}\n  static_configs: [{{targets: ['{lab_addr}']}}]\n",
            rules = rules.display()
        ),
    )
    .unwrap();
    let d = |p: &str| dir.path().join(p).display().to_string();
    let am = spawn(
        &alertmanager,
        &[
            format!("--config.file={}", d("alertmanager.yml")),
            format!("--storage.path={}", d("am-data")),
            format!("--web.listen-address=127.0.0.1:{am_port}"),
            "--cluster.listen-address=".into(),
        ],
        &dir.path().join("alertmanager.log"),
    );
    let prom = spawn(
        &prometheus,
        &[
            format!("--config.file={}", d("prometheus.yml")),
            format!("--storage.tsdb.path={}", d("prom-data")),
            format!("--web.listen-address=127.0.0.1:{prom_port}"),
        ],
        &dir.path().join("prometheus.log"),
    );
    Some(Stack {
        lab,
        prom_url: format!("http://127.0.0.1:{prom_port}"),
        am_url: format!("http://127.0.0.1:{am_port}"),
        _dir: dir,
        _prometheus: prom,
        _alertmanager: am,
    })
}

fn endpoint(what: &str, url: &str) -> HttpEndpoint {
    HttpEndpoint::build(what, &EndpointConfig::parse(url).unwrap(), None, 10).unwrap()
}

async fn lab_metrics(lab: &LabProcess) -> SeriesByName {
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let text = client
        .get(format!("{}/metrics", lab.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    lab_series(&text)
}

/// Waits until Prometheus has scraped the lab for `secs` seconds (so rates over
/// several samples exist).
async fn wait_for_scrapes(prom: &Prometheus, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(s) = prom
            .instant("count_over_time(up{job=\"lakedeck-lab\"}[5m])")
            .await
            && s.first().is_some_and(|(_, v)| *v >= secs as f64)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never scraped the lab"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_prometheus_numbers_match_the_lab_and_its_alert_reaches_the_alerts_pane() {
    let Some(stack) = start_stack("trino-backlog") else {
        return;
    };
    let prom = Prometheus::new(endpoint("Prometheus", &stack.prom_url)).unwrap();
    wait_for_scrapes(&prom, 5).await;
    let settings = Config::defaults()
        .unwrap()
        .platform_for("lakedeck-lab", Default::default());

    // MinIO: the pane's summary against the lab's exporter.
    let minio = lakedeck::sources::platform::minio::fetch(&prom, &settings.minio)
        .await
        .unwrap();
    let lab = lab_metrics(&stack.lab).await;
    let one = |name: &str| lab[name][0].1;
    assert!(close(
        minio.usable_total.unwrap(),
        one("minio_cluster_capacity_usable_total_bytes")
    ));
    assert!(close(
        minio.usable_free.unwrap(),
        one("minio_cluster_capacity_usable_free_bytes")
    ));
    assert_eq!(
        minio.drives_online.unwrap(),
        one("minio_cluster_drive_online_total")
    );
    assert_eq!(
        minio.drives_offline.unwrap(),
        one("minio_cluster_drive_offline_total")
    );
    assert_eq!(
        minio.nodes_online.unwrap(),
        one("minio_cluster_nodes_online_total")
    );
    // Every MinIO server reports the bucket usage (a `server` label each).
    let mut lab_buckets: HashMap<&str, f64> = HashMap::new();
    for (labels, bytes) in &lab["minio_bucket_usage_total_bytes"] {
        let entry = lab_buckets
            .entry(labels["bucket"].as_str())
            .or_insert(*bytes);
        *entry = entry.max(*bytes);
    }
    assert_eq!(minio.buckets.len(), lab_buckets.len());
    for (bucket, bytes) in &lab_buckets {
        let b = minio
            .buckets
            .iter()
            .find(|b| b.name == *bucket)
            .unwrap_or_else(|| panic!("bucket {bucket} missing from the pane"));
        assert!(
            close(b.bytes.unwrap(), *bytes),
            "{bucket}: {:?} vs {bytes}",
            b.bytes
        );
    }

    // Kafka: lag per group/topic, members, and −1 partitions counted, not summed.
    let now = jiff::Timestamp::now().as_second();
    let kafka = lakedeck::sources::platform::kafka::fetch(&prom, &settings.kafka, now)
        .await
        .unwrap();
    let lab = lab_metrics(&stack.lab).await;
    let lab_lag = &lab["kafka_consumergroup_lag_sum"];
    assert!(!kafka.is_empty());
    for (labels, lag) in lab_lag {
        let row = kafka
            .iter()
            .find(|r| {
                Some(&r.group) == labels.get("consumergroup")
                    && Some(&r.topic) == labels.get("topic")
            })
            .unwrap_or_else(|| panic!("{labels:?} missing from the Kafka pane"));
        assert!(
            close(row.lag.unwrap(), *lag),
            "{}/{}: {:?} vs {lag}",
            row.group,
            row.topic,
            row.lag
        );
        let uncommitted = lab["kafka_consumergroup_lag"]
            .iter()
            .filter(|(l, v)| {
                l.get("consumergroup") == labels.get("consumergroup")
                    && l.get("topic") == labels.get("topic")
                    && *v < 0.0
            })
            .count();
        assert_eq!(row.uncommitted_partitions as usize, uncommitted);
        assert!(
            !row.history.is_empty(),
            "no lag history for {}/{}",
            row.group,
            row.topic
        );
    }

    // Trino: queue depth through Prometheus equals the coordinator's own counter, once
    // the backlog has built (more than 10 queued within about half a minute).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let queued = prom
            .instant(&settings.trino_queries["queued"])
            .await
            .unwrap();
        let lab = lab_metrics(&stack.lab).await;
        let lab_queued = lab["trino_execution_name_QueryManager_QueuedQueries"][0].1;
        let agree = (queued[0].1 - lab_queued).abs() <= 2.0;
        if agree && lab_queued > 10.0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the trino-backlog queue through Prometheus ({}) should match the lab's ({lab_queued}) and exceed 10",
            queued[0].1
        );
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }

    // Velero: the last successful backup per schedule as Prometheus has it.
    let velero = prom
        .instant("max by (schedule) (velero_backup_last_successful_timestamp)")
        .await
        .unwrap();
    for (labels, ts) in &lab["velero_backup_last_successful_timestamp"] {
        let got = velero
            .iter()
            .find(|(l, _)| l.get("schedule") == labels.get("schedule"))
            .map(|(_, v)| *v);
        assert_eq!(got, Some(*ts), "schedule {labels:?}");
    }

    // The alert: TrinoQueueHigh fires in the real Prometheus (after its `for:`), the
    // real Alertmanager receives it, lakedeck reads it and the Alerts pane shows it.
    let am = endpoint("Alertmanager", &stack.am_url);
    let deadline = Instant::now() + Duration::from_secs(240);
    let snapshot = loop {
        let snap = lakedeck::sources::platform::alerts::from_alertmanager(&am)
            .await
            .unwrap();
        if snap.alerts.iter().any(|a| a.name == "TrinoQueueHigh") {
            break snap;
        }
        assert!(
            Instant::now() < deadline,
            "TrinoQueueHigh never reached Alertmanager: {snap:?}"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    let alert = snapshot
        .alerts
        .iter()
        .find(|a| a.name == "TrinoQueueHigh")
        .unwrap();
    assert_eq!(alert.severity, "warning");
    assert_eq!(alert.runbook.as_deref(), Some("trino-scale-up"));
    let screen = render_alerts(snapshot);
    assert!(screen.contains("TrinoQueueHigh"), "{screen}");
    assert!(screen.contains("queued"), "{screen}");

    // Every shipped rule, not only TrinoQueueHigh: what the lab says is firing (it treats
    // `for:` as elapsed and decides some rules its own way) must be what the real
    // Prometheus evaluating the rules' expressions on the lab's series has active
    // (pending or firing), and nothing more. They may disagree for a moment while a
    // value crosses a threshold between a scrape and an evaluation, so poll for agreement.
    let (config, _) = Config::load(Some(
        stack
            .lab
            .kubeconfig
            .parent()
            .unwrap()
            .join("lakedeck.yaml")
            .as_path(),
    ))
    .unwrap();
    let lab_settings = config.platform_for("lakedeck-lab", Default::default());
    let lab_prom = HttpEndpoint::build(
        "the lab's Prometheus",
        lab_settings.prometheus.as_ref().unwrap(),
        None,
        10,
    )
    .unwrap();
    let real_prom = endpoint("Prometheus", &stack.prom_url);
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let lab_alerts =
            active_alerts(&lab_prom.get_json("/api/v1/alerts", &[], &[]).await.unwrap());
        let real_alerts = active_alerts(
            &real_prom
                .get_json("/api/v1/alerts", &[], &[])
                .await
                .unwrap(),
        );
        if lab_alerts == real_alerts && !lab_alerts.is_empty() {
            // The seed's own trouble is among them, with its labels.
            assert!(
                lab_alerts
                    .iter()
                    .any(|(name, labels)| name == "KubePodCrashLooping"
                        && labels.get("namespace").map(String::as_str) == Some("kafka")),
                "{lab_alerts:?}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the lab's firing alerts differ from the real Prometheus's active ones:\nlab:  {lab_alerts:?}\nreal: {real_alerts:?}"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// The alerts of an `/api/v1/alerts` answer that are pending or firing, as (name,
/// labels), without the labels a scrape adds (job, instance).
fn active_alerts(
    v: &serde_json::Value,
) -> std::collections::BTreeSet<(String, std::collections::BTreeMap<String, String>)> {
    v["data"]["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| matches!(a["state"].as_str(), Some("pending" | "firing")))
        .map(|a| {
            let mut labels: std::collections::BTreeMap<String, String> =
                serde_json::from_value(a["labels"].clone()).unwrap();
            labels.remove("job");
            labels.remove("instance");
            let name = labels.remove("alertname").unwrap_or_default();
            (name, labels)
        })
        .collect()
}

/// The Alerts view drawn at 160x48 after the app received `snapshot`.
fn render_alerts(snapshot: lakedeck::model::alerts::AlertsSnapshot) -> String {
    use lakedeck::app::{self, AppState, Connection, Msg, Scope};
    let mut state = AppState::new(
        Connection::default(),
        Scope::All,
        app::keymap::Keymap::default(),
        Vec::new(),
        1000,
    );
    state.size = (160, 48);
    app::update(&mut state, Msg::Alerts(Ok(snapshot)));
    app::apply(&mut state, app::Action::from_command("alerts").unwrap());
    state.prepare();
    let theme = lakedeck::theme::Theme::load("mono", true).unwrap();
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    terminal
        .draw(|f| lakedeck::ui::draw(&state, &theme, f))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
