//! Seeding of deals (both deal pipelines) and tickets, linked to the contacts and companies seeded first.

use crate::fixtures::{FIRST_OWNER_ID, RENEWALS_PIPELINE};
use crate::seed::words as w;
use crate::seed::{base, count, Props, Seeder};
use crate::store::Store;
use crate::time::{iso_ms, ms_of, DAY_MS};
use crate::types::Obj;

impl Seeder {
    pub(crate) fn deals(&mut self) {
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

    pub(crate) fn tickets(&mut self) {
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
}
