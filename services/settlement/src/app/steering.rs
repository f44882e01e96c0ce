//! The steering-model comparison over settlement's own data: each provider's mirrored grants and
//! reported deliveries of the compared months, priced by the engine under the tariff's models
//! ([`afregning_tariff::steering`]). Nothing is written.

use std::collections::BTreeMap;

use afregning_kit::error::ApiError;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_tariff::steering::{Figures, as_activity, as_course, split_by_weight, visited_minutes};
use afregning_tariff::{CatalogSet, DateRange, GrantTerms, Ore, Period, PricingError};

use crate::domain::grant::{GrantVersion, UnitKind, version_on};
use crate::domain::ids::ProviderId;
use crate::domain::line::FramedLine;
use crate::domain::pricing::{self as engine, PriceError, Recast, VisitsByGrant};
use crate::grpc::convert::wire_figures as pb_figures;
use crate::store::Store;

/// The provider's visited minutes per week of `versions` on `day`, by its share.
fn visited_on(versions: &[GrantVersion], provider: &ProviderId, day: chrono::NaiveDate) -> Option<u32> {
    let v = version_on(versions, day)?;
    Some(v.visited_minutes_per_week * v.visited_share(provider) / 100)
}

/// One provider's figures before the frame split, and its weight in each frame.
struct Priced {
    figures: Figures,
    /// Paying frame → visited minutes per week on the first day.
    weights: BTreeMap<String, u64>,
}

fn sum_lines(lines: Result<Vec<FramedLine>, PriceError>) -> Result<(Ore, bool), ApiError> {
    let lines = lines.map_err(|e| ApiError::precondition("from", e.to_string()))?;
    let total = Ore::sum(lines.iter().map(|l| l.line.amount_ore)).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((total, !lines.is_empty()))
}

fn add(a: Ore, b: Ore) -> Result<Ore, ApiError> {
    a.checked_add(b).map_err(|e| ApiError::Internal(e.into()))
}

/// Prices one provider's grants of `months` under every model.
async fn provider(
    store: &Store,
    catalogs: &CatalogSet,
    provider_id: &ProviderId,
    months: &[Period],
    range: DateRange,
) -> Result<Priced, ApiError> {
    let grants = store.grants_of_provider(provider_id.as_str()).await?;
    let mut visits: Vec<(Period, VisitsByGrant)> = Vec::with_capacity(months.len());
    for month in months {
        let deliveries = store.provider_deliveries(provider_id.as_str(), &month.to_string()).await?;
        visits.push((*month, VisitsByGrant::of(&deliveries)));
    }
    let mut f = Figures::default();
    let mut weights: BTreeMap<String, u64> = BTreeMap::new();
    let activity: &Recast<'_> = &|terms: GrantTerms, _: &GrantTerms| -> Result<GrantTerms, PricingError> { Ok(as_activity(&terms)) };
    let current: &Recast<'_> = &|terms, _| Ok(terms);
    for versions in &grants {
        let mut tariffed = false;
        let mut delivered_minutes = 0;
        for (month, by_grant) in &visits {
            let month_visits = by_grant.of_grant(versions);
            delivered_minutes += month_visits.iter().map(|v| u64::from(v.minutes)).sum::<u64>();
            let first_day = month.range().first();
            let course: &Recast<'_> = &|terms: GrantTerms, first: &GrantTerms| as_course(&terms, first, first_day, catalogs);
            let price =
                |recast: &Recast<'_>| engine::price_grant_for_provider_as(provider_id, versions, month_visits, *month, catalogs, recast);
            f.current = add(f.current, sum_lines(price(current))?.0)?;
            f.activity = add(f.activity, sum_lines(price(activity))?.0)?;
            let (course_total, course_lines) = sum_lines(price(course))?;
            f.course = add(f.course, course_total)?;
            tariffed |= course_lines;
        }
        f.delivered_minutes += delivered_minutes;
        f.visited_minutes += visited_minutes(range, |day| visited_on(versions, provider_id, day));
        if tariffed && !first_is_individual(versions, catalogs, range.first()) {
            f.course_grants += 1;
            let minutes: Vec<u32> = versions.iter().map(|v| v.visited_minutes_per_week).collect();
            let recast_from_service_or_package = versions.first().is_some_and(|v| v.unit_kind != Some(UnitKind::Course));
            if recast_from_service_or_package && minutes.windows(2).any(|w| w[0] != w[1]) {
                f.level_kept += 1;
            }
        }
        if let Some(v) = version_on(versions, range.first())
            && let Some(minutes) = visited_on(versions, provider_id, range.first())
        {
            *weights.entry(v.paying_frame.clone()).or_default() += u64::from(minutes);
        }
    }
    Ok(Priced { figures: f, weights })
}

