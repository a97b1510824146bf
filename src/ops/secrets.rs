//! Secret rotation: keep a labelled copy of a Secret, give every key a new random value
//! (merge patch of `data`), put a kept copy back (rollback) and force an External Secret
//! to re-sync. Finding the consumers to restart is a read, done by the runbook's
//! `find-consumers` query.
//!
//! Secret values exist here only in memory, between reading and writing them: they are
//! never in a preview line, an outcome, an error or a log. Must not rotate what another
//! controller owns (External Secrets, TLS and registry credentials).

use std::collections::BTreeMap;

use base64::Engine;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams,
};
use ring::rand::SecureRandom;
use serde_json::{Value, json};

use super::{FIELD_MANAGER, Op, OpError, Outcome, SECRET_BACKUP_LABEL};

/// Label External Secrets puts on the Secrets it manages.
const ESO_MANAGED: &str = "reconcile.external-secrets.io/managed";
/// Types whose values have a format random strings would break.
const STRUCTURED_TYPES: &[&str] = &[
    "kubernetes.io/tls",
    "kubernetes.io/dockerconfigjson",
    "kubernetes.io/dockercfg",
    "kubernetes.io/service-account-token",
    "kubernetes.io/ssh-auth",
];

fn patch_params(dry_run: bool) -> PatchParams {
    let pp = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..PatchParams::default()
    };
    if dry_run { pp.dry_run() } else { pp }
}

fn post(dry_run: bool) -> PostParams {
    PostParams {
        dry_run,
        field_manager: Some(FIELD_MANAGER.to_string()),
    }
}

fn external_secrets(client: &Client, namespace: &str) -> Api<DynamicObject> {
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("external-secrets.io", "v1", "ExternalSecret"),
        "externalsecrets",
    );
    Api::namespaced_with(client.clone(), namespace, &ar)
}

fn key_list(secret: &Secret) -> Vec<String> {
    secret
        .data
        .as_ref()
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default()
}

/// 24 random bytes from the OS CSPRNG, as 32 URL-safe characters.
fn random_value() -> Result<String, OpError> {
    let mut bytes = [0u8; 24];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| {
            OpError::Api("the system random number generator failed — nothing was changed".into())
        })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Reads the Secret and refuses the ones lakedeck must not rotate.
async fn rotatable(api: &Api<Secret>, what: &str, name: &str) -> Result<Secret, OpError> {
    let secret = api
        .get(name)
        .await
        .map_err(|e| OpError::from_kube(what, &e))?;
    if secret.immutable == Some(true) {
        return Err(OpError::Refused(format!(
            "{what} is immutable: it cannot be changed in place — create a new Secret and point its consumers at it"
        )));
    }
    let kind = secret.type_.as_deref().unwrap_or("Opaque");
    if STRUCTURED_TYPES.contains(&kind) {
        return Err(OpError::Refused(format!(
            "{what} is of type {kind}: its values have a format random values would break — renew it with the tool that issues it"
        )));
    }
    let managed = secret
        .metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.get(ESO_MANAGED).is_some_and(|v| v == "true"));
    if managed {
        return Err(OpError::Refused(format!(
            "{what} is managed by External Secrets: rotate it in the secret store, then force a sync of its ExternalSecret"
        )));
    }
    if key_list(&secret).is_empty() {
        return Err(OpError::Invalid(format!("{what} has no keys to rotate")));
    }
    Ok(secret)
}

fn backup_of(secret: &Secret, name: &str, backup: &str) -> Secret {
    Secret {
        metadata: kube::api::ObjectMeta {
            name: Some(backup.to_string()),
            namespace: secret.metadata.namespace.clone(),
            labels: Some(BTreeMap::from([(
                SECRET_BACKUP_LABEL.to_string(),
                name.to_string(),
            )])),
            ..Default::default()
        },
        type_: secret.type_.clone(),
        data: secret.data.clone(),
        ..Default::default()
    }
}

fn new_values(keys: &[String]) -> Result<Value, OpError> {
    let mut data = serde_json::Map::new();
    for k in keys {
        let encoded = base64::engine::general_purpose::STANDARD.encode(random_value()?);
        data.insert(k.clone(), Value::String(encoded));
    }
    Ok(json!({ "data": data }))
}

