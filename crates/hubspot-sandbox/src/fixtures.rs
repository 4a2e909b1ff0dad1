//! The fixed, seed-independent parts of the sandbox account: owners, pipelines and their stages (HubSpot's
//! default deal and ticket pipelines plus a second deal pipeline and the lead pipeline), workflows, and the
//! account details, with the JSON HubSpot returns for each.

use serde_json::{json, Value};

use crate::defined_properties::LEAD_STAGES;
use crate::types::{Obj, PORTAL_ID};

/// When owners and pipelines were "created".
const CREATED: &str = "2022-11-03T15:12:45.312Z";

/// An owner (a user of the account).
#[derive(Clone, Debug)]
pub(crate) struct Owner {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) email: String,
    first: String,
    last: String,
    team: (&'static str, &'static str),
    pub(crate) archived: bool,
}

impl Owner {
    /// HubSpot's owner JSON.
    pub(crate) fn json(&self) -> Value {
        let mut v = json!({
            "id": self.id.to_string(),
            "email": self.email,
            "type": "PERSON",
            "firstName": self.first,
            "lastName": self.last,
            "userId": self.user_id,
            "userIdIncludingInactive": self.user_id,
            "createdAt": CREATED,
            "updatedAt": "2024-02-01T09:30:00.000Z",
            "archived": self.archived,
            "teams": [{ "id": self.team.0, "name": self.team.1, "primary": true }],
        });
        if self.archived {
            v["teams"] = json!([]);
        }
        v
    }

    /// `First Last`, the label of the owner option.
    pub(crate) fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// First owner id; owners are `75000001..=75000010`, plus one archived owner `75000011`.
pub(crate) const FIRST_OWNER_ID: u64 = 75_000_001;

/// The ten active owners and one archived owner.
pub(crate) fn owners() -> Vec<Owner> {
    const NAMES: [(&str, &str); 11] = [
        ("Olivia", "Bennett"),
        ("Liam", "Carter"),
        ("Sofia", "Alvarez"),
        ("Noah", "Kim"),
        ("Emma", "Schultz"),
        ("Lucas", "Moreau"),
        ("Aisha", "Okafor"),
        ("Mateo", "Rossi"),
        ("Hannah", "Novak"),
        ("Ethan", "Brooks"),
        ("Grace", "Holloway"),
    ];
    NAMES
        .iter()
        .enumerate()
        .map(|(i, (f, l))| Owner {
            id: FIRST_OWNER_ID + i as u64,
            user_id: 9_100_001 + i as u64,
            email: format!("{}.{}@example.com", f.to_lowercase(), l.to_lowercase()),
            first: (*f).to_string(),
            last: (*l).to_string(),
            team: if i < 6 {
                ("4001", "Sales")
            } else {
                ("4002", "Customer Success")
            },
            archived: i == 10,
        })
        .collect()
}

/// A pipeline stage.
#[derive(Clone, Debug)]
pub(crate) struct Stage {
    pub(crate) id: String,
    pub(crate) label: String,
    metadata: Vec<(&'static str, String)>,
}

/// A pipeline.
#[derive(Clone, Debug)]
pub(crate) struct Pipeline {
    pub(crate) obj: Obj,
    pub(crate) id: String,
    pub(crate) label: String,
    order: i64,
    pub(crate) stages: Vec<Stage>,
}

impl Stage {
    /// HubSpot's stage JSON.
    pub(crate) fn json(&self, order: usize) -> Value {
        let meta: serde_json::Map<String, Value> = self
            .metadata
            .iter()
            .map(|(k, v)| ((*k).to_string(), json!(v)))
            .collect();
        json!({
            "id": self.id,
            "label": self.label,
            "displayOrder": order,
            "metadata": meta,
            "createdAt": CREATED,
            "updatedAt": CREATED,
            "archived": false,
            "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
        })
    }

