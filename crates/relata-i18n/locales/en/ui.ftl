# Relata's web UI, English: the reference catalogue. Every other language
# has every message here (a test checks it).

## The frame of every page

skip-to-content = Skip to content
menu = Menu
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
notifications-unread = Notifications, { $count } unread
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
denied-role = Your role may not { $right ->
        [read] read
        [create] create
        [update] change
        [delete] delete
       *[export] export
    } records of the type "{ $what }".
denied-record = Your role may { $right ->
        [read] read
        [create] create
        [update] change
        [delete] delete
       *[export] export
    } only some records of the type "{ $what }": this one is someone else's.
denied-admin-only = Only the workspace's administrators may do this.
denied-assign = Your role may not give records of the type "{ $what }" to this owner: choose yourself or a member of a team you manage.
denied-made-by-relata = Records of the type "{ $what }" are written by Relata only.
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
entity-one-accounts = account
entity-one-contacts = contact
entity-one-leads = lead
entity-one-opportunities = opportunity
entity-one-activities = activity
entity-one-cases = case
entity-one-products = product
entity-one-quotes = quote
entity-one-orders = order
entity-one-invoices = invoice
entity-one-payments = payment

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


## Lists

list-new = New
list-export-csv = Export CSV
list-export-xlsx = Export XLSX
list-saved-views = Saved views
list-team = team
list-delete-view = Delete the view
list-search = Search
list-filter = Filter
list-apply = Apply
list-filter-help = Operators = != < <= > >= ~ in, is null; combine with and, or, not.
list-add-condition = Add a condition:
list-operator = Operator
op-is = is
op-is-not = is not
op-contains = contains
op-greater = greater than
op-less = less than
op-empty = is empty
op-not-empty = is not empty
list-value = Value
list-value-placeholder = value
list-add-to-filter = Add to filter
list-columns = Columns
list-columns-legend = Columns to show
list-show-columns = Show these columns
list-with-selected = With the selected
list-assign = Assign to
list-trash = Move to the trash
list-new-owner = New owner
list-select = Select
sorted-ascending = sorted ascending
sorted-descending = sorted descending
list-nothing = Nothing here. Clear the search or filter, or add a new record.
list-save-view = Save this view
list-view-name = Name
list-share = Share with my teams
list-save-view-button = Save view
list-next-page = Next page


## The pipeline board

board-new-opportunity = New opportunity
board-pipeline = Pipeline
board-owner = Owner
board-closing = Closing in (YYYY-MM)
board-show = Show
board-weighted = weighted
board-move-to = Move to another stage
board-move = Move
board-all-of-stage = All of this stage's opportunities
board-everyone = Everyone
board-me = Me


## Record pages

record-convert = Convert
record-edit = Edit
record-lines = Lines
record-no-lines = No lines yet. Edit the document to add its first line.
record-quick-actions = Quick actions
record-quick-kind = Kind
record-log-call = Log a call
record-add-note = Add a note
record-schedule-meeting = Schedule a meeting
record-create-task = Create a task
record-subject = Subject
record-details = Details
record-save = Save
record-conversation = Conversation
record-from-customer = From the customer
record-the-customer = the customer
record-no-replies = No replies or notes yet.
record-write = Write
record-reply = A reply to the customer (by email)
record-internal-note = An internal note
record-from-template = Start a reply from a template
record-no-template = No template
record-text = Text
record-send = Send
record-none-yet = None yet.
record-add = Add
record-timeline = Timeline
record-show-in-timeline = Show in the timeline
record-no-episodes = No episodes yet. Log a call or add a note above to start the story.
record-history = History
record-everything = Everything
record-open-opportunities = Open opportunities
record-open-worth = { $count } worth { $worth }
record-last-contact = Last contact
history-create = created
history-update = changed
history-delete = moved to the trash
history-restore = restored
history-redact = personal data erased


## Forms

