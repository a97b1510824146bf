//! The lab's object store: every stored object as serialised JSON plus the few indexed
//! fields selectors need, one global monotonically increasing resourceVersion, a bounded
//! watch-event history and the live event fan-out. It plays etcd + the watch cache.
//!
//! Objects are kept serialised (not as `serde_json::Value`) because 100 000 pods as
//! `Value` trees would cost ~1 GB; as bytes they cost a quarter of that and a list page
//! is a memcpy. Must not know about HTTP or simulation rules.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::clock::{SimClock, rfc3339};
use super::resources::{self, ResId};
use super::status::ApiError;

/// One stored object version. Shared (`Arc`) between the store, the history and watchers.
#[derive(Debug)]
pub struct Entry {
    pub res: ResId,
    pub rv: u64,
    /// "" for cluster-scoped objects.
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub json: Bytes,
    pub labels: BTreeMap<String, String>,
    /// Values of the resource's non-metadata field labels, aligned with `Resource::field_labels`.
    pub fields: Vec<String>,
    pub owner_uid: Option<String>,
}

impl Entry {
    pub fn value(&self) -> Value {
        serde_json::from_slice(&self.json).unwrap_or(Value::Null)
    }

    /// The value of a field label as a field selector sees it.
    pub fn field(&self, name: &str) -> Option<String> {
        match name {
            "metadata.name" => Some(self.name.clone()),
            "metadata.namespace" => Some(self.namespace.clone()),
            _ => {
                let res = resources::get(self.res);
                res.field_labels
                    .iter()
                    .position(|f| *f == name)
                    .and_then(|i| self.fields.get(i).cloned())
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

#[derive(Debug)]
pub struct WatchEvent {
    pub kind: EventType,
    pub entry: Arc<Entry>,
}

type Key = (String, String);

struct Inner {
    rv: u64,
    objects: Vec<BTreeMap<Key, Arc<Entry>>>,
    history: VecDeque<Arc<WatchEvent>>,
    history_cap: usize,
    /// A watch resuming from a version below this has lost events: answer 410 Expired.
    oldest_resumable: u64,
    /// List continue tokens from versions below this are void (set by the expiry fault;
    /// otherwise tokens expire by age, like etcd's time-based compaction).
    continue_floor: u64,
    /// Owner uid -> (resource, key) of the objects it owns; the controllers' index.
    owned: HashMap<String, Vec<(ResId, Key)>>,
    uid_counter: u64,
}

pub struct Store {
    inner: Mutex<Inner>,
    events: broadcast::Sender<Arc<WatchEvent>>,
    pub clock: SimClock,
}

/// A watch's starting point: the events it must replay, then the live channel.
pub struct Subscription {
    pub replay: Vec<Arc<WatchEvent>>,
    pub live: broadcast::Receiver<Arc<WatchEvent>>,
    /// The store's version at subscription time.
    pub rv: u64,
}

/// One page of a list.
pub struct Page {
    pub items: Vec<Arc<Entry>>,
    pub rv: u64,
    /// The key after which the next page starts, if there is one.
    pub next: Option<Key>,
    pub remaining: u64,
}

impl Store {
    pub fn new(clock: SimClock, history_cap: usize) -> Self {
        let (events, _) = broadcast::channel(16_384);
        Self {
            inner: Mutex::new(Inner {
                rv: 1000,
                objects: resources::RESOURCES
                    .iter()
                    .map(|_| BTreeMap::new())
                    .collect(),
                history: VecDeque::new(),
                history_cap: history_cap.max(1),
                oldest_resumable: 0,
                continue_floor: 0,
                owned: HashMap::new(),
                uid_counter: 0,
            }),
            events,
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave an entry half-written (entries are
        // replaced whole), so a poisoned lock is still safe to use.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    pub fn get(&self, res: ResId, ns: &str, name: &str) -> Option<Arc<Entry>> {
        self.lock()
            .objects
            .get(res)?
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    pub fn get_value(&self, res: ResId, ns: &str, name: &str) -> Option<Value> {
        self.get(res, ns, name).map(|e| e.value())
    }

    pub fn count(&self, res: ResId) -> usize {
        self.lock().objects.get(res).map_or(0, |m| m.len())
    }

    /// All entries of a kind (optionally in one namespace) that pass `keep`.
    pub fn all(
        &self,
        res: ResId,
        ns: Option<&str>,
        keep: impl Fn(&Entry) -> bool,
    ) -> Vec<Arc<Entry>> {
        let inner = self.lock();
        let Some(map) = inner.objects.get(res) else {
            return Vec::new();
        };
        scoped(map, ns, None).filter(|e| keep(e)).cloned().collect()
    }

    /// Objects owned (via a controller ownerReference) by `owner_uid`.
    pub fn owned_by(&self, owner_uid: &str) -> Vec<Arc<Entry>> {
        let inner = self.lock();
        let Some(keys) = inner.owned.get(owner_uid) else {
            return Vec::new();
        };
        keys.iter()
            .filter_map(|(res, key)| inner.objects.get(*res)?.get(key).cloned())
            .collect()
    }

    /// One page of matching objects in key order, starting after `after`.
    pub fn page(
        &self,
        res: ResId,
        ns: Option<&str>,
        after: Option<&Key>,
        limit: usize,
        keep: impl Fn(&Entry) -> bool,
    ) -> Page {
        let inner = self.lock();
        let rv = inner.rv;
        let Some(map) = inner.objects.get(res) else {
            return Page {
                items: Vec::new(),
                rv,
                next: None,
                remaining: 0,
            };
        };
        let mut items = Vec::new();
        let mut iter = scoped(map, ns, after).filter(|e| keep(e));
        for e in iter.by_ref() {
            items.push(e.clone());
            if items.len() >= limit {
                break;
            }
        }
        let remaining = iter.count() as u64;
        let next = if remaining > 0 {
            items.last().map(|e| (e.namespace.clone(), e.name.clone()))
        } else {
            None
        };
        Page {
            items,
            rv,
            next,
            remaining,
        }
    }

    pub fn new_uid(&self) -> String {
        let mut inner = self.lock();
        inner.uid_counter += 1;
        let n = inner.uid_counter;
        drop(inner);
        uid_from(n)
    }

    /// Fills in server-set metadata for a new object: uid, creationTimestamp,
    /// generation, generateName. Does not store it (dry run uses this alone).
    pub fn stamp_new(&self, res: ResId, obj: &mut Value) {
        let r = resources::get(res);
        obj["apiVersion"] = json!(r.api_version());
        obj["kind"] = json!(r.kind);
        if !obj["metadata"].is_object() {
            obj["metadata"] = json!({});
        }
        let uid = self.new_uid();
        let meta = &mut obj["metadata"];
        if meta["name"].as_str().unwrap_or("").is_empty()
            && let Some(prefix) = meta["generateName"].as_str()
        {
            meta["name"] = json!(format!("{prefix}{}", random_suffix()));
        }
        meta["uid"] = json!(uid);
        meta["creationTimestamp"] = json!(rfc3339(self.clock.now()));
        if obj.get("spec").is_some() && !matches!(r.kind, "Pod" | "Namespace" | "Node" | "Service")
        {
            obj["metadata"]["generation"] = json!(1);
        }
        if let Some(m) = obj["metadata"].as_object_mut() {
            m.remove("resourceVersion");
            m.remove("deletionTimestamp");
        }
    }

    /// Stores a new object (already stamped). Fails if the name is taken.
    pub fn insert(&self, res: ResId, mut obj: Value) -> Result<Arc<Entry>, ApiError> {
        let r = resources::get(res);
        let ns = if r.namespaced {
            str_at(&obj, "/metadata/namespace")
        } else {
            String::new()
        };
        let name = str_at(&obj, "/metadata/name");
        let mut inner = self.lock();
        let key = (ns, name.clone());
        if inner.objects.get(res).is_some_and(|m| m.contains_key(&key)) {
            return Err(ApiError::already_exists(r, &name));
        }
        inner.rv += 1;
        let rv = inner.rv;
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        let entry = Arc::new(index(res, rv, &obj));
        if let Some(owner) = &entry.owner_uid {
            inner
                .owned
                .entry(owner.clone())
                .or_default()
                .push((res, key.clone()));
        }
        if let Some(map) = inner.objects.get_mut(res) {
            map.insert(key, entry.clone());
        }
        self.publish(&mut inner, EventType::Added, entry.clone());
        Ok(entry)
    }

    /// Replaces an existing object with the result of `change`, bumping its
    /// resourceVersion, unless `change` leaves it byte-for-byte unchanged (then no event,
    /// as the API server skips no-op writes). `expect_rv` is an optimistic-concurrency
    /// precondition.
    pub fn update(
        &self,
        res: ResId,
        ns: &str,
        name: &str,
        expect_rv: Option<&str>,
        change: impl FnOnce(&mut Value) -> Result<(), ApiError>,
    ) -> Result<Arc<Entry>, ApiError> {
        let r = resources::get(res);
        let key = (ns.to_string(), name.to_string());
        // The change runs under the lock so read-modify-write is atomic; it is a small
        // JSON edit of one object.
        let mut inner = self.lock();
        let current = inner
            .objects
            .get(res)
            .and_then(|m| m.get(&key).cloned())
            .ok_or_else(|| ApiError::not_found(r, name))?;
        if let Some(expect) = expect_rv.filter(|e| !e.is_empty())
            && expect != current.rv.to_string()
        {
            return Err(ApiError::conflict(
                r,
                name,
                "the object has been modified; please apply your changes to the latest version and try again",
            ));
        }
        let before = current.value();
        let mut obj = before.clone();
        change(&mut obj)?;
        obj["metadata"]["resourceVersion"] = json!(current.rv.to_string());
        if obj == before {
            return Ok(current);
        }
        inner.rv += 1;
        let rv = inner.rv;
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        let entry = Arc::new(index(res, rv, &obj));
        if entry.owner_uid != current.owner_uid {
            if let Some(old) = &current.owner_uid
                && let Some(list) = inner.owned.get_mut(old)
            {
                list.retain(|(rr, k)| !(*rr == res && *k == key));
            }
            if let Some(new) = &entry.owner_uid {
                inner
                    .owned
                    .entry(new.clone())
                    .or_default()
                    .push((res, key.clone()));
            }
        }
        if let Some(map) = inner.objects.get_mut(res) {
            map.insert(key, entry.clone());
        }
        self.publish(&mut inner, EventType::Modified, entry.clone());
        Ok(entry)
    }

    /// Removes an object for good, emitting DELETED with a fresh resourceVersion.
    pub fn remove(&self, res: ResId, ns: &str, name: &str) -> Option<Arc<Entry>> {
        let key = (ns.to_string(), name.to_string());
        let mut inner = self.lock();
        let old = inner.objects.get_mut(res)?.remove(&key)?;
        if let Some(owner) = &old.owner_uid
            && let Some(list) = inner.owned.get_mut(owner)
        {
            list.retain(|(rr, k)| !(*rr == res && *k == key));
            if list.is_empty() {
                inner.owned.remove(owner);
            }
        }
        inner.rv += 1;
        let rv = inner.rv;
        let mut obj = old.value();
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        let entry = Arc::new(index(res, rv, &obj));
        self.publish(&mut inner, EventType::Deleted, entry.clone());
        Some(entry)
    }

    fn publish(&self, inner: &mut Inner, kind: EventType, entry: Arc<Entry>) {
        let ev = Arc::new(WatchEvent { kind, entry });
        if inner.history.len() >= inner.history_cap
            && let Some(dropped) = inner.history.pop_front()
        {
            inner.oldest_resumable = inner.oldest_resumable.max(dropped.entry.rv);
        }
        inner.history.push_back(ev.clone());
        // No receivers is normal (nobody watching); nothing to report.
        let _ = self.events.send(ev);
    }

    /// Starts a watch from `rv` (exclusive). Events after `rv` still in the history are
    /// replayed; older versions are gone and yield 410 Expired, like etcd compaction.
    pub fn subscribe(&self, from_rv: u64) -> Result<Subscription, ApiError> {
        let inner = self.lock();
        if from_rv < inner.oldest_resumable {
            return Err(ApiError::expired(format!(
                "too old resource version: {from_rv} ({})",
                inner.oldest_resumable
            )));
        }
        let replay = inner
            .history
            .iter()
            .filter(|e| e.entry.rv > from_rv)
            .cloned()
            .collect();
        Ok(Subscription {
            replay,
            live: self.events.subscribe(),
            rv: inner.rv,
        })
    }

    /// The current objects of a kind plus a live subscription, taken atomically so no
    /// event falls between the snapshot and the stream ("start at most recent").
    pub fn snapshot_and_subscribe(
        &self,
        res: ResId,
        ns: Option<&str>,
    ) -> (Vec<Arc<Entry>>, Subscription) {
        let inner = self.lock();
        let items = inner
            .objects
            .get(res)
            .map(|m| scoped(m, ns, None).cloned().collect())
            .unwrap_or_default();
        let sub = Subscription {
            replay: Vec::new(),
            live: self.events.subscribe(),
            rv: inner.rv,
        };
        (items, sub)
    }

    /// Every event from now on (the simulation's informer feed).
    pub fn live_events(&self) -> broadcast::Receiver<Arc<WatchEvent>> {
        self.events.subscribe()
    }

    /// The version a bookmark may safely carry for a watcher whose live channel has
    /// `pending` undelivered events: only when it has none is it caught up to the store.
    pub fn bookmark_rv(&self, live: &broadcast::Receiver<Arc<WatchEvent>>) -> Option<u64> {
        let inner = self.lock();
        live.is_empty().then_some(inner.rv)
    }

    /// Fault injection: forget the history so every resume gets 410 Expired.
    pub fn expire_history(&self) {
        let mut inner = self.lock();
        inner.history.clear();
        inner.oldest_resumable = inner.rv + 1;
        inner.continue_floor = inner.rv + 1;
    }

    /// Oldest version a list `continue` token may still refer to.
    pub fn continue_floor(&self) -> u64 {
        self.lock().continue_floor
    }
}

fn scoped<'a>(
    map: &'a BTreeMap<Key, Arc<Entry>>,
    ns: Option<&'a str>,
    after: Option<&Key>,
) -> Box<dyn Iterator<Item = &'a Arc<Entry>> + 'a> {
    use std::ops::Bound;
    let lower = match (after, ns) {
        (Some(k), _) => Bound::Excluded(k.clone()),
        (None, Some(ns)) => Bound::Included((ns.to_string(), String::new())),
        (None, None) => Bound::Unbounded,
    };
    let iter = map.range((lower, Bound::Unbounded)).map(|(_, e)| e);
    match ns {
        Some(ns) => Box::new(iter.take_while(move |e| e.namespace == ns)),
        None => Box::new(iter),
    }
}

fn index(res: ResId, rv: u64, obj: &Value) -> Entry {
    let r = resources::get(res);
    let labels = obj["metadata"]["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let fields = r
        .field_labels
        .iter()
        .map(|f| match *f {
            "metadata.name" | "metadata.namespace" => String::new(),
            path => {
                let pointer = format!("/{}", path.replace('.', "/"));
                match obj.pointer(&pointer) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                }
            }
        })
        .collect();
    let owner_uid = obj["metadata"]["ownerReferences"]
        .as_array()
        .and_then(|refs| {
            refs.iter()
                .find(|o| o["controller"].as_bool() == Some(true))
                .or_else(|| refs.first())
                .and_then(|o| o["uid"].as_str())
                .map(str::to_string)
        });
    Entry {
        res,
        rv,
        namespace: if r.namespaced {
            str_at(obj, "/metadata/namespace")
        } else {
            String::new()
        },
        name: str_at(obj, "/metadata/name"),
        uid: str_at(obj, "/metadata/uid"),
        json: Bytes::from(serde_json::to_vec(obj).unwrap_or_default()),
        labels,
        fields,
        owner_uid,
    }
}

pub fn str_at(obj: &Value, pointer: &str) -> String {
    obj.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A UUID-shaped id: unique within a lab run, random across runs.
fn uid_from(n: u64) -> String {
    let hi = fastrand::u64(..);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (hi >> 32) as u32,
        (hi >> 16) as u16,
        (hi & 0xfff) as u16,
        (n >> 48) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

/// `prefix-xxxxx` not yet taken in `ns` by an object of kind `res` (generateName
/// semantics: 27^5 suffixes collide often enough among 100 000 pods to matter).
impl Store {
    pub fn generate_name(&self, res: ResId, ns: &str, prefix: &str) -> String {
        loop {
            let name = format!("{prefix}-{}", random_suffix());
            if self.get(res, ns, &name).is_none() {
                return name;
            }
        }
    }
}

/// The 5-character suffix Kubernetes appends for generateName (consonants and digits).
pub fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::ids;

    fn store() -> Store {
        Store::new(SimClock::new(1.0), 3)
    }

    fn pod(ns: &str, name: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": "x"}}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}})
    }

    #[test]
    fn versions_increase_and_pages_follow_key_order() -> Result<(), ApiError> {
        let s = store();
        let p = ids::pods();
        for (ns, n) in [("b", "2"), ("a", "1"), ("b", "1")] {
            let mut o = pod(ns, n);
            s.stamp_new(p, &mut o);
            s.insert(p, o)?;
        }
        let page = s.page(p, None, None, 2, |_| true);
        let names: Vec<_> = page
            .items
            .iter()
            .map(|e| format!("{}/{}", e.namespace, e.name))
            .collect();
        assert_eq!(names, ["a/1", "b/1"]);
        assert_eq!(page.remaining, 1);
        let next = s.page(p, None, page.next.as_ref(), 2, |_| true);
        assert_eq!(next.items.len(), 1);
        assert!(next.next.is_none());
        let only_b = s.page(p, Some("b"), None, 10, |_| true);
        assert_eq!(only_b.items.len(), 2);
        assert_ne!(page.items[0].rv, page.items[1].rv);
        assert_eq!(page.items[0].field("spec.nodeName").as_deref(), Some("n1"));
        Ok(())
    }

    #[test]
    fn history_overflow_expires_old_versions() -> Result<(), ApiError> {
        let s = store();
        let p = ids::pods();
        let start = s.resource_version();
        for i in 0..5 {
            let mut o = pod("a", &format!("p{i}"));
            s.stamp_new(p, &mut o);
            s.insert(p, o)?;
        }
        assert!(
            s.subscribe(start).is_err(),
            "history of 3 cannot replay 5 events"
        );
        let recent = s.subscribe(s.resource_version() - 2)?;
        assert_eq!(recent.replay.len(), 2);
        Ok(())
    }

    #[test]
    fn stale_precondition_conflicts_and_noop_update_keeps_version() -> Result<(), ApiError> {
        let s = store();
        let p = ids::pods();
        let mut o = pod("a", "x");
        s.stamp_new(p, &mut o);
        let e = s.insert(p, o)?;
        let same = s.update(p, "a", "x", None, |_| Ok(()))?;
        assert_eq!(same.rv, e.rv);
        let err = s.update(p, "a", "x", Some("1"), |_| Ok(())).err();
        assert_eq!(err.map(|e| e.code), Some(409));
        Ok(())
    }
}
