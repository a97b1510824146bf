//! Object requests: list (with `limit`/`continue` pagination and selectors), get, create,
//! replace, patch, delete, deletecollection and the `scale` subresource, each honouring
//! `dryRun=All` (full validation, the would-be object returned, nothing stored) and
//! `resourceVersion` preconditions. Simulation rules for writes (defaults, graceful pod
//! deletion, namespace termination) live in `lab::semantics`.

use axum::http::StatusCode;
use axum::response::Response;
use bytes::{BufMut, BytesMut};
use serde_json::{Value, json};

use super::{Call, json, json_bytes, patch, table};
use crate::resources::{self, Resource};
use crate::selectors::{FieldSelector, LabelSelector};
use crate::semantics;
use crate::status::ApiError;
use crate::store::{Entry, Store, str_at};

use super::path::Target;

/// Page size when a client asks for no limit: all of it, but built page by page.
const UNLIMITED: usize = usize::MAX;

/// Which objects a list or watch asked for.
pub struct Filter {
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    pub fn from_call(res: &Resource, call: &Call) -> Result<Self, ApiError> {
        let labels = LabelSelector::parse(call.param("labelSelector").unwrap_or(""))
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let mut allowed: Vec<&str> = vec!["metadata.name", "metadata.namespace"];
        allowed.extend(res.field_labels.iter().copied());
        let fields = FieldSelector::parse(call.param("fieldSelector").unwrap_or(""), &allowed)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        Ok(Self { labels, fields })
    }

    pub fn matches(&self, e: &Entry) -> bool {
        (self.labels.is_empty() || self.labels.matches(&e.labels))
            && (self.fields.is_empty() || self.fields.matches(|f| e.field(f)))
    }
}

/// How long a continue token stays valid: etcd compacts history after about five
/// minutes, after which a real API server answers 410.
const CONTINUE_TTL_SECS: u64 = 300;

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A list continuation: the list's version, when it was issued and the last key served.
struct ContinueToken {
    rv: u64,
    issued: u64,
    key: (String, String),
}

impl ContinueToken {
    fn encode(&self) -> String {
        let raw = format!(
            "{}\u{0}{}\u{0}{}\u{0}{}",
            self.rv, self.issued, self.key.0, self.key.1
        );
        raw.bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn decode(token: &str) -> Option<Self> {
        if !token.len().is_multiple_of(2) || !token.is_ascii() {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..token.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok())
            .collect();
        let raw = String::from_utf8(bytes?).ok()?;
        let mut parts = raw.split('\u{0}');
        let rv = parts.next()?.parse().ok()?;
        let issued = parts.next()?.parse().ok()?;
        let ns = parts.next()?.to_string();
        let name = parts.next()?.to_string();
        Some(Self {
            rv,
            issued,
            key: (ns, name),
        })
    }

    fn expired(&self, store: &Store) -> bool {
        self.rv < store.continue_floor()
            || unix_now().saturating_sub(self.issued) > CONTINUE_TTL_SECS
    }
}

pub fn list(store: &Store, t: &Target, call: &Call) -> Result<Response, ApiError> {
    let res = resources::get(t.res);
    let filter = Filter::from_call(res, call)?;
    let limit = match call.param("limit") {
        None | Some("") | Some("0") => UNLIMITED,
        Some(l) => l.parse::<usize>().map_err(|_| {
            ApiError::bad_request(format!("invalid limit {l:?}: must be a positive integer"))
        })?,
    };
    let token = match call.param("continue").filter(|c| !c.is_empty()) {
        None => None,
        Some(raw) => Some(ContinueToken::decode(raw).ok_or_else(|| {
            ApiError::bad_request("continue key is not valid: not produced by this server")
        })?),
    };
    if let Some(tok) = token.as_ref().filter(|t| t.expired(store)) {
        // The snapshot the token refers to is gone: 410 with a fresh token, as the API
        // server does, so a client may choose an inconsistent continuation.
        // The fresh token must itself be usable: etcd never compacts past its current
        // revision, but the lab's expire-history fault sets the floor one above it, so
        // the token refers to the floor when nothing has been written since.
        let fresh = ContinueToken {
            rv: store.resource_version().max(store.continue_floor()),
            issued: unix_now(),
            key: tok.key.clone(),
        };
        let mut status = ApiError::expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.").to_json();
        status["metadata"] = json!({"continue": fresh.encode()});
        return Ok(json(StatusCode::GONE, &status));
    }
    let start_rv = token.as_ref().map(|t| t.rv);
    let issued = token.as_ref().map_or_else(unix_now, |t| t.issued);
    let after = token.map(|t| t.key);
    let page = store.page(t.res, t.namespace.as_deref(), after.as_ref(), limit, |e| {
        filter.matches(e)
    });
    // Later pages keep the token's version; the list never reports a version the store
    // has not reached (a fresh token may refer to the floor above it).
    let token_rv = start_rv.unwrap_or(page.rv);
    let rv = token_rv.min(page.rv);
    let cont = page.next.map(|key| {
        ContinueToken {
            rv: token_rv,
            issued,
            key,
        }
        .encode()
    });
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(c) = &cont {
        meta["continue"] = json!(c);
        meta["remainingItemCount"] = json!(page.remaining);
    }
    if call.wants_table() {
        let now = store.clock.now();
        return Ok(json(
            StatusCode::OK,
            &table::list(res, &page.items, meta, call, now),
        ));
    }
    if call.wants_metadata() {
        let items: Vec<Value> = page
            .items
            .iter()
            .map(|e| metadata_only(&e.value()))
            .collect();
        return Ok(json(
            StatusCode::OK,
            &json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "items": items}),
        ));
    }
    // Assemble the list from the stored bytes: no re-serialisation of items.
    let mut out =
        BytesMut::with_capacity(page.items.iter().map(|e| e.json.len() + 1).sum::<usize>() + 256);
    out.put_slice(
        format!(
            "{{\"kind\":\"{}List\",\"apiVersion\":\"{}\",\"metadata\":{},\"items\":[",
            res.kind,
            res.api_version(),
            meta
        )
        .as_bytes(),
    );
    for (i, e) in page.items.iter().enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        out.put_slice(&e.json);
    }
    out.put_slice(b"]}");
    Ok(json_bytes(StatusCode::OK, out.freeze()))
}

