//! The pages, one file each, and what they share: the header's navigation, the error
//! pages (404, 400 with the message, 500 told opaquely and logged), times shown in
//! UTC, and people shown by name.

pub mod incident;
pub mod list;
pub mod postmortem;
pub mod report;
pub mod trends;

use super::assets::CSS_HREF;
use super::auth::Viewer;
use super::templates;
use crate::domain::Person;
use crate::postmortem::{RichText, Span};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// The header's links, in order.
const NAV: [(&str, &str); 3] = [
    ("/dashboard/", "Incidents"),
    ("/dashboard/trends", "Trends"),
    (report::PATH, "On-call report"),
];

/// What every page's frame needs: the stylesheet and the navigation.
#[derive(Serialize)]
pub struct Chrome {
    pub css: &'static str,
    pub nav: Nav,
}

#[derive(Serialize)]
pub struct Nav {
    pub items: Vec<NavItem>,
    /// Who is signed in with a session, shown with a sign-out button.
    pub viewer: Option<String>,
    /// The dashboard runs open (loopback, no sign-in configured): say so.
    pub open: bool,
}

#[derive(Serialize)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

impl Chrome {
    /// The frame of a page shown before (or without) knowing who is looking: the
    /// login form and error pages.
    pub fn anonymous(current: &str) -> Self {
        let mut chrome = Self::new(&Viewer::Bearer, current);
        chrome.nav.viewer = None;
        chrome.nav.open = false;
        chrome
    }

    /// The frame of the page at `current` (one of the navigation's hrefs), as `viewer`
    /// sees it.
    pub fn new(viewer: &Viewer, current: &str) -> Self {
        Self {
            css: CSS_HREF.as_str(),
            nav: Nav {
                items: NAV
                    .iter()
                    .map(|&(href, label)| NavItem {
                        href,
                        label,
                        current: href == current,
                    })
                    .collect(),
                viewer: match viewer {
                    Viewer::Session(s) => Some(s.name.clone()),
                    Viewer::Open | Viewer::Bearer => None,
                },
                open: matches!(viewer, Viewer::Open),
            },
        }
    }
}

/// Links to the neighbouring pages of a paged list (`templates/pager.html`); `None`
/// where there is nothing that way.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pager {
    /// Names the navigation for screen readers.
    pub label: &'static str,
    pub first: Option<String>,
    pub first_label: &'static str,
    pub prev: Option<String>,
    pub prev_label: &'static str,
    pub next: Option<String>,
    pub next_label: &'static str,
    pub last: Option<String>,
    pub last_label: &'static str,
}

/// Whether there are rows before and after a page read by `seek` that found `more`
/// beyond it: reading forward, earlier rows exist when we came from a cursor;
/// reading backward, later rows do.
pub fn neighbours(seek: crate::store::Seek, more: bool) -> (bool, bool) {
    use crate::store::Seek;
    match seek {
        Seek::First => (false, more),
        Seek::After(_) => (true, more),
        Seek::Before(_) => (more, true),
        Seek::Last => (more, false),
    }
}

/// A page as HTML, with `status`.
pub fn html(status: StatusCode, template: &str, ctx: &impl Serialize) -> Response {
    match templates::render(template, ctx) {
        Ok(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(e) => {
            PageError::Internal(anyhow::Error::new(e).context(format!("rendering {template}")))
                .into_response()
        }
    }
}

/// Why a page could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("not found")]
    NotFound,
    /// The message names what was wrong, e.g. the parameter.
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<crate::store::StoreError> for PageError {
    fn from(e: crate::store::StoreError) -> Self {
        PageError::Internal(e.into())
    }
}

impl From<super::filters::BadParam> for PageError {
    fn from(e: super::filters::BadParam) -> Self {
        PageError::BadRequest(e.to_string())
    }
}

#[derive(Serialize)]
struct ErrorPage {
    #[serde(flatten)]
    chrome: Chrome,
    heading: &'static str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match self {
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is no such page or incident here.".to_string(),
            ),
            PageError::BadRequest(message) => (
                StatusCode::BAD_REQUEST,
                "That request cannot be read",
                message,
            ),
            PageError::Internal(e) => {
                tracing::error!(error = ?e, "a dashboard page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Warroom could not show this page; the reason is in its log.".to_string(),
                )
            }
        };
        let page = ErrorPage {
            // Error pages may answer before anyone has signed in.
            chrome: Chrome::anonymous(""),
            heading,
            message,
        };
        match templates::render("error.html", &page) {
            Ok(body) => (
                status,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                )],
                body,
            )
                .into_response(),
            Err(e) => {
                tracing::error!(error = %e, "the dashboard's error page failed to render");
                (status, heading).into_response()
            }
        }
    }
}

