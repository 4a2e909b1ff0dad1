//! A person says yes before a model changes the CRM. For each write, the policy (`policy.rs`) decides
//! allow, approve or deny; an approval is asked the way the client can be asked:
//!
//! - a session client with form elicitation: an `elicitation/create` request on the call's SSE stream,
//!   answered by a POST on the same session ([`Approvals::answer`]), waited for ([`Approvals::elicit`]);
//! - a client with URL elicitation: the approval page's address in an `elicitation/create` of mode
//!   `url`; the call waits for the page's decision;
//! - 2026-07-28: an `input_required` result with a sealed `requestState` (principal, tool, argument
//!   digest, expiry, a one-time mark) and the client's retry ([`Approvals::resume`]);
//! - a client that cannot ask: the approval page's one-time link, returned to the model, and a retry
//!   with `approvalId` ([`Approvals::redeem`]).
//!
//! Every approval is bound to the principal, the tool and a SHA-256 of its exact arguments, lapses
//! (`MCP_APPROVAL_TTL_MS`), and allows one write. What must be shared by replicas (approvals, one-time
//! marks, answers, who read outside text, audit lines) is in the ledger and the mailbox, on Redis when
//! `REDIS_URL` is set. After each write, one audit line (`audit.rs`).

pub(crate) mod audit;
mod ledger;
mod mailbox;
pub(crate) mod page;
mod policy;
mod record;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

pub(crate) use audit::Audit;
pub(crate) use page::{PageReply, PageRequest};
pub(crate) use policy::{Asks, Decision};

use crate::config::{ApprovalSettings, Config};
use crate::oauth::seal::{self, Kind, Sealer};
use crate::redis::Redis;
use crate::tools::{Change, ToolDef};
use ledger::{Ledger, LedgerError, MemoryLedger, RedisLedger};
use mailbox::Mailbox;
use record::{Record, Status};

/// The argument a model retries a write with after a person approved it on the page.
pub(crate) use crate::tools::APPROVAL_ARG;
/// The key of the approval in a 2026-07-28 `inputRequests` / `inputResponses` map.
const INPUT_KEY: &str = "approval";
/// The property of the elicitation form a person ticks.
const FORM_FIELD: &str = "approve";
/// Prefix of the JSON-RPC ids of this server's `elicitation/create` requests.
const ELICIT_PREFIX: &str = "hsmcp-approval-";
/// How much of the request's deadline is kept for the write after the answer.
const WRITE_RESERVE: Duration = Duration::from_secs(5);

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    crate::oauth::random_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SHA-256 of the tool's name and its exact arguments (`serde_json`'s maps are ordered, so the same
/// arguments always write the same text): what an approval is bound to.
pub(crate) fn digest(tool: &str, args: &Value) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(tool.as_bytes());
    ctx.update(b"\0");
    ctx.update(args.to_string().as_bytes());
    ctx.finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Who wants a write, and how they can be asked (what the transport knows of the call).
#[derive(Debug, Clone)]
pub(crate) struct Asker {
    /// The principal's written id, or `anonymous` without authentication.
    pub(crate) principal: String,
    /// The token's scopes (policy rules may name one).
    pub(crate) scopes: Vec<String>,
    /// `clientInfo.name`, for the audit line.
    pub(crate) client: String,
    /// The client's elicitation capability.
    pub(crate) asks: Asks,
    /// Whose reading of outside text counts: the session, or (2026-07-28) the principal.
    pub(crate) taint_key: String,
    /// This server's public origin (`https://host`), for the approval page's address.
    pub(crate) origin: String,
    /// The session (session revisions), where answers to elicitations arrive.
    pub(crate) session: Option<String>,
    /// 2025-11-25 and later name the elicitation mode.
    pub(crate) modes: bool,
}

/// What came of asking.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Make the write; `Some(id)` names the approval that allowed it (for the audit line).
    Proceed(Option<String>),
    /// Not yet: the model must show the person the approval page's link, then retry (`approvalId`).
    Asked(String),
    /// Do not write: the person said no, or did not answer in time; tell the model this.
    Declined(String),
    /// Do not write: the approval cannot be used, or none can be asked for; tell the model this (a tool
    /// result with `isError: true`).
    Refuse(String),
    /// 2026-07-28: answer with this `input_required` result; the client retries.
    InputRequired(Value),
}

