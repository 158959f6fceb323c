# Relata's web UI, English: the reference catalogue. Every other language
# has every message here (a test checks it).

## The frame of every page

skip-to-content = Skip to content
nav-main = Main
nav-home = Home
nav-service = Service
nav-pipeline = Pipeline
nav-next-call = Next call
nav-call-center = Call center
nav-waiting-calls = Waiting calls
nav-channels = Channels
search-label = Search accounts, contacts, leads and opportunities
search-placeholder = Search…
notifications-unread = { $count ->
    [0] Notifications, none unread
    [one] Notifications, { $count } unread
   *[other] Notifications, { $count } unread
}
phones-and-calendars = Phones and calendars
preferences-link = Language and time zone
switch-workspace = Switch workspace
switch = Switch
sign-out = Sign out
incoming-call = Incoming call
link-home = Home
not-found-title = Not found
not-found-text = There is no such record in this workspace.
not-allowed = Not allowed
value-yes = yes
value-no = no

## Entity types in the menu

entity-accounts = Accounts
entity-contacts = Contacts
entity-leads = Leads
entity-opportunities = Opportunities
entity-activities = Activities
entity-pipelines = Pipelines
entity-cases = Cases
entity-products = Products
entity-quotes = Quotes
entity-orders = Orders
entity-invoices = Invoices
entity-payments = Payments
entity-phone_calls = Phone calls
entity-call_lists = Call lists
entity-emails = Emails
entity-messages = Messages
entity-option_groups = Option groups
entity-price_books = Price books
entity-document_templates = Document templates
entity-call_queue_entries = Calls to make
entity-message_templates = Message templates
entity-print_batches = Print batches
entity-automation_rules = Automation rules
entity-automation_runs = Automation runs
entity-case_comments = Case comments
entity-service_teams = Service teams
entity-service_calendars = Business hours
entity-sla_policies = SLA policies
entity-routing_rules = Routing rules
entity-service_contracts = Contracts and warranties
entity-kb_articles = Knowledge base
entity-held_messages = Held mail

## Home

home-title = Home
home-greeting = Good day, { $name }
home-attention = Needs your attention
home-webhook-paused = The webhook to { $url } was paused: { $reason }. Fix the receiver, then resume the subscription (PATCH /api/v1/webhooks/…, "active": true); its deliveries wait.
home-my-tasks = My open tasks
home-overdue = overdue
home-nothing-due = Nothing due. Well done.
home-my-pipeline = My pipeline by stage
home-team-forecast = My team's forecast (open, weighted by stage)
home-recent = Recent activity
home-nothing-yet = Nothing yet. Records you and your team create or change show here.
home-no-open-opportunities = No open opportunities. A new opportunity on the pipeline board starts one.
home-chart-pipeline = Open pipeline by stage
home-chart-team = Team forecast by owner

## Language and time zone

preferences-title = Language and time zone
preferences-intro = Pages, dates and amounts follow what you choose here.
preferences-language = Language
preferences-language-auto = As my browser asks (now: { $language })
preferences-time-zone = Time zone
preferences-time-zone-auto = The workspace's ({ $zone })
preferences-example = Example: { $moment } · { $amount }
preferences-save = Save
preferences-saved = Saved.
preferences-bad-language = Relata is not written in this language; choose one from the list.
preferences-bad-time-zone = This is not a time zone; choose one from the list (such as Europe/Warsaw).

## Times relative to now

relative-now = just now
relative-minutes-ago = { $count ->
    [one] a minute ago
   *[other] { $count } minutes ago
}
relative-minutes-ahead = { $count ->
    [one] in 1 minute
   *[other] in { $count } minutes
}
relative-hours-ago = { $count ->
    [one] an hour ago
   *[other] { $count } hours ago
}
relative-hours-ahead = { $count ->
    [one] in 1 hour
   *[other] in { $count } hours
}
relative-days-ago = { $count ->
    [one] yesterday
   *[other] { $count } days ago
}
relative-days-ahead = { $count ->
    [one] tomorrow
   *[other] in { $count } days
}

## Amounts typed into forms

amount-not-a-number = Type an amount in digits, such as 1,234.50.
amount-too-precise = { $count ->
    [0] This currency has no decimals.
    [one] This currency has only 1 decimal.
   *[other] This currency has only { $count } decimals.
}
amount-ambiguous = “{ $grouped }” or “{ $decimal }”? Type the amount without the dot, or with your decimal sign.
amount-too-large = This amount is too large.
