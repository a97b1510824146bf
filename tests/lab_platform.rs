//! The lab's platform endpoints, exercised over HTTPS against a real `lakedeck lab`
//! process the way the cockpit, a real Prometheus and the operators' tools use them:
//! exporter text, the Prometheus API answering the query catalog with the exporters'
//! numbers, promtool and amtool, Trino's REST API, the service proxy with the viewer's
//! token, the written lakedeck config, and each incident scenario showing its trouble.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{LabProcess, require_tool};
use serde_json::Value;

struct Lab {
    lab: LabProcess,
    curl: PathBuf,
    ca: PathBuf,
}

fn start(args: &[&str]) -> Option<Lab> {
    let curl = require_tool("curl")?;
    let lab = LabProcess::start(args);
    let ca = lab.kubeconfig.parent().unwrap().join("lakedeck-lab-ca.pem");
    Some(Lab { lab, curl, ca })
}

impl Lab {
    /// (status, body) of a request; `args` are extra curl arguments.
    fn call(&self, path: &str, args: &[&str]) -> (u16, String) {
        let out = Command::new(&self.curl)
            .args(["-sS", "--max-time", "20", "--cacert"])
            .arg(&self.ca)
            .args(["-w", "\n%{http_code}"])
            .args(args)
            .arg(format!("{}{path}", self.lab.url))
            .output()
            .expect("run curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        (code.trim().parse().unwrap_or(0), body.to_string())
    }

    fn json(&self, path: &str, args: &[&str]) -> Value {
        let (code, body) = self.call(path, args);
        assert_eq!(code, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
    }

    fn query(&self, q: &str) -> Value {
        let v = self.json(
            "/prometheus/api/v1/query",
            &["--data-urlencode", &format!("query={q}")],
        );
        assert_eq!(v["status"], "success", "{q}: {v}");
        v["data"]["result"].clone()
    }

    fn alert_names(&self) -> Vec<String> {
        self.json("/alertmanager/api/v2/alerts", &[])
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["labels"]["alertname"].as_str().unwrap_or("").to_string())
            .collect()
    }

    fn token(&self, user: &str) -> String {
        let kc = std::fs::read_to_string(&self.lab.kubeconfig).unwrap();
        let mut lines = kc
            .lines()
            .skip_while(|l| !l.contains(&format!("name: {user}")));
        lines
            .find_map(|l| l.trim().strip_prefix("token: ").map(str::to_string))
            .unwrap()
    }
}

/// Series (with labels, as written) → value, from exporter text.
fn parse_exposition(text: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("series and value");
        let value = match value {
            "NaN" => f64::NAN,
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("bad value in {line}")),
        };
        out.insert(series.to_string(), value);
    }
    out
}

fn value_of(result: &Value) -> f64 {
    result[0]["value"][1].as_str().unwrap().parse().unwrap()
}

