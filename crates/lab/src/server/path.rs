//! Maps a request path onto what it addresses: discovery documents, a resource
//! collection, one object or its subresource, or the lab's own admin endpoints. Pure: no
//! store, no HTTP types, so every path shape is unit-tested here.

use crate::resources::{self, ResId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Version,
    Health,
    /// `/openapi/v2`: the (schema-less) OpenAPI document kubectl downloads before it
    /// validates a `create -f`/`apply`.
    OpenApiV2,
    /// `/api`: the core group's versions.
    CoreVersions,
    /// `/apis`: the group list.
    Groups,
    /// `/apis/<group>`.
    Group(String),
    /// `/api/v1` or `/apis/<group>/<version>`: the resource list.
    ResourceList {
        group: String,
        version: String,
    },
    Resource(Target),
    /// `/lakedeck/faults[/<action>]`: the fault-injection admin endpoint.
    Faults(Option<String>),
    /// `/api/v1/namespaces/<ns>/services/<[scheme:]name[:port]>/proxy<rest>`.
    ServiceProxy {
        namespace: String,
        service: String,
        rest: String,
    },
    NotFound,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub res: ResId,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
}

pub fn route(path: &str) -> Route {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["version"] => Route::Version,
        ["healthz" | "livez" | "readyz", ..] => Route::Health,
        ["openapi", "v2"] => Route::OpenApiV2,
        ["api"] => Route::CoreVersions,
        ["apis"] => Route::Groups,
        ["lakedeck", "faults"] => Route::Faults(None),
        ["lakedeck", "faults", action] => Route::Faults(Some((*action).to_string())),
        ["api", "v1"] => Route::ResourceList {
            group: String::new(),
            version: "v1".into(),
        },
        ["api", "v1", "namespaces", ns, "services", svc, "proxy", ..] => {
            // Everything after `/proxy`, verbatim (empty means the service's root).
            let marker = format!("/services/{svc}/proxy");
            let rest = path
                .find(&marker)
                .map(|i| &path[i + marker.len()..])
                .unwrap_or("");
            Route::ServiceProxy {
                namespace: (*ns).to_string(),
                service: (*svc).to_string(),
                rest: if rest.is_empty() {
                    "/".to_string()
                } else {
                    rest.to_string()
                },
            }
        }
        ["api", "v1", rest @ ..] => resource_route("", "v1", rest),
        ["apis", group] if resources::groups().iter().any(|(g, _)| g == group) => {
            Route::Group((*group).to_string())
        }
        ["apis", group, version]
            if resources::groups()
                .iter()
                .any(|(g, v)| g == group && v == version) =>
        {
            Route::ResourceList {
                group: (*group).to_string(),
                version: (*version).to_string(),
            }
        }
        ["apis", group, version, rest @ ..] => resource_route(group, version, rest),
        _ => Route::NotFound,
    }
}

fn resource_route(group: &str, version: &str, rest: &[&str]) -> Route {
    let found = |plural: &str| resources::find(group, version, plural);
    let target = |res, namespace: Option<&str>, name: Option<&str>, sub: Option<&str>| {
        Route::Resource(Target {
            res,
            namespace: namespace.map(str::to_string),
            name: name.map(str::to_string),
            sub: sub.map(str::to_string),
        })
    };
    // `namespaces/<ns>/<plural>/…` addresses namespaced kinds; `namespaces[/<name>[/sub]]`
    // addresses Namespace objects themselves.
    if let ["namespaces", ns, plural, tail @ ..] = rest
        && let Some(res) = found(plural)
        && resources::get(res).namespaced
    {
        return match tail {
            [] => target(res, Some(ns), None, None),
            [name] => target(res, Some(ns), Some(name), None),
            [name, sub] if resources::get(res).subresources.contains(sub) => {
                target(res, Some(ns), Some(name), Some(sub))
            }
            _ => Route::NotFound,
        };
    }
    match rest {
        [plural] => found(plural).map_or(Route::NotFound, |res| target(res, None, None, None)),
        [plural, name] => match found(plural) {
            Some(res) if !resources::get(res).namespaced => target(res, None, Some(name), None),
            _ => Route::NotFound,
        },
        [plural, name, sub] => match found(plural) {
            Some(res)
                if !resources::get(res).namespaced
                    && (resources::get(res).subresources.contains(sub) || *sub == "finalize") =>
            {
                target(res, None, Some(name), Some(sub))
            }
            _ => Route::NotFound,
        },
        _ => Route::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::ids;

    fn t(res: ResId, ns: Option<&str>, name: Option<&str>, sub: Option<&str>) -> Route {
        Route::Resource(Target {
            res,
            namespace: ns.map(Into::into),
            name: name.map(Into::into),
            sub: sub.map(Into::into),
        })
    }

    #[test]
    fn core_paths() {
        assert_eq!(route("/api/v1/pods"), t(ids::pods(), None, None, None));
        assert_eq!(
            route("/api/v1/namespaces/trino/pods"),
            t(ids::pods(), Some("trino"), None, None)
        );
        assert_eq!(
            route("/api/v1/namespaces/trino/pods/trino-worker-0/log"),
            t(
                ids::pods(),
                Some("trino"),
                Some("trino-worker-0"),
                Some("log")
            )
        );
        assert_eq!(
            route("/api/v1/namespaces"),
            t(ids::namespaces(), None, None, None)
        );
        assert_eq!(
            route("/api/v1/namespaces/trino"),
            t(ids::namespaces(), None, Some("trino"), None)
        );
        assert_eq!(
            route("/api/v1/nodes/compute-1"),
            t(ids::nodes(), None, Some("compute-1"), None)
        );
        assert_eq!(
            route("/api/v1/namespaces/trino/pods/x/bogus"),
            Route::NotFound
        );
        assert_eq!(route("/api/v1/widgets"), Route::NotFound);
    }

    #[test]
    fn group_paths() {
        assert_eq!(
            route("/apis/apps/v1/namespaces/trino/statefulsets/trino-worker/scale"),
            t(
                ids::statefulsets(),
                Some("trino"),
                Some("trino-worker"),
                Some("scale")
            )
        );
        assert_eq!(route("/apis/apps"), Route::Group("apps".into()));
        assert_eq!(
            route("/apis/velero.io/v1"),
            Route::ResourceList {
                group: "velero.io".into(),
                version: "v1".into()
            }
        );
        assert_eq!(route("/apis/apps/v2"), Route::NotFound);
        assert_eq!(
            route("/apis/velero.io/v1/namespaces/velero/backups"),
            t(ids::backups(), Some("velero"), None, None)
        );
        assert_eq!(route("/openapi/v2"), Route::OpenApiV2);
        assert_eq!(route("/openapi/v3"), Route::NotFound);
        assert_eq!(
            route("/api/v1/namespaces/monitoring/services/prometheus:9090/proxy/api/v1/query"),
            Route::ServiceProxy {
                namespace: "monitoring".into(),
                service: "prometheus:9090".into(),
                rest: "/api/v1/query".into()
            }
        );
        assert_eq!(
            route("/lakedeck/faults/drop-watches"),
            Route::Faults(Some("drop-watches".into()))
        );
    }
}
