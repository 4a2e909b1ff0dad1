//! [`SessionStore`] on Redis, so any replica serves any session.
//!
//! Layout under `REDIS_SESSION_PREFIX` (`mcp:session:`): one string per session, `<prefix><id>`, holding
//! the session as JSON with a time-to-live of `SESSION_MAX_AGE` that every request renews (`GETEX`), so
//! Redis itself expires idle sessions; and one sorted set `<prefix>index` of ids scored by when each was
//! last seen, for the session cap, `/health`'s counts and the reaper (which only trims index entries
//! whose session Redis has expired).
//!
//! Every time written to Redis or compared with what is there (the index scores, a session's
//! `created`, the cut-offs of the counts and of the reaper) is Redis's own clock, read by `TIME` inside
//! the script that uses it: replicas' clocks may disagree, and each process's monotonic clock is its
//! own. A [`Session`] read back carries its times on this process's clock ([`now_ms`] units).
//!
//! Each principal's sessions are also listed, for its quota (`MCP_MAX_SESSIONS_PER_PRINCIPAL`), in a
//! sorted set `<prefix>owner:<principal>` (`<prefix>owner:sub:alice`; `<prefix>owner:` for sessions
//! opened without authentication), and those sets in `<prefix>owners`. A session counts against the
//! quota while its string exists, so Redis's own expiry (and DELETE) frees a slot: [`INSERT_SCRIPT`]
//! drops members whose session is gone before it refuses, and checks cap and quota and adds the session
//! in one Lua script, so replicas racing to open sessions never exceed either. The reaper also prunes
//! the owner sets ([`PRUNE_OWNERS_SCRIPT`]), dropping the empty ones.
//!
//! [`now_ms`]: crate::mcp::session::now_ms

use std::time::Duration;

use serde_json::{json, Value};

use crate::auth::PrincipalId;
use crate::mcp::session::{
    LogLevel, Session, SessionId, SessionStats, SessionStore, StoreError, ACTIVE_WINDOW_MS,
};
use crate::mcp::version::Revision;
use crate::redis::{Redis, RedisError, Reply};
use crate::redis_cmd;

/// Sessions in Redis.
#[derive(Debug)]
pub(crate) struct RedisStore {
    redis: std::sync::Arc<Redis>,
    prefix: String,
    max_sessions: usize,
    per_principal: usize,
    max_idle: Duration,
}

/// Opens a session if the cap and its owner's quota allow, atomically. KEYS: the session, the index,
/// the owner's set, the set of owner sets. ARGV: the session's JSON (an object, without `created`),
/// its TTL (ms), unused, its id, the cap, the quota, the session key prefix. `created` and the scores
/// are Redis's `TIME` (Unix ms). At the cap, index entries whose session Redis has expired (idle past
/// the TTL) are dropped before it refuses. Returns 1 (opened), 0 (the id exists), -1 (cap), -2 (quota).
const INSERT_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[5])
if redis.call('ZCARD', KEYS[2]) >= cap then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('(%d', now - tonumber(ARGV[2])))
  if redis.call('ZCARD', KEYS[2]) >= cap then return -1 end
end
local quota = tonumber(ARGV[6])
if redis.call('ZCARD', KEYS[3]) >= quota then
  for _, m in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
    if redis.call('EXISTS', ARGV[7] .. m) == 0 then redis.call('ZREM', KEYS[3], m) end
  end
  if redis.call('ZCARD', KEYS[3]) >= quota then return -2 end
end
local body = string.sub(ARGV[1], 1, -2) .. string.format(',"created":%d}', now)
if not redis.call('SET', KEYS[1], body, 'PX', ARGV[2], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], now, ARGV[4])
redis.call('ZADD', KEYS[3], now, ARGV[4])
redis.call('SADD', KEYS[4], KEYS[3])
return 1
"#;

/// Looks a session up and renews it: its TTL, and its index score to Redis's `TIME`. KEYS: the
/// session, the index. ARGV: the TTL (ms), the id. Returns `{session JSON or nil, now (Unix ms)}`.
const TOUCH_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('GETEX', KEYS[1], 'PX', ARGV[1])
if v then redis.call('ZADD', KEYS[2], now, ARGV[2]) end
return {v, now}
"#;

