//! Each page's body, from the services' answers, one module per page; what they share sits here:
//! the names people read for providers, committees and frames, and the forms that reload a page.

pub mod cases;
pub mod follow_up;
pub mod frame;
pub mod progression;
pub mod review;
pub mod statement;
pub mod steering;

use std::collections::BTreeMap;

use afregning_client::connect::Clients;
use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use maud::{Markup, html};

use crate::Ask;
use crate::html::named;

/// Most items one list call returns; the cockpit reads one page of each list.
const PAGE_SIZE: u32 = 1_000;

fn first_page() -> Option<pbc::PageRequest> {
    Some(pbc::PageRequest {
        page_size: PAGE_SIZE,
        page_token: String::new(),
    })
}

/// The names people read instead of codes: providers from settlement, committees and one year's
/// frames from budget.
#[derive(Default)]
pub struct Names {
    providers: BTreeMap<String, String>,
    committees: BTreeMap<String, String>,
    frames: BTreeMap<String, pbb::Frame>,
}

impl Names {
    /// Every provider's and committee's name, and the frames of `year`.
    pub async fn load(clients: &mut Clients, year: i32) -> anyhow::Result<Names> {
        let providers = clients
            .settlement
            .list_providers(pbs::ListProvidersRequest { page: first_page() })
            .await?
            .into_inner()
            .providers;
        let committees = clients
            .budget
            .list_committees(pbb::ListCommitteesRequest { page: first_page() })
            .await?
            .into_inner()
            .committees;
        let frames = clients
            .budget
            .list_frames(pbb::ListFramesRequest { year, page: first_page() })
            .await?
            .into_inner()
            .frames;
        Ok(Names {
            providers: providers.into_iter().map(|p| (p.provider_id, p.name)).collect(),
            committees: committees.into_iter().map(|c| (c.code, c.name)).collect(),
            frames: frames.into_iter().map(|f| (f.frame.clone(), f)).collect(),
        })
    }

    /// A provider's name (its id when it has none).
    pub fn provider_text(&self, id: &str) -> String {
        self.providers.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// A provider's name, its id on hover.
    pub fn provider(&self, id: &str) -> Markup {
        named(&self.provider_text(id), id)
    }

    /// A committee's name (its code when it has none).
    pub fn committee_text(&self, code: &str) -> String {
        self.committees.get(code).cloned().unwrap_or_else(|| code.to_owned())
    }

    /// A committee's name, its code on hover.
    pub fn committee(&self, code: &str) -> Markup {
        named(&self.committee_text(code), code)
    }

    /// A frame's name (its code when it has none).
    pub fn frame_text(&self, code: &str) -> String {
        self.frames
            .get(code)
            .map(|f| f.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| code.to_owned())
    }

    /// A frame's name, its code on hover.
    pub fn frame(&self, code: &str) -> Markup {
        named(&self.frame_text(code), code)
    }

    /// The frame `code` of the year loaded.
    pub fn frame_info(&self, code: &str) -> Option<&pbb::Frame> {
        self.frames.get(code)
    }
}

/// One field of a form: its name, its label's message key, its input type (`date`, `month`,
/// `text`) and its value in the form the input takes (ISO for date and month pickers).
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
}

/// A form that reloads the page with other parameters: plain HTML, no script.
pub fn form(ask: &Ask, path: &str, fields: &[Field]) -> Markup {
    html! {
        form method="get" action=(path) {
            @for f in fields {
                label {
                    (ask.t(f.label))
                    input name=(f.name) type=(f.kind) value=(f.value);
                }
            }
            (ask.lang_field())
            button type="submit" { (ask.t("form-show")) }
        }
    }
}

/// The short name of a month (1–12) in the reader's language.
pub fn month_name(ask: &Ask, month: i32) -> String {
    ask.t(&format!("month-{}", month.clamp(1, 12)))
}

/// A course type's code without its prefix: `DEVELOPING`.
pub fn course_type_code(t: i32) -> &'static str {
    pbc::CourseType::try_from(t)
        .map(|t| t.as_str_name().trim_start_matches("COURSE_TYPE_"))
        .unwrap_or("UNKNOWN")
}
