//! Settlement runs: every provider's month priced into a draft statement, with correction lines
//! for earlier months that would now price differently, and the inputs copied beside it.
//!
//! A run is a pure function of what the store holds, written provider by provider in one
//! transaction each, so running a period again — or again after a crash half-way — rewrites the
//! same drafts. Issued statements are never touched; what changed in an issued month becomes a
//! reversal of each changed line and, where the new computation has one, a rebooking, both
//! pointing at the original, on the provider's draft for the month being run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use afregning_kit::ApiError;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::visitation::v1 as pbv;
use afregning_tariff::pricing::{QuantityUnit, Rule, frame_shares_of_code, largest_share, split_by_percent};
use afregning_tariff::true_up::{PaidQuantity, true_up_line};
use afregning_tariff::{CatalogSet, Ore, Period};
use chrono::{DateTime, Utc};
use prost::Message;

use crate::engine::{self, DeliveredVisit, FramePart, FramedLine};
use crate::store::{Input, StatementRow, StatementTx, Store, StoredLine};

/// How many months back an issued statement is checked for corrections.
pub const CORRECTION_MONTHS: u32 = 13;

/// The id of a provider's statement for a period.
pub fn statement_id(provider_id: &str, period: Period) -> String {
    format!("st-{provider_id}-{period}")
}

/// Prices providers' months.
#[derive(Clone)]
pub struct Runner {
    store: Store,
    catalogs: Arc<CatalogSet>,
}

/// What one provider's month came to.
pub struct ProviderResult {
    /// Lines written to the draft.
    pub lines: usize,
    /// The draft's total.
    pub total: Ore,
}

fn period_of(text: &str) -> Option<Period> {
    let (y, m) = text.split_once('-')?;
    Period::new(y.parse().ok()?, m.parse().ok()?)
}

/// A line's identity for comparing an issued month with its new computation.
fn signature(line: &pb::StatementLine) -> String {
    let e = line.explanation.clone().unwrap_or_default();
    let covers = line.covers.map(|c| format!("{:?}", (c.first, c.last))).unwrap_or_default();
    format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
        line.grant_id,
        line.unit,
        covers,
        line.time_band,
        e.rate_ore,
        e.quantity,
        line.amount_ore,
        e.catalog_version,
        line.paying_frame,
        line.need_frame
    )
}

fn stored(framed: FramedLine, target_period: Period) -> StoredLine {
    let mut line = framed.line;
    line.period = Some(pb_period(target_period));
    StoredLine {
        line,
        target_period: target_period.to_string(),
        frames: framed.frames,
    }
}

/// An issued month's effective lines against its new computation: the issued lines no new line
/// matches (to reverse), and the new lines no issued line matches (to book).
fn compare(effective: Vec<StoredLine>, fresh: Vec<FramedLine>) -> (Vec<StoredLine>, Vec<FramedLine>) {
    let mut unmatched = fresh;
    let mut reversed = Vec::new();
    for old in effective {
        let sig = signature(&old.line);
        match unmatched.iter().position(|n| signature(&n.line) == sig) {
            Some(i) => {
                unmatched.remove(i);
            }
            None => reversed.push(old),
        }
    }
    (reversed, unmatched)
}

/// The reversal of an issued line of month `q`: its amount, shares and frame parts negated.
fn reversal(old: &StoredLine, q: Period) -> StoredLine {
    let mut line = old.line.clone();
    line.kind = pb::LineKind::Reversal as i32;
    line.amount_ore = -old.line.amount_ore;
    line.corrects_line_id = old.line.line_id.clone();
    line.period = Some(pb_period(q));
    line.participant_shares.iter_mut().for_each(|s| s.amount_ore = -s.amount_ore);
    if let Some(e) = line.explanation.as_mut() {
        e.rule = Rule::Reversal.code().into();
        e.text = format!("reverses line {} for {q}: {}", old.line.line_id, e.text);
    }
    let frames = old
        .frames
        .iter()
        .map(|f| FramePart {
            amount_ore: -f.amount_ore,
            ..f.clone()
        })
        .collect();
    StoredLine {
        line,
        target_period: q.to_string(),
        frames,
    }
}

