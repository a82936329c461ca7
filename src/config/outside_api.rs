//! What the settings of an optional outside API (the GitHub export, Statuspage) share:
//! two keys that turn it on together, and its base URL. Errors name the file and key,
//! or the environment variable, as everywhere in the config.

use super::ConfigError;
use super::load::Source;

/// A value and where it came from, as [`Source::pick`] gives it.
type Picked = (String, String);

/// One of the two keys that turn an outside API on.
pub(super) struct OnKey<'a> {
    /// The key as errors name it.
    pub key: &'a str,
    pub value: Option<Picked>,
    /// The problem when it is set without the other key.
    pub alone: &'a str,
}

/// Both values (each with where it came from), or `None` when neither key is set;
/// one without the other is refused, naming the one that is set.
pub(super) fn both_or_neither(
    first: OnKey<'_>,
    second: OnKey<'_>,
) -> Result<Option<(Picked, Picked)>, ConfigError> {
    let alone = |on: OnKey<'_>, origin: String| ConfigError::Invalid {
        origin,
        key: on.key.to_string(),
        problem: on.alone.to_string(),
    };
    match (first.value.clone(), second.value.clone()) {
        (None, None) => Ok(None),
        (Some((_, origin)), None) => Err(alone(first, origin)),
        (None, Some((_, origin))) => Err(alone(second, origin)),
        (Some(a), Some(b)) => Ok(Some((a, b))),
    }
}

impl Source<'_> {
    /// An API's base URL: the environment's (`env_key`), else the file's (`file_key`),
    /// else `default`; an http(s) URL, kept without a trailing `/`. Errors name it
    /// `key`.
    pub(super) fn api_url(
        &self,
        (env_key, file_key, key): (&str, &str, &str),
        file_value: Option<String>,
        default: &str,
    ) -> Result<String, ConfigError> {
        let Some((url, origin)) = self.pick(env_key, file_key, file_value) else {
            return Ok(default.to_string());
        };
        let url = url.trim().trim_end_matches('/').to_string();
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || reqwest::Url::parse(&url).is_err()
        {
            return Err(ConfigError::Invalid {
                origin,
                key: key.to_string(),
                problem: format!("must be an http(s) URL like {default}, got `{url}`"),
            });
        }
        Ok(url)
    }
}
