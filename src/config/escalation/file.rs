//! The file's shape: what `config/escalation.toml` may contain, exactly as written.
//! Unknown keys are refused so a typo cannot silently page nobody. [`super::checks`] turns
//! this into the model.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    #[serde(default)]
    pub(super) providers: FileProviders,
    #[serde(default)]
    pub(super) teams: BTreeMap<String, FileTeam>,
    #[serde(default)]
    pub(super) policies: BTreeMap<String, FilePolicy>,
    #[serde(default)]
    pub(super) routing: FileRouting,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileProviders {
    #[serde(default)]
    pub(super) pagerduty: FilePagerDuty,
    #[serde(default)]
    pub(super) opsgenie: FileOpsgenie,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePagerDuty {
    pub(super) events_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileOpsgenie {
    pub(super) api_url: Option<String>,
    pub(super) api_key_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileTeam {
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) pocs: Vec<FilePoc>,
    pub(super) pagerduty_routing_key_env: Option<String>,
    pub(super) opsgenie_team: Option<String>,
    pub(super) webhook_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePoc {
    pub(super) slack: String,
    pub(super) name: Option<String>,
    pub(super) email: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePolicy {
    #[serde(default)]
    pub(super) levels: Vec<FileLevel>,
    #[serde(default)]
    pub(super) repeat_last: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileLevel {
    #[serde(default)]
    pub(super) targets: Vec<String>,
    pub(super) ack_timeout: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRouting {
    #[serde(default)]
    pub(super) severity: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) service: BTreeMap<String, String>,
}
