//! Due dates for action items, as people type them in `/incident action … due fri`
//! and `/incident action due 2 2026-12-04`. Dates are calendar days in UTC: the caller
//! passes today's UTC date, so nothing here reads a clock.

use chrono::{Datelike, Days, Month, Months, NaiveDate, Weekday};

/// The forms [`parse_due`] accepts, quoted in every refusal so the user can retry.
pub const DUE_FORMS: &str =
    "Use 2026-12-04, today, tomorrow, in 3d, in 2w or a weekday such as fri.";

/// How far from today a due date may be, either way: further is a typo (`2062`).
pub const MAX_DUE_YEARS: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDue {
    #[error("the due date is missing. {forms}", forms = DUE_FORMS)]
    Missing,
    #[error("`{0}` is not a date I understand. {forms}", forms = DUE_FORMS)]
    Unknown(String),
    #[error("`{input}` is not a real date: {reason}. {forms}", forms = DUE_FORMS)]
    NotADate { input: String, reason: String },
    #[error("`{0}` is more than {years} years from today. {forms}", years = MAX_DUE_YEARS, forms = DUE_FORMS)]
    TooFar(String),
}

/// Reads a due date, case-insensitively: `2026-12-04`, `today`, `tomorrow`,
/// `in 3d` / `in 3 days` / `3d`, `in 2w` / `in 2 weeks` / `2w`, and weekdays (`fri`,
/// `friday`). A weekday is its next occurrence strictly after today, so `fri` typed on
/// a Friday is a week later; `next fri` means the same as `fri` (never the Friday
/// after that), because people use both for the coming one.
///
/// Past ISO dates are accepted (use [`is_past`] to warn); anything more than
/// [`MAX_DUE_YEARS`] from today is refused as a typo.
pub fn parse_due(text: &str, today: NaiveDate) -> Result<NaiveDate, BadDue> {
    let shown = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let input = shown.to_lowercase();
    let input = input.trim_end_matches('.');
    if input.is_empty() {
        return Err(BadDue::Missing);
    }
    let date = match input {
        "today" => Some(today),
        "tomorrow" => today.succ_opt(),
        _ => match iso(input) {
            Some(parsed) => Some(parsed.map_err(|reason| BadDue::NotADate {
                input: shown.clone(),
                reason,
            })?),
            // A sum past the calendar's end is simply out of reach.
            None => relative_days(input)
                .map(|n| {
                    today
                        .checked_add_days(Days::new(n))
                        .unwrap_or(NaiveDate::MAX)
                })
                .or_else(|| weekday(input).map(|wd| next_weekday(today, wd))),
        },
    };
    let date = date.ok_or_else(|| BadDue::Unknown(shown.clone()))?;
    within_reach(date, today)
        .then_some(date)
        .ok_or(BadDue::TooFar(shown))
}

/// The answer that echoes the date understood: `Fri 2026-12-04 (in 2 days)`.
pub fn describe_due(date: NaiveDate, today: NaiveDate) -> String {
    let when = match (date - today).num_days() {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        -1 => "yesterday".to_string(),
        d if d > 1 => format!("in {d} days"),
        d => format!("{} days ago", -d),
    };
    format!("{} ({when})", date.format("%a %Y-%m-%d"))
}

/// Overdue: the due day has ended (an item due today is not yet late).
pub fn is_past(date: NaiveDate, today: NaiveDate) -> bool {
    date < today
}

/// Splits a trailing due clause off an action's text:
/// `Fix the due-date bug due fri` → (`Fix the due-date bug`, `Some(Ok(fri))`).
///
/// Action text may itself use the word "due", so the rule is cautious. Only the last
/// whole word `due` (any case; `due-date` is not it) is considered, and only when at
/// most 3 words follow it, since no date form is longer. Then:
/// - the words after it parse: the clause is split off (`Some(Ok(date))`);
/// - they look like a date that went wrong (they start with a digit, a weekday,
///   `next <weekday>` or `in <digit>`): the text is split and the refusal returned
///   (`Some(Err)`), so `due 2026-02-30` or `due fri day` is answered, not swallowed;
/// - anything else (`Check what is due to expire`) is ordinary text: it is kept whole
///   and the clause is `None`. So is a `due` with nothing after it.
pub fn split_due(text: &str, today: NaiveDate) -> (String, Option<Result<NaiveDate, BadDue>>) {
    let whole = || (text.trim().to_string(), None);
    let words = words_at(text);
    let Some(at) = words
        .iter()
        .rposition(|(_, w)| w.eq_ignore_ascii_case("due"))
    else {
        return whole();
    };
    let after = &words[at + 1..];
    if after.is_empty() || after.len() > 3 {
        return whole();
    }
    let rest = text[..words[at].0].trim().to_string();
    match parse_due(&text[after[0].0..], today) {
        Ok(date) => (rest, Some(Ok(date))),
        Err(e) if looks_like_a_date(after) => (rest, Some(Err(e))),
        Err(_) => whole(),
    }
}

