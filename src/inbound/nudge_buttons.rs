//! A nudge's buttons: Snooze 15m, Snooze 1h and Dismiss
//! ([`crate::slack::nudge_views`]). A snooze re-arms the nudge's timer; a dismiss
//! stops that nudge for the incident; each is a timeline entry, made once (a second
//! press, or a press on an older nudge already answered, changes nothing). The nudge
//! message is replaced by what was done, so its buttons go; a press that changed
//! nothing is answered to the presser alone.

use crate::commands::Delivery;
use crate::error::AppError;
use crate::slack::Answer;
use crate::slack::mrkdwn::echo;
use crate::slack::nudge_views::{
    DISMISS_ACTION_ID, SNOOZE_1H_ACTION_ID, SNOOZE_15M_ACTION_ID, parse_value,
};
use crate::state::AppState;
use crate::timers::nudges::{Press, Pressed, SNOOZES, press};
use serde_json::{Value, json};

/// Handles one press of `action_id` with `value` by `user`; returns what the
/// message should say (`None` when a twin delivery of the same press answered).
pub async fn handle(
    state: &AppState,
    action_id: &str,
    value: Option<&str>,
    user: &str,
    delivery: &Delivery,
) -> Result<Option<Value>, AppError> {
    let what = match action_id {
        SNOOZE_15M_ACTION_ID => Press::Snooze(SNOOZES[0]),
        SNOOZE_1H_ACTION_ID => Press::Snooze(SNOOZES[1]),
        DISMISS_ACTION_ID => Press::Dismiss,
        other => {
            return Err(AppError::BadRequest(format!(
                "{other} is not a nudge button"
            )));
        }
    };
    let (timer_id, seq) = value
        .and_then(parse_value)
        .ok_or_else(|| AppError::BadRequest(format!("{action_id} button without a nudge id")))?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let pressed = press(&mut tx, timer_id, seq, what, user, now).await?;
    if delivery.commit_answer(tx, Answer::Empty).await?.is_some() {
        return Ok(None);
    }
    let ephemeral = |text: &str| json!({"response_type": "ephemeral", "replace_original": false, "text": echo(text)});
    Ok(Some(match pressed {
        Pressed::Done(text) => {
            let icon = match what {
                Press::Snooze(_) => ":zzz:",
                Press::Dismiss => ":no_bell:",
            };
            if matches!(what, Press::Snooze(_)) {
                state.wake_timers();
            }
            json!({"replace_original": true, "text": format!("{icon} {text}.")})
        }
        Pressed::Already(text) => ephemeral(&format!(":information_source: {text}")),
        Pressed::Unknown => ephemeral(
            ":warning: Warroom does not know this nudge (it may be older than its database).",
        ),
    }))
}
