//! The object types the sandbox serves (CRM objects, commerce objects, engagements and one custom
//! object) with HubSpot's identifiers (`0-1` …, `2-3508482`), the names a path may use for them, their
//! default and searchable properties, required properties, and the OAuth scopes each call needs.

/// The sandbox account's portal id (hub id).
pub(crate) const PORTAL_ID: u64 = 24_681_357;
/// objectTypeId of the custom object.
pub(crate) const CUSTOM_TYPE_ID: &str = "2-3508482";
/// Fully qualified name of the custom object (`p{portalId}_{name}`).
pub(crate) const CUSTOM_FQN: &str = "p24681357_projects";

/// An object type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Obj {
    Contacts,
    Companies,
    Deals,
    Tickets,
    Products,
    LineItems,
    Quotes,
    Leads,
    Notes,
    Tasks,
    Calls,
    Emails,
    Meetings,
    Projects,
}

/// Every object type, in storage order.
pub(crate) const ALL: [Obj; 14] = [
    Obj::Contacts,
    Obj::Companies,
    Obj::Deals,
    Obj::Tickets,
    Obj::Products,
    Obj::LineItems,
    Obj::Quotes,
    Obj::Leads,
    Obj::Notes,
    Obj::Tasks,
    Obj::Calls,
    Obj::Emails,
    Obj::Meetings,
    Obj::Projects,
];

struct Info {
    name: &'static str,
    singular: &'static str,
    type_id: &'static str,
    upper: &'static str,
    defaults: &'static [&'static str],
    searchable: &'static [&'static str],
    required: &'static [&'static str],
    read: &'static [&'static str],
    write: &'static [&'static str],
    schema_read: &'static [&'static str],
    schema_write: &'static [&'static str],
}

const ENGAGEMENT_DEFAULTS: &[&str] = &["hs_createdate", "hs_lastmodifieddate", "hs_object_id"];
const CONTACTS_R: &[&str] = &["crm.objects.contacts.read"];
const CONTACTS_W: &[&str] = &["crm.objects.contacts.write"];

