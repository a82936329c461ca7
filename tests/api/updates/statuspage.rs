//! Public updates mirrored on Statuspage through the outbox: the first creates the
//! incident there, later ones patch it, resolving resolves it; exactly one incident
//! however the calls fail (500, 429, a create whose answer was lost); only text
//! marked public ever leaves Slack.

use super::{LEAD, app_with, set_service, update_entries};
use crate::db::Backend;
use crate::helpers::TestApp;
use crate::on_both_backends;
use warroom::config::StatuspageSettings;
use warroom_fakes::{FakeStatuspage, StatuspageFault};

const PAGE: &str = "kctbh9vrtdwd";
const KEY: &str = "sp-api-key-0123456789";
const CHECKOUT: &str = "ftgks51sfs2d";

async fn statuspage() -> FakeStatuspage {
    let sp = FakeStatuspage::start(PAGE, KEY).await;
    sp.add_component(PAGE, CHECKOUT, "Checkout");
    sp.add_component(PAGE, "zzz000other", "Search");
    sp
}

async fn app_publishing(backend: Backend, sp: &FakeStatuspage) -> TestApp {
    let settings = StatuspageSettings {
        page_id: PAGE.into(),
        api_key: KEY.to_string().into(),
        api_url: sp.url(),
        components: [("checkout".to_string(), vec![CHECKOUT.to_string()])].into(),
    };
    app_with(backend, move |s, _| s.statuspage = Some(settings)).await
}

fn calls(sp: &FakeStatuspage) -> Vec<String> {
    sp.requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.status))
        .collect()
}

async fn the_status_page_follows_public_updates_from_first_to_resolve_with_one_incident(
    backend: Backend,
) {
    let sp = statuspage().await;
    let app = app_publishing(backend, &sp).await;
    let room = app.declare(LEAD, "Bob's deploy broke checkout sev2").await;
    set_service(&app.store, room.incident_id, "checkout").await;

    // War-room talk and a Slack-only update never reach Statuspage.
    app.say(
        &room.channel,
        LEAD,
        "internal: bob's deploy v42 is the cause",
    )
    .await;
    app.ephemeral(LEAD, &room.channel, "update Internal: rolling back v42")
        .await;
    app.outbox_drained().await;
    assert!(sp.requests().is_empty(), "{:?}", calls(&sp));

    // The first public update creates the incident, through a 500 and a 429.
    sp.fail_next_creates(1, StatuspageFault::ServerError);
    sp.fail_next_creates(
        1,
        StatuspageFault::TooManyRequests {
            retry_after_secs: 1,
        },
    );
    app.ephemeral(
        LEAD,
        &room.channel,
        "update --public Some card payments fail. We are investigating.",
    )
    .await;
    sp.wait_for("the incident", |s| s.incidents(PAGE).len() == 1)
        .await;
    app.outbox_drained().await;
    let created = &sp.incidents(PAGE)[0];
    assert_eq!(
        created.name, "Service disruption: checkout",
        "never the war room's title"
    );
    assert_eq!(created.status, "investigating");
    assert_eq!(created.impact, "major", "SEV2");
    assert_eq!(
        created.components,
        [(CHECKOUT.to_string(), "partial_outage".to_string())]
    );
    assert_eq!(
        created.metadata["warroom"]["incident_id"],
        room.incident_id.to_string()
    );
    assert_eq!(
        created.updates[0].body.as_deref(),
        Some("Some card payments fail. We are investigating.")
    );

    // A later one patches it, through a 429 whose Retry-After is honoured.
    app.command(LEAD, &room.channel, "status identified").await;
    sp.fail_next_updates(
        1,
        StatuspageFault::TooManyRequests {
            retry_after_secs: 1,
        },
    );
    app.ephemeral(
        LEAD,
        &room.channel,
        "update --public We found the cause and are fixing it.",
    )
    .await;
    sp.wait_for("the second update", |s| {
        s.incidents(PAGE)[0].updates.len() == 2
    })
    .await;

    // Resolving resolves it, components back to operational.
    app.command(LEAD, &room.channel, "resolve rolled back v42")
        .await;
    sp.wait_for("the resolve", |s| s.incidents(PAGE)[0].status == "resolved")
        .await;
    app.outbox_drained().await;

    let incidents = sp.incidents(PAGE);
    assert_eq!(
        incidents.len(),
        1,
        "one Warroom incident, one Statuspage incident"
    );
    let it = &incidents[0];
    let statuses: Vec<&str> = it.updates.iter().map(|u| u.status.as_str()).collect();
    assert_eq!(statuses, ["investigating", "identified", "resolved"]);
    assert_eq!(
        it.components,
        [(CHECKOUT.to_string(), "operational".to_string())]
    );
    assert!(it.resolved_at.is_some());
    assert_eq!(
        calls(&sp),
        [
            "POST 500",
            "GET 200",
            "POST 429",
            "GET 200",
            "POST 201",
            "PATCH 429",
            "GET 200",
            "PATCH 200",
            "PATCH 200"
        ],
        "each retry looked before writing again"
    );
    for r in sp.requests() {
        assert_eq!(r.authorization.as_deref(), Some(&*format!("OAuth {KEY}")));
        let sent = r.body.to_string();
        for private in ["bob", "v42", "Internal", "rolled back"] {
            assert!(!sent.contains(private), "{private} went public: {sent}");
        }
    }
    assert_eq!(app.store.outbox_backlog().await.unwrap().failed, 0);
    let entries = update_entries(&app, room.incident_id).await;
    assert_eq!(entries.len(), 3);
    assert!(entries[1].contains("(public"), "{entries:?}");
    assert!(!entries[0].contains("(public"), "{entries:?}");
}
on_both_backends!(
    the_status_page_follows_public_updates_from_first_to_resolve_with_one_incident,
    the_status_page_follows_public_updates_from_first_to_resolve_with_one_incident
);