/// The reversed line a new line of the same grant takes the place of: the one of the same
/// version, time band and days if there is one, else of overlapping days; none for a line on days
/// no reversed line covered (a supplement).
fn stands_in_for<'a>(reversed: &'a [StoredLine], new: &pb::StatementLine) -> Option<&'a String> {
    let of_grant = || reversed.iter().filter(|r| r.line.grant_id == new.grant_id);
    let days = |l: &pb::StatementLine| l.covers.map(|c| (c.first.map(date_key), c.last.map(date_key)));
    let overlaps = |l: &pb::StatementLine| match (days(l), days(new)) {
        (Some((Some(a1), Some(a2))), Some((Some(b1), Some(b2)))) => a1 <= b2 && b1 <= a2,
        _ => false,
    };
    of_grant()
        .find(|r| r.line.grant_version == new.grant_version && r.line.time_band == new.time_band && overlaps(&r.line))
        .or_else(|| of_grant().find(|r| r.line.time_band == new.time_band && overlaps(&r.line)))
        .or_else(|| of_grant().find(|r| overlaps(&r.line)))
        .map(|r| &r.line.line_id)
}

fn date_key(d: pbc::Date) -> (i32, i32, i32) {
    (d.year, d.month, d.day)
}

impl Runner {
    /// A runner over `store` pricing with `catalogs`.
    pub fn new(store: Store, catalogs: Arc<CatalogSet>) -> Runner {
        Runner { store, catalogs }
    }

    /// The catalogs it prices with.
    pub fn catalogs(&self) -> &CatalogSet {
        &self.catalogs
    }

    /// The provider's regular lines for `period`, ordered by citizen, grant, date and band.
    async fn regular(&self, provider_id: &str, period: Period) -> Result<(Vec<FramedLine>, Vec<Input>), ApiError> {
        let grants = self.store.grants_of_provider(provider_id).await?;
        let deliveries = self.store.provider_deliveries(provider_id, &period.to_string()).await?;
        let visits = VisitsByGrant::of(&deliveries);
        let mut lines = Vec::new();
        let mut inputs = Vec::new();
        for versions in &grants {
            let priced = engine::price_grant_for_provider(provider_id, versions, visits.of_grant(versions), period, &self.catalogs)
                .map_err(|e| ApiError::precondition("period", e.to_string()))?;
            if priced.is_empty() {
                continue;
            }
            for v in versions {
                inputs.push(Input {
                    kind: "grant_version",
                    key: format!("{}:{}", v.grant_id, v.version),
                    payload: v.encode_to_vec(),
                });
            }
            lines.extend(priced);
        }
        for d in &deliveries {
            inputs.push(Input {
                kind: "delivery",
                key: d.delivery_id.clone(),
                payload: format!("{}|{}|{}|{}", d.grant_id, d.started_at, d.minutes, d.revision).into_bytes(),
            });
        }
        let cprs = self.store.provider_citizens(provider_id).await?;
        for l in &mut lines {
            l.line.cpr = cprs.get(&l.line.citizen_id).cloned().unwrap_or_default();
        }
        lines.sort_by(|a, b| {
            let key = |l: &FramedLine| {
                (
                    l.line.citizen_id.clone(),
                    l.line.grant_id.clone(),
                    l.line.covers.and_then(|c| c.first).map(|d| (d.year, d.month, d.day)),
                    l.line.time_band,
                )
            };
            key(a).cmp(&key(b))
        });
        Ok((lines, inputs))
    }

    /// The earlier months whose figures for the provider stand issued: those it has an issued
    /// statement for, and every settled month it has no statement for (what it is owed there comes
    /// as supplements). A month it has a draft for waits for that draft.
    async fn issued_months(&self, provider_id: &str, period: Period, settled: &[String]) -> Result<Vec<Period>, ApiError> {
        let own = self.store.statement_periods(provider_id).await?;
        Ok((1..=CORRECTION_MONTHS as i32)
            .rev()
            .filter_map(|back| period.plus_months(-back))
            .filter(|q| {
                let q = q.to_string();
                match own.iter().find(|(p, _)| *p == q) {
                    Some((_, state)) => *state == crate::store::ISSUED,
                    None => settled.contains(&q),
                }
            })
            .collect())
    }

    /// Correction lines for the provider's issued months before `period`.
    async fn corrections(&self, provider_id: &str, period: Period, settled: &[String]) -> Result<(Vec<StoredLine>, Vec<Input>), ApiError> {
        let mut out = Vec::new();
        let mut inputs = Vec::new();
        for q in self.issued_months(provider_id, period, settled).await? {
            let effective = self.store.effective_lines(provider_id, &q.to_string()).await?;
            let (fresh, fresh_inputs) = self.regular(provider_id, q).await?;
            let (reversed, unmatched) = compare(effective, fresh);
            if reversed.is_empty() && unmatched.is_empty() {
                continue;
            }
            inputs.extend(fresh_inputs);
            out.extend(reversed.iter().map(|old| reversal(old, q)));
            for new in unmatched {
                let original = stands_in_for(&reversed, &new.line);
                let mut s = stored(new, q);
                let e = s.line.explanation.get_or_insert_with(Default::default);
                match original {
                    Some(original) => {
                        s.line.kind = pb::LineKind::Rebooking as i32;
                        s.line.corrects_line_id = original.clone();
                        e.rule = Rule::Rebooking.code().into();
                        e.text = format!("rebooks line {original} for {q}: {}", e.text);
                    }
                    None => {
                        s.line.kind = pb::LineKind::Supplement as i32;
                        e.rule = Rule::Supplement.code().into();
                        e.text = format!("supplement for {q}: {}", e.text);
                    }
                }
                out.push(s);
            }
        }
        Ok((out, inputs))
    }

