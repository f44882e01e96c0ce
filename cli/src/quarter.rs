//! A small municipality's second quarter of 2026, told through the real gRPC APIs: what
//! `afregning demo` shows and what the end-to-end tests check to the øre.
//!
//! April is the worked month of `docs/examples/april-2026.md` (every unit kind, a course settled
//! with each provider, a hospital stay, a course ending with its goal met, and G7's training bought
//! by HEALTH for a need SOCIAL owns). In May the authority revisits G1, ends G2 backdated to
//! 20 April and a training visit of April is corrected: May's statements carry the reversals and
//! rebookings. In June G3's course ends at its period end. Finance follows the frames, and after
//! the quarter the cross-frame purchases become one case that both committees approve and
//! finance executes, net zero.
//!
//! Each actor calls with its own principal: the EHR writes visitation; each provider's system
//! reads its orders, reports its deliveries against the grants they name and acknowledges them;
//! the operator corrects a visit and settles; finance and the committees work in budget.

use std::collections::BTreeMap;

use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use afregning_proto::visitation::v1 as pbv;
use chrono::NaiveDate;

use crate::connect::{Clients, Endpoints};
use crate::print::{Out, date, headers, kr, table};
use afregning_client::i18n::{tr, tr_args};

/// The demo's bearer tokens and principals; every service accepts all of them. The providers'
/// own tokens come last, in [`PROVIDERS`] order.
pub const TOKENS: [(&str, &str); 11] = [
    ("demo-token-ehr-nexus-0001", "ehr:nexus"),
    ("demo-token-operator-00001", "operator"),
    ("demo-token-finance-000001", "finance"),
    ("demo-token-committee-social", "committee:SOCIAL"),
    ("demo-token-committee-health", "committee:HEALTH"),
    ("demo-token-service-settlement", "service:settlement"),
    ("demo-token-service-budget-01", "service:budget"),
    ("demo-token-provider-nord-0001", "provider:prv_nord"),
    ("demo-token-provider-plejegruppen", "provider:prv_plejegruppen"),
    ("demo-token-provider-sygeplejen", "provider:prv_sygeplejen"),
    ("demo-token-provider-traening-01", "provider:prv_traening"),
];

/// The providers the municipality approves, by name, with the ids the authority registers them
/// under (so their tokens can be issued before the suite starts).
pub const PROVIDERS: [(&str, &str); 4] = [
    ("Hjemmeplejen Nord", "prv_nord"),
    ("Plejegruppen ApS", "prv_plejegruppen"),
    ("Sygeplejen", "prv_sygeplejen"),
    ("Træningsenheden", "prv_traening"),
];

/// The token each service presents to the feeds it follows: visitation follows none.
pub const UPSTREAM: [Option<&str>; 3] = [None, Some(TOKENS[5].0), Some(TOKENS[6].0)];

/// What the quarter came to, for the closing summary and for tests.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Provider name → id.
    pub providers: BTreeMap<String, String>,
    /// Grant label (`G1` …) → grant id.
    pub grants: BTreeMap<String, String>,
    /// Per month (4, 5, 6): each provider's issued total by name.
    pub statements: BTreeMap<i32, BTreeMap<String, i64>>,
    /// Per month: the run's total.
    pub run_totals: BTreeMap<i32, i64>,
    /// Correction lines of May: (grant label, kind, amount).
    pub corrections: Vec<(String, pbs::LineKind, i64)>,
    /// Follow-up at 30 June per frame.
    pub status: BTreeMap<String, pbb::FrameStatus>,
    /// The quarter's case.
    pub case: Option<pbb::ReallocationCase>,
    /// Each frame's adjusted budget before and after the case was executed.
    pub adjusted: BTreeMap<String, (i64, i64)>,
    /// Sum of every issued statement.
    pub issued_total_ore: i64,
    /// Sum of what budget's ledger holds from settlement.
    pub posted_total_ore: i64,
}

struct Actors {
    ehr: Clients,
    operator: Clients,
    finance: Clients,
    committees: BTreeMap<&'static str, Clients>,
    /// Each provider's own system, by provider name, calling with the provider's token.
    providers: BTreeMap<&'static str, Clients>,
}

/// The whole story, against services that trust [`TOKENS`].
pub async fn run(endpoints: &Endpoints, out: Out) -> anyhow::Result<Outcome> {
    let actor = |i: usize| endpoints.as_principal(Some(TOKENS[i].0));
    let mut story = Story {
        a: Actors {
            ehr: actor(0),
            operator: actor(1),
            finance: actor(2),
            committees: BTreeMap::from([("SOCIAL", actor(3)), ("HEALTH", actor(4))]),
            providers: PROVIDERS.iter().enumerate().map(|(i, (name, _))| (*name, actor(7 + i))).collect(),
        },
        out,
        outcome: Outcome::default(),
        cprs: BTreeMap::new(),
    };
    story.frames().await?;
    story.decisions().await?;
    story.april().await?;
    story.may().await?;
    story.june().await?;
    story.follow_up().await?;
    story.reallocation().await?;
    story.money_check().await?;
    Ok(story.outcome)
}