/// Why a write was not made, as the model reads it.
fn declined(how: &str) -> Outcome {
    Outcome::Declined(format!(
        "The user did not approve this change ({how}); nothing was written. Do not retry it unless the user asks \
         for it again."
    ))
}

fn store_failed(e: &LedgerError) -> Outcome {
    log::warn!(error = e.to_string(); "approval store failed; write refused");
    Outcome::Refuse(
        "The approval could not be recorded (the approval store is unavailable); nothing was written. Try again \
         shortly."
            .into(),
    )
}

/// The sealed `requestState` of a 2026-07-28 approval.
struct State {
    principal: String,
    tool: String,
    digest: String,
    expires_ms: u64,
    /// One-time mark.
    nonce: String,
    /// The page's approval (URL mode), if any.
    record: Option<String>,
}

impl seal::Payload for State {
    fn to_value(&self) -> Value {
        let mut v = json!({"p": self.principal, "t": self.tool, "d": self.digest,
                           "e": self.expires_ms, "n": self.nonce});
        if let Some(r) = &self.record {
            v["r"] = r.clone().into();
        }
        v
    }
    fn from_value(v: &Value) -> Option<Self> {
        Some(State {
            principal: seal::text(v, "p")?,
            tool: seal::text(v, "t")?,
            digest: seal::text(v, "d")?,
            expires_ms: seal::number(v, "e")?,
            nonce: seal::text(v, "n")?,
            record: seal::text(v, "r"),
        })
    }
}

/// Calls waiting for a person, per principal (this process's workers are what they hold).
#[derive(Default)]
struct Waiting(parking_lot::Mutex<std::collections::HashMap<String, usize>>);

/// One call's place among its principal's waiting calls; given back when dropped.
struct WaitSlot<'a> {
    waiting: &'a Waiting,
    principal: String,
}

impl Waiting {
    /// A place for `principal`'s call, unless `max` of its calls already wait.
    fn take(&self, principal: &str, max: usize) -> Option<WaitSlot<'_>> {
        let mut m = self.0.lock();
        let n = m.entry(principal.to_string()).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(WaitSlot {
            waiting: self,
            principal: principal.to_string(),
        })
    }
}

impl Drop for WaitSlot<'_> {
    fn drop(&mut self) {
        let mut m = self.waiting.0.lock();
        if let Some(n) = m.get_mut(&self.principal) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.principal);
            }
        }
    }
}

/// The approval service: policy, ledger, mailbox, sealing, audit.
pub(crate) struct Approvals {
    waiting: Waiting,
    settings: ApprovalSettings,
    ledger: Box<dyn Ledger>,
    mailbox: Mailbox,
    sealer: Option<Sealer>,
    /// Writes audit lines.
    pub(crate) audit: Audit,
}

impl std::fmt::Debug for Approvals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Approvals").finish_non_exhaustive()
    }
}

impl Approvals {
    /// From the configuration; with `redis`, shared by every replica. The sealing key is `OAUTH_KEYS`
    /// in `oauth` mode; else, with Redis, one random key every replica reads from Redis (the first to
    /// start writes it); else one random key per process.
    pub(crate) fn new(cfg: &Config, redis: Option<Arc<Redis>>) -> Approvals {
        let mut secrets: Vec<String> = cfg
            .oauth()
            .map(|o| o.keys.iter().map(|k| k.expose().to_string()).collect())
            .unwrap_or_default();
        let prefix = cfg.redis_session_prefix().to_string();
        if secrets.is_empty() {
            secrets.push(shared_key(redis.as_deref(), &prefix).unwrap_or_else(|| random_hex(32)));
        }
        // `secrets` holds a key, so this is always `Some`; a `None` would refuse 2026-07-28 approvals.
        let sealer = Sealer::new(&secrets);
        let (ledger, mailbox): (Box<dyn Ledger>, Mailbox) = match redis {
            Some(r) => {
                let l = RedisLedger::new(r, &prefix);
                let m = Mailbox::Redis {
                    redis: Arc::clone(l.redis()),
                    prefix: l.prefix().to_string(),
                    // Longer than any wait (the approval timeout is below the request deadline).
                    ttl_ms: (cfg.request_timeout().as_millis() + 30_000).to_string(),
                };
                (Box::new(l), m)
            }
            None => (
                Box::new(MemoryLedger::default()),
                Mailbox::Memory(parking_lot::Mutex::default()),
            ),
        };
        Approvals {
            waiting: Waiting::default(),
            settings: cfg.approvals().clone(),
            ledger,
            mailbox,
            sealer,
            audit: Audit,
        }
    }

