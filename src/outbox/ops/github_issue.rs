//! An action item as a GitHub issue, once. GitHub takes no idempotency key, so the
//! body carries a hidden marker (`<!-- warroom-action:{item id} -->`): a retry (whose
//! earlier attempt may have opened the issue before its answer was lost) looks for
//! the marker before creating. Once created, the number and URL are kept on the item,
//! and an item that has them is never exported again. The owner is assigned only
//! through `[postmortem] github_users`; a login GitHub refuses is dropped and the
//! issue opened unassigned.

use super::{CLOCK_MARGIN, Ctx, Delivery, SendError};
use crate::config::GithubExportSettings;
use crate::domain::{ActionItem, ActionStatus, Incident, clip};
use crate::github::{CreatedIssue, GithubClient, GithubError, NewIssue};
use crate::slack::views::channel_url;
use std::collections::BTreeMap;
use std::sync::Arc;

/// GitHub's title limit is 256 characters; a title is for scanning a list.
const MAX_TITLE: usize = 120;
/// GitHub's body limit is 65,536 characters; the item's text is cut well before it.
const MAX_TEXT: usize = 60_000;

/// What the GitHub ops reach: the client and who is who.
#[derive(Clone, Debug)]
pub struct GithubExport {
    pub client: GithubClient,
    /// Slack user id → GitHub login.
    pub users: Arc<BTreeMap<String, String>>,
}

impl GithubExport {
    /// `http` bounds every call with its timeout.
    pub fn new(settings: &GithubExportSettings, http: reqwest::Client) -> Self {
        Self {
            client: GithubClient::new(
                settings.api_url.clone(),
                settings.repo.clone(),
                settings.token.clone(),
                http,
            ),
            users: Arc::new(settings.users.clone()),
        }
    }
}

/// The hidden line that finds an item's issue again.
pub fn issue_marker(item_id: i64) -> String {
    format!("<!-- warroom-action:{item_id} -->")
}

