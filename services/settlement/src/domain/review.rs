//! The authority's review of a settled month (stikprøvekontrol, docs/design.md §5b): which grants
//! go on the month's review list and why, and what a recovery puts on the provider's next
//! statement. Pure functions: the use case gathers the month's figures and stores the list.

use std::collections::BTreeSet;

use afregning_tariff::steering::split_by_weight;
use afregning_tariff::{DateRange, Ore, Period};
use sha2::{Digest as _, Sha256};

use super::grant::UnitKind;
use super::ids::{CitizenId, GrantId, ProviderId};
use super::line::{Explanation, FramePart, LineKind, StatementLine, StoredLine, TargetPeriod};

/// The default threshold: a deviation beyond 20 % of the visited time.
pub const DEFAULT_THRESHOLD_PERCENT: u32 = 20;
/// The default size of the random sample.
pub const DEFAULT_SAMPLE_SIZE: u32 = 5;
/// The default number of highest-paid grants listed.
pub const DEFAULT_HIGHEST_COUNT: u32 = 5;
/// The most a threshold, sample or highest count may be.
pub const MAX_SETTING: u32 = 1_000;
/// The longest note on an outcome, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// Why a grant is on the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// Delivered more than visited beyond the threshold.
    OverDelivered,
    /// Delivered less than visited beyond the threshold.
    UnderDelivered,
    /// Among the month's highest-paid grants.
    HighestAmount,
    /// Drawn in the seeded sample.
    Sample,
}

impl Reason {
    /// Every reason, in code order.
    pub const ALL: [Reason; 4] = [Reason::OverDelivered, Reason::UnderDelivered, Reason::HighestAmount, Reason::Sample];

    /// The number stored and sent.
    pub fn code(self) -> i32 {
        match self {
            Reason::OverDelivered => 1,
            Reason::UnderDelivered => 2,
            Reason::HighestAmount => 3,
            Reason::Sample => 4,
        }
    }

    /// The reason a stored or sent number stands for.
    pub fn from_code(code: i32) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// What reviewing an item found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to do.
    NoAction,
    /// The grant is to be revisited.
    Revisit,
    /// The provider was contacted.
    ProviderContacted,
    /// Money is paid back: a recovery line on the provider's next statement.
    Recovery,
}

impl Outcome {
    /// Every outcome, in code order.
    pub const ALL: [Outcome; 4] = [Outcome::NoAction, Outcome::Revisit, Outcome::ProviderContacted, Outcome::Recovery];

    /// The number stored and sent.
    pub fn code(self) -> i32 {
        match self {
            Outcome::NoAction => 1,
            Outcome::Revisit => 2,
            Outcome::ProviderContacted => 3,
            Outcome::Recovery => 4,
        }
    }

    /// The outcome a stored or sent number stands for.
    pub fn from_code(code: i32) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == code)
    }
}

/// How a month's list is drawn, recorded with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// A deviation beyond this percentage of the visited minutes is listed.
    pub threshold_percent: u32,
    /// Grants drawn at random among the rest.
    pub sample_size: u32,
    /// Highest-paid grants listed.
    pub highest_count: u32,
    /// The sample's seed.
    pub seed: u64,
}

/// Where a recovery is booked and what it names: the frames that paid for the grant in the month
/// reviewed, and the grant's largest line of it for the line's own frame and unit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Booking {
    /// What the month's issued lines paid for the grant on each frame, net, where it came to more
    /// than nothing: a recovery is taken back from them in proportion. Kept with the list; read
    /// back for recoveries only.
    pub frames: Vec<FramePart>,
    /// The frame that pays.
    pub paying_frame: String,
    /// The frame that owns the need.
    pub need_frame: String,
    /// The paying frame's account.
    pub account: String,
    /// The line's unit.
    pub unit: String,
    /// The line's unit kind.
    pub unit_kind: Option<UnitKind>,
}

/// One provider's grant in the month, as the review sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The grant.
    pub grant_id: GrantId,
    /// The provider.
    pub provider_id: ProviderId,
    /// Whose grant.
    pub citizen_id: CitizenId,
    /// The provider's part of the visited minutes over the days paid (0 when not activity).
    pub visited_minutes: u64,
    /// Minutes the provider delivered.
    pub delivered_minutes: u64,
    /// What the provider's issued statements pay for the grant in the month.
    pub amount: Ore,
    /// Where a recovery would be booked.
    pub booking: Booking,
}

