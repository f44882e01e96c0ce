# The Danish of the afregning CLI's --help: one message per documented command, flag and
# value (the English is the doc comments in cli/src/args.rs and libs/client/src/connect.rs).

# afregning
help-afregning =
    Afregning: pengene følger borgeren i den kommunale ældrepleje.

    Myndighedens afgørelser (visitation) bliver til afregningsbilag til leverandørerne (settlement)
    og til forbrug på udvalgenes budgetter (budget), præcist på øren og forklaret linje for linje.

    Ord: en bevilling er det, myndigheden afgør, at en borger får; en leverance er et besøg, som en
    leverandør har aflagt; et afregningsbilag er en leverandørs månedlige afregning; en budgetramme
    er et udvalgs budget for et år; en omplaceringssag flytter hvert kvartal budget mellem to
    rammer, netto nul, når ét udvalg har betalt for et behov, som et andet udvalg ejer.
help-afregning--lang = Sproget, der skrives på: da (dansk, standard) eller en (engelsk).
help-afregning--visitation = URL til visitation [standard: http://127.0.0.1:50051]
help-afregning--settlement = URL til settlement [standard: http://127.0.0.1:50052]
help-afregning--budget = URL til budget [standard: http://127.0.0.1:50053]
help-afregning--token =
    Dit bearer-token (det afgør, hvem du er: omsorgssystemet, en leverandør, økonomi, et udvalg
    eller driften). Behøves ikke over for tjenester på loopback uden autentificering.

# a flag shared by every command that writes
help-any--request_id =
    Ændringens request-id. Giv samme id for at prøve sikkert igen: tjenesten besvarer et nyt forsøg
    med det første svar i stedet for at udføre arbejdet to gange. Standard: et nyt id.

# afregning up
help-up =
    Kør alle tre tjenester i denne proces indtil Ctrl-C, hver på sin egen port (50051 visitation,
    50052 settlement, 50053 budget) og med sin egen indbyggede SQLite-database under datamappen. Sæt
    AFREGNING_<SERVICE>_DATABASE_URL=postgres://… for at bruge PostgreSQL i stedet; alle andre
    indstillinger læses, som tjenesternes egne programmer læser dem.
help-up--data_dir = Mappen til SQLite-databaserne.
help-up--cockpit = Hvor webcockpittet lytter ("off" betyder intet cockpit).

# afregning cockpit
help-cockpit =
    Start webcockpittet mod de kørende tjenester: budgetkurver og prognoser pr. ramme, kvartalets
    omplaceringssager, progression pr. leverandør og forløbstype og styringsmodellerne side om side.
    Det læser kun gennem tjenesternes gRPC-API'er og med den identitet, --token giver.
help-cockpit--listen = Adressen, der lyttes på.

# afregning steering
help-steering =
    Sammenlign styringsmodellerne på kommunens egne bevillinger og leverancer: rammestyring (hver
    leverandør får en fast andel af sine rammers budgetter for månederne, fastlagt efter visiteret
    tid på første dag), aktivitetsstyring (leverede timer × timepris) og forløbsstyring (ugentlige
    forløbstakster, niveau fastlagt ved hvert forløbs start), pr. leverandør og i alt, med
    forskellene forklaret.
help-steering--from = Første måned, fx 04.2026 eller 2026-04.
help-steering--to = Sidste måned (inklusive), højst 11 måneder efter den første.
help-steering--format = Udskriftsformat.

# afregning preview
help-preview =
    Den løbende måned prissat, som den står i dag, som en forhåndsvisning: aldrig udstedt, aldrig
    gemt, aldrig bogført. En leverandør ser sin egen måned linje for linje; driften og økonomi ser
    hver leverandørs total eller én leverandørs linjer med `--provider`.

    Eksempel: afregning preview
help-preview--provider =
    Én leverandørs måned, linje for linje (leverandører: deres eget id, eller udelad det).

# afregning demo
help-demo =
    Vis en lille kommunes kvartal fra ende til anden på en ny opsætning, der kasseres bagefter:
    omsorgssystemets afgørelser, leverandørernes leverancer, den månedlige afregning,
    afregningsbilag, budgetopfølgning og den kvartalsvise omplacering mellem udvalgene, alt sammen
    over de rigtige gRPC-API'er.
help-demo--keep = Gem demoens databaser i denne mappe i stedet for en midlertidig.

# afregning status
help-status =
    Om hver tjeneste svarer, og hvor langt settlement og budget er nået i de hændelsesstrømme, de følger.

# afregning setup
help-setup =
    Sæt en kommunes år op ud fra filer, som økonomi redigerer i et regneark (UTF-8, komma- eller
    semikolonsepareret, med en overskriftsrække): committees.csv (code, name), frames.csv (frame,
    year, committee, name, account, amount, eventuelt tolv månedsbeløb jan … dec, der summerer til
    det, og effective_from for en ændring), providers.csv (eventuelt id, det prv_…, som leverandøren
    registreres under, så dens token kan udstedes først; cvr, name, kind kommunal|privat, committee,
    approved_for: enheder (ydelseskategorier, pakkekoder, course:<TYPE>) adskilt af mellemrum) og
    årets takstkatalog catalog-<year>.toml, der udgives i visitation, og hvor hvert lovgrundlag
    knyttes til en ramme. Hver række kontrolleres — mod de andre filer,
    kataloget og det, tjenesterne har — før noget skrives; afviste rækker listes efter fil, linje og
    felt (exitkode 3), og intet ændres. Det er sikkert at køre den igen: en rammes beløb, profil,
    navn og konto opdateres; en udgivet katalogversion, et udvalgs navn, en rammes udvalg og en
    registreret leverandør ændres ikke her og afvises. deploy/ indeholder et eksempelsæt.

    Eksempel: afregning setup deploy --check
help-setup--dir = Mappen med filerne.
help-setup--check = Kontrollér filerne, og vis, hvad der ville blive ændret, uden at skrive noget.
help-setup--authority_token =
    Det token, der registrerer leverandører i visitation (omsorgssystemets eller driftens);
    standard: --token.

# afregning grants
help-grants = Bevillinger, sådan som myndigheden har afgjort dem.

# afregning grants list
help-grants-list =
    En borgers bevillinger (gældende versioner), fundet efter CPR-nummer eller visitations id. Hvert
    opslag skrives i borgerens adgangslog med sit formål.

    Eksempel: afregning grants list --cpr 0101401111
help-grants-list--cpr = Borgerens CPR-nummer (10 cifre, med eller uden bindestreg).
help-grants-list--citizen = Borgerens id i visitation (cit_…).
help-grants-list--purpose = Hvorfor du slår borgeren op; skrives i adgangsloggen.

# afregning grants show
help-grants-show = Én bevilling med hver version, myndigheden har afgjort.
help-grants-show--grant_id = Bevillingens id (gr_…).

# afregning grants decide
help-grants-decide =
    Afgør en bevilling for en borger, sådan som myndighedens sagsbehandler gør, hvor intet
    omsorgssystem sender afgørelser: borgeren findes efter CPR-nummer (og registreres, hvis borgeren
    er ny, hvilket logges), takstkataloget udleder niveau, forløbsperiode og forventet ugentlig udgift. Samme
    request-id besvarer et nyt forsøg med den første afgørelse.

    Eksempel: afregning grants decide --cpr 0808401888 --unit personal_care --legal-basis SEL-83 --intervention personlig-pleje --minutes 150 --provider 35123458 --from 01.07.2026
help-grants-decide--cpr = Borgerens CPR-nummer (10 cifre, med eller uden bindestreg).
help-grants-decide--unit =
    Hvad der bevilges: en ydelseskategori (personal_care, practical_help, nursing, training), en
    pakkekode (personal_care_package) eller et forløb (course:DEVELOPING, course:MAINTAINING,
    course:INDIVIDUAL), som kataloget navngiver dem.
help-grants-decide--legal_basis = Lovgrundlaget, fx SEL-83, SEL-83a, SUL-140.
help-grants-decide--intervention = FSIII-indsatsen, fx personlig-pleje, hverdagsrehabilitering.
help-grants-decide--minutes = Visiterede minutter pr. uge, 0–10.080.
help-grants-decide--providers =
    Leverandøren efter CVR-nummer eller id (prv_…), eventuelt med sin andel: 29189668=60. Angiv den
    én gang for hver leverandør; den første er ledende.
help-grants-decide--from = Første dag, fx 01.07.2026 eller 2026-07-01; den må ligge i fortiden.
help-grants-decide--to = Sidste dag; uden slutdato, når den udelades.
help-grants-decide--need_frame =
    Den ramme, der ejer behovet, når en anden ramme betaler (et køb på tværs af rammer).

# afregning orders
help-orders =
    Bestillinger: det, myndighedens bevillinger beder en leverandør om. En leverandør lister, følger
    og kvitterer for sine egne bestillinger med sit eget --token; myndigheden lister de
    bestillinger, der ikke er kvitteret for i tide.

# afregning orders list
help-orders-list =
    En leverandørs bestillinger, ældste først: hver bevillingsversion, der nævner den (ny,
    revisiteret, ny leverandør, sat i bero, genoptaget, ophørt eller overgået til en anden leverandør),
    med borgerens CPR-nummer, den bevilling, leverancer skal indberettes mod, og hvad der skal
    leveres. Hver læsning af en bestilling skrives i borgerens adgangslog med leverandøren som
    læser.

    Eksempel: afregning orders list --provider prv_plejegruppen --unacknowledged
help-orders-list--unacknowledged = Kun bestillinger, der endnu ikke er kvitteret for.
help-orders-list--cpr =
    Kun denne borgers bestillinger, efter CPR-nummer (10 cifre, med eller uden bindestreg).
help-orders-list--after = Kun bestillinger efter denne (dens nummer).
help-orders-list--id =
    Leverandøren (prv_…). Udelades med en leverandørs --token: så er det leverandørens egne bestillinger.

# afregning orders follow
help-orders-follow =
    Udskriv en leverandørs bestillinger, efterhånden som de kommer, én linje hver, indtil Ctrl-C.

    Eksempel: afregning orders follow --provider prv_plejegruppen --from 1 --once
help-orders-follow--from =
    Begynd med denne bestilling (dens nummer); fra den første, når den udelades.
help-orders-follow--once =
    Stop, når alle bestillinger indtil nu er udskrevet, i stedet for at vente på nye.
help-orders-follow--id =
    Leverandøren (prv_…). Udelades med en leverandørs --token: så er det leverandørens egne bestillinger.

# afregning orders acknowledge
help-orders-acknowledge =
    Kvittér for en bestilling: leverandørens system har modtaget den. At kvittere igen ændrer intet
    og viser den første kvittering.

    Eksempel: afregning orders acknowledge 1 --provider prv_plejegruppen
help-orders-acknowledge--order = Bestillingens nummer, som `orders list` viser det.
help-orders-acknowledge--id =
    Leverandøren (prv_…). Udelades med en leverandørs --token: så er det leverandørens egne bestillinger.

# afregning orders unacknowledged
help-orders-unacknowledged =
    Til myndigheden: bestillinger, som leverandørerne ikke har kvitteret for, selvom de blev
    registreret for mere end det angivne antal timer siden, ældste først (uden CPR-numre).

    Eksempel: afregning orders unacknowledged --older-than 0
help-orders-unacknowledged--older_than =
    Timer siden bestillingen blev registreret, 0–8.760; tjenestens order_ack_hours (24 som
    standard), når den udelades.
help-orders-unacknowledged--provider = Kun denne leverandørs bestillinger (prv_…).

# afregning deliveries
help-deliveries = Leverancer: besøg, som leverandørerne har aflagt.

# afregning deliveries import
help-deliveries-import =
    Indberet leverancer fra en CSV-fil (komma- eller semikolonsepareret) med en overskriftsrække:
    delivery_id, grant_id, provider_id (leverandørens id eller CVR-nummer), carer_visit_id,
    started_at, minutes. started_at er RFC 3339 (2026-04-01T07:30:00+02:00) eller dansk lokaltid
    (01.04.2026 07:30 eller 2026-04-01 07:30). Hver post er idempotent efter sit delivery_id, så en
    fil trygt kan sendes igen. De gyldige rækker indberettes, og hver afvist række listes med sin
    linje og sit felt, i ét gennemløb (exitkode 3, når nogen blev afvist).

    Eksempel: afregning deliveries import uge-14.csv --refusals uge-14-afvist.csv
help-deliveries-import--file = CSV-filen.
help-deliveries-import--refusals =
    Skriv også de afviste rækker hertil som CSV (line, delivery_id, field, why), der kan åbnes i et
    dansk regneark.

# afregning deliveries correct
help-deliveries-correct =
    Ret en indberettet leverance: hvornår den begyndte, og hvor mange minutter den varede. En måned,
    der allerede er afregnet, får forskellen som korrektionslinjer på det næste afregningsbilag.

    Eksempel: afregning deliveries correct lev-9002 --minutes 30 --started-at "01.04.2026 07:30" --reason "borger syg, besøget flyttet"
help-deliveries-correct--delivery_id = Leverancens id, som det blev indberettet.
help-deliveries-correct--started_at =
    Hvornår besøget begyndte: dansk lokaltid (01.04.2026 07:30) eller RFC 3339.
help-deliveries-correct--minutes = Leverede minutter, 1–1440.
help-deliveries-correct--reason = Hvorfor den rettes; vises på korrektionslinjen.

# afregning settle
help-settle =
    Afregn en måned: prissæt hver leverandørs leverancer og bevillingsdage i afregningsbilag i
    kladde.
help-settle--period = Måneden, fx 07.2026 eller 2026-07. Den skal være afsluttet.
help-settle--issue =
    Udsted (forsegl) bagefter alle månedens afregningsbilag; udstedte afregningsbilag bogføres i
    budgettet.

# afregning statements
help-statements = Afregningsbilag: en leverandørs afregning for en måned.

# afregning statements list
help-statements-list = En måneds afregningsbilag.
help-statements-list--period = Måneden, fx 04.2026 eller 2026-04.
help-statements-list--provider = Kun denne leverandørs afregningsbilag (leverandører skal angive deres eget id).

# afregning statements show
help-statements-show =
    Ét afregningsbilag, linje for linje: hvad hver linje betaler for, og hvorfor den koster det, den
    gør.
help-statements-show--statement_id = Afregningsbilagets id (st-…).
help-statements-show--format = Udskriftsformat.

# afregning statements issue
help-statements-issue =
    Udsted (forsegl) et afregningsbilag i kladde: det ændres aldrig igen og bogføres i budgettet.
help-statements-issue--statement_id = Afregningsbilagets id.

# afregning statements accept
help-statements-accept =
    En leverandør godkender et af sine egne udstedte afregningsbilag: den er enig i hver linje. Et
    afregningsbilag besvares én gang, godkendt eller bestridt; svaret gemmes ved siden af bilaget og
    ændrer det aldrig.
help-statements-accept--statement_id = Afregningsbilagets id (st-…).

# afregning statements dispute
help-statements-dispute =
    En leverandør bestrider linjer på et af sine egne udstedte afregningsbilag med en begrundelse
    for hver (`--line 3 --reason "…" --line 5 --reason "…"`). Tvisten afgøres med korrektionslinjer
    på et senere afregningsbilag, aldrig ved at ændre dette.
help-statements-dispute--statement_id = Afregningsbilagets id (st-…).
help-statements-dispute--lines =
    Nummeret på en bestridt linje, som `statements show` nummererer dem; én gang pr. linje.
help-statements-dispute--reasons = Hvorfor, for den linje, der er angivet lige før: 1–500 tegn.

# afregning statements paid
help-statements-paid =
    Økonomi registrerer, at et udstedt afregningsbilag er betalt: dagen og betalingens reference.
help-statements-paid--statement_id = Afregningsbilagets id (st-…).
help-statements-paid--paid_on =
    Dagen, det blev betalt, fx 15.05.2026 eller 2026-05-15 (standard: i dag); ikke før
    afregningsbilaget blev udstedt.
help-statements-paid--reference = Betalingens reference i økonomisystemet, 1–64 tegn.

# afregning statements overdue
help-statements-overdue =
    Udstedte afregningsbilag, der ikke er betalt inden forfaldsdatoen (udstedelsesdatoen + 30 dage).

    Eksempel: afregning statements overdue --as-of 31.01.2027
help-statements-overdue--as_of =
    Forfaldne pr. denne dag, fx 31.01.2027 eller 2027-01-31 (standard: i dag).
help-statements-overdue--provider = Kun denne leverandørs afregningsbilag.

# afregning review
help-review =
    Myndighedens stikprøvekontrol af en afregnet måned: de bevillinger, hvis leverede tid afviger
    fra den visiterede tid ud over en tærskel (over og under), de højest betalte bevillinger og en
    reproducerbar tilfældig stikprøve, hver gennemgået med et udfald; en tilbagebetaling sker på
    leverandørens næste afregningsbilag.

# afregning review build
help-review-build =
    Dan en afregnet måneds stikprøveliste, én gang: hver afvigelse ud over tærsklen, de højest
    betalte bevillinger og en tilfældig stikprøve trukket ud fra en startværdi (seed; gemt sammen med
    listen, så samme startværdi trækker samme stikprøve).

    Eksempel: afregning review build --period 05.2026 --seed 2026
help-review-build--period =
    Måneden, fx 04.2026 eller 2026-04; mindst ét af dens afregningsbilag skal være udstedt.
help-review-build--threshold =
    En afvigelse på mere end denne procentdel af den visiterede tid kommer på listen, 0–1000
    (standard 20).
help-review-build--sample =
    Hvor mange bevillinger der trækkes tilfældigt blandt resten, 0–1000 (standard 5).
help-review-build--highest =
    Hvor mange af de højest betalte bevillinger der kommer på listen, 0–1000 (standard 5).
help-review-build--seed = Stikprøvens startværdi (seed) (standard: en trækkes og gemmes sammen med listen).

# afregning review list
help-review-list =
    En måneds stikprøveliste med hver bevillings tal og udfald samt den andel, der er gennemgået.

    Eksempel: afregning review list --period 04.2026 --format csv
help-review-list--period = Måneden, fx 04.2026 eller 2026-04.
help-review-list--format = Udskriftsformat.

# afregning review record
help-review-record =
    Registrér udfaldet af gennemgangen af én bevilling på listen, én gang. En tilbagebetaling sker
    som en korrektionslinje på leverandørens næste afregningsbilag.
help-review-record--period = Måneden, fx 04.2026 eller 2026-04.
help-review-record--grant = Bevillingens id, som listen viser det.
help-review-record--provider = Leverandørens id (prv_…).
help-review-record--outcome = Hvad gennemgangen fandt.
help-review-record--note = Hvad der blev fundet, 1–500 tegn.
help-review-record--recovery =
    Ved en tilbagebetaling: beløbet, der betales tilbage, i kroner (475,00 eller 475.00), højst det,
    måneden nu betaler for bevillingen.

# values of afregning review record --outcome (OutcomeArg)
help-value-no-action = Intet at gøre.
help-value-revisit = Bevillingen skal revisiteres.
help-value-provider-contacted = Leverandøren er kontaktet.
help-value-recovery = Penge betales tilbage.

# afregning budget
help-budget =
    Budgetopfølgning: hver rammes budget, forbrug og forventede resultat pr. en given dato.
help-budget--frame = Én ramme (fx SOCIAL); alle, når den udelades.
help-budget--as_of = Datoen, der følges op pr., fx 30.06.2026 eller 2026-06-30 (standard: i dag).

# afregning cases
help-cases = Kvartalsvise omplaceringssager mellem udvalgenes rammer.

# afregning cases propose
help-cases-propose = Nettoudlign kvartalets køb på tværs af rammer til omplaceringssager, én pr. par af rammer.
help-cases-propose--quarter = Kvartalet, fx 2026-Q2 eller "2.kvt. 2026".

# afregning cases list
help-cases-list = Et kvartals omplaceringssager.
help-cases-list--quarter = Kvartalet, fx 2026-Q2 eller "2.kvt. 2026".

# afregning cases explain
help-cases-explain = Én sag: købene bag den, udvalgenes afgørelser og dens revisionsspor.
help-cases-explain--case_id = Omplaceringssagens id.

# afregning cases approve
help-cases-approve = Afgør en sag for ét udvalg (kun det udvalg selv må).
help-cases-approve--case_id = Omplaceringssagens id.
help-cases-approve--committee = Det udvalg, der afgør, fx SOCIAL.
help-cases-approve--reject = Afvis i stedet for at godkende.
help-cases-approve--comment = En bemærkning til revisionssporet.

# afregning cases execute
help-cases-execute =
    Gennemfør en godkendt sag (kun økonomi): to posteringer i hovedbogen, der summerer til nul.
help-cases-execute--case_id = Omplaceringssagens id.

# afregning catalog
help-catalog =
    Takstkataloger: ét pr. budgetår, udgivet gennem visitation og aldrig ændret efter udgivelsen. En
    rettelse er en ny version af året med den dag, den får virkning fra; fra den dag prissætter den,
    og måneder, der allerede er udstedt, rettes på hver leverandørs næste afregningsbilag.

# afregning catalog publish
help-catalog-publish =
    Udgiv et katalogdokument (TOML, som deploy/catalog-2026.toml): et års katalog eller en rettelse
    — en ny version, hvis effective_from ligger inden for året. Udgives en version igen med samme
    indhold, besvares det som ved første udgivelse; andet indhold afvises.

    Eksempel: afregning catalog publish catalog-2026.toml
help-catalog-publish--file = Katalogfilen, højst 65.536 byte.

# afregning catalog list
help-catalog-list =
    De udgivne versioner: de dage, hver version prissætter, og hvilken version den retter.

    Eksempel: afregning catalog list

# afregning catalog show
help-catalog-show =
    Én versions dage og priser: timepriser pr. tidsrum, pakke- og forløbspriser pr. uge.

    Eksempel: afregning catalog show 2026.1
help-catalog-show--catalog_version = Versionen, fx 2026.1.

# afregning catalog roll-forward
help-catalog-roll-forward =
    Afled næste års katalog af et udgivet katalog med pris- og lønfremskrivningen, og udgiv det:
    hver pris ganges og afrundes til øre, regler og tilknytninger er uændrede, og kataloget gælder
    fra 1. januar.

    Eksempel: afregning catalog roll-forward --from 2026.1 --index 2,5 --version 2027.1
help-catalog-roll-forward--from = Den udgivne version, der afledes fra, fx 2026.1.
help-catalog-roll-forward--index =
    Pris- og lønfremskrivningen i procent, fx 2,5 eller 2.5 (fra -50 til 50).
help-catalog-roll-forward--new_version = Den nye version, fx 2027.1 (1–32 tegn).

# afregning committees
help-committees =
    Udvalg: hvert udvalg ejer rammer, skriver deres forventede regnskab og forklaringer og afgør de
    omplaceringssager, der vedrører det.

# afregning committees create
help-committees-create =
    Opret et udvalg; dets kode skal være ny.

    Eksempel: afregning committees create --code OMSORG --name Omsorgsudvalget
help-committees-create--code = Kode med store bogstaver, fx SOCIAL, HEALTH, FINANCE.
help-committees-create--name = Udvalgets navn, fx Sundhedsudvalget.

# afregning committees list
help-committees-list =
    Alle udvalg efter kode.

    Eksempel: afregning committees list

# afregning frames
help-frames =
    Budgetrammer: et udvalgs aktivitetsbudget for ét år på én konto, frigivet over året jævnt efter
    dage eller efter en månedsprofil.

# afregning frames set
help-frames-set =
    Fastsæt et udvalgs ramme for et år: dens konto, beløb og eventuelt tolv månedsbeløb, der
    summerer til beløbet (uden dem frigives budgettet jævnt efter dage). Fastsættes den igen, ændres
    den fra --effective-from; en status pr. en tidligere dato og måneder, der allerede er lukket,
    beholder deres tal.

    Eksempel: afregning frames set --frame OMSORG --year 2026 --committee OMSORG --name "Omsorg – sygepleje" --account 4.62.88 --amount 365.000,00
help-frames-set--frame = Rammens kode, som kataloget knytter lovgrundlag til, fx HEALTH.
help-frames-set--year = Budgetåret.
help-frames-set--committee = Det udvalg, der ejer rammen.
help-frames-set--name = Rammens navn, fx "Visitation og Rehabilitering – Sund".
help-frames-set--account = Kontoen (kontoplanens funktion), fx 4.62.88.
help-frames-set--amount = Årets budget i kroner, fx 365.000,00.
help-frames-set--profile = Tolv månedsbeløb i kroner, januar først, der summerer til --amount.
help-frames-set--effective_from =
    Den dag, ændringen får virkning, fx 01.11.2026, efter rammens lukkede måneder; en status pr. en
    tidligere dato beholder den indstilling, der gjaldt dengang. Standard: årets første dag for en
    ny ramme, ellers i dag.

# afregning frames list
help-frames-list =
    Et års rammer: beløbet som fastsat og budgettet efter gennemførte omplaceringer.

    Eksempel: afregning frames list --year 2026
help-frames-list--year = Budgetåret.

# afregning actuals
help-actuals =
    Faktiske udgifter fra økonomisystemet (ERP): udgifter bogført på en ramme, som ikke går gennem
    afregningen.

# afregning actuals import
help-actuals-import =
    Indlæs økonomisystemets faktiske udgifter fra en CSV-fil (komma- eller semikolonsepareret) med
    en overskriftsrække: external_id, frame, account, booked_on, amount, text. booked_on er
    30.06.2026 eller 2026-06-30; amount er kroner (1.234,56 eller 1234.56; negativ for en
    kreditering). Hver post er idempotent efter sit external_id, så en fil trygt kan sendes igen.
    Hver række læses; de gyldige bogføres, og hver afvist række listes med sin linje og sit felt, i
    ét gennemløb (exitkode 3, når nogen blev afvist).

    Eksempel: afregning actuals import erp-juni.csv
help-actuals-import--file = CSV-filen.

# afregning expected-accounts
help-expected-accounts =
    Indsend en ansvarlig leders forventede regnskab for en rammes år: det forbrug, lederen
    forventer, måned for måned. Det erstatter et eventuelt tidligere indsendt forventet regnskab, og
    fra da af er det rammens forventede restforbrug (disponeringerne vises ved siden af). En
    måneds beløb tæller for dagene efter opfølgningsdatoen.

    Eksempel: afregning expected-accounts --frame HEALTH --year 2026 07=12.500,00 08=12.500,00 2026-09=9.000
help-expected-accounts--frame = Rammen, fx HEALTH.
help-expected-accounts--year = Budgetåret.
help-expected-accounts--months =
    Par af måned=beløb: måneden som 7, 07, 07.2026 eller 2026-07, beløbet i kroner (12.500,00 eller
    12500.00), ikke negativt.

# afregning explain-deviation
help-explain-deviation =
    Giv en afvigelsesforklaring med mindst én korrigerende handling på en rammes forventede
    merforbrug i en måned: en måned, hvis merforbrug er over tærsklen, kan ikke lukkes uden en sådan
    forklaring. En senere forklaring af samme måned erstatter den.

    Eksempel: afregning explain-deviation --frame HEALTH --period 10.2026 --explanation "Udstyr købt for resten af året" --action "Indkøbsstop til årets udgang"
help-explain-deviation--frame = Rammen, fx HEALTH.
help-explain-deviation--period = Den måned, der forklares, fx 10.2026 eller 2026-10.
help-explain-deviation--explanation = Hvorfor merforbruget opstår, 1–4.000 tegn.
help-explain-deviation--actions = En korrigerende handling (angiv --action én gang for hver, 1–20).

# afregning close-month
help-close-month =
    Luk en rammes måned (månedsafslutning). Dens tal fastfryses, som de står: en status pr. en dato
    i måneden ændres aldrig igen, og det, der senere bogføres i den, tæller fra den næste åbne
    måned. Afvises, så længe et merforbrug over tærsklen ikke er forklaret.

    Eksempel: afregning close-month --frame ELDRE --period 07.2026
help-close-month--frame = Rammen, fx HEALTH.
help-close-month--period = Måneden, fx 06.2026 eller 2026-06.

# afregning true-up
help-true-up =
    Kør den årlige efterregulering af et år i afregningen: hver leverandørs udstedte linjer for året
    prissættes igen til de faktiske gennemsnitlige enhedsomkostninger, og forskellen samles på ét
    afregningsbilag i kladde pr. leverandør. Filen har en overskriftsrække og kolonnerne unit (en
    ydelseskategori, en pakkekode eller course:<TYPE>:<level>) og actual_rate (kroner pr. time eller
    pr. uge). Køres den igen, erstattes kladderne.

    Eksempel: afregning true-up --year 2026 actual-costs-2026.csv
help-true-up--year = Det år, der efterreguleres; ikke et fremtidigt.
help-true-up--file = De faktiske enhedsomkostninger (komma- eller semikolonsepareret).

# afregning export
help-export = Afregningens posteringer pr. ramme, konto og måned til økonomisystemet (ERP).
help-export--year = Budgetåret.
help-export--frame = Én ramme; alle, når den udelades.
help-export--format = Udskriftsformat.

# afregning reconcile
help-reconcile =
    Sammenlign økonomisystemets totaler med afregningens posteringer, linje for linje. Filen har
    kolonnerne fra `export --format csv`: frame;account;period;amount_kr (decimalkomma eller
    decimalpunktum).
help-reconcile--year = Budgetåret.
help-reconcile--file = Økonomisystemets totaler.

# values of --format (Format)
help-value-table = En tabel til mennesker.
help-value-csv = Semikolonsepareret CSV med decimalkomma, som danske regneark læser det.
help-value-json = JSON, beløb i øre.

# clap's own words: headings, the help and version flags, the help subcommand
help-heading-commands = Kommandoer
help-heading-options = Tilvalg
help-heading-arguments = Argumenter
help-value-name-command = KOMMANDO
help-flag-help = Vis hjælp
help-flag-help-more = Vis hjælp (mere med '--help')
help-flag-help-summary = Vis hjælp (et resumé med '-h')
help-flag-version = Vis versionen
help-subcommand-help = Vis denne hjælp eller hjælpen til de nævnte kommandoer
help-possible-values = mulige værdier
help-possible-values-heading = Mulige værdier
help-default = standard
help-env = miljøvariabel

# clap's refusals of a command line
help-error-prefix = fejl
help-error-conflict = '{ $arg }' kan ikke bruges sammen med '{ $other }'
help-error-given-twice = '{ $arg }' kan ikke angives mere end én gang
help-error-no-equals = '{ $arg }' skal skrives med '=' foran værdien
help-error-invalid-value = '{ $value }' er ikke en mulig værdi for '{ $arg }'
help-error-no-value = '{ $arg }' skal have en værdi, men fik ingen
help-error-possible = mulige værdier: { $values }
help-error-unknown-command = ukendt kommando '{ $command }'
help-error-unknown-argument = uventet argument '{ $arg }'
help-error-missing = disse påkrævede argumenter mangler:
help-error-missing-command = '{ $command }' skal have en kommando: { $commands }
help-error-extra-value = uventet værdi '{ $value }' for '{ $arg }'; der forventes ikke flere værdier
help-error-number-of-values = '{ $arg }' skal have { $expected } værdier, men fik { $actual }
help-error-validation = ugyldig værdi '{ $value }' for '{ $arg }': { $why }
help-error-utf8 = kommandolinjen er ikke gyldig UTF-8
help-error-did-you-mean = tip: mente du '{ $suggestion }'?
help-error-more = Se '--help' for mere hjælp.
