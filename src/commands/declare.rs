//! `/incident declare <title> [sev1-4]`, and `declare` alone, which opens a modal.
//! The incident, its first timeline entry and the Slack work to open its war room
//! are stored in one transaction; the outbox worker does the slow part after the ack.

use super::{Reply, SlashCommand};
use crate::domain::{Declaration, Incident, IncidentTitle, Severity, TimelineEntry};
use crate::error::AppError;
use crate::outbox::{self, Op};
use crate::slack::views;
use crate::state::AppState;
use crate::store::Tx;
use chrono::{DateTime, Utc};

pub const USAGE: &str = "/incident declare <title> [sev1|sev2|sev3|sev4]";
pub const DEFAULT_SEVERITY: Severity = Severity::SEV3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclareArgs {
    pub title: IncidentTitle,
    pub severity: Severity,
    pub service: Option<String>,
    pub summary: Option<String>,
    /// A practice incident (`/incident drill`, the modal's "Drill" box, a replay).
    pub drill: bool,
}

/// `Ok(None)` means no arguments: open the modal.
pub fn parse(rest: &str) -> Result<Option<DeclareArgs>, Reply> {
    if rest.is_empty() {
        return Ok(None);
    }
    parse_title_and_severity(rest, USAGE).map(Some)
}

/// `<title> [sevN]`, answering a mistake with `usage`: shared with `/incident drill`.
pub fn parse_title_and_severity(rest: &str, usage: &str) -> Result<DeclareArgs, Reply> {
    let mut words: Vec<&str> = rest.split_whitespace().collect();
    // Only the last word can be the severity, and only when it is `sev<N>`: "Seven
    // checkouts failing" is a title, and so is a leading "SEV2 …".
    let severity = match words.last() {
        Some(last) if Severity::looks_like(last) => {
            let s = Severity::parse(last).map_err(|e| Reply::usage(&e.to_string(), usage))?;
            words.pop();
            Some(s)
        }
        _ => None,
    };
    if words.is_empty() {
        return Err(Reply::usage("The incident needs a title.", usage));
    }
    let title =
        IncidentTitle::parse(&words.join(" ")).map_err(|e| Reply::usage(&e.to_string(), usage))?;
    Ok(DeclareArgs {
        title,
        severity: severity.unwrap_or(DEFAULT_SEVERITY),
        service: None,
        summary: None,
        drill: false,
    })
}

pub async fn run(
    state: &AppState,
    cmd: &SlashCommand,
    args: DeclareArgs,
) -> Result<Reply, AppError> {
    let (title, severity) = (args.title.to_string(), args.severity);
    let reply = move |id: i64| {
        Reply::Ephemeral(format!(
            ":rotating_light: Declared incident #{id}: *{title}* ({severity}). Opening the war room now; you will be invited."
        ))
    };
    let via = DeclaredVia::Command;
    declare(state, &cmd.user_id, args, via, &cmd.delivery, reply).await
}

/// Declares an incident for `user` and queues its war room. Shared by the slash
/// command and the modal (`via` says which). `reply` says what to answer, given the
/// new incident's id; it is stored with the incident when `delivery` is a Socket
/// Mode envelope.
pub async fn declare(
    state: &AppState,
    user: &str,
    args: DeclareArgs,
    via: DeclaredVia,
    delivery: &super::Delivery,
    reply: impl FnOnce(i64) -> Reply,
) -> Result<Reply, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let new = NewIncident {
        args,
        declared_by: user.to_string(),
        lead: Some(user.to_string()),
        invite: vec![user.to_string()],
        policy: None,
        author: Some(user.to_string()),
        how: None,
        via,
    };
    let (incident, escalates) = declare_in(state, &mut tx, new, now).await?;
    let reply = delivery.commit(tx, reply(incident.id)).await?;
    state.wake_outbox();
    if escalates {
        state.wake_escalations();
    }
    Ok(reply)
}