async fn force_sync_target(client: &Client, op: &Op) -> Result<(DynamicObject, String), OpError> {
    let Op::ForceSyncExternalSecret { namespace, name } = op else {
        return Err(OpError::Invalid("not a force-sync".into()));
    };
    let what = op.target();
    let es = external_secrets(client, namespace)
        .get(name)
        .await
        .map_err(|e| match e {
            kube::Error::Api(s) if s.code == 404 && s.message.contains("the server could not find the requested resource") => {
                OpError::Unavailable(
                    "the cluster does not serve external-secrets.io/v1 ExternalSecrets (External Secrets Operator ≥ 0.16 not installed) — rotate the Secret itself instead".into(),
                )
            }
            e => OpError::from_kube(&what, &e),
        })?;
    let spec = &es.data["spec"];
    if spec["refreshPolicy"] == "CreatedOnce" {
        return Err(OpError::Refused(format!(
            "{what} has refreshPolicy CreatedOnce: External Secrets never syncs it again — change the policy or recreate it"
        )));
    }
    let interval = spec["refreshInterval"].as_str().unwrap_or("1h");
    if spec["refreshPolicy"].as_str().unwrap_or("Periodic") == "Periodic"
        && matches!(interval, "0" | "0s" | "0m" | "0h" | "0h0m0s")
    {
        return Err(OpError::Refused(format!(
            "{what} has refreshInterval {interval} with the Periodic policy: External Secrets ignores a forced sync once synced — set a refreshInterval or refreshPolicy OnChange"
        )));
    }
    let target = spec["target"]["name"].as_str().unwrap_or(name).to_string();
    Ok((es, target))
}

fn force_sync_patch(stamp: &str) -> Patch<Value> {
    Patch::Merge(json!({"metadata": {"annotations": {"force-sync": stamp}}}))
}

pub async fn preview(client: &Client, op: &Op) -> Result<Vec<String>, OpError> {
    let what = op.target();
    match op {
        Op::RotateSecret { namespace, name } => {
            let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
            let secret = rotatable(&api, &what, name).await?;
            let keys = key_list(&secret);
            let backup = format!("{name}-previous-{}", stamp());
            api.create(&post(true), &backup_of(&secret, name, &backup))
                .await
                .map_err(|e| OpError::from_kube(&format!("secret {namespace}/{backup}"), &e))?;
            api.patch(name, &patch_params(true), &Patch::Merge(new_values(&keys)?))
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            Ok(vec![
                format!("keys {} get new random values (32 characters each)", keys.join(", ")),
                format!("the current values are kept in secret {namespace}/{backup} ({SECRET_BACKUP_LABEL}={name})"),
                "pods read the new values only after a restart (env) or the kubelet's sync (volumes)".into(),
            ])
        }
        Op::RestoreSecret {
            namespace,
            name,
            from,
        } => {
            let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
            let (patch, keys) = restore_patch(&api, namespace, name, from).await?;
            api.patch(name, &patch_params(true), &Patch::Merge(patch))
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            Ok(vec![format!(
                "keys {} get back the values kept in {namespace}/{from}",
                keys.join(", ")
            )])
        }
        Op::ForceSyncExternalSecret { namespace, name } => {
            let (es, target) = force_sync_target(client, op).await?;
            let stamp = unix_stamp();
            external_secrets(client, namespace)
                .patch(name, &patch_params(true), &force_sync_patch(&stamp))
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            let previous = es
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("force-sync").cloned())
                .unwrap_or_else(|| "not set".into());
            Ok(vec![
                format!("annotation force-sync: {previous} → {stamp}"),
                format!(
                    "External Secrets re-reads the secret store and rewrites secret {namespace}/{target} (last sync {})",
                    es.data["status"]["refreshTime"].as_str().unwrap_or("never")
                ),
            ])
        }
        _ => Err(OpError::Invalid(format!(
            "{} is not a secret operation",
            op.name()
        ))),
    }
}

