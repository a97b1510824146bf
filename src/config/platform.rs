//! Settings for the platform panes: where Prometheus, Alertmanager and Trino are
//! (a URL, or a Kubernetes service reached through the API server's proxy), how to
//! authenticate to them without ever holding a secret in the config file (secrets are
//! named: an environment variable or a file), and the named PromQL catalog — its
//! overlay from a file and its resolution for one context (`Config::platform_for`).
//!
//! Owns the shapes and their validation; it never opens a connection and never reads a
//! secret until [`SecretSource::read`] is called by the source that needs it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_saphyr::{Location, Spanned};

/// Pane → set name → query name → text (PromQL, or a label name for `*_label`).
pub type QueryCatalog = BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>;

/// The panes that have query sets, and the names each understands. A name outside
/// these is a typo the user should hear about, not a query silently never sent.
pub const QUERY_NAMES: &[(&str, &[&str])] = &[
    (
        "minio",
        &[
            "usable_total",
            "usable_free",
            "raw_total",
            "raw_free",
            "bucket_bytes",
            "bucket_objects",
            "nodes_online",
            "nodes_offline",
            "drives_online",
            "drives_offline",
            "healing_drives",
            "s3_5xx_rate",
            "free_in_1d",
        ],
    ),
    (
        "kafka",
        &[
            "group_label",
            "topic_label",
            "lag",
            "max_partition_lag",
            "uncommitted_partitions",
            "members",
            "consume_rate",
            "produce_rate",
        ],
    ),
    ("trino", &["running", "queued", "active_nodes"]),
];

/// The query names `pane` understands, or why `pane` is not one.
pub fn query_names(pane: &str) -> Result<&'static [&'static str], String> {
    QUERY_NAMES
        .iter()
        .find(|(p, _)| *p == pane)
        .map(|(_, names)| *names)
        .ok_or_else(|| {
            format!(
                "unknown pane \"{pane}\"; expected one of {}",
                QUERY_NAMES
                    .iter()
                    .map(|(p, _)| *p)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

/// Checks a pane/name pair against [`QUERY_NAMES`].
pub fn check_query_name(pane: &str, name: &str) -> Result<(), String> {
    let names = query_names(pane)?;
    if names.contains(&name) {
        Ok(())
    } else {
        Err(format!(
            "unknown query \"{name}\" for {pane}; expected one of {}",
            names.join(", ")
        ))
    }
}

/// Where an endpoint is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointTarget {
    /// `http(s)://host[:port][/prefix]`
    Url(String),
    /// `service:<namespace>/<service>:<port>`, through the API server's service proxy.
    Service {
        namespace: String,
        name: String,
        port: String,
    },
}

impl EndpointTarget {
    pub fn parse(text: &str) -> Result<EndpointTarget, String> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix("service:") {
            let bad = || {
                format!(
                    "\"{text}\" is not a service endpoint; expected service:<namespace>/<service>:<port>, e.g. service:monitoring/prometheus:9090"
                )
            };
            let (namespace, rest) = rest.split_once('/').ok_or_else(bad)?;
            let (name, port) = rest.split_once(':').ok_or_else(bad)?;
            let valid = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            };
            if !valid(namespace) || !valid(name) || !valid(port) {
                return Err(bad());
            }
            return Ok(EndpointTarget::Service {
                namespace: namespace.to_string(),
                name: name.to_string(),
                port: port.to_string(),
            });
        }
        let scheme_ok = text.starts_with("http://") || text.starts_with("https://");
        let host = text.split_once("://").map_or("", |(_, rest)| rest);
        if !scheme_ok
            || host.is_empty()
            || host.starts_with('/')
            || text.contains(char::is_whitespace)
        {
            return Err(format!(
                "\"{text}\" is not an endpoint; expected an http:// or https:// URL, or service:<namespace>/<service>:<port>"
            ));
        }
        Ok(EndpointTarget::Url(text.trim_end_matches('/').to_string()))
    }
}

impl fmt::Display for EndpointTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointTarget::Url(url) => f.write_str(url),
            EndpointTarget::Service {
                namespace,
                name,
                port,
            } => write!(f, "service:{namespace}/{name}:{port}"),
        }
    }
}

/// Where a secret comes from; the value itself is never part of the config.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretSource {
    Env(String),
    File(PathBuf),
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Env(var) => write!(f, "env {var}"),
            SecretSource::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

