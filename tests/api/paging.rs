//! Paging the escalation contacts: level one on declare, escalation when nobody
//! acknowledges, acks from Slack and from providers, provider failures, restarts and
//! two replicas. Time is a manual clock the tests move on.

use crate::db::Backend;
use crate::helpers::{OG_WEBHOOK_TOKEN, PD_WEBHOOK_SECRET, TestApp, spawn_paging_app};
use crate::page_dms::pages_shown;
use reqwest::StatusCode;
use std::time::Duration;
use warroom_fakes::opsgenie::{Action, Outcome};
use warroom_fakes::pagerduty::EventOutcome;
use warroom_fakes::{Failure, PagerFailure};

const SRE: &str = "U06SREONCL";
const NET: &str = "U02BSPARRO";
const SUPPORT: &str = "U01SVEGA00";
const MANAGER: &str = "U07ENGMGR0";

pub const ESCALATION: &str = r#"
[providers.pagerduty]
events_url = "{pagerduty}"
[providers.opsgenie]
api_url = "{opsgenie}"
api_key_env = "TEST_OG_KEY"

[teams.sre]
name = "SRE on call"
pocs = [{ slack = "U06SREONCL" }]
pagerduty_routing_key_env = "TEST_PD_KEY"

[teams.networking]
name = "Networking"
pocs = [{ slack = "U02BSPARRO" }]
opsgenie_team = "network"

[teams.support]
name = "Customer Support"
pocs = [{ slack = "U01SVEGA00" }]
webhook_url = "{webhook}/hook/support"

[teams.managers]
name = "Engineering managers"
pocs = [{ slack = "U07ENGMGR0" }]

[policies.app-down]
repeat_last = 1
[[policies.app-down.levels]]
targets = ["team:sre"]
ack_timeout = "5m"
[[policies.app-down.levels]]
targets = ["team:networking", "team:support"]
ack_timeout = "10m"
[[policies.app-down.levels]]
targets = ["team:managers"]
ack_timeout = "15m"

[routing.severity]
sev1 = "app-down"
"#;

const MIN: u64 = 60;

async fn app() -> TestApp {
    let app = spawn_paging_app(Backend::Sqlite, ESCALATION).await;
    app.slack.add_user(SRE, "oncall", "On-call SRE", "SRE");
    app.slack
        .add_user(NET, "bsparrow", "Bob Sparrow", "Networking");
    app
}

/// Declares a SEV1 and waits for level one to go out.
async fn sev1(app: &TestApp, title: &str) -> (i64, String) {
    let inc = app.declare(SRE, &format!("{title} sev1")).await;
    app.slack
        .wait_for("the level-one DM", |s| !s.dms_to(SRE).is_empty())
        .await;
    app.outbox_drained().await;
    (inc.incident_id, inc.channel)
}

/// How many pages `user`'s DMs show (one DM may carry several).
fn paged(app: &TestApp, user: &str) -> usize {
    pages_shown(&app.slack, user).len()
}

async fn page_id(app: &TestApp, incident: i64, user: &str) -> i64 {
    app.pages(incident)
        .await
        .into_iter()
        .find(|p| p.user_id == user)
        .expect("a page for the user")
        .id
}

#[tokio::test]
async fn a_sev1_pages_level_one_by_dm_and_pagerduty_and_records_it() {
    let app = app().await;
    let (id, room) = sev1(&app, "Storefront down").await;

    let dm = &app.slack.dms_to(SRE)[0];
    let blocks = dm.blocks.clone().unwrap().to_string();
    assert!(
        dm.text.contains("SEV1") && dm.text.contains("Storefront down"),
        "{}",
        dm.text
    );
    assert!(
        blocks.contains("warroom_ack") && blocks.contains(&format!("<#{room}>")),
        "{blocks}"
    );
    assert!(
        app.slack.members_of(&room).contains(&SRE.to_string()),
        "the paged person is invited"
    );

    let pd = app.pagers().pagerduty.clone();
    let events = pd.events();
    assert_eq!(events.len(), 1);
    let body = &events[0].body;
    assert_eq!(
        (
            body["event_action"].as_str(),
            body["payload"]["severity"].as_str()
        ),
        (Some("trigger"), Some("critical"))
    );
    assert_eq!(body["dedup_key"], format!("warroom-incident-{id}-sre"));
    assert_eq!(events[0].outcome, EventOutcome::Opened);

    let timeline = app.entries(id).await;
    assert!(
        timeline
            .iter()
            .any(|e| e.text == format!("Paged <@{SRE}> (SRE on call), escalation level 1")),
        "{timeline:#?}"
    );
    assert_eq!(paged(&app, NET), 0, "level two waits for the timeout");
}

