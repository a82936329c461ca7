//! `[metrics]`: who may scrape `GET /metrics`. Open unless `token_env` names an
//! environment variable (`WARROOM_METRICS_TOKEN_ENV` overrides the file); then that
//! variable must hold the token, or Warroom refuses to start. The token's value never
//! appears in the file, in an error or in a log.

use super::ConfigError;
use super::file::FileMetrics;
use super::load::Source;
use super::settings::MetricsSettings;
use secrecy::SecretString;

pub(super) fn load_metrics(
    src: &Source<'_>,
    file: FileMetrics,
) -> Result<MetricsSettings, ConfigError> {
    let Some((name, origin)) = src.pick(
        "WARROOM_METRICS_TOKEN_ENV",
        "metrics.token_env",
        file.token_env,
    ) else {
        return Ok(MetricsSettings::default());
    };
    let invalid = |problem: String| ConfigError::Invalid {
        origin: origin.clone(),
        key: "token_env".into(),
        problem,
    };
    let name = name.trim();
    if name.is_empty() || name.contains(['=', '\0']) || name.chars().any(char::is_whitespace) {
        return Err(invalid(format!(
            "must name an environment variable like WARROOM_METRICS_TOKEN, got `{name}`"
        )));
    }
    match (src.env)(name).filter(|v| !v.trim().is_empty()) {
        Some(token) => Ok(MetricsSettings {
            token: Some(SecretString::from(token.trim().to_string())),
        }),
        None => Err(invalid(format!(
            "names {name}, which is not set: set it to the token Prometheus sends as `Authorization: Bearer <token>`, or remove token_env to scrape without one"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Settings;
    use crate::config::test_env::{assert_hides, env_of};
    use secrecy::ExposeSecret;
    use std::path::{Path, PathBuf};

    fn file(name: &str, text: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("warroom-metrics-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("default.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn without_token_env_metrics_are_open() {
        let s = Settings::load(Path::new("/nonexistent/default.toml"), &env_of(&[])).unwrap();
        assert!(s.metrics.token.is_none());
    }

    #[test]
    fn the_token_is_read_from_the_variable_the_file_names_and_never_shown() {
        let path = file("named", "[metrics]\ntoken_env = \"SCRAPE_TOKEN\"\n");
        let env = env_of(&[("SCRAPE_TOKEN", "s3cret-scrape")]);
        let s = Settings::load(&path, &env).unwrap();
        let token = s.metrics.token.as_ref().expect("a token");
        assert_eq!(token.expose_secret(), "s3cret-scrape");
        assert_hides(&format!("{s:?}"), &["s3cret-scrape"]);
    }

    #[test]
    fn the_environment_may_name_the_variable_instead_of_the_file() {
        let env = env_of(&[
            ("WARROOM_METRICS_TOKEN_ENV", "OTHER_TOKEN"),
            ("OTHER_TOKEN", "t"),
        ]);
        let s = Settings::load(Path::new("/nonexistent/default.toml"), &env).unwrap();
        assert_eq!(s.metrics.token.unwrap().expose_secret(), "t");
    }

    #[test]
    fn a_named_variable_that_is_unset_or_a_bad_name_stops_startup_naming_the_key() {
        let path = file("unset", "[metrics]\ntoken_env = \"SCRAPE_TOKEN\"\n");
        let err = Settings::load(&path, &env_of(&[])).unwrap_err().to_string();
        assert!(
            err.contains("default.toml [metrics.token_env]")
                && err.contains("SCRAPE_TOKEN, which is not set"),
            "{err}"
        );
        let path = file("badname", "[metrics]\ntoken_env = \"A B\"\n");
        let err = Settings::load(&path, &env_of(&[])).unwrap_err().to_string();
        assert!(err.contains("must name an environment variable"), "{err}");
        let path = file("typo", "[metrics]\ntoken = \"inline\"\n");
        let err = Settings::load(&path, &env_of(&[])).unwrap_err().to_string();
        assert!(err.contains("unknown field `token`"), "{err}");
    }
}
