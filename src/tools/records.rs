//! Records family: list, get, search (with bounded auto-paging), create, update, archive, for any object
//! type, standard or custom.

use serde::Deserialize;
use serde_json::{json, Map, Value};

#[cfg(test)]
use super::associations::new_associations_schema;
use super::associations::{CheckedAssociation, NewAssociation};
use super::change::{Change, Effect};
#[cfg(test)]
use super::common::{
    after_schema, id_property_schema, id_schema, limit_schema, object_type_schema,
    properties_schema, values_schema,
};
use super::common::{
    object_type, object_type_arg, properties_query, record_key, render_one, trim_record_owned,
    RecordsWriter, CURSOR, RECORD_ID,
};
use super::plan;
#[cfg(test)]
use super::untrusted::fenced_note;
use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::hubspot::{paths, Kind, Method};

/// The family's tools.
pub(crate) fn tools() -> Vec<Box<dyn Tool>> {
    vec![
        Box::new(ListRecords),
        Box::new(GetRecord),
        Box::new(SearchRecords),
        Box::new(super::aggregate::AggregateRecords),
        Box::new(CreateRecord),
        Box::new(UpdateRecord),
        Box::new(ArchiveRecord),
    ]
}

/// HubSpot's search returns at most this many results for one query, however it is paged.
pub(super) const SEARCH_CAP: u64 = 10_000;

/// Page size of a list or a search unless the arguments say otherwise.
const DEFAULT_LIMIT: u32 = 10;
/// Largest page of `hubspot_list_records`.
const LIST_LIMIT: u32 = 100;
/// Largest page of `hubspot_search_records`.
pub(super) const SEARCH_LIMIT: u32 = 200;
/// Most object types whose associations a list or get includes.
const ASSOCIATION_TYPES_MAX: usize = 10;

/// Schema of the `associations` argument of a list or get.
#[cfg(test)]
fn associations_schema() -> Value {
    json!({"type": "array", "items": {"type": "string"},
           "description": "Add associated ids of these types."})
}

fn associations_query(types: &[String]) -> Result<Option<(&'static str, String)>, ToolError> {
    super::common::check_max("associations", types.len(), ASSOCIATION_TYPES_MAX)?;
    let norm: Vec<String> = types
        .iter()
        .map(|t| object_type_arg("associations", t))
        .collect::<Result<_, _>>()?;
    Ok((!norm.is_empty()).then(|| ("associations", norm.join(","))))
}

/// `hubspot_list_records`.
struct ListRecords;

/// The arguments of [`ListRecords`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ListArgs {
    object_type: String,
    #[serde(default = "default_limit")]
    limit: u32,
    after: Option<String>,
    #[serde(default)]
    properties: Vec<String>,
    #[serde(default)]
    associations: Vec<String>,
    #[serde(default)]
    archived: bool,
}

fn default_limit() -> u32 {
    DEFAULT_LIMIT
}

impl TypedTool for ListRecords {
    type Args = ListArgs;

    const NAME: &'static str = "hubspot_list_records";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: concat!(
                "Pages through one type's records; filter or sort with hubspot_search_records.",
                fenced_note!()
            ),
            family: Family::Records,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "limit": limit_schema(LIST_LIMIT.into()),
                "after": after_schema(),
                "properties": properties_schema(),
                "associations": associations_schema(),
                "archived": {"type": "boolean"}
            }, "required": ["objectType"]}),
        }
    }

    fn run(&self, a: ListArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ty = object_type(&a.object_type)?;
        if !(1..=LIST_LIMIT).contains(&a.limit) {
            return Err(ToolError::InvalidArguments(format!(
                "limit must be 1-{LIST_LIMIT}"
            )));
        }
        let mut q = vec![("limit", a.limit.to_string())];
        if a.archived {
            q.push(("archived", "true".to_string()));
        }
        if let Some(x) = &a.after {
            q.push(("after", CURSOR.check("after", x)?));
        }
        q.extend(properties_query(&a.properties));
        q.extend(associations_query(&a.associations)?);
        let mut records = RecordsWriter::default();
        let next = cx.read_page(
            Method::Get,
            &paths::objects(&ty),
            &q,
            None,
            Kind::Read,
            |page| {
                let next = page.next_after.clone();
                records.add_page(cx, &ty, page);
                next
            },
        )?;
        Ok(records.into_output(&ty, None, next, cx.services().text_limit))
    }
}

