//! The tool registry: the [`Tool`] trait and the one list of every tool (`Registry::build`).
//!
//! A tool takes its `arguments` object (a `serde_json::Value`, which it deserializes into its own args
//! struct with `parse_args`) and returns a [`ToolOutput`] or a [`ToolError`]; tools know nothing of
//! JSON-RPC or HTTP. The registry renders each `tools/list` page on first use, for each view (all tools,
//! read-only ones), so listing tools afterwards costs one string copy; the protocol decorates a page for
//! its revision (`mcp::dispatch`).

// Defined before the modules, which use it (a macro's scope is textual).
/// `json!` for an input schema: a [`Schema`] from a JSON literal (the tools' definitions as code).
#[cfg(test)]
macro_rules! schema_json {
    ($($t:tt)+) => {
        $crate::tools::Schema::from(serde_json::json!($($t)+))
    };
}

mod account;
mod aggregate;
mod args;
mod associations;
mod batch;
pub(crate) mod change;
pub(crate) mod common;
mod defs;
mod diagnostics;
mod engagements;
pub(crate) mod icons;
mod lists;
mod owners;
mod pipelines;
mod plan;
pub(crate) mod profile;
mod properties;
mod records;
mod schema;
mod schemas;
pub(crate) mod untrusted;
mod workflows;

pub use schema::Schema;

#[cfg(test)]
mod budget_tests;
#[cfg(test)]
mod schema_tests;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use serde_json::{json, Map, Value};

use crate::cache::TtlCache;
use crate::hubspot;
pub use change::{Change, Effect, FieldChange};
pub use defs::MissingDef;
pub use profile::UnknownTool;

/// Why the tools could not be set up (the server does not start: exit 78).
#[derive(Debug)]
pub enum BuildError {
    /// A tool has no definition in this binary.
    MissingDef(MissingDef),
    /// `MCP_TOOL_PROFILES` names a tool this server does not have.
    UnknownTool(UnknownTool),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingDef(e) => e.fmt(f),
            BuildError::UnknownTool(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BuildError {}

impl From<MissingDef> for BuildError {
    fn from(e: MissingDef) -> Self {
        BuildError::MissingDef(e)
    }
}

impl From<UnknownTool> for BuildError {
    fn from(e: UnknownTool) -> Self {
        BuildError::UnknownTool(e)
    }
}
use profile::{ProfileId, Profiles};

/// The family a tool belongs to (`HUBSPOT_TOOLSETS` selects families): the configuration defines it.
pub use crate::config::Toolset as Family;

/// What tools share: the HubSpot client, the metadata cache, output limits.
pub(crate) struct Services {
    /// The HubSpot client; `None` when no token is configured (tools then say so).
    pub(crate) hubspot: Option<std::sync::Arc<hubspot::Client>>,
    /// Metadata cache (properties, schemas, pipelines, owners, association labels).
    pub(crate) cache: TtlCache,
    /// Characters of text a tool result may carry (`MCP_TOOL_TEXT_LIMIT`).
    pub(crate) text_limit: usize,
}

impl Services {
    /// Services with no HubSpot client (tests of tools that need none).
    #[cfg(test)]
    pub(crate) fn offline() -> Services {
        Services {
            hubspot: None,
            cache: TtlCache::new(std::time::Duration::from_secs(60), 100),
            text_limit: 20_000,
        }
    }

    /// Services whose HubSpot client talks to `sandbox` (started in-process by a unit test), with rate
    /// limits no test reaches and no retries.
    #[cfg(all(test, feature = "sandbox"))]
    pub(crate) fn sandbox(sandbox: &hubspot_sandbox::Sandbox) -> Result<Services, hubspot::Error> {
        let client = hubspot::Client::new(hubspot::Settings {
            base_url: sandbox.base_url(),
            token: crate::obs::redact::Secret::new("pat-unit-test".into()),
            rate: 10_000,
            search_rate: 10_000,
            connect_timeout: std::time::Duration::from_secs(2),
            call_timeout: std::time::Duration::from_secs(20),
            pool: 2,
            max_retries: 0,
            extra_ca_pem: None,
            shared_budget: None,
            masking: None,
        });
        let mut services = Services::offline();
        services.hubspot = Some(Arc::new(client?));
        Ok(services)
    }
}

/// MCP tool annotations (hints to the client; the spec's defaults are the pessimistic ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annotations {
    /// Changes nothing.
    pub read_only: bool,
    /// May delete or overwrite (meaningful when not read-only).
    pub destructive: bool,
    /// Repeating the call with the same arguments has no further effect.
    pub idempotent: bool,
    /// Talks to a world outside this server (HubSpot).
    pub open_world: bool,
}

impl Annotations {
    /// Reads HubSpot and changes nothing.
    #[cfg(test)]
    const READ: Annotations = Annotations {
        read_only: true,
        destructive: false,
        idempotent: true,
        open_world: true,
    };
    /// Changes nothing and talks to nothing outside this server (diagnostics).
    #[cfg(test)]
    const LOCAL: Annotations = Annotations {
        open_world: false,
        ..Annotations::READ
    };

