//! Kubernetes `Status` errors: the one error type every lab request path returns, and its
//! JSON form (`{"kind":"Status","status":"Failure","reason":…,"code":…}`), so clients such
//! as kubectl and kube-rs see exactly the reasons and codes a real API server sends.

use serde_json::{Value, json};

use super::resources::Resource;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason} ({code}): {message}")]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    /// Boxed: errors travel through every `Result` in the server and should stay small.
    pub details: Option<Box<Details>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    pub name: String,
    pub group: String,
    pub kind: String,
    pub causes: Vec<(String, String, String)>,
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    fn with_details(mut self, res: &Resource, name: &str) -> Self {
        self.details = Some(Box::new(Details {
            name: name.to_string(),
            group: res.group.to_string(),
            kind: res.plural.to_string(),
            causes: Vec::new(),
        }));
        self
    }

    pub fn not_found(res: &Resource, name: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("{} \"{}\" not found", res.qualified_plural(), name),
        )
        .with_details(res, name)
    }

    pub fn namespace_not_found(ns: &str) -> Self {
        Self {
            details: Some(Box::new(Details {
                name: ns.to_string(),
                group: String::new(),
                kind: "namespaces".into(),
                causes: Vec::new(),
            })),
            ..Self::new(404, "NotFound", format!("namespaces \"{ns}\" not found"))
        }
    }

    pub fn path_not_found(path: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("the server could not find the requested resource ({path})"),
        )
    }

    pub fn already_exists(res: &Resource, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{}\" already exists", res.qualified_plural(), name),
        )
        .with_details(res, name)
    }

    pub fn conflict(res: &Resource, name: &str, why: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{}\": {}",
                res.qualified_plural(),
                name,
                why
            ),
        )
        .with_details(res, name)
    }

    /// 422 with field causes, as the API server's validation reports them.
    pub fn invalid(res: &Resource, name: &str, causes: Vec<(String, String)>) -> Self {
        let summary: Vec<String> = causes.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        let mut err = Self::new(
            422,
            "Invalid",
            format!(
                "{} \"{}\" is invalid: {}",
                res.kind,
                name,
                summary.join(", ")
            ),
        )
        .with_details(res, name);
        if let Some(d) = err.details.as_mut() {
            d.kind = res.kind.to_string();
            d.causes = causes
                .into_iter()
                .map(|(f, m)| ("FieldValueInvalid".to_string(), m, f))
                .collect();
        }
        err
    }

    /// 422 for a well-formed request the server cannot carry out (e.g. a failing JSON patch).
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(422, "Invalid", message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// RBAC's message; `resource` is the plural, with `/subresource` when there is one.
    pub fn forbidden(
        user: &str,
        verb: &str,
        res: &Resource,
        sub: Option<&str>,
        ns: Option<&str>,
        name: &str,
    ) -> Self {
        let scope = match ns {
            Some(ns) => format!("in the namespace \"{ns}\""),
            None => "at the cluster scope".to_string(),
        };
        let group = if res.group.is_empty() {
            "\"\"".to_string()
        } else {
            format!("\"{}\"", res.group)
        };
        let subject = if name.is_empty() {
            format!("{} is forbidden", res.qualified_plural())
        } else {
            format!("{} \"{}\" is forbidden", res.qualified_plural(), name)
        };
        Self::new(
            403,
            "Forbidden",
            format!(
                "{subject}: User \"{user}\" cannot {verb} resource \"{}{}\" in API group {group} {scope}",
                res.plural,
                sub.map(|s| format!("/{s}")).unwrap_or_default()
            ),
        )
        .with_details(res, name)
    }

    pub fn forbidden_plain(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
        )
    }

    pub fn expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    pub fn unsupported_media_type(ct: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got {ct:?})"
            ),
        )
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(503, "ServiceUnavailable", message)
    }

    /// 429 TooManyRequests with causes `(reason, message)` and no object details, as
    /// the eviction subresource answers when a PodDisruptionBudget forbids it.
    pub fn too_many_requests(message: impl Into<String>, causes: Vec<(String, String)>) -> Self {
        Self {
            details: Some(Box::new(Details {
                name: String::new(),
                group: String::new(),
                kind: String::new(),
                causes: causes
                    .into_iter()
                    .map(|(reason, message)| (reason, message, String::new()))
                    .collect(),
            })),
            ..Self::new(429, "TooManyRequests", message)
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    pub fn to_json(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            // Empty fields are left out, as the API server's `omitempty` tags do.
            let mut details = json!({});
            for (key, value) in [("name", &d.name), ("group", &d.group), ("kind", &d.kind)] {
                if !value.is_empty() {
                    details[key] = json!(value);
                }
            }
            if !d.causes.is_empty() {
                details["causes"] = d
                    .causes
                    .iter()
                    .map(|(reason, message, field)| {
                        let mut cause = json!({"reason": reason, "message": message});
                        if !field.is_empty() {
                            cause["field"] = json!(field);
                        }
                        cause
                    })
                    .collect();
            }
            status["details"] = details;
        }
        status
    }
}

/// The `Status` a successful delete of a non-pod object returns.
pub fn success(res: &Resource, name: &str, uid: &str) -> Value {
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": name, "group": res.group, "kind": res.plural, "uid": uid},
    })
}
