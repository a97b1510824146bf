//! Velero from the Kubernetes API (velero.io/v1 as dynamic objects, all namespaces):
//! schedules, backups, restores and backup storage locations, folded into a
//! [`VeleroSnapshot`] with each schedule's RPO status. A cluster that does not serve
//! the Velero API gets a note instead of a pane of errors; a user who may not read it
//! is told so.

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use serde_json::Value;

use super::Platform;
use crate::app::{Msg, SourceId, SourceState};
use crate::model::velero::VeleroSnapshot;
use crate::sources::{Tx, explain};

/// Lists bigger than this are read in pages (a year of hourly backups is ~9 000).
const PAGE: u32 = 500;

pub async fn poll(platform: Platform, tx: Tx) {
    loop {
        let state = match fetch(&platform.kube).await {
            Ok(snapshot) => Msg::Velero(Ok(snapshot)),
            Err(Failure::NotServed) => Msg::Source(
                SourceId::Velero,
                SourceState::Unavailable(
                    "Velero is not installed here: the cluster does not serve the velero.io/v1 API (backups.velero.io)".into(),
                ),
            ),
            Err(Failure::Forbidden(why)) => Msg::Source(SourceId::Velero, SourceState::Forbidden(why)),
            Err(Failure::Other(why)) => Msg::Velero(Err(why)),
        };
        if tx.send(state).await.is_err() {
            return;
        }
        tokio::time::sleep(platform.every()).await;
    }
}

pub enum Failure {
    NotServed,
    Forbidden(String),
    Other(String),
}

pub async fn fetch(client: &kube::Client) -> Result<VeleroSnapshot, Failure> {
    let (schedules, backups, restores, locations) = futures_util::join!(
        list(client, "Schedule", "schedules"),
        list(client, "Backup", "backups"),
        list(client, "Restore", "restores"),
        list(client, "BackupStorageLocation", "backupstoragelocations"),
    );
    Ok(VeleroSnapshot::from_objects(
        &schedules?,
        &backups?,
        &restores?,
        &locations?,
        jiff::Timestamp::now(),
    ))
}

async fn list(client: &kube::Client, kind: &str, plural: &str) -> Result<Vec<Value>, Failure> {
    let gvk = GroupVersionKind::gvk("velero.io", "v1", kind);
    let resource = ApiResource::from_gvk_with_plural(&gvk, plural);
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    let mut out = Vec::new();
    let mut params = ListParams::default().limit(PAGE);
    loop {
        let page = api.list(&params).await.map_err(|e| match &e {
            kube::Error::Api(s) if s.code == 404 => Failure::NotServed,
            _ => match explain(&e) {
                // The API server's message already names `<plural>.velero.io`.
                (true, why) => Failure::Forbidden(why),
                (false, why) => Failure::Other(format!("listing {plural}.velero.io: {why}")),
            },
        })?;
        out.extend(
            page.items
                .into_iter()
                .filter_map(|o| serde_json::to_value(o).ok()),
        );
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => return Ok(out),
        }
    }
}
