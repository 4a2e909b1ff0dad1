//! Account family: who the token is (account details plus the private-app token's scopes), today's API
//! usage, and deep links into HubSpot's UI built from the cached account details (key `account`) and
//! custom object schemas (key `schemas`).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::args::NoArgs;
#[cfg(test)]
use super::common::object_type_schema;
use super::common::{is_type_id, object_type, render_one, RECORD_ID, STANDARD_TYPES};
use super::schemas::cached_schemas;
use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::hubspot::paths;

/// The family's tools.
pub(crate) fn tools() -> Vec<Box<dyn Tool>> {
    vec![Box::new(Whoami), Box::new(ApiUsage), Box::new(RecordLink)]
}

/// HubSpot's UI domain when the account details name none.
const DEFAULT_UI_DOMAIN: &str = "app.hubspot.com";

#[cfg(test)]
fn no_args_schema() -> Value {
    json!({"type": "object", "properties": {}, "additionalProperties": false})
}

/// The cached account details (`GET /account-info/v3/details`, key `account`).
fn account_details(cx: &ToolContext<'_>) -> Result<std::sync::Arc<Value>, ToolError> {
    cx.cached_get("account", paths::ACCOUNT_DETAILS, &[])
}

/// The whoami answer from the account details and the token introspection (or why it failed).
fn whoami_value(details: &Value, token: Result<&Value, String>) -> Value {
    let mut m = Map::new();
    for k in [
        "portalId",
        "accountType",
        "uiDomain",
        "timeZone",
        "companyCurrency",
        "additionalCurrencies",
        "dataHostingLocation",
        "utcOffset",
    ] {
        if let Some(v) = details.get(k).filter(|v| !v.is_null()) {
            m.insert(k.into(), v.clone());
        }
    }
    match token {
        Ok(t) => {
            for k in ["hubId", "userId", "appId"] {
                if let Some(v) = t.get(k).filter(|v| !v.is_null()) {
                    m.insert(k.into(), v.clone());
                }
            }
            m.insert(
                "scopes".into(),
                t.get("scopes").cloned().unwrap_or(Value::Null),
            );
        }
        Err(why) => {
            m.insert("scopes".into(), Value::Null);
            m.insert(
                "scopesNote".into(),
                format!(
                    "Scopes unknown: HubSpot's token introspection failed ({why}). It accepts private-app \
                     tokens only; OAuth access tokens and service keys are refused there."
                )
                .into(),
            );
        }
    }
    Value::Object(m)
}

/// `hubspot_whoami`.
struct Whoami;

impl TypedTool for Whoami {
    type Args = NoArgs;

    const NAME: &'static str = "hubspot_whoami";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "The connected account and token: hub id, UI domain, time zone, currency, data location, scopes, app, user. Use when unsure of the account, for dates and amounts, or to check a scope.",
            family: Family::Account,
            annotations: Annotations::READ,
            input_schema: no_args_schema().into(),
        }
    }

    fn run(&self, _: NoArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let details = account_details(cx)?;
        cx.charge_call()?;
        let token = cx.hubspot()?.token_info(cx.deadline());
        cx.checkpoint()?;
        let v = match &token {
            Ok(t) => whoami_value(&details, Ok(t)),
            // HubSpot's own words only: the client's generic hint ("fix the arguments") would mislead here.
            Err(e) => {
                let mut why = match (e.status, &e.category) {
                    (Some(s), Some(c)) => format!("HTTP {s} {c}: "),
                    (Some(s), None) => format!("HTTP {s}: "),
                    _ => String::new(),
                };
                why.push_str(&e.message);
                whoami_value(&details, Err(why))
            }
        };
        let mut summary = format!(
            "HubSpot account {} at {}, time zone {}, currency {}.",
            v["portalId"],
            v["uiDomain"].as_str().unwrap_or(DEFAULT_UI_DOMAIN),
            v["timeZone"].as_str().unwrap_or("unknown"),
            v["companyCurrency"].as_str().unwrap_or("unknown"),
        );
        match v["scopes"].as_array() {
            Some(s) => summary.push_str(&format!(" The token has {} scopes.", s.len())),
            None => summary.push_str(" The token's scopes are unknown (see scopesNote)."),
        }
        let text = render_one(&summary, &v, cx.services().text_limit);
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(v)),
        })
    }
}