/// A time as pages show it: `2026-11-01 10:00:05 UTC`, with the exact instant for
/// `<time datetime>`.
#[derive(Debug, Clone, Serialize)]
pub struct When {
    pub iso: String,
    pub text: String,
}

pub fn when(at: DateTime<Utc>) -> When {
    When {
        iso: at.to_rfc3339_opts(SecondsFormat::Secs, true),
        text: at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    }
}

/// Who was paged and who acked, as `templates/pages_table.html` draws it on the
/// incident page and in the on-call report.
#[derive(Debug, Clone, Serialize)]
pub struct PagesTable {
    pub rows: Vec<PageRow>,
    /// Whether to show how each ack came in (the report knows; the incident page
    /// does not).
    pub via_column: bool,
}

/// One page in a [`PagesTable`].
#[derive(Debug, Clone, Serialize)]
pub struct PageRow {
    pub who: String,
    pub team: Option<String>,
    pub level: String,
    pub paged: When,
    /// False for a page sent before the report's window (marked so).
    pub in_window: bool,
    pub acked: Option<When>,
    pub acked_by: Option<String>,
    pub how_fast: Option<String>,
    pub via: Option<String>,
}

/// `2026-11-01 10:00 UTC`, for lists.
pub fn when_minutes(at: DateTime<Utc>) -> When {
    When {
        iso: at.to_rfc3339_opts(SecondsFormat::Secs, true),
        text: at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// A person's name from the people cache, else their id; alert sources and Warroom
/// itself (no id) by what they are.
pub fn name_of(people: &HashMap<String, Person>, id: Option<&str>) -> String {
    match id {
        None => "Warroom".to_string(),
        Some(id) => people
            .get(id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| id.to_string()),
    }
}

/// A piece of message text: plain text, or a link (https only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub text: String,
    pub href: Option<String>,
}

/// Slack message text (its wire format, as stored) as pieces to show: mentions as
/// `@name`, channels as `#name`, Slack's `&lt;` escapes undone (the template escapes
/// again), and web links as links when they are https. Parsed as the postmortem does.
pub fn parts(text: &str, people: &HashMap<String, Person>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    let push_text = |out: &mut Vec<Part>, t: String| match out.last_mut() {
        Some(Part { text, href: None }) => text.push_str(&t),
        _ => out.push(Part {
            text: t,
            href: None,
        }),
    };
    for span in RichText::parse(text, people).0 {
        match span {
            Span::Text(t) => push_text(&mut out, t),
            Span::Mention(name) => push_text(&mut out, format!("@{name}")),
            Span::Channel(name) => push_text(&mut out, format!("#{name}")),
            Span::Link { url, label } => match https_only(Some(&url)) {
                Some(href) => out.push(Part {
                    text: label.unwrap_or(url),
                    href: Some(href),
                }),
                None => push_text(
                    &mut out,
                    label.map_or(url.clone(), |l| format!("{l} ({url})")),
                ),
            },
        }
    }
    out
}

/// Slack message text as one plain string (see [`parts`]), for fields shown as text.
pub fn plain(text: &str, people: &HashMap<String, Person>) -> String {
    RichText::parse(text, people).plain()
}

/// A link target only when it is an https URL: anything else (`javascript:`, relative
/// paths) is shown as text, never followed.
pub fn https_only(url: Option<&str>) -> Option<String> {
    url.filter(|u| u.starts_with("https://"))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PersonKind;

    #[test]
    fn slack_markup_becomes_text_and_https_links() {
        let mut people = HashMap::new();
        people.insert(
            "U1".to_string(),
            Person {
                user_id: "U1".into(),
                name: "Karen".into(),
                title: None,
                kind: PersonKind::Human,
            },
        );
        let shown = parts(
            "<@U1> see <#C1|ops>, <https://x.example|the graph> &lt;script&gt; <javascript:alert(1)|x>",
            &people,
        );
        assert_eq!(
            shown,
            [
                Part {
                    text: "@Karen see #ops, ".into(),
                    href: None
                },
                Part {
                    text: "the graph".into(),
                    href: Some("https://x.example".into())
                },
                Part {
                    text: " <script> x (javascript:alert(1))".into(),
                    href: None
                },
            ]
        );
    }

    #[test]
    fn only_https_links_are_followed() {
        assert_eq!(
            https_only(Some("https://a.example/x")).as_deref(),
            Some("https://a.example/x")
        );
        assert_eq!(https_only(Some("javascript:alert(1)")), None);
        assert_eq!(https_only(Some("http://a.example")), None);
    }
}
