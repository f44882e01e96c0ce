//! A realistic municipality of any size, generated from a seed, for load tests and benchmarks:
//! providers, citizens with grants of every kind, and a month of delivered visits with the rhythm
//! of home care (a morning peak, lunch and evening rounds, few night visits, weekends a little
//! lighter; most visits 10–30 minutes).
//!
//! The same seed and size always give the same municipality. [`load`] enters it through the
//! real gRPC APIs, as the EHR and the provider systems would.

use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use afregning_proto::visitation::v1 as pbv;
use chrono::{Datelike, NaiveDate, Weekday};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::connect::Clients;

/// Citizens one home-care provider serves, roughly.
const CITIZENS_PER_PROVIDER: usize = 250;

/// What a citizen is granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Personal care paid by activity (SEL §83).
    PersonalCare,
    /// Practical help paid by activity (SEL §83).
    PracticalHelp,
    /// A personal-care package paid per day.
    Package,
    /// A DEVELOPING rehabilitation course (SEL §83a).
    Developing,
    /// A MAINTAINING course (SEL §83).
    Maintaining,
    /// A course above the INDIVIDUAL threshold, paid by activity.
    Individual,
    /// Training after hospital (SUL §140), bought by HEALTH; a fifth for SOCIAL's need.
    Training,
}

impl Kind {
    /// Whether the grant is paid by delivered minutes (so it has deliveries).
    pub fn by_activity(self) -> bool {
        matches!(self, Kind::PersonalCare | Kind::PracticalHelp | Kind::Individual | Kind::Training)
    }
}

/// One citizen and the grant decided for them.
#[derive(Clone, Debug)]
pub struct Citizen {
    /// A valid CPR number (date-checked), distinct per citizen.
    pub cpr: String,
    /// The kind of grant.
    pub kind: Kind,
    /// Visited minutes a week.
    pub minutes_per_week: u32,
    /// Index into [`Municipality::providers`].
    pub provider: usize,
}

/// A generated municipality.
#[derive(Clone, Debug)]
pub struct Municipality {
    /// Providers to register, in order: home care (municipal and private), then nursing and
    /// training.
    pub providers: Vec<pbv::RegisterProviderRequest>,
    /// The citizens.
    pub citizens: Vec<Citizen>,
    seed: u64,
}

/// The mix of grants, in per mille.
const MIX: [(Kind, u32); 7] = [
    (Kind::PersonalCare, 450),
    (Kind::PracticalHelp, 150),
    (Kind::Package, 120),
    (Kind::Developing, 120),
    (Kind::Maintaining, 90),
    (Kind::Individual, 30),
    (Kind::Training, 40),
];

/// A CPR number for citizen `i`: born 1925–1954, a distinct serial.
fn cpr(i: usize) -> String {
    let day = 1 + i % 28;
    let month = 1 + (i / 28) % 12;
    let year = 25 + (i / 336) % 30;
    let serial = 1000 + i / (336 * 30);
    format!("{day:02}{month:02}{year:02}{serial:04}")
}

