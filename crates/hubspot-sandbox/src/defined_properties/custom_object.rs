//! The properties of the sandbox's custom object (projects, `2-3508482`).

use crate::defined_properties::Kind::*;
use crate::defined_properties::{created, e, modified, obj_id, owner, p, Def, UNIQUE};

/// Properties of projects.
pub(crate) const PROJECTS: &[Def] = &[
    p("project_name", "Project name", Text, "projects_information"),
    p("project_code", "Project code", Text, "projects_information").f(UNIQUE),
    e(
        "status",
        "Status",
        "projects_information",
        &[
            ("planned", "Planned"),
            ("active", "Active"),
            ("on_hold", "On hold"),
            ("done", "Done"),
        ],
    ),
    p("budget", "Budget", Number, "projects_information"),
    p("start_date", "Start date", Date, "projects_information"),
    p("end_date", "End date", Date, "projects_information"),
    owner("projects_information"),
    created("hs_createdate", "projects_information"),
    modified("hs_lastmodifieddate", "projects_information"),
    obj_id("projects_information"),
];
