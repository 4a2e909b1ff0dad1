//! Associations family (HubSpot's v4 associations API): list a record's associations (following pages up
//! to a bound), associate two records (default or labelled), remove an association, list the association
//! types (labels) between two object types, and associate up to 100 pairs in one call.

use serde::Deserialize;
use serde_json::{json, Value};

use super::batch::{batch_write, check_count, id_string};
use super::change::{Change, Effect};
#[cfg(test)]
use super::common::{limit_schema, object_type_schema};
use super::common::{next_after, object_type, object_type_arg, render_list, RECORD_ID};
use super::records::default_association_type;
use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::hubspot::{paths, Kind, Method};

/// The family's tools.
pub(crate) fn tools() -> Vec<Box<dyn Tool>> {
    vec![
        Box::new(ListAssociations),
        Box::new(CreateAssociation),
        Box::new(RemoveAssociation),
        Box::new(ListAssociationLabels),
        Box::new(BatchCreateAssociations),
    ]
}

/// Most associations `hubspot_list_associations` collects in one call.
const LIST_MAX: u32 = 5_000;
/// HubSpot's page size limit for listing associations.
const PAGE_MAX: u32 = 500;

/// HubSpot's association categories.
const CATEGORIES: [&str; 3] = ["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"];

/// Checks an association category (case-insensitive); `None` means USER_DEFINED, the category of labels
/// created in the account.
pub(crate) fn association_category(c: Option<&str>) -> Result<String, ToolError> {
    let Some(c) = c else {
        return Ok("USER_DEFINED".into());
    };
    let up = c.trim().to_ascii_uppercase();
    if CATEGORIES.contains(&up.as_str()) {
        Ok(up)
    } else {
        Err(ToolError::InvalidArguments(format!(
            "category {c:?} is not one of {}",
            CATEGORIES.join(", ")
        )))
    }
}

/// The type spec of a labelled association: `(category, typeId)`; refuses a category without a type id.
fn explicit_spec(
    what: &str,
    type_id: Option<u32>,
    category: Option<&str>,
) -> Result<Option<(String, u64)>, ToolError> {
    match (type_id, category) {
        (Some(0), _) => Err(ToolError::InvalidArguments(format!(
            "{what}associationTypeId must be a type id from hubspot_list_association_labels (1 or more)"
        ))),
        (Some(t), c) => Ok(Some((association_category(c)?, u64::from(t)))),
        (None, Some(_)) => Err(ToolError::InvalidArguments(format!(
            "{what}category applies only with associationTypeId; omit both for the default association"
        ))),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
fn type_id_schema() -> Value {
    json!({"type": "integer"})
}

#[cfg(test)]
fn category_schema() -> Value {
    json!({"type": "string"})
}

/// An association given with a record to create (`hubspot_create_record`, `hubspot_batch_create`): the
/// target record, and a labelled type or (without one) HubSpot's default association.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct NewAssociation {
    to_object_type: String,
    to_id: String,
    association_type_id: Option<u32>,
    category: Option<String>,
}

/// A checked [`NewAssociation`]; `spec` (category, type id) is `None` for HubSpot's default type.
pub(crate) struct CheckedAssociation {
    to: String,
    to_id: String,
    spec: Option<(String, u64)>,
}

impl NewAssociation {
    /// Checks it before any call; `what` names it in errors (`associations[2]`).
    pub(crate) fn check(&self, what: &str) -> Result<CheckedAssociation, ToolError> {
        Ok(CheckedAssociation {
            to: object_type_arg(&format!("{what}.toObjectType"), &self.to_object_type)?,
            to_id: RECORD_ID.check(&format!("{what}.toId"), &self.to_id)?,
            spec: explicit_spec(
                &format!("{what}: "),
                self.association_type_id,
                self.category.as_deref(),
            )?,
        })
    }
}

impl CheckedAssociation {
    /// HubSpot's form of it for a record of type `from` (the default type comes from the cached labels).
    pub(crate) fn body(self, cx: &ToolContext<'_>, from: &str) -> Result<Value, ToolError> {
        let (category, type_id) = match self.spec {
            Some(s) => s,
            None => default_association_type(cx, from, &self.to)?,
        };
        Ok(json!({"to": {"id": self.to_id},
                  "types": [{"associationCategory": category, "associationTypeId": type_id}]}))
    }
}

impl CheckedAssociation {
    /// The target as a person reads it: `companies 401`, with its type when one is given.
    fn describe(&self) -> String {
        match &self.spec {
            None => format!("{} {}", self.to, self.to_id),
            Some((category, type_id)) => {
                format!("{} {} (type {type_id}, {category})", self.to, self.to_id)
            }
        }
    }
}

/// The `detail` of a record created with associations: the records it will be associated with.
pub(crate) fn targets_detail(targets: &[CheckedAssociation]) -> Option<String> {
    (!targets.is_empty()).then(|| {
        let list: Vec<String> = targets.iter().map(CheckedAssociation::describe).collect();
        format!("Associated with {}.", list.join(", "))
    })
}

/// How an association of `spec` (`None`: HubSpot's default) is named to a person: the label from
/// `labels` (HubSpot's list of the pair's types) when it has one.
fn type_text(labels: &Value, spec: Option<&(String, u64)>) -> String {
    let Some((category, type_id)) = spec else {
        return "HubSpot's default (unlabelled) association".into();
    };
    let label = labels
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|l| l["typeId"].as_u64() == Some(*type_id) && l["category"] == category.as_str())
        .and_then(|l| l["label"].as_str());
    match label {
        Some(l) => format!("label \"{l}\" (type {type_id}, {category})"),
        None => format!("type {type_id} ({category})"),
    }
}

