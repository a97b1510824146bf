//! YAML deserialisation errors (serde-saphyr) in words for the people who write our data
//! files (config, runbooks, lab scenarios): the type jargon ("invalid u32", "expected
//! sequence start") replaced by what to write, the key path named, the offending text
//! quoted. Pure text work: no file access.

use serde_saphyr::MessageFormatter;

/// A serde-saphyr error as `(line, column, message)`: the parser's wording with
/// the type jargon ("invalid u64", "expected sequence start") replaced by what to write,
/// prefixed with the dotted key path so the reader knows which setting is meant.
pub fn explain(text: &str, err: &serde_saphyr::Error) -> (u64, u64, String) {
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
    (line, column, message)
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_key_in_a_list_item_is_not_the_child_of_the_item_s_first_key() {
        let text = "name: x\nnodes:\n  - prefix: a\n    count: lots\n    role: x\n";
        assert_eq!(key_path(text, 4), ["nodes[0]", "count"]);
        assert_eq!(key_path(text, 3), ["nodes[0]", "prefix"]);
        let nested = "workloads:\n- kind: D\n  containers:\n    - name: c\n      memory: 12XB\n";
        assert_eq!(
            key_path(nested, 5),
            ["workloads[0]", "containers[0]", "memory"]
        );
        assert_eq!(key_path(nested, 3), ["workloads[0]", "containers"]);
    }
}
