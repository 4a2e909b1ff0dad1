//! What every API handler gets and returns: the request context (path parameters, query string, JSON
//! body, the shared account), the reply, query-string helpers, and the dispatch from an operation to
//! its handler, in one file per API (objects, batch, associations, properties, schemas, owners,
//! pipelines, account, flows, lists).

mod account;
mod associations;
mod batch;
mod flows;
mod lists;
pub(crate) mod objects;
mod owners;
mod pipelines;
mod properties;
mod schemas;

use serde_json::{json, Value};

use crate::dispatch::Shared;
use crate::errors::ApiError;
use crate::routes::{pct_decode, Op};
use crate::time::{iso_ms, now_ms};
use crate::types::Obj;
use crate::visibility::Visibility;

/// A parsed query string.
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=x%20y`.
    pub(crate) fn parse(raw: &str) -> Query {
        Query(
            raw.split('&')
                .filter(|s| !s.is_empty())
                .map(|kv| match kv.split_once('=') {
                    Some((k, v)) => (pct_decode(k, true), pct_decode(v, true)),
                    None => (pct_decode(kv, true), String::new()),
                })
                .collect(),
        )
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, each split on commas (`properties=a,b&properties=c`).
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// `true` for `name=true`.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// A non-negative integer, `default` when absent, 400 when not a number.
    pub(crate) fn number(&self, name: &str, default: u64) -> Result<u64, ApiError> {
        match self.get(name) {
            None | Some("") => Ok(default),
            Some(v) => v.parse::<u64>().map_err(|_| {
                ApiError::validation(format!("{name} must be a non-negative integer, got {v:?}"))
            }),
        }
    }
}

/// A successful reply.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
}

impl Reply {
    /// 200 with a body.
    pub(crate) fn ok(v: Value) -> Reply {
        Reply {
            status: 200,
            body: Some(v),
        }
    }

    /// 201 with a body.
    pub(crate) fn created(v: Value) -> Reply {
        Reply {
            status: 201,
            body: Some(v),
        }
    }

    /// 204.
    pub(crate) fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
        }
    }
}

/// A handler's view of the request.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) params: &'a [String],
    pub(crate) query: &'a Query,
    pub(crate) body: &'a [u8],
    /// The request's path, percent-encoded as received, without the query or a trailing slash.
    pub(crate) path: &'a str,
    /// `http://host:port`, for paging links.
    pub(crate) base: String,
    /// The records the caller sees (see `visibility`).
    pub(crate) visibility: Visibility,
}

impl Ctx<'_> {
    /// Path parameter `i`.
    pub(crate) fn param(&self, i: usize) -> &str {
        self.params.get(i).map_or("", String::as_str)
    }

    /// Path parameter `i` as an object type (400 like HubSpot when it names none).
    pub(crate) fn obj(&self, i: usize) -> Result<Obj, ApiError> {
        let raw = self.param(i);
        Obj::parse(raw)
            .ok_or_else(|| ApiError::validation(format!("Unable to infer object type from: {raw}")))
    }

    /// The JSON body (400 when missing or malformed).
    pub(crate) fn json(&self) -> Result<Value, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::validation(
                "Invalid input JSON on line 1, column 1: No content to map due to end-of-input",
            ));
        }
        serde_json::from_slice(self.body).map_err(|e| ApiError::invalid_json(&e))
    }

    /// The clock.
    pub(crate) fn now(&self) -> i64 {
        now_ms()
    }

    /// A `paging.next` block for `after`, linking to the request's own path.
    pub(crate) fn next_page(&self, after: &str) -> Value {
        json!({ "next": { "after": after, "link": format!("{}{}?after={after}", self.base, self.path) } })
    }
}

/// `{status: "COMPLETE", results, startedAt, completedAt}` (plus `errors` and `numErrors` when any).
pub(crate) fn batch_body(started: i64, results: Vec<Value>, errors: Vec<Value>) -> Value {
    let mut v = json!({
        "status": "COMPLETE",
        "results": results,
        "startedAt": iso_ms(started),
        "completedAt": iso_ms(now_ms()),
    });
    if !errors.is_empty() {
        v["numErrors"] = json!(errors.len());
        v["errors"] = Value::Array(errors);
    }
    v
}

/// Runs the handler of `op`.
pub(crate) fn call(op: Op, ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    match op {
        Op::ObjList => objects::list(ctx),
        Op::ObjCreate => objects::create(ctx),
        Op::ObjGet => objects::get(ctx),
        Op::ObjUpdate => objects::update(ctx),
        Op::ObjArchive => objects::archive(ctx),
        Op::ObjSearch => objects::search(ctx),
        Op::BatchRead => batch::batch_read(ctx),
        Op::BatchCreate => batch::batch_create(ctx),
        Op::BatchUpdate => batch::batch_update(ctx),
        Op::BatchUpsert => batch::batch_upsert(ctx),
        Op::BatchArchive => batch::batch_archive(ctx),
        Op::AssocList => associations::list(ctx),
        Op::AssocPutDefault => associations::put_default(ctx),
        Op::AssocPut => associations::put_labels(ctx),
        Op::AssocDelete => associations::delete(ctx),
        Op::AssocLabels => associations::labels(ctx),
        Op::AssocBatchCreate => associations::batch_create(ctx),
        Op::AssocBatchDefault => associations::batch_default(ctx),
        Op::AssocBatchRead => associations::batch_read(ctx),
        Op::AssocBatchArchive => associations::batch_archive(ctx),
        Op::PropList => properties::prop_list(ctx),
        Op::PropCreate => properties::prop_create(ctx),
        Op::PropGet => properties::prop_get(ctx),
        Op::PropUpdate => properties::prop_update(ctx),
        Op::PropDelete => properties::prop_delete(ctx),
        Op::GroupList => properties::group_list(ctx),
        Op::GroupCreate => properties::group_create(ctx),
        Op::GroupGet => properties::group_get(ctx),
        Op::Schemas => schemas::schemas(ctx),
        Op::Schema => schemas::schema(ctx),
        Op::Owners => owners::owners(ctx),
        Op::Owner => owners::owner(ctx),
        Op::Pipelines => pipelines::pipelines(ctx),
        Op::Pipeline => pipelines::pipeline(ctx),
        Op::Stages => pipelines::stages(ctx),
        Op::AccountDetails => Ok(Reply::ok(crate::fixtures::account_details())),
        Op::ApiUsage => account::api_usage(ctx),
        Op::TokenInfo => account::token_info(ctx),
        Op::Flows => flows::flows(ctx),
        Op::Flow => flows::flow(ctx),
        Op::ListCreate => lists::create(ctx),
        Op::ListSearch => lists::search(ctx),
        Op::ListGet => lists::get(ctx),
        Op::ListMembers => lists::memberships(ctx),
        Op::ListAdd => lists::add(ctx),
        Op::ListRemove => lists::remove(ctx),
        // Served by `oauth` before the API pipeline; never routed here.
        Op::OAuth(_) => Err(ApiError::new(
            500,
            "INTERNAL_ERROR",
            "OAuth endpoints are not API operations",
        )),
    }
}