/// Each whitespace-separated word with its byte offset in `text` (every word is a
/// slice of `text`, so the offset is the distance between their starts).
fn words_at(text: &str) -> Vec<(usize, &str)> {
    let base = text.as_ptr() as usize;
    text.split_whitespace()
        .map(|w| (w.as_ptr() as usize - base, w))
        .collect()
}

fn looks_like_a_date(words: &[(usize, &str)]) -> bool {
    let word = |i: usize| {
        words
            .get(i)
            .map(|(_, w)| w.to_lowercase())
            .unwrap_or_default()
    };
    let starts_with_digit = |w: &str| w.starts_with(|c: char| c.is_ascii_digit());
    let first = word(0);
    starts_with_digit(&first)
        || weekday(&first).is_some()
        || (first == "next" && weekday(&word(1)).is_some())
        || (first == "in" && starts_with_digit(&word(1)))
}

/// `Some` when `s` is shaped like `YYYY-MM-DD`: the date, or why it is not a real one.
fn iso(s: &str) -> Option<Result<NaiveDate, String>> {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts[..] else { return None };
    let digits = |p: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(y, 4..=4) && digits(m, 1..=2) && digits(d, 1..=2)) {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
        return Some(Ok(date));
    }
    let Ok(month) = Month::try_from(m as u8) else {
        return Some(Err(format!("there is no month {m}")));
    };
    let days = month.num_days(y).unwrap_or(31);
    Some(Err(format!("{} {y} has {days} days", month.name())))
}

/// `in 3d`, `3 days`, `in 2w`, `2 weeks`: the number of days from today.
fn relative_days(s: &str) -> Option<u64> {
    let s = s.strip_prefix("in ").unwrap_or(s);
    let unit_at = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(unit_at);
    if n.is_empty() {
        return None;
    }
    let per = match unit.trim_start() {
        "d" | "day" | "days" => 1,
        "w" | "wk" | "wks" | "week" | "weeks" => 7,
        _ => return None,
    };
    // Too many digits for u64 is still a number of days, just far too many.
    Some(n.parse::<u64>().unwrap_or(u64::MAX).saturating_mul(per))
}

fn weekday(s: &str) -> Option<Weekday> {
    const NAMES: [(Weekday, &[&str]); 7] = [
        (Weekday::Mon, &["mon", "monday"]),
        (Weekday::Tue, &["tue", "tues", "tuesday"]),
        (Weekday::Wed, &["wed", "wednesday"]),
        (Weekday::Thu, &["thu", "thur", "thurs", "thursday"]),
        (Weekday::Fri, &["fri", "friday"]),
        (Weekday::Sat, &["sat", "saturday"]),
        (Weekday::Sun, &["sun", "sunday"]),
    ];
    let s = s.strip_prefix("next ").unwrap_or(s);
    NAMES
        .iter()
        .find(|(_, names)| names.contains(&s))
        .map(|(wd, _)| *wd)
}