/// A new incident, whoever declares it: a person (command, modal, triage button) or
/// an alert rule.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub args: DeclareArgs,
    /// A Slack user id, or for an alert the source's name (`alertmanager`).
    pub declared_by: String,
    /// The commander from the start: the person declaring; `None` for an alert.
    pub lead: Option<String>,
    /// Invited when the war room opens (paged people are invited by the pager).
    pub invite: Vec<String>,
    /// An escalation policy named by an alert rule; `None` routes by severity.
    pub policy: Option<String>,
    /// The timeline author of the declaration; `None` for Warroom itself.
    pub author: Option<String>,
    /// How it was declared, appended to the timeline entry (e.g. "from Alertmanager,
    /// rule critical").
    pub how: Option<String>,
    /// Which way it came in, for the `source` label of the declared-incidents count.
    pub via: DeclaredVia,
}

/// Which way an incident was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclaredVia {
    /// `/incident declare <title>`.
    Command,
    /// The declare modal (`/incident declare` alone).
    Modal,
    /// An alert that matched a declaring rule.
    Alert,
    /// Someone pressed "Declare incident" on an alert posted to triage.
    Triage,
}

impl DeclaredVia {
    pub fn as_str(self) -> &'static str {
        match self {
            DeclaredVia::Command => "command",
            DeclaredVia::Modal => "modal",
            DeclaredVia::Alert => "alert",
            DeclaredVia::Triage => "triage",
        }
    }
}

/// Stores the incident, its first timeline entry and its war-room work in `tx`, and
/// starts its escalation. Returns the incident and whether an escalation is due (the
/// caller wakes the workers after committing).
pub async fn declare_in(
    state: &AppState,
    tx: &mut Tx,
    new: NewIncident,
    now: DateTime<Utc>,
) -> Result<(Incident, bool), AppError> {
    let (mut incident, event) = Incident::declare(Declaration {
        title: new.args.title,
        severity: new.args.severity,
        service: new.args.service,
        summary: new.args.summary,
        declared_by: new.declared_by,
        declared_at: now,
    });
    incident.lead = new.lead;
    incident.drill = new.args.drill;
    // A private war room's incident stays off the dashboard unless it shows them.
    let private = state.settings.slack.private_channels;
    incident.id = tx.insert_incident_as(&incident, private).await?;
    let id = incident.id;
    if !incident.drill {
        // Drills are practice: `incidents_declared` counts what really broke.
        let (metrics, level, via) = (state.metrics.clone(), incident.severity.level(), new.via);
        tx.on_commit(move || metrics.incident_declared(level, via.as_str()));
    }
    let text = match &new.how {
        Some(how) => format!("{} {how}", event.describe()),
        None => event.describe(),
    };
    let text = format!("{}{text}", incident.drill_mark());
    tx.insert_system_entry(&TimelineEntry::system(
        id,
        now,
        event.kind(),
        new.author.as_deref(),
        text,
    ))
    .await?;
    let mut ops = vec![Op::CreateWarRoom { incident_id: id }];
    if !new.invite.is_empty() {
        ops.push(Op::Invite {
            incident_id: id,
            users: new.invite,
        });
    }
    ops.push(Op::SyncTopic { incident_id: id });
    ops.push(Op::PostSummary { incident_id: id });
    // A drill stays among the people practising: the announcements channel is for
    // stakeholders waiting on real news.
    if let Some(channel) = state
        .settings
        .slack
        .announcements_channel
        .as_ref()
        .filter(|_| !incident.drill)
    {
        ops.push(Op::Announce {
            incident_id: id,
            channel: channel.clone(),
        });
    }
    for op in &ops {
        outbox::enqueue(tx, op, Some(&id.to_string())).await?;
    }
    let escalates = start_escalation(state, tx, &incident, new.policy.as_deref(), now).await?;
    crate::timers::nudges::arm(tx, &state.settings.nudges, &incident, now).await?;
    tracing::info!(incident_id = id, severity = %incident.severity, "incident declared");
    Ok((incident, escalates))
}

