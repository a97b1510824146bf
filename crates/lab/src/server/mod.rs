//! The lab's HTTP front: one axum fallback handler that authenticates, applies injected
//! faults, routes the path ([`path`]) and dispatches by method to the handlers for
//! discovery, objects, watches, logs, metrics and reviews. Every failure leaves as a
//! Kubernetes `Status`; nothing a client sends can panic the server.

mod alertmanager_api;
mod auth;
mod crud;
mod discovery;
mod events_api;
mod eviction;
mod exporters;
mod faults;
mod logs_api;
mod metrics;
pub mod patch;
pub mod path;
pub mod platform_front;
mod prometheus_api;
mod protobuf;
mod reviews;
mod service_proxy;
pub mod table;
pub mod tls;
mod trino_api;
mod watch;

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;

pub use auth::{Attributes, TEAM_NAMESPACES, Tokens, User};
pub use faults::Faults;

use super::status::ApiError;
use super::store::Store;
use path::{Route, Target};

/// Request bodies above this are refused (the real API server's limit is 3 MiB for etcd).
const MAX_BODY: usize = 8 * 1024 * 1024;

pub struct Ctx {
    pub store: Arc<Store>,
    pub tokens: Tokens,
    pub faults: Faults,
    pub server_url: String,
    /// The simulated services behind the exporter, Prometheus, Alertmanager and Trino paths.
    pub platform: Arc<crate::platform::Platform>,
}

pub fn router(ctx: Arc<Ctx>) -> Router {
    Router::new().fallback(handle).with_state(ctx)
}

/// The parsed pieces of a request the handlers need.
pub struct Call {
    pub method: Method,
    pub user: User,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Call {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.param(key), Some("1" | "true" | "True"))
    }

    pub fn dry_run(&self) -> Result<bool, ApiError> {
        match self.param("dryRun") {
            None | Some("") => Ok(false),
            Some("All") => Ok(true),
            Some(other) => Err(ApiError::bad_request(format!(
                "Invalid dryRun value: {other:?}; the only supported value is \"All\""
            ))),
        }
    }

    /// The body as JSON, or 400 saying why it is not.
    pub fn json_body(&self) -> Result<Value, ApiError> {
        let content_type = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if content_type.contains("protobuf") {
            return protobuf::decode(&self.body);
        }
        if content_type.contains("cbor") {
            return Err(ApiError::unsupported_media_type(content_type));
        }
        if self.body.is_empty() {
            return Err(ApiError::bad_request(
                "the request body is empty; expected a JSON object",
            ));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| ApiError::bad_request(format!("the request body is not valid JSON: {e}")))
    }

    pub fn accept(&self) -> &str {
        self.headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
    }

    pub fn wants_table(&self) -> bool {
        self.accept().contains("as=Table")
    }

    pub fn wants_metadata(&self) -> bool {
        self.accept().contains("as=PartialObjectMetadata")
    }
}

async fn handle(State(ctx): State<Arc<Ctx>>, req: Request) -> Response {
    if let Some(delay) = ctx.faults.latency() {
        tokio::time::sleep(delay).await;
    }
    let (parts, body) = req.into_parts();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    // Exporters, Prometheus, Alertmanager and Trino take no Kubernetes token.
    if platform_front::route(parts.uri.path()).is_some() {
        let body = match to_bytes(body, MAX_BODY).await {
            Ok(b) => b,
            Err(e) => {
                return platform_front::text(
                    StatusCode::BAD_REQUEST,
                    format!("could not read the request body: {e}"),
                );
            }
        };
        let call = platform_front::PlainCall {
            method: parts.method.clone(),
            query,
            headers: parts.headers.clone(),
            body,
        };
        return platform_front::serve(&ctx.platform, parts.uri.path(), &call);
    }
    let route = path::route(parts.uri.path());
    // Like the real API server, version and health are public.
    match route {
        Route::Version => return json(StatusCode::OK, &discovery::version()),
        Route::Health => return (StatusCode::OK, "ok").into_response(),
        _ => {}
    }
    let Some(user) = ctx.tokens.authenticate(&parts.headers) else {
        return error(&ApiError::unauthorized());
    };
    if let Some(left) = ctx.faults.unavailable()
        && !matches!(route, Route::Faults(_))
    {
        return error(&ApiError::unavailable(format!(
            "the lab is simulating an outage for {} more second(s)",
            left.as_secs() + 1
        )));
    }
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            return error(&ApiError::bad_request(format!(
                "could not read the request body: {e}"
            )));
        }
    };
    let call = Call {
        method: parts.method,
        user,
        query,
        headers: parts.headers,
        body,
    };
    match dispatch(&ctx, route, &call).await {
        Ok(resp) => resp,
        Err(e) => error(&e),
    }
}