    /// Prices one provider's month and writes its draft (or removes an empty one).
    pub async fn provider_month(&self, provider_id: &str, period: Period, now: DateTime<Utc>) -> Result<ProviderResult, ApiError> {
        let id = statement_id(provider_id, period);
        let existing = self.store.statement(&id).await?;
        // Read once per provider's month: which months are settled decides both this month's
        // draft and the corrections it carries.
        let settled = self.store.settled_periods().await?;
        let closed = existing.is_none() && settled.contains(&period.to_string());
        if existing.is_some_and(|s| s.state == crate::store::ISSUED) || closed {
            // An issued month is final, and a settled month gets no new statement; what changed in
            // it waits for the provider's next open month, as corrections and supplements.
            return Ok(ProviderResult {
                lines: 0,
                total: Ore::ZERO,
            });
        }
        let (regular, mut inputs) = self.regular(provider_id, period).await?;
        // Normally nothing: unless later statements already carried this month as supplements,
        // in which case the draft holds only what they have not.
        let paid_elsewhere = self.store.effective_lines(provider_id, &period.to_string()).await?;
        let (reversed, regular) = compare(paid_elsewhere, regular);
        let (corrections, correction_inputs) = self.corrections(provider_id, period, &settled).await?;
        inputs.extend(correction_inputs);
        let mut lines: Vec<StoredLine> = reversed.iter().map(|old| reversal(old, period)).collect();
        lines.extend(regular.into_iter().map(|l| stored(l, period)));
        lines.extend(corrections);
        number_lines(&id, &mut lines);
        let row = draft_row(id, provider_id, period.to_string(), &lines, now)?;
        for version in row.catalog_versions.split(',').filter(|v| !v.is_empty()) {
            if let Some(catalog) = self.catalogs.by_version(version) {
                inputs.push(Input {
                    kind: "catalog",
                    key: version.to_owned(),
                    payload: catalog.to_toml_string().into_bytes(),
                });
            }
        }
        if let Some(provider) = self.store.provider(provider_id).await? {
            inputs.push(Input {
                kind: "provider",
                key: provider_id.to_owned(),
                payload: provider.encode_to_vec(),
            });
        }
        let mut tx = self.store.storage.begin().await?;
        tx.write_draft(&row, &lines, &inputs).await?;
        self.store.storage.commit(tx).await?;
        let total = Ore::new(row.total_ore);
        Ok(ProviderResult { lines: lines.len(), total })
    }
}

/// Stored deliveries as the engine prices them, by grant: each grant is priced with its own
/// visits, not by searching all of the provider's.
#[derive(Default)]
pub struct VisitsByGrant(HashMap<String, Vec<DeliveredVisit>>);

impl VisitsByGrant {
    /// Groups `deliveries`.
    pub fn of(deliveries: &[crate::store::DeliveryRow]) -> VisitsByGrant {
        let mut by_grant: HashMap<String, Vec<DeliveredVisit>> = HashMap::new();
        for d in deliveries {
            let Ok(started_at) = DateTime::parse_from_rfc3339(&d.started_at) else {
                continue;
            };
            let Ok(minutes) = u32::try_from(d.minutes) else { continue };
            by_grant.entry(d.grant_id.clone()).or_default().push(DeliveredVisit {
                grant_id: d.grant_id.clone(),
                started_at: started_at.with_timezone(&Utc),
                minutes,
            });
        }
        VisitsByGrant(by_grant)
    }

