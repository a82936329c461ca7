//! `/incident report [24h|7d]`: the on-call report of the last day (or of the age
//! given, up to [`MAX_DAYS`] days), answered only to the person who asked. Works in
//! any channel; the full report of any window is `warroom report`.

use super::Reply;
use crate::error::AppError;
use crate::report::{self, Age, Window};
use crate::state::AppState;

pub const USAGE: &str = "/incident report [24h|7d]";
/// The longest window asked for from Slack: a month of shifts.
pub const MAX_DAYS: i64 = 31;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportArgs {
    pub age: Age,
}

pub fn parse(rest: &str) -> Result<ReportArgs, Reply> {
    let rest = rest.trim();
    if rest.is_empty() {
        return Ok(ReportArgs {
            age: Age::parse("24h").expect("24h is an age"),
        });
    }
    match Age::parse(rest) {
        Some(age) if age.delta() <= chrono::TimeDelta::days(MAX_DAYS) => Ok(ReportArgs { age }),
        Some(_) => Err(Reply::usage(
            &format!(
                "`{rest}` is longer than the {MAX_DAYS} days a report in Slack covers. For longer, run `warroom report --since <date>`."
            ),
            USAGE,
        )),
        None => Err(Reply::usage(
            &format!(
                "`{}` is not a length of time; give one like 24h, 7d, 12h or 30m.",
                crate::domain::clip(rest, 40)
            ),
            USAGE,
        )),
    }
}

pub async fn run(state: &AppState, args: ReportArgs) -> Result<Reply, AppError> {
    let now = state.clock.now();
    let window = Window::last(args.age, now);
    let report =
        report::build(&state.store, window, now, &state.settings.paging.escalation).await?;
    Ok(Reply::Ephemeral(report::render_mrkdwn(&report)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_covers_a_day_unless_told_otherwise() {
        assert_eq!(parse("").unwrap().age.to_string(), "24h");
        assert_eq!(parse("7d").unwrap().age.to_string(), "7d");
        assert_eq!(parse(" 12h ").unwrap().age.to_string(), "12h");
        assert_eq!(parse("31d").unwrap().age.to_string(), "31d");
    }

    #[test]
    fn anything_but_an_age_up_to_a_month_gets_the_usage() {
        for bad in [
            "yesterday",
            "7",
            "-1d",
            "0h",
            "2026-12-01",
            "24h extra",
            "32d",
            "5w",
        ] {
            let Err(Reply::Ephemeral(text)) = parse(bad) else {
                panic!("{bad} was taken");
            };
            assert!(
                text.contains("Usage: `/incident report [24h|7d]`"),
                "{bad}: {text}"
            );
        }
    }
}
