# Call center pages (waiting calls, the next call, a call's page, the dashboard).

## Page titles
calls-next-title = Next call
calls-waiting-title = Waiting calls
calls-dashboard-title = Call center
# A call's page: who is on the line (a customer's name, or their number).
calls-call-title = Call: { $who }

## The next call and the progressive dialler
calls-dialler-on = Progressive dialler on: the next call is dialled when you are free.
calls-dialler-turn-off = Turn it off
calls-dialler-turn-on = Turn the progressive dialler on
# Followed by the number on the line and the call's status.
calls-on-a-call = On a call:
calls-dialler-waits = The dialler waits until it ends.
calls-phone = Phone
calls-call-number = Call { $number }
calls-no-number = no number
# The call dialled for the entry shown.
calls-dialled = Dialled
calls-talked-for = talked { $duration }
calls-priority = Priority
calls-attempts = Attempts
calls-attempts-last = { $attempts } (last: { $outcome })
# The customer's last episodes.
calls-lately = Lately
# $seconds is the countdown (markup, keep it as it is).
calls-dialler-countdown = The dialler calls { $number } in { $seconds } s.
calls-dialler-countdown-customer = The dialler calls the customer in { $seconds } s.
calls-dial-now = Dial now
calls-pause-dialler = Pause the dialler
calls-dial-from-extension = Dial from my extension
calls-none-due = No calls due now. Well done.
calls-log-and-go-on = Log the call and go on

## Logging a call
calls-outcome = Outcome
calls-notes = Notes
calls-call-back-at = Call back at (UTC, for "call back")
calls-follow-up-task = Follow-up task
calls-task-due = Task due (UTC)
calls-error-not-a-time = { $field }: "{ $text }" is not a date and time
calls-error-field-follow-up-due = follow-up due
calls-error-field-call-back-at = call back at
calls-error-follow-up-due-missing = follow-up due: when the task is due
calls-error-follow-up-subject-missing = follow-up: what to do

## A call's page
calls-on-the-line = On the line
calls-number = Number
calls-number-not-shown = not shown
calls-number-withheld = Number withheld
calls-status = Status
calls-talked = Talked
calls-talked-duration = { $minutes } min { $seconds } s
calls-fact-contact = Contact
calls-fact-lead = Lead
calls-fact-account = Account
calls-fact-value = Value
calls-value-priority = { $tier } (priority { $priority })
calls-fact-open-cases = Open cases
calls-fact-overdue-invoices = Overdue invoices
calls-fact-open-opportunities = Open opportunities
calls-fact-unknown-number = Unknown number
calls-new-contact = New contact
calls-call-record = The call's record
calls-log-call = Log the call
# Followed by a link to the call on the customer's timeline.
calls-logged = Logged:
calls-logged-link = the call on the customer's timeline
calls-order-title = Take an order
# Followed by a link to the order.
calls-order-taken = Order taken:
calls-order-open = open the order
calls-product = Product
calls-quantity = Quantity
calls-product-row = Product { $row }
calls-quantity-row = Quantity { $row }
calls-order-notes = Notes for the order
calls-take-order = Take the order
calls-prices-note = Prices come from the price books, as for any order.
calls-order-needs-account = An order needs the caller's account.
calls-order-needs-account-hint = An order needs the caller's account: open their record and give them one.
# A click-to-dial button on a contact's, account's or lead's page.
calls-dial-number = Dial { $number }

## Waiting calls
# A queue's name and how many calls wait in it.
calls-queue-heading = { $queue } ({ $count })
calls-no-queue = No queue
calls-caller = Caller
calls-value = Value
calls-ringing-since = Ringing since
calls-unknown-caller = unknown caller
calls-no-one-waiting = No one is waiting.

## The dashboard
calls-download-report = Download the report (XLSX)
calls-inbound = Inbound calls
calls-answered = Answered
calls-abandoned = Abandoned
calls-outbound = Outbound calls
calls-first-call-resolution = First-call resolution
# A number of calls and their share of all.
calls-count-share = { $count } ({ $share })
calls-chart-per-agent = Calls per agent
calls-chart-per-hour = Calls per hour (UTC)
calls-chart-wait-by-tier = Average wait by value tier
calls-chart-list-penetration = Call lists: penetration
calls-seconds = { $seconds } s

## What the page's script writes (search, the board, the screen pop)
script-untitled = (untitled)
script-saving = Saving…
script-saved = Saved.
script-not-moved = Not moved:
script-calling = Calling:
script-incoming = Incoming call:
script-call-ended = Call ended:
script-number-withheld = number withheld
script-unknown-caller = unknown caller
script-value-of = %tier% (priority %priority%)
script-open-cases = Open cases
script-overdue-invoices = Overdue invoices
script-open-opportunities = Open opportunities
script-open = Open
script-new-contact = New contact
script-log-call = Log the call
script-close = Close
script-pick-date = Choose a date
script-previous-month = Previous month
script-next-month = Next month
