# The afregning CLI's human output. Figures arrive formatted the Danish way.

## afregning status
status-col-service = tjeneste
status-col-url = URL
status-col-state = tilstand
status-col-published = udgivet til og med
status-col-follows = følger
status-col-applied = anvendt
status-col-behind = bagud
status-answers = svarer
status-unreachable = kan ikke nås: { $why }
status-no-answer = intet svar inden for { $seconds } s
status-service-at = { $name } på { $url }

## afregning grants
grants-col-grant = bevilling
grants-col-version = version
grants-col-status = status
grants-col-unit = ydelse
grants-col-valid = gyldig
grants-col-effective = virkning fra
grants-col-decided = afgjort
grants-col-pays = betaler
grants-col-need = behov
grants-col-weekly = kr./uge
grants-backdated = { $date } (med tilbagevirkende kraft)
grant-status-active = aktiv
grant-status-suspended = afbrudt
grant-status-ended = ophørt
grant-status-unspecified = ukendt

## afregning orders
orders-col-order = bestilling
orders-col-provider = leverandør
orders-col-change = ændring
orders-col-grant = bevilling
orders-col-version = version
orders-col-cpr = CPR-nr.
orders-col-unit = ydelse
orders-col-minutes = min./uge
orders-col-valid = gyldig
orders-col-share = andel
orders-col-acknowledged = kvitteret
order-change-decided = ny bevilling
order-change-revisited = revisiteret
order-change-provider-changed = ny leverandør
order-change-suspended = afbrudt
order-change-resumed = genoptaget
order-change-ended = ophørt
order-change-provider-changed-away = overgået til anden leverandør
order-change-unspecified = ukendt
orders-backdated = { $change } (med tilbagevirkende kraft)
orders-line = Bestilling { $order }: { $change } · bevilling { $grant } version { $version } · CPR-nr. { $cpr } · { $unit } · { $minutes } min./uge · gyldig { $valid } · andel { $share } %
orders-none = Ingen bestillinger.
orders-acknowledged = Bestilling { $order } er kvitteret { $at } af { $by }.
orders-unacknowledged = { $count } bestillinger er ikke kvitteret.

## afregning settle and statements
settle-progress = afregner { $period }
settle-progress-lines = { $lines } linjer · { $amount } kr.
settle-no-progress = kørslen meldte ingen fremdrift
settle-incomplete = kørsel { $run } af { $period } blev ikke fuldført
settle-done = kørsel { $run }: { $providers } leverandører, { $lines } linjer, { $amount } kr.
statements-col-statement = afregningsbilag
statements-col-provider = leverandør
statements-col-period = måned
statements-col-state = tilstand
statements-col-lines = linjer
statements-col-total = i alt (kr.)
statement-state-draft = kladde
statement-state-issued = udstedt
statement-state-unspecified = ukendt
cli-statement-true-up = { $state } (efterregulering)
statements-issued = udstedt { $statement } · { $amount } kr. · sha-256 { $hash }
statement-state-preview = forhåndsvisning
cli-statement-accepted = godkendt { $statement } · forfalder { $due }
cli-statement-disputed = bestridt { $statement } · forfalder { $due } · tvisten afgøres med korrektionslinjer på et senere afregningsbilag
cli-dispute-pairs = giv --line og --reason parvis: én begrundelse for hver bestridt linje
cli-dispute-col-line = linje
cli-dispute-col-reason = begrundelse
cli-statement-paid = { $statement } betalt { $paid } · { $amount } kr. · forfaldt { $due } · reference { $reference }
cli-overdue-heading = forfaldne afregningsbilag pr. { $date }: { $count }
cli-overdue-col-due = forfaldsdato
cli-overdue-col-answer = svar
cli-answer-accepted = godkendt
cli-answer-disputed = bestridt
cli-answer-none = intet svar
cli-statement-term = forfalder { $due } · { $answer } · { $paid }
cli-statement-term-paid = betalt { $paid } (reference { $reference })
cli-statement-term-unpaid = ikke betalt
cli-preview-heading = forhåndsvisning af { $period } pr. { $date }: { $amount } kr. i alt · ikke udstedt, ikke bogført

