//! Statement lines: what a line pays for, why it costs what it does, and which frames pay it.

use std::fmt;
use std::str::FromStr;

use afregning_tariff::{Cpr, DateRange, Ore, Period, TimeBand};

use super::grant::UnitKind;
use super::ids::{CitizenId, GrantId, LineId, ProviderId, StatementId};

/// What a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LineKind {
    /// This month's pay for a grant.
    Regular,
    /// Negates an earlier issued line.
    Reversal,
    /// The new computation replacing a reversed line.
    Rebooking,
    /// The annual correction to the actual average cost.
    TrueUp,
    /// What an issued month now owes that no issued line of it matches.
    Supplement,
    /// Money paid back after the authority reviewed a month (negative).
    Recovery,
}

impl LineKind {
    /// Every kind, in code order.
    pub const ALL: [LineKind; 6] = [
        LineKind::Regular,
        LineKind::Reversal,
        LineKind::Rebooking,
        LineKind::TrueUp,
        LineKind::Supplement,
        LineKind::Recovery,
    ];

    /// The number stored and sent for the kind.
    pub fn code(self) -> i32 {
        match self {
            LineKind::Regular => 1,
            LineKind::Reversal => 2,
            LineKind::Rebooking => 3,
            LineKind::TrueUp => 4,
            LineKind::Supplement => 5,
            LineKind::Recovery => 6,
        }
    }

    /// The kind a stored or sent number stands for.
    pub fn from_code(code: i32) -> Option<LineKind> {
        LineKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The kind's name in exports.
    pub fn name(self) -> &'static str {
        match self {
            LineKind::Regular => "REGULAR",
            LineKind::Reversal => "REVERSAL",
            LineKind::Rebooking => "REBOOKING",
            LineKind::TrueUp => "TRUE_UP",
            LineKind::Supplement => "SUPPLEMENT",
            LineKind::Recovery => "RECOVERY",
        }
    }

    /// Whether a line of this kind stands as pay for its month until a reversal takes it back.
    pub fn pays(self) -> bool {
        matches!(self, LineKind::Regular | LineKind::Rebooking | LineKind::Supplement)
    }
}

/// Why a line costs what it does: the rule, its inputs and the catalog that priced it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    /// The tariff's rule code, e.g. `course.tariff`, `correction.reversal`.
    pub rule: String,
    /// The catalog version that priced the line.
    pub catalog_version: String,
    /// Per hour for activity lines, per week for day-priced lines.
    pub rate_ore: Ore,
    /// Minutes or days.
    pub quantity: i64,
    /// `minutes` or `days`.
    pub quantity_unit: String,
    /// The sentence a provider's accountant reads.
    pub text: String,
}

/// A participant's part of a course line paid to its lead, shown for information.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParticipantShare {
    /// The participant.
    pub provider_id: ProviderId,
    /// Whole percent.
    pub share_percent: u32,
    /// Its part of the line.
    pub amount_ore: Ore,
}

/// One line of a statement.
#[derive(Clone, Debug, PartialEq)]
pub struct StatementLine {
    /// Set when the line is numbered into its statement.
    pub line_id: LineId,
    /// Set when the line is numbered into its statement.
    pub statement_id: StatementId,
    /// 1-based order within the statement.
    pub line_no: u32,
    /// What the line is.
    pub kind: LineKind,
    /// Whose care it pays; empty on a true-up line (it sums many citizens).
    pub citizen_id: CitizenId,
    /// Shown only to the provider the statement is for; `None` for everyone else.
    pub cpr: Option<Cpr>,
    /// Empty on a true-up line.
    pub grant_id: GrantId,
    /// The grant version that priced the line (0 on a true-up line).
    pub grant_version: u32,
    /// `None` only where a mirrored grant named a unit kind this service does not know.
    pub unit_kind: Option<UnitKind>,
    /// Service category, package code or course type with level.
    pub unit: String,
    /// The days (day-priced lines) or the month (activity lines) the line covers.
    pub covers: DateRange,
    /// Set on activity lines.
    pub time_band: Option<TimeBand>,
    /// The line's amount, rounded once.
    pub amount_ore: Ore,
    /// Why it costs that.
    pub explanation: Explanation,
    /// The frame that pays.
    pub paying_frame: String,
    /// The frame that owns the need.
    pub need_frame: String,
    /// The paying frame's account.
    pub account: String,
    /// For a course settled with its lead: each participant's share, for information.
    pub participant_shares: Vec<ParticipantShare>,
    /// For corrections: the earlier line this one reverses or rebooks.
    pub corrects_line_id: Option<LineId>,
    /// This provider's share of the whole line: 100 unless the course is settled with each.
    pub share_percent: u32,
    /// The month the line pays for; `None` until the line is placed on a statement.
    pub period: Option<Period>,
}

/// What one frame pays of a line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FramePart {
    /// The frame that pays.
    pub paying_frame: String,
    /// The frame that owns the need.
    pub need_frame: String,
    /// The paying frame's account.
    pub account: String,
    /// Its part of the line.
    pub amount_ore: Ore,
}

/// A statement line with the frames that pay it.
#[derive(Clone, Debug, PartialEq)]
pub struct FramedLine {
    /// The line as the provider sees it.
    pub line: StatementLine,
    /// Paying frame, the need frame of that part, the paying frame's account, and the part of
    /// the amount; the parts add up to the line (a course type's catalog split, the largest share
    /// absorbing the rounding remainder). A part is a cross-frame purchase only when the grant
    /// is one: a course's own split across frames is not.
    pub frames: Vec<FramePart>,
}