/// `hubspot_get_record`.
struct GetRecord;

/// The arguments of [`GetRecord`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GetArgs {
    object_type: String,
    id: String,
    id_property: Option<String>,
    #[serde(default)]
    properties: Vec<String>,
    #[serde(default)]
    associations: Vec<String>,
}

impl TypedTool for GetRecord {
    type Args = GetArgs;

    const NAME: &'static str = "hubspot_get_record";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: concat!("Reads one record by id or idProperty.", fenced_note!()),
            family: Family::Records,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "id": id_schema(),
                "idProperty": id_property_schema(),
                "properties": properties_schema(),
                "associations": associations_schema()
            }, "required": ["objectType", "id"]}),
        }
    }

    fn run(&self, a: GetArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ty = object_type(&a.object_type)?;
        let (id, id_property) = record_key("id", &a.id, a.id_property.as_deref())?;
        let mut q = Vec::new();
        q.extend(id_property.map(|p| ("idProperty", p)));
        q.extend(properties_query(&a.properties));
        q.extend(associations_query(&a.associations)?);
        let rec = trim_record_owned(cx, &ty, cx.get(&paths::object(&ty, &id), &q)?);
        let text = render_one(
            &format!("One {ty} record, id {}.", rec["id"]),
            &rec,
            cx.services().text_limit,
        );
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(rec)),
        })
    }
}

/// `hubspot_search_records`.
struct SearchRecords;

/// What a search filter operator takes besides `propertyName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// `value`.
    Value,
    /// `value` and `highValue`.
    Range,
    /// `values` (1-100).
    Values,
    /// Nothing more.
    Nothing,
}

impl Needs {
    /// What the operator takes, in words (descriptions and errors).
    fn says(self) -> &'static str {
        match self {
            Needs::Value => "value",
            Needs::Range => "value and highValue",
            Needs::Values => "values (1-100)",
            Needs::Nothing => "no value",
        }
    }
}

/// HubSpot's filter operators and what each takes: the one list the input schema's enum, the tool's
/// description and the check of a search all read.
const OPERATORS: [(&str, Needs); 13] = [
    ("EQ", Needs::Value),
    ("NEQ", Needs::Value),
    ("LT", Needs::Value),
    ("LTE", Needs::Value),
    ("GT", Needs::Value),
    ("GTE", Needs::Value),
    ("BETWEEN", Needs::Range),
    ("IN", Needs::Values),
    ("NOT_IN", Needs::Values),
    ("HAS_PROPERTY", Needs::Nothing),
    ("NOT_HAS_PROPERTY", Needs::Nothing),
    ("CONTAINS_TOKEN", Needs::Value),
    ("NOT_CONTAINS_TOKEN", Needs::Value),
];

/// The operators' names, in [`OPERATORS`] order.
fn operator_names() -> Vec<&'static str> {
    OPERATORS.iter().map(|(name, _)| *name).collect()
}

/// HubSpot's sort directions (the schema's enum and the check).
const SORT_DIRECTIONS: [&str; 2] = ["ASCENDING", "DESCENDING"];

/// The description of `hubspot_search_records`, its list of operators written from [`OPERATORS`].
#[cfg(test)]
fn search_description() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        // The enum names every operator; say only which arguments each takes.
        let with = |n: Needs| {
            OPERATORS
                .iter()
                .filter(|(_, needs)| *needs == n)
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "Finds records by query and/or filters: groups ORed, filters ANDed, 18 in all. {} takes value \
             and highValue; {} values; {} none; others value. Stops at 10,000 results.{}",
            with(Needs::Range),
            with(Needs::Values),
            with(Needs::Nothing),
            fenced_note!()
        )
    })
}

