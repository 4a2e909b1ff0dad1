//! The verified-token cache: SHA-256 of a token → the [`Principal`] it verified to, kept until the token's
//! `exp`, at most a fixed number of entries (the oldest insertion goes first). No timers: an expired entry
//! is dropped when it is next looked up, or pushed out by newer ones.
//!
//! It must not keep the token itself (only its digest), and its lock guards one map operation.

use std::collections::{HashMap, VecDeque};

use parking_lot::Mutex;

use super::{AuthError, Principal};

/// Entries kept by default.
pub(crate) const DEFAULT_CAPACITY: usize = 10_000;

type Key = [u8; 32];

/// A bounded map of verified tokens.
#[derive(Debug)]
pub(crate) struct TokenCache {
    inner: Mutex<Inner>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<Key, Principal>,
    /// Insertion order, for eviction; holds each key of `map` exactly once.
    order: VecDeque<Key>,
}

/// The cache key of a token.
pub(crate) fn digest(token: &str) -> Key {
    let d = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut k = [0u8; 32];
    k.copy_from_slice(d.as_ref());
    k
}

impl TokenCache {
    /// A cache holding at most `capacity` tokens (0 turns it off).
    pub(crate) fn new(capacity: usize) -> TokenCache {
        TokenCache {
            inner: Mutex::new(Inner::default()),
            capacity,
        }
    }

    /// The principal of a token verified before: `None` when unknown, `Some(Err(Expired))` (and the entry
    /// dropped) when its `exp` plus `leeway` is past `now`.
    pub(crate) fn get(
        &self,
        key: &Key,
        now: u64,
        leeway: u64,
    ) -> Option<Result<Principal, AuthError>> {
        let mut inner = self.inner.lock();
        let p = inner.map.get(key)?;
        if now > p.expires_at.saturating_add(leeway) {
            inner.map.remove(key);
            inner.order.retain(|k| k != key);
            return Some(Err(AuthError::Expired));
        }
        Some(Ok(p.clone()))
    }

    /// Remembers a verified token, evicting the oldest entries beyond the capacity.
    pub(crate) fn insert(&self, key: Key, principal: Principal) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.inner.lock();
        if inner.map.insert(key, principal).is_none() {
            inner.order.push_back(key);
        }
        while inner.order.len() > self.capacity {
            if let Some(old) = inner.order.pop_front() {
                inner.map.remove(&old);
            }
        }
    }

    /// Entries held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.inner.lock().map.len()
    }

    /// True when nothing is cached.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(sub: &str, exp: u64) -> Principal {
        Principal {
            id: crate::auth::PrincipalId::new(crate::auth::SubjectClaim::Sub, sub).unwrap(),
            scopes: vec![],
            can_read: true,
            can_write: false,
            hubspot: None,
            expires_at: exp,
        }
    }

    #[test]
    fn hit_until_exp_plus_leeway_then_expired_and_dropped() {
        let c = TokenCache::new(10);
        let k = digest("a.b.c");
        assert!(c.get(&k, 100, 30).is_none());
        c.insert(k, principal("u", 1000));
        assert_eq!(c.get(&k, 1030, 30).unwrap().unwrap().id.as_str(), "sub:u");
        assert_eq!(c.get(&k, 1031, 30).unwrap(), Err(AuthError::Expired));
        assert!(c.is_empty());
    }

    #[test]
    fn bounded_and_the_oldest_goes_first() {
        let c = TokenCache::new(3);
        for i in 0..5 {
            c.insert(digest(&format!("t{i}")), principal(&format!("u{i}"), 1000));
        }
        // Re-inserting a key does not count twice.
        c.insert(digest("t4"), principal("u4", 1000));
        assert_eq!(c.len(), 3);
        assert!(c.get(&digest("t0"), 0, 0).is_none());
        assert!(c.get(&digest("t1"), 0, 0).is_none());
        assert!(c.get(&digest("t2"), 0, 0).is_some());
        assert_eq!(c.inner.lock().order.len(), 3);
        let off = TokenCache::new(0);
        off.insert(digest("t"), principal("u", 1000));
        assert!(off.is_empty());
    }
}