impl SecretSource {
    /// The secret, trimmed of the trailing newline files usually end with. The error
    /// names where it looked, never what it found.
    pub fn read(&self) -> Result<String, String> {
        let value = match self {
            SecretSource::Env(var) => {
                std::env::var(var).map_err(|_| format!("environment variable {var} is not set"))?
            }
            SecretSource::File(path) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        };
        let value = value.trim_end_matches(['\r', '\n']).to_string();
        if value.is_empty() {
            return Err(format!("{self:?} is empty"));
        }
        Ok(value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EndpointAuth {
    #[default]
    None,
    Bearer(SecretSource),
    Basic {
        username: String,
        password: SecretSource,
    },
}

/// One platform endpoint as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointConfig {
    pub target: EndpointTarget,
    /// Extra CA (PEM) to trust, e.g. a corporate CA.
    pub ca_file: Option<PathBuf>,
    pub insecure_skip_verify: bool,
    /// Overrides `http_timeout_secs` for this endpoint.
    pub timeout_secs: Option<u64>,
    pub auth: EndpointAuth,
    /// Trino only: the `X-Trino-User` to send.
    pub user: Option<String>,
}

impl EndpointConfig {
    pub fn from_target(target: EndpointTarget) -> EndpointConfig {
        EndpointConfig {
            target,
            ca_file: None,
            insecure_skip_verify: false,
            timeout_secs: None,
            auth: EndpointAuth::None,
            user: None,
        }
    }

    /// A URL or `service:` string, as given to `--prometheus` and friends.
    pub fn parse(text: &str) -> Result<EndpointConfig, String> {
        EndpointTarget::parse(text).map(EndpointConfig::from_target)
    }

    fn from_layer(layer: EndpointLayer) -> Result<EndpointConfig, String> {
        let map = match layer {
            EndpointLayer::Short(text) => return EndpointConfig::parse(&text),
            EndpointLayer::Full(map) => map,
        };
        let mut endpoint = EndpointConfig::parse(&map.url)?;
        endpoint.ca_file = map.ca_file.as_deref().map(expand_home);
        endpoint.insecure_skip_verify = map.insecure_skip_verify.unwrap_or(false);
        if map.timeout_secs == Some(0) {
            return Err("timeout_secs: 0; expected at least 1 second".into());
        }
        endpoint.timeout_secs = map.timeout_secs;
        endpoint.user = map.user;
        let bearer = match (map.bearer_token_env, map.bearer_token_file) {
            (Some(_), Some(_)) => {
                return Err("bearer_token_env and bearer_token_file are both set; keep one".into());
            }
            (Some(var), None) => Some(SecretSource::Env(var)),
            (None, Some(file)) => Some(SecretSource::File(expand_home(&file))),
            (None, None) => None,
        };
        endpoint.auth = match (bearer, map.basic_auth) {
            (Some(_), Some(_)) => {
                return Err("both a bearer token and basic_auth are set; keep one".into());
            }
            (Some(token), None) => EndpointAuth::Bearer(token),
            (None, Some(basic)) => {
                let password = match (basic.password_env, basic.password_file) {
                    (Some(var), None) => SecretSource::Env(var),
                    (None, Some(file)) => SecretSource::File(expand_home(&file)),
                    _ => {
                        return Err("basic_auth: expected exactly one of password_env or password_file (the password itself never goes in this file)".into());
                    }
                };
                EndpointAuth::Basic {
                    username: basic.username,
                    password,
                }
            }
            (None, None) => EndpointAuth::None,
        };
        Ok(endpoint)
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// An endpoint as written: a plain string or a mapping.
pub(crate) enum EndpointLayer {
    Short(String),
    Full(EndpointMap),
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EndpointMap {
    url: String,
    ca_file: Option<String>,
    insecure_skip_verify: Option<bool>,
    timeout_secs: Option<u64>,
    bearer_token_env: Option<String>,
    bearer_token_file: Option<String>,
    basic_auth: Option<BasicAuthMap>,
    user: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BasicAuthMap {
    username: String,
    password_env: Option<String>,
    password_file: Option<String>,
}

impl<'de> Deserialize<'de> for EndpointLayer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LayerVisitor;
        impl<'de> Visitor<'de> for LayerVisitor {
            type Value = EndpointLayer;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a URL, service:<namespace>/<service>:<port>, or a mapping with url:")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(EndpointLayer::Short(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                EndpointMap::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(EndpointLayer::Full)
            }
        }
        deserializer.deserialize_any(LayerVisitor)
    }
}

impl<'de> Deserialize<'de> for EndpointConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        EndpointConfig::from_layer(EndpointLayer::deserialize(deserializer)?)
            .map_err(serde::de::Error::custom)
    }
}

/// Validates an endpoint layer (the error is prefixed by the caller with its key).
pub(crate) fn endpoint_from_layer(layer: EndpointLayer) -> Result<EndpointConfig, String> {
    EndpointConfig::from_layer(layer)
}

/// Everything a platform source needs for one context, resolved from the defaults,
/// the user's file, the context's settings and the command-line flags.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformSettings {
    pub prometheus: Option<EndpointConfig>,
    pub alertmanager: Option<EndpointConfig>,
    pub trino: Option<EndpointConfig>,
    pub poll_secs: u64,
    pub timeout_secs: u64,
    /// Query name → PromQL (with `{window}` already substituted), per pane.
    pub minio: BTreeMap<String, String>,
    pub kafka: BTreeMap<String, String>,
    pub trino_queries: BTreeMap<String, String>,
}

/// `queries:` as written: pane → set → name → text, each text located.
pub(crate) type QueryLayer = BTreeMap<String, BTreeMap<String, BTreeMap<String, Spanned<String>>>>;