impl Candidate {
    /// Delivered − visited, in minutes.
    pub fn deviation(&self) -> i64 {
        let signed = |m: u64| i64::try_from(m).unwrap_or(i64::MAX);
        signed(self.delivered_minutes).saturating_sub(signed(self.visited_minutes))
    }

    /// Over or under delivery beyond `threshold_percent` of the visited minutes, if either.
    pub fn deviates(&self, threshold_percent: u32) -> Option<Reason> {
        let (visited, delivered) = (u128::from(self.visited_minutes), u128::from(self.delivered_minutes));
        let allowed = u128::from(threshold_percent) * visited;
        if delivered > visited && (delivered - visited) * 100 > allowed {
            Some(Reason::OverDelivered)
        } else if visited > delivered && (visited - delivered) * 100 > allowed {
            Some(Reason::UnderDelivered)
        } else {
            None
        }
    }
}

/// A listed grant with its reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The grant's figures.
    pub candidate: Candidate,
    /// Why it is listed, in code order.
    pub reasons: Vec<Reason>,
}

/// The sample's order of a candidate under `seed`: SHA-256 of the seed and the grant's keys, so
/// the draw depends on nothing but the seed and the grants themselves — not on the order they
/// were read in, nor on the other grants.
fn draw_key(seed: u64, c: &Candidate) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(seed.to_be_bytes());
    hash.update(c.grant_id.as_str().as_bytes());
    hash.update([0]);
    hash.update(c.provider_id.as_str().as_bytes());
    hash.finalize().into()
}

/// The month's review list: every deviation beyond the threshold, the `highest_count` highest
/// amounts (ties by grant and provider id), and `sample_size` drawn from the rest by the seed.
/// Deviations first, then by amount, largest first.
pub fn select(candidates: &[Candidate], settings: &Settings) -> Vec<Item> {
    let mut reasons: Vec<BTreeSet<Reason>> = candidates
        .iter()
        .map(|c| c.deviates(settings.threshold_percent).into_iter().collect())
        .collect();
    let mut by_amount: Vec<usize> = (0..candidates.len()).filter(|&i| candidates[i].amount > Ore::ZERO).collect();
    by_amount.sort_by(|&a, &b| {
        let (a, b) = (&candidates[a], &candidates[b]);
        b.amount
            .cmp(&a.amount)
            .then_with(|| (&a.grant_id, &a.provider_id).cmp(&(&b.grant_id, &b.provider_id)))
    });
    for &i in by_amount.iter().take(settings.highest_count as usize) {
        reasons[i].insert(Reason::HighestAmount);
    }
    let mut rest: Vec<(usize, [u8; 32])> = (0..candidates.len())
        .filter(|&i| reasons[i].is_empty())
        .map(|i| (i, draw_key(settings.seed, &candidates[i])))
        .collect();
    rest.sort_by_key(|(_, key)| *key);
    for &(i, _) in rest.iter().take(settings.sample_size as usize) {
        reasons[i].insert(Reason::Sample);
    }
    let mut items: Vec<Item> = candidates
        .iter()
        .zip(reasons)
        .filter(|(_, r)| !r.is_empty())
        .map(|(c, r)| Item {
            candidate: c.clone(),
            reasons: r.into_iter().collect(),
        })
        .collect();
    let deviates = |i: &Item| {
        i.reasons
            .iter()
            .any(|r| matches!(r, Reason::OverDelivered | Reason::UnderDelivered))
    };
    items.sort_by(|a, b| {
        deviates(b)
            .cmp(&deviates(a))
            .then_with(|| b.candidate.amount.cmp(&a.candidate.amount))
            .then_with(|| (&a.candidate.grant_id, &a.candidate.provider_id).cmp(&(&b.candidate.grant_id, &b.candidate.provider_id)))
    });
    items
}

/// A recovery recorded on a reviewed item, waiting for the provider's next statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// The month reviewed.
    pub period: Period,
    /// The grant.
    pub grant_id: GrantId,
    /// Whose grant.
    pub citizen_id: CitizenId,
    /// What is paid back (positive).
    pub amount: Ore,
    /// The review's note.
    pub note: String,
    /// Where it is booked.
    pub booking: Booking,
}

/// The rule a recovery line names.
pub const RECOVERY_RULE: &str = "review.recovery";