#[tokio::test]
async fn without_an_ack_the_next_level_is_paged_when_the_timeout_passes() {
    let app = app().await;
    let (id, room) = sev1(&app, "Checkout down").await;

    app.advance(Duration::from_secs(5 * MIN - 1)).await;
    assert_eq!(
        (paged(&app, NET), paged(&app, SUPPORT)),
        (0, 0),
        "not yet: 4m59s"
    );

    app.advance(Duration::from_secs(2)).await;
    assert_eq!(
        (paged(&app, NET), paged(&app, SUPPORT)),
        (1, 1),
        "level two at 5m"
    );
    let og = app.pagers().opsgenie.alerts();
    assert_eq!(og.len(), 1);
    assert_eq!(
        (og[0].priority.as_str(), og[0].alias.clone()),
        ("P1", Some(format!("warroom-incident-{id}-networking")))
    );
    let hooks = app.pagers().webhook.received("support");
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0]["event"], "incident.paged");

    let timeline = app.entries(id).await;
    assert!(
        timeline
            .iter()
            .any(|e| e.text == "Escalated to level 2: nobody acknowledged within 5m"),
        "{timeline:#?}"
    );
    let said = app.slack.messages_in(&room);
    assert!(
        said.iter().any(|m| m.text.contains("Escalated to level 2")),
        "the war room sees the escalation"
    );
    assert_eq!(paged(&app, SRE), 1, "level one is not paged again");
}

#[tokio::test]
async fn the_last_level_repeats_then_the_escalation_stops() {
    let app = app().await;
    let (id, _) = sev1(&app, "Payments down").await;
    for minutes in [5, 10, 15] {
        app.advance(Duration::from_secs(minutes * MIN)).await;
    }
    assert_eq!(
        paged(&app, MANAGER),
        2,
        "managers once, then once more (repeat_last = 1)"
    );
    app.advance(Duration::from_secs(15 * MIN)).await;
    app.advance(Duration::from_secs(60 * MIN)).await;
    assert_eq!(paged(&app, MANAGER), 2, "nothing after the last repeat");
    let timeline = app.entries(id).await;
    assert!(
        timeline
            .iter()
            .any(|e| e.text.contains("Nobody acknowledged after every level")),
        "{timeline:#?}"
    );
}

#[tokio::test]
async fn an_ack_by_button_stops_the_escalation_and_acknowledges_at_pagerduty() {
    let app = app().await;
    let (id, _) = sev1(&app, "Search down").await;
    app.advance(Duration::from_secs(2 * MIN)).await;
    assert_eq!(
        app.click_ack(SRE, page_id(&app, id, SRE).await).await,
        StatusCode::OK
    );
    app.outbox_drained().await;

    let pd = app.pagers().pagerduty.events();
    assert_eq!(pd.last().unwrap().body["event_action"], "acknowledge");
    app.advance(Duration::from_secs(30 * MIN)).await;
    assert_eq!(paged(&app, NET), 0, "an acked page does not escalate");

    let page = &app.pages(id).await[0];
    assert_eq!(
        (page.acked_by.as_deref(), page.ack_source.as_deref()),
        (Some(SRE), Some("slack_button"))
    );
    let timeline = app.entries(id).await;
    let ack = timeline
        .iter()
        .find(|e| e.text.contains("acknowledged the page"))
        .expect("an ack entry");
    assert!(
        ack.text
            .contains("via the Slack button, 2m after it was sent"),
        "{}",
        ack.text
    );
    let answered = app.slack.response_url_posts();
    assert!(
        answered.iter().any(|p| p.body["replace_original"] == true),
        "the DM's button is replaced"
    );
}

