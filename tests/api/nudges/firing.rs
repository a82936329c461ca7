//! Each nudge fires when it is due, and is held back once it is no longer true: an
//! update posted, a commander named, someone speaking, the incident closed; a raised
//! severity brings the update nudge forward; the quiet nudge keeps working hours.

use super::*;
use crate::alerts::{A, alertmanager};
use crate::on_both_backends;
use chrono::TimeZone;

async fn an_overdue_update_nudges_the_commander_once_per_cadence(backend: Backend) {
    let app = app_at(backend, Utc::now(), nudges_on()).await;
    let room = app.declare(IC, "Checkout is slow sev2").await;
    advance(&app, 29 * MIN).await;
    assert!(
        nudge_posts(&app, &room.channel).is_empty(),
        "not before 30m"
    );

    advance(&app, MIN).await;
    let posts = nudge_posts(&app, &room.channel);
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].text.contains(&format!("<@{IC}>")) && posts[0].text.contains("every 30m"),
        "{}",
        posts[0].text
    );
    let labels: Vec<String> = posts[0].blocks.as_ref().unwrap()[1]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(labels, ["Snooze 15m", "Snooze 1h", "Dismiss"]);
    let said = nudges_in_timeline(&app, room.incident_id).await;
    assert_eq!(said.len(), 1);
    assert!(said[0].contains("No stakeholder update"), "{}", said[0]);

    settle(&app).await;
    assert_eq!(nudge_posts(&app, &room.channel).len(), 1, "sent once");
    advance(&app, 30 * MIN).await;
    assert_eq!(
        nudge_posts(&app, &room.channel).len(),
        2,
        "still no update: nudged again one cadence later"
    );
    let scrape = app
        .state
        .metrics
        .render(None, warroom::metrics::Format::Prometheus);
    assert!(
        scrape.contains("warroom_nudges_sent_total{kind=\"update_due\"} 2"),
        "{scrape}"
    );
    app.stop().await;
}
on_both_backends!(
    overdue_update_nudges,
    an_overdue_update_nudges_the_commander_once_per_cadence
);

async fn an_update_posted_in_time_holds_the_nudge_back_and_restarts_the_cadence(backend: Backend) {
    let app = app_at(backend, Utc::now(), nudges_on()).await;
    let room = app.declare(IC, "Search is down sev1").await;
    advance(&app, 10 * MIN).await;
    stakeholder_update(&app, room.incident_id).await;
    advance(&app, 10 * MIN).await;
    assert!(
        nudge_posts(&app, &room.channel).is_empty(),
        "20m after the declare, but only 10m after the update"
    );
    advance(&app, 5 * MIN).await;
    assert_eq!(
        nudge_posts(&app, &room.channel).len(),
        1,
        "15m after the update"
    );
    let said = nudges_in_timeline(&app, room.incident_id).await;
    assert!(
        said[0].contains("The last stakeholder update was 15m ago"),
        "{said:?}"
    );
    app.stop().await;
}
on_both_backends!(
    an_update_holds_the_nudge_back,
    an_update_posted_in_time_holds_the_nudge_back_and_restarts_the_cadence
);

async fn a_raised_severity_brings_the_update_nudge_forward(backend: Backend) {
    let app = app_at(backend, Utc::now(), nudges_on()).await;
    let room = app.declare(IC, "Billing lag sev3").await;
    advance(&app, 20 * MIN).await;
    assert!(nudge_posts(&app, &room.channel).is_empty(), "SEV3 waits 2h");
    app.command(IC, &room.channel, "sev sev1").await;
    settle(&app).await;
    assert_eq!(
        nudge_posts(&app, &room.channel).len(),
        1,
        "SEV1 asks every 15m, and 20m have passed"
    );
    app.stop().await;
}
on_both_backends!(
    a_raised_severity_nudges_sooner,
    a_raised_severity_brings_the_update_nudge_forward
);

async fn an_incident_declared_without_a_commander_is_nudged_to_the_channel_after_five_minutes(
    backend: Backend,
) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let answer = app
        .alertmanager(&alertmanager(
            "CheckoutDown",
            &[A::firing("CheckoutDown", "c0ffee01", now)],
            now,
        ))
        .await;
    let id = answer["incident_id"].as_i64().unwrap();
    let room = app.war_room_of(id).await;
    advance(&app, 4 * MIN).await;
    assert!(nudge_posts(&app, &room).is_empty());
    advance(&app, MIN).await;
    let posts = nudge_posts(&app, &room);
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].text.contains("To whoever leads this incident")
            && posts[0].text.contains("Nobody commands this incident")
            && !posts[0].text.contains("<!channel>")
            && !posts[0].text.contains("<@"),
        "{}",
        posts[0].text
    );
    advance(&app, 5 * MIN).await;
    assert_eq!(nudge_posts(&app, &room).len(), 1, "said once");
    app.stop().await;
}
on_both_backends!(
    no_commander_nudges,
    an_incident_declared_without_a_commander_is_nudged_to_the_channel_after_five_minutes
);

