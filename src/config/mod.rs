//! The user's settings: the embedded defaults (`config/default.yaml`) overlaid with the
//! user's file (`~/.config/lakedeck/config.yaml`, or `--config FILE`), validated as a
//! whole before the cockpit starts, so it never runs half-configured. Every problem in
//! a file is reported as `file:line:column: what was wrong and what was expected`.
//!
//! Owns parsing and validation only: it does not know what the actions do (the app maps
//! key names to actions and key specs to terminal events) and never prints.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, MessageFormatter, Spanned};

pub mod platform;

pub use platform::PlatformFlags;
use platform::{
    EndpointConfig, EndpointLayer, QueryCatalog, QueryLayer, check_query_set, is_promql_duration,
    merge_queries,
};

/// The built-in defaults; every field is set here, so a user file may set only some.
const DEFAULT_YAML: &str = include_str!("../../config/default.yaml");
const DEFAULT_NAME: &str = "config/default.yaml (built in)";

/// Redraw floor bounds: below 10 ms redraws stop being coalesced at all; above 2 s the
/// screen feels frozen.
const FRAME_MS_RANGE: std::ops::RangeInclusive<u64> = 10..=2000;
const MIN_LOG_BUFFER_LINES: usize = 100;
/// Favourites are selected with the digit keys 0-9.
const MAX_FAVOURITES: usize = 10;

/// The effective configuration: defaults with the user's file overlaid.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Minimum time between two redraws (10-2000 ms); raise it for slow links.
    pub frame_ms: u64,
    /// Lines kept per log view (at least 100).
    pub log_buffer_lines: usize,
    /// Theme name or path to a theme file (see `theme.rs`).
    pub theme: String,
    /// Namespace favourites for the keys 0-9, in order; `"all"` means every namespace.
    pub favourites: Vec<String>,
    /// Action name → key specs (see [`parse_key`]). A listed action's default keys are
    /// replaced as a whole; unlisted actions keep theirs.
    pub keys: BTreeMap<String, Vec<String>>,
    /// Settings per kubeconfig context name.
    pub contexts: BTreeMap<String, ContextConfig>,
    /// Seconds between two polls of a platform source (Prometheus, Alertmanager, Trino,
    /// Velero objects).
    pub poll_secs: u64,
    /// Every platform HTTP call gives up after this many seconds.
    pub http_timeout_secs: u64,
    /// PromQL range (`6h`) over which MinIO's free space is extrapolated.
    pub minio_forecast_window: String,
    /// Pane → the query set of `queries` it uses.
    pub query_sets: BTreeMap<String, String>,
    pub queries: QueryCatalog,
}

