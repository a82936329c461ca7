//! The outbound intents. Each is small and refers to stored things by id; what to say
//! is computed when it is sent, so a topic or summary always shows the latest state.

use crate::pagers::{Provider, ProviderAction};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Create the war-room channel (`name_taken` → numeric suffix) and store its id.
    CreateWarRoom { incident_id: i64 },
    Invite {
        incident_id: i64,
        users: Vec<String>,
    },
    /// Set the channel topic to severity, status and lead as they stand.
    SyncTopic { incident_id: i64 },
    /// Post the summary message and pin it.
    PostSummary { incident_id: i64 },
    /// Update the pinned summary in place after a change.
    RefreshSummary { incident_id: i64 },
    /// Tell the announcements channel about a new incident.
    Announce { incident_id: i64, channel: String },
    /// A line for the war room from Warroom itself: escalations, failures.
    Notice { incident_id: i64, text: String },
    /// DM a paged person: title, severity, war-room link and an Acknowledge button.
    /// One DM carries every page of theirs still waiting, across incidents; a page
    /// another DM already carries is not sent again. `user` is the paged person (it
    /// orders their pages apart from the war room); items stored before it existed
    /// have none and stay in the incident's lane.
    PageDm {
        incident_id: i64,
        page_id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
    },
    /// Re-render the DMs that carry `user`'s pages in this incident (`chat.update`):
    /// once the war room exists, to link it; after an ack, to show it.
    RefreshPageDm { incident_id: i64, user: String },
    /// Notify `user` of `pages`, which a `chat.update` added to their latest page DM
    /// while their DM channel could not take a post (an update rings no phone): one
    /// short post, as soon as the channel's second is free, naming the new pages.
    /// Pages acknowledged meanwhile are left out. Spans incidents, so belongs to none.
    PageNotice { user: String, pages: Vec<i64> },
    /// Build the postmortem draft and post it as a message and a `.md` file.
    PublishPostmortem { incident_id: i64 },
    /// An event at a paging provider for one team's alert on this incident.
    Provider {
        incident_id: i64,
        provider: Provider,
        action: ProviderAction,
        team_id: String,
        dedup_key: String,
    },
    /// DM an owner the items of a closed incident still open in their name.
    OwnerActions { incident_id: i64, owner: String },
    /// DM an item's owner on its due date. `owner` is who owned it when the reminder
    /// was queued (it orders their DMs); the op re-reads the item and sends nothing if
    /// it was closed, dropped or moved to another date meanwhile.
    ActionReminder {
        incident_id: i64,
        item_id: i64,
        owner: String,
        due: NaiveDate,
    },
    /// Open a GitHub issue for an action item and keep its number and URL on the item.
    /// `seq` is the number people know the item by, for failure notices.
    GithubIssue {
        incident_id: i64,
        item_id: i64,
        seq: i64,
    },
    /// Post an alert group's context in the war room (labels, annotations, links to
    /// the source, the runbook) and pin it.
    PostAlert { incident_id: i64, group_id: i64 },
    /// Tell the war room every alert of the group has resolved at the source: with a
    /// "Resolve incident" button, or, under the rule's `auto_resolve`, saying Warroom
    /// marked the incident resolved (never closed).
    AlertsResolved {
        incident_id: i64,
        group_id: i64,
        auto_resolved: bool,
    },
    /// Post a firing group that matched no declaring rule to the triage channel, with
    /// a "Declare incident" button. Belongs to no incident (yet).
    TriageAlert { group_id: i64, channel: String },
    /// Bring a group's triage post up to date: declared as an incident, or resolved.
    RefreshTriage { group_id: i64 },
    /// A nudge in the war room (firing `seq` of timer `timer_id`), addressed to the
    /// commander as they stand when it is sent, with Snooze and Dismiss buttons.
    Nudge {
        incident_id: i64,
        timer_id: i64,
        seq: i64,
        text: String,
    },
    /// A stakeholder update, formatted when it was given (status, severity and times
    /// as they stood then): in the war room (`channel` none) or another channel.
    StakeholderUpdate {
        incident_id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        text: String,
    },
    /// Mirror a public update, or the resolve, on Statuspage: the first creates the
    /// incident there, later ones patch it. `status` is Warroom's when it was queued;
    /// `body` is only ever text someone marked public (none for the resolve).
    Statuspage {
        incident_id: i64,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
}

