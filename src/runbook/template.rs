//! Runbook templating with minijinja: `{{ … }}` strings (step arguments, param
//! defaults, expectations) and bare expressions (`when`, `for_each`). Undefined is
//! strict, so `params.replcas` is an error rather than an empty string. Also the
//! load-time check of a template's syntax and of the names it refers to.
//!
//! Knows nothing of steps or the cluster; the caller builds the context.

use std::collections::BTreeSet;

use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior};

use super::schema::Text;

/// The environment every runbook template is rendered with.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Durations in seconds (`"30m" | seconds` → 1800), for arithmetic in expectations.
    env.add_filter("seconds", |s: String| -> Result<i64, minijinja::Error> {
        parse_duration(&s)
            .map(|d| d.as_secs())
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e))
    });
    env
}

/// Parses `30m`, `1h30m`, `90s`, `2h 5m` into a duration.
pub fn parse_duration(s: &str) -> Result<jiff::SignedDuration, String> {
    let t = s.trim();
    t.parse::<jiff::SignedDuration>()
        .ok()
        .filter(|d| !d.is_negative())
        .ok_or_else(|| format!("{t:?} is not a duration; write e.g. 90s, 30m or 1h30m"))
}

/// The context templates see: `params`, `steps`, `lookups`, `run`, `item`.
pub fn context(json: &serde_json::Value) -> Value {
    Value::from(Serde(json))
}

fn describe(e: &minijinja::Error) -> String {
    let mut text = e
        .detail()
        .map_or_else(|| e.kind().to_string(), str::to_string);
    if e.kind() == minijinja::ErrorKind::UndefinedError && e.detail().is_none() {
        text = "refers to something undefined (a misspelt parameter or step output?)".into();
    }
    text
}

/// Renders a `{{ … }}` template string.
pub fn render(env: &Environment<'static>, text: &Text, ctx: &Value) -> Result<String, String> {
    if !text.src.contains("{{") && !text.src.contains("{%") {
        return Ok(text.src.clone());
    }
    env.render_str(&text.src, ctx)
        .map(|s| s.trim().to_string())
        .map_err(|e| format!("{:?}: {}", text.src, describe(&e)))
}

/// Evaluates a bare expression (`when`, `for_each`) to JSON.
pub fn eval(
    env: &Environment<'static>,
    text: &Text,
    ctx: &Value,
) -> Result<serde_json::Value, String> {
    let expr = env
        .compile_expression(&text.src)
        .map_err(|e| format!("{:?}: {}", text.src, describe(&e)))?;
    let value = expr
        .eval(ctx)
        .map_err(|e| format!("{:?}: {}", text.src, describe(&e)))?;
    if value.is_undefined() {
        return Err(format!("{:?}: is undefined", text.src));
    }
    serde_json::to_value(&value).map_err(|e| format!("{:?}: {e}", text.src))
}

/// Truthiness as Jinja sees it.
pub fn truthy(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        serde_json::Value::String(s) => !s.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
    }
}

/// Load-time check: the syntax, and the dotted names (`params.x`, `steps.y.z`) it uses.
pub fn names_used(
    env: &Environment<'static>,
    text: &Text,
    expression: bool,
) -> Result<BTreeSet<String>, String> {
    let vars = if expression {
        env.compile_expression(&text.src)
            .map_err(|e| describe(&e))?
            .undeclared_variables(true)
    } else {
        env.template_from_str(&text.src)
            .map_err(|e| describe(&e))?
            .undeclared_variables(true)
    };
    Ok(vars.into_iter().collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_params_and_outputs_and_is_strict() {
        let env = environment();
        let ctx = context(&json!({"params": {"replicas": 5}, "steps": {"cur": {"replicas": 3}}}));
        let t = Text::plain("{{ steps.cur.replicas + 2 }}");
        assert_eq!(render(&env, &t, &ctx).unwrap(), "5");
        let bad = Text::plain("{{ params.replcas }}");
        assert!(render(&env, &bad, &ctx).is_err());
        let e = eval(&env, &Text::plain("params.replicas > 4"), &ctx).unwrap();
        assert!(truthy(&e));
    }

    #[test]
    fn reports_names_and_syntax_errors() {
        let env = environment();
        let used = names_used(&env, &Text::plain("{{ params.a }}-{{ steps.b.c }}"), false).unwrap();
        assert!(used.contains("params.a"), "{used:?}");
        assert!(used.iter().any(|n| n.starts_with("steps.b")), "{used:?}");
        assert!(names_used(&env, &Text::plain("{{ params.a "), false).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m").unwrap().as_secs(), 1800);
        assert_eq!(parse_duration("1h30m").unwrap().as_secs(), 5400);
        assert_eq!(parse_duration("2s").unwrap().as_secs(), 2);
        assert!(parse_duration("soon").is_err());
        let env = environment();
        let ctx = context(&json!({"params": {"t": "30m"}}));
        assert_eq!(
            render(&env, &Text::plain("{{ params.t | seconds }}"), &ctx).unwrap(),
            "1800"
        );
    }
}
