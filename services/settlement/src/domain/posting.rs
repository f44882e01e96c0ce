//! Postings: what budget books for an issued statement — one per paying frame, need frame and
//! account, adding up to the statement's total.

use std::collections::BTreeMap;

use afregning_tariff::Ore;
use afregning_tariff::money::MoneyError;

use super::ids::{ProviderId, StatementId};
use super::line::{StoredLine, TargetPeriod};
use super::statement::Statement;

/// A posting as the postings feed carries it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Posting {
    /// `<statement>-p<n>`.
    pub posting_id: String,
    /// The issued statement.
    pub statement_id: StatementId,
    /// Its provider.
    pub provider_id: ProviderId,
    /// The statement's period as stored (`YYYY-MM` or `YYYY-true-up`).
    #[serde(with = "period_text")]
    pub period: TargetPeriod,
    /// The frame that pays.
    pub paying_frame: String,
    /// The frame that owns the need.
    pub need_frame: String,
    /// The paying frame's account.
    pub account: String,
    /// The sum of the statement's frame parts with these three.
    pub amount_ore: Ore,
}

/// One posting per paying frame, need frame and account of an issued statement, in that order.
pub fn postings(statement: &Statement, lines: &[StoredLine]) -> Result<Vec<Posting>, MoneyError> {
    let mut sums: BTreeMap<(&str, &str, &str), Ore> = BTreeMap::new();
    for l in lines {
        for part in &l.frames {
            let sum = sums.entry((&part.paying_frame, &part.need_frame, &part.account)).or_default();
            *sum = sum.checked_add(part.amount_ore)?;
        }
    }
    Ok(sums
        .into_iter()
        .enumerate()
        .map(|(i, ((paying_frame, need_frame, account), amount_ore))| Posting {
            posting_id: format!("{}-p{}", statement.statement_id, i + 1),
            statement_id: statement.statement_id.clone(),
            provider_id: statement.provider_id.clone(),
            period: statement.period,
            paying_frame: paying_frame.to_owned(),
            need_frame: need_frame.to_owned(),
            account: account.to_owned(),
            amount_ore,
        })
        .collect())
}

/// A period stored as its text in the feed's JSON.
mod period_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::domain::line::TargetPeriod;

    pub fn serialize<S: Serializer>(period: &TargetPeriod, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(period)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TargetPeriod, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use afregning_tariff::Period;
    use chrono::Utc;

    use super::*;
    use crate::domain::line::FramePart;

    #[test]
    fn parts_are_summed_per_frame_pair_and_account() {
        let april = TargetPeriod::Month(Period::new(2026, 4).unwrap());
        let st = Statement::draft(StatementId::new("st-nord-2026-04"), ProviderId::new("nord"), april, &[], Utc::now()).unwrap();
        let part = |paying: &str, need: &str, ore: i64| FramePart {
            paying_frame: paying.into(),
            need_frame: need.into(),
            account: format!("acc-{paying}"),
            amount_ore: Ore::new(ore),
        };
        let frames = vec![
            part("SOCIAL", "SOCIAL", 100),
            part("HEALTH", "SOCIAL", 50),
            part("SOCIAL", "SOCIAL", 7),
        ];
        let line = crate::domain::line::fixtures::stored_with_frames(frames);
        let p = postings(&st, &[line]).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].paying_frame.as_str(), p[0].amount_ore), ("HEALTH", Ore::new(50)));
        assert_eq!((p[1].posting_id.as_str(), p[1].amount_ore), ("st-nord-2026-04-p2", Ore::new(107)));
        let json = serde_json::to_string(&p[1]).unwrap();
        assert!(
            json.contains(r#""period":"2026-04""#) && json.contains(r#""amount_ore":107"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Posting>(&json).unwrap(), p[1]);
    }
}
