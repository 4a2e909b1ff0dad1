//! Record-level permissions of the caller: which records an API call may see. The private-app token and
//! the `reader` user see everything; the `owner` user has HubSpot's "owned records only" permission and
//! sees, of the object types that have an owner (a `hubspot_owner_id` property), only the records whose
//! `hubspot_owner_id` is her owner id. Applied by the object handlers that read records: list, search,
//! read by id (an unseen record is 404 OBJECT_NOT_FOUND) and batch read (an unseen id is a missing one).

use crate::store::{Record, Store};
use crate::types::Obj;

/// The property that names a record's owner.
const OWNER_PROPERTY: &str = "hubspot_owner_id";

/// Which records a caller may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Visibility {
    /// Every record (the private-app token, users without a record-level restriction).
    All,
    /// Only records owned by this owner id, for object types that have owners.
    OwnedBy(u64),
}

/// [`Visibility`] resolved for one object type of one account: a cheap per-record test.
#[derive(Clone, Debug)]
pub(crate) struct Sight(Option<String>);

impl Visibility {
    /// The test for records of `obj`: object types without an owner property are seen whole.
    pub(crate) fn sight(self, store: &Store, obj: Obj) -> Sight {
        match self {
            Visibility::All => Sight(None),
            Visibility::OwnedBy(owner) => {
                Sight(store.prop(obj, OWNER_PROPERTY).map(|_| owner.to_string()))
            }
        }
    }
}

impl Sight {
    /// Whether the caller sees `r`.
    pub(crate) fn sees(&self, r: &Record) -> bool {
        match &self.0 {
            None => true,
            Some(owner) => r.props.get(OWNER_PROPERTY) == Some(owner),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_only_applies_to_types_with_owners() {
        let store = crate::seed::seeded(42);
        let all = Visibility::All.sight(&store, Obj::Contacts);
        let own = Visibility::OwnedBy(75_000_002).sight(&store, Obj::Contacts);
        let contacts = store.records(Obj::Contacts);
        assert!(contacts.values().all(|r| all.sees(r)));
        let mine = contacts.values().filter(|r| own.sees(r)).count();
        assert!(mine > 0 && mine < contacts.len(), "{mine}");
        // Products have no owner property: every product is seen.
        let products = Visibility::OwnedBy(75_000_002).sight(&store, Obj::Products);
        assert!(store
            .records(Obj::Products)
            .values()
            .all(|r| products.sees(r)));
    }
}
