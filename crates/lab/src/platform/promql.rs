//! The small part of PromQL the lab's Prometheus evaluates: selectors with matchers,
//! `rate`/`delta`/`predict_linear`/`max_over_time` over a range, aggregations with `by`,
//! and comparisons with a number — computed exactly as Prometheus does from samples on
//! the 15 s scrape grid (extrapolated rate, Kahan-summed least squares). Which queries
//! are *allowed* is the catalog's business (`catalog`); this module only parses and
//! evaluates. Errors read like Prometheus's parse errors.

use std::collections::BTreeMap;

use super::series::Sample;

pub const GRID: f64 = 15.0;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    Selector {
        name: String,
        matchers: Vec<(String, String, String)>,
    },
    Range {
        func: String,
        name: String,
        matchers: Vec<(String, String, String)>,
        range: f64,
        arg: Option<f64>,
    },
    Aggregate {
        op: String,
        by: Vec<String>,
        inner: Box<Expr>,
    },
    Compare {
        inner: Box<Expr>,
        op: String,
        value: f64,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Dur(f64),
    Str(String),
    Sym(&'static str),
}

fn tokenize(q: &str) -> Result<Vec<(usize, Tok)>, String> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let s: String = chars[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_' || **c == ':')
                .collect();
            i += s.len();
            out.push((pos, Tok::Ident(s)));
            continue;
        }
        if c.is_ascii_digit() || c == '.' {
            let s: String = chars[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '.' || **c == '+' || **c == '-')
                .collect();
            // Stop a number at an operator sign that is not an exponent's.
            let mut len = 0;
            let bytes: Vec<char> = s.chars().collect();
            while len < bytes.len() {
                let ch = bytes[len];
                if (ch == '+' || ch == '-') && !(len > 0 && matches!(bytes[len - 1], 'e' | 'E')) {
                    break;
                }
                len += 1;
            }
            let s: String = bytes[..len].iter().collect();
            i += len;
            if let Some(d) = parse_duration(&s) {
                out.push((pos, Tok::Dur(d)));
            } else if let Ok(n) = s.parse::<f64>() {
                out.push((pos, Tok::Num(n)));
            } else {
                return Err(format!(
                    "1:{pos}: parse error: bad number or duration syntax: \"{s}\""
                ));
            }
            continue;
        }
        if c == '"' || c == '\'' {
            let mut s = String::new();
            let mut j = i + 1;
            let mut closed = false;
            while j < chars.len() {
                if chars[j] == '\\' && j + 1 < chars.len() {
                    s.push(chars[j + 1]);
                    j += 2;
                    continue;
                }
                if chars[j] == c {
                    closed = true;
                    break;
                }
                s.push(chars[j]);
                j += 1;
            }
            if !closed {
                return Err(format!(
                    "1:{pos}: parse error: unterminated quoted string {c}"
                ));
            }
            i = j + 1;
            out.push((pos, Tok::Str(s)));
            continue;
        }
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let sym = ["==", "!=", "<=", ">=", "=~", "!~"]
            .into_iter()
            .find(|s| *s == two)
            .or_else(|| {
                ["(", ")", "{", "}", "[", "]", ",", "<", ">", "="]
                    .into_iter()
                    .find(|s| s.starts_with(c))
            });
        match sym {
            Some(s) => {
                i += s.len();
                out.push((pos, Tok::Sym(s)));
            }
            None => return Err(format!("1:{pos}: parse error: unexpected character: '{c}'")),
        }
    }
    Ok(out)
}

/// Prometheus durations: `5m`, `1h30m`, `6h`, `7d`, `1w`, `500ms`.
pub fn parse_duration(s: &str) -> Option<f64> {
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut total = 0.0;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match (c, chars.peek()) {
            ('m', Some('s')) => {
                chars.next();
                0.001
            }
            ('s', _) => 1.0,
            ('m', _) => 60.0,
            ('h', _) => 3600.0,
            ('d', _) => 86_400.0,
            ('w', _) => 604_800.0,
            ('y', _) => 31_536_000.0,
            _ => return None,
        };
        let n: f64 = num.parse().ok()?;
        num.clear();
        total += n * unit;
        any = true;
    }
    (any && num.is_empty()).then_some(total)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    i: usize,
    len: usize,
}