    /// The hints `tools/list` states: those that differ from the spec's defaults (`readOnlyHint` false,
    /// `destructiveHint` true, `idempotentHint` false, `openWorldHint` true), and `destructiveHint` /
    /// `idempotentHint` only for a tool that writes (the spec gives them no meaning otherwise). Reading
    /// the spec's defaults into what is left out, and a read-only tool as not destructive and idempotent,
    /// gives these annotations back exactly (the registry test reads every tool's back).
    fn stated(&self) -> Map<String, Value> {
        let mut a = Map::new();
        if self.read_only {
            a.insert("readOnlyHint".into(), true.into());
        } else {
            if !self.destructive {
                a.insert("destructiveHint".into(), false.into());
            }
            if self.idempotent {
                a.insert("idempotentHint".into(), true.into());
            }
        }
        if !self.open_world {
            a.insert("openWorldHint".into(), false.into());
        }
        a
    }
}

/// What `tools/list` says about a tool.
#[derive(Debug, Clone)]
pub struct ToolDef {
    /// Unique, `[A-Za-z0-9_.-]{1,128}`.
    pub name: &'static str,
    /// When a model should use it, and what it returns.
    pub description: &'static str,
    /// Its family.
    pub family: Family,
    /// Hints.
    pub annotations: Annotations,
    /// JSON Schema of the arguments (`type: object`).
    pub input_schema: Schema,
}

impl ToolDef {
    /// The MCP `Tool` object, the same in every revision: `name`, `description`, `inputSchema`, and
    /// `annotations` when a hint differs from the spec's defaults ([`Annotations::stated`]). What the
    /// spec makes optional and a model does not need is left out, because every client puts the whole
    /// list into the model's context (issue #13; docs/performance.md, "The tool list's size"): no
    /// `title` (the name says it again), no `outputSchema` (the tools return `structuredContent` without
    /// declaring its shape, which the spec allows).
    #[cfg(test)]
    fn to_json(&self) -> Value {
        serde_json::to_value(self.listed(None)).unwrap_or(Value::Null)
    }

    /// The entry as `tools/list` writes it, with `icons` when given.
    fn listed(&self, icons: Option<Value>) -> Listed<'_> {
        Listed {
            annotations: self.annotations.stated(),
            description: self.description,
            icons,
            input_schema: self.input_schema.raw(),
            name: self.name,
        }
    }
}

/// A tool's `tools/list` entry ([`ToolDef::listed`]). The fields are in the order a `serde_json::Map`
/// would write them, so a page reads the same as when it was built from `Value`s.
#[derive(serde::Serialize)]
struct Listed<'a> {
    #[serde(skip_serializing_if = "Map::is_empty")]
    annotations: Map<String, Value>,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    icons: Option<Value>,
    #[serde(rename = "inputSchema")]
    input_schema: &'a serde_json::value::RawValue,
    name: &'a str,
}

/// One `tools/list` page: `nextCursor` (when more follow) and `tools`, in `Map` order as above.
#[derive(serde::Serialize)]
struct Page<'a> {
    #[serde(rename = "nextCursor", skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
    tools: &'a [Listed<'a>],
}

/// A tool's successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    /// Compact text for the model.
    pub(crate) text: String,
    /// The same data as JSON (`structuredContent`), for the tools whose answer is one JSON value.
    pub(crate) structured: Option<Structured>,
}

/// A tool's `structuredContent`: a value, or JSON already written (a page of records is written once,
/// as it is read: `common::RecordsWriter`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Structured {
    Value(Value),
    /// JSON text of one object, keys in the order a `Value`'s would be written.
    Json(String),
}

impl Structured {
    /// As a value (JSON text parsed).
    pub(crate) fn into_value(self) -> Value {
        match self {
            Structured::Value(v) => v,
            Structured::Json(t) => serde_json::from_str(&t).unwrap_or_default(),
        }
    }

    /// The value, when it is one (a write's answer always is).
    pub(crate) fn as_value(&self) -> Option<&Value> {
        match self {
            Structured::Value(v) => Some(v),
            Structured::Json(_) => None,
        }
    }
}

/// Why a tool call failed. Every variant becomes a `CallToolResult` with `isError: true`: the model
/// reads the message and can correct itself.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolError {
    /// The arguments do not match the input schema.
    InvalidArguments(String),
    /// The client cancelled the request.
    Cancelled,
    /// The request's deadline passed.
    DeadlineExceeded,
    /// HubSpot refused or failed; the error keeps HubSpot's status, category, hint and correlation id.
    HubSpot(hubspot::Error),
    /// No HubSpot token is configured.
    NotConfigured,
    /// The POST this call belongs to has made all the HubSpot calls it may.
    CallBudgetSpent {
        /// `MCP_MAX_HUBSPOT_CALLS_PER_REQUEST`.
        limit: usize,
    },
}

