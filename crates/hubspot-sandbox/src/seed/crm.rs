//! Seeding of the CRM records: companies, contacts (with their primary companies) and leads.

use crate::defined_properties::{INDUSTRIES, LEAD_STAGES};
use crate::fixtures::FIRST_OWNER_ID;
use crate::seed::words as w;
use crate::seed::{base, count, Props, Seeder};
use crate::types::Obj;

/// `s` lower-cased, accents dropped, only ASCII letters and digits: for emails and domains.
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
    pub(crate) fn companies(&mut self) {
        let mut names = std::collections::HashSet::new();
        for i in 0..count(Obj::Companies) {
            let id = base(Obj::Companies) + i;
            let (created, updated) = self.times();
            let (name, domain, city) = if i == 0 {
                (
                    "Acme Corporation".to_string(),
                    "acme.example.com".to_string(),
                    w::CITIES[0],
                )
            } else {
                let mut name;
                loop {
                    name = format!(
                        "{} {}",
                        self.rng.pick(w::COMPANY_A),
                        self.rng.pick(w::COMPANY_B)
                    );
                    if names.insert(name.clone()) {
                        break;
                    }
                }
                let tld = if self.rng.chance(70) {
                    "example.com"
                } else {
                    "example.org"
                };
                let domain = format!("{}.{tld}", slug(&name));
                let suffix = self.rng.pick(w::COMPANY_SUFFIX);
                (format!("{name} {suffix}"), domain, self.rng.pick(w::CITIES))
            };
            let employees = if i == 0 {
                1200
            } else {
                self.rng.range(5, 5000)
            };
            let revenue = employees * self.rng.range(60, 240) * 1000;
            let mut p: Props = vec![
                ("name", name),
                ("domain", domain.clone()),
                ("website", format!("https://www.{domain}")),
                (
                    "industry",
                    if i == 0 {
                        "COMPUTER_SOFTWARE"
                    } else {
                        self.rng.pick(INDUSTRIES).0
                    }
                    .into(),
                ),
                ("phone", self.phone(city.3)),
                ("city", city.0.into()),
                ("state", city.1.into()),
                ("country", city.2.into()),
                ("numberofemployees", employees.to_string()),
                ("annualrevenue", revenue.to_string()),
                (
                    "type",
                    if i == 0 {
                        "OTHER"
                    } else {
                        self.rng
                            .pick(&["PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER"])
                    }
                    .into(),
                ),
                (
                    "lifecyclestage",
                    if i == 0 {
                        "customer"
                    } else {
                        self.rng
                            .pick(&["lead", "opportunity", "customer", "customer", "other"])
                    }
                    .into(),
                ),
            ];
            if self.rng.chance(40) {
                p.push((
                    "description",
                    format!("{} company based in {}.", city.2, city.0),
                ));
            }
            if let Some(o) = if i == 0 {
                Some(FIRST_OWNER_ID.to_string())
            } else {
                self.owner(85)
            } {
                p.push(("hubspot_owner_id", o));
            }
            self.put(Obj::Companies, id, created, updated, p);
        }
    }

    pub(crate) fn contacts(&mut self) {
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
                Some(if i == 0 {
                    base(Obj::Companies)
                } else {
                    base(Obj::Companies) + self.rng.below(count(Obj::Companies))
                })
            } else {
                None
            };
            let domain = match company {
                Some(c) => self.company_prop(c, "domain"),
                None => if self.rng.chance(60) {
                    "example.com"
                } else {
                    "example.org"
                }
                .to_string(),
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
                    w::CITIES
                        .iter()
                        .copied()
                        .find(|x| x.0 == name)
                        .unwrap_or(w::CITIES[0])
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
                (
                    "phone",
                    if i == 0 {
                        "+1 617 555-0142".into()
                    } else {
                        self.phone(city.3)
                    },
                ),
                (
                    "jobtitle",
                    if i == 0 {
                        "VP of Operations"
                    } else {
                        self.rng.pick(w::TITLES)
                    }
                    .into(),
                ),
                ("city", city.0.into()),
                ("state", city.1.into()),
                ("country", city.2.into()),
                ("lifecyclestage", stage.into()),
            ];
            if let Some(c) = company {
                p.push(("company", self.company_prop(c, "name")));
            }
            if i == 0 || self.rng.chance(60) {
                let status = if i == 0 {
                    "CONNECTED"
                } else {
                    self.rng.pick(crate::defined_properties::LEAD_STATUS).0
                };
                p.push(("hs_lead_status", status.into()));
            }
            if let Some(o) = if i == 0 {
                Some(FIRST_OWNER_ID.to_string())
            } else {
                self.owner(80)
            } {
                p.push(("hubspot_owner_id", o));
            }
            self.put(Obj::Contacts, id, created, updated, p);
            if let Some(c) = company {
                self.link((Obj::Contacts, id), (Obj::Companies, c), 1);
            }
        }
    }

    pub(crate) fn leads(&mut self) {
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
}