/// The period a stored line pays for: a month, or a year's true-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetPeriod {
    /// A calendar month.
    Month(Period),
    /// The true-up of a year, booked in its December.
    TrueUp(i32),
}

impl TargetPeriod {
    /// The month its postings are booked in, and whether it is a true-up; `None` for a year
    /// beyond the calendar.
    pub fn booked_in(self) -> Option<(Period, bool)> {
        match self {
            TargetPeriod::Month(period) => Some((period, false)),
            TargetPeriod::TrueUp(year) => Some((Period::new(year, 12)?, true)),
        }
    }
}

impl fmt::Display for TargetPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetPeriod::Month(period) => write!(f, "{period}"),
            TargetPeriod::TrueUp(year) => write!(f, "{year:04}-true-up"),
        }
    }
}

/// Why a stored period text was not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a period written YYYY-MM or YYYY-true-up: {0:?}")]
pub struct NotAPeriod(pub String);

impl FromStr for TargetPeriod {
    type Err = NotAPeriod;

    fn from_str(text: &str) -> Result<TargetPeriod, NotAPeriod> {
        let wrong = || NotAPeriod(text.to_owned());
        match text.strip_suffix("-true-up") {
            Some(year) => year.parse().map(TargetPeriod::TrueUp).map_err(|_| wrong()),
            None => text.parse().map(TargetPeriod::Month).map_err(|_| wrong()),
        }
    }
}

/// A line as stored on a statement, with its frame split.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLine {
    /// The line (ids and numbers set).
    pub line: StatementLine,
    /// The period it pays for.
    pub target_period: TargetPeriod,
    /// How the line is split over frames.
    pub frames: Vec<FramePart>,
}

impl StoredLine {
    /// A priced line placed on a statement as paying for `period`.
    pub fn paying_for(framed: FramedLine, period: Period) -> StoredLine {
        let mut line = framed.line;
        line.period = Some(period);
        StoredLine {
            line,
            target_period: TargetPeriod::Month(period),
            frames: framed.frames,
        }
    }
}

/// Numbers `lines` in order and gives each its id within `statement`.
pub fn number_lines(statement: &StatementId, lines: &mut [StoredLine]) {
    for (i, l) in lines.iter_mut().enumerate() {
        l.line.line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        l.line.line_id = LineId::of(statement, i + 1);
        l.line.statement_id = statement.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_keep_their_numbers() {
        for kind in LineKind::ALL {
            assert_eq!(LineKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(LineKind::Supplement.code(), 5);
        assert!(LineKind::from_code(0).is_none());
        assert!(LineKind::Rebooking.pays() && !LineKind::Reversal.pays() && !LineKind::TrueUp.pays());
    }

    #[test]
    fn target_periods_read_as_stored() {
        let april: TargetPeriod = "2026-04".parse().unwrap();
        assert_eq!(april, TargetPeriod::Month(Period::new(2026, 4).unwrap()));
        assert_eq!(april.to_string(), "2026-04");
        let true_up: TargetPeriod = "2025-true-up".parse().unwrap();
        assert_eq!(true_up, TargetPeriod::TrueUp(2025));
        assert_eq!(true_up.to_string(), "2025-true-up");
        assert_eq!(true_up.booked_in(), Some((Period::new(2025, 12).unwrap(), true)));
        assert!("2025".parse::<TargetPeriod>().is_err());
    }
}

/// Lines for the rules' unit tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use chrono::NaiveDate;

    use super::*;

    /// A regular package line of grant `g1` on March 2026's days `first`–`last`.
    pub(crate) fn line(id: &str, version: u32, first: u32, last: u32, amount: i64) -> StatementLine {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        StatementLine {
            line_id: LineId::new(id),
            statement_id: StatementId::new("st-nord-2026-03"),
            line_no: 1,
            kind: LineKind::Regular,
            citizen_id: CitizenId::new("c1"),
            cpr: None,
            grant_id: GrantId::new("g1"),
            grant_version: version,
            unit_kind: Some(UnitKind::Package),
            unit: "personal_care_package".into(),
            covers: DateRange::new(day(first), day(last)).unwrap(),
            time_band: None,
            amount_ore: Ore::new(amount),
            explanation: Explanation {
                rule: "package.pro_rata".into(),
                catalog_version: "2026.1".into(),
                rate_ore: Ore::new(70_000),
                quantity: i64::from(last - first + 1),
                quantity_unit: "days".into(),
                text: "priced".into(),
            },
            paying_frame: "SOCIAL".into(),
            need_frame: "SOCIAL".into(),
            account: "5.30.26".into(),
            participant_shares: Vec::new(),
            corrects_line_id: None,
            share_percent: 100,
            period: None,
        }
    }

    /// `line` with one frame paying all of it.
    pub(crate) fn framed(l: StatementLine) -> FramedLine {
        let frames = vec![FramePart {
            paying_frame: l.paying_frame.clone(),
            need_frame: l.need_frame.clone(),
            account: l.account.clone(),
            amount_ore: l.amount_ore,
        }];
        FramedLine { line: l, frames }
    }

    /// A March line split over `frames`.
    pub(crate) fn stored_with_frames(frames: Vec<FramePart>) -> StoredLine {
        let mut s = StoredLine::paying_for(framed(line("l1", 1, 1, 31, 0)), Period::new(2026, 3).unwrap());
        s.frames = frames;
        s
    }
}