impl From<hubspot::Error> for ToolError {
    fn from(e: hubspot::Error) -> Self {
        ToolError::HubSpot(e)
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::InvalidArguments(m) => write!(f, "Invalid arguments: {m}"),
            ToolError::Cancelled => f.write_str("The request was cancelled by the client."),
            ToolError::DeadlineExceeded => f.write_str(
                "The request ran out of time before the tool finished; try a narrower request.",
            ),
            ToolError::HubSpot(e) => write!(f, "{e}"),
            ToolError::CallBudgetSpent { limit } => write!(
                f,
                "This request has made the {limit} HubSpot calls one request may make (MCP_MAX_HUBSPOT_CALLS_PER_REQUEST); send fewer messages in a batch or ask for fewer results."
            ),
            ToolError::NotConfigured => f.write_str(
                "No HubSpot account is configured: set HUBSPOT_ACCESS_TOKEN, or run the server with --demo.",
            ),
        }
    }
}

impl std::error::Error for ToolError {}

/// A flag the transport sets when the client cancels a request.
#[derive(Debug, Clone, Default)]
pub(crate) struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A fresh, uncancelled token.
    pub(crate) fn new() -> Self {
        Self::default()
    }
    /// Marks the request cancelled.
    pub(crate) fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// True once cancelled.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What one request (one POST, a whole batch) may spend, shared by all of its messages: HubSpot
/// calls, counted down, and a probe that says when its client has gone so the work can stop.
pub(crate) struct RequestBudget {
    calls_left: AtomicUsize,
    limit: usize,
    client_gone: Option<Box<dyn Fn() -> bool + Send + Sync>>,
}

impl RequestBudget {
    /// At most `limit` HubSpot calls; `client_gone` tells when nobody waits for the answer any more.
    pub(crate) fn new(
        limit: usize,
        client_gone: Option<Box<dyn Fn() -> bool + Send + Sync>>,
    ) -> Self {
        RequestBudget {
            calls_left: AtomicUsize::new(limit),
            limit,
            client_gone,
        }
    }
    /// Takes one HubSpot call, or fails once they are spent.
    fn take_call(&self) -> Result<(), ToolError> {
        self.calls_left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .map(|_| ())
            .map_err(|_| ToolError::CallBudgetSpent { limit: self.limit })
    }
    /// True once the client has closed its connection.
    pub(crate) fn client_gone(&self) -> bool {
        self.client_gone.as_ref().is_some_and(|f| f())
    }
}

impl fmt::Debug for RequestBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBudget")
            .field("calls_left", &self.calls_left)
            .field("limit", &self.limit)
            .finish()
    }
}

/// Progress reports go here: `(progress, total, message)`; returns false once the client is gone.
type ProgressFn<'a> = dyn FnMut(f64, Option<f64>, Option<&str>) -> bool + 'a;

/// What a tool may use while it runs.
pub struct ToolContext<'a> {
    progress: Option<&'a mut ProgressFn<'a>>,
    cancel: &'a CancelToken,
    deadline: Instant,
    services: &'a Services,
    budget: Option<&'a RequestBudget>,
    /// The signed-in person's HubSpot token (`oauth` mode); `None`: the configured private-app token.
    user: Option<&'a hubspot::UserToken>,
    /// Set when the tool returned free text that came from outside the company (note bodies, emails,
    /// form fields): a write soon after is asked of a person.
    untrusted: std::cell::Cell<bool>,
    /// HubSpot's correlation ids of the write calls made (for the audit line).
    correlations: std::cell::RefCell<Vec<String>>,
}

