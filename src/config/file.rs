//! The shape of `config/default.toml`. Every key is optional, so a partial file falls
//! back to defaults; an unknown key is refused.

use super::ConfigError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The file's shape. Every key is optional so a partial file falls back to defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    #[serde(default)]
    pub(super) server: FileServer,
    #[serde(default)]
    pub(super) paging: FilePaging,
    #[serde(default)]
    pub(super) database: FileDatabase,
    #[serde(default)]
    pub(super) slack: FileSlack,
    #[serde(default)]
    pub(super) outbox: FileOutbox,
    #[serde(default)]
    pub(super) postmortem: FilePostmortem,
    #[serde(default)]
    pub(super) alerts: FileAlerts,
    #[serde(default)]
    pub(super) metrics: FileMetrics,
    #[serde(default)]
    pub(super) dashboard: FileDashboard,
    #[serde(default)]
    pub(super) nudges: FileNudges,
    #[serde(default)]
    pub(super) updates: FileUpdates,
    #[serde(default)]
    pub(super) statuspage: FileStatuspage,
    #[serde(default)]
    pub(super) drills: FileDrills,
    #[serde(default)]
    pub(super) fallback: FileFallback,
}

/// `[fallback]`: where a war room goes when Slack is down.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileFallback {
    /// How long Slack's Web API must fail before a fallback opens by itself ("3m").
    pub(super) after: Option<String>,
    /// How often Slack is probed (`auth.test`) while an incident is open and no
    /// other call has told whether it answers ("30s").
    #[serde(default)]
    pub(super) probe_every: Option<String>,
    pub(super) irc: Option<FileFallbackIrc>,
}

/// `[fallback.irc]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileFallbackIrc {
    pub(super) server: Option<String>,
    pub(super) tls: Option<bool>,
    pub(super) nick: Option<String>,
    /// The name of the variable holding the server password, never the password.
    pub(super) password_env: Option<String>,
    pub(super) channel_prefix: Option<String>,
    /// Slack user id → IRC nick.
    pub(super) nicks: Option<BTreeMap<String, String>>,
    pub(super) trusted_only: Option<bool>,
    /// A CA certificate (DER) trusted besides the system's: an internal server's CA.
    #[serde(default)]
    pub(super) ca_file: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileNudges {
    pub(super) enabled: Option<bool>,
    pub(super) cadence: Option<FileCadence>,
    pub(super) no_commander_after: Option<String>,
    pub(super) quiet_after: Option<String>,
    pub(super) unclosed_after: Option<String>,
    pub(super) timezone: Option<String>,
    pub(super) working_hours: Option<String>,
    pub(super) working_days: Option<String>,
}

/// `[nudges.cadence]`: a duration per severity.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileCadence {
    pub(super) sev1: Option<String>,
    pub(super) sev2: Option<String>,
    pub(super) sev3: Option<String>,
    pub(super) sev4: Option<String>,
}

impl FileCadence {
    /// SEV1 first.
    pub(super) fn by_level(self) -> [Option<String>; 4] {
        [self.sev1, self.sev2, self.sev3, self.sev4]
    }
}

/// `[updates]`: where stakeholder updates go besides the war room and the
/// announcements channel.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileUpdates {
    /// `sev1 = ["C0LEADERSHIP"]`: channel ids per severity.
    pub(super) severity_channels: Option<BTreeMap<String, Vec<String>>>,
    /// `checkout = ["C0PAYMENTS"]`: channel ids per service.
    pub(super) service_channels: Option<BTreeMap<String, Vec<String>>>,
}

/// `[statuspage]`: Atlassian Statuspage, optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileStatuspage {
    pub(super) page_id: Option<String>,
    /// The name of the variable holding the API key, never the key.
    pub(super) api_key_env: Option<String>,
    pub(super) api_url: Option<String>,
    /// Service → Statuspage component ids.
    pub(super) components: Option<BTreeMap<String, Vec<String>>>,
}

/// `[drills]`: whether a drill's pages go to the providers too.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDrills {
    pub(super) page_providers: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileServer {
    pub(super) listen: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePaging {
    pub(super) escalation_file: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAlerts {
    pub(super) rules_file: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileMetrics {
    /// The name of the variable holding the scrape token, never the token.
    pub(super) token_env: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDatabase {
    pub(super) url: Option<String>,
    pub(super) retention_days: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSlack {
    pub(super) api_url: Option<String>,
    pub(super) announcements_channel: Option<String>,
    pub(super) private_channels: Option<bool>,
    pub(super) history_pace_ms: Option<u64>,
    pub(super) call_timeout_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileOutbox {
    pub(super) poll_interval_ms: Option<u64>,
    pub(super) give_up_after_secs: Option<u64>,
    pub(super) retry_base_ms: Option<u64>,
    pub(super) retry_cap_ms: Option<u64>,
    pub(super) lease_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePostmortem {
    pub(super) template: Option<String>,
    pub(super) blameless_phrases: Option<Vec<super::PhraseSetting>>,
    pub(super) github_repo: Option<String>,
    /// The name of the variable holding the token, never the token.
    pub(super) github_token_env: Option<String>,
    pub(super) github_api_url: Option<String>,
    /// Slack user id → GitHub login.
    pub(super) github_users: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDashboard {
    /// The name of the variable holding the dashboard's token, never the token.
    pub(super) token_env: Option<String>,
    /// The name of the variable holding the key that signs session cookies.
    pub(super) session_key_env: Option<String>,
    pub(super) session_hours: Option<u64>,
    pub(super) public_url: Option<String>,
    pub(super) show_private: Option<bool>,
    /// Sign in with Slack: the app's client id, the variable holding its client
    /// secret, and the one workspace let in.
    pub(super) slack_client_id: Option<String>,
    pub(super) slack_client_secret_env: Option<String>,
    pub(super) slack_team_id: Option<String>,
}

pub(super) fn read_file(file: &Path, named_explicitly: bool) -> Result<FileConfig, ConfigError> {
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
