//! Provider shares: who delivers a grant and, for a course settled with each provider, who gets
//! which part. At least one and at most 20 providers, each named once, exactly one lead, whole
//! percentages 1–100 adding up to 100 (a single provider's 0 means 100, and it is the lead).

use serde::{Deserialize, Serialize};

use super::ids::ProviderId;

/// A provider's share of a grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// Who delivers.
    pub provider_id: ProviderId,
    /// Whole percent of the tariff, when settled with each provider.
    pub share_percent: u32,
    /// The lead provider absorbs rounding and, when settled with the lead, receives it all.
    pub lead: bool,
}

/// The most providers one grant may name.
pub const MAX_PROVIDERS: usize = 20;

/// What is wrong with a list of shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareFault {
    /// No provider at all.
    NoProvider,
    /// More than [`MAX_PROVIDERS`].
    TooMany,
    /// Share `i`'s provider id is empty or over 64 characters.
    BadId(usize),
    /// Share `i`'s percentage is not 1–100.
    BadPercent(usize),
    /// Share `i` names a provider an earlier share named.
    NamedTwice(usize),
    /// Not exactly one lead.
    Lead,
    /// The percentages do not add up to 100.
    Sum,
}

impl ShareFault {
    /// What is wrong, in words a user can act on.
    pub fn problem(&self) -> String {
        match self {
            ShareFault::NoProvider => "at least one provider, the lead, is required".into(),
            ShareFault::TooMany => format!("at most {MAX_PROVIDERS} providers"),
            ShareFault::BadId(_) => "required, at most 64 characters".into(),
            ShareFault::BadPercent(_) => "whole percent 1–100".into(),
            ShareFault::NamedTwice(_) => "named twice".into(),
            ShareFault::Lead => "exactly one lead provider".into(),
            ShareFault::Sum => "shares must add up to 100".into(),
        }
    }
}

/// Shares as a caller sent them: `(provider id, percent, lead)`, checked for form. Every fault is
/// returned, in the order the checks run.
pub fn shares(sent: &[(String, u32, bool)]) -> (Vec<Share>, Vec<ShareFault>) {
    if sent.is_empty() {
        return (Vec::new(), vec![ShareFault::NoProvider]);
    }
    if sent.len() > MAX_PROVIDERS {
        return (Vec::new(), vec![ShareFault::TooMany]);
    }
    let single = sent.len() == 1;
    let shares: Vec<Share> = sent
        .iter()
        .map(|(id, percent, lead)| Share {
            provider_id: ProviderId::from(id.as_str()),
            share_percent: if single && *percent == 0 { 100 } else { *percent },
            lead: *lead || single,
        })
        .collect();
    let mut faults = Vec::new();
    for (i, s) in shares.iter().enumerate() {
        let id = s.provider_id.as_str();
        if id.is_empty() || id.len() > 64 {
            faults.push(ShareFault::BadId(i));
        }
        if !(1..=100).contains(&s.share_percent) {
            faults.push(ShareFault::BadPercent(i));
        }
        if shares[..i].iter().any(|o| o.provider_id == s.provider_id) {
            faults.push(ShareFault::NamedTwice(i));
        }
    }
    if shares.iter().filter(|s| s.lead).count() != 1 {
        faults.push(ShareFault::Lead);
    }
    // Summed wide: each share is checked above, but a caller can send u32::MAX.
    if shares.iter().map(|s| u64::from(s.share_percent)).sum::<u64>() != 100 {
        faults.push(ShareFault::Sum);
    }
    (shares, faults)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(list: &[(&str, u32, bool)]) -> Vec<(String, u32, bool)> {
        list.iter().map(|(id, p, l)| (id.to_string(), *p, *l)).collect()
    }

    #[test]
    fn a_single_provider_is_the_lead_with_everything() {
        let (shares, faults) = shares(&sent(&[("prv_a", 0, false)]));
        assert!(faults.is_empty());
        assert_eq!((shares[0].share_percent, shares[0].lead), (100, true));
    }

    #[test]
    fn several_providers_need_one_lead_and_a_whole_hundred() {
        let (_, faults) = shares(&sent(&[("prv_a", 60, true), ("prv_b", 40, false)]));
        assert!(faults.is_empty());
        let (_, faults) = shares(&sent(&[("prv_a", 60, true), ("prv_a", 30, true)]));
        assert_eq!(faults, vec![ShareFault::NamedTwice(1), ShareFault::Lead, ShareFault::Sum]);
        let (_, faults) = shares(&sent(&[("prv_a", u32::MAX, true), ("prv_b", 101, false)]));
        assert_eq!(faults, vec![ShareFault::BadPercent(0), ShareFault::BadPercent(1), ShareFault::Sum]);
        assert_eq!(shares(&[]).1, vec![ShareFault::NoProvider]);
        assert_eq!(shares(&vec![("p".to_string(), 5, false); 21]).1, vec![ShareFault::TooMany]);
    }
}