struct Story {
    a: Actors,
    out: Out,
    outcome: Outcome,
    /// Grant label → the citizen's CPR number, by which a provider finds the grant in its orders.
    cprs: BTreeMap<String, String>,
}

fn d(y: i32, m: i32, day: i32) -> Option<pbc::Date> {
    Some(pbc::Date { year: y, month: m, day })
}

fn share(provider: &str, percent: u32, lead: bool) -> pbc::ProviderShare {
    pbc::ProviderShare {
        provider_id: provider.to_owned(),
        share_percent: percent,
        lead,
    }
}

/// A visit starting at local Danish time.
fn at(month: u32, day: u32, hour: u32, minute: u32) -> anyhow::Result<Option<prost_types::Timestamp>> {
    let local = NaiveDate::from_ymd_opt(2026, month, day)
        .and_then(|d| d.and_hms_opt(hour, minute, 0))
        .ok_or_else(|| anyhow::anyhow!("no such time"))?;
    Ok(Some(crate::commands::local_time(local).map_err(|e| anyhow::anyhow!("{e}"))?))
}

impl Story {
    fn provider(&self, name: &str) -> String {
        self.outcome.providers.get(name).cloned().unwrap_or_default()
    }

    fn grant(&self, label: &str) -> String {
        self.outcome.grants.get(label).cloned().unwrap_or_default()
    }

    fn label_of(&self, grant_id: &str) -> String {
        self.outcome
            .grants
            .iter()
            .find(|(_, id)| *id == grant_id)
            .map(|(label, _)| label.clone())
            .unwrap_or_else(|| grant_id.to_owned())
    }

    fn name_of(&self, provider_id: &str) -> String {
        self.outcome
            .providers
            .iter()
            .find(|(_, id)| *id == provider_id)
            .map(|(name, _)| name.clone())
            .unwrap_or_else(|| provider_id.to_owned())
    }

    /// The municipality as the example files in `deploy/` set it up: committees, frames and
    /// the approved providers, through `afregning setup`'s own code.
    async fn frames(&mut self) -> anyhow::Result<()> {
        self.out.heading(&tr("demo-frames-heading"));
        let (mut finance, mut ehr) = (self.a.finance.clone(), self.a.ehr.clone());
        let set_up = crate::setup::setup(&crate::setup::example(), &mut finance, &mut ehr, false).await?;
        anyhow::ensure!(set_up.refused.is_empty(), "the example set is refused: {:?}", set_up.refused);
        let mut shown = table(
            &headers(&["demo-col-frame", "demo-col-committee", "demo-col-account", "demo-col-budget-2026"]),
            &[3],
        );
        for (code, committee, account, amount_ore) in set_up.frames {
            shown.add_row(vec![code, committee, account, kr(amount_ore)]);
        }
        self.out.table(&shown);
        self.outcome.providers = set_up.providers;
        Ok(())
    }

    /// The authority's side of the quarter: seven grants with the citizens'
    /// assessments, and the changes to G4 and G5 in April.
    async fn decisions(&mut self) -> anyhow::Result<()> {
        self.out.heading(&tr("demo-decisions-heading"));
        let citizens = self.grants().await?;
        self.assessments(&citizens).await?;
        self.changes().await
    }