fn eventually<T>(secs: u64, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

const CATALOG: &[&str] = &[
    "max(minio_cluster_capacity_usable_total_bytes)",
    "max(minio_cluster_capacity_usable_free_bytes)",
    "max(minio_cluster_capacity_raw_total_bytes)",
    "max(minio_cluster_capacity_raw_free_bytes)",
    "max by (bucket) (minio_bucket_usage_total_bytes)",
    "max by (bucket) (minio_bucket_usage_object_total)",
    "max(minio_cluster_nodes_online_total)",
    "max(minio_cluster_nodes_offline_total)",
    "max(minio_cluster_drive_online_total)",
    "max(minio_cluster_drive_offline_total)",
    "sum(minio_cluster_health_erasure_set_healing_drives)",
    "sum(rate(minio_s3_requests_5xx_errors_total[5m]))",
    "predict_linear(minio_cluster_capacity_usable_free_bytes[6h], 86400)",
    "sum by (consumergroup, topic) (kafka_consumergroup_lag_sum)",
    "max by (consumergroup, topic) (kafka_consumergroup_lag)",
    "count by (consumergroup, topic) (kafka_consumergroup_lag < 0)",
    "max by (consumergroup) (kafka_consumergroup_members)",
    "sum by (consumergroup, topic) (rate(kafka_consumergroup_current_offset_sum[5m]))",
    "sum by (topic) (rate(kafka_topic_partition_current_offset[5m]))",
    "sum(trino_execution_name_QueryManager_RunningQueries)",
    "sum(trino_execution_name_QueryManager_QueuedQueries)",
    "sum(trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount)",
    "max by (schedule) (velero_backup_last_successful_timestamp)",
    "max by (backup_location_name) (velero_backup_location_status_gauge)",
];

#[test]
fn exporters_and_prometheus_agree_on_the_catalog() {
    let Some(lab) = start(&[]) else { return };
    let (code, text) = lab.call("/metrics", &[]);
    assert_eq!(code, 200);
    assert!(text.contains("# TYPE kafka_consumergroup_lag gauge"));
    let series = parse_exposition(&text);
    for want in [
        "minio_cluster_capacity_usable_free_bytes{server=\"datalake-pool-0-0.datalake-hl.minio.svc.cluster.local:9000\"}",
        "minio_bucket_usage_total_bytes{bucket=\"bronze\",server=\"datalake-pool-0-0.datalake-hl.minio.svc.cluster.local:9000\"}",
        "kafka_consumergroup_lag{consumergroup=\"connect-s3-sink\",partition=\"2\",topic=\"cdc.billing.invoices\"}",
        "kafka_consumergroup_members{consumergroup=\"cdc-sink\"}",
        "trino_execution_name_QueryManager_QueuedQueries",
        "trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount",
        "velero_backup_last_successful_timestamp{schedule=\"nightly\"}",
        "velero_backup_location_status_gauge{backup_location_name=\"default\"}",
        "velero_schedule_expected_interval_seconds{schedule=\"nightly\"}",
        "kube_node_status_condition{condition=\"Ready\",node=\"compute-1\",status=\"true\"}",
    ] {
        assert!(series.contains_key(want), "missing {want}");
    }
    assert_eq!(
        series["kafka_consumergroup_lag{consumergroup=\"connect-s3-sink\",partition=\"2\",topic=\"cdc.billing.invoices\"}"],
        -1.0,
        "a partition without a committed offset reports -1"
    );
    assert_eq!(
        series["trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount"],
        4.0
    );
    for path in [
        "/minio/v2/metrics/cluster",
        "/kafka-exporter/metrics",
        "/trino/metrics",
        "/velero/metrics",
    ] {
        let (code, body) = lab.call(path, &[]);
        assert!(code == 200 && body.contains("# HELP "), "{path}");
    }

    // Every catalog query answers; gauges equal the scrape (retry across a grid step).
    for q in CATALOG {
        assert!(
            !lab.query(q).as_array().unwrap().is_empty(),
            "{q} has a result"
        );
    }
    let pairs = [
        (
            "max(minio_cluster_capacity_usable_free_bytes)",
            "minio_cluster_capacity_usable_free_bytes{server=\"datalake-pool-0-0.datalake-hl.minio.svc.cluster.local:9000\"}",
        ),
        (
            "sum(trino_execution_name_QueryManager_QueuedQueries)",
            "trino_execution_name_QueryManager_QueuedQueries",
        ),
        (
            "max(minio_cluster_drive_online_total)",
            "minio_cluster_drive_online_total{server=\"datalake-pool-0-0.datalake-hl.minio.svc.cluster.local:9000\"}",
        ),
        (
            "max by (schedule) (velero_backup_last_successful_timestamp)",
            "velero_backup_last_successful_timestamp{schedule=\"nightly\"}",
        ),
    ];
    eventually(60, "a scrape and the API to agree", || {
        let before = parse_exposition(&lab.call("/metrics", &[]).1);
        let answers: Vec<f64> = pairs.iter().map(|(q, _)| value_of(&lab.query(q))).collect();
        let after = parse_exposition(&lab.call("/metrics", &[]).1);
        pairs
            .iter()
            .zip(&answers)
            .all(|((_, s), a)| before[*s] == *a && after[*s] == *a)
            .then_some(())
    });
    let lag = lab.query("sum by (consumergroup, topic) (kafka_consumergroup_lag_sum)");
    let direct = parse_exposition(&lab.call("/kafka-exporter/metrics", &[]).1);
    assert!(lag.as_array().unwrap().iter().any(|r| {
        let key = format!(
            "kafka_consumergroup_lag_sum{{consumergroup=\"{}\",topic=\"{}\"}}",
            r["metric"]["consumergroup"].as_str().unwrap(),
            r["metric"]["topic"].as_str().unwrap()
        );
        direct.contains_key(&key)
    }));

    // A healthy consumer consumes what is produced (rate over the simulated history).
    let consume = lab
        .query("sum by (consumergroup, topic) (rate(kafka_consumergroup_current_offset_sum[5m]))");
    let cdc = consume
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["metric"]["consumergroup"] == "cdc-sink"
                && r["metric"]["topic"] == "cdc.inventory.orders"
        })
        .unwrap();
    let rate: f64 = cdc["value"][1].as_str().unwrap().parse().unwrap();
    assert!(
        (rate - 120.0).abs() < 0.5,
        "cdc-sink consumes ~120/s: {rate}"
    );

    // The forecast: one series per server, below today's free space (bronze grows).
    let forecast = lab.query("predict_linear(minio_cluster_capacity_usable_free_bytes[6h], 86400)");
    assert_eq!(forecast.as_array().unwrap().len(), 4);
    let free = value_of(&lab.query("max(minio_cluster_capacity_usable_free_bytes)"));
    let in_1d = value_of(&forecast);
    assert!(in_1d < free && in_1d > free - 3e11, "{in_1d} vs {free}");

    // query_range over the last hour, step 60s.
    let now = value_of(&lab.query("max(minio_cluster_capacity_usable_total_bytes)"));
    assert_eq!(now, 8e12);
    let v = lab.json(
        "/prometheus/api/v1/query_range",
        &[
            "--data-urlencode",
            "query=sum by (consumergroup, topic) (kafka_consumergroup_lag_sum)",
            "--data-urlencode",
            &format!("start={}", jiff::Timestamp::now().as_second() - 3600),
            "--data-urlencode",
            &format!("end={}", jiff::Timestamp::now().as_second()),
            "--data-urlencode",
            "step=60",
        ],
    );
    let rows = v["data"]["result"].as_array().unwrap();
    assert_eq!(v["data"]["resultType"], "matrix");
    assert!(
        rows.iter()
            .all(|r| r["values"].as_array().unwrap().len() == 61)
    );

    // Anything else is bad_data with Prometheus's envelope.
    for bad in [
        "up",
        "max(foo",
        "max(minio_cluster_capacity_usable_free_bytes[5m]",
    ] {
        let (code, body) = lab.call(
            "/prometheus/api/v1/query",
            &["--data-urlencode", &format!("query={bad}")],
        );
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(code, 400, "{bad}");
        assert_eq!(v["status"], "error");
        assert_eq!(v["errorType"], "bad_data");
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .contains("invalid parameter \"query\"")
        );
    }
    let (code, _) = lab.call(
        "/prometheus/api/v1/query_range?query=sum(trino_execution_name_QueryManager_RunningQueries)&start=10&end=5&step=15",
        &[],
    );
    assert_eq!(code, 400);

    // Rules and buildinfo.
    let rules = lab.json("/prometheus/api/v1/rules", &[]);
    let names: Vec<&str> = rules["data"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap())
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"TrinoQueueHigh") && names.contains(&"KubePodCrashLooping"));
    assert_eq!(
        lab.json("/prometheus/api/v1/status/buildinfo", &[])["status"],
        "success"
    );
}