/// The association types from `from` to `to` (cached; the same read the default type comes from), or
/// nothing when no spec needs naming.
fn labels_for(
    cx: &ToolContext<'_>,
    from: &str,
    to: &str,
    needed: bool,
) -> Result<Value, ToolError> {
    if !needed {
        return Ok(Value::Null);
    }
    Ok(cx
        .cached_get(
            &format!("assoc-labels:{from}:{to}"),
            &paths::association_labels(from, to),
            &[],
        )?
        .as_ref()
        .clone())
}

/// Checks the two records of a pair before any call: `(from, fromId, to, toId)`.
fn check_link(
    from_type: &str,
    from_id: &str,
    to_type: &str,
    to_id: &str,
) -> Result<(String, String, String, String), ToolError> {
    Ok((
        object_type_arg("fromObjectType", from_type)?,
        RECORD_ID.check("fromId", from_id)?,
        object_type_arg("toObjectType", to_type)?,
        RECORD_ID.check("toId", to_id)?,
    ))
}

/// Schema of a list of [`NewAssociation`]s (at most [`super::batch::BATCH_MAX`]).
#[cfg(test)]
pub(crate) fn new_associations_schema() -> Value {
    json!({"type": "array", "maxItems": super::batch::BATCH_MAX,
           "items": {"type": "object", "properties": {
               "toObjectType": object_type_schema(),
               "toId": RECORD_ID.schema(""),
               "associationTypeId": type_id_schema(),
               "category": category_schema()
           }, "required": ["toObjectType", "toId"]}})
}

