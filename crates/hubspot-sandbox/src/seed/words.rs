//! Word lists the seed draws from: people's names, company names, cities (with region, country and a
//! phone prefix), job titles, products, and text templates for deals, tickets and engagements.

/// First names.
pub(crate) const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Steven",
    "Ashley",
    "Andrew",
    "Kimberly",
    "Joshua",
    "Emily",
    "Kevin",
    "Donna",
    "Brian",
    "Michelle",
    "George",
    "Carol",
    "Priya",
    "Wei",
    "Yuki",
    "Fatima",
    "Omar",
    "Ingrid",
    "Lars",
    "Chloe",
    "Diego",
    "Amara",
    "Raj",
    "Mei",
    "Kenji",
    "Leila",
    "Tomás",
    "Sven",
    "Nadia",
    "Kwame",
    "Elena",
    "Hiro",
];

/// Last names.
pub(crate) const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Patel",
    "Wang",
    "Tanaka",
    "Haddad",
    "Larsen",
    "Dubois",
    "Mensah",
    "Ivanova",
    "Fischer",
    "Silva",
];

/// First halves of company names.
pub(crate) const COMPANY_A: &[&str] = &[
    "Blue",
    "North",
    "Bright",
    "Silver",
    "Summit",
    "Pioneer",
    "Harbor",
    "Granite",
    "Cedar",
    "Evergreen",
    "Atlas",
    "Beacon",
    "Crimson",
    "Delta",
    "Falcon",
    "Golden",
    "Horizon",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchard",
    "Prairie",
    "Quartz",
    "Redwood",
    "Sterling",
    "Tidal",
    "Vertex",
];

/// Second halves of company names.
pub(crate) const COMPANY_B: &[&str] = &[
    "Analytics",
    "Logistics",
    "Software",
    "Health",
    "Foods",
    "Labs",
    "Systems",
    "Partners",
    "Robotics",
    "Energy",
    "Media",
    "Outfitters",
];

/// Legal suffixes.
pub(crate) const COMPANY_SUFFIX: &[&str] = &["Inc.", "LLC", "Ltd", "Group", "Co.", "GmbH"];

/// (city, state or region, country, phone prefix).
pub(crate) const CITIES: &[(&str, &str, &str, &str)] = &[
    ("Boston", "MA", "United States", "+1 617"),
    ("Austin", "TX", "United States", "+1 512"),
    ("Denver", "CO", "United States", "+1 303"),
    ("Seattle", "WA", "United States", "+1 206"),
    ("Chicago", "IL", "United States", "+1 312"),
    ("Atlanta", "GA", "United States", "+1 404"),
    ("Toronto", "ON", "Canada", "+1 416"),
    ("London", "England", "United Kingdom", "+44 20"),
    ("Dublin", "Leinster", "Ireland", "+353 1"),
    ("Berlin", "Berlin", "Germany", "+49 30"),
    ("Paris", "Île-de-France", "France", "+33 1"),
    ("Amsterdam", "North Holland", "Netherlands", "+31 20"),
    ("Sydney", "NSW", "Australia", "+61 2"),
    ("Singapore", "Singapore", "Singapore", "+65 6"),
];

/// Job titles.
pub(crate) const TITLES: &[&str] = &[
    "CEO",
    "CTO",
    "VP of Sales",
    "VP of Marketing",
    "Head of Operations",
    "Marketing Manager",
    "Sales Director",
    "Account Executive",
    "Product Manager",
    "Software Engineer",
    "Office Manager",
    "Procurement Lead",
    "Customer Success Manager",
    "Finance Director",
    "IT Administrator",
    "Founder",
];

/// Product catalogue: (name, price, description, billing frequency or "").
pub(crate) const PRODUCTS: &[(&str, &str, &str, &str)] = &[
    (
        "Starter Plan",
        "49",
        "Core CRM for small teams, billed monthly.",
        "monthly",
    ),
    (
        "Professional Plan",
        "890",
        "Automation, reporting and sequences for growing teams.",
        "monthly",
    ),
    (
        "Enterprise Plan",
        "3600",
        "Advanced permissions, custom objects and SSO.",
        "annually",
    ),
    (
        "Onboarding Package",
        "1500",
        "Guided setup and data import over four weeks.",
        "",
    ),
    (
        "Premium Support",
        "1200",
        "24/7 phone support with a named engineer.",
        "annually",
    ),
    (
        "Training Workshop",
        "2500",
        "Two-day on-site workshop for up to 20 people.",
        "",
    ),
    (
        "API Add-on",
        "300",
        "Higher API limits and webhooks.",
        "monthly",
    ),
    (
        "Additional Seats (10)",
        "450",
        "Ten more user seats.",
        "monthly",
    ),
    (
        "Data Migration",
        "2000",
        "Migration from a legacy CRM, cleaned and deduplicated.",
        "",
    ),
    (
        "Custom Integration",
        "5000",
        "A bespoke integration built by our services team.",
        "",
    ),
];

/// What a deal is for (appended to the company name).
pub(crate) const DEAL_KINDS: &[&str] = &[
    "Annual Plan",
    "Expansion",
    "Pilot",
    "Renewal",
    "Enterprise Upgrade",
    "Onboarding",
    "Support Contract",
    "Seat Increase",
    "Integration Project",
    "Multi-year Agreement",
];

/// Ticket subjects.
pub(crate) const TICKET_SUBJECTS: &[&str] = &[
    "Cannot log in after password reset",
    "Invoice shows the wrong billing address",
    "Request: export reports to CSV",
    "Sync with calendar stopped working",
    "Question about seat pricing",
    "Import failed with a timeout",
    "Email notifications arrive twice",
    "Feature request: dark mode",
    "API returns 429 during nightly sync",
    "How do I merge duplicate contacts?",
];

/// Note bodies.
pub(crate) const NOTES: &[&str] = &[
    "Spoke with the team about Q3 priorities; budget approval expected next month.",
    "Customer asked for a security questionnaire and our SOC 2 report.",
    "Champion is moving to a new role; need to identify a new sponsor.",
    "Demo went well. Follow up with pricing for 25 seats.",
    "Legal review of the MSA is in progress.",
    "They are evaluating two competitors; main concern is implementation time.",
    "Renewal discussion: wants multi-year discount.",
    "Met at the trade show; interested in the reporting add-on.",
];

/// Task subjects.
pub(crate) const TASKS: &[&str] = &[
    "Send proposal",
    "Follow up on demo",
    "Schedule onboarding call",
    "Prepare renewal quote",
    "Share case study",
    "Confirm contract signatory",
    "Check in after implementation",
    "Call back about pricing",
];

/// Call titles.
pub(crate) const CALLS: &[&str] = &[
    "Discovery call",
    "Pricing discussion",
    "Technical deep dive",
    "Quarterly business review",
    "Renewal check-in",
    "Support escalation call",
];

/// Email subjects.
pub(crate) const EMAILS: &[&str] = &[
    "Following up on our conversation",
    "Your proposal",
    "Next steps",
    "Meeting recap",
    "Welcome aboard!",
    "Invoice and payment details",
    "Quick question",
];

/// Meeting titles.
pub(crate) const MEETINGS: &[&str] = &[
    "Product demo",
    "Kickoff meeting",
    "Executive briefing",
    "Implementation planning",
    "Contract review",
    "Training session",
];

/// Custom-object project kinds.
pub(crate) const PROJECT_KINDS: &[&str] = &[
    "CRM Rollout",
    "Data Migration",
    "Website Relaunch",
    "Sales Enablement",
    "Support Portal",
    "Analytics Dashboard",
    "Partner Onboarding",
];
