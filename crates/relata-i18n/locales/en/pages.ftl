# Other domain pages (service, conversion, product configuration, rule dry runs, channel settings, connect, notifications, sign-in).

## The service dashboard

service-download-report = Download the report (XLSX)
service-worked-cases = Worked cases by due time
service-held-mail = Held mail ({ $count })
service-open-cases = Open cases
service-resolved = Resolved (30 days)
service-sla = SLA compliance
service-sla-value = { $percent } ({ $breached } breached)
service-first-response = First response
service-resolution = Resolution
service-times = median { $median }, 90 % within { $p90 }
service-minutes = { $minutes } min
service-hours = { $hours } h
service-days = { $days } days
service-age-under-a-day = under a day
service-age-1-to-3-days = 1 to 3 days
service-age-3-to-7-days = 3 to 7 days
service-age-7-to-30-days = 7 to 30 days
service-age-over-30-days = over 30 days
service-chart-age = Open cases by age
service-chart-team = Open cases by team
service-chart-priority = Open cases by priority
service-chart-backlog = Backlog, last 14 days
service-chart-backlog-label = Backlog by day
service-chart-categories = Top categories
service-chart-root-causes = Top root causes

## Converting a lead

convert-title = Convert lead
convert-heading = Convert { $title }
convert-intro = Makes a contact from the lead, with an account (new from the lead's company, or one you name) and, if you like, an opportunity — all at once.
convert-account = Existing account id (leave empty to create "{ $company }")
convert-create-opportunity = Create an opportunity
convert-opportunity-name = Opportunity name
convert-opportunity-default = { $company } opportunity
convert-amount = Amount (e.g. 1200.00 EUR)
convert-needs-attention = Some fields need your attention.

## Configuring a product

configure-title = Configure { $product }
configure-valid = This configuration is valid.
configure-broken = This configuration breaks these rules:
configure-new-quote = New quote with this configuration
configure-quantity = Quantity
configure-no-groups = This product has no option groups yet.
configure-check = Check and price
configure-choose = choose { $count }
configure-choose-between = choose { $min } to { $max }
configure-choose-at-least = choose at least { $count }
configure-choose-at-most = choose at most { $count }
configure-requires = requires { $options }
configure-excludes = excludes { $options }
configure-unit-price = Unit price: { $price }
configure-options-price = of which options: { $price }
configure-no-price = no price-book price
configure-configuration = Configuration: { $options }
configure-no-options = no options

## A rule's dry run

dry-run-title = Dry run: { $rule }
dry-run-back = Back to the rule
dry-run-found = Nothing was done: this is what the rule would act on now. { $count ->
    [one] { $count } record
   *[other] { $count } records
}.
dry-run-found-first = Nothing was done: this is what the rule would act on now. { $count ->
    [one] { $count } record
   *[other] { $count } records
}; the first { $shown } below.
dry-run-steps = Steps
rule-step-wait-until = wait until { $until } + { $days } days
rule-step-wait = wait { $days } days { $hours } hours
rule-step-branch-stop = if { $condition } then stop
rule-step-branch = if { $condition } then go to step { $step }
rule-step-set = set { $field } to “{ $value }”
rule-step-send = { $action } with template { $template }
rule-step-other = { $action }: { $subject }
dry-run-records = Records
dry-run-to = to { $address }
dry-run-nothing = No record would be acted on now.

## Channel settings (administrators)

channels-email = Email (SMTP)
channels-sms = SMS gateway
channels-save = Save { $channel }
channels-saved-email = Saved the email settings.
channels-saved-sms = Saved the sms settings.
channels-secret-set = (set; leave empty to keep)
channels-smtp-server = SMTP server
channels-port = Port
channels-security = Security
channels-security-none = none
channels-user-name = User name
channels-password = Password
channels-from-address = From address
channels-from-name = From name
channels-reply-to = Reply-to address
channels-gateway-url = Gateway URL
channels-method = Method
channels-body-format = Body format
channels-body-form = form
channels-body = Body (with { "{{to}}" }, { "{{from}}" }, { "{{text}}" })
channels-sender = Sender
channels-credential-header = Credential header
channels-credential = Credential
channels-success-contains = A success answer contains

## Phones and calendars (CardDAV, CalDAV, app passwords)

connect-intro = Your contacts are an address book, and your meetings, calls and tasks a calendar, for the apps of your phone and computer (CardDAV and CalDAV: iPhone, Android with DAVx⁵, Thunderbird, macOS). Add an account there with the server below, your email as the user name and an app password made here as the password. What you change there is saved in Relata as if you had changed it here.
connect-server = Server
connect-user-name = User name
connect-address-book = Address book
connect-new-secret = Your new app password, shown only now:
connect-what-they-show = What they show
connect-contacts = Contacts (a list filter; <code>owner = me</code> is yours)
connect-activities = Meetings, calls and tasks (a list filter)
connect-app-passwords = App passwords
connect-access = Access
connect-made = Made
connect-last-used = Last used
connect-never = never
connect-revoke = Revoke
connect-revoke-named = Revoke { $name }
connect-device-name = Name (the device)
connect-read-write = Read and change
connect-read-only = Read only
connect-make = Make an app password
connect-name-needed = name the device this password is for

## Notifications

notifications-title = Notifications
notifications-mark-all-read = Mark all read
notifications-mark-read = Mark read
notifications-nothing = Nothing yet.
notifications-older = Older

## Signing in and joining (pages for who is not signed in)

signin-title = Sign in
signin-heading = Sign in to Relata
signin-email = Email
signin-password = Password
signin-code = Code from your authenticator app
signin-expired = The form expired; please sign in again.
signin-wrong-credentials = the email address or the password is wrong
signin-code-required = this account has a second factor: send the 6-digit code from the authenticator app as "code"
signin-wrong-code = the second-factor code is wrong or expired
signin-locked = too many failed sign-ins; try again after { $time } UTC
signin-no-membership = this account has no active membership in that workspace; ask its administrator
signin-running = The CRM is running.
signin-rest-api = REST API:
signin-api-reference = reference
signin-openapi = OpenAPI 3.1 document
signin-join-title = Join Relata
signin-your-name = Your name
signin-choose-password = Choose a password (at least 10 characters)
signin-join = Join
signin-password-refused = Password { $reason }
signin-invitation-invalid = the invitation is unknown, used or expired

## The unsubscribe page a customer opens from an email or a text message

unsubscribe-title = Unsubscribe
unsubscribe-invalid = This link is not valid
unsubscribe-question-email = Stop receiving emails from us?
unsubscribe-question-sms = Stop receiving text messages from us?
unsubscribe-button = Unsubscribe
unsubscribed-title = You are unsubscribed
unsubscribed-text = We will not write to you this way again.