pub fn metadata_only(obj: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]})
}

fn ns_of(t: &Target) -> &str {
    t.namespace.as_deref().unwrap_or("")
}

fn name_of(t: &Target) -> &str {
    t.name.as_deref().unwrap_or("")
}

fn render_one(
    store: &Store,
    res: &Resource,
    obj: &Value,
    call: &Call,
    code: StatusCode,
) -> Response {
    if call.wants_table() {
        return json(
            code,
            &table::one(res, obj, table::include_object(call), store.clock.now()),
        );
    }
    if call.wants_metadata() {
        return json(code, &metadata_only(obj));
    }
    json(code, obj)
}

fn require(store: &Store, t: &Target) -> Result<std::sync::Arc<Entry>, ApiError> {
    let res = resources::get(t.res);
    store
        .get(t.res, ns_of(t), name_of(t))
        .ok_or_else(|| ApiError::not_found(res, name_of(t)))
}

pub fn get(store: &Store, t: &Target, call: &Call) -> Result<Response, ApiError> {
    let entry = require(store, t)?;
    Ok(render_one(
        store,
        resources::get(t.res),
        &entry.value(),
        call,
        StatusCode::OK,
    ))
}

pub fn create(store: &Store, t: &Target, call: &Call) -> Result<Response, ApiError> {
    let res = resources::get(t.res);
    let dry_run = call.dry_run()?;
    let mut obj = call.json_body()?;
    if !obj.is_object() {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    check_kind(res, &obj)?;
    if res.namespaced {
        let ns = ns_of(t);
        match obj["metadata"]["namespace"].as_str() {
            Some(body_ns) if !body_ns.is_empty() && body_ns != ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => obj["metadata"]["namespace"] = json!(ns),
        }
        semantics::check_namespace_open(store, ns)?;
    }
    store.stamp_new(t.res, &mut obj);
    semantics::apply_defaults(store, t.res, &mut obj);
    semantics::validate(t.res, &obj)?;
    let name = str_at(&obj, "/metadata/name");
    if store.get(t.res, ns_of(t), &name).is_some() {
        return Err(ApiError::already_exists(res, &name));
    }
    if dry_run {
        return Ok(render_one(store, res, &obj, call, StatusCode::CREATED));
    }
    let entry = store.insert(t.res, obj)?;
    Ok(render_one(
        store,
        res,
        &entry.value(),
        call,
        StatusCode::CREATED,
    ))
}

fn check_kind(res: &Resource, obj: &Value) -> Result<(), ApiError> {
    match obj["kind"].as_str() {
        Some(kind) if kind != res.kind => Err(ApiError::bad_request(format!(
            "the kind of the provided object ({kind}) does not match the resource ({})",
            res.kind
        ))),
        _ => Ok(()),
    }
}

/// Carries over what a client may not change on update, and rejects changes to identity.
fn keep_immutable(res: &Resource, old: &Value, new: &mut Value) -> Result<(), ApiError> {
    let name = str_at(old, "/metadata/name");
    if new["metadata"]["name"].as_str().is_some_and(|n| n != name) {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({}) does not match the name on the URL ({name})",
            new["metadata"]["name"].as_str().unwrap_or_default()
        )));
    }
    for field in [
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "generation",
    ] {
        match old["metadata"].get(field) {
            Some(v) => new["metadata"][field] = v.clone(),
            None => {
                if let Some(m) = new["metadata"].as_object_mut() {
                    m.remove(field);
                }
            }
        }
    }
    new["apiVersion"] = json!(res.api_version());
    new["kind"] = json!(res.kind);
    // The status subresource is owned by controllers; a spec write does not reset it.
    if let Some(status) = old.get("status") {
        new["status"] = status.clone();
    }
    Ok(())
}