#[test]
fn promtool_and_amtool_work_against_the_lab() {
    let Some(promtool) = require_tool("promtool") else {
        return;
    };
    let Some(amtool) = require_tool("amtool") else {
        return;
    };
    let Some(lab) = start(&[]) else { return };
    let out = Command::new(&promtool)
        .env("SSL_CERT_FILE", &lab.ca)
        .args(["query", "instant"])
        .arg(format!("{}/prometheus", lab.lab.url))
        .arg("max(minio_cluster_capacity_usable_free_bytes)")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("{} => 2"), "{text}");

    let am = |args: &[&str]| -> String {
        let out = Command::new(&amtool)
            .env("SSL_CERT_FILE", &lab.ca)
            .arg(format!("--alertmanager.url={}/alertmanager", lab.lab.url))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "amtool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The seed's crash-looping Kafka Connect pod pages.
    assert!(am(&["alert", "query"]).contains("KubePodCrashLooping"));
    let id = am(&[
        "silence",
        "add",
        "alertname=KubePodCrashLooping",
        "--comment=connect is being fixed",
        "--duration=1h",
    ]);
    let id = id.trim().to_string();
    assert_eq!(id.len(), 36, "a uuid: {id}");
    assert!(am(&["silence", "query"]).contains(&id));
    // Silenced: no longer active, shown as suppressed with the silence's id.
    assert!(!am(&["alert", "query"]).contains("KubePodCrashLooping"));
    let alerts = lab.json("/alertmanager/api/v2/alerts", &[]);
    let crash = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["labels"]["alertname"] == "KubePodCrashLooping")
        .unwrap();
    assert_eq!(crash["status"]["state"], "suppressed");
    assert_eq!(crash["status"]["silencedBy"][0], id.as_str());
    am(&["silence", "expire", &id]);
    assert!(!am(&["silence", "query"]).contains(&id));
    assert!(am(&["alert", "query"]).contains("KubePodCrashLooping"));

    // Alertmanager's validation messages.
    let (code, body) = lab.call(
        "/alertmanager/api/v2/silences",
        &[
            "-H",
            "Content-Type: application/json",
            "--data",
            r#"{"matchers":[{"name":"alertname","value":"X","isRegex":false}],"startsAt":"2030-01-02T00:00:00Z","endsAt":"2030-01-01T00:00:00Z","createdBy":"t","comment":"c"}"#,
        ],
    );
    assert_eq!(code, 400);
    assert_eq!(
        body,
        "\"Failed to create silence: start time must be before end time\""
    );
    let (code, _) = lab.call(
        "/alertmanager/api/v2/silence/00000000-0000-4000-8000-000000000000",
        &[],
    );
    assert_eq!(code, 404);
}