/// Settings for one kubeconfig context; `None` means "not set here".
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextConfig {
    /// Namespace to start in (instead of the kubeconfig's).
    pub namespace: Option<String>,
    /// Refuse every write action in this context.
    pub readonly: Option<bool>,
    pub prometheus: Option<EndpointConfig>,
    pub alertmanager: Option<EndpointConfig>,
    pub trino: Option<EndpointConfig>,
    /// Pane → query set, overriding the top-level `query_sets`.
    #[serde(default)]
    pub query_sets: BTreeMap<String, String>,
    /// Entries overriding the top-level `queries` in this context.
    #[serde(default)]
    pub queries: QueryCatalog,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists (or was named with `--config`) but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid YAML, has a wrong type, an unknown field or a bad value.
    /// `line` and `column` are 1-based; 0 means the parser could not tell.
    #[error("{}", located(file, *line, *column, message))]
    Invalid {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
}

impl Config {
    /// Embedded defaults (`config/default.yaml`), then the user's file overlaid field by
    /// field (a file may set only some fields). `explicit` is `--config`: it must exist.
    /// Without it the default path is used if the file is there, else just the defaults.
    /// Returns the file that was used, if any.
    pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
        load_from(explicit, Config::default_path(), None)
    }

    /// [`Config::load`], and also reject action names under `keys:` that are not in
    /// `known_actions`, with their location (the app passes its bindable action names;
    /// this module deliberately does not know them).
    pub fn load_checking_actions(
        explicit: Option<&Path>,
        known_actions: &[&str],
    ) -> Result<(Config, Option<PathBuf>), ConfigError> {
        load_from(explicit, Config::default_path(), Some(known_actions))
    }

    /// The built-in defaults alone.
    pub fn defaults() -> Result<Config, ConfigError> {
        let mut config: Config = serde_saphyr::from_str(DEFAULT_YAML)
            .map_err(|e| yaml_error(DEFAULT_NAME, DEFAULT_YAML, &e).into_config())?;
        // The derive above proves completeness; the overlay validates the values the same
        // way a user's file is validated.
        config.overlay(DEFAULT_YAML, DEFAULT_NAME, None)?;
        Ok(config)
    }

    /// The defaults overlaid with `text`, reported as coming from `file`. What `load`
    /// does after reading the file; also handy for tests.
    pub fn from_yaml(text: &str, file: &str) -> Result<Config, ConfigError> {
        let mut config = Config::defaults()?;
        config.overlay(text, file, None)?;
        Ok(config)
    }

    /// Where the user file lives: the platform config dir + `config.yaml`
    /// (`~/.config/lakedeck/config.yaml` on Linux, honouring `XDG_CONFIG_HOME`).
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "lakedeck")
            .map(|d| d.config_dir().join("config.yaml"))
    }

    /// The settings for a kubeconfig context; all unset when the context is not listed.
    pub fn context(&self, name: &str) -> ContextConfig {
        self.contexts.get(name).cloned().unwrap_or_default()
    }

    /// `keys:` parsed, for the app to map onto terminal events. Loaded configs always
    /// parse; the `Result` is for configs built by hand.
    pub fn key_overrides(&self) -> Result<BTreeMap<&str, Vec<KeySpec>>, String> {
        self.keys
            .iter()
            .map(|(action, specs)| {
                let parsed = specs
                    .iter()
                    .map(|s| parse_key(s).map_err(|e| format!("keys.{action}: {e}")))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((action.as_str(), parsed))
            })
            .collect()
    }

    /// Validates `text` and applies the fields it sets. Nothing is applied if any value is
    /// bad, so a failed overlay never leaves a half-updated config behind.
    fn overlay(
        &mut self,
        text: &str,
        file: &str,
        known_actions: Option<&[&str]>,
    ) -> Result<(), ConfigError> {
        let layer: Layer =
            serde_saphyr::from_str(text).map_err(|e| yaml_error(file, text, &e).into_config())?;
        let bad = |at: &Location, message: String| problem_at(file, at, message).into_config();
        let mut next = self.clone();

        if let Some(v) = layer.frame_ms {
            if !FRAME_MS_RANGE.contains(&v.value) {
                return Err(bad(
                    &v.referenced,
                    format!(
                        "frame_ms: {} is out of range; expected {} to {} milliseconds (30 is usual; raise it on slow links)",
                        v.value,
                        FRAME_MS_RANGE.start(),
                        FRAME_MS_RANGE.end()
                    ),
                ));
            }
            next.frame_ms = v.value;
        }
        if let Some(v) = layer.log_buffer_lines {
            if v.value < MIN_LOG_BUFFER_LINES {
                return Err(bad(
                    &v.referenced,
                    format!(
                        "log_buffer_lines: {} is too small; expected at least {MIN_LOG_BUFFER_LINES}",
                        v.value
                    ),
                ));
            }
            next.log_buffer_lines = v.value;
        }
        if let Some(v) = layer.theme {
            if v.value.trim().is_empty() {
                return Err(bad(
                    &v.referenced,
                    "theme: empty; expected default, high-contrast, mono or a path to a theme .yaml file".into(),
                ));
            }
            next.theme = v.value;
        }
        if let Some(list) = layer.favourites {
            if let Some(extra) = list.value.get(MAX_FAVOURITES) {
                return Err(bad(
                    &extra.referenced,
                    format!(
                        "favourites: {} entries; expected at most {MAX_FAVOURITES} (one per key 0-9)",
                        list.value.len()
                    ),
                ));
            }
            let mut favourites = Vec::with_capacity(list.value.len());
            for ns in list.value {
                if ns.value.trim().is_empty() {
                    return Err(bad(
                        &ns.referenced,
                        "favourites: empty entry; expected a namespace or \"all\"".into(),
                    ));
                }
                favourites.push(ns.value);
            }
            next.favourites = favourites;
        }
        if let Some(keys) = layer.keys {
            for (action, specs) in keys.0 {
                if let Some(known) = known_actions
                    && !known.contains(&action.value.as_str())
                {
                    return Err(bad(
                        &action.referenced,
                        format!(
                            "keys: unknown action \"{}\"; expected one of {}",
                            action.value,
                            known.join(", ")
                        ),
                    ));
                }
                let mut list = Vec::with_capacity(specs.value.0.len());
                for spec in specs.value.0 {
                    // A single scalar has no location of its own (see KeyList); use the
                    // list's, which is then the scalar's.
                    let at = if spec.referenced == Location::UNKNOWN {
                        &specs.referenced
                    } else {
                        &spec.referenced
                    };
                    if let Err(e) = parse_key(&spec.value) {
                        return Err(bad(at, format!("keys.{}: {e}", action.value)));
                    }
                    list.push(spec.value);
                }
                next.keys.insert(action.value, list);
            }
        }
        if let Some(contexts) = layer.contexts {
            for (name, ctx) in contexts.0 {
                let entry = next.contexts.entry(name.value.clone()).or_default();
                if let Some(ns) = ctx.namespace {
                    if ns.value.trim().is_empty() {
                        return Err(bad(
                            &ns.referenced,
                            format!(
                                "contexts.{}.namespace: empty; expected a namespace name",
                                name.value
                            ),
                        ));
                    }
                    entry.namespace = Some(ns.value);
                }
                if let Some(ro) = ctx.readonly {
                    entry.readonly = Some(ro);
                }
                let prefix = format!("contexts.{}", name.value);
                for (key, layer, slot) in [
                    ("prometheus", ctx.prometheus, &mut entry.prometheus),
                    ("alertmanager", ctx.alertmanager, &mut entry.alertmanager),
                    ("trino", ctx.trino, &mut entry.trino),
                ] {
                    if let Some(layer) = layer {
                        let endpoint = platform::endpoint_from_layer(layer.value)
                            .map_err(|e| bad(&layer.referenced, format!("{prefix}.{key}: {e}")))?;
                        *slot = Some(endpoint);
                    }
                }
                if let Some(sets) = ctx.query_sets {
                    for (pane, set) in sets {
                        check_query_set(&pane, &set.value, &next.queries, Some(&entry.queries))
                            .map_err(|e| {
                                bad(&set.referenced, format!("{prefix}.query_sets: {e}"))
                            })?;
                        entry.query_sets.insert(pane, set.value);
                    }
                }
                if let Some(queries) = ctx.queries {
                    merge_queries(&mut entry.queries, queries)
                        .map_err(|(at, e)| bad(&at, format!("{prefix}.queries.{e}")))?;
                }
            }
        }
        if let Some(v) = layer.poll_secs {
            if !(1..=3600).contains(&v.value) {
                return Err(bad(
                    &v.referenced,
                    format!(
                        "poll_secs: {} is out of range; expected 1 to 3600 seconds",
                        v.value
                    ),
                ));
            }
            next.poll_secs = v.value;
        }
        if let Some(v) = layer.http_timeout_secs {
            if !(1..=300).contains(&v.value) {
                return Err(bad(
                    &v.referenced,
                    format!(
                        "http_timeout_secs: {} is out of range; expected 1 to 300 seconds",
                        v.value
                    ),
                ));
            }
            next.http_timeout_secs = v.value;
        }
        if let Some(v) = layer.minio_forecast_window {
            if !is_promql_duration(&v.value) {
                return Err(bad(
                    &v.referenced,
                    format!(
                        "minio_forecast_window: \"{}\" is not a PromQL duration; expected e.g. 30m, 6h or 2d",
                        v.value
                    ),
                ));
            }
            next.minio_forecast_window = v.value;
        }
        if let Some(queries) = layer.queries {
            merge_queries(&mut next.queries, queries)
                .map_err(|(at, e)| bad(&at, format!("queries.{e}")))?;
        }
        if let Some(sets) = layer.query_sets {
            for (pane, set) in sets {
                check_query_set(&pane, &set.value, &next.queries, None)
                    .map_err(|e| bad(&set.referenced, format!("query_sets: {e}")))?;
                next.query_sets.insert(pane, set.value);
            }
        }
        *self = next;
        Ok(())
    }
}

