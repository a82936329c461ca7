//! `[dashboard]`: who may look at the web dashboard and what it shows. The file names
//! the variables that hold the token and the session key (never the values); a named
//! variable must be set, and long enough to resist guessing. Every error names where
//! the value came from (the file and key, or the environment variable).

use super::ConfigError;
use super::file::FileDashboard;
use super::load::{Source, parse_bool};
use super::secret_var::SecretVar;
use super::settings::{DEFAULT_SESSION_HOURS, DashboardSettings};
use secrecy::SecretString;

/// Shorter tokens could be guessed through the login form.
pub const MIN_TOKEN_CHARS: usize = 16;
/// An HMAC-SHA256 key should carry at least the hash's 256 bits.
pub const MIN_SESSION_KEY_CHARS: usize = 32;
/// A week: longer sign-ins outlive the shift that needed them.
const MAX_SESSION_HOURS: u64 = 168;

pub(super) fn load_dashboard(
    src: &Source<'_>,
    file: FileDashboard,
    slack_api_url: &str,
) -> Result<DashboardSettings, ConfigError> {
    let token_env = src.pick(
        "WARROOM_DASHBOARD_TOKEN_ENV",
        "dashboard.token_env",
        file.token_env,
    );
    let (token, token_env) = match token_env {
        Some((name, origin)) if !name.trim().is_empty() => {
            let name = name.trim().to_string();
            let token = secret(src, &name, origin, "token_env", MIN_TOKEN_CHARS, "token")?;
            (Some(token), Some(name))
        }
        _ => (None, None),
    };
    let session_key = match src.pick(
        "WARROOM_DASHBOARD_SESSION_KEY_ENV",
        "dashboard.session_key_env",
        file.session_key_env,
    ) {
        Some((name, origin)) if !name.trim().is_empty() => Some(secret(
            src,
            name.trim(),
            origin,
            "session_key_env",
            MIN_SESSION_KEY_CHARS,
            "session key",
        )?),
        _ => None,
    };
    let session_hours = src.number(
        "WARROOM_DASHBOARD_SESSION_HOURS",
        "dashboard.session_hours",
        file.session_hours,
        DEFAULT_SESSION_HOURS,
        1,
    )?;
    if session_hours > MAX_SESSION_HOURS {
        let origin = src
            .pick(
                "WARROOM_DASHBOARD_SESSION_HOURS",
                "dashboard.session_hours",
                Some(session_hours.to_string()),
            )
            .map(|(_, o)| o)
            .unwrap_or_default();
        return Err(invalid(
            origin,
            "session_hours",
            format!("must be at most {MAX_SESSION_HOURS} (a week), got {session_hours}"),
        ));
    }
    let public_url_raw = src.pick(
        "WARROOM_DASHBOARD_PUBLIC_URL",
        "dashboard.public_url",
        file.public_url,
    );
    let public_url = match public_url_raw.clone() {
        Some((raw, _)) if raw.trim().is_empty() => None,
        Some((raw, origin)) => Some(public_url(raw.trim(), origin)?),
        None => None,
    };
    let slack_sign_in = slack_sign_in(
        src,
        SlackKeys {
            client_id: file.slack_client_id,
            secret_env: file.slack_client_secret_env,
            team_id: file.slack_team_id,
        },
        public_url_raw.map(|(raw, _)| raw),
        slack_api_url,
    )?;
    let show_private = match src.pick(
        "WARROOM_DASHBOARD_SHOW_PRIVATE",
        "dashboard.show_private",
        file.show_private.map(|b| b.to_string()),
    ) {
        Some((v, origin)) => parse_bool(&v).ok_or_else(|| {
            invalid(
                origin,
                "show_private",
                format!("must be true or false, got `{v}`"),
            )
        })?,
        None => false,
    };
    Ok(DashboardSettings {
        token,
        token_env,
        session_key,
        session_hours,
        public_url,
        show_private,
        slack_sign_in,
    })
}

/// The three `slack_*` keys as the file gave them.
struct SlackKeys {
    client_id: Option<String>,
    secret_env: Option<String>,
    team_id: Option<String>,
}