/// The arguments of [`SearchRecords`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SearchArgs {
    object_type: String,
    query: Option<String>,
    #[serde(default)]
    filter_groups: Vec<FilterGroup>,
    #[serde(default)]
    sorts: Vec<Sort>,
    #[serde(default)]
    properties: Vec<String>,
    #[serde(default = "default_limit")]
    limit: u32,
    after: Option<String>,
    max_results: Option<u64>,
}

/// One filter group of a search (its filters are ANDed; groups are ORed).
#[derive(Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilterGroup {
    filters: Vec<Filter>,
}

impl FilterGroup {
    /// How many filters the group has.
    pub(super) fn len(&self) -> usize {
        self.filters.len()
    }
}

#[derive(Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Filter {
    property_name: String,
    operator: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    high_value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<Vec<Value>>,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Sort {
    property_name: String,
    direction: String,
}

/// Checks filter groups against HubSpot's documented limits (5 groups, 1-6 filters each, each operator
/// with what it takes); returns how many filters there are in all. Shared with
/// `hubspot_aggregate_records`, which selects records exactly as a search does.
pub(super) fn check_filter_groups(groups: &[FilterGroup]) -> Result<usize, ToolError> {
    let bad = |m: String| Err(ToolError::InvalidArguments(m));
    if groups.len() > 5 {
        return bad(format!(
            "{} filterGroups given; HubSpot allows at most 5 (they are ORed)",
            groups.len()
        ));
    }
    let mut total = 0;
    for (i, g) in groups.iter().enumerate() {
        if g.filters.is_empty() || g.filters.len() > 6 {
            return bad(format!(
                "filterGroups[{i}] has {} filters; each group needs 1 to 6 (they are ANDed)",
                g.filters.len()
            ));
        }
        total += g.filters.len();
        for f in &g.filters {
            let op = f.operator.to_ascii_uppercase();
            let Some((_, needs)) = OPERATORS.iter().find(|(name, _)| *name == op) else {
                return bad(format!(
                    "operator {:?} is not one of {}",
                    f.operator,
                    operator_names().join(", ")
                ));
            };
            let ok = match needs {
                Needs::Nothing => true,
                Needs::Range => f.value.is_some() && f.high_value.is_some(),
                Needs::Values => f
                    .values
                    .as_ref()
                    .is_some_and(|v| !v.is_empty() && v.len() <= 100),
                Needs::Value => f.value.is_some(),
            };
            if !ok {
                return bad(format!(
                    "filter on {:?} with {op}: {op} takes {}",
                    f.property_name,
                    needs.says()
                ));
            }
        }
    }
    Ok(total)
}

/// The filter groups as HubSpot takes them in a search body (operators upper-cased).
pub(super) fn filter_groups_body(groups: &[FilterGroup]) -> Result<Value, ToolError> {
    let mut body =
        serde_json::to_value(groups).map_err(|e| ToolError::InvalidArguments(e.to_string()))?;
    for g in body.as_array_mut().into_iter().flatten() {
        for f in g["filters"].as_array_mut().into_iter().flatten() {
            if let Some(op) = f["operator"].as_str().map(str::to_ascii_uppercase) {
                f["operator"] = op.into();
            }
        }
    }
    Ok(body)
}

