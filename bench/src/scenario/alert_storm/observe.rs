//! Reading the fakes' records back per incident: when its PagerDuty trigger was
//! accepted, when its page first showed in the point of contact's DM (a post, or an
//! update of an earlier page DM, carrying its Acknowledge button), when the post
//! that notified them of it arrived (that post, or the notice naming the page in
//! its metadata: an update rings no phone), and when its war room was ready (channel created, the paged person invited, topic set, the expected
//! posts pinned: the last of these calls). Each time is the fake's own arrival
//! stamp, so how often this polls does not change the figures.

use super::setup::{POC, TEAM};
use crate::db::Db;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use warroom::paging::pager::dedup_key;
use warroom::slack::views::ACK_ACTION_ID;
use warroom_fakes::pagerduty::RecordedEvent;
use warroom_fakes::{FakePagerDuty, FakeSlack, RecordedCall};

/// An incident being timed, from when the request that caused it was sent.
#[derive(Debug, Clone, Copy)]
pub struct Watched {
    pub incident_id: i64,
    pub sent: Instant,
}

/// One incident's latencies in ms from its send; `None` when it never happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timing {
    pub incident_id: i64,
    pub pd_trigger_ms: Option<f64>,
    /// The page first visible in the DM, with its button: a post or an update.
    pub dm_page_shown_ms: Option<f64>,
    /// The post that rang the phone for it: the DM that carried it, or its notice.
    pub dm_page_notified_ms: Option<f64>,
    pub war_room_ms: Option<f64>,
}

impl Timing {
    pub fn complete(&self) -> bool {
        self.pd_trigger_ms.is_some()
            && self.dm_page_shown_ms.is_some()
            && self.dm_page_notified_ms.is_some()
            && self.war_room_ms.is_some()
    }
}

/// The fakes' records, read once.
pub struct Snapshot {
    calls: Vec<RecordedCall>,
    events: Vec<RecordedEvent>,
    dm: Option<String>,
}

fn ok(c: &RecordedCall) -> bool {
    c.status == 200 && c.response["ok"] == true
}

fn arg<'a>(c: &'a RecordedCall, name: &str) -> &'a str {
    c.args[name].as_str().unwrap_or("")
}

