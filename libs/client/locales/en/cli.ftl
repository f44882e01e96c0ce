# The afregning CLI's human output. Figures arrive formatted the Danish way.

## afregning status
status-col-service = service
status-col-url = URL
status-col-state = state
status-col-published = publishes up to
status-col-follows = follows
status-col-applied = applied
status-col-behind = behind
status-answers = answers
status-unreachable = not reachable: { $why }
status-no-answer = no answer within { $seconds } s
status-service-at = { $name } at { $url }

## afregning grants
grants-col-grant = grant
grants-col-version = version
grants-col-status = status
grants-col-unit = unit
grants-col-valid = valid
grants-col-effective = effective
grants-col-decided = decided
grants-col-pays = pays
grants-col-need = need
grants-col-weekly = kr/week
grants-backdated = { $date } (backdated)
grant-status-active = active
grant-status-suspended = suspended
grant-status-ended = ended
grant-status-unspecified = unknown

## afregning orders
orders-col-order = order
orders-col-provider = provider
orders-col-change = change
orders-col-grant = grant
orders-col-version = version
orders-col-cpr = CPR no.
orders-col-unit = unit
orders-col-minutes = min/week
orders-col-valid = valid
orders-col-share = share
orders-col-acknowledged = acknowledged
order-change-decided = new grant
order-change-revisited = revisited
order-change-provider-changed = new provider
order-change-suspended = suspended
order-change-resumed = resumed
order-change-ended = ended
order-change-provider-changed-away = moved to another provider
order-change-unspecified = unknown
orders-backdated = { $change } (backdated)
orders-line = Order { $order }: { $change } · grant { $grant } version { $version } · CPR no. { $cpr } · { $unit } · { $minutes } min/week · valid { $valid } · share { $share } %
orders-none = No orders.
orders-acknowledged = Order { $order } acknowledged { $at } by { $by }.
orders-unacknowledged = { $count } orders are not acknowledged.

## afregning settle and statements
settle-progress = settling { $period }
settle-progress-lines = { $lines } lines · DKK { $amount }
settle-no-progress = the run sent no progress
settle-incomplete = run { $run } of { $period } did not complete
settle-done = run { $run }: { $providers } providers, { $lines } lines, DKK { $amount }
statements-col-statement = statement
statements-col-provider = provider
statements-col-period = month
statements-col-state = state
statements-col-lines = lines
statements-col-total = total (DKK)
statement-state-draft = draft
statement-state-issued = issued
statement-state-unspecified = unknown
cli-statement-true-up = { $state } (true-up)
statements-issued = issued { $statement } · DKK { $amount } · sha-256 { $hash }
statement-state-preview = preview
cli-statement-accepted = accepted { $statement } · due { $due }
cli-statement-disputed = disputed { $statement } · due { $due } · the dispute is settled by correction lines on a later statement
cli-dispute-pairs = give --line and --reason in pairs: one reason for each disputed line
cli-dispute-col-line = line
cli-dispute-col-reason = reason
cli-statement-paid = { $statement } paid { $paid } · { $amount } kr. · due { $due } · reference { $reference }
cli-overdue-heading = overdue statements as of { $date }: { $count }
cli-overdue-col-due = due
cli-overdue-col-answer = answer
cli-answer-accepted = accepted
cli-answer-disputed = disputed
cli-answer-none = no answer
cli-statement-term = due { $due } · { $answer } · { $paid }
cli-statement-term-paid = paid { $paid } (reference { $reference })
cli-statement-term-unpaid = not paid
cli-preview-heading = preview of { $period } as of { $date }: { $amount } kr. in all · not issued, not posted

## afregning catalog
catalog-col-version = version
catalog-col-year = budget year
catalog-col-from = effective from
catalog-col-prices-to = prices through
catalog-col-corrects = corrects
catalog-col-published = published
catalog-col-unit = unit
catalog-col-name = name
catalog-col-band = time band
catalog-col-price = price
catalog-per-hour = kr./hour
catalog-per-week = kr./week
catalog-level = level { $level }
catalog-band-day = weekday day
catalog-band-evening = evening
catalog-band-night = night
catalog-band-weekend_holiday = weekend and holiday
catalog-published = tariff catalog { $version } for { $year }: prices from { $from } through { $to }
catalog-corrects = corrects { $version } from { $from }
catalog-rolled-forward = { $version } rolled forward from { $from } by the price index { $index } %