    /// The seven grants of the worked month (docs/examples/april-2026.md), each decided for a
    /// newly registered citizen; the citizens by their letter.
    // One piece: the seven grants are a table read top to bottom beside the worked month, then
    // decided one by one.
    async fn grants(&mut self) -> anyhow::Result<BTreeMap<&'static str, String>> {
        let mut ehr = self.a.ehr.visitation.clone();
        let (nord, pleje, syg, traening) = (
            self.provider("Hjemmeplejen Nord"),
            self.provider("Plejegruppen ApS"),
            self.provider("Sygeplejen"),
            self.provider("Træningsenheden"),
        );
        use pbc::CourseType as C;
        use pbc::UnitKind as U;
        let terms = |unit: U, basis: &str, intervention: &str, minutes: u32, providers: Vec<pbc::ProviderShare>| pbv::GrantTerms {
            unit_kind: unit as i32,
            legal_basis: basis.into(),
            intervention: intervention.into(),
            visited_minutes_per_week: minutes,
            providers,
            ..Default::default()
        };
        let grants = [
            (
                "G1",
                "A",
                "0101401111",
                d(2026, 1, 1),
                pbv::GrantTerms {
                    service_category: "personal_care".into(),
                    ..terms(U::Service, "SEL-83", "personlig-pleje", 180, vec![share(&pleje, 100, true)])
                },
            ),
            (
                "G2",
                "B",
                "0202402222",
                d(2026, 4, 10),
                pbv::GrantTerms {
                    package: "personal_care_package".into(),
                    ..terms(U::Package, "SEL-83", "personlig-pleje", 240, vec![share(&nord, 100, true)])
                },
            ),
            (
                "G3",
                "C",
                "0303403333",
                d(2026, 3, 16),
                pbv::GrantTerms {
                    course_type: C::Developing as i32,
                    ..terms(U::Course, "SEL-83a", "hverdagsrehabilitering", 640, vec![share(&nord, 100, true)])
                },
            ),
            (
                "G4",
                "D",
                "0404404444",
                d(2026, 2, 2),
                pbv::GrantTerms {
                    course_type: C::Developing as i32,
                    ..terms(U::Course, "SEL-83a", "hverdagsrehabilitering", 420, vec![share(&nord, 100, true)])
                },
            ),
            (
                "G5",
                "E",
                "0505402555",
                d(2026, 4, 1),
                pbv::GrantTerms {
                    course_type: C::Maintaining as i32,
                    settle_mode: pbc::SettleMode::WithEach as i32,
                    ..terms(
                        U::Course,
                        "SEL-83",
                        "personlig-pleje",
                        1_000,
                        vec![share(&nord, 70, true), share(&syg, 30, false)],
                    )
                },
            ),
            (
                "G6",
                "F",
                "0606402666",
                d(2026, 1, 5),
                pbv::GrantTerms {
                    course_type: C::Maintaining as i32,
                    ..terms(U::Course, "SEL-83", "personlig-pleje", 1_620, vec![share(&nord, 100, true)])
                },
            ),
            (
                "G7",
                "G",
                "0707402777",
                d(2026, 4, 1),
                pbv::GrantTerms {
                    service_category: "training".into(),
                    need_frame: "SOCIAL".into(),
                    ..terms(U::Service, "SUL-140", "genoptraening", 60, vec![share(&traening, 100, true)])
                },
            ),
        ];
        let mut shown = table(
            &headers(&[
                "demo-col-grant",
                "demo-col-citizen",
                "demo-col-unit",
                "demo-col-from",
                "demo-col-provider",
                "demo-col-pays",
                "demo-col-need",
                "demo-col-expected-weekly",
            ]),
            &[7],
        );
        let mut citizens: BTreeMap<&'static str, String> = BTreeMap::new();
        for (label, citizen, cpr, start, terms) in grants {
            let citizen_id = ehr
                .register_citizen(pbv::RegisterCitizenRequest {
                    request_id: format!("demo-citizen-{citizen}"),
                    cpr: cpr.into(),
                })
                .await?
                .into_inner()
                .citizen_id;
            let grant = ehr
                .decide_grant(pbv::DecideGrantRequest {
                    request_id: format!("demo-decide-{label}"),
                    citizen_id,
                    terms: Some(terms),
                    start,
                    end: None,
                    decided_on: start,
                })
                .await?
                .into_inner();
            let providers: Vec<String> = grant
                .terms
                .iter()
                .flat_map(|t| &t.providers)
                .map(|s| format!("{} {} %", self.name_of(&s.provider_id), s.share_percent))
                .collect();
            shown.add_row(vec![
                label.to_owned(),
                citizen.to_owned(),
                crate::print::unit_of(&grant),
                date(grant.validity.and_then(|v| v.first)),
                providers.join(", "),
                grant.paying_frame.clone(),
                grant.need_frame.clone(),
                kr(grant.expected_weekly_cost_ore),
            ]);
            self.outcome.grants.insert(label.to_owned(), grant.grant_id);
            self.cprs.insert(label.to_owned(), cpr.to_owned());
            citizens.insert(citizen, grant.citizen_id);
        }
        self.out.table(&shown);
        Ok(citizens)
    }

    /// G4 ends with its goal met, G5's citizen spends a week in hospital.
    async fn changes(&mut self) -> anyhow::Result<()> {
        let mut ehr = self.a.ehr.visitation.clone();
        ehr.end_grant(pbv::EndGrantRequest {
            request_id: "demo-end-G4".into(),
            grant_id: self.outcome.grants["G4"].clone(),
            expected_version: 1,
            last_day: d(2026, 4, 9),
            reason: pbc::EndReason::GoalMet as i32,
            decided_on: d(2026, 4, 9),
        })
        .await?;
        ehr.suspend_grant(pbv::SuspendGrantRequest {
            request_id: "demo-suspend-G5".into(),
            grant_id: self.outcome.grants["G5"].clone(),
            expected_version: 1,
            from: d(2026, 4, 13),
            reason: "hospital admission".into(),
            decided_on: d(2026, 4, 13),
        })
        .await?;
        ehr.resume_grant(pbv::ResumeGrantRequest {
            request_id: "demo-resume-G5".into(),
            grant_id: self.outcome.grants["G5"].clone(),
            expected_version: 2,
            on: d(2026, 4, 20),
            decided_on: d(2026, 4, 20),
        })
        .await?;
        self.out.line(tr("demo-g4-ends"));
        self.out.line(tr("demo-g5-hospital"));
        self.out.line(tr("demo-g7-cross-frame"));
        Ok(())
    }

    /// The therapists' FSIII assessments around the courses: C (G3) and D (G4) before and after
    /// their rehabilitation, F (G6) on its maintaining course. Scores weigh nothing in pricing (the
    /// progression rule); they show in the cockpit's progression page.
    async fn assessments(&mut self, citizens: &BTreeMap<&str, String>) -> anyhow::Result<()> {
        let mut ehr = self.a.ehr.visitation.clone();
        let assessed = [
            ("C", d(2026, 3, 12), [("mobility", 3), ("personal_care", 2), ("practical_tasks", 3)]),
            ("C", d(2026, 6, 5), [("mobility", 1), ("personal_care", 1), ("practical_tasks", 2)]),
            ("D", d(2026, 1, 29), [("mobility", 2), ("personal_care", 2), ("practical_tasks", 9)]),
            ("D", d(2026, 4, 8), [("mobility", 2), ("personal_care", 2), ("practical_tasks", 9)]),
            ("F", d(2026, 1, 2), [("mobility", 3), ("personal_care", 3), ("practical_tasks", 3)]),
            ("F", d(2026, 6, 22), [("mobility", 4), ("personal_care", 3), ("practical_tasks", 3)]),
        ];
        for (i, (citizen, on, scores)) in assessed.into_iter().enumerate() {
            ehr.record_assessment(pbv::RecordAssessmentRequest {
                request_id: format!("demo-assessment-{i}"),
                citizen_id: citizens.get(citizen).cloned().unwrap_or_default(),
                assessed_on: on,
                assessor: "therapist AK".into(),
                scores: scores
                    .iter()
                    .map(|(area, score)| pbv::FunctionScore {
                        area: (*area).into(),
                        score: *score,
                    })
                    .collect(),
            })
            .await?;
        }
        self.out.line(tr("demo-assessments"));
        Ok(())
    }

    /// Runs a month with a progress bar, issues every statement and shows them.
    async fn settle(&mut self, month: i32) -> anyhow::Result<Vec<pbs::Statement>> {
        self.a.operator.wait_until_caught_up().await?;
        let mut settlement = self.a.operator.settlement.clone();
        let last = crate::commands::run_month(&mut settlement, &format!("demo-run-{month}"), (2026, month), self.out).await?;
        self.outcome.run_totals.insert(month, last.total_ore);

        let issued = crate::statements::issue_month(&mut settlement, (2026, month), &format!("demo-issue-{month}")).await?;
        let mut shown = table(
            &headers(&["demo-col-provider", "demo-col-lines", "demo-col-total", "demo-col-sealed"]),
            &[1, 2],
        );
        let mut totals = BTreeMap::new();
        for st in &issued {
            let name = self.name_of(&st.provider_id);
            shown.add_row(vec![
                name.clone(),
                st.line_count.to_string(),
                kr(st.total_ore),
                st.content_hash.chars().take(12).collect(),
            ]);
            totals.insert(name, st.total_ore);
        }
        shown.add_row(vec![
            tr("cli-steering-all-providers"),
            String::new(),
            kr(last.total_ore),
            String::new(),
        ]);
        self.out.line(tr_args(
            "demo-settled",
            &[
                ("month", format!("{month:02}.2026")),
                ("providers", last.providers_total.to_string()),
            ],
        ));
        self.out.table(&shown);
        self.outcome.statements.insert(month, totals);
        Ok(issued)
    }

    async fn april(&mut self) -> anyhow::Result<()> {
        self.out.heading(&tr("demo-april-heading"));
        let mut visits: Vec<(&str, &str, u32, u32, u32)> = Vec::new();
        // G1's five visits across the time bands (the worked example).
        for (day, hour, minute, minutes) in [(1, 7, 30, 45), (1, 14, 40, 40), (3, 8, 0, 30), (4, 22, 45, 30), (7, 6, 50, 30)] {
            visits.push(("G1", "Plejegruppen ApS", day, hour * 100 + minute, minutes));
        }
        for day in [1, 7, 8, 9, 10, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 27, 28, 29, 30] {
            visits.push(("G6", "Hjemmeplejen Nord", day, 800, 120));
        }
        for day in [8, 15, 22, 29] {
            visits.push(("G7", "Træningsenheden", day, 1000, 60));
        }
        self.deliveries(4, &visits).await?;
        let issued = self.settle(4).await?;
        self.answers(&issued).await?;
        self.review().await
    }

    /// The authority reviews settled April (stikprøvekontrol): the list of deviations, highest
    /// amounts and a seeded sample, and an outcome recorded for its first grant.
    async fn review(&mut self) -> anyhow::Result<()> {
        let april = Some(pbc::Period { year: 2026, month: 4 });
        let list = self
            .a
            .ehr
            .settlement
            .build_review_list(pbs::BuildReviewListRequest {
                request_id: "demo-review-2026-04".into(),
                period: april,
                threshold_percent: None,
                sample_size: Some(1),
                highest_count: Some(1),
                seed: Some(2026),
            })
            .await?
            .into_inner();
        let Some(first) = list.items.first() else {
            anyhow::bail!("April's review list is empty");
        };
        self.a
            .ehr
            .settlement
            .record_review_outcome(pbs::RecordReviewOutcomeRequest {
                request_id: "demo-review-2026-04-first".into(),
                period: april,
                grant_id: first.grant_id.clone(),
                provider_id: first.provider_id.clone(),
                outcome: pbs::ReviewOutcome::ProviderContacted as i32,
                note: "Leverandøren har redegjort for tiden; ingen tilbagebetaling".into(),
                recovery_ore: 0,
            })
            .await?;
        let reasons: Vec<String> = first
            .reasons
            .iter()
            .map(|r| tr(afregning_client::format::review_reason_key(*r)))
            .collect();
        self.out.line(tr_args(
            "demo-reviewed",
            &[
                ("items", list.items.len().to_string()),
                ("considered", list.grants_considered.to_string()),
                ("grant", self.label_of(&first.grant_id)),
                ("provider", self.name_of(&first.provider_id)),
                ("reasons", reasons.join(", ")),
                ("visited", first.visited_minutes.to_string()),
                ("delivered", first.delivered_minutes.to_string()),
            ],
        ));
        Ok(())
    }

    /// Each provider answers its issued April statement with its own token — Plejegruppen ApS
    /// accepts, Hjemmeplejen Nord disputes a line — and finance records Plejegruppen's payment;
    /// the issued statements themselves never change.
    async fn answers(&mut self, issued: &[pbs::Statement]) -> anyhow::Result<()> {
        let of = |name: &str| issued.iter().find(|s| s.provider_id == self.provider(name)).cloned();
        let (Some(pleje), Some(nord)) = (of("Plejegruppen ApS"), of("Hjemmeplejen Nord")) else {
            anyhow::bail!("April has no statement for Plejegruppen ApS and Hjemmeplejen Nord");
        };
        let mut system = self.a.providers["Plejegruppen ApS"].settlement.clone();
        let accepted = system
            .accept_statement(pbs::AcceptStatementRequest {
                request_id: format!("demo-accept-{}", pleje.statement_id),
                statement_id: pleje.statement_id.clone(),
            })
            .await?
            .into_inner();
        let reason = "Besøget 14.04 kl. 08.00 varede 100 minutter, ikke 120".to_owned();
        let mut system = self.a.providers["Hjemmeplejen Nord"].settlement.clone();
        system
            .dispute_statement(pbs::DisputeStatementRequest {
                request_id: format!("demo-dispute-{}", nord.statement_id),
                statement_id: nord.statement_id.clone(),
                lines: vec![pbs::DisputedLine {
                    line_no: 1,
                    reason: reason.clone(),
                }],
            })
            .await?;
        let paid = self
            .a
            .finance
            .settlement
            .mark_statement_paid(pbs::MarkStatementPaidRequest {
                request_id: format!("demo-paid-{}", pleje.statement_id),
                statement_id: pleje.statement_id.clone(),
                paid_on: None,
                reference: "OPUS-4711".into(),
            })
            .await?
            .into_inner();
        self.out.line(tr_args(
            "demo-answered",
            &[
                ("accepted", "Plejegruppen ApS".to_owned()),
                ("due", crate::print::date(accepted.due_on)),
                ("disputed", "Hjemmeplejen Nord".to_owned()),
                ("reason", reason),
                ("paid", crate::print::date(paid.paid_on)),
            ],
        ));
        Ok(())
    }

    /// Each provider's system reports its deliveries with its own token: it reads its orders,
    /// finds each visit's grant in them by the citizen's CPR number, reports, and acknowledges
    /// the orders it has not acknowledged yet. `visits` are (grant label, provider name, day,
    /// start as `hhmm` local time, minutes).
    // One piece: a provider system's round — orders in, deliveries out, orders acknowledged —
    // reads as the provider does it.
    async fn deliveries(&mut self, month: u32, visits: &[(&str, &str, u32, u32, u32)]) -> anyhow::Result<()> {
        self.a.operator.wait_until_caught_up().await?;
        let (mut accepted, mut read, mut acknowledged) = (0, 0, 0);
        for (name, id) in PROVIDERS {
            let theirs: Vec<_> = visits.iter().filter(|v| v.1 == name).collect();
            let mut system = self.a.providers[name].clone();
            let orders = system
                .visitation
                .list_orders(pbv::ListOrdersRequest::default())
                .await?
                .into_inner()
                .orders;
            read += orders.len();
            let mut batch = Vec::with_capacity(theirs.len());
            for (label, _, day, hhmm, minutes) in theirs {
                let cpr = self.cprs.get(*label).cloned().unwrap_or_default();
                let Some(order) = orders.iter().rev().find(|o| o.citizen_cpr == cpr) else {
                    anyhow::bail!("{name} has no order for {label}");
                };
                anyhow::ensure!(
                    order.grant_id == self.grant(label),
                    "{name}'s order for {label} names another grant"
                );
                let delivery_id = format!("{label}-2026-{month:02}-{day:02}-{hhmm:04}");
                batch.push(pbs::Delivery {
                    delivery_id: delivery_id.clone(),
                    grant_id: order.grant_id.clone(),
                    provider_id: id.to_owned(),
                    carer_visit_id: format!("cv-{delivery_id}"),
                    started_at: at(month, *day, hhmm / 100, hhmm % 100)?,
                    minutes: *minutes,
                    revision: 0,
                });
            }
            if !batch.is_empty() {
                accepted += self.report(&mut system, &format!("demo-deliveries-{month}-{id}"), batch).await?;
            }
            for order in orders.iter().filter(|o| o.acknowledged_at.is_none()) {
                system
                    .visitation
                    .acknowledge_order(pbv::AcknowledgeOrderRequest {
                        request_id: format!("demo-acknowledge-{}", order.sequence),
                        sequence: order.sequence,
                        provider_id: String::new(),
                    })
                    .await?;
                acknowledged += 1;
            }
        }
        self.out.line(tr_args(
            "demo-orders",
            &[("orders", read.to_string()), ("acknowledged", acknowledged.to_string())],
        ));
        self.out.line(tr_args(
            "demo-reported",
            &[("visits", accepted.to_string()), ("month", format!("{month:02}.2026"))],
        ));
        Ok(())
    }

    /// Reports one provider system's deliveries; how many were accepted.
    async fn report(&mut self, system: &mut Clients, request_id: &str, batch: Vec<pbs::Delivery>) -> anyhow::Result<u64> {
        let reported = crate::commands::report_deliveries(&mut system.settlement, request_id, &batch).await?;
        anyhow::ensure!(
            reported.errors.is_empty(),
            "deliveries refused: {:?}",
            reported
                .errors
                .iter()
                .map(|e| format!("{} {}: {}", e.delivery_id, e.field, e.description))
                .collect::<Vec<_>>()
        );
        Ok(reported.accepted)
    }
}