    /// What the policy says of `change` by `who` (with its reading of outside text counted).
    pub(crate) fn decide(&self, def: &ToolDef, change: &Change, who: &Asker) -> Decision {
        let untrusted = self.ledger.tainted(&who.taint_key).unwrap_or_else(|e| {
            // Unknown: counted as read, so a client that can ask is asked.
            log::warn!(error = e.to_string(); "approval store failed reading the untrusted mark");
            true
        });
        policy::decide(
            &self.settings,
            def,
            change,
            &who.scopes,
            who.asks,
            untrusted,
        )
    }

    /// Notes that `who` just read outside free text.
    pub(crate) fn read_untrusted(&self, who: &Asker) {
        if self.settings.untrusted_window.is_zero() {
            // `MCP_UNTRUSTED_WINDOW_MS=0`: the floor is off.
            return;
        }
        let window = if who.session.is_some() {
            // A session's writes for its whole life: the longest a session may live.
            self.settings
                .untrusted_window
                .max(Duration::from_secs(24 * 3600))
        } else {
            self.settings.untrusted_window
        };
        if let Err(e) = self.ledger.taint(&who.taint_key, window) {
            log::warn!(error = e.to_string(); "approval store failed recording the untrusted mark");
        }
    }

    /// The address of approval `id`'s page.
    fn link(&self, who: &Asker, id: &str) -> String {
        format!("{}/approvals/{id}", who.origin.trim_end_matches('/'))
    }

    /// A new pending approval of `change`, or the refusal to give the model.
    fn open_record(
        &self,
        who: &Asker,
        def: &ToolDef,
        digest: &str,
        change: &Change,
    ) -> Result<Record, Outcome> {
        let r = Record {
            id: random_hex(16),
            principal: who.principal.clone(),
            tool: def.name.to_string(),
            digest: digest.to_string(),
            summary: change.summary(),
            csrf: random_hex(16),
            expires_ms: now_ms() + self.settings.ttl.as_millis() as u64,
        };
        match self
            .ledger
            .create(&r, self.settings.ttl, self.settings.max_pending)
        {
            Ok(true) => Ok(r),
            Ok(false) => Err(Outcome::Refuse(format!(
                "{} approvals are already waiting for this user (MCP_MAX_PENDING_APPROVALS); nothing was written. \
                 Ask the user to answer or let them lapse first.",
                self.settings.max_pending
            ))),
            Err(e) => Err(store_failed(&e)),
        }
    }

    /// The link flow: a page to approve on, and what the model must tell the user.
    pub(crate) fn ask_by_link(
        &self,
        who: &Asker,
        def: &ToolDef,
        digest: &str,
        change: &Change,
    ) -> Outcome {
        if who.origin.is_empty() {
            // stdio: no page to approve on.
            return Outcome::Refuse(format!(
                "This change needs the user's approval, and this client cannot ask them (it declares no \
                 elicitation) and has no approval page over stdio; nothing was written. The operator's \
                 MCP_WRITE_POLICY decides which writes need approval.\n\nThe change:\n{}",
                change.summary()
            ));
        }
        let r = match self.open_record(who, def, digest, change) {
            Ok(r) => r,
            Err(o) => return o,
        };
        Outcome::Asked(format!(
            "This change needs the user's approval before it is made; nothing was written yet.\n\
             Ask the user to open {} , review the change and press Approve. Then call {} again with exactly the \
             same arguments plus \"{APPROVAL_ARG}\": \"{}\". The approval lapses in {} minutes and allows this one \
             change once.\n\nThe change:\n{}",
            self.link(who, &r.id),
            def.name,
            r.id,
            self.settings.ttl.as_secs().div_ceil(60),
            r.summary
        ))
    }