/// The non-empty `labels` of an association HubSpot returned.
fn labels_of(v: &Value) -> Vec<Value> {
    v.get("labels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|l| l.as_str().is_some_and(|s| !s.is_empty()))
        .cloned()
        .collect()
}

/// One association type as HubSpot lists it, trimmed: category, typeId, label (null when unlabelled).
fn type_spec(t: &Value) -> Value {
    json!({
        "category": t.get("category").cloned().unwrap_or(Value::Null),
        "typeId": t.get("typeId").cloned().unwrap_or(Value::Null),
        "label": t.get("label").cloned().unwrap_or(Value::Null),
    })
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_list_associations`.
struct ListAssociations;

/// The arguments of [`ListAssociations`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ListArgs {
    object_type: String,
    id: String,
    to_object_type: String,
    max_results: Option<u32>,
}

/// One associated record: its id, its labels, its association types.
fn associated(v: &Value) -> Value {
    let types: Vec<Value> = v
        .get("associationTypes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(type_spec)
        .collect();
    let labels: Vec<Value> = types
        .iter()
        .filter_map(|t| t["label"].as_str().filter(|l| !l.is_empty()))
        .map(Value::from)
        .collect();
    json!({
        "toObjectId": id_string(v.get("toObjectId").unwrap_or(&Value::Null)),
        "labels": labels,
        "associationTypes": types,
    })
}

impl TypedTool for ListAssociations {
    type Args = ListArgs;

    const NAME: &'static str = "hubspot_list_associations";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Records of toObjectType associated with one record, with labels; read them with hubspot_batch_read.",
            family: Family::Associations,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "id": RECORD_ID.schema(""),
                "toObjectType": object_type_schema(),
                "maxResults": limit_schema(LIST_MAX.into())
            }, "required": ["objectType", "id", "toObjectType"]}),
        }
    }

    fn run(&self, a: ListArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let from = object_type(&a.object_type)?;
        let to = object_type_arg("toObjectType", &a.to_object_type)?;
        let id = RECORD_ID.check("id", &a.id)?;
        let want = a.max_results.unwrap_or(100);
        if !(1..=LIST_MAX).contains(&want) {
            return Err(ToolError::InvalidArguments(format!(
                "maxResults must be 1-{LIST_MAX}"
            )));
        }
        let want = want as usize;
        let path = paths::associations_of(&from, &id, &to);
        let mut results: Vec<Value> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page_size = want.saturating_sub(results.len()).min(PAGE_MAX as usize);
            let mut q = vec![("limit", page_size.to_string())];
            q.extend(after.take().map(|x| ("after", x)));
            let page = cx.get(&path, &q)?;
            let before = results.len();
            results.extend(
                page.get("results")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(associated),
            );
            after = next_after(&page);
            // An empty page with a cursor would loop forever: stop and report more.
            if after.is_none() || results.len() >= want || results.len() == before {
                break;
            }
            cx.progress(
                results.len() as f64,
                Some(want as f64),
                Some(&format!("{} {to} associations so far", results.len())),
            );
        }
        let mut more = after.is_some();
        if results.len() > want {
            results.truncate(want);
            more = true;
        }
        let mut summary = format!("{} {to} associated with {from} record {id}.", results.len());
        if more {
            if want < LIST_MAX as usize {
                summary.push_str(&format!(
                    " Stopped at maxResults={want}: HubSpot has more; call again with a larger maxResults (at most {LIST_MAX}) to see them."
                ));
            } else {
                summary.push_str(&format!(
                    " Stopped at {LIST_MAX}, the most this tool returns: HubSpot has more."
                ));
            }
        } else {
            summary.push_str(" That is all of them.");
        }
        let text = render_list(&summary, &results, cx.services().text_limit);
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(
                json!({"results": results, "count": results.len(), "more": more}),
            )),
        })
    }
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_create_association`.
struct CreateAssociation;

/// The arguments of [`CreateAssociation`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateArgs {
    from_object_type: String,
    from_id: String,
    to_object_type: String,
    to_id: String,
    association_type_id: Option<u32>,
    category: Option<String>,
}

impl TypedTool for CreateAssociation {
    type Args = CreateArgs;

    const NAME: &'static str = "hubspot_create_association";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Associates two records; existing associations stay. Many pairs: hubspot_batch_create_associations.",
            family: Family::Associations,
            annotations: Annotations { read_only: false, destructive: false, idempotent: true, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "fromObjectType": object_type_schema(),
                "fromId": RECORD_ID.schema(""),
                "toObjectType": object_type_schema(),
                "toId": RECORD_ID.schema(""),
                "associationTypeId": type_id_schema(),
                "category": category_schema()
            }, "required": ["fromObjectType", "fromId", "toObjectType", "toId"]}),
        }
    }

    fn run(&self, a: CreateArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ((from, from_id, to, to_id), spec) = check_create(&a)?;
        let (types, labels) = match spec {
            None => {
                let resp = cx.send(
                    Method::Put,
                    &paths::association_default(&from, &from_id, &to, &to_id),
                    &[],
                    None,
                    Kind::Write,
                )?;
                let mut types: Vec<Value> = Vec::new();
                for r in resp
                    .get("results")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let s = &r["associationSpec"];
                    let t = json!({"category": s["associationCategory"], "typeId": s["associationTypeId"]});
                    if !s.is_null() && !types.contains(&t) {
                        types.push(t);
                    }
                }
                (types, Vec::new())
            }
            Some((category, type_id)) => {
                let body = json!([{"associationCategory": category, "associationTypeId": type_id}]);
                let resp = cx.send(
                    Method::Put,
                    &paths::association(&from, &from_id, &to, &to_id),
                    &[],
                    Some(&body),
                    Kind::Write,
                )?;
                (
                    vec![json!({"category": category, "typeId": type_id})],
                    labels_of(&resp),
                )
            }
        };
        let data = json!({
            "fromObjectType": from, "fromId": from_id, "toObjectType": to, "toId": to_id,
            "types": types, "labels": labels,
        });
        let kind = if a.association_type_id.is_some() {
            "with the given association type"
        } else {
            "with HubSpot's default association"
        };
        let mut text = format!("Associated {from} {from_id} with {to} {to_id} {kind}.");
        if !labels.is_empty() {
            let names: Vec<&str> = labels.iter().filter_map(Value::as_str).collect();
            text.push_str(&format!(" Labels now: {}.", names.join(", ")));
        }
        text.push('\n');
        text.push_str(&data.to_string());
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(data)),
        })
    }

    fn plan(&self, a: CreateArgs, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let ((from, from_id, to, to_id), spec) = check_create(&a)?;
        let labels = labels_for(cx, &from, &to, spec.is_some())?;
        let mut change = Change::new(Effect::Associate, &from, 1);
        change.detail = Some(format!(
            "Associate with {to} {to_id}: {} (existing associations are kept).",
            type_text(&labels, spec.as_ref())
        ));
        change.ids.push(from_id);
        Ok(Some(change))
    }
}

