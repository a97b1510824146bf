//! Themes: YAML files of named styles (`themes/*.yaml`, embedded), chosen with `--theme`
//! or `theme:` in config. Colours are restricted to the 16 named ANSI colours (plus
//! `reset`), so a theme follows the terminal's own palette and reads on dark and light
//! backgrounds and on 16-colour terminals alike. `mono` uses no colour at all: state is
//! shown by bold/reverse/underline and by row symbols, never by colour alone. `NO_COLOR`
//! (set to any non-empty value, <https://no-color.org>) selects `mono`.
//!
//! Owns the style vocabulary and theme-file parsing; it does not draw and never prints.
//! Theme file format (every key optional when `base:` names a built-in theme):
//!
//! ```yaml
//! base: default          # inherit the styles not given here from a built-in theme
//! symbols: false         # true: rows carry a leading severity symbol ("!!", "! ")
//! header: {fg: black, bg: cyan, bold: true}
//! # fg/bg: black red green yellow blue magenta cyan gray darkgray lightred lightgreen
//! #        lightyellow lightblue lightmagenta lightcyan white reset
//! # flags: bold dim italic underline reverse crossed_out — true adds the modifier,
//! #        false removes it from whatever the style is drawn over.
//! ```

use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde_saphyr::Spanned;

use crate::config::{YamlProblem, located, problem_at, yaml_error};

const BUILTINS: &[(&str, &str)] = &[
    ("default", include_str!("../themes/default.yaml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.yaml"),
    ),
    ("mono", include_str!("../themes/mono.yaml")),
];
const BUILTIN_NAMES: &[&str] = &["default", "high-contrast", "mono"];
const MONO: &str = "mono";

/// The colour names a theme may use, with what they mean to ratatui.
const COLOURS: &[(&str, Color)] = &[
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("darkgray", Color::DarkGray),
    ("lightred", Color::LightRed),
    ("lightgreen", Color::LightGreen),
    ("lightyellow", Color::LightYellow),
    ("lightblue", Color::LightBlue),
    ("lightmagenta", Color::LightMagenta),
    ("lightcyan", Color::LightCyan),
    ("white", Color::White),
    ("reset", Color::Reset),
];

/// The styles the UI draws with. What each is for is part of the contract with theme
/// authors, so they are documented here rather than in the UI.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Built-in name, or the file stem of a theme file.
    pub name: String,
    /// The header bar (context, server, user, scope, time).
    pub header: Style,
    /// The READ-ONLY badge in the header (drawn over `header`).
    pub header_badge: Style,
    /// The footer bar and transient messages.
    pub footer: Style,
    /// The keys in footer hints (drawn over `footer`).
    pub footer_key: Style,
    /// Pane titles.
    pub title: Style,
    /// Pane borders.
    pub border: Style,
    /// Table column headers.
    pub table_header: Style,
    /// The selected row (drawn over the row's severity style).
    pub selected: Style,
    /// Healthy state text ("Running", ready counts). Rows needing no attention should stay
    /// unstyled.
    pub ok: Style,
    pub info: Style,
    pub warning: Style,
    pub critical: Style,
    /// Data whose source is failing: the "stale 2m" marker and the rows it covers.
    pub stale: Style,
    /// Secondary text: ages, units, "n/a".
    pub dim: Style,
    /// The `/` filter and `:` command line.
    pub filter: Style,
    /// Error messages.
    pub error: Style,
    /// Gauge bars (ratatui `Gauge` draws the filled part in `fg`, the rest in `bg`).
    pub gauge: Style,
    /// True (mono, high-contrast): rows get a leading severity symbol like "!!", "! " so
    /// state is visible without colour.
    pub symbols: bool,
}

/// Why a theme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("cannot read theme file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A problem in a theme file; `line`/`column` are 1-based (0 = unknown).
    #[error("{}", located(file, *line, *column, message))]
    Invalid {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    /// Not a built-in theme, a user theme or a path to a theme file.
    #[error(
        "unknown theme \"{name}\"; available: {} — or give a path to a theme .yaml file",
        available.join(", ")
    )]
    Unknown {
        name: String,
        available: Vec<String>,
    },
}

impl From<YamlProblem> for ThemeError {
    fn from(p: YamlProblem) -> Self {
        ThemeError::Invalid {
            file: p.file,
            line: p.line,
            column: p.column,
            message: p.message,
        }
    }
}

