//! Requests running now, keyed by session and JSON-RPC id, so that `notifications/cancelled` can set
//! the [`CancelToken`] of the request it names.

use std::collections::HashMap;

use parking_lot::Mutex;
use serde_json::Value;

use crate::mcp::session::SessionId;
use crate::tools::CancelToken;

type Key = (Option<SessionId>, String);

/// The registry of running requests.
#[derive(Default)]
pub(crate) struct InFlight {
    map: Mutex<HashMap<Key, CancelToken>>,
}

/// Removes its request from the registry when dropped (the request finished, however it ended).
pub(crate) struct InFlightGuard<'a> {
    owner: &'a InFlight,
    key: Key,
    /// The request's token.
    pub(crate) token: CancelToken,
}

impl InFlight {
    /// Registers a request; the guard unregisters it.
    pub(crate) fn register(&self, session: Option<SessionId>, id: &Value) -> InFlightGuard<'_> {
        let key = (session, id.to_string());
        let token = CancelToken::new();
        self.map.lock().insert(key.clone(), token.clone());
        InFlightGuard {
            owner: self,
            key,
            token,
        }
    }

    /// Cancels the request `id` of `session`; false when no such request is running.
    pub(crate) fn cancel(&self, session: Option<SessionId>, id: &Value) -> bool {
        match self.map.lock().get(&(session, id.to_string())) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    /// How many requests are running.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.lock().len()
    }
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.owner.map.lock().remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cancel_reaches_the_named_request_only() {
        let f = InFlight::default();
        let s = SessionId::random().ok();
        let a = f.register(s, &json!(1));
        let b = f.register(s, &json!("1"));
        assert!(f.cancel(s, &json!(1)));
        assert!(a.token.is_cancelled() && !b.token.is_cancelled());
        assert!(!f.cancel(None, &json!(1)));
        drop(a);
        assert!(!f.cancel(s, &json!(1)));
        assert_eq!(f.len(), 1);
    }
}