/// `load` with the default path passed in, so tests need not touch the environment.
fn load_from(
    explicit: Option<&Path>,
    default_path: Option<PathBuf>,
    known_actions: Option<&[&str]>,
) -> Result<(Config, Option<PathBuf>), ConfigError> {
    let mut config = Config::defaults()?;
    let (path, must_exist) = match (explicit, default_path) {
        (Some(p), _) => (p.to_path_buf(), true),
        (None, Some(p)) => (p, false),
        (None, None) => return Ok((config, None)),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        // Having no config file is the normal first run; a named one that is missing is
        // a mistake worth stopping for.
        Err(e) if !must_exist && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((config, None));
        }
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    config.overlay(&text, &path.display().to_string(), known_actions)?;
    Ok((config, Some(path)))
}

/// One layer as written in a file: every field optional and located.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Layer {
    frame_ms: Option<Spanned<u64>>,
    log_buffer_lines: Option<Spanned<usize>>,
    theme: Option<Spanned<String>>,
    favourites: Option<Spanned<Vec<Spanned<String>>>>,
    keys: Option<Entries<Spanned<KeyList>>>,
    contexts: Option<Entries<ContextLayer>>,
    poll_secs: Option<Spanned<u64>>,
    http_timeout_secs: Option<Spanned<u64>>,
    minio_forecast_window: Option<Spanned<String>>,
    query_sets: Option<BTreeMap<String, Spanned<String>>>,
    queries: Option<QueryLayer>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextLayer {
    namespace: Option<Spanned<String>>,
    readonly: Option<bool>,
    prometheus: Option<Spanned<EndpointLayer>>,
    alertmanager: Option<Spanned<EndpointLayer>>,
    trino: Option<Spanned<EndpointLayer>>,
    query_sets: Option<BTreeMap<String, Spanned<String>>>,
    queries: Option<QueryLayer>,
}

/// A mapping kept in file order with located keys (`Spanned` is not `Ord`, so it cannot
/// key a `BTreeMap`), so an unknown action name can be pointed at.
struct Entries<V>(Vec<(Spanned<String>, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

/// Key specs for one action: a list, or a single key written as a plain scalar
/// (`quit: q`), which is what people type first.
struct KeyList(Vec<Spanned<String>>);

impl<'de> Deserialize<'de> for KeyList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyListVisitor;
        impl<'de> Visitor<'de> for KeyListVisitor {
            type Value = KeyList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key or a list of keys")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(KeyList(vec![Spanned::new(
                    v.to_string(),
                    Location::UNKNOWN,
                    Location::UNKNOWN,
                )]))
            }
            // YAML reads `1` or `true` as non-strings; as key specs they are just text.
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element()? {
                    keys.push(key);
                }
                Ok(KeyList(keys))
            }
        }
        deserializer.deserialize_any(KeyListVisitor)
    }
}

/// A key as written in config, independent of the terminal library (the app maps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCodeName,
    pub ctrl: bool,
    pub alt: bool,
    /// Set for `shift-…` and for upper-case letters (`G` is `shift-g`). Terminals do not
    /// agree on reporting shift with letters, so matchers should compare the character
    /// and may ignore this flag for `Char` keys.
    pub shift: bool,
}

/// The key itself, without modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCodeName {
    /// A printable character; `space` is `Char(' ')`; shifted letters are upper case.
    Char(char),
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Enter,
    Esc,
    Tab,
    /// Shift-tab.
    BackTab,
    Backspace,
    Delete,
    /// Function keys F1-F24.
    F(u8),
}

