//! Alertmanager silences with Alertmanager's semantics: validation messages, the
//! update-in-place rule (`canUpdate`: same matchers, and for an active silence the same
//! start and an end still in the future; otherwise the old one is expired and a new one
//! created), expiry, states, and which alerts a silence mutes. Also the matcher syntax of
//! `filter[]` parameters. Must not know about HTTP.

use std::collections::BTreeMap;

use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq)]
pub struct Matcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    pub is_equal: bool,
}

impl Matcher {
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let have = labels.get(&self.name).map_or("", String::as_str);
        let hit = if self.is_regex {
            regex::Regex::new(&format!("^(?:{})$", self.value)).is_ok_and(|r| r.is_match(have))
        } else {
            have == self.value
        };
        hit == self.is_equal
    }

    pub fn to_json(&self) -> Value {
        json!({"name": self.name, "value": self.value, "isRegex": self.is_regex, "isEqual": self.is_equal})
    }

    /// Parses `name="value"`, `name=~"re"`, `name!=value`, `name!~"re"` (quotes optional).
    pub fn parse(s: &str) -> Result<Matcher, String> {
        let s = s
            .trim()
            .trim_start_matches('{')
            .trim_end_matches('}')
            .trim();
        let ops = ["=~", "!~", "!=", "="];
        let (pos, op) = ops
            .iter()
            .filter_map(|op| s.find(op).map(|p| (p, *op)))
            .min_by_key(|(p, op)| (*p, usize::MAX - op.len()))
            .ok_or_else(|| format!("bad matcher format: {s}"))?;
        let name = s[..pos].trim();
        let raw = s[pos + op.len()..].trim();
        let value = raw
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(raw)
            .replace("\\\"", "\"");
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("bad matcher format: {s}"));
        }
        let m = Matcher {
            name: name.to_string(),
            value,
            is_regex: op.contains('~'),
            is_equal: !op.starts_with('!'),
        };
        if m.is_regex && regex::Regex::new(&m.value).is_err() {
            return Err(format!("invalid regular expression {:?}", m.value));
        }
        Ok(m)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Silence {
    pub id: String,
    pub matchers: Vec<Matcher>,
    pub starts_at: f64,
    pub ends_at: f64,
    pub updated_at: f64,
    pub created_by: String,
    pub comment: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Pending,
    Active,
    Expired,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Active => "active",
            State::Expired => "expired",
        }
    }
}

impl Silence {
    pub fn state(&self, now: f64) -> State {
        if now < self.starts_at {
            State::Pending
        } else if now >= self.ends_at {
            State::Expired
        } else {
            State::Active
        }
    }

    pub fn mutes(&self, labels: &BTreeMap<String, String>, now: f64) -> bool {
        self.state(now) == State::Active && self.matchers.iter().all(|m| m.matches(labels))
    }
}

/// Why a silence post was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum SetError {
    /// 400 with this message.
    Invalid(String),
    /// 404: the `id` names no silence.
    NotFound(String),
}

#[derive(Debug, Default)]
pub struct Silences {
    pub all: Vec<Silence>,
    rng: Option<fastrand::Rng>,
}

impl Silences {
    fn new_id(&mut self) -> String {
        let rng = self.rng.get_or_insert_with(fastrand::Rng::new);
        let hex = |rng: &mut fastrand::Rng, n: usize| -> String {
            (0..n)
                .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap_or('0'))
                .collect()
        };
        let variant = ['8', '9', 'a', 'b'][rng.usize(0..4)];
        format!(
            "{}-{}-4{}-{variant}{}-{}",
            hex(rng, 8),
            hex(rng, 4),
            hex(rng, 3),
            hex(rng, 3),
            hex(rng, 12)
        )
    }

    pub fn get(&self, id: &str) -> Option<&Silence> {
        self.all.iter().find(|s| s.id == id)
    }

    /// Creates or updates a silence (Alertmanager's `POST /api/v2/silences`); returns its id.
    pub fn set(&mut self, mut s: Silence, id: Option<&str>, now: f64) -> Result<String, SetError> {
        if s.matchers.is_empty() {
            return Err(SetError::Invalid(
                "silence invalid: at least one matcher required".into(),
            ));
        }
        if s.matchers.iter().all(|m| m.matches(&BTreeMap::new())) {
            return Err(SetError::Invalid(
                "silence invalid: at least one matcher must not match the empty string".into(),
            ));
        }
        if s.starts_at >= s.ends_at {
            return Err(SetError::Invalid(
                "Failed to create silence: start time must be before end time".into(),
            ));
        }
        if s.ends_at < now {
            return Err(SetError::Invalid(
                "Failed to create silence: end time can't be in the past".into(),
            ));
        }
        s.updated_at = now;
        if let Some(id) = id.filter(|i| !i.is_empty()) {
            let Some(old) = self.all.iter_mut().find(|x| x.id == id) else {
                return Err(SetError::NotFound(format!("silence {id} not found")));
            };
            if can_update(old, &s, now) {
                s.id = old.id.clone();
                *old = s;
                return Ok(id.to_string());
            }
            if old.state(now) != State::Expired {
                old.ends_at = now;
                old.updated_at = now;
            }
        }
        // A new (or replacing) silence never starts in the past.
        if s.starts_at < now {
            s.starts_at = now;
        }
        s.id = self.new_id();
        let id = s.id.clone();
        self.all.push(s);
        Ok(id)
    }

    /// Expires a silence (`DELETE /api/v2/silence/{id}`).
    pub fn expire(&mut self, id: &str, now: f64) -> Result<(), SetError> {
        let Some(s) = self.all.iter_mut().find(|x| x.id == id) else {
            return Err(SetError::NotFound(format!("silence {id} not found")));
        };
        match s.state(now) {
            State::Expired => Err(SetError::Invalid(format!("silence {id} already expired"))),
            State::Pending => {
                s.starts_at = now;
                s.ends_at = now;
                s.updated_at = now;
                Ok(())
            }
            State::Active => {
                s.ends_at = now;
                s.updated_at = now;
                Ok(())
            }
        }
    }

    /// Ids of the active silences muting `labels`.
    pub fn muting(&self, labels: &BTreeMap<String, String>, now: f64) -> Vec<String> {
        self.all
            .iter()
            .filter(|s| s.mutes(labels, now))
            .map(|s| s.id.clone())
            .collect()
    }
}

