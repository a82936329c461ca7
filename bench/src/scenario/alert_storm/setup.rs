//! What `scenario alert-storm` stands on: the app with paging and alert rules on, a
//! fake Slack holding it to Slack's limits, a fake PagerDuty, and the webhook bodies
//! Alertmanager would send.

use super::super::env::{AppOptions, Backend, InProcessApp, TempDb};
use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::Duration;
use warroom_fakes::alerts::{AlertGroup, FakeAlert};
use warroom_fakes::{FakePagerDuty, FakeSlack, pagerduty::TEST_ROUTING_KEY};

/// The one point of contact paged (Slack DM), of the one team.
pub const POC: &str = "U06SREONCL";
/// The team's id in the escalation file (part of PagerDuty dedup keys).
pub const TEAM: &str = "sre";
/// The Alertmanager source's token, sent as `Authorization: Bearer`.
pub const AM_TOKEN: &str = "bench-alertmanager-token-5d1e9a";
const AM_TOKEN_ENV: &str = "BENCH_AM_TOKEN";
const PD_KEY_ENV: &str = "BENCH_PD_ROUTING_KEY";
/// The alert name every bench alert carries, and its runbook.
pub const ALERT_NAME: &str = "ShopDown";
const RUNBOOK: &str = "https://runbooks.example/shop-down";

/// What the fake Slack holds the app to in this scenario, for the report.
pub const SLACK_LIMITS: &str = "Slack's per-method tiers over a sliding minute (Tier 2: \
     conversations.create, conversations.setTopic, pins.add 20/min; Tier 3: conversations.open, \
     conversations.invite, chat.update 50/min) and chat.postMessage 1 per channel per second; \
     429 with Retry-After beyond";

/// One team with a PagerDuty routing key and a Slack point of contact; SEV1s page
/// it. Like the paging tests' escalation file, with the fake PagerDuty's URL.
pub fn escalation_toml(pagerduty_url: &str) -> String {
    format!(
        r#"
[providers.pagerduty]
events_url = "{pagerduty_url}"

[teams.{TEAM}]
name = "SRE on call"
pocs = [{{ slack = "{POC}" }}]
pagerduty_routing_key_env = "{PD_KEY_ENV}"

[policies.page-sre]
[[policies.page-sre.levels]]
targets = ["team:{TEAM}"]
ack_timeout = "5m"

[routing.severity]
sev1 = "page-sre"
"#
    )
}

/// Alertmanager may send; a `severity="critical"` alert declares a SEV1, routed by
/// severity to the escalation file's SEV1 policy; `ShopDown` has a runbook.
pub fn alert_rules_toml() -> String {
    format!(
        r#"
[sources.alertmanager]
token_env = "{AM_TOKEN_ENV}"

[runbooks]
{ALERT_NAME} = "{RUNBOOK}"

[[rules]]
name = "critical"
match = ['severity = "critical"']
severity = "sev1"
"#
    )
}

/// The app, its database and its fakes, for one phase.
pub struct AlertEnv {
    pub app: InProcessApp,
    pub pagerduty: FakePagerDuty,
    db: TempDb,
}

impl AlertEnv {
    /// A fresh database and fakes, the app started with paging and alert rules on,
    /// and the fake Slack enforcing [`SLACK_LIMITS`].
    pub async fn start(backend: Backend) -> anyhow::Result<AlertEnv> {
        let db = TempDb::create(backend).await?;
        let pagerduty = FakePagerDuty::start().await;
        let slack = FakeSlack::start().await;
        slack.add_user(POC, "oncall", "On-call SRE", "SRE");
        // Slack's per-method tiers (`slack_tiers` below) leave chat.postMessage's
        // per-channel limit out: it is set here.
        slack.limit_posts_per_channel_per_sec(Some(1.0));
        let options = AppOptions {
            escalation_toml: Some(escalation_toml(&pagerduty.url())),
            alert_rules_toml: Some(alert_rules_toml()),
            env: vec![
                (PD_KEY_ENV.into(), TEST_ROUTING_KEY.into()),
                (AM_TOKEN_ENV.into(), AM_TOKEN.into()),
            ],
            slack_tiers: true,
        };
        let app = InProcessApp::start_with(&db, slack, &options).await?;
        Ok(AlertEnv { app, pagerduty, db })
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        self.app.stop().await?;
        drop(self.db);
        Ok(())
    }
}

/// Posts webhook bodies to `/alerts/alertmanager` with the source's token.
pub struct AlertClient {
    http: reqwest::Client,
    url: String,
}

impl AlertClient {
    pub fn new(app_url: &str) -> anyhow::Result<AlertClient> {
        crate::install_crypto_provider();
        // Several connections stay open: the storm sends while answers are pending.
        let http = reqwest::Client::builder()
            .http1_only()
            .pool_max_idle_per_host(64)
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(AlertClient {
            http,
            url: format!("{}/alerts/alertmanager", app_url.trim_end_matches('/')),
        })
    }

    /// Sends one notification; the HTTP status and the answer (JSON, or `Null`).
    pub async fn send(&self, body: &[u8]) -> anyhow::Result<(u16, Value)> {
        let res = self
            .http
            .post(&self.url)
            .header("authorization", format!("Bearer {AM_TOKEN}"))
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .with_context(|| format!("POST {}", self.url))?;
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }
}

/// An Alertmanager v4 notification for group `group` carrying its first `alerts`
/// alerts (all firing, critical), as Alertmanager writes it (the fakes' builder).
pub fn alertmanager_body(group: &str, alerts: usize, starts_at: DateTime<Utc>) -> Vec<u8> {
    let mut body = AlertGroup::new(&format!(
        r#"{{}}/{{severity="critical"}}:{{group="{group}"}}"#
    ))
    .group_label("group", group);
    for i in 0..alerts.max(1) {
        body = body.alert(
            FakeAlert::new(ALERT_NAME)
                .label("severity", "critical")
                .label("team", "shop")
                .label("service", "checkout")
                .label("group", group)
                .label("instance", &format!("web-{i}"))
                .summary(&format!("Checkout down ({group})"))
                .annotation(
                    "description",
                    &format!("web-{i} answers 5xx to every checkout"),
                )
                .starts_at(starts_at),
        );
    }
    body.alertmanager_body()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(body: Vec<u8>) -> Value {
        serde_json::from_slice(&body).expect("JSON")
    }

    #[test]
    fn a_body_carries_the_groups_first_alerts_with_stable_distinct_fingerprints() {
        let now = Utc::now();
        let a = parsed(alertmanager_body("g1", 3, now));
        let b = parsed(alertmanager_body("g1", 3, now));
        let fps: Vec<&str> = a["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["fingerprint"].as_str().unwrap())
            .collect();
        assert_eq!(fps.len(), 3);
        assert!(fps[0] != fps[1] && fps[1] != fps[2] && fps[0] != fps[2]);
        assert_eq!(a, b, "a re-send is the same body");
        assert_eq!(a["version"], "4");
        assert_eq!(a["alerts"][0]["labels"]["severity"], "critical");
        assert_ne!(
            parsed(alertmanager_body("g2", 1, now))["alerts"][0]["fingerprint"],
            a["alerts"][0]["fingerprint"]
        );
    }

    #[test]
    fn the_rules_name_the_token_variable_and_never_the_token() {
        let rules = alert_rules_toml();
        assert!(rules.contains(AM_TOKEN_ENV));
        assert!(!rules.contains(AM_TOKEN));
        assert!(escalation_toml("http://127.0.0.1:9").contains("http://127.0.0.1:9"));
    }
}