/// Replaces a session's JSON if it is still what was read (compare and set), keeping its TTL. KEYS:
/// the session. ARGV: the JSON read, the new JSON. Returns 1 (set), 0 (changed meanwhile: read again),
/// -1 (gone).
const UPDATE_SCRIPT: &str = r#"
local cur = redis.call('GET', KEYS[1])
if not cur then return -1 end
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
"#;

/// Counts on Redis's clock. KEYS: the index. ARGV: the TTL (ms), the active window (ms). Returns
/// `{live, active}`.
const STATS_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {
  redis.call('ZCOUNT', KEYS[1], string.format('(%d', now - tonumber(ARGV[1])), '+inf'),
  redis.call('ZCOUNT', KEYS[1], string.format('%d', now - tonumber(ARGV[2])), '+inf')
}
"#;

/// Drops index entries idle past the TTL on Redis's clock (their sessions are gone). KEYS: the index.
/// ARGV: the TTL (ms). Returns how many.
const TRIM_INDEX_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('(%d', now - tonumber(ARGV[1])))
"#;

/// The reaper's pass over the owner sets: drops members whose session is gone and forgets the sets
/// that end up empty. KEYS: the set of owner sets. ARGV: the session key prefix. Returns the members
/// dropped.
const PRUNE_OWNERS_SCRIPT: &str = r#"
local dropped = 0
for _, owner in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, m in ipairs(redis.call('ZRANGE', owner, 0, -1)) do
    if redis.call('EXISTS', ARGV[1] .. m) == 0 then
      redis.call('ZREM', owner, m)
      dropped = dropped + 1
    end
  end
  if redis.call('EXISTS', owner) == 0 then redis.call('SREM', KEYS[1], owner) end
end
return dropped
"#;

/// Attempts of [`SessionStore::update`] when other replicas keep changing the same session.
const UPDATE_ATTEMPTS: usize = 5;

fn unavailable(e: RedisError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// The session as stored; `created` (Unix ms on Redis's clock) is added by [`INSERT_SCRIPT`], or kept
/// from what was stored.
fn encode(s: &Session, created: Option<u64>) -> String {
    let mut v = json!({
        "revision": s.revision.as_str(),
        "initialized": s.initialized,
        "logLevel": s.log_level.map(LogLevel::as_str),
        "principal": s.principal.as_ref().map(PrincipalId::as_str),
        "client": &*s.client_name,
        "asks": {"form": s.asks.form, "url": s.asks.url},
        "profile": &*s.profile,
    });
    if let Some(c) = created {
        v["created"] = c.into();
    }
    v.to_string()
}

/// A stored session, its times moved onto this process's clock: `local_now` here is `redis_now` there.
/// Also returns `created` as stored.
fn decode(
    id: SessionId,
    bytes: &[u8],
    local_now: u64,
    redis_now: u64,
) -> Option<(Session, Option<u64>)> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    // An owner that does not read back as a typed id (a session written before ids carried their
    // claim) belongs to nobody who could present it now: the session is treated as gone.
    let principal = match &v["principal"] {
        Value::Null => None,
        p => Some(PrincipalId::parse(p.as_str()?)?),
    };
    let created = v["created"].as_u64();
    let age = created.map_or(0, |c| redis_now.saturating_sub(c));
    Some((
        Session {
            id,
            revision: Revision::parse(v["revision"].as_str()?)?,
            created_ms: local_now.saturating_sub(age),
            last_seen_ms: local_now,
            initialized: v["initialized"].as_bool().unwrap_or(false),
            log_level: v["logLevel"].as_str().and_then(LogLevel::parse),
            principal,
            client_name: v["client"].as_str().unwrap_or("").into(),
            asks: crate::approval::Asks {
                form: v["asks"]["form"].as_bool().unwrap_or(false),
                url: v["asks"]["url"].as_bool().unwrap_or(false),
            },
            profile: v["profile"].as_str().unwrap_or("").into(),
        },
        created,
    ))
}

impl RedisStore {
    /// A store on `redis` under `prefix`, holding at most `max_sessions`, at most `per_principal` of
    /// them opened by one principal.
    pub(crate) fn new(
        redis: std::sync::Arc<Redis>,
        prefix: &str,
        max_sessions: usize,
        per_principal: usize,
        max_idle: Duration,
    ) -> RedisStore {
        RedisStore {
            redis,
            prefix: prefix.to_string(),
            max_sessions,
            per_principal,
            max_idle,
        }
    }

