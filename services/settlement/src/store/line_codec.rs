//! A statement line's encoding: the wire message `StatementLine`, which is also how a line is
//! stored and what an issued statement's seal hashes. Written once, here, so a stored line, the
//! seal and the API always agree byte for byte.

use afregning_proto::common::v1 as pbc;
use afregning_proto::convert::time_band;
use afregning_proto::settlement::v1 as pb;
use afregning_tariff::{Cpr, DateRange, Ore, Period};

use crate::domain::grant::UnitKind;
use crate::domain::ids::{CitizenId, GrantId, LineId, ProviderId, StatementId};
use crate::domain::line::{Explanation, LineKind, ParticipantShare, StatementLine};

pub(crate) fn wire_unit_kind(kind: Option<UnitKind>) -> i32 {
    (match kind {
        Some(UnitKind::Service) => pbc::UnitKind::Service,
        Some(UnitKind::Package) => pbc::UnitKind::Package,
        Some(UnitKind::Course) => pbc::UnitKind::Course,
        None => pbc::UnitKind::Unspecified,
    }) as i32
}

pub(crate) fn unit_kind_of_wire(kind: i32) -> Option<UnitKind> {
    match pbc::UnitKind::try_from(kind) {
        Ok(pbc::UnitKind::Service) => Some(UnitKind::Service),
        Ok(pbc::UnitKind::Package) => Some(UnitKind::Package),
        Ok(pbc::UnitKind::Course) => Some(UnitKind::Course),
        _ => None,
    }
}

/// A statement line on the wire (and as stored: the seal hashes this encoding).
pub(crate) fn wire_line(l: &StatementLine) -> pb::StatementLine {
    let e = &l.explanation;
    pb::StatementLine {
        line_id: l.line_id.to_string(),
        statement_id: l.statement_id.to_string(),
        line_no: l.line_no,
        kind: l.kind.code(),
        citizen_id: l.citizen_id.to_string(),
        cpr: l.cpr.as_ref().map(Cpr::expose).unwrap_or_default(),
        grant_id: l.grant_id.to_string(),
        grant_version: l.grant_version,
        unit_kind: wire_unit_kind(l.unit_kind),
        unit: l.unit.clone(),
        covers: Some(pbc::DateRange::from(l.covers)),
        time_band: l.time_band.map_or(pbc::TimeBand::Unspecified, pbc::TimeBand::from) as i32,
        amount_ore: l.amount_ore.get(),
        explanation: Some(pbc::LineExplanation {
            rule: e.rule.clone(),
            catalog_version: e.catalog_version.clone(),
            rate_ore: e.rate_ore.get(),
            quantity: e.quantity,
            quantity_unit: e.quantity_unit.clone(),
            text: e.text.clone(),
        }),
        paying_frame: l.paying_frame.clone(),
        need_frame: l.need_frame.clone(),
        account: l.account.clone(),
        participant_shares: l
            .participant_shares
            .iter()
            .map(|s| pb::ParticipantShare {
                provider_id: s.provider_id.to_string(),
                share_percent: s.share_percent,
                amount_ore: s.amount_ore.get(),
            })
            .collect(),
        corrects_line_id: l.corrects_line_id.as_ref().map(ToString::to_string).unwrap_or_default(),
        share_percent: l.share_percent,
        period: l.period.map(pbc::Period::from),
    }
}

/// A stored line's wire message read back; what does not read names the field.
pub(crate) fn line_of_wire(l: &pb::StatementLine) -> Result<StatementLine, String> {
    let e = l.explanation.clone().unwrap_or_default();
    let covers = l
        .covers
        .as_ref()
        .ok_or("covers missing")
        .and_then(|c| DateRange::try_from(c).map_err(|_| "covers"))?;
    Ok(StatementLine {
        line_id: LineId::new(&l.line_id),
        statement_id: StatementId::new(&l.statement_id),
        line_no: l.line_no,
        kind: LineKind::from_code(l.kind).ok_or("kind")?,
        citizen_id: CitizenId::new(&l.citizen_id),
        cpr: if l.cpr.is_empty() {
            None
        } else {
            Some(Cpr::parse(&l.cpr).map_err(|_| "cpr")?)
        },
        grant_id: GrantId::new(&l.grant_id),
        grant_version: l.grant_version,
        unit_kind: unit_kind_of_wire(l.unit_kind),
        unit: l.unit.clone(),
        covers,
        time_band: match l.time_band {
            0 => None,
            band => Some(time_band(band).map_err(|_| "time_band")?),
        },
        amount_ore: Ore::new(l.amount_ore),
        explanation: Explanation {
            rule: e.rule,
            catalog_version: e.catalog_version,
            rate_ore: Ore::new(e.rate_ore),
            quantity: e.quantity,
            quantity_unit: e.quantity_unit,
            text: e.text,
        },
        paying_frame: l.paying_frame.clone(),
        need_frame: l.need_frame.clone(),
        account: l.account.clone(),
        participant_shares: l
            .participant_shares
            .iter()
            .map(|s| ParticipantShare {
                provider_id: ProviderId::new(&s.provider_id),
                share_percent: s.share_percent,
                amount_ore: Ore::new(s.amount_ore),
            })
            .collect(),
        corrects_line_id: (!l.corrects_line_id.is_empty()).then(|| LineId::new(&l.corrects_line_id)),
        share_percent: l.share_percent,
        period: l.period.as_ref().map(Period::try_from).transpose().map_err(|_| "period")?,
    })
}
