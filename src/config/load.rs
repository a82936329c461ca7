//! Reading the settings: the file, then environment overrides, each value checked and
//! every error naming where the value came from (the file and key, or the variable).

use super::alert_rules::AlertRules;
use super::escalation::EscalationConfig;
use super::file::*;
use super::settings::*;
use super::{ConfigError, DEFAULT_ALERT_RULES_PATH, DEFAULT_CONFIG_PATH, DEFAULT_ESCALATION_PATH};
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a value came from, so an error can name it.
pub(super) struct Source<'a> {
    pub(super) file: &'a Path,
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
}

impl Source<'_> {
    /// The environment wins over the file; returns the value and where it came from.
    pub(super) fn pick(
        &self,
        env_key: &str,
        file_key: &str,
        file_value: Option<String>,
    ) -> Option<(String, String)> {
        match (self.env)(env_key).filter(|v| !v.is_empty()) {
            Some(v) => Some((v, format!("environment variable {env_key}"))),
            None => file_value.map(|v| (v, format!("{} [{file_key}]", self.file.display()))),
        }
    }
}

impl Source<'_> {
    /// A whole number of at least `min`: the environment's, else the file's, else
    /// `default`. A value that is not a number, or too small, names where it came from.
    pub(super) fn number(
        &self,
        env_key: &str,
        file_key: &str,
        file_value: Option<u64>,
        default: u64,
        min: u64,
    ) -> Result<u64, ConfigError> {
        let Some((raw, origin)) = self.pick(env_key, file_key, file_value.map(|v| v.to_string()))
        else {
            return Ok(default);
        };
        let key = file_key.rsplit('.').next().unwrap_or(file_key).to_string();
        match raw.trim().parse::<u64>() {
            Ok(n) if n >= min => Ok(n),
            Ok(_) => Err(ConfigError::Invalid {
                origin,
                key,
                problem: format!("must be at least {min}, got `{raw}`"),
            }),
            Err(_) => Err(ConfigError::Invalid {
                origin,
                key,
                problem: format!("must be a whole number, got `{raw}`"),
            }),
        }
    }
}

impl Settings {
    /// Loads from the process environment and the config file it names.
    pub fn from_env() -> Result<Self, ConfigError> {
        let env = |k: &str| std::env::var(k).ok();
        let path = env("WARROOM_CONFIG").unwrap_or_else(|| DEFAULT_CONFIG_PATH.to_string());
        Self::load(Path::new(&path), &env)
    }

