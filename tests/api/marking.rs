//! What people do to war-room messages besides writing them: 📌 reactions and pins.
//! Each acts on the fake Slack (so history agrees) and delivers the event Slack sends,
//! signed, over whichever transport the app uses.

use crate::helpers::TestApp;
use serde_json::Value;

/// An event as delivered, to deliver again (a redelivery has the same id).
pub struct Delivered {
    pub event_id: String,
    pub event: Value,
}

impl TestApp {
    /// `user` writes `text` in `channel`: Slack stores it and delivers the event.
    /// Returns the message ts.
    pub async fn post_message(&self, channel: &str, user: &str, text: &str) -> String {
        let ts = self.next_ts();
        self.slack.add_message_at(channel, user, text, &ts);
        let event = warroom_fakes::payloads::message(channel, user, text, &ts);
        self.deliver(&format!("Ev{}", self.next()), event).await;
        ts
    }

    /// `user` reacts with `name` (e.g. `pushpin`) to the message `ts`.
    pub async fn react(&self, channel: &str, user: &str, ts: &str, name: &str) -> Delivered {
        let event = self.slack.add_reaction(channel, ts, user, name);
        self.send(event).await
    }

    /// `user` takes their reaction `name` away from the message `ts`.
    pub async fn unreact(&self, channel: &str, user: &str, ts: &str, name: &str) -> Delivered {
        let event = self.slack.remove_reaction(channel, ts, user, name);
        self.send(event).await
    }

    /// `user` pins the message `ts`.
    pub async fn pin(&self, channel: &str, user: &str, ts: &str) -> Delivered {
        let event = self.slack.pin_message(channel, ts, user);
        self.send(event).await
    }

    /// `user` unpins the message `ts`.
    pub async fn unpin(&self, channel: &str, user: &str, ts: &str) -> Delivered {
        let event = self.slack.unpin_message(channel, ts, user);
        self.send(event).await
    }

    /// Delivers `delivered` once more, as Slack's retry would.
    pub async fn redeliver(&self, delivered: &Delivered) {
        self.deliver(&delivered.event_id, delivered.event.clone())
            .await;
    }

    async fn send(&self, event: Value) -> Delivered {
        let event_id = format!("Ev{}", self.next());
        self.deliver(&event_id, event.clone()).await;
        Delivered { event_id, event }
    }
}