/// Sign in with Slack's settings, checked by [`super::sign_in`]. Its errors name the
/// key; the origin names the file section, or the variables when one came from the
/// environment.
fn slack_sign_in(
    src: &Source<'_>,
    file: SlackKeys,
    public_url: Option<String>,
    slack_api_url: &str,
) -> Result<Option<super::sign_in::SignInSettings>, ConfigError> {
    let mut from_env = false;
    let mut pick = |env_key: &str, file_key: &str, value: Option<String>| {
        src.pick(env_key, file_key, value).map(|(v, origin)| {
            from_env |= origin.starts_with("environment");
            v
        })
    };
    let keys = super::sign_in::SignInKeys {
        slack_client_id: pick(
            "WARROOM_DASHBOARD_SLACK_CLIENT_ID",
            "dashboard.slack_client_id",
            file.client_id,
        ),
        slack_client_secret_env: pick(
            "WARROOM_DASHBOARD_SLACK_CLIENT_SECRET_ENV",
            "dashboard.slack_client_secret_env",
            file.secret_env,
        ),
        slack_team_id: pick(
            "WARROOM_DASHBOARD_SLACK_TEAM_ID",
            "dashboard.slack_team_id",
            file.team_id,
        ),
        public_url,
    };
    let origin = if from_env {
        format!(
            "{} [dashboard] (or its WARROOM_DASHBOARD_* variables)",
            src.file.display()
        )
    } else {
        format!("{} [dashboard]", src.file.display())
    };
    super::sign_in::settings_from_config(&origin, keys, slack_api_url, src.env)
}

/// The value of the variable `name` (which `key` named, from `origin`): set, and at
/// least `min` characters. The value never appears in an error.
fn secret(
    src: &Source<'_>,
    name: &str,
    origin: String,
    key: &str,
    min: usize,
    what: &str,
) -> Result<SecretString, ConfigError> {
    SecretVar {
        like: "WARROOM_DASHBOARD_TOKEN",
        set_to: &format!("the {what}"),
        at_least: Some((min, what)),
    }
    .read(src.env, name)
    .map_err(|problem| invalid(origin, key, problem))
}

/// An http(s) URL with a host and nothing after the path, e.g.
/// `https://warroom.example` or `https://ops.example/warroom`.
fn public_url(raw: &str, origin: String) -> Result<url::Url, ConfigError> {
    let bad = |why: &str| {
        invalid(
            origin.clone(),
            "public_url",
            format!("must be an http(s) URL like https://warroom.example, got `{raw}`{why}"),
        )
    };
    let url = url::Url::parse(raw).map_err(|_| bad(""))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad(""));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(bad(" (no query, fragment or user)"));
    }
    Ok(url)
}

