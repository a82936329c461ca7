//! `/incident action <text> [@owner] [due <date>]` adds an action item;
//! `/incident actions` lists them; `action done|drop|reopen N`, `action owner N @user`
//! and `action due N <date>` correct one. Parsing lives here, applying in [`apply`]:
//! its [`add`] is shared with the "Add as action item" message shortcut.
//!
//! Action items may be added and corrected after the incident is closed: follow-ups
//! are often found late, in the review. (Summary, impact and roles are settled at
//! close.)

mod apply;

pub use apply::{Confirm, add, correct, list};

use super::Reply;
use super::numbered::{Target, target};
use crate::domain::{ActionStatus, parse_due, split_due, user_mention};
use chrono::NaiveDate;

pub const USAGE: &str = "/incident action <what to do> [@owner] [due <date>]";
pub const LIST_USAGE: &str = "/incident actions";

/// An item to add, from the command or the shortcut's modal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub text: String,
    pub owner_id: Option<String>,
    pub due: Option<NaiveDate>,
    /// The war-room message the item was made from (the shortcut).
    pub source_ts: Option<String>,
}

/// What a correction changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Correction {
    Status(ActionStatus),
    Owner(String),
    Due(NaiveDate),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionArgs {
    Add(NewItem),
    List,
    Correct(i64, Correction),
}

/// Runs a parsed `/incident action …` or `/incident actions`.
pub async fn run(
    state: &crate::state::AppState,
    cmd: &super::SlashCommand,
    args: ActionArgs,
) -> Result<Reply, crate::error::AppError> {
    match args {
        ActionArgs::Add(item) => {
            add(
                state,
                &cmd.channel_id,
                &cmd.user_id,
                item,
                Confirm::Reply,
                &cmd.delivery,
            )
            .await
        }
        ActionArgs::List => list(state, cmd).await,
        ActionArgs::Correct(n, correction) => correct(state, cmd, n, correction).await,
    }
}

/// The usage line of each correction verb.
fn verb_usage(verb: &str) -> &'static str {
    match verb {
        "done" => "/incident action done <number>",
        "drop" => "/incident action drop <number>",
        "reopen" => "/incident action reopen <number>",
        "owner" => "/incident action owner <number> @user",
        _ => "/incident action due <number> <date>",
    }
}

