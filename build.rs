//! Fails the build when a module of the cockpit crate imports across a layer boundary it
//! must not cross (rules and reasons in tools/layers.rs; the picture in ARCHITECTURE.md).

#[path = "tools/layers.rs"]
#[allow(dead_code)]
mod layers;

fn main() {
    println!("cargo::rerun-if-changed=src");
    println!("cargo::rerun-if-changed=tools/layers.rs");
    let modules = match layers::read_tree(std::path::Path::new("src")) {
        Ok(m) => m,
        Err(e) => {
            println!("cargo::error=layer check: cannot read src/: {e}");
            return;
        }
    };
    for v in layers::violations(&modules) {
        println!("cargo::error=layer rule broken: {v}");
    }
}