/// `name`, whether it came as JSON or as a JSON string in a form.
fn json_arg(c: &RecordedCall, name: &str) -> Value {
    match &c.args[name] {
        Value::String(s) => serde_json::from_str::<Value>(s).unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// The Acknowledge buttons' values (page ids) in a post's or update's blocks.
fn ack_values(c: &RecordedCall) -> Vec<i64> {
    let blocks = json_arg(c, "blocks");
    // A button is a section's accessory or one of an actions block's elements.
    let buttons = blocks.as_array().into_iter().flatten().flat_map(|block| {
        let elements = block["elements"].as_array().into_iter().flatten();
        std::iter::once(&block["accessory"]).chain(elements)
    });
    buttons
        .filter(|el| el["action_id"] == ACK_ACTION_ID)
        .filter_map(|el| el["value"].as_str().and_then(|v| v.parse().ok()))
        .collect()
}

/// The pages a notice announces (its metadata's `pages`); none for other posts.
fn announced(c: &RecordedCall) -> Vec<i64> {
    json_arg(c, "metadata")["event_payload"]["pages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_i64)
        .collect()
}

impl Snapshot {
    pub fn take(slack: &FakeSlack, pagerduty: &FakePagerDuty) -> Snapshot {
        Snapshot {
            calls: slack.calls(),
            events: pagerduty.events(),
            dm: slack.dm_id(POC),
        }
    }

    /// Triggers the fake accepted (202), in arrival order.
    pub fn accepted_triggers(&self) -> impl Iterator<Item = &RecordedEvent> {
        self.events
            .iter()
            .filter(|e| e.status == 202 && e.body["event_action"] == "trigger")
    }

    /// When the incident's first trigger was accepted.
    pub fn pd_trigger(&self, incident_id: i64) -> Option<Instant> {
        let key = dedup_key(incident_id, TEAM, 0);
        self.accepted_triggers()
            .find(|e| e.dedup_key.as_deref() == Some(key.as_str()))
            .map(|e| e.at)
    }

    /// Accepted calls of `methods` in the point of contact's DM, in arrival order.
    fn in_dm<'s>(&'s self, methods: &'s [&str]) -> impl Iterator<Item = &'s RecordedCall> {
        let dm = self.dm.as_deref();
        self.calls.iter().filter(move |c| {
            methods.contains(&c.method.as_str())
                && ok(c)
                && dm.is_some_and(|dm| arg(c, "channel") == dm)
        })
    }

    /// When one of `page_ids` first showed in the point of contact's DM: the first
    /// accepted post or update there carrying its Acknowledge button.
    pub fn dm_shown(&self, page_ids: &[i64]) -> Option<Instant> {
        self.in_dm(&["chat.postMessage", "chat.update"])
            .find(|c| ack_values(c).iter().any(|v| page_ids.contains(v)))
            .map(|c| c.at)
    }

    /// The accepted posts that notified the point of contact of one of `page_ids`,
    /// in arrival order: a DM carrying its button, or a notice naming it.
    pub fn dm_notifications(&self, page_ids: &[i64]) -> Vec<Instant> {
        self.in_dm(&["chat.postMessage"])
            .filter(|c| {
                ack_values(c)
                    .into_iter()
                    .chain(announced(c))
                    .any(|v| page_ids.contains(&v))
            })
            .map(|c| c.at)
            .collect()
    }

    /// Successful `conversations.create` calls, and the channel each made.
    pub fn war_rooms_created(&self) -> Vec<(&str, Instant)> {
        self.calls
            .iter()
            .filter(|c| c.method == "conversations.create" && ok(c))
            .map(|c| (c.response["channel"]["id"].as_str().unwrap_or(""), c.at))
            .collect()
    }

    /// When `channel` was ready: created, the point of contact invited, the topic
    /// set and `pins` posts pinned; the latest of these.
    pub fn war_room_ready(&self, channel: &str, pins: usize) -> Option<Instant> {
        let in_room = |c: &&RecordedCall, method: &str| {
            c.method == method && ok(c) && arg(c, "channel") == channel
        };
        let created = self
            .war_rooms_created()
            .into_iter()
            .find(|(id, _)| *id == channel)?
            .1;
        let invited = self
            .calls
            .iter()
            .find(|c| {
                in_room(c, "conversations.invite")
                    && arg(c, "users").split(',').any(|u| u.trim() == POC)
            })?
            .at;
        let topic = self
            .calls
            .iter()
            .find(|c| in_room(c, "conversations.setTopic"))?
            .at;
        let pinned = self
            .calls
            .iter()
            .filter(|c| in_room(c, "pins.add"))
            .nth(pins.checked_sub(1)?)?
            .at;
        [created, invited, topic, pinned].into_iter().max()
    }

    /// 429s the fake Slack answered.
    pub fn slack_429s(&self) -> usize {
        self.calls.iter().filter(|c| c.status == 429).count()
    }
}

/// Times incidents as the fakes see them; remembers what it read from the database
/// (page ids, war-room channels) so each is read once.
pub struct Tracker<'a> {
    db: &'a Db,
    slack: &'a FakeSlack,
    pagerduty: &'a FakePagerDuty,
    /// Pins a ready war room has: the summary, plus the alert post for alerts.
    pins: usize,
    pages: HashMap<i64, Vec<i64>>,
    channels: HashMap<i64, String>,
}

fn ms(from: Instant, to: Option<Instant>) -> Option<f64> {
    to.map(|t| t.saturating_duration_since(from).as_secs_f64() * 1000.0)
}

impl<'a> Tracker<'a> {
    pub fn new(
        db: &'a Db,
        slack: &'a FakeSlack,
        pagerduty: &'a FakePagerDuty,
        pins: usize,
    ) -> Self {
        Tracker {
            db,
            slack,
            pagerduty,
            pins,
            pages: HashMap::new(),
            channels: HashMap::new(),
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot::take(self.slack, self.pagerduty)
    }

    /// Page ids of the incident's point of contact (empty until paged).
    pub async fn page_ids(&mut self, incident_id: i64) -> anyhow::Result<Vec<i64>> {
        if let Some(ids) = self.pages.get(&incident_id) {
            return Ok(ids.clone());
        }
        let ids = self.db.page_ids(incident_id, POC).await?;
        if !ids.is_empty() {
            self.pages.insert(incident_id, ids.clone());
        }
        Ok(ids)
    }

    pub async fn channel(&mut self, incident_id: i64) -> anyhow::Result<Option<String>> {
        if let Some(c) = self.channels.get(&incident_id) {
            return Ok(Some(c.clone()));
        }
        let found = self.db.channel_of(incident_id).await?;
        if let Some(c) = &found {
            self.channels.insert(incident_id, c.clone());
        }
        Ok(found)
    }

    /// Each watched incident's timing as things stand.
    pub async fn timings(&mut self, watched: &[Watched]) -> anyhow::Result<Vec<Timing>> {
        let snap = self.snapshot();
        let mut out = Vec::with_capacity(watched.len());
        for w in watched {
            let pages = self.page_ids(w.incident_id).await?;
            let room = match self.channel(w.incident_id).await? {
                Some(c) => snap.war_room_ready(&c, self.pins),
                None => None,
            };
            out.push(Timing {
                incident_id: w.incident_id,
                pd_trigger_ms: ms(w.sent, snap.pd_trigger(w.incident_id)),
                dm_page_shown_ms: ms(w.sent, snap.dm_shown(&pages)),
                dm_page_notified_ms: ms(w.sent, snap.dm_notifications(&pages).first().copied()),
                war_room_ms: ms(w.sent, room),
            });
        }
        Ok(out)
    }

    /// Polls until every watched incident has all three times, or `timeout`.
    pub async fn wait(
        &mut self,
        watched: &[Watched],
        timeout: Duration,
    ) -> anyhow::Result<Vec<Timing>> {
        let start = Instant::now();
        loop {
            let timings = self.timings(watched).await?;
            if timings.iter().all(Timing::complete) || start.elapsed() >= timeout {
                return Ok(timings);
            }
            // Reading the fakes' records costs CPU the app shares; the times are the
            // fakes' own stamps, so a slower poll does not blur them.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn post(args: Value) -> RecordedCall {
        RecordedCall {
            method: "chat.postMessage".into(),
            http_method: "POST".into(),
            args,
            status: 200,
            response: json!({"ok": true}),
            applied: true,
            at: Instant::now(),
        }
    }

    #[test]
    fn acknowledge_buttons_are_read_from_json_blocks_and_from_a_form_string() {
        let blocks = json!([
            {"type": "section", "text": {"type": "mrkdwn", "text": "x"},
             "accessory": {"type": "button", "action_id": ACK_ACTION_ID, "value": "16"}},
            {"type": "actions", "elements": [
                {"type": "button", "action_id": ACK_ACTION_ID, "value": "17"},
                {"type": "button", "action_id": "other", "value": "18"}
            ]}
        ]);
        assert_eq!(
            ack_values(&post(json!({"blocks": blocks.clone()}))),
            [16, 17]
        );
        assert_eq!(
            ack_values(&post(json!({"blocks": blocks.to_string()}))),
            [16, 17]
        );
        assert!(ack_values(&post(json!({"text": "no blocks"}))).is_empty());
    }

    #[test]
    fn a_page_shows_by_post_or_update_and_is_notified_by_its_post_or_its_notice() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let button = |v: &str| {
            json!([{"type": "section", "block_id": format!("page-{v}"),
            "accessory": {"type": "button", "action_id": ACK_ACTION_ID, "value": v}}])
        };
        let call = |method: &str, args: Value, ms: u64| RecordedCall {
            method: method.into(),
            http_method: "POST".into(),
            args,
            status: 200,
            response: json!({"ok": true}),
            applied: true,
            at: at(ms),
        };
        let mut both = button("1");
        both.as_array_mut()
            .unwrap()
            .extend(button("2").as_array().unwrap().clone());
        let notice = json!({"event_type": "warroom_outbox",
            "event_payload": {"key": "page_notice:U:2", "pages": [2]}});
        let snap = Snapshot {
            calls: vec![
                call(
                    "chat.postMessage",
                    json!({"channel": "D1", "blocks": button("1")}),
                    10,
                ),
                call("chat.update", json!({"channel": "D1", "blocks": both}), 300),
                call(
                    "chat.postMessage",
                    json!({"channel": "C9", "blocks": button("2")}),
                    400,
                ),
                call(
                    "chat.postMessage",
                    json!({"channel": "D1", "text": "x",
                    "metadata": notice.to_string()}),
                    1060,
                ),
            ],
            events: Vec::new(),
            dm: Some("D1".into()),
        };
        assert_eq!(snap.dm_shown(&[1]), Some(at(10)));
        assert_eq!(snap.dm_shown(&[2]), Some(at(300)), "shown by the update");
        assert_eq!(snap.dm_notifications(&[1]), [at(10)]);
        assert_eq!(
            snap.dm_notifications(&[2]),
            [at(1060)],
            "rung by its notice; another channel's post does not count"
        );
        assert_eq!(snap.dm_shown(&[3]), None);
    }

    #[test]
    fn a_war_room_is_ready_only_with_every_step_and_at_the_last_one() {
        let t0 = Instant::now();
        let call = |method: &str, args: Value, response: Value, after_ms: u64| RecordedCall {
            method: method.into(),
            http_method: "POST".into(),
            args,
            status: 200,
            response,
            applied: true,
            at: t0 + Duration::from_millis(after_ms),
        };
        let ok = json!({"ok": true});
        let mut calls = vec![
            call(
                "conversations.create",
                json!({"name": "inc-1"}),
                json!({"ok": true, "channel": {"id": "C1"}}),
                10,
            ),
            call(
                "conversations.setTopic",
                json!({"channel": "C1"}),
                ok.clone(),
                20,
            ),
            call(
                "conversations.invite",
                json!({"channel": "C1", "users": format!("U0OTHER,{POC}")}),
                ok.clone(),
                30,
            ),
            call("pins.add", json!({"channel": "C1"}), ok.clone(), 40),
        ];
        let snap = |calls: &Vec<RecordedCall>| Snapshot {
            calls: calls.clone(),
            events: Vec::new(),
            dm: None,
        };
        assert_eq!(
            snap(&calls).war_room_ready("C1", 1),
            Some(t0 + Duration::from_millis(40))
        );
        assert_eq!(snap(&calls).war_room_ready("C1", 2), None, "one pin short");
        assert_eq!(snap(&calls).war_room_ready("C2", 1), None);
        calls.push(call("pins.add", json!({"channel": "C1"}), ok, 90));
        assert_eq!(
            snap(&calls).war_room_ready("C1", 2),
            Some(t0 + Duration::from_millis(90))
        );
        calls.retain(|c| c.method != "conversations.invite");
        assert_eq!(snap(&calls).war_room_ready("C1", 1), None, "not invited");
    }
}