const KEY_NAMES_HELP: &str = "a single character (j, G, /), or one of up, down, left, right, pgup, pgdn, \
     home, end, enter, esc, tab, backtab, backspace, delete, space, f1-f24; \
     optionally prefixed with ctrl-, alt- or shift- (e.g. ctrl-d, shift-g)";

/// Parses a key spec such as `j`, `G`, `ctrl-d`, `shift-g`, `alt-enter`, `pgdn`, `f5`.
/// Modifier prefixes and names are case-insensitive; a single character is taken as is.
/// `shift-<letter>` is normalised to the upper-case letter, `shift-tab` to `BackTab`.
pub fn parse_key(spec: &str) -> Result<KeySpec, String> {
    let trimmed = spec.trim();
    if trimmed.is_empty() {
        return Err(format!("empty key; expected {KEY_NAMES_HELP}"));
    }
    let (mut ctrl, mut alt, mut shift) = (false, false, false);
    let mut rest = trimmed;
    // Strip modifier prefixes, but never the whole spec: "-" alone is the minus key.
    loop {
        let lower = rest.to_ascii_lowercase();
        let Some((flag, len)) = [
            ("ctrl-", 0u8),
            ("control-", 0),
            ("alt-", 1),
            ("meta-", 1),
            ("shift-", 2),
        ]
        .iter()
        .find(|(prefix, _)| lower.starts_with(prefix) && lower.len() > prefix.len())
        .map(|(prefix, flag)| (*flag, prefix.len())) else {
            break;
        };
        match flag {
            0 => ctrl = true,
            1 => alt = true,
            _ => shift = true,
        }
        rest = &rest[len..];
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => {
            if c.is_control() {
                return Err(format!(
                    "{spec:?} is a control character; expected {KEY_NAMES_HELP}"
                ));
            }
            if c.is_ascii_uppercase() {
                shift = true;
                KeyCodeName::Char(c)
            } else if shift && c.is_ascii_lowercase() {
                KeyCodeName::Char(c.to_ascii_uppercase())
            } else if shift {
                // The terminal reports the shifted character itself ("!" for shift-1), and
                // which one that is depends on the keyboard layout.
                return Err(format!(
                    "{spec:?}: shift- only combines with letters and named keys; write the shifted character itself instead"
                ));
            } else {
                KeyCodeName::Char(c)
            }
        }
        _ => match rest.to_ascii_lowercase().as_str() {
            "up" => KeyCodeName::Up,
            "down" => KeyCodeName::Down,
            "left" => KeyCodeName::Left,
            "right" => KeyCodeName::Right,
            "pgup" | "pageup" | "page-up" => KeyCodeName::PageUp,
            "pgdn" | "pgdown" | "pagedown" | "page-down" => KeyCodeName::PageDown,
            "home" => KeyCodeName::Home,
            "end" => KeyCodeName::End,
            "enter" | "return" => KeyCodeName::Enter,
            "esc" | "escape" => KeyCodeName::Esc,
            "tab" if shift => KeyCodeName::BackTab,
            "tab" => KeyCodeName::Tab,
            "backtab" => {
                shift = true;
                KeyCodeName::BackTab
            }
            "backspace" | "bs" => KeyCodeName::Backspace,
            "delete" | "del" => KeyCodeName::Delete,
            "space" => KeyCodeName::Char(' '),
            name => match name.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                Some(n @ 1..=24) => KeyCodeName::F(n),
                _ => return Err(format!("unknown key {spec:?}; expected {KEY_NAMES_HELP}")),
            },
        },
    };
    Ok(KeySpec {
        code,
        ctrl,
        alt,
        shift,
    })
}

impl fmt::Display for KeySpec {
    /// The canonical spec, which [`parse_key`] reads back to the same value (for help
    /// screens and messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        // Upper-case letters and BackTab already say "shift".
        let shown_by_code = matches!(self.code, KeyCodeName::Char(_) | KeyCodeName::BackTab);
        if self.shift && !shown_by_code {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCodeName::Char(' ') => f.write_str("space"),
            KeyCodeName::Char(c) => write!(f, "{c}"),
            KeyCodeName::Up => f.write_str("up"),
            KeyCodeName::Down => f.write_str("down"),
            KeyCodeName::Left => f.write_str("left"),
            KeyCodeName::Right => f.write_str("right"),
            KeyCodeName::PageUp => f.write_str("pgup"),
            KeyCodeName::PageDown => f.write_str("pgdn"),
            KeyCodeName::Home => f.write_str("home"),
            KeyCodeName::End => f.write_str("end"),
            KeyCodeName::Enter => f.write_str("enter"),
            KeyCodeName::Esc => f.write_str("esc"),
            KeyCodeName::Tab => f.write_str("tab"),
            KeyCodeName::BackTab => f.write_str("backtab"),
            KeyCodeName::Backspace => f.write_str("backspace"),
            KeyCodeName::Delete => f.write_str("delete"),
            KeyCodeName::F(n) => write!(f, "f{n}"),
        }
    }
}

// ---- located YAML problems, shared with theme.rs ----------------------------------

/// A problem in a YAML data file, at a 1-based line and column (0 = unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlProblem {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl YamlProblem {
    fn into_config(self) -> ConfigError {
        ConfigError::Invalid {
            file: self.file,
            line: self.line,
            column: self.column,
            message: self.message,
        }
    }
}

