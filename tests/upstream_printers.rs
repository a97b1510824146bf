//! Our port of kubectl's pod and node printers against an oracle that is not our code:
//! the expectations of kubernetes' own `pkg/printers/internalversion/printers_test.go`
//! (`TestPrintPod`, `TestPrintPodWithRestartableInitContainer`, `TestPrintPodwide`,
//! `TestPrintPodConditions`, `TestPrintPodList`, `TestPrintNonTerminatedPod`,
//! `TestPrintNode*`, `TestTranslateTimestampSince`), transcribed case by case into
//! `tests/fixtures/upstream_printers/*.json` with the upstream test and case named on each.
//!
//! Two consumers of the port are checked: the whole table row the lab serves to kubectl
//! (`model::printers`) and the cells the cockpit shows (`PodRow` / `NodeRow`). Every
//! mismatch is listed before the test fails, so one run shows the whole damage.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{Node, Pod};
use lakedeck::model::duration::human_duration;
use lakedeck::model::nodes::NodeRow;
use lakedeck::model::pods::{Interner, PodRow};
use lakedeck::model::printers::{node_cells, pod_cells};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/upstream_printers/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn now_of(doc: &Value) -> Timestamp {
    doc["now"].as_str().unwrap().parse().unwrap()
}

fn expected(case: &Value) -> Vec<String> {
    case["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

/// Compares the cells both sides have (non-wide upstream cases list only the priority-0
/// cells; the cockpit shows only those) and records a mismatch under the case's name.
fn check(failures: &mut Vec<String>, who: &str, case: &Value, got: &[String]) {
    let want = expected(case);
    let n = want.len().min(got.len());
    let (want, got) = (&want[..n], &got[..n]);
    if got != want {
        failures.push(format!(
            "{who} {}: want {want:?}, got {got:?}",
            case["upstream"].as_str().unwrap()
        ));
    }
}

fn report(failures: &[String], cases: usize) {
    assert!(
        failures.is_empty(),
        "{} of {cases} upstream cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn pod_rows_match_upstream_print_pod_tests() {
    let doc = fixture("pods.json");
    let now = now_of(&doc);
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 39, "the fixture lost cases");
    let mut failures = Vec::new();
    for case in cases {
        let pod: Pod = serde_json::from_value(case["pod"].clone())
            .unwrap_or_else(|e| panic!("{}: {e}", case["upstream"]));
        // The lab's server-side Table row (what kubectl prints), wide cells included.
        let lab = pod_cells(&pod, now);
        assert_eq!(lab.len(), 9, "a pod row has 9 cells");
        check(&mut failures, "lab table", case, &lab);
        // The cockpit's pod row: the same priority-0 cells.
        let row = PodRow::from_pod(&pod, &mut Interner::default());
        let cockpit = [
            row.name.to_string(),
            row.ready_column(),
            row.status.to_string(),
            row.restarts_column(now),
            row.age_column(now),
        ];
        check(&mut failures, "cockpit", case, &cockpit);
    }
    report(&failures, cases.len());
}

#[test]
fn node_rows_match_upstream_print_node_tests() {
    let doc = fixture("nodes.json");
    let now = now_of(&doc);
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 26, "the fixture lost cases");
    let mut failures = Vec::new();
    for case in cases {
        let node: Node = serde_json::from_value(case["node"].clone())
            .unwrap_or_else(|e| panic!("{}: {e}", case["upstream"]));
        let lab = node_cells(&node, now);
        assert_eq!(lab.len(), 10, "a node row has 10 cells");
        check(&mut failures, "lab table", case, &lab);
        let row = NodeRow::from_node(&node);
        let cockpit = [
            row.name.to_string(),
            row.status.to_string(),
            row.roles.to_string(),
            row.age_column(now),
            row.version.to_string(),
        ];
        check(&mut failures, "cockpit", case, &cockpit);
    }
    report(&failures, cases.len());
}

#[test]
fn age_cells_match_upstream_translate_timestamp_since() {
    let doc = fixture("ages.json");
    let cases = doc["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let want = case["cell"].as_str().unwrap();
        // Upstream measures from time.Now() to a time `offset_ms` away; the age is minus
        // that offset. The zero time prints "<unknown>", which is our "no timestamp".
        let got = match case["offset_ms"].as_i64() {
            Some(offset) => human_duration(SignedDuration::from_millis(-offset)),
            None => lakedeck::model::printers::age_cell(None, Timestamp::UNIX_EPOCH),
        };
        if got != want {
            failures.push(format!("{}: want {want:?}, got {got:?}", case["upstream"]));
        }
    }
    report(&failures, cases.len());
}
