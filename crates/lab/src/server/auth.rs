//! Who is calling and what they may do. The lab has three users with bearer tokens:
//! `admin` (everything, like `system:masters`), `viewer` (read-only, like the built-in
//! `view` ClusterRole bound cluster-wide: no secrets, no writes) and `team` (like a
//! RoleBinding of the built-in `edit` ClusterRole in the namespaces `trino` and `kafka`
//! only: nothing cluster-scoped, no cluster-wide lists, no other namespace). Every user
//! may create the self-reviews (`system:basic-user`). Tokens are random per lab run.
//! [`User::may`] is the one decision: requests, SelfSubjectAccessReview and
//! SelfSubjectRulesReview all ask it.

use axum::http::HeaderMap;

use crate::resources::{RESOURCES, Resource};

/// The namespaces the `team` user's RoleBindings cover.
pub const TEAM_NAMESPACES: &[&str] = &["trino", "kafka"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum User {
    Admin,
    Viewer,
    Team,
}

/// A request as RBAC sees it: the verb, the resource (group, plural, subresource) and
/// the namespace (`None` at the cluster scope; for a Namespace object, its own name).
#[derive(Debug, Clone, Copy)]
pub struct Attributes<'a> {
    pub verb: &'a str,
    pub group: &'a str,
    pub resource: &'a str,
    pub subresource: Option<&'a str>,
    pub namespace: Option<&'a str>,
}

impl<'a> Attributes<'a> {
    /// `verb` on a served kind (with `subresource`) in `namespace`.
    pub fn of(
        verb: &'a str,
        res: &'a Resource,
        subresource: Option<&'a str>,
        namespace: Option<&'a str>,
    ) -> Self {
        Attributes {
            verb,
            group: res.group,
            resource: res.plural,
            subresource,
            namespace,
        }
    }
}

impl User {
    pub fn name(self) -> &'static str {
        match self {
            User::Admin => "admin",
            User::Viewer => "viewer",
            User::Team => "team",
        }
    }

    pub fn groups(self) -> &'static [&'static str] {
        match self {
            User::Admin => &["system:masters", "system:authenticated"],
            User::Viewer => &["lakedeck:viewers", "system:authenticated"],
            User::Team => &["lakedeck:team", "system:authenticated"],
        }
    }

    /// The RBAC decision for a request.
    pub fn may(self, a: &Attributes<'_>) -> bool {
        let self_review = matches!(
            (a.group, a.resource),
            (
                "authorization.k8s.io",
                "selfsubjectaccessreviews" | "selfsubjectrulesreviews"
            ) | ("authentication.k8s.io", "selfsubjectreviews")
        );
        let read = matches!(a.verb, "get" | "list" | "watch");
        match self {
            User::Admin => true,
            _ if self_review => a.verb == "create",
            User::Viewer => {
                // The built-in `view` role can read pod logs but not secrets.
                read && a.resource != "secrets"
                    && a.subresource
                        .is_none_or(|s| s == "log" || s == "status" || s == "scale")
            }
            User::Team => {
                let Some(ns) = a.namespace else {
                    // A RoleBinding grants nothing at the cluster scope.
                    return false;
                };
                if !TEAM_NAMESPACES.contains(&ns) {
                    return false;
                }
                // `edit` names namespaced kinds only (and reads the Namespace itself).
                let served = RESOURCES
                    .iter()
                    .find(|r| r.group == a.group && r.plural == a.resource);
                if !served.is_some_and(|r| r.namespaced || r.kind == "Namespace") {
                    return false;
                }
                match (a.group, a.resource, a.subresource) {
                    // `view` (aggregated into `edit`) reads the namespace itself, events
                    // and status; `edit` does not write them.
                    ("", "namespaces" | "events", _) | (_, _, Some("status")) => read,
                    // metrics-server's aggregated-metrics-reader joins `view`.
                    ("metrics.k8s.io", "pods", None) => read,
                    ("metrics.k8s.io", _, _) => false,
                    // Velero's kinds are not aggregated into `edit`.
                    ("velero.io", _, _) => false,
                    _ => true,
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Tokens {
    pub admin: String,
    pub viewer: String,
    pub team: String,
}

impl Tokens {
    pub fn random() -> Self {
        Self {
            admin: random_token(),
            viewer: random_token(),
            team: random_token(),
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
        [
            (&self.admin, User::Admin),
            (&self.viewer, User::Viewer),
            (&self.team, User::Team),
        ]
        .into_iter()
        .find(|(t, _)| eq(token, t))
        .map(|(_, u)| u)
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
    use crate::resources::{get, ids};

    fn may(user: User, verb: &str, res: &Resource, sub: Option<&str>, ns: Option<&str>) -> bool {
        user.may(&Attributes::of(verb, res, sub, ns))
    }

    #[test]
    fn viewer_reads_but_never_writes_or_reads_secrets() {
        let pods = get(ids::pods());
        assert!(may(User::Viewer, "list", pods, None, None));
        assert!(may(User::Viewer, "get", pods, Some("log"), Some("trino")));
        assert!(!may(User::Viewer, "delete", pods, None, Some("trino")));
        let sts = get(ids::statefulsets());
        assert!(!may(
            User::Viewer,
            "patch",
            sts,
            Some("scale"),
            Some("trino")
        ));
        let secrets = crate::resources::RESOURCES
            .iter()
            .find(|r| r.plural == "secrets");
        assert!(secrets.is_some_and(|s| !may(User::Viewer, "get", s, None, Some("trino"))));
        assert!(may(User::Admin, "delete", pods, None, Some("trino")));
    }

    #[test]
    fn team_acts_in_its_namespaces_only_and_never_at_the_cluster_scope() {
        let pods = get(ids::pods());
        let nodes = get(ids::by_name("Node"));
        let namespaces = get(ids::by_name("Namespace"));
        for ns in TEAM_NAMESPACES {
            for verb in ["get", "list", "watch", "create", "patch", "delete"] {
                assert!(
                    may(User::Team, verb, pods, None, Some(ns)),
                    "{verb} pods in {ns}"
                );
            }
            assert!(may(User::Team, "create", pods, Some("eviction"), Some(ns)));
            assert!(may(User::Team, "get", namespaces, None, Some(ns)));
            assert!(!may(User::Team, "delete", namespaces, None, Some(ns)));
        }
        assert!(
            !may(User::Team, "list", pods, None, None),
            "-A is forbidden"
        );
        assert!(!may(User::Team, "list", pods, None, Some("minio")));
        assert!(!may(User::Team, "list", nodes, None, None));
        // kubectl puts the context's namespace on a review of a cluster-scoped kind.
        assert!(!may(User::Team, "list", nodes, None, Some("trino")));
        assert!(!may(User::Team, "list", namespaces, None, None));
        let ssar = Attributes {
            verb: "create",
            group: "authorization.k8s.io",
            resource: "selfsubjectaccessreviews",
            subresource: None,
            namespace: None,
        };
        assert!(User::Team.may(&ssar));
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