/// A checked pair and its explicit type, if any.
type CheckedLink = ((String, String, String, String), Option<(String, u64)>);

/// Checks a create's arguments before any call.
fn check_create(a: &CreateArgs) -> Result<CheckedLink, ToolError> {
    Ok((
        check_link(&a.from_object_type, &a.from_id, &a.to_object_type, &a.to_id)?,
        explicit_spec("", a.association_type_id, a.category.as_deref())?,
    ))
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_remove_association`.
struct RemoveAssociation;

/// The arguments of [`RemoveAssociation`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RemoveArgs {
    from_object_type: String,
    from_id: String,
    to_object_type: String,
    to_id: String,
}

impl TypedTool for RemoveAssociation {
    type Args = RemoveArgs;

    const NAME: &'static str = "hubspot_remove_association";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description:
                "Removes all associations between two records. Confirm with the user first.",
            family: Family::Associations,
            annotations: Annotations {
                read_only: false,
                destructive: true,
                idempotent: true,
                open_world: true,
            },
            input_schema: schema_json!({"type": "object", "properties": {
                "fromObjectType": object_type_schema(),
                "fromId": RECORD_ID.schema(""),
                "toObjectType": object_type_schema(),
                "toId": RECORD_ID.schema("")
            }, "required": ["fromObjectType", "fromId", "toObjectType", "toId"]}),
        }
    }

    fn run(&self, a: RemoveArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (from, from_id, to, to_id) =
            check_link(&a.from_object_type, &a.from_id, &a.to_object_type, &a.to_id)?;
        cx.send(
            Method::Delete,
            &paths::association(&from, &from_id, &to, &to_id),
            &[],
            None,
            Kind::Write,
        )?;
        Ok(ToolOutput {
            text: format!(
                "Removed every association between {from} {from_id} and {to} {to_id} (if there was one); \
                 the records are unchanged."
            ),
            structured: None,
        })
    }

    fn plan(&self, a: RemoveArgs, _cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (from, from_id, to, to_id) =
            check_link(&a.from_object_type, &a.from_id, &a.to_object_type, &a.to_id)?;
        let mut change = Change::new(Effect::Associate, &from, 1);
        change.detail = Some(format!(
            "Remove every association (the default one and every label) with {to} {to_id}; the records \
             themselves are unchanged."
        ));
        change.ids.push(from_id);
        Ok(Some(change))
    }
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_list_association_labels`.
struct ListAssociationLabels;

/// The arguments of [`ListAssociationLabels`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LabelsArgs {
    from_object_type: String,
    to_object_type: String,
}

impl TypedTool for ListAssociationLabels {
    type Args = LabelsArgs;