/// `file:line:column: message`, or `file: message` when the parser gave no position.
pub(crate) fn located(file: &str, line: u64, column: u64, message: &str) -> String {
    if line == 0 {
        format!("{file}: {message}")
    } else {
        format!("{file}:{line}:{column}: {message}")
    }
}

/// A semantic problem at a value's location.
pub(crate) fn problem_at(file: &str, at: &Location, message: String) -> YamlProblem {
    YamlProblem {
        file: file.to_string(),
        line: at.line(),
        column: at.column(),
        message,
    }
}

/// Turns a serde-saphyr error into a located, human message: the parser's wording with
/// the type jargon ("invalid u64", "expected sequence start") replaced by what to write,
/// prefixed with the dotted key path so the reader knows which setting is meant.
pub(crate) fn yaml_error(file: &str, text: &str, err: &serde_saphyr::Error) -> YamlProblem {
    let (line, column) = err.location().map_or((0, 0), |l| (l.line(), l.column()));
    let raw = serde_saphyr::UserMessageFormatter.format_message(err.without_snippet());
    // The formatter's output may carry control characters from the input; keep the
    // message one printable line.
    let raw: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let found = token_at(text, line, column);
    let plain = |what: &str| match &found {
        Some(found) => format!("{what}, found {found}"),
        None => what.to_string(),
    };
    let message = if let Some(ty) = raw.strip_prefix("invalid ")
        && INTEGER_TYPES.contains(&ty)
    {
        plain("expected a whole number")
    } else if raw.starts_with("invalid bool") {
        plain("expected true or false")
    } else if raw == "expected sequence start" {
        plain("expected a list, e.g. [a, b]")
    } else if raw == "expected mapping start" {
        plain("expected a mapping of names to values (name: value)")
    } else if raw == "expected string scalar" {
        plain("expected a single value, not a list or mapping")
    } else if let Some((unexpected, expected)) = raw
        .strip_prefix("invalid type: ")
        .and_then(|r| r.split_once(", expected "))
    {
        let unexpected = match unexpected {
            "unit value" => "nothing (null)",
            "map" => "a mapping",
            "sequence" => "a list",
            other => other,
        };
        format!("expected {expected}, found {unexpected}")
    } else {
        raw
    };
    let mut path = key_path(text, line);
    // "unknown field `x`" already names the key itself; the path should name its parent.
    if message.starts_with("unknown field") {
        path.pop();
    }
    let message = if path.is_empty() {
        message
    } else {
        format!("{}: {message}", path.join("."))
    };
    YamlProblem {
        file: file.to_string(),
        line,
        column,
        message,
    }
}

const INTEGER_TYPES: &[&str] = &[
    "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
];

/// The scalar text at a position, for "found …" (a bracket means a collection). `None`
/// when the value may go on over the next lines, where one line would misquote it.
fn token_at(text: &str, line: u64, column: u64) -> Option<String> {
    let idx = usize::try_from(line).ok()?.checked_sub(1)?;
    let mut lines = text.lines().skip(idx);
    let line_text = lines.next()?;
    if let Some(next) = lines.find(|l| !l.trim().is_empty())
        && indent(next) > indent(line_text)
        && !next.trim_start().starts_with('#')
    {
        return None;
    }
    let rest: String = line_text
        .chars()
        .skip(usize::try_from(column).ok()?.checked_sub(1)?)
        .collect();
    let rest = rest.trim_end();
    if rest.starts_with('[') || rest == "-" || rest.starts_with("- ") {
        Some("a list".into())
    } else if rest.starts_with('{') {
        Some("a mapping".into())
    } else {
        let end = rest.find([',', ']', '}', '#']).unwrap_or(rest.len());
        let token = rest[..end].trim();
        (!token.is_empty()).then(|| format!("{token:?}"))
    }
}

/// The dotted path of mapping keys leading to a position in block-style YAML, found by
/// walking up to lines of smaller indentation; a key holding a list gets the item's
/// index (`steps[1].scale`). Best effort: flow style and odd layouts yield a shorter
/// (possibly empty) path; the line and column stay exact regardless.
fn key_path(text: &str, line: u64) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(idx) = usize::try_from(line)
        .ok()
        .and_then(|l| l.checked_sub(1))
        .filter(|i| *i < lines.len())
    else {
        return Vec::new();
    };
    let mut path = Vec::new();
    let here = lines[idx];
    let mut limit = indent(here);
    // The list item the position is in: its dash's indentation and how many items of
    // the same list come before it.
    let mut item: Option<(usize, usize)> = None;
    if let Some(key) = line_key(here) {
        path.push(key);
        if is_item(here) {
            item = Some((indent(here), 0));
            limit = indent(here) + 1;
        }
    } else {
        // The position is a value on a line of its own (a list item or continuation):
        // its key is the nearest keyed line above at no greater indentation (block
        // sequences may sit at their key's own indentation).
        limit = indent(here) + 1;
        if is_item(here) {
            item = Some((indent(here), 0));
        }
    }
    for l in lines[..idx].iter().rev() {
        if limit == 0 {
            break;
        }
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = indent(l);
        if let Some((dash, before)) = &mut item
            && is_item(l)
            && ind == *dash
        {
            // An earlier item of the same list.
            *before += 1;
            continue;
        }
        if ind >= limit {
            continue;
        }
        if is_item(l) {
            // `- key: value` holds the position: its key is a parent only when the
            // position is deeper than the item's own keys; otherwise a sibling.
            if limit > item_content(l)
                && let Some(key) = line_key(l)
            {
                path.push(key);
            }
            if let Some((_, before)) = item.take() {
                path.push(format!("[{before}]"));
            }
            item = Some((ind, 0));
            limit = ind + 1;
            continue;
        }
        if let Some(key) = line_key(l) {
            match item.take() {
                Some((_, before)) => path.push(format!("{key}[{before}]")),
                None => path.push(key),
            }
            limit = ind;
        }
    }
    if let Some((_, before)) = item {
        path.push(format!("[{before}]"));
    }
    path.reverse();
    path
}

