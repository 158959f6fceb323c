//! The rules every workspace starts with, inactive and editable: the
//! dunning ladder, birthday greetings, a welcome for a new customer and a
//! follow-up of a quote that got no answer. They use the channels module's
//! built-in templates by key.

use serde_json::{Value as Json, json};

/// The dunning ladder of the seeds: a reminder by email at the due date + 3
/// days, an SMS at + 10, a printed letter at + 17, a call for the account's
/// owner at + 24, a task with the whole history at + 38 (for the person who
/// hands it to the lawyer: set `assign_to` to their email). It stops when
/// the invoice is paid, written off, cancelled or disputed; the messages
/// acknowledge a partial payment.
fn dunning() -> Json {
    let wait_until = |days: i64| json!({"action": "wait", "until_field": "due_date", "wait_days": days});
    json!({
        "name": "Dunning ladder",
        "entity": "invoices",
        "event": "date_reached",
        "date_field": "due_date",
        "offset_days": 3,
        "conditions": "kind = \"invoice\" and status in (\"issued\", \"partly_paid\", \"overdue\")",
        "stop_when": "status in (\"paid\", \"written_off\", \"cancelled\") or disputed = true",
        "active": false,
        "lines": [
            {"action": "send_email", "template": "dunning_reminder"},
            wait_until(10),
            {"action": "send_sms", "template": "dunning_sms"},
            wait_until(17),
            {"action": "print_letter", "template": "dunning_letter"},
            wait_until(24),
            {"action": "create_call", "subject": "Overdue invoice: call the customer", "value": "80",
             "assign_to": "account_owner"},
            wait_until(38),
            {"action": "create_task", "subject": "Overdue invoice: hand over to the lawyer", "due_in_days": 2,
             "assign_to": "owner"}
        ]
    })
}

fn birthday() -> Json {
    json!({
        "name": "Birthday greetings",
        "entity": "contacts",
        "event": "anniversary",
        "date_field": "birthday",
        "offset_days": 0,
        "active": false,
        "lines": [{"action": "send_email", "template": "birthday_email"}]
    })
}

fn welcome() -> Json {
    json!({
        "name": "Welcome a new customer",
        "entity": "accounts",
        "event": "updated",
        "watch_fields": "lifecycle",
        "conditions": "lifecycle = \"customer\"",
        "once_per_record": true,
        "active": false,
        "lines": [
            {"action": "send_email", "template": "welcome_email"},
            {"action": "wait", "wait_days": 7},
            {"action": "create_task", "subject": "Check in with the new customer", "due_in_days": 1}
        ]
    })
}

fn quote_follow_up() -> Json {
    json!({
        "name": "Quote follow-up",
        "entity": "quotes",
        "event": "updated",
        "watch_fields": "status",
        "conditions": "status = \"sent\"",
        "stop_when": "status in (\"accepted\", \"rejected\", \"expired\")",
        "active": false,
        "lines": [
            {"action": "wait", "wait_days": 3},
            {"action": "send_email", "template": "quote_follow_up"},
            {"action": "create_task", "subject": "Call about the quote", "due_in_days": 2}
        ]
    })
}

pub fn rules() -> Vec<Json> {
    vec![dunning(), birthday(), welcome(), quote_follow_up()]
}
