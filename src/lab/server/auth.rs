//! Who is calling and what they may do. The lab has two users with bearer tokens:
//! `admin` (everything) and `viewer` (read-only, like the built-in `view` ClusterRole:
//! no secrets, no writes). Tokens are random per lab run.

use axum::http::HeaderMap;

use crate::lab::resources::Resource;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum User {
    Admin,
    Viewer,
}

impl User {
    pub fn name(self) -> &'static str {
        match self {
            User::Admin => "admin",
            User::Viewer => "viewer",
        }
    }

    pub fn groups(self) -> &'static [&'static str] {
        match self {
            User::Admin => &["system:masters", "system:authenticated"],
            User::Viewer => &["lakedeck:viewers", "system:authenticated"],
        }
    }

    /// The RBAC decision for `verb` on `resource` (with `subresource`, if any).
    pub fn may(self, verb: &str, res: &Resource, subresource: Option<&str>) -> bool {
        match self {
            User::Admin => true,
            User::Viewer => {
                let read = matches!(verb, "get" | "list" | "watch");
                let self_review = res.group.starts_with("authorization.k8s.io")
                    || res.group.starts_with("authentication.k8s.io");
                if self_review {
                    return verb == "create";
                }
                // The built-in `view` role can read pod logs but not secrets.
                read && res.plural != "secrets"
                    && subresource.is_none_or(|s| s == "log" || s == "status" || s == "scale")
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Tokens {
    pub admin: String,
    pub viewer: String,
}

impl Tokens {
    pub fn random() -> Self {
        Self {
            admin: random_token(),
            viewer: random_token(),
        }
    }

    /// The user a request's `Authorization: Bearer …` header identifies, if any.
    pub fn authenticate(&self, headers: &HeaderMap) -> Option<User> {
        let value = headers
            .get(axum::http::header::AUTHORIZATION)?
            .to_str()
            .ok()?;
        let token = value.strip_prefix("Bearer ")?.trim();
        // Constant-time-ish comparison is not needed for a loopback lab, but it is cheap.
        if eq(token, &self.admin) {
            Some(User::Admin)
        } else if eq(token, &self.viewer) {
            Some(User::Viewer)
        } else {
            None
        }
    }
}

fn eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn random_token() -> String {
    (0..40)
        .map(|_| {
            let n = fastrand::u8(..36);
            if n < 10 {
                (b'0' + n) as char
            } else {
                (b'a' + n - 10) as char
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::resources::{get, ids};

    #[test]
    fn viewer_reads_but_never_writes_or_reads_secrets() {
        let pods = get(ids::pods());
        assert!(User::Viewer.may("list", pods, None));
        assert!(User::Viewer.may("get", pods, Some("log")));
        assert!(!User::Viewer.may("delete", pods, None));
        assert!(!User::Viewer.may("patch", get(ids::statefulsets()), Some("scale")));
        let secrets = crate::lab::resources::RESOURCES
            .iter()
            .find(|r| r.plural == "secrets");
        assert!(secrets.is_some_and(|s| !User::Viewer.may("get", s, None)));
        assert!(User::Admin.may("delete", pods, None));
    }

    #[test]
    fn tokens_identify_users() {
        let t = Tokens::random();
        let mut h = HeaderMap::new();
        assert_eq!(t.authenticate(&h), None);
        h.insert(
            axum::http::header::AUTHORIZATION,
            format!("Bearer {}", t.viewer)
                .parse()
                .unwrap_or_else(|_| axum::http::HeaderValue::from_static("")),
        );
        assert_eq!(t.authenticate(&h), Some(User::Viewer));
    }
}
