//! The HubSpot-defined properties of the commerce objects (products, line items, quotes), leads, the
//! engagements (notes, tasks, calls, emails, meetings) and the custom object, as static tables built with
//! the helpers of `props_data`.

use super::props_data::Kind::*;
use super::props_data::{
    created, e, modified, obj_id, owner, p, Def, CALC, LEAD_STAGES, READ_ONLY, UNIQUE,
};

/// Properties of products.
pub(super) const PRODUCTS: &[Def] = &[
    p("name", "Name", Text, "productinformation"),
    p("description", "Description", TextArea, "productinformation"),
    p("price", "Unit price", Number, "productinformation"),
    p("hs_sku", "SKU", Text, "productinformation"),
    p(
        "hs_cost_of_goods_sold",
        "Unit cost",
        Number,
        "productinformation",
    ),
    e(
        "recurringbillingfrequency",
        "Billing frequency",
        "productinformation",
        &[
            ("monthly", "Monthly"),
            ("quarterly", "Quarterly"),
            ("per_six_months", "Semi-annually"),
            ("annually", "Annually"),
        ],
    ),
    created("createdate", "productinformation"),
    modified("hs_lastmodifieddate", "productinformation"),
    obj_id("productinformation"),
];

/// Properties of line_items.
pub(super) const LINE_ITEMS: &[Def] = &[
    p("name", "Name", Text, "lineiteminformation"),
    p(
        "description",
        "Description",
        TextArea,
        "lineiteminformation",
    ),
    p("hs_product_id", "Product ID", Number, "lineiteminformation"),
    p("quantity", "Quantity", Number, "lineiteminformation"),
    p("price", "Unit price", Number, "lineiteminformation"),
    p(
        "hs_discount_percentage",
        "Discount percentage",
        Number,
        "lineiteminformation",
    ),
    p("amount", "Net price", Number, "lineiteminformation").f(READ_ONLY | CALC),
    created("createdate", "lineiteminformation"),
    modified("hs_lastmodifieddate", "lineiteminformation"),
    obj_id("lineiteminformation"),
];

/// Properties of quotes.
pub(super) const QUOTES: &[Def] = &[
    p("hs_title", "Quote name", Text, "quoteinformation"),
    p(
        "hs_expiration_date",
        "Expiration date",
        Date,
        "quoteinformation",
    ),
    e(
        "hs_status",
        "Quote approval status",
        "quoteinformation",
        &[
            ("DRAFT", "Draft"),
            ("APPROVAL_NOT_NEEDED", "Approval not needed"),
            ("PENDING_APPROVAL", "Pending approval"),
            ("APPROVED", "Approved"),
            ("REJECTED", "Rejected"),
        ],
    ),
    p(
        "hs_public_url_key",
        "Public URL key",
        Text,
        "quoteinformation",
    ),
    p("hs_quote_number", "Quote number", Text, "quoteinformation"),
    p(
        "hs_quote_amount",
        "Quote amount",
        Number,
        "quoteinformation",
    ),
    p("hs_currency", "Currency", Text, "quoteinformation"),
    p("hs_language", "Language", Text, "quoteinformation"),
    p(
        "hs_sender_firstname",
        "Sender first name",
        Text,
        "quoteinformation",
    ),
    p(
        "hs_sender_lastname",
        "Sender last name",
        Text,
        "quoteinformation",
    ),
    p("hs_sender_email", "Sender email", Text, "quoteinformation"),
    p(
        "hs_sender_company_name",
        "Sender company name",
        Text,
        "quoteinformation",
    ),
    owner("quoteinformation"),
    created("hs_createdate", "quoteinformation"),
    modified("hs_lastmodifieddate", "quoteinformation"),
    obj_id("quoteinformation"),
];

/// Properties of leads.
pub(super) const LEADS: &[Def] = &[
    p("hs_lead_name", "Lead name", Text, "leadinformation"),
    e(
        "hs_lead_type",
        "Lead type",
        "leadinformation",
        &[
            ("NEW_BUSINESS", "New Business"),
            ("UPSELL", "Upsell"),
            ("RE_ATTEMPTING", "Re-attempting"),
        ],
    ),
    e(
        "hs_lead_label",
        "Lead label",
        "leadinformation",
        &[("COLD", "Cold"), ("WARM", "Warm"), ("HOT", "Hot")],
    ),
    e(
        "hs_pipeline",
        "Pipeline",
        "leadinformation",
        &[("lead-pipeline-id", "Lead pipeline")],
    ),
    e(
        "hs_pipeline_stage",
        "Lead stage",
        "leadinformation",
        LEAD_STAGES,
    ),
    owner("leadinformation"),
    created("hs_createdate", "leadinformation"),
    modified("hs_lastmodifieddate", "leadinformation"),
    obj_id("leadinformation"),
];

/// Properties of notes.
pub(super) const NOTES: &[Def] = &[
    p("hs_timestamp", "Activity date", DateTime, "engagement"),
    p("hs_note_body", "Note body", Html, "engagement"),
    owner("engagement"),
    created("hs_createdate", "engagement"),
    modified("hs_lastmodifieddate", "engagement"),
    obj_id("engagement"),
];