    /// The sorted set of `owner`'s sessions (`None`: opened without authentication).
    fn owner(&self, owner: Option<&PrincipalId>) -> String {
        format!(
            "{}owner:{}",
            self.prefix,
            owner.map_or("", PrincipalId::as_str)
        )
    }

    fn owners(&self) -> String {
        format!("{}owners", self.prefix)
    }

    fn key(&self, id: &SessionId) -> String {
        format!("{}{id}", self.prefix)
    }

    fn index(&self) -> String {
        format!("{}index", self.prefix)
    }

    fn ttl_ms(&self) -> String {
        self.max_idle.as_millis().max(1).to_string()
    }
}

fn server_error(r: &Reply) -> Result<(), StoreError> {
    match r {
        Reply::Error(e) => Err(StoreError::Unavailable(format!("Redis refused: {e}"))),
        _ => Ok(()),
    }
}

fn unexpected(what: &str, r: &Reply) -> StoreError {
    StoreError::Unavailable(format!("unexpected reply to the session {what}: {r:?}"))
}

impl SessionStore for RedisStore {
    fn insert(&self, session: Session) -> Result<(), StoreError> {
        let reply = self
            .redis
            .cmd(redis_cmd!(
                "EVAL",
                INSERT_SCRIPT,
                "4",
                self.key(&session.id),
                self.index(),
                self.owner(session.principal.as_ref()),
                self.owners(),
                encode(&session, None),
                self.ttl_ms(),
                "",
                session.id.to_string(),
                self.max_sessions.to_string(),
                self.per_principal.to_string(),
                self.prefix
            ))
            .map_err(unavailable)?;
        server_error(&reply)?;
        match reply.as_int() {
            Some(1) => Ok(()),
            Some(-1) => Err(StoreError::Full {
                max: self.max_sessions,
            }),
            Some(-2) => Err(StoreError::PrincipalFull {
                max: self.per_principal,
            }),
            Some(0) => Err(StoreError::Unavailable(
                "a session with this id exists already".into(),
            )),
            _ => Err(unexpected("insert", &reply)),
        }
    }

    fn touch(&self, id: &SessionId, now_ms: u64) -> Result<Option<Session>, StoreError> {
        let reply = self
            .redis
            .cmd(redis_cmd!(
                "EVAL",
                TOUCH_SCRIPT,
                "2",
                self.key(id),
                self.index(),
                self.ttl_ms(),
                id.to_string()
            ))
            .map_err(unavailable)?;
        server_error(&reply)?;
        match &reply {
            Reply::Array(Some(items)) => {
                match (items.first(), items.get(1).and_then(Reply::as_int)) {
                    (Some(v), Some(redis_now)) => Ok(v.as_bytes().and_then(|b| {
                        decode(*id, b, now_ms, redis_now.max(0) as u64).map(|(s, _)| s)
                    })),
                    _ => Err(unexpected("lookup", &reply)),
                }
            }
            _ => Err(unexpected("lookup", &reply)),
        }
    }

    fn update(
        &self,
        id: &SessionId,
        change: &mut dyn FnMut(&mut Session),
    ) -> Result<bool, StoreError> {
        let key = self.key(id);
        for _ in 0..UPDATE_ATTEMPTS {
            let current = self
                .redis
                .cmd(redis_cmd!("GET", key))
                .map_err(unavailable)?;
            server_error(&current)?;
            let Some(bytes) = current.as_bytes() else {
                return Ok(false);
            };
            let Some((mut s, created)) = decode(*id, bytes, 0, 0) else {
                return Ok(false);
            };
            // The owner is fixed: the per-principal sets depend on it.
            let owner = s.principal.clone();
            change(&mut s);
            s.principal = owner;
            let next = encode(&s, created);
            if next.as_bytes() == bytes {
                return Ok(true);
            }
            let reply = self
                .redis
                .cmd(redis_cmd!("EVAL", UPDATE_SCRIPT, "1", key, bytes, next))
                .map_err(unavailable)?;
            server_error(&reply)?;
            match reply.as_int() {
                Some(1) => return Ok(true),
                Some(-1) => return Ok(false),
                Some(0) => continue,
                _ => return Err(unexpected("update", &reply)),
            }
        }
        Err(StoreError::Unavailable(format!(
            "the session kept changing under {UPDATE_ATTEMPTS} attempts to update it"
        )))
    }

