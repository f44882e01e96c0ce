//! Settlement runs: one month priced for every provider, and where a run stands.

use afregning_tariff::{Ore, Period};
use chrono::{DateTime, Utc};

use super::ids::RunId;

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RunState {
    /// Pricing providers.
    Running,
    /// Every provider's draft written.
    Completed,
    /// A provider's month could not be priced.
    Failed,
    /// The service stopped while the run was going; a retry with its request id completes it.
    Interrupted,
}

impl RunState {
    /// The number stored and sent for the state.
    pub fn code(self) -> i32 {
        match self {
            RunState::Running => 1,
            RunState::Completed => 2,
            RunState::Failed => 3,
            RunState::Interrupted => 4,
        }
    }

    /// The state a stored number stands for.
    pub fn from_code(code: i32) -> Option<RunState> {
        [RunState::Running, RunState::Completed, RunState::Failed, RunState::Interrupted]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// A settlement run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// `run-<YYYY-MM>-<uuid>`.
    pub run_id: RunId,
    /// The month it settles.
    pub period: Period,
    /// Where it stands.
    pub state: RunState,
    /// When it (last) started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Sum of the drafts written.
    pub total_ore: Ore,
}

impl Run {
    /// Whether the run is going on in this process, which started at `boot`: a run recorded as
    /// going since before then was left by a stopped process, and a retry completes it.
    pub fn going_since(&self, boot: DateTime<Utc>) -> bool {
        self.state == RunState::Running && self.started_at >= boot
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn only_a_run_started_by_this_process_is_going() {
        let boot = Utc::now();
        let mut run = Run {
            run_id: RunId::new("run-2026-04-x"),
            period: Period::new(2026, 4).unwrap(),
            state: RunState::Running,
            started_at: boot,
            finished_at: None,
            total_ore: Ore::ZERO,
        };
        assert!(run.going_since(boot));
        run.started_at = boot - Duration::seconds(1);
        assert!(!run.going_since(boot), "left by a stopped process");
        run.started_at = boot;
        run.state = RunState::Interrupted;
        assert!(!run.going_since(boot));
        assert_eq!(RunState::from_code(4), Some(RunState::Interrupted));
    }
}