/// Checks search input against HubSpot's documented limits before any call; returns where the first page
/// starts (the numeric `after`, 0 without one).
fn check_search(a: &SearchArgs) -> Result<u64, ToolError> {
    let bad = |m: String| Err(ToolError::InvalidArguments(m));
    let total = check_filter_groups(&a.filter_groups)?;
    if total > 18 {
        return bad(format!(
            "{total} filters in all; HubSpot allows at most 18 per search"
        ));
    }
    if a.sorts.len() > 1 {
        return bad("HubSpot sorts search results by one property only: give one sort".into());
    }
    if let Some(s) = a.sorts.first() {
        if !SORT_DIRECTIONS.contains(&s.direction.to_ascii_uppercase().as_str()) {
            return bad(format!(
                "sort direction must be {}",
                SORT_DIRECTIONS.join(" or ")
            ));
        }
    }
    if !(1..=SEARCH_LIMIT).contains(&a.limit) {
        return bad(format!("limit must be 1-{SEARCH_LIMIT}"));
    }
    // A search cursor is the offset of the next result: digits, below the cap (checked without
    // overflow: `after` may be any string of digits).
    let start: u64 = match &a.after {
        Some(x) => x
            .trim()
            .parse()
            .ok()
            .filter(|_| x.trim().bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                ToolError::InvalidArguments(format!(
                    "after must be the nextAfter of a previous search page: a number from 0 to {}",
                    SEARCH_CAP - 1
                ))
            })?,
        None => 0,
    };
    if let Some(m) = a.max_results {
        if !(1..=SEARCH_CAP).contains(&m) {
            return bad(format!("maxResults must be 1-{SEARCH_CAP}"));
        }
    }
    let first_page = match a.max_results {
        Some(_) => 1,
        None => u64::from(a.limit),
    };
    if start
        .checked_add(first_page)
        .is_none_or(|end| end > SEARCH_CAP)
    {
        return bad(format!("HubSpot's search returns at most {SEARCH_CAP} results per query (after {start} + limit {first_page} goes past them); narrow the filters instead of paging further"));
    }
    Ok(start)
}

impl TypedTool for SearchRecords {
    type Args = SearchArgs;

    const NAME: &'static str = "hubspot_search_records";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: search_description(),
            family: Family::Records,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "query": {"type": "string", "description": "In default searchable properties."},
                "filterGroups": {"type": "array", "maxItems": 5, "items": {"type": "object", "properties": {
                    "filters": {"type": "array", "minItems": 1, "maxItems": 6, "items": {"type": "object", "properties": {
                        "propertyName": {"type": "string"},
                        "operator": {"type": "string", "enum": operator_names()},
                        "value": {"type": ["string", "number", "boolean"]},
                        "highValue": {"type": ["string", "number"]},
                        "values": {"type": "array", "maxItems": 100, "items": {"type": ["string", "number"]}}
                    }, "required": ["propertyName", "operator"]}}
                }, "required": ["filters"]}},
                "sorts": {"type": "array", "maxItems": 1, "items": {"type": "object", "properties": {
                    "propertyName": {"type": "string"},
                    "direction": {"type": "string", "enum": SORT_DIRECTIONS}
                }, "required": ["propertyName", "direction"]}},
                "properties": properties_schema(),
                "limit": limit_schema(SEARCH_LIMIT.into()),
                "after": after_schema(),
                "maxResults": {"type": "integer", "maximum": SEARCH_CAP,
                               "description": "Follow pages up to this many results."}
            }, "required": ["objectType"]}),
        }
    }

    fn run(&self, a: SearchArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ty = object_type(&a.object_type)?;
        let mut start = check_search(&a)?;
        let mut body = Map::new();
        if let Some(q) = &a.query {
            body.insert("query".into(), q.clone().into());
        }
        if !a.filter_groups.is_empty() {
            body.insert("filterGroups".into(), filter_groups_body(&a.filter_groups)?);
        }
        if !a.sorts.is_empty() {
            let mut sorts = serde_json::to_value(&a.sorts)
                .map_err(|e| ToolError::InvalidArguments(e.to_string()))?;
            for s in sorts.as_array_mut().into_iter().flatten() {
                if let Some(d) = s["direction"].as_str().map(str::to_ascii_uppercase) {
                    s["direction"] = d.into();
                }
            }
            body.insert("sorts".into(), sorts);
        }
        if !a.properties.is_empty() {
            body.insert("properties".into(), json!(a.properties));
        }
        let want = a.max_results.unwrap_or(u64::from(a.limit));
        let mut after = a.after.clone();
        let mut results = RecordsWriter::default();
        let mut total = None;
        let mut capped = false;
        loop {
            // Never ask past the cap: HubSpot refuses `after + limit > 10,000` outright.
            let room = SEARCH_CAP.saturating_sub(start);
            let page_size = if a.max_results.is_some() {
                want.saturating_sub(results.len() as u64).min(200).min(room)
            } else {
                u64::from(a.limit)
            };
            body.insert("limit".into(), page_size.into());
            match &after {
                Some(x) => body.insert("after".into(), x.clone().into()),
                None => body.remove("after"),
            };
            let before = results.len();
            let (page_total, next) = cx.read_page(
                Method::Post,
                &paths::search(&ty),
                &[],
                Some(&Value::Object(body.clone())),
                Kind::Search,
                |page| {
                    let read = (page.total, page.next_after.clone());
                    results.add_page(cx, &ty, page);
                    read
                },
            )?;
            total = page_total.or(total);
            after = next;
            // An empty page with a cursor would loop forever: stop there too.
            if a.max_results.is_none()
                || after.is_none()
                || results.len() as u64 >= want
                || results.len() == before
            {
                break;
            }
            match after.as_deref().map(str::parse::<u64>) {
                Some(Ok(n)) if n >= SEARCH_CAP => {
                    capped = true;
                    break;
                }
                Some(Ok(n)) => start = n,
                // A cursor that is not an offset: follow it as HubSpot gave it.
                _ => {}
            }
            let goal = want.min(total.unwrap_or(want)).max(1);
            cx.progress(
                results.len() as f64,
                Some(goal as f64),
                Some(&format!("{} of {goal} {ty}", results.len())),
            );
        }
        let mut out = results.into_output(&ty, total, after.clone(), cx.services().text_limit);
        if capped {
            out.text = format!(
                "Stopped at HubSpot's limit of {SEARCH_CAP} results per search: narrow the filters to reach the rest.\n{}",
                out.text
            );
        }
        Ok(out)
    }
}