    /// A retry with `approvalId`: proceeds only for an approved, unused approval of this principal, this
    /// tool and exactly these arguments, and uses it up.
    pub(crate) fn redeem(&self, who: &Asker, tool: &str, digest: &str, id: &str) -> Outcome {
        let refuse = |why: &str| {
            Outcome::Refuse(format!(
                "The approval {APPROVAL_ARG} given cannot be used: {why}. Nothing was written."
            ))
        };
        let (r, status) = match self.ledger.get(id) {
            Ok(Some(x)) => x,
            Ok(None) => return refuse("it is unknown or has lapsed"),
            Err(e) => return store_failed(&e),
        };
        if r.principal != who.principal {
            return refuse("it is unknown or has lapsed");
        }
        if r.tool != tool || r.digest != digest {
            return refuse(
                "it was given for a different change (another tool, other records or other values); call again \
                 without it to ask for a new one",
            );
        }
        match status {
            Status::Pending => {
                return refuse(&format!(
                "the user has not approved it yet; ask them to open {} and approve it, then retry",
                self.link(who, id)
            ))
            }
            Status::Rejected => return declined("rejected on the approval page"),
            Status::Used => {
                return refuse("it has already been used; each approval allows one change")
            }
            Status::Approved => {}
        }
        match self.ledger.advance(&r, Status::Approved, Status::Used) {
            Ok(true) => Outcome::Proceed(Some(r.id)),
            Ok(false) => refuse("it has already been used; each approval allows one change"),
            Err(e) => store_failed(&e),
        }
    }

    /// Whether a client's form answer may stand for the person's yes (`MCP_APPROVAL_PAGE_ONLY` off, and the
    /// client declared form elicitation).
    fn form_allowed(&self, who: &Asker) -> bool {
        who.asks.form && !self.settings.page_only
    }

    /// The `elicitation/create` params of a form approval.
    fn form_params(&self, who: &Asker, change: &Change) -> Value {
        let mut p = json!({
            "message": format!("Approve this change to HubSpot?\n\n{}", change.summary()),
            "requestedSchema": {
                "type": "object",
                "properties": { FORM_FIELD: {
                    "type": "boolean",
                    "title": "Make this change",
                    "description": "Leave ticked and accept to make the change; decline to make none.",
                    "default": true
                }},
                "required": [FORM_FIELD]
            }
        });
        if who.modes {
            p["mode"] = "form".into();
        }
        p
    }

    /// Session revisions: asks on the call's stream (`send` writes one JSON-RPC message; an empty line
    /// is a keep-alive) and waits for the answer until the approval timeout or `deadline` less the time
    /// the write needs, whichever is first. No answer is a no.
    pub(crate) fn elicit(
        &self,
        who: &Asker,
        def: &ToolDef,
        digest: &str,
        change: &Change,
        deadline: Instant,
        send: &mut dyn FnMut(&str) -> bool,
    ) -> Outcome {
        let Some(session) = who.session.as_deref() else {
            return self.ask_by_link(who, def, digest, change);
        };
        // A worker is held while a person decides: each principal holds at most MCP_MAX_PENDING_APPROVALS.
        let Some(_slot) = self.waiting.take(&who.principal, self.settings.max_pending) else {
            return Outcome::Refuse(format!(
                "{} approvals are already waiting for this user (MCP_MAX_PENDING_APPROVALS); nothing was \
                 written. Ask the user to answer them first.",
                self.settings.max_pending
            ));
        };
        let until = (Instant::now() + self.settings.timeout)
            .min(deadline.checked_sub(WRITE_RESERVE).unwrap_or(deadline));
        if !self.form_allowed(who) {
            if who.asks.url {
                return self.elicit_url(who, def, digest, change, until, send);
            }
            return self.ask_by_link(who, def, digest, change);
        }
        let rpc_id = format!("{ELICIT_PREFIX}form-{}", random_hex(16));
        let Some(open) = self.mailbox.open(&format!("{session}/{rpc_id}")) else {
            return Outcome::Refuse(
                "Too many approvals are waiting on this server; nothing was written.".into(),
            );
        };
        let req = json!({"jsonrpc": "2.0", "id": rpc_id, "method": "elicitation/create",
                         "params": self.form_params(who, change)});
        if !send(&req.to_string()) {
            return declined("the client went away");
        }
        let answer = open.wait(until, &mut || send(""));
        match answer {
            None => declined("no answer before the approval timeout"),
            Some(a) => match form_verdict(a.get("result")) {
                Ok(()) => Outcome::Proceed(Some(format!("elicitation:{rpc_id}"))),
                Err(how) => declined(how),
            },
        }
    }

