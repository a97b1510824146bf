//! Label and field selectors for the lab API server.
//!
//! This module owns parsing and matching of the `labelSelector` and
//! `fieldSelector` query parameters exactly as the real Kubernetes API server
//! does it (`k8s.io/apimachinery/pkg/labels` `Parse` and
//! `k8s.io/apimachinery/pkg/fields` `ParseSelector`), including the wording of
//! the error messages, so that clients such as `kubectl` and `kube-rs` see the
//! same behaviour against the lab as against a real cluster.
//!
//! It is pure: no I/O, no clocks, no global state. Callers hand in the raw
//! query string and, for matching, the object's labels or a field accessor.
//!
//! Fidelity notes (deliberate, to match the Go implementation):
//! - Label selectors also accept the `>` / `<` integer comparisons (the API
//!   server supports them even though they are rarely documented).
//! - The label lexer is byte-oriented and treats a NUL byte like Go does
//!   (as an end-of-input sentinel), because the Go lexer uses `0` for EOF.
//! - Field selectors are *not* whitespace tolerant: `a = b` names the field
//!   `"a "`, which the server then rejects as unsupported.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

/// Why a selector could not be parsed. `Display` is the API server's message
/// text, so the lab can put it verbatim into a `Status` with reason
/// `BadRequest`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// The label selector is syntactically or semantically invalid
    /// (message as produced by `labels.Parse`).
    #[error("{0}")]
    InvalidLabelSelector(String),
    /// The field selector is syntactically invalid
    /// (message as produced by `fields.ParseSelector`).
    #[error("{0}")]
    InvalidFieldSelector(String),
    /// The field selector names a field the resource does not support.
    #[error("field label not supported: {0}")]
    UnsupportedField(String),
}

// ---------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------

/// Operator of a single label requirement (`selection.Operator` in Go).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelOp {
    In,
    NotIn,
    Equals,
    DoubleEquals,
    NotEquals,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// One comma-separated clause of a label selector. Values are kept sorted and
/// de-duplicated because Go stores them in a `sets.String` and reports
/// validation errors by index into the sorted list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: LabelOp,
    values: Vec<String>,
}

impl Requirement {
    fn has_value(&self, v: &str) -> bool {
        self.values.iter().any(|x| x == v)
    }

    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let got = labels.get(&self.key);
        match self.op {
            LabelOp::In | LabelOp::Equals | LabelOp::DoubleEquals => {
                got.is_some_and(|v| self.has_value(v))
            }
            // Negative operators deliberately match objects without the key,
            // as in Kubernetes (`env!=prod` selects unlabelled objects too).
            LabelOp::NotIn | LabelOp::NotEquals => got.is_none_or(|v| !self.has_value(v)),
            LabelOp::Exists => got.is_some(),
            LabelOp::DoesNotExist => got.is_none(),
            LabelOp::GreaterThan | LabelOp::LessThan => {
                let Some(have) = got.and_then(|v| v.parse::<i64>().ok()) else {
                    return false;
                };
                // Parsing guaranteed exactly one integer value; stay defensive
                // rather than indexing.
                let Some(want) = self.values.first().and_then(|v| v.parse::<i64>().ok()) else {
                    return false;
                };
                if self.op == LabelOp::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }
}

impl fmt::Display for Requirement {
    /// Mirrors Go's `Requirement.String()` so logs look familiar.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.op == LabelOp::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let op = match self.op {
            LabelOp::Exists | LabelOp::DoesNotExist => return Ok(()),
            LabelOp::Equals => "=",
            LabelOp::DoubleEquals => "==",
            LabelOp::NotEquals => "!=",
            LabelOp::In => " in ",
            LabelOp::NotIn => " notin ",
            LabelOp::GreaterThan => ">",
            LabelOp::LessThan => "<",
        };
        f.write_str(op)?;
        let set = matches!(self.op, LabelOp::In | LabelOp::NotIn);
        if set {
            f.write_str("(")?;
        }
        f.write_str(&self.values.join(","))?;
        if set {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A parsed label selector: the AND of its requirements. The default value
/// (and the result of parsing `""`) selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    /// Sorted by key, as Go does, so `Display` is deterministic.
    requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// Parse a label selector with the grammar of `labels.Parse`:
    ///
    /// ```text
    /// <selector>    ::= <requirement> | <requirement> "," <selector>
    /// <requirement> ::= [!] KEY [ <set-based> | <exact> | <compare> ]
    /// <set-based>   ::= ("in" | "notin") "(" VALUE { "," VALUE } ")"
    /// <exact>       ::= ("=" | "==" | "!=") VALUE
    /// <compare>     ::= (">" | "<") INTEGER
    /// ```
    ///
    /// The empty string selects everything.
    pub fn parse(s: &str) -> Result<Self, SelectorError> {
        let mut parser = Parser::new(s);
        let mut requirements = parser
            .parse()
            .map_err(SelectorError::InvalidLabelSelector)?;
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Self { requirements })
    }

    /// True when every requirement matches `labels`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// True when the selector does not restrict anything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
}

impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

// --- lexer -----------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Error,
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