## afregning cases
cases-col-case = case
cases-col-quarter = quarter
cases-col-from = from
cases-col-to = to
cases-col-amount = amount (DKK)
cases-col-state = state
cases-col-purchases = purchases
cli-case-state-proposed = proposed
cli-case-state-approved = approved
cli-case-state-rejected = rejected
cli-case-state-executed = executed
cli-case-state-unspecified = unknown
case-summary = Case { $case } ({ $quarter }): DKK { $amount } from { $from } to { $to } — { $state }
purchases-col-month = month
purchases-col-provider = provider
purchases-col-statement = statement
purchases-col-paid-by = paid by
purchases-col-need-of = need of
purchases-col-amount = amount (DKK)
audit-col-when = when
audit-col-who = who
audit-col-what = what
audit-col-detail = detail
entries-col-frame = frame
entries-col-account = account
entries-col-booked = booked
entries-col-amount = amount (DKK)
entries-sum = The entries sum to DKK { $amount }.

## afregning export and reconcile
export-col-frame = frame
export-col-account = account
export-col-month = month
export-col-amount = amount (DKK)
export-col-entries = entries
export-all = all
reconcile-col-frame = frame
reconcile-col-account = account
reconcile-col-month = month
reconcile-col-afregning = Afregning (DKK)
reconcile-col-erp = ERP (DKK)
reconcile-col-difference = difference (DKK)
reconcile-balanced = Balanced: the ERP agrees with settlement's postings for { $year } on every frame, account and month.
reconcile-differ = { $count } lines differ:

## afregning deliveries
file-unreadable = cannot read { $file }: { $why }
file-no-column = { $file }: no column { $column }
deliveries-required = required
deliveries-minutes-not-whole = { $text } is not a whole number of minutes
deliveries-minutes-too-few = { $minutes } minutes: a visit lasts at least 1 minute; to reduce a reported visit, use `afregning deliveries correct`
deliveries-minutes-too-many = { $minutes } minutes: a visit lasts at most 1,440 minutes (a day)
deliveries-use-correct = correct it with `afregning deliveries correct <delivery_id> --started-at … --minutes … --reason …`
deliveries-corrected = { $delivery } corrected: { $minutes } minutes (revision { $revision })
deliveries-read = { $read } deliveries read: { $accepted } accepted, { $duplicates } already reported, { $refused } refused
cli-delivery-flagged = line { $line }: { $delivery } accepted, but delivered while the grant was suspended (hospital admission) — take a look
refusals-col-line = line
refusals-col-delivery = delivery_id
refusals-col-field = field
refusals-col-why = why
refusal-line = line { $line }: { $field }: { $why }
grants-citizen = Citizen { $citizen }, born { $born }

## afregning budget
follow-up-col-frame = frame
follow-up-col-budget = budget
follow-up-col-consumed = consumed
follow-up-col-rest = expected rest
follow-up-col-rest-from = from
follow-up-col-beside = beside it
follow-up-col-result = expected result
follow-up-col-consumed-share = consumed %
follow-up-col-year-share = of year %
follow-up-col-closed = closed
follow-up-col-explain = explain?
follow-up-from-leader = the leader's expected accounts
follow-up-from-commitments = commitments
follow-up-beside-commitments = { $amount } commitments
follow-up-beside-leader = { $amount } leader
follow-up-closed = closed
follow-up-explain = yes