/// Alertmanager's `canUpdate` (silence.go).
fn can_update(a: &Silence, b: &Silence, now: f64) -> bool {
    if a.matchers != b.matchers {
        return false;
    }
    match a.state(now) {
        State::Active => b.starts_at == a.starts_at && b.ends_at >= now,
        State::Pending => b.starts_at >= now,
        State::Expired => false,
    }
}

/// Alertmanager's label-set fingerprint (FNV-1a 64 over sorted names and values).
pub fn fingerprint(labels: &BTreeMap<String, String>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut add = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    for (k, v) in labels {
        k.bytes().for_each(&mut add);
        add(0xff);
        v.bytes().for_each(&mut add);
        add(0xff);
    }
    format!("{h:016x}")
}

#[cfg(test)]
#[allow(clippy::expect_used)] // a broken fixture should fail loudly
mod tests {
    use super::*;

    fn sil(m: &str, start: f64, end: f64) -> Silence {
        Silence {
            id: String::new(),
            matchers: vec![Matcher::parse(m).expect("test matcher parses")],
            starts_at: start,
            ends_at: end,
            updated_at: 0.0,
            created_by: "t".into(),
            comment: "c".into(),
        }
    }

    #[test]
    fn update_in_place_only_when_alertmanager_would() {
        let mut s = Silences::default();
        let id = s
            .set(sil("alertname=\"A\"", 100.0, 200.0), None, 100.0)
            .unwrap_or_default();
        // Active, same matchers and start, later end: updated in place.
        let same = s.set(sil("alertname=\"A\"", 100.0, 300.0), Some(&id), 150.0);
        assert_eq!(same.as_deref(), Ok(id.as_str()));
        assert_eq!(s.get(&id).map(|x| x.ends_at), Some(300.0));
        // Different matchers: a new silence, the old one expired.
        let other = s
            .set(sil("alertname=\"B\"", 150.0, 300.0), Some(&id), 160.0)
            .unwrap_or_default();
        assert_ne!(other, id);
        assert_eq!(s.get(&id).map(|x| x.state(160.0)), Some(State::Expired));
        assert!(matches!(
            s.set(sil("a=\"b\"", 1.0, 2.0), Some("nope"), 0.0),
            Err(SetError::NotFound(_))
        ));
        assert_eq!(
            s.set(sil("a=\"b\"", 300.0, 200.0), None, 100.0),
            Err(SetError::Invalid(
                "Failed to create silence: start time must be before end time".into()
            ))
        );
        assert_eq!(
            s.set(sil("a=\"b\"", 10.0, 50.0), None, 100.0),
            Err(SetError::Invalid(
                "Failed to create silence: end time can't be in the past".into()
            ))
        );
        assert!(s.expire(&other, 170.0).is_ok());
        assert!(s.expire(&other, 171.0).is_err());
    }

    #[test]
    fn matchers_mute_alerts() {
        let labels: BTreeMap<String, String> = [
            ("alertname".to_string(), "TrinoQueueHigh".to_string()),
            ("severity".to_string(), "warning".to_string()),
        ]
        .into();
        assert!(Matcher::parse("alertname=~\"Trino.*\"").is_ok_and(|m| m.matches(&labels)));
        assert!(Matcher::parse("severity!=critical").is_ok_and(|m| m.matches(&labels)));
        assert!(Matcher::parse("alertname!~Trino.*").is_ok_and(|m| !m.matches(&labels)));
        assert!(Matcher::parse("{alertname=\"TrinoQueueHigh\"}").is_ok_and(|m| m.matches(&labels)));
        let s = sil("alertname=~\"Trino.*\"", 0.0, 100.0);
        assert!(s.mutes(&labels, 50.0));
        assert!(!s.mutes(&labels, 100.0));
        assert_eq!(fingerprint(&BTreeMap::new()), "cbf29ce484222325");
    }
}