    fn remove(&self, id: &SessionId) -> Result<bool, StoreError> {
        let replies = self
            .redis
            .pipeline(&[
                redis_cmd!("DEL", self.key(id)),
                redis_cmd!("ZREM", self.index(), id.to_string()),
            ])
            .map_err(unavailable)?;
        let first = replies.first().cloned().unwrap_or(Reply::Int(0));
        server_error(&first)?;
        Ok(first.as_int().unwrap_or(0) > 0)
    }

    fn reap(&self, _now_ms: u64) -> usize {
        match self.redis.cmd(redis_cmd!(
            "EVAL",
            PRUNE_OWNERS_SCRIPT,
            "1",
            self.owners(),
            self.prefix
        )) {
            Ok(Reply::Int(n)) if n > 0 => {
                log::debug!(dropped = n; "ended sessions dropped from the per-principal sets")
            }
            Ok(Reply::Int(_)) => {}
            Ok(other) => log::warn!(reply = format!("{other:?}"); "owner prune: unexpected reply"),
            Err(e) => log::warn!(error = e.to_string(); "owner prune failed"),
        }
        match self.redis.cmd(redis_cmd!(
            "EVAL",
            TRIM_INDEX_SCRIPT,
            "1",
            self.index(),
            self.ttl_ms()
        )) {
            Ok(Reply::Int(n)) => usize::try_from(n).unwrap_or(0),
            Ok(other) => {
                log::warn!(reply = format!("{other:?}"); "session reap: unexpected reply");
                0
            }
            Err(e) => {
                log::warn!(error = e.to_string(); "session reap failed");
                0
            }
        }
    }

    fn stats(&self, _now_ms: u64) -> SessionStats {
        match self.redis.cmd(redis_cmd!(
            "EVAL",
            STATS_SCRIPT,
            "1",
            self.index(),
            self.ttl_ms(),
            ACTIVE_WINDOW_MS.to_string()
        )) {
            Ok(Reply::Array(Some(r))) => {
                let total = r.first().and_then(Reply::as_int).unwrap_or(0).max(0) as usize;
                let active = r.get(1).and_then(Reply::as_int).unwrap_or(0).max(0) as usize;
                SessionStats {
                    total,
                    active: active.min(total),
                    idle: total.saturating_sub(active),
                }
            }
            _ => SessionStats::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_round_trips_with_its_claim_and_an_untyped_one_is_no_session() {
        let id = SessionId::random().unwrap();
        let mut s = Session {
            id,
            revision: Revision::V2025_06_18,
            created_ms: 7,
            last_seen_ms: 7,
            initialized: true,
            log_level: None,
            principal: PrincipalId::parse("client_id:alice"),
            client_name: "c".into(),
            asks: Default::default(),
            profile: "".into(),
        };
        let back = decode(id, encode(&s, None).as_bytes(), 7, 7).unwrap().0;
        assert_eq!(back.principal, s.principal);
        assert_ne!(back.principal, PrincipalId::parse("sub:alice"));
        s.principal = None;
        assert_eq!(
            decode(id, encode(&s, None).as_bytes(), 7, 7)
                .unwrap()
                .0
                .principal,
            None
        );
        // Written before ids carried their claim: nobody can own it now.
        let legacy = br#"{"revision":"2025-06-18","principal":"alice","client":"c"}"#;
        assert!(decode(id, legacy, 7, 7).is_none());
    }

    #[test]
    fn created_is_redis_time_read_back_on_this_process_clock() {
        let id = SessionId::random().unwrap();
        let s = Session {
            id,
            revision: Revision::V2025_06_18,
            created_ms: 0,
            last_seen_ms: 0,
            initialized: false,
            log_level: None,
            principal: None,
            client_name: "c".into(),
            asks: Default::default(),
            profile: "".into(),
        };
        // As INSERT_SCRIPT stores it: the JSON object with Redis's TIME appended.
        let json = encode(&s, None);
        assert!(!json.contains("created") && json.ends_with('}'));
        let stored = format!("{},\"created\":1700000000000}}", &json[..json.len() - 1]);
        // Read 2.5 s later (Redis's clock) by a process whose clock says 10_000 ms.
        let (back, created) = decode(id, stored.as_bytes(), 10_000, 1_700_000_002_500).unwrap();
        assert_eq!((back.created_ms, back.last_seen_ms), (7_500, 10_000));
        assert_eq!(created, Some(1_700_000_000_000));
        // An update keeps what Redis wrote.
        assert!(encode(&back, created).contains("\"created\":1700000000000"));
    }
}