/// Writes `new` over the stored object (or, on dry run, returns what would be written).
fn write(
    store: &Store,
    t: &Target,
    call: &Call,
    expect_rv: Option<String>,
    new: Value,
) -> Result<Response, ApiError> {
    let res = resources::get(t.res);
    let current = require(store, t)?;
    if let Some(expect) = expect_rv.as_deref().filter(|e| !e.is_empty())
        && expect != current.rv.to_string()
    {
        return Err(ApiError::conflict(
            res,
            name_of(t),
            "the object has been modified; please apply your changes to the latest version and try again",
        ));
    }
    let old = current.value();
    let mut new = new;
    if !new.is_object() || !new["metadata"].is_object() && !new["metadata"].is_null() {
        return Err(ApiError::bad_request(
            "the object must be a JSON object with object metadata",
        ));
    }
    let written_status = new.get("status").cloned();
    keep_immutable(res, &old, &mut new)?;
    if t.sub.as_deref() == Some("status") {
        // A status write changes only the status (and a spec write only the rest).
        new = old.clone();
        if let Some(s) = written_status {
            new["status"] = s;
        }
    }
    semantics::on_update(t.res, &old, &mut new);
    semantics::validate(t.res, &new)?;
    if call.dry_run()? {
        new["metadata"]["resourceVersion"] = json!(current.rv.to_string());
        return Ok(render_one(store, res, &new, call, StatusCode::OK));
    }
    let entry = store.update(
        t.res,
        ns_of(t),
        name_of(t),
        Some(&current.rv.to_string()),
        |o| {
            *o = new;
            Ok(())
        },
    )?;
    Ok(render_one(store, res, &entry.value(), call, StatusCode::OK))
}

pub fn replace(store: &Store, t: &Target, call: &Call) -> Result<Response, ApiError> {
    call.dry_run()?;
    let new = call.json_body()?;
    check_kind(resources::get(t.res), &new)?;
    let expect = new["metadata"]["resourceVersion"]
        .as_str()
        .map(str::to_string);
    if expect.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::invalid(
            resources::get(t.res),
            name_of(t),
            vec![(
                "metadata.resourceVersion".into(),
                "Invalid value: 0x0: must be specified for an update".into(),
            )],
        ));
    }
    write(store, t, call, expect, new)
}

pub fn patch(store: &Store, t: &Target, call: &Call) -> Result<Response, ApiError> {
    call.dry_run()?;
    let current = require(store, t)?;
    let content_type = call
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let body = call.json_body()?;
    let patched = patch::apply(content_type, &current.value(), &body)?;
    // A patch may carry a resourceVersion precondition (kubectl patch with one does).
    let expect = patched["metadata"]["resourceVersion"]
        .as_str()
        .map(str::to_string);
    write(store, t, call, expect, patched)
}

pub fn delete(store: &Store, t: &Target, call: &Call) -> Result<Response, ApiError> {
    let res = resources::get(t.res);
    let options = if call.body.is_empty() {
        json!({})
    } else {
        call.json_body()?
    };
    // kubectl sends a delete's dry run in the DeleteOptions body, not the query.
    let dry_run = call.dry_run()?
        || options["dryRun"]
            .as_array()
            .is_some_and(|d| d.iter().any(|v| v == "All"));
    let current = require(store, t)?;
    if let Some(uid) = options["preconditions"]["uid"].as_str()
        && uid != current.uid
    {
        return Err(ApiError::conflict(
            res,
            name_of(t),
            &format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                current.uid
            ),
        ));
    }
    if let Some(rv) = options["preconditions"]["resourceVersion"].as_str()
        && rv != current.rv.to_string()
    {
        return Err(ApiError::conflict(
            res,
            name_of(t),
            "the object has been modified; please apply your changes to the latest version and try again",
        ));
    }
    let grace = options["gracePeriodSeconds"].as_i64().or_else(|| {
        call.param("gracePeriodSeconds")
            .and_then(|g| g.parse().ok())
    });
    let orphan = options["propagationPolicy"].as_str() == Some("Orphan")
        || options["orphanDependents"].as_bool() == Some(true);
    let result = semantics::delete(store, t.res, &current, grace, orphan, dry_run)?;
    Ok(render_one(store, res, &result, call, StatusCode::OK))
}

