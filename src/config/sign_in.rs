//! Warroom's side of the Sign in with Slack settings, checked at startup. The
//! dashboard's config parser reads the keys (in `[dashboard]`) and hands them here:
//!
//! - `slack_client_id`: the Slack app's client id (`2141029472.691202649728`);
//! - `slack_client_secret_env`: the name of the environment variable holding the
//!   client secret (the secret itself is never in a file);
//! - `slack_team_id`: the workspace whose members may sign in (`T…`);
//! - `public_url`: where people reach Warroom; https, or http on a loopback address
//!   only (the sign-in cookie must not travel in clear). The callback is
//!   `public_url` + [`CALLBACK_PATH`], so Warroom may sit under a path prefix.
//!
//! Sign in with Slack is off when none of the three `slack_*` keys is set; setting
//! some but not all is an error naming what is missing. Every error names the key;
//! none shows the secret.

use secrecy::SecretString;
use url::{Host, Url};

use super::ConfigError;
use super::secret_var::SecretVar;
use crate::domain::{IdKind, is_slack_id};

/// Where Slack sends the person back. The redirect URL is `public_url` + this; it
/// must be listed in the Slack app's redirect URLs.
pub const CALLBACK_PATH: &str = "/dashboard/auth/slack/callback";
/// Slack's Web API; the authorize page and the key set live beside it.
pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";

/// Everything a sign-in needs to know. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct SignInSettings {
    pub client_id: String,
    pub client_secret: SecretString,
    /// The only workspace whose members are let in (`T…`).
    pub team_id: String,
    /// The callback's absolute URL, exactly as registered with the Slack app.
    pub redirect_uri: Url,
    /// `https://slack.com/api`, or a fake's.
    pub api_url: Url,
    /// `https://slack.com/openid/connect/authorize`
    pub authorize_url: Url,
    /// `https://slack.com/openid/connect/keys`
    pub jwks_url: Url,
}

impl SignInSettings {
    /// Settings whose authorize page and key set sit beside `slack_api_url` as they
    /// do at Slack: `https://slack.com/api` gives
    /// `https://slack.com/openid/connect/{authorize,keys}`, and a fake Slack at
    /// `http://127.0.0.1:PORT/api` gives the fake's own.
    pub fn new(
        client_id: String,
        client_secret: SecretString,
        team_id: String,
        redirect_uri: Url,
        slack_api_url: &Url,
    ) -> Self {
        SignInSettings {
            client_id,
            client_secret,
            team_id,
            redirect_uri,
            api_url: slack_api_url.clone(),
            authorize_url: beside_api(slack_api_url, "openid/connect/authorize"),
            jwks_url: beside_api(slack_api_url, "openid/connect/keys"),
        }
    }
}

/// `path` at the level of the API's `/api` (or at the API URL's own level).
fn beside_api(api_url: &Url, path: &str) -> Url {
    let mut url = api_url.clone();
    let api_path = api_url.path().trim_end_matches('/');
    let prefix = api_path.strip_suffix("/api").unwrap_or(api_path);
    url.set_path(&format!("{prefix}/{path}"));
    url.set_query(None);
    url
}

/// The keys as the config file (or environment) gave them.
#[derive(Debug, Clone, Default)]
pub struct SignInKeys {
    pub slack_client_id: Option<String>,
    pub slack_client_secret_env: Option<String>,
    pub slack_team_id: Option<String>,
    pub public_url: Option<String>,
}

