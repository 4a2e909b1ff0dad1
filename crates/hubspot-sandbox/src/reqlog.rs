//! The request log for tests: the last [`CAPACITY`] API calls (not control paths, not the OAuth sign-in
//! and token endpoints), each with its method, path, the OAuth user whose token made it (`null` for the
//! private-app token or no token), the start of the bearer token, its status and when it was answered
//! (so a test can measure a client's call rate), as `GET /__sandbox/requests` shows them;
//! `DELETE /__sandbox/requests` forgets them.

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;

/// Calls kept; older ones are forgotten first.
pub(crate) const CAPACITY: usize = 2000;

/// Characters of the bearer token the log keeps.
const TOKEN_PREFIX: usize = 10;

/// One logged call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Entry {
    method: String,
    /// The path as received, without the query.
    path: String,
    /// The OAuth user of the token; `None` for the private-app token or no token.
    user_id: Option<u64>,
    /// The first characters of the bearer token and `…`; `None` without a token.
    token: Option<String>,
    /// The response status; `None` when the connection was dropped (`dropNext`).
    status: Option<u16>,
    /// When it was answered, in epoch milliseconds.
    at_ms: i64,
}

impl Entry {
    /// An entry for a call.
    pub(crate) fn new(
        method: &str,
        path: &str,
        user_id: Option<u64>,
        token: Option<&str>,
        status: Option<u16>,
    ) -> Entry {
        Entry {
            method: method.to_string(),
            path: path.to_string(),
            user_id,
            token: token.map(|t| {
                let mut p: String = t.chars().take(TOKEN_PREFIX).collect();
                p.push('…');
                p
            }),
            status,
            at_ms: crate::time::now_ms(),
        }
    }
}

/// The bounded log.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Mutex<VecDeque<Entry>>,
}

impl RequestLog {
    /// Appends a call, forgetting the oldest beyond [`CAPACITY`].
    pub(crate) fn record(&self, entry: Entry) {
        let mut q = self.entries.lock();
        while q.len() >= CAPACITY {
            q.pop_front();
        }
        q.push_back(entry);
    }

    /// The calls, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<Entry> {
        self.entries.lock().iter().cloned().collect()
    }

    /// Forgets every call.
    pub(crate) fn clear(&self) {
        self.entries.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_calls_and_a_token_prefix() {
        let log = RequestLog::default();
        for i in 0..CAPACITY + 5 {
            log.record(Entry::new("GET", &format!("/p/{i}"), None, None, Some(200)));
        }
        let all = log.snapshot();
        assert_eq!(all.len(), CAPACITY);
        assert_eq!(all[0].path, "/p/5");
        let e = Entry::new("GET", "/x", Some(7), Some("sbx-at-0123456789abcdef"), None);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["token"], "sbx-at-012…");
        assert_eq!(v["user_id"], 7);
        assert!(v["status"].is_null());
        assert!(v["at_ms"].as_i64().unwrap() > 1_700_000_000_000);
        log.clear();
        assert!(log.snapshot().is_empty());
    }
}
