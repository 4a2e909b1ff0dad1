//! The HubSpot-defined properties of every object type, as static tables: name, label, kind (which fixes
//! HubSpot's `type` and `fieldType`), group, enumeration options (HubSpot's own values, e.g. lifecycle
//! stages) and flags (unique, read-only value, calculated, options filled from owners or pipelines).

use super::props_data_more as more;
use super::types::Obj;

/// How a property is stored and edited; maps to HubSpot's (`type`, `fieldType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    TextArea,
    Html,
    Number,
    Date,
    DateTime,
    Select,
    Radio,
    Checkbox,
    Bool,
    Phone,
}

impl Kind {
    /// HubSpot's (`type`, `fieldType`).
    pub(crate) fn type_and_field(self) -> (&'static str, &'static str) {
        match self {
            Kind::Text => ("string", "text"),
            Kind::TextArea => ("string", "textarea"),
            Kind::Html => ("string", "html"),
            Kind::Number => ("number", "number"),
            Kind::Date => ("date", "date"),
            Kind::DateTime => ("datetime", "date"),
            Kind::Select => ("enumeration", "select"),
            Kind::Radio => ("enumeration", "radio"),
            Kind::Checkbox => ("enumeration", "checkbox"),
            Kind::Bool => ("bool", "booleancheckbox"),
            Kind::Phone => ("string", "phonenumber"),
        }
    }
}

/// Value must be unique across records (`hasUniqueValue`).
pub(crate) const UNIQUE: u16 = 1;
/// The value is maintained by HubSpot (`readOnlyValue`).
pub(crate) const READ_ONLY: u16 = 2;
/// Calculated (`calculated`).
pub(crate) const CALC: u16 = 4;
/// Options are the owners.
pub(crate) const OPT_OWNERS: u16 = 8;
/// Options are the pipelines of the object type.
pub(crate) const OPT_PIPELINES: u16 = 16;
/// Options are the stages of every pipeline of the object type.
pub(crate) const OPT_STAGES: u16 = 32;
/// Hidden in the UI (`hidden`).
pub(crate) const HIDDEN: u16 = 64;

/// A property definition.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Def {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub group: &'static str,
    pub options: &'static [(&'static str, &'static str)],
    pub flags: u16,
}

/// A table helper.
pub(super) const fn p(
    name: &'static str,
    label: &'static str,
    kind: Kind,
    group: &'static str,
) -> Def {
    Def {
        name,
        label,
        kind,
        group,
        options: &[],
        flags: 0,
    }
}

/// A table helper.
pub(super) const fn e(
    name: &'static str,
    label: &'static str,
    group: &'static str,
    options: &'static [(&'static str, &'static str)],
) -> Def {
    Def {
        name,
        label,
        kind: Kind::Select,
        group,
        options,
        flags: 0,
    }
}

impl Def {
    /// Adds flags.
    pub(super) const fn f(self, flags: u16) -> Def {
        Def {
            flags: self.flags | flags,
            ..self
        }
    }
}

use Kind::*;

const OWNER_PROP: &str = "hubspot_owner_id";

/// A table helper.
pub(super) const fn owner(group: &'static str) -> Def {
    p(OWNER_PROP, "Owner", Select, group).f(OPT_OWNERS)
}

/// A table helper.
pub(super) const fn obj_id(group: &'static str) -> Def {
    p("hs_object_id", "Record ID", Number, group).f(READ_ONLY)
}

/// A table helper.
pub(super) const fn created(name: &'static str, group: &'static str) -> Def {
    p(name, "Create Date", DateTime, group).f(READ_ONLY)
}

/// A table helper.
pub(super) const fn modified(name: &'static str, group: &'static str) -> Def {
    p(name, "Last Modified Date", DateTime, group).f(READ_ONLY)
}