    const NAME: &'static str = "hubspot_list_association_labels";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Association types (default, labels) between two object types: typeId and category, for associationTypeId.",
            family: Family::Associations,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "fromObjectType": object_type_schema(),
                "toObjectType": object_type_schema()
            }, "required": ["fromObjectType", "toObjectType"]}),
        }
    }

    fn run(&self, a: LabelsArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let from = object_type_arg("fromObjectType", &a.from_object_type)?;
        let to = object_type_arg("toObjectType", &a.to_object_type)?;
        let labels = cx.cached_get(
            &format!("assoc-labels:{from}:{to}"),
            &paths::association_labels(&from, &to),
            &[],
        )?;
        let results: Vec<Value> = labels
            .get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(type_spec)
            .collect();
        let summary = format!(
            "{} association types from {from} to {to} (label null = HubSpot's default, unlabelled association).",
            results.len()
        );
        let text = render_list(&summary, &results, cx.services().text_limit);
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(
                json!({"results": results, "count": results.len()}),
            )),
        })
    }
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_batch_create_associations`.
struct BatchCreateAssociations;

/// The arguments of [`BatchCreateAssociations`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct BatchArgs {
    from_object_type: String,
    to_object_type: String,
    inputs: Vec<PairInput>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PairInput {
    from_id: String,
    to_id: String,
    association_type_id: Option<u32>,
    category: Option<String>,
}

/// A checked pair: ids and the explicit type, if any.
type Pair = (String, String, Option<(String, u64)>);

/// Checks every pair before any call.
fn check_pairs(inputs: &[PairInput]) -> Result<Vec<Pair>, ToolError> {
    check_count("inputs", inputs.len())?;
    inputs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Ok((
                RECORD_ID.check(&format!("inputs[{i}].fromId"), &p.from_id)?,
                RECORD_ID.check(&format!("inputs[{i}].toId"), &p.to_id)?,
                explicit_spec(
                    &format!("inputs[{i}]: "),
                    p.association_type_id,
                    p.category.as_deref(),
                )?,
            ))
        })
        .collect()
}

impl TypedTool for BatchCreateAssociations {
    type Args = BatchArgs;

    const NAME: &'static str = "hubspot_batch_create_associations";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Associates pairs of records of two types; existing associations stay. Lists failures.",
            family: Family::Associations,
            annotations: Annotations { read_only: false, destructive: false, idempotent: true, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "fromObjectType": object_type_schema(),
                "toObjectType": object_type_schema(),
                "inputs": {"type": "array", "minItems": 1, "maxItems": super::batch::BATCH_MAX,
                           "items": {"type": "object", "properties": {
                    "fromId": RECORD_ID.schema(""),
                    "toId": RECORD_ID.schema(""),
                    "associationTypeId": type_id_schema(),
                    "category": category_schema()
                }, "required": ["fromId", "toId"]}}
            }, "required": ["fromObjectType", "toObjectType", "inputs"]}),
        }
    }

    fn run(&self, a: BatchArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (from, to, pairs) = check_batch(&a)?;
        let default = if pairs.iter().any(|p| p.2.is_none()) {
            Some(default_association_type(cx, &from, &to)?)
        } else {
            None
        };
        let inputs: Vec<Value> = pairs
            .iter()
            .map(|(f, t, spec)| {
                let (category, type_id) = spec
                    .as_ref()
                    .or(default.as_ref())
                    .cloned()
                    .unwrap_or_default();
                json!({"from": {"id": f}, "to": {"id": t},
                       "types": [{"associationCategory": category, "associationTypeId": type_id}]})
            })
            .collect();
        let pair = |r: &Value| {
            json!({
                "fromId": id_string(r.get("fromObjectId").unwrap_or(&Value::Null)),
                "toId": id_string(r.get("toObjectId").unwrap_or(&Value::Null)),
                "labels": labels_of(r),
            })
        };
        batch_write(
            cx,
            Method::Post,
            &paths::association_batch_create(&from, &to),
            inputs,
            pair,
            |r| {
                format!(
                    "Associated {} of {} {from} → {to} pairs",
                    r.len(),
                    pairs.len()
                )
            },
            "the pairs under Errors were not associated",
        )
    }

    fn plan(&self, a: BatchArgs, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (from, to, pairs) = check_batch(&a)?;
        let labels = labels_for(cx, &from, &to, pairs.iter().any(|p| p.2.is_some()))?;
        let mut change = Change::new(Effect::Associate, &from, pairs.len());
        let mut links = Vec::with_capacity(pairs.len());
        for (from_id, to_id, spec) in &pairs {
            if !change.ids.contains(from_id) {
                change.ids.push(from_id.clone());
            }
            links.push(format!(
                "{from_id} → {to} {to_id} ({})",
                type_text(&labels, spec.as_ref())
            ));
        }
        change.detail = Some(format!(
            "Associate with {to} (existing associations are kept): {}.",
            links.join("; ")
        ));
        Ok(Some(change))
    }
}

/// Checks a batch's arguments before any call: `(from, to, pairs)`.
fn check_batch(a: &BatchArgs) -> Result<(String, String, Vec<Pair>), ToolError> {
    Ok((
        object_type_arg("fromObjectType", &a.from_object_type)?,
        object_type_arg("toObjectType", &a.to_object_type)?,
        check_pairs(&a.inputs)?,
    ))
}

#[cfg(test)]
mod tests {

    use super::*;

    use crate::tools::batch::tests::{call, invalid};

    #[test]
    fn list_checks_before_calling() {
        let base = json!({"objectType": "contact", "id": "1", "toObjectType": "company"});
        assert_eq!(
            call(&ListAssociations, base.clone()),
            Err(ToolError::NotConfigured)
        );
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            b
        };
        assert_eq!(
            call(&ListAssociations, with("maxResults", json!(5000))),
            Err(ToolError::NotConfigured)
        );
        assert!(
            invalid(call(&ListAssociations, with("maxResults", json!(5001))))
                .contains("maxResults")
        );
        assert!(
            invalid(call(&ListAssociations, with("maxResults", json!(0)))).contains("maxResults")
        );
        assert!(invalid(call(&ListAssociations, with("limit", json!(10)))).contains("limit"));
        assert!(invalid(call(&ListAssociations, with("id", json!("  ")))).contains("id"));
        assert!(invalid(call(
            &ListAssociations,
            json!({"objectType": "contacts", "id": "1"})
        ))
        .contains("toObjectType"));
    }

    #[test]
    fn create_and_remove_check_before_calling() {
        let base = json!({"fromObjectType": "contacts", "fromId": "1", "toObjectType": "companies", "toId": "2"});
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            b
        };
        assert_eq!(
            call(&CreateAssociation, base.clone()),
            Err(ToolError::NotConfigured)
        );
        assert_eq!(
            call(&CreateAssociation, with("associationTypeId", json!(279))),
            Err(ToolError::NotConfigured)
        );
        let mut labelled = with("associationTypeId", json!(1));
        labelled["category"] = "hubspot_defined".into();
        assert_eq!(
            call(&CreateAssociation, labelled),
            Err(ToolError::NotConfigured)
        );
        assert!(invalid(call(
            &CreateAssociation,
            with("category", json!("USER_DEFINED"))
        ))
        .contains("only with associationTypeId"));
        let mut bad = with("associationTypeId", json!(1));
        bad["category"] = "MINE".into();
        assert!(invalid(call(&CreateAssociation, bad)).contains("category"));
        assert!(invalid(call(
            &CreateAssociation,
            with("associationTypeId", json!(0))
        ))
        .contains("associationTypeId"));
        assert!(invalid(call(
            &CreateAssociation,
            with("associationTypeId", json!(-3))
        ))
        .contains("invalid value"));
        assert!(invalid(call(&CreateAssociation, with("label", json!("x")))).contains("label"));
        assert_eq!(
            call(&RemoveAssociation, base.clone()),
            Err(ToolError::NotConfigured)
        );
        assert!(invalid(call(
            &RemoveAssociation,
            with("associationTypeId", json!(1))
        ))
        .contains("associationTypeId"));
        assert!(invalid(call(&RemoveAssociation, with("toId", json!("")))).contains("toId"));
        assert!(invalid(call(
            &RemoveAssociation,
            json!({"fromObjectType": "contacts", "fromId": "1", "toObjectType": "companies"})
        ))
        .contains("toId"));
    }

    #[test]
    fn labels_check_before_calling() {
        assert_eq!(
            call(
                &ListAssociationLabels,
                json!({"fromObjectType": "deal", "toObjectType": "0-1"})
            ),
            Err(ToolError::NotConfigured)
        );
        assert!(invalid(call(
            &ListAssociationLabels,
            json!({"fromObjectType": "deals"})
        ))
        .contains("toObjectType"));
        assert!(invalid(call(
            &ListAssociationLabels,
            json!({"fromObjectType": "de/als", "toObjectType": "contacts"})
        ))
        .contains("fromObjectType"));
    }

    #[test]
    fn batch_create_checks_before_calling() {
        let pair = json!({"fromId": "1", "toId": "2", "associationTypeId": 1, "category": "HUBSPOT_DEFINED"});
        let args = |inputs: Vec<Value>| json!({"fromObjectType": "contacts", "toObjectType": "companies", "inputs": inputs});
        assert_eq!(
            call(&BatchCreateAssociations, args(vec![pair.clone(); 100])),
            Err(ToolError::NotConfigured)
        );
        assert!(invalid(call(
            &BatchCreateAssociations,
            args(vec![pair.clone(); 101])
        ))
        .contains("101 given"));
        assert!(invalid(call(&BatchCreateAssociations, args(vec![]))).contains("at least one"));
        assert!(invalid(call(
            &BatchCreateAssociations,
            args(vec![json!({"fromId": "1"})])
        ))
        .contains("toId"));
        assert!(invalid(call(
            &BatchCreateAssociations,
            args(vec![json!({"fromId": "1", "toId": "2", "x": 1})])
        ))
        .contains("x"));
        assert!(invalid(call(
            &BatchCreateAssociations,
            args(vec![pair.clone(), json!({"fromId": "1", "toId": " "})])
        ))
        .contains("inputs[1].toId"));
        assert!(invalid(call(
            &BatchCreateAssociations,
            args(vec![
                json!({"fromId": "1", "toId": "2", "category": "USER_DEFINED"})
            ])
        ))
        .contains("inputs[0]"));
        // Without a type id the default type is looked up (a HubSpot read) before the write.
        assert_eq!(
            call(
                &BatchCreateAssociations,
                args(vec![json!({"fromId": "1", "toId": "2"})])
            ),
            Err(ToolError::NotConfigured)
        );
    }

    #[test]
    fn list_follows_pages_until_max_results() {
        use crate::tools::batch::tests::with_hubspot;
        let page = |from: u64, n: u64, next: Option<&str>| {
            let results: Vec<Value> = (from..from + n)
                .map(|i| json!({"toObjectId": i, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 1, "label": null}]}))
                .collect();
            match next {
                Some(a) => json!({"results": results, "paging": {"next": {"after": a}}}),
                None => json!({"results": results}),
            }
        };
        let (out, seen) = with_hubspot(
            vec![
                (200, page(0, 500, Some("c1"))),
                (200, page(500, 100, Some("c2"))),
            ],
            |cx| {
                ListAssociations.call(
                    json!({"objectType": "companies", "id": "7", "toObjectType": "contacts", "maxResults": 600}),
                    cx,
                )
            },
        );
        assert_eq!(
            seen[0].1,
            "/crm/v4/objects/companies/7/associations/contacts?limit=500"
        );
        assert_eq!(
            seen[1].1,
            "/crm/v4/objects/companies/7/associations/contacts?limit=100&after=c1"
        );
        let out = out.unwrap_or_else(|e| ToolOutput {
            text: e.to_string(),
            structured: None,
        });
        assert!(
            out.text.starts_with(
                "600 contacts associated with companies record 7. Stopped at maxResults=600"
            ),
            "{}",
            &out.text[..200]
        );
        let s = out
            .structured
            .map(Structured::into_value)
            .unwrap_or_default();
        assert_eq!(
            (s["count"].clone(), s["more"].clone()),
            (json!(600), json!(true))
        );
        assert_eq!(s["results"][599]["toObjectId"], "599");
        // One progress report, before the second page.
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert_eq!(seen[2].0, "PROGRESS");
        assert_eq!(seen[2].2, json!([500.0, 600.0]));

        let (out, seen) = with_hubspot(vec![(200, page(0, 3, None))], |cx| {
            ListAssociations.call(
                json!({"objectType": "contacts", "id": "1", "toObjectType": "deals"}),
                cx,
            )
        });
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen[0].1,
            "/crm/v4/objects/contacts/1/associations/deals?limit=100"
        );
        let s = out
            .ok()
            .and_then(|o| o.structured)
            .map(Structured::into_value)
            .unwrap_or_default();
        assert_eq!(
            (s["count"].clone(), s["more"].clone()),
            (json!(3), json!(false))
        );
    }

    #[test]
    fn writes_send_hubspots_shapes() {
        use crate::tools::batch::tests::with_hubspot;
        let (out, seen) = with_hubspot(
            vec![(
                200,
                json!({"status": "COMPLETE", "results": [{"from": {"id": "1"}, "to": {"id": "2"},
                "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}}]}),
            )],
            |cx| {
                CreateAssociation.call(
                    json!({"fromObjectType": "contact", "fromId": "1", "toObjectType": "company", "toId": "2"}),
                    cx,
                )
            },
        );
        assert_eq!(
            (seen[0].0.as_str(), seen[0].1.as_str()),
            (
                "PUT",
                "/crm/v4/objects/contacts/1/associations/default/companies/2"
            )
        );
        let s = out
            .ok()
            .and_then(|o| o.structured)
            .map(Structured::into_value)
            .unwrap_or_default();
        assert_eq!(
            s["types"],
            json!([{"category": "HUBSPOT_DEFINED", "typeId": 279}])
        );

        let (out, seen) = with_hubspot(
            vec![(
                201,
                json!({"fromObjectTypeId": "0-1", "fromObjectId": 1, "toObjectTypeId": "0-2",
                              "toObjectId": 2, "labels": ["", "Billing"]}),
            )],
            |cx| {
                CreateAssociation.call(
                    json!({"fromObjectType": "contacts", "fromId": "1", "toObjectType": "companies", "toId": "2",
                           "associationTypeId": 42}),
                    cx,
                )
            },
        );
        assert_eq!(
            (seen[0].0.as_str(), seen[0].1.as_str()),
            ("PUT", "/crm/v4/objects/contacts/1/associations/companies/2")
        );
        assert_eq!(
            seen[0].2,
            json!([{"associationCategory": "USER_DEFINED", "associationTypeId": 42}])
        );
        let out = out.unwrap_or_else(|e| ToolOutput {
            text: e.to_string(),
            structured: None,
        });
        assert!(out.text.contains("Labels now: Billing."), "{}", out.text);

        let (out, seen) = with_hubspot(vec![(204, Value::Null)], |cx| {
            RemoveAssociation.call(
                json!({"fromObjectType": "deals", "fromId": "3", "toObjectType": "contacts", "toId": "4"}),
                cx,
            )
        });
        assert!(out.is_ok(), "{out:?}");
        assert_eq!(
            (seen[0].0.as_str(), seen[0].1.as_str()),
            ("DELETE", "/crm/v4/objects/deals/3/associations/contacts/4")
        );

        let labels =
            json!({"results": [{"category": "HUBSPOT_DEFINED", "typeId": 3, "label": null}]});
        let (out, seen) = with_hubspot(
            vec![
                (200, labels),
                (
                    207,
                    json!({"status": "COMPLETE", "results": [{"fromObjectId": 1, "toObjectId": 2, "labels": []}],
                             "errors": [{"category": "VALIDATION_ERROR", "message": "bad pair", "context": {"ids": ["9"]}}]}),
                ),
            ],
            |cx| {
                let labels = ListAssociationLabels.call(
                    json!({"fromObjectType": "deal", "toObjectType": "contact"}),
                    cx,
                );
                let batch = BatchCreateAssociations.call(
                    json!({"fromObjectType": "deals", "toObjectType": "contacts", "inputs": [
                        {"fromId": "1", "toId": "2"}, {"fromId": "1", "toId": "9", "associationTypeId": 4}]}),
                    cx,
                );
                (labels, batch)
            },
        );
        // One labels call: the batch reuses the cached labels (key assoc-labels:deals:contacts).
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0].1, "/crm/v4/associations/deals/contacts/labels");
        assert_eq!(
            seen[1].1,
            "/crm/v4/associations/deals/contacts/batch/create"
        );
        assert_eq!(
            seen[1].2,
            json!({"inputs": [
            {"from": {"id": "1"}, "to": {"id": "2"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]},
            {"from": {"id": "1"}, "to": {"id": "9"}, "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": 4}]}]})
        );
        let (labels, batch) = out;
        assert_eq!(
            labels
                .ok()
                .and_then(|o| o.structured)
                .map(Structured::into_value)
                .unwrap_or_default()["count"],
            1
        );
        let batch = batch.unwrap_or_else(|e| ToolOutput {
            text: e.to_string(),
            structured: None,
        });
        assert!(
            batch
                .text
                .starts_with("Associated 1 of 2 deals → contacts pairs")
                && batch.text.contains("bad pair"),
            "{}",
            batch.text
        );
        assert_eq!(
            batch
                .structured
                .map(Structured::into_value)
                .unwrap_or_default()["results"][0],
            json!({"fromId": "1", "toId": "2", "labels": []})
        );
    }

    #[test]
    fn associated_records_are_trimmed() {
        let v = json!({"toObjectId": 123, "associationTypes": [
            {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": null},
            {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": "Primary"}]});
        let a = associated(&v);
        assert_eq!(a["toObjectId"], "123");
        assert_eq!(a["labels"], json!(["Primary"]));
        assert_eq!(a["associationTypes"][1]["typeId"], 279);
        assert_eq!(
            association_category(None).ok().as_deref(),
            Some("USER_DEFINED")
        );
        assert_eq!(
            association_category(Some("integrator_defined"))
                .ok()
                .as_deref(),
            Some("INTEGRATOR_DEFINED")
        );
    }
}