impl Theme {
    /// The themes embedded in the binary.
    pub fn builtin_names() -> &'static [&'static str] {
        BUILTIN_NAMES
    }

    /// `requested` is `--theme` or config's `theme:`: a built-in name, the name of a file
    /// `<name>.yaml` in the user theme directory (`~/.config/lakedeck/themes/`), or a path
    /// to a `.yaml` file. `no_color` (see [`Theme::no_color_from_env`]) forces `mono`
    /// whatever was requested.
    pub fn load(requested: &str, no_color: bool) -> Result<Theme, ThemeError> {
        if no_color {
            return builtin(MONO);
        }
        if BUILTIN_NAMES.contains(&requested) {
            return builtin(requested);
        }
        if looks_like_path(requested) {
            return from_file(Path::new(requested));
        }
        if let Some(path) = user_dir().map(|d| d.join(format!("{requested}.yaml")))
            && path.is_file()
        {
            return from_file(&path);
        }
        let mut available: Vec<String> = BUILTIN_NAMES.iter().map(|n| (*n).to_string()).collect();
        available.extend(user_theme_names());
        Err(ThemeError::Unknown {
            name: requested.to_string(),
            available,
        })
    }

    /// Parses a theme from YAML text, reported as coming from `file`.
    pub fn from_yaml(name: &str, text: &str, file: &str) -> Result<Theme, ThemeError> {
        parse(name, text, file, true)
    }

    /// Whether `NO_COLOR` asks for no colour: set and non-empty, whatever its value.
    pub fn no_color_from_env() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    /// Where user themes live (`~/.config/lakedeck/themes` on Linux).
    pub fn user_dir() -> Option<PathBuf> {
        user_dir()
    }

    /// Every style with its name in file order, for previews and tests.
    pub fn styles(&self) -> [(&'static str, Style); 17] {
        [
            ("header", self.header),
            ("header_badge", self.header_badge),
            ("footer", self.footer),
            ("footer_key", self.footer_key),
            ("title", self.title),
            ("border", self.border),
            ("table_header", self.table_header),
            ("selected", self.selected),
            ("ok", self.ok),
            ("info", self.info),
            ("warning", self.warning),
            ("critical", self.critical),
            ("stale", self.stale),
            ("dim", self.dim),
            ("filter", self.filter),
            ("error", self.error),
            ("gauge", self.gauge),
        ]
    }
}

impl Default for Theme {
    /// The built-in default theme. Its file is checked by the tests; should it ever fail
    /// to parse, an unstyled theme with symbols keeps the screen usable.
    fn default() -> Self {
        builtin("default").unwrap_or_else(|_| unstyled("default"))
    }
}

fn unstyled(name: &str) -> Theme {
    let s = Style::default();
    Theme {
        name: name.to_string(),
        header: s,
        header_badge: s,
        footer: s,
        footer_key: s,
        title: s,
        border: s,
        table_header: s,
        selected: Style::new().add_modifier(Modifier::REVERSED),
        ok: s,
        info: s,
        warning: s,
        critical: s,
        stale: s,
        dim: s,
        filter: s,
        error: s,
        gauge: s,
        symbols: true,
    }
}

fn builtin(name: &str) -> Result<Theme, ThemeError> {
    match BUILTINS.iter().find(|(n, _)| *n == name) {
        // Built-ins are complete, so they never need (or may use) `base:`.
        Some((n, text)) => parse(n, text, &format!("themes/{n}.yaml (built in)"), false),
        None => Err(ThemeError::Unknown {
            name: name.to_string(),
            available: BUILTIN_NAMES.iter().map(|n| (*n).to_string()).collect(),
        }),
    }
}

fn looks_like_path(requested: &str) -> bool {
    requested.contains(['/', std::path::MAIN_SEPARATOR])
        || requested.ends_with(".yaml")
        || requested.ends_with(".yml")
}

fn from_file(path: &Path) -> Result<Theme, ThemeError> {
    let text = std::fs::read_to_string(path).map_err(|source| ThemeError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    parse(&name, &text, &path.display().to_string(), true)
}

fn user_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "lakedeck").map(|d| d.config_dir().join("themes"))
}

