//! `/incident impact [business:|customers:|systems:] <text>`: what the incident did to
//! the business, customers or systems, in the team's words. `impact` alone lists the
//! statements in force; `impact drop N` withdraws one (it stays on record). Each is a
//! system entry (`impact`). A closed incident's impact is settled: changes are refused,
//! as the state machine refuses summary and role changes.

use super::numbered::{Target, target};
use super::war_room::{NOT_A_WAR_ROOM, lock_incident_of, record};
use super::{Reply, SlashCommand};
use crate::domain::{ImpactCategory, ImpactStatement, LifecycleError, Status};
use crate::error::AppError;
use crate::state::AppState;
use std::fmt::Write;

pub const USAGE: &str = "/incident impact [business:|customers:|systems:] <what was affected>";
pub const DROP_USAGE: &str = "/incident impact drop <number>";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImpactArgs {
    List,
    Add {
        category: Option<ImpactCategory>,
        text: String,
    },
    Drop(i64),
}

pub fn parse(rest: &str) -> Result<ImpactArgs, Reply> {
    let rest = rest.trim();
    if rest.is_empty() {
        return Ok(ImpactArgs::List);
    }
    let (verb, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if verb.eq_ignore_ascii_case("drop") {
        match target(after) {
            Target::Number(n, "") => return Ok(ImpactArgs::Drop(n)),
            Target::Number(..) => {
                return Err(Reply::usage(
                    "`impact drop` takes only the statement's number.",
                    DROP_USAGE,
                ));
            }
            Target::Missing => {
                return Err(Reply::usage(
                    "Which statement? `/incident impact` lists them with their numbers.",
                    DROP_USAGE,
                ));
            }
            Target::NotANumber(word) => {
                return Err(Reply::usage(
                    &format!("`{word}` is not a statement number; `/incident impact` lists them."),
                    DROP_USAGE,
                ));
            }
            Target::Text => {} // "drop in conversions of 20%": a statement
        }
    }
    let (category, text) = ImpactCategory::split_prefix(rest);
    if text.is_empty() {
        return Err(Reply::usage("Say what was affected.", USAGE));
    }
    Ok(ImpactArgs::Add {
        category,
        text: text.to_string(),
    })
}

pub async fn run(
    state: &AppState,
    cmd: &SlashCommand,
    args: ImpactArgs,
) -> Result<Reply, AppError> {
    match args {
        ImpactArgs::List => list(state, cmd).await,
        ImpactArgs::Add { category, text } => add(state, cmd, category, &text).await,
        ImpactArgs::Drop(n) => drop(state, cmd, n).await,
    }
}

fn heading(category: Option<ImpactCategory>) -> &'static str {
    category.map_or("no heading", ImpactCategory::title)
}

async fn add(
    state: &AppState,
    cmd: &SlashCommand,
    category: Option<ImpactCategory>,
    text: &str,
) -> Result<Reply, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let Some(incident) = lock_incident_of(&mut tx, cmd).await? else {
        return Ok(Reply::Ephemeral(NOT_A_WAR_ROOM.into()));
    };
    if incident.status == Status::Closed {
        return Ok(closed(incident.id));
    }
    let n = tx
        .add_impact(incident.id, category, text, &cmd.user_id, now)
        .await?;
    let entry = match category {
        Some(c) => format!("Impact #{n} ({c}): {text}"),
        None => format!("Impact #{n}: {text}"),
    };
    record(&mut tx, incident.id, now, "impact", &cmd.user_id, entry).await?;
    let mut said = format!(
        "<@{}> added impact #{n} ({}): {text}",
        cmd.user_id,
        heading(category)
    );
    if category.is_none() {
        said.push_str(
            "\n_Start with `business:`, `customers:` or `systems:` to file a statement under a heading._",
        );
    }
    cmd.delivery.commit(tx, Reply::InChannel(said)).await
}

async fn drop(state: &AppState, cmd: &SlashCommand, n: i64) -> Result<Reply, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let Some(incident) = lock_incident_of(&mut tx, cmd).await? else {
        return Ok(Reply::Ephemeral(NOT_A_WAR_ROOM.into()));
    };
    if incident.status == Status::Closed {
        return Ok(closed(incident.id));
    }
    let statements = tx.impacts(incident.id).await?;
    let in_force = statements
        .iter()
        .find(|s| s.seq == n && s.removed_at.is_none());
    let Some(statement) = in_force else {
        return Ok(Reply::usage(
            &format!("There is no impact statement #{n} in force; `/incident impact` lists them."),
            DROP_USAGE,
        ));
    };
    let text = statement.text.clone();
    tx.remove_impact(incident.id, n, now).await?;
    record(
        &mut tx,
        incident.id,
        now,
        "impact",
        &cmd.user_id,
        format!("Impact #{n} withdrawn: {text}"),
    )
    .await?;
    let said = format!("<@{}> withdrew impact #{n}: {text}", cmd.user_id);
    cmd.delivery.commit(tx, Reply::InChannel(said)).await
}