## afregning catalog
catalog-col-version = version
catalog-col-year = budgetår
catalog-col-from = gælder fra
catalog-col-prices-to = prissætter til og med
catalog-col-corrects = retter
catalog-col-published = udgivet
catalog-col-unit = ydelse
catalog-col-name = navn
catalog-col-band = tidsrum
catalog-col-price = pris
catalog-per-hour = kr./time
catalog-per-week = kr./uge
catalog-level = niveau { $level }
catalog-band-day = hverdag dag
catalog-band-evening = aften
catalog-band-night = nat
catalog-band-weekend_holiday = weekend og helligdag
catalog-published = takstkatalog { $version } for { $year }: prissætter fra { $from } til og med { $to }
catalog-corrects = retter { $version } fra { $from }
catalog-rolled-forward = { $version } fremskrevet fra { $from } med pris- og lønfremskrivning { $index } %

## afregning cases
cases-col-case = sag
cases-col-quarter = kvartal
cases-col-from = fra
cases-col-to = til
cases-col-amount = beløb (kr.)
cases-col-state = tilstand
cases-col-purchases = køb
cli-case-state-proposed = foreslået
cli-case-state-approved = godkendt
cli-case-state-rejected = afvist
cli-case-state-executed = gennemført
cli-case-state-unspecified = ukendt
case-summary = Sag { $case } ({ $quarter }): { $amount } kr. fra { $from } til { $to } — { $state }
purchases-col-month = måned
purchases-col-provider = leverandør
purchases-col-statement = afregningsbilag
purchases-col-paid-by = betalt af
purchases-col-need-of = behov hos
purchases-col-amount = beløb (kr.)
audit-col-when = hvornår
audit-col-who = hvem
audit-col-what = hvad
audit-col-detail = detaljer
entries-col-frame = ramme
entries-col-account = konto
entries-col-booked = bogført
entries-col-amount = beløb (kr.)
entries-sum = Posteringerne summerer til { $amount } kr.

## afregning export and reconcile
export-col-frame = ramme
export-col-account = konto
export-col-month = måned
export-col-amount = beløb (kr.)
export-col-entries = posteringer
export-all = i alt
reconcile-col-frame = ramme
reconcile-col-account = konto
reconcile-col-month = måned
reconcile-col-afregning = Afregning (kr.)
reconcile-col-erp = ERP (kr.)
reconcile-col-difference = difference (kr.)
reconcile-balanced = Afstemt: ERP-systemet stemmer med afregningens posteringer for { $year } på hver ramme, konto og måned.
reconcile-differ = { $count } linjer afviger:

## afregning deliveries
file-unreadable = kan ikke læse { $file }: { $why }
file-no-column = { $file }: ingen kolonne { $column }
deliveries-required = skal udfyldes
deliveries-minutes-not-whole = { $text } er ikke et helt antal minutter
deliveries-minutes-too-few = { $minutes } minutter: et besøg varer mindst 1 minut; et indberettet besøg rettes med `afregning deliveries correct`
deliveries-minutes-too-many = { $minutes } minutter: et besøg varer højst 1.440 minutter (et døgn)
deliveries-use-correct = ret det med `afregning deliveries correct <delivery_id> --started-at … --minutes … --reason …`
deliveries-corrected = { $delivery } rettet: { $minutes } minutter (revision { $revision })
deliveries-read = { $read } leverancer læst: { $accepted } modtaget, { $duplicates } allerede indberettet, { $refused } afvist
cli-delivery-flagged = linje { $line }: { $delivery } modtaget, men leveret mens bevillingen var afbrudt (indlæggelse) — se efter
refusals-col-line = linje
refusals-col-delivery = delivery_id
refusals-col-field = felt
refusals-col-why = hvorfor
refusal-line = linje { $line }: { $field }: { $why }
grants-citizen = Borger { $citizen }, født { $born }