/// Generates `citizens` citizens and their providers from `seed`.
// One piece: the municipality's mix is one table of proportions read top to bottom.
pub fn municipality(citizens: usize, seed: u64) -> Municipality {
    let mut rng = StdRng::seed_from_u64(seed);
    let home_care = citizens.div_ceil(CITIZENS_PER_PROVIDER).max(1);
    let mut providers = Vec::with_capacity(home_care + 2);
    let cvrs = ["29189668", "35123458", "25412346", "12345674", "44000016", "37661120"];
    for p in 0..home_care {
        let private = p % 3 == 2;
        providers.push(pbv::RegisterProviderRequest {
            request_id: format!("gen-provider-{p}"),
            cvr: cvrs[p % cvrs.len()].to_owned(),
            name: if private {
                format!("Plejefirma {p} ApS")
            } else {
                format!("Hjemmeplejen distrikt {p}")
            },
            kind: if private {
                pbc::ProviderKind::Private
            } else {
                pbc::ProviderKind::Municipal
            } as i32,
            committee: "SOCIAL".into(),
            approved_for: [
                "personal_care",
                "practical_help",
                "personal_care_package",
                "course:DEVELOPING",
                "course:MAINTAINING",
                "course:INDIVIDUAL",
            ]
            .map(str::to_owned)
            .to_vec(),
            provider_id: String::new(),
        });
    }
    let training = providers.len();
    providers.push(pbv::RegisterProviderRequest {
        request_id: "gen-provider-training".into(),
        cvr: "29189668".into(),
        name: "Træningsenheden".into(),
        kind: pbc::ProviderKind::Municipal as i32,
        committee: "HEALTH".into(),
        approved_for: vec!["training".into()],
        provider_id: String::new(),
    });
    let people = (0..citizens)
        .map(|i| {
            let mut roll = rng.random_range(0..1000);
            let kind = MIX
                .iter()
                .find(|(_, share)| {
                    let hit = roll < *share;
                    roll = roll.saturating_sub(*share);
                    hit
                })
                .map(|(kind, _)| *kind)
                .unwrap_or(Kind::PersonalCare);
            let minutes_per_week = match kind {
                Kind::Individual => rng.random_range(1_600..2_400),
                Kind::Training => 60 * rng.random_range(1..4),
                _ => 15 * rng.random_range(4..60),
            };
            let provider = if kind == Kind::Training {
                training
            } else {
                rng.random_range(0..home_care)
            };
            Citizen {
                cpr: cpr(i),
                kind,
                minutes_per_week,
                provider,
            }
        })
        .collect();
    Municipality {
        providers,
        citizens: people,
        seed,
    }
}

impl Municipality {
    /// The grant terms of citizen `i`, with the providers' ids as registered.
    pub fn terms(&self, i: usize, provider_ids: &[String]) -> pbv::GrantTerms {
        let c = &self.citizens[i];
        let mut terms = pbv::GrantTerms {
            legal_basis: "SEL-83".into(),
            intervention: "personlig-pleje".into(),
            visited_minutes_per_week: c.minutes_per_week,
            providers: vec![pbc::ProviderShare {
                provider_id: provider_ids[c.provider].clone(),
                share_percent: 100,
                lead: true,
            }],
            ..Default::default()
        };
        match c.kind {
            Kind::PersonalCare => {
                terms.unit_kind = pbc::UnitKind::Service as i32;
                terms.service_category = "personal_care".into();
            }
            Kind::PracticalHelp => {
                terms.unit_kind = pbc::UnitKind::Service as i32;
                terms.service_category = "practical_help".into();
                terms.intervention = "praktisk-hjaelp".into();
            }
            Kind::Package => {
                terms.unit_kind = pbc::UnitKind::Package as i32;
                terms.package = "personal_care_package".into();
            }
            Kind::Developing => {
                terms.unit_kind = pbc::UnitKind::Course as i32;
                terms.legal_basis = "SEL-83a".into();
                terms.intervention = "hverdagsrehabilitering".into();
                terms.course_type = pbc::CourseType::Developing as i32;
            }
            Kind::Maintaining | Kind::Individual => {
                terms.unit_kind = pbc::UnitKind::Course as i32;
                terms.course_type = pbc::CourseType::Maintaining as i32;
            }
            Kind::Training => {
                terms.unit_kind = pbc::UnitKind::Service as i32;
                terms.legal_basis = "SUL-140".into();
                terms.intervention = "genoptraening".into();
                terms.service_category = "training".into();
                if i.is_multiple_of(5) {
                    terms.need_frame = "SOCIAL".into();
                }
            }
        }
        terms
    }