impl Op {
    pub fn name(&self) -> &'static str {
        match self {
            Op::CreateWarRoom { .. } => "create_war_room",
            Op::Invite { .. } => "invite",
            Op::SyncTopic { .. } => "sync_topic",
            Op::PostSummary { .. } => "post_summary",
            Op::RefreshSummary { .. } => "refresh_summary",
            Op::Announce { .. } => "announce",
            Op::Notice { .. } => "notice",
            Op::PageDm { .. } => "page_dm",
            Op::RefreshPageDm { .. } => "refresh_page_dm",
            Op::PageNotice { .. } => "page_notice",
            Op::PublishPostmortem { .. } => "publish_postmortem",
            Op::Provider { .. } => "provider",
            Op::OwnerActions { .. } => "owner_actions",
            Op::ActionReminder { .. } => "action_reminder",
            Op::GithubIssue { .. } => "github_issue",
            Op::PostAlert { .. } => "post_alert",
            Op::AlertsResolved { .. } => "alerts_resolved",
            Op::TriageAlert { .. } => "triage_alert",
            Op::RefreshTriage { .. } => "refresh_triage",
            Op::Nudge { .. } => "nudge",
            Op::StakeholderUpdate { .. } => "stakeholder_update",
            Op::Statuspage { .. } => "statuspage",
        }
    }

    /// What a page goes through, when this op sends one: `slack_dm` for a page DM,
    /// the provider's name for a trigger (an ack or resolve at a provider is no page).
    pub fn page_provider(&self) -> Option<&'static str> {
        match self {
            Op::PageDm { .. } => Some("slack_dm"),
            Op::Provider {
                provider,
                action: ProviderAction::Trigger,
                ..
            } => Some(provider.as_str()),
            _ => None,
        }
    }

    /// The incident the op is about; `None` for a triage post, which has none, and
    /// for a page notice, which may name several.
    pub fn incident_id(&self) -> Option<i64> {
        Some(match self {
            Op::TriageAlert { .. } | Op::RefreshTriage { .. } | Op::PageNotice { .. } => {
                return None;
            }
            Op::CreateWarRoom { incident_id }
            | Op::Invite { incident_id, .. }
            | Op::SyncTopic { incident_id }
            | Op::PostSummary { incident_id }
            | Op::RefreshSummary { incident_id }
            | Op::Announce { incident_id, .. }
            | Op::Notice { incident_id, .. }
            | Op::PageDm { incident_id, .. }
            | Op::RefreshPageDm { incident_id, .. }
            | Op::PublishPostmortem { incident_id }
            | Op::Provider { incident_id, .. }
            | Op::OwnerActions { incident_id, .. }
            | Op::ActionReminder { incident_id, .. }
            | Op::GithubIssue { incident_id, .. }
            | Op::PostAlert { incident_id, .. }
            | Op::AlertsResolved { incident_id, .. }
            | Op::Nudge { incident_id, .. }
            | Op::StakeholderUpdate { incident_id, .. }
            | Op::Statuspage { incident_id, .. } => *incident_id,
        })
    }

    /// Slack writes for one incident go out in order: the channel exists before
    /// anything is posted to it. Each provider has its own lane per incident, so a
    /// provider outage never holds up Slack, and Slack failing never holds up a page.
    /// DMs about action items go in their owner's lane: they outlive the war room, and
    /// a stuck war-room write must not hold back a reminder weeks later. GitHub issues
    /// share one lane: GitHub asks for content to be created one request at a time,
    /// and a rate limit on the token holds every export alike. Pages go in their
    /// person's lane: a page must not wait behind the war room, which Slack lets us
    /// create only about 20 a minute. Re-rendering a person's page DMs has a lane of
    /// its own, so it never holds up a page and two renders of one DM never race.
    /// So does the notice of pages added to a DM by an update: it waits for the DM
    /// channel's next free second, and a page behind it must not.
    pub fn lane(&self) -> String {
        match self {
            Op::PageDm {
                user: Some(user), ..
            } => format!("page:{user}"),
            Op::RefreshPageDm { user, .. } => format!("page-update:{user}"),
            Op::PageNotice { user, .. } => format!("page-notice:{user}"),
            Op::GithubIssue { .. } => "github".to_string(),
            Op::Statuspage { incident_id, .. } => format!("statuspage:{incident_id}"),
            Op::TriageAlert { group_id, .. } | Op::RefreshTriage { group_id } => {
                format!("triage:{group_id}")
            }
            Op::OwnerActions { owner, .. } | Op::ActionReminder { owner, .. } => {
                format!("dm:{owner}")
            }
            Op::Provider {
                provider,
                incident_id,
                ..
            } => format!("{}:{incident_id}", provider.as_str()),
            other => format!("incident:{}", other.incident_id().unwrap_or_default()),
        }
    }

    /// The channel this op posts to with `chat.postMessage`, when Slack's
    /// one-post-a-second-per-channel limit applies to it.
    pub fn paced_channel(&self) -> Option<String> {
        match self {
            Op::PostSummary { .. }
            | Op::Notice { .. }
            | Op::PublishPostmortem { .. }
            | Op::OwnerActions { .. }
            | Op::ActionReminder { .. }
            | Op::PostAlert { .. }
            | Op::AlertsResolved { .. }
            | Op::Nudge { .. } => Some(self.lane()),
            Op::Announce { channel, .. }
            | Op::TriageAlert { channel, .. }
            | Op::StakeholderUpdate {
                channel: Some(channel),
                ..
            } => Some(format!("channel:{channel}")),
            Op::StakeholderUpdate { channel: None, .. } => Some(self.lane()),
            // The same key as the person's other DMs: it is one DM channel.
            Op::PageDm {
                user: Some(user), ..
            }
            | Op::PageNotice { user, .. } => Some(format!("dm:{user}")),
            _ => None,
        }
    }

    /// Whether the op only shows the state as it stands when it runs (a topic, the
    /// pinned summary, a triage post, a page DM's re-render): when the same op waits
    /// later in the lane, this one has nothing to add and is skipped. Status changes
    /// in quick succession then cost one `conversations.setTopic` (Tier 2, about 20
    /// a minute), not one each.
    pub fn shows_current_state(&self) -> bool {
        matches!(
            self,
            Op::SyncTopic { .. }
                | Op::RefreshSummary { .. }
                | Op::RefreshTriage { .. }
                | Op::RefreshPageDm { .. }
        )
    }

    /// In plain words, for failure notices.
    pub fn describe(&self) -> String {
        match self {
            Op::CreateWarRoom { .. } => "create the war-room channel".into(),
            Op::Invite { users, .. } => format!("invite {}", mentions(users)),
            Op::SyncTopic { .. } => "set the channel topic".into(),
            Op::PostSummary { .. } | Op::RefreshSummary { .. } => {
                "post the incident summary".into()
            }
            Op::Announce { channel, .. } => format!("announce the incident in <#{channel}>"),
            Op::Notice { .. } => "post a notice".into(),
            Op::PageDm { .. } => "send a page by Slack DM".into(),
            Op::RefreshPageDm { user, .. } => {
                format!("update the page DM of <@{user}>")
            }
            Op::PageNotice { user, .. } => format!("tell <@{user}> of their new pages"),
            Op::PublishPostmortem { .. } => "post the postmortem draft".into(),
            Op::Provider {
                provider,
                action,
                team_id,
                ..
            } => {
                let verb = match action {
                    ProviderAction::Trigger => "page",
                    ProviderAction::Acknowledge => "acknowledge the alert of",
                    ProviderAction::Resolve => "resolve the alert of",
                };
                format!("{verb} team {team_id} through {provider}")
            }
            Op::OwnerActions { owner, .. } => {
                format!("send <@{owner}> their open action items")
            }
            Op::ActionReminder { owner, due, .. } => {
                format!("remind <@{owner}> of an action item due {due}")
            }
            Op::GithubIssue { seq, .. } => {
                format!("open a GitHub issue for action item {seq}")
            }
            Op::PostAlert { .. } => "post and pin the alert and its runbook".into(),
            Op::AlertsResolved { .. } => "say that the alerts resolved".into(),
            Op::TriageAlert { channel, .. } => format!("post the alert to triage in <#{channel}>"),
            Op::RefreshTriage { .. } => "update the alert's triage post".into(),
            Op::Nudge { .. } => "post a nudge".into(),
            Op::StakeholderUpdate {
                channel: Some(channel),
                ..
            } => format!("post the stakeholder update in <#{channel}>"),
            Op::StakeholderUpdate { channel: None, .. } => {
                "post the stakeholder update in the war room".into()
            }
            Op::Statuspage { body: Some(_), .. } => {
                "post the public update on the status page".into()
            }
            Op::Statuspage { body: None, .. } => "mark the status page incident resolved".into(),
        }
    }
}

