//! What the authorization server must remember, because a sealed value cannot say it: that a code was
//! used, each refresh-token family's current generation (reuse detection) and whether it is revoked, and
//! how many clients registered lately. In Redis when `REDIS_URL` is set (every replica sees the same
//! answers and a restart loses nothing), in memory otherwise: a restarted single instance forgets which
//! codes were used (they live 60 s) and the generations of refresh tokens issued before it (it adopts the
//! first one presented), never the grants themselves, which live in the tokens.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::redis::{Redis, Reply};
use crate::redis_cmd;

/// Entries the memory store keeps at most; past it, expired entries are swept and, if still full, new
/// codes are refused (an attacker cannot grow memory without bound).
const MEMORY_CAP: usize = 200_000;
/// Counters kept at most, apart from codes and families (so a flood of registrations from many addresses
/// cannot crowd out sign-ins); past it, counting answers "over any bound".
const COUNTER_CAP: usize = 10_000;

/// The outcome of presenting a refresh token of generation `g`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rotation {
    /// It was the current one; the family moves on to `g + 1`.
    Rotated,
    /// An older one was presented again: the family is now revoked.
    Replayed,
    /// The family was revoked before.
    Revoked,
}

/// The store could not answer (Redis away): the request is refused with 503, nothing is granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoreError(pub(crate) String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the grant store is unavailable: {}", self.0)
    }
}

/// The memory or Redis store.
pub(crate) trait GrantStore: Send + Sync + fmt::Debug {
    /// Marks `id` used for `ttl`; true only the first time.
    fn first_use(&self, id: &str, ttl: Duration) -> Result<bool, StoreError>;
    /// Records a new family at generation 0.
    fn start_family(&self, family: &str, ttl: Duration) -> Result<(), StoreError>;
    /// Presents generation `gen` of `family` (see [`Rotation`]). A family the store does not know (expired,
    /// or issued before a memory store restarted) is adopted at `gen + 1`.
    fn rotate(&self, family: &str, gen: u64, ttl: Duration) -> Result<Rotation, StoreError>;
    /// Undoes a [`rotate`](GrantStore::rotate) of generation `gen` whose refresh could not finish (HubSpot
    /// failed): the family goes back to `gen` if it is still at `gen + 1`, so the client's retry with the
    /// same refresh token is not taken for a replay.
    fn unrotate(&self, family: &str, gen: u64, ttl: Duration) -> Result<(), StoreError>;
    /// Revokes `family` (every token of the grant) for `ttl`.
    fn revoke_family(&self, family: &str, ttl: Duration) -> Result<(), StoreError>;
    /// Whether `family` is revoked.
    fn is_revoked(&self, family: &str) -> Result<bool, StoreError>;
    /// Counts one event under `key` in a fixed window of `window`; returns the count so far.
    fn count(&self, key: &str, window: Duration) -> Result<u64, StoreError>;
}

/// A family's state in memory.
#[derive(Debug, Clone, Copy)]
enum Family {
    At(u64),
    Revoked,
}

#[derive(Debug, Default)]
struct Maps {
    used: HashMap<String, Instant>,
    families: HashMap<String, (Family, Instant)>,
    counts: HashMap<String, (u64, Instant)>,
}

impl Maps {
    fn len(&self) -> usize {
        self.used.len() + self.families.len()
    }
    fn sweep(&mut self, now: Instant) {
        self.used.retain(|_, t| *t > now);
        self.families.retain(|_, (_, t)| *t > now);
        self.counts.retain(|_, (_, t)| *t > now);
    }
    /// Room for one more entry (sweeping first when full).
    fn room(&mut self, now: Instant) -> Result<(), StoreError> {
        if self.len() >= MEMORY_CAP {
            self.sweep(now);
            if self.len() >= MEMORY_CAP {
                return Err(StoreError("too many grants in memory".into()));
            }
        }
        Ok(())
    }
}

/// The store of a single instance without Redis.
#[derive(Debug, Default)]
pub(crate) struct MemoryGrants {
    maps: Mutex<Maps>,
}