impl Story {
    // One piece: May as the demo tells it, each step printed in the order it happens.
    async fn may(&mut self) -> anyhow::Result<()> {
        self.out.heading(&tr("demo-may-heading"));
        let mut ehr = self.a.ehr.visitation.clone();
        ehr.revisit_grant(pbv::RevisitGrantRequest {
            request_id: "demo-revisit-G1".into(),
            grant_id: self.outcome.grants["G1"].clone(),
            expected_version: 1,
            effective_from: d(2026, 5, 1),
            visited_minutes_per_week: 240,
            course_type: 0,
            decided_on: d(2026, 4, 28),
        })
        .await?;
        ehr.end_grant(pbv::EndGrantRequest {
            request_id: "demo-end-G2".into(),
            grant_id: self.outcome.grants["G2"].clone(),
            expected_version: 1,
            last_day: d(2026, 4, 20),
            reason: pbc::EndReason::Moved as i32,
            decided_on: d(2026, 5, 4),
        })
        .await?;
        self.out.line(tr("demo-story-g1-revisited"));
        self.out.line(tr("demo-story-g2-ended"));
        self.a
            .operator
            .settlement
            .correct_delivery(pbs::CorrectDeliveryRequest {
                request_id: "demo-correct-G7-29".into(),
                delivery_id: "G7-2026-04-29-1000".into(),
                started_at: at(4, 29, 10, 0)?,
                minutes: 90,
                reason: "the visit was logged short".into(),
            })
            .await?;
        self.out.line(tr("demo-story-g7-corrected"));
        let mut visits: Vec<(&str, &str, u32, u32, u32)> = Vec::new();
        for day in [5, 12, 19, 26] {
            visits.push(("G1", "Plejegruppen ApS", day, 900, 60));
            visits.push(("G6", "Hjemmeplejen Nord", day, 800, 120));
        }
        for day in [6, 13, 20, 27] {
            visits.push(("G7", "Træningsenheden", day, 1000, 60));
        }
        self.deliveries(5, &visits).await?;
        let issued = self.settle(5).await?;

        let mut shown = table(
            &headers(&[
                "demo-col-provider",
                "demo-col-grant",
                "demo-col-line",
                "demo-col-corrects",
                "demo-col-amount",
                "demo-col-why",
            ]),
            &[4],
        );
        for st in issued {
            let mut lines = self
                .a
                .operator
                .settlement
                .stream_statement_lines(pbs::StreamStatementLinesRequest {
                    statement_id: st.statement_id.clone(),
                })
                .await?
                .into_inner();
            while let Some(line) = lines.message().await? {
                let kind = pbs::LineKind::try_from(line.kind).unwrap_or(pbs::LineKind::Unspecified);
                if !matches!(kind, pbs::LineKind::Reversal | pbs::LineKind::Rebooking | pbs::LineKind::Supplement) {
                    continue;
                }
                let label = self.label_of(&line.grant_id);
                shown.add_row(vec![
                    self.name_of(&st.provider_id),
                    label.clone(),
                    tr(match kind {
                        pbs::LineKind::Reversal => "cli-line-kind-reversal",
                        pbs::LineKind::Rebooking => "cli-line-kind-rebooking",
                        _ => "cli-line-kind-supplement",
                    }),
                    tr_args(
                        "demo-corrects-month",
                        &[(
                            "month",
                            line.covers
                                .and_then(|c| c.first)
                                .map(|s| crate::print::month_text((s.year, s.month)))
                                .unwrap_or_default(),
                        )],
                    ),
                    kr(line.amount_ore),
                    line.explanation.map(|e| e.text).unwrap_or_default(),
                ]);
                self.outcome.corrections.push((label, kind, line.amount_ore));
            }
        }
        self.out.line(tr("demo-story-may-corrections"));
        self.out.table(&shown);
        Ok(())
    }

