//! Headless `lakedeck runbook run` of the shipped runbooks `pod-crashloop`,
//! `minio-capacity` and `velero-bsl-unavailable` against a `lakedeck lab` process running
//! the scenario that makes each relevant, with the outcome read back from the cluster by
//! kubectl (not only from the product's own report); and `lakedeck audit`'s filters
//! (`--since 2h`/TIME, `--until`, `--run`, `--op`, `--target`, `--json`) over the records
//! those real runs wrote, with every time derived from the records themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::LabProcess;
use serde_json::Value;

fn run(lab: &LabProcess, data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lakedeck"))
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("XDG_CONFIG_HOME", data.join("xdg-config"))
        .env("XDG_CACHE_HOME", data.join("xdg-cache"))
        .env("LAKEDECK_DATA_DIR", data)
        .arg("--kubeconfig")
        .arg(&lab.kubeconfig)
        .arg("--config")
        .arg(lab.kubeconfig.parent().unwrap().join("lakedeck.yaml"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run_id(output: &str) -> String {
    output
        .lines()
        .find_map(|l| l.strip_prefix("lakedeck runbook: run "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no run id in {output}"))
        .to_string()
}

fn report(data: &Path, id: &str) -> Value {
    let path = data.join("reports").join(format!("{id}.json"));
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn step<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id} in {report}"))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `lakedeck audit ARGS --json` as records.
fn audit(lab: &LabProcess, data: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["audit", "--json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(lab, data, &all);
    assert_eq!(code, 0, "{err}");
    out.lines().map(json).collect()
}

/// pod-crashloop on the seed's crash-looping kafka-connect pod: the run deletes it and
/// kubectl shows a new pod of the same ReplicaSet in its place. Then `lakedeck audit` over
/// the records of that run and of a dry run.
#[test]
fn pod_crashloop_replaces_the_pod_and_audit_filters_its_records() {
    let Some(kubectl) = common::require_tool("kubectl") else {
        return;
    };
    let lab = LabProcess::start(&[]);
    let data = tempfile::tempdir().unwrap();
    let pods = json(&lab.kubectl_ok(&kubectl, &["get", "pods", "-n", "kafka", "-o", "json"]));
    let crashing = pods["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("datalake-kafka-connect-")
        })
        .unwrap()
        .clone();
    let name = crashing["metadata"]["name"].as_str().unwrap().to_string();
    let uid = crashing["metadata"]["uid"].as_str().unwrap().to_string();
    let owner = crashing["metadata"]["ownerReferences"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let pod_param = format!("pod={name}");
    let args = [
        "runbook",
        "run",
        "pod-crashloop",
        "--context",
        "lakedeck-lab",
        "--param",
        "namespace=kafka",
        "--param",
        &pod_param,
    ];
    // A dry run first: its records carry their own run id.
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let (code, out, err) = run(&lab, data.path(), &dry);
    assert_eq!(code, 0, "{out}{err}");
    let dry_id = run_id(&format!("{out}{err}"));
    let mut real = args.to_vec();
    real.push("--yes");
    let (code, out, err) = run(&lab, data.path(), &real);
    assert_eq!(code, 0, "{out}{err}");
    let id = run_id(&format!("{out}{err}"));
    let r = report(data.path(), &id);
    assert_eq!(r["status"], "succeeded", "{r}");

    // The cluster: the old pod (by UID) is gone, its ReplicaSet has a new one running.
    lab.wait_for(
        &kubectl,
        &["get", "pods", "-n", "kafka", "-o", "json"],
        Duration::from_secs(60),
        |text| {
            let items = json(text)["items"].as_array().cloned().unwrap_or_default();
            !items.iter().any(|p| p["metadata"]["uid"] == uid.as_str())
                && items.iter().any(|p| {
                    p["metadata"]["ownerReferences"][0]["name"] == owner.as_str()
                        && p["metadata"]["name"] != name.as_str()
                        && p["status"]["phase"] == "Running"
                })
        },
    );

    // audit: every record of the real run, and only those, with --run.
    let all = audit(&lab, data.path(), &[]);
    let of_run = audit(&lab, data.path(), &["--run", &id]);
    assert!(!of_run.is_empty(), "{all:#?}");
    assert!(of_run.iter().all(|r| r["run"] == id.as_str()), "{of_run:?}");
    assert_eq!(
        of_run.len(),
        all.iter().filter(|r| r["run"] == id.as_str()).count()
    );
    assert!(
        of_run.iter().any(|r| r["op"] == "delete-pod"
            && r["dry_run"] == false
            && r["phase"] == "after"
            && r["outcome"].as_str().unwrap().starts_with("ok")),
        "the real delete, done: {of_run:?}"
    );
    let of_dry = audit(&lab, data.path(), &["--run", &dry_id]);
    assert!(
        !of_dry.is_empty() && of_dry.iter().all(|r| r["dry_run"] == true),
        "{of_dry:?}"
    );
    // --op and --target.
    let deletes = audit(
        &lab,
        data.path(),
        &["--op", "delete-pod", "--target", &name],
    );
    let is_delete = |r: &&Value| r["op"] == "delete-pod";
    assert_eq!(
        deletes.len(),
        of_run.iter().filter(is_delete).count() + of_dry.iter().filter(is_delete).count(),
        "{deletes:?}"
    );
    assert!(
        deletes.iter().all(|r| r["op"] == "delete-pod"),
        "{deletes:?}"
    );
    assert!(audit(&lab, data.path(), &["--op", "scale"]).is_empty());
    assert!(audit(&lab, data.path(), &["--target", "no-such-target"]).is_empty());
    // --since 2h holds them all; times from the records themselves bound the rest.
    assert_eq!(
        audit(&lab, data.path(), &["--since", "2h"]).len(),
        all.len()
    );
    let times: Vec<jiff::Timestamp> = all
        .iter()
        .map(|r| r["time"].as_str().unwrap().parse().unwrap())
        .collect();
    let (first, last) = (*times.iter().min().unwrap(), *times.iter().max().unwrap());
    let second = jiff::SignedDuration::from_secs(1);
    let before = (first - second).to_string();
    let after = (last + second).to_string();
    assert!(audit(&lab, data.path(), &["--until", &before]).is_empty());
    assert!(audit(&lab, data.path(), &["--since", &after]).is_empty());
    assert_eq!(
        audit(&lab, data.path(), &["--since", &before, "--until", &after]).len(),
        all.len()
    );
    // The dry run came first: --until just before the real run's first record leaves
    // only the dry run's.
    let real_first = of_run
        .iter()
        .map(|r| {
            r["time"]
                .as_str()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .unwrap()
        })
        .min()
        .unwrap();
    let until = (real_first - jiff::SignedDuration::from_millis(1)).to_string();
    let early = audit(&lab, data.path(), &["--until", &until]);
    assert!(
        !early.is_empty() && early.iter().all(|r| r["run"] == dry_id.as_str()),
        "{early:?}"
    );
    // Without --json: one table line per record, naming op and target.
    let (code, table, err) = run(&lab, data.path(), &["audit", "--run", &id]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(table.lines().count(), of_run.len(), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.contains("delete-pod") && l.contains(&name)),
        "{table}"
    );
}

/// minio-capacity on `minio-disk-pressure` (bronze filling ~2.9 TB a day): the free space
/// and bucket checks pass, the 24 h forecast check fails (predicted negative) but is
/// optional, so the run succeeds — and the bucket sizes it reports include bronze.
#[test]
fn minio_capacity_on_disk_pressure_flags_the_forecast() {
    let lab = LabProcess::start(&["--scenario", "minio-disk-pressure"]);
    let data = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        &lab,
        data.path(),
        &[
            "runbook",
            "run",
            "minio-capacity",
            "--context",
            "lakedeck-lab",
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let r = report(data.path(), &run_id(&format!("{out}{err}")));
    assert_eq!(r["status"], "succeeded", "{r}");
    assert_eq!(step(&r, "free")["outcome"], "done", "{r}");
    assert_ne!(
        step(&r, "tomorrow")["outcome"],
        "done",
        "full within a day: {r}"
    );
    assert!(step(&r, "buckets").to_string().contains("bronze"), "{r}");
}

/// velero-bsl-unavailable on `backup-missed` (the location turns Unavailable 20 simulated
/// seconds in), with a timeline that brings it back later: the run sees it Unavailable,
/// waits, and finishes when it is Available again — as kubectl then reads it.
#[test]
fn velero_bsl_unavailable_waits_until_the_location_is_back() {
    let Some(kubectl) = common::require_tool("kubectl") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("bsl-flaps.yaml");
    std::fs::write(
        &scenario,
        "name: bsl-flaps\nextends: backup-missed\ntimeline:\n  - at: 20s\n    bsl_unavailable: default\n  - at: 200s\n    bsl_available: default\n",
    )
    .unwrap();
    let lab = LabProcess::start(&["--scenario", scenario.to_str().unwrap(), "--speed", "10"]);
    let phase = [
        "get",
        "backupstoragelocations",
        "-n",
        "velero",
        "default",
        "-o",
        "jsonpath={.status.phase}",
    ];
    lab.wait_for(&kubectl, &phase, Duration::from_secs(30), |p| {
        p == "Unavailable"
    });
    let data = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        &lab,
        data.path(),
        &[
            "runbook",
            "run",
            "velero-bsl-unavailable",
            "--context",
            "lakedeck-lab",
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let r = report(data.path(), &run_id(&format!("{out}{err}")));
    assert_eq!(r["status"], "succeeded", "{r}");
    assert_ne!(
        step(&r, "location")["outcome"],
        "done",
        "seen Unavailable: {r}"
    );
    assert_eq!(step(&r, "available")["outcome"], "done", "{r}");
    assert_eq!(lab.kubectl_ok(&kubectl, &phase), "Available");
}