fn invalid(origin: String, key: &str, problem: String) -> ConfigError {
    ConfigError::Invalid {
        origin,
        key: key.to_string(),
        problem,
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Settings;
    use crate::config::test_env::{assert_hides, env_of};
    use secrecy::ExposeSecret;
    use std::path::PathBuf;

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("warroom-dash-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("default.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn load(name: &str, toml: &str, env: &[(&str, &str)]) -> Result<Settings, String> {
        Settings::load(&write(name, toml), &env_of(env)).map_err(|e| e.to_string())
    }

    const TOKEN: &str = "correct-horse-battery-staple";

    #[test]
    fn without_a_dashboard_section_nothing_is_configured() {
        let s = load("none", "", &[]).unwrap();
        assert!(s.dashboard.token.is_none());
        assert!(!s.dashboard.show_private);
        assert_eq!(s.dashboard.session_hours, 12);
    }

    #[test]
    fn the_token_comes_from_the_named_variable_and_never_shows() {
        let toml = "[dashboard]\ntoken_env = \"DASH_TOKEN\"\nshow_private = true\n\
                    public_url = \"https://warroom.example\"\nsession_hours = 8\n";
        let s = load("token", toml, &[("DASH_TOKEN", TOKEN)]).unwrap();
        let d = &s.dashboard;
        assert_eq!(d.token.as_ref().unwrap().expose_secret(), TOKEN);
        assert_eq!(d.token_env.as_deref(), Some("DASH_TOKEN"));
        assert!(d.show_private);
        assert_eq!(d.session_hours, 8);
        assert_eq!(d.public_url.as_ref().unwrap().scheme(), "https");
        assert_hides(&format!("{s:?}"), &[TOKEN]);
    }

    #[test]
    fn the_environment_can_turn_the_dashboard_token_on() {
        let env = [
            ("WARROOM_DASHBOARD_TOKEN_ENV", "T"),
            ("T", TOKEN),
            ("WARROOM_DASHBOARD_SHOW_PRIVATE", "yes"),
        ];
        let s = load("envtoken", "", &env).unwrap();
        assert!(s.dashboard.token.is_some());
        assert!(s.dashboard.show_private);
    }

    #[test]
    fn bad_dashboard_settings_name_the_file_and_key_and_never_echo_a_secret() {
        let key = "k".repeat(40);
        for (name, toml, env, expected) in [
            (
                "unset",
                "[dashboard]\ntoken_env = \"DASH_TOKEN\"\n",
                &[][..],
                "[dashboard.token_env]: `token_env` names DASH_TOKEN, which is not set",
            ),
            (
                "short",
                "[dashboard]\ntoken_env = \"DASH_TOKEN\"\n",
                &[("DASH_TOKEN", "hunter2")][..],
                "too short: use at least 16 characters",
            ),
            (
                "shortkey",
                "[dashboard]\nsession_key_env = \"K\"\n",
                &[("K", "hunter2")][..],
                "[dashboard.session_key_env]: `session_key_env` names K, whose session key is too short",
            ),
            (
                "badname",
                "[dashboard]\ntoken_env = \"A B\"\n",
                &[][..],
                "`token_env` must name an environment variable",
            ),
            (
                "url",
                "[dashboard]\npublic_url = \"warroom.example\"\n",
                &[][..],
                "[dashboard.public_url]: `public_url` must be an http(s) URL",
            ),
            (
                "hours",
                "[dashboard]\nsession_hours = 1000\n",
                &[][..],
                "`session_hours` must be at most 168",
            ),
            (
                "private",
                "[dashboard]\nshow_private = \"maybe\"\n",
                &[][..],
                "show_private",
            ),
            (
                "typo",
                "[dashboard]\ntoken = \"x\"\n",
                &[][..],
                "unknown field `token`",
            ),
        ] {
            let err = load(name, toml, env).unwrap_err();
            assert!(err.contains(expected), "{name}: {err}");
            assert!(err.contains("default.toml"), "{name}: {err}");
            assert_hides(&err, &["hunter2"]);
        }
        let s = load(
            "goodkey",
            "[dashboard]\nsession_key_env = \"K\"\n",
            &[("K", &key)],
        )
        .unwrap();
        assert_eq!(s.dashboard.session_key.unwrap().expose_secret(), key);
    }

    #[test]
    fn sign_in_with_slack_is_read_from_the_dashboard_section() {
        let secret = "slack-client-secret-0123456789abcdef";
        let toml = "[dashboard]\npublic_url = \"https://warroom.example\"\n\
                    slack_client_id = \"2141029472.691202649728\"\n\
                    slack_client_secret_env = \"SLACK_SECRET\"\nslack_team_id = \"T0TEAM0001\"\n";
        let s = load("slack", toml, &[("SLACK_SECRET", secret)]).unwrap();
        let sign_in = s.dashboard.slack_sign_in.as_ref().expect("configured");
        assert_eq!(sign_in.team_id, "T0TEAM0001");
        assert_eq!(
            sign_in.redirect_uri.as_str(),
            "https://warroom.example/dashboard/auth/slack/callback"
        );
        assert_eq!(
            crate::web::Access::decide(&s.dashboard, "0.0.0.0:3000".parse().unwrap()),
            crate::web::Access::Protected,
            "Slack sign-in alone protects the dashboard"
        );
        assert_hides(&format!("{s:?}"), &[secret]);
    }

    #[test]
    fn half_a_slack_sign_in_is_refused_naming_the_file_and_the_missing_key() {
        let toml = "[dashboard]\npublic_url = \"https://warroom.example\"\n\
                    slack_client_id = \"2141029472.691202649728\"\n";
        let err = load("halfslack", toml, &[]).unwrap_err();
        assert!(err.contains("default.toml [dashboard]"), "{err}");
        assert!(err.contains("slack_client_secret_env"), "{err}");
    }
}
