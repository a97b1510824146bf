//! The cockpit's start-up decisions, made before the terminal is taken over: which
//! namespace scope the user can actually read (a namespace-scoped user asking for `-A`
//! gets the first namespace it may list, and the header says why), whether the API can
//! be reached at all (a 403 is an answer, not an outage), and which lakedeck config a
//! kubeconfig written by `lakedeck lab` names beside itself.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::Client;
use kube::config::Kubeconfig;

use crate::app::Scope;
use crate::lab::kubeconfig::LAB_EXTENSION;

/// How long the probe of each candidate scope may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the user asked to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    /// `-A`.
    All,
    /// `-n NAME`: shown even when forbidden (the pane says so).
    Namespace(String),
    /// Nothing given: the context's namespace (config, then kubeconfig).
    Default,
}

/// The scope the cockpit starts in, and what the header and footer say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub scope: Scope,
    /// A short note beside the namespace in the header (e.g. "all namespaces forbidden").
    pub note: Option<String>,
    /// A sentence for the footer at start.
    pub notice: Option<String>,
}

/// Why the cockpit cannot start on this connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No answer, or not an API server's answer (the message says which).
    Unreachable(String),
    /// 401: the server answered but does not accept the credentials.
    Unauthenticated(String),
}

/// Probes `wanted` with a one-item list of pods. A 403 never refuses the start: for `-A`
/// (or no namespace given) the `candidates` are probed in order and the first one the
/// user may list is shown; when none is, the first is shown and its pane says forbidden.
pub async fn choose_scope(
    client: &Client,
    wanted: &Wanted,
    candidates: &[String],
) -> Result<Chosen, Refusal> {
    let first = match wanted {
        Wanted::All => Scope::All,
        Wanted::Namespace(ns) => Scope::Namespace(ns.clone()),
        Wanted::Default => match candidates.first() {
            Some(ns) => Scope::Namespace(ns.clone()),
            None => Scope::Namespace("default".into()),
        },
    };
    let denied = match probe(client, &first).await? {
        None => {
            return Ok(Chosen {
                scope: first,
                note: None,
                notice: None,
            });
        }
        Some(why) => why,
    };
    if let Wanted::Namespace(ns) = wanted {
        return Ok(Chosen {
            scope: first,
            note: None,
            notice: Some(format!(
                "you may not list pods in namespace {ns} ({denied}) — :ns <name> shows another"
            )),
        });
    }
    let asked = match &first {
        Scope::All => "all namespaces".to_string(),
        Scope::Namespace(ns) => format!("namespace {ns}"),
    };
    for ns in candidates
        .iter()
        .filter(|ns| Scope::Namespace((*ns).clone()) != first)
    {
        let scope = Scope::Namespace(ns.clone());
        if probe(client, &scope).await?.is_none() {
            return Ok(Chosen {
                scope,
                note: Some(format!("{asked} forbidden")),
                notice: Some(format!(
                    "{asked} forbidden — showing namespace {ns}, the first you may list; :ns <name> shows another ({denied})"
                )),
            });
        }
    }
    let fallback = candidates
        .first()
        .map_or(first.clone(), |ns| Scope::Namespace(ns.clone()));
    Ok(Chosen {
        note: Some(format!("{asked} forbidden")),
        notice: Some(format!(
            "{asked} forbidden, and so are the namespaces tried ({}) — :ns <name> shows another ({denied})",
            candidates.join(", ")
        )),
        scope: fallback,
    })
}

/// `Ok(None)` when pods in `scope` may be listed, `Ok(Some(why))` when that is
/// forbidden, `Err` when the API cannot be used at all.
async fn probe(client: &Client, scope: &Scope) -> Result<Option<String>, Refusal> {
    match tokio::time::timeout(PROBE_TIMEOUT, crate::sources::probe(client, scope)).await {
        Err(_) => Err(Refusal::Unreachable(format!(
            "no answer within {} s",
            PROBE_TIMEOUT.as_secs()
        ))),
        Ok(Ok(())) => Ok(None),
        Ok(Err(kube::Error::Api(s))) if s.code == 403 => Ok(Some(s.message.clone())),
        Ok(Err(kube::Error::Api(s))) if s.code == 401 => Err(Refusal::Unauthenticated(format!(
            "{} ({})",
            s.reason, s.message
        ))),
        Ok(Err(e)) => Err(Refusal::Unreachable(crate::endpoints::explain(&e).1)),
    }
}

