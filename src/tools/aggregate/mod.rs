//! `hubspot_aggregate_records` (records family): counts the records a search selects and sums,
//! averages, and takes the min and max of a numeric property over them, grouped by a property and/or
//! by a UTC period of a date property. It reads every selected record, past HubSpot's 10,000-result
//! search cap (`window`: ranges of a date split until each fits, one instant or the records without
//! the date read by record id), within its own call budget (`maxCalls`), the request's HubSpot call
//! budget, the request's deadline and the client's search rate limit; and it says whether the answer is
//! complete, or exactly which windows are missing and why. Never an estimate: a group's figures are
//! those of the records read, and an incomplete answer is marked so.
//!
//! Sums are exact (`decimal`: HubSpot's decimal text, never `f64`); periods are UTC (`period`). Masked
//! properties (`HUBSPOT_MASKED_PROPERTIES`) are refused by the client's mask like any search naming
//! them, before HubSpot is asked.

mod decimal;
mod period;
mod window;

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Map, Value};

#[cfg(test)]
use super::common::object_type_schema;
use super::common::{object_type, render_list, PROPERTY_NAME};
use super::records::{
    check_filter_groups, filter_groups_body, FilterGroup, SEARCH_CAP, SEARCH_LIMIT,
};
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{ToolContext, ToolError, ToolOutput, TypedTool};
use crate::hubspot::{paths, ErrorKind, Kind, Method};
use crate::tools::Structured;
use decimal::{Decimal, Overflow};
use period::Interval;
use window::{cut, Cursor, Task, Window};

/// HubSpot search calls one aggregate makes unless `maxCalls` says otherwise.
const DEFAULT_CALLS: u32 = 100;
/// The most `maxCalls` may be (200 records a call: 200,000 records).
const MAX_CALLS: u32 = 1000;
/// Filters each window may add to a filter group (its range, and the record id it reads from).
const ADDED_FILTERS: usize = 2;
/// HubSpot's limits on a search's filters.
const FILTERS_PER_GROUP: usize = 6;
const FILTERS_IN_ALL: usize = 18;
/// The most groups an answer holds (group × period).
const MAX_GROUPS: usize = 2000;
/// Time kept after the last call to build and send the answer.
const ANSWER_MARGIN: Duration = Duration::from_millis(250);

/// `hubspot_aggregate_records`.
pub(super) struct AggregateRecords;

/// The arguments of [`AggregateRecords`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct AggregateArgs {
    object_type: String,
    /// As `hubspot_search_records` takes them; read into [`FilterGroup`]s and checked as it checks them.
    #[serde(default)]
    filter_groups: Vec<Value>,
    property: Option<String>,
    group_by: Option<String>,
    date_property: Option<String>,
    interval: Option<Interval>,
    #[serde(default = "default_calls")]
    max_calls: u32,
}

fn default_calls() -> u32 {
    DEFAULT_CALLS
}

/// The checked arguments.
#[derive(Debug)]
struct Plan {
    ty: String,
    /// The filter groups as HubSpot takes them (empty: every record).
    groups: Vec<Value>,
    property: Option<String>,
    group_by: Option<String>,
    /// The split (and period) property.
    date: Option<String>,
    interval: Option<Interval>,
    max_calls: u32,
    /// The properties each search returns.
    returned: Vec<String>,
}

