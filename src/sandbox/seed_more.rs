//! Seeding of deals, tickets, commerce objects (products, line items, quotes), leads, engagements and
//! custom-object records, with their associations to the contacts and companies seeded first.

use serde_json::json;

use super::fixtures::{FIRST_OWNER_ID, RENEWALS_PIPELINE};
use super::props_data::LEAD_STAGES;
use super::seed::{base, count, Props, Seeder};
use super::seed_data as w;
use super::store::Store;
use super::time::{iso_date, iso_ms, ms_of, DAY_MS};
use super::types::Obj;

impl Seeder {
    pub(super) fn primary_company(&self, contact: u64) -> Option<u64> {
        self.s
            .assoc
            .targets((Obj::Contacts, contact), Obj::Companies)
            .into_iter()
            .find(|(_, ids)| ids.contains(&1))
            .map(|(c, _)| c)
    }

    pub(super) fn deals(&mut self) {
        let stages_of = |s: &Store, pipeline: &str| -> Vec<String> {
            s.pipelines_of(Obj::Deals)
                .find(|p| p.id == pipeline)
                .map(|p| p.stages.iter().map(|x| x.id.clone()).collect())
                .unwrap_or_default()
        };
        for i in 0..count(Obj::Deals) {
            let id = base(Obj::Deals) + i;
            let (created, updated) = self.times();
            let company = if i == 0 {
                base(Obj::Companies)
            } else {
                base(Obj::Companies) + self.rng.below(count(Obj::Companies))
            };
            let cname = self.company_prop(company, "name");
            let pipeline = if i == 0 || self.rng.chance(75) {
                "default"
            } else {
                RENEWALS_PIPELINE
            };
            let stages = stages_of(&self.s, pipeline);
            let stage = if i == 0 {
                "contractsent".to_string()
            } else {
                self.rng
                    .pick(&stages.iter().map(String::as_str).collect::<Vec<_>>())
                    .to_string()
            };
            let kind = if i == 0 {
                "Annual Plan"
            } else {
                self.rng.pick(w::DEAL_KINDS)
            };
            let amount = if i == 0 {
                48_000
            } else {
                self.rng.range(10, 2500) * 100
            };
            let close = created + self.rng.range(14, 180) * DAY_MS;
            let mut p: Props = vec![
                ("dealname", format!("{cname} - {kind}")),
                ("pipeline", pipeline.into()),
                ("dealstage", stage),
                ("amount", amount.to_string()),
                (
                    "closedate",
                    iso_ms(if i == 0 {
                        ms_of(2025, 7, 31, 0, 0, 0)
                    } else {
                        close
                    }),
                ),
                (
                    "dealtype",
                    if i == 0 || pipeline != "default" {
                        "existingbusiness"
                    } else {
                        self.rng.pick(&["newbusiness", "existingbusiness"])
                    }
                    .into(),
                ),
                (
                    "hs_priority",
                    self.rng.pick(&["low", "medium", "high"]).into(),
                ),
            ];
            if let Some(o) = if i == 0 {
                Some(FIRST_OWNER_ID.to_string())
            } else {
                self.owner(85)
            } {
                p.push(("hubspot_owner_id", o));
            }
            self.put(Obj::Deals, id, created, updated, p);
            self.link((Obj::Deals, id), (Obj::Companies, company), 5);
            let people: Vec<u64> = self
                .s
                .assoc
                .targets((Obj::Companies, company), Obj::Contacts)
                .into_iter()
                .map(|(c, _)| c)
                .collect();
            let chosen: Vec<u64> = if people.is_empty() {
                vec![base(Obj::Contacts) + self.rng.below(count(Obj::Contacts))]
            } else {
                let n = (1 + self.rng.below(3) as usize).min(people.len());
                let start = if i == 0 {
                    0
                } else {
                    self.rng.below(people.len() as u64) as usize
                };
                (0..n)
                    .filter_map(|k| people.get((start + k) % people.len()).copied())
                    .collect()
            };
            for (k, c) in chosen.iter().enumerate() {
                let label = k == 0 && (i == 0 || self.rng.chance(25));
                self.link(
                    (Obj::Deals, id),
                    (Obj::Contacts, *c),
                    if label { 101 } else { 3 },
                );
            }
        }
    }