/// Today's usage from HubSpot's answer: the private-app daily entry (or the first), with a percentage.
fn usage_value(answer: &Value) -> Option<Value> {
    let results = answer["results"].as_array()?;
    let e = results
        .iter()
        .find(|r| r["name"] == "private-apps-api-calls-daily")
        .or_else(|| results.first())?;
    let limit = e["usageLimit"].as_f64();
    let used = e["currentUsage"].as_f64();
    let percent = match (used, limit) {
        (Some(u), Some(l)) if l > 0.0 => json!((u / l * 1000.0).round() / 10.0),
        _ => Value::Null,
    };
    Some(json!({
        "name": e["name"], "usageLimit": e["usageLimit"], "currentUsage": e["currentUsage"],
        "percent": percent, "resetsAt": e["resetsAt"], "collectedAt": e["collectedAt"],
        "fetchStatus": e["fetchStatus"]
    }))
}

/// `hubspot_api_usage`.
struct ApiUsage;

impl TypedTool for ApiUsage {
    type Args = NoArgs;

    const NAME: &'static str = "hubspot_api_usage";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Daily API usage of the account's private apps: limit, used, percent, reset time. Check before a large batch job or after a 429 DAILY.",
            family: Family::Account,
            annotations: Annotations::READ,
            input_schema: no_args_schema().into(),
        }
    }

    fn run(&self, _: NoArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let answer = cx.get(paths::ACCOUNT_USAGE, &[])?;
        let Some(v) = usage_value(&answer) else {
            let note =
                "HubSpot reported no daily usage entry for private apps (this endpoint covers \
                        private-app tokens only).";
            return Ok(ToolOutput {
                text: note.into(),
                structured: Some(Structured::Value(json!({
                    "usageLimit": null, "currentUsage": null, "percent": null, "resetsAt": null, "note": note
                }))),
            });
        };
        let summary = format!(
            "{} of {} API calls used today ({}%); resets at {}.",
            v["currentUsage"],
            v["usageLimit"],
            v["percent"],
            v["resetsAt"]
                .as_str()
                .unwrap_or("midnight in the account's time zone")
        );
        let text = render_one(&summary, &v, cx.services().text_limit);
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(v)),
        })
    }
}

/// A custom object's objectTypeId by name, fullyQualifiedName or label, from the schemas list.
fn find_schema_type_id(schemas: &Value, ty: &str) -> Option<String> {
    let eq = |v: &Value| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(ty));
    // `p_cars`: HubSpot's short fully qualified name, the `p_` prefix and the schema's name.
    let short = ty.strip_prefix("p_");
    schemas["results"]
        .as_array()?
        .iter()
        .find(|s| {
            eq(&s["name"])
                || short.is_some_and(|n| {
                    s["name"]
                        .as_str()
                        .is_some_and(|x| x.eq_ignore_ascii_case(n))
                })
                || eq(&s["fullyQualifiedName"])
                || eq(&s["objectTypeId"])
                || eq(&s["labels"]["singular"])
                || eq(&s["labels"]["plural"])
        })
        .and_then(|s| s["objectTypeId"].as_str().map(str::to_string))
}

/// `https://{uiDomain}/contacts/{portalId}/record/{objectTypeId}/{id}`.
fn record_url(ui_domain: &str, portal_id: &str, type_id: &str, id: &str) -> String {
    format!("https://{ui_domain}/contacts/{portal_id}/record/{type_id}/{id}")
}

/// `hubspot_record_link`.
struct RecordLink;

/// The arguments of [`RecordLink`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LinkArgs {
    object_type: String,
    id: String,
}

impl TypedTool for RecordLink {
    type Args = LinkArgs;

