//! Just enough Kubernetes protobuf to read the request bodies kubectl's typed clients
//! send that way (`Content-Type: application/vnd.kubernetes.protobuf`):
//! SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview (`auth can-i
//! --list`), SelfSubjectReview (`auth whoami`),
//! DeleteOptions, and the objects `kubectl create namespace|configmap|secret` build.
//! Each is turned into the JSON the rest of the server handles; responses stay JSON,
//! which those clients also accept. Other protobuf bodies get 415 naming the way out.
//! Field numbers are those of k8s.io/api's generated.proto files.

use serde_json::{Map, Value, json};

use crate::status::ApiError;

const MAGIC: &[u8] = b"k8s\0";

enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

/// Splits one message into (field number, value) pairs; `None` if malformed.
fn fields(mut buf: &[u8]) -> Option<Vec<(u64, Field<'_>)>> {
    fn varint(buf: &mut &[u8]) -> Option<u64> {
        let mut out = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = buf.split_first()?;
            *buf = rest;
            out |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(out);
            }
        }
        None
    }
    let mut out = Vec::new();
    while !buf.is_empty() {
        let key = varint(&mut buf)?;
        let field = match key & 7 {
            0 => Field::Varint(varint(&mut buf)?),
            2 => {
                let len = usize::try_from(varint(&mut buf)?).ok()?;
                if len > buf.len() {
                    return None;
                }
                let (data, rest) = buf.split_at(len);
                buf = rest;
                Field::Bytes(data)
            }
            1 => {
                buf = buf.get(8..)?;
                continue;
            }
            5 => {
                buf = buf.get(4..)?;
                continue;
            }
            _ => return None,
        };
        out.push((key >> 3, field));
    }
    Some(out)
}

fn text(f: &Field<'_>) -> String {
    match f {
        Field::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Field::Varint(_) => String::new(),
    }
}

/// A message's string fields by number, as a JSON object with the given names.
fn strings(buf: &[u8], names: &[(u64, &str)]) -> Option<Value> {
    let mut obj = Map::new();
    for (n, f) in fields(buf)? {
        if let Some((_, name)) = names.iter().find(|(k, _)| *k == n) {
            obj.insert((*name).to_string(), json!(text(&f)));
        }
    }
    Some(Value::Object(obj))
}