    pub(super) fn tickets(&mut self) {
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

    pub(super) fn commerce(&mut self) {
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
            let dealname = self
                .s
                .records(Obj::Deals)
                .get(&deal)
                .and_then(|r| r.props.get("dealname").cloned())
                .unwrap_or_default();
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
                (
                    "hs_status",
                    self.rng
                        .pick(&[
                            "DRAFT",
                            "APPROVAL_NOT_NEEDED",
                            "PENDING_APPROVAL",
                            "APPROVED",
                        ])
                        .into(),
                ),
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
            if let Some((c, _)) = self
                .s
                .assoc
                .targets((Obj::Deals, deal), Obj::Contacts)
                .into_iter()
                .next()
            {
                self.link((Obj::Quotes, id), (Obj::Contacts, c), 69);
            }
            if let Some((c, _)) = self
                .s
                .assoc
                .targets((Obj::Deals, deal), Obj::Companies)
                .into_iter()
                .next()
            {
                self.link((Obj::Quotes, id), (Obj::Companies, c), 71);
            }
        }
    }

    pub(super) fn contact_name(&self, id: u64) -> (String, String) {
        let r = self.s.records(Obj::Contacts).get(&id);
        let get = |k: &str| r.and_then(|r| r.props.get(k).cloned()).unwrap_or_default();
        (get("firstname"), get("lastname"))
    }

    pub(super) fn leads(&mut self) {
        for i in 0..count(Obj::Leads) {
            let id = base(Obj::Leads) + i;
            let contact = base(Obj::Contacts) + 1 + self.rng.below(count(Obj::Contacts) - 1);
            let (created, updated) = self.times();
            let (first, last) = self.contact_name(contact);
            let mut p: Props = vec![
                ("hs_lead_name", format!("{first} {last}")),
                (
                    "hs_lead_type",
                    self.rng
                        .pick(&["NEW_BUSINESS", "UPSELL", "RE_ATTEMPTING"])
                        .into(),
                ),
                (
                    "hs_lead_label",
                    self.rng.pick(&["COLD", "WARM", "HOT"]).into(),
                ),
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

    pub(super) fn engagement(&mut self, obj: Obj, to_contact: u32, to_deal: u32, deal_pct: u64) {
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

    pub(super) fn projects(&mut self) {
        for i in 0..count(Obj::Projects) {
            let id = base(Obj::Projects) + i;
            let company = base(Obj::Companies) + self.rng.below(count(Obj::Companies));
            let (created, updated) = self.times();
            let name = self.company_prop(company, "name");
            let start = created - created.rem_euclid(DAY_MS) + self.rng.range(0, 30) * DAY_MS;
            let mut p: Props = vec![
                (
                    "project_name",
                    format!("{name} {}", self.rng.pick(w::PROJECT_KINDS)),
                ),
                ("project_code", format!("PRJ-{}", 1001 + i)),
                (
                    "status",
                    self.rng
                        .pick(&["planned", "active", "active", "on_hold", "done"])
                        .into(),
                ),
                ("budget", (self.rng.range(10, 400) * 500).to_string()),
                ("start_date", iso_date(start)),
                (
                    "end_date",
                    iso_date(start + self.rng.range(30, 180) * DAY_MS),
                ),
            ];
            if let Some(o) = self.owner(85) {
                p.push(("hubspot_owner_id", o));
            }
            self.put(Obj::Projects, id, created, updated, p);
            self.link((Obj::Projects, id), (Obj::Companies, company), 1003);
            if let Some((c, _)) = self
                .s
                .assoc
                .targets((Obj::Companies, company), Obj::Contacts)
                .into_iter()
                .next()
            {
                self.link((Obj::Projects, id), (Obj::Contacts, c), 1001);
            }
        }
    }
}