async fn a_create_or_update_whose_answer_was_lost_is_found_again_not_sent_twice(backend: Backend) {
    let sp = statuspage().await;
    // Someone else's incident, opened before ours, stays untouched.
    sp.seed_incident(
        PAGE,
        "Scheduled database upgrade",
        chrono::Utc::now() - chrono::Duration::hours(2),
    );
    let app = app_publishing(backend, &sp).await;
    let room = app.declare(LEAD, "Checkout down sev1").await;
    sp.fail_next_creates(1, StatuspageFault::AppliedThenServerError);
    app.ephemeral(LEAD, &room.channel, "update --public Checkout is down.")
        .await;
    sp.wait_for("the retry's look", |s| s.requests().len() >= 2)
        .await;
    app.outbox_drained().await;
    // The patch lands but its answer is lost too: the retry reads, and sends no more.
    sp.fail_next_updates(1, StatuspageFault::AppliedThenServerError);
    app.ephemeral(LEAD, &room.channel, "update --public A fix is rolling out.")
        .await;
    sp.wait_for("the retry's read", |s| s.requests().len() >= 4)
        .await;
    app.outbox_drained().await;

    let ours: Vec<_> = sp
        .incidents(PAGE)
        .into_iter()
        .filter(|i| i.name != "Scheduled database upgrade")
        .collect();
    assert_eq!(ours.len(), 1, "{:?}", calls(&sp));
    assert_eq!(
        ours[0].name, "Service disruption",
        "no mapped service: no name"
    );
    assert_eq!(ours[0].impact, "critical", "SEV1");
    assert_eq!(ours[0].updates.len(), 2);
    assert_eq!(
        calls(&sp),
        ["POST 500", "GET 200", "PATCH 500", "GET 200"],
        "each retry looked before writing again"
    );
    assert_eq!(
        ours[0].updates[1].body.as_deref(),
        Some("A fix is rolling out.")
    );
    let patched = &sp.requests()[2].path;
    assert!(
        patched.ends_with(&format!("/incidents/{}", ours[0].id)),
        "{patched}"
    );
}
on_both_backends!(
    a_create_or_update_whose_answer_was_lost_is_found_again_not_sent_twice,
    a_create_or_update_whose_answer_was_lost_is_found_again_not_sent_twice
);

#[tokio::test]
async fn an_incident_that_never_went_public_is_not_resolved_on_the_status_page() {
    let sp = statuspage().await;
    let app = app_publishing(Backend::Sqlite, &sp).await;
    let room = app.declare(LEAD, "Checkout down sev2").await;
    app.ephemeral(LEAD, &room.channel, "update Slack only")
        .await;
    app.command(LEAD, &room.channel, "resolve restarted it")
        .await;
    app.command(LEAD, &room.channel, "close").await;
    app.outbox_drained().await;
    assert!(sp.requests().is_empty(), "{:?}", calls(&sp));
}

#[tokio::test]
async fn a_refusal_is_given_up_and_said_in_the_war_room() {
    let sp = statuspage().await;
    // A page id Statuspage does not know (a typo in config, a deleted page): 404.
    let settings = StatuspageSettings {
        page_id: "nosuchpage".into(),
        api_key: KEY.to_string().into(),
        api_url: sp.url(),
        components: Default::default(),
    };
    let app = app_with(Backend::Sqlite, move |s, _| s.statuspage = Some(settings)).await;
    let room = app.declare(LEAD, "Search down sev3").await;
    app.ephemeral(LEAD, &room.channel, "update --public Search is slow.")
        .await;
    sp.wait_for("the create", |s| !s.requests().is_empty())
        .await;
    app.outbox_drained().await;
    assert_eq!(calls(&sp), ["POST 404"], "a refusal is not retried");
    let notice = app
        .slack
        .messages_in(&room.channel)
        .into_iter()
        .map(|m| m.text)
        .find(|t| t.contains("Could not post the public update on the status page"))
        .expect("the war room hears of it");
    assert!(notice.contains("HTTP 404"), "{notice}");
}