/// The first `wd` strictly after `today`.
fn next_weekday(today: NaiveDate, wd: Weekday) -> NaiveDate {
    let ahead = (wd.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
    today + Days::new(if ahead == 0 { 7 } else { u64::from(ahead) })
}

fn within_reach(date: NaiveDate, today: NaiveDate) -> bool {
    let span = Months::new(12 * MAX_DUE_YEARS);
    let earliest = today.checked_sub_months(span).unwrap_or(NaiveDate::MIN);
    let latest = today.checked_add_months(span).unwrap_or(NaiveDate::MAX);
    (earliest..=latest).contains(&date)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Wednesday.
    fn today() -> NaiveDate {
        day("2026-12-02")
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn every_accepted_form_resolves_to_the_expected_day() {
        for (input, expected) in [
            ("2026-12-04", "2026-12-04"),
            ("2027-1-5", "2027-01-05"),
            ("today", "2026-12-02"),
            ("  TODAY ", "2026-12-02"),
            ("tomorrow", "2026-12-03"),
            ("Tomorrow.", "2026-12-03"),
            ("in 0d", "2026-12-02"),
            ("in 3d", "2026-12-05"),
            ("in 3 days", "2026-12-05"),
            ("in 1 day", "2026-12-03"),
            ("IN  2W", "2026-12-16"),
            ("in 2 weeks", "2026-12-16"),
            ("in 1 week", "2026-12-09"),
            ("3d", "2026-12-05"),
            ("2w", "2026-12-16"),
            ("30 days", "2027-01-01"),
            ("thu", "2026-12-03"),
            ("fri", "2026-12-04"),
            ("Friday", "2026-12-04"),
            ("next fri", "2026-12-04"),
            ("NEXT Monday", "2026-12-07"),
            ("tues", "2026-12-08"),
            ("sun", "2026-12-06"),
        ] {
            assert_eq!(parse_due(input, today()), Ok(day(expected)), "{input}");
        }
    }

    #[test]
    fn todays_weekday_means_the_same_day_next_week() {
        assert_eq!(parse_due("wed", today()), Ok(day("2026-12-09")));
        assert_eq!(parse_due("next wednesday", today()), Ok(day("2026-12-09")));
    }

    #[test]
    fn a_date_that_is_not_on_the_calendar_is_refused_with_the_reason() {
        for (input, reason) in [
            ("2026-02-30", "February 2026 has 28 days"),
            ("2028-02-30", "February 2028 has 29 days"),
            ("2026-04-31", "April 2026 has 30 days"),
            ("2026-13-01", "there is no month 13"),
            ("2026-00-10", "there is no month 0"),
            ("2026-12-00", "December 2026 has 31 days"),
        ] {
            let err = parse_due(input, today()).unwrap_err();
            let BadDue::NotADate { reason: got, .. } = &err else {
                panic!("{input}: {err:?}");
            };
            assert_eq!(got, reason, "{input}");
            assert!(err.to_string().contains(DUE_FORMS), "{err}");
        }
    }

    #[test]
    fn words_that_are_no_date_are_refused_listing_the_accepted_forms() {
        for input in [
            "fri day",
            "next week",
            "soon",
            "in -3d",
            "in 3 months",
            "3",
            "d",
            "12/04",
            "2026-12",
        ] {
            let err = parse_due(input, today()).unwrap_err();
            assert_eq!(err, BadDue::Unknown(input.to_string()), "{input}");
        }
        assert_eq!(
            BadDue::Unknown("fri day".into()).to_string(),
            "`fri day` is not a date I understand. \
             Use 2026-12-04, today, tomorrow, in 3d, in 2w or a weekday such as fri."
        );
    }

    #[test]
    fn nothing_at_all_is_a_missing_date() {
        assert_eq!(parse_due("   ", today()), Err(BadDue::Missing));
    }

    #[test]
    fn dates_more_than_five_years_away_either_way_are_refused() {
        for input in [
            "in 1900d",
            "in 300w",
            "99999999999999999999999d",
            "2062-12-04",
            "2021-12-01",
        ] {
            assert_eq!(
                parse_due(input, today()),
                Err(BadDue::TooFar(input.into())),
                "{input}"
            );
        }
        assert_eq!(parse_due("2031-12-02", today()), Ok(day("2031-12-02")));
        assert_eq!(parse_due("2026-11-30", today()), Ok(day("2026-11-30")));
    }

    #[test]
    fn a_described_date_shows_its_weekday_and_how_far_it_is() {
        for (date, expected) in [
            ("2026-12-04", "Fri 2026-12-04 (in 2 days)"),
            ("2026-12-03", "Thu 2026-12-03 (tomorrow)"),
            ("2026-12-02", "Wed 2026-12-02 (today)"),
            ("2026-12-01", "Tue 2026-12-01 (yesterday)"),
            ("2026-11-30", "Mon 2026-11-30 (2 days ago)"),
        ] {
            assert_eq!(describe_due(day(date), today()), expected);
        }
    }

    #[test]
    fn only_days_before_today_are_past() {
        assert!(is_past(day("2026-12-01"), today()));
        assert!(!is_past(today(), today()));
        assert!(!is_past(day("2026-12-03"), today()));
    }

    #[test]
    fn a_trailing_due_clause_is_split_off() {
        for (text, rest, due) in [
            (
                "Fix the due-date bug due fri",
                "Fix the due-date bug",
                "2026-12-04",
            ),
            (
                "Rotate keys @glen DUE in 2 weeks",
                "Rotate keys @glen",
                "2026-12-16",
            ),
            ("Renew certs due 2026-12-04", "Renew certs", "2026-12-04"),
            (
                "Say what is due due tomorrow",
                "Say what is due",
                "2026-12-03",
            ),
        ] {
            assert_eq!(split_due(text, today()), (rest.into(), Some(Ok(day(due)))));
        }
    }

    #[test]
    fn other_uses_of_the_word_due_are_kept_as_text() {
        for text in [
            "Check what is due to expire",
            "Pay what is due",
            "Due diligence on the vendor",
            "List items due next week",
            "Find what falls due in the next release",
            "Add alerting",
        ] {
            assert_eq!(split_due(text, today()), (text.into(), None));
        }
    }

    #[test]
    fn a_due_clause_that_tried_to_be_a_date_is_answered_not_swallowed() {
        let unknown = |s: &str| BadDue::Unknown(s.into());
        for (text, err) in [
            ("Fix it due fri day", unknown("fri day")),
            ("Fix it due next fri @glen", unknown("next fri @glen")),
            ("Fix it due 3 pm", unknown("3 pm")),
            ("Fix it due in 9999d", BadDue::TooFar("in 9999d".into())),
            (
                "Fix it due 2026-02-30",
                BadDue::NotADate {
                    input: "2026-02-30".into(),
                    reason: "February 2026 has 28 days".into(),
                },
            ),
        ] {
            assert_eq!(split_due(text, today()), ("Fix it".into(), Some(Err(err))));
        }
    }
}