    /// The month's visits of every citizen paid by activity: about their weekly minutes spread
    /// over the days, started at home-care hours. `grant_ids[i]` and `provider_ids` are as
    /// registered; deliveries are in time order per citizen.
    pub fn deliveries(&self, year: i32, month: u32, grant_ids: &[String], provider_ids: &[String]) -> Vec<pbs::Delivery> {
        let mut rng = StdRng::seed_from_u64(self.seed ^ (u64::try_from(year).unwrap_or_default() << 8) ^ u64::from(month));
        let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
            return Vec::new();
        };
        let days: Vec<NaiveDate> = first.iter_days().take_while(|d| d.month() == month).collect();
        let mut out = Vec::new();
        for (i, c) in self.citizens.iter().enumerate().filter(|(_, c)| c.kind.by_activity()) {
            let visits_per_week = (c.minutes_per_week / 20).clamp(1, 28);
            for day in &days {
                let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
                // Each day gets its share of the week's visits, weekends 80 % of it; the
                // fraction of a visit becomes one visit that often.
                let expected_milli = u32::from(!weekend) * 1000 * visits_per_week / 7 + u32::from(weekend) * 800 * visits_per_week / 7;
                let mut count = expected_milli / 1000;
                if rng.random_range(0..1000) < expected_milli % 1000 {
                    count += 1;
                }
                for v in 0..count {
                    let (hour, minute) = visit_time(&mut rng);
                    let Some(start) = day.and_hms_opt(hour, minute, 0) else {
                        continue;
                    };
                    let Ok(started_at) = crate::commands::local_time(start) else {
                        continue;
                    };
                    let minutes = [10, 15, 15, 20, 20, 25, 30, 30, 45, 60][rng.random_range(0..10)];
                    let id = format!("gen-{i}-{}-{v}", day.format("%Y%m%d"));
                    out.push(pbs::Delivery {
                        delivery_id: id.clone(),
                        grant_id: grant_ids[i].clone(),
                        provider_id: provider_ids[c.provider].clone(),
                        carer_visit_id: id,
                        started_at: Some(started_at),
                        minutes,
                        revision: 0,
                    });
                }
            }
        }
        out
    }
}

/// A visit's start: 45 % in the morning round (07–10), 25 % at midday (11–14), 25 % in the
/// afternoon and evening (15–22), 5 % at night.
fn visit_time(rng: &mut StdRng) -> (u32, u32) {
    let roll = rng.random_range(0..100);
    let hour = match roll {
        0..45 => rng.random_range(7..10),
        45..70 => rng.random_range(11..14),
        70..95 => rng.random_range(15..22),
        _ => [23, 0, 2, 4, 5][rng.random_range(0..5)],
    };
    (hour, 5 * rng.random_range(0..12))
}

/// What [`load`] entered.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// Provider ids in [`Municipality::providers`] order.
    pub provider_ids: Vec<String>,
    /// Grant ids in [`Municipality::citizens`] order.
    pub grant_ids: Vec<String>,
}

/// Registers the providers, citizens and grants (from `start`) through visitation, as the EHR.
pub async fn load(clients: &mut Clients, m: &Municipality, start: pbc::Date) -> anyhow::Result<Loaded> {
    let mut provider_ids = Vec::with_capacity(m.providers.len());
    for provider in &m.providers {
        provider_ids.push(
            clients
                .visitation
                .register_provider(provider.clone())
                .await?
                .into_inner()
                .provider_id,
        );
    }
    let mut grant_ids = Vec::with_capacity(m.citizens.len());
    for i in 0..m.citizens.len() {
        grant_ids.push(decide_citizen(&mut clients.visitation, m, i, &provider_ids, start, &mut |_| {}).await?);
    }
    Ok(Loaded { provider_ids, grant_ids })
}

