//! `scenario outbound`: how close the outbox gets to Slack's per-channel post limit.
//! P posts are queued across C war rooms at once; the fake Slack accepts R posts per
//! channel per second and answers 429 with `Retry-After` beyond that.
//!
//! No slash command makes a `chat.postMessage` in the war room per invocation (`note`
//! answers through the command's response), so the posts are queued as the app's own
//! war-room notices (`Op::Notice`) through `warroom::outbox::enqueue`, in one
//! transaction, exactly as the app queues them.

use super::env::{Backend, InProcessApp, TempDb, declare_incidents};
use serde::Serialize;
use std::time::{Duration, Instant};
use warroom::outbox::{self, Op};
use warroom_fakes::FakeSlack;

const MARKER: &str = "[bench-notice";

#[derive(Debug, Clone, Serialize)]
pub struct Params {
    pub backend: Backend,
    pub channels: usize,
    pub posts_per_channel: usize,
    pub rate_per_channel: f64,
    pub timeout_secs: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub posts: usize,
    pub delivered: usize,
    /// From the commit that queued the posts to the last one accepted.
    pub drain_secs: f64,
    pub throughput_per_sec: f64,
    /// channels × rate: the most Slack would accept.
    pub bound_per_sec: f64,
    /// throughput ÷ bound (the figure; slightly above 1 is possible because
    /// the first post in each channel is free at t = 0).
    pub ratio: f64,
    /// (posts per channel − 1) ÷ rate: the least time the limit allows.
    pub ideal_drain_secs: f64,
    /// ideal ÷ actual drain time (≤ 1).
    pub efficiency: f64,
    pub rate_limited_429s: usize,
    /// Queued posts that never got through (dropped or given up after 429s/errors).
    pub unhandled: usize,
    pub outbox_failed: i64,
}

pub async fn run(p: &Params) -> anyhow::Result<Outcome> {
    let db = TempDb::create(p.backend).await?;
    let app = InProcessApp::start(&db, FakeSlack::start().await).await?;
    let result = measure(&app, p).await;
    app.stop().await?;
    drop(db);
    result
}

fn delivered(slack: &FakeSlack) -> usize {
    slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| {
            c.status == 200
                && c.response["ok"] == true
                && c.args["text"].as_str().is_some_and(|t| t.contains(MARKER))
        })
        .count()
}

async fn measure(app: &InProcessApp, p: &Params) -> anyhow::Result<Outcome> {
    let rooms = declare_incidents(&app.slash()?, &app.db, p.channels, 4).await?;
    let slack = &app.slack;
    slack.limit_posts_per_channel_per_sec(Some(p.rate_per_channel));
    let limited_before = slack.rate_limited_posts();
    let posts = p.channels * p.posts_per_channel;

    let mut tx = app.state.store.begin().await?;
    for round in 0..p.posts_per_channel {
        for (incident_id, _) in &rooms {
            let op = Op::Notice {
                incident_id: *incident_id,
                text: format!("{MARKER} {round}] queued update {round} for incident {incident_id}"),
            };
            outbox::enqueue(&mut tx, &op, None).await?;
        }
    }
    tx.commit().await?;
    let start = Instant::now();
    app.state.wake_outbox();

    let timeout = Duration::from_secs_f64(p.timeout_secs);
    let (mut seen, mut last) = (0, Duration::ZERO);
    while seen < posts && start.elapsed() < timeout {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let now = delivered(slack);
        if now > seen {
            seen = now;
            last = start.elapsed();
        }
    }
    let outbox_failed = app
        .db
        .wait_outbox_drained(Duration::from_secs(5))
        .await
        .unwrap_or(-1);
    let drain_secs = last.as_secs_f64();
    let throughput = if drain_secs > 0.0 {
        seen as f64 / drain_secs
    } else {
        0.0
    };
    let bound = p.channels as f64 * p.rate_per_channel;
    let ideal = (p.posts_per_channel.saturating_sub(1)) as f64 / p.rate_per_channel;
    Ok(Outcome {
        posts,
        delivered: seen,
        drain_secs,
        throughput_per_sec: throughput,
        bound_per_sec: bound,
        ratio: throughput / bound,
        ideal_drain_secs: ideal,
        efficiency: if drain_secs > 0.0 {
            ideal / drain_secs
        } else {
            0.0
        },
        rate_limited_429s: slack.rate_limited_posts() - limited_before,
        unhandled: posts - seen.min(posts),
        outbox_failed,
    })
}