/// Go's `string2token`: literals that are tokens rather than identifiers.
fn keyword_token(lit: &[u8]) -> Option<Token> {
    Some(match lit {
        b")" => Token::ClosedPar,
        b"," => Token::Comma,
        b"!" => Token::DoesNotExist,
        b"==" => Token::DoubleEquals,
        b"=" => Token::Equals,
        b">" => Token::GreaterThan,
        b"in" => Token::In,
        b"<" => Token::LessThan,
        b"!=" => Token::NotEquals,
        b"notin" => Token::NotIn,
        b"(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_whitespace(ch: u8) -> bool {
    matches!(ch, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special_symbol(ch: u8) -> bool {
    matches!(ch, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

/// Byte-oriented port of the Go `Lexer`. Working on bytes is safe for UTF-8
/// input because every delimiter is ASCII, so tokens never split a code point.
struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    /// Returns the next byte, or 0 at end of input. Like Go, a literal NUL
    /// byte is consumed but also reads as 0, which callers treat as EOF.
    fn read(&mut self) -> u8 {
        match self.s.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => 0,
        }
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    fn scan_id_or_keyword(&mut self) -> (Token, String) {
        let mut buf = Vec::new();
        loop {
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if is_special_symbol(ch) || is_whitespace(ch) {
                self.unread();
                break;
            }
            buf.push(ch);
        }
        let tok = keyword_token(&buf).unwrap_or(Token::Identifier);
        (tok, String::from_utf8_lossy(&buf).into_owned())
    }

    /// Greedy longest match over operator characters (`!=` beats `!`).
    fn scan_special_symbol(&mut self) -> (Token, String) {
        let mut last: Option<(Token, usize)> = None;
        let mut buf = Vec::new();
        loop {
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if !is_special_symbol(ch) {
                self.unread();
                break;
            }
            buf.push(ch);
            if let Some(tok) = keyword_token(&buf) {
                last = Some((tok, buf.len()));
            } else if last.is_some() {
                self.unread();
                break;
            }
        }
        match last {
            Some((tok, len)) => {
                let lit = buf.get(..len).unwrap_or_default();
                (tok, String::from_utf8_lossy(lit).into_owned())
            }
            // Unreachable in practice (every single special symbol is a
            // token) but kept for parity with the Go lexer.
            None => (
                Token::Error,
                format!(
                    "error expected: keyword found '{}'",
                    String::from_utf8_lossy(&buf)
                ),
            ),
        }
    }

    fn lex(&mut self) -> (Token, String) {
        let mut ch = self.read();
        while is_whitespace(ch) {
            ch = self.read();
        }
        if ch == 0 {
            return (Token::EndOfString, String::new());
        }
        self.unread();
        if is_special_symbol(ch) {
            self.scan_special_symbol()
        } else {
            self.scan_id_or_keyword()
        }
    }
}

// --- parser ----------------------------------------------------------------

/// Whether `in`/`notin` are operators (after a key) or plain identifiers
/// (in value position, e.g. `x in (in)`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    KeyAndOperator,
    Values,
}

const BINARY_OPERATORS: &str = "in, notin, =, ==, !=, gt, lt";

struct Parser {
    items: Vec<(Token, String)>,
    position: usize,
}

impl Parser {
    fn new(s: &str) -> Self {
        let mut lexer = Lexer {
            s: s.as_bytes(),
            pos: 0,
        };
        let mut items = Vec::new();
        loop {
            let item = lexer.lex();
            let end = item.0 == Token::EndOfString;
            items.push(item);
            if end {
                break;
            }
        }
        Self { items, position: 0 }
    }

    fn item_at(&self, idx: usize, ctx: Ctx) -> (Token, String) {
        // Reading past the end yields EndOfString instead of panicking; the
        // Go parser never does this, but garbage input must not crash us.
        let (tok, lit) = self
            .items
            .get(idx)
            .cloned()
            .unwrap_or((Token::EndOfString, String::new()));
        let tok = match (ctx, tok) {
            (Ctx::Values, Token::In | Token::NotIn) => Token::Identifier,
            (_, t) => t,
        };
        (tok, lit)
    }

    fn lookahead(&self, ctx: Ctx) -> (Token, String) {
        self.item_at(self.position, ctx)
    }

    fn consume(&mut self, ctx: Ctx) -> (Token, String) {
        let item = self.item_at(self.position, ctx);
        self.position += 1;
        item
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut reqs = Vec::new();
        loop {
            let (tok, lit) = self.lookahead(Ctx::Values);
            match tok {
                Token::Identifier | Token::DoesNotExist => {
                    let r = self
                        .parse_requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    reqs.push(r);
                    let (t, l) = self.consume(Ctx::Values);
                    match t {
                        Token::EndOfString => return Ok(reqs),
                        Token::Comma => {
                            let (t2, l2) = self.lookahead(Ctx::Values);
                            if t2 != Token::Identifier && t2 != Token::DoesNotExist {
                                return Err(format!(
                                    "found '{l2}', expected: identifier after ','"
                                ));
                            }
                        }
                        _ => return Err(format!("found '{l}', expected: ',' or 'end of string'")),
                    }
                }
                Token::EndOfString => return Ok(reqs),
                _ => {
                    return Err(format!(
                        "found '{lit}', expected: !, identifier, or 'end of string'"
                    ));
                }
            }
        }
    }

    fn parse_requirement(&mut self) -> Result<Requirement, String> {
        let (key, inferred) = self.parse_key_and_infer_operator()?;
        if let Some(op) = inferred {
            return new_requirement(key, op, Vec::new());
        }
        let op = self.parse_operator()?;
        let values = match op {
            LabelOp::In | LabelOp::NotIn => self.parse_values()?,
            _ => self.parse_exact_value()?,
        };
        new_requirement(key, op, values.into_iter().collect())
    }

    /// Returns the key and, for `!key` / bare `key`, the unary operator.
    fn parse_key_and_infer_operator(&mut self) -> Result<(String, Option<LabelOp>), String> {
        let mut op = None;
        let (mut tok, mut lit) = self.consume(Ctx::Values);
        if tok == Token::DoesNotExist {
            op = Some(LabelOp::DoesNotExist);
            (tok, lit) = self.consume(Ctx::Values);
        }
        if tok != Token::Identifier {
            return Err(format!("found '{lit}', expected: identifier"));
        }
        let errs = is_qualified_name(&lit);
        if !errs.is_empty() {
            // Go passes a nil *field.Path here, which prints as "<nil>".
            return Err(invalid("<nil>", &lit, &errs.join("; ")));
        }
        let (next, _) = self.lookahead(Ctx::Values);
        if matches!(next, Token::EndOfString | Token::Comma) && op.is_none() {
            op = Some(LabelOp::Exists);
        }
        Ok((lit, op))
    }

    fn parse_operator(&mut self) -> Result<LabelOp, String> {
        let (tok, lit) = self.consume(Ctx::KeyAndOperator);
        Ok(match tok {
            Token::In => LabelOp::In,
            Token::Equals => LabelOp::Equals,
            Token::DoubleEquals => LabelOp::DoubleEquals,
            Token::GreaterThan => LabelOp::GreaterThan,
            Token::LessThan => LabelOp::LessThan,
            Token::NotIn => LabelOp::NotIn,
            Token::NotEquals => LabelOp::NotEquals,
            _ => return Err(format!("found '{lit}', expected: {BINARY_OPERATORS}")),
        })
    }

    fn parse_values(&mut self) -> Result<BTreeSet<String>, String> {
        let (tok, lit) = self.consume(Ctx::Values);
        if tok != Token::OpenPar {
            // Sic: the Go message has no comma before "expected".
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (tok, lit) = self.lookahead(Ctx::Values);
        match tok {
            Token::Identifier | Token::Comma => {
                let set = self.parse_identifiers_list()?;
                let (close, _) = self.consume(Ctx::Values);
                if close != Token::ClosedPar {
                    return Err(format!("found '{lit}', expected: ')'"));
                }
                Ok(set)
            }
            Token::ClosedPar => {
                // `()` means the single empty value, as in Go.
                self.consume(Ctx::Values);
                Ok(BTreeSet::from([String::new()]))
            }
            _ => Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
    }

    /// Comma separated, possibly empty identifiers: `(a,,b)` = {a, "", b}.
    fn parse_identifiers_list(&mut self) -> Result<BTreeSet<String>, String> {
        let mut set = BTreeSet::new();
        loop {
            let (tok, lit) = self.consume(Ctx::Values);
            match tok {
                Token::Identifier => {
                    set.insert(lit);
                    let (tok2, lit2) = self.lookahead(Ctx::Values);
                    match tok2 {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(set),
                        _ => return Err(format!("found '{lit2}', expected: ',' or ')'")),
                    }
                }
                Token::Comma => {
                    if set.is_empty() {
                        set.insert(String::new()); // leading "(,"
                    }
                    let (tok2, _) = self.lookahead(Ctx::Values);
                    if tok2 == Token::ClosedPar {
                        set.insert(String::new()); // trailing ",)"
                        return Ok(set);
                    }
                    if tok2 == Token::Comma {
                        self.consume(Ctx::Values);
                        set.insert(String::new()); // ",,"
                    }
                }
                _ => return Err(format!("found '{lit}', expected: ',', or identifier")),
            }
        }
    }

    fn parse_exact_value(&mut self) -> Result<BTreeSet<String>, String> {
        let (tok, _) = self.lookahead(Ctx::Values);
        if matches!(tok, Token::EndOfString | Token::Comma) {
            // `k=` selects the empty value.
            return Ok(BTreeSet::from([String::new()]));
        }
        let (tok, lit) = self.consume(Ctx::Values);
        if tok == Token::Identifier {
            Ok(BTreeSet::from([lit]))
        } else {
            Err(format!("found '{lit}', expected: identifier"))
        }
    }
}

/// Port of `labels.NewRequirement` for the cases the parser can produce.
/// The key was already validated by the parser, and the parser never yields
/// a wrong value count, so only value checks remain. Errors are aggregated
/// and formatted like `field.ErrorList.ToAggregate()`.
fn new_requirement(key: String, op: LabelOp, values: Vec<String>) -> Result<Requirement, String> {
    let mut errs: Vec<String> = Vec::new();
    if matches!(op, LabelOp::GreaterThan | LabelOp::LessThan) {
        for (i, v) in values.iter().enumerate() {
            if v.parse::<i64>().is_err() {
                errs.push(invalid(
                    &format!("values[{i}]"),
                    v,
                    "for 'Gt', 'Lt' operators, the value must be an integer",
                ));
            }
        }
    }
    for (i, v) in values.iter().enumerate() {
        let msgs = is_valid_label_value(v);
        if !msgs.is_empty() {
            errs.push(invalid(&format!("values[{i}][{key}]"), v, &msgs.join("; ")));
        }
    }
    // ToAggregate drops duplicate messages; a lone error is printed bare,
    // several are bracketed and comma separated.
    let mut seen = BTreeSet::new();
    errs.retain(|e| seen.insert(e.clone()));
    match errs.len() {
        0 => Ok(Requirement { key, op, values }),
        1 => Err(errs.concat()),
        _ => Err(format!("[{}]", errs.join(", "))),
    }
}

/// `field.Invalid(path, value, detail).Error()`.
fn invalid(path: &str, value: &str, detail: &str) -> String {
    format!("{path}: Invalid value: {}: {detail}", go_quote(value))
}

/// Approximation of Go's `strconv.Quote` (`%q`): escapes quotes, backslashes
/// and non-printable characters so error text matches the API server's.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            // Go's IsPrint excludes controls and every space except U+0020.
            c if !c.is_control() && (c == ' ' || !c.is_whitespace()) => out.push(c),
            c => {
                let n = u32::from(c);
                // Writing to a String cannot fail.
                let _ = if n < 0x80 {
                    write!(out, "\\x{n:02x}")
                } else if n < 0x1_0000 {
                    write!(out, "\\u{n:04x}")
                } else {
                    write!(out, "\\U{n:08x}")
                };
            }
        }
    }
    out.push('"');
    out
}

// --- validation (k8s.io/apimachinery/pkg/util/validation) -------------------

const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX_LEN: usize = 63;
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_ERR_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MAX_LEN: usize = 63;
const DNS1123_SUBDOMAIN_FMT: &str =
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR_MSG: &str = "a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MAX_LEN: usize = 253;

/// Go's `RegexError`, including its odd double space before "or".
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut out = format!("{msg} (e.g. ");
    for (i, ex) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push('\'');
        out.push_str(ex);
        out.push_str("', ");
    }
    out.push_str("regex used for validation is '");
    out.push_str(fmt);
    out.push_str("')");
    out
}

fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

/// Hand-written equivalent of `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`
/// (avoids a regex dependency). Go's classes are ASCII-only, so any
/// non-ASCII byte fails, exactly as here.
fn is_qualified_name_body(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
fn is_dns1123_subdomain_body(s: &str) -> bool {
    s.split('.').all(|part| {
        let b = part.as_bytes();
        let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        match (b.first(), b.last()) {
            (Some(first), Some(last)) => {
                ok(first) && ok(last) && b.iter().all(|c| ok(c) || *c == b'-')
            }
            _ => false,
        }
    })
}

fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LEN {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LEN));
    }
    if !is_dns1123_subdomain_body(value) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_ERR_MSG,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `validation.IsQualifiedName`: `[dns-subdomain "/"] name`.
fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(
                    is_dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(
                    QUALIFIED_NAME_ERR_MSG,
                    QUALIFIED_NAME_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > QUALIFIED_NAME_MAX_LEN {
        errs.push(format!(
            "name part {}",
            max_len_error(QUALIFIED_NAME_MAX_LEN)
        ));
    }
    if !is_qualified_name_body(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_ERR_MSG,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// `validation.IsValidLabelValue`: empty, or a qualified-name body, ≤ 63.
fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LEN {
        errs.push(max_len_error(LABEL_VALUE_MAX_LEN));
    }
    if !value.is_empty() && !is_qualified_name_body(value) {
        errs.push(regex_error(
            LABEL_VALUE_ERR_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

// ---------------------------------------------------------------------------
// Field selectors
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldTerm {
    field: String,
    /// `true` for `!=`, `false` for `=` / `==` (Go treats those alike).
    negated: bool,
    /// Unescaped value.
    value: String,
}

/// A parsed field selector: the AND of `field=value` / `field!=value` terms.
/// The default value (and the result of parsing `""`) selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector {
    /// In the order Go evaluates them: sorted by the raw term text.
    terms: Vec<FieldTerm>,
}

impl FieldSelector {
    /// Parse like `fields.ParseSelector`, then reject fields the resource
    /// does not support the way the API server's field-label conversion does.
    ///
    /// `allowed` = the field names this resource supports (e.g.
    /// `["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"]`);
    /// an unsupported field yields [`SelectorError::UnsupportedField`] with
    /// message `field label not supported: <f>`. Syntax errors take
    /// precedence over unsupported fields, as on the real server.
    pub fn parse(s: &str, allowed: &[&str]) -> Result<Self, SelectorError> {
        let mut parts = split_terms(s);
        parts.sort();
        let mut terms = Vec::with_capacity(parts.len());
        for part in parts.iter().filter(|p| !p.is_empty()) {
            let Some((field, op, raw)) = split_term(part) else {
                return Err(SelectorError::InvalidFieldSelector(format!(
                    "invalid selector: '{s}'; can't understand '{part}'"
                )));
            };
            let value = unescape_value(raw).map_err(SelectorError::InvalidFieldSelector)?;
            terms.push(FieldTerm {
                field: field.to_string(),
                negated: op == "!=",
                value,
            });
        }
        // The server converts field labels only after the whole selector
        // parsed, stopping at the first unsupported one in sorted order.
        if let Some(bad) = terms.iter().find(|t| !allowed.contains(&t.field.as_str())) {
            return Err(SelectorError::UnsupportedField(bad.field.clone()));
        }
        Ok(Self { terms })
    }

    /// True when every term matches. `value_of` returns a field's value; a
    /// missing field compares as `""` (as Go's `fields.Set.Get` does).
    pub fn matches(&self, value_of: impl Fn(&str) -> Option<String>) -> bool {
        self.terms.iter().all(|t| {
            let have = value_of(&t.field).unwrap_or_default();
            (have == t.value) != t.negated
        })
    }

    /// True when the selector does not restrict anything.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// If the selector pins `field` to one value with `=`/`==` (e.g.
    /// `metadata.name=foo`), return it, so callers can take a fast path
    /// (a direct lookup instead of a scan). Like Go's `RequiresExactMatch`,
    /// the first such term in sorted order wins.
    pub fn exact(&self, field: &str) -> Option<&str> {
        self.terms
            .iter()
            .find(|t| !t.negated && t.field == field)
            .map(|t| t.value.as_str())
    }
}

impl fmt::Display for FieldSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            let op = if t.negated { "!=" } else { "=" };
            write!(f, "{}{op}{}", t.field, escape_value(&t.value))?;
        }
        Ok(())
    }
}

/// Go's `EscapeValue`, so `Display` round-trips through `parse`.
fn escape_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Split on commas that are not backslash-escaped; the escapes stay in the
/// terms (they are removed later by `unescape_value`).
fn split_terms(s: &str) -> Vec<String> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut cur = String::new();
    let mut in_slash = false;
    for c in s.chars() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(std::mem::take(&mut cur));
            continue;
        }
        cur.push(c);
    }
    terms.push(cur);
    terms
}

