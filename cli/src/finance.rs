//! Finance's own actions from the command line, in the domain's words: committees and their
//! frames, the ERP's actuals, a leader's expected accounts, deviation explanations, closing a
//! month and the annual true-up — each a thin layer over one RPC, with amounts typed as people
//! write them (`1.234,56` or `1234.56`) and checked against the same bounds as the API before
//! anything is sent. Also the follow-up table `afregning budget` prints: the expected rest as one
//! figure, with the forecast it did not use beside it.

use std::path::Path;

use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;

use crate::args::{Committees, Frames, Write};
use crate::commands::request_id;
use crate::connect::Clients;
use crate::files::{Refusal, read_csv, show_refusals};
use crate::print::{Out, headers, kr, table};
use afregning_client::i18n::{tr, tr_args};

/// Kroner as people write them — Danish `1.234,56` or plain `1234.56` — in øre, within the
/// API's bounds; negative only when `may_be_negative`.
pub fn kroner(text: &str, may_be_negative: bool) -> Result<i64, String> {
    let text = text.trim();
    // Dots group thousands in Danish; a dot followed by three digits cannot be a decimal point
    // either (kroner have two decimals), so `365.000` is 365,000 kroner.
    let grouped = text
        .split('.')
        .skip(1)
        .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    let plain = if text.contains(',') {
        text.replace('.', "").replace(',', ".")
    } else if text.contains('.') && grouped {
        text.replace('.', "")
    } else {
        text.to_owned()
    };
    let ore = afregning_tariff::Ore::parse_kroner(&plain)
        .map_err(|_| tr_args("parse-kroner", &[("text", format!("{text:?}"))]))?
        .get();
    match afregning_kit::input::amount_problem(ore, may_be_negative) {
        Some(_) if ore < 0 && !may_be_negative => Err(tr_args("parse-kroner-negative", &[("text", text.to_owned())])),
        Some(_) => Err(tr_args(
            "parse-kroner-too-large",
            &[("text", text.to_owned()), ("max", kr(afregning_kit::input::MAX_AMOUNT_ORE))],
        )),
        None => Ok(ore),
    }
}

/// A budget amount on the command line: kroner, not negative.
pub fn budget_kroner(text: &str) -> Result<i64, String> {
    kroner(text, false)
}

/// One `MONTH=AMOUNT` pair of expected accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthAmount {
    /// The year, when the month was written with one (`2026-07`, `07.2026`).
    pub year: Option<i32>,
    /// 1–12.
    pub month: i32,
    /// Øre, not negative.
    pub amount_ore: i64,
}

/// `07=12.500,00`, `7=12500`, `2026-07=…` or `07.2026=…`.
pub fn month_amount(text: &str) -> Result<MonthAmount, String> {
    let (month, amount) = text
        .split_once('=')
        .ok_or_else(|| tr_args("parse-month-amount", &[("text", format!("{text:?}"))]))?;
    let (year, month) = match month.trim().parse::<i32>() {
        Ok(m) if (1..=12).contains(&m) => (None, m),
        Ok(_) => return Err(tr_args("parse-month-amount-month", &[("text", format!("{text:?}"))])),
        Err(_) => afregning_client::parse::parse_period(month).map(|(y, m)| (Some(y), m))?,
    };
    Ok(MonthAmount {
        year,
        month,
        amount_ore: kroner(amount, false)?,
    })
}

/// A flag's value that cannot be used once the command line is read as a whole: a usage error
/// as clap's own (exit code 2), before anything is sent.
pub(crate) fn usage_error(message: String) -> ! {
    crate::help::refuse(&message)
}

/// `afregning committees …`.
pub async fn committees(clients: &mut Clients, command: Committees) -> anyhow::Result<()> {
    match command {
        Committees::Create { code, name, write } => {
            let request = pbb::CreateCommitteeRequest {
                request_id: request_id(&write),
                code,
                name,
            };
            let created = clients.budget.create_committee(request).await?.into_inner();
            println!(
                "{}",
                tr_args("finance-committee-created", &[("code", created.code), ("name", created.name)])
            );
        }
        Committees::List => {
            let request = pbb::ListCommitteesRequest { page: None };
            let listed = clients.budget.list_committees(request).await?.into_inner();
            let mut shown = table(&headers(&["finance-col-committee", "finance-col-name"]), &[]);
            for c in listed.committees {
                shown.add_row(vec![c.code, c.name]);
            }
            Out::terminal().table(&shown);
        }
    }
    Ok(())
}