impl<'a> ToolContext<'a> {
    /// A context; `progress` is `None` when the client asked for no progress.
    pub(crate) fn new(
        progress: Option<&'a mut ProgressFn<'a>>,
        cancel: &'a CancelToken,
        deadline: Instant,
        services: &'a Services,
    ) -> Self {
        ToolContext {
            progress,
            cancel,
            deadline,
            services,
            budget: None,
            user: None,
            untrusted: std::cell::Cell::new(false),
            correlations: std::cell::RefCell::new(Vec::new()),
        }
    }
    /// Notes that this call returned outside free text (see [`ToolContext::read_untrusted`]).
    pub(crate) fn mark_untrusted(&self) {
        self.untrusted.set(true);
    }
    /// True when this call returned free text from outside the company.
    pub(crate) fn read_untrusted(&self) -> bool {
        self.untrusted.get()
    }
    /// HubSpot's correlation ids of this call's writes, in order.
    pub(crate) fn correlation_ids(&self) -> Vec<String> {
        self.correlations.borrow().clone()
    }
    /// Calls HubSpot as `user` (their own token and portal) instead of with the configured token.
    pub(crate) fn acting_as(mut self, user: Option<&'a hubspot::UserToken>) -> Self {
        self.user = user;
        self
    }
    /// Spends HubSpot calls from `budget` (shared by every message of one request).
    pub(crate) fn with_budget(mut self, budget: &'a RequestBudget) -> Self {
        self.budget = Some(budget);
        self
    }
    /// Charges one HubSpot call to the request's budget (after the cancel and deadline checks);
    /// [`ToolContext::get`] and [`ToolContext::send`] do it themselves.
    fn charge_call(&self) -> Result<(), ToolError> {
        self.checkpoint()?;
        match self.budget {
            Some(b) => b.take_call(),
            None => Ok(()),
        }
    }
    /// Shared services.
    fn services(&self) -> &'a Services {
        self.services
    }
    /// The HubSpot client, or [`ToolError::NotConfigured`].
    fn hubspot(&self) -> Result<&'a hubspot::Client, ToolError> {
        self.services
            .hubspot
            .as_deref()
            .ok_or(ToolError::NotConfigured)
    }
    /// A HubSpot call answered with a page of records (a list, a search), within this request's
    /// deadline: the page is given to `f` as read ([`hubspot::Client::read_page`]), never as a `Value`.
    pub(crate) fn read_page<R>(
        &self,
        method: hubspot::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        kind: hubspot::Kind,
        f: impl FnOnce(hubspot::page::RecordPage<'_>) -> R,
    ) -> Result<R, ToolError> {
        let (client, call) = self.call(method, path, query, body, kind)?;
        Ok(client.read_page(call, f)?)
    }
    /// GET from HubSpot within this request's deadline.
    pub(crate) fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, ToolError> {
        self.send(hubspot::Method::Get, path, query, None, hubspot::Kind::Read)
    }
    /// Any HubSpot call within this request's deadline; a write's correlation id is kept
    /// ([`ToolContext::correlation_ids`]).
    fn send(
        &self,
        method: hubspot::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        kind: hubspot::Kind,
    ) -> Result<Value, ToolError> {
        let (client, call) = self.call(method, path, query, body, kind)?;
        let reply = client.send_as(call)?;
        if let (hubspot::Kind::Write, Some(id)) = (kind, reply.correlation_id) {
            self.correlations.borrow_mut().push(id);
        }
        Ok(reply.body)
    }
    /// One HubSpot call charged to this request, with its user's token and its deadline.
    fn call<'c>(
        &'c self,
        method: hubspot::Method,
        path: &'c str,
        query: &'c [(&'c str, String)],
        body: Option<&'c Value>,
        kind: hubspot::Kind,
    ) -> Result<(&'c hubspot::Client, hubspot::Call<'c>), ToolError> {
        self.charge_call()?;
        let call = hubspot::Call {
            user: self.user,
            method,
            path,
            query,
            body,
            kind,
            deadline: self.deadline,
        };
        Ok((self.hubspot()?, call))
    }
    /// A metadata GET through the cache (`key` names it for invalidation).
    pub(crate) fn cached_get(
        &self,
        key: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<std::sync::Arc<Value>, ToolError> {
        let now = Instant::now();
        let key = self.cache_key(key);
        if let Some(v) = self.services.cache.get(&key, now) {
            return Ok(v);
        }
        let v = std::sync::Arc::new(self.get(path, query)?);
        self.services
            .cache
            .put(&key, std::sync::Arc::clone(&v), now);
        Ok(v)
    }
    /// Drops cached metadata whose key starts with `prefix` (after a write changed it).
    pub(crate) fn invalidate(&self, prefix: &str) {
        self.services.cache.invalidate(&self.cache_key(prefix));
    }
    /// Metadata is cached per portal: a signed-in person's keys carry their hub id (what one portal's
    /// properties or pipelines are says nothing of another's).
    fn cache_key(&self, key: &str) -> String {
        match self.user {
            Some(u) => format!("portal:{}:{key}", u.hub_id),
            None => key.to_string(),
        }
    }
    /// Reports progress (a no-op when the client did not ask for it).
    fn progress(&mut self, progress: f64, total: Option<f64>, message: Option<&str>) {
        if let Some(p) = self.progress.as_mut() {
            if !p(progress, total, message) {
                self.cancel.cancel();
            }
        }
    }
    /// Fails with the right error when the request was cancelled or is out of time.
    fn checkpoint(&self) -> Result<(), ToolError> {
        if self.cancel.is_cancelled() || self.budget.is_some_and(RequestBudget::client_gone) {
            return Err(ToolError::Cancelled);
        }
        if Instant::now() >= self.deadline {
            return Err(ToolError::DeadlineExceeded);
        }
        Ok(())
    }
    /// The request's deadline.
    fn deadline(&self) -> Instant {
        self.deadline
    }
}