#[test]
fn shipped_rules_pass_promtool_check() {
    let Some(promtool) = require_tool("promtool") else {
        return;
    };
    let out = Command::new(promtool)
        .args(["check", "rules"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/config/prometheus-rules.yaml"
        ))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("SUCCESS: 10 rules found"), "{text}");
}

/// Prometheus's own evaluator is the oracle for the shipped rules (the lab decides some
/// alerts its own way): `promtool test rules` feeds each rule series that must fire it
/// (after its `for:`, with the labels and rendered annotations) and series that must not.
/// Every rule in the file must have a firing case, so a new rule cannot ship untested.
#[test]
fn every_shipped_rule_fires_and_stays_quiet_under_promtool_test_rules() {
    let Some(promtool) = require_tool("promtool") else {
        return;
    };
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/config");
    let yaml = |name: &str| -> serde_json::Value {
        serde_saphyr::from_str(&std::fs::read_to_string(format!("{dir}/{name}")).unwrap()).unwrap()
    };
    let rules: Vec<String> = yaml("prometheus-rules.yaml")["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap().clone())
        .map(|r| r["alert"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rules.len(), 10, "{rules:?}");
    let tests = yaml("prometheus-rules.test.yaml");
    let fired: Vec<&str> = tests["tests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["alert_rule_test"].as_array().unwrap())
        .filter(|c| c["exp_alerts"].as_array().is_some_and(|a| !a.is_empty()))
        .map(|c| c["alertname"].as_str().unwrap())
        .collect();
    for rule in &rules {
        assert!(
            fired.contains(&rule.as_str()),
            "{rule} has no firing case in config/prometheus-rules.test.yaml"
        );
    }
    let out = Command::new(promtool)
        .args(["test", "rules"])
        .arg(format!("{dir}/prometheus-rules.test.yaml"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("SUCCESS"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn trino_rest_api_behaves_like_a_coordinator() {
    let Some(lab) = start(&[]) else { return };
    let (code, body) = lab.call("/trino/v1/query", &[]);
    assert_eq!(code, 401);
    assert_eq!(body, "Basic authentication or X-Trino-User must be sent");
    let user = ["-H", "X-Trino-User: lakedeck"];
    assert_eq!(lab.json("/trino/v1/info", &[])["coordinator"], true);
    assert_eq!(lab.json("/trino/v1/info/state", &[]), "ACTIVE");
    let (code, _) = lab.call("/trino/v1/query/20260101_000000_00001_zzzzz", &user);
    assert_eq!(code, 410);
    let running = lab.json("/trino/v1/query?state=RUNNING", &user);
    let id = running.as_array().unwrap()[0]["queryId"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, _) = lab.call(
        &format!("/trino/v1/query/{id}/killed"),
        &[
            "-X",
            "PUT",
            "-H",
            "X-Trino-User: lakedeck",
            "--data",
            "runaway",
        ],
    );
    assert_eq!(code, 202);
    let info = lab.json(&format!("/trino/v1/query/{id}"), &user);
    assert_eq!(info["state"], "FAILED");
    assert_eq!(info["errorCode"]["name"], "ADMINISTRATIVELY_KILLED");
    assert!(
        info["queryStats"]["elapsedTime"]
            .as_str()
            .unwrap()
            .ends_with('s')
            || info["queryStats"]["elapsedTime"]
                .as_str()
                .unwrap()
                .ends_with('m')
    );
    let (code, _) = lab.call(
        &format!("/trino/v1/query/{id}/killed"),
        &[
            "-X",
            "PUT",
            "-H",
            "X-Trino-User: lakedeck",
            "--data",
            "again",
        ],
    );
    assert_eq!(code, 409);
    let (code, _) = lab.call(
        "/trino/v1/query/nope/killed",
        &["-X", "PUT", "-H", "X-Trino-User: lakedeck"],
    );
    assert_eq!(code, 410);
    // DELETE cancels a running query (the client's cancel): wait for one to run — the
    // lab keeps admitting queries — rather than skip the check when none does.
    let deadline = Instant::now() + Duration::from_secs(60);
    let id = loop {
        let running = lab.json("/trino/v1/query?state=RUNNING", &user);
        if let Some(q) = running.as_array().unwrap().first() {
            break q["queryId"].as_str().unwrap().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no query was RUNNING within a minute, so the cancel path was never exercised"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    let (code, _) = lab.call(
        &format!("/trino/v1/query/{id}"),
        &["-X", "DELETE", "-H", "X-Trino-User: lakedeck"],
    );
    assert_eq!(code, 204);
    let info = lab.json(&format!("/trino/v1/query/{id}"), &user);
    assert_eq!(info["state"], "FAILED", "{info}");
    assert_eq!(info["errorCode"]["name"], "USER_CANCELED", "{info}");
    let running = lab.json("/trino/v1/query?state=RUNNING", &user);
    assert!(
        !running
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["queryId"] == id.as_str()),
        "the cancelled query is no longer RUNNING"
    );
}

#[test]
fn service_proxy_and_written_config_reach_the_services() {
    let Some(lab) = start(&[]) else { return };
    let viewer = format!("Authorization: Bearer {}", lab.token("viewer"));
    let v = lab.json(
        "/api/v1/namespaces/monitoring/services/prometheus:9090/proxy/api/v1/query?query=sum(trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount)",
        &["-H", &viewer],
    );
    assert_eq!(v["data"]["result"][0]["value"][1], "4");
    let v = lab.json(
        "/api/v1/namespaces/monitoring/services/alertmanager:9093/proxy/api/v2/status",
        &["-H", &viewer],
    );
    assert_eq!(v["cluster"]["status"], "disabled");
    let v = lab.json(
        "/api/v1/namespaces/trino/services/https:trino:8080/proxy/v1/query",
        &["-H", &viewer, "-H", "X-Trino-User: lakedeck"],
    );
    assert!(v.is_array());
    let (code, _) = lab.call(
        "/api/v1/namespaces/monitoring/services/prometheus:9090/proxy/api/v1/query",
        &[],
    );
    assert_eq!(code, 401, "the proxy wants a Kubernetes token");
    let (code, body) = lab.call(
        "/api/v1/namespaces/monitoring/services/nothere:9090/proxy/",
        &["-H", &viewer],
    );
    assert_eq!(code, 404, "{body}");
    let (code, _) = lab.call(
        "/api/v1/namespaces/monitoring/services/grafana:3000/proxy/",
        &["-H", &viewer],
    );
    assert_eq!(code, 503);

    let config =
        std::fs::read_to_string(lab.lab.kubeconfig.parent().unwrap().join("lakedeck.yaml"))
            .unwrap();
    assert!(
        config.contains(&format!("url: \"{}/prometheus\"", lab.lab.url)),
        "{config}"
    );
    assert!(config.contains("lakedeck-lab-viewer:"));
    assert!(config.contains("prometheus: \"service:monitoring/prometheus:9090\""));
    assert!(config.contains(&lab.ca.display().to_string()));
}

fn wait_alert(lab: &Lab, name: &str, secs: u64) {
    eventually(secs, name, || {
        lab.alert_names().iter().any(|n| n == name).then_some(())
    });
}

#[test]
fn trino_backlog_scenario_queues_and_pages() {
    let Some(lab) = start(&["--scenario", "trino-backlog"]) else {
        return;
    };
    eventually(30, "more than 10 queued Trino queries", || {
        (value_of(&lab.query("sum(trino_execution_name_QueryManager_QueuedQueries)")) > 10.0)
            .then_some(())
    });
    wait_alert(&lab, "TrinoQueueHigh", 40);
    let queued = lab.json("/trino/v1/query?state=QUEUED", &["-H", "X-Trino-User: x"]);
    assert!(queued.as_array().unwrap().len() > 10);
    let alert = lab
        .json(
            "/alertmanager/api/v2/alerts?filter=alertname%3D%22TrinoQueueHigh%22",
            &[],
        )
        .as_array()
        .unwrap()[0]
        .clone();
    assert_eq!(alert["labels"]["lakedeck_pane"], "trino");
    assert_eq!(alert["annotations"]["runbook"], "trino-scale-up");
}

#[test]
fn minio_disk_pressure_scenario_loses_a_drive_and_fills() {
    let Some(lab) = start(&["--scenario", "minio-disk-pressure"]) else {
        return;
    };
    wait_alert(&lab, "MinioCapacityLow", 30);
    wait_alert(&lab, "MinioDriveOffline", 35);
    assert_eq!(
        value_of(&lab.query("max(minio_cluster_drive_offline_total)")),
        1.0
    );
    let free = value_of(&lab.query("max(minio_cluster_capacity_usable_free_bytes)"));
    let forecast = lab.query("predict_linear(minio_cluster_capacity_usable_free_bytes[6h], 86400)");
    assert!(
        value_of(&forecast) < 0.0 && free > 0.0,
        "fills within a day"
    );
}

#[test]
fn kafka_lag_spike_scenario_falls_behind() {
    let Some(lab) = start(&["--scenario", "kafka-lag-spike"]) else {
        return;
    };
    wait_alert(&lab, "KafkaConsumerLagHigh", 40);
    let alerts = lab.json(
        "/alertmanager/api/v2/alerts?filter=alertname%3DKafkaConsumerLagHigh",
        &[],
    );
    assert_eq!(alerts[0]["labels"]["consumergroup"], "connect-s3-sink");
    assert_eq!(alerts[0]["labels"]["topic"], "events.clickstream");
}

#[test]
fn backup_missed_scenario_pages_for_velero() {
    let Some(lab) = start(&["--scenario", "backup-missed"]) else {
        return;
    };
    wait_alert(&lab, "VeleroBackupMissed", 20);
    wait_alert(&lab, "VeleroBackupFailed", 20);
    let status = lab.query("max by (schedule) (velero_backup_last_successful_timestamp)");
    let age = jiff::Timestamp::now().as_second() as f64 - value_of(&status);
    assert!(age > 1.5 * 86_400.0, "newest success is {age}s old");
    wait_alert(&lab, "VeleroBackupLocationUnavailable", 45);
}

/// Issue 5: scaling trino-worker up by 2 adds healthy workers beside the crash-looping
/// ones and the queue drains, as the lab's Prometheus shows.
#[test]
fn trino_backlog_drains_after_scaling_the_workers_up_by_two() {
    let Some(lab) = start(&["--scenario", "trino-backlog"]) else {
        return;
    };
    let queued = || value_of(&lab.query("sum(trino_execution_name_QueryManager_QueuedQueries)"));
    eventually(40, "more than 10 queued Trino queries", || {
        (queued() > 10.0).then_some(())
    });
    let comparison = lab.query("sum(trino_execution_name_QueryManager_QueuedQueries) > 10");
    assert!(value_of(&comparison) > 10.0, "{comparison}");
    let token = lab.token("admin");
    let auth = format!("Authorization: Bearer {token}");
    let (code, body) = lab.call(
        "/apis/apps/v1/namespaces/trino/statefulsets/trino-worker/scale",
        &[
            "-X",
            "PATCH",
            "-H",
            &auth,
            "-H",
            "Content-Type: application/merge-patch+json",
            "--data",
            r#"{"spec":{"replicas":5}}"#,
        ],
    );
    assert_eq!(code, 200, "{body}");
    let scaled = std::time::Instant::now();
    eventually(30, "trino-worker-3 and -4 Ready", || {
        let pods = lab.json("/api/v1/namespaces/trino/pods", &["-H", &auth]);
        let ready = |name: &str| {
            pods["items"].as_array().unwrap().iter().any(|p| {
                p["metadata"]["name"] == name
                    && p["status"]["conditions"].as_array().is_some_and(|cs| {
                        cs.iter()
                            .any(|c| c["type"] == "Ready" && c["status"] == "True")
                    })
            })
        };
        (ready("trino-worker-3") && ready("trino-worker-4")).then_some(())
    });
    eventually(120, "the queue to drain below 5", || {
        (queued() < 5.0).then_some(())
    });
    let secs = scaled.elapsed().as_secs();
    assert!(secs < 120, "drained {secs}s after the scale-up");
}
