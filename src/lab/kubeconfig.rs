//! The kubeconfig `lakedeck lab` writes: one cluster, two users (`admin`, `viewer`) and
//! two contexts (`lakedeck-lab`, `lakedeck-lab-viewer`). The file holds bearer tokens,
//! so it is created readable by its owner only.

use std::io::Write;
use std::path::Path;

use super::server::Tokens;

pub const ADMIN_CONTEXT: &str = "lakedeck-lab";
pub const VIEWER_CONTEXT: &str = "lakedeck-lab-viewer";

pub fn render(server: &str, ca_pem: &str, tokens: &Tokens) -> String {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: lakedeck-lab
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: admin
  user:
    token: {admin}
- name: viewer
  user:
    token: {viewer}
contexts:
- name: {ADMIN_CONTEXT}
  context:
    cluster: lakedeck-lab
    user: admin
- name: {VIEWER_CONTEXT}
  context:
    cluster: lakedeck-lab
    user: viewer
current-context: {ADMIN_CONTEXT}
preferences: {{}}
",
        admin = tokens.admin,
        viewer = tokens.viewer
    )
}

pub fn write(path: &Path, server: &str, ca_pem: &str, tokens: &Tokens) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(render(server, ca_pem, tokens).as_bytes())?;
    file.sync_all()
}
