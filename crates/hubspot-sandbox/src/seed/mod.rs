//! Deterministic demo data: a tiny PRNG (SplitMix64) and the seeding of every object type with fixed id
//! ranges (contacts 101–400, companies 401–480, …), realistic names, `example.com`/`example.org` emails
//! and domains, phone numbers, cities, owners, pipelines and stages, and the associations between them.
//! A few anchor records (contact 101, company 401, deal 481, and note 725 on contact 101, whose body is a
//! prompt-injection attempt) are the same for every seed.
//!
//! This module has the generator, the id ranges and the [`Seeder`] with its shared helpers; the records
//! of each family of object types are seeded in a file of their own, from the word lists in `words`.

mod commerce;
mod crm;
mod custom_object;
mod deals_tickets;
mod engagements;
mod large;
pub(crate) mod words;

use crate::assoc::{self, Key};
use crate::fixtures::FIRST_OWNER_ID;
use crate::store::{modified_props, Record, Store};
use crate::time::{iso_ms, ms_of, DAY_MS};
use crate::types::Obj;

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// Uniform in `lo..hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below(hi.saturating_sub(lo).max(0) as u64) as i64
    }

    /// True with probability `pct`%.
    pub(crate) fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    /// A random element (`Default` for an empty slice).
    pub(crate) fn pick<T: Copy + Default>(&mut self, items: &[T]) -> T {
        let i = self.below(items.len() as u64) as usize;
        items.get(i).copied().unwrap_or_default()
    }
}

/// (object type, first id, count) of the seeded records; ids are consecutive.
pub(crate) const RANGES: [(Obj, u64, u64); 14] = [
    (Obj::Contacts, 101, 300),
    (Obj::Companies, 401, 80),
    (Obj::Deals, 481, 120),
    (Obj::Tickets, 601, 60),
    (Obj::Products, 661, 10),
    (Obj::LineItems, 671, 40),
    (Obj::Quotes, 711, 8),
    (Obj::Leads, 719, 6),
    (Obj::Notes, 725, 150),
    (Obj::Tasks, 875, 60),
    (Obj::Calls, 935, 50),
    (Obj::Emails, 985, 50),
    (Obj::Meetings, 1035, 40),
    (Obj::Projects, 1075, 20),
];

/// The first seeded id of `obj`.
pub(crate) fn base(obj: Obj) -> u64 {
    RANGES.iter().find(|r| r.0 == obj).map_or(0, |r| r.1)
}

/// How many records of `obj` are seeded.
pub(crate) fn count(obj: Obj) -> u64 {
    RANGES.iter().find(|r| r.0 == obj).map_or(0, |r| r.2)
}

