//! Settings: `config/default.toml` (or the file named by `WARROOM_CONFIG`), then
//! environment overrides. Secrets come from the environment only. A bad value fails
//! at startup with the file, the key and what was expected.

pub mod escalation;

use escalation::{EscalationConfig, EscalationConfigError};
use secrecy::SecretString;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const DEFAULT_CONFIG_PATH: &str = "config/default.toml";
pub const DEFAULT_ESCALATION_PATH: &str = "config/escalation.toml";

#[derive(Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: String,
    /// Event ids and finished outbound writes are kept this many days (well past
    /// Slack's retry horizon), then pruned.
    pub retention_days: u64,
    pub slack: SlackSettings,
    pub outbox: OutboxSettings,
    pub paging: PagingSettings,
}

/// `Debug` shows the database URL without its password: settings get logged.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("retention_days", &self.retention_days)
            .field("slack", &self.slack)
            .field("outbox", &self.outbox)
            .field("paging", &self.paging)
            .finish()
    }
}

impl Settings {
    /// One warning per outbound URL that is plain `http://` to a host other than this
    /// machine: tokens and pages would cross the network unencrypted.
    pub fn plain_http_warnings(&self) -> Vec<String> {
        let config = &self.paging.escalation;
        let mut urls = vec![
            ("slack.api_url", self.slack.api_url.clone()),
            (
                "providers.pagerduty.events_url",
                config.providers.pagerduty_events_url.clone(),
            ),
            (
                "providers.opsgenie.api_url",
                config.providers.opsgenie_api_url.clone(),
            ),
        ];
        for team in config.teams.values() {
            if let Some(hook) = &team.webhook {
                urls.push(("a team's webhook_url", hook.url.clone()));
            }
        }
        urls.into_iter()
            .filter(|(_, url)| is_plain_http_off_host(url))
            .map(|(key, url)| {
                let host = reqwest::Url::parse(&url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_default();
                format!("{key} is plain http:// to {host}: use https:// outside this machine")
            })
            .collect()
    }
}

fn is_plain_http_off_host(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    if parsed.scheme() != "http" {
        return false;
    }
    match parsed.host() {
        Some(url::Host::Domain(d)) => !d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => !ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
        None => false,
    }
}

/// A database URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Who to page, and the secrets that authenticate providers' acknowledgements.
#[derive(Debug, Clone)]
pub struct PagingSettings {
    pub escalation: Arc<EscalationConfig>,
    /// `WARROOM_PAGERDUTY_WEBHOOK_SECRET`: verifies PagerDuty's webhook signatures.
    pub pagerduty_webhook_secret: Option<SecretString>,
    /// `WARROOM_OPSGENIE_WEBHOOK_TOKEN`: the bearer token Opsgenie's webhook sends.
    pub opsgenie_webhook_token: Option<SecretString>,
}

impl PagingSettings {
    /// No paging: no teams, no provider webhooks.
    pub fn disabled() -> Self {
        Self {
            escalation: Arc::new(EscalationConfig::empty()),
            pagerduty_webhook_secret: None,
            opsgenie_webhook_token: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SlackSettings {
    pub api_url: String,
    pub announcements_channel: Option<String>,
    pub private_channels: bool,
    /// Pause between backfill reads (`conversations.history` is Tier 3: ~50 a minute).
    pub history_pace_ms: u64,
    /// How long one Web API call may take before it counts as failed (and is retried).
    pub call_timeout_ms: u64,
}

#[derive(Debug, Clone)]
pub struct OutboxSettings {
    pub poll_interval_ms: u64,
    /// Transient failures (429, 5xx, timeouts) are retried until an item is this old;
    /// a Slack outage of hours must delay posts, not drop them.
    pub give_up_after_secs: u64,
    /// First retry delay; doubles per attempt up to `retry_cap_ms`.
    pub retry_base_ms: u64,
    pub retry_cap_ms: u64,
    /// How long a claim on an item lasts unless its holder renews it (every third of
    /// it, while the work runs). A holder that died loses its items this soon.
    pub lease_secs: u64,
}

impl OutboxSettings {
    pub fn retry_base(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.retry_base_ms)
    }

    pub fn retry_cap(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.retry_cap_ms)
    }
}

/// The secrets `serve` needs. `SecretString` never prints its value.
#[derive(Debug, Clone)]
pub struct SlackSecrets {
    pub bot_token: SecretString,
    pub signing_secret: SecretString,
    pub app_token: Option<SecretString>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {file}: {source}")]
    Unreadable {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Syntax { file: PathBuf, message: String },
    #[error("{origin}: `{key}` {problem}")]
    Invalid {
        origin: String,
        key: String,
        problem: String,
    },
    #[error(transparent)]
    Escalation(#[from] EscalationConfigError),
    #[error(
        "missing {names}. Set them in the environment (see README: \"Environment\"). \
         Without Slack you can still try: warroom import ../shared/fixtures/slack-export-app-outage --channel inc-2021-03-09-app-outage"
    )]
    MissingSecrets { names: String },
}

/// The file's shape. Every key is optional so a partial file falls back to defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    server: FileServer,
    #[serde(default)]
    paging: FilePaging,
    #[serde(default)]
    database: FileDatabase,
    #[serde(default)]
    slack: FileSlack,
    #[serde(default)]
    outbox: FileOutbox,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileServer {
    listen: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePaging {
    escalation_file: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDatabase {
    url: Option<String>,
    retention_days: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSlack {
    api_url: Option<String>,
    announcements_channel: Option<String>,
    private_channels: Option<bool>,
    history_pace_ms: Option<u64>,
    call_timeout_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOutbox {
    poll_interval_ms: Option<u64>,
    give_up_after_secs: Option<u64>,
    retry_base_ms: Option<u64>,
    retry_cap_ms: Option<u64>,
    lease_secs: Option<u64>,
}

/// Where a value came from, so an error can name it.
struct Source<'a> {
    file: &'a Path,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Source<'_> {
    /// The environment wins over the file; returns the value and where it came from.
    fn pick(
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
    fn number(
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
        })
    }
}

/// The escalation file: named by `WARROOM_ESCALATION_CONFIG` or `[paging]
/// escalation_file` (then it must exist), else `config/escalation.toml` if present.
/// Without one, nobody is paged automatically.
fn load_paging(
    src: &Source<'_>,
    file_value: Option<String>,
) -> Result<PagingSettings, ConfigError> {
    let named = src.pick(
        "WARROOM_ESCALATION_CONFIG",
        "paging.escalation_file",
        file_value,
    );
    let escalation = match named {
        Some((path, _)) => EscalationConfig::load(Path::new(&path), src.env)?,
        None if Path::new(DEFAULT_ESCALATION_PATH).exists() => {
            EscalationConfig::load(Path::new(DEFAULT_ESCALATION_PATH), src.env)?
        }
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

fn read_file(file: &Path, named_explicitly: bool) -> Result<FileConfig, ConfigError> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named_explicitly => {
            return Ok(FileConfig::default());
        }
        Err(source) => {
            return Err(ConfigError::Unreadable {
                file: file.to_path_buf(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|e| ConfigError::Syntax {
        file: file.to_path_buf(),
        message: e.to_string(),
    })
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

fn is_channel_id(c: &str) -> bool {
    c.len() >= 5
        && (c.starts_with('C') || c.starts_with('G'))
        && c.chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn write_temp(name: &str, text: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("warroom-config-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("default.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_shipped_default_file_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CONFIG_PATH);
        let s = Settings::load(&path, &env_of(&[])).unwrap();
        assert_eq!(s.listen.port(), 3000);
        assert_eq!(s.database_url, "sqlite://warroom.db");
        assert_eq!(s.slack.api_url, "https://slack.com/api");
        assert_eq!(s.slack.announcements_channel, None);
    }

    #[test]
    fn environment_variables_override_the_file() {
        let path = write_temp("override", "[server]\nlisten = \"127.0.0.1:1\"\n");
        let env = env_of(&[
            ("WARROOM_LISTEN", "127.0.0.1:4000"),
            ("SLACK_API_URL", "http://127.0.0.1:9/api/"),
        ]);
        let s = Settings::load(&path, &env).unwrap();
        assert_eq!(s.listen.port(), 4000);
        assert_eq!(s.slack.api_url, "http://127.0.0.1:9/api");
    }

    #[test]
    fn a_bad_value_names_the_file_and_the_key() {
        let path = write_temp("badlisten", "[server]\nlisten = \"nowhere\"\n");
        let err = Settings::load(&path, &env_of(&[])).unwrap_err().to_string();
        assert!(
            err.contains("default.toml") && err.contains("server.listen"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_key_is_a_config_error_naming_the_file() {
        let path = write_temp("unknown", "[slack]\napi_urll = \"x\"\n");
        let err = Settings::load(&path, &env_of(&[])).unwrap_err().to_string();
        assert!(
            err.contains("default.toml") && err.contains("api_urll"),
            "{err}"
        );
    }

    #[test]
    fn every_number_in_the_file_has_an_environment_override() {
        let path = write_temp(
            "numbers",
            "[outbox]\npoll_interval_ms = 700\nretry_cap_ms = 9000\n[slack]\nhistory_pace_ms = 5\n",
        );
        let env = env_of(&[
            ("WARROOM_OUTBOX_POLL_INTERVAL_MS", "250"),
            ("WARROOM_OUTBOX_GIVE_UP_AFTER_SECS", "60"),
            ("WARROOM_OUTBOX_RETRY_BASE_MS", "20"),
            ("WARROOM_SLACK_HISTORY_PACE_MS", "0"),
        ]);
        let s = Settings::load(&path, &env).unwrap();
        assert_eq!(
            (
                s.outbox.poll_interval_ms,
                s.outbox.give_up_after_secs,
                s.outbox.retry_base_ms,
                s.outbox.retry_cap_ms,
                s.slack.history_pace_ms
            ),
            (250, 60, 20, 9000, 0),
            "the environment wins; the file fills in the rest"
        );
    }

    #[test]
    fn a_bad_number_from_the_environment_names_the_variable() {
        let env = env_of(&[("WARROOM_OUTBOX_RETRY_BASE_MS", "fast")]);
        let err = Settings::load(Path::new("/nonexistent/default.toml"), &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("WARROOM_OUTBOX_RETRY_BASE_MS") && err.contains("whole number"),
            "{err}"
        );
        let path = write_temp("smallpoll", "[outbox]\npoll_interval_ms = 1\n");
        let err = Settings::load(&path, &env_of(&[])).unwrap_err().to_string();
        assert!(
            err.contains("outbox.poll_interval_ms") && err.contains("at least 10"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_announcements_channel_from_the_environment_is_named() {
        let env = env_of(&[("WARROOM_ANNOUNCEMENTS_CHANNEL", "#general")]);
        let err = Settings::load(Path::new("/nonexistent/default.toml"), &env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("WARROOM_ANNOUNCEMENTS_CHANNEL"), "{err}");
    }

    #[test]
    fn missing_secrets_are_all_named_at_once() {
        let err = SlackSecrets::from_env(&env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("SLACK_BOT_TOKEN") && err.contains("SLACK_SIGNING_SECRET"),
            "{err}"
        );
        assert!(
            err.contains("warroom import"),
            "offers an offline command: {err}"
        );
    }

    #[test]
    fn a_user_token_in_place_of_a_bot_token_is_refused_without_echoing_it() {
        let env = env_of(&[
            ("SLACK_BOT_TOKEN", "xoxp-secret-value"),
            ("SLACK_SIGNING_SECRET", "s"),
        ]);
        let err = SlackSecrets::from_env(&env).unwrap_err().to_string();
        assert!(
            err.contains("xoxb-") && !err.contains("secret-value"),
            "{err}"
        );
    }

    #[test]
    fn the_database_password_does_not_show_in_debug_output() {
        let env = env_of(&[("DATABASE_URL", "postgres://bob:hunter2@db:5432/warroom")]);
        let s = Settings::load(Path::new("/nonexistent/default.toml"), &env).unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("postgres://bob:***@db:5432/warroom"),
            "{shown}"
        );
    }

    #[test]
    fn plain_http_is_warned_about_off_this_machine_only() {
        for (url, warned) in [
            ("http://slack.internal.example/api", true),
            ("http://10.0.0.5:8080/api", true),
            ("http://127.0.0.1:9999/api", false),
            ("http://localhost:9999/api", false),
            ("http://[::1]:9999/api", false),
            ("https://slack.com/api", false),
        ] {
            let pairs = [("SLACK_API_URL", url)];
            let env = env_of(&pairs);
            let s = Settings::load(Path::new("/nonexistent/default.toml"), &env).unwrap();
            let warnings = s.plain_http_warnings();
            assert_eq!(!warnings.is_empty(), warned, "{url}: {warnings:?}");
            if warned {
                assert!(
                    warnings[0].starts_with("slack.api_url is plain http://"),
                    "{warnings:?}"
                );
            }
        }
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let env = env_of(&[
            ("SLACK_BOT_TOKEN", "xoxb-very-secret"),
            ("SLACK_SIGNING_SECRET", "hush-hush"),
        ]);
        let secrets = SlackSecrets::from_env(&env).unwrap();
        let shown = format!("{secrets:?}");
        assert!(
            !shown.contains("very-secret") && !shown.contains("hush-hush"),
            "{shown}"
        );
        assert_eq!(secrets.bot_token.expose_secret(), "xoxb-very-secret");
    }
}
