//! The HubSpot-defined properties of the CRM objects: contacts, companies, deals, tickets and leads.

use crate::defined_properties::Kind::*;
use crate::defined_properties::{
    created, e, modified, obj_id, owner, p, Def, CALC, HIDDEN, INDUSTRIES, LEAD_STAGES,
    LEAD_STATUS, LIFECYCLE, OPT_PIPELINES, OPT_STAGES, READ_ONLY, UNIQUE,
};

pub(crate) const CONTACTS: &[Def] = &[
    p("email", "Email", Text, "contactinformation").f(UNIQUE),
    p("firstname", "First Name", Text, "contactinformation"),
    p("lastname", "Last Name", Text, "contactinformation"),
    p("phone", "Phone Number", Phone, "contactinformation"),
    p(
        "mobilephone",
        "Mobile Phone Number",
        Phone,
        "contactinformation",
    ),
    p("company", "Company Name", Text, "contactinformation"),
    p("jobtitle", "Job Title", Text, "contactinformation"),
    p("website", "Website URL", Text, "contactinformation"),
    p("address", "Street Address", Text, "contactinformation"),
    p("city", "City", Text, "contactinformation"),
    p("state", "State/Region", Text, "contactinformation"),
    p("zip", "Postal Code", Text, "contactinformation"),
    p("country", "Country/Region", Text, "contactinformation"),
    e(
        "lifecyclestage",
        "Lifecycle Stage",
        "contactinformation",
        LIFECYCLE,
    )
    .f(0),
    Def {
        kind: Radio,
        ..e(
            "hs_lead_status",
            "Lead Status",
            "sales_properties",
            LEAD_STATUS,
        )
    },
    Def {
        kind: Checkbox,
        ..e(
            "hs_buying_role",
            "Buying Role",
            "sales_properties",
            &[
                ("BUDGET_HOLDER", "Budget Holder"),
                ("CHAMPION", "Champion"),
                ("DECISION_MAKER", "Decision Maker"),
                ("END_USER", "End User"),
                ("INFLUENCER", "Influencer"),
                ("LEGAL_AND_COMPLIANCE", "Legal and Compliance"),
            ],
        )
    },
    owner("sales_properties"),
    p(
        "notes_last_updated",
        "Last Activity Date",
        DateTime,
        "sales_properties",
    )
    .f(READ_ONLY | CALC),
    created("createdate", "contactinformation"),
    modified("lastmodifieddate", "contactinformation"),
    modified("hs_lastmodifieddate", "contactinformation").f(HIDDEN),
    obj_id("contactinformation"),
];

pub(crate) const COMPANIES: &[Def] = &[
    p("name", "Company name", Text, "companyinformation"),
    p("domain", "Company Domain Name", Text, "companyinformation"),
    p("website", "Website URL", Text, "companyinformation"),
    e("industry", "Industry", "companyinformation", INDUSTRIES),
    p("phone", "Phone Number", Phone, "companyinformation"),
    p("address", "Street Address", Text, "companyinformation"),
    p("city", "City", Text, "companyinformation"),
    p("state", "State/Region", Text, "companyinformation"),
    p("zip", "Postal Code", Text, "companyinformation"),
    p("country", "Country/Region", Text, "companyinformation"),
    p(
        "numberofemployees",
        "Number of Employees",
        Number,
        "companyinformation",
    ),
    p(
        "annualrevenue",
        "Annual Revenue",
        Number,
        "companyinformation",
    ),
    p("description", "Description", TextArea, "companyinformation"),
    p("is_public", "Is Public", Bool, "companyinformation"),
    e(
        "type",
        "Type",
        "companyinformation",
        &[
            ("PROSPECT", "Prospect"),
            ("PARTNER", "Partner"),
            ("RESELLER", "Reseller"),
            ("VENDOR", "Vendor"),
            ("OTHER", "Other"),
        ],
    ),
    e(
        "lifecyclestage",
        "Lifecycle Stage",
        "companyinformation",
        LIFECYCLE,
    ),
    owner("companyinformation"),
    created("createdate", "companyinformation"),
    modified("hs_lastmodifieddate", "companyinformation"),
    obj_id("companyinformation"),
];

pub(crate) const DEALS: &[Def] = &[
    p("dealname", "Deal Name", Text, "dealinformation"),
    p("amount", "Amount", Number, "dealinformation"),
    e("pipeline", "Pipeline", "dealinformation", &[]).f(OPT_PIPELINES),
    e("dealstage", "Deal Stage", "dealinformation", &[]).f(OPT_STAGES),
    p("closedate", "Close Date", DateTime, "dealinformation"),
    Def {
        kind: Radio,
        ..e(
            "dealtype",
            "Deal Type",
            "dealinformation",
            &[
                ("newbusiness", "New Business"),
                ("existingbusiness", "Existing Business"),
            ],
        )
    },
    p(
        "description",
        "Deal Description",
        TextArea,
        "dealinformation",
    ),
    e(
        "hs_priority",
        "Priority",
        "dealinformation",
        &[("low", "Low"), ("medium", "Medium"), ("high", "High")],
    ),
    owner("dealinformation"),
    created("createdate", "dealinformation"),
    modified("hs_lastmodifieddate", "dealinformation"),
    obj_id("dealinformation"),
];

pub(crate) const TICKETS: &[Def] = &[
    p("subject", "Ticket name", Text, "ticketinformation"),
    p(
        "content",
        "Ticket description",
        TextArea,
        "ticketinformation",
    ),
    e("hs_pipeline", "Pipeline", "ticketinformation", &[]).f(OPT_PIPELINES),
    e(
        "hs_pipeline_stage",
        "Ticket status",
        "ticketinformation",
        &[],
    )
    .f(OPT_STAGES),
    e(
        "hs_ticket_priority",
        "Priority",
        "ticketinformation",
        &[
            ("LOW", "Low"),
            ("MEDIUM", "Medium"),
            ("HIGH", "High"),
            ("URGENT", "Urgent"),
        ],
    ),
    e(
        "hs_ticket_category",
        "Category",
        "ticketinformation",
        &[
            ("PRODUCT_ISSUE", "Product issue"),
            ("BILLING_ISSUE", "Billing issue"),
            ("FEATURE_REQUEST", "Feature request"),
            ("GENERAL_INQUIRY", "General inquiry"),
        ],
    ),
    e(
        "source_type",
        "Source",
        "ticketinformation",
        &[
            ("EMAIL", "Email"),
            ("CHAT", "Chat"),
            ("PHONE", "Phone"),
            ("FORM", "Form"),
        ],
    ),
    p("closed_date", "Close date", DateTime, "ticketinformation"),
    owner("ticketinformation"),
    created("createdate", "ticketinformation"),
    modified("hs_lastmodifieddate", "ticketinformation"),
    obj_id("ticketinformation"),
];

/// Properties of leads.
pub(crate) const LEADS: &[Def] = &[
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