async fn dispatch(ctx: &Arc<Ctx>, route: Route, call: &Call) -> Result<Response, ApiError> {
    let get_only = |v: Option<Value>| -> Result<Response, ApiError> {
        if call.method != Method::GET {
            return Err(ApiError::method_not_allowed(call.method.as_str()));
        }
        v.map(|v| json(StatusCode::OK, &v))
            .ok_or_else(|| ApiError::path_not_found("unknown group"))
    };
    match route {
        Route::Version | Route::Health => Err(ApiError::internal("handled before dispatch")),
        Route::OpenApiV2 => Ok(openapi_v2()),
        Route::CoreVersions => get_only(Some(discovery::core_versions(&ctx.server_url))),
        Route::Groups => get_only(Some(discovery::groups())),
        Route::Group(g) => get_only(discovery::group(&g)),
        Route::ResourceList { group, version } => {
            get_only(Some(discovery::resource_list(&group, &version)))
        }
        Route::Faults(action) => {
            if call.user != User::Admin {
                return Err(ApiError::forbidden_plain(format!(
                    "User \"{}\" cannot use the lab's fault endpoint; it needs the admin token",
                    call.user.name()
                )));
            }
            let state = ctx.faults.handle(
                &ctx.store,
                call.method.as_str(),
                action.as_deref(),
                &call.query,
            )?;
            Ok(json(StatusCode::OK, &state))
        }
        Route::NotFound => Err(ApiError::path_not_found(call.method.as_str())),
        Route::ServiceProxy {
            namespace,
            service,
            rest,
        } => {
            // The viewer may read through the proxy; only Prometheus (whose API is
            // read-only, queries may be POSTed) also takes its other methods. Others
            // need `services/proxy` in the service's namespace.
            let reading = matches!(call.method, Method::GET | Method::HEAD);
            let verb = if reading { "get" } else { "create" };
            let services = crate::resources::get(crate::resources::ids::by_name("Service"));
            let allowed = match call.user {
                User::Viewer => {
                    reading || (namespace == "monitoring" && service.contains("prometheus"))
                }
                user => user.may(&Attributes::of(
                    verb,
                    services,
                    Some("proxy"),
                    Some(&namespace),
                )),
            };
            if !allowed {
                return Err(ApiError::forbidden(
                    call.user.name(),
                    verb,
                    services,
                    Some("proxy"),
                    Some(&namespace),
                    &service,
                ));
            }
            let plain = platform_front::PlainCall {
                method: call.method.clone(),
                query: call.query.clone(),
                headers: call.headers.clone(),
                body: call.body.clone(),
            };
            service_proxy::serve(ctx, &namespace, &service, &rest, &call.method, plain)
        }
        Route::Resource(target) => resource(ctx, &target, call).await,
    }
}