pub fn delete_collection(store: &Store, t: &Target, call: &Call) -> Result<Response, ApiError> {
    let res = resources::get(t.res);
    let dry_run = call.dry_run()?;
    let filter = Filter::from_call(res, call)?;
    let victims = store.all(t.res, t.namespace.as_deref(), |e| filter.matches(e));
    let mut items = Vec::new();
    for e in victims {
        items.push(semantics::delete(store, t.res, &e, None, false, dry_run)?);
    }
    Ok(json(
        StatusCode::OK,
        &json!({"kind": format!("{}List", res.kind), "apiVersion": res.api_version(), "metadata": {}, "items": items}),
    ))
}

/// `…/scale` as an `autoscaling/v1 Scale` view of a workload's replicas.
pub fn scale(store: &Store, t: &Target, call: &Call) -> Result<Response, ApiError> {
    let res = resources::get(t.res);
    let current = require(store, t)?;
    let obj = current.value();
    let as_scale = |obj: &Value, rv: u64| -> Value {
        let selector = table::selector_string(obj);
        json!({
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": obj["metadata"]["name"], "namespace": obj["metadata"]["namespace"],
                "uid": obj["metadata"]["uid"], "resourceVersion": rv.to_string(),
                "creationTimestamp": obj["metadata"]["creationTimestamp"],
            },
            "spec": {"replicas": obj["spec"]["replicas"].as_i64().unwrap_or(1)},
            "status": {"replicas": obj["status"]["replicas"].as_i64().unwrap_or(0), "selector": selector},
        })
    };
    if call.method == axum::http::Method::GET {
        return Ok(json(StatusCode::OK, &as_scale(&obj, current.rv)));
    }
    let dry_run = call.dry_run()?;
    let body = call.json_body()?;
    let scale_now = as_scale(&obj, current.rv);
    let new_scale = if call.method == axum::http::Method::PUT {
        body
    } else {
        let content_type = call
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        patch::apply(content_type, &scale_now, &body)?
    };
    if let Some(expect) = new_scale["metadata"]["resourceVersion"].as_str()
        && !expect.is_empty()
        && expect != current.rv.to_string()
    {
        return Err(ApiError::conflict(
            res,
            name_of(t),
            "the object has been modified; please apply your changes to the latest version and try again",
        ));
    }
    let replicas = match &new_scale["spec"]["replicas"] {
        Value::Number(n) => n.as_i64().filter(|r| *r >= 0 && *r <= i64::from(i32::MAX)),
        Value::Null => Some(0),
        _ => None,
    }
    .ok_or_else(|| {
        ApiError::invalid(
            res,
            name_of(t),
            vec![(
                "spec.replicas".into(),
                format!(
                    "Invalid value: {}: must be greater than or equal to 0",
                    new_scale["spec"]["replicas"]
                ),
            )],
        )
    })?;
    if dry_run {
        let mut preview = obj.clone();
        preview["spec"]["replicas"] = json!(replicas);
        return Ok(json(StatusCode::OK, &as_scale(&preview, current.rv)));
    }
    let entry = store.update(t.res, ns_of(t), name_of(t), None, |o| {
        if o["spec"]["replicas"] != json!(replicas) {
            o["spec"]["replicas"] = json!(replicas);
            let generation = o["metadata"]["generation"].as_i64().unwrap_or(1);
            o["metadata"]["generation"] = json!(generation + 1);
        }
        Ok(())
    })?;
    Ok(json(StatusCode::OK, &as_scale(&entry.value(), entry.rv)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip_and_reject_garbage() {
        let key = ("trino".to_string(), "trino-worker-0".to_string());
        let token = ContinueToken {
            rv: 42,
            issued: 7,
            key: key.clone(),
        }
        .encode();
        let back = ContinueToken::decode(&token);
        assert_eq!(back.map(|t| (t.rv, t.issued, t.key)), Some((42, 7, key)));
        assert!(ContinueToken::decode("zz").is_none());
        assert!(ContinueToken::decode("abc").is_none());
        assert!(ContinueToken::decode("").is_none());
    }
}