#[tokio::test]
async fn acking_twice_is_harmless_and_someone_elses_page_cannot_be_acked() {
    let app = app().await;
    let (id, room) = sev1(&app, "Login down").await;
    let page = page_id(&app, id, SRE).await;
    app.click_ack(NET, page).await;
    app.outbox_drained().await;
    assert!(
        app.pages(id).await[0].acked_at.is_none(),
        "only the paged person's click counts"
    );

    app.click_ack(SRE, page).await;
    app.click_ack(SRE, page).await;
    let again = app.ephemeral(SRE, &room, "ack").await;
    assert!(again.contains("already acknowledged"), "{again}");
    app.outbox_drained().await;
    let acks = app
        .entries(id)
        .await
        .into_iter()
        .filter(|e| e.text.contains("acknowledged the page"))
        .count();
    assert_eq!(acks, 1);
    let not_mine = app.ephemeral(NET, &room, "ack").await;
    assert!(not_mine.contains("You have not been paged"), "{not_mine}");
}

#[tokio::test]
async fn an_ack_after_escalation_stops_further_levels_and_the_postmortem_reports_it() {
    let app = app().await;
    let (_, room) = sev1(&app, "Cart empty").await;
    app.advance(Duration::from_secs(5 * MIN)).await;
    app.advance(Duration::from_secs(3 * MIN)).await;
    let answer = app.ephemeral(NET, &room, "ack").await;
    assert!(answer.contains("Acknowledged"), "{answer}");
    app.outbox_drained().await;
    let og = app.pagers().opsgenie.requests();
    assert!(
        og.iter().any(|r| r.action == Action::Acknowledge),
        "Opsgenie hears the ack"
    );
    app.advance(Duration::from_secs(30 * MIN)).await;
    assert_eq!(paged(&app, MANAGER), 0);

    app.command(SRE, &room, "close").await;
    app.slack
        .wait_for("the postmortem", |s| !s.uploaded_files().is_empty())
        .await;
    let md = app.slack.uploaded_files().remove(0).content;
    let row = |team: &str| {
        md.lines()
            .find(|l| l.starts_with(&format!("| {team} | ")))
            .unwrap_or_else(|| panic!("no {team} row:\n{md}"))
    };
    assert!(
        row("Networking").contains("Bob Sparrow (paged, acknowledged after 3m)"),
        "{md}"
    );
    assert!(
        row("SRE").contains("On-call SRE (Commander; paged, did not acknowledge)"),
        "{md}"
    );
    assert!(md.contains("- **Pages sent:** "), "{md}");
    assert!(
        md.contains("- **Highest escalation level reached:** level 2"),
        "{md}"
    );
    assert!(md.contains("**Time to first acknowledgement:** 8m"), "{md}");
    assert!(
        md.contains("Time to acknowledge, page to Bob Sparrow (level 2), from the page:** 3m"),
        "{md}"
    );
}

#[tokio::test]
async fn resolving_resolves_every_provider_alert_and_cancels_the_escalation() {
    let app = app().await;
    let (_, room) = sev1(&app, "Images missing").await;
    app.advance(Duration::from_secs(5 * MIN)).await;
    app.command(SRE, &room, "resolve purged the CDN cache")
        .await;
    app.outbox_drained().await;

    let pd = app.pagers().pagerduty.clone();
    assert!(
        pd.open_alerts().is_empty(),
        "PagerDuty alert resolved: {:?}",
        pd.alerts()
    );
    assert!(
        app.pagers().opsgenie.open_alerts().is_empty(),
        "Opsgenie alert closed"
    );
    let hooks = app.pagers().webhook.received("support");
    assert_eq!(hooks.last().unwrap()["event"], "incident.resolved");
    app.advance(Duration::from_secs(60 * MIN)).await;
    assert_eq!(paged(&app, MANAGER), 0, "a resolved incident pages nobody");
}

#[tokio::test]
async fn a_manual_page_reaches_a_team_or_a_person_and_unknown_teams_are_listed() {
    let app = app().await;
    let (id, room) = sev1(&app, "Slow queries").await;
    let (_, reply) = app
        .command(SRE, &room, "page networking BGP flapping?")
        .await;
    assert_eq!(reply["response_type"], "in_channel", "{reply}");
    app.outbox_drained().await;
    let dm = &app.slack.dms_to(NET)[0];
    assert!(
        dm.blocks
            .clone()
            .unwrap()
            .to_string()
            .contains("BGP flapping?"),
        "the message travels with the page"
    );
    assert_eq!(app.pagers().opsgenie.alerts().len(), 1);

    app.command(SRE, &room, &format!("page <@{MANAGER}|mgr>"))
        .await;
    app.outbox_drained().await;
    assert_eq!(paged(&app, MANAGER), 1);

    let unknown = app.ephemeral(SRE, &room, "page dbas").await;
    assert!(
        unknown.contains("Unknown team `dbas`")
            && unknown.contains("managers, networking, sre, support"),
        "{unknown}"
    );
    assert_eq!(app.pages(id).await.len(), 3, "sre, networking, manager");
}