    /// True when the stage closes the record (`isClosed`).
    pub(crate) fn is_closed(&self) -> bool {
        self.metadata
            .iter()
            .any(|(k, v)| *k == "isClosed" && v == "true")
    }
}

impl Pipeline {
    /// HubSpot's pipeline JSON.
    pub(crate) fn json(&self) -> Value {
        json!({
            "id": self.id,
            "label": self.label,
            "displayOrder": self.order,
            "stages": self.stages.iter().enumerate().map(|(i, s)| s.json(i)).collect::<Vec<_>>(),
            "createdAt": CREATED,
            "updatedAt": CREATED,
            "archived": false,
        })
    }
}

fn deal_stage(id: &str, label: &str, probability: &str, closed: bool) -> Stage {
    Stage {
        id: id.into(),
        label: label.into(),
        metadata: vec![
            ("isClosed", closed.to_string()),
            ("probability", probability.into()),
        ],
    }
}

fn ticket_stage(id: &str, label: &str, closed: bool) -> Stage {
    Stage {
        id: id.into(),
        label: label.into(),
        metadata: vec![
            ("ticketState", if closed { "CLOSED" } else { "OPEN" }.into()),
            ("isClosed", closed.to_string()),
        ],
    }
}

/// The id of the second deal pipeline.
pub(crate) const RENEWALS_PIPELINE: &str = "87263451";

/// Deal pipelines ("default" and "Renewals"), the ticket pipeline "0" and the lead pipeline.
pub(crate) fn pipelines() -> Vec<Pipeline> {
    vec![
        Pipeline {
            obj: Obj::Deals,
            id: "default".into(),
            label: "Sales Pipeline".into(),
            order: 0,
            stages: vec![
                deal_stage(
                    "appointmentscheduled",
                    "Appointment Scheduled",
                    "0.2",
                    false,
                ),
                deal_stage("qualifiedtobuy", "Qualified To Buy", "0.4", false),
                deal_stage(
                    "presentationscheduled",
                    "Presentation Scheduled",
                    "0.6",
                    false,
                ),
                deal_stage(
                    "decisionmakerboughtin",
                    "Decision Maker Bought-In",
                    "0.8",
                    false,
                ),
                deal_stage("contractsent", "Contract Sent", "0.9", false),
                deal_stage("closedwon", "Closed Won", "1.0", true),
                deal_stage("closedlost", "Closed Lost", "0.0", true),
            ],
        },
        Pipeline {
            obj: Obj::Deals,
            id: RENEWALS_PIPELINE.into(),
            label: "Renewals".into(),
            order: 1,
            stages: vec![
                deal_stage("87263452", "Renewal Due", "0.3", false),
                deal_stage("87263453", "Negotiation", "0.6", false),
                deal_stage("87263454", "Committed", "0.9", false),
                deal_stage("87263455", "Renewed", "1.0", true),
                deal_stage("87263456", "Churned", "0.0", true),
            ],
        },
        Pipeline {
            obj: Obj::Tickets,
            id: "0".into(),
            label: "Support Pipeline".into(),
            order: 0,
            stages: vec![
                ticket_stage("1", "New", false),
                ticket_stage("2", "Waiting on contact", false),
                ticket_stage("3", "Waiting on us", false),
                ticket_stage("4", "Closed", true),
            ],
        },
        Pipeline {
            obj: Obj::Leads,
            id: "lead-pipeline-id".into(),
            label: "Lead pipeline".into(),
            order: 0,
            stages: LEAD_STAGES
                .iter()
                .map(|(id, label)| Stage {
                    id: (*id).into(),
                    label: (*label).into(),
                    metadata: vec![(
                        "isClosed",
                        (id.starts_with("qualified") || id.starts_with("unqualified")).to_string(),
                    )],
                })
                .collect(),
        },
    ]
}

fn flow(
    id: &str,
    name: &str,
    object_type_id: &str,
    enabled: bool,
    kind: &str,
    revision: u32,
) -> Value {
    json!({
        "id": id,
        "name": name,
        "isEnabled": enabled,
        "flowType": "WORKFLOW",
        "type": kind,
        "objectTypeId": object_type_id,
        "revisionId": revision.to_string(),
        "uuid": format!("0b6d3f2e-7c1a-4e5b-9a8d-{id:0>12}"),
        "createdAt": "2024-03-12T08:15:00.000Z",
        "updatedAt": "2025-01-20T16:42:10.000Z",
        "startActionId": "1",
        "nextAvailableActionId": "3",
        "actions": [
            { "type": "SINGLE_CONNECTION", "actionId": "1", "actionTypeVersion": 0,
              "actionTypeId": "0-4", "connection": { "edgeType": "STANDARD", "nextActionId": "2" },
              "fields": { "delta": "1440", "time_unit": "MINUTES" } },
            { "type": "SINGLE_CONNECTION", "actionId": "2", "actionTypeVersion": 0,
              "actionTypeId": "0-3", "fields": { "task_type": "TODO",
                "subject": format!("Follow up: {name}"), "associations": [] } },
        ],
        "enrollmentCriteria": { "type": "EVENT_BASED", "shouldReEnroll": false,
            "listMembershipFilterBranches": [], "eventFilterBranches": [] },
        "timeWindows": [],
        "blockedDates": [],
        "customProperties": {},
        "dataSources": [],
        "suppressionListIds": [],
        "canEnrollFromSalesforce": false,
        "crmObjectCreationStatus": "COMPLETE",
    })
}

/// Three read-only workflows.
pub(crate) fn flows() -> Vec<Value> {
    vec![
        flow(
            "585051946",
            "New lead nurture",
            Obj::Contacts.type_id(),
            true,
            "CONTACT_FLOW",
            12,
        ),
        flow(
            "585051947",
            "Closed won: create onboarding ticket",
            Obj::Deals.type_id(),
            true,
            "PLATFORM_FLOW",
            4,
        ),
        flow(
            "585051948",
            "Escalate urgent tickets",
            Obj::Tickets.type_id(),
            false,
            "PLATFORM_FLOW",
            7,
        ),
    ]
}

/// The listing form of a flow (`GET /automation/v4/flows`).
pub(crate) fn flow_listing(f: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for k in [
        "id",
        "name",
        "isEnabled",
        "flowType",
        "revisionId",
        "objectTypeId",
        "createdAt",
        "updatedAt",
    ] {
        if let Some(v) = f.get(k) {
            out.insert(k.to_string(), v.clone());
        }
    }
    Value::Object(out)
}

/// `GET /account-info/v3/details`.
pub(crate) fn account_details() -> Value {
    json!({
        "portalId": PORTAL_ID,
        "accountType": "STANDARD",
        "timeZone": "US/Eastern",
        "companyCurrency": "USD",
        "additionalCurrencies": ["EUR", "GBP"],
        "utcOffset": "-05:00",
        "utcOffsetMilliseconds": -18_000_000,
        "uiDomain": "app.hubspot.com",
        "dataHostingLocation": "na1",
    })
}