    /// URL elicitation: the page's address on the stream; waits for the page's decision.
    fn elicit_url(
        &self,
        who: &Asker,
        def: &ToolDef,
        digest: &str,
        change: &Change,
        until: Instant,
        send: &mut dyn FnMut(&str) -> bool,
    ) -> Outcome {
        let r = match self.open_record(who, def, digest, change) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let Some(open) = self.mailbox.open(&page_box(&r.id)) else {
            return Outcome::Refuse(
                "Too many approvals are waiting on this server; nothing was written.".into(),
            );
        };
        let req = json!({"jsonrpc": "2.0", "id": format!("{ELICIT_PREFIX}url-{}", r.id),
        "method": "elicitation/create", "params": {
            "mode": "url", "elicitationId": r.id, "url": self.link(who, &r.id),
            "message": format!("Approve this change to HubSpot on the approval page.\n\n{}", r.summary)
        }});
        if !send(&req.to_string()) {
            return declined("the client went away");
        }
        let answer = open.wait(until, &mut || send(""));
        let done = json!({"jsonrpc": "2.0", "method": "notifications/elicitation/complete",
                          "params": {"elicitationId": r.id}});
        match answer
            .as_ref()
            .and_then(|a| a.get("page"))
            .and_then(Value::as_bool)
        {
            Some(true) => {
                send(&done.to_string());
                match self.ledger.advance(&r, Status::Approved, Status::Used) {
                    Ok(true) => Outcome::Proceed(Some(r.id)),
                    Ok(false) => declined("the approval was used or withdrawn"),
                    Err(e) => store_failed(&e),
                }
            }
            Some(false) => {
                send(&done.to_string());
                declined("rejected on the approval page")
            }
            None => {
                // The client declined to open it, or time ran out: the page's approval is withdrawn.
                let _ = self.ledger.advance(&r, Status::Pending, Status::Rejected);
                match answer {
                    Some(_) => declined("the client did not open the approval page"),
                    None => declined("no answer before the approval timeout"),
                }
            }
        }
    }

    /// A client's answer to one of this server's requests (a JSON-RPC response POSTed on `session`):
    /// handed to the call waiting for it. False when it answers nothing this server asked.
    pub(crate) fn answer(&self, session: &str, principal: &str, response: &Value) -> bool {
        let Some(id) = response.get("id").and_then(Value::as_str) else {
            return false;
        };
        let Some(rest) = id.strip_prefix(ELICIT_PREFIX) else {
            return false;
        };
        if rest.starts_with("form-") {
            return self.mailbox.post(&format!("{session}/{id}"), response);
        }
        if let Some(rid) = rest.strip_prefix("url-") {
            // Only the principal it was asked of may withdraw it.
            match self.ledger.get(rid) {
                Ok(Some((r, _))) if r.principal == principal => {}
                _ => return false,
            }
            // The client's own answer only matters when it refuses to open the page.
            let refused = response.get("error").is_some()
                || response
                    .pointer("/result/action")
                    .and_then(Value::as_str)
                    .is_some_and(|a| a != "accept");
            if refused {
                return self
                    .mailbox
                    .post(&page_box(rid), &json!({"client": "declined"}));
            }
            return true;
        }
        false
    }