fn mentions(users: &[String]) -> String {
    users
        .iter()
        .map(|u| format!("<@{u}>"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_round_trip_through_their_stored_json() {
        let op = Op::Provider {
            incident_id: 3,
            provider: Provider::Pagerduty,
            action: ProviderAction::Trigger,
            team_id: "sre".into(),
            dedup_key: "warroom-3-sre".into(),
        };
        let json = serde_json::to_string(&op).unwrap();
        assert!(
            json.contains(r#""op":"provider""#) && json.contains(r#""provider":"pagerduty""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
    }

    #[test]
    fn status_page_writes_have_a_lane_per_incident_apart_from_slack() {
        let sp = |incident_id| Op::Statuspage {
            incident_id,
            status: "investigating".into(),
            body: Some("We are looking into it.".into()),
        };
        assert_eq!(sp(4).lane(), "statuspage:4");
        assert_ne!(sp(4).lane(), sp(5).lane());
        assert_ne!(sp(4).lane(), Op::CreateWarRoom { incident_id: 4 }.lane());
        let update = Op::StakeholderUpdate {
            incident_id: 4,
            channel: Some("C0EXEC".into()),
            text: "x".into(),
        };
        assert_eq!(update.paced_channel().as_deref(), Some("channel:C0EXEC"));
        assert_eq!(update.lane(), "incident:4", "after the war room exists");
        let json = serde_json::to_string(&sp(4)).unwrap();
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), sp(4));
    }

    #[test]
    fn slack_ops_share_the_incident_lane_and_providers_have_their_own() {
        let a = Op::CreateWarRoom { incident_id: 9 };
        let b = Op::SyncTopic { incident_id: 9 };
        let p = Op::Provider {
            incident_id: 9,
            provider: Provider::Opsgenie,
            action: ProviderAction::Trigger,
            team_id: "ops".into(),
            dedup_key: "k".into(),
        };
        assert_eq!(a.lane(), b.lane());
        assert_ne!(a.lane(), p.lane());
        assert_ne!(a.lane(), Op::CreateWarRoom { incident_id: 10 }.lane());
    }

    #[test]
    fn pages_go_in_their_persons_lane_paced_with_their_other_dms() {
        let page = |incident_id, page_id| Op::PageDm {
            incident_id,
            page_id,
            user: Some("U1".into()),
        };
        assert_eq!(page(9, 1).lane(), "page:U1");
        assert_eq!(page(9, 1).lane(), page(10, 2).lane(), "across incidents");
        assert_ne!(
            page(9, 1).lane(),
            Op::CreateWarRoom { incident_id: 9 }.lane()
        );
        let reminder = Op::OwnerActions {
            incident_id: 3,
            owner: "U1".into(),
        };
        assert_eq!(page(9, 1).paced_channel(), reminder.paced_channel());
        let refresh = Op::RefreshPageDm {
            incident_id: 9,
            user: "U1".into(),
        };
        assert_ne!(
            refresh.lane(),
            page(9, 1).lane(),
            "a render never holds up a page"
        );
    }

    #[test]
    fn a_page_notice_is_paced_with_the_persons_dms_but_never_holds_up_a_page() {
        let notice = Op::PageNotice {
            user: "U1".into(),
            pages: vec![7, 9],
        };
        let page = Op::PageDm {
            incident_id: 4,
            page_id: 9,
            user: Some("U1".into()),
        };
        assert_eq!(notice.paced_channel(), page.paced_channel());
        assert_ne!(notice.lane(), page.lane());
        assert_eq!(notice.incident_id(), None, "it may name several incidents");
        let json = serde_json::to_string(&notice).unwrap();
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), notice);
    }

    #[test]
    fn a_page_stored_before_it_named_its_person_still_loads_in_the_incident_lane() {
        let stored = r#"{"op":"page_dm","incident_id":4,"page_id":7}"#;
        let op: Op = serde_json::from_str(stored).unwrap();
        assert_eq!(
            op,
            Op::PageDm {
                incident_id: 4,
                page_id: 7,
                user: None
            }
        );
        assert_eq!(op.lane(), "incident:4");
        assert_eq!(op.paced_channel(), None);
    }

    #[test]
    fn pages_and_provider_alerts_are_in_lanes_served_first_and_war_rooms_are_not() {
        let urgent = |op: &Op| {
            crate::store::URGENT_LANE_PREFIXES
                .iter()
                .any(|p| op.lane().starts_with(p))
        };
        let page = Op::PageDm {
            incident_id: 1,
            page_id: 2,
            user: Some("U1".into()),
        };
        assert!(urgent(&page));
        let notice = Op::PageNotice {
            user: "U1".into(),
            pages: vec![2, 3],
        };
        assert!(urgent(&notice), "a page's notice rings the phone");
        for provider in [Provider::Pagerduty, Provider::Opsgenie, Provider::Webhook] {
            let op = Op::Provider {
                incident_id: 1,
                provider,
                action: ProviderAction::Trigger,
                team_id: "sre".into(),
                dedup_key: "k".into(),
            };
            assert!(urgent(&op), "{provider}");
        }
        assert!(!urgent(&Op::CreateWarRoom { incident_id: 1 }));
        assert!(!urgent(&Op::RefreshPageDm {
            incident_id: 1,
            user: "U1".into()
        }));
    }

    #[test]
    fn pages_go_through_providers_the_metrics_know_and_acks_are_no_pages() {
        let dm = Op::PageDm {
            incident_id: 1,
            page_id: 2,
            user: None,
        };
        assert_eq!(dm.page_provider(), Some("slack_dm"));
        for provider in [Provider::Pagerduty, Provider::Opsgenie, Provider::Webhook] {
            let op = |action| Op::Provider {
                incident_id: 1,
                provider,
                action,
                team_id: "sre".into(),
                dedup_key: "k".into(),
            };
            let name = op(ProviderAction::Trigger).page_provider().unwrap();
            assert!(crate::metrics::PAGE_PROVIDERS.contains(&name), "{name}");
            assert_eq!(op(ProviderAction::Acknowledge).page_provider(), None);
            assert_eq!(op(ProviderAction::Resolve).page_provider(), None);
        }
    }
}