    /// Loads `file` (a missing default file is fine; a missing named file is not) and
    /// applies overrides from `env`.
    pub fn load(file: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let parsed = read_file(file, env("WARROOM_CONFIG").is_some())?;
        let src = Source { file, env };
        let invalid = |origin: String, key: &str, problem: String| ConfigError::Invalid {
            origin,
            key: key.to_string(),
            problem,
        };

        let (listen_raw, origin) = src
            .pick("WARROOM_LISTEN", "server.listen", parsed.server.listen)
            .unwrap_or(("0.0.0.0:3000".into(), "default".into()));
        let listen = listen_raw.parse().map_err(|_| {
            invalid(
                origin,
                "listen",
                format!("must be host:port like 0.0.0.0:3000, got `{listen_raw}`"),
            )
        })?;

        let (database_url, origin) = src
            .pick("DATABASE_URL", "database.url", parsed.database.url)
            .unwrap_or(("sqlite://warroom.db".into(), "default".into()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(invalid(
                origin,
                "database url",
                "must start with sqlite:, postgres:// or postgresql://".into(),
            ));
        }

        let (api_url, origin) = src
            .pick("SLACK_API_URL", "slack.api_url", parsed.slack.api_url)
            .unwrap_or(("https://slack.com/api".into(), "default".into()));
        let api_url = api_url.trim_end_matches('/').to_string();
        if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
            return Err(invalid(
                origin,
                "api_url",
                format!("must be an http(s) URL, got `{api_url}`"),
            ));
        }

        let announcements_channel = match src.pick(
            "WARROOM_ANNOUNCEMENTS_CHANNEL",
            "slack.announcements_channel",
            parsed.slack.announcements_channel,
        ) {
            Some((c, _)) if c.trim().is_empty() => None,
            Some((c, origin)) => {
                let c = c.trim().to_string();
                if !is_channel_id(&c) {
                    return Err(invalid(
                        origin,
                        "announcements_channel",
                        format!("must be a channel id like C0123ABCD, got `{c}`"),
                    ));
                }
                Some(c)
            }
            None => None,
        };

        let private_channels = match src.pick(
            "WARROOM_PRIVATE_CHANNELS",
            "slack.private_channels",
            parsed.slack.private_channels.map(|b| b.to_string()),
        ) {
            Some((v, origin)) => parse_bool(&v).ok_or_else(|| {
                invalid(
                    origin,
                    "private_channels",
                    format!("must be true or false, got `{v}`"),
                )
            })?,
            None => false,
        };

        let outbox = OutboxSettings {
            poll_interval_ms: src.number(
                "WARROOM_OUTBOX_POLL_INTERVAL_MS",
                "outbox.poll_interval_ms",
                parsed.outbox.poll_interval_ms,
                500,
                10,
            )?,
            give_up_after_secs: src.number(
                "WARROOM_OUTBOX_GIVE_UP_AFTER_SECS",
                "outbox.give_up_after_secs",
                parsed.outbox.give_up_after_secs,
                86_400,
                1,
            )?,
            retry_base_ms: src.number(
                "WARROOM_OUTBOX_RETRY_BASE_MS",
                "outbox.retry_base_ms",
                parsed.outbox.retry_base_ms,
                1000,
                10,
            )?,
            retry_cap_ms: src.number(
                "WARROOM_OUTBOX_RETRY_CAP_MS",
                "outbox.retry_cap_ms",
                parsed.outbox.retry_cap_ms,
                300_000,
                10,
            )?,
            lease_secs: src.number(
                "WARROOM_OUTBOX_LEASE_SECS",
                "outbox.lease_secs",
                parsed.outbox.lease_secs,
                15,
                1,
            )?,
        };
        let history_pace_ms = src.number(
            "WARROOM_SLACK_HISTORY_PACE_MS",
            "slack.history_pace_ms",
            parsed.slack.history_pace_ms,
            1200,
            0,
        )?;
        let call_timeout_ms = src.number(
            "WARROOM_SLACK_CALL_TIMEOUT_MS",
            "slack.call_timeout_ms",
            parsed.slack.call_timeout_ms,
            15_000,
            100,
        )?;

        let retention_days = src.number(
            "WARROOM_RETENTION_DAYS",
            "database.retention_days",
            parsed.database.retention_days,
            7,
            1,
        )?;
        let paging = load_paging(&src, parsed.paging.escalation_file)?;
        let alerts = load_alerts(&src, parsed.alerts.rules_file, &paging.escalation)?;
        let postmortem = super::postmortem::load_postmortem(&src, parsed.postmortem)?;
        let metrics = super::metrics::load_metrics(&src, parsed.metrics)?;
        let dashboard = super::dashboard::load_dashboard(&src, parsed.dashboard, &api_url)?;
        let nudges = super::nudges::load_nudges(&src, parsed.nudges)?;
        let updates = super::comms::load_updates(&src, parsed.updates, &nudges)?;
        let statuspage = super::comms::load_statuspage(&src, parsed.statuspage)?;
        let drills = DrillSettings {
            page_providers: match src.pick(
                "WARROOM_DRILLS_PAGE_PROVIDERS",
                "drills.page_providers",
                parsed.drills.page_providers.map(|b| b.to_string()),
            ) {
                Some((v, origin)) => parse_bool(&v).ok_or_else(|| {
                    invalid(
                        origin,
                        "page_providers",
                        format!("must be true or false, got `{v}`"),
                    )
                })?,
                None => false,
            },
        };
        let fallback = super::fallback::load_fallback(&src, parsed.fallback)?;

        Ok(Settings {
            listen,
            database_url,
            retention_days,
            slack: SlackSettings {
                api_url,
                announcements_channel,
                private_channels,
                history_pace_ms,
                call_timeout_ms,
            },
            outbox,
            paging,
            postmortem,
            alerts: Arc::new(alerts),
            metrics,
            dashboard,
            nudges,
            updates,
            statuspage,
            drills,
            fallback,
        })
    }
}

