//! Every request is checked at the edge before any handler sees it: each text field, at any
//! depth, holds no control character (NUL, escape sequences; tab and line breaks are allowed in
//! free text) and at most [`MAX_TEXT_CHARS`] characters, and each enum field holds a value its
//! contract defines, and each id naming what the request is about is given. A violation is
//! INVALID_ARGUMENT naming the field by its proto path, e.g.
//! `deliveries[3].carer_visit_id`, and nothing is read or written. Fields have tighter bounds of
//! their own where the handler knows them.

use std::sync::LazyLock;

use prost_reflect::{DescriptorPool, DynamicMessage, FieldDescriptor, Kind, ReflectMessage, Value};

use crate::error::{ApiError, FieldViolation};

/// The most characters any text field may hold.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// The largest amount a client may send, in øre either way: 10,000,000,000.00 kr., more than the
/// largest Danish municipality's whole yearly budget. Nine million such amounts still add up
/// inside the 64 bits every sum is kept in, and every sum is checked all the same.
pub const MAX_AMOUNT_ORE: i64 = 1_000_000_000_000;

/// What is wrong with an amount a client sent, if anything: beyond [`MAX_AMOUNT_ORE`] either way,
/// or negative where it must not be.
pub fn amount_problem(amount_ore: i64, may_be_negative: bool) -> Option<String> {
    if !may_be_negative && amount_ore < 0 {
        return Some("must not be negative".into());
    }
    (amount_ore.unsigned_abs() > MAX_AMOUNT_ORE.unsigned_abs())
        .then(|| format!("at most {MAX_AMOUNT_ORE} øre (10,000,000,000.00 kr.) either way"))
}

static POOL: LazyLock<DescriptorPool> =
    LazyLock::new(|| DescriptorPool::decode(afregning_proto::FILE_DESCRIPTOR_SET).expect("the compiled descriptor set decodes"));

/// The id fields of a request that may be left empty: every other top-level `…_id` names what
/// the request is about, and an empty one is INVALID_ARGUMENT naming it (not NOT_FOUND).
const OPTIONAL_IDS: &[&str] = &[
    // Empty for every provider's statements (operators); a provider's own otherwise.
    "afregning.settlement.v1.ListStatementsRequest.provider_id",
    // Empty for a provider's own orders (a `local` caller names one); empty for every provider's
    // unacknowledged orders.
    "afregning.visitation.v1.ListOrdersRequest.provider_id",
    "afregning.visitation.v1.StreamOrdersRequest.provider_id",
    "afregning.visitation.v1.AcknowledgeOrderRequest.provider_id",
    "afregning.visitation.v1.ListUnacknowledgedOrdersRequest.provider_id",
    // Empty: visitation draws a new id.
    "afregning.visitation.v1.RegisterProviderRequest.provider_id",
];

/// A request message whose text and enum fields can be checked; a client stream's messages are
/// checked one by one as they arrive, with [`check_message`].
pub trait Checked {
    /// INVALID_ARGUMENT naming every field at fault.
    fn check(&self) -> Result<(), ApiError>;
}

impl<M: prost::Message + prost::Name> Checked for M {
    fn check(&self) -> Result<(), ApiError> {
        check_message(self)
    }
}

/// Checks one message: every text field, at any depth, and every enum value.
pub fn check_message<M: prost::Message + prost::Name>(message: &M) -> Result<(), ApiError> {
    let Some(descriptor) = POOL.get_message_by_name(&M::full_name()) else {
        return Err(ApiError::Internal(anyhow::anyhow!("no descriptor for {}", M::full_name())));
    };
    let dynamic =
        DynamicMessage::decode(descriptor.clone(), message.encode_to_vec().as_slice()).map_err(|e| ApiError::Internal(e.into()))?;
    let mut violations = Vec::new();
    for field in descriptor.fields() {
        let optional = OPTIONAL_IDS.contains(&field.full_name());
        if field.name().ends_with("_id")
            && !field.is_list()
            && matches!(field.kind(), Kind::String)
            && !optional
            && !dynamic.has_field(&field)
        {
            violations.push(FieldViolation {
                field: field.name().to_owned(),
                description: "required".into(),
            });
        }
    }
    walk(&dynamic, "", &mut violations);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ApiError::InvalidArgument(violations))
    }
}

fn walk(message: &DynamicMessage, prefix: &str, out: &mut Vec<FieldViolation>) {
    for (field, value) in message.fields() {
        let path = format!("{prefix}{}", field.name());
        match value {
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_value(&field, item, &format!("{path}[{i}]"), out);
                }
            }
            other => check_value(&field, other, &path, out),
        }
    }
}

fn check_value(field: &FieldDescriptor, value: &Value, path: &str, out: &mut Vec<FieldViolation>) {
    match value {
        Value::String(text) => {
            if let Some(problem) = text_problem(text) {
                out.push(FieldViolation {
                    field: path.to_owned(),
                    description: problem,
                });
            }
        }
        Value::EnumNumber(number) => {
            if let Kind::Enum(e) = field.kind()
                && e.get_value(*number).is_none()
            {
                out.push(FieldViolation {
                    field: path.to_owned(),
                    description: format!("{number} is not a value of {}", e.name()),
                });
            }
        }
        Value::Message(inner) if inner.descriptor().full_name() == "afregning.common.v1.Date" => {
            if let Some(problem) = date_problem(inner) {
                out.push(FieldViolation {
                    field: path.to_owned(),
                    description: problem,
                });
            }
        }
        Value::Message(inner) => walk(inner, &format!("{path}."), out),
        _ => {}
    }
}