const AGGS: &[&str] = &["sum", "max", "min", "count", "avg"];
const RANGE_FUNCS: &[&str] = &["rate", "delta", "deriv", "predict_linear", "max_over_time"];

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(_, t)| t)
    }
    fn pos(&self) -> usize {
        self.toks.get(self.i).map_or(self.len + 1, |(p, _)| *p)
    }
    fn err(&self, what: &str) -> String {
        match self.peek() {
            None => format!(
                "1:{}: parse error: unexpected end of input{what}",
                self.pos()
            ),
            Some(t) => format!(
                "1:{}: parse error: unexpected {}{what}",
                self.pos(),
                describe(t)
            ),
        }
    }
    fn sym(&mut self, s: &str) -> Result<(), String> {
        if self.peek() == Some(&Tok::Sym(leak(s))) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(&format!(", expected \"{s}\"")))
        }
    }
    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }
    fn ident(&mut self) -> Result<String, String> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.i += 1;
                Ok(s)
            }
            _ => Err(self.err(", expected identifier")),
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let inner = self.unary()?;
        if let Some(Tok::Sym(op)) = self.peek().cloned()
            && ["<", ">", "==", "!=", "<=", ">="].contains(&op)
        {
            self.i += 1;
            let value = match self.peek() {
                Some(Tok::Num(n)) => *n,
                _ => return Err(self.err(" in comparison; the lab compares with a number only")),
            };
            self.i += 1;
            return Ok(Expr::Compare {
                inner: Box::new(inner),
                op: op.to_string(),
                value,
            });
        }
        Ok(inner)
    }

    fn by_clause(&mut self) -> Result<Vec<String>, String> {
        self.sym("(")?;
        let mut labels = Vec::new();
        while !self.is_sym(")") {
            labels.push(self.ident()?);
            if self.is_sym(",") {
                self.i += 1;
            }
        }
        self.sym(")")?;
        Ok(labels)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if let Some(Tok::Num(n)) = self.peek() {
            let n = *n;
            self.i += 1;
            return Ok(Expr::Number(n));
        }
        let name = self.ident()?;
        if AGGS.contains(&name.as_str()) {
            let mut by = Vec::new();
            if matches!(self.peek(), Some(Tok::Ident(s)) if s == "by") {
                self.i += 1;
                by = self.by_clause()?;
            }
            self.sym("(")?;
            let inner = self.expr()?;
            self.sym(")")?;
            if by.is_empty() && matches!(self.peek(), Some(Tok::Ident(s)) if s == "by") {
                self.i += 1;
                by = self.by_clause()?;
            }
            return Ok(Expr::Aggregate {
                op: name,
                by,
                inner: Box::new(inner),
            });
        }
        if RANGE_FUNCS.contains(&name.as_str()) {
            self.sym("(")?;
            let metric = self.ident()?;
            let matchers = self.matchers()?;
            self.sym("[")?;
            let range = match self.peek() {
                Some(Tok::Dur(d)) if *d > 0.0 => *d,
                _ => return Err(self.err(", expected a duration like 5m")),
            };
            self.i += 1;
            self.sym("]")?;
            let arg = if name == "predict_linear" {
                self.sym(",")?;
                match self.peek() {
                    Some(Tok::Num(n)) => {
                        let n = *n;
                        self.i += 1;
                        Some(n)
                    }
                    _ => return Err(self.err(", expected a number")),
                }
            } else {
                None
            };
            self.sym(")")?;
            return Ok(Expr::Range {
                func: name,
                name: metric,
                matchers,
                range,
                arg,
            });
        }
        if self.is_sym("(") {
            return Err(format!(
                "1:1: parse error: unknown function with name \"{name}\""
            ));
        }
        let matchers = self.matchers()?;
        Ok(Expr::Selector { name, matchers })
    }

    fn matchers(&mut self) -> Result<Vec<(String, String, String)>, String> {
        let mut out = Vec::new();
        if !self.is_sym("{") {
            return Ok(out);
        }
        self.i += 1;
        while !self.is_sym("}") {
            let label = self.ident()?;
            let op = match self.peek() {
                Some(Tok::Sym(s)) if ["=", "!=", "=~", "!~"].contains(s) => s.to_string(),
                _ => {
                    return Err(self.err(
                        " in label matching, expected one of \"=\", \"!=\", \"=~\" or \"!~\"",
                    ));
                }
            };
            self.i += 1;
            let value = match self.peek() {
                Some(Tok::Str(s)) => s.clone(),
                _ => return Err(self.err(" in label matching, expected string")),
            };
            self.i += 1;
            out.push((label, op, value));
            if self.is_sym(",") {
                self.i += 1;
            }
        }
        self.sym("}")?;
        Ok(out)
    }
}