## afregning demo: a small municipality's second quarter
demo-title = Afregning — money follows the citizen
demo-intro = A small municipality's second quarter of 2026, on three fresh services (visitation { $visitation }, settlement { $settlement }, budget { $budget }).
demo-summary-heading = The quarter in one line
demo-summary = DKK { $paid } paid to { $providers } providers over three months, every line explained; DKK { $moved } of budget moved { $from } → { $to } to follow the citizens; { $seconds } s.
demo-kept = The databases are kept in { $dir }.
demo-frames-heading = Finance sets the committees' frames for 2026
demo-col-frame = frame
demo-col-committee = committee
demo-col-account = account
demo-col-budget-2026 = budget 2026 (DKK)
demo-decisions-heading = The EHR records the authority's decisions (visitation)
demo-col-grant = grant
demo-col-citizen = citizen
demo-col-unit = unit
demo-col-from = from
demo-col-provider = provider
demo-col-pays = pays
demo-col-need = need
demo-col-expected-weekly = expected DKK/week
demo-g4-ends = G4 ends 9 April, goal met: a DEVELOPING course is paid to the end of its course period.
demo-g5-hospital = G5's citizen is in hospital 13–19 April: no pay for those days.
demo-g7-cross-frame = G7 is training paid by HEALTH for a need SOCIAL owns: a cross-frame purchase.
demo-assessments = Therapists assess function (FSIII) before and after the courses: C improves, D holds, F worsens — the tariffs stay as fixed at each start.
demo-col-lines = lines
demo-col-total = total (DKK)
demo-col-sealed = sealed (sha-256)
demo-settled = Settlement priced { $month } for { $providers } providers; the operator issued every statement:
demo-april-heading = April: providers deliver, settlement pays
demo-orders = The providers' systems fetch { $orders } orders with their own keys, report against the grants the orders name, and acknowledge the new orders: { $acknowledged }.
demo-reported = Providers report { $visits } delivered visits for { $month }.
demo-may-heading = May: a revisit, a backdated change and a corrected visit
demo-col-line = line
demo-col-corrects = corrects
demo-col-amount = amount (DKK)
demo-col-why = why
demo-june-heading = June: a course completes
demo-follow-up-heading = Budget follow-up at 30 June
demo-follow-up-consumed = Consumed is what settlement posted; expected rest is the leader's expected accounts where given,
demo-follow-up-leader = otherwise what open grants commit for the rest of the year: HEALTH's leader expects 25.000,00 a month, an overrun that awaits a deviation explanation.
demo-reallocation-heading = After the quarter: money follows the citizen between committees
demo-col-month = month
demo-col-paid-by = paid by
demo-col-need-of = need of
demo-case-proposed = Finance proposes case { $case }: move DKK { $amount } from { $from } to { $to }, for the care { $to } bought for { $from }'s citizens:
demo-committee-approves = Committee { $committee } approves.
demo-col-before = before (DKK)
demo-col-after = after (DKK)
demo-col-change = change (DKK)
demo-case-executed = Finance executes the case:
demo-net-zero = Net-zero check: the case's { $entries } entries sum to DKK { $sum }; all frames together DKK { $before } before and DKK { $after } after { $check }
demo-money-heading = Nothing lost, nothing doubled
demo-money-check = Issued statements DKK { $issued } = postings in budget's ledger DKK { $posted } { $check }

## finance's commands
finance-committee-created = committee { $code } created: { $name }
finance-col-committee = committee
finance-col-name = name
finance-released-even = evenly by days
finance-released-profile = by its monthly profile
finance-frame-set = frame { $frame } { $year } set: DKK { $amount } on account { $account } for { $committee }, released { $released }; DKK { $adjusted } after reallocations
finance-col-frame = frame
finance-col-account = account
finance-col-amount = amount
finance-col-adjusted = after reallocations
finance-col-profile = profile
finance-profile-even = even
finance-profile-monthly = monthly
finance-actuals-read = { $read } actuals read: { $booked } booked, { $duplicates } already booked, { $refused } refused
finance-expected-given = expected accounts for { $frame } { $year }: DKK { $amount } over { $months } months, submitted by { $by }
finance-col-month = month
finance-col-expected = expected
finance-deviation-explained = deviation of { $frame } in { $period } explained by { $by }, with { $actions } corrective action(s):
finance-month-closed = { $frame } { $period } closed { $at }; its figures are frozen:
finance-costs-refused = { $read } unit costs read, { $refused } refused: nothing was run
finance-true-up-providers-pay = providers pay back
finance-true-up-municipality-pays = the municipality pays
finance-true-up-done = true-up { $year }: DKK { $amount } in total ({ $direction }), on { $statements } draft statement(s)
finance-col-statement = statement
finance-col-provider = provider
finance-col-true-up = true-up

## afregning steering
cli-steering-all-providers = all providers
cli-steering-heading = Steering models, { $from } to { $to }: what each would have paid (DKK)
cli-steering-col-provider = provider
cli-steering-col-frame = frame
cli-steering-col-share = share
cli-steering-col-activity = activity
cli-steering-col-course = course
cli-steering-col-settled = as settled
cli-steering-unallocated = DKK { $amount } of { $frame }'s budget pays no provider's grant: nobody gets it under frame budgeting.

