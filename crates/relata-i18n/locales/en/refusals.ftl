### What the domain modules' rules refuse, said next to the field refused.
### The API gives the English text as the problem's `message`: keep these
### lower-case phrases, as the API's other messages are. Arguments named
### `status`, `was` and `asked` are choice labels ("Paid"), already in the
### reader's language.

## Quotes

refuse-quote-created = a quote is created as a draft or sent
refuse-quote-settled = the quote is { $status }; revise it to change it
refuse-quote-settled-already = the quote is { $status } already
refuse-quote-expired = the quote's validity has passed; revise it to accept it
refuse-quote-other-account = the opportunity is another account's
refuse-quote-no-lines = a quote is accepted with at least one line

## Invoices and credit notes

refuse-invoice-created = an invoice is created as a draft, then issued
refuse-invoice-issued = an issued invoice does not change; correct it with a credit note
refuse-invoice-transition = an invoice cannot go from { $was } to { $asked }: payments make it paid, time makes it overdue, and only an invoice with nothing paid or credited can be cancelled
refuse-invoice-no-lines = an invoice is issued with at least one line
refuse-invoice-delete-issued = an issued invoice is not deleted; cancel it or correct it with a credit note
refuse-invoice-overpaid = an invoice would be paid more than its total
refuse-credit-note-corrects = a credit note names the invoice it corrects
refuse-credit-note-of-credit-note = a credit note corrects an invoice, not a credit note
refuse-credit-note-other-account = the corrected invoice is another account's
refuse-credit-note-not-issued = only an issued invoice can be corrected
refuse-credit-note-only = only a credit note corrects an invoice
refuse-credit-over-invoice = the credit notes of an invoice add up to more than the invoice
refuse-billing-currency = this account is billed in { $currency }; its invoices and payments are in { $currency } too

## Payments

refuse-not-positive = must be more than 0
refuse-payment-account = a payment allocated to invoices stays with their account
refuse-refund-allocated = a refund pays back credit; it is not allocated
refuse-payment-invoice-twice = the same invoice is allocated twice
# $number: the invoice's number, or refuse-a-draft's words for one without.
refuse-a-draft = a draft
refuse-payment-other-account = invoice { $number } is another account's
refuse-payment-credit-note = { $number } is a credit note, not an invoice to pay
refuse-payment-not-payable = invoice { $number } is { $status }, not open for payment
refuse-payment-currency = invoice { $number } is in { $currency }
refuse-payment-over-balance = more than the balance of invoice { $number } ({ $balance })
refuse-payment-over-amount = the allocations add up to { $allocated }, more than the payment's { $amount }
refuse-refund-over-credit = the account holds { $credit } of credit to refund

## Price books and documents' lines

refuse-ends-before-start = ends before it starts
refuse-price-book-twice = this product already has a price from this quantity in the book
refuse-price-negative = a price is not negative
refuse-price-book-overlap = overlaps price book "{ $name }" for the same customers in { $currency }; end one before the other starts
refuse-unknown-currency = "{ $code }" is not a currency of this workspace
refuse-product-inactive = this product is no longer sold
refuse-whole-units = this product is sold in whole units ({ $unit }); { $quantity } is not one
refuse-tax-rate-required = is required (the product gives none)
refuse-percentage = a percentage from 0 to 100
refuse-not-configurable = this product has no options
refuse-price-currency = is in { $given }, but the document is in { $currency }
refuse-no-price = no price book in { $currency } prices this product on { $day }; give a unit price
refuse-price-required = is required for a line without a product
refuse-price-override = the price book's price is { $list }; only who keeps the price books may sell at another
refuse-lines-too-large = the lines add up to too large an amount
refuse-option-code = a code without spaces, commas, + or *
refuse-option-twice = the product has option { $code } already
refuse-below-minimum = is below the minimum
refuse-logo-too-large = at most { $bytes } bytes
refuse-logo-not-jpeg = a JPEG file in base64 (optionally as a data:image/jpeg;base64, URL)

## Opportunities and quotas

refuse-no-such-pipeline = no such pipeline
refuse-no-pipeline = this workspace has no pipeline yet; create one first
refuse-not-a-stage = "{ $stage }" is not a stage of pipeline "{ $pipeline }" (stages: { $stages })
refuse-no-open-stage = the pipeline has no open stage
refuse-stage-in-use = stage "{ $stage }" still holds opportunities; move them before removing it
refuse-lead-converted = this lead was already converted
refuse-period-before-start = the period ends before it starts

## Service

refuse-case-resolution = say how the case was resolved
refuse-no-such-case = no such case
refuse-template-not-reply = only a reply is written from a template
refuse-comment-body = what the comment says (or, for a reply, a template)
refuse-reply-no-recipient = the case has no contact or requester with an email address to reply to; add one, or write a note
refuse-publish-role = a manager or an administrator publishes articles; ask for a review
refuse-archived-to-review = an archived article goes back to draft first
refuse-feedback-unpublished = only published articles take feedback
refuse-holiday-date = a holiday needs its date
refuse-time-of-day = a time such as 09:00 or 17:30
refuse-hours-time = working hours need a time
refuse-hours-overlap = overlaps another period of the same day
refuse-calendar-zone = "{ $zone }" is not a time zone such as Europe/Warsaw

