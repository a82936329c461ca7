//! The file's shape: what `config/alerts.toml` may contain, exactly as written.
//! Unknown keys are refused so a typo cannot silently leave an alert undeclared.
//! [`super::checks`] turns this into the model.
//!
//! Whatever a check can refuse is [`Spanned`], so its problem can name the line;
//! something that may be left out is an `Option`, so a problem about a missing key
//! falls back to its parent's line.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRules {
    pub(super) flap_window: Option<Spanned<String>>,
    pub(super) triage_channel: Option<Spanned<String>>,
    pub(super) service_label: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) sources: BTreeMap<String, Spanned<FileSource>>,
    #[serde(default)]
    pub(super) severity: FileSeverity,
    #[serde(default)]
    pub(super) runbooks: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub(super) rules: Vec<Spanned<FileRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSource {
    /// The name of the variable holding the token, never the token.
    pub(super) token_env: Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSeverity {
    pub(super) label: Option<Spanned<String>>,
    pub(super) default: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) map: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRule {
    pub(super) name: Option<Spanned<String>>,
    #[serde(rename = "match")]
    pub(super) matchers: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) severity: Option<Spanned<String>>,
    pub(super) service_label: Option<Spanned<String>>,
    pub(super) title: Option<Spanned<String>>,
    pub(super) policy: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) auto_resolve: bool,
}