/// The default (unlabelled) HubSpot-defined association type from `from` to `to`, from the cached labels.
pub(crate) fn default_association_type(
    cx: &ToolContext<'_>,
    from: &str,
    to: &str,
) -> Result<(String, u64), ToolError> {
    let labels = cx.cached_get(
        &format!("assoc-labels:{from}:{to}"),
        &paths::association_labels(from, to),
        &[],
    )?;
    labels["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["category"] == "HUBSPOT_DEFINED" && l["label"].is_null())
        .or_else(|| labels["results"].as_array().and_then(|r| r.first()))
        .and_then(|l| Some((l["category"].as_str()?.to_string(), l["typeId"].as_u64()?)))
        .ok_or_else(|| {
            ToolError::InvalidArguments(format!(
                "HubSpot defines no association from {from} to {to}"
            ))
        })
}

/// Checks a create's arguments before any call: its object type, and every association target (their
/// default types come from HubSpot later).
fn check_create(a: &CreateArgs) -> Result<(String, Vec<CheckedAssociation>), ToolError> {
    let ty = object_type(&a.object_type)?;
    super::common::check_max(
        "associations",
        a.associations.len(),
        super::batch::BATCH_MAX,
    )?;
    let checked = a
        .associations
        .iter()
        .enumerate()
        .map(|(n, i)| i.check(&format!("associations[{n}]")))
        .collect::<Result<Vec<_>, ToolError>>()?;
    Ok((ty, checked))
}

/// `hubspot_create_record`.
struct CreateRecord;

/// The arguments of [`CreateRecord`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateArgs {
    object_type: String,
    properties: Map<String, Value>,
    #[serde(default)]
    associations: Vec<NewAssociation>,
}

impl TypedTool for CreateRecord {
    type Args = CreateArgs;