#[tokio::test]
async fn provider_webhooks_acknowledge_and_bad_ones_change_nothing() {
    let app = app().await;
    let (id, _) = sev1(&app, "DNS failures").await;
    let key = format!("warroom-incident-{id}-sre");
    let body = serde_json::json!({"event": {"id": "01ABC", "event_type": "incident.acknowledged", "resource_type": "incident",
        "occurred_at": "2026-11-22T03:00:00Z", "agent": {"summary": "Ola Nordmann", "type": "user_reference"},
        "data": {"id": "Q1", "type": "incident", "incident_key": key, "status": "acknowledged"}}})
    .to_string();
    let sign = |b: &str| {
        use hmac::{KeyInit, Mac};
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(PD_WEBHOOK_SECRET.as_bytes()).unwrap();
        mac.update(b.as_bytes());
        format!("v1={}", hex::encode(mac.finalize().into_bytes()))
    };

    let unsigned = app.post_raw("/webhooks/pagerduty", &[], &body).await;
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let malformed = app
        .post_raw(
            "/webhooks/pagerduty",
            &[("x-pagerduty-signature", sign("{oops"))],
            "{oops",
        )
        .await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let og_bad = app
        .post_raw(
            "/webhooks/opsgenie",
            &[("authorization", "Bearer wrong".into())],
            "{}",
        )
        .await;
    assert_eq!(og_bad.status(), StatusCode::UNAUTHORIZED);
    let og_malformed = app
        .post_raw(
            "/webhooks/opsgenie",
            &[("authorization", format!("Bearer {OG_WEBHOOK_TOKEN}"))],
            "[]",
        )
        .await;
    assert_eq!(og_malformed.status(), StatusCode::BAD_REQUEST);
    assert!(app.pages(id).await[0].acked_at.is_none(), "nothing changed");

    let signed = app
        .post_raw(
            "/webhooks/pagerduty",
            &[("x-pagerduty-signature", sign(&body))],
            &body,
        )
        .await;
    assert_eq!(signed.status(), StatusCode::OK);
    let page = &app.pages(id).await[0];
    assert_eq!(
        (page.acked_by.as_deref(), page.ack_source.as_deref()),
        (Some("Ola Nordmann"), Some("pagerduty"))
    );
    app.advance(Duration::from_secs(30 * MIN)).await;
    assert_eq!(
        paged(&app, NET),
        0,
        "a PagerDuty ack stops the escalation too"
    );
}

#[tokio::test]
async fn provider_failures_are_retried_or_recorded_and_never_block_the_slack_page() {
    let app = app().await;
    app.pagers().pagerduty.fail_next(
        1,
        PagerFailure::RateLimited {
            retry_after_secs: 1,
        },
    );
    app.pagers().opsgenie.fail_next(1, PagerFailure::BadRequest);
    let (id, room) = sev1(&app, "Queue stuck").await;
    app.pagers()
        .pagerduty
        .wait_for("the retried trigger", |pd| pd.alerts().len() == 1)
        .await;
    let statuses: Vec<u16> = app
        .pagers()
        .pagerduty
        .events()
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(
        statuses,
        [429, 202],
        "the 429 was retried after Retry-After"
    );

    app.advance(Duration::from_secs(5 * MIN)).await;
    assert_eq!(
        paged(&app, NET),
        1,
        "Opsgenie refusing does not stop the Slack DM"
    );
    let og: Vec<u16> = app
        .pagers()
        .opsgenie
        .requests()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(og, [400], "a 400 is not retried");
    let timeline = app.entries(id).await;
    let failure = timeline
        .iter()
        .find(|e| e.text.contains("through Opsgenie"))
        .expect("the failure is in the timeline");
    assert!(
        failure
            .text
            .starts_with("Could not page team networking through Opsgenie"),
        "{}",
        failure.text
    );
    app.slack
        .wait_for("the failure said in the war room", |s| {
            s.messages_in(&room)
                .iter()
                .any(|m| m.text.contains("through Opsgenie"))
        })
        .await;
}