/// Split at the first operator occurrence. The field name supports no
/// escaping, and at each position `!=` and `==` are tried before `=` so that
/// `a==b` does not leave `=b` as the value.
fn split_term(term: &str) -> Option<(&str, &'static str, &str)> {
    for (i, _) in term.char_indices() {
        let (lhs, rest) = term.split_at_checked(i)?;
        for op in ["!=", "==", "="] {
            if let Some(rhs) = rest.strip_prefix(op) {
                return Some((lhs, op, rhs));
            }
        }
    }
    None
}

/// Go's `UnescapeValue`: `\\`, `\,`, `\=` are the only escapes, and bare
/// `,` / `=` are rejected. The unescaped-rune message prints the code point
/// as a number because Go formats a `rune` with `%v`.
fn unescape_value(s: &str) -> Result<String, String> {
    if !s.contains(['\\', ',', '=']) {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut in_slash = false;
    for c in s.chars() {
        if in_slash {
            if !matches!(c, '\\' | ',' | '=') {
                return Err(format!(
                    "invalid field selector: invalid escape sequence: \\{c}"
                ));
            }
            out.push(c);
            in_slash = false;
            continue;
        }
        match c {
            '\\' => in_slash = true,
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector: unescaped character in value: {}",
                    u32::from(c)
                ));
            }
            _ => out.push(c),
        }
    }
    if in_slash {
        return Err("invalid field selector: invalid escape sequence: \\".to_string());
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sel(s: &str) -> LabelSelector {
        LabelSelector::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    fn label_err(s: &str) -> String {
        match LabelSelector::parse(s) {
            Ok(v) => panic!("{s:?} should fail, parsed as {v:?}"),
            Err(e) => {
                assert!(matches!(e, SelectorError::InvalidLabelSelector(_)));
                e.to_string()
            }
        }
    }

    const POD_FIELDS: &[&str] = &[
        "metadata.name",
        "metadata.namespace",
        "spec.nodeName",
        "status.phase",
    ];

    fn fsel(s: &str) -> FieldSelector {
        FieldSelector::parse(s, POD_FIELDS).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    fn pod(field: &str) -> Option<String> {
        match field {
            "metadata.name" => Some("web-0".into()),
            "metadata.namespace" => Some("prod".into()),
            "spec.nodeName" => Some("node-a".into()),
            _ => None,
        }
    }

    // --- label selector: parsing & matching -------------------------------

    #[test]
    fn empty_selector_matches_everything() {
        for s in ["", "   ", "\t\n"] {
            let s = sel(s);
            assert!(s.is_empty());
            assert!(s.matches(&labels(&[])));
            assert!(s.matches(&labels(&[("a", "b")])));
        }
        assert!(LabelSelector::default().is_empty());
    }

    #[test]
    fn equals_and_double_equals() {
        for s in ["app=web", "app==web", " app = web ", "app\t==\tweb"] {
            let s = sel(s);
            assert!(!s.is_empty());
            assert!(s.matches(&labels(&[("app", "web")])));
            assert!(!s.matches(&labels(&[("app", "db")])));
            assert!(!s.matches(&labels(&[])));
        }
    }

    #[test]
    fn not_equals_matches_missing_key() {
        let s = sel("env!=prod");
        assert!(s.matches(&labels(&[("env", "dev")])));
        assert!(s.matches(&labels(&[])));
        assert!(!s.matches(&labels(&[("env", "prod")])));
    }

    #[test]
    fn in_operator() {
        let s = sel("tier in (frontend, backend)");
        assert!(s.matches(&labels(&[("tier", "frontend")])));
        assert!(s.matches(&labels(&[("tier", "backend")])));
        assert!(!s.matches(&labels(&[("tier", "cache")])));
        assert!(!s.matches(&labels(&[])));
        assert_eq!(s.to_string(), "tier in (backend,frontend)");
    }

    #[test]
    fn notin_operator_matches_missing_key() {
        let s = sel("tier notin (frontend,backend)");
        assert!(!s.matches(&labels(&[("tier", "frontend")])));
        assert!(s.matches(&labels(&[("tier", "cache")])));
        assert!(s.matches(&labels(&[])));
    }

    #[test]
    fn exists_and_does_not_exist() {
        let s = sel("app");
        assert!(s.matches(&labels(&[("app", "")])));
        assert!(!s.matches(&labels(&[])));
        let s = sel("!app");
        assert!(!s.matches(&labels(&[("app", "x")])));
        assert!(s.matches(&labels(&[("other", "x")])));
        let s = sel("  ! app  ");
        assert!(s.matches(&labels(&[])));
        assert_eq!(s.to_string(), "!app");
    }

    #[test]
    fn comma_is_and() {
        let s = sel("app=web, env in (prod,staging),!canary,tier");
        let good = labels(&[("app", "web"), ("env", "prod"), ("tier", "fe")]);
        assert!(s.matches(&good));
        let mut canary = good.clone();
        canary.insert("canary".into(), "true".into());
        assert!(!s.matches(&canary));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "prod")])));
        // Requirements are sorted by key, like Go.
        assert_eq!(s.to_string(), "app=web,!canary,env in (prod,staging),tier");
    }

    #[test]
    fn empty_values() {
        let s = sel("a=");
        assert!(s.matches(&labels(&[("a", "")])));
        assert!(!s.matches(&labels(&[("a", "x")])));
        assert!(!s.matches(&labels(&[])));
        let s = sel("a=,b==");
        assert!(s.matches(&labels(&[("a", ""), ("b", "")])));
        let s = sel("a!=");
        assert!(s.matches(&labels(&[("a", "x")])));
        assert!(!s.matches(&labels(&[("a", "")])));
        let s = sel("a in ()");
        assert!(s.matches(&labels(&[("a", "")])));
        assert!(!s.matches(&labels(&[("a", "x")])));
    }

    #[test]
    fn in_list_with_empty_members() {
        let s = sel("x in (foo,,baz),y,z notin ()");
        assert_eq!(s.to_string(), "x in (,baz,foo),y,z notin ()");
        let s = sel("x in (,)");
        assert!(s.matches(&labels(&[("x", "")])));
        let s = sel("x in (a,)");
        assert!(s.matches(&labels(&[("x", "")])));
        assert!(s.matches(&labels(&[("x", "a")])));
    }

    #[test]
    fn prefixed_keys_and_keyword_values() {
        let s = sel("app.kubernetes.io/name=lakedeck,example.com/tier in (in,notin)");
        assert!(s.matches(&labels(&[
            ("app.kubernetes.io/name", "lakedeck"),
            ("example.com/tier", "notin"),
        ])));
        // `in` is a valid key when used as an identifier.
        assert!(sel("in").matches(&labels(&[("in", "x")])));
        assert!(sel("a=in").matches(&labels(&[("a", "in")])));
    }

    #[test]
    fn greater_and_less_than() {
        let s = sel("replicas>2");
        assert!(s.matches(&labels(&[("replicas", "3")])));
        assert!(!s.matches(&labels(&[("replicas", "2")])));
        assert!(!s.matches(&labels(&[("replicas", "abc")])));
        assert!(!s.matches(&labels(&[])));
        let s = sel("replicas < 10");
        assert!(s.matches(&labels(&[("replicas", "9")])));
        assert!(!s.matches(&labels(&[("replicas", "10")])));
        assert_eq!(
            label_err("a>b"),
            "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer"
        );
    }

    #[test]
    fn max_length_value_and_key() {
        let v63 = "a".repeat(63);
        assert!(sel(&format!("k={v63}")).matches(&labels(&[("k", &v63)])));
        assert!(sel(&format!("{v63}=v")).matches(&labels(&[(&v63, "v")])));
        let v64 = "a".repeat(64);
        assert_eq!(
            label_err(&format!("k={v64}")),
            format!(
                "unable to parse requirement: values[0][k]: Invalid value: \"{v64}\": must be no more than 63 characters"
            )
        );
        let err = label_err(&format!("{v64}=v"));
        assert!(
            err.ends_with("name part must be no more than 63 characters"),
            "{err}"
        );
    }

    // --- label selector: errors --------------------------------------------

    #[test]
    fn label_error_messages_match_api_server() {
        let cases = [
            (
                "=v",
                "found '=', expected: !, identifier, or 'end of string'",
            ),
            ("a=b=c", "found '=', expected: ',' or 'end of string'"),
            (
                "in (",
                "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt",
            ),
            (
                "a b",
                "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
            ),
            (
                "x in (a",
                "unable to parse requirement: found '', expected: ',' or ')'",
            ),
            (
                "x in (",
                "unable to parse requirement: found '', expected: ',', ')' or identifier",
            ),
            (
                "x in (a b)",
                "unable to parse requirement: found 'b', expected: ',' or ')'",
            ),
            (
                "x in a",
                "unable to parse requirement: found 'a' expected: '('",
            ),
            (
                "x in (a,=)",
                "unable to parse requirement: found '=', expected: ',', or identifier",
            ),
            ("a,", "found '', expected: identifier after ','"),
            (
                ",a",
                "found ',', expected: !, identifier, or 'end of string'",
            ),
            ("a,,b", "found ',', expected: identifier after ','"),
            (
                "!",
                "unable to parse requirement: found '', expected: identifier",
            ),
            ("!a=b", "found '=', expected: ',' or 'end of string'"),
            (
                "a=(",
                "unable to parse requirement: found '(', expected: identifier",
            ),
            (
                "a!==b",
                "unable to parse requirement: found '=', expected: identifier",
            ),
            (
                ")",
                "found ')', expected: !, identifier, or 'end of string'",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(label_err(input), want, "input {input:?}");
        }
    }

    #[test]
    fn invalid_label_key_message() {
        assert_eq!(
            label_err("-a=b"),
            "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        );
        let err = label_err("Bad_Prefix/name");
        assert!(err.contains("prefix part a DNS-1123 subdomain must consist of lower case alphanumeric characters"), "{err}");
        let err = label_err("/name");
        assert!(
            err.contains("\"/name\": prefix part must be non-empty"),
            "{err}"
        );
        let err = label_err("a/b/c");
        assert!(err.contains("a qualified name must consist"), "{err}");
        assert!(
            err.ends_with(
                "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ),
            "{err}"
        );
        let err = label_err("a/");
        assert!(
            err.contains("name part must be non-empty; name part must consist"),
            "{err}"
        );
    }

    #[test]
    fn invalid_label_values_are_aggregated() {
        assert_eq!(
            label_err("a=b_"),
            "unable to parse requirement: values[0][a]: Invalid value: \"b_\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        );
        let err = label_err("a in (ok, -x, y-)");
        assert!(
            err.starts_with("unable to parse requirement: [values[0][a]: Invalid value: \"-x\""),
            "{err}"
        );
        assert!(
            err.contains(", values[2][a]: Invalid value: \"y-\""),
            "{err}"
        );
        assert!(err.ends_with("]"), "{err}");
        // Quoting follows Go's %q.
        let err = label_err("a=x\"y");
        assert!(err.contains(r#"Invalid value: "x\"y""#), "{err}");
        let err = label_err("a=é");
        assert!(err.contains("Invalid value: \"é\""), "{err}");
    }

    #[test]
    fn nul_byte_behaves_like_go_eof() {
        // Go's lexer uses 0 as its EOF marker; a NUL right after an operator
        // is swallowed, one at the start of a token ends the input.
        assert_eq!(sel("a=\0b").to_string(), "a=b");
        assert_eq!(sel("a= \0b").to_string(), "a=");
    }

    // --- field selectors ----------------------------------------------------

    #[test]
    fn field_equals_and_not_equals() {
        let s = fsel("metadata.name=web-0");
        assert!(!s.is_empty());
        assert!(s.matches(pod));
        assert_eq!(s.exact("metadata.name"), Some("web-0"));
        assert_eq!(s.exact("spec.nodeName"), None);
        let s = fsel("metadata.name==web-1");
        assert!(!s.matches(pod));
        assert_eq!(s.exact("metadata.name"), Some("web-1"));
        let s = fsel("spec.nodeName!=node-b");
        assert!(s.matches(pod));
        assert_eq!(s.exact("spec.nodeName"), None);
        assert!(!fsel("spec.nodeName!=node-a").matches(pod));
    }

    #[test]
    fn field_missing_value_is_empty_string() {
        // status.phase is unknown to `pod`, so it compares as "".
        assert!(fsel("status.phase=").matches(pod));
        assert!(!fsel("status.phase=Running").matches(pod));
        assert!(fsel("status.phase!=Running").matches(pod));
        // Classic "unscheduled pods" query.
        assert!(!fsel("spec.nodeName=").matches(pod));
    }

    #[test]
    fn field_conjunction_and_empty() {
        let s = fsel("metadata.namespace=prod,metadata.name=web-0,spec.nodeName!=");
        assert!(s.matches(pod));
        assert!(!fsel("metadata.namespace=prod,metadata.name=web-9").matches(pod));
        for e in ["", ",", ",,"] {
            let s = fsel(e);
            assert!(s.is_empty());
            assert!(s.matches(|_| None));
        }
        assert!(FieldSelector::default().is_empty());
    }

    #[test]
    fn field_escaping() {
        let s =
            FieldSelector::parse(r"metadata.name=a\,b\=c\\d,status.phase=x", POD_FIELDS).unwrap();
        assert_eq!(s.exact("metadata.name"), Some(r"a,b=c\d"));
        assert_eq!(s.exact("status.phase"), Some("x"));
        assert_eq!(s.to_string(), r"metadata.name=a\,b\=c\\d,status.phase=x");
        assert_eq!(FieldSelector::parse(&s.to_string(), POD_FIELDS).unwrap(), s);
    }

    #[test]
    fn field_error_messages_match_api_server() {
        let err = |s: &str| FieldSelector::parse(s, POD_FIELDS).unwrap_err().to_string();
        assert_eq!(
            err("metadata.name"),
            "invalid selector: 'metadata.name'; can't understand 'metadata.name'"
        );
        assert_eq!(
            err("metadata.name=a,bogus"),
            "invalid selector: 'metadata.name=a,bogus'; can't understand 'bogus'"
        );
        assert_eq!(
            err("metadata.name=a=b"),
            "invalid field selector: unescaped character in value: 61"
        );
        assert_eq!(
            err(r"metadata.name=a\x"),
            r"invalid field selector: invalid escape sequence: \x"
        );
        assert_eq!(
            err(r"metadata.name=a\"),
            r"invalid field selector: invalid escape sequence: \"
        );
        assert!(matches!(
            FieldSelector::parse("a", POD_FIELDS),
            Err(SelectorError::InvalidFieldSelector(_))
        ));
    }

    #[test]
    fn field_unsupported() {
        let e = FieldSelector::parse("spec.foo=bar", POD_FIELDS).unwrap_err();
        assert_eq!(e, SelectorError::UnsupportedField("spec.foo".into()));
        assert_eq!(e.to_string(), "field label not supported: spec.foo");
        // First unsupported in sorted order wins, as on the server.
        let e = FieldSelector::parse("z.b=1,a.b=1", POD_FIELDS).unwrap_err();
        assert_eq!(e.to_string(), "field label not supported: a.b");
        // No whitespace trimming in field selectors.
        let e = FieldSelector::parse("metadata.name = x", POD_FIELDS).unwrap_err();
        assert_eq!(e.to_string(), "field label not supported: metadata.name ");
        // Empty field name.
        let e = FieldSelector::parse("=x", POD_FIELDS).unwrap_err();
        assert_eq!(e.to_string(), "field label not supported: ");
        // Syntax errors win over unsupported fields.
        let e = FieldSelector::parse("spec.foo=1,x", POD_FIELDS).unwrap_err();
        assert!(matches!(e, SelectorError::InvalidFieldSelector(_)));
    }

    #[test]
    fn field_exact_picks_first_sorted_equality() {
        let s = fsel("metadata.name!=a,metadata.name=b,metadata.name=c");
        assert_eq!(s.exact("metadata.name"), Some("b"));
        assert!(!s.matches(|_| Some("b".into())));
    }

    #[test]
    fn field_double_equals_and_not_equals_split_correctly() {
        let s = fsel("metadata.name==x");
        assert_eq!(s.exact("metadata.name"), Some("x"));
        let s = fsel("metadata.name!=x");
        assert_eq!(s.to_string(), "metadata.name!=x");
        let err = FieldSelector::parse("metadata.name=!=x", POD_FIELDS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid field selector: unescaped character in value: 61"
        );
    }

    // --- robustness -----------------------------------------------------------

    /// Tiny deterministic LCG so the fuzz corpus is reproducible without a
    /// dependency.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    #[test]
    fn garbage_never_panics() {
        let charset: Vec<char> = "a=!,() in notin\\/.-_<>\"é\0\t9Z".chars().collect();
        let mut rng = Lcg(0x5eed);
        let mut label_ok = 0;
        let mut field_ok = 0;
        for _ in 0..2000 {
            let len = (rng.next() % 24) as usize;
            let s: String = (0..len)
                .map(|_| charset[(rng.next() % charset.len() as u64) as usize])
                .collect();
            if let Ok(l) = LabelSelector::parse(&s) {
                label_ok += 1;
                let _ = l.matches(&labels(&[("a", "a"), ("in", "")]));
                // Display output of a parsed selector must itself parse.
                assert!(LabelSelector::parse(&l.to_string()).is_ok(), "{s:?} -> {l}");
            }
            if let Ok(f) = FieldSelector::parse(&s, &["a", "a.b", "in", " a"]) {
                field_ok += 1;
                let _ = f.matches(|_| None);
                let _ = f.exact("a");
            }
        }
        // Make sure the corpus exercised both success and failure paths.
        assert!(label_ok > 0 && label_ok < 2000, "{label_ok}");
        assert!(field_ok > 0 && field_ok < 2000, "{field_ok}");
    }

    #[test]
    fn go_quote_escapes_like_strconv_quote() {
        assert_eq!(go_quote("plain"), "\"plain\"");
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            go_quote("\u{1}\u{7f}\u{85}\u{a0}"),
            r#""\x01\x7f\u0085\u00a0""#
        );
        assert_eq!(go_quote("日本"), "\"日本\"");
    }
}
