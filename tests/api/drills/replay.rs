//! The Wheel of Misfortune: the sample export replayed at 100× into a new drill war
//! room, on the app's manual clock: each line waits for its turn (the original gap
//! divided by the speed), and every message arrives once, in order, as the bot,
//! attributed to its author by name.

use super::{SRE, app, channel_name};
use crate::db::Backend;
use std::path::Path;
use std::time::Duration;
use warroom::drills::{ReplayPlan, Speed, replay};

const EXPORT: &str = "/work/shared/fixtures/slack-export-app-outage";
const CHANNEL: &str = "inc-2021-03-09-app-outage";

fn replayed(app: &crate::helpers::TestApp, room: &str) -> Vec<String> {
    app.slack
        .messages_in(room)
        .into_iter()
        .filter(|m| m.text.contains("(replay, "))
        .map(|m| {
            assert!(m.bot_id.is_some(), "posted as the bot: {}", m.text);
            m.text
        })
        .collect()
}

async fn a_replay_at_100x_posts_each_message_once_in_order_with_its_author(backend: Backend) {
    let app = app(backend).await;
    let exported = warroom::import::read_export(Path::new(EXPORT), CHANNEL).unwrap();
    let plan = ReplayPlan::from_export(&exported);
    assert_eq!(plan.lines.len(), 26);
    let id = replay::declare(&app.state, &plan, Some(SRE)).await.unwrap();
    let room = app.war_room_of(id).await;
    assert!(channel_name(&app, &room).starts_with("drill-inc-"));
    assert!(app.incident(id).await.drill);

    let speed = Speed::parse("100").unwrap();
    let state = app.state.clone();
    let (p, run_plan) = (plan.clone(), plan.clone());
    let running = tokio::spawn(async move { replay::run(&state, id, &run_plan, speed).await });

    // The clock has not moved: only the lines said at the first message's second go.
    let at_once = p.lines.iter().filter(|l| l.offset.is_zero()).count();
    app.slack
        .wait_for("the first replayed line", |s| {
            s.messages_in(&room)
                .iter()
                .any(|m| m.text.contains("(replay, "))
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.outbox_drained().await;
    assert_eq!(
        replayed(&app, &room).len(),
        at_once,
        "later lines wait for the clock"
    );

    // The original spans 75 minutes: 45 s at 100×. Move the clock on in steps.
    while !running.is_finished() {
        app.clock.advance(Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(running.await.unwrap().unwrap(), 26);
    app.slack
        .wait_for_within(
            "all 26 lines, paced a second apart",
            Duration::from_secs(60),
            |s| {
                s.messages_in(&room)
                    .iter()
                    .filter(|m| m.text.contains("(replay, "))
                    .count()
                    >= 26
            },
        )
        .await;
    app.outbox_drained().await;

    let posted = replayed(&app, &room);
    let expected: Vec<String> = p
        .lines
        .iter()
        .map(|l| format!("[DRILL] {}", warroom::slack::mrkdwn::echo(&l.render())))
        .collect();
    assert_eq!(posted, expected, "each line once, in the original order");
    assert!(
        posted[0].starts_with("[DRILL] *Susan Vega* (replay, 09:15 UTC): "),
        "{}",
        posted[0]
    );
    for name in ["Susan Vega", "Bob Sparrow", "Karen House"] {
        assert!(
            posted.iter().any(|t| t.contains(&format!("*{name}*"))),
            "{name}"
        );
    }
    assert!(
        posted.iter().all(|t| !t.contains("<@U")),
        "nobody of the original is pinged"
    );
    assert!(
        app.pagers().pagerduty.events().is_empty(),
        "a drill's SEV1 pages no provider"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_on_sqlite_at_100x_posts_each_message_once_in_order_with_its_author() {
    a_replay_at_100x_posts_each_message_once_in_order_with_its_author(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_on_postgres_at_100x_posts_each_message_once_in_order_with_its_author() {
    a_replay_at_100x_posts_each_message_once_in_order_with_its_author(Backend::Postgres).await;
}