form-new = New { $type }
form-edit = Edit { $title }
form-open-current = Open the current version
form-type-first = Name the records' type first.
form-remove = Remove
form-add-lines = Add lines
form-cancel = Cancel
# A field refused for what any field of its type can be refused for (by the refusal's code).
form-needs-attention = Some fields need your attention.
error-required = Fill this in.
error-invalid_type = This is not a value of this kind.
error-invalid_email = This is not an email address.
error-invalid_phone = This is not a phone number.
error-invalid_date = This is not a date.
error-invalid_datetime = This is not a date and time.
error-invalid_id = This is not one of the choices.
error-not_found = There is no such record (or member) in this workspace.
error-too_many = There are too many values.
error-invalid_choice = This is not one of the choices.
error-invalid_amount = This is not an amount.
error-invalid_currency = This is not a currency code (such as EUR).
error-currency_not_enabled = This workspace does not use this currency.
error-invalid_decimal = This is not a number.
error-duplicate = Another record already has this value.
error-unknown_field = This is not a field you may fill in.
error-read_only = Your role may not change this.
error-forbidden = Your role may not do this.
error-too_long = This is too long.
error-out_of_range = This is outside the allowed range.
error-in_the_past = Choose a time still to come.
list-filter-unread = Relata cannot read this filter at character { $column }: { $detail }

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

## The default pipeline's stages (a new workspace's pipeline is named in every language)

stage-qualification = Qualification
stage-needs_analysis = Needs analysis
stage-proposal = Proposal
stage-negotiation = Negotiation
stage-won = Closed won
stage-lost = Closed lost

## The home page by role: a manager's team, a salesperson's quota, widgets

entity-quotas = Quotas
entity-one-quotas = quota
home-my-team = My team
home-my-work = My work
home-team-pipeline = Team pipeline by stage and owner
home-total = Total
home-nobody = Nobody
home-win-rate = Win rate this quarter
home-win-rate-value = { $percent } ({ $won } won, { $lost } lost)
home-win-rate-none = No deals closed this quarter yet.
home-quotas = Forecast against quota
home-quota-target = Quota
home-quota-won = Won
home-quota-forecast = Forecast
home-no-quotas = No quota covers today. Managers set them under Quotas.
home-my-quota = My quota
home-activities-week = Activities this week
home-no-activities = No activities logged this week.
home-stale = Deals with no activity for 30 days
home-my-stale = My deals with no activity for 30 days
home-no-stale = No deal has gone quiet.
home-last-change = last changed
home-widgets = My widgets
home-widget-gone = The saved view behind this widget is gone.
home-widget-remove = Remove
home-widget-add-hint = Add figures from a saved view: open a list, choose “Add to home” and pick a view.
home-widget-refused = The widget was not added
home-widget-empty = No records.
home-no-value = (none)
home-widget-records = { $count ->
    [one] 1 record
   *[other] { $count } records
}
list-add-to-home = Add to home
list-widget-view = Saved view
list-widget-figure = Show
list-widget-count = Number of records
list-widget-sum = Sum of { $field }
list-widget-chart = Chart by { $field }
list-widget-add = Add

## Calendars: day, week and month views, finding a time, reminders

nav-calendar = Calendar
calendar-title = Calendar
calendar-day = Day
calendar-week = Week
calendar-month = Month
calendar-previous = Previous
calendar-next = Next
calendar-today = Today
calendar-mine = Mine
calendar-team = My team
calendar-find-time = Find a time
calendar-reschedule = Reschedule
calendar-starts = Starts
calendar-ends = Ends
calendar-save = Save
calendar-saving = Saving…
calendar-nothing = Nothing planned.
calendar-not-saved = Not saved
calendar-conflict = Someone changed this activity meanwhile: open the calendar again to see it as it is now.
calendar-bad-times = Give a start and an end as date and time.
calendar-end-before-start = The end must come after the start.
calendar-times-in = Times in { $zone }
find-time-title = Find a time
find-time-who = Who
find-time-length = Length (minutes)
find-time-search = Find
find-time-proposal = Proposed: { $when }
find-time-none = No common free time in the next five working days.
find-time-busy = Busy times
find-time-free = Free
find-time-create = Create the meeting
reminder-title = Reminder: { $subject }, { $when }
reminder-at = At { $at }
notify-webhook-paused = Webhook to { $url } paused
notify-webhook-paused-reason = Paused after { $attempts } failed attempts of event { $event }: { $error }
notify-automation-rule = Automation rule: { $rule }
notify-sla-warning = SLA warning: { $case }
notify-sla-due = Due { $at }
notify-sla-breached = SLA breached: { $case }
notify-sla-escalated = Escalated to priority { $priority }
notify-case-assigned = Case assigned to you: { $case }