impl GrantStore for MemoryGrants {
    fn first_use(&self, id: &str, ttl: Duration) -> Result<bool, StoreError> {
        let now = Instant::now();
        let mut m = self.maps.lock();
        if m.used.get(id).is_some_and(|t| *t > now) {
            return Ok(false);
        }
        m.room(now)?;
        m.used.insert(id.to_string(), now + ttl);
        Ok(true)
    }
    fn start_family(&self, family: &str, ttl: Duration) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut m = self.maps.lock();
        if m.families.get(family).is_some_and(|(_, t)| *t > now) {
            // A revocation that raced ahead (the same code used twice at once) stays.
            return Ok(());
        }
        m.room(now)?;
        m.families
            .insert(family.to_string(), (Family::At(0), now + ttl));
        Ok(())
    }
    fn rotate(&self, family: &str, gen: u64, ttl: Duration) -> Result<Rotation, StoreError> {
        let now = Instant::now();
        let mut m = self.maps.lock();
        let current = m
            .families
            .get(family)
            .filter(|(_, t)| *t > now)
            .map(|(f, _)| *f);
        let (next, outcome) = match current {
            Some(Family::Revoked) => return Ok(Rotation::Revoked),
            Some(Family::At(g)) if g != gen => (Family::Revoked, Rotation::Replayed),
            _ => (Family::At(gen + 1), Rotation::Rotated),
        };
        if current.is_none() {
            m.room(now)?;
        }
        m.families.insert(family.to_string(), (next, now + ttl));
        Ok(outcome)
    }
    fn unrotate(&self, family: &str, gen: u64, ttl: Duration) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut m = self.maps.lock();
        if let Some((f, t)) = m.families.get_mut(family) {
            if matches!(f, Family::At(g) if *g == gen + 1) {
                *f = Family::At(gen);
                *t = now + ttl;
            }
        }
        Ok(())
    }
    fn revoke_family(&self, family: &str, ttl: Duration) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut m = self.maps.lock();
        if !m.families.contains_key(family) {
            m.room(now)?;
        }
        m.families
            .insert(family.to_string(), (Family::Revoked, now + ttl));
        Ok(())
    }
    fn is_revoked(&self, family: &str) -> Result<bool, StoreError> {
        let now = Instant::now();
        Ok(self
            .maps
            .lock()
            .families
            .get(family)
            .is_some_and(|(f, t)| matches!(f, Family::Revoked) && *t > now))
    }
    fn count(&self, key: &str, window: Duration) -> Result<u64, StoreError> {
        let now = Instant::now();
        let mut m = self.maps.lock();
        if let Some((n, until)) = m.counts.get_mut(key) {
            if *until > now {
                *n += 1;
                return Ok(*n);
            }
        }
        if m.counts.len() >= COUNTER_CAP {
            m.counts.retain(|_, (_, t)| *t > now);
            if m.counts.len() >= COUNTER_CAP {
                return Ok(u64::MAX);
            }
        }
        m.counts.insert(key.to_string(), (1, now + window));
        Ok(1)
    }
}

/// Rotation in one step: `-1` revoked before, `-2` replayed (now revoked), else the new generation.
const ROTATE_SCRIPT: &str = "local v = redis.call('GET', KEYS[1]) \
if v == 'revoked' then return -1 end \
local g = tonumber(ARGV[1]) \
if v and tonumber(v) ~= g then redis.call('SET', KEYS[1], 'revoked', 'PX', ARGV[2]) return -2 end \
redis.call('SET', KEYS[1], tostring(g + 1), 'PX', ARGV[2]) return g + 1";

/// Undoing a rotation: back to ARGV[1] only from ARGV[1] + 1.
const UNROTATE_SCRIPT: &str = "local v = redis.call('GET', KEYS[1]) \
if v and tonumber(v) == tonumber(ARGV[1]) + 1 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end \
return 0";

/// A fixed-window counter: INCR, and the window's expiry set by the first.
const COUNT_SCRIPT: &str = "local n = redis.call('INCR', KEYS[1]) \
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";

/// The store shared by replicas, on `REDIS_URL`, under `<prefix>oauth:`.
#[derive(Debug)]
pub(crate) struct RedisGrants {
    redis: Arc<Redis>,
    prefix: String,
}

fn millis(d: Duration) -> String {
    d.as_millis().max(1).to_string()
}

