//! Pipelines family: deal, ticket (and other) pipelines with their stages, trimmed for a model. Reads go
//! through the metadata cache (`pipelines:{type}`, `pipelines:{type}:{id}`).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::common::{object_type, render_list, render_one, PIPELINE_ID};
use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::hubspot::paths;

/// The family's tools.
pub(crate) fn tools() -> Vec<Box<dyn Tool>> {
    vec![Box::new(ListPipelines), Box::new(GetPipeline)]
}

#[cfg(test)]
fn pipeline_type_schema() -> Value {
    super::common::object_type_schema()
}

fn display_order(v: &Value) -> i64 {
    v["displayOrder"].as_i64().unwrap_or(i64::MAX)
}

/// The items of the array `items` in display order; items of one displayOrder keep HubSpot's order (an
/// unstable sort on the order and the position: a stable sort's code is larger).
fn in_display_order(items: &Value) -> Vec<&Value> {
    let mut v: Vec<(i64, usize, &Value)> = items
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, x)| (display_order(x), i, x))
        .collect();
    v.sort_unstable_by_key(|&(order, i, _)| (order, i));
    v.into_iter().map(|(_, _, x)| x).collect()
}

/// A stage trimmed: id, label, displayOrder, and the metadata that matters (`probability`, `isClosed`,
/// `ticketState`), as HubSpot gives them (strings).
fn trim_stage(s: &Value) -> Value {
    let mut m = Map::new();
    for k in ["id", "label", "displayOrder"] {
        if let Some(v) = s.get(k).filter(|v| !v.is_null()) {
            m.insert(k.into(), v.clone());
        }
    }
    for k in ["probability", "isClosed", "ticketState"] {
        if let Some(v) = s["metadata"].get(k).filter(|v| !v.is_null()) {
            m.insert(k.into(), v.clone());
        }
    }
    if s["archived"] == Value::Bool(true) {
        m.insert("archived".into(), true.into());
    }
    Value::Object(m)
}

/// A pipeline trimmed: id, label, displayOrder and its stages in display order.
fn trim_pipeline(p: &Value) -> Value {
    let stages = in_display_order(&p["stages"]);
    let mut m = Map::new();
    for k in ["id", "label", "displayOrder"] {
        if let Some(v) = p.get(k).filter(|v| !v.is_null()) {
            m.insert(k.into(), v.clone());
        }
    }
    if p["archived"] == Value::Bool(true) {
        m.insert("archived".into(), true.into());
    }
    m.insert(
        "stages".into(),
        Value::Array(stages.into_iter().map(trim_stage).collect()),
    );
    Value::Object(m)
}

fn stage_property_hint(ty: &str) -> &'static str {
    match ty {
        "deals" => " Deals store the stage id in dealstage and the pipeline id in pipeline.",
        "tickets" => {
            " Tickets store the stage id in hs_pipeline_stage and the pipeline id in hs_pipeline."
        }
        _ => " Records store the stage id in their stage property and the pipeline id in their pipeline property.",
    }
}

/// `hubspot_list_pipelines`.
struct ListPipelines;

/// The arguments of [`ListPipelines`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ListArgs {
    object_type: String,
}

impl TypedTool for ListPipelines {
    type Args = ListArgs;

    const NAME: &'static str = "hubspot_list_pipelines";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Pipelines (deals, tickets, ...) and their stages. Records hold stage and pipeline ids, not labels.",
            family: Family::Pipelines,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": pipeline_type_schema()
            }, "required": ["objectType"]}),
        }
    }

    fn run(&self, a: ListArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ty = object_type(&a.object_type)?;
        let all = cx.cached_get(&format!("pipelines:{ty}"), &paths::pipelines(&ty), &[])?;
        let results: Vec<Value> = in_display_order(&all["results"])
            .into_iter()
            .map(trim_pipeline)
            .collect();
        let summary = format!(
            "{} {ty} pipelines.{}",
            results.len(),
            stage_property_hint(&ty)
        );
        let text = render_list(&summary, &results, cx.services().text_limit);
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(
                json!({"objectType": ty, "results": results}),
            )),
        })
    }
}

/// `hubspot_get_pipeline`.
struct GetPipeline;

/// The arguments of [`GetPipeline`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GetArgs {
    object_type: String,
    pipeline_id: String,
}

impl TypedTool for GetPipeline {
    type Args = GetArgs;

    const NAME: &'static str = "hubspot_get_pipeline";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "One pipeline (e.g. default) and its stages.",
            family: Family::Pipelines,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": pipeline_type_schema(),
                "pipelineId": PIPELINE_ID.schema("")
            }, "required": ["objectType", "pipelineId"]}),
        }
    }

    fn run(&self, a: GetArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ty = object_type(&a.object_type)?;
        let id = PIPELINE_ID.check("pipelineId", &a.pipeline_id)?;
        let p = cx.cached_get(
            &format!("pipelines:{ty}:{id}"),
            &paths::pipeline(&ty, &id),
            &[],
        )?;
        let t = trim_pipeline(&p);
        let text = render_one(
            &format!(
                "{ty} pipeline {} ({} stages).{}",
                t["id"],
                t["stages"].as_array().map_or(0, Vec::len),
                stage_property_hint(&ty)
            ),
            &t,
            cx.services().text_limit,
        );
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(t)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::parse_args;

    #[test]
    fn pipelines_are_trimmed() {
        let deals = json!({"id": "default", "label": "Sales Pipeline", "displayOrder": 0, "archived": false,
        "createdAt": "2019-01-01T00:00:00Z", "updatedAt": "2019-01-01T00:00:00Z",
        "stages": [
            {"id": "closedwon", "label": "Closed won", "displayOrder": 5, "archived": false,
             "metadata": {"isClosed": "true", "probability": "1.0"}, "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
             "createdAt": "2019-01-01T00:00:00Z"},
            {"id": "appointmentscheduled", "label": "Appointment scheduled", "displayOrder": 0, "archived": false,
             "metadata": {"isClosed": "false", "probability": "0.2"}}
        ]});
        assert_eq!(
            trim_pipeline(&deals),
            json!({"id": "default", "label": "Sales Pipeline", "displayOrder": 0, "stages": [
                {"id": "appointmentscheduled", "label": "Appointment scheduled", "displayOrder": 0,
                 "probability": "0.2", "isClosed": "false"},
                {"id": "closedwon", "label": "Closed won", "displayOrder": 5, "probability": "1.0", "isClosed": "true"}
            ]})
        );
        let ticket_stage = json!({"id": "1", "label": "New", "displayOrder": 0,
                                  "metadata": {"ticketState": "OPEN"}, "archived": true});
        assert_eq!(
            trim_stage(&ticket_stage),
            json!({"id": "1", "label": "New", "displayOrder": 0, "ticketState": "OPEN", "archived": true})
        );
        assert!(stage_property_hint("tickets").contains("hs_pipeline_stage"));
        assert!(stage_property_hint("deals").contains("dealstage"));
    }

    #[test]
    fn args_are_strict() {
        assert!(
            parse_args::<GetArgs>(json!({"objectType": "deals", "pipelineId": "default"})).is_ok()
        );
        assert!(parse_args::<GetArgs>(json!({"objectType": "deals"})).is_err());
        assert!(parse_args::<ListArgs>(json!({"objectType": "deals", "archived": true})).is_err());
    }
}