/// Checks the arguments before any call.
fn check(a: AggregateArgs) -> Result<Plan, ToolError> {
    let bad = |m: String| Err(ToolError::InvalidArguments(m));
    let ty = object_type(&a.object_type)?;
    let parsed = a
        .filter_groups
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            serde_json::from_value::<FilterGroup>(g).map_err(|e| {
                ToolError::InvalidArguments(format!(
                    "filterGroups[{i}]: {e} (as in hubspot_search_records)"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let total = check_filter_groups(&parsed)?;
    // Each window adds its own filters to every group: leave room for them.
    if let Some(i) = parsed
        .iter()
        .position(|g| g.len() + ADDED_FILTERS > FILTERS_PER_GROUP)
    {
        return bad(format!(
            "filterGroups[{i}] has {} filters; an aggregate adds {ADDED_FILTERS} to each group (the window \
             it reads), so at most {} per group",
            parsed[i].len(),
            FILTERS_PER_GROUP - ADDED_FILTERS
        ));
    }
    if total + ADDED_FILTERS * parsed.len().max(1) > FILTERS_IN_ALL {
        return bad(format!(
            "{total} filters in {} groups: with the {ADDED_FILTERS} an aggregate adds to each group that is \
             over HubSpot's {FILTERS_IN_ALL}; use fewer",
            parsed.len()
        ));
    }
    let name = |what: &str, v: &Option<String>| {
        v.as_deref()
            .map(|p| PROPERTY_NAME.check(what, p))
            .transpose()
    };
    let property = name("property", &a.property)?;
    let group_by = name("groupBy", &a.group_by)?;
    let date = name("dateProperty", &a.date_property)?;
    if a.interval.is_some() && date.is_none() {
        return bad("interval needs dateProperty: the date whose periods group the records".into());
    }
    if let Some(g) = group_by.as_deref() {
        if super::untrusted::is_free_text(&ty, g) {
            return bad(format!(
                "groupBy {g} is free text; group by a property with few values (an owner, a stage, a \
                 pipeline, a type)"
            ));
        }
    }
    if !(1..=MAX_CALLS).contains(&a.max_calls) {
        return bad(format!("maxCalls must be 1-{MAX_CALLS}"));
    }
    let mut returned = vec!["hs_object_id".to_string()];
    for p in [&property, &group_by, &date].into_iter().flatten() {
        if !returned.contains(p) {
            returned.push(p.clone());
        }
    }
    let groups = match filter_groups_body(&parsed)? {
        Value::Array(g) => g,
        _ => Vec::new(),
    };
    Ok(Plan {
        ty,
        groups,
        property,
        group_by,
        date,
        interval: a.interval,
        max_calls: a.max_calls,
        returned,
    })
}

/// One group's figures.
#[derive(Debug, Clone, Copy)]
struct Tally {
    count: u64,
    with_value: u64,
    sum: Decimal,
    min: Option<Decimal>,
    max: Option<Decimal>,
}

impl Tally {
    const EMPTY: Tally = Tally {
        count: 0,
        with_value: 0,
        sum: Decimal::ZERO,
        min: None,
        max: None,
    };

    fn add(&mut self, value: Option<Decimal>) -> Result<(), Overflow> {
        self.count += 1;
        if let Some(v) = value {
            self.sum = self.sum.add(v)?;
            self.with_value += 1;
            if self.min.is_none_or(|m| v.cmp(m).is_lt()) {
                self.min = Some(v);
            }
            if self.max.is_none_or(|m| v.cmp(m).is_gt()) {
                self.max = Some(v);
            }
        }
        Ok(())
    }
}

/// A group's key: the groupBy value (`None`: no value) and the start of the period (`None`: no date).
type Key = (Option<String>, Option<i64>);

/// What the records read add up to.
#[derive(Debug, Default)]
struct Totals {
    groups: BTreeMap<Key, Tally>,
    /// Record ids counted (a record moved between windows while they were read counts once).
    seen: HashSet<u64>,
}

impl Totals {
    /// Counts one search result; returns its id.
    fn add(&mut self, plan: &Plan, record: &Value) -> Result<Option<u64>, ToolError> {
        let Some(id) = record["id"].as_str().and_then(|s| s.parse::<u64>().ok()) else {
            return Ok(None);
        };
        if !self.seen.insert(id) {
            return Ok(Some(id));
        }
        let props = &record["properties"];
        let text = |p: &Option<String>| {
            p.as_deref()
                .and_then(|p| props[p].as_str())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let group = text(&plan.group_by).map(|g| {
            let g = super::untrusted::clean(g);
            g.chars().take(100).collect::<String>()
        });
        let period = plan.interval.and_then(|i| {
            text(&plan.date)
                .and_then(period::parse_instant)
                .map(|ms| i.start(ms))
        });
        let value = text(&plan.property).and_then(Decimal::parse);
        if !self.groups.contains_key(&(group.clone(), period)) && self.groups.len() >= MAX_GROUPS {
            return Err(ToolError::InvalidArguments(format!(
                "more than {MAX_GROUPS} groups: group by a property with fewer values, or a longer interval"
            )));
        }
        self.groups
            .entry((group, period))
            .or_insert(Tally::EMPTY)
            .add(value)
            .map_err(|Overflow| {
                ToolError::InvalidArguments(
                    "a sum passed 38 digits; narrow the filters or group more finely".into(),
                )
            })?;
        Ok(Some(id))
    }

    fn records(&self) -> u64 {
        self.groups.values().map(|t| t.count).sum()
    }
}

/// Why reading stopped before every window was read.
#[derive(Debug, Clone, PartialEq)]
enum Stop {
    /// `maxCalls` calls made.
    MaxCalls(u32),
    /// The request's HubSpot call budget spent.
    RequestBudget(usize),
    /// The request's deadline (too close for another call, or passed).
    Deadline,
    /// HubSpot refused or failed (after the client's retries).
    HubSpot(String),
}

impl Stop {
    fn reason(&self) -> String {
        match self {
            Stop::MaxCalls(n) => format!("maxCalls ({n}) reached"),
            Stop::RequestBudget(n) => format!(
                "the request's budget of {n} HubSpot calls (MCP_MAX_HUBSPOT_CALLS_PER_REQUEST) spent"
            ),
            Stop::Deadline => "the request's deadline".into(),
            Stop::HubSpot(e) => format!("HubSpot error: {e}"),
        }
    }
}

/// How a step ended short: the whole call fails, or reading stops and the answer says what is missing.
enum Halt {
    Fail(ToolError),
    Stop(Stop),
}

impl From<ToolError> for Halt {
    fn from(e: ToolError) -> Halt {
        Halt::Fail(e)
    }
}

/// One search page, as the aggregate reads it.
struct Page {
    total: u64,
    results: Vec<Value>,
    more: bool,
}

/// A reading in progress.
struct Reader<'p> {
    plan: &'p Plan,
    /// Results one search reaches ([`SEARCH_CAP`]; smaller in tests).
    cap: u64,
    calls: u32,
    slowest: Duration,
    totals: Totals,
    /// Records the windows hold, as far as known (progress).
    expected: u64,
}

/// HubSpot sent a page whose records have no ids: reading on by id is impossible, and counting on
/// would not be a total.
fn no_ids() -> Halt {
    Halt::Stop(Stop::HubSpot(
        "a page of search results without record ids".into(),
    ))
}

/// Whether a window has more to read after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Read whole (or split into windows put on the stack).
    Done,
    /// Read further from its cursor.
    Again,
}

impl Reader<'_> {
    /// One search: the plan's filter groups, each with `extra` added; sorted by `sort` ascending (or
    /// descending); `limit` results from `after`.
    fn search(
        &mut self,
        cx: &mut ToolContext<'_>,
        extra: &[Value],
        sort: (&str, bool),
        after: Option<u64>,
        limit: u64,
    ) -> Result<Page, Halt> {
        if self.calls >= self.plan.max_calls {
            return Err(Halt::Stop(Stop::MaxCalls(self.plan.max_calls)));
        }
        match cx.checkpoint() {
            Err(ToolError::DeadlineExceeded) => return Err(Halt::Stop(Stop::Deadline)),
            Err(e) => return Err(Halt::Fail(e)),
            Ok(()) => {}
        }
        if cx.deadline().saturating_duration_since(Instant::now()) < self.slowest + ANSWER_MARGIN {
            return Err(Halt::Stop(Stop::Deadline));
        }
        let mut groups: Vec<Value> = self.plan.groups.clone();
        if groups.is_empty() && !extra.is_empty() {
            groups.push(json!({"filters": []}));
        }
        for g in &mut groups {
            if let Some(f) = g["filters"].as_array_mut() {
                f.extend(extra.iter().cloned());
            }
        }
        let mut body = json!({
            "sorts": [{"propertyName": sort.0, "direction": if sort.1 { "DESCENDING" } else { "ASCENDING" }}],
            "properties": self.plan.returned,
            "limit": limit,
        });
        if !groups.is_empty() {
            body["filterGroups"] = Value::Array(groups);
        }
        if let Some(a) = after {
            body["after"] = a.to_string().into();
        }
        let sent = Instant::now();
        let path = paths::search(&self.plan.ty);
        let reply = cx.send(Method::Post, &path, &[], Some(&body), Kind::Search);
        let page = match reply {
            Ok(v) => v,
            Err(ToolError::CallBudgetSpent { limit }) => {
                return Err(Halt::Stop(Stop::RequestBudget(limit)))
            }
            Err(ToolError::DeadlineExceeded) => return Err(Halt::Stop(Stop::Deadline)),
            Err(ToolError::HubSpot(e)) => {
                return Err(match &e.kind {
                    // Refused before any call: the arguments name a masked property.
                    ErrorKind::Masked => Halt::Fail(ToolError::HubSpot(e)),
                    // The local rate budget or HubSpot's answer cannot come before the deadline.
                    ErrorKind::Timeout => Halt::Stop(Stop::Deadline),
                    ErrorKind::RateLimited { policy } if policy == "CLIENT" => {
                        Halt::Stop(Stop::Deadline)
                    }
                    // Nothing read yet: the arguments are likely what HubSpot refuses; say so plainly.
                    _ if self.calls == 0 => {
                        self.calls += 1;
                        Halt::Fail(ToolError::HubSpot(e))
                    }
                    _ => {
                        self.calls += 1;
                        Halt::Stop(Stop::HubSpot(e.to_string()))
                    }
                });
            }
            Err(e) => return Err(Halt::Fail(e)),
        };
        self.calls += 1;
        self.slowest = self.slowest.max(sent.elapsed());
        Ok(Page {
            total: page["total"].as_u64().unwrap_or(0),
            more: page.pointer("/paging/next/after").is_some(),
            results: page["results"].as_array().cloned().unwrap_or_default(),
        })
    }

    /// Counts a page; returns the last (highest) record id on it.
    fn count(&mut self, page: &Page) -> Result<Option<u64>, ToolError> {
        let mut last = None;
        for r in &page.results {
            if let Some(id) = self.totals.add(self.plan, r)? {
                last = last.max(Some(id));
            }
        }
        Ok(last)
    }

    /// The filters of `w` (nothing for [`Window::All`]).
    fn filters(&self, w: Window) -> Vec<Value> {
        w.filters(self.plan.date.as_deref().unwrap_or("hs_object_id"))
    }

    /// Reads the next page of `task` (which keeps what is learnt, so a window left unread is described as
    /// far as known), splitting its window when it is over the cap; new windows go on `stack` (the
    /// earliest last, so it is read first).
    fn step(
        &mut self,
        cx: &mut ToolContext<'_>,
        task: &mut Task,
        stack: &mut Vec<Task>,
    ) -> Result<Next, Halt> {
        let limit = u64::from(SEARCH_LIMIT);
        let by_id = ("hs_object_id", false);
        let filters = self.filters(task.window);
        match task.cursor {
            Cursor::Start => {
                let page = self.search(cx, &filters, by_id, None, limit)?;
                // The first windows hold every selected record between them (the rest are parts).
                if matches!(task.window, Window::Set | Window::Unset | Window::All) {
                    self.expected += page.total;
                }
                task.total = Some(page.total);
                if page.total <= self.cap || task.window.by_id() {
                    return self.counted(task, &page);
                }
                if task.window == Window::Set {
                    match self.range_of_set(cx)? {
                        Some(range) => task.window = range,
                        // Its ends cannot be read: read it by id.
                        None => return self.by_id_after(task, &page),
                    }
                }
                let Window::Range { lo, hi } = task.window else {
                    return self.by_id_after(task, &page);
                };
                // One instant over the cap: its first page by id is read; go on by id.
                if lo == hi {
                    return self.by_id_after(task, &page);
                }
                let pieces = match self.value_at(cx, task.window, self.cap - 1)? {
                    Some(q) => cut(lo, hi, q, self.plan.interval),
                    None => None,
                };
                match pieces {
                    Some([first, rest]) => {
                        stack.push(Task::new(rest));
                        stack.push(Task::new(first));
                        Ok(Next::Done)
                    }
                    // Its values cannot be read as dates: read it by id.
                    None => self.by_id_after(task, &page),
                }
            }
            Cursor::Offset(n) => {
                let size = limit.min(self.cap.saturating_sub(n)).max(1);
                let page = self.search(cx, &filters, by_id, Some(n), size)?;
                self.counted(task, &page)
            }
            Cursor::AfterId(id) => {
                let mut extra = filters;
                extra.push(json!({"propertyName": "hs_object_id", "operator": "GT", "value": id.to_string()}));
                let page = self.search(cx, &extra, by_id, None, limit)?;
                self.counted(task, &page)
            }
        }
    }

    /// The split property's value at position `at` (0: the first) of `window`'s records in ascending
    /// order, or with `at` = `u64::MAX` the last; one search of one result. `None` when it is not a date.
    fn value_at(
        &mut self,
        cx: &mut ToolContext<'_>,
        window: Window,
        at: u64,
    ) -> Result<Option<i64>, Halt> {
        let date = self.plan.date.clone().unwrap_or_default();
        let filters = self.filters(window);
        let (descending, after) = match at {
            u64::MAX => (true, None),
            0 => (false, None),
            n => (false, Some(n)),
        };
        let page = self.search(cx, &filters, (&date, descending), after, 1)?;
        Ok(page
            .results
            .first()
            .and_then(|r| r["properties"][&date].as_str())
            .and_then(period::parse_instant))
    }

    /// The range of the split property over the selection, from its first and last values (two
    /// calls); `None` when they cannot be read as dates.
    fn range_of_set(&mut self, cx: &mut ToolContext<'_>) -> Result<Option<Window>, Halt> {
        let lo = self.value_at(cx, Window::Set, 0)?;
        let hi = self.value_at(cx, Window::Set, u64::MAX)?;
        Ok(match (lo, hi) {
            (Some(lo), Some(hi)) if lo <= hi => Some(Window::Range { lo, hi }),
            _ => None,
        })
    }

    /// Counts a page of `task` (read by id from the start, or by offset), and says what is left.
    fn counted(&mut self, task: &mut Task, page: &Page) -> Result<Next, Halt> {
        let n = page.results.len() as u64;
        let last = self.count(page)?;
        task.read += n;
        task.last_id = last.or(task.last_id);
        if !page.more || n == 0 {
            return Ok(Next::Done);
        }
        task.cursor = match (task.cursor, task.last_id) {
            (_, None) => return Err(no_ids()),
            (Cursor::AfterId(_), Some(id)) => Cursor::AfterId(id),
            (_, Some(id)) if task.window.by_id() => Cursor::AfterId(id),
            // By offset while it stays under the cap (a window that grew meanwhile goes on by id:
            // the order is by id either way).
            _ if task.read < self.cap => Cursor::Offset(task.read),
            (_, Some(id)) => Cursor::AfterId(id),
        };
        Ok(Next::Again)
    }

    /// Counts the first page of an over-cap window read by id, and goes on by id.
    fn by_id_after(&mut self, task: &mut Task, page: &Page) -> Result<Next, Halt> {
        let n = page.results.len() as u64;
        let last = self.count(page)?;
        task.read += n;
        task.last_id = last.or(task.last_id);
        match task.last_id {
            _ if !page.more || n == 0 => Ok(Next::Done),
            Some(id) => {
                task.cursor = Cursor::AfterId(id);
                Ok(Next::Again)
            }
            None => Err(no_ids()),
        }
    }

    /// What the answer says of a window left unread.
    fn missing(&self, task: &Task, stop: &Stop) -> Value {
        let mut what = task.window.describe(self.plan.date.as_deref());
        if let (Some(id), true) = (task.last_id, task.read > 0) {
            what.push_str(&format!(", records after id {id}"));
        }
        let mut m = Map::new();
        m.insert("window".into(), what.into());
        if let Some(p) = task.window.periods(self.plan.interval) {
            m.insert("periods".into(), p.into());
        }
        if let Some(t) = task.total {
            m.insert("records".into(), t.saturating_sub(task.read).into());
        }
        m.insert("reason".into(), stop.reason().into());
        Value::Object(m)
    }
}

impl TypedTool for AggregateRecords {
    type Args = AggregateArgs;

    const NAME: &'static str = "hubspot_aggregate_records";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Exact count, sum, avg, min, max of a numeric property over every record a search \
                selects (past the 10,000 cap), per groupBy value and/or UTC period of dateProperty. \
                complete:false names the windows not read.",
            family: Family::Reports,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "filterGroups": {"type": "array", "items": {"type": "object"},
                                 "description": "As hubspot_search_records; ≤4 filters a group."},
                "property": {"type": "string", "description": "e.g. amount; none: count only"},
                "groupBy": {"type": "string"},
                "dateProperty": {"type": "string"},
                "interval": {"enum": Interval::NAMES},
                "maxCalls": {"type": "integer", "maximum": MAX_CALLS}
            }, "required": ["objectType"]}),
        }
    }

    fn run(&self, a: AggregateArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        aggregate(&check(a)?, SEARCH_CAP, cx)
    }
}