    const NAME: &'static str = "hubspot_create_record";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Creates one record; search first to avoid duplicates. Property names, values: hubspot_list_properties.",
            family: Family::Records,
            annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "properties": values_schema(false),
                "associations": new_associations_schema()
            }, "required": ["objectType", "properties"]}),
        }
    }

    fn run(&self, a: CreateArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, checked) = check_create(&a)?;
        let mut body = json!({"properties": a.properties});
        if !checked.is_empty() {
            body["associations"] = checked
                .into_iter()
                .map(|c| c.body(cx, &ty))
                .collect::<Result<_, _>>()
                .map(Value::Array)?;
        }
        let rec = trim_record_owned(
            cx,
            &ty,
            cx.send(
                Method::Post,
                &paths::objects(&ty),
                &[],
                Some(&body),
                Kind::Write,
            )?,
        );
        let text = render_one(
            &format!("Created {ty} record {}.", rec["id"]),
            &rec,
            cx.services().text_limit,
        );
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(rec)),
        })
    }

    fn plan(&self, a: CreateArgs, _cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (ty, checked) = check_create(&a)?;
        let mut change = Change::new(Effect::Create, &ty, 1);
        change.fields = plan::changes(None, None, &a.properties);
        change.detail = super::associations::targets_detail(&checked);
        Ok(Some(change))
    }
}

/// `hubspot_update_record`.
struct UpdateRecord;

/// The arguments of [`UpdateRecord`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UpdateArgs {
    object_type: String,
    id: String,
    id_property: Option<String>,
    properties: Map<String, Value>,
}

impl TypedTool for UpdateRecord {
    type Args = UpdateArgs;

    const NAME: &'static str = "hubspot_update_record";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Updates the given properties of one record, by id or idProperty.",
            family: Family::Records,
            annotations: Annotations {
                read_only: false,
                destructive: true,
                idempotent: true,
                open_world: true,
            },
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "id": id_schema(),
                "idProperty": id_property_schema(),
                "properties": values_schema(true)
            }, "required": ["objectType", "id", "properties"]}),
        }
    }

    fn run(&self, a: UpdateArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, id, id_property) = check_update(&a)?;
        let q: Vec<(&str, String)> = id_property.map(|p| ("idProperty", p)).into_iter().collect();
        let body = json!({"properties": a.properties});
        let rec = trim_record_owned(
            cx,
            &ty,
            cx.send(
                Method::Patch,
                &paths::object(&ty, &id),
                &q,
                Some(&body),
                Kind::Write,
            )?,
        );
        let text = render_one(
            &format!("Updated {ty} record {}.", rec["id"]),
            &rec,
            cx.services().text_limit,
        );
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(rec)),
        })
    }

    /// Reads the record's values of the properties being set (by `idProperty` too, so the change names
    /// the record's real id).
    fn plan(&self, a: UpdateArgs, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (ty, key, id_property) = check_update(&a)?;
        let names: Vec<String> = a.properties.keys().cloned().collect();
        let rec = plan::read_record(cx, &ty, &key, id_property.as_deref(), &names)?;
        let id = plan::record_id(&rec).unwrap_or(key);
        let mut change = Change::new(Effect::Update, &ty, 1);
        change.fields = plan::changes(Some(&id), plan::values(&rec), &a.properties);
        change.ids.push(id);
        Ok(Some(change))
    }
}

/// Checks an update's arguments before any call: `(type, record key, idProperty)`.
fn check_update(a: &UpdateArgs) -> Result<(String, String, Option<String>), ToolError> {
    let ty = object_type(&a.object_type)?;
    let (id, id_property) = record_key("id", &a.id, a.id_property.as_deref())?;
    if a.properties.is_empty() {
        return Err(ToolError::InvalidArguments(
            "properties must name at least one property".into(),
        ));
    }
    Ok((ty, id, id_property))
}

/// `hubspot_archive_record`.
struct ArchiveRecord;

/// The arguments of [`ArchiveRecord`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ArchiveArgs {
    object_type: String,
    id: String,
}

impl TypedTool for ArchiveRecord {
    type Args = ArchiveArgs;