/// Starts `policy` (an id from the escalation file), or else the severity's policy,
/// if there is one; level one is due at once.
pub async fn start_escalation(
    state: &AppState,
    tx: &mut Tx,
    incident: &Incident,
    policy: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let config = &state.settings.paging.escalation;
    let policy = match policy {
        Some(id) => config.policies.get(id),
        None => config.policy_for(incident.severity.level()),
    };
    let Some(policy) = policy else {
        return Ok(false);
    };
    tx.start_escalation(incident.id, &policy.id, now).await?;
    Ok(true)
}

/// `declare` with no title: open the modal. The trigger id expires in 3 seconds, so
/// this call goes out at once rather than through the outbox.
pub fn open_modal(state: &AppState, cmd: &SlashCommand) -> Result<Reply, AppError> {
    if cmd.trigger_id.is_empty() {
        return Ok(Reply::usage("The incident needs a title.", USAGE));
    }
    let slack = state.slack.clone();
    let (trigger, view) = (
        cmd.trigger_id.clone(),
        views::declare_modal(&cmd.channel_id),
    );
    let response_url = cmd.response_url.clone();
    tokio::spawn(async move {
        if let Err(e) = slack.open_view(&trigger, &view).await {
            tracing::warn!(error = %e, "could not open the declare modal");
            let text =
                format!("Could not open the form ({e}). Declare with a title instead: `{USAGE}`");
            let body = serde_json::json!({"response_type": "ephemeral", "text": crate::slack::mrkdwn::echo(&text)});
            if !response_url.is_empty()
                && let Err(e) = slack.respond(&response_url, &body).await
            {
                tracing::warn!(error = %e, "could not tell the user the modal failed");
            }
        }
    });
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> DeclareArgs {
        parse(text).unwrap().unwrap()
    }

    #[test]
    fn a_trailing_severity_is_taken_from_the_title() {
        let a = ok("Checkout returns 500s sev1");
        assert_eq!(a.title.as_str(), "Checkout returns 500s");
        assert_eq!(a.severity, Severity::SEV1);
    }

    #[test]
    fn words_that_merely_start_with_sev_stay_in_the_title() {
        for title in [
            "Seven checkouts failing",
            "Severe latency on search",
            "Checkout sevens",
        ] {
            let a = ok(title);
            assert_eq!(a.title.as_str(), title);
            assert_eq!(a.severity, DEFAULT_SEVERITY, "{title}");
        }
    }

    #[test]
    fn only_a_trailing_severity_counts_in_any_case() {
        assert_eq!(ok("DB failover SEV2").severity, Severity::SEV2);
        assert_eq!(ok("DB failover Sev4").severity, Severity::SEV4);
        let leading = ok("SEV2 DB failover");
        assert_eq!(leading.title.as_str(), "SEV2 DB failover");
        assert_eq!(leading.severity, DEFAULT_SEVERITY);
        assert_eq!(ok("DB failover").severity, DEFAULT_SEVERITY);
    }

    #[test]
    fn no_arguments_means_open_the_modal() {
        assert_eq!(parse(""), Ok(None));
    }

    #[test]
    fn a_severity_alone_or_an_invalid_one_gets_usage() {
        for bad in ["sev1", "Checkout down sev7", "Checkout down SEV0"] {
            let Err(Reply::Ephemeral(text)) = parse(bad) else {
                panic!("{bad} must be refused")
            };
            assert!(text.contains(USAGE), "{bad}: {text}");
        }
    }

    #[test]
    fn every_way_of_declaring_is_a_source_the_metrics_start_at_zero() {
        for via in [
            DeclaredVia::Command,
            DeclaredVia::Modal,
            DeclaredVia::Alert,
            DeclaredVia::Triage,
        ] {
            assert!(
                crate::metrics::DECLARE_SOURCES.contains(&via.as_str()),
                "{via:?}"
            );
        }
    }
}