/// Property values of a seeded record.
pub(crate) type Props = Vec<(&'static str, String)>;

/// The seeding state: the account being filled, the generator and the time span of records.
pub(crate) struct Seeder {
    pub(crate) s: Store,
    pub(crate) rng: Rng,
    pub(crate) start: i64,
    pub(crate) end: i64,
}

impl Seeder {
    pub(crate) fn put(&mut self, obj: Obj, id: u64, created: i64, updated: i64, props: Props) {
        let mut map: std::collections::BTreeMap<String, String> =
            props.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        Store::derive(obj, &mut map);
        map.insert(obj.created_prop().into(), iso_ms(created));
        for m in modified_props(obj) {
            map.insert((*m).into(), iso_ms(updated));
        }
        map.insert("hs_object_id".into(), id.to_string());
        let r = Record {
            id,
            props: map,
            created,
            updated,
            archived: false,
            archived_at: 0,
        };
        self.s.objects[obj.idx()].insert(id, r);
    }

    pub(crate) fn times(&mut self) -> (i64, i64) {
        let created = self.rng.range(self.start, self.end);
        let updated = (created + self.rng.range(0, 90 * DAY_MS)).min(self.end);
        (created, updated)
    }

    pub(crate) fn owner(&mut self, pct: u64) -> Option<String> {
        self.rng
            .chance(pct)
            .then(|| (FIRST_OWNER_ID + self.rng.below(10)).to_string())
    }

    pub(crate) fn link(&mut self, from: Key, to: Key, type_id: u32) {
        if let Some(d) = assoc::find(from.0, to.0, type_id) {
            self.s.assoc.add(from, to, d);
        }
    }

    pub(crate) fn phone(&mut self, prefix: &str) -> String {
        format!("{prefix} 555-{:04}", self.rng.below(10_000))
    }

    pub(crate) fn company_prop(&self, id: u64, prop: &str) -> String {
        self.s
            .records(Obj::Companies)
            .get(&id)
            .and_then(|r| r.props.get(prop).cloned())
            .unwrap_or_default()
    }

    pub(crate) fn primary_company(&self, contact: u64) -> Option<u64> {
        self.s
            .assoc
            .targets((Obj::Contacts, contact), Obj::Companies)
            .into_iter()
            .find(|(_, ids)| ids.contains(&1))
            .map(|(c, _)| c)
    }

    pub(crate) fn contact_name(&self, id: u64) -> (String, String) {
        let r = self.s.records(Obj::Contacts).get(&id);
        let get = |k: &str| r.and_then(|r| r.props.get(k).cloned()).unwrap_or_default();
        (get("firstname"), get("lastname"))
    }
}

/// The seeded account for `seed` and `dataset`.
pub(crate) fn seeded_with(seed: u64, dataset: crate::Dataset) -> Store {
    let mut sd = demo(seed);
    if dataset == crate::Dataset::Large {
        sd.large_deals(seed);
    }
    sd.s
}

/// The demo account for `seed`.
#[cfg(test)]
pub(crate) fn seeded(seed: u64) -> Store {
    demo(seed).s
}

/// The demo data, seeded.
fn demo(seed: u64) -> Seeder {
    let mut sd = Seeder {
        s: Store::empty(),
        rng: Rng::new(seed),
        start: ms_of(2023, 1, 1, 0, 0, 0),
        end: ms_of(2025, 6, 30, 0, 0, 0),
    };
    sd.companies();
    sd.contacts();
    sd.deals();
    sd.tickets();
    sd.commerce();
    sd.leads();
    sd.engagement(Obj::Notes, 202, 214, 40);
    sd.engagement(Obj::Tasks, 204, 216, 30);
    sd.engagement(Obj::Calls, 194, 206, 30);
    sd.engagement(Obj::Emails, 198, 210, 20);
    sd.engagement(Obj::Meetings, 200, 212, 40);
    sd.projects();
    sd.s.lists = crate::lists::seeded();
    sd.s.next_id = RANGES.iter().map(|r| r.1 + r.2).max().unwrap_or(101);
    sd
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PropSel;
    use crate::types::ALL;

    fn dump(s: &Store) -> String {
        let mut out = String::new();
        for obj in ALL {
            for r in s.records(obj).values() {
                out.push_str(&s.record_json(obj, r, PropSel::AllSet, &ALL).to_string());
            }
        }
        out
    }

    #[test]
    fn seed_is_deterministic_and_counts_hold() {
        let a = seeded(42);
        let b = seeded(42);
        assert_eq!(dump(&a), dump(&b));
        assert_ne!(dump(&a), dump(&seeded(7)));
        for (obj, first, n) in RANGES {
            let recs = a.records(obj);
            assert_eq!(recs.len() as u64, n, "{obj:?}");
            assert_eq!(recs.keys().next().copied(), Some(first));
        }
        assert_eq!(a.next_id, 1095);
    }

    #[test]
    fn anchors_and_invariants() {
        let s = seeded(9);
        let maria = s.get(Obj::Contacts, 101, false).unwrap();
        assert_eq!(maria.props["email"], "maria.chen@acme.example.com");
        assert_eq!(
            s.get(Obj::Companies, 401, false).unwrap().props["name"],
            "Acme Corporation"
        );
        assert_eq!(
            s.assoc
                .types_between((Obj::Contacts, 101), (Obj::Companies, 401)),
            vec![1, 279]
        );
        assert_eq!(
            s.assoc
                .types_between((Obj::Deals, 481), (Obj::Contacts, 101)),
            vec![3, 101]
        );
        let note = s
            .get(Obj::Notes, engagements::INJECTED_NOTE, false)
            .unwrap();
        assert_eq!(note.props["hs_note_body"], engagements::INJECTION);
        assert!(engagements::INJECTION.contains("</record-content>"));
        assert_eq!(
            s.assoc.types_between(
                (Obj::Notes, engagements::INJECTED_NOTE),
                (Obj::Contacts, 101)
            ),
            vec![202]
        );
        let mut emails = std::collections::HashSet::new();
        for r in s.records(Obj::Contacts).values() {
            let e = &r.props["email"];
            assert!(e.ends_with(".com") || e.ends_with(".org"), "{e}");
            assert!(e.contains("example."), "{e}");
            assert!(emails.insert(e.clone()), "duplicate {e}");
            // Every stored value is valid for its property.
            for (k, v) in &r.props {
                let p = s.prop(Obj::Contacts, k).unwrap();
                assert_eq!(
                    p.normalize(v).unwrap().as_deref(),
                    Some(v.as_str()),
                    "{k}={v}"
                );
            }
        }
        for obj in ALL {
            for r in s.records(obj).values() {
                for (k, v) in &r.props {
                    let p = s.prop(obj, k).unwrap_or_else(|| panic!("{obj:?}.{k}"));
                    assert!(p.normalize(v).is_ok(), "{obj:?}.{k}={v}");
                }
            }
        }
        let pipelines: std::collections::HashSet<_> = s
            .records(Obj::Deals)
            .values()
            .map(|r| r.props["pipeline"].clone())
            .collect();
        assert_eq!(pipelines.len(), 2);
    }
}
