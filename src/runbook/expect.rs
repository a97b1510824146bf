//! Expectations of `check` and `wait` steps: `> 10`, `>= 5`, `== Completed`,
//! `!= True`, `exists`, `absent`. Numbers compare numerically, anything else as text.
//!
//! Pure: parsing and comparing only.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    Cmp(CmpOp, String),
    Exists,
    Absent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl CmpOp {
    fn symbol(self) -> &'static str {
        match self {
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Cmp(op, v) => write!(f, "{} {v}", op.symbol()),
            Expect::Exists => f.write_str("exists"),
            Expect::Absent => f.write_str("absent"),
        }
    }
}

pub const HELP: &str =
    "expected `> N`, `>= N`, `< N`, `<= N`, `== VALUE`, `!= VALUE`, `exists` or `absent`";

impl Expect {
    pub fn parse(s: &str) -> Result<Expect, String> {
        let t = s.trim();
        match t {
            "exists" => return Ok(Expect::Exists),
            "absent" => return Ok(Expect::Absent),
            _ => {}
        }
        for (sym, op) in [
            (">=", CmpOp::Ge),
            ("<=", CmpOp::Le),
            ("==", CmpOp::Eq),
            ("!=", CmpOp::Ne),
            (">", CmpOp::Gt),
            ("<", CmpOp::Lt),
        ] {
            if let Some(rest) = t.strip_prefix(sym) {
                let v = rest.trim().trim_matches('"').to_string();
                if v.is_empty() {
                    return Err(format!("{t:?}: no value after {sym}; {HELP}"));
                }
                if !matches!(op, CmpOp::Eq | CmpOp::Ne) && v.parse::<f64>().is_err() {
                    return Err(format!("{t:?}: {sym} needs a number; {HELP}"));
                }
                return Ok(Expect::Cmp(op, v));
            }
        }
        Err(format!("{t:?}: {HELP}"))
    }

    /// Whether `observed` (None = the field or object is missing) meets the expectation.
    pub fn holds(&self, observed: Option<&Value>) -> bool {
        match (self, observed) {
            (Expect::Exists, v) => v.is_some_and(|v| !v.is_null()),
            (Expect::Absent, v) => v.is_none_or(Value::is_null),
            (Expect::Cmp(..), None) => false,
            (Expect::Cmp(op, want), Some(v)) => {
                let text = text_of(v);
                match (text.parse::<f64>(), want.parse::<f64>()) {
                    (Ok(a), Ok(b)) => match op {
                        CmpOp::Gt => a > b,
                        CmpOp::Ge => a >= b,
                        CmpOp::Lt => a < b,
                        CmpOp::Le => a <= b,
                        CmpOp::Eq => a == b,
                        CmpOp::Ne => a != b,
                    },
                    _ => match op {
                        CmpOp::Eq => text == *want,
                        CmpOp::Ne => text != *want,
                        _ => false,
                    },
                }
            }
        }
    }
}

/// A JSON value as the text an operator would read.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "(none)".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compares_numbers_and_text() {
        let gt = Expect::parse("> 10").unwrap();
        assert!(gt.holds(Some(&json!(11))));
        assert!(gt.holds(Some(&json!("11.5"))));
        assert!(!gt.holds(Some(&json!(10))));
        assert!(!gt.holds(None));
        let eq = Expect::parse("== Completed").unwrap();
        assert!(eq.holds(Some(&json!("Completed"))));
        assert!(!eq.holds(Some(&json!("InProgress"))));
        assert!(
            Expect::parse("!= True")
                .unwrap()
                .holds(Some(&json!("False")))
        );
        assert!(Expect::parse("absent").unwrap().holds(None));
        assert!(Expect::parse(">= 5").unwrap().holds(Some(&json!(5))));
    }

    #[test]
    fn rejects_nonsense() {
        assert!(Expect::parse("about 5").is_err());
        assert!(Expect::parse("> many").is_err());
        assert!(Expect::parse(">=").is_err());
    }
}