fn user_theme_names() -> Vec<String> {
    let Some(entries) = user_dir().and_then(|d| std::fs::read_dir(d).ok()) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|n| !BUILTIN_NAMES.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

/// One style as written: colours by name (located, to point at a bad one) and
/// tri-state modifier flags.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<Spanned<String>>,
    bg: Option<Spanned<String>>,
    bold: Option<bool>,
    dim: Option<bool>,
    italic: Option<bool>,
    #[serde(alias = "underlined")]
    underline: Option<bool>,
    #[serde(alias = "reversed")]
    reverse: Option<bool>,
    crossed_out: Option<bool>,
}

impl StyleSpec {
    fn to_style(&self, file: &str, key: &str) -> Result<Style, ThemeError> {
        let mut style = Style::new();
        if let Some(fg) = &self.fg {
            style = style.fg(colour(fg, file, key, "fg")?);
        }
        if let Some(bg) = &self.bg {
            style = style.bg(colour(bg, file, key, "bg")?);
        }
        let flags = [
            (self.bold, Modifier::BOLD),
            (self.dim, Modifier::DIM),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.reverse, Modifier::REVERSED),
            (self.crossed_out, Modifier::CROSSED_OUT),
        ];
        for (flag, modifier) in flags {
            style = match flag {
                Some(true) => style.add_modifier(modifier),
                Some(false) => style.remove_modifier(modifier),
                None => style,
            };
        }
        Ok(style)
    }
}

/// Names are matched ignoring case, `-`/`_` and the spelling "grey", so "Dark-Grey" is
/// `darkgray`; anything else is refused with the list of valid names.
fn colour(name: &Spanned<String>, file: &str, key: &str, which: &str) -> Result<Color, ThemeError> {
    let normal: String = name
        .value
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect::<String>()
        .to_ascii_lowercase()
        .replace("grey", "gray");
    COLOURS.iter().find(|(n, _)| *n == normal).map(|(_, c)| *c).ok_or_else(|| {
        let valid: Vec<&str> = COLOURS.iter().map(|(n, _)| *n).collect();
        problem_at(
            file,
            &name.referenced,
            format!(
                "{key}.{which}: unknown colour \"{}\"; expected one of {} (named ANSI colours only, so the theme follows the terminal's palette)",
                name.value,
                valid.join(", ")
            ),
        )
        .into()
    })
}

/// Declares the style fields once, for the file format and for building a `Theme`, so
/// the two cannot drift apart.
macro_rules! theme_file {
    ($($field:ident),* $(,)?) => {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ThemeFile {
            base: Option<Spanned<String>>,
            symbols: Option<bool>,
            $($field: Option<StyleSpec>,)*
        }

        fn build(name: &str, file_name: &str, f: ThemeFile, base: Option<Theme>) -> Result<Theme, ThemeError> {
            let mut missing: Vec<&str> = Vec::new();
            let mut theme = base.unwrap_or_else(|| unstyled(name));
            theme.name = name.to_string();
            let has_base = f.base.is_some();
            match f.symbols {
                Some(s) => theme.symbols = s,
                None if !has_base => missing.push("symbols"),
                None => {}
            }
            $(
                match &f.$field {
                    Some(spec) => theme.$field = spec.to_style(file_name, stringify!($field))?,
                    None if !has_base => missing.push(stringify!($field)),
                    None => {}
                }
            )*
            if !missing.is_empty() {
                // A theme that silently left, say, `selected` unstyled would hide the
                // cursor; demand every style, or an explicit base to inherit from.
                return Err(ThemeError::Invalid {
                    file: file_name.to_string(),
                    line: 1,
                    column: 1,
                    message: format!(
                        "missing {}; set every style, or add `base: default` (or another built-in theme) to inherit the rest",
                        missing.join(", ")
                    ),
                });
            }
            Ok(theme)
        }
    };
}

theme_file!(
    header,
    header_badge,
    footer,
    footer_key,
    title,
    border,
    table_header,
    selected,
    ok,
    info,
    warning,
    critical,
    stale,
    dim,
    filter,
    error,
    gauge,
);