/// A tool, as the registry holds it. The tools of this crate implement `TypedTool`, which gives them
/// this trait; another implementation (a test's) says nothing of its arguments and is taken to have none.
pub trait Tool: Send + Sync {
    /// Its description for `tools/list` (read once by the registry). This crate's tools read theirs from
    /// the definitions built into the binary (`src/tools/defs.json`, generated from their code in test
    /// builds), by name: a [`MissingDef`] when it is not there, and the registry is not built.
    fn def(&self) -> Result<ToolDef, MissingDef>;
    /// Runs it. `args` is the `arguments` object (`{}` when absent).
    fn call(&self, args: Value, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError>;
    /// What calling it with `args` would change, read from HubSpot but writing nothing: `None` for a
    /// tool that writes nothing. Every write tool says (the registry test holds them to it).
    fn plan(&self, _args: &Value, _cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        Ok(None)
    }
    /// Deserializes `args` into the tool's arguments type exactly as [`Tool::call`] does first, and does
    /// nothing else (no checks of values, no HubSpot call). Test builds only: the schema test's hook.
    #[cfg(test)]
    fn check_args(&self, args: Value) -> Result<(), ToolError> {
        parse_args::<args::NoArgs>(args).map(drop)
    }
    /// The field names of every struct in the tool's arguments type, from serde ([`args::struct_fields`]).
    /// Test builds only.
    #[cfg(test)]
    fn arg_fields(&self) -> Vec<args::StructFields> {
        args::struct_fields::<args::NoArgs>()
    }
}

/// A tool with a typed arguments struct: [`Tool::call`] deserializes the `arguments` object into
/// [`TypedTool::Args`] (an unknown or mistyped argument is refused there) and runs [`TypedTool::run`].
/// Naming the type once, here, is what lets the registry test hold the input schema to it.
trait TypedTool: Send + Sync {
    /// The arguments (`#[serde(deny_unknown_fields, rename_all = "camelCase")]`; [`args::NoArgs`] for none).
    type Args: serde::de::DeserializeOwned;
    /// Its name (`[A-Za-z0-9_.-]{1,128}`, unique), its definition's key in `defs.json`.
    const NAME: &'static str;
    /// Its description for `tools/list`, written as code, with `name: Self::NAME`: the source of
    /// `defs.json` (which other builds read instead), compiled into test builds only.
    #[cfg(test)]
    fn def(&self) -> ToolDef;
    /// Runs it with its deserialized arguments.
    fn run(&self, args: Self::Args, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError>;
    /// What [`TypedTool::run`] with `args` would change ([`Tool::plan`]); `None` for reads.
    fn plan(
        &self,
        _args: Self::Args,
        _cx: &mut ToolContext<'_>,
    ) -> Result<Option<Change>, ToolError> {
        Ok(None)
    }
}

impl<T: TypedTool> Tool for T {
    #[cfg(test)]
    fn def(&self) -> Result<ToolDef, MissingDef> {
        Ok(TypedTool::def(self))
    }
    #[cfg(not(test))]
    fn def(&self) -> Result<ToolDef, MissingDef> {
        defs::lookup(T::NAME)
    }
    fn call(&self, args: Value, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        self.run(parse_args(args)?, cx)
    }
    fn plan(&self, args: &Value, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let parsed = parse_args(args.clone())?;
        // A write of a masked property is refused before the plan reads anything: the values the plan
        // would read are of the properties being written.
        if let (Some(ty), Some(client)) = (
            args.get("objectType").and_then(Value::as_str),
            cx.services.hubspot.as_deref(),
        ) {
            let names = written_names(args);
            client.check_written(ty, names.iter().map(String::as_str))?;
        }
        let change = TypedTool::plan(self, parsed, cx)?;
        // What a plan says reaches approvals and audit lines: a masked value must not be in it.
        // Schema changes' fields are a definition's (label, type), not record properties.
        let records = change.as_ref().filter(|c| c.effect != Effect::Schema);
        if let (Some(c), Some(client)) = (records, cx.services.hubspot.as_deref()) {
            client.check_written(&c.object, c.fields.iter().map(|f| f.property.as_str()))?;
        }
        Ok(change)
    }
    #[cfg(test)]
    fn check_args(&self, args: Value) -> Result<(), ToolError> {
        parse_args::<T::Args>(args).map(drop)
    }
    #[cfg(test)]
    fn arg_fields(&self) -> Vec<args::StructFields> {
        args::struct_fields::<T::Args>()
    }
}

/// The property names a write's arguments set: `properties` and each `inputs[].properties`.
fn written_names(args: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |p: Option<&Value>| {
        if let Some(m) = p.and_then(Value::as_object) {
            out.extend(m.keys().cloned());
        }
    };
    add(args.get("properties"));
    for i in args
        .get("inputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        add(i.get("properties"));
    }
    out
}

/// Parses arguments into a tool's args struct, turning serde's message into a [`ToolError`].
fn parse_args<T: serde::de::DeserializeOwned>(args: Value) -> Result<T, ToolError> {
    serde_json::from_value(args).map_err(|e| ToolError::InvalidArguments(e.to_string()))
}

/// Which tool shape a `tools/list` page is rendered with (the protocol decorates the page further for
/// its revision: `mcp::dispatch`). Every revision lists the same entry (name, description, input
/// schema, the annotations that differ from the defaults); 2025-11-25 added icons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListShape {
    /// 2025-03-26 and 2025-06-18.
    Plain,
    /// 2025-11-25 and later: plus each tool's family icon when the server has a public URL
    /// ([`Registry::with_icons`]).
    Icons,
}

/// Which tools a caller may see: all, or (a principal without the write scope) the read-only ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    /// Every tool.
    Full = 0,
    /// Only tools with `readOnlyHint`.
    ReadOnly = 1,
}