async fn resource(ctx: &Arc<Ctx>, t: &Target, call: &Call) -> Result<Response, ApiError> {
    let res = crate::resources::get(t.res);
    let verb = match (&call.method, &t.name) {
        (&Method::GET, None) if call.flag("watch") => "watch",
        (&Method::GET, None) => "list",
        (&Method::GET, Some(_)) => "get",
        (&Method::POST, None) => "create",
        (&Method::POST, Some(_)) if t.sub.as_deref() == Some("eviction") => "create",
        (&Method::PUT, Some(_)) => "update",
        (&Method::PATCH, Some(_)) => "patch",
        (&Method::DELETE, Some(_)) => "delete",
        (&Method::DELETE, None) => "deletecollection",
        (m, _) => return Err(ApiError::method_not_allowed(m.as_str())),
    };
    if !res.verbs.contains(&verb) && t.sub.is_none() {
        return Err(ApiError::method_not_allowed(call.method.as_str()));
    }
    // Like the API server's RequestInfo: a Namespace object is addressed in its own
    // namespace (`GET /api/v1/namespaces/trino` is namespace "trino").
    let namespace = if res.kind == "Namespace" {
        t.name.as_deref()
    } else {
        t.namespace.as_deref()
    };
    if !call
        .user
        .may(&Attributes::of(verb, res, t.sub.as_deref(), namespace))
    {
        return Err(ApiError::forbidden(
            call.user.name(),
            verb,
            res,
            t.sub.as_deref(),
            namespace,
            t.name.as_deref().unwrap_or(""),
        ));
    }
    if events_api::is_view(res) {
        return events_api::serve(ctx, t, call, verb).await;
    }
    if res.virtual_kind {
        return match res.kind {
            "NodeMetrics" | "PodMetrics" => metrics::serve(&ctx.store, t, call),
            _ => reviews::serve(t, call),
        };
    }
    match (verb, t.sub.as_deref()) {
        ("watch", _) => Ok(watch::serve(ctx, t, call)),
        ("list", _) => crud::list(&ctx.store, t, call),
        ("get", Some("log")) => logs_api::serve(&ctx.store, t, call),
        ("get", Some("scale")) | ("update", Some("scale")) | ("patch", Some("scale")) => {
            crud::scale(&ctx.store, t, call)
        }
        ("get", _) => crud::get(&ctx.store, t, call),
        ("create", Some("eviction")) => eviction::serve(&ctx.store, t, call),
        ("create", _) => crud::create(&ctx.store, t, call),
        ("update", _) => crud::replace(&ctx.store, t, call),
        ("patch", _) => crud::patch(&ctx.store, t, call),
        ("delete", _) => crud::delete(&ctx.store, t, call),
        ("deletecollection", _) => crud::delete_collection(&ctx.store, t, call),
        _ => Err(ApiError::method_not_allowed(call.method.as_str())),
    }
}

/// An OpenAPI v2 document with no definitions, in the protobuf form client-go asks for.
/// kubectl's client-side validation skips kinds the document does not describe, so
/// `kubectl create -f` works with its default `--validate`; the server still validates
/// every object it stores.
fn openapi_v2() -> Response {
    // gnostic openapi_v2.Document: swagger = 1, info = 2 { title = 1, version = 2 }.
    let field = |n: u8, body: &[u8]| -> Vec<u8> {
        let mut out = vec![(n << 3) | 2, body.len() as u8];
        out.extend_from_slice(body);
        out
    };
    let info = [field(1, b"Kubernetes (lakedeck lab)"), field(2, b"v1.33.0")].concat();
    let doc = [field(1, b"2.0"), field(2, &info)].concat();
    let mut resp = Response::new(Body::from(doc));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/com.github.proto-openapi.spec.v2.v1.0+protobuf"),
    );
    resp
}

pub fn json(code: StatusCode, value: &Value) -> Response {
    json_bytes(
        code,
        Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
    )
}

pub fn json_bytes(code: StatusCode, body: Bytes) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = code;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

pub fn error(e: &ApiError) -> Response {
    json(
        StatusCode::from_u16(e.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &e.to_json(),
    )
}