fn leak(s: &str) -> &'static str {
    [
        "(", ")", "{", "}", "[", "]", ",", "<", ">", "=", "==", "!=", "<=", ">=", "=~", "!~",
    ]
    .into_iter()
    .find(|x| *x == s)
    .unwrap_or("")
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("identifier \"{s}\""),
        Tok::Num(n) => format!("number \"{n}\""),
        Tok::Dur(_) => "duration".into(),
        Tok::Str(s) => format!("string \"{s}\""),
        Tok::Sym(s) => match *s {
            "(" => "left parenthesis \"(\"".into(),
            ")" => "right parenthesis \")\"".into(),
            "{" => "left brace \"{\"".into(),
            "}" => "right brace \"}\"".into(),
            "[" => "left bracket \"[\"".into(),
            "]" => "right bracket \"]\"".into(),
            "," => "\",\"".into(),
            s => format!("<op:{s}>"),
        },
    }
}

pub fn parse(q: &str) -> Result<Expr, String> {
    let toks = tokenize(q)?;
    if toks.is_empty() {
        return Err("1:1: parse error: no expression found in input".into());
    }
    let mut p = Parser {
        toks,
        i: 0,
        len: q.chars().count(),
    };
    let e = p.expr()?;
    if p.i < p.toks.len() {
        return Err(p.err(""));
    }
    Ok(e)
}

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub labels: Labels,
    pub value: f64,
}

/// Where the evaluator gets samples: every series of `name` as scraped at grid time `t`.
pub trait Source {
    fn samples(&self, name: &str, t: f64) -> Vec<Sample>;
}

fn matches(s: &Sample, matchers: &[(String, String, String)]) -> bool {
    matchers.iter().all(|(k, op, v)| {
        let have = if k == "__name__" {
            s.name
        } else {
            s.label(k).unwrap_or("")
        };
        match op.as_str() {
            "=" => have == v,
            "!=" => have != v,
            "=~" => regex::Regex::new(&format!("^(?:{v})$")).is_ok_and(|r| r.is_match(have)),
            "!~" => regex::Regex::new(&format!("^(?:{v})$")).is_ok_and(|r| !r.is_match(have)),
            _ => false,
        }
    })
}

fn labels_of(s: &Sample, with_name: bool) -> Labels {
    let mut l: Labels = s
        .labels
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect();
    if with_name {
        l.insert("__name__".into(), s.name.to_string());
    }
    l
}

pub fn grid(t: f64) -> f64 {
    (t / GRID).floor() * GRID
}

