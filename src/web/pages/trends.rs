//! `/dashboard/trends`: incidents per week by severity, and the median and p90 of
//! MTTA and MTTR per month, each as an SVG chart with the same numbers in a table
//! under it. One read of the window (`?weeks=26&months=12` by default) feeds all three.
//! Incidents of private war rooms are counted (no title or link of theirs is shown).

use super::{Chrome, PageError, html};
use crate::web::DashboardState;
use crate::web::auth::Viewer;
use crate::web::charts::{
    Category, Chart, SeriesSpec, duration_lines, human_seconds, stacked_bars,
};
use crate::web::filters::{MAX_MONTHS, MAX_WEEKS, trends_query};
use crate::web::stats::{MonthDurations, Spread, Windows, per_month, per_week};
use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

const SEVERITIES: [&str; 4] = ["SEV1", "SEV2", "SEV3", "SEV4"];

#[derive(Serialize)]
struct TrendsPage {
    #[serde(flatten)]
    chrome: Chrome,
    weeks: u32,
    months: u32,
    max_weeks: u32,
    max_months: u32,
    severities: [&'static str; 4],
    weekly_chart: Chart,
    weeks_rows: Vec<WeekRow>,
    duration_charts: Vec<DurationSection>,
    private_note: &'static str,
}

#[derive(Serialize)]
struct WeekRow {
    label: String,
    counts: [u32; 4],
    total: u32,
}

#[derive(Serialize)]
struct DurationSection {
    id: &'static str,
    heading: &'static str,
    chart: Chart,
    table_caption: &'static str,
    /// The column that says how many incidents the figures come from.
    counted: &'static str,
    rows: Vec<MonthRow>,
}

#[derive(Serialize)]
struct MonthRow {
    label: String,
    incidents: usize,
    counted: usize,
    median: Option<String>,
    p90: Option<String>,
}

pub async fn show(
    State(state): State<DashboardState>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let window = trends_query(raw.as_deref())?;
    let windows = Windows::ending_at(state.clock.now(), window);
    let (from, until) = windows.range();
    let mut tx = state.store.read().await?;
    let rows = tx.trend_rows(from, until).await?;
    tx.commit().await?;

    let weeks = per_week(&rows, &windows);
    let week_categories: Vec<Category> = weeks
        .iter()
        .map(|w| Category {
            key: w.start.to_string(),
            label: w.start.format("%b %-d").to_string(),
        })
        .collect();
    let weekly_chart = stacked_bars(
        "incidents-per-week",
        "Incidents per week, by severity",
        "Each bar is a week (Monday to Sunday, UTC), split by severity; every incident \
         counts in the week it was declared.",
        &week_categories,
        &SEVERITIES
            .iter()
            .enumerate()
            .map(|(i, s)| SeriesSpec {
                name: format!("sev{}", i + 1),
                label: s.to_string(),
                class: format!("sev{}", i + 1),
            })
            .collect::<Vec<_>>(),
        &weeks.iter().map(|w| w.counts.to_vec()).collect::<Vec<_>>(),
    );
    let weeks_rows = weeks
        .iter()
        .map(|w| WeekRow {
            label: w.start.to_string(),
            counts: w.counts,
            total: w.total(),
        })
        .collect();
    let months = per_month(&rows, &windows);
    let duration_charts = vec![
        duration_section(
            "mtta",
            "Time to acknowledge (MTTA) per month",
            "Median and 90th percentile of the time from declaring an incident to the first \
             acknowledgement of any of its pages, by the month it was declared. Incidents \
             without an acknowledged page (never paged, or never acked) have no MTTA and are \
             left out; a month without any shows no point.",
            "Time from declaring to the first ack, by month declared",
            "Acked",
            &months,
            |m| m.mtta,
        ),
        duration_section(
            "mttr",
            "Time to resolve (MTTR) per month",
            "Median and 90th percentile of the time from declaring an incident to marking it \
             resolved (or closing it, if it was never marked resolved), by the month it was \
             declared. Incidents still open are left out; a month without any resolved shows \
             no point.",
            "Time from declaring to resolving, by month declared",
            "Resolved",
            &months,
            |m| m.mttr,
        ),
    ];
    let view = TrendsPage {
        chrome: Chrome::new(&viewer, "/dashboard/trends"),
        weeks: window.weeks,
        months: window.months,
        max_weeks: MAX_WEEKS,
        max_months: MAX_MONTHS,
        severities: SEVERITIES,
        weekly_chart,
        weeks_rows,
        duration_charts,
        private_note: "Incidents of private war rooms are counted in these figures; \
                       their titles and pages are not shown.",
    };
    Ok(html(StatusCode::OK, "trends.html", &view))
}

fn duration_section(
    id: &'static str,
    heading: &'static str,
    caption: &'static str,
    table_caption: &'static str,
    counted: &'static str,
    months: &[MonthDurations],
    spread: impl Fn(&MonthDurations) -> Spread,
) -> DurationSection {
    let categories: Vec<Category> = months
        .iter()
        .map(|m| Category {
            key: m.start.format("%Y-%m").to_string(),
            label: m.start.format("%b %Y").to_string(),
        })
        .collect();
    let specs =
        [("median", "Median"), ("p90", "90th percentile")].map(|(name, label)| SeriesSpec {
            name: name.to_string(),
            label: label.to_string(),
            class: name.to_string(),
        });
    let values = vec![
        months.iter().map(|m| spread(m).median).collect(),
        months.iter().map(|m| spread(m).p90).collect(),
    ];
    DurationSection {
        id,
        heading,
        chart: duration_lines(
            &format!("{id}-chart"),
            heading,
            caption,
            &categories,
            &specs,
            &values,
        ),
        table_caption,
        counted,
        rows: months
            .iter()
            .zip(&categories)
            .map(|(m, c)| {
                let s = spread(m);
                MonthRow {
                    label: c.label.clone(),
                    incidents: m.incidents,
                    counted: s.count,
                    median: s.median.map(human_seconds),
                    p90: s.p90.map(human_seconds),
                }
            })
            .collect(),
    }
}