    async fn june(&mut self) -> anyhow::Result<()> {
        self.out.heading(&tr("demo-june-heading"));
        self.a
            .ehr
            .visitation
            .end_grant(pbv::EndGrantRequest {
                request_id: "demo-end-G3".into(),
                grant_id: self.outcome.grants["G3"].clone(),
                expected_version: 1,
                last_day: d(2026, 6, 7),
                reason: pbc::EndReason::GoalMet as i32,
                decided_on: d(2026, 6, 5),
            })
            .await?;
        self.out.line(tr("demo-story-g3-ends"));
        let mut visits: Vec<(&str, &str, u32, u32, u32)> = Vec::new();
        for day in [2, 9, 16, 23] {
            visits.push(("G1", "Plejegruppen ApS", day, 900, 60));
            visits.push(("G6", "Hjemmeplejen Nord", day, 800, 120));
        }
        for day in [3, 10, 17, 24] {
            visits.push(("G7", "Træningsenheden", day, 1000, 60));
        }
        self.deliveries(6, &visits).await?;
        self.settle(6).await?;
        Ok(())
    }

    async fn follow_up(&mut self) -> anyhow::Result<()> {
        self.out.heading(&tr("demo-follow-up-heading"));
        self.a.finance.wait_until_caught_up().await?;
        // HEALTH's leader expects the training to grow: 25,000.00 kr a month for the rest of the year.
        let mut health = self.a.committees["HEALTH"].budget.clone();
        health
            .submit_expected_accounts(pbb::SubmitExpectedAccountsRequest {
                request_id: "demo-expected-accounts-health".into(),
                frame: "HEALTH".into(),
                year: 2026,
                months: (7..=12)
                    .map(|month| pbb::MonthAmount {
                        month,
                        amount_ore: 2_500_000,
                    })
                    .collect(),
                submitted_by: "leader HEALTH".into(),
            })
            .await?;
        let frames = self
            .a
            .finance
            .budget
            .get_follow_up_status(pbb::GetFollowUpStatusRequest {
                frame: String::new(),
                as_of: d(2026, 6, 30),
            })
            .await?
            .into_inner()
            .frames;
        let shown = crate::print::follow_up_table(&frames);
        for f in frames {
            self.outcome.status.insert(f.frame.clone(), f);
        }
        self.out.table(&shown);
        self.out.line(tr("demo-follow-up-consumed"));
        self.out.line(tr("demo-follow-up-leader"));
        Ok(())
    }

