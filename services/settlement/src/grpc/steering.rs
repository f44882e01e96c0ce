//! The steering-model comparison: the same grants priced under frame, activity and course
//! budgeting, side by side per provider.

use std::collections::BTreeMap;

use afregning_kit::Violations;
use afregning_kit::auth::require;
use afregning_proto::settlement::v1 as pb;
use afregning_tariff::Ore;
use tonic::{Request, Response, Status};

use super::runs::month_in;
use super::{Settlement, roles};

/// Frame budgets one comparison may carry.
const MAX_FRAME_BUDGETS: usize = 100;

pub(super) async fn compare(
    s: &Settlement,
    request: Request<pb::CompareSteeringModelsRequest>,
) -> Result<Response<pb::SteeringComparison>, Status> {
    require(&request, roles::Rpc::CompareSteeringModels.allowed())?;
    let r = request.into_inner();
    let from = month_in(r.from.as_ref(), "from")?;
    let to = month_in(r.to.as_ref(), "to")?;
    let mut v = Violations::new();
    v.check(
        (0..12).contains(&to.months_since(from)),
        "to",
        "from the month of `from` up to 11 months after it",
    );
    v.check(r.frame_budgets.len() <= MAX_FRAME_BUDGETS, "frame_budgets", "at most 100 frames");
    let mut budgets = BTreeMap::new();
    for (i, b) in r.frame_budgets.iter().enumerate() {
        v.check(
            !b.frame.is_empty() && b.frame.len() <= 64,
            &format!("frame_budgets[{i}].frame"),
            "required, at most 64 characters",
        );
        v.amount(&format!("frame_budgets[{i}].amount_ore"), b.amount_ore, false);
        v.check(
            budgets.insert(b.frame.clone(), Ore::new(b.amount_ore)).is_none(),
            &format!("frame_budgets[{i}].frame"),
            "given twice",
        );
    }
    v.finish()?;
    let catalogs = s.runner.catalogs().await?;
    let comparison = crate::app::steering::compare(&s.store, &catalogs, from, to, &budgets).await?;
    Ok(Response::new(comparison))
}
