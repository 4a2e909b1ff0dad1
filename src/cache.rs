//! A small TTL cache for HubSpot metadata (properties, schemas, pipelines, owners, association labels):
//! entries expire by timestamp when read (no timer per key, unlike the original design), the size is
//! bounded (the oldest entry goes first), and tools that change metadata invalidate by key prefix.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::Value;

/// The cache. Values are shared (`Arc`), so a hit costs one clone of a pointer.
pub(crate) struct TtlCache {
    ttl: Duration,
    max: usize,
    map: Mutex<HashMap<String, (Instant, Arc<Value>)>>,
}

impl TtlCache {
    /// A cache keeping entries `ttl` long, at most `max` of them. A zero `ttl` caches nothing.
    pub(crate) fn new(ttl: Duration, max: usize) -> TtlCache {
        TtlCache {
            ttl,
            max: max.max(1),
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The live entry for `key`.
    pub(crate) fn get(&self, key: &str, now: Instant) -> Option<Arc<Value>> {
        let mut map = self.map.lock();
        match map.get(key) {
            Some((at, v)) if now.duration_since(*at) < self.ttl => Some(Arc::clone(v)),
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }

    /// Stores `value` under `key`, first dropping expired entries, then the oldest, when full.
    pub(crate) fn put(&self, key: &str, value: Arc<Value>, now: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        let mut map = self.map.lock();
        if map.len() >= self.max && !map.contains_key(key) {
            let ttl = self.ttl;
            map.retain(|_, (at, _)| now.duration_since(*at) < ttl);
            if map.len() >= self.max {
                if let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, (at, _))| *at)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(key.to_string(), (now, value));
    }

    /// Drops every entry whose key starts with `prefix`.
    pub(crate) fn invalidate(&self, prefix: &str) {
        self.map.lock().retain(|k, _| !k.starts_with(prefix));
    }

    /// How many entries are held (expired ones included until touched).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.lock().len()
    }

    /// True when empty.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expires_bounds_and_invalidates() {
        let c = TtlCache::new(Duration::from_secs(10), 2);
        let t0 = Instant::now();
        c.put("props:contacts", Arc::new(json!(1)), t0);
        c.put(
            "props:deals",
            Arc::new(json!(2)),
            t0 + Duration::from_secs(1),
        );
        assert_eq!(
            c.get("props:contacts", t0 + Duration::from_secs(9))
                .as_deref(),
            Some(&json!(1))
        );
        assert!(c
            .get("props:contacts", t0 + Duration::from_secs(10))
            .is_none());
        c.put("a", Arc::new(json!(3)), t0 + Duration::from_secs(2));
        c.put("b", Arc::new(json!(4)), t0 + Duration::from_secs(3));
        assert_eq!(c.len(), 2, "bounded");
        assert!(
            c.get("props:deals", t0 + Duration::from_secs(3)).is_none(),
            "oldest evicted"
        );
        c.invalidate("a");
        assert!(c.get("a", t0 + Duration::from_secs(3)).is_none());
        assert!(c.get("b", t0 + Duration::from_secs(3)).is_some());
        let off = TtlCache::new(Duration::ZERO, 5);
        off.put("x", Arc::new(json!(1)), t0);
        assert!(off.is_empty());
    }
}