async fn a_commander_named_in_time_means_no_commander_nudge(backend: Backend) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let answer = app
        .alertmanager(&alertmanager(
            "CheckoutDown",
            &[A::firing("CheckoutDown", "c0ffee02", now)],
            now,
        ))
        .await;
    let id = answer["incident_id"].as_i64().unwrap();
    let room = app.war_room_of(id).await;
    advance(&app, 3 * MIN).await;
    app.command(SRE, &room, &format!("lead <@{SRE}|oncall>"))
        .await;
    advance(&app, 5 * MIN).await;
    assert!(nudge_posts(&app, &room).is_empty());
    assert!(nudges_in_timeline(&app, id).await.is_empty());
    app.stop().await;
}
on_both_backends!(
    a_commander_in_time_stops_the_nudge,
    a_commander_named_in_time_means_no_commander_nudge
);

/// Every day and hour is working time, so the quiet nudge is due exactly a day on.
pub fn always_working() -> NudgeSettings {
    let mut s = nudges_on();
    s.working_hours.days = [true; 7];
    s.working_hours.start = chrono::NaiveTime::from_hms_opt(0, 0, 0).unwrap();
    s.working_hours.end = chrono::NaiveTime::from_hms_opt(23, 59, 0).unwrap();
    s.cadence = [30 * 24 * HOUR; 4];
    s
}

async fn a_quiet_incident_is_asked_whether_it_can_be_resolved_unless_someone_speaks(
    backend: Backend,
) {
    let app = app_at(backend, days_ago(3), always_working()).await;
    let room = app.declare(IC, "Slow reports sev3").await;
    advance(&app, 20 * HOUR).await;
    say_now(
        &app,
        room.incident_id,
        &room.channel,
        OTHER,
        "still looking at it",
    )
    .await;
    advance(&app, 4 * HOUR).await;
    assert!(
        nudges_in_timeline(&app, room.incident_id).await.is_empty(),
        "a day since the declare, but someone spoke 4h ago"
    );
    advance(&app, 20 * HOUR).await;
    let said = nudges_in_timeline(&app, room.incident_id).await;
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].starts_with("Can it be resolved?"), "{}", said[0]);
    assert_eq!(nudge_posts(&app, &room.channel).len(), 1);
    app.stop().await;
}
on_both_backends!(
    quiet_incidents_are_asked,
    a_quiet_incident_is_asked_whether_it_can_be_resolved_unless_someone_speaks
);

async fn the_quiet_nudge_waits_for_monday_nine_in_the_configured_zone(backend: Backend) {
    let friday = a_past_friday_at_nine_utc();
    let mut settings = nudges_on();
    settings.working_hours.timezone = chrono_tz::Europe::Berlin;
    settings.cadence = [30 * 24 * HOUR; 4];
    let app = app_at(backend, friday, settings).await;
    let room = app.declare(IC, "Weekend queue backlog sev3").await;
    say_now(&app, room.incident_id, &room.channel, OTHER, "watching it").await;

    advance(&app, 26 * HOUR).await; // Saturday around noon in Berlin: a day of silence
    assert!(
        nudges_in_timeline(&app, room.incident_id).await.is_empty(),
        "not on Saturday"
    );
    let monday = (friday + ChronoDuration::days(3)).date_naive();
    let monday_nine = chrono_tz::Europe::Berlin
        .from_local_datetime(&monday.and_hms_opt(9, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let before = monday_nine - ChronoDuration::minutes(1);
    advance(&app, (before - app.clock.now()).to_std().unwrap()).await;
    assert!(
        nudges_in_timeline(&app, room.incident_id).await.is_empty(),
        "not before nine"
    );
    advance(&app, MIN).await;
    let said = nudges_in_timeline(&app, room.incident_id).await;
    assert_eq!(said.len(), 1, "Monday 09:00 in Berlin");
    assert!(said[0].starts_with("Can it be resolved?"), "{}", said[0]);
    app.stop().await;
}
on_both_backends!(
    working_hours_rule,
    the_quiet_nudge_waits_for_monday_nine_in_the_configured_zone
);

async fn resolved_but_not_closed_for_a_day_is_nudged_and_a_close_stops_every_nudge(
    backend: Backend,
) {
    let app = app_at(backend, Utc::now(), always_working()).await;
    let room = app.declare(IC, "Cache stampede sev2").await;
    let later = app.declare(IC, "DNS flaps sev2").await;
    for r in [&room, &later] {
        app.command(IC, &r.channel, "resolve rolled back").await;
    }
    advance(&app, 23 * HOUR).await;
    app.command(IC, &later.channel, "close").await;
    advance(&app, HOUR).await;
    let said = nudges_in_timeline(&app, room.incident_id).await;
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("Resolved 1d ago but not closed"),
        "{}",
        said[0]
    );
    assert!(
        nudges_in_timeline(&app, later.incident_id).await.is_empty(),
        "closed within the day"
    );
    app.command(IC, &room.channel, "close").await;
    advance(&app, 3 * 24 * HOUR).await;
    assert_eq!(
        nudges_in_timeline(&app, room.incident_id).await.len(),
        1,
        "closed: no more"
    );
    let mut tx = app.store.read().await.unwrap();
    let timers = tx.incident_timers(room.incident_id).await.unwrap();
    tx.commit().await.unwrap();
    assert!(timers.iter().all(|t| t.state == "done"), "{timers:?}");
    app.stop().await;
}
on_both_backends!(
    unclosed_nudges,
    resolved_but_not_closed_for_a_day_is_nudged_and_a_close_stops_every_nudge
);
