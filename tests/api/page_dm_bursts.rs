//! Pages that come faster than a DM channel takes posts (issue 14): Slack takes about
//! one post a second in a DM, so a page due while the person's DM channel is inside
//! its second joins their latest page DM at once (`chat.update`), and a short notice
//! rings their phone as soon as the channel can take a post. Each page shows in a
//! DM within a second, is notified exactly once, and acks from where it shows.
//! Times are the fake Slack's arrival stamps (`RecordedCall.at`).

use crate::db::Backend;
use crate::helpers::{TestApp, spawn_paging_app};
use crate::on_both_backends;
use crate::page_dms::ack_buttons;
use serde_json::Value;
use std::time::{Duration, Instant};
use warroom_fakes::{FakeSlack, RecordedCall};

const SRE: &str = "U06SREONCL";
const DECLARER: &str = "U0DECLARE1";

const POLICY: &str = r#"
[providers.pagerduty]
events_url = "{pagerduty}"

[teams.sre]
name = "SRE on call"
pocs = [{ slack = "U06SREONCL" }]
pagerduty_routing_key_env = "TEST_PD_KEY"

[policies.app-down]
[[policies.app-down.levels]]
targets = ["team:sre"]
ack_timeout = "5m"

[routing.severity]
sev1 = "app-down"
"#;

/// The fake holds each channel to `posts_per_sec` (Slack: about one).
async fn app(backend: Backend, posts_per_sec: f64) -> TestApp {
    let app = spawn_paging_app(backend, POLICY).await;
    app.slack
        .limit_posts_per_channel_per_sec(Some(posts_per_sec));
    app
}

/// Declares a SEV1; its id and when the declare was sent.
async fn declare(app: &TestApp, title: &str) -> (i64, Instant) {
    let sent = Instant::now();
    let answer = app
        .ephemeral(DECLARER, "C0INCIDENTS", &format!("declare {title} sev1"))
        .await;
    let id = answer
        .split("incident #")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not declared: {answer}"));
    (id, sent)
}

/// The SRE's page in `incident`, once it exists.
async fn page_of(app: &TestApp, incident: i64) -> warroom::store::PageRecord {
    until("the page", Duration::from_secs(10), || async {
        !app.pages(incident).await.is_empty()
    })
    .await;
    app.pages(incident).await.remove(0)
}

