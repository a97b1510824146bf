//! New-style Events (issue 10 item 3): the lab's scheduler writes FailedScheduling through
//! events.k8s.io/v1 as kube-scheduler does, so read as core/v1 it has `eventTime` and
//! `series` and no `lastTimestamp`/`count`; the lab serves events.k8s.io/v1 with the API
//! server's conversion; the real kubectl is the oracle for the shapes and for the describe
//! Age column, which lakedeck's describe must match.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::LabProcess;
use serde_json::Value;

fn kubectl_json(lab: &LabProcess, kubectl: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    serde_json::from_str(&lab.kubectl_ok(kubectl, &all)).unwrap()
}

/// The seed's Pending pod (`airflow/dbt-full-refresh-…`).
fn pending_pod(lab: &LabProcess, kubectl: &Path) -> String {
    let pods = kubectl_json(lab, kubectl, &["get", "pods", "-n", "airflow"]);
    pods["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("dbt-full-refresh-")
                && p["status"]["phase"] == "Pending"
        })
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .expect("the seed's Pending dbt-full-refresh pod")
}

/// Its FailedScheduling event(s) as core/v1 objects.
fn failed_scheduling(lab: &LabProcess, kubectl: &Path, pod: &str) -> Vec<Value> {
    let selector = format!("involvedObject.name={pod},reason=FailedScheduling");
    let list = kubectl_json(
        lab,
        kubectl,
        &[
            "get",
            "events",
            "-n",
            "airflow",
            "--field-selector",
            &selector,
        ],
    );
    list["items"].as_array().unwrap().clone()
}

#[test]
fn failed_scheduling_is_written_through_events_k8s_io_and_read_back_in_both_shapes() {
    let Some(kubectl) = common::require_tool("kubectl") else {
        return;
    };
    let lab = LabProcess::start(&[]);
    let pod = pending_pod(&lab, &kubectl);
    let events = failed_scheduling(&lab, &kubectl, &pod);
    assert_eq!(
        events.len(),
        1,
        "one series, not one event per attempt: {events:#?}"
    );
    let core = &events[0];
    // The core/v1 view of a new-style event (kube-next.md §1.1 / §1.3).
    assert!(core["eventTime"].as_str().is_some(), "{core:#}");
    assert!(core["series"]["count"].as_i64().unwrap() >= 2, "{core:#}");
    assert!(
        core["series"]["lastObservedTime"].as_str().is_some(),
        "{core:#}"
    );
    assert!(
        core["lastTimestamp"].is_null() && core["firstTimestamp"].is_null(),
        "{core:#}"
    );
    assert!(core.get("count").is_none(), "{core:#}");
    assert_eq!(core["source"], serde_json::json!({}));
    assert_eq!(core["reportingComponent"], "default-scheduler");
    assert_eq!(core["action"], "Scheduling");
    assert_eq!(core["type"], "Warning");

    // The same object through events.k8s.io/v1.
    let name = core["metadata"]["name"].as_str().unwrap();
    let v1 = kubectl_json(
        &lab,
        &kubectl,
        &["get", "events.v1.events.k8s.io", name, "-n", "airflow"],
    );
    assert_eq!(v1["apiVersion"], "events.k8s.io/v1");
    assert_eq!(v1["note"], core["message"]);
    assert_eq!(v1["regarding"]["name"], pod.as_str());
    assert_eq!(v1["reportingController"], "default-scheduler");
    assert_eq!(v1["series"], core["series"]);
    assert_eq!(v1["eventTime"], core["eventTime"]);
    assert!(v1.get("deprecatedCount").is_none(), "{v1:#}");

    // kubectl's own printing of both resources.
    let wide = lab.kubectl_ok(
        &kubectl,
        &[
            "get",
            "events",
            "-n",
            "airflow",
            "--field-selector",
            "reason=FailedScheduling",
            "-o",
            "wide",
        ],
    );
    let row = wide
        .lines()
        .find(|l| l.contains(&pod))
        .unwrap_or_else(|| panic!("no row for {pod}:\n{wide}"));
    let count = core["series"]["count"].as_i64().unwrap().to_string();
    assert!(
        row.split_whitespace().any(|w| w == count),
        "COUNT is the series' count {count}: {row}"
    );
    assert!(
        row.contains("default-scheduler") && !row.contains("<unknown>"),
        "{wide}"
    );
    let v1_table = lab.kubectl_ok(
        &kubectl,
        &["get", "events.v1.events.k8s.io", "-n", "airflow"],
    );
    assert!(
        v1_table
            .lines()
            .any(|l| l.contains("FailedScheduling") && l.contains(&pod)),
        "{v1_table}"
    );
}