/// Evaluates `e` at time `t`.
pub fn eval(e: &Expr, t: f64, src: &dyn Source) -> Result<Vec<Point>, String> {
    Ok(match e {
        Expr::Number(n) => vec![Point {
            labels: Labels::new(),
            value: *n,
        }],
        Expr::Selector { name, matchers } => src
            .samples(name, grid(t))
            .iter()
            .filter(|s| matches(s, matchers))
            .map(|s| Point {
                labels: labels_of(s, true),
                value: s.value,
            })
            .collect(),
        Expr::Range {
            func,
            name,
            matchers,
            range,
            arg,
        } => {
            let mut series: BTreeMap<Labels, Vec<(f64, f64)>> = BTreeMap::new();
            // Grid points in the left-open range (t − range, t].
            let mut at = grid(t);
            let mut points = Vec::new();
            while at > t - range {
                points.push(at);
                at -= GRID;
            }
            for at in points.into_iter().rev() {
                for s in src
                    .samples(name, at)
                    .iter()
                    .filter(|s| matches(s, matchers))
                {
                    series
                        .entry(labels_of(s, false))
                        .or_default()
                        .push((at, s.value));
                }
            }
            series
                .into_iter()
                .filter_map(|(labels, samples)| {
                    let value = match func.as_str() {
                        "rate" => extrapolated(&samples, t - range, t, true, true)?,
                        "delta" => extrapolated(&samples, t - range, t, false, false)?,
                        "deriv" => linear_regression(&samples, samples.first()?.0)?.0,
                        "predict_linear" => {
                            let (slope, intercept) = linear_regression(&samples, t)?;
                            slope * arg.unwrap_or(0.0) + intercept
                        }
                        "max_over_time" => samples.iter().map(|s| s.1).fold(f64::NAN, f64::max),
                        _ => return None,
                    };
                    Some(Point { labels, value })
                })
                .collect()
        }
        Expr::Aggregate { op, by, inner } => {
            let input = eval(inner, t, src)?;
            let mut groups: BTreeMap<Labels, Vec<f64>> = BTreeMap::new();
            for p in input {
                let key: Labels = p
                    .labels
                    .iter()
                    .filter(|(k, _)| by.contains(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                groups.entry(key).or_default().push(p.value);
            }
            groups
                .into_iter()
                .map(|(labels, vs)| {
                    let value = match op.as_str() {
                        "sum" => kahan(vs.iter().copied()),
                        "max" => vs
                            .iter()
                            .copied()
                            .fold(f64::NAN, |a, b| if a.is_nan() || b > a { b } else { a }),
                        "min" => vs
                            .iter()
                            .copied()
                            .fold(f64::NAN, |a, b| if a.is_nan() || b < a { b } else { a }),
                        "count" => vs.len() as f64,
                        _ => kahan(vs.iter().copied()) / vs.len() as f64,
                    };
                    Point { labels, value }
                })
                .collect()
        }
        Expr::Compare { inner, op, value } => eval(inner, t, src)?
            .into_iter()
            .filter(|p| match op.as_str() {
                "<" => p.value < *value,
                ">" => p.value > *value,
                "<=" => p.value <= *value,
                ">=" => p.value >= *value,
                "==" => p.value == *value,
                _ => p.value != *value,
            })
            .collect(),
    })
}

fn kahan(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut c) = (0.0, 0.0);
    for v in values {
        (sum, c) = kahan_inc(v, sum, c);
    }
    sum + c
}

/// Prometheus's `kahanSumInc` (Neumaier's variant).
fn kahan_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// Prometheus's `extrapolatedRate` for `rate` (counter) and `delta` (gauge).
pub fn extrapolated(
    samples: &[(f64, f64)],
    range_start: f64,
    range_end: f64,
    is_counter: bool,
    is_rate: bool,
) -> Option<f64> {
    if samples.len() < 2 {
        return None;
    }
    let (first_t, first_v) = samples[0];
    let (last_t, last_v) = samples[samples.len() - 1];
    let mut result = last_v - first_v;
    if is_counter {
        let mut prev = first_v;
        for &(_, v) in &samples[1..] {
            if v < prev {
                result += prev;
            }
            prev = v;
        }
    }
    let mut to_start = first_t - range_start;
    let mut to_end = range_end - last_t;
    let sampled = last_t - first_t;
    let avg = sampled / (samples.len() - 1) as f64;
    if is_counter && result > 0.0 && first_v >= 0.0 {
        let to_zero = sampled * (first_v / result);
        if to_zero < to_start {
            to_start = to_zero;
        }
    }
    let threshold = avg * 1.1;
    let mut interval = sampled;
    if to_start >= threshold {
        to_start = avg / 2.0;
    }
    interval += to_start;
    if to_end >= threshold {
        to_end = avg / 2.0;
    }
    interval += to_end;
    let mut factor = interval / sampled;
    if is_rate {
        factor /= range_end - range_start;
    }
    Some(result * factor)
}

/// Prometheus's `linearRegression`: (slope per second, intercept at `intercept_time`).
pub fn linear_regression(samples: &[(f64, f64)], intercept_time: f64) -> Option<(f64, f64)> {
    if samples.len() < 2 {
        return None;
    }
    let init_y = samples[0].1;
    let const_y = samples.iter().all(|s| s.1 == init_y);
    if const_y {
        return Some(if init_y.is_infinite() {
            (f64::NAN, f64::NAN)
        } else {
            (0.0, init_y)
        });
    }
    let (mut sx, mut cx, mut sy, mut cy, mut sxy, mut cxy, mut sx2, mut cx2) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut n = 0.0;
    for &(t, y) in samples {
        n += 1.0;
        // Prometheus works in milliseconds: x = (t_ms − intercept_ms) / 1e3.
        let x = ((t * 1000.0).round() - (intercept_time * 1000.0).round()) / 1e3;
        (sx, cx) = kahan_inc(x, sx, cx);
        (sy, cy) = kahan_inc(y, sy, cy);
        (sxy, cxy) = kahan_inc(x * y, sxy, cxy);
        (sx2, cx2) = kahan_inc(x * x, sx2, cx2);
    }
    let (sx, sy, sxy, sx2) = (sx + cx, sy + cy, sxy + cxy, sx2 + cx2);
    let cov = sxy - sx * sy / n;
    let var = sx2 - sx * sx / n;
    let slope = cov / var;
    let intercept = sy / n - slope * sx / n;
    Some((slope, intercept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_catalog_shapes() {
        for q in [
            "max(minio_cluster_capacity_usable_total_bytes)",
            "max by (bucket) (minio_bucket_usage_total_bytes)",
            "sum(rate(minio_s3_requests_5xx_errors_total[5m]))",
            "predict_linear(minio_cluster_capacity_usable_free_bytes[6h], 86400)",
            "count by (consumergroup, topic) (kafka_consumergroup_lag < 0)",
            "kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\"}",
        ] {
            assert!(parse(q).is_ok(), "{q}: {:?}", parse(q));
        }
        let e = parse("max(foo").err().unwrap_or_default();
        assert!(
            e.starts_with("1:8: parse error: unexpected end of input"),
            "{e}"
        );
        assert!(parse("rate(x[5q])").is_err());
        assert!(parse("").is_err());
        assert!(parse("sum(").is_err());
    }

    #[test]
    fn rate_of_a_linear_counter_is_its_slope() {
        // 2/s, scraped every 15 s, window 5m ending on a grid point.
        let samples: Vec<(f64, f64)> = (1..=20)
            .map(|i| (f64::from(i) * 15.0, 100.0 + 30.0 * f64::from(i)))
            .collect();
        let r = extrapolated(&samples, 0.0, 300.0, true, true).unwrap_or(0.0);
        assert!((r - 2.0).abs() < 1e-9, "{r}");
        // A counter reset adds the value before the reset (65), and the start is
        // extrapolated only down to where the counter would have been zero (+10).
        let reset = [(15.0, 10.0), (30.0, 40.0), (45.0, 5.0), (60.0, 35.0)];
        let r = extrapolated(&reset, 0.0, 60.0, true, false).unwrap_or(0.0);
        assert!((r - 75.0).abs() < 1e-9, "{r}");
    }

    #[test]
    fn predict_linear_extends_the_fitted_line() {
        let samples: Vec<(f64, f64)> = (0..=24)
            .map(|i| {
                (
                    1000.0 + f64::from(i) * 15.0,
                    5000.0 - 2.0 * f64::from(i) * 15.0,
                )
            })
            .collect();
        let t = 1000.0 + 24.0 * 15.0;
        let (slope, intercept) = linear_regression(&samples, t).unwrap_or((0.0, 0.0));
        assert!((slope + 2.0).abs() < 1e-9);
        assert!((intercept - (5000.0 - 720.0)).abs() < 1e-6);
        let flat = [(0.0, 7.0), (15.0, 7.0)];
        assert_eq!(linear_regression(&flat, 15.0), Some((0.0, 7.0)));
    }
}
