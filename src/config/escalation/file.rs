//! The file's shape: what `config/escalation.toml` may contain, exactly as written.
//! Unknown keys are refused so a typo cannot silently page nobody. [`super::checks`] turns
//! this into the model.
//!
//! Whatever a check can refuse is [`Spanned`], so its problem can name the line: a value's
//! span starts on its key's line, and a table's on its header (or its key, if inline or
//! dotted). Something that may be left out is an `Option`, so a problem about a missing
//! key falls back to its parent's line.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    #[serde(default)]
    pub(super) providers: FileProviders,
    #[serde(default)]
    pub(super) teams: BTreeMap<String, Spanned<FileTeam>>,
    #[serde(default)]
    pub(super) policies: BTreeMap<String, Spanned<FilePolicy>>,
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
    pub(super) events_url: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileOpsgenie {
    pub(super) api_url: Option<Spanned<String>>,
    pub(super) api_key_env: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileTeam {
    pub(super) name: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) pocs: Vec<FilePoc>,
    pub(super) pagerduty_routing_key_env: Option<Spanned<String>>,
    pub(super) opsgenie_team: Option<Spanned<String>>,
    pub(super) webhook_url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePoc {
    pub(super) slack: Spanned<String>,
    pub(super) name: Option<String>,
    pub(super) email: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePolicy {
    pub(super) levels: Option<Spanned<Vec<Spanned<FileLevel>>>>,
    #[serde(default)]
    pub(super) repeat_last: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileLevel {
    pub(super) targets: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) ack_timeout: Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRouting {
    #[serde(default)]
    pub(super) severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub(super) service: BTreeMap<String, Spanned<String>>,
}
