//! `[postmortem]`: how the draft is written (its template and the blameless review's
//! phrases, checked where they are used, at startup) and the optional export of
//! action items as GitHub issues. The export is on when `github_repo` and
//! `github_token_env` are set; the token is read from the variable `github_token_env`
//! names, which must be set. Every error names where the value came from (the file
//! and key, or the environment variable).

use super::ConfigError;
use super::file::FilePostmortem;
use super::load::Source;
use super::outside_api::{OnKey, both_or_neither};
use super::secret_var::SecretVar;
use super::settings::{GithubExportSettings, PostmortemSettings};
use crate::domain::{IdKind, is_slack_id};
use std::collections::BTreeMap;

pub const DEFAULT_GITHUB_API_URL: &str = "https://api.github.com";

pub(super) fn load_postmortem(
    src: &Source<'_>,
    mut file: FilePostmortem,
) -> Result<PostmortemSettings, ConfigError> {
    // The template by name or path (`WARROOM_POSTMORTEM_TEMPLATE` wins over the file)
    // and the phrase list, each with where it came from.
    let defaults = PostmortemSettings::default();
    let (template, template_origin) = src
        .pick(
            "WARROOM_POSTMORTEM_TEMPLATE",
            "postmortem.template",
            file.template.take().filter(|t| !t.trim().is_empty()),
        )
        .unwrap_or((defaults.template, defaults.template_origin));
    let blameless_phrases = file.blameless_phrases.take();
    let phrases_origin = match &blameless_phrases {
        Some(_) => format!("{} [postmortem.blameless_phrases]", src.file.display()),
        None => defaults.phrases_origin,
    };
    Ok(PostmortemSettings {
        template: template.trim().to_string(),
        template_origin,
        blameless_phrases,
        phrases_origin,
        github: load_github(src, file)?,
    })
}

fn load_github(
    src: &Source<'_>,
    file: FilePostmortem,
) -> Result<Option<GithubExportSettings>, ConfigError> {
    let users_origin = format!("{} [postmortem.github_users]", src.file.display());
    let on = both_or_neither(
        OnKey {
            key: "github_repo",
            value: src.pick(
                "WARROOM_GITHUB_REPO",
                "postmortem.github_repo",
                file.github_repo,
            ),
            alone: "needs github_token_env: the name of the environment variable holding a token that may open issues",
        },
        OnKey {
            key: "github_token_env",
            value: src.pick(
                "WARROOM_GITHUB_TOKEN_ENV",
                "postmortem.github_token_env",
                file.github_token_env,
            ),
            alone: "needs github_repo (owner/name) to say where issues go",
        },
    )?;
    let Some((repo, token_env)) = on else {
        if file.github_users.is_some_and(|u| !u.is_empty()) {
            return Err(invalid(
                users_origin,
                "github_users",
                "is set, but the export is off: set github_repo and github_token_env too",
            ));
        }
        return Ok(None);
    };
    let (repo, origin) = (repo.0.trim().to_string(), repo.1);
    if !is_repo(&repo) {
        return Err(invalid(
            origin,
            "github_repo",
            &format!("must be owner/name like acme/ops, got `{repo}`"),
        ));
    }
    let token = SecretVar {
        like: "GITHUB_TOKEN",
        set_to: &format!("a token that may open issues in {repo}"),
        at_least: None,
    }
    .read(src.env, &token_env.0)
    .map_err(|problem| invalid(token_env.1, "github_token_env", &problem))?;
    let api_url = src.api_url(
        (
            "WARROOM_GITHUB_API_URL",
            "postmortem.github_api_url",
            "github_api_url",
        ),
        file.github_api_url,
        DEFAULT_GITHUB_API_URL,
    )?;
    let users = read_users(file.github_users.unwrap_or_default(), &users_origin)?;
    Ok(Some(GithubExportSettings {
        repo,
        api_url,
        token,
        users,
    }))
}

/// Slack user id → GitHub login, each checked.
fn read_users(
    users: BTreeMap<String, String>,
    origin: &str,
) -> Result<BTreeMap<String, String>, ConfigError> {
    for (slack, login) in &users {
        if !is_slack_id(slack, IdKind::User) {
            return Err(invalid(
                origin.to_string(),
                &format!("github_users.{slack}"),
                "must be keyed by a Slack user id like U02BSPARRO",
            ));
        }
        if !is_login(login) {
            return Err(invalid(
                origin.to_string(),
                &format!("github_users.{slack}"),
                &format!("must be a GitHub login like octocat, got `{login}`"),
            ));
        }
    }
    Ok(users)
}

fn invalid(origin: String, key: &str, problem: &str) -> ConfigError {
    ConfigError::Invalid {
        origin,
        key: key.to_string(),
        problem: problem.to_string(),
    }
}

