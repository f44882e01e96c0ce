//! Export and reconciliation for the ERP: settlement's postings per frame, account and month,
//! and the lines where the ERP's own totals disagree with them.

use afregning_kit::ApiError;
use afregning_tariff::Ore;

use super::Budget;
use crate::domain::FrameCode;
use crate::domain::reconcile::{self, Difference, LineKey, PostingTotal};
use crate::store::export;

impl Budget {
    /// Settlement postings of `year` per frame, account and month, optionally of one frame.
    pub async fn posting_totals(&self, year: i32, frame: Option<&FrameCode>) -> Result<Vec<PostingTotal>, ApiError> {
        export::posting_totals(self.store.pool(), year, frame).await
    }

    /// Every line of `year` where the ERP's totals `theirs` and settlement's postings disagree.
    pub async fn reconcile(&self, year: i32, theirs: &[(LineKey, Ore)]) -> Result<Vec<Difference>, ApiError> {
        let ours = self.posting_totals(year, None).await?;
        Ok(reconcile::differences(&ours, theirs)?)
    }
}