#[tokio::test]
async fn slack_being_down_does_not_hold_back_the_pagerduty_page() {
    let app = app().await;
    app.slack.set_down(true);
    let answer = app
        .ephemeral(SRE, "C0INCIDENTS", "declare Everything is down sev1")
        .await;
    assert!(answer.contains("Declared"), "{answer}");
    app.pagers()
        .pagerduty
        .wait_for("the trigger while Slack is down", |pd| {
            pd.alerts().len() == 1
        })
        .await;
    assert_eq!(paged(&app, SRE), 0);
    app.slack.set_down(false);
    app.slack
        .wait_for("the DM once Slack is back", |s| !s.dms_to(SRE).is_empty())
        .await;
}

#[tokio::test]
async fn a_pending_escalation_survives_a_restart_and_fires_once() {
    let app = app().await;
    let (id, _) = sev1(&app, "Disk full").await;
    let app = app.kill().await.start().await;
    app.advance(Duration::from_secs(5 * MIN)).await;
    assert_eq!(
        (paged(&app, NET), app.pagers().opsgenie.alerts().len()),
        (1, 1)
    );
    assert_eq!(
        app.pages(id).await.len(),
        3,
        "sre, networking, support: once each"
    );
}

#[tokio::test]
async fn a_deadline_that_passed_while_the_bot_was_down_fires_at_once_on_start() {
    let app = app().await;
    let (id, _) = sev1(&app, "Certificates expired").await;
    let stopped = app.kill().await;
    stopped.clock().advance(Duration::from_secs(20 * MIN));
    let app = stopped.start().await;
    app.slack
        .wait_for("level two right after start", |s| !s.dms_to(NET).is_empty())
        .await;
    app.outbox_drained().await;
    assert_eq!(
        paged(&app, NET),
        1,
        "one overdue level fires once, not once per missed minute"
    );
    assert_eq!(
        paged(&app, MANAGER),
        0,
        "the next level waits its own 10 minutes from now"
    );
    let levels: Vec<Option<i64>> = app.pages(id).await.iter().map(|p| p.level).collect();
    assert_eq!(levels, [Some(0), Some(1), Some(1)]);
}