#[test]
fn an_event_created_through_events_k8s_io_reads_as_core_v1_with_the_mapped_fields() {
    let Some(kubectl) = common::require_tool("kubectl") else {
        return;
    };
    let lab = LabProcess::start(&[]);
    let pod = pending_pod(&lab, &kubectl);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("event.json");
    let event = serde_json::json!({
        "apiVersion": "events.k8s.io/v1", "kind": "Event",
        "metadata": {"name": "drill.1", "namespace": "airflow"},
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "reportingController": "lakedeck.dev/lakedeck", "reportingInstance": "lakedeck-test",
        "action": "Scale", "reason": "ScaledUp", "type": "Normal",
        "regarding": {"kind": "Pod", "namespace": "airflow", "name": pod},
        "note": "scaled by the test"
    });
    std::fs::write(&file, event.to_string()).unwrap();
    lab.kubectl_ok(&kubectl, &["create", "-f", file.to_str().unwrap()]);
    let core = kubectl_json(
        &lab,
        &kubectl,
        &["get", "event", "drill.1", "-n", "airflow"],
    );
    assert_eq!(core["apiVersion"], "v1");
    assert_eq!(core["message"], "scaled by the test");
    assert_eq!(core["involvedObject"]["name"], pod.as_str());
    assert_eq!(core["reportingComponent"], "lakedeck.dev/lakedeck");
    assert_eq!(core["reportingInstance"], "lakedeck-test");
    assert!(core["lastTimestamp"].is_null() && core.get("count").is_none());

    // events.k8s.io validation: no eventTime, deprecated fields set.
    let bad = serde_json::json!({
        "apiVersion": "events.k8s.io/v1", "kind": "Event",
        "metadata": {"name": "drill.2", "namespace": "airflow"},
        "reportingController": "lakedeck", "reportingInstance": "x", "action": "Scale",
        "reason": "ScaledUp", "type": "Normal", "deprecatedCount": 3,
        "regarding": {"kind": "Pod", "namespace": "airflow", "name": pod}
    });
    std::fs::write(&file, bad.to_string()).unwrap();
    let out = lab.kubectl(&kubectl, &["create", "-f", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("eventTime: Required value")
            && err.contains("deprecatedCount: Invalid value: needs to be unset"),
        "{err}"
    );
}

/// The FailedScheduling row of a describe's Events block, as (Age, From) — kubectl's
/// columns Type, Reason, Age, From, Message, where Age may hold spaces ("3m (x5 over 2h)").
fn failed_scheduling_row(describe: &str) -> Option<(String, String)> {
    let line = describe
        .lines()
        .find(|l| l.trim_start().starts_with("Warning") && l.contains("FailedScheduling"))?;
    let rest = line.split("FailedScheduling").nth(1)?.trim_start();
    Some(match rest.find("default-scheduler") {
        Some(at) => (rest[..at].trim().to_string(), "default-scheduler".into()),
        // No From column: all of it, so a mismatch shows what was there.
        None => (rest.to_string(), String::new()),
    })
}

/// lakedeck's describe of the Pending pod shows FailedScheduling the way the real
/// `kubectl describe` does — a real age and the series' count ("(xN over M)"), not
/// `<unknown>` and 1.
#[test]
fn lakedeck_describe_shows_the_series_like_kubectl_describe() {
    let Some(kubectl) = common::require_tool("kubectl") else {
        return;
    };
    let lab = LabProcess::start(&[]);
    let pod = pending_pod(&lab, &kubectl);
    let count = failed_scheduling(&lab, &kubectl, &pod)[0]["series"]["count"]
        .as_i64()
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = rt.block_on(async {
        lakedeck::cockpit::connect(Some(&lab.kubeconfig), Some("lakedeck-lab"))
            .await
            .unwrap()
            .client
    });
    // Ages are read at two moments; poll until both land in the same second.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let oracle = lab.kubectl_ok(&kubectl, &["describe", "pod", &pod, "-n", "airflow"]);
        let ours = rt
            .block_on(lakedeck::sources::describe::fetch(
                client.clone(),
                &lakedeck::app::ObjectRef::Pod {
                    namespace: "airflow".into(),
                    name: pod.clone(),
                },
                false,
            ))
            .unwrap()
            .join("\n");
        let theirs = failed_scheduling_row(&oracle)
            .unwrap_or_else(|| panic!("kubectl shows no FailedScheduling:\n{oracle}"));
        let mine = failed_scheduling_row(&ours)
            .unwrap_or_else(|| panic!("lakedeck shows no FailedScheduling:\n{ours}"));
        assert!(
            theirs.0.contains(&format!("(x{count} over ")),
            "the oracle's Age carries the series: {theirs:?}"
        );
        if mine == theirs {
            assert!(!mine.0.contains("<unknown>"));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "lakedeck {mine:?} vs kubectl {theirs:?}\nlakedeck:\n{ours}\nkubectl:\n{oracle}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