/// A block sequence item (`- …`).
fn is_item(line: &str) -> bool {
    let t = line.trim_start();
    t == "-" || t.starts_with("- ")
}

/// The column (0-based) where an item's content starts: `  - id: a` → 4.
fn item_content(line: &str) -> usize {
    let ind = indent(line);
    let after = line[ind + 1..].len() - line[ind + 1..].trim_start_matches(' ').len();
    ind + 1 + after
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The mapping key a line starts with (`key:` or `- key:`).
fn line_key(line: &str) -> Option<String> {
    let ind = indent(line);
    let body = &line[ind..];
    let body = body.strip_prefix("- ").unwrap_or(body);
    let colon = body.find(':')?;
    let after = &body[colon + 1..];
    if !(after.is_empty() || after.starts_with(' ') || after.starts_with('\t')) {
        return None;
    }
    let key = body[..colon].trim().trim_matches(|c| c == '"' || c == '\'');
    if key.is_empty() || key.contains(['{', '[', '#', ',']) {
        return None;
    }
    Some(key.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn invalid(text: &str) -> (u64, u64, String) {
        match Config::from_yaml(text, "test.yaml") {
            Err(ConfigError::Invalid {
                file,
                line,
                column,
                message,
            }) => {
                assert_eq!(file, "test.yaml");
                (line, column, message)
            }
            other => panic!("expected an Invalid error for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn defaults_load() {
        let c = Config::defaults().unwrap();
        assert_eq!(c.frame_ms, 30);
        assert_eq!(c.log_buffer_lines, 10_000);
        assert_eq!(c.theme, "default");
        assert_eq!(c.favourites.first().map(String::as_str), Some("all"));
        assert!(c.favourites.len() <= MAX_FAVOURITES);
        assert!(c.key_overrides().is_ok());
        assert_eq!(c.context("anything"), ContextConfig::default());
    }

    #[test]
    fn empty_and_comment_only_files_mean_defaults() {
        let d = Config::defaults().unwrap();
        assert_eq!(Config::from_yaml("", "f").unwrap(), d);
        assert_eq!(Config::from_yaml("# nothing yet\n", "f").unwrap(), d);
    }

    #[test]
    fn partial_user_file_overlays_field_by_field() {
        let text = "frame_ms: 120\nkeys:\n  quit: [q, ctrl-q]\n  bottom: shift-g\ncontexts:\n  prod:\n    readonly: true\n";
        let c = Config::from_yaml(text, "f").unwrap();
        let d = Config::defaults().unwrap();
        assert_eq!(c.frame_ms, 120);
        assert_eq!(c.log_buffer_lines, d.log_buffer_lines);
        assert_eq!(c.theme, d.theme);
        assert_eq!(c.favourites, d.favourites);
        assert_eq!(c.keys["quit"], vec!["q", "ctrl-q"]);
        assert_eq!(c.keys["bottom"], vec!["shift-g"]);
        assert_eq!(
            c.context("prod"),
            ContextConfig {
                readonly: Some(true),
                ..ContextConfig::default()
            }
        );
        let keys = c.key_overrides().unwrap();
        assert_eq!(
            keys["bottom"],
            vec![KeySpec {
                code: KeyCodeName::Char('G'),
                ctrl: false,
                alt: false,
                shift: true
            }]
        );
    }

    #[test]
    fn load_reads_an_explicit_file_and_reports_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lakedeck.yaml");
        std::fs::write(
            &path,
            "theme: mono\ncontexts:\n  lab:\n    namespace: trino\n",
        )
        .unwrap();
        let (c, used) = Config::load(Some(&path)).unwrap();
        assert_eq!(used.as_deref(), Some(path.as_path()));
        assert_eq!(c.theme, "mono");
        assert_eq!(c.context("lab").namespace.as_deref(), Some("trino"));
    }

    #[test]
    fn a_missing_default_file_means_defaults_but_an_unreadable_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let absent = dir.path().join("lakedeck").join("config.yaml");
        let (c, used) = load_from(None, Some(absent), None).unwrap();
        assert_eq!((c, used), (Config::defaults().unwrap(), None));
        let (c, used) = load_from(None, None, None).unwrap();
        assert_eq!((c, used), (Config::defaults().unwrap(), None));
        // A directory where the file should be is a mistake to report, not to skip.
        let err = load_from(None, Some(dir.path().to_path_buf()), None).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }), "{err}");
        let present = dir.path().join("config.yaml");
        std::fs::write(&present, "frame_ms: 100\n").unwrap();
        let (c, used) = load_from(None, Some(present.clone()), None).unwrap();
        assert_eq!((c.frame_ms, used), (100, Some(present)));
    }

    #[test]
    fn a_missing_explicit_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.yaml");
        let err = Config::load(Some(&path)).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }));
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("cannot read {}: ", path.display())),
            "{msg}"
        );
    }

    #[test]
    fn errors_in_a_loaded_file_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, "frame_ms: 30\nbogus: 1\n").unwrap();
        let msg = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(
            msg.starts_with(&format!("{}:2:1: ", path.display())),
            "{msg}"
        );
    }

    #[test]
    fn unknown_field_is_located_and_lists_the_fields() {
        let (line, column, msg) = invalid("frame_ms: 40\nthemes: mono\n");
        assert_eq!((line, column), (2, 1));
        assert!(msg.contains("unknown field `themes`"), "{msg}");
        assert!(msg.contains("theme"), "{msg}");
        let (line, column, msg) =
            invalid("contexts:\n  prod:\n    readonly: true\n    ns: trino\n");
        assert_eq!((line, column), (4, 5));
        assert!(
            msg.starts_with("contexts.prod: unknown field `ns`"),
            "{msg}"
        );
        assert!(msg.contains("namespace"), "{msg}");
    }

    #[test]
    fn wrong_type_is_located_and_says_what_was_expected() {
        let (line, column, msg) = invalid("theme: mono\nframe_ms: fast\n");
        assert_eq!((line, column), (2, 11));
        assert_eq!(msg, "frame_ms: expected a whole number, found \"fast\"");
        let (line, column, msg) = invalid("favourites: trino\n");
        assert_eq!((line, column), (1, 13));
        assert!(msg.starts_with("favourites: expected a list"), "{msg}");
        let (line, column, msg) = invalid("contexts:\n  prod:\n    readonly: maybe\n");
        assert_eq!((line, column), (3, 15));
        assert!(
            msg.starts_with("contexts.prod.readonly: expected true or false"),
            "{msg}"
        );
        let e = Config::from_yaml("theme: mono\nframe_ms: fast\n", "my.yaml").unwrap_err();
        assert!(e.to_string().starts_with("my.yaml:2:11: frame_ms: "), "{e}");
    }

    #[test]
    fn broken_yaml_is_located() {
        let (line, column, _) = invalid("frame_ms: 30\nkeys: [q\n");
        assert!(line >= 2 && column > 0, "{line}:{column}");
        let (line, _, msg) = invalid("frame_ms: 30\nframe_ms: 40\n");
        assert_eq!(line, 2);
        assert!(msg.contains("duplicate"), "{msg}");
    }

    #[test]
    fn out_of_range_values_are_located() {
        let (line, column, msg) = invalid("theme: default\nframe_ms: 5\n");
        assert_eq!((line, column), (2, 11));
        assert!(
            msg.starts_with("frame_ms: 5 is out of range; expected 10 to 2000"),
            "{msg}"
        );
        let (line, column, _) = invalid("frame_ms: 2001\n");
        assert_eq!((line, column), (1, 11));
        assert!(Config::from_yaml("frame_ms: 10\n", "f").is_ok());
        assert!(Config::from_yaml("frame_ms: 2000\n", "f").is_ok());
        let (line, column, msg) = invalid("log_buffer_lines: 99\n");
        assert_eq!((line, column), (1, 19));
        assert!(msg.contains("at least 100"), "{msg}");
        let text = format!(
            "favourites: [{}]\n",
            (0..11)
                .map(|i| format!("n{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let (line, column, msg) = invalid(&text);
        assert_eq!((line, column), (1, text.find("n10").unwrap() as u64 + 1));
        assert!(msg.contains("at most 10"), "{msg}");
    }

    #[test]
    fn bad_key_spec_is_located() {
        let (line, column, msg) = invalid("keys:\n  quit:\n    - q\n    - ctrl-shoft-q\n");
        assert_eq!((line, column), (4, 7));
        assert!(
            msg.starts_with("keys.quit: unknown key \"ctrl-shoft-q\""),
            "{msg}"
        );
        assert!(msg.contains("pgdn"), "{msg}");
        let (line, column, _) = invalid("keys:\n  top: [g, hme]\n");
        assert_eq!((line, column), (2, 12));
        let (line, column, _) = invalid("keys:\n  top: hme\n");
        assert_eq!((line, column), (2, 8));
    }

    #[test]
    fn unknown_actions_are_located_when_the_app_names_its_actions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, "keys:\n  quit: q\n  qiut: x\n").unwrap();
        let err = Config::load_checking_actions(Some(&path), &["quit", "back"])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "{}:3:3: keys: unknown action \"qiut\"; expected one of quit, back",
                path.display()
            )),
            "{err}"
        );
        assert!(Config::load(Some(&path)).is_ok());
    }

    #[test]
    fn key_specs_parse() {
        let k = |code, ctrl, alt, shift| {
            Ok(KeySpec {
                code,
                ctrl,
                alt,
                shift,
            })
        };
        use KeyCodeName::*;
        assert_eq!(parse_key("j"), k(Char('j'), false, false, false));
        assert_eq!(parse_key("G"), k(Char('G'), false, false, true));
        assert_eq!(parse_key("shift-g"), k(Char('G'), false, false, true));
        assert_eq!(parse_key("ctrl-d"), k(Char('d'), true, false, false));
        assert_eq!(parse_key("Ctrl-Alt-x"), k(Char('x'), true, true, false));
        assert_eq!(parse_key("down"), k(Down, false, false, false));
        assert_eq!(parse_key("pgdn"), k(PageDown, false, false, false));
        assert_eq!(parse_key("PageUp"), k(PageUp, false, false, false));
        assert_eq!(parse_key("shift-tab"), k(BackTab, false, false, true));
        assert_eq!(parse_key("f12"), k(F(12), false, false, false));
        assert_eq!(parse_key("space"), k(Char(' '), false, false, false));
        assert_eq!(parse_key("-"), k(Char('-'), false, false, false));
        assert_eq!(parse_key("ctrl--"), k(Char('-'), true, false, false));
        assert_eq!(parse_key("/"), k(Char('/'), false, false, false));
        for bad in ["", "ctrl-", "f0", "f25", "hyper-x", "shift-1", "jk"] {
            assert!(parse_key(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn key_specs_display_canonically_and_read_back() {
        for spec in [
            "j",
            "G",
            "ctrl-d",
            "alt-enter",
            "shift-up",
            "backtab",
            "space",
            "f5",
            "ctrl--",
            "pgdn",
            "delete",
        ] {
            let parsed = parse_key(spec).unwrap();
            assert_eq!(parse_key(&parsed.to_string()).unwrap(), parsed, "{spec}");
        }
        assert_eq!(parse_key("shift-g").unwrap().to_string(), "G");
        assert_eq!(parse_key("Page-Down").unwrap().to_string(), "pgdn");
    }

    #[test]
    fn default_path_is_under_the_lakedeck_config_dir() {
        if let Some(p) = Config::default_path() {
            assert!(p.ends_with("config.yaml"));
            assert!(
                p.parent()
                    .is_some_and(|d| d.to_string_lossy().contains("lakedeck"))
            );
        }
    }

    #[test]
    fn platform_settings_merge_defaults_context_and_flags() {
        let c = Config::from_yaml(
            "minio_forecast_window: 2d\ncontexts:\n  prod:\n    prometheus: service:monitoring/prometheus:9090\n    trino: {url: https://trino.example.com, user: oncall, basic_auth: {username: oncall, password_env: TRINO_PW}}\n    query_sets: {kafka: kminion}\n    queries:\n      minio:\n        v2:\n          usable_free: max(my_free)\n",
            "user.yaml",
        )
        .unwrap();
        let p = c.platform_for("prod", PlatformFlags::default());
        assert_eq!(
            p.prometheus
                .as_ref()
                .map(|e| e.target.to_string())
                .as_deref(),
            Some("service:monitoring/prometheus:9090")
        );
        assert_eq!(p.alertmanager, None);
        let trino = p.trino.unwrap();
        assert_eq!(trino.user.as_deref(), Some("oncall"));
        assert!(matches!(trino.auth, platform::EndpointAuth::Basic { .. }));
        assert_eq!(p.minio["usable_free"], "max(my_free)");
        assert_eq!(
            p.minio["free_in_1d"],
            "predict_linear(minio_cluster_capacity_usable_free_bytes[2d], 86400)"
        );
        assert_eq!(p.kafka["group_label"], "group_id");
        assert_eq!(
            p.trino_queries["queued"],
            "sum(trino_execution_name_QueryManager_QueuedQueries)"
        );
        // Another context keeps the defaults; a flag beats the config.
        let flags = PlatformFlags {
            prometheus: Some(platform::EndpointConfig::parse("http://localhost:9090").unwrap()),
            ..PlatformFlags::default()
        };
        let other = c.platform_for("dev", flags);
        assert_eq!(
            other.minio["usable_free"],
            "max(minio_cluster_capacity_usable_free_bytes)"
        );
        assert_eq!(other.kafka["group_label"], "consumergroup");
        assert_eq!(
            other.prometheus.map(|e| e.target.to_string()).as_deref(),
            Some("http://localhost:9090")
        );
    }

    #[test]
    fn bad_platform_settings_are_located() {
        let (line, _, msg) = invalid("contexts:\n  prod:\n    prometheus: prom:9090\n");
        assert_eq!(line, 3);
        assert!(
            msg.starts_with("contexts.prod.prometheus: \"prom:9090\" is not an endpoint"),
            "{msg}"
        );
        let (line, _, msg) =
            invalid("contexts:\n  prod:\n    trino: {url: https://t, basic_auth: {username: u}}\n");
        assert_eq!(line, 3);
        assert!(msg.contains("password_env or password_file"), "{msg}");
        let (line, column, msg) =
            invalid("queries:\n  minio:\n    v2:\n      usable_fre: max(x)\n");
        assert_eq!((line, column), (4, 19));
        assert!(
            msg.contains("unknown query \"usable_fre\" for minio"),
            "{msg}"
        );
        let (line, _, msg) = invalid("query_sets:\n  minio: v9\n");
        assert_eq!(line, 2);
        assert!(
            msg.contains("unknown minio query set \"v9\"; expected one of v2, v3"),
            "{msg}"
        );
        let (_, _, msg) = invalid("minio_forecast_window: six hours\n");
        assert!(msg.contains("not a PromQL duration"), "{msg}");
        let (_, _, msg) =
            invalid("contexts:\n  p:\n    alertmanager: {url: https://a, password: x}\n");
        assert!(msg.contains("password"), "{msg}");
    }
}