/// `afregning frames …`.
// One piece: one arm per subcommand, each a call and its answer shown.
pub async fn frames(clients: &mut Clients, command: Frames) -> anyhow::Result<()> {
    match command {
        Frames::Set {
            frame,
            year,
            committee,
            name,
            account,
            amount,
            profile,
            effective_from,
            write,
        } => {
            let amount_ore = budget_kroner(&amount).unwrap_or_else(|why| usage_error(format!("--amount: {why}")));
            let monthly_profile_ore: Vec<i64> = profile
                .iter()
                .map(|m| budget_kroner(m).unwrap_or_else(|why| usage_error(format!("--profile: {why}"))))
                .collect();
            if !monthly_profile_ore.is_empty() && monthly_profile_ore.iter().sum::<i64>() != amount_ore {
                usage_error(tr_args(
                    "usage-profile-sum",
                    &[("sum", kr(monthly_profile_ore.iter().sum())), ("amount", kr(amount_ore))],
                ));
            }
            let request = pbb::SetFrameRequest {
                request_id: request_id(&write),
                frame,
                year,
                committee,
                name,
                account,
                amount_ore,
                monthly_profile_ore,
                effective_from: effective_from.map(pbc::Date::from),
            };
            let set = clients.budget.set_frame(request).await?.into_inner();
            let released = if set.monthly_profile_ore.is_empty() {
                tr("finance-released-even")
            } else {
                tr("finance-released-profile")
            };
            println!(
                "{}",
                tr_args(
                    "finance-frame-set",
                    &[
                        ("frame", set.frame),
                        ("year", set.year.to_string()),
                        ("amount", kr(set.amount_ore)),
                        ("account", set.account),
                        ("committee", set.committee),
                        ("released", released),
                        ("adjusted", kr(set.adjusted_amount_ore)),
                    ],
                )
            );
        }
        Frames::List { year } => {
            let request = pbb::ListFramesRequest { year, page: None };
            let listed = clients.budget.list_frames(request).await?.into_inner();
            let mut shown = table(
                &headers(&[
                    "finance-col-frame",
                    "finance-col-committee",
                    "finance-col-account",
                    "finance-col-amount",
                    "finance-col-adjusted",
                    "finance-col-profile",
                    "finance-col-name",
                ]),
                &[3, 4],
            );
            for f in listed.frames {
                let profile = if f.monthly_profile_ore.is_empty() {
                    tr("finance-profile-even")
                } else {
                    tr("finance-profile-monthly")
                };
                shown.add_row(vec![
                    f.frame,
                    f.committee,
                    f.account,
                    kr(f.amount_ore),
                    kr(f.adjusted_amount_ore),
                    profile,
                    f.name,
                ]);
            }
            Out::terminal().table(&shown);
        }
    }
    Ok(())
}

/// The columns an actuals file must have, in any order.
const ACTUAL_COLUMNS: [&str; 6] = ["external_id", "frame", "account", "booked_on", "amount", "text"];

/// The most actuals one stream message carries (the service takes at most 10,000).
const ACTUALS_PER_MESSAGE: usize = 5_000;

/// An actuals file read: the valid rows, each with its line in the file, and the refused rows.
pub type ActualsFile = (Vec<(usize, pbb::ActualEntry)>, Vec<Refusal>);