const INFOS: [Info; 14] = [
    Info {
        name: "contacts",
        singular: "contact",
        type_id: "0-1",
        upper: "CONTACT",
        defaults: &[
            "createdate",
            "email",
            "firstname",
            "hs_object_id",
            "lastmodifieddate",
            "lastname",
        ],
        searchable: &[
            "firstname",
            "lastname",
            "email",
            "phone",
            "mobilephone",
            "company",
        ],
        required: &[],
        read: CONTACTS_R,
        write: CONTACTS_W,
        schema_read: &["crm.schemas.contacts.read"],
        schema_write: &["crm.schemas.contacts.write"],
    },
    Info {
        name: "companies",
        singular: "company",
        type_id: "0-2",
        upper: "COMPANY",
        defaults: &[
            "createdate",
            "domain",
            "hs_lastmodifieddate",
            "hs_object_id",
            "name",
        ],
        searchable: &["website", "phone", "name", "domain"],
        required: &[],
        read: &["crm.objects.companies.read"],
        write: &["crm.objects.companies.write"],
        schema_read: &["crm.schemas.companies.read"],
        schema_write: &["crm.schemas.companies.write"],
    },
    Info {
        name: "deals",
        singular: "deal",
        type_id: "0-3",
        upper: "DEAL",
        defaults: &[
            "amount",
            "closedate",
            "createdate",
            "dealname",
            "dealstage",
            "hs_lastmodifieddate",
            "hs_object_id",
            "pipeline",
        ],
        searchable: &[
            "dealname",
            "pipeline",
            "dealstage",
            "description",
            "dealtype",
        ],
        required: &["dealname"],
        read: &["crm.objects.deals.read"],
        write: &["crm.objects.deals.write"],
        schema_read: &["crm.schemas.deals.read"],
        schema_write: &["crm.schemas.deals.write"],
    },
    Info {
        name: "tickets",
        singular: "ticket",
        type_id: "0-5",
        upper: "TICKET",
        defaults: &[
            "content",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
            "hs_pipeline",
            "hs_pipeline_stage",
            "hs_ticket_category",
            "hs_ticket_priority",
            "subject",
        ],
        searchable: &[
            "subject",
            "content",
            "hs_pipeline_stage",
            "hs_ticket_category",
        ],
        required: &["subject"],
        read: &["tickets"],
        write: &["tickets"],
        schema_read: &["tickets"],
        schema_write: &["tickets"],
    },
    Info {
        name: "products",
        singular: "product",
        type_id: "0-7",
        upper: "PRODUCT",
        defaults: &[
            "createdate",
            "description",
            "hs_lastmodifieddate",
            "hs_object_id",
            "name",
            "price",
        ],
        searchable: &["name", "description", "price", "hs_sku"],
        required: &["name"],
        read: &["e-commerce"],
        write: &["e-commerce"],
        schema_read: &["e-commerce"],
        schema_write: &["e-commerce"],
    },
    Info {
        name: "line_items",
        singular: "line_item",
        type_id: "0-8",
        upper: "LINE_ITEM",
        defaults: &[
            "amount",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
            "hs_product_id",
            "name",
            "price",
            "quantity",
        ],
        searchable: &["name", "description", "price", "quantity"],
        required: &[],
        read: &["e-commerce", "crm.objects.line_items.read"],
        write: &["e-commerce", "crm.objects.line_items.write"],
        schema_read: &["e-commerce", "crm.objects.line_items.read"],
        schema_write: &["e-commerce", "crm.objects.line_items.write"],
    },
    Info {
        name: "quotes",
        singular: "quote",
        type_id: "0-14",
        upper: "QUOTE",
        defaults: &[
            "hs_createdate",
            "hs_expiration_date",
            "hs_lastmodifieddate",
            "hs_object_id",
            "hs_public_url_key",
            "hs_status",
            "hs_title",
        ],
        searchable: &[
            "hs_sender_firstname",
            "hs_sender_lastname",
            "hs_title",
            "hs_sender_company_name",
            "hs_sender_email",
            "hs_quote_number",
            "hs_public_url_key",
        ],
        required: &["hs_title", "hs_expiration_date"],
        read: &["crm.objects.quotes.read"],
        write: &["crm.objects.quotes.write"],
        schema_read: &["crm.objects.quotes.read"],
        schema_write: &["crm.objects.quotes.write"],
    },
    Info {
        name: "leads",
        singular: "lead",
        type_id: "0-136",
        upper: "LEAD",
        defaults: &[
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_lead_name",
            "hs_object_id",
        ],
        searchable: &["hs_lead_name"],
        required: &["hs_lead_name"],
        read: &["crm.objects.leads.read"],
        write: &["crm.objects.leads.write"],
        schema_read: &["crm.objects.leads.read"],
        schema_write: &["crm.objects.leads.write"],
    },
    Info {
        name: "notes",
        singular: "note",
        type_id: "0-46",
        upper: "NOTE",
        defaults: ENGAGEMENT_DEFAULTS,
        searchable: &["hs_note_body"],
        required: &["hs_timestamp"],
        read: CONTACTS_R,
        write: CONTACTS_W,
        schema_read: CONTACTS_R,
        schema_write: CONTACTS_W,
    },
    Info {
        name: "tasks",
        singular: "task",
        type_id: "0-27",
        upper: "TASK",
        defaults: ENGAGEMENT_DEFAULTS,
        searchable: &["hs_task_body", "hs_task_subject"],
        required: &["hs_timestamp"],
        read: CONTACTS_R,
        write: CONTACTS_W,
        schema_read: CONTACTS_R,
        schema_write: CONTACTS_W,
    },
    Info {
        name: "calls",
        singular: "call",
        type_id: "0-48",
        upper: "CALL",
        defaults: ENGAGEMENT_DEFAULTS,
        searchable: &["hs_call_title", "hs_call_body"],
        required: &["hs_timestamp"],
        read: CONTACTS_R,
        write: CONTACTS_W,
        schema_read: CONTACTS_R,
        schema_write: CONTACTS_W,
    },
    Info {
        name: "emails",
        singular: "email",
        type_id: "0-49",
        upper: "EMAIL",
        defaults: ENGAGEMENT_DEFAULTS,
        searchable: &["hs_email_subject"],
        required: &["hs_timestamp"],
        read: CONTACTS_R,
        write: CONTACTS_W,
        schema_read: CONTACTS_R,
        schema_write: CONTACTS_W,
    },
    Info {
        name: "meetings",
        singular: "meeting",
        type_id: "0-47",
        upper: "MEETING",
        defaults: ENGAGEMENT_DEFAULTS,
        searchable: &["hs_meeting_title", "hs_meeting_body"],
        required: &["hs_timestamp"],
        read: CONTACTS_R,
        write: CONTACTS_W,
        schema_read: CONTACTS_R,
        schema_write: CONTACTS_W,
    },
    Info {
        name: "projects",
        singular: "project",
        type_id: CUSTOM_TYPE_ID,
        upper: "P24681357_PROJECTS",
        defaults: &["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
        searchable: &["project_name", "project_code"],
        required: &["project_name"],
        read: &["crm.objects.custom.read"],
        write: &["crm.objects.custom.write"],
        schema_read: &["crm.schemas.custom.read"],
        schema_write: &["crm.schemas.custom.write"],
    },
];

/// Every scope a default token holds.
pub(crate) const DEFAULT_SCOPES: &[&str] = &[
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.companies.read",
    "crm.objects.companies.write",
    "crm.objects.deals.read",
    "crm.objects.deals.write",
    "tickets",
    "e-commerce",
    "crm.objects.line_items.read",
    "crm.objects.line_items.write",
    "crm.objects.quotes.read",
    "crm.objects.quotes.write",
    "crm.objects.leads.read",
    "crm.objects.leads.write",
    "crm.objects.custom.read",
    "crm.objects.custom.write",
    "crm.objects.owners.read",
    "crm.lists.read",
    "crm.lists.write",
    "crm.schemas.contacts.read",
    "crm.schemas.contacts.write",
    "crm.schemas.companies.read",
    "crm.schemas.companies.write",
    "crm.schemas.deals.read",
    "crm.schemas.deals.write",
    "crm.schemas.custom.read",
    "crm.schemas.custom.write",
    "automation",
];

impl Obj {
    fn info(self) -> &'static Info {
        &INFOS[self as usize]
    }

    /// Storage index.
    pub(crate) fn idx(self) -> usize {
        self as usize
    }

    /// The plural API name (`contacts`, `line_items`, `projects`).
    pub(crate) fn name(self) -> &'static str {
        self.info().name
    }

    /// The singular (`contact`), used in v3 association type names.
    pub(crate) fn singular(self) -> &'static str {
        self.info().singular
    }

    /// HubSpot's objectTypeId (`0-1`, `2-3508482`).
    pub(crate) fn type_id(self) -> &'static str {
        self.info().type_id
    }

    /// Upper-case name used in some messages (`CONTACT`).
    pub(crate) fn upper(self) -> &'static str {
        self.info().upper
    }

    /// The key under `associations` in v3 object responses.
    pub(crate) fn assoc_key(self) -> &'static str {
        if self == Obj::Projects {
            CUSTOM_FQN
        } else {
            self.name()
        }
    }

    /// Properties returned when a request names none.
    pub(crate) fn default_props(self) -> &'static [&'static str] {
        self.info().defaults
    }

    /// Properties the search `query` looks in.
    pub(crate) fn searchable(self) -> &'static [&'static str] {
        self.info().searchable
    }

    /// Properties a create must set.
    pub(crate) fn required(self) -> &'static [&'static str] {
        self.info().required
    }

    /// Scopes of which one allows reading records.
    pub(crate) fn read_scopes(self) -> &'static [&'static str] {
        self.info().read
    }

    /// Scopes of which one allows writing records.
    pub(crate) fn write_scopes(self) -> &'static [&'static str] {
        self.info().write
    }

    /// Scopes of which one allows reading property definitions.
    pub(crate) fn schema_read_scopes(self) -> &'static [&'static str] {
        self.info().schema_read
    }

    /// Scopes of which one allows changing property definitions.
    pub(crate) fn schema_write_scopes(self) -> &'static [&'static str] {
        self.info().schema_write
    }

    /// The property holding the creation time.
    pub(crate) fn created_prop(self) -> &'static str {
        match self {
            Obj::Contacts
            | Obj::Companies
            | Obj::Deals
            | Obj::Tickets
            | Obj::Products
            | Obj::LineItems => "createdate",
            _ => "hs_createdate",
        }
    }

    /// Parses a path's object type: plural name, singular, objectTypeId, or for the custom object its
    /// fully qualified name, `p_projects` or `projects`.
    pub(crate) fn parse(s: &str) -> Option<Obj> {
        let l = s.to_ascii_lowercase();
        ALL.into_iter().find(|o| {
            let i = o.info();
            l == i.name
                || l == i.singular
                || l == i.type_id
                || (*o == Obj::Projects && (l == CUSTOM_FQN || l == "p_projects"))
                || (*o == Obj::LineItems && l == "lineitems")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_spelling() {
        assert_eq!(Obj::parse("contacts"), Some(Obj::Contacts));
        assert_eq!(Obj::parse("contact"), Some(Obj::Contacts));
        assert_eq!(Obj::parse("0-1"), Some(Obj::Contacts));
        assert_eq!(Obj::parse("0-136"), Some(Obj::Leads));
        assert_eq!(Obj::parse("2-3508482"), Some(Obj::Projects));
        assert_eq!(Obj::parse("p24681357_projects"), Some(Obj::Projects));
        assert_eq!(Obj::parse("p_projects"), Some(Obj::Projects));
        assert_eq!(Obj::parse("LINE_ITEMS"), Some(Obj::LineItems));
        assert_eq!(Obj::parse("foos"), None);
        for (i, o) in ALL.into_iter().enumerate() {
            assert_eq!(o.idx(), i);
        }
    }
}