/// The years a date a client sends may fall in.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

/// What is wrong with a date a client sent, if anything: not a real calendar date, or outside
/// [`DATE_YEARS`]. An empty date (all zero) is left to the handler, which treats it as absent.
fn date_problem(date: &DynamicMessage) -> Option<String> {
    let part = |name: &str| date.get_field_by_name(name).and_then(|v| v.as_i32()).unwrap_or(0);
    let (year, month, day) = (part("year"), part("month"), part("day"));
    if (year, month, day) == (0, 0, 0) {
        return None;
    }
    let real = u32::try_from(month)
        .ok()
        .zip(u32::try_from(day).ok())
        .and_then(|(m, d)| chrono::NaiveDate::from_ymd_opt(year, m, d))
        .is_some();
    if !real {
        return Some(format!("{year:04}-{month:02}-{day:02} is not a real date"));
    }
    (!DATE_YEARS.contains(&year)).then(|| format!("a date from {} through {}", DATE_YEARS.start(), DATE_YEARS.end()))
}

/// What is wrong with a text, if anything: a control character other than tab and line breaks,
/// or more than [`MAX_TEXT_CHARS`] characters.
pub fn text_problem(text: &str) -> Option<String> {
    if let Some(c) = text.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Some(format!("must not contain control characters (found U+{:04X})", u32::from(c)));
    }
    let chars = text.chars().count();
    (chars > MAX_TEXT_CHARS).then(|| format!("at most {MAX_TEXT_CHARS} characters (got {chars})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use afregning_proto::common::v1 as pbc;
    use afregning_proto::settlement::v1 as pbs;

    fn fields(error: ApiError) -> Vec<String> {
        match error {
            ApiError::InvalidArgument(v) => v.into_iter().map(|v| v.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn control_characters_are_named_by_their_path() {
        let ok = pbs::ReportDeliveriesRequest {
            request_id: "r-1".into(),
            deliveries: vec![pbs::Delivery {
                delivery_id: "d-1".into(),
                ..Default::default()
            }],
        };
        assert!(check_message(&ok).is_ok());
        let empty = pbs::GetStatementRequest::default();
        assert_eq!(fields(check_message(&empty).unwrap_err()), vec!["statement_id"]);
        assert!(check_message(&pbs::ListStatementsRequest::default()).is_ok(), "an optional filter");
        let bad = pbs::ReportDeliveriesRequest {
            request_id: "r\u{0}1".into(),
            deliveries: vec![
                pbs::Delivery::default(),
                pbs::Delivery {
                    carer_visit_id: "\u{1b}[31mred".into(),
                    ..Default::default()
                },
            ],
        };
        assert_eq!(
            fields(check_message(&bad).unwrap_err()),
            vec!["request_id", "deliveries[1].carer_visit_id"]
        );
    }

    #[test]
    fn free_text_keeps_its_line_breaks_and_long_text_is_refused() {
        assert_eq!(text_problem("første linje\nanden linje\tmed tab"), None);
        assert!(text_problem(&"x".repeat(MAX_TEXT_CHARS)).is_none());
        assert!(text_problem(&"x".repeat(MAX_TEXT_CHARS + 1)).unwrap().contains("at most"));
        assert!(text_problem("\u{7f}").is_some(), "DEL");
        assert!(text_problem("\u{9b}").is_some(), "a C1 control");
    }

    #[test]
    fn dates_are_real_and_of_this_century() {
        let at = |year, month, day| afregning_proto::visitation::v1::GetProgressionRequest {
            as_of: Some(pbc::Date { year, month, day }),
            ..Default::default()
        };
        assert!(check_message(&at(2026, 4, 30)).is_ok());
        assert!(check_message(&at(0, 0, 0)).is_ok(), "absent");
        assert_eq!(fields(check_message(&at(9999, 12, 31)).unwrap_err()), vec!["as_of"]);
        assert_eq!(fields(check_message(&at(2026, 2, 30)).unwrap_err()), vec!["as_of"]);
        assert_eq!(fields(check_message(&at(1, 1, 1)).unwrap_err()), vec!["as_of"]);
    }

    #[test]
    fn amounts_have_one_bound_either_way() {
        assert_eq!(amount_problem(MAX_AMOUNT_ORE, false), None);
        assert_eq!(amount_problem(-MAX_AMOUNT_ORE, true), None);
        assert!(amount_problem(MAX_AMOUNT_ORE + 1, false).is_some());
        assert!(amount_problem(i64::MIN, true).is_some());
        assert_eq!(amount_problem(-1, false).as_deref(), Some("must not be negative"));
    }

    #[test]
    fn an_enum_value_the_contract_does_not_define_is_refused() {
        let request = pbs::ListStatementsRequest {
            state: 42,
            period: Some(pbc::Period { year: 2026, month: 4 }),
            ..Default::default()
        };
        assert_eq!(fields(check_message(&request).unwrap_err()), vec!["state"]);
    }
}