    /// 2026-07-28, first call: the `input_required` result asking for the approval.
    pub(crate) fn input_required(
        &self,
        who: &Asker,
        def: &ToolDef,
        digest: &str,
        change: &Change,
    ) -> Outcome {
        let mut state = State {
            principal: who.principal.clone(),
            tool: def.name.to_string(),
            digest: digest.to_string(),
            expires_ms: now_ms() + self.settings.ttl.as_millis() as u64,
            nonce: random_hex(16),
            record: None,
        };
        let request = if self.form_allowed(who) {
            json!({"method": "elicitation/create", "params": self.form_params(who, change)})
        } else if who.asks.url {
            let r = match self.open_record(who, def, digest, change) {
                Ok(r) => r,
                Err(o) => return o,
            };
            state.record = Some(r.id.clone());
            json!({"method": "elicitation/create", "params": {
                "mode": "url", "elicitationId": r.id, "url": self.link(who, &r.id),
                "message": format!("Approve this change to HubSpot on the approval page.\n\n{}", r.summary)}})
        } else {
            return self.ask_by_link(who, def, digest, change);
        };
        let mut requests = Map::new();
        requests.insert(INPUT_KEY.into(), request);
        self.input_required_with(requests, &state)
    }

    /// 2026-07-28, the retry: proceeds only when the state is this server's, for this principal, tool and
    /// exact arguments, unexpired, never used before, and the person accepted.
    pub(crate) fn resume(
        &self,
        who: &Asker,
        def: &ToolDef,
        digest: &str,
        change: &Change,
        request_state: &str,
        responses: Option<&Value>,
    ) -> Outcome {
        let refuse = |why: &str| {
            Outcome::Refuse(format!(
                "The requestState given cannot be used: {why}. Nothing was written."
            ))
        };
        let Some(state) = self
            .sealer
            .as_ref()
            .and_then(|s| s.open::<State>(Kind::Approval, request_state))
        else {
            return refuse("this server did not issue it");
        };
        if state.principal != who.principal {
            return refuse("it was issued to someone else");
        }
        if state.tool != def.name || state.digest != digest {
            return refuse("it was issued for a different change (another tool, other records or other values)");
        }
        if state.expires_ms <= now_ms() {
            return refuse("it has lapsed; call again without it");
        }
        let page = match &state.record {
            Some(id) => match self.ledger.get(id) {
                Ok(Some((r, s))) if r.principal == who.principal => Some((r, s)),
                Ok(_) => return refuse("its approval has lapsed; call again without it"),
                Err(e) => return store_failed(&e),
            },
            None => None,
        };
        if let Some((_, Status::Pending)) = &page {
            // The person has not decided yet: ask again (the same page) rather than fail.
            return self.input_required_again(who, def, digest, change, state);
        }
        match self.ledger.first_use(&state.nonce, self.settings.ttl) {
            Ok(true) => {}
            Ok(false) => {
                return refuse("it has already been used; each approval allows one change")
            }
            Err(e) => return store_failed(&e),
        }
        match page {
            Some((r, Status::Approved)) => {
                match self.ledger.advance(&r, Status::Approved, Status::Used) {
                    Ok(true) => Outcome::Proceed(Some(r.id)),
                    Ok(false) => {
                        refuse("it has already been used; each approval allows one change")
                    }
                    Err(e) => store_failed(&e),
                }
            }
            Some(_) => declined("rejected on the approval page"),
            None if self.settings.page_only => {
                refuse("approvals are made on the approval page only (MCP_APPROVAL_PAGE_ONLY); call again without it")
            }
            None => {
                let answer = responses.and_then(|r| r.get(INPUT_KEY));
                match form_verdict(answer) {
                    Ok(()) => Outcome::Proceed(Some(format!("state:{}", state.nonce))),
                    Err(how) => declined(how),
                }
            }
        }
    }