/// Reads an actuals file (see `afregning actuals import --help`): the valid rows with their
/// lines, and every refused row. A missing column or an unreadable file fails the whole file.
pub fn read_actuals(path: &Path) -> anyhow::Result<ActualsFile> {
    let (records, at) = read_csv(path, &ACTUAL_COLUMNS)?;
    let (mut rows, mut refused) = (Vec::new(), Vec::new());
    for (line, record) in records {
        let field = |column: usize| record.get(at[column]).unwrap_or_default().to_owned();
        let refuse = |column: usize, why: String| Refusal {
            line,
            id: field(0),
            field: ACTUAL_COLUMNS[column].to_owned(),
            why,
        };
        if let Some(missing) = (0..5).find(|&c| field(c).is_empty()) {
            refused.push(refuse(missing, "required".to_owned()));
            continue;
        }
        let booked_on = match afregning_client::parse::parse_date(&field(3)) {
            Ok((year, month, day)) => pbc::Date { year, month, day },
            Err(why) => {
                refused.push(refuse(3, why));
                continue;
            }
        };
        let amount_ore = match kroner(&field(4), true) {
            Ok(ore) => ore,
            Err(why) => {
                refused.push(refuse(4, why));
                continue;
            }
        };
        rows.push((
            line,
            pbb::ActualEntry {
                external_id: field(0),
                frame: field(1),
                account: field(2),
                booked_on: Some(booked_on),
                amount_ore,
                text: field(5),
            },
        ));
    }
    Ok((rows, refused))
}

/// `afregning actuals import`; false when rows were refused (exit code 3).
pub async fn import_actuals(clients: &mut Clients, path: &Path, write: &Write) -> anyhow::Result<bool> {
    let (rows, mut refused) = read_actuals(path)?;
    let read = rows.len() + refused.len();
    let (lines, entries): (Vec<usize>, Vec<pbb::ActualEntry>) = rows.into_iter().unzip();
    let answer = if entries.is_empty() {
        pbb::ImportActualsResponse::default()
    } else {
        let id = request_id(write);
        let messages: Vec<pbb::ImportActualsRequest> = entries
            .chunks(ACTUALS_PER_MESSAGE)
            .enumerate()
            .map(|(i, chunk)| pbb::ImportActualsRequest {
                request_id: if i == 0 { id.clone() } else { String::new() },
                entries: chunk.to_vec(),
            })
            .collect();
        clients.budget.import_actuals(tokio_stream::iter(messages)).await?.into_inner()
    };
    for e in &answer.errors {
        let line = usize::try_from(e.index)
            .ok()
            .and_then(|i| lines.get(i))
            .copied()
            .unwrap_or_default();
        // The file's column for the wire's field.
        let field = if e.field == "amount_ore" { "amount" } else { e.field.as_str() };
        refused.push(Refusal {
            line,
            id: e.external_id.clone(),
            field: field.to_owned(),
            why: e.description.clone(),
        });
    }
    refused.sort_by_key(|r| r.line);
    println!(
        "{}",
        tr_args(
            "finance-actuals-read",
            &[
                ("read", read.to_string()),
                ("booked", answer.accepted.to_string()),
                ("duplicates", answer.duplicates.to_string()),
                ("refused", refused.len().to_string()),
            ],
        )
    );
    show_refusals(&refused, "external_id");
    Ok(refused.is_empty())
}

/// `afregning expected-accounts`.
pub async fn expected_accounts(clients: &mut Clients, frame: String, year: i32, pairs: &[String], write: &Write) -> anyhow::Result<()> {
    let mut months: Vec<pbb::MonthAmount> = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let m = month_amount(pair).unwrap_or_else(|why| usage_error(tr_args("usage-month-amount", &[("why", why)])));
        if m.year.is_some_and(|y| y != year) {
            usage_error(tr_args(
                "usage-month-not-in-year",
                &[("pair", format!("{pair:?}")), ("year", year.to_string())],
            ));
        }
        if months.iter().any(|o| o.month == m.month) {
            usage_error(tr_args("usage-month-twice", &[("month", m.month.to_string())]));
        }
        months.push(pbb::MonthAmount {
            month: m.month,
            amount_ore: m.amount_ore,
        });
    }
    let request = pbb::SubmitExpectedAccountsRequest {
        request_id: request_id(write),
        frame,
        year,
        months,
        submitted_by: String::new(),
    };
    let given = clients.budget.submit_expected_accounts(request).await?.into_inner();
    println!(
        "{}",
        tr_args(
            "finance-expected-given",
            &[
                ("frame", given.frame.clone()),
                ("year", given.year.to_string()),
                ("amount", kr(given.months.iter().map(|m| m.amount_ore).sum())),
                ("months", given.months.len().to_string()),
                ("by", given.submitted_by.clone()),
            ],
        )
    );
    let mut shown = table(&headers(&["finance-col-month", "finance-col-expected"]), &[1]);
    for m in &given.months {
        shown.add_row(vec![format!("{:02}.{:04}", m.month, given.year), kr(m.amount_ore)]);
    }
    Out::terminal().table(&shown);
    Ok(())
}