/// Registers citizen `i` and decides its grant from `start`, as the EHR: two calls, each
/// reported to `timed` with how long it took. Returns the grant id.
pub async fn decide_citizen(
    visitation: &mut afregning_proto::visitation::v1::visitation_service_client::VisitationServiceClient<crate::connect::Authed>,
    m: &Municipality,
    i: usize,
    provider_ids: &[String],
    start: pbc::Date,
    timed: &mut impl FnMut(std::time::Duration),
) -> Result<String, tonic::Status> {
    let t = std::time::Instant::now();
    let citizen_id = visitation
        .register_citizen(pbv::RegisterCitizenRequest {
            request_id: format!("gen-citizen-{i}"),
            cpr: m.citizens[i].cpr.clone(),
        })
        .await?
        .into_inner()
        .citizen_id;
    timed(t.elapsed());
    let t = std::time::Instant::now();
    let grant = visitation
        .decide_grant(pbv::DecideGrantRequest {
            request_id: format!("gen-grant-{i}"),
            citizen_id,
            terms: Some(m.terms(i, provider_ids)),
            start: Some(start),
            end: None,
            decided_on: None,
        })
        .await?
        .into_inner();
    timed(t.elapsed());
    Ok(grant.grant_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;
    use std::collections::BTreeMap;

    fn ids(n: usize, prefix: &str) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_municipality() {
        let a = municipality(2_000, 7);
        let b = municipality(2_000, 7);
        let kinds = |m: &Municipality| {
            m.citizens
                .iter()
                .map(|c| (c.kind, c.minutes_per_week, c.provider))
                .collect::<Vec<_>>()
        };
        assert_eq!(kinds(&a), kinds(&b));
        assert_ne!(kinds(&a), kinds(&municipality(2_000, 8)));
        assert_eq!(a.providers.len(), 8 + 1, "one home-care provider per 250 citizens, plus training");
        let cprs: std::collections::BTreeSet<&str> = a.citizens.iter().map(|c| c.cpr.as_str()).collect();
        assert_eq!(cprs.len(), 2_000, "distinct CPR numbers");
        assert!(a.citizens.iter().all(|c| afregning_tariff::Cpr::parse(&c.cpr).is_ok()));
    }

    #[test]
    fn the_mix_and_the_rhythm_of_home_care() {
        let m = municipality(10_000, 1);
        let mut mix: BTreeMap<Kind, usize> = BTreeMap::new();
        for c in &m.citizens {
            *mix.entry(c.kind).or_default() += 1;
        }
        for (kind, per_mille) in MIX {
            let got = mix[&kind] * 1000 / 10_000;
            assert!(got.abs_diff(per_mille as usize) <= 15, "{kind:?}: {got} ‰, planned {per_mille} ‰");
        }
        let grants = ids(m.citizens.len(), "g");
        let providers = ids(m.providers.len(), "p");
        let visits = m.deliveries(2026, 4, &grants, &providers);
        assert_eq!(visits, m.deliveries(2026, 4, &grants, &providers), "deterministic");
        let mut by_hour = [0usize; 24];
        let mut weekday = 0usize;
        for v in &visits {
            let at = chrono::DateTime::from_timestamp(v.started_at.unwrap().seconds, 0).unwrap();
            let local = at.with_timezone(&chrono_tz::Europe::Copenhagen);
            by_hour[local.hour() as usize] += 1;
            if local.weekday().number_from_monday() <= 5 {
                weekday += 1;
            }
        }
        let share = |hours: std::ops::Range<usize>| hours.map(|h| by_hour[h]).sum::<usize>() * 100 / visits.len();
        assert!((40..=50).contains(&share(7..10)), "morning peak {} %", share(7..10));
        assert!(share(0..6) + by_hour[23] * 100 / visits.len() <= 7, "few night visits");
        // April 2026: 22 weekdays, 8 weekend days at 80 %.
        let expected_weekday = 22 * 100 * 100 / (22 * 100 + 8 * 80);
        assert!((weekday * 100 / visits.len()).abs_diff(expected_weekday) <= 3);
        let ids: std::collections::BTreeSet<&str> = visits.iter().map(|v| v.delivery_id.as_str()).collect();
        assert_eq!(ids.len(), visits.len(), "distinct delivery ids");
        assert!(visits.len() > 100_000, "a month of 10,000 citizens: {} visits", visits.len());
    }
}