/// The settings for [`crate::slack::sign_in::SlackSignIn::new`], or `None` when Sign in with Slack
/// is not configured. `origin` says where the keys came from, e.g.
/// `config/default.toml [dashboard]`; `slack_api_url` is Warroom's Slack API URL
/// (`slack.api_url`, already checked); `env` reads an environment variable.
pub fn settings_from_config(
    origin: &str,
    keys: SignInKeys,
    slack_api_url: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<SignInSettings>, ConfigError> {
    let invalid = |key: &str, problem: String| ConfigError::Invalid {
        origin: origin.to_string(),
        key: key.to_string(),
        problem,
    };
    let set = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let (client_id, secret_env, team_id) = match (
        set(keys.slack_client_id),
        set(keys.slack_client_secret_env),
        set(keys.slack_team_id),
    ) {
        (None, None, None) => return Ok(None),
        (Some(id), Some(env), Some(team)) => (id, env, team),
        (id, env, team) => {
            let missing: Vec<&str> = [
                (id.is_none(), "slack_client_id"),
                (env.is_none(), "slack_client_secret_env"),
                (team.is_none(), "slack_team_id"),
            ]
            .into_iter()
            .filter_map(|(absent, key)| absent.then_some(key))
            .collect();
            return Err(invalid(
                missing[0],
                format!(
                    "is missing: Sign in with Slack needs slack_client_id, \
                     slack_client_secret_env and slack_team_id together (missing: {})",
                    missing.join(", ")
                ),
            ));
        }
    };
    if !is_client_id(&client_id) {
        return Err(invalid(
            "slack_client_id",
            format!(
                "must be the Slack app's client id, digits.digits like \
                 2141029472.691202649728, got `{client_id}`"
            ),
        ));
    }
    let client_secret = SecretVar {
        like: "WARROOM_SLACK_CLIENT_SECRET",
        set_to: "the Slack app's client secret",
        at_least: None,
    }
    .read(env, &secret_env)
    .map_err(|p| invalid("slack_client_secret_env", p))?;
    if !(team_id.starts_with('T') && is_slack_id(&team_id, IdKind::Team)) {
        return Err(invalid(
            "slack_team_id",
            format!("must be a workspace id like T0123ABCD, got `{team_id}`"),
        ));
    }
    let public_url = set(keys.public_url).ok_or_else(|| {
        invalid(
            "public_url",
            "is missing: Sign in with Slack needs the address people reach Warroom at, \
             like https://warroom.example.com"
                .into(),
        )
    })?;
    let redirect_uri = callback_url(&public_url).map_err(|p| invalid("public_url", p))?;
    let api_url = Url::parse(slack_api_url)
        .map_err(|e| invalid("slack.api_url", format!("is not a URL: {e}")))?;
    Ok(Some(SignInSettings::new(
        client_id,
        client_secret,
        team_id,
        redirect_uri,
        &api_url,
    )))
}

fn is_client_id(id: &str) -> bool {
    id.split_once('.').is_some_and(|(a, b)| {
        [a, b].iter().all(|part| {
            !part.is_empty() && part.len() <= 32 && part.bytes().all(|c| c.is_ascii_digit())
        })
    })
}

/// `public_url` + the callback path, when `public_url` is a fit base.
fn callback_url(public_url: &str) -> Result<Url, String> {
    let url = Url::parse(public_url)
        .map_err(|e| format!("must be an absolute URL like https://warroom.example.com ({e})"))?;
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(format!(
                "must be https (plain http only on a loopback address such as \
                 http://127.0.0.1:8080), got `{public_url}`"
            ));
        }
        _ => return Err(format!("must be an https URL, got `{public_url}`")),
    }
    if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "must be a plain address with a host and no user, got `{public_url}`"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "must not have a query or fragment, got `{public_url}`"
        ));
    }
    let mut callback = url.clone();
    let prefix = url.path().trim_end_matches('/');
    callback.set_path(&format!("{prefix}{CALLBACK_PATH}"));
    Ok(callback)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const ORIGIN: &str = "config/default.toml [dashboard]";
    const SECRET: &str = "e1b9e11dfcd19c1982d5de12921e17e8c";

    fn keys(public_url: &str) -> SignInKeys {
        SignInKeys {
            slack_client_id: Some("2141029472.691202649728".into()),
            slack_client_secret_env: Some("WARROOM_SLACK_CLIENT_SECRET".into()),
            slack_team_id: Some("T0TEAM0001".into()),
            public_url: Some(public_url.into()),
        }
    }

    fn env(name: &str) -> Option<String> {
        (name == "WARROOM_SLACK_CLIENT_SECRET").then(|| format!(" {SECRET}\n"))
    }

    fn load(keys: SignInKeys) -> Result<Option<SignInSettings>, ConfigError> {
        settings_from_config(ORIGIN, keys, "https://slack.com/api", &env)
    }

    #[test]
    fn complete_keys_give_slacks_endpoints_and_the_callback_under_public_url() {
        let settings = load(keys("https://ops.example.com/warroom/"))
            .unwrap()
            .unwrap();
        assert_eq!(settings.client_id, "2141029472.691202649728");
        assert_eq!(settings.client_secret.expose_secret(), SECRET);
        assert_eq!(settings.team_id, "T0TEAM0001");
        assert_eq!(
            settings.redirect_uri.as_str(),
            "https://ops.example.com/warroom/dashboard/auth/slack/callback"
        );
        assert_eq!(settings.api_url.as_str(), "https://slack.com/api");
        assert_eq!(
            settings.authorize_url.as_str(),
            "https://slack.com/openid/connect/authorize"
        );
        assert_eq!(
            settings.jwks_url.as_str(),
            "https://slack.com/openid/connect/keys"
        );
        assert!(
            !format!("{settings:?}").contains(SECRET),
            "Debug shows no secret"
        );
    }

    #[test]
    fn no_slack_keys_means_sign_in_with_slack_is_off() {
        let off = SignInKeys {
            public_url: Some("https://ops.example.com".into()),
            ..SignInKeys::default()
        };
        assert!(load(off).unwrap().is_none());
    }

    #[test]
    fn loopback_may_use_plain_http() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost:3000",
            "http://[::1]:8080",
        ] {
            let settings = load(keys(url)).unwrap().unwrap();
            assert!(
                settings.redirect_uri.as_str().ends_with(CALLBACK_PATH),
                "{url}"
            );
        }
    }

    #[test]
    fn each_bad_value_is_refused_naming_its_key_and_never_the_secret() {
        let cases: Vec<(&str, SignInKeys)> = vec![
            (
                "slack_client_id",
                SignInKeys {
                    slack_client_id: Some("abc".into()),
                    ..keys("https://a.example")
                },
            ),
            (
                "slack_client_id",
                SignInKeys {
                    slack_client_id: None,
                    ..keys("https://a.example")
                },
            ),
            (
                "slack_client_secret_env",
                SignInKeys {
                    slack_client_secret_env: Some("UNSET_VAR".into()),
                    ..keys("https://a.example")
                },
            ),
            (
                "slack_client_secret_env",
                SignInKeys {
                    slack_client_secret_env: Some("A B".into()),
                    ..keys("https://a.example")
                },
            ),
            (
                "slack_client_secret_env",
                SignInKeys {
                    slack_client_secret_env: None,
                    ..keys("https://a.example")
                },
            ),
            (
                "slack_team_id",
                SignInKeys {
                    slack_team_id: Some("E0ENTERPRISE".into()),
                    ..keys("https://a.example")
                },
            ),
            (
                "slack_team_id",
                SignInKeys {
                    slack_team_id: Some("t0lower".into()),
                    ..keys("https://a.example")
                },
            ),
            (
                "public_url",
                SignInKeys {
                    public_url: None,
                    ..keys("")
                },
            ),
            ("public_url", keys("http://ops.example.com")),
            ("public_url", keys("http://10.0.0.5:8080")),
            ("public_url", keys("ftp://ops.example.com")),
            ("public_url", keys("ops.example.com")),
            ("public_url", keys("https://user:pw@ops.example.com")),
            ("public_url", keys("https://ops.example.com/?next=1")),
        ];
        for (key, bad) in cases {
            let err = load(bad).expect_err(key).to_string();
            assert!(err.starts_with(ORIGIN), "{err}");
            assert!(err.contains(&format!("`{key}`")), "{key}: {err}");
            assert!(!err.contains(SECRET), "{err}");
        }
    }
}