/// The one list of tools, with its `tools/list` pages rendered once, on first use (rendered at start, a
/// view a deployment may never serve would be idle memory and start-up time).
pub struct Registry {
    tools: Vec<(ToolDef, Box<dyn Tool>)>,
    index: HashMap<&'static str, usize>,
    page_size: usize,
    /// The profiles (`all` first) and which tools each holds.
    profiles: Profiles,
    /// `[profile]` → its rendered pages.
    pages: Vec<ProfilePages>,
    /// Where the family icons are (`MCP_PUBLIC_URL`), for 2025-11-25's `icons`.
    icon_base: Option<String>,
}

/// One profile's `tools/list` pages, `[view][shape]`, rendered on first use.
type ProfilePages = [[OnceLock<Vec<Arc<str>>>; 2]; 2];

impl Registry {
    /// Every tool this build has, in listing order.
    pub(crate) fn all_tools() -> Vec<Box<dyn Tool>> {
        let mut v: Vec<Box<dyn Tool>> = Vec::new();
        v.extend(records::tools());
        v.extend(batch::tools());
        v.extend(associations::tools());
        v.extend(engagements::tools());
        v.extend(properties::tools());
        v.extend(schemas::tools());
        v.extend(owners::tools());
        v.extend(pipelines::tools());
        v.extend(workflows::tools());
        v.extend(lists::tools());
        v.extend(account::tools());
        v.push(Box::new(diagnostics::Echo));
        v
    }

    /// Keeps the tools an operator exposes: only `toolsets` families (all when `None`), and only
    /// read-only tools when `read_only`. A tool without a definition is kept, for
    /// [`Registry::build`] to refuse.
    pub(crate) fn select(
        tools: Vec<Box<dyn Tool>>,
        toolsets: Option<&[Family]>,
        read_only: bool,
    ) -> Vec<Box<dyn Tool>> {
        tools
            .into_iter()
            .filter(|t| match t.def() {
                Ok(d) => {
                    toolsets.is_none_or(|sets| sets.contains(&d.family))
                        && (!read_only || d.annotations.read_only)
                }
                Err(_) => true,
            })
            .collect()
    }

    /// Builds the registry from `tools`, with `tools/list` pages of `page_size`; fails on the first tool
    /// without a definition (the server does not start).
    pub(crate) fn build(
        tools: Vec<Box<dyn Tool>>,
        page_size: usize,
    ) -> Result<Registry, MissingDef> {
        let tools = tools
            .into_iter()
            .map(|t| Ok((with_approval_arg(t.def()?), t)))
            .collect::<Result<Vec<(ToolDef, Box<dyn Tool>)>, MissingDef>>()?;
        let index = tools
            .iter()
            .enumerate()
            .map(|(i, (d, _))| (d.name, i))
            .collect();
        let mut reg = Registry {
            tools,
            index,
            page_size: page_size.max(1),
            profiles: Profiles::empty(),
            pages: Vec::new(),
            icon_base: None,
        };
        // The built-in profiles name no tool, so this cannot fail.
        if let Ok(p) = reg.profiles_of(&[]) {
            reg.set_profiles(p);
        }
        Ok(reg)
    }

    /// The built-in profiles and the operator's `specs` over this registry's tools; a spec naming a
    /// tool this build does not have is refused (the server does not start).
    pub(crate) fn with_profiles(
        mut self,
        specs: &[crate::config::ProfileSpec],
    ) -> Result<Registry, UnknownTool> {
        let p = self.profiles_of(specs)?;
        self.set_profiles(p);
        Ok(self)
    }

