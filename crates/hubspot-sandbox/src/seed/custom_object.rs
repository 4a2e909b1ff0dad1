//! Seeding of the custom object's records (projects), linked to companies and contacts.

use crate::seed::words as w;
use crate::seed::{base, count, Props, Seeder};
use crate::time::{iso_date, DAY_MS};
use crate::types::Obj;

impl Seeder {
    pub(crate) fn projects(&mut self) {
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
