//! HubSpot's own enumeration options used by several property tables: lifecycle stages, lead statuses,
//! industries and lead pipeline stages.

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
