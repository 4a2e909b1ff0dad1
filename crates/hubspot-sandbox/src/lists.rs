//! Lists (segments): the account's lists of records, each MANUAL, SNAPSHOT or DYNAMIC, with their
//! members and when each joined, and the list object as HubSpot's Lists API (2026-03) renders it. A
//! DYNAMIC list's members come from its filters, which the sandbox does not evaluate: they are seeded,
//! and no call changes them (HubSpot refuses manual membership changes on such lists).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::time::{iso_ms, ms_of};

/// A list.
#[derive(Clone, Debug)]
pub(crate) struct List {
    pub(crate) id: u64,
    pub(crate) name: String,
    /// HubSpot's objectTypeId (`0-1` for contacts).
    pub(crate) object_type_id: String,
    /// `MANUAL`, `SNAPSHOT` or `DYNAMIC`.
    pub(crate) processing_type: &'static str,
    pub(crate) version: u64,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    /// Record id → when it joined (ms).
    pub(crate) members: BTreeMap<u64, i64>,
}

impl List {
    /// Whether calls may add or remove members (HubSpot: MANUAL and SNAPSHOT lists only).
    pub(crate) fn manual(&self) -> bool {
        matches!(self.processing_type, "MANUAL" | "SNAPSHOT")
    }

    /// The list object (`PublicObjectList`).
    pub(crate) fn json(&self) -> Value {
        json!({
            "listId": self.id.to_string(),
            "listVersion": self.version,
            "name": self.name,
            "objectTypeId": self.object_type_id,
            "processingStatus": "COMPLETE",
            "processingType": self.processing_type,
            "size": self.members.len(),
            "createdAt": iso_ms(self.created),
            "updatedAt": iso_ms(self.updated),
            "createdById": "75000001",
            "updatedById": "75000001",
        })
    }

    /// A search result (`PublicObjectListSearchResult`): the list object without `size`, and the
    /// default additional properties as strings.
    pub(crate) fn search_json(&self) -> Value {
        let mut v = self.json();
        if let Some(m) = v.as_object_mut() {
            m.remove("size");
            m.insert(
                "additionalProperties".into(),
                json!({
                    "hs_list_size": self.members.len().to_string(),
                    "hs_list_reference_count": "0",
                }),
            );
        }
        v
    }
}

/// The seeded lists: a MANUAL list of five contacts, a DYNAMIC list of three, a SNAPSHOT list of
/// companies. Ids from 11 (HubSpot's list ids are small numbers per account).
pub(crate) fn seeded() -> Vec<List> {
    let at = ms_of(2024, 3, 4, 9, 30, 0);
    let list = |id, name: &str, ty: &str, pt, members: &[u64]| List {
        id,
        name: name.to_string(),
        object_type_id: ty.to_string(),
        processing_type: pt,
        version: 1,
        created: at,
        updated: at,
        members: members.iter().map(|m| (*m, at)).collect(),
    };
    vec![
        list(
            11,
            "Newsletter subscribers",
            "0-1",
            "MANUAL",
            &[101, 102, 103, 104, 105],
        ),
        list(
            12,
            "Engaged in the last 30 days",
            "0-1",
            "DYNAMIC",
            &[110, 111, 112],
        ),
        list(
            13,
            "Trade show 2024 accounts",
            "0-2",
            "SNAPSHOT",
            &[401, 402],
        ),
    ]
}

/// The first id a created list gets.
pub(crate) const NEXT_ID: u64 = 21;