    const NAME: &'static str = "hubspot_record_link";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "The URL of a record in HubSpot's web app; give it whenever you mention a record. Uses only cached account details.",
            family: Family::Account,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "id": RECORD_ID.schema("")
            }, "required": ["objectType", "id"]}),
        }
    }

    fn run(&self, a: LinkArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ty = object_type(&a.object_type)?;
        let id = RECORD_ID.check("id", &a.id)?;
        let type_id = match STANDARD_TYPES.iter().find(|(name, _)| *name == ty) {
            Some((_, tid)) => (*tid).to_string(),
            None if is_type_id(&ty) => ty.clone(),
            None => find_schema_type_id(cached_schemas(cx)?.as_ref(), &ty).ok_or_else(|| {
                ToolError::InvalidArguments(format!(
                    "objectType {ty:?} is neither a standard type nor a custom object of this account; \
                     give its objectTypeId (hubspot_list_schemas lists custom objects)"
                ))
            })?,
        };
        let acct = account_details(cx)?;
        let ui = acct["uiDomain"]
            .as_str()
            .filter(|d| !d.is_empty() && !d.contains('/'))
            .unwrap_or(DEFAULT_UI_DOMAIN);
        let portal = match &acct["portalId"] {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => {
                return Err(ToolError::HubSpot(crate::hubspot::Error::new(
                    crate::hubspot::ErrorKind::Decode,
                    "HubSpot's account details carry no portalId",
                )))
            }
        };
        let url = record_url(ui, &portal, &type_id, &id);
        let mut text = url.clone();
        if super::engagements::KINDS
            .iter()
            .any(|(_, plural, _)| *plural == ty)
        {
            text.push_str(
                "\nNote: HubSpot shows notes, tasks, calls, emails and meetings on the records they are \
                 associated with; a link to the associated contact, company or deal may serve better.",
            );
        }
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(
                json!({"url": url, "objectTypeId": type_id, "id": id}),
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::parse_args;

    fn details() -> Value {
        json!({"portalId": 62515, "accountType": "STANDARD", "timeZone": "US/Eastern", "companyCurrency": "USD",
               "additionalCurrencies": ["EUR"], "utcOffset": "-05:00", "utcOffsetMilliseconds": -18000000,
               "uiDomain": "app-eu1.hubspot.com", "dataHostingLocation": "eu1"})
    }

    #[test]
    fn whoami_combines_details_and_token() {
        let token = json!({"userId": 101, "hubId": 62515, "appId": 303,
                           "scopes": ["crm.objects.contacts.read", "oauth"]});
        let v = whoami_value(&details(), Ok(&token));
        assert_eq!(v["portalId"], 62515);
        assert_eq!(v["uiDomain"], "app-eu1.hubspot.com");
        assert_eq!(v["dataHostingLocation"], "eu1");
        assert_eq!(v["hubId"], 62515);
        assert_eq!(v["scopes"].as_array().unwrap().len(), 2);
        assert!(v.get("utcOffsetMilliseconds").is_none() && v.get("scopesNote").is_none());
        let v = whoami_value(&details(), Err("HubSpot error 400: bad token".into()));
        assert!(v["scopes"].is_null());
        assert!(v["scopesNote"].as_str().unwrap().contains("bad token"));
        assert_eq!(v["timeZone"], "US/Eastern");
    }

    #[test]
    fn usage_is_computed() {
        let a = json!({"results": [{"name": "private-apps-api-calls-daily", "usageLimit": 500000,
            "currentUsage": 1234, "collectedAt": "2024-04-10T06:46:40.789Z", "fetchStatus": "SUCCESS",
            "resetsAt": "2024-04-11T04:00:00Z"}]});
        let v = usage_value(&a).unwrap();
        assert_eq!(v["percent"], 0.2);
        assert_eq!(v["usageLimit"], 500000);
        assert_eq!(v["resetsAt"], "2024-04-11T04:00:00Z");
        assert!(usage_value(&json!({"results": []})).is_none());
        let zero =
            usage_value(&json!({"results": [{"usageLimit": 0, "currentUsage": 3}]})).unwrap();
        assert!(zero["percent"].is_null());
    }

    #[test]
    fn links_are_built() {
        assert_eq!(
            record_url("app.hubspot.com", "62515", "0-1", "51"),
            "https://app.hubspot.com/contacts/62515/record/0-1/51"
        );
        assert!(is_type_id("2-3508482") && is_type_id("0-1"));
        assert!(
            !is_type_id("p_cars") && !is_type_id("2-") && !is_type_id("-1") && !is_type_id("a-1")
        );
        let schemas = json!({"results": [{"objectTypeId": "2-3508482", "name": "cars",
            "fullyQualifiedName": "p7878787_cars", "labels": {"singular": "Car", "plural": "Cars"}}]});
        for name in ["cars", "p7878787_cars", "car", "CARS", "p_cars"] {
            assert_eq!(
                find_schema_type_id(&schemas, name).as_deref(),
                Some("2-3508482"),
                "{name}"
            );
        }
        assert!(find_schema_type_id(&schemas, "boats").is_none());
        assert!(RECORD_ID.check("id", "123").is_ok());
        assert!(RECORD_ID.check("id", "a@b.c").is_err());
        assert!(parse_args::<LinkArgs>(json!({"objectType": "deals", "id": "1", "x": 2})).is_err());
        assert!(parse_args::<NoArgs>(json!({})).is_ok());
    }
}