    fn profiles_of(&self, specs: &[crate::config::ProfileSpec]) -> Result<Profiles, UnknownTool> {
        let defs: Vec<&ToolDef> = self.defs().collect();
        let known: Vec<&'static str> = if specs.is_empty() {
            Vec::new()
        } else {
            Registry::all_tools()
                .iter()
                .filter_map(|t| t.def().ok().map(|d| d.name))
                .collect()
        };
        Profiles::build(&defs, specs, |n| known.contains(&n))
    }

    /// Lists each tool with its family's icon, `<base>/icons/<family>.svg`, to 2025-11-25 and later
    /// clients. Icons need an address clients can fetch: only with a public URL.
    pub(crate) fn with_icons(mut self, base: Option<&str>) -> Registry {
        self.icon_base = base.map(|b| b.trim_end_matches('/').to_string());
        self
    }

    fn set_profiles(&mut self, p: Profiles) {
        self.pages = (0..p.len()).map(|_| Default::default()).collect();
        self.profiles = p;
    }

    /// The profiles.
    pub(crate) fn profiles(&self) -> &Profiles {
        &self.profiles
    }

    fn render(&self, view: View, shape: ListShape, profile: ProfileId) -> Vec<Arc<str>> {
        let listed: Vec<Listed<'_>> = self
            .tools
            .iter()
            .enumerate()
            .filter(|(i, (d, _))| {
                self.profiles.holds(profile, *i) && (view == View::Full || d.annotations.read_only)
            })
            .map(|(_, (d, _))| {
                let icons = match (shape, &self.icon_base) {
                    (ListShape::Icons, Some(base)) => Some(
                        json!([{"src": format!("{base}/icons/{}.svg", d.family.as_str()),
                                "mimeType": "image/svg+xml", "sizes": ["any"]}]),
                    ),
                    _ => None,
                };
                d.listed(icons)
            })
            .collect();
        let chunks: Vec<&[Listed<'_>]> = if listed.is_empty() {
            vec![&[]]
        } else {
            listed.chunks(self.page_size).collect()
        };
        let last = chunks.len() - 1;
        chunks
            .iter()
            .enumerate()
            .map(|(i, chunk)| {
                let page = Page {
                    next_cursor: (i < last).then(|| cursor(i + 1)),
                    tools: chunk,
                };
                // Strings, maps and JSON text only: serialising cannot fail.
                Arc::from(serde_json::to_string(&page).unwrap_or_default())
            })
            .collect()
    }

    /// The rendered `tools/list` result for `cursor` in `view` of `profile`, or `None` for a cursor
    /// this server did not issue.
    pub(crate) fn page(
        &self,
        cursor: Option<&str>,
        shape: ListShape,
        view: View,
        profile: ProfileId,
    ) -> Option<Arc<str>> {
        let i = match cursor {
            None => 0,
            Some(c) => parse_cursor(c)?,
        };
        let s = match shape {
            ListShape::Plain => 0,
            ListShape::Icons => 1,
        };
        self.pages
            .get(profile.index())?
            .get(view as usize)?
            .get(s)?
            .get_or_init(|| self.render(view, shape, profile))
            .get(i)
            .cloned()
    }

    /// A tool by name, of every tool.
    pub(crate) fn get(&self, name: &str) -> Option<(&ToolDef, &dyn Tool)> {
        self.get_in(name, ProfileId::ALL)
    }

    /// A tool by name, when `profile` holds it.
    pub(crate) fn get_in(&self, name: &str, profile: ProfileId) -> Option<(&ToolDef, &dyn Tool)> {
        let i = *self.index.get(name)?;
        if !self.profiles.holds(profile, i) {
            return None;
        }
        self.tools.get(i).map(|(d, t)| (d, t.as_ref()))
    }

    /// Every tool's definition, in listing order.
    pub fn defs(&self) -> impl Iterator<Item = &ToolDef> {
        self.tools.iter().map(|(d, _)| d)
    }

    /// How many tools are listed.
    pub(crate) fn len(&self) -> usize {
        self.tools.len()
    }

    /// True when no tool is listed.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }
}

/// The argument a write is retried with after a person approved it on the approval page: listed on
/// every write tool; the dispatcher takes it out before the arguments reach the tool (it is not part of
/// what is approved). Its schema is a bare string: the message that asks for the approval says to send
/// it and gives the id (the server's instructions say so too), and the dispatcher checks its form with
/// an error that says it.
pub(crate) const APPROVAL_ARG: &str = "approvalId";

fn with_approval_arg(mut d: ToolDef) -> ToolDef {
    if !d.annotations.read_only {
        d.input_schema = d
            .input_schema
            .with_property(APPROVAL_ARG, json!({"type": "string"}));
    }
    d
}

fn cursor(page: usize) -> String {
    format!("page:{page}")
}

fn parse_cursor(c: &str) -> Option<usize> {
    c.strip_prefix("page:")?.parse().ok()
}