/// A `map<string, string>` (or bytes, base64-encoded when `bytes`) field, repeated
/// entries of {key = 1, value = 2}.
fn map_field(fs: &[(u64, Field<'_>)], n: u64, bytes: bool) -> Option<Value> {
    use base64::Engine;
    let mut out = Map::new();
    for (k, f) in fs {
        let Field::Bytes(entry) = f else { continue };
        if *k != n {
            continue;
        }
        let kv = fields(entry)?;
        let key = kv
            .iter()
            .find(|(i, _)| *i == 1)
            .map(|(_, f)| text(f))
            .unwrap_or_default();
        let value = match kv.iter().find(|(i, _)| *i == 2).map(|(_, f)| f) {
            Some(Field::Bytes(b)) if bytes => base64::engine::general_purpose::STANDARD.encode(b),
            Some(f) => text(f),
            None => String::new(),
        };
        out.insert(key, json!(value));
    }
    Some(Value::Object(out))
}

fn repeated_strings(fs: &[(u64, Field<'_>)], n: u64) -> Vec<String> {
    fs.iter()
        .filter(|(k, _)| *k == n)
        .map(|(_, f)| text(f))
        .collect()
}

/// ObjectMeta as a client sends it for a create: name, generateName, namespace, labels,
/// annotations, finalizers.
fn object_meta(buf: &[u8]) -> Option<Value> {
    let fs = fields(buf)?;
    let mut meta = strings(buf, &[(1, "name"), (2, "generateName"), (3, "namespace")])?;
    for (n, key) in [(11, "labels"), (12, "annotations")] {
        let m = map_field(&fs, n, false)?;
        if m.as_object().is_some_and(|o| !o.is_empty()) {
            meta[key] = m;
        }
    }
    let finalizers = repeated_strings(&fs, 14);
    if !finalizers.is_empty() {
        meta["finalizers"] = json!(finalizers);
    }
    if let Some(o) = meta.as_object_mut() {
        o.retain(|_, v| v.as_str() != Some(""));
    }
    Some(meta)
}

fn sub<'a>(fs: &'a [(u64, Field<'a>)], n: u64) -> Option<&'a [u8]> {
    fs.iter().find_map(|(k, f)| match f {
        Field::Bytes(b) if *k == n => Some(*b),
        _ => None,
    })
}

/// Decodes a protobuf request body into JSON, or explains why it cannot.
pub fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let malformed = || ApiError::bad_request("the protobuf request body is malformed");
    let envelope = body.strip_prefix(MAGIC).ok_or_else(malformed)?;
    let unknown = fields(envelope).ok_or_else(malformed)?;
    let type_meta = strings(
        sub(&unknown, 1).unwrap_or_default(),
        &[(1, "apiVersion"), (2, "kind")],
    )
    .ok_or_else(malformed)?;
    let raw = sub(&unknown, 2).unwrap_or_default();
    let kind = type_meta["kind"].as_str().unwrap_or_default().to_string();
    let api_version = type_meta["apiVersion"].clone();
    let msg = fields(raw).ok_or_else(malformed)?;
    match kind.as_str() {
        "SelfSubjectAccessReview" => {
            let spec = fields(sub(&msg, 2).unwrap_or_default()).ok_or_else(malformed)?;
            let mut spec_json = json!({});
            if let Some(ra) = sub(&spec, 1) {
                spec_json["resourceAttributes"] = strings(
                    ra,
                    &[
                        (1, "namespace"),
                        (2, "verb"),
                        (3, "group"),
                        (4, "version"),
                        (5, "resource"),
                        (6, "subresource"),
                        (7, "name"),
                    ],
                )
                .ok_or_else(malformed)?;
            }
            if let Some(nra) = sub(&spec, 2) {
                spec_json["nonResourceAttributes"] =
                    strings(nra, &[(1, "path"), (2, "verb")]).ok_or_else(malformed)?;
            }
            Ok(json!({"apiVersion": api_version, "kind": kind, "metadata": {}, "spec": spec_json}))
        }
        "SelfSubjectReview" => Ok(json!({"apiVersion": api_version, "kind": kind, "metadata": {}})),
        "SelfSubjectRulesReview" => {
            // spec = 2 { namespace = 1 } (`kubectl auth can-i --list`).
            let spec = strings(sub(&msg, 2).unwrap_or_default(), &[(1, "namespace")])
                .ok_or_else(malformed)?;
            Ok(json!({"apiVersion": api_version, "kind": kind, "metadata": {}, "spec": spec}))
        }
        "Namespace" | "ConfigMap" | "Secret" => {
            let mut obj = json!({"apiVersion": api_version, "kind": kind});
            obj["metadata"] =
                object_meta(sub(&msg, 1).unwrap_or_default()).ok_or_else(malformed)?;
            match kind.as_str() {
                "Namespace" => {
                    let spec = fields(sub(&msg, 2).unwrap_or_default()).ok_or_else(malformed)?;
                    let finalizers = repeated_strings(&spec, 1);
                    if !finalizers.is_empty() {
                        obj["spec"] = json!({"finalizers": finalizers});
                    }
                }
                "ConfigMap" => {
                    obj["data"] = map_field(&msg, 2, false).ok_or_else(malformed)?;
                    let binary = map_field(&msg, 3, true).ok_or_else(malformed)?;
                    if binary.as_object().is_some_and(|b| !b.is_empty()) {
                        obj["binaryData"] = binary;
                    }
                }
                _ => {
                    // Secret: data = 2 (bytes), type = 3, stringData = 4.
                    obj["data"] = map_field(&msg, 2, true).ok_or_else(malformed)?;
                    if let Some(t) = msg.iter().find(|(k, _)| *k == 3).map(|(_, f)| text(f)) {
                        obj["type"] = json!(t);
                    }
                }
            }
            Ok(obj)
        }
        "DeleteOptions" => {
            let mut out = json!({"apiVersion": api_version, "kind": kind});
            for (n, f) in &msg {
                match (n, f) {
                    (1, Field::Varint(v)) => out["gracePeriodSeconds"] = json!(*v as i64),
                    (2, Field::Bytes(b)) => {
                        out["preconditions"] = strings(b, &[(1, "uid"), (2, "resourceVersion")])
                            .ok_or_else(malformed)?
                    }
                    (3, Field::Varint(v)) => out["orphanDependents"] = json!(*v != 0),
                    (4, f) => out["propagationPolicy"] = json!(text(f)),
                    (5, f) => {
                        if !out["dryRun"].is_array() {
                            out["dryRun"] = json!([]);
                        }
                        if let Some(a) = out["dryRun"].as_array_mut() {
                            a.push(json!(text(f)));
                        }
                    }
                    _ => {}
                }
            }
            Ok(out)
        }
        other => Err(ApiError::unsupported_media_type(&format!(
            "application/vnd.kubernetes.protobuf for {other}: the lab reads protobuf only for access and rules reviews, delete options, namespaces, configmaps and secrets; send JSON instead (e.g. kubectl create -f FILE --validate=false)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_kubectl_auth_can_i_body() -> Result<(), ApiError> {
        // Captured from `kubectl auth can-i delete pods -n trino -v=9`.
        let hex = "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123d0a100a0012001a0022002a00320038004200121f0a1d0a057472696e6f120664656c6574651a0022002a04706f647332003a001a08080012001a0020001a002200";
        let clean: String = hex.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        let bytes: Vec<u8> = (0..clean.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&clean[i..i + 2], 16).ok())
            .collect();
        let v = decode(&bytes)?;
        assert_eq!(v["kind"], "SelfSubjectAccessReview");
        assert_eq!(v["spec"]["resourceAttributes"]["verb"], "delete");
        assert_eq!(v["spec"]["resourceAttributes"]["resource"], "pods");
        assert_eq!(v["spec"]["resourceAttributes"]["namespace"], "trino");
        Ok(())
    }

    /// Encodes a length-delimited field.
    fn ld(n: u64, body: &[u8]) -> Vec<u8> {
        let mut out = vec![((n << 3) | 2) as u8, body.len() as u8];
        out.extend_from_slice(body);
        out
    }

    fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
        let type_meta = [ld(1, api_version.as_bytes()), ld(2, kind.as_bytes())].concat();
        [b"k8s\0".to_vec(), ld(1, &type_meta), ld(2, raw)].concat()
    }

    #[test]
    fn decodes_what_kubectl_create_sends() -> Result<(), ApiError> {
        let labels = ld(11, &[ld(1, b"team"), ld(2, b"data")].concat());
        let meta = [ld(1, b"drill-1"), labels].concat();
        let ns = decode(&envelope("v1", "Namespace", &ld(1, &meta)))?;
        assert_eq!(ns["metadata"]["name"], "drill-1");
        assert_eq!(ns["metadata"]["labels"]["team"], "data");

        let meta = [ld(1, b"db"), ld(3, b"trino")].concat();
        let secret = [
            ld(1, &meta),
            ld(2, &[ld(1, b"password"), ld(2, b"s3cr3t")].concat()),
            ld(3, b"Opaque"),
        ]
        .concat();
        let s = decode(&envelope("v1", "Secret", &secret))?;
        assert_eq!(s["metadata"]["namespace"], "trino");
        assert_eq!(s["data"]["password"], "czNjcjN0");
        assert_eq!(s["type"], "Opaque");

        let cm = [
            ld(1, &ld(1, b"cfg")),
            ld(2, &[ld(1, b"a"), ld(2, b"b")].concat()),
        ]
        .concat();
        assert_eq!(decode(&envelope("v1", "ConfigMap", &cm))?["data"]["a"], "b");
        assert_eq!(
            decode(&envelope("apps/v1", "Deployment", &[]))
                .err()
                .map(|e| e.code),
            Some(415)
        );
        Ok(())
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode(b"").is_err());
        assert!(decode(b"k8s\0\xff\xff\xff").is_err());
        assert!(decode(b"k8s\0\x0a\x7f").is_err());
        assert!(decode(b"{\"kind\":1}").is_err());
    }
}