## afregning budget
follow-up-col-frame = ramme
follow-up-col-budget = budget
follow-up-col-consumed = forbrug
follow-up-col-rest = forventet restforbrug
follow-up-col-rest-from = ifølge
follow-up-col-beside = ved siden af
follow-up-col-result = forventet resultat
follow-up-col-consumed-share = forbrug %
follow-up-col-year-share = af året %
follow-up-col-closed = lukket
follow-up-col-explain = forklares?
follow-up-from-leader = lederens forventede regnskab
follow-up-from-commitments = disponeringer
follow-up-beside-commitments = { $amount } disponeret
follow-up-beside-leader = { $amount } ifølge lederen
follow-up-closed = lukket
follow-up-explain = ja

## afregning demo: a small municipality's second quarter
demo-title = Afregning — pengene følger borgeren
demo-intro = En lille kommunes andet kvartal 2026 på tre nye tjenester (visitation { $visitation }, settlement { $settlement }, budget { $budget }).
demo-summary-heading = Kvartalet på én linje
demo-summary = { $paid } kr. betalt til { $providers } leverandører over tre måneder, hver linje forklaret; { $moved } kr. budget flyttet { $from } → { $to } for at følge borgerne; { $seconds } s.
demo-kept = Databaserne ligger i { $dir }.
demo-frames-heading = Økonomi fastsætter udvalgenes rammer for 2026
demo-col-frame = ramme
demo-col-committee = udvalg
demo-col-account = konto
demo-col-budget-2026 = budget 2026 (kr.)
demo-decisions-heading = Omsorgssystemet registrerer myndighedens afgørelser (visitation)
demo-col-grant = bevilling
demo-col-citizen = borger
demo-col-unit = ydelse
demo-col-from = fra
demo-col-provider = leverandør
demo-col-pays = betaler
demo-col-need = behov
demo-col-expected-weekly = forventet kr./uge
demo-g4-ends = G4 ophører 9. april med målet nået: et udviklende forløb betales til forløbsperiodens udløb.
demo-g5-hospital = G5's borger er indlagt 13.–19. april: de dage betales ikke.
demo-g7-cross-frame = G7 er træning betalt af HEALTH for et behov, SOCIAL ejer: et køb på tværs af rammer.
demo-assessments = Terapeuterne vurderer funktionsevnen (FSIII) før og efter forløbene: C forbedres, D fastholdes, F forværres — taksterne står fast fra hvert forløbs start.
demo-col-lines = linjer
demo-col-total = i alt (kr.)
demo-col-sealed = forseglet (sha-256)
demo-settled = Afregningen har prissat { $month } for { $providers } leverandører; driften har udstedt hvert afregningsbilag:
demo-april-heading = April: leverandørerne leverer, afregningen betaler
demo-orders = Leverandørernes systemer henter { $orders } bestillinger med deres egne nøgler, indberetter mod de bevillinger, bestillingerne nævner, og kvitterer for de nye bestillinger: { $acknowledged }.
demo-reported = Leverandørerne indberetter { $visits } leverede besøg for { $month }.
demo-may-heading = Maj: en revisitation, en ændring med tilbagevirkende kraft og et rettet besøg
demo-col-line = linje
demo-col-corrects = retter
demo-col-amount = beløb (kr.)
demo-col-why = hvorfor
demo-june-heading = Juni: et forløb afsluttes
demo-follow-up-heading = Budgetopfølgning pr. 30. juni
demo-follow-up-consumed = Forbrug er det, afregningen har bogført; forventet restforbrug er lederens forventede regnskab, hvor det er givet,
demo-follow-up-leader = ellers det, åbne bevillinger disponerer for resten af året: HEALTH's leder forventer 25.000,00 kr. om måneden, en overskridelse der venter på en afvigelsesforklaring.
demo-reallocation-heading = Efter kvartalet: pengene følger borgeren mellem udvalgene
demo-col-month = måned
demo-col-paid-by = betalt af
demo-col-need-of = behov hos
demo-case-proposed = Økonomi foreslår sag { $case }: flyt { $amount } kr. fra { $from } til { $to } for den pleje, { $to } købte til { $from }'s borgere:
demo-committee-approves = Udvalget { $committee } godkender.
demo-col-before = før (kr.)
demo-col-after = efter (kr.)
demo-col-change = ændring (kr.)
demo-case-executed = Økonomi gennemfører sagen:
demo-net-zero = Nulsumskontrol: sagens { $entries } posteringer summerer til { $sum } kr.; alle rammer tilsammen { $before } kr. før og { $after } kr. efter { $check }
demo-money-heading = Intet tabt, intet dobbelt
demo-money-check = Udstedte afregningsbilag { $issued } kr. = posteringer i budgettets hovedbog { $posted } kr. { $check }