fn failed(e: impl fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

impl RedisGrants {
    /// Keys start with `prefix` (the session prefix's namespace) then `oauth:`.
    pub(crate) fn new(redis: Arc<Redis>, prefix: &str) -> RedisGrants {
        RedisGrants {
            redis,
            prefix: format!("{prefix}oauth:"),
        }
    }
    fn key(&self, what: &str, id: &str) -> String {
        format!("{}{what}:{id}", self.prefix)
    }
    fn run(&self, cmd: Vec<Vec<u8>>) -> Result<Reply, StoreError> {
        match self.redis.cmd(cmd).map_err(failed)? {
            Reply::Error(e) => Err(StoreError(e)),
            r => Ok(r),
        }
    }
}

impl GrantStore for RedisGrants {
    fn first_use(&self, id: &str, ttl: Duration) -> Result<bool, StoreError> {
        let r = self.run(redis_cmd!(
            "SET",
            self.key("used", id),
            "1",
            "NX",
            "PX",
            millis(ttl)
        ))?;
        Ok(matches!(r, Reply::Status(_)))
    }
    fn start_family(&self, family: &str, ttl: Duration) -> Result<(), StoreError> {
        self.run(redis_cmd!(
            "SET",
            self.key("family", family),
            "0",
            "PX",
            millis(ttl)
        ))?;
        Ok(())
    }
    fn rotate(&self, family: &str, gen: u64, ttl: Duration) -> Result<Rotation, StoreError> {
        let r = self.run(redis_cmd!(
            "EVAL",
            ROTATE_SCRIPT,
            "1",
            self.key("family", family),
            gen.to_string(),
            millis(ttl)
        ))?;
        Ok(match r.as_int() {
            Some(-1) => Rotation::Revoked,
            Some(-2) => Rotation::Replayed,
            Some(_) => Rotation::Rotated,
            None => return Err(StoreError("unexpected reply to the rotation script".into())),
        })
    }
    fn unrotate(&self, family: &str, gen: u64, ttl: Duration) -> Result<(), StoreError> {
        self.run(redis_cmd!(
            "EVAL",
            UNROTATE_SCRIPT,
            "1",
            self.key("family", family),
            gen.to_string(),
            millis(ttl)
        ))?;
        Ok(())
    }
    fn revoke_family(&self, family: &str, ttl: Duration) -> Result<(), StoreError> {
        self.run(redis_cmd!(
            "SET",
            self.key("family", family),
            "revoked",
            "PX",
            millis(ttl)
        ))?;
        Ok(())
    }
    fn is_revoked(&self, family: &str) -> Result<bool, StoreError> {
        let r = self.run(redis_cmd!("GET", self.key("family", family)))?;
        Ok(r.as_bytes() == Some(b"revoked"))
    }
    fn count(&self, key: &str, window: Duration) -> Result<u64, StoreError> {
        let r = self.run(redis_cmd!(
            "EVAL",
            COUNT_SCRIPT,
            "1",
            self.key("count", key),
            millis(window)
        ))?;
        r.as_int()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| StoreError("unexpected reply to the counter script".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(60);

    #[test]
    fn codes_are_single_use() {
        let s = MemoryGrants::default();
        assert_eq!(s.first_use("c1", T), Ok(true));
        assert_eq!(s.first_use("c1", T), Ok(false));
        assert_eq!(s.first_use("c2", T), Ok(true));
    }

    #[test]
    fn rotation_detects_replay_and_revokes_the_family() {
        let s = MemoryGrants::default();
        s.start_family("f", T).unwrap();
        assert_eq!(s.rotate("f", 0, T), Ok(Rotation::Rotated));
        assert_eq!(s.rotate("f", 1, T), Ok(Rotation::Rotated));
        // Generation 1 again: a replay; the family is revoked, even for the current generation.
        assert_eq!(s.rotate("f", 1, T), Ok(Rotation::Replayed));
        assert_eq!(s.rotate("f", 2, T), Ok(Rotation::Revoked));
        assert_eq!(s.is_revoked("f"), Ok(true));
    }

    #[test]
    fn a_rotation_undone_accepts_the_same_token_again() {
        let s = MemoryGrants::default();
        s.start_family("f", T).unwrap();
        assert_eq!(s.rotate("f", 0, T), Ok(Rotation::Rotated));
        s.unrotate("f", 0, T).unwrap();
        assert_eq!(s.rotate("f", 0, T), Ok(Rotation::Rotated));
        // Only from gen + 1: a revoked family stays revoked.
        s.revoke_family("f", T).unwrap();
        s.unrotate("f", 0, T).unwrap();
        assert_eq!(s.rotate("f", 1, T), Ok(Rotation::Revoked));
        // start_family does not overwrite a revocation.
        s.start_family("f", T).unwrap();
        assert_eq!(s.is_revoked("f"), Ok(true));
    }

    #[test]
    fn an_unknown_family_is_adopted() {
        let s = MemoryGrants::default();
        assert_eq!(s.rotate("g", 5, T), Ok(Rotation::Rotated));
        assert_eq!(s.rotate("g", 5, T), Ok(Rotation::Replayed));
    }

    #[test]
    fn counts_in_a_window() {
        let s = MemoryGrants::default();
        assert_eq!(s.count("k", T), Ok(1));
        assert_eq!(s.count("k", T), Ok(2));
        assert_eq!(s.count("k", Duration::ZERO), Ok(3));
    }
}