/// Whether the grant's first version is paid by activity even under course budgeting: INDIVIDUAL,
/// above the catalog's threshold.
fn first_is_individual(versions: &[GrantVersion], catalogs: &CatalogSet, fallback: chrono::NaiveDate) -> bool {
    versions
        .iter()
        .min_by_key(|v| v.version)
        .and_then(|v| engine::terms_of(v).ok())
        .and_then(|terms| as_course(&terms, &terms, fallback, catalogs).ok())
        .is_some_and(|t| t.unit.is_activity())
}

/// Compares the models for `from`..=`to` with the frame budgets given. One piece: pricing each
/// provider, splitting the frame budgets by their weights and totalling read as one sum.
pub async fn compare(
    store: &Store,
    catalogs: &CatalogSet,
    from: Period,
    to: Period,
    budgets: &BTreeMap<String, Ore>,
) -> Result<pb::SteeringComparison, ApiError> {
    let mut months = vec![from];
    while let Some(last) = months.last().copied()
        && last < to
    {
        months.push(last.next());
    }
    let range = DateRange::new(from.range().first(), to.range().last()).ok_or_else(|| ApiError::invalid("to", "before from"))?;
    let mut priced: Vec<(pbc::Provider, Priced)> = Vec::new();
    for provider_id in store.provider_ids().await? {
        let figures = provider(store, catalogs, &ProviderId::new(&provider_id), &months, range).await?;
        let info = store.provider(&provider_id).await?.unwrap_or_else(|| pbc::Provider {
            provider_id: provider_id.clone(),
            ..Default::default()
        });
        priced.push((info, figures));
    }
    // Frame budgeting: each frame's budget split by the providers' weights in it.
    let mut frame_parts: BTreeMap<String, Ore> = BTreeMap::new();
    let mut unallocated = Vec::new();
    for (frame, budget) in budgets {
        let weights: Vec<(String, u64)> = priced
            .iter()
            .filter_map(|(p, f)| f.weights.get(frame).map(|w| (p.provider_id.clone(), *w)))
            .collect();
        match split_by_weight(*budget, &weights).map_err(|e| ApiError::Internal(e.into()))? {
            Some(parts) => {
                for (provider_id, part) in parts {
                    let sum = frame_parts.entry(provider_id).or_default();
                    *sum = add(*sum, part)?;
                }
            }
            None => unallocated.push(pb::FrameBudget {
                frame: frame.clone(),
                amount_ore: budget.get(),
            }),
        }
    }
    let budget_total = Ore::sum(budgets.values().copied()).map_err(|e| ApiError::Internal(e.into()))?;
    let mut total = Figures::default();
    let mut providers = Vec::new();
    for (info, mut p) in priced {
        if p.figures == Figures::default() {
            continue;
        }
        if !budgets.is_empty() {
            let part = frame_parts.get(&info.provider_id).copied().unwrap_or_default();
            p.figures.frame = Some(part);
            p.figures.frame_share_basis_points = afregning_tariff::money::basis_points(part.get(), budget_total.get());
        }
        total.add(&p.figures).map_err(|e| ApiError::Internal(e.into()))?;
        providers.push(pb::ProviderComparison {
            provider_id: info.provider_id,
            name: info.name,
            figures: Some(pb_figures(&p.figures)),
        });
    }
    if !budgets.is_empty() {
        // What nobody was given stays out of the total's share.
        total.frame_share_basis_points = afregning_tariff::money::basis_points(total.frame.unwrap_or_default().get(), budget_total.get());
    }
    Ok(pb::SteeringComparison {
        from: Some(pbc::Period::from(from)),
        to: Some(pbc::Period::from(to)),
        providers,
        total: Some(pb_figures(&total)),
        unallocated,
    })
}