pub(super) async fn run(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    item_id: i64,
) -> Result<(), SendError> {
    let github = ctx.github.as_ref().ok_or_else(|| {
        SendError::Missing(
            "the GitHub export is no longer configured ([postmortem] github_repo)".into(),
        )
    })?;
    let mut tx = ctx.store.read().await?;
    let item = tx.action_by_id(item_id).await?;
    tx.commit().await?;
    let item =
        item.ok_or_else(|| SendError::Missing(format!("action item #{item_id} does not exist")))?;
    if item.issue_url.is_some() || item.status == ActionStatus::Dropped {
        return Ok(());
    }
    let marker = issue_marker(item.id);
    let found = if d.retry {
        github
            .client
            .find_by_marker(&marker, d.since - CLOCK_MARGIN)
            .await?
    } else {
        None
    };
    let created = match found {
        Some(issue) => {
            tracing::info!(
                item_id,
                number = issue.number,
                "an earlier attempt opened the issue; keeping it"
            );
            issue
        }
        None => {
            let assignee = item.owner_id.as_ref().and_then(|o| github.users.get(o));
            create(
                &github.client,
                &issue_for(incident, &item, assignee, &marker),
            )
            .await?
        }
    };
    let mut tx = ctx.store.begin().await?;
    tx.set_action_issue(item.id, created.number as i64, &created.html_url)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Creates the issue; a 422 refusing the assignee (not a collaborator, no such
/// login) is answered by opening it unassigned. That first create opened nothing.
async fn create(client: &GithubClient, issue: &NewIssue) -> Result<CreatedIssue, GithubError> {
    match client.create_issue(issue).await {
        Err(e) if e.is_invalid_assignee() && !issue.assignees.is_empty() => {
            tracing::warn!(assignees = ?issue.assignees, "GitHub refused the assignee; opening the issue unassigned");
            client.create_issue(&issue.without_assignees()).await
        }
        other => other,
    }
}

/// The issue for `item`: its text as the title, and a body that says where it came
/// from, links back to the war room and ends with the marker.
pub(super) fn issue_for(
    incident: &Incident,
    item: &ActionItem,
    assignee: Option<&String>,
    marker: &str,
) -> NewIssue {
    let text = item.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut body = format!(
        "Action item {} of incident #{}: **{}** ({}).\n\n",
        item.seq,
        incident.id,
        markdown(&clip(&incident.title, 200)),
        incident.severity
    );
    for line in clip(item.text.trim(), MAX_TEXT).lines() {
        body.push_str(&format!("> {}\n", markdown(line)));
    }
    body.push('\n');
    if let Some(owner) = &item.owner_id {
        match assignee {
            Some(login) => body.push_str(&format!("- Owner: {login} (Slack {owner})\n")),
            None => body.push_str(&format!("- Owner: Slack {owner}\n")),
        }
    }
    if let Some(due) = item.due {
        body.push_str(&format!("- Due: {due}\n"));
    }
    if let Some(channel) = &incident.channel_id {
        body.push_str(&format!("- War room: {}\n", channel_url(channel)));
    }
    body.push_str(&format!("\n{marker}\n"));
    NewIssue {
        title: clip(&text, MAX_TITLE),
        body,
        assignees: assignee.cloned().into_iter().collect(),
        labels: Vec::new(),
    }
}

/// Text from Slack, safe in a Markdown body: no HTML (so no comment can forge
/// another item's marker), and no `@` mention pinging a GitHub user.
fn markdown(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('@', "@\u{200B}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Declaration, IncidentTitle, Severity};
    use chrono::{NaiveDate, Utc};

    fn incident() -> Incident {
        let (mut i, _) = Incident::declare(Declaration {
            title: IncidentTitle::parse("Checkout down").unwrap(),
            severity: Severity::SEV2,
            service: None,
            summary: None,
            declared_by: "U1".into(),
            declared_at: Utc::now(),
        });
        i.id = 12;
        i.channel_id = Some("C0WARROOM".into());
        i
    }

    fn item(text: &str) -> ActionItem {
        ActionItem {
            id: 42,
            incident_id: 12,
            seq: 2,
            text: text.into(),
            owner_id: Some("U02BSPARRO".into()),
            due: NaiveDate::from_ymd_opt(2026, 12, 4),
            status: ActionStatus::Open,
            created_by: "U1".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            source_ts: None,
            issue_url: None,
        }
    }

    #[test]
    fn the_issue_links_back_to_the_incident_and_ends_with_the_marker() {
        let login = "octocat".to_string();
        let issue = issue_for(
            &incident(),
            &item("Canary deploys\nfor checkout"),
            Some(&login),
            &issue_marker(42),
        );
        assert_eq!(issue.title, "Canary deploys for checkout");
        assert_eq!(issue.assignees, ["octocat"]);
        assert!(
            issue
                .body
                .starts_with("Action item 2 of incident #12: **Checkout down** (SEV2)."),
            "{}",
            issue.body
        );
        assert!(
            issue.body.contains("> Canary deploys\n> for checkout\n"),
            "{}",
            issue.body
        );
        assert!(
            issue
                .body
                .contains("- Owner: octocat (Slack U02BSPARRO)\n- Due: 2026-12-04\n"),
            "{}",
            issue.body
        );
        assert!(
            issue
                .body
                .contains("https://slack.com/app_redirect?channel=C0WARROOM")
        );
        assert!(
            issue.body.ends_with("\n<!-- warroom-action:42 -->\n"),
            "{}",
            issue.body
        );
    }

    #[test]
    fn text_from_slack_cannot_forge_a_marker_or_ping_anyone() {
        let issue = issue_for(
            &incident(),
            &item("see <!-- warroom-action:7 --> and ask @octocat"),
            None,
            &issue_marker(42),
        );
        assert!(
            !issue.body.contains("<!-- warroom-action:7"),
            "{}",
            issue.body
        );
        assert!(!issue.body.contains("@octocat"), "{}", issue.body);
        assert!(issue.assignees.is_empty());
        assert!(issue.body.contains("- Owner: Slack U02BSPARRO\n"));
    }

    #[test]
    fn a_long_text_is_cut_to_fit_the_title_and_the_body() {
        let issue = issue_for(
            &incident(),
            &item(&"x".repeat(70_000)),
            None,
            &issue_marker(42),
        );
        assert_eq!(issue.title.chars().count(), MAX_TITLE);
        assert!(issue.body.chars().count() < 65_536);
        assert!(issue.body.ends_with("<!-- warroom-action:42 -->\n"));
    }
}