/// Reads every window of `plan` (each search reaching at most `cap` results) and answers.
fn aggregate(plan: &Plan, cap: u64, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
    let mut r = Reader {
        plan,
        cap,
        calls: 0,
        slowest: Duration::ZERO,
        totals: Totals::default(),
        expected: 0,
    };
    // The earliest window last: it is read first.
    let mut stack = match plan.date {
        Some(_) => vec![Task::new(Window::Unset), Task::new(Window::Set)],
        None => vec![Task::new(Window::All)],
    };
    let mut missing = Vec::new();
    while let Some(mut task) = stack.pop() {
        match r.step(cx, &mut task, &mut stack) {
            Ok(Next::Done) => {}
            Ok(Next::Again) => stack.push(task),
            Err(Halt::Fail(e)) => return Err(e),
            Err(Halt::Stop(why)) => {
                missing.push(r.missing(&task, &why));
                missing.extend(stack.drain(..).rev().map(|t| r.missing(&t, &why)));
            }
        }
        let done = r.totals.records();
        let msg = format!("{done} {} counted, {} search calls", plan.ty, r.calls);
        let total = (r.expected > 0).then_some(r.expected.max(done) as f64);
        cx.progress(done as f64, total, Some(&msg));
    }
    Ok(answer(plan, &r, missing, cx.services().text_limit))
}