fn parse(name: &str, text: &str, file: &str, allow_base: bool) -> Result<Theme, ThemeError> {
    let f: ThemeFile =
        serde_saphyr::from_str(text).map_err(|e| ThemeError::from(yaml_error(file, text, &e)))?;
    let base = match &f.base {
        None => None,
        Some(b) if allow_base && BUILTIN_NAMES.contains(&b.value.as_str()) => {
            Some(builtin(&b.value)?)
        }
        Some(b) => {
            let message = if allow_base {
                format!(
                    "base: unknown theme \"{}\"; expected one of {}",
                    b.value,
                    BUILTIN_NAMES.join(", ")
                )
            } else {
                "base: built-in themes cannot have a base".to_string()
            };
            return Err(problem_at(file, &b.referenced, message).into());
        }
    };
    build(name, file, f, base)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn has_colour(style: &Style) -> bool {
        let coloured = |c: Option<Color>| c.is_some_and(|c| c != Color::Reset);
        coloured(style.fg) || coloured(style.bg) || coloured(style.underline_color)
    }

    fn complete_theme_text() -> String {
        BUILTINS
            .iter()
            .find(|(n, _)| *n == "default")
            .map(|(_, t)| t.to_string())
            .unwrap()
    }

    fn invalid(result: Result<Theme, ThemeError>) -> (String, u64, u64, String) {
        match result {
            Err(ThemeError::Invalid {
                file,
                line,
                column,
                message,
            }) => (file, line, column, message),
            other => panic!("expected an Invalid theme error, got {other:?}"),
        }
    }

    #[test]
    fn every_builtin_theme_loads_completely() {
        assert_eq!(
            Theme::builtin_names(),
            &["default", "high-contrast", "mono"]
        );
        for name in Theme::builtin_names() {
            let theme = Theme::load(name, false).unwrap();
            assert_eq!(theme.name, *name);
            // Every style must be set in a built-in file (parse would refuse otherwise),
            // and the selection must be visible in every theme.
            assert_ne!(
                theme.selected,
                Style::default(),
                "{name}: selected is unstyled"
            );
            assert_ne!(
                theme.header_badge,
                Style::default(),
                "{name}: badge is unstyled"
            );
        }
        assert_eq!(Theme::default(), Theme::load("default", false).unwrap());
    }

    #[test]
    fn no_color_picks_mono_whatever_was_requested() {
        for requested in [
            "default",
            "high-contrast",
            "no-such-theme",
            "/nonexistent/theme.yaml",
        ] {
            let theme = Theme::load(requested, true).unwrap();
            assert_eq!(theme.name, "mono");
            assert!(theme.symbols);
        }
    }

    #[test]
    fn mono_has_no_colour_and_marks_state_without_it() {
        let mono = Theme::load("mono", false).unwrap();
        for (name, style) in mono.styles() {
            assert!(
                !has_colour(&style),
                "mono style {name} has a colour: {style:?}"
            );
        }
        assert!(mono.symbols);
        assert!(mono.selected.add_modifier.contains(Modifier::REVERSED));
        // Severities differ by modifiers, not colour.
        assert_ne!(mono.critical, mono.warning);
        assert_ne!(mono.warning, mono.ok);
        assert_ne!(mono.header_badge, mono.header);
    }

    #[test]
    fn default_theme_is_readable_on_dark_and_light_backgrounds() {
        let t = Theme::load("default", false).unwrap();
        for (name, style) in t.styles() {
            // White or black text with no background vanishes on one of the two.
            if matches!(
                style.fg,
                Some(Color::White | Color::Black | Color::Gray | Color::DarkGray)
            ) {
                assert!(
                    style.bg.is_some(),
                    "default style {name} has fg {:?} with no background",
                    style.fg
                );
            }
        }
        assert!(!t.symbols);
    }

    #[test]
    fn unknown_colour_is_located_and_lists_the_names() {
        let text =
            complete_theme_text().replace("critical:     {fg: red,", "critical:     {fg: orange,");
        assert_ne!(text, complete_theme_text(), "test fixture did not apply");
        let line = text.lines().position(|l| l.contains("orange")).unwrap() as u64 + 1;
        let column = text
            .lines()
            .find(|l| l.contains("orange"))
            .unwrap()
            .find("orange")
            .unwrap() as u64
            + 1;
        let (file, l, c, msg) = invalid(Theme::from_yaml("t", &text, "t.yaml"));
        assert_eq!((file.as_str(), l, c), ("t.yaml", line, column));
        assert!(
            msg.starts_with("critical.fg: unknown colour \"orange\""),
            "{msg}"
        );
        assert!(
            msg.contains("lightmagenta") && msg.contains("reset"),
            "{msg}"
        );
    }

    #[test]
    fn colour_names_are_forgiving_about_case_and_spelling() {
        let text = "base: mono\nborder: {fg: Dark-Grey, bg: light_blue}\n";
        let t = Theme::from_yaml("t", text, "t.yaml").unwrap();
        assert_eq!(
            t.border,
            Style::new().fg(Color::DarkGray).bg(Color::LightBlue)
        );
    }

    #[test]
    fn bad_theme_files_are_located() {
        let (_, l, c, msg) = invalid(Theme::from_yaml(
            "t",
            "base: default\nheader: {fg: red, blink: true}\n",
            "t.yaml",
        ));
        assert_eq!((l, c), (2, 19));
        assert!(
            msg.contains("unknown field `blink`") && msg.contains("bold"),
            "{msg}"
        );
        let (_, l, c, msg) = invalid(Theme::from_yaml(
            "t",
            "base: default\nheader:\n  bold: very\n",
            "t.yaml",
        ));
        assert_eq!((l, c), (3, 9));
        assert!(
            msg.starts_with("header.bold: expected true or false"),
            "{msg}"
        );
        let (_, l, c, msg) = invalid(Theme::from_yaml("t", "base: dracula\n", "t.yaml"));
        assert_eq!((l, c), (1, 7));
        assert!(msg.contains("default, high-contrast, mono"), "{msg}");
        let (_, l, _, msg) = invalid(Theme::from_yaml(
            "t",
            "symbols: true\nheader: {bold: true}\n",
            "t.yaml",
        ));
        assert_eq!(l, 1);
        assert!(msg.starts_with("missing header_badge, footer"), "{msg}");
        assert!(msg.contains("base: default"), "{msg}");
    }

    #[test]
    fn a_base_supplies_the_styles_not_given() {
        let t = Theme::from_yaml(
            "mine",
            "base: mono\ncritical: {fg: red, bold: true}\n",
            "mine.yaml",
        )
        .unwrap();
        let mono = Theme::load("mono", false).unwrap();
        assert_eq!(t.name, "mine");
        assert_eq!(
            t.critical,
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        );
        assert_eq!(t.selected, mono.selected);
        assert_eq!(t.symbols, mono.symbols);
    }

    #[test]
    fn false_flags_remove_modifiers() {
        let t = Theme::from_yaml(
            "t",
            "base: mono\nheader_badge: {reverse: false, bold: true}\n",
            "t.yaml",
        )
        .unwrap();
        let over_header = Style::new()
            .add_modifier(Modifier::REVERSED)
            .patch(t.header_badge);
        assert!(!over_header.add_modifier.contains(Modifier::REVERSED));
        assert!(over_header.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn unknown_theme_name_lists_the_builtins() {
        let err = Theme::load("no-such-theme-for-tests", false).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, ThemeError::Unknown { .. }));
        assert!(
            msg.starts_with(
                "unknown theme \"no-such-theme-for-tests\"; available: default, high-contrast, mono"
            ),
            "{msg}"
        );
        assert!(msg.contains("path"), "{msg}");
    }

    #[test]
    fn a_theme_file_path_works() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("night-shift.yaml");
        std::fs::write(
            &path,
            "base: default\nselected: {fg: black, bg: lightyellow}\n",
        )
        .unwrap();
        let t = Theme::load(path.to_str().unwrap(), false).unwrap();
        assert_eq!(t.name, "night-shift");
        assert_eq!(
            t.selected,
            Style::new().fg(Color::Black).bg(Color::LightYellow)
        );
        assert_eq!(t.critical, Theme::load("default", false).unwrap().critical);

        std::fs::write(&path, "base: default\nselected: {fg: purple}\n").unwrap();
        let msg = Theme::load(path.to_str().unwrap(), false)
            .unwrap_err()
            .to_string();
        assert!(
            msg.starts_with(&format!(
                "{}:2:16: selected.fg: unknown colour \"purple\"",
                path.display()
            )),
            "{msg}"
        );

        let missing = dir.path().join("absent.yaml");
        let err = Theme::load(missing.to_str().unwrap(), false).unwrap_err();
        assert!(matches!(err, ThemeError::Read { .. }), "{err}");
    }
}