async fn list(state: &AppState, cmd: &SlashCommand) -> Result<Reply, AppError> {
    let mut tx = state.store.read().await?;
    let Some(incident) = super::war_room::incident_of(&mut tx, cmd).await? else {
        return Ok(Reply::Ephemeral(NOT_A_WAR_ROOM.into()));
    };
    let statements = tx.impacts(incident.id).await?;
    tx.commit().await?;
    Ok(Reply::Ephemeral(listing(incident.id, &statements)))
}

/// The statements in force, by heading order then number.
fn listing(incident_id: i64, statements: &[ImpactStatement]) -> String {
    let mut in_force: Vec<&ImpactStatement> = statements
        .iter()
        .filter(|s| s.removed_at.is_none())
        .collect();
    if in_force.is_empty() {
        return format!("No impact recorded for incident #{incident_id} yet. Add some: `{USAGE}`");
    }
    // Headed statements first, in the postmortem's heading order; then the rest.
    in_force.sort_by_key(|s| (s.category.is_none(), s.category, s.seq));
    let mut text = format!("*Impact of incident #{incident_id}*");
    for s in in_force {
        let _ = match s.category {
            Some(c) => write!(text, "\n• #{} {}: {}", s.seq, c.title(), s.text),
            None => write!(text, "\n• #{} {}", s.seq, s.text),
        };
    }
    text.push_str(&format!("\n_Withdraw one with `{DROP_USAGE}`._"));
    text
}

fn closed(incident_id: i64) -> Reply {
    Reply::Ephemeral(format!(
        ":warning: {}: its impact is settled.",
        LifecycleError::AlreadyClosed(incident_id)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn a_statement_keeps_its_heading_and_its_text() {
        assert_eq!(
            parse("customers: could not pay by card").unwrap(),
            ImpactArgs::Add {
                category: Some(ImpactCategory::Customers),
                text: "could not pay by card".into()
            }
        );
        assert_eq!(
            parse("checkout was slow").unwrap(),
            ImpactArgs::Add {
                category: None,
                text: "checkout was slow".into()
            }
        );
    }

    #[test]
    fn nothing_lists_and_drop_with_a_number_withdraws() {
        assert_eq!(parse(""), Ok(ImpactArgs::List));
        assert_eq!(parse("drop 2"), Ok(ImpactArgs::Drop(2)));
        assert_eq!(parse("DROP #3"), Ok(ImpactArgs::Drop(3)));
    }

    #[test]
    fn a_sentence_that_starts_with_drop_is_a_statement() {
        assert_eq!(
            parse("drop in conversions of 20%").unwrap(),
            ImpactArgs::Add {
                category: None,
                text: "drop in conversions of 20%".into()
            }
        );
    }

    #[test]
    fn bad_drops_and_empty_statements_get_usage() {
        for (text, says) in [
            ("drop", "Which statement?"),
            ("drop two", "`two` is not a statement number"),
            ("drop 2 now", "takes only the statement's number"),
            ("business:", "Say what was affected"),
            ("systems:   ", "Say what was affected"),
        ] {
            let Err(Reply::Ephemeral(answer)) = parse(text) else {
                panic!("`{text}` must be refused")
            };
            assert!(answer.contains(says), "{text}: {answer}");
        }
    }

    #[test]
    fn the_listing_leaves_out_withdrawn_statements_and_puts_headed_ones_first() {
        let statement = |seq, category, text: &str, removed: bool| ImpactStatement {
            incident_id: 4,
            seq,
            category,
            text: text.into(),
            author_id: "U1".into(),
            added_at: Utc::now(),
            removed_at: removed.then(Utc::now),
        };
        let text = listing(
            4,
            &[
                statement(1, None, "slow", false),
                statement(2, Some(ImpactCategory::Systems), "db at 100%", false),
                statement(3, Some(ImpactCategory::Business), "no orders", false),
                statement(4, Some(ImpactCategory::Business), "wrong", true),
            ],
        );
        let lines: Vec<&str> = text.lines().skip(1).take(3).collect();
        assert_eq!(
            lines,
            [
                "• #3 Business: no orders",
                "• #2 Systems: db at 100%",
                "• #1 slow"
            ]
        );
        assert!(!text.contains("wrong"), "{text}");
    }
}