/// True when `name` is a valid tool name (`[A-Za-z0-9_.-]{1,128}`, as the spec recommends).
#[cfg(test)]
fn valid_tool_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tool's annotations as a client reads them: the spec's default where a hint is left out. For a
    /// read-only tool `destructiveHint` and `idempotentHint` mean nothing; read as this crate writes them.
    fn read_hints(tool: &Value) -> Annotations {
        let a = &tool["annotations"];
        for k in a.as_object().into_iter().flat_map(Map::keys) {
            assert!(k.ends_with("Hint"), "annotations carry hints only: {k}");
        }
        let hint = |k: &str, default: bool| a.get(k).map_or(default, |v| v.as_bool().unwrap());
        let read_only = hint("readOnlyHint", false);
        Annotations {
            read_only,
            destructive: !read_only && hint("destructiveHint", true),
            idempotent: read_only || hint("idempotentHint", false),
            open_world: hint("openWorldHint", true),
        }
    }

    #[test]
    fn annotations_state_what_differs_from_the_spec_defaults() {
        let write = Annotations {
            read_only: false,
            destructive: true,
            idempotent: false,
            open_world: true,
        };
        let cases = [
            // All four are the defaults: nothing to state.
            (write, json!({})),
            (Annotations::READ, json!({"readOnlyHint": true})),
            (
                Annotations::LOCAL,
                json!({"readOnlyHint": true, "openWorldHint": false}),
            ),
            (
                Annotations {
                    destructive: false,
                    ..write
                },
                json!({"destructiveHint": false}),
            ),
            (
                Annotations {
                    idempotent: true,
                    ..write
                },
                json!({"idempotentHint": true}),
            ),
        ];
        for (a, stated) in cases {
            assert_eq!(Value::Object(a.stated()), stated, "{a:?}");
        }
    }

    /// Checks every rule a tool definition must follow, over the whole registry.
    #[test]
    fn every_tool_definition_is_valid() {
        let reg = Registry::build(Registry::all_tools(), 100).unwrap();
        assert!(!reg.is_empty());
        let mut seen = std::collections::HashSet::new();
        for d in reg.defs() {
            assert!(valid_tool_name(d.name), "bad name {:?}", d.name);
            assert!(seen.insert(d.name), "duplicate tool {}", d.name);
            assert!(
                d.description.len() >= 40,
                "{}: describe when to use it",
                d.name
            );
            assert_eq!(
                d.input_schema.to_value()["type"],
                "object",
                "{}: input schema must be an object",
                d.name
            );
            assert!(
                d.input_schema.to_value()["properties"].is_object(),
                "{}: properties",
                d.name
            );
            if let Some(req) = d.input_schema.to_value().get("required") {
                for r in req.as_array().unwrap() {
                    let r = r.as_str().unwrap();
                    assert!(
                        d.input_schema.to_value()["properties"].get(r).is_some(),
                        "{}: required {r} undefined",
                        d.name
                    );
                }
            }
            if d.annotations.read_only {
                assert!(
                    !d.annotations.destructive,
                    "{}: read-only tools are not destructive",
                    d.name
                );
            }
            let j = d.to_json();
            assert_eq!(
                read_hints(&j),
                d.annotations,
                "{}: the hints, as served",
                d.name
            );
            let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
            assert!(
                keys.iter()
                    .all(|k| ["name", "description", "inputSchema", "annotations"].contains(k)),
                "{}: only what a model needs is listed: {keys:?}",
                d.name
            );
            assert_eq!(
                d.input_schema.to_value()["properties"]
                    .get(APPROVAL_ARG)
                    .is_some(),
                !d.annotations.read_only,
                "{}: write tools (only) take {APPROVAL_ARG}",
                d.name
            );
        }
    }

    /// A tool the built-in document does not define.
    struct Undefined;

    impl Tool for Undefined {
        fn def(&self) -> Result<ToolDef, MissingDef> {
            defs::lookup("no_such_tool")
        }
        fn call(&self, _: Value, _: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
            Err(ToolError::NotConfigured)
        }
    }

    #[test]
    fn a_tool_without_a_definition_stops_the_registry() {
        let tools: Vec<Box<dyn Tool>> = vec![Box::new(diagnostics::Echo), Box::new(Undefined)];
        // Whatever the operator selects, it stays for the build to refuse.
        let kept = Registry::select(tools, Some(&[Family::Owners]), true);
        assert_eq!(kept.len(), 1);
        let e = Registry::build(kept, 10).err().unwrap();
        assert_eq!(e.tool, "no_such_tool");
        assert!(Registry::build(Registry::all_tools(), 10).is_ok());
    }

    #[test]
    fn pages_and_cursors() {
        let tools: Vec<Box<dyn Tool>> =
            vec![Box::new(diagnostics::Echo), Box::new(diagnostics::Echo)];
        let reg = Registry::build(tools, 1).unwrap();
        let p0: Value = serde_json::from_str(
            &reg.page(None, ListShape::Plain, View::Full, ProfileId::ALL)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(p0["tools"].as_array().unwrap().len(), 1);
        let next = p0["nextCursor"].as_str().unwrap();
        let p1: Value = serde_json::from_str(
            &reg.page(Some(next), ListShape::Plain, View::Full, ProfileId::ALL)
                .unwrap(),
        )
        .unwrap();
        assert!(p1.get("nextCursor").is_none());
        assert!(
            p1.get("resultType").is_none(),
            "the protocol decorates, not the registry"
        );
        assert!(reg
            .page(Some("page:9"), ListShape::Plain, View::Full, ProfileId::ALL)
            .is_none());
        assert!(reg
            .page(Some("bogus"), ListShape::Plain, View::Full, ProfileId::ALL)
            .is_none());
        assert!(
            !valid_tool_name("has space") && !valid_tool_name("") && valid_tool_name("a.b-c_d")
        );
    }
}