    /// A URL-mode state whose page is still pending: the same request again, with a fresh state.
    fn input_required_again(
        &self,
        who: &Asker,
        def: &ToolDef,
        digest: &str,
        change: &Change,
        old: State,
    ) -> Outcome {
        let Some(rid) = old.record.clone() else {
            return self.input_required(who, def, digest, change);
        };
        let state = State {
            nonce: random_hex(16),
            ..old
        };
        let mut requests = Map::new();
        requests.insert(
            INPUT_KEY.into(),
            json!({"method": "elicitation/create", "params": {
                "mode": "url", "elicitationId": rid, "url": self.link(who, &rid),
                "message": format!("Approve this change to HubSpot on the approval page.\n\n{}", change.summary())}}),
        );
        self.input_required_with(requests, &state)
    }

    /// The `input_required` result carrying `requests` and `state`, sealed.
    fn input_required_with(&self, requests: Map<String, Value>, state: &State) -> Outcome {
        match &self.sealer {
            Some(s) => Outcome::InputRequired(json!({
                "resultType": "input_required",
                "inputRequests": requests,
                "requestState": s.seal(Kind::Approval, state),
            })),
            None => Outcome::Refuse(
                "This server cannot seal approval state; nothing was written.".into(),
            ),
        }
    }

    /// The approval page (`/approvals/<id>`): shows the change, and takes the person's decision.
    pub(crate) fn page(&self, req: &PageRequest<'_>) -> PageReply {
        page::serve(self, req)
    }

    /// Records the page's decision and wakes the waiting call, if any. False when it was not pending.
    fn decide_on_page(&self, r: &Record, approve: bool) -> Result<bool, LedgerError> {
        let to = if approve {
            Status::Approved
        } else {
            Status::Rejected
        };
        let moved = self.ledger.advance(r, Status::Pending, to)?;
        if moved {
            self.mailbox
                .post(&page_box(&r.id), &json!({"page": approve}));
        }
        Ok(moved)
    }

    /// Writes the audit line of a write that was made, and keeps it for its principal.
    pub(crate) fn record_write(&self, line: &audit::Line<'_>) {
        let text = self.audit.write(line);
        if let Err(e) = self.ledger.audit(line.principal, &text) {
            log::warn!(error = e.to_string(); "approval store failed keeping an audit line");
        }
    }

    /// `principal`'s recent audit lines, newest first (the `hubspot://audit/mine` resource).
    pub(crate) fn audit_lines(&self, principal: &str) -> Result<Vec<Value>, String> {
        self.ledger
            .audit_lines(principal)
            .map(|v| {
                v.iter()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect()
            })
            .map_err(|e| e.to_string())
    }
}

/// The mailbox key the page's decision on approval `id` goes to.
fn page_box(id: &str) -> String {
    format!("page:{id}")
}

/// Reads an elicitation answer: accepted with the box ticked (or left out) is a yes.
fn form_verdict(result: Option<&Value>) -> Result<(), &'static str> {
    let Some(r) = result else {
        return Err("the client answered with an error");
    };
    match r.get("action").and_then(Value::as_str) {
        Some("accept") => {
            if r.pointer(&format!("/content/{FORM_FIELD}")) == Some(&Value::Bool(false)) {
                Err("the box was unticked")
            } else {
                Ok(())
            }
        }
        Some("decline") => Err("declined"),
        Some("cancel") => Err("cancelled"),
        _ => Err("the answer was not understood"),
    }
}

/// With Redis, the key every replica seals approval state with: written once by the first replica
/// (`SET NX`), read by all. `None` when Redis cannot be reached (then a process key: state sealed on one
/// replica will not open on another).
fn shared_key(redis: Option<&Redis>, prefix: &str) -> Option<String> {
    let redis = redis?;
    let key = format!("{prefix}approval:key");
    let _ = redis.cmd(crate::redis_cmd!("SET", key, random_hex(32), "NX"));
    match redis.cmd(crate::redis_cmd!("GET", key)) {
        Ok(r) => r
            .as_bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned()),
        Err(e) => {
            log::warn!(error = e.to_string(); "redis unreachable at start: approval state is sealed with this process's own key");
            None
        }
    }
}

#[cfg(test)]
mod tests;