/// Properties of tasks.
pub(super) const TASKS: &[Def] = &[
    p("hs_timestamp", "Due date", DateTime, "task"),
    p("hs_task_subject", "Task title", Text, "task"),
    p("hs_task_body", "Notes", Html, "task"),
    e(
        "hs_task_status",
        "Task status",
        "task",
        &[
            ("NOT_STARTED", "Not started"),
            ("IN_PROGRESS", "In progress"),
            ("WAITING", "Waiting"),
            ("COMPLETED", "Completed"),
            ("DEFERRED", "Deferred"),
        ],
    ),
    e(
        "hs_task_priority",
        "Priority",
        "task",
        &[
            ("NONE", "None"),
            ("LOW", "Low"),
            ("MEDIUM", "Medium"),
            ("HIGH", "High"),
        ],
    ),
    e(
        "hs_task_type",
        "Task type",
        "task",
        &[("TODO", "To-do"), ("CALL", "Call"), ("EMAIL", "Email")],
    ),
    owner("task"),
    created("hs_createdate", "task"),
    modified("hs_lastmodifieddate", "task"),
    obj_id("task"),
];

/// Properties of calls.
pub(super) const CALLS: &[Def] = &[
    p("hs_timestamp", "Activity date", DateTime, "call"),
    p("hs_call_title", "Call title", Text, "call"),
    p("hs_call_body", "Call notes", Html, "call"),
    p("hs_call_duration", "Call duration (ms)", Number, "call"),
    e(
        "hs_call_direction",
        "Call direction",
        "call",
        &[("INBOUND", "Inbound"), ("OUTBOUND", "Outbound")],
    ),
    e(
        "hs_call_status",
        "Call status",
        "call",
        &[
            ("BUSY", "Busy"),
            ("CALLING_CRM_USER", "Calling CRM user"),
            ("CANCELED", "Canceled"),
            ("COMPLETED", "Completed"),
            ("CONNECTING", "Connecting"),
            ("FAILED", "Failed"),
            ("IN_PROGRESS", "In progress"),
            ("NO_ANSWER", "No answer"),
            ("QUEUED", "Queued"),
            ("RINGING", "Ringing"),
        ],
    ),
    p("hs_call_from_number", "From number", Text, "call"),
    p("hs_call_to_number", "To number", Text, "call"),
    owner("call"),
    created("hs_createdate", "call"),
    modified("hs_lastmodifieddate", "call"),
    obj_id("call"),
];

/// Properties of emails.
pub(super) const EMAILS: &[Def] = &[
    p("hs_timestamp", "Activity date", DateTime, "email"),
    p("hs_email_subject", "Email subject", Text, "email"),
    p("hs_email_text", "Email body", TextArea, "email"),
    p("hs_email_html", "Email HTML body", Html, "email"),
    e(
        "hs_email_direction",
        "Email direction",
        "email",
        &[
            ("EMAIL", "Logged from CRM"),
            ("INCOMING_EMAIL", "Incoming email"),
            ("FORWARDED_EMAIL", "Forwarded email"),
        ],
    ),
    e(
        "hs_email_status",
        "Email send status",
        "email",
        &[
            ("BOUNCED", "Bounced"),
            ("FAILED", "Failed"),
            ("SCHEDULED", "Scheduled"),
            ("SENDING", "Sending"),
            ("SENT", "Sent"),
        ],
    ),
    p("hs_email_headers", "Email headers", TextArea, "email"),
    owner("email"),
    created("hs_createdate", "email"),
    modified("hs_lastmodifieddate", "email"),
    obj_id("email"),
];

/// Properties of meetings.
pub(super) const MEETINGS: &[Def] = &[
    p("hs_timestamp", "Activity date", DateTime, "meeting"),
    p("hs_meeting_title", "Meeting name", Text, "meeting"),
    p("hs_meeting_body", "Meeting description", Html, "meeting"),
    p(
        "hs_internal_meeting_notes",
        "Internal notes",
        Html,
        "meeting",
    ),
    p("hs_meeting_location", "Location", Text, "meeting"),
    p("hs_meeting_start_time", "Start time", DateTime, "meeting"),
    p("hs_meeting_end_time", "End time", DateTime, "meeting"),
    e(
        "hs_meeting_outcome",
        "Outcome",
        "meeting",
        &[
            ("SCHEDULED", "Scheduled"),
            ("COMPLETED", "Completed"),
            ("RESCHEDULED", "Rescheduled"),
            ("NO_SHOW", "No show"),
            ("CANCELED", "Canceled"),
        ],
    ),
    owner("meeting"),
    created("hs_createdate", "meeting"),
    modified("hs_lastmodifieddate", "meeting"),
    obj_id("meeting"),
];

/// Properties of projects.
pub(super) const PROJECTS: &[Def] = &[
    p("project_name", "Project name", Text, "projects_information"),
    p("project_code", "Project code", Text, "projects_information").f(UNIQUE),
    e(
        "status",
        "Status",
        "projects_information",
        &[
            ("planned", "Planned"),
            ("active", "Active"),
            ("on_hold", "On hold"),
            ("done", "Done"),
        ],
    ),
    p("budget", "Budget", Number, "projects_information"),
    p("start_date", "Start date", Date, "projects_information"),
    p("end_date", "End date", Date, "projects_information"),
    owner("projects_information"),
    created("hs_createdate", "projects_information"),
    modified("hs_lastmodifieddate", "projects_information"),
    obj_id("projects_information"),
];