## Calls

refuse-call-party = a call is to a contact or an account; name one
refuse-list-skill = the skill the list's calls need, to share them by skills

## Message templates

refuse-template-key = lowercase letters, digits and _ (dunning_reminder)
refuse-unknown-entity = "{ $name }" is not an entity type
refuse-template-subject = emails and letters have a subject
refuse-template-syntax = not a template Relata reads: { $detail }
refuse-merge-field = not a merge field of this template: { $detail }
refuse-template-twice = there is already a template "{ $key }" for { $channel } in { $language }

## Saved views and home widgets

refuse-view-name = a name of 1 to 100 characters
refuse-view-query = at most 4000 characters
refuse-view-unknown = no saved view of yours or your team's
refuse-view-searches = a widget counts by a view's filter; this view searches
refuse-widget-figure = count, sum:<money field> or chart:<field>
refuse-widget-money = "{ $field }" is no money field you see
refuse-widget-chart = "{ $field }" is no field you see that a chart can group by
refuse-widget-many = a home page holds at most { $max } widgets

## Automation rules
# $type: a type's singular name; $detail: the reading's own words (a
# filter's, a schedule's, an address's), which stay as they are.

refuse-rule-entity = not an entity type; one of { $types }
refuse-rule-watch-field = { $type } has no field "{ $field }"
refuse-rule-not-a-date = not a date field of { $type }
refuse-rule-date-field = a date field of { $type }
refuse-rule-no-steps = an active rule has at least one step
refuse-rule-no-such-field = { $type } has no such field
refuse-rule-maintained = is maintained by Relata
refuse-rule-triggers-itself = the rule reacts to changes of { $field } and would change it itself; name the fields to watch without it, or add conditions
refuse-rule-subject = what the task, message or call is about
refuse-rule-priority = a call's priority, 0 to 100
refuse-rule-url = not an address Relata can call: { $detail }
refuse-rule-wait = how long to wait (days or hours)
refuse-rule-condition = the condition to branch on
refuse-rule-branch = "stop", or the number of a later step ({ $first } to { $last })
refuse-rule-template = the key of a template for { $channel }
refuse-rule-no-template = no template for { $channel } has the key "{ $key }"
refuse-rule-wrong-template = the template is about a { $about }, the rule about a { $type }
refuse-rule-assignee = not someone to assign to: { $detail }
refuse-filter = not a condition Relata reads: { $detail }
refuse-filter-before = before.<field> is a field's value before an update: only in the conditions of rules on updates
refuse-time-zone = not a time zone: { $detail }
refuse-cron-required = when the rule runs, as cron (0 0 8 * * Mon)
refuse-cron = not a schedule Relata reads: { $detail }

## Any record

# $what: a type's singular name, or refuse-member's words.
refuse-no-such = no such { $what }: { $id }
refuse-member = user in this workspace
refuse-no-such-line-record = no such record: { $id }
refuse-already-used = { $value } is already used by another { $what }
refuse-used = is already used
refuse-no-lines = this type has no lines
refuse-hidden-field = is not a field of this type
refuse-read-only = is read-only for your role
refuse-owner = your role may not give records to this owner

## Actions the current state refuses (the API answers 409)
# $state: a job's state as the API names it (queued, running, dead…);
# $object: a custom object's API name; $fields: field names, as the API
# writes them.

refuse-order-cancelled-invoice = a cancelled order is not invoiced
refuse-invoice-draft-printed = a draft invoice has no number yet: issue it first
refuse-job-retry = this job is { $state }; only dead or cancelled jobs are retried
refuse-job-cancel = this job is { $state }; only queued jobs are cancelled
refuse-call-logged = this call is logged already
refuse-call-not-open = this call is no longer open
refuse-do-not-call = { $number } asked not to be called (do not call)
refuse-no-extension = you have no extension to dial from (telephony settings)
refuse-objects-many = a workspace has at most { $max } custom objects
refuse-object-targeted = { $object } is the target of relation fields: { $fields }; remove them first
refuse-object-has-records = { $object } has { $count ->
    [one] { $count } record; move it
   *[other] { $count } records; move them
} to the trash first (trashed records go with the object)
refuse-totp-enabled = a second factor is already enabled; disable it first
refuse-totp-not-started = start with POST /api/v1/auth/totp/setup
refuse-sync-cursor-old = this cursor is older than one the device already used: sync from the start (no cursor)
refuse-sync-busy = another sync of this device is under way; try again
refuse-admin-role-fixed = the admin role always has every right and cannot be changed
refuse-role-held = the role "{ $role }" is held by members; give them another role first
refuse-member-already = { $email } is already a member of this workspace
refuse-last-admin = the workspace needs at least one active admin
refuse-desk-smtp = this desk's mail is delivered to Relata's SMTP endpoint: nothing to read
refuse-message-settled = this message was released or discarded already

## What who acts may not do (the API answers 403)

refuse-no-membership = this account has no active membership in that workspace; ask its administrator
refuse-forecast-amounts = your role may not see opportunity amounts, which forecasts add up
refuse-printed-amounts = your role may not see the document's amounts, which a printed document shows
refuse-people-only = only people signed in can do this, not API tokens
refuse-sync-policy-admin = only administrators set how sync conflicts are settled
