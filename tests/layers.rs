//! The cockpit crate's layers, read from its own `crate::…` imports: the build script
//! refuses forbidden imports (tools/layers.rs), and this test also demands that no
//! import cycle crosses a layer boundary. The synthetic trees show both checks fail.

#![allow(clippy::panic)]

#[path = "../tools/layers.rs"]
#[allow(dead_code)]
mod layers;

use layers::{Module, cross_layer_cycles, read_tree, violations};

fn module(path: &str, code: &str) -> Module {
    Module {
        path: path.split("::").map(str::to_string).collect(),
        code: layers::product_code(code),
    }
}

fn src() -> Vec<Module> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    match read_tree(&root) {
        Ok(m) => m,
        Err(e) => panic!("cannot read {}: {e}", root.display()),
    }
}

#[test]
fn the_cockpit_crate_keeps_its_layer_rules() {
    let modules = src();
    assert!(modules.len() > 50, "read only {} modules", modules.len());
    let broken = violations(&modules);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn no_import_cycle_crosses_a_layer_boundary() {
    let cycles = cross_layer_cycles(&src());
    assert!(
        cycles.is_empty(),
        "import cycles across layers:\n{}",
        cycles
            .iter()
            .map(|c| c.join(" ↔ "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn a_forbidden_import_is_named_with_its_rule() {
    let tree = [
        module(
            "ops::workloads",
            "use crate::app::{Msg, list::Filter};\nuse crate::model::pods::PodRow;",
        ),
        module("app", "pub struct Msg;"),
        module("app::list", ""),
        module("runbook::engine", "fn f() { crate::cli::run(); }"),
        module("cli", ""),
        module("sources", "use crate::app::Msg;"),
        module("ops", "use crate::endpoints::http;"),
        module("sources::http", ""),
    ];
    let broken = violations(&tree);
    assert!(
        broken
            .iter()
            .any(|v| v
                .starts_with("crate::ops::workloads imports crate::app — ops must not import app")),
        "{broken:#?}"
    );
    assert!(
        broken.iter().any(|v| v.contains("crate::app::list")),
        "{broken:#?}"
    );
    assert!(
        broken.iter().any(|v| v.starts_with(
            "crate::runbook::engine imports crate::cli — runbook must not import front end"
        )),
        "{broken:#?}"
    );
    // The model is a crate of its own: naming it is never a layer question here.
    assert!(
        !broken.iter().any(|v| v.contains("crate::model")),
        "{broken:#?}"
    );
    assert_eq!(broken.len(), 3, "{broken:#?}");
}

#[test]
fn a_paid_debt_must_leave_the_list() {
    let tree = [
        module("sources", "use crate::model::pods::PodRow;"),
        module("ops", ""),
    ];
    let broken = violations(&tree);
    assert!(
        broken
            .iter()
            .any(|v| v.contains("the debt sources → app is paid")),
        "{broken:#?}"
    );
    assert_eq!(broken.len(), 1, "{broken:#?}");
}

#[test]
fn a_cycle_across_layers_is_found_and_one_inside_a_layer_is_not() {
    let tree = [
        module("ui::pods", "use crate::app::AppState;"),
        module("app", "use crate::ui::pods::draw;"),
        module("app::list", "use crate::app::rows;"),
        module("app::rows", "use crate::app::list;"),
        // Test code after #[cfg(test)] does not count.
        module(
            "theme",
            "pub struct Theme;\n#[cfg(test)]\nmod tests { use crate::ui::pods; }",
        ),
        module("ui", "use crate::theme::Theme;"),
    ];
    assert_eq!(
        cross_layer_cycles(&tree),
        vec![vec!["app".to_string(), "ui::pods".to_string()]]
    );
}

#[test]
fn grouped_and_inline_paths_are_read() {
    let paths = layers::crate_paths(&layers::product_code(
        "use crate::{app::{Msg, SourceId}, ops::Op};\nlet x = crate::sources::backoff(1); // crate::ui::x\nlet s = \"https://crate::no\";",
    ));
    let firsts: Vec<&str> = paths.iter().map(|p| p[0].as_str()).collect();
    assert_eq!(firsts, ["app", "app", "ops", "sources"]);
    assert_eq!(paths[1], ["app", "SourceId"]);
}