/// The namespaces to try, in order, when the wanted scope is forbidden or not given:
/// the context's namespace from the lakedeck config, the kubeconfig context's
/// namespace, then the favourites (without `all`), each once.
pub fn candidates(
    config_namespace: Option<&str>,
    kubeconfig_namespace: Option<&str>,
    favourites: &[String],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let named = config_namespace
        .into_iter()
        .chain(kubeconfig_namespace)
        .chain(favourites.iter().map(String::as_str))
        .filter(|ns| !ns.is_empty() && *ns != "all");
    for ns in named {
        if !out.iter().any(|o| o == ns) {
            out.push(ns.to_string());
        }
    }
    if out.is_empty() {
        out.push("default".into());
    }
    out
}

/// The namespace the kubeconfig's `context` (or its current context) names, if any.
pub fn kubeconfig_namespace(kubeconfig: &Kubeconfig, context: Option<&str>) -> Option<String> {
    let name = context.or(kubeconfig.current_context.as_deref())?;
    kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == name)?
        .context
        .as_ref()?
        .namespace
        .clone()
}

/// The kubeconfig file the cockpit will read, when it is one file: `--kubeconfig`, a
/// `KUBECONFIG` naming exactly one file, or `~/.kube/config` when `KUBECONFIG` is unset.
pub fn kubeconfig_file(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_path_buf());
    }
    match std::env::var_os("KUBECONFIG") {
        Some(v) => {
            let mut paths = std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty());
            let one = paths.next()?;
            paths.next().is_none().then_some(one)
        }
        None => directories::BaseDirs::new().map(|d| d.home_dir().join(".kube").join("config")),
    }
}

/// The lakedeck config that `lakedeck lab` wrote beside `kubeconfig`, for `context` (or
/// the current context): only when that context's cluster carries the lab's marker
/// extension, which names a file in the kubeconfig's own directory (a bare file name;
/// anything with a path in it is ignored), and that file exists. A config file that
/// merely lies beside some kubeconfig is never picked up.
pub fn lab_config_beside(kubeconfig: &Path, context: Option<&str>) -> Option<PathBuf> {
    let kc = Kubeconfig::read_from(kubeconfig).ok()?;
    let name = context.or(kc.current_context.as_deref())?;
    let cluster = kc
        .contexts
        .iter()
        .find(|c| c.name == name)?
        .context
        .as_ref()?
        .cluster
        .clone();
    let extension = kc
        .clusters
        .iter()
        .find(|c| c.name == cluster)?
        .cluster
        .as_ref()?
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.name == LAB_EXTENSION)?;
    let file = extension.extension.get("config")?.as_str()?;
    let bare = Path::new(file);
    if file.is_empty() || bare.file_name() != Some(bare.as_os_str()) {
        return None;
    }
    let path = kubeconfig.parent().unwrap_or(Path::new(".")).join(bare);
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_ordered_unique_and_never_all() {
        let fav = vec!["all".to_string(), "trino".into(), "kafka".into()];
        assert_eq!(
            candidates(None, Some("kafka"), &fav),
            vec!["kafka".to_string(), "trino".into()]
        );
        assert_eq!(candidates(None, None, &[]), vec!["default".to_string()]);
    }

    fn write(dir: &Path, kubeconfig: &str) -> PathBuf {
        let path = dir.join("k.kubeconfig");
        std::fs::write(&path, kubeconfig).unwrap_or_default();
        std::fs::write(dir.join("lakedeck.yaml"), "contexts: {}\n").unwrap_or_default();
        path
    }

    const MARKED: &str = "apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    server: https://127.0.0.1:1
    extensions:
    - name: EXT
      extension: {config: CONFIG}
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: lab, user: u}}]
current-context: c
";

    #[test]
    fn only_a_lab_marked_kubeconfig_names_its_config() {
        let Ok(dir) = tempfile::tempdir() else {
            return;
        };
        let marked = MARKED
            .replace("EXT", LAB_EXTENSION)
            .replace("CONFIG", "lakedeck.yaml");
        let path = write(dir.path(), &marked);
        assert_eq!(
            lab_config_beside(&path, None),
            Some(dir.path().join("lakedeck.yaml"))
        );
        assert_eq!(lab_config_beside(&path, Some("other")), None);
        // No marker: the file beside it is not picked up.
        let plain = MARKED
            .replace("EXT", "somebody-else")
            .replace("CONFIG", "lakedeck.yaml");
        let path = write(dir.path(), &plain);
        assert_eq!(lab_config_beside(&path, None), None);
        // A marker pointing elsewhere is ignored.
        let away = MARKED
            .replace("EXT", LAB_EXTENSION)
            .replace("CONFIG", "../lakedeck.yaml");
        let path = write(dir.path(), &away);
        assert_eq!(lab_config_beside(&path, None), None);
    }
}
