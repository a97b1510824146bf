//! The kubeconfig `lakedeck lab` writes: one cluster, three users (`admin`, `viewer`,
//! `team`) and three contexts (`lakedeck-lab`, `lakedeck-lab-viewer`, and
//! `lakedeck-lab-team`, whose namespace is `trino`: the team may only use `trino` and
//! `kafka`). The file holds bearer tokens, so it is created readable by its owner only.
//! Next to it go the lab's CA (`lakedeck-lab-ca.pem`, for promtool/amtool via
//! `SSL_CERT_FILE`) and a lakedeck config (`lakedeck.yaml`) naming the lab's
//! Prometheus, Alertmanager and Trino for every context: direct URLs for the admin and
//! team contexts, `service:` endpoints through the API server's proxy for the viewer.
//! The cluster entry carries the [`LAB_EXTENSION`] extension naming that config file, so
//! the cockpit finds it without `--config` (and never a file that merely lies beside
//! some other kubeconfig).

use std::io::Write;
use std::path::Path;

use super::server::Tokens;

pub const ADMIN_CONTEXT: &str = "lakedeck-lab";
pub const VIEWER_CONTEXT: &str = "lakedeck-lab-viewer";
pub const TEAM_CONTEXT: &str = "lakedeck-lab-team";
/// The cluster extension that marks a kubeconfig as the lab's; its `config` names the
/// lakedeck config written beside the kubeconfig.
pub const LAB_EXTENSION: &str = "lakedeck.dev/lab";

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
    extensions:
    - name: {LAB_EXTENSION}
      extension:
        provider: lakedeck lab
        config: {CONFIG_FILE}
users:
- name: admin
  user:
    token: {admin}
- name: viewer
  user:
    token: {viewer}
- name: team
  user:
    token: {team}
contexts:
- name: {ADMIN_CONTEXT}
  context:
    cluster: lakedeck-lab
    user: admin
- name: {VIEWER_CONTEXT}
  context:
    cluster: lakedeck-lab
    user: viewer
- name: {TEAM_CONTEXT}
  context:
    cluster: lakedeck-lab
    user: team
    namespace: trino
current-context: {ADMIN_CONTEXT}
preferences: {{}}
",
        admin = tokens.admin,
        viewer = tokens.viewer,
        team = tokens.team
    )
}

pub const CA_FILE: &str = "lakedeck-lab-ca.pem";
pub const CONFIG_FILE: &str = "lakedeck.yaml";

/// The lakedeck config naming the lab's endpoints for both contexts.
pub fn render_config(server: &str, ca_file: &str) -> String {
    format!(
        "# Written by `lakedeck lab`: the lab's monitoring endpoints per kubeconfig context.
contexts:
  {ADMIN_CONTEXT}:
    prometheus: {{url: \"{server}/prometheus\", ca_file: \"{ca_file}\"}}
    alertmanager: {{url: \"{server}/alertmanager\", ca_file: \"{ca_file}\"}}
    trino: {{url: \"{server}/trino\", ca_file: \"{ca_file}\", user: lakedeck}}
  {VIEWER_CONTEXT}:
    prometheus: \"service:monitoring/prometheus:9090\"
    alertmanager: \"service:monitoring/alertmanager:9093\"
    trino: {{url: \"service:trino/trino:8080\", user: lakedeck}}
  {TEAM_CONTEXT}:
    prometheus: {{url: \"{server}/prometheus\", ca_file: \"{ca_file}\"}}
    alertmanager: {{url: \"{server}/alertmanager\", ca_file: \"{ca_file}\"}}
    trino: {{url: \"{server}/trino\", ca_file: \"{ca_file}\", user: lakedeck}}
"
    )
}

pub fn write(path: &Path, server: &str, ca_pem: &str, tokens: &Tokens) -> std::io::Result<()> {
    write_kubeconfig(path, server, ca_pem, tokens)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let ca_path = dir.join(CA_FILE);
    std::fs::write(&ca_path, ca_pem)?;
    let ca_abs = std::path::absolute(&ca_path).unwrap_or(ca_path);
    std::fs::write(
        dir.join(CONFIG_FILE),
        render_config(server, &ca_abs.display().to_string()),
    )
}

fn write_kubeconfig(
    path: &Path,
    server: &str,
    ca_pem: &str,
    tokens: &Tokens,
) -> std::io::Result<()> {
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