/// The file a setting names (`env_key`, else `file_key` in the settings file), which
/// must then exist; else `default` if it exists; else none.
fn optional_file(
    src: &Source<'_>,
    env_key: &str,
    file_key: &str,
    file_value: Option<String>,
    default: &str,
) -> Option<PathBuf> {
    match src.pick(env_key, file_key, file_value) {
        Some((path, _)) => Some(PathBuf::from(path)),
        None => Some(PathBuf::from(default)).filter(|p| p.exists()),
    }
}

/// The escalation file: named by `WARROOM_ESCALATION_CONFIG` or `[paging]
/// escalation_file` (then it must exist), else `config/escalation.toml` if present.
/// Without one, nobody is paged automatically.
pub(super) fn load_paging(
    src: &Source<'_>,
    file_value: Option<String>,
) -> Result<PagingSettings, ConfigError> {
    let escalation = match optional_file(
        src,
        "WARROOM_ESCALATION_CONFIG",
        "paging.escalation_file",
        file_value,
        DEFAULT_ESCALATION_PATH,
    ) {
        Some(path) => EscalationConfig::load(&path, src.env)?,
        None => EscalationConfig::empty(),
    };
    let secret = |k: &str| {
        (src.env)(k)
            .filter(|v| !v.trim().is_empty())
            .map(SecretString::from)
    };
    Ok(PagingSettings {
        escalation: Arc::new(escalation),
        pagerduty_webhook_secret: secret("WARROOM_PAGERDUTY_WEBHOOK_SECRET"),
        opsgenie_webhook_token: secret("WARROOM_OPSGENIE_WEBHOOK_TOKEN"),
    })
}

/// The alert rules: named by `WARROOM_ALERT_RULES` or `[alerts] rules_file` (then it
/// must exist), else `config/alerts.toml` if present. Without one, no source may send
/// alerts. Read after the escalation file, whose policies the rules name.
fn load_alerts(
    src: &Source<'_>,
    file_value: Option<String>,
    escalation: &EscalationConfig,
) -> Result<AlertRules, ConfigError> {
    let path = optional_file(
        src,
        "WARROOM_ALERT_RULES",
        "alerts.rules_file",
        file_value,
        DEFAULT_ALERT_RULES_PATH,
    );
    Ok(match path {
        Some(path) => AlertRules::load(&path, src.env, escalation)?,
        None => AlertRules::empty(),
    })
}

impl SlackSecrets {
    /// Reads the Slack secrets; names every missing one at once.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let bot_token = get("SLACK_BOT_TOKEN");
        let signing_secret = get("SLACK_SIGNING_SECRET");
        let missing: Vec<&str> = [
            ("SLACK_BOT_TOKEN (xoxb-…)", bot_token.is_none()),
            ("SLACK_SIGNING_SECRET", signing_secret.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect();
        if !missing.is_empty() {
            return Err(ConfigError::MissingSecrets {
                names: missing.join(" and "),
            });
        }
        let bot_token = bot_token.unwrap_or_default();
        if !bot_token.starts_with("xoxb-") {
            return Err(ConfigError::Invalid {
                origin: "environment variable SLACK_BOT_TOKEN".into(),
                key: "SLACK_BOT_TOKEN".into(),
                problem: "must be a bot token starting with xoxb-".into(),
            });
        }
        let app_token = get("SLACK_APP_TOKEN");
        if let Some(t) = &app_token
            && !t.starts_with("xapp-")
        {
            return Err(ConfigError::Invalid {
                origin: "environment variable SLACK_APP_TOKEN".into(),
                key: "SLACK_APP_TOKEN".into(),
                problem: "must be an app-level token starting with xapp-".into(),
            });
        }
        Ok(SlackSecrets {
            bot_token: bot_token.into(),
            signing_secret: signing_secret.unwrap_or_default().into(),
            app_token: app_token.map(Into::into),
        })
    }
}

pub(super) fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

pub(super) fn is_channel_id(c: &str) -> bool {
    c.len() >= 5
        && (c.starts_with('C') || c.starts_with('G'))
        && c.chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
}