    const NAME: &'static str = "hubspot_archive_record";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Archives (deletes) one record, restorable for 90 days. Confirm with the user first.",
            family: Family::Records,
            annotations: Annotations { read_only: false, destructive: true, idempotent: true, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "id": RECORD_ID.schema("")
            }, "required": ["objectType", "id"]}),
        }
    }

    fn run(&self, a: ArchiveArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, id) = check_archive(&a)?;
        cx.send(
            Method::Delete,
            &paths::object(&ty, &id),
            &[],
            None,
            Kind::Write,
        )?;
        Ok(ToolOutput {
            text: format!("Archived {ty} record {id}."),
            structured: None,
        })
    }

    /// Reads the record's identifying properties, so the person sees what goes. A record HubSpot does
    /// not have is said so (archiving it changes nothing), not an error.
    fn plan(&self, a: ArchiveArgs, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (ty, id) = check_archive(&a)?;
        let names = plan::identifying(&ty);
        let mut change = Change::new(Effect::Archive, &ty, 1);
        match plan::read_record(cx, &ty, &id, None, &names) {
            Ok(rec) => change.fields = plan::removals(&id, plan::values(&rec), &names),
            Err(ToolError::HubSpot(e)) if e.status == Some(404) => {
                change.detail = Some(format!(
                    "HubSpot has no {ty} record {id}: archiving it changes nothing."
                ));
            }
            Err(e) => return Err(e),
        }
        change.ids.push(id);
        Ok(Some(change))
    }
}