/// `owner/name`: GitHub's characters for each part.
fn is_repo(repo: &str) -> bool {
    let Some((owner, name)) = repo.split_once('/') else {
        return false;
    };
    is_login(owner)
        && (1..=100).contains(&name.len())
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A GitHub login: letters, digits and single hyphens inside, at most 39.
fn is_login(login: &str) -> bool {
    (1..=39).contains(&login.len())
        && !login.starts_with('-')
        && !login.ends_with('-')
        && !login.contains("--")
        && login.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("warroom-pm-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("default.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn load(name: &str, toml: &str, env: &[(&str, &str)]) -> Result<Settings, String> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::load(&write(name, toml), &move |k| env.get(k).cloned()).map_err(|e| e.to_string())
    }

    const ON: &str =
        "[postmortem]\ngithub_repo = \"acme/ops\"\ngithub_token_env = \"OPS_GITHUB_TOKEN\"\n";

    #[test]
    fn without_a_repository_the_export_is_off() {
        let s = load("off", "", &[]).unwrap();
        assert!(s.postmortem.github.is_none());
    }

    #[test]
    fn the_token_comes_from_the_named_variable_and_never_shows() {
        let toml = format!("{ON}github_users = {{ U02BSPARRO = \"octocat\" }}\n");
        let s = load("on", &toml, &[("OPS_GITHUB_TOKEN", "ghp_secret123")]).unwrap();
        let github = s.postmortem.github.as_ref().unwrap();
        assert_eq!(github.repo, "acme/ops");
        assert_eq!(github.api_url, DEFAULT_GITHUB_API_URL);
        assert_eq!(github.token.expose_secret(), "ghp_secret123");
        assert_eq!(github.users["U02BSPARRO"], "octocat");
        assert!(!format!("{s:?}").contains("ghp_secret123"));
    }

    #[test]
    fn a_missing_token_variable_is_a_startup_error_naming_the_file_and_key() {
        let err = load("notoken", ON, &[]).unwrap_err();
        assert!(
            err.contains("default.toml [postmortem.github_token_env]")
                && err.contains("OPS_GITHUB_TOKEN, which is not set"),
            "{err}"
        );
    }

    #[test]
    fn bad_export_settings_are_refused_naming_where_they_came_from() {
        let token = [("OPS_GITHUB_TOKEN", "t")];
        for (name, toml, env, expected) in [
            (
                "norepo",
                "[postmortem]\ngithub_token_env = \"T\"\n",
                &[][..],
                "postmortem.github_token_env]: `github_token_env` needs github_repo",
            ),
            (
                "noenv",
                "[postmortem]\ngithub_repo = \"acme/ops\"\n",
                &[][..],
                "postmortem.github_repo]: `github_repo` needs github_token_env",
            ),
            (
                "badrepo",
                &ON.replace("acme/ops", "acme"),
                &token[..],
                "`github_repo` must be owner/name",
            ),
            (
                "badurl",
                &format!("{ON}github_api_url = \"ftp://x\"\n"),
                &token[..],
                "`github_api_url` must be an http(s) URL",
            ),
            (
                "baduser",
                &format!("{ON}github_users = {{ bob = \"octocat\" }}\n"),
                &token[..],
                "`github_users.bob` must be keyed by a Slack user id",
            ),
            (
                "badlogin",
                &format!("{ON}github_users = {{ U1ABC = \"-x\" }}\n"),
                &token[..],
                "`github_users.U1ABC` must be a GitHub login",
            ),
            (
                "usersonly",
                "[postmortem]\ngithub_users = { U1ABC = \"octocat\" }\n",
                &[][..],
                "`github_users` is set, but the export is off",
            ),
            (
                "typo",
                "[postmortem]\ngithub_rep = \"acme/ops\"\n",
                &[][..],
                "github_rep",
            ),
        ] {
            let err = load(name, toml, env).unwrap_err();
            assert!(err.contains(expected), "{name}: {err}");
            assert!(err.contains("default.toml"), "{name}: {err}");
        }
    }

    #[test]
    fn the_environment_can_turn_the_export_on_and_point_it_elsewhere() {
        let env = [
            ("WARROOM_GITHUB_REPO", "acme/infra"),
            ("WARROOM_GITHUB_TOKEN_ENV", "GH"),
            ("GH", "t"),
            ("WARROOM_GITHUB_API_URL", "https://ghe.example/api/v3/"),
        ];
        let s = load("env", "", &env).unwrap();
        let github = s.postmortem.github.unwrap();
        assert_eq!(github.repo, "acme/infra");
        assert_eq!(github.api_url, "https://ghe.example/api/v3");
        let err = Settings::load(Path::new("/nonexistent/default.toml"), &|k| {
            (k == "WARROOM_GITHUB_REPO").then(|| "nope".to_string())
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("environment variable WARROOM_GITHUB_REPO"),
            "{err}"
        );
    }
}
