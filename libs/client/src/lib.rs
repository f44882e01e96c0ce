//! What a program for people needs to talk to Afregning, shared by the `afregning` CLI and the
//! cockpit so both connect, explain failures and show figures the same way.
//!
//! * [`connect`] — clients of the three services presenting one principal's token; waiting for
//!   followers to catch up.
//! * [`describe`] — a failed call in words: its code and each field at fault.
//! * [`format`] — kroner, percentages, months and dates the Danish way.
//! * [`i18n`] — the words people read, from one message catalog: Danish first, English on request.
//! * [`parse`] — months, quarters and dates as people type them.
//! * [`steering`] — the steering-model comparison over a span of the municipality's own months.

pub mod connect;
pub mod describe;
pub mod format;
pub mod i18n;
pub mod parse;
pub mod steering;

/// A (year, month) on the wire.
pub fn wire_period(period: (i32, i32)) -> Option<afregning_proto::common::v1::Period> {
    Some(afregning_proto::common::v1::Period {
        year: period.0,
        month: period.1,
    })
}