    async fn adjusted(&mut self) -> anyhow::Result<BTreeMap<String, i64>> {
        let frames = self
            .a
            .finance
            .budget
            .list_frames(pbb::ListFramesRequest { year: 2026, page: None })
            .await?
            .into_inner()
            .frames;
        Ok(frames.into_iter().map(|f| (f.frame, f.adjusted_amount_ore)).collect())
    }

    // One piece: the reallocation case from proposal to execution, as the demo tells it.
    async fn reallocation(&mut self) -> anyhow::Result<()> {
        self.out.heading(&tr("demo-reallocation-heading"));
        let cases = self
            .a
            .finance
            .budget
            .propose_reallocations(pbb::ProposeReallocationsRequest {
                request_id: "demo-q2".into(),
                quarter: Some(pbc::Quarter { year: 2026, quarter: 2 }),
            })
            .await?
            .into_inner()
            .cases;
        let case = cases
            .into_iter()
            .next()
            .ok_or_else(|| anyhow::anyhow!("the quarter produced no case"))?;
        let mut shown = table(
            &headers(&[
                "demo-col-month",
                "demo-col-provider",
                "demo-col-paid-by",
                "demo-col-need-of",
                "demo-col-amount",
            ]),
            &[4],
        );
        for p in &case.purchases {
            shown.add_row(vec![
                crate::print::period(p.period),
                self.name_of(&p.provider_id),
                p.paying_frame.clone(),
                p.need_frame.clone(),
                kr(p.amount_ore),
            ]);
        }
        self.out.line(tr_args(
            "demo-case-proposed",
            &[
                ("case", case.case_id.clone()),
                ("amount", kr(case.amount_ore)),
                ("from", case.from_frame.clone()),
                ("to", case.to_frame.clone()),
            ],
        ));
        self.out.table(&shown);
        let before = self.adjusted().await?;
        for committee in [case.from_frame.clone(), case.to_frame.clone()] {
            let Some(clients) = self.a.committees.get_mut(committee.as_str()) else {
                anyhow::bail!("no committee {committee} in the demo");
            };
            clients
                .budget
                .decide_reallocation_case(pbb::DecideReallocationCaseRequest {
                    request_id: format!("demo-approve-{committee}"),
                    case_id: case.case_id.clone(),
                    committee: committee.clone(),
                    approve: true,
                    comment: "Godkendt på udvalgsmødet".into(),
                })
                .await?;
            self.out
                .line(tr_args("demo-committee-approves", &[("committee", committee.clone())]));
        }
        let executed = self
            .a
            .finance
            .budget
            .execute_reallocation_case(pbb::ExecuteReallocationCaseRequest {
                request_id: "demo-execute-q2".into(),
                case_id: case.case_id.clone(),
            })
            .await?
            .into_inner();
        let after = self.adjusted().await?;
        let mut shown = table(
            &headers(&["demo-col-frame", "demo-col-before", "demo-col-after", "demo-col-change"]),
            &[1, 2, 3],
        );
        for (frame, was) in &before {
            let now = after.get(frame).copied().unwrap_or_default();
            shown.add_row(vec![frame.clone(), kr(*was), kr(now), kr(now - was)]);
            self.outcome.adjusted.insert(frame.clone(), (*was, now));
        }
        let entries: i64 = executed.entries.iter().map(|e| e.amount_ore).sum();
        let (sum_before, sum_after) = (before.values().sum::<i64>(), after.values().sum::<i64>());
        self.out.line(tr("demo-case-executed"));
        self.out.table(&shown);
        self.out.line(tr_args(
            "demo-net-zero",
            &[
                ("entries", executed.entries.len().to_string()),
                ("sum", kr(entries)),
                ("before", kr(sum_before)),
                ("after", kr(sum_after)),
                ("check", if entries == 0 && sum_before == sum_after { "✓" } else { "✗" }.to_owned()),
            ],
        ));
        self.outcome.case = Some(executed);
        Ok(())
    }

    async fn money_check(&mut self) -> anyhow::Result<()> {
        self.out.heading(&tr("demo-money-heading"));
        let issued: i64 = self.outcome.statements.values().flat_map(|m| m.values()).sum();
        let mut export = self
            .a
            .finance
            .budget
            .export_postings(pbb::ExportPostingsRequest {
                year: 2026,
                frame: String::new(),
            })
            .await?
            .into_inner();
        let mut posted = 0;
        while let Some(total) = export.message().await? {
            posted += total.amount_ore;
        }
        self.outcome.issued_total_ore = issued;
        self.outcome.posted_total_ore = posted;
        self.out.line(tr_args(
            "demo-money-check",
            &[
                ("issued", kr(issued)),
                ("posted", kr(posted)),
                ("check", if issued == posted { "✓" } else { "✗" }.to_owned()),
            ],
        ));
        anyhow::ensure!(issued == posted, "postings differ from the issued statements");
        Ok(())
    }
}