    /// The visits on the grant whose versions these are.
    pub fn of_grant(&self, versions: &[pbv::Grant]) -> &[DeliveredVisit] {
        versions
            .first()
            .and_then(|v| self.0.get(&v.grant_id))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// Numbers `lines` in order and gives each its id within statement `id`.
fn number_lines(id: &str, lines: &mut [StoredLine]) {
    for (i, l) in lines.iter_mut().enumerate() {
        l.line.line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        l.line.line_id = format!("{id}-{:05}", i + 1);
        l.line.statement_id = id.to_owned();
    }
}

/// A draft statement's header for `lines`: their total and the catalogs that priced them.
fn draft_row(id: String, provider_id: &str, period: String, lines: &[StoredLine], now: DateTime<Utc>) -> Result<StatementRow, ApiError> {
    let total = Ore::sum(lines.iter().map(|l| Ore::new(l.line.amount_ore))).map_err(|e| ApiError::Internal(e.into()))?;
    let versions: BTreeSet<String> = lines
        .iter()
        .filter_map(|l| l.line.explanation.as_ref().map(|e| e.catalog_version.clone()))
        .collect();
    Ok(StatementRow {
        statement_id: id,
        provider_id: provider_id.to_owned(),
        period,
        state: crate::store::DRAFT,
        total_ore: total.get(),
        line_count: lines.len() as i64,
        catalog_versions: versions.into_iter().collect::<Vec<_>>().join(","),
        content_hash: String::new(),
        computed_at: afregning_kit::store::timestamp(now),
        issued_at: None,
    })
}

/// What a true-up groups a provider's issued lines of a year by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct TrueUpGroup {
    unit: String,
    rate_ore: i64,
    quantity_unit: String,
    catalog_version: String,
    share_percent: u32,
    paying_frame: String,
    need_frame: String,
}

/// The wire form of a stored statement.
pub fn pb_statement(row: &StatementRow) -> pb::Statement {
    let parse = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t).ok().map(|at| prost_types::Timestamp {
            seconds: at.timestamp(),
            nanos: at.timestamp_subsec_nanos() as i32,
        })
    };
    let period = wire_period(&row.period);
    pb::Statement {
        statement_id: row.statement_id.clone(),
        provider_id: row.provider_id.clone(),
        period: period.as_ref().map(|(p, _)| *p),
        true_up: period.is_some_and(|(_, true_up)| true_up),
        state: if row.state == crate::store::ISSUED {
            pb::StatementState::Issued
        } else {
            pb::StatementState::Draft
        } as i32,
        total_ore: row.total_ore,
        line_count: u32::try_from(row.line_count).unwrap_or_default(),
        issuer: "Afregning".into(),
        content_hash: row.content_hash.clone(),
        computed_at: parse(&row.computed_at),
        issued_at: row.issued_at.as_deref().and_then(parse),
        catalog_versions: row
            .catalog_versions
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    }
}

/// The stored period text of a provider's true-up statement for `year`.
pub fn true_up_period(year: i32) -> String {
    format!("{year:04}-true-up")
}

/// A month on the wire.
pub fn pb_period(p: Period) -> pbc::Period {
    pbc::Period {
        year: p.year(),
        month: p.month() as i32,
    }
}

/// A stored period text on the wire: `YYYY-MM`, or a true-up's year with December (the month
/// its postings are booked in).
pub fn wire_period(text: &str) -> Option<(pbc::Period, bool)> {
    if let Some(year) = text.strip_suffix("-true-up") {
        return Some((
            pbc::Period {
                year: year.parse().ok()?,
                month: 12,
            },
            true,
        ));
    }
    Some((pb_period(period_of(text)?), false))
}

impl Runner {
    /// Writes each provider's true-up draft for `year`: for every unit with an actual cost, the
    /// lines issued for the year grouped by paid rate and share, trued up once per group.
    pub async fn true_up(&self, year: i32, actual: &BTreeMap<String, Ore>, now: DateTime<Utc>) -> Result<Vec<StatementRow>, ApiError> {
        let out_of_range = || ApiError::invalid("year", "out of range");
        let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(out_of_range)?;
        let last = chrono::NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(out_of_range)?;
        let range = afregning_tariff::DateRange::new(first, last).ok_or_else(out_of_range)?;
        let mut drafts = Vec::new();
        for provider_id in self.store.provider_ids().await? {
            let groups = self.issued_groups(&provider_id, year, actual).await?;
            let id = format!("st-{provider_id}-{}", true_up_period(year));
            let mut lines = Vec::new();
            for (group, (quantity, sample)) in groups {
                if let Some(line) = self.true_up_line(group, quantity, &sample, actual, range, year)? {
                    lines.push(line);
                }
            }
            number_lines(&id, &mut lines);
            let row = draft_row(id, &provider_id, true_up_period(year), &lines, now)?;
            let mut tx = self.store.storage.begin().await?;
            tx.write_draft(&row, &lines, &[]).await?;
            self.store.storage.commit(tx).await?;
            if !lines.is_empty() {
                drafts.push(row);
            }
        }
        Ok(drafts)
    }