/// The merge patch that puts `from`'s values back, and the key names it touches. Keys
/// the backup does not have are removed (`null`), so the Secret is exactly as it was.
async fn restore_patch(
    api: &Api<Secret>,
    namespace: &str,
    name: &str,
    from: &str,
) -> Result<(Value, Vec<String>), OpError> {
    let backup = api
        .get(from)
        .await
        .map_err(|e| OpError::from_kube(&format!("secret {namespace}/{from}"), &e))?;
    let of = backup
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(SECRET_BACKUP_LABEL).cloned());
    if of.as_deref() != Some(name) {
        return Err(OpError::Refused(format!(
            "secret {namespace}/{from} is not a backup of {name} (it lacks {SECRET_BACKUP_LABEL}={name}) — pick one a rotation of {name} made"
        )));
    }
    let current = api
        .get(name)
        .await
        .map_err(|e| OpError::from_kube(&format!("secret {namespace}/{name}"), &e))?;
    let kept: BTreeMap<String, ByteString> = backup.data.unwrap_or_default();
    let mut data = serde_json::Map::new();
    for k in key_list(&current) {
        if !kept.contains_key(&k) {
            data.insert(k, Value::Null);
        }
    }
    let keys: Vec<String> = kept.keys().cloned().collect();
    for (k, v) in kept {
        data.insert(
            k,
            Value::String(base64::engine::general_purpose::STANDARD.encode(v.0)),
        );
    }
    Ok((json!({ "data": data }), keys))
}

pub async fn execute(client: &Client, op: &Op, _run: Option<&str>) -> Result<Outcome, OpError> {
    let what = op.target();
    let mut out = Outcome::default();
    match op {
        Op::RotateSecret { namespace, name } => {
            let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
            let secret = rotatable(&api, &what, name).await?;
            let keys = key_list(&secret);
            let backup = format!("{name}-previous-{}", stamp());
            api.create(&post(false), &backup_of(&secret, name, &backup))
                .await
                .map_err(|e| OpError::from_kube(&format!("secret {namespace}/{backup}"), &e))?;
            api.patch(
                name,
                &patch_params(false),
                &Patch::Merge(new_values(&keys)?),
            )
            .await
            .map_err(|e| {
                OpError::Api(format!(
                    "{} — the old values are safe in {namespace}/{backup}",
                    OpError::from_kube(&what, &e)
                ))
            })?;
            out.summary = format!(
                "{what}: {} keys rotated; old values kept in {backup}",
                keys.len()
            );
            out.outputs.insert("previous_secret".into(), json!(backup));
            out.outputs.insert("keys".into(), json!(keys));
        }
        Op::RestoreSecret {
            namespace,
            name,
            from,
        } => {
            let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
            let (patch, keys) = restore_patch(&api, namespace, name, from).await?;
            api.patch(name, &patch_params(false), &Patch::Merge(patch))
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            out.summary = format!("{what}: {} keys restored from {from}", keys.len());
            out.outputs.insert("keys".into(), json!(keys));
        }
        Op::ForceSyncExternalSecret { namespace, name } => {
            let (es, target) = force_sync_target(client, op).await?;
            let stamp = unix_stamp();
            external_secrets(client, namespace)
                .patch(name, &patch_params(false), &force_sync_patch(&stamp))
                .await
                .map_err(|e| OpError::from_kube(&what, &e))?;
            out.summary = format!("{what}: sync requested (force-sync={stamp})");
            out.outputs.insert("secret".into(), json!(target));
            out.outputs.insert(
                "previous_refresh_time".into(),
                es.data["status"]["refreshTime"].clone(),
            );
        }
        _ => {
            return Err(OpError::Invalid(format!(
                "{} is not a secret operation",
                op.name()
            )));
        }
    }
    Ok(out)
}

fn stamp() -> String {
    jiff::Timestamp::now().strftime("%Y%m%d%H%M%S").to_string()
}

fn unix_stamp() -> String {
    jiff::Timestamp::now().as_second().to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // fixtures; a failure should be loud
mod tests {
    use super::*;

    #[test]
    fn random_values_are_long_and_differ() {
        let a = random_value().unwrap();
        let b = random_value().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