/// The answer: structured, and as compact text.
fn answer(plan: &Plan, r: &Reader<'_>, missing: Vec<Value>, text_limit: usize) -> ToolOutput {
    let groups: Vec<Value> = r
        .totals
        .groups
        .iter()
        .map(|((group, period), t)| {
            let mut g = Map::new();
            if plan.group_by.is_some() {
                g.insert("group".into(), json!(group));
            }
            if let Some(i) = plan.interval {
                g.insert("period".into(), json!(period.map(|p| i.label(p))));
            }
            g.insert("count".into(), t.count.into());
            if plan.property.is_some() {
                let text = |d: Option<Decimal>| json!(d.map(|d| d.to_string()));
                g.insert("noValue".into(), (t.count - t.with_value).into());
                g.insert("sum".into(), t.sum.to_string().into());
                g.insert("avg".into(), text(t.sum.div_rounded(t.with_value)));
                g.insert("min".into(), text(t.min));
                g.insert("max".into(), text(t.max));
            }
            Value::Object(g)
        })
        .collect();
    let complete = missing.is_empty();
    let records = r.totals.records();
    let mut text = if complete {
        format!(
            "complete: true. {records} {} counted in {} groups; {} HubSpot search calls.",
            plan.ty,
            groups.len(),
            r.calls
        )
    } else {
        format!(
            "complete: false: {} windows not read (below). {records} {} counted in {} groups, without \
             the missing windows' records; {} HubSpot search calls.",
            missing.len(),
            plan.ty,
            groups.len(),
            r.calls
        )
    };
    if let Some(p) = &plan.property {
        text.push_str(&format!(
            " {p}: sum, min, max exact over the records with a value; avg rounded to 2 more decimals; \
             noValue: records without a number in {p}."
        ));
    }
    if let (Some(i), Some(d)) = (plan.interval, &plan.date) {
        text.push_str(&format!(
            " period: the UTC {} of {d} (null: no {d}).",
            i.name()
        ));
    }
    if let Some(g) = &plan.group_by {
        text.push_str(&format!(" group: {g} (null: no value)."));
    }
    for m in &missing {
        text.push_str(&format!("\nmissing: {m}"));
    }
    let mut data = json!({
        "complete": complete,
        "searchCalls": r.calls,
        "records": records,
        "groups": groups,
    });
    if !complete {
        data["missing"] = Value::Array(missing);
    }
    let rows = data["groups"].as_array().cloned().unwrap_or_default();
    ToolOutput {
        text: render_list(&text, &rows, text_limit),
        structured: Some(Structured::Value(data)),
    }
}

#[cfg(test)]
mod tests;
