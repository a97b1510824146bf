//! On-demand detail for the describe (`d`) and YAML (`y`) views: fetches the object (and,
//! for describe, the Events about it) and hands the text to the app. Formatting is
//! `model::describe`'s; this module only fetches.

use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::Client;
use kube::api::{Api, ListParams};

use crate::app::ObjectRef;
use crate::endpoints::explain;
use crate::model::describe;

pub async fn fetch(client: Client, target: &ObjectRef, yaml: bool) -> Result<Vec<String>, String> {
    let fail = |e: kube::Error| explain(&e).1;
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
    let now = jiff::Timestamp::now();
    match target {
        ObjectRef::Pod { namespace, name } => {
            let pod = Api::<Pod>::namespaced(client.clone(), namespace)
                .get(name)
                .await
                .map_err(fail)?;
            let uid = pod.metadata.uid.as_deref().unwrap_or("");
            let events = events_about(client, Some(namespace), "Pod", name, uid).await;
            Ok(describe::pod(&pod, &events, now))
        }
        ObjectRef::Node { name } => {
            let node = Api::<Node>::all(client.clone())
                .get(name)
                .await
                .map_err(fail)?;
            // kubectl: controllers record a node's events under its uid, the kubelet
            // under its name; both are its events.
            let uid = node.metadata.uid.as_deref().unwrap_or("");
            let mut events = events_about(client.clone(), None, "Node", name, uid).await;
            if !uid.is_empty() && uid != name.as_str() {
                events.extend(events_about(client, None, "Node", name, name).await);
            }
            Ok(describe::node(&node, &events, now))
        }
    }
}

/// The Events about one object, as kubectl describe selects them (name, namespace, kind
/// and uid), both legacy and events.k8s.io ones (they are all served as core/v1). Best
/// effort: a describe without them is still worth showing.
async fn events_about(
    client: Client,
    namespace: Option<&str>,
    kind: &str,
    name: &str,
    uid: &str,
) -> Vec<Event> {
    let api: Api<Event> = match namespace {
        Some(ns) => Api::namespaced(client, ns),
        None => Api::all(client),
    };
    let mut selector = format!("involvedObject.name={name},involvedObject.kind={kind}");
    if let Some(ns) = namespace {
        selector.push_str(&format!(",involvedObject.namespace={ns}"));
    }
    if !uid.is_empty() {
        selector.push_str(&format!(",involvedObject.uid={uid}"));
    }
    api.list(&ListParams::default().fields(&selector).limit(500))
        .await
        .map(|l| l.items)
        .unwrap_or_default()
}
