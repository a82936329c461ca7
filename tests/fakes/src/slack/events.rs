//! Event subscriptions: Slack delivers an event only when the app subscribes to it
//! (`settings.event_subscriptions.bot_events` in the manifest) and holds its scope.
//! A fake built from a manifest refuses to deliver anything else, so an event the
//! real app would never receive fails a test instead of passing it.
//!
//! | bot event | scope |
//! | --- | --- |
//! | `message.channels` / `.groups` / `.im` / `.mpim` | `channels:history` / `groups:history` / `im:history` / `mpim:history` |
//! | `reaction_added`, `reaction_removed` | `reactions:read` |
//! | `pin_added`, `pin_removed` | `pins:read` |
//!
//! (From Slack's event reference pages.) Events not in the table are not checked.

use std::path::Path;

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use super::FakeSlack;

/// The scope Slack requires for a bot event, for the events the fake checks.
pub fn scope_of(bot_event: &str) -> Option<&'static str> {
    Some(match bot_event {
        "message.channels" => "channels:history",
        "message.groups" => "groups:history",
        "message.im" => "im:history",
        "message.mpim" => "mpim:history",
        "reaction_added" | "reaction_removed" => "reactions:read",
        "pin_added" | "pin_removed" => "pins:read",
        _ => return None,
    })
}

/// The bot event an app subscribes to for `event` (the inner `event` of an
/// `event_callback`): `message.<kind>` from a message's `channel_type`, else its
/// `type`. `None` when it cannot tell (no type; a message without `channel_type`).
pub fn subscription_of(event: &Value) -> Option<String> {
    let kind = event.get("type")?.as_str()?;
    if kind != "message" {
        return Some(kind.to_string());
    }
    let family = match event.get("channel_type")?.as_str()? {
        "channel" => "channels",
        "group" => "groups",
        "im" => "im",
        "mpim" => "mpim",
        _ => return None,
    };
    Some(format!("message.{family}"))
}

/// The bot events of a Slack app manifest file
/// (`settings.event_subscriptions.bot_events`; none listed: empty).
pub fn bot_events_from_manifest(path: impl AsRef<Path>) -> Result<Vec<String>, String> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read app manifest {}: {e}", path.display()))?;
    bot_events_from_manifest_yaml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Like [`bot_events_from_manifest`], from YAML text.
pub fn bot_events_from_manifest_yaml(yaml: &str) -> Result<Vec<String>, String> {
    let docs = YamlLoader::load_from_str(yaml).map_err(|e| format!("not YAML: {e}"))?;
    let doc = docs.first().ok_or("empty manifest")?;
    match &doc["settings"]["event_subscriptions"]["bot_events"] {
        Yaml::BadValue => Ok(Vec::new()),
        Yaml::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_string).ok_or_else(|| {
                    format!(
                        "settings.event_subscriptions.bot_events has a non-string entry {item:?}"
                    )
                })
            })
            .collect(),
        _ => Err("settings.event_subscriptions.bot_events is not a list".into()),
    }
}

impl FakeSlack {
    /// `Ok` when Slack would deliver `event` (the inner `event`) to this app: always
    /// without a subscription list (the default config); with one (from a manifest),
    /// only a subscribed event whose scope is granted. Events the fake cannot map are
    /// let through.
    pub fn check_delivery(&self, event: &Value) -> Result<(), String> {
        let Some(subscribed) = &self.shared.config.bot_events else {
            return Ok(());
        };
        let Some(bot_event) = subscription_of(event) else {
            return Ok(());
        };
        if !subscribed.contains(&bot_event) {
            return Err(format!(
                "the app does not subscribe to `{bot_event}`, so Slack would not deliver it \
                 (subscribed: {})",
                subscribed.join(", ")
            ));
        }
        if let Some(scope) = scope_of(&bot_event)
            && !self.scopes().contains(scope)
        {
            return Err(format!(
                "`{bot_event}` needs the `{scope}` scope, which the app was not granted"
            ));
        }
        Ok(())
    }
}