/// Reads what follows `action`. `today` (UTC) resolves due dates such as `fri`.
pub fn parse(rest: &str, today: NaiveDate) -> Result<ActionArgs, Reply> {
    let rest = rest.trim();
    let (verb, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let verb = verb.to_ascii_lowercase();
    if verb == "list" && after.trim().is_empty() {
        return Ok(ActionArgs::List);
    }
    if !matches!(verb.as_str(), "done" | "drop" | "reopen" | "owner" | "due") {
        return parse_new(rest, today).map(ActionArgs::Add);
    }
    let usage = verb_usage(&verb);
    let not_a_number = |word: &str| {
        Reply::usage(
            &format!("`{word}` is not an action item number; `{LIST_USAGE}` lists them."),
            usage,
        )
    };
    let (n, tail) = match target(after) {
        Target::Number(n, tail) => (n, tail),
        Target::Missing => {
            return Err(Reply::usage(
                &format!("Which item? `{LIST_USAGE}` lists them with their numbers."),
                usage,
            ));
        }
        Target::NotANumber(word) => return Err(not_a_number(word)),
        // `action owner bob @bob` is a correction with a name for a number.
        Target::Text if verb == "owner" && ends_with_mention(after) => {
            return Err(not_a_number(after.split_whitespace().next().unwrap_or("")));
        }
        // "Drop the old index", "Due diligence on the vendor": an item's text.
        Target::Text => return parse_new(rest, today).map(ActionArgs::Add),
    };
    let correction = match verb.as_str() {
        "done" | "drop" | "reopen" if !tail.is_empty() => {
            return Err(Reply::usage(
                &format!("`action {verb}` takes only the item's number."),
                usage,
            ));
        }
        "done" => Correction::Status(ActionStatus::Done),
        "drop" => Correction::Status(ActionStatus::Dropped),
        "reopen" => Correction::Status(ActionStatus::Open),
        "owner" => match user_mention(tail) {
            Some(id) => Correction::Owner(id),
            None if tail.is_empty() => {
                return Err(Reply::usage(
                    &format!("Who should own item #{n}? Mention them with @."),
                    usage,
                ));
            }
            None => {
                return Err(Reply::usage(
                    &format!("`{tail}` is not a Slack user; mention them with @."),
                    usage,
                ));
            }
        },
        _ => Correction::Due(
            parse_due(tail, today).map_err(|e| Reply::usage(&e.to_string(), usage))?,
        ),
    };
    Ok(ActionArgs::Correct(n, correction))
}

fn ends_with_mention(text: &str) -> bool {
    text.split_whitespace()
        .last()
        .is_some_and(|w| user_mention(w).is_some())
}

/// `<text> [@owner] [due <date>]`. The owner is the last whole-word user mention after
/// the first word (other mentions stay in the text); the due clause is split off what
/// remains by [`split_due`], so the two may come in either order.
fn parse_new(rest: &str, today: NaiveDate) -> Result<NewItem, Reply> {
    let (without_owner, owner_id) = take_owner(rest);
    let (text, due) = split_due(&without_owner, today);
    let due = due
        .transpose()
        .map_err(|e| Reply::usage(&e.to_string(), USAGE))?;
    if text.is_empty() {
        return Err(Reply::usage("An action item needs some text.", USAGE));
    }
    if owner_id.is_none()
        && let Some(name) = text
            .split_whitespace()
            .last()
            .filter(|w| w.starts_with('@'))
    {
        return Err(Reply::usage(
            &format!(
                "`{name}` is not a Slack user; mention the owner with @ and pick them from the list."
            ),
            USAGE,
        ));
    }
    Ok(NewItem {
        text,
        owner_id,
        due,
        source_ts: None,
    })
}

/// Takes the owner's mention out of `text`: the last word that is a user mention,
/// unless it is the first word (then it is the text's subject, not its owner). The
/// rest of the text is kept as typed.
fn take_owner(text: &str) -> (String, Option<String>) {
    let base = text.as_ptr() as usize;
    // Each word is a slice of `text`: its offset is the distance between their starts.
    let found = text
        .split_whitespace()
        .skip(1)
        .filter_map(|w| user_mention(w).map(|id| (w.as_ptr() as usize - base, w.len(), id)))
        .last();
    let Some((start, len, id)) = found else {
        return (text.trim().to_string(), None);
    };
    let before = text[..start].trim();
    let after = text[start + len..].trim();
    let kept = if after.is_empty() {
        before.to_string()
    } else {
        format!("{before} {after}")
    };
    (kept, Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Wednesday.
    fn today() -> NaiveDate {
        "2026-12-02".parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn added(text: &str) -> NewItem {
        match parse(text, today()) {
            Ok(ActionArgs::Add(item)) => item,
            other => panic!("`{text}` must add an item, got {other:?}"),
        }
    }

    fn refusal(text: &str) -> String {
        match parse(text, today()) {
            Err(Reply::Ephemeral(t)) => t,
            other => panic!("`{text}` must be refused, got {other:?}"),
        }
    }

    #[test]
    fn an_item_takes_its_owner_and_due_date_in_either_order() {
        for text in [
            "Rotate the keys <@U02GLEN|glen> due fri",
            "Rotate the keys due fri <@U02GLEN|glen>",
            "Rotate the keys due FRI <@U02GLEN>",
        ] {
            assert_eq!(
                added(text),
                NewItem {
                    text: "Rotate the keys".into(),
                    owner_id: Some("U02GLEN".into()),
                    due: Some(day("2026-12-04")),
                    source_ts: None,
                },
                "{text}"
            );
        }
    }

    #[test]
    fn the_last_mention_owns_the_item_and_other_mentions_stay_in_the_text() {
        let item = added("Ask <@U01ANNA|anna> for the logs <@U02GLEN|glen>");
        assert_eq!(item.text, "Ask <@U01ANNA|anna> for the logs");
        assert_eq!(item.owner_id.as_deref(), Some("U02GLEN"));
        let item = added("<@U01ANNA|anna> to write the runbook");
        assert_eq!(item.text, "<@U01ANNA|anna> to write the runbook");
        assert_eq!(item.owner_id, None, "a leading mention is the subject");
        let item = added("Page <!subteam^S1|@db> sooner");
        assert_eq!(item.owner_id, None);
    }

    #[test]
    fn an_item_without_owner_or_date_is_its_whole_text() {
        let item = added("Add alerting on queue depth\nand a dashboard");
        assert_eq!(item.text, "Add alerting on queue depth\nand a dashboard");
        assert_eq!((item.owner_id, item.due), (None, None));
        assert_eq!(
            added("Check what is due to expire").text,
            "Check what is due to expire"
        );
    }

    #[test]
    fn sentences_that_start_with_a_correction_verb_are_items() {
        for text in [
            "Drop the old index",
            "Due diligence on the vendor",
            "done criteria for rollbacks",
            "owner review of the runbook",
        ] {
            assert_eq!(added(text).text, text);
        }
    }

    #[test]
    fn list_alone_lists() {
        assert_eq!(parse("list", today()), Ok(ActionArgs::List));
        assert_eq!(added("list the dependencies").text, "list the dependencies");
    }

    #[test]
    fn each_correction_reads_its_number_and_value() {
        for (text, n, correction) in [
            ("done 2", 2, Correction::Status(ActionStatus::Done)),
            ("DROP #3", 3, Correction::Status(ActionStatus::Dropped)),
            ("reopen 1", 1, Correction::Status(ActionStatus::Open)),
            (
                "owner 2 <@U02GLEN|glen>",
                2,
                Correction::Owner("U02GLEN".into()),
            ),
            ("due 4 in 2w", 4, Correction::Due(day("2026-12-16"))),
            ("due 4 2026-11-30", 4, Correction::Due(day("2026-11-30"))),
        ] {
            assert_eq!(
                parse(text, today()),
                Ok(ActionArgs::Correct(n, correction)),
                "{text}"
            );
        }
    }

    #[test]
    fn every_kind_of_bad_action_gets_a_usage_answer() {
        for (text, says) in [
            ("", "needs some text"),
            ("due fri", "`fri` is not an action item number"),
            (
                "Fix it <@U02GLEN> due fri day",
                "`fri day` is not a date I understand",
            ),
            ("Fix it due 2026-02-30", "February 2026 has 28 days"),
            ("Fix it @glen", "`@glen` is not a Slack user"),
            ("done", "Which item?"),
            ("done two", "`two` is not an action item number"),
            ("done 2 please", "takes only the item's number"),
            ("owner 2", "Who should own item #2?"),
            ("owner 2 glen", "`glen` is not a Slack user"),
            (
                "owner glen <@U02GLEN>",
                "`glen` is not an action item number",
            ),
            ("due 2", "the due date is missing"),
            ("due 2 someday", "`someday` is not a date I understand"),
            ("due x", "`x` is not an action item number"),
        ] {
            let answer = refusal(text);
            assert!(
                answer.contains(says) && answer.contains("Usage:"),
                "`{text}` answered `{answer}`, expected `{says}`"
            );
        }
    }
}