#[tokio::test]
async fn two_replicas_on_one_postgres_page_every_incident_exactly_once() {
    let a = spawn_paging_app(Backend::Postgres, ESCALATION).await;
    let b = a.replica().await;
    let declares = (0..12).map(|n| {
        let app = if n % 2 == 0 { &a } else { &b };
        async move {
            app.ephemeral(
                SRE,
                "C0INCIDENTS",
                &format!("declare Outage number {n} sev1"),
            )
            .await
        }
    });
    for answer in futures::future::join_all(declares).await {
        assert!(answer.contains("Declared"), "{answer}");
    }
    a.slack
        .wait_for_within("level one for all", Duration::from_secs(30), |s| {
            pages_shown(s, SRE).len() >= 12
        })
        .await;
    a.outbox_drained().await;
    // Both replicas see the deadline pass; only one may page each incident.
    a.clock.advance(Duration::from_secs(5 * MIN));
    a.state.wake_escalations();
    b.state.wake_escalations();
    a.slack
        .wait_for_within("level two for all", Duration::from_secs(30), |s| {
            pages_shown(s, NET).len() >= 12
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    a.outbox_drained().await;

    assert_eq!(paged(&a, SRE), 12);
    assert_eq!(paged(&a, NET), 12);
    assert_eq!(paged(&a, SUPPORT), 12);
    let pd = a.pagers().pagerduty.events();
    assert_eq!(pd.len(), 12);
    assert!(
        pd.iter().all(|e| e.outcome == EventOutcome::Opened),
        "no duplicate triggers"
    );
    let og = a.pagers().opsgenie.requests();
    assert_eq!(og.len(), 12);
    assert!(og.iter().all(|r| r.outcome == Outcome::Created));
    assert_eq!(a.pagers().webhook.received("support").len(), 12);
}

/// Declares a SEV3 (no policy) as the manager, then pages the SRE team by hand with
/// the page DM's first post failing as `failure` says.
async fn page_sre_by_hand_through(app: &TestApp, failure: Failure) -> i64 {
    let inc = app.declare(MANAGER, "Search is slow").await;
    app.outbox_drained().await;
    app.slack.fail_next("chat.postMessage", 1, failure);
    let (_, reply) = app.command(MANAGER, &inc.channel, "page sre").await;
    assert_eq!(reply["response_type"], "in_channel", "{reply}");
    app.slack
        .wait_for("the page DM", |s| !s.dms_to(SRE).is_empty())
        .await;
    app.outbox_drained().await;
    inc.incident_id
}

#[tokio::test]
async fn a_page_dm_that_meets_a_500_or_a_timeout_is_still_delivered_exactly_once() {
    for failure in [
        Failure::ServerError,
        Failure::AppliedThenServerError,
        Failure::AppliedThenHang(Duration::from_secs(3)),
    ] {
        let app = app().await;
        let id = page_sre_by_hand_through(&app, failure.clone()).await;
        assert_eq!(paged(&app, SRE), 1, "{failure:?}: one DM, not zero or two");
        let failed: Vec<String> = app
            .entries(id)
            .await
            .into_iter()
            .map(|e| e.text)
            .filter(|t| t.starts_with("Could not"))
            .collect();
        assert!(failed.is_empty(), "{failure:?}: {failed:?}");
    }
}

#[tokio::test]
async fn every_paged_person_joins_the_war_room_even_when_the_declarer_is_paged_with_them() {
    let app = app().await;
    // Support declares; level two then pages networking and support together.
    let inc = app.declare(SUPPORT, "Storefront down sev1").await;
    app.slack
        .wait_for("level one", |s| !s.dms_to(SRE).is_empty())
        .await;
    app.advance(Duration::from_secs(5 * MIN)).await;
    app.outbox_drained().await;
    assert_eq!(paged(&app, NET), 1);
    let members = app.slack.members_of(&inc.channel);
    for poc in [SRE, NET, SUPPORT] {
        assert!(
            members.contains(&poc.to_string()),
            "{poc} was paged but is not in the war room: {members:?}"
        );
    }
}

const WEB_TEAM: &str = r#"
[teams.web]
name = "Web"
pocs = [{ slack = "U0WEBALIVE" }, { slack = "U0WEBGONE0" }]

[policies.web-down]
[[policies.web-down.levels]]
targets = ["team:web"]
ack_timeout = "5m"

[routing.severity]
sev1 = "web-down"
"#;

#[tokio::test]
async fn a_deactivated_person_among_those_paged_keeps_nobody_out_and_is_reported() {
    let app = spawn_paging_app(Backend::Sqlite, WEB_TEAM).await;
    app.slack.add_user("U0WEBALIVE", "alive", "Ada Live", "Web");
    app.slack.add_user("U0WEBGONE0", "gone", "Gus Gone", "Web");
    app.slack.deactivate_user("U0WEBGONE0");

    let inc = app.declare(MANAGER, "Homepage down sev1").await;
    app.slack
        .wait_for("the page to the active POC", |s| {
            !s.dms_to("U0WEBALIVE").is_empty()
        })
        .await;
    app.outbox_drained().await;

    let members = app.slack.members_of(&inc.channel);
    assert!(members.contains(&"U0WEBALIVE".to_string()), "{members:?}");
    assert!(!members.contains(&"U0WEBGONE0".to_string()), "{members:?}");
    let timeline: Vec<String> = app
        .entries(inc.incident_id)
        .await
        .into_iter()
        .map(|e| e.text)
        .collect();
    assert!(
        timeline
            .iter()
            .any(|t| t.starts_with("Could not invite <@U0WEBGONE0>")),
        "{timeline:#?}"
    );
    assert!(
        timeline
            .iter()
            .any(|t| t.starts_with("Could not send a page by Slack DM")),
        "the DM to the deactivated person is reported too: {timeline:#?}"
    );
}

const TWO_POLICIES: &str = r#"
[teams.sre]
name = "SRE on call"
pocs = [{ slack = "U06SREONCL" }]

[teams.networking]
name = "Networking"
pocs = [{ slack = "U02BSPARRO" }]

[teams.managers]
name = "Engineering managers"
pocs = [{ slack = "U07ENGMGR0" }]

[policies.minor]
[[policies.minor.levels]]
targets = ["team:sre"]
ack_timeout = "30m"

[policies.major]
[[policies.major.levels]]
targets = ["team:sre", "team:networking"]
ack_timeout = "5m"
[[policies.major.levels]]
targets = ["team:managers"]
ack_timeout = "10m"

[routing.severity]
sev3 = "minor"
sev1 = "major"
"#;

const DECLARER: &str = "U0DECLARE1";

/// A SEV3 on the minor policy, its level one (the SRE) paged.
async fn minor_incident(backend: Backend) -> (TestApp, i64, String) {
    let app = spawn_paging_app(backend, TWO_POLICIES).await;
    let inc = app.declare(DECLARER, "Checkout errors sev3").await;
    app.slack
        .wait_for("the SEV3 page", |s| !s.dms_to(SRE).is_empty())
        .await;
    app.outbox_drained().await;
    (app, inc.incident_id, inc.channel)
}

async fn raising_the_severity_starts_the_new_policy_at_once_without_repaging(backend: Backend) {
    let (app, id, room) = minor_incident(backend).await;
    let (_, reply) = app.command(DECLARER, &room, "sev 1").await;
    assert_eq!(reply["response_type"], "in_channel", "{reply}");
    app.advance(Duration::from_secs(1)).await;
    assert_eq!(paged(&app, NET), 1, "the SEV1 policy's level one, at once");
    assert_eq!(paged(&app, SRE), 1, "already paged in this incident");
    app.advance(Duration::from_secs(5 * MIN)).await;
    assert_eq!(
        paged(&app, MANAGER),
        1,
        "the SEV1 policy escalates on its own clock"
    );
    let timeline: Vec<String> = app.entries(id).await.into_iter().map(|e| e.text).collect();
    assert!(
        timeline
            .iter()
            .any(|t| t == "Escalation switched to the major policy for SEV1"),
        "{timeline:#?}"
    );
}
crate::on_both_backends!(
    raising_the_severity_starts_the_new_policy_at_once_without_repaging,
    raising_the_severity_starts_the_new_policy_at_once_without_repaging
);

async fn after_an_ack_a_raised_severity_pages_the_new_people_but_does_not_escalate(
    backend: Backend,
) {
    let (app, id, room) = minor_incident(backend).await;
    let sre_page = page_id(&app, id, SRE).await;
    assert_eq!(app.click_ack(SRE, sre_page).await, StatusCode::OK);
    app.outbox_drained().await;
    app.command(DECLARER, &room, "sev 1").await;
    app.advance(Duration::from_secs(1)).await;
    assert_eq!(
        paged(&app, NET),
        1,
        "the new policy's people still hear of it"
    );
    app.advance(Duration::from_secs(30 * MIN)).await;
    assert_eq!(paged(&app, MANAGER), 0, "the SRE's ack still counts");
    assert_eq!(paged(&app, SRE), 1);
}
crate::on_both_backends!(
    after_an_ack_a_raised_severity_pages_the_new_people_but_does_not_escalate,
    after_an_ack_a_raised_severity_pages_the_new_people_but_does_not_escalate
);

async fn lowering_the_severity_cancels_nothing_already_sent(backend: Backend) {
    let app = spawn_paging_app(backend, TWO_POLICIES).await;
    let inc = app.declare(DECLARER, "Checkout down sev1").await;
    app.slack
        .wait_for("the SEV1 pages", |s| {
            !s.dms_to(SRE).is_empty() && !s.dms_to(NET).is_empty()
        })
        .await;
    app.command(DECLARER, &inc.channel, "sev 3").await;
    app.advance(Duration::from_secs(5 * MIN)).await;
    assert_eq!(
        (paged(&app, SRE), paged(&app, NET), paged(&app, MANAGER)),
        (1, 1, 1),
        "the running escalation goes on; nobody is paged twice"
    );
    let pages = app.pages(inc.incident_id).await;
    assert!(pages.iter().all(|p| p.acked_at.is_none()), "{pages:?}");
}
crate::on_both_backends!(
    lowering_the_severity_cancels_nothing_already_sent,
    lowering_the_severity_cancels_nothing_already_sent
);