/// `afregning explain-deviation`.
pub async fn explain(
    clients: &mut Clients,
    frame: String,
    (year, month): (i32, i32),
    explanation: String,
    corrective_actions: Vec<String>,
    write: &Write,
) -> anyhow::Result<()> {
    let request = pbb::SubmitDeviationExplanationRequest {
        request_id: request_id(write),
        frame,
        period: Some(pbc::Period { year, month }),
        explanation,
        corrective_actions,
        submitted_by: String::new(),
    };
    let given = clients.budget.submit_deviation_explanation(request).await?.into_inner();
    println!(
        "{}",
        tr_args(
            if given.corrective_actions.len() == 1 {
                "finance-deviation-explained-one"
            } else {
                "finance-deviation-explained"
            },
            &[
                ("frame", given.frame.clone()),
                ("period", format!("{month:02}.{year:04}")),
                ("by", given.submitted_by.clone()),
                ("actions", given.corrective_actions.len().to_string()),
            ],
        )
    );
    for action in &given.corrective_actions {
        println!("  • {action}");
    }
    Ok(())
}

/// `afregning close-month`.
pub async fn close_month(clients: &mut Clients, frame: String, (year, month): (i32, i32), write: &Write) -> anyhow::Result<()> {
    let request = pbb::CloseMonthRequest {
        request_id: request_id(write),
        frame: frame.clone(),
        period: Some(pbc::Period { year, month }),
    };
    let closed = clients.budget.close_month(request).await?.into_inner();
    let at = closed
        .closed_at
        .and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
        .map(|t| t.with_timezone(&chrono_tz::Europe::Copenhagen).format("%d.%m.%Y %H:%M").to_string())
        .unwrap_or_default();
    println!(
        "{}",
        tr_args(
            "finance-month-closed",
            &[("frame", frame.clone()), ("period", format!("{month:02}.{year:04}")), ("at", at)],
        )
    );
    Out::terminal().table(&crate::print::follow_up_table(closed.status.as_slice()));
    Ok(())
}

/// The columns of an actual unit costs file.
const COST_COLUMNS: [&str; 2] = ["unit", "actual_rate"];

/// `afregning true-up`; false when rows of the file were refused (exit code 3, nothing run).
// One piece: the file is read and refused rows reported before anything runs, then the run.
pub async fn true_up(clients: &mut Clients, year: i32, path: &Path, write: &Write) -> anyhow::Result<bool> {
    let (records, at) = read_csv(path, &COST_COLUMNS)?;
    let (mut actual_costs, mut refused) = (Vec::new(), Vec::new());
    for (line, record) in records {
        let field = |column: usize| record.get(at[column]).unwrap_or_default().to_owned();
        let refuse = |column: usize, why: String| Refusal {
            line,
            id: field(0),
            field: COST_COLUMNS[column].to_owned(),
            why,
        };
        if field(0).is_empty() {
            refused.push(refuse(0, "required".to_owned()));
            continue;
        }
        match kroner(&field(1), false) {
            Ok(actual_rate_ore) => actual_costs.push(pbs::ActualUnitCost {
                unit: field(0),
                actual_rate_ore,
            }),
            Err(why) => refused.push(refuse(1, why)),
        }
    }
    if !refused.is_empty() || actual_costs.is_empty() {
        println!(
            "{}",
            tr_args(
                "finance-costs-refused",
                &[
                    ("read", (actual_costs.len() + refused.len()).to_string()),
                    ("refused", refused.len().to_string())
                ],
            )
        );
        show_refusals(&refused, "unit");
        if refused.is_empty() {
            anyhow::bail!("{}: no unit costs", path.display());
        }
        return Ok(false);
    }
    let request = pbs::RunTrueUpRequest {
        request_id: request_id(write),
        year,
        actual_costs,
    };
    let answer = clients.settlement.run_true_up(request).await?.into_inner();
    let direction = if answer.total_ore < 0 {
        tr("finance-true-up-providers-pay")
    } else {
        tr("finance-true-up-municipality-pays")
    };
    println!(
        "{}",
        tr_args(
            "finance-true-up-done",
            &[
                ("year", year.to_string()),
                ("amount", kr(answer.total_ore)),
                ("direction", direction),
                ("statements", answer.statements.len().to_string()),
            ],
        )
    );
    let mut shown = table(
        &headers(&["finance-col-statement", "finance-col-provider", "finance-col-true-up"]),
        &[2],
    );
    for s in &answer.statements {
        shown.add_row(vec![s.statement_id.clone(), s.provider_id.clone(), kr(s.total_ore)]);
    }
    Out::terminal().table(&shown);
    Ok(true)
}

