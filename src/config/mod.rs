//! Settings: `config/default.toml` (or the file named by `WARROOM_CONFIG`), then
//! environment overrides. Secrets come from the environment only. A bad value fails
//! at startup with the file, the key and what was expected. [`settings`] is what is
//! loaded, [`file`] the file's shape, [`load`] how values are read and checked
//! ([`postmortem`]: the GitHub export's; [`metrics`]: the scrape token's; [`dashboard`]:
//! who may look; [`nudges`]: the update cadence and working hours; [`secret_var`]: a
//! key naming the variable that holds a secret; [`outside_api`]: what the GitHub
//! export and Statuspage settings share), [`escalation`] the
//! escalation file (teams, policies, routing, providers) and [`alert_rules`] the alert
//! rules file (sources, which alerts declare). Both refuse what they do not understand,
//! with the line and key ([`toml_errors`]).

pub mod alert_rules;
pub mod escalation;

pub const DEFAULT_CONFIG_PATH: &str = "config/default.toml";
pub const DEFAULT_ESCALATION_PATH: &str = "config/escalation.toml";
pub const DEFAULT_ALERT_RULES_PATH: &str = "config/alerts.toml";

mod comms;
mod dashboard;
mod fallback;
mod file;
mod load;
mod metrics;
mod nudges;
mod outside_api;
mod postmortem;
mod secret_var;
mod settings;
pub mod sign_in;
#[cfg(test)]
mod test_env;
mod toml_errors;

pub use fallback::{FallbackSettings, IrcFallbackSettings};
pub use nudges::{NudgeSettings, WorkingHours};
pub use settings::*;

use alert_rules::AlertRulesError;
use escalation::EscalationConfigError;
use std::path::PathBuf;

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
    #[error(transparent)]
    AlertRules(#[from] AlertRulesError),
    #[error(
        "missing {names}. Set them in the environment (see README: \"Environment\"). \
         Without Slack you can still try: warroom import examples/slack-export-app-outage --channel inc-2021-03-09-app-outage"
    )]
    MissingSecrets { names: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_env::env_of;
    use secrecy::ExposeSecret;
    use std::path::Path;

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
        assert_eq!(s.postmortem.template, "default");
        assert_eq!(s.postmortem.blameless_phrases, None);
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
    fn the_postmortem_template_and_phrases_come_from_the_file_or_the_environment() {
        let path = write_temp(
            "postmortem",
            "[postmortem]\ntemplate = \"google-sre\"\nblameless_phrases = [{ phrase = \"oops\", question = \"Why?\" }]\n",
        );
        let s = Settings::load(&path, &env_of(&[])).unwrap();
        assert_eq!(s.postmortem.template, "google-sre");
        assert!(
            s.postmortem
                .template_origin
                .ends_with("[postmortem.template]")
        );
        let phrases = s.postmortem.blameless_phrases.unwrap();
        assert_eq!(
            (phrases[0].phrase.as_str(), phrases[0].question.as_str()),
            ("oops", "Why?")
        );
        let env = env_of(&[("WARROOM_POSTMORTEM_TEMPLATE", "pagerduty")]);
        let s = Settings::load(&path, &env).unwrap();
        assert_eq!(s.postmortem.template, "pagerduty");
        assert_eq!(
            s.postmortem.template_origin,
            "environment variable WARROOM_POSTMORTEM_TEMPLATE"
        );
    }

    #[test]
    fn a_phrase_with_a_wrong_key_names_the_file() {
        let path = write_temp(
            "badphrase",
            "[postmortem]\nblameless_phrases = [{ pattern = \"oops\", question = \"Why?\" }]\n",
        );
        let err = Settings::load(&path, &env_of(&[])).unwrap_err().to_string();
        assert!(
            err.contains("default.toml") && err.contains("unknown field `pattern`"),
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
    fn the_alert_rules_file_named_by_the_environment_is_loaded_with_its_tokens() {
        let rules = write_temp(
            "alertrules",
            "[sources.grafana]\ntoken_env = \"WARROOM_GRAFANA_TOKEN\"\n\
             [[rules]]\nname = \"all\"\npolicy = \"app-down\"\n",
        );
        let rules = rules.to_str().unwrap();
        let pairs = [
            ("WARROOM_ALERT_RULES", rules),
            ("WARROOM_GRAFANA_TOKEN", "grafana-secret"),
        ];
        let env = env_of(&pairs);
        let s = Settings::load(Path::new("/nonexistent/default.toml"), &env).unwrap();
        let grafana = s
            .alerts
            .auth(crate::domain::alert::Source::Grafana)
            .unwrap();
        assert_eq!(grafana.token.expose_secret(), "grafana-secret");
        assert_eq!(s.alerts.rules[0].policy.as_deref(), Some("app-down"));
    }

    #[test]
    fn without_a_named_alert_rules_file_the_shipped_one_is_read() {
        let s = Settings::load(Path::new("/nonexistent/default.toml"), &env_of(&[])).unwrap();
        assert!(!s.alerts.rules.is_empty(), "config/alerts.toml has rules");
        assert!(s.alerts.sources.is_empty());
    }

    #[test]
    fn a_named_alert_rules_file_must_exist_and_be_valid() {
        let path = write_temp(
            "missingrules",
            "[alerts]\nrules_file = \"/nonexistent/alerts.toml\"\n",
        );
        let err = Settings::load(&path, &env_of(&[])).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/alerts.toml"), "{err}");

        let rules = write_temp("badrules", "[[rules]]\nname = \"x\"\npolicy = \"nope\"\n");
        let pairs = [("WARROOM_ALERT_RULES", rules.to_str().unwrap())];
        let env = env_of(&pairs);
        let err = Settings::load(Path::new("/nonexistent/default.toml"), &env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 3: `rules[0].policy` names policy `nope`"),
            "{err}"
        );
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
