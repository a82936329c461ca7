//! Grafana's unified-alerting webhook contact point: the JSON of `webhookMessage` in
//! grafana/alerting's `receivers/webhook/v1/webhook.go`. It is Alertmanager's core
//! (see `alertmanager.rs`) with `version` "1", plus `orgId`, `title`, `state` and
//! `message` (the last three deprecated) and, on each alert, `silenceURL`,
//! `dashboardURL`, `panelURL` (empty when the rule has no panel), `values` (query
//! results by ref id, or `null`), `valueString`, `imageURL`, `ruleUID`, `orgId`.
//! A firing alert's `endsAt` is Go's zero time. Warroom keeps the links, `values`
//! and `title`; the rest is ignored.
//!
//! Grafana's legacy alerting (before 9) sent another shape (`ruleName`,
//! `evalMatches`, no `alerts`); it is refused with a pointer to the contact point.

use super::PayloadError;
use super::read::{Fields, quote, wrong};
use crate::domain::alert::Alert;
use serde_json::Value;

pub(super) const FORMAT: &str = "a Grafana alerting webhook notification, version \"1\"";

pub(super) const VERSION: &str = "1";

/// Refuses Grafana's legacy alerting webhook, whichever route it was sent to.
pub(super) fn refuse_legacy(top: &Fields) -> Result<(), PayloadError> {
    if !top.has("alerts") && (top.has("ruleName") || top.has("evalMatches")) {
        return Err(PayloadError(
            "this is a webhook from Grafana's legacy alerting (`ruleName`, `evalMatches`, \
             no `alerts`), which is not supported: send the alerts from a unified-alerting \
             contact point of type Webhook"
                .into(),
        ));
    }
    Ok(())
}

/// `version` is "1" or missing; "4" (the Alertmanager format Grafana's own
/// Alertmanager and Mimir send) is the same core and is read too.
pub(super) fn check_version(top: &Fields) -> Result<(), PayloadError> {
    match top.get("version") {
        None => Ok(()),
        Some(Value::String(v)) if v == VERSION || v == "4" => Ok(()),
        Some(Value::String(v)) => Err(PayloadError(format!(
            "unsupported Grafana webhook version {}: Warroom reads version \"1\" \
             (unified alerting)",
            quote(v)
        ))),
        Some(other) => Err(wrong("version", "the string \"1\"", other)),
    }
}

/// The notification's (deprecated, still sent) `title`.
pub(super) fn title(top: &Fields) -> Result<Option<String>, PayloadError> {
    top.non_empty("title")
}

/// Grafana's per-alert links and `values`.
pub(super) fn read_extras(f: &Fields, alert: &mut Alert) -> Result<(), PayloadError> {
    alert.silence_url = f.non_empty("silenceURL")?;
    alert.dashboard_url = f.non_empty("dashboardURL")?;
    alert.panel_url = f.non_empty("panelURL")?;
    alert.values = f.object("values")?;
    Ok(())
}
