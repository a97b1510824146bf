//! `SelfSubjectAccessReview` (can I …?), `SelfSubjectRulesReview` (what may I do in this
//! namespace?) and `SelfSubjectReview` (who am I?), answered for the calling user from
//! the same decision that authorises real requests ([`User::may`]), so `kubectl auth
//! can-i [--list]` and the cockpit's RBAC pre-checks agree with what the lab enforces.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::{Attributes, User};
use super::path::Target;
use super::{Call, json};
use crate::resources::{self, ALL_VERBS, RESOURCES};
use crate::status::ApiError;

/// The discovery paths every authenticated user may GET (`system:discovery`,
/// `system:public-info-viewer`).
const DISCOVERY: &[&str] = &[
    "/api",
    "/api/*",
    "/apis",
    "/apis/*",
    "/healthz",
    "/livez",
    "/readyz",
    "/version",
    "/version/",
];

pub fn serve(t: &Target, call: &Call) -> Result<Response, ApiError> {
    let res = resources::get(t.res);
    let mut review = call.json_body()?;
    if !review.is_object() {
        return Err(ApiError::bad_request("the review must be a JSON object"));
    }
    review["apiVersion"] = json!(res.api_version());
    review["kind"] = json!(res.kind);
    match res.kind {
        "SelfSubjectReview" => {
            review["status"] =
                json!({"userInfo": {"username": call.user.name(), "groups": call.user.groups()}});
        }
        "SelfSubjectAccessReview" => review["status"] = access(&review["spec"], call.user)?,
        "SelfSubjectRulesReview" => {
            let namespace = review["spec"]["namespace"].as_str().unwrap_or("");
            if namespace.is_empty() {
                // The real API server's validation message.
                return Err(ApiError::unprocessable(
                    "SelfSubjectRulesReview is invalid: spec.namespace: Required value: namespace is required",
                ));
            }
            review["status"] = rules(call.user, namespace);
        }
        other => return Err(ApiError::method_not_allowed(other)),
    }
    Ok(json(StatusCode::CREATED, &review))
}

/// An access review's `status`: allowed, and RBAC's reason when it is.
fn access(spec: &Value, user: User) -> Result<Value, ApiError> {
    let attrs = &spec["resourceAttributes"];
    let allowed = if attrs.is_object() {
        let text = |key: &str| attrs[key].as_str().filter(|s| !s.is_empty());
        let verb = text("verb").unwrap_or("");
        let group = text("group").unwrap_or("");
        let plural = text("resource").unwrap_or("");
        // "*" asks for everything, which only a wildcard rule grants (admin's).
        if verb == "*" || plural == "*" || group == "*" {
            user == User::Admin
        } else {
            user.may(&Attributes {
                verb,
                group,
                resource: plural,
                subresource: text("subresource"),
                namespace: text("namespace"),
            })
        }
    } else if spec["nonResourceAttributes"].is_object() {
        let non = &spec["nonResourceAttributes"];
        let verb = non["verb"].as_str().unwrap_or("");
        let path = non["path"].as_str().unwrap_or("");
        user == User::Admin || (verb == "get" && discovery_path(path))
    } else {
        return Err(ApiError::unprocessable(
            "SelfSubjectAccessReview is invalid: spec: exactly one of resourceAttributes or nonResourceAttributes must be specified",
        ));
    };
    let namespace = spec["resourceAttributes"]["namespace"]
        .as_str()
        .unwrap_or("");
    // RBAC's reasons name the binding that allowed it; a denial has none.
    let reason = match (allowed, user) {
        (false, _) => String::new(),
        (true, User::Team) if !namespace.is_empty() => format!(
            "RBAC: allowed by RoleBinding \"team-edit/{namespace}\" of ClusterRole \"edit\" to User \"team\""
        ),
        (true, u) => format!("RBAC: allowed for user \"{}\"", u.name()),
    };
    Ok(json!({"allowed": allowed, "reason": reason}))
}