/// The correction line a recovery puts on the provider's next statement: minus the amount,
/// paying for the month reviewed, taken back from the frames that paid for the grant that month
/// in proportion to what each paid (the last øre to the frame that paid most), or from the
/// grant's largest line's frame when no frame paid anything. `paid_now` is what the month pays
/// for the grant now, corrections since the review included: a recovery never takes back more
/// (the line says so when it takes back less than recorded).
pub fn recovery_line(r: &Recovery, paid_now: Ore) -> StoredLine {
    let taken = r.amount.min(paid_now.max(Ore::ZERO));
    let amount = Ore::ZERO.checked_sub(taken).unwrap_or(Ore::ZERO);
    let weights: Vec<(usize, u64)> = r
        .booking
        .frames
        .iter()
        .enumerate()
        .filter_map(|(i, f)| u64::try_from(f.amount_ore.get()).ok().filter(|w| *w > 0).map(|w| (i, w)))
        .collect();
    let frames = match split_by_weight(amount, &weights) {
        Ok(Some(parts)) => parts
            .into_iter()
            .map(|(i, part)| FramePart {
                amount_ore: part,
                ..r.booking.frames[i].clone()
            })
            .collect(),
        _ => vec![FramePart {
            paying_frame: r.booking.paying_frame.clone(),
            need_frame: r.booking.need_frame.clone(),
            account: r.booking.account.clone(),
            amount_ore: amount,
        }],
    };
    let line = StatementLine {
        line_id: Default::default(),
        statement_id: Default::default(),
        line_no: 0,
        kind: LineKind::Recovery,
        citizen_id: r.citizen_id.clone(),
        cpr: None,
        grant_id: r.grant_id.clone(),
        grant_version: 0,
        unit_kind: r.booking.unit_kind,
        unit: r.booking.unit.clone(),
        covers: r.period.range(),
        time_band: None,
        amount_ore: amount,
        explanation: Explanation {
            rule: RECOVERY_RULE.to_owned(),
            catalog_version: String::new(),
            rate_ore: Ore::ZERO,
            quantity: 0,
            quantity_unit: String::new(),
            text: if taken < r.amount {
                format!(
                    "tilbagebetaling efter stikprøvekontrol af {}: {} (begrænset til {} kr., som måneden nu betaler for bevillingen; {} kr. blev registreret)",
                    month_text(r.period),
                    r.note,
                    taken.to_danish(),
                    r.amount.to_danish()
                )
            } else {
                format!("tilbagebetaling efter stikprøvekontrol af {}: {}", month_text(r.period), r.note)
            },
        },
        paying_frame: r.booking.paying_frame.clone(),
        need_frame: r.booking.need_frame.clone(),
        account: r.booking.account.clone(),
        participant_shares: Vec::new(),
        corrects_line_id: None,
        share_percent: 100,
        period: Some(r.period),
    };
    StoredLine {
        line,
        target_period: TargetPeriod::Month(r.period),
        frames,
    }
}