/// HubSpot's lifecycle stages.
pub(crate) const LIFECYCLE: &[(&str, &str)] = &[
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead"),
    ("salesqualifiedlead", "Sales Qualified Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
];

/// HubSpot's lead statuses.
pub(crate) const LEAD_STATUS: &[(&str, &str)] = &[
    ("NEW", "New"),
    ("OPEN", "Open"),
    ("IN_PROGRESS", "In Progress"),
    ("OPEN_DEAL", "Open Deal"),
    ("UNQUALIFIED", "Unqualified"),
    ("ATTEMPTED_TO_CONTACT", "Attempted to Contact"),
    ("CONNECTED", "Connected"),
    ("BAD_TIMING", "Bad Timing"),
];

/// A subset of HubSpot's industries.
pub(crate) const INDUSTRIES: &[(&str, &str)] = &[
    ("COMPUTER_SOFTWARE", "Computer Software"),
    (
        "INFORMATION_TECHNOLOGY_AND_SERVICES",
        "Information Technology and Services",
    ),
    ("MARKETING_AND_ADVERTISING", "Marketing and Advertising"),
    ("FINANCIAL_SERVICES", "Financial Services"),
    ("HOSPITAL_HEALTH_CARE", "Hospital & Health Care"),
    ("RETAIL", "Retail"),
    ("MANUFACTURING", "Manufacturing"),
    ("EDUCATION_MANAGEMENT", "Education Management"),
    ("LOGISTICS_AND_SUPPLY_CHAIN", "Logistics and Supply Chain"),
    ("REAL_ESTATE", "Real Estate"),
    ("TELECOMMUNICATIONS", "Telecommunications"),
    ("HOSPITALITY", "Hospitality"),
];

/// Lead pipeline stages (leads use one fixed pipeline here).
pub(crate) const LEAD_STAGES: &[(&str, &str)] = &[
    ("new-stage-id", "New"),
    ("attempting-stage-id", "Attempting"),
    ("connected-stage-id", "Connected"),
    ("qualified-stage-id", "Qualified"),
    ("unqualified-stage-id", "Disqualified"),
];

const CONTACTS: &[Def] = &[
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

const COMPANIES: &[Def] = &[
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

const DEALS: &[Def] = &[
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

const TICKETS: &[Def] = &[
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

/// The HubSpot-defined properties of `obj`.
pub(crate) fn defs(obj: Obj) -> &'static [Def] {
    match obj {
        Obj::Contacts => CONTACTS,
        Obj::Companies => COMPANIES,
        Obj::Deals => DEALS,
        Obj::Tickets => TICKETS,
        Obj::Products => more::PRODUCTS,
        Obj::LineItems => more::LINE_ITEMS,
        Obj::Quotes => more::QUOTES,
        Obj::Leads => more::LEADS,
        Obj::Notes => more::NOTES,
        Obj::Tasks => more::TASKS,
        Obj::Calls => more::CALLS,
        Obj::Emails => more::EMAILS,
        Obj::Meetings => more::MEETINGS,
        Obj::Projects => more::PROJECTS,
    }
}

/// The property groups of `obj`: (name, label).
pub(crate) fn groups(obj: Obj) -> &'static [(&'static str, &'static str)] {
    match obj {
        Obj::Contacts => &[
            ("contactinformation", "Contact information"),
            ("sales_properties", "Sales properties"),
        ],
        Obj::Companies => &[("companyinformation", "Company information")],
        Obj::Deals => &[("dealinformation", "Deal information")],
        Obj::Tickets => &[("ticketinformation", "Ticket information")],
        Obj::Products => &[("productinformation", "Product information")],
        Obj::LineItems => &[("lineiteminformation", "Line item information")],
        Obj::Quotes => &[("quoteinformation", "Quote information")],
        Obj::Leads => &[("leadinformation", "Lead information")],
        Obj::Notes => &[("engagement", "Engagement")],
        Obj::Tasks => &[("task", "Task information")],
        Obj::Calls => &[("call", "Call information")],
        Obj::Emails => &[("email", "Email information")],
        Obj::Meetings => &[("meeting", "Meeting information")],
        Obj::Projects => &[("projects_information", "Project information")],
    }
}