/// Polls `done` every 20 ms for up to `within`; panics naming `what`.
async fn until<F, Fut>(what: &str, within: Duration, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < within, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `arg`, whether it came as JSON or as a JSON string in a form.
fn json_arg(c: &RecordedCall, name: &str) -> Value {
    match &c.args[name] {
        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// Accepted posts and updates in the SRE's DM, in arrival order.
fn dm_calls(slack: &FakeSlack, methods: &[&str]) -> Vec<RecordedCall> {
    let Some(dm) = slack.dm_id(SRE) else {
        return Vec::new();
    };
    slack
        .calls()
        .into_iter()
        .filter(|c| methods.contains(&c.method.as_str()))
        .filter(|c| c.status == 200 && c.response["ok"] == true && c.args["channel"] == dm)
        .collect()
}

/// The pages whose Acknowledge button a post or update carried.
fn buttons_in(c: &RecordedCall) -> Vec<i64> {
    json_arg(c, "blocks")
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["accessory"]["action_id"] == "warroom_ack")
        .filter_map(|b| b["accessory"]["value"].as_str()?.parse().ok())
        .collect()
}

/// The pages a notice announces, by its metadata (none for other posts).
fn announced_in(c: &RecordedCall) -> Vec<i64> {
    json_arg(c, "metadata")["event_payload"]["pages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_i64)
        .collect()
}

/// When `page` first showed in the DM (a post or an update carrying its button),
/// and by which method.
fn first_shown(slack: &FakeSlack, page: i64) -> Option<(Instant, String)> {
    dm_calls(slack, &["chat.postMessage", "chat.update"])
        .into_iter()
        .find(|c| buttons_in(c).contains(&page))
        .map(|c| (c.at, c.method))
}

/// The posts that rang the SRE's phone for `page`: the post that carried it, or the
/// notice that announced it.
fn notifications(slack: &FakeSlack, page: i64) -> Vec<Instant> {
    dm_calls(slack, &["chat.postMessage"])
        .into_iter()
        .filter(|c| buttons_in(c).contains(&page) || announced_in(c).contains(&page))
        .map(|c| c.at)
        .collect()
}

/// The notices posted, with the pages each announced.
fn notices(slack: &FakeSlack) -> Vec<(Instant, Vec<i64>)> {
    dm_calls(slack, &["chat.postMessage"])
        .into_iter()
        .map(|c| (c.at, announced_in(&c)))
        .filter(|(_, pages)| !pages.is_empty())
        .collect()
}

/// Declares one incident and waits for its page's own DM post: the DM channel's
/// second has just begun.
async fn first_page(app: &TestApp) -> i64 {
    let (first, _) = declare(app, "Checkout down").await;
    let page = page_of(app, first).await.id;
    until("the first DM", Duration::from_secs(10), || async {
        notifications(&app.slack, page).len() == 1
    })
    .await;
    page
}

async fn pages_paged_within_one_second_each_show_at_once_and_ring_exactly_once(backend: Backend) {
    let app = app(backend, 1.0).await;
    let first = first_page(&app).await;
    let burst = futures::future::join_all((1..=4).map(|n| {
        let app = &app;
        async move { declare(app, &format!("Outage number {n}")).await }
    }))
    .await;
    let mut pages = Vec::new();
    for (incident, sent) in &burst {
        pages.push((page_of(&app, *incident).await.id, *sent));
    }
    until("every page notified", Duration::from_secs(15), || async {
        pages
            .iter()
            .all(|(p, _)| !notifications(&app.slack, *p).is_empty())
    })
    .await;
    app.outbox_drained().await;

    for (page, sent) in &pages {
        // How fast is the benchmark's to say (alert-storm); here: never later than
        // the post that rang the phone for it, and never before its declare.
        let (at, _) = first_shown(&app.slack, *page).expect("shown");
        let rang = notifications(&app.slack, *page);
        assert!(
            at >= *sent,
            "page {page} showed before its declare was sent"
        );
        assert!(
            rang.iter().all(|r| at <= *r),
            "page {page} rang the phone before it showed"
        );
        assert_eq!(
            notifications(&app.slack, *page).len(),
            1,
            "page {page}: one notification"
        );
    }
    let joined: Vec<(i64, Instant)> = pages
        .iter()
        .filter_map(|(p, _)| {
            let (at, method) = first_shown(&app.slack, *p)?;
            (method == "chat.update").then_some((*p, at))
        })
        .collect();
    assert!(
        !joined.is_empty(),
        "pages declared within the DM's second joined it by an update"
    );
    // One notice per second's worth of joined pages: each joined page is announced
    // by the first notice after it showed, not a later one, and not alone.
    let notices = notices(&app.slack);
    for (page, shown) in &joined {
        let next = notices.iter().find(|(at, _)| at > shown).expect("a notice");
        assert!(next.1.contains(page), "page {page} waited past its notice");
    }
    assert!(
        notices.len() < joined.len() || joined.len() == 1,
        "the pages that joined within a second share a notice: {notices:?}"
    );
    assert_eq!(app.slack.rate_limited_posts(), 0, "a post a second");
    let mut buttons = ack_buttons(&app.slack, SRE);
    buttons.sort_unstable();
    let mut all: Vec<i64> = pages.iter().map(|(p, _)| *p).collect();
    all.push(first);
    all.sort_unstable();
    assert_eq!(buttons, all, "one button per page, none twice");
}
on_both_backends!(
    pages_paged_within_one_second_each_show_at_once_and_ring_exactly_once,
    pages_paged_within_one_second_each_show_at_once_and_ring_exactly_once
);

/// A first page in its own DM and a second that joined it by an update.
async fn a_page_joined_by_update(app: &TestApp) -> (i64, i64) {
    let first = first_page(app).await;
    let (second, _) = declare(app, "Search slow").await;
    let second = page_of(app, second).await.id;
    until("the second page shown", Duration::from_secs(5), || async {
        first_shown(&app.slack, second).is_some()
    })
    .await;
    let (_, method) = first_shown(&app.slack, second).unwrap();
    assert_eq!(method, "chat.update", "the second page joined the first DM");
    (first, second)
}

async fn a_page_that_joined_a_dm_by_update_acks_from_it(backend: Backend) {
    let app = app(backend, 1.0).await;
    let (first, second) = a_page_joined_by_update(&app).await;
    let incident = app.newest_open_incident().await;
    // A person clicks after seeing it, by when the DM carrying it is recorded.
    until(
        "the page recorded on the DM",
        Duration::from_secs(5),
        || async { app.pages(incident).await[0].dm_ts.is_some() },
    )
    .await;
    assert_eq!(app.click_ack(SRE, second).await, reqwest::StatusCode::OK);
    app.slack
        .wait_for("the answer in place", |s| {
            !s.response_url_posts().is_empty()
        })
        .await;
    let answer = &app.slack.response_url_posts()[0].body;
    let left: Vec<&str> = answer["blocks"]
        .as_array()
        .expect("the DM is answered whole")
        .iter()
        .filter_map(|b| b["accessory"]["value"].as_str())
        .collect();
    assert_eq!(left, [first.to_string()], "the other page keeps its button");
    until("the DM updated", Duration::from_secs(10), || async {
        ack_buttons(&app.slack, SRE) == [first]
    })
    .await;
    app.click_ack(SRE, first).await;
    until("no button left", Duration::from_secs(10), || async {
        ack_buttons(&app.slack, SRE).is_empty()
    })
    .await;
    let pages = app.pages(app.newest_open_incident().await).await;
    assert!(pages.iter().all(|p| p.acked_by.as_deref() == Some(SRE)));
}
on_both_backends!(
    a_page_that_joined_a_dm_by_update_acks_from_it,
    a_page_that_joined_a_dm_by_update_acks_from_it
);

async fn a_page_acknowledged_before_its_notice_is_not_announced(backend: Backend) {
    // The fake's channel takes a post every 5 s: the notice waits that long.
    let app = app(backend, 0.2).await;
    let (_, second) = a_page_joined_by_update(&app).await;
    app.click_ack(SRE, second).await;
    until("the ack", Duration::from_secs(5), || async {
        let incident = app.newest_open_incident().await;
        app.pages(incident).await[0].acked_at.is_some()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    app.outbox_drained().await;
    assert!(
        notices(&app.slack).is_empty(),
        "nothing rings for a page already acknowledged"
    );
    assert_eq!(app.slack.dms_to(SRE).len(), 1, "the one DM, updated");
}
on_both_backends!(
    a_page_acknowledged_before_its_notice_is_not_announced,
    a_page_acknowledged_before_its_notice_is_not_announced
);

async fn a_notice_queued_before_a_crash_still_rings_after_the_restart(backend: Backend) {
    // The notice waits 5 s for the fake's channel: time to kill the app before it.
    let app = app(backend, 0.2).await;
    let (_, second) = a_page_joined_by_update(&app).await;
    let incident = app.newest_open_incident().await;
    until(
        "the page recorded on the DM",
        Duration::from_secs(5),
        || async { app.pages(incident).await[0].dm_ts.is_some() },
    )
    .await;
    assert!(notices(&app.slack).is_empty(), "killed before the notice");
    let app = app.kill().await.start().await;
    // SQLite takes its claims back at once; PostgreSQL may wait out a lease (15 s).
    until("the notice", Duration::from_secs(40), || async {
        !notices(&app.slack).is_empty()
    })
    .await;
    app.outbox_drained().await;
    assert_eq!(notifications(&app.slack, second).len(), 1, "rang once");
    assert_eq!(notices(&app.slack)[0].1, [second]);
}
on_both_backends!(
    a_notice_queued_before_a_crash_still_rings_after_the_restart,
    a_notice_queued_before_a_crash_still_rings_after_the_restart
);

async fn a_page_refused_a_post_because_another_replica_just_posted_joins_the_dm(backend: Backend) {
    let app = app(backend, 1.0).await;
    let first = first_page(&app).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // Another replica posts to the DM (its pacing is its own): this process thinks
    // the channel free, and Slack answers its post with a 429.
    let dm = app.slack.dm_id(SRE).unwrap();
    app.state
        .slack
        .post_message(&dm, "from the other replica", None)
        .await
        .unwrap();
    let (incident, sent) = declare(&app, "Search slow").await;
    let second = page_of(&app, incident).await.id;
    until(
        "the second page notified",
        Duration::from_secs(10),
        || async { !notifications(&app.slack, second).is_empty() },
    )
    .await;
    app.outbox_drained().await;
    let (at, method) = first_shown(&app.slack, second).unwrap();
    assert_eq!(method, "chat.update", "it joined the first DM");
    assert!(at.duration_since(sent) < Duration::from_secs(1));
    assert!(
        app.slack.rate_limited_posts() >= 1,
        "the post did meet the 429"
    );
    assert_eq!(notifications(&app.slack, second).len(), 1);
    assert_eq!(notifications(&app.slack, first).len(), 1);
}
on_both_backends!(
    a_page_refused_a_post_because_another_replica_just_posted_joins_the_dm,
    a_page_refused_a_post_because_another_replica_just_posted_joins_the_dm
);
