//! Alertmanager's webhook (`webhook_config`): the JSON of `Message` in Alertmanager's
//! `notify/webhook/webhook.go`, which is `template.Data` (receiver, status, alerts,
//! groupLabels, commonLabels, commonAnnotations, externalURL; 0.32 added
//! `notification_reason` and 0.34 `routeLabels`, which Warroom does not use) plus
//! `version` "4", `groupKey` and (since 0.21) `truncatedAlerts`. Each alert has
//! status, labels, annotations, startsAt, endsAt, generatorURL and (since 0.19)
//! fingerprint. The shared reading is in `mod.rs`; this file owns the version.

use super::PayloadError;
use super::read::{Fields, quote, wrong};
use serde_json::Value;

pub(super) const FORMAT: &str = "an Alertmanager webhook notification, version \"4\"";

/// The only webhook version Alertmanager has sent since 0.6.
const VERSION: &str = "4";

/// `version` is "4" or missing (hand-made senders leave it out).
pub(super) fn check_version(top: &Fields) -> Result<(), PayloadError> {
    match top.get("version") {
        None => Ok(()),
        Some(Value::String(v)) if v == VERSION => Ok(()),
        Some(Value::String(v)) if v == super::grafana::VERSION && top.has("orgId") => {
            Err(PayloadError(
                "this is Grafana's webhook (version \"1\", with `orgId`): \
                 send it to /alerts/grafana instead"
                    .into(),
            ))
        }
        Some(Value::String(v)) => Err(PayloadError(format!(
            "unsupported Alertmanager webhook version {}: Warroom reads version \"4\"",
            quote(v)
        ))),
        Some(other) => Err(wrong("version", "the string \"4\"", other)),
    }
}