/// A month in Danish words, e.g. `april 2026`.
fn month_text(period: Period) -> String {
    const MONTHS: [&str; 12] = [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ];
    let range: DateRange = period.range();
    use chrono::Datelike as _;
    let first = range.first();
    format!("{} {}", MONTHS[first.month0() as usize], first.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(grant: &str, visited: u64, delivered: u64, amount: i64) -> Candidate {
        Candidate {
            grant_id: GrantId::new(grant),
            provider_id: ProviderId::new("nord"),
            citizen_id: CitizenId::new("c"),
            visited_minutes: visited,
            delivered_minutes: delivered,
            amount: Ore::new(amount),
            booking: Booking::default(),
        }
    }

    fn settings(seed: u64) -> Settings {
        Settings {
            threshold_percent: 20,
            sample_size: 2,
            highest_count: 1,
            seed,
        }
    }

    #[test]
    fn deviations_beyond_the_threshold_are_listed_both_ways() {
        // 1,200 delivered on 1,000 visited is exactly 20 %: not beyond it; 1,201 is.
        assert_eq!(candidate("g", 1_000, 1_200, 1).deviates(20), None);
        assert_eq!(candidate("g", 1_000, 1_201, 1).deviates(20), Some(Reason::OverDelivered));
        assert_eq!(candidate("g", 1_000, 799, 1).deviates(20), Some(Reason::UnderDelivered));
        assert_eq!(candidate("g", 0, 1, 1).deviates(20), Some(Reason::OverDelivered));
        assert_eq!(candidate("g", 0, 0, 1).deviates(0), None);
        assert_eq!(candidate("g", 300, 1_200, 1).deviation(), 900);
    }

    #[test]
    fn the_sample_depends_on_the_seed_only() {
        let all: Vec<Candidate> = (0..40).map(|i| candidate(&format!("g{i:02}"), 100, 100, 1_000 + i)).collect();
        let mut reversed = all.clone();
        reversed.reverse();
        let sampled = |items: Vec<Item>| -> Vec<GrantId> {
            items
                .into_iter()
                .filter(|i| i.reasons.contains(&Reason::Sample))
                .map(|i| i.candidate.grant_id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        let first = sampled(select(&all, &settings(7)));
        assert_eq!(first.len(), 2);
        assert_eq!(first, sampled(select(&reversed, &settings(7))));
        // The highest amount (g39) is listed for that, never drawn.
        assert!(!first.contains(&GrantId::new("g39")));
        let others: BTreeSet<Vec<GrantId>> = (1..6).map(|seed| sampled(select(&all, &settings(seed)))).collect();
        assert!(others.len() > 1, "other seeds draw other samples");
    }

    proptest::proptest! {
        /// Whatever the month: every deviation is listed, the highest amounts are the largest,
        /// the sample is as large as asked (or the rest), and none of it depends on the order
        /// the grants were read in.
        #[test]
        fn the_list_holds_what_the_rules_say(
            figures in proptest::collection::vec((0_u64..2_000, 0_u64..2_000, 0_i64..100_000), 0..60),
            threshold in 0_u32..60,
            sample in 0_u32..8,
            highest in 0_u32..8,
            seed: u64,
        ) {
            let all: Vec<Candidate> = figures
                .iter()
                .enumerate()
                .map(|(i, &(visited, delivered, amount))| candidate(&format!("g{i:03}"), visited, delivered, amount))
                .collect();
            let s = Settings { threshold_percent: threshold, sample_size: sample, highest_count: highest, seed };
            let items = select(&all, &s);
            let with = |reason: Reason| -> BTreeSet<GrantId> {
                items.iter().filter(|i| i.reasons.contains(&reason)).map(|i| i.candidate.grant_id.clone()).collect()
            };
            // Deviations, recomputed plainly.
            let deviating: BTreeSet<GrantId> = all
                .iter()
                .filter(|c| c.delivered_minutes.abs_diff(c.visited_minutes) * 100 > u64::from(threshold) * c.visited_minutes)
                .map(|c| c.grant_id.clone())
                .collect();
            let mut listed = with(Reason::OverDelivered);
            listed.extend(with(Reason::UnderDelivered));
            proptest::prop_assert_eq!(&listed, &deviating);
            // The highest amounts: as many as asked among the paid, none smaller than any other.
            let paid = all.iter().filter(|c| c.amount > Ore::ZERO).count();
            let top = with(Reason::HighestAmount);
            proptest::prop_assert_eq!(top.len(), paid.min(highest as usize));
            let floor = all.iter().filter(|c| top.contains(&c.grant_id)).map(|c| c.amount).min();
            if let Some(floor) = floor {
                proptest::prop_assert!(all.iter().filter(|c| !top.contains(&c.grant_id)).all(|c| c.amount <= floor));
            }
            // The sample: drawn from the rest only.
            let rest = all.iter().filter(|c| !deviating.contains(&c.grant_id) && !top.contains(&c.grant_id)).count();
            let drawn = with(Reason::Sample);
            proptest::prop_assert_eq!(drawn.len(), rest.min(sample as usize));
            proptest::prop_assert!(drawn.iter().all(|g| !deviating.contains(g) && !top.contains(g)));
            let mut reversed = all.clone();
            reversed.reverse();
            proptest::prop_assert_eq!(select(&reversed, &s), items);
        }
    }

    #[test]
    fn deviations_come_first_then_the_largest_amounts() {
        let all = [
            candidate("small", 100, 100, 10),
            candidate("over", 100, 500, 20),
            candidate("big", 100, 100, 900),
        ];
        let s = Settings {
            sample_size: 0,
            ..settings(1)
        };
        let items = select(&all, &s);
        let order: Vec<(&str, Vec<Reason>)> = items.iter().map(|i| (i.candidate.grant_id.as_str(), i.reasons.clone())).collect();
        assert_eq!(
            order,
            vec![("over", vec![Reason::OverDelivered]), ("big", vec![Reason::HighestAmount])]
        );
    }

    #[test]
    fn a_recovery_line_pays_back_for_the_month_reviewed() {
        let april = Period::new(2026, 4).unwrap();
        let line = recovery_line(
            &Recovery {
                period: april,
                grant_id: GrantId::new("g"),
                citizen_id: CitizenId::new("c"),
                amount: Ore::new(47_500),
                note: "1.200 min. leveret, 300 visiteret".into(),
                booking: Booking {
                    paying_frame: "SOCIAL".into(),
                    ..Booking::default()
                },
            },
            Ore::new(261_250),
        );
        assert_eq!(line.line.amount_ore, Ore::new(-47_500));
        assert_eq!(line.frames[0].amount_ore, Ore::new(-47_500));
        assert_eq!(line.target_period, TargetPeriod::Month(april));
        assert!(
            line.line
                .explanation
                .text
                .starts_with("tilbagebetaling efter stikprøvekontrol af april 2026")
        );
        assert!(!LineKind::Recovery.pays());
    }

    #[test]
    fn a_recovery_never_takes_back_more_than_the_month_now_pays() {
        let recovery = Recovery {
            period: Period::new(2026, 4).unwrap(),
            grant_id: GrantId::new("g"),
            citizen_id: CitizenId::new("c"),
            amount: Ore::new(200_000),
            note: "for meget leveret".into(),
            booking: Booking {
                paying_frame: "SOCIAL".into(),
                ..Booking::default()
            },
        };
        // Revisited since: the month now pays 870.83 kr. for the grant, not 2,612.50.
        let line = recovery_line(&recovery, Ore::new(87_083));
        assert_eq!(line.line.amount_ore, Ore::new(-87_083));
        assert!(
            line.line
                .explanation
                .text
                .contains("begrænset til 870,83 kr., som måneden nu betaler for bevillingen; 2.000,00 kr. blev registreret"),
            "{}",
            line.line.explanation.text
        );
        // Paying nothing (or less) now, nothing is taken back; still the line that carries it.
        assert_eq!(recovery_line(&recovery, Ore::new(-5_000)).line.amount_ore, Ore::ZERO);
        // Paying more, the recovery as recorded.
        let line = recovery_line(&recovery, Ore::new(261_250));
        assert_eq!(line.line.amount_ore, Ore::new(-200_000));
        assert!(!line.line.explanation.text.contains("begrænset"));
    }

    #[test]
    fn a_recovery_is_taken_back_from_the_frames_in_proportion_to_what_they_paid() {
        let part = |frame: &str, ore: i64| FramePart {
            paying_frame: frame.into(),
            need_frame: frame.into(),
            account: format!("acc-{frame}"),
            amount_ore: Ore::new(ore),
        };
        let recovery = |amount: i64, frames: Vec<FramePart>| {
            recovery_line(
                &Recovery {
                    period: Period::new(2026, 4).unwrap(),
                    grant_id: GrantId::new("g"),
                    citizen_id: CitizenId::new("c"),
                    amount: Ore::new(amount),
                    note: "n".into(),
                    booking: Booking {
                        frames,
                        paying_frame: "LARGEST".into(),
                        ..Booking::default()
                    },
                },
                Ore::new(i64::MAX),
            )
        };
        let parts = |line: &StoredLine| {
            line.frames
                .iter()
                .map(|f| (f.paying_frame.clone(), f.amount_ore.get()))
                .collect::<Vec<_>>()
        };
        // A maintaining course's April: SOCIAL 33,600.00 and HEALTH 8,400.00 kr.
        let line = recovery(100_000, vec![part("SOCIAL", 3_360_000), part("HEALTH", 840_000)]);
        assert_eq!(parts(&line), [("SOCIAL".to_owned(), -80_000), ("HEALTH".to_owned(), -20_000)]);
        assert_eq!(line.frames[1].account, "acc-HEALTH");
        // Thirds of 1.00 kr.: each rounded but the largest, which takes the rest; the sum holds.
        let line = recovery(100, vec![part("A", 1), part("B", 1), part("C", 2)]);
        assert_eq!(parts(&line), [("A".to_owned(), -25), ("B".to_owned(), -25), ("C".to_owned(), -50)]);
        let line = recovery(101, vec![part("A", 1), part("B", 1), part("C", 1)]);
        assert_eq!(line.frames.iter().map(|f| f.amount_ore.get()).sum::<i64>(), -101);
        // A frame that came to nothing or less takes nothing back; with none, the largest line's.
        let line = recovery(500, vec![part("A", -300), part("B", 0), part("C", 700)]);
        assert_eq!(parts(&line), [("C".to_owned(), -500)]);
        let line = recovery(500, vec![part("A", -300)]);
        assert_eq!(parts(&line), [("LARGEST".to_owned(), -500)]);
    }
}
