//! On-demand detail for the describe (`d`) and YAML (`y`) views: fetches the object (and,
//! for describe, the Events about it) and hands the text to the app. Formatting is
//! `model::describe`'s; this module only fetches.

use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::Client;
use kube::api::{Api, ListParams};

use super::explain;
use crate::app::ObjectRef;
use crate::model::describe;

pub async fn fetch(client: Client, target: &ObjectRef, yaml: bool) -> Result<Vec<String>, String> {
    let fail = |e: kube::Error| explain(&e).1;
    let (namespace, name) = match target {
        ObjectRef::Pod { namespace, name } => (Some(namespace.as_str()), name.as_str()),
        ObjectRef::Node { name } => (None, name.as_str()),
    };
    if yaml {
        let value: serde_json::Value = match target {
            ObjectRef::Pod { namespace, name } => serde_json::to_value(
                Api::<Pod>::namespaced(client, namespace)
                    .get(name)
                    .await
                    .map_err(fail)?,
            ),
            ObjectRef::Node { name } => {
                serde_json::to_value(Api::<Node>::all(client).get(name).await.map_err(fail)?)
            }
        }
        .map_err(|e| e.to_string())?;
        return describe::yaml(&value);
    }
    let events_api: Api<Event> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    let selector = format!("involvedObject.name={name}");
    // Events are best effort: a describe without them is still worth showing.
    let events = events_api
        .list(&ListParams::default().fields(&selector))
        .await
        .map(|l| l.items)
        .unwrap_or_default();
    let now = jiff::Timestamp::now();
    match target {
        ObjectRef::Pod { namespace, name } => {
            let pod = Api::<Pod>::namespaced(client, namespace)
                .get(name)
                .await
                .map_err(fail)?;
            Ok(describe::pod(&pod, &events, now))
        }
        ObjectRef::Node { name } => {
            let node = Api::<Node>::all(client).get(name).await.map_err(fail)?;
            Ok(describe::node(&node, &events, now))
        }
    }
}
