//! Secret rotation: keep a labelled copy of a Secret, give every key a new random value
//! (merge patch of `data`), put a kept copy back (rollback), force an External Secret to
//! re-sync, and find the workloads that consume a Secret (env, envFrom, volumes,
//! projected volumes, image pull secrets) so they can be restarted.
//!
//! Secret values exist here only in memory, between reading and writing them: they are
//! never in a preview line, an outcome, an error or a log. Must not rotate what another
//! controller owns (External Secrets, TLS and registry credentials).

use std::collections::BTreeMap;

use base64::Engine;
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::{PodSpec, Secret};
use kube::Client;
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams, PostParams,
};
use ring::rand::SecureRandom;
use serde_json::{Value, json};

use super::{FIELD_MANAGER, Op, OpError, Outcome, SECRET_BACKUP_LABEL, WorkloadKind};

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

/// A workload that reads a Secret, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    /// `Deployment`, `StatefulSet`, `DaemonSet` or `CronJob`.
    pub kind: String,
    pub name: String,
    /// Restartable kinds; a CronJob's next run reads the new values by itself.
    pub workload: Option<WorkloadKind>,
    /// e.g. `env KC_DB_PASSWORD (container keycloak)`, `volume creds`.
    pub uses: Vec<String>,
    /// Mounted with `subPath`: never refreshed, even by the kubelet's sync.
    pub sub_path: bool,
}

/// How a pod template uses `secret`; empty if it does not.
fn uses_in(spec: &PodSpec, secret: &str) -> (Vec<String>, bool) {
    let mut uses = Vec::new();
    let containers = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten());
    for c in containers.clone() {
        for e in c.env.iter().flatten() {
            let named = e
                .value_from
                .as_ref()
                .and_then(|v| v.secret_key_ref.as_ref())
                .is_some_and(|r| r.name == secret);
            if named {
                uses.push(format!("env {} (container {})", e.name, c.name));
            }
        }
        for f in c.env_from.iter().flatten() {
            if f.secret_ref.as_ref().is_some_and(|r| r.name == secret) {
                uses.push(format!("envFrom (container {})", c.name));
            }
        }
    }
    let mut volumes = Vec::new();
    for v in spec.volumes.iter().flatten() {
        let direct = v
            .secret
            .as_ref()
            .is_some_and(|s| s.secret_name.as_deref() == Some(secret));
        let projected = v.projected.as_ref().is_some_and(|p| {
            p.sources
                .iter()
                .flatten()
                .any(|s| s.secret.as_ref().is_some_and(|s| s.name == secret))
        });
        if direct {
            uses.push(format!("volume {}", v.name));
            volumes.push(v.name.clone());
        } else if projected {
            uses.push(format!("projected volume {}", v.name));
            volumes.push(v.name.clone());
        }
    }
    let sub_path = containers.clone().any(|c| {
        c.volume_mounts.iter().flatten().any(|m| {
            volumes.contains(&m.name) && m.sub_path.as_deref().is_some_and(|s| !s.is_empty())
        })
    });
    if spec
        .image_pull_secrets
        .iter()
        .flatten()
        .any(|r| r.name == secret)
    {
        uses.push("imagePullSecrets".into());
    }
    (uses, sub_path)
}

/// Every Deployment, StatefulSet, DaemonSet and CronJob in `namespace` whose pod
/// template reads `secret`.
pub async fn find_consumers(
    client: &Client,
    namespace: &str,
    secret: &str,
) -> Result<Vec<Consumer>, OpError> {
    let mut found = Vec::new();
    let mut add = |kind: &str, name: Option<String>, workload, spec: Option<&PodSpec>| {
        let Some(spec) = spec else { return };
        let (uses, sub_path) = uses_in(spec, secret);
        if !uses.is_empty() {
            found.push(Consumer {
                kind: kind.to_string(),
                name: name.unwrap_or_default(),
                workload,
                uses,
                sub_path,
            });
        }
    };
    for d in list::<Deployment>(client, namespace, "deployments").await? {
        let spec = d.spec.as_ref().and_then(|s| s.template.spec.as_ref());
        add(
            "Deployment",
            d.metadata.name.clone(),
            Some(WorkloadKind::Deployment),
            spec,
        );
    }
    for s in list::<StatefulSet>(client, namespace, "statefulsets").await? {
        let spec = s.spec.as_ref().and_then(|s| s.template.spec.as_ref());
        add(
            "StatefulSet",
            s.metadata.name.clone(),
            Some(WorkloadKind::StatefulSet),
            spec,
        );
    }
    for d in list::<DaemonSet>(client, namespace, "daemonsets").await? {
        let spec = d.spec.as_ref().and_then(|s| s.template.spec.as_ref());
        add(
            "DaemonSet",
            d.metadata.name.clone(),
            Some(WorkloadKind::DaemonSet),
            spec,
        );
    }
    for c in list::<CronJob>(client, namespace, "cronjobs").await? {
        let spec = c
            .spec
            .as_ref()
            .and_then(|s| s.job_template.spec.as_ref())
            .and_then(|j| j.template.spec.as_ref());
        add("CronJob", c.metadata.name.clone(), None, spec);
    }
    Ok(found)
}

async fn list<K>(client: &Client, namespace: &str, what: &str) -> Result<Vec<K>, OpError>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    Api::<K>::namespaced(client.clone(), namespace)
        .list(&ListParams::default())
        .await
        .map(|l| l.items)
        .map_err(|e| OpError::from_kube(&format!("{what} in namespace {namespace}"), &e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // fixtures; a failure should be loud
mod tests {
    use super::*;

    fn spec(v: Value) -> PodSpec {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn env_envfrom_volumes_projected_and_pull_secrets_are_all_found() {
        let s = spec(json!({
            "containers": [{"name": "app",
                "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                        {"name": "OTHER", "valueFrom": {"secretKeyRef": {"name": "other", "key": "k"}}}],
                "envFrom": [{"secretRef": {"name": "db"}}],
                "volumeMounts": [{"name": "creds", "mountPath": "/etc/db/password", "subPath": "password"}]}],
            "volumes": [{"name": "creds", "secret": {"secretName": "db"}},
                        {"name": "all", "projected": {"sources": [{"secret": {"name": "db"}}]}}],
            "imagePullSecrets": [{"name": "db"}]
        }));
        let (uses, sub_path) = uses_in(&s, "db");
        assert_eq!(
            uses,
            vec![
                "env DB_PASSWORD (container app)",
                "envFrom (container app)",
                "volume creds",
                "projected volume all",
                "imagePullSecrets"
            ]
        );
        assert!(sub_path, "a subPath mount never sees new values");
        assert!(uses_in(&s, "nope").0.is_empty());
    }

    #[test]
    fn random_values_are_long_and_differ() {
        let a = random_value().unwrap();
        let b = random_value().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