/// Checks an archive's arguments before any call: `(type, record id)`.
fn check_archive(a: &ArchiveArgs) -> Result<(String, String), ToolError> {
    Ok((object_type(&a.object_type)?, RECORD_ID.check("id", &a.id)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::parse_args;

    fn search(v: Value) -> Result<u64, ToolError> {
        let mut v = v;
        v["objectType"] = "contacts".into();
        check_search(&parse_args::<SearchArgs>(v)?)
    }

    #[test]
    fn search_limits_are_checked_before_calling() {
        let f = json!({"propertyName": "email", "operator": "EQ", "value": "a"});
        assert!(search(json!({"filterGroups": [{"filters": [f]}]})).is_ok());
        assert!(search(json!({"filterGroups": vec![json!({"filters": [f]}); 6]})).is_err());
        assert!(search(json!({"filterGroups": [{"filters": vec![f.clone(); 7]}]})).is_err());
        assert!(
            search(json!({"filterGroups": vec![json!({"filters": vec![f.clone(); 4]}); 5]}))
                .is_err(),
            "20 > 18"
        );
        assert!(search(json!({"filterGroups": [{"filters": [{"propertyName": "x", "operator": "BETWEEN", "value": 1}]}]})).is_err());
        assert!(search(json!({"filterGroups": [{"filters": [{"propertyName": "x", "operator": "IN", "values": []}]}]})).is_err());
        assert!(search(json!({"filterGroups": [{"filters": [{"propertyName": "x", "operator": "LIKE", "value": 1}]}]})).is_err());
        assert!(search(json!({"filterGroups": [{"filters": [{"propertyName": "x", "operator": "has_property"}]}]})).is_ok());
        assert!(search(json!({"sorts": [{"propertyName": "a", "direction": "UP"}]})).is_err());
        assert!(
            search(json!({"after": "9950", "limit": 100})).is_err(),
            "10k cap"
        );
        assert!(search(json!({"after": "9900", "limit": 100})).is_ok());
        assert!(search(json!({"limit": 201})).is_err());
        assert!(search(json!({"maxResults": 10001})).is_err());
        assert!(search(json!({"bogus": 1})).is_err());
    }

    /// The schema's enum, the description and the check read one list (issue #10: the schema offered
    /// NOT_CONTAINS_TOKEN, which the list lacked).
    #[test]
    fn operators_and_directions_are_one_list() {
        let def = TypedTool::def(&SearchRecords);
        let schema = def.input_schema.to_value();
        let p = &schema["properties"];
        let filter = &p["filterGroups"]["items"]["properties"]["filters"]["items"]["properties"];
        assert_eq!(filter["operator"]["enum"], json!(operator_names()));
        assert_eq!(
            p["sorts"]["items"]["properties"]["direction"]["enum"],
            json!(SORT_DIRECTIONS)
        );
        for (op, needs) in OPERATORS {
            // The description names each operator that takes other than `value` (the enum names all).
            assert_eq!(def.description.contains(op), needs != Needs::Value, "{op}");
            let mut f = json!({"propertyName": "x", "operator": op.to_ascii_lowercase()});
            match needs {
                Needs::Value => f["value"] = "a".into(),
                Needs::Range => {
                    f["value"] = 1.into();
                    f["highValue"] = 2.into();
                }
                Needs::Values => f["values"] = json!(["a"]),
                Needs::Nothing => {}
            }
            assert!(
                search(json!({"filterGroups": [{"filters": [f]}]})).is_ok(),
                "{op}"
            );
            if needs != Needs::Nothing {
                let bare = json!({"propertyName": "x", "operator": op});
                let e = search(json!({"filterGroups": [{"filters": [bare]}]}));
                assert!(e.unwrap_err().to_string().contains(needs.says()), "{op}");
            }
        }
        for d in SORT_DIRECTIONS {
            assert!(search(json!({"sorts": [{"propertyName": "a", "direction": d}]})).is_ok());
        }
    }

    #[test]
    fn new_associations_are_checked_like_batch_ones() {
        use crate::tools::batch::tests::{call, invalid};
        let with = |a: Value| json!({"objectType": "deals", "properties": {}, "associations": [a]});
        let ok = json!({"toObjectType": "company", "toId": "9", "associationTypeId": 5});
        assert_eq!(call(&CreateRecord, with(ok)), Err(ToolError::NotConfigured));
        for (bad, says) in [
            (
                json!({"toObjectType": "companies", "toId": "9", "category": "USER_DEFINED"}),
                "only with associationTypeId",
            ),
            (
                json!({"toObjectType": "companies", "toId": "9", "associationTypeId": 5, "category": "MINE"}),
                "category",
            ),
            (
                json!({"toObjectType": "companies", "toId": "9", "associationTypeId": 0}),
                "associations[0]: associationTypeId",
            ),
            (
                json!({"toObjectType": "companies", "toId": "x"}),
                "associations[0].toId",
            ),
        ] {
            let e = invalid(call(&CreateRecord, with(bad.clone())));
            assert!(e.contains(says), "{bad}: {e}");
        }
        let many = json!({"objectType": "contacts", "associations": vec![json!("contacts"); 11]});
        assert!(invalid(call(&ListRecords, many)).contains("associations"));
    }

    #[test]
    fn search_cursors_never_overflow() {
        assert_eq!(search(json!({"after": " 9990 "})).unwrap(), 9990);
        for after in [
            u64::MAX.to_string(),
            (u64::MAX - 5).to_string(),
            "99999999999999999999999999".into(),
            "10000".into(),
            "-1".into(),
            "+5".into(),
            "1e3".into(),
            "abc".into(),
            "".into(),
            "..".into(),
        ] {
            let e = search(json!({"after": after, "limit": 200}))
                .unwrap_err()
                .to_string();
            assert!(e.contains("after"), "{after}: {e}");
            let e = search(json!({"after": after, "maxResults": 10000}));
            assert!(e.is_err(), "{after}");
        }
        assert!(search(json!({"after": "9999", "maxResults": 10000})).is_ok());
        assert!(search(json!({"after": "9999", "limit": 2})).is_err());
    }

    #[test]
    fn record_ids_are_checked_before_any_call() {
        for (args, what) in [
            (json!({"objectType": "contacts", "id": ".."}), "id"),
            (
                json!({"objectType": "contacts", "id": "1", "idProperty": "a/b"}),
                "idProperty",
            ),
            (
                json!({"objectType": "contacts", "id": "..", "idProperty": "email"}),
                "id",
            ),
            (
                json!({"objectType": "contacts", "id": "%2e%2E", "idProperty": "email"}),
                "id",
            ),
        ] {
            let a: GetArgs = parse_args(args.clone()).unwrap();
            let e = record_key("id", &a.id, a.id_property.as_deref())
                .unwrap_err()
                .to_string();
            assert!(e.contains(what), "{args}: {e}");
        }
        let (k, p) = record_key("id", "ana@example.com", Some("email")).unwrap();
        assert_eq!(
            (k.as_str(), p.as_deref()),
            ("ana@example.com", Some("email"))
        );
        assert_eq!(record_key("id", " 0042 ", None).unwrap().0, "42");
    }
}