## finance's commands
finance-committee-created = udvalg { $code } oprettet: { $name }
finance-col-committee = udvalg
finance-col-name = navn
finance-released-even = jævnt efter dage
finance-released-profile = efter sin månedsprofil
finance-frame-set = ramme { $frame } { $year } fastsat: { $amount } kr. på konto { $account } for { $committee }, frigives { $released }; { $adjusted } kr. efter omplaceringer
finance-col-frame = ramme
finance-col-account = konto
finance-col-amount = beløb
finance-col-adjusted = efter omplaceringer
finance-col-profile = profil
finance-profile-even = jævn
finance-profile-monthly = månedlig
finance-actuals-read = { $read } regnskabsposter læst: { $booked } bogført, { $duplicates } allerede bogført, { $refused } afvist
finance-expected-given = forventet regnskab for { $frame } { $year }: { $amount } kr. over { $months } måneder, indsendt af { $by }
finance-col-month = måned
finance-col-expected = forventet
finance-deviation-explained = afvigelse for { $frame } i { $period } forklaret af { $by }, med { $actions } korrigerende handlinger:
finance-month-closed = { $frame } { $period } lukket { $at }; tallene står fast:
finance-costs-refused = { $read } enhedsomkostninger læst, { $refused } afvist: intet blev kørt
finance-true-up-providers-pay = leverandørerne betaler tilbage
finance-true-up-municipality-pays = kommunen betaler
finance-true-up-done = efterregulering { $year }: { $amount } kr. i alt ({ $direction }), på { $statements } afregningsbilag i kladde
finance-col-statement = afregningsbilag
finance-col-provider = leverandør
finance-col-true-up = efterregulering

## afregning steering
cli-steering-all-providers = alle leverandører
cli-steering-heading = Styringsmodeller, { $from } til { $to }: hvad hver ville have betalt (kr.)
cli-steering-col-provider = leverandør
cli-steering-col-frame = rammestyring
cli-steering-col-share = andel
cli-steering-col-activity = aktivitetsstyring
cli-steering-col-course = forløbsstyring
cli-steering-col-settled = som afregnet
cli-steering-unallocated = { $amount } kr. af { $frame }s budget betaler ingen leverandørs bevilling: ingen får det under rammestyring.

## afregning setup
setup-no-frames = { $dir } har ingen frames.csv: en opsætning sætter mindst årets rammer
setup-text-bound = skal udfyldes, højst { $max } tegn
setup-code-bound = en kode med store bogstaver, cifre, _ eller -, højst { $max } tegn
setup-year-bound = et år mellem 2000 og 2100
setup-kind-bound = kommunal eller privat
setup-approvals-empty = mindst én ydelse, adskilt af mellemrum (fx personal_care course:DEVELOPING)
setup-column-missing = kolonnen mangler i overskriften
setup-profile-sum = de tolv måneder giver { $sum } kr., ikke rammens { $amount } kr.
setup-twice = står to gange
setup-unknown-committee = udvalget står ikke i committees.csv
setup-no-catalog = ingen takstkatalog for { $year } (catalog-{ $year }.toml)
setup-frame-not-in-catalog = { $catalog } kender ikke rammen
setup-catalog-says = { $catalog } siger { $value }
setup-frame-missing = kataloget lader lovgrundlag betale af { $frame }, men frames.csv sætter den ikke for { $year }
setup-unknown-unit = { $unit } er ikke en ydelse i årets katalog
setup-held-as = er allerede { $value } og ændres ikke her
setup-provider-held-as = leverandøren er registreret med { $value }; en registrering ændres ikke her
setup-col-file = fil
setup-refused = { $refused } rækker afvist: intet er skrevet
setup-done = opsat: { $created } oprettet, { $updated } opdateret, { $unchanged } uændret
setup-would = kontrolleret: { $created } ville blive oprettet, { $updated } opdateret, { $unchanged } er uændret; intet er skrevet

