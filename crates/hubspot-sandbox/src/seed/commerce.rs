//! Seeding of the commerce objects: products, line items on deals, and quotes.

use crate::fixtures::FIRST_OWNER_ID;
use crate::seed::words as w;
use crate::seed::{base, count, Props, Seeder};
use crate::time::{iso_date, DAY_MS};
use crate::types::Obj;

impl Seeder {
    pub(crate) fn commerce(&mut self) {
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
                ("hs_quote_amount", crate::store::format_number(total)),
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
}