## afregning setup
setup-no-frames = { $dir } has no frames.csv: a setup sets at least the year's frames
setup-text-bound = required, at most { $max } characters
setup-code-bound = a code of capitals, digits, _ or -, at most { $max } characters
setup-year-bound = a year between 2000 and 2100
setup-kind-bound = kommunal (municipal) or privat (private)
setup-approvals-empty = at least one unit, separated by spaces (e.g. personal_care course:DEVELOPING)
setup-column-missing = the column is missing from the header
setup-profile-sum = the twelve months add up to { $sum } kr., not the frame's { $amount } kr.
setup-twice = appears twice
setup-unknown-committee = the committee is not in committees.csv
setup-no-catalog = no tariff catalog for { $year } (catalog-{ $year }.toml)
setup-frame-not-in-catalog = { $catalog } does not know the frame
setup-catalog-says = { $catalog } says { $value }
setup-frame-missing = the catalog's legal bases pay from { $frame }, but frames.csv does not set it for { $year }
setup-unknown-unit = { $unit } is not a unit in the year's catalog
setup-held-as = is already { $value } and is not changed here
setup-provider-held-as = the provider is registered with { $value }; a registration is not changed here
setup-col-file = file
setup-refused = { $refused } rows refused: nothing was written
setup-done = set up: { $created } created, { $updated } updated, { $unchanged } unchanged
setup-would = checked: { $created } would be created, { $updated } updated, { $unchanged } are unchanged; nothing was written

## afregning grants decide
decide-unknown-course = { $course } is not a course type: DEVELOPING, MAINTAINING or INDIVIDUAL
decide-share = several providers share the grant: give each its share, e.g. 29189668=60
decide-unknown-provider = no registered provider has that CVR number or id
decide-decided = grant { $grant } decided for citizen { $citizen }:
setup-id-bound = empty (visitation chooses), or prv_ and 1–60 of a–z, 0–9, _ and -
setup-catalog-published = version { $version } is published with other content; a correction is a new version with its effective_from
demo-reviewed = The authority reviews April: { $items } of { $considered } grants listed; first { $grant } at { $provider } ({ $reasons }: { $visited } min. visited, { $delivered } min. delivered) — provider contacted.
demo-answered = { $accepted } accepts its April statement (due { $due }) and is paid { $paid }; { $disputed } disputes line 1: "{ $reason }" — the issued statement does not change; a correction comes on a later statement.
cli-review-heading = review of { $period }: { $items } grants of { $considered } · threshold { $threshold } % · sample { $sample } · seed { $seed }
cli-review-share = { $reviewed } of { $items } reviewed ({ $percent } %)
cli-review-recorded = { $grant } ({ $period }): { $outcome }
cli-review-recovery = { $amount } kr. is paid back on the provider's next statement
cli-review-col-grant = grant
cli-review-col-provider = provider
cli-review-col-citizen = citizen
cli-review-col-reasons = reason
cli-review-col-visited = visited (min.)
cli-review-col-delivered = delivered (min.)
cli-review-col-deviation = deviation (min.)
cli-review-col-amount = amount (kr.)
cli-review-col-outcome = outcome
cli-review-col-note = note
cli-review-col-recovery = recovery (kr.)

# What is wrong with a value typed on the command line
parse-month = expected a month like 04.2026 or 2026-04
parse-month-year = expected a month like 04.2026 or 2026-04 (a four-digit year)
parse-month-range = the month must be 01–12
parse-year-not-a-number = the year is not a number
parse-month-not-a-number = the month is not a number
parse-quarter-not-a-number = the quarter is not a number
parse-quarter = expected a quarter like 2026-Q2 or 2.kvt. 2026
parse-quarter-range = the quarter must be Q1–Q4
parse-date = expected a date like 30.06.2026 or 2026-06-30
parse-lang = da (Danish) or en (English)
parse-kroner = { $text } is not an amount in kroner such as 1.234,56 or 1234.56
parse-kroner-negative = { $text }: must not be negative
parse-kroner-too-large = { $text }: at most { $max } kr. either way
parse-month-amount = { $text }: expected MONTH=AMOUNT, e.g. 07=12.500,00
parse-month-amount-month = { $text }: the month must be 1–12
usage-profile-sum = --profile: the twelve months add up to { $sum } kr, not --amount { $amount } kr
usage-month-not-in-year = MONTH=AMOUNT: { $pair } is not a month of --year { $year }
usage-month-amount = MONTH=AMOUNT: { $why }
usage-month-twice = MONTH=AMOUNT: month { $month } is given twice
usage-cannot-write = cannot write { $path }: { $error }
usage-cannot-create = cannot create { $path }: { $error }
usage-cannot-listen = cannot listen on { $addr }: { $error }
usage-not-a-url = not a service URL such as http://127.0.0.1:50051: { $url }
usage-not-host-port = not a host and port such as 127.0.0.1:8080: { $text }
usage-does-not-resolve = { $text } does not resolve: { $error }
usage-no-address = { $text } resolves to no address
