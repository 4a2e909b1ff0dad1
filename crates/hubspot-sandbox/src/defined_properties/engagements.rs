//! The HubSpot-defined properties of the engagements: notes, tasks, calls, emails and meetings.

use crate::defined_properties::Kind::*;
use crate::defined_properties::{created, e, modified, obj_id, owner, p, Def};

/// Properties of notes.
pub(crate) const NOTES: &[Def] = &[
    p("hs_timestamp", "Activity date", DateTime, "engagement"),
    p("hs_note_body", "Note body", Html, "engagement"),
    owner("engagement"),
    created("hs_createdate", "engagement"),
    modified("hs_lastmodifieddate", "engagement"),
    obj_id("engagement"),
];

/// Properties of tasks.
pub(crate) const TASKS: &[Def] = &[
    p("hs_timestamp", "Due date", DateTime, "task"),
    p("hs_task_subject", "Task title", Text, "task"),
    p("hs_task_body", "Notes", Html, "task"),
    e(
        "hs_task_status",
        "Task status",
        "task",
        &[
            ("NOT_STARTED", "Not started"),
            ("IN_PROGRESS", "In progress"),
            ("WAITING", "Waiting"),
            ("COMPLETED", "Completed"),
            ("DEFERRED", "Deferred"),
        ],
    ),
    e(
        "hs_task_priority",
        "Priority",
        "task",
        &[
            ("NONE", "None"),
            ("LOW", "Low"),
            ("MEDIUM", "Medium"),
            ("HIGH", "High"),
        ],
    ),
    e(
        "hs_task_type",
        "Task type",
        "task",
        &[("TODO", "To-do"), ("CALL", "Call"), ("EMAIL", "Email")],
    ),
    owner("task"),
    created("hs_createdate", "task"),
    modified("hs_lastmodifieddate", "task"),
    obj_id("task"),
];

/// Properties of calls.
pub(crate) const CALLS: &[Def] = &[
    p("hs_timestamp", "Activity date", DateTime, "call"),
    p("hs_call_title", "Call title", Text, "call"),
    p("hs_call_body", "Call notes", Html, "call"),
    p("hs_call_duration", "Call duration (ms)", Number, "call"),
    e(
        "hs_call_direction",
        "Call direction",
        "call",
        &[("INBOUND", "Inbound"), ("OUTBOUND", "Outbound")],
    ),
    e(
        "hs_call_status",
        "Call status",
        "call",
        &[
            ("BUSY", "Busy"),
            ("CALLING_CRM_USER", "Calling CRM user"),
            ("CANCELED", "Canceled"),
            ("COMPLETED", "Completed"),
            ("CONNECTING", "Connecting"),
            ("FAILED", "Failed"),
            ("IN_PROGRESS", "In progress"),
            ("NO_ANSWER", "No answer"),
            ("QUEUED", "Queued"),
            ("RINGING", "Ringing"),
        ],
    ),
    p("hs_call_from_number", "From number", Text, "call"),
    p("hs_call_to_number", "To number", Text, "call"),
    owner("call"),
    created("hs_createdate", "call"),
    modified("hs_lastmodifieddate", "call"),
    obj_id("call"),
];

/// Properties of emails.
pub(crate) const EMAILS: &[Def] = &[
    p("hs_timestamp", "Activity date", DateTime, "email"),
    p("hs_email_subject", "Email subject", Text, "email"),
    p("hs_email_text", "Email body", TextArea, "email"),
    p("hs_email_html", "Email HTML body", Html, "email"),
    e(
        "hs_email_direction",
        "Email direction",
        "email",
        &[
            ("EMAIL", "Logged from CRM"),
            ("INCOMING_EMAIL", "Incoming email"),
            ("FORWARDED_EMAIL", "Forwarded email"),
        ],
    ),
    e(
        "hs_email_status",
        "Email send status",
        "email",
        &[
            ("BOUNCED", "Bounced"),
            ("FAILED", "Failed"),
            ("SCHEDULED", "Scheduled"),
            ("SENDING", "Sending"),
            ("SENT", "Sent"),
        ],
    ),
    p("hs_email_headers", "Email headers", TextArea, "email"),
    owner("email"),
    created("hs_createdate", "email"),
    modified("hs_lastmodifieddate", "email"),
    obj_id("email"),
];

/// Properties of meetings.
pub(crate) const MEETINGS: &[Def] = &[
    p("hs_timestamp", "Activity date", DateTime, "meeting"),
    p("hs_meeting_title", "Meeting name", Text, "meeting"),
    p("hs_meeting_body", "Meeting description", Html, "meeting"),
    p(
        "hs_internal_meeting_notes",
        "Internal notes",
        Html,
        "meeting",
    ),
    p("hs_meeting_location", "Location", Text, "meeting"),
    p("hs_meeting_start_time", "Start time", DateTime, "meeting"),
    p("hs_meeting_end_time", "End time", DateTime, "meeting"),
    e(
        "hs_meeting_outcome",
        "Outcome",
        "meeting",
        &[
            ("SCHEDULED", "Scheduled"),
            ("COMPLETED", "Completed"),
            ("RESCHEDULED", "Rescheduled"),
            ("NO_SHOW", "No show"),
            ("CANCELED", "Canceled"),
        ],
    ),
    owner("meeting"),
    created("hs_createdate", "meeting"),
    modified("hs_lastmodifieddate", "meeting"),
    obj_id("meeting"),
];
