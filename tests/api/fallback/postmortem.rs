//! The postmortem shows Slack and IRC in one timeline, in time order, each IRC line
//! marked with where it was said (the mapped person's name, or the nick, then
//! `(IRC)`), in Markdown and in Block Kit; on SQLite and PostgreSQL.

use super::stored_incident;
use super::{irc_line, message};
use crate::db::{Backend, TestDb};
use crate::on_both_backends;
use chrono::{Duration, TimeZone, Utc};
use warroom::config::PagingSettings;
use warroom::domain::{Person, PersonKind};
use warroom::postmortem::Style;

async fn both_sources_in_time_order(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let t0 = Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap();
    let id = stored_incident(&store, t0).await;
    let mut tx = store.begin().await.unwrap();
    tx.upsert_person(
        &Person {
            user_id: "U0ALICE".into(),
            name: "Alice Liddell".into(),
            title: None,
            kind: PersonKind::Human,
        },
        t0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let at = |m: i64| t0 + Duration::minutes(m);
    // Stored out of order on purpose: the draft orders by time.
    irc_line(
        &store,
        id,
        at(4),
        Some("U0ALICE"),
        "alice",
        "failing over the primary",
    )
    .await;
    message(
        &store,
        id,
        at(1),
        None,
        Some("U0ALICE"),
        "checkout errors at 40%",
    )
    .await;
    irc_line(
        &store,
        id,
        at(3),
        None,
        "mallory42",
        "slack is down for me too",
    )
    .await;
    message(&store, id, at(6), None, Some("U0ALICE"), "back on Slack").await;

    let style = Style::from_settings(&Default::default(), None).unwrap();
    let escalation = PagingSettings::disabled().escalation;
    let md = warroom::cli::draft_markdown(&store, id, &escalation, &style)
        .await
        .unwrap();
    let order: Vec<usize> = [
        "checkout errors at 40%",
        "slack is down for me too",
        "failing over the primary",
        "back on Slack",
    ]
    .iter()
    .map(|t| md.find(t).unwrap_or_else(|| panic!("{t} missing:\n{md}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "out of order:\n{md}");
    let line_of = |text: &str| md.lines().find(|l| l.contains(text)).unwrap().to_string();
    assert!(
        line_of("slack is down for me too").contains("mallory42 (IRC)"),
        "{md}"
    );
    assert!(
        line_of("failing over the primary").contains("Alice Liddell (IRC)"),
        "{md}"
    );
    assert!(!line_of("checkout errors at 40%").contains("IRC"), "{md}");
    assert_eq!(md.matches("slack is down for me too").count(), 1, "{md}");

    let mut tx = store.read().await.unwrap();
    let incident = tx.incident(id).await.unwrap().unwrap();
    let gathered = warroom::postmortem::gather::gather(&mut tx, id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let draft =
        warroom::postmortem::gather::draft(&incident, &gathered, &escalation, &style.phrases);
    let blocks = serde_json::to_string(&warroom::postmortem::render_blocks(&draft)).unwrap();
    let irc = blocks
        .find("mallory42 (IRC)")
        .expect("the nick, marked IRC, in the blocks");
    let slack = blocks.find("checkout errors at 40%").unwrap();
    assert!(slack < irc, "{blocks}");
}

on_both_backends!(
    the_postmortem_interleaves_slack_and_irc_in_time_order_marking_irc_lines,
    both_sources_in_time_order
);