## afregning grants decide
decide-unknown-course = { $course } er ikke en forløbstype: DEVELOPING, MAINTAINING eller INDIVIDUAL
decide-share = flere leverandører deles om bevillingen: giv hver sin andel, fx 29189668=60
decide-unknown-provider = ingen registreret leverandør har det CVR-nummer eller id
decide-decided = bevilling { $grant } besluttet for borger { $citizen }:
setup-id-bound = tom (visitation vælger), eller prv_ og 1–60 af a–z, 0–9, _ og -
setup-catalog-published = version { $version } er udgivet med andet indhold; en rettelse er en ny version med sin effective_from
demo-reviewed = Myndigheden tager stikprøve i april: { $items } af { $considered } bevillinger udtaget; først { $grant } hos { $provider } ({ $reasons }: { $visited } min. visiteret, { $delivered } min. leveret) — leverandøren kontaktet.
demo-answered = { $accepted } godkender sit afregningsbilag for april (forfalder { $due }) og får det betalt { $paid }; { $disputed } gør indsigelse mod linje 1: "{ $reason }" — det udstedte bilag ændres ikke, en rettelse kommer på et senere bilag.
cli-review-heading = stikprøvekontrol af { $period }: { $items } bevillinger af { $considered } · tærskel { $threshold } % · stikprøve { $sample } · frø { $seed }
cli-review-share = { $reviewed } af { $items } gennemgået ({ $percent } %)
cli-review-recorded = { $grant } ({ $period }): { $outcome }
cli-review-recovery = { $amount } kr. tilbagebetales på leverandørens næste afregningsbilag
cli-review-col-grant = bevilling
cli-review-col-provider = leverandør
cli-review-col-citizen = borger
cli-review-col-reasons = årsag
cli-review-col-visited = visiteret (min.)
cli-review-col-delivered = leveret (min.)
cli-review-col-deviation = afvigelse (min.)
cli-review-col-amount = beløb (kr.)
cli-review-col-outcome = udfald
cli-review-col-note = note
cli-review-col-recovery = tilbagebetaling (kr.)

# What is wrong with a value typed on the command line
parse-month = forventede en måned som 04.2026 eller 2026-04
parse-month-year = forventede en måned som 04.2026 eller 2026-04 (med firecifret år)
parse-month-range = måneden skal være 01–12
parse-year-not-a-number = året er ikke et tal
parse-month-not-a-number = måneden er ikke et tal
parse-quarter-not-a-number = kvartalet er ikke et tal
parse-quarter = forventede et kvartal som 2026-Q2 eller 2.kvt. 2026
parse-quarter-range = kvartalet skal være Q1–Q4
parse-date = forventede en dato som 30.06.2026 eller 2026-06-30
parse-lang = da (dansk) eller en (engelsk)
parse-kroner = { $text } er ikke et beløb i kroner som 1.234,56 eller 1234.56
parse-kroner-negative = { $text }: må ikke være negativt
parse-kroner-too-large = { $text }: højst { $max } kr. i begge retninger
parse-month-amount = { $text }: forventede MÅNED=BELØB, fx 07=12.500,00
parse-month-amount-month = { $text }: måneden skal være 1–12
usage-profile-sum = --profile: de tolv måneder giver { $sum } kr., ikke --amount { $amount } kr.
usage-month-not-in-year = MÅNED=BELØB: { $pair } er ikke en måned i --year { $year }
usage-month-amount = MÅNED=BELØB: { $why }
usage-month-twice = MÅNED=BELØB: måned { $month } er angivet to gange
usage-cannot-write = kan ikke skrive { $path }: { $error }
usage-cannot-create = kan ikke oprette { $path }: { $error }
usage-cannot-listen = kan ikke lytte på { $addr }: { $error }
usage-not-a-url = ikke en tjenestes URL som http://127.0.0.1:50051: { $url }
usage-not-host-port = ikke en vært og port som 127.0.0.1:8080: { $text }
usage-does-not-resolve = { $text } kan ikke slås op: { $error }
usage-no-address = { $text } giver ingen adresse