    /// The provider's effective lines issued for `year`, of units with an actual cost, summed by
    /// group: the quantity and one line of the group to take its account from.
    async fn issued_groups(
        &self,
        provider_id: &str,
        year: i32,
        actual: &BTreeMap<String, Ore>,
    ) -> Result<BTreeMap<TrueUpGroup, (u64, pb::StatementLine)>, ApiError> {
        let mut groups: BTreeMap<TrueUpGroup, (u64, pb::StatementLine)> = BTreeMap::new();
        for month in 1..=12 {
            let period = Period::new(year, month).ok_or_else(|| ApiError::invalid("year", "out of range"))?;
            for l in self.store.effective_lines(provider_id, &period.to_string()).await? {
                let e = l.line.explanation.clone().unwrap_or_default();
                // Visited-basis activity is priced from minutes per week, not a quantity of the rate.
                if !actual.contains_key(&l.line.unit) || e.rule == Rule::ActivityVisited.code() {
                    continue;
                }
                let group = TrueUpGroup {
                    unit: l.line.unit.clone(),
                    rate_ore: e.rate_ore,
                    quantity_unit: e.quantity_unit.clone(),
                    catalog_version: e.catalog_version.clone(),
                    share_percent: l.line.share_percent.max(1),
                    paying_frame: l.line.paying_frame.clone(),
                    need_frame: l.line.need_frame.clone(),
                };
                groups.entry(group).or_insert((0, l.line.clone())).0 += u64::try_from(e.quantity).unwrap_or(0);
            }
        }
        Ok(groups)
    }

    /// One group's true-up line, split over frames as its unit is; `None` when nothing is owed.
    fn true_up_line(
        &self,
        group: TrueUpGroup,
        quantity: u64,
        sample: &pb::StatementLine,
        actual: &BTreeMap<String, Ore>,
        range: afregning_tariff::DateRange,
        year: i32,
    ) -> Result<Option<StoredLine>, ApiError> {
        let quantity_unit = if group.quantity_unit == QuantityUnit::Minutes.code() {
            QuantityUnit::Minutes
        } else {
            QuantityUnit::Days
        };
        let paid = PaidQuantity {
            unit: group.unit.clone(),
            quantity,
            quantity_unit,
            paid_rate: Ore::new(group.rate_ore),
            catalog_version: group.catalog_version.clone(),
            share_percent: group.share_percent,
        };
        let priced = true_up_line(&paid, actual[&group.unit], range).map_err(|e| ApiError::Internal(e.into()))?;
        if priced.amount == Ore::ZERO {
            return Ok(None);
        }
        let catalog = self.catalogs.by_version(&group.catalog_version);
        let shares = match catalog {
            Some(catalog) => frame_shares_of_code(&group.unit, &group.paying_frame, catalog),
            None => vec![(group.paying_frame.clone(), 100)],
        };
        let cross_frame = group.paying_frame != group.need_frame;
        let frames = split_by_percent(priced.amount, &shares, largest_share(&shares))
            .map_err(|e| ApiError::Internal(e.into()))?
            .into_iter()
            .map(|(frame, ore)| FramePart {
                need_frame: if cross_frame { group.need_frame.clone() } else { frame.clone() },
                account: catalog
                    .and_then(|c| c.frames.get(&frame))
                    .map(|f| f.account.clone())
                    .unwrap_or_default(),
                paying_frame: frame,
                amount_ore: ore.get(),
            })
            .collect();
        let e = &priced.explanation;
        let line = pb::StatementLine {
            kind: pb::LineKind::TrueUp as i32,
            unit: group.unit,
            unit_kind: sample.unit_kind,
            covers: Some(pbc::DateRange {
                first: Some(pbc::Date { year, month: 1, day: 1 }),
                last: Some(pbc::Date { year, month: 12, day: 31 }),
            }),
            amount_ore: priced.amount.get(),
            explanation: Some(pbc::LineExplanation {
                rule: e.rule.code().to_owned(),
                catalog_version: e.catalog_version.clone(),
                rate_ore: e.rate.get(),
                quantity: i64::try_from(e.quantity).unwrap_or(i64::MAX),
                quantity_unit: e.quantity_unit.code().to_owned(),
                text: e.text.clone(),
            }),
            paying_frame: group.paying_frame,
            need_frame: group.need_frame,
            account: sample.account.clone(),
            share_percent: group.share_percent,
            period: Some(pbc::Period { year, month: 12 }),
            ..Default::default()
        };
        Ok(Some(StoredLine {
            line,
            target_period: true_up_period(year),
            frames,
        }))
    }
}
