//! The steering-model comparison as people ask for it: months of their own municipality, with
//! each frame's budget for those months read from budget (its monthly profile) and handed to
//! settlement, which prices the same grants and deliveries under each model.

use std::collections::BTreeMap;

use afregning_proto::budget::v1 as pbb;
use afregning_proto::settlement::v1 as pbs;

use crate::connect::Clients;
use crate::wire_period;

/// Each frame's budget for the months `from..=to` (year, month), as budget's profile releases
/// it: the cumulative budget through `to` less that through the month before `from`, per year.
pub async fn frame_budgets(clients: &mut Clients, from: (i32, i32), to: (i32, i32)) -> anyhow::Result<Vec<pbs::FrameBudget>> {
    let mut budgets: BTreeMap<String, i64> = BTreeMap::new();
    for year in from.0..=to.0 {
        let frames = clients
            .budget
            .list_frames(pbb::ListFramesRequest { year, page: None })
            .await?
            .into_inner()
            .frames;
        let first = if year == from.0 { from.1 } else { 1 };
        let last = if year == to.0 { to.1 } else { 12 };
        for frame in frames {
            let series = clients
                .budget
                .get_follow_up_series(pbb::GetFollowUpSeriesRequest {
                    frame: frame.frame.clone(),
                    year,
                    as_of: None,
                })
                .await?
                .into_inner();
            let through = |month: i32| {
                series
                    .points
                    .iter()
                    .find(|p| p.month == month)
                    .map(|p| p.budget_cumulative_ore)
                    .unwrap_or_default()
            };
            *budgets.entry(frame.frame).or_default() += through(last) - through(first - 1);
        }
    }
    Ok(budgets
        .into_iter()
        .map(|(frame, amount_ore)| pbs::FrameBudget { frame, amount_ore })
        .collect())
}

/// The comparison for `from..=to`, frame budgets included.
pub async fn compare(clients: &mut Clients, from: (i32, i32), to: (i32, i32)) -> anyhow::Result<pbs::SteeringComparison> {
    let frame_budgets = frame_budgets(clients, from, to).await?;
    Ok(clients
        .settlement
        .compare_steering_models(pbs::CompareSteeringModelsRequest {
            from: wire_period(from),
            to: wire_period(to),
            frame_budgets,
        })
        .await?
        .into_inner())
}