impl super::Config {
    /// The platform settings for `context`: its endpoints (a flag given on the command
    /// line wins) and, per pane, the queries of the selected set with the context's
    /// overrides applied and `{window}` filled in.
    pub fn platform_for(&self, context: &str, flags: PlatformFlags) -> PlatformSettings {
        let ctx = self.context(context);
        let queries_for = |pane: &str| {
            let set = ctx
                .query_sets
                .get(pane)
                .or_else(|| self.query_sets.get(pane))
                .cloned()
                .unwrap_or_default();
            let mut chosen = self
                .queries
                .get(pane)
                .and_then(|sets| sets.get(&set))
                .cloned()
                .unwrap_or_default();
            if let Some(overrides) = ctx.queries.get(pane).and_then(|sets| sets.get(&set)) {
                chosen.extend(overrides.clone());
            }
            for text in chosen.values_mut() {
                *text = text.replace("{window}", &self.minio_forecast_window);
            }
            chosen
        };
        PlatformSettings {
            prometheus: flags.prometheus.or(ctx.prometheus.clone()),
            alertmanager: flags.alertmanager.or(ctx.alertmanager.clone()),
            trino: flags.trino.or(ctx.trino.clone()),
            poll_secs: self.poll_secs,
            timeout_secs: self.http_timeout_secs,
            minio: queries_for("minio"),
            kafka: queries_for("kafka"),
            trino_queries: queries_for("trino"),
        }
    }
}

/// Endpoints given on the command line (`--prometheus` …); they beat the config.
#[derive(Debug, Clone, Default)]
pub struct PlatformFlags {
    pub prometheus: Option<EndpointConfig>,
    pub alertmanager: Option<EndpointConfig>,
    pub trino: Option<EndpointConfig>,
}

/// A set name must exist for its pane (in the top-level catalog or the context's).
pub(crate) fn check_query_set(
    pane: &str,
    set: &str,
    catalog: &QueryCatalog,
    context_catalog: Option<&QueryCatalog>,
) -> Result<(), String> {
    query_names(pane)?;
    let known: Vec<&String> = catalog
        .get(pane)
        .into_iter()
        .chain(context_catalog.and_then(|c| c.get(pane)))
        .flat_map(|sets| sets.keys())
        .collect();
    if known.iter().any(|s| *s == set) {
        Ok(())
    } else {
        Err(format!(
            "unknown {pane} query set \"{set}\"; expected one of {} (or define it under queries.{pane})",
            known
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// Overlays `layer` onto `catalog` entry by entry, refusing unknown panes and names
/// and empty texts (with the location of the offending value).
pub(crate) fn merge_queries(
    catalog: &mut QueryCatalog,
    layer: QueryLayer,
) -> Result<(), (Location, String)> {
    for (pane, sets) in layer {
        for (set, names) in sets {
            for (name, text) in names {
                check_query_name(&pane, &name)
                    .map_err(|e| (text.referenced, format!("{pane}.{set}: {e}")))?;
                if text.value.trim().is_empty() {
                    return Err((
                        text.referenced,
                        format!("{pane}.{set}.{name}: empty; expected a PromQL expression"),
                    ));
                }
                catalog
                    .entry(pane.clone())
                    .or_default()
                    .entry(set.clone())
                    .or_default()
                    .insert(name, text.value.trim().to_string());
            }
        }
    }
    Ok(())
}

/// `30s`, `5m`, `6h`, `2d`, `1w`: what PromQL accepts in a range selector (one unit).
pub(crate) fn is_promql_duration(text: &str) -> bool {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits.parse::<u64>().is_ok_and(|n| n > 0)
        && ["ms", "s", "m", "h", "d", "w", "y"].contains(&unit)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn targets_parse_or_explain() {
        assert_eq!(
            EndpointTarget::parse("service:monitoring/prometheus:9090"),
            Ok(EndpointTarget::Service {
                namespace: "monitoring".into(),
                name: "prometheus".into(),
                port: "9090".into()
            })
        );
        assert_eq!(
            EndpointTarget::parse("https://prom.example.com/"),
            Ok(EndpointTarget::Url("https://prom.example.com".into()))
        );
        for bad in [
            "prom:9090",
            "service:prometheus:9090",
            "https://",
            "ftp://x",
        ] {
            let err = EndpointTarget::parse(bad).unwrap_err();
            assert!(err.contains("expected"), "{bad}: {err}");
        }
    }

    #[test]
    fn secrets_are_read_from_where_they_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "s3cr3t\n").unwrap();
        assert_eq!(SecretSource::File(file.clone()).read().unwrap(), "s3cr3t");
        let missing = SecretSource::Env("LAKEDECK_TEST_UNSET_VAR".into())
            .read()
            .unwrap_err();
        assert!(missing.contains("LAKEDECK_TEST_UNSET_VAR is not set"));
        std::fs::write(&file, "\n").unwrap();
        assert!(
            SecretSource::File(file)
                .read()
                .unwrap_err()
                .contains("empty")
        );
    }
}