#[tokio::test]
async fn an_alert_that_resolves_the_incident_resolves_the_status_page_too() {
    use crate::alerts::{A, AM_TOKEN, RULES, ago, alertmanager};
    use std::path::Path;
    use std::sync::Arc;
    use warroom::config::alert_rules::AlertRules;

    let sp = statuspage().await;
    let now = chrono::Utc::now();
    let url = sp.url();
    let app = crate::helpers::spawn_paging_app_with(
        Backend::Sqlite,
        crate::paging::ESCALATION,
        now,
        move |s, escalation, slack| {
            let triage = slack.add_channel("alerts-triage", false, true);
            let rules = RULES.replace("{triage}", &triage);
            let env = |k: &str| match k {
                "TEST_AM_TOKEN" => Some(AM_TOKEN.to_string()),
                "TEST_GRAFANA_TOKEN" => Some(crate::alerts::GRAFANA_TOKEN.to_string()),
                _ => None,
            };
            let rules = AlertRules::parse(&rules, Path::new("test-alerts.toml"), &env, escalation)
                .expect("test rules are valid");
            s.alerts = Arc::new(rules);
            s.statuspage = Some(StatuspageSettings {
                page_id: PAGE.into(),
                api_key: KEY.to_string().into(),
                api_url: url,
                components: Default::default(),
            });
        },
    )
    .await;
    // The `database` rule resolves its incident when its alerts resolve.
    let alert = || {
        A::firing("ReplicationLag", "f-db", ago(now, 3))
            .label("team", "db")
            .label("instance", "db-7")
    };
    let declared = app.alertmanager(&alertmanager("Db", &[alert()], now)).await;
    let id = declared["incident_id"].as_i64().unwrap();
    let room = app.war_room_of(id).await;
    app.ephemeral(
        LEAD,
        &room,
        "update --public Replication is lagging; reads may be stale.",
    )
    .await;
    sp.wait_for("the incident", |s| s.incidents(PAGE).len() == 1)
        .await;

    app.alertmanager(&alertmanager("Db", &[alert().resolved()], now))
        .await;
    sp.wait_for("the resolve", |s| s.incidents(PAGE)[0].status == "resolved")
        .await;
    app.outbox_drained().await;
    assert_eq!(calls(&sp), ["POST 201", "PATCH 200"]);
    assert_eq!(sp.incidents(PAGE).len(), 1);
}

async fn a_drills_updates_stay_in_its_war_room_and_never_go_public(backend: Backend) {
    let sp = statuspage().await;
    let settings = StatuspageSettings {
        page_id: PAGE.into(),
        api_key: KEY.to_string().into(),
        api_url: sp.url(),
        components: Default::default(),
    };
    let announcements = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let noted = announcements.clone();
    let app = app_with(backend, move |s, slack| {
        s.statuspage = Some(settings);
        let channel = slack.add_channel("announcements", false, true);
        *noted.lock().unwrap() = channel.clone();
        s.slack.announcements_channel = Some(channel);
    })
    .await;
    let announcements = announcements.lock().unwrap().clone();
    let answer = app
        .ephemeral(LEAD, "C0INCIDENTS", "drill Checkout practice sev2")
        .await;
    let id: i64 = answer
        .split("DRILL #")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a drill is declared: {answer}"));
    let room = app.war_room_of(id).await;
    let before = app.slack.messages_in(&announcements).len();

    let public = app
        .ephemeral(LEAD, &room, "update --public Practising the public note.")
        .await;
    assert!(public.contains("DRILL"), "{public}");
    assert!(public.contains("never reach the status page"), "{public}");

    app.ephemeral(LEAD, &room, "update Practising the stakeholder note.")
        .await;
    app.outbox_drained().await;
    let in_room = app.slack.messages_in(&room);
    assert!(
        in_room
            .iter()
            .any(|m| m.text.starts_with("[DRILL]")
                && m.text.contains("Practising the stakeholder note")),
        "the update is posted in the war room, marked"
    );
    assert_eq!(
        app.slack.messages_in(&announcements).len(),
        before,
        "no stakeholder channel hears of a drill"
    );
    assert!(sp.requests().is_empty(), "Statuspage is never called");
    assert_eq!(
        update_entries(&app, id).await.len(),
        1,
        "only the war-room update is recorded"
    );
}
on_both_backends!(
    a_drills_updates_stay_in_its_war_room_and_never_go_public,
    a_drills_updates_stay_in_its_war_room_and_never_go_public
);
