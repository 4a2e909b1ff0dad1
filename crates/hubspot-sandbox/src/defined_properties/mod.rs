//! The HubSpot-defined properties of every object type, as static tables: name, label, kind (which fixes
//! HubSpot's `type` and `fieldType`), group, enumeration options (HubSpot's own values, e.g. lifecycle
//! stages) and flags (unique, read-only value, calculated, options filled from owners or pipelines).
//! This module has the vocabulary of the tables and picks the table of an object type; the tables
//! themselves live in one file per family of object types.

mod commerce;
mod crm;
mod custom_object;
mod engagements;
mod options;

pub(crate) use options::{INDUSTRIES, LEAD_STAGES, LEAD_STATUS, LIFECYCLE};

use crate::types::Obj;

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
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) kind: Kind,
    pub(crate) group: &'static str,
    pub(crate) options: &'static [(&'static str, &'static str)],
    pub(crate) flags: u16,
}

/// A table helper.
pub(crate) const fn p(
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
pub(crate) const fn e(
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
    pub(crate) const fn f(self, flags: u16) -> Def {
        Def {
            flags: self.flags | flags,
            ..self
        }
    }
}

use Kind::*;

const OWNER_PROP: &str = "hubspot_owner_id";

/// A table helper.
pub(crate) const fn owner(group: &'static str) -> Def {
    p(OWNER_PROP, "Owner", Select, group).f(OPT_OWNERS)
}

/// A table helper.
pub(crate) const fn obj_id(group: &'static str) -> Def {
    p("hs_object_id", "Record ID", Number, group).f(READ_ONLY)
}

/// A table helper.
pub(crate) const fn created(name: &'static str, group: &'static str) -> Def {
    p(name, "Create Date", DateTime, group).f(READ_ONLY)
}

/// A table helper.
pub(crate) const fn modified(name: &'static str, group: &'static str) -> Def {
    p(name, "Last Modified Date", DateTime, group).f(READ_ONLY)
}

/// The HubSpot-defined properties of `obj`.
pub(crate) fn defs(obj: Obj) -> &'static [Def] {
    match obj {
        Obj::Contacts => crm::CONTACTS,
        Obj::Companies => crm::COMPANIES,
        Obj::Deals => crm::DEALS,
        Obj::Tickets => crm::TICKETS,
        Obj::Leads => crm::LEADS,
        Obj::Products => commerce::PRODUCTS,
        Obj::LineItems => commerce::LINE_ITEMS,
        Obj::Quotes => commerce::QUOTES,
        Obj::Notes => engagements::NOTES,
        Obj::Tasks => engagements::TASKS,
        Obj::Calls => engagements::CALLS,
        Obj::Emails => engagements::EMAILS,
        Obj::Meetings => engagements::MEETINGS,
        Obj::Projects => custom_object::PROJECTS,
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
