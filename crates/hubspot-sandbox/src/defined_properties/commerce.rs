//! The HubSpot-defined properties of the commerce objects: products, line items and quotes.

use crate::defined_properties::Kind::*;
use crate::defined_properties::{created, e, modified, obj_id, owner, p, Def, CALC, READ_ONLY};

/// Properties of products.
pub(crate) const PRODUCTS: &[Def] = &[
    p("name", "Name", Text, "productinformation"),
    p("description", "Description", TextArea, "productinformation"),
    p("price", "Unit price", Number, "productinformation"),
    p("hs_sku", "SKU", Text, "productinformation"),
    p(
        "hs_cost_of_goods_sold",
        "Unit cost",
        Number,
        "productinformation",
    ),
    e(
        "recurringbillingfrequency",
        "Billing frequency",
        "productinformation",
        &[
            ("monthly", "Monthly"),
            ("quarterly", "Quarterly"),
            ("per_six_months", "Semi-annually"),
            ("annually", "Annually"),
        ],
    ),
    created("createdate", "productinformation"),
    modified("hs_lastmodifieddate", "productinformation"),
    obj_id("productinformation"),
];

/// Properties of line_items.
pub(crate) const LINE_ITEMS: &[Def] = &[
    p("name", "Name", Text, "lineiteminformation"),
    p(
        "description",
        "Description",
        TextArea,
        "lineiteminformation",
    ),
    p("hs_product_id", "Product ID", Number, "lineiteminformation"),
    p("quantity", "Quantity", Number, "lineiteminformation"),
    p("price", "Unit price", Number, "lineiteminformation"),
    p(
        "hs_discount_percentage",
        "Discount percentage",
        Number,
        "lineiteminformation",
    ),
    p("amount", "Net price", Number, "lineiteminformation").f(READ_ONLY | CALC),
    created("createdate", "lineiteminformation"),
    modified("hs_lastmodifieddate", "lineiteminformation"),
    obj_id("lineiteminformation"),
];

/// Properties of quotes.
pub(crate) const QUOTES: &[Def] = &[
    p("hs_title", "Quote name", Text, "quoteinformation"),
    p(
        "hs_expiration_date",
        "Expiration date",
        Date,
        "quoteinformation",
    ),
    e(
        "hs_status",
        "Quote approval status",
        "quoteinformation",
        &[
            ("DRAFT", "Draft"),
            ("APPROVAL_NOT_NEEDED", "Approval not needed"),
            ("PENDING_APPROVAL", "Pending approval"),
            ("APPROVED", "Approved"),
            ("REJECTED", "Rejected"),
        ],
    ),
    p(
        "hs_public_url_key",
        "Public URL key",
        Text,
        "quoteinformation",
    ),
    p("hs_quote_number", "Quote number", Text, "quoteinformation"),
    p(
        "hs_quote_amount",
        "Quote amount",
        Number,
        "quoteinformation",
    ),
    p("hs_currency", "Currency", Text, "quoteinformation"),
    p("hs_language", "Language", Text, "quoteinformation"),
    p(
        "hs_sender_firstname",
        "Sender first name",
        Text,
        "quoteinformation",
    ),
    p(
        "hs_sender_lastname",
        "Sender last name",
        Text,
        "quoteinformation",
    ),
    p("hs_sender_email", "Sender email", Text, "quoteinformation"),
    p(
        "hs_sender_company_name",
        "Sender company name",
        Text,
        "quoteinformation",
    ),
    owner("quoteinformation"),
    created("hs_createdate", "quoteinformation"),
    modified("hs_lastmodifieddate", "quoteinformation"),
    obj_id("quoteinformation"),
];