/// Frames' follow-up as a table: budget, consumed, the expected rest (one figure, and where it
/// comes from), the other forecast beside it, the expected result — so every row adds up: budget
/// − consumed − expected rest = expected result — the percentages, and whether the month is
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_write_them_within_the_apis_bounds() {
        assert_eq!(kroner("1.234,56", false), Ok(123_456));
        assert_eq!(kroner("1234.56", false), Ok(123_456));
        assert_eq!(kroner("365.000", false), Ok(36_500_000), "dots group thousands");
        assert_eq!(kroner("12.5", false), Ok(1_250), "a decimal point without a comma");
        assert_eq!(kroner("-250,00", true), Ok(-25_000));
        // Said in Danish, the language of a process that was not asked for another.
        assert_eq!(kroner("-250,00", false).unwrap_err(), "-250,00: må ikke være negativt");
        assert!(kroner("12,345", false).unwrap_err().contains("ikke et beløb i kroner"));
        assert!(
            kroner("100.000.000.001,00", false)
                .unwrap_err()
                .contains("højst 10.000.000.000,00 kr.")
        );
        assert_eq!(
            month_amount("07=12.500,00"),
            Ok(MonthAmount {
                year: None,
                month: 7,
                amount_ore: 1_250_000
            })
        );
        assert_eq!(month_amount("2026-09=9000").map(|m| (m.year, m.month)), Ok((Some(2026), 9)));
        assert_eq!(month_amount("09.2026=9000").map(|m| (m.year, m.month)), Ok((Some(2026), 9)));
        assert!(month_amount("13=1").unwrap_err().contains("1–12"));
        assert!(month_amount("7:1").unwrap_err().contains("MÅNED=BELØB"));
    }

    #[test]
    fn every_refused_actual_is_named_with_its_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("erp.csv");
        std::fs::write(
            &file,
            "external_id;frame;account;booked_on;amount;text\n\
             erp-1;HEALTH;4.62.88;20.06.2026;5.000,00;sen faktura\n\
             erp-2;HEALTH;4.62.88;2026-06-31;10,00;\n\
             erp-3;HEALTH;4.62.88;2026-06-30;ti kroner;\n\
             ;HEALTH;4.62.88;2026-06-30;1,00;\n\
             erp-5;SOCIAL;5.30.26;2026-06-30;-25,50;kredit\n",
        )
        .unwrap();
        let (rows, refused) = read_actuals(&file).unwrap();
        let kept: Vec<(usize, &str, i64)> = rows.iter().map(|(l, a)| (*l, a.external_id.as_str(), a.amount_ore)).collect();
        assert_eq!(kept, [(2, "erp-1", 500_000), (6, "erp-5", -2_550)]);
        let refused: Vec<(usize, &str)> = refused.iter().map(|r| (r.line, r.field.as_str())).collect();
        assert_eq!(refused, [(3, "booked_on"), (4, "amount"), (5, "external_id")]);
    }
}
