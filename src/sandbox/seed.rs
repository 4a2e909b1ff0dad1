//! Deterministic demo data: a tiny PRNG (SplitMix64) and the seeding of every object type with fixed id
//! ranges (contacts 101–400, companies 401–480, …), realistic names, `example.com`/`example.org` emails
//! and domains, phone numbers, cities, owners, pipelines and stages, and the associations between them.
//! A few anchor records (contact 101, company 401, deal 481) are the same for every seed.

use serde_json::json;

use super::assoc::{self, Key};
use super::fixtures::{FIRST_OWNER_ID, RENEWALS_PIPELINE};
use super::props_data::{INDUSTRIES, LEAD_STAGES};
use super::seed_data as w;
use super::store::{modified_props, Record, Store};
use super::time::{iso_date, iso_ms, ms_of, DAY_MS};
use super::types::Obj;

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

fn base(obj: Obj) -> u64 {
    RANGES.iter().find(|r| r.0 == obj).map_or(0, |r| r.1)
}

fn count(obj: Obj) -> u64 {
    RANGES.iter().find(|r| r.0 == obj).map_or(0, |r| r.2)
}

type Props = Vec<(&'static str, String)>;

struct Seeder {
    s: Store,
    rng: Rng,
    start: i64,
    end: i64,
}

fn slug(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' => 'e',
            'í' | 'î' => 'i',
            'ó' | 'ö' | 'ô' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            c => c,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

impl Seeder {
    fn put(&mut self, obj: Obj, id: u64, created: i64, updated: i64, props: Props) {
        let mut map: std::collections::BTreeMap<String, String> =
            props.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        Store::derive(obj, &mut map);
        map.insert(obj.created_prop().into(), iso_ms(created));
        for m in modified_props(obj) {
            map.insert((*m).into(), iso_ms(updated));
        }
        map.insert("hs_object_id".into(), id.to_string());
        let r = Record { id, props: map, created, updated, archived: false, archived_at: 0 };
        self.s.objects[obj.idx()].insert(id, r);
    }

    fn times(&mut self) -> (i64, i64) {
        let created = self.rng.range(self.start, self.end);
        let updated = (created + self.rng.range(0, 90 * DAY_MS)).min(self.end);
        (created, updated)
    }

    fn owner(&mut self, pct: u64) -> Option<String> {
        self.rng
            .chance(pct)
            .then(|| (FIRST_OWNER_ID + self.rng.below(10)).to_string())
    }

    fn link(&mut self, from: Key, to: Key, type_id: u32) {
        if let Some(d) = assoc::find(from.0, to.0, type_id) {
            self.s.assoc.add(from, to, d);
        }
    }

    fn phone(&mut self, prefix: &str) -> String {
        format!("{prefix} 555-{:04}", self.rng.below(10_000))
    }

    fn companies(&mut self) {
        let mut names = std::collections::HashSet::new();
        for i in 0..count(Obj::Companies) {
            let id = base(Obj::Companies) + i;
            let (created, updated) = self.times();
            let (name, domain, city) = if i == 0 {
                ("Acme Corporation".to_string(), "acme.example.com".to_string(), w::CITIES[0])
            } else {
                let mut name;
                loop {
                    name = format!("{} {}", self.rng.pick(w::COMPANY_A), self.rng.pick(w::COMPANY_B));
                    if names.insert(name.clone()) {
                        break;
                    }
                }
                let tld = if self.rng.chance(70) { "example.com" } else { "example.org" };
                let domain = format!("{}.{tld}", slug(&name));
                let suffix = self.rng.pick(w::COMPANY_SUFFIX);
                (format!("{name} {suffix}"), domain, self.rng.pick(w::CITIES))
            };
            let employees = if i == 0 { 1200 } else { self.rng.range(5, 5000) };
            let revenue = employees * self.rng.range(60, 240) * 1000;
            let mut p: Props = vec![
                ("name", name),
                ("domain", domain.clone()),
                ("website", format!("https://www.{domain}")),
                ("industry", if i == 0 { "COMPUTER_SOFTWARE" } else { self.rng.pick(INDUSTRIES).0 }.into()),
                ("phone", self.phone(city.3)),
                ("city", city.0.into()),
                ("state", city.1.into()),
                ("country", city.2.into()),
                ("numberofemployees", employees.to_string()),
                ("annualrevenue", revenue.to_string()),
                ("type", if i == 0 { "OTHER" } else { self.rng.pick(&["PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER"]) }.into()),
                ("lifecyclestage", if i == 0 { "customer" } else { self.rng.pick(&["lead", "opportunity", "customer", "customer", "other"]) }.into()),
            ];
            if self.rng.chance(40) {
                p.push(("description", format!("{} company based in {}.", city.2, city.0)));
            }
            if let Some(o) = if i == 0 { Some(FIRST_OWNER_ID.to_string()) } else { self.owner(85) } {
                p.push(("hubspot_owner_id", o));
            }
            self.put(Obj::Companies, id, created, updated, p);
        }
    }

    fn company_prop(&self, id: u64, prop: &str) -> String {
        self.s
            .records(Obj::Companies)
            .get(&id)
            .and_then(|r| r.props.get(prop).cloned())
            .unwrap_or_default()
    }

    fn contacts(&mut self) {
        let mut emails = std::collections::HashSet::new();
        for i in 0..count(Obj::Contacts) {
            let id = base(Obj::Contacts) + i;
            let (created, updated) = self.times();
            let (first, last) = if i == 0 {
                ("Maria", "Chen")
            } else {
                (self.rng.pick(w::FIRST), self.rng.pick(w::LAST))
            };
            let company = if i == 0 || self.rng.chance(85) {
                Some(if i == 0 { base(Obj::Companies) } else { base(Obj::Companies) + self.rng.below(count(Obj::Companies)) })
            } else {
                None
            };
            let domain = match company {
                Some(c) => self.company_prop(c, "domain"),
                None => if self.rng.chance(60) { "example.com" } else { "example.org" }.to_string(),
            };
            let local = format!("{}.{}", slug(first), slug(last));
            let mut email = format!("{local}@{domain}");
            let mut n = 2;
            while !emails.insert(email.clone()) {
                email = format!("{local}{n}@{domain}");
                n += 1;
            }
            let city = match company {
                Some(c) => {
                    let name = self.company_prop(c, "city");
                    w::CITIES.iter().copied().find(|x| x.0 == name).unwrap_or(w::CITIES[0])
                }
                None => self.rng.pick(w::CITIES),
            };
            let stage = if i == 0 {
                "customer"
            } else {
                let r = self.rng.below(100);
                match r {
                    0..=9 => "subscriber",
                    10..=39 => "lead",
                    40..=54 => "marketingqualifiedlead",
                    55..=64 => "salesqualifiedlead",
                    65..=74 => "opportunity",
                    75..=94 => "customer",
                    95..=97 => "evangelist",
                    _ => "other",
                }
            };
            let mut p: Props = vec![
                ("firstname", first.into()),
                ("lastname", last.into()),
                ("email", email),
                ("phone", if i == 0 { "+1 617 555-0142".into() } else { self.phone(city.3) }),
                ("jobtitle", if i == 0 { "VP of Operations" } else { self.rng.pick(w::TITLES) }.into()),
                ("city", city.0.into()),
                ("state", city.1.into()),
                ("country", city.2.into()),
                ("lifecyclestage", stage.into()),
            ];
            if let Some(c) = company {
                p.push(("company", self.company_prop(c, "name")));
            }
            if i == 0 || self.rng.chance(60) {
                let status = if i == 0 { "CONNECTED" } else { self.rng.pick(super::props_data::LEAD_STATUS).0 };
                p.push(("hs_lead_status", status.into()));
            }
            if let Some(o) = if i == 0 { Some(FIRST_OWNER_ID.to_string()) } else { self.owner(80) } {
                p.push(("hubspot_owner_id", o));
            }
            self.put(Obj::Contacts, id, created, updated, p);
            if let Some(c) = company {
                self.link((Obj::Contacts, id), (Obj::Companies, c), 1);
            }
        }
    }

    fn primary_company(&self, contact: u64) -> Option<u64> {
        self.s
            .assoc
            .targets((Obj::Contacts, contact), Obj::Companies)
            .into_iter()
            .find(|(_, ids)| ids.contains(&1))
            .map(|(c, _)| c)
    }

    fn deals(&mut self) {
        let stages_of = |s: &Store, pipeline: &str| -> Vec<String> {
            s.pipelines_of(Obj::Deals)
                .find(|p| p.id == pipeline)
                .map(|p| p.stages.iter().map(|x| x.id.clone()).collect())
                .unwrap_or_default()
        };
        for i in 0..count(Obj::Deals) {
            let id = base(Obj::Deals) + i;
            let (created, updated) = self.times();
            let company = if i == 0 { base(Obj::Companies) } else { base(Obj::Companies) + self.rng.below(count(Obj::Companies)) };
            let cname = self.company_prop(company, "name");
            let pipeline = if i == 0 || self.rng.chance(75) { "default" } else { RENEWALS_PIPELINE };
            let stages = stages_of(&self.s, pipeline);
            let stage = if i == 0 { "contractsent".to_string() } else { self.rng.pick(&stages.iter().map(String::as_str).collect::<Vec<_>>()).to_string() };
            let kind = if i == 0 { "Annual Plan" } else { self.rng.pick(w::DEAL_KINDS) };
            let amount = if i == 0 { 48_000 } else { self.rng.range(10, 2500) * 100 };
            let close = created + self.rng.range(14, 180) * DAY_MS;
            let mut p: Props = vec![
                ("dealname", format!("{cname} - {kind}")),
                ("pipeline", pipeline.into()),
                ("dealstage", stage),
                ("amount", amount.to_string()),
                ("closedate", iso_ms(if i == 0 { ms_of(2025, 7, 31, 0, 0, 0) } else { close })),
                ("dealtype", if i == 0 || pipeline != "default" { "existingbusiness" } else { self.rng.pick(&["newbusiness", "existingbusiness"]) }.into()),
                ("hs_priority", self.rng.pick(&["low", "medium", "high"]).into()),
            ];
            if let Some(o) = if i == 0 { Some(FIRST_OWNER_ID.to_string()) } else { self.owner(85) } {
                p.push(("hubspot_owner_id", o));
            }
            self.put(Obj::Deals, id, created, updated, p);
            self.link((Obj::Deals, id), (Obj::Companies, company), 5);
            let people: Vec<u64> = self.s.assoc.targets((Obj::Companies, company), Obj::Contacts).into_iter().map(|(c, _)| c).collect();
            let chosen: Vec<u64> = if people.is_empty() {
                vec![base(Obj::Contacts) + self.rng.below(count(Obj::Contacts))]
            } else {
                let n = (1 + self.rng.below(3) as usize).min(people.len());
                let start = if i == 0 { 0 } else { self.rng.below(people.len() as u64) as usize };
                (0..n).filter_map(|k| people.get((start + k) % people.len()).copied()).collect()
            };
            for (k, c) in chosen.iter().enumerate() {
                let label = k == 0 && (i == 0 || self.rng.chance(25));
                self.link((Obj::Deals, id), (Obj::Contacts, *c), if label { 101 } else { 3 });
            }
        }
    }

    fn tickets(&mut self) {
        for i in 0..count(Obj::Tickets) {
            let id = base(Obj::Tickets) + i;
            let (created, updated) = self.times();
            let subject = self.rng.pick(w::TICKET_SUBJECTS);
            let stage = self.s.pipelines_of(Obj::Tickets).next().and_then(|p| {
                let idx = self.rng.below(p.stages.len() as u64) as usize;
                p.stages.get(idx).map(|s| (s.id.clone(), s.is_closed()))
            });
            let (stage, closed) = stage.unwrap_or_else(|| ("1".into(), false));
            let mut p: Props = vec![
                ("subject", subject.into()),
                ("content", format!("Customer wrote in: \"{subject}\". Details and steps to reproduce attached.")),
                ("hs_pipeline", "0".into()),
                ("hs_pipeline_stage", stage),
                ("hs_ticket_priority", self.rng.pick(&["LOW", "MEDIUM", "MEDIUM", "HIGH", "URGENT"]).into()),
                ("hs_ticket_category", self.rng.pick(&["PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY"]).into()),
                ("source_type", self.rng.pick(&["EMAIL", "CHAT", "PHONE", "FORM"]).into()),
            ];
            if closed {
                p.push(("closed_date", iso_ms(updated)));
            }
            if let Some(o) = self.owner(80) {
                p.push(("hubspot_owner_id", o));
            }
            self.put(Obj::Tickets, id, created, updated, p);
            let contact = base(Obj::Contacts) + self.rng.below(count(Obj::Contacts));
            self.link((Obj::Tickets, id), (Obj::Contacts, contact), 16);
            if let Some(c) = self.primary_company(contact) {
                self.link((Obj::Tickets, id), (Obj::Companies, c), 26);
            }
        }
    }

    fn commerce(&mut self) {
        for (i, (name, price, desc, freq)) in w::PRODUCTS.iter().enumerate() {
            let id = base(Obj::Products) + i as u64;
            let (created, updated) = self.times();
            let cost = price.parse::<i64>().unwrap_or(0) * 3 / 10;
            let mut p: Props = vec![
                ("name", (*name).into()),
                ("price", (*price).into()),
                ("description", (*desc).into()),
                ("hs_sku", format!("SKU-{}", 1001 + i)),
                ("hs_cost_of_goods_sold", cost.to_string()),
            ];
            if !freq.is_empty() {
                p.push(("recurringbillingfrequency", (*freq).into()));
            }
            self.put(Obj::Products, id, created, updated, p);
        }
        let deals_with_items = count(Obj::LineItems) / 2;
        for i in 0..count(Obj::LineItems) {
            let id = base(Obj::LineItems) + i;
            let deal = base(Obj::Deals) + i % deals_with_items;
            let (created, updated) = self.times();
            let k = self.rng.below(w::PRODUCTS.len() as u64);
            let (name, price, _, _) = w::PRODUCTS.get(k as usize).copied().unwrap_or_default();
            let p: Props = vec![
                ("name", name.into()),
                ("price", price.into()),
                ("quantity", self.rng.range(1, 11).to_string()),
                ("hs_product_id", (base(Obj::Products) + k).to_string()),
            ];
            self.put(Obj::LineItems, id, created, updated, p);
            self.link((Obj::LineItems, id), (Obj::Deals, deal), 20);
        }
        for i in 0..count(Obj::Quotes) {
            let id = base(Obj::Quotes) + i;
            let deal = base(Obj::Deals) + i;
            let (created, updated) = self.times();
            let dealname = self.s.records(Obj::Deals).get(&deal).and_then(|r| r.props.get("dealname").cloned()).unwrap_or_default();
            let items = self.s.assoc.targets((Obj::Deals, deal), Obj::LineItems);
            let total: f64 = items
                .iter()
                .filter_map(|(li, _)| self.s.records(Obj::LineItems).get(li))
                .filter_map(|r| r.props.get("amount").and_then(|a| a.parse::<f64>().ok()))
                .sum();
            let mut key = String::new();
            for _ in 0..4 {
                key.push_str(&format!("{:08x}", self.rng.next_u64() as u32));
            }
            let p: Props = vec![
                ("hs_title", format!("Quote for {dealname}")),
                ("hs_expiration_date", iso_date(created + 30 * DAY_MS)),
                ("hs_status", self.rng.pick(&["DRAFT", "APPROVAL_NOT_NEEDED", "PENDING_APPROVAL", "APPROVED"]).into()),
                ("hs_public_url_key", key),
                ("hs_quote_number", format!("Q-{:05}", 1 + i)),
                ("hs_quote_amount", super::store::format_number(total)),
                ("hs_currency", "USD".into()),
                ("hs_language", "en".into()),
                ("hs_sender_firstname", "Olivia".into()),
                ("hs_sender_lastname", "Bennett".into()),
                ("hs_sender_email", "olivia.bennett@example.com".into()),
                ("hs_sender_company_name", "Sandbox Demo Co.".into()),
                ("hubspot_owner_id", FIRST_OWNER_ID.to_string()),
            ];
            self.put(Obj::Quotes, id, created, updated, p);
            self.link((Obj::Quotes, id), (Obj::Deals, deal), 64);
            for (li, _) in items {
                self.link((Obj::Quotes, id), (Obj::LineItems, li), 67);
            }
            if let Some((c, _)) = self.s.assoc.targets((Obj::Deals, deal), Obj::Contacts).into_iter().next() {
                self.link((Obj::Quotes, id), (Obj::Contacts, c), 69);
            }
            if let Some((c, _)) = self.s.assoc.targets((Obj::Deals, deal), Obj::Companies).into_iter().next() {
                self.link((Obj::Quotes, id), (Obj::Companies, c), 71);
            }
        }
    }

    fn contact_name(&self, id: u64) -> (String, String) {
        let r = self.s.records(Obj::Contacts).get(&id);
        let get = |k: &str| r.and_then(|r| r.props.get(k).cloned()).unwrap_or_default();
        (get("firstname"), get("lastname"))
    }

    fn leads(&mut self) {
        for i in 0..count(Obj::Leads) {
            let id = base(Obj::Leads) + i;
            let contact = base(Obj::Contacts) + 1 + self.rng.below(count(Obj::Contacts) - 1);
            let (created, updated) = self.times();
            let (first, last) = self.contact_name(contact);
            let mut p: Props = vec![
                ("hs_lead_name", format!("{first} {last}")),
                ("hs_lead_type", self.rng.pick(&["NEW_BUSINESS", "UPSELL", "RE_ATTEMPTING"]).into()),
                ("hs_lead_label", self.rng.pick(&["COLD", "WARM", "HOT"]).into()),
                ("hs_pipeline", "lead-pipeline-id".into()),
                ("hs_pipeline_stage", self.rng.pick(LEAD_STAGES).0.into()),
            ];
            if let Some(o) = self.owner(90) {
                p.push(("hubspot_owner_id", o));
            }
            self.put(Obj::Leads, id, created, updated, p);
            self.link((Obj::Leads, id), (Obj::Contacts, contact), 578);
            if let Some(c) = self.primary_company(contact) {
                self.link((Obj::Leads, id), (Obj::Companies, c), 580);
            }
        }
    }

    fn engagement(&mut self, obj: Obj, to_contact: u32, to_deal: u32, deal_pct: u64) {
        for i in 0..count(obj) {
            let id = base(obj) + i;
            let contact = base(Obj::Contacts) + self.rng.below(count(Obj::Contacts));
            let (created, updated) = self.times();
            let (first, last) = self.contact_name(contact);
            let ts = iso_ms(created);
            let mut p: Props = match obj {
                Obj::Notes => vec![("hs_timestamp", ts), ("hs_note_body", self.rng.pick(w::NOTES).into())],
                Obj::Tasks => vec![
                    ("hs_timestamp", iso_ms(created + self.rng.range(1, 30) * DAY_MS)),
                    ("hs_task_subject", format!("{} ({first} {last})", self.rng.pick(w::TASKS))),
                    ("hs_task_body", format!("Regarding {first} {last}.")),
                    ("hs_task_status", self.rng.pick(&["NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "COMPLETED"]).into()),
                    ("hs_task_priority", self.rng.pick(&["NONE", "LOW", "MEDIUM", "HIGH"]).into()),
                    ("hs_task_type", self.rng.pick(&["TODO", "CALL", "EMAIL"]).into()),
                ],
                Obj::Calls => vec![
                    ("hs_timestamp", ts),
                    ("hs_call_title", format!("{} with {first} {last}", self.rng.pick(w::CALLS))),
                    ("hs_call_body", "Discussed requirements and timeline; next step agreed.".into()),
                    ("hs_call_duration", (self.rng.range(1, 30) * 60_000).to_string()),
                    ("hs_call_direction", self.rng.pick(&["INBOUND", "OUTBOUND", "OUTBOUND"]).into()),
                    ("hs_call_status", self.rng.pick(&["COMPLETED", "COMPLETED", "COMPLETED", "NO_ANSWER", "BUSY"]).into()),
                    ("hs_call_from_number", format!("+1 617 555-{:04}", self.rng.below(10_000))),
                    ("hs_call_to_number", format!("+1 512 555-{:04}", self.rng.below(10_000))),
                ],
                Obj::Emails => vec![
                    ("hs_timestamp", ts),
                    ("hs_email_subject", self.rng.pick(w::EMAILS).into()),
                    ("hs_email_text", format!("Hi {first},\n\nThanks for your time today. Let me know if you have any questions.\n\nBest regards")),
                    ("hs_email_direction", self.rng.pick(&["EMAIL", "EMAIL", "INCOMING_EMAIL"]).into()),
                    ("hs_email_status", "SENT".into()),
                    ("hs_email_headers", json!({"from": {"email": "olivia.bennett@example.com"}, "to": [{"firstName": first, "lastName": last}]}).to_string()),
                ],
                _ => {
                    let minutes = if self.rng.chance(50) { 30 } else { 60 };
                    vec![
                        ("hs_timestamp", ts.clone()),
                        ("hs_meeting_title", format!("{} - {first} {last}", self.rng.pick(w::MEETINGS))),
                        ("hs_meeting_body", "Agenda: goals, timeline, next steps.".into()),
                        ("hs_meeting_start_time", ts),
                        ("hs_meeting_end_time", iso_ms(created + minutes * 60_000)),
                        ("hs_meeting_location", self.rng.pick(&["Zoom", "Google Meet", "Microsoft Teams", "On site"]).into()),
                        ("hs_meeting_outcome", self.rng.pick(&["SCHEDULED", "COMPLETED", "COMPLETED", "RESCHEDULED", "NO_SHOW"]).into()),
                    ]
                }
            };
            if let Some(o) = self.owner(90) {
                p.push(("hubspot_owner_id", o));
            }
            self.put(obj, id, created, updated, p);
            self.link((obj, id), (Obj::Contacts, contact), to_contact);
            if self.rng.chance(deal_pct) {
                let deals = self.s.assoc.targets((Obj::Contacts, contact), Obj::Deals);
                let deal = match deals.first() {
                    Some((d, _)) => *d,
                    None => base(Obj::Deals) + self.rng.below(count(Obj::Deals)),
                };
                self.link((obj, id), (Obj::Deals, deal), to_deal);
            }
        }
    }

    fn projects(&mut self) {
        for i in 0..count(Obj::Projects) {
            let id = base(Obj::Projects) + i;
            let company = base(Obj::Companies) + self.rng.below(count(Obj::Companies));
            let (created, updated) = self.times();
            let name = self.company_prop(company, "name");
            let start = created - created.rem_euclid(DAY_MS) + self.rng.range(0, 30) * DAY_MS;
            let mut p: Props = vec![
                ("project_name", format!("{name} {}", self.rng.pick(w::PROJECT_KINDS))),
                ("project_code", format!("PRJ-{}", 1001 + i)),
                ("status", self.rng.pick(&["planned", "active", "active", "on_hold", "done"]).into()),
                ("budget", (self.rng.range(10, 400) * 500).to_string()),
                ("start_date", iso_date(start)),
                ("end_date", iso_date(start + self.rng.range(30, 180) * DAY_MS)),
            ];
            if let Some(o) = self.owner(85) {
                p.push(("hubspot_owner_id", o));
            }
            self.put(Obj::Projects, id, created, updated, p);
            self.link((Obj::Projects, id), (Obj::Companies, company), 1003);
            if let Some((c, _)) = self.s.assoc.targets((Obj::Companies, company), Obj::Contacts).into_iter().next() {
                self.link((Obj::Projects, id), (Obj::Contacts, c), 1001);
            }
        }
    }
}

/// The seeded account for `seed`.
pub(crate) fn seeded(seed: u64) -> Store {
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
    sd.s.next_id = RANGES.iter().map(|r| r.1 + r.2).max().unwrap_or(101);
    sd.s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::store::PropSel;
    use crate::sandbox::types::ALL;

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
        assert_eq!(s.get(Obj::Companies, 401, false).unwrap().props["name"], "Acme Corporation");
        assert_eq!(s.assoc.types_between((Obj::Contacts, 101), (Obj::Companies, 401)), vec![1, 279]);
        assert_eq!(s.assoc.types_between((Obj::Deals, 481), (Obj::Contacts, 101)), vec![3, 101]);
        let mut emails = std::collections::HashSet::new();
        for r in s.records(Obj::Contacts).values() {
            let e = &r.props["email"];
            assert!(e.ends_with(".com") || e.ends_with(".org"), "{e}");
            assert!(e.contains("example."), "{e}");
            assert!(emails.insert(e.clone()), "duplicate {e}");
            // Every stored value is valid for its property.
            for (k, v) in &r.props {
                let p = s.prop(Obj::Contacts, k).unwrap();
                assert_eq!(p.normalize(v).unwrap().as_deref(), Some(v.as_str()), "{k}={v}");
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
        let pipelines: std::collections::HashSet<_> =
            s.records(Obj::Deals).values().map(|r| r.props["pipeline"].clone()).collect();
        assert_eq!(pipelines.len(), 2);
    }
}