## Actions on record pages, timeline kinds, singular names of every type

action-download-letters = Download letters (PDF)
action-mark-posted = Mark posted
action-dry-run = Dry run
action-runs = Runs
action-automation-runs = Automation runs
action-write-email = Write an email
action-download-pdf = Download PDF
action-revise = Revise
action-create-invoice = Create invoice
action-download-ubl = Download UBL
action-record-payment = Record payment
action-credit-note = Credit note
action-configure = Configure
action-reply-customer = Reply to the customer
action-internal-note = Add an internal note
action-release = Release into a case
action-discard = Discard
action-pause = Pause
action-resume = Resume
action-mark-sent = Mark as sent
action-accept = Accept
action-reject = Reject
action-confirm = Confirm
action-issue = Issue
timeline-stage_change = Stage changes
timeline-one-stage_change = stage change
timeline-shared_email = Shared emails
timeline-one-shared_email = shared email
entity-one-pipelines = pipeline
entity-one-phone_calls = phone call
entity-one-call_lists = call list
entity-one-emails = email
entity-one-messages = message
entity-one-option_groups = option group
entity-one-price_books = price book
entity-one-document_templates = document template
entity-one-call_queue_entries = call to make
entity-one-message_templates = message template
entity-one-print_batches = print batch
entity-one-automation_rules = automation rule
entity-one-automation_runs = automation run
entity-one-case_comments = case comment
entity-one-service_teams = service team
entity-one-service_calendars = business hours
entity-one-sla_policies = SLA policy
entity-one-routing_rules = routing rule
entity-one-service_contracts = contract or warranty
entity-one-kb_articles = knowledge article
entity-one-held_messages = held message
not-done = Not done
page-failed = Something went wrong
page-failed-text = Something went wrong on the server; it was logged for your administrator. Try again later.
page-busy-text = The database is busy with other work; nothing was changed. Try again in a moment.
page-out-of-space-text = Relata cannot save changes now: its storage is full or read-only. Nothing was changed; you can still read.
page-changed-since-text = Someone else changed this record in the meantime; nothing was saved. Open it again to see their change.
bulk-select-first = Select 1 to 500 records first.
bulk-choose-action = Choose an action (and an owner to assign to).
bulk-partly-done = Partly done
bulk-partly-done-text = { $done } done; { $refused } not: { $reasons }
view-not-saved = The view was not saved
board-no-pipeline = No pipeline
board-no-pipeline-text = This workspace has no pipeline yet.
board-no-such-deal = There is no such opportunity.
board-stage-not-allowed = Your role may not change stages.
board-changed-meanwhile = Someone changed this opportunity while you were looking. Go back and reload the board.
board-choose-team = Choose a team with members.
board-choose-owner = Choose an owner from the list.
board-not-a-month = "{ $month }" is not a month like 2026-12.
form-someone = someone
form-changed-by = Changed by { $by } at { $time } while you were editing. Your changes are kept below; reload the record to see theirs, then apply yours again.
form-changed = The record was changed while you were editing.
board-not-moved = Not moved
changed-meanwhile = Changed meanwhile
record-changed-meanwhile = Someone changed this record while you were looking at it. Reload it and try again.
form-expired = The form expired
form-expired-text = Go back, reload the page and try again.