fn discovery_path(path: &str) -> bool {
    DISCOVERY.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => path == *p,
    })
}

/// A rules review's `status`: the rules that apply to `user` in `namespace`, derived
/// from [`User::may`] over every served kind and subresource, so the list is exactly
/// what requests are allowed.
fn rules(user: User, namespace: &str) -> Value {
    if user == User::Admin {
        return json!({
            "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
            "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
            "incomplete": false,
        });
    }
    // (group, verbs) → resources, in first-seen order.
    let mut grouped: Vec<(&str, Vec<&str>, Vec<String>)> = Vec::new();
    for res in RESOURCES {
        let subs = std::iter::once(None).chain(
            res.subresources
                .iter()
                .copied()
                .chain((res.plural == "services").then_some("proxy"))
                .map(Some),
        );
        for sub in subs {
            let verbs: Vec<&str> = ALL_VERBS
                .iter()
                .copied()
                .filter(|verb| user.may(&Attributes::of(verb, res, sub, Some(namespace))))
                .collect();
            if verbs.is_empty() {
                continue;
            }
            let name = match sub {
                Some(s) => format!("{}/{s}", res.plural),
                None => res.plural.to_string(),
            };
            match grouped
                .iter_mut()
                .find(|(g, v, _)| *g == res.group && *v == verbs)
            {
                Some((_, _, names)) => names.push(name),
                None => grouped.push((res.group, verbs, vec![name])),
            }
        }
    }
    let resource_rules: Vec<Value> = grouped
        .into_iter()
        .map(|(group, verbs, names)| {
            json!({"verbs": verbs, "apiGroups": [group], "resources": names})
        })
        .collect();
    json!({
        "resourceRules": resource_rules,
        "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": DISCOVERY}],
        "incomplete": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(rules: &Value, group: &str, resource: &str, verb: &str) -> bool {
        rules["resourceRules"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| {
                let has = |key: &str, v: &str| {
                    r[key].as_array().is_some_and(|a| a.iter().any(|x| x == v))
                };
                has("apiGroups", group) && has("resources", resource) && has("verbs", verb)
            })
    }

    #[test]
    fn the_team_rules_list_what_its_requests_may_do() {
        let trino = rules(User::Team, "trino");
        assert!(allowed(&trino, "", "pods", "list"));
        assert!(allowed(&trino, "", "pods", "delete"));
        assert!(allowed(&trino, "apps", "statefulsets/scale", "patch"));
        assert!(allowed(&trino, "", "services/proxy", "get"));
        assert!(!allowed(&trino, "", "nodes", "list"));
        assert!(!allowed(&trino, "", "pods/status", "patch"));
        let minio = rules(User::Team, "minio");
        assert!(!allowed(&minio, "", "pods", "list"));
        // Only the self-reviews, which every user may create.
        assert!(allowed(
            &minio,
            "authorization.k8s.io",
            "selfsubjectaccessreviews",
            "create"
        ));
    }

    #[test]
    fn access_reviews_judge_the_namespace_asked_about() {
        let ask = |ns: &str| json!({"resourceAttributes": {"verb": "list", "resource": "pods", "namespace": ns}});
        let yes = access(&ask("kafka"), User::Team).unwrap_or_default();
        assert_eq!(yes["allowed"], true);
        assert!(yes["reason"].as_str().unwrap_or("").contains("RoleBinding"));
        let no = access(&ask("minio"), User::Team).unwrap_or_default();
        assert_eq!(no["allowed"], false);
        let cluster = json!({"resourceAttributes": {"verb": "list", "resource": "pods"}});
        assert_eq!(
            access(&cluster, User::Team).unwrap_or_default()["allowed"],
            false
        );
        assert_eq!(
            access(&cluster, User::Viewer).unwrap_or_default()["allowed"],
            true
        );
    }
}
