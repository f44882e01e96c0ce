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
statement-true-up = { $state } (true-up)
statements-issued = issued { $statement } · DKK { $amount } · sha-256 { $hash }

## afregning cases
cases-col-case = case
cases-col-quarter = quarter
cases-col-from = from
cases-col-to = to
cases-col-amount = amount (DKK)
cases-col-state = state
cases-col-purchases = purchases
case-state-proposed = proposed
case-state-approved = approved
case-state-rejected = rejected
case-state-executed = executed
case-state-unspecified = unknown
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
