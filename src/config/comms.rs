//! Keeping people informed: `[updates]` (the channels a stakeholder update goes to
//! besides the war room and the announcements channel), `[nudges.cadence]` (how often
//! an update is due, per severity) and `[statuspage]` (Atlassian Statuspage, optional:
//! on when `page_id` and `api_key_env` are set; the key is read from the variable
//! `api_key_env` names, which must be set). Every error names the file and key, or
//! the environment variable.

use super::ConfigError;
use super::file::{FileStatuspage, FileUpdates};
use super::load::{Source, is_channel_id};
use super::settings::{StatuspageSettings, UpdateSettings};
use crate::domain::{Cadence, Severity};
use secrecy::SecretString;
use std::collections::BTreeMap;

pub const DEFAULT_STATUSPAGE_API_URL: &str = "https://api.statuspage.io";

/// `[updates]`, with the cadence `[nudges]` read (one cadence: the one the nudges
/// keep and the one each update announces as "next update due").
pub(super) fn load_updates(
    src: &Source<'_>,
    updates: FileUpdates,
    nudges: &super::nudges::NudgeSettings,
) -> Result<UpdateSettings, ConfigError> {
    let origin = |table: &str| format!("{} [{table}]", src.file.display());
    let spans = nudges.cadence.map(Some);
    let mut severity_channels = BTreeMap::new();
    for (key, channels) in updates.severity_channels.unwrap_or_default() {
        let level = level_of(&key).ok_or_else(|| {
            invalid(
                origin("updates.severity_channels"),
                &format!("updates.severity_channels.{key}"),
                "must be keyed sev1, sev2, sev3 or sev4",
            )
        })?;
        let key = format!("updates.severity_channels.{key}");
        check_channels(&channels, origin("updates.severity_channels"), &key)?;
        severity_channels.insert(level, channels);
    }
    let mut service_channels = BTreeMap::new();
    for (service, channels) in updates.service_channels.unwrap_or_default() {
        let key = format!("updates.service_channels.{service}");
        check_service(&service, origin("updates.service_channels"), &key)?;
        check_channels(&channels, origin("updates.service_channels"), &key)?;
        service_channels.insert(service, channels);
    }
    Ok(UpdateSettings {
        cadence: Cadence::new(spans),
        severity_channels,
        service_channels,
    })
}

pub(super) fn load_statuspage(
    src: &Source<'_>,
    file: FileStatuspage,
) -> Result<Option<StatuspageSettings>, ConfigError> {
    let page_id = src.pick(
        "WARROOM_STATUSPAGE_PAGE_ID",
        "statuspage.page_id",
        file.page_id,
    );
    let key_env = src.pick(
        "WARROOM_STATUSPAGE_API_KEY_ENV",
        "statuspage.api_key_env",
        file.api_key_env,
    );
    let components_origin = format!("{} [statuspage.components]", src.file.display());
    let (page_id, key_env) = match (page_id, key_env) {
        (None, None) => {
            if file.components.is_some_and(|c| !c.is_empty()) {
                return Err(invalid(
                    components_origin,
                    "statuspage.components",
                    "is set, but Statuspage is off: set page_id and api_key_env too",
                ));
            }
            return Ok(None);
        }
        (Some((_, origin)), None) => {
            return Err(invalid(
                origin,
                "statuspage.page_id",
                "needs api_key_env: the name of the environment variable holding the Statuspage API key",
            ));
        }
        (None, Some((_, origin))) => {
            return Err(invalid(
                origin,
                "statuspage.api_key_env",
                "needs page_id: the id of the page public updates go to",
            ));
        }
        (Some(p), Some(k)) => (p, k),
    };
    let (page_id, origin) = (page_id.0.trim().to_string(), page_id.1);
    if !is_statuspage_id(&page_id) {
        return Err(invalid(
            origin,
            "statuspage.page_id",
            &format!(
                "must be a Statuspage page id (letters and digits, as in the page's API URL), got `{page_id}`"
            ),
        ));
    }
    let api_key = read_key(src, &key_env.0, key_env.1)?;
    let api_url = match src.pick(
        "WARROOM_STATUSPAGE_API_URL",
        "statuspage.api_url",
        file.api_url,
    ) {
        None => DEFAULT_STATUSPAGE_API_URL.to_string(),
        Some((url, origin)) => {
            let url = url.trim().trim_end_matches('/').to_string();
            if !(url.starts_with("https://") || url.starts_with("http://"))
                || reqwest::Url::parse(&url).is_err()
            {
                return Err(invalid(
                    origin,
                    "statuspage.api_url",
                    &format!(
                        "must be an http(s) URL like {DEFAULT_STATUSPAGE_API_URL}, got `{url}`"
                    ),
                ));
            }
            url
        }
    };
    let mut components = BTreeMap::new();
    for (service, ids) in file.components.unwrap_or_default() {
        let key = format!("statuspage.components.{service}");
        check_service(&service, components_origin.clone(), &key)?;
        if let Some(bad) = ids.iter().find(|id| !is_statuspage_id(id)) {
            return Err(invalid(
                components_origin,
                &key,
                &format!("must list Statuspage component ids, got `{bad}`"),
            ));
        }
        components.insert(service, ids);
    }
    Ok(Some(StatuspageSettings {
        page_id,
        api_key,
        api_url,
        components,
    }))
}

/// `sev1`..`sev4` (any case) → 1..4.
fn level_of(key: &str) -> Option<u8> {
    if !Severity::looks_like(key) {
        return None;
    }
    Severity::parse(key).ok().map(Severity::level)
}

fn check_channels(channels: &[String], origin: String, key: &str) -> Result<(), ConfigError> {
    match channels.iter().find(|c| !is_channel_id(c)) {
        Some(bad) => Err(invalid(
            origin,
            key,
            &format!("must list channel ids like C0123ABCD, got `{bad}`"),
        )),
        None => Ok(()),
    }
}

fn check_service(service: &str, origin: String, key: &str) -> Result<(), ConfigError> {
    if service.trim().is_empty() || service.len() > 80 {
        return Err(invalid(origin, key, "must be keyed by a service name"));
    }
    Ok(())
}

/// Statuspage's ids: letters and digits (`kctbh9vrtdwd`).
fn is_statuspage_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The key from the variable `name`: set and not blank. Its value never appears in an
/// error.
fn read_key(src: &Source<'_>, name: &str, origin: String) -> Result<SecretString, ConfigError> {
    let name = name.trim();
    if name.is_empty() || name.contains(['=', '\0']) || name.chars().any(char::is_whitespace) {
        return Err(invalid(
            origin,
            "statuspage.api_key_env",
            &format!("must name an environment variable like STATUSPAGE_API_KEY, got `{name}`"),
        ));
    }
    match (src.env)(name).filter(|v| !v.trim().is_empty()) {
        Some(key) => Ok(SecretString::from(key.trim().to_string())),
        None => Err(invalid(
            origin,
            "statuspage.api_key_env",
            &format!(
                "names {name}, which is not set: set it to a Statuspage API key (your user's API info page)"
            ),
        )),
    }
}

fn invalid(origin: String, key: &str, problem: &str) -> ConfigError {
    ConfigError::Invalid {
        origin,
        key: key.to_string(),
        problem: problem.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Settings;
    use crate::config::test_env::env_of;
    use crate::domain::Severity;
    use secrecy::ExposeSecret;
    use std::path::PathBuf;
    use std::time::Duration;

    fn write_temp(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("warroom-comms-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("default.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn load_err(name: &str, text: &str) -> String {
        let path = write_temp(name, text);
        Settings::load(&path, &env_of(&[("SP_KEY", "secret-sp-key")]))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn cadence_channels_and_statuspage_load_from_the_file() {
        let path = write_temp(
            "full",
            "[nudges.cadence]\nsev1 = \"10m\"\nsev3 = \"1h\"\n\
             [updates]\nseverity_channels = { sev1 = [\"C0EXEC\"] }\nservice_channels = { checkout = [\"C0PAYMENTS\"] }\n\
             [statuspage]\npage_id = \"kctbh9vrtdwd\"\napi_key_env = \"SP_KEY\"\ncomponents = { checkout = [\"ftgks51sfs2d\"] }\n",
        );
        let s = Settings::load(&path, &env_of(&[("SP_KEY", "secret-sp-key")])).unwrap();
        let next = |sev| s.updates.next_update_in(sev);
        assert_eq!(next(Severity::SEV1), Duration::from_secs(600));
        assert_eq!(next(Severity::SEV2), Duration::from_secs(1800));
        assert_eq!(next(Severity::SEV3), Duration::from_secs(3600));
        assert_eq!(s.updates.severity_channels[&1], ["C0EXEC"]);
        assert_eq!(s.updates.service_channels["checkout"], ["C0PAYMENTS"]);
        let sp = s.statuspage.unwrap();
        assert_eq!(sp.api_url, "https://api.statuspage.io");
        assert_eq!(sp.api_key.expose_secret(), "secret-sp-key");
        assert_eq!(sp.components["checkout"], ["ftgks51sfs2d"]);
    }

    #[test]
    fn without_a_statuspage_table_it_is_off_and_the_cadence_has_its_defaults() {
        let path = write_temp("empty", "");
        let s = Settings::load(&path, &env_of(&[])).unwrap();
        assert!(s.statuspage.is_none());
        assert_eq!(
            s.updates.next_update_in(Severity::SEV3),
            Duration::from_secs(7200)
        );
    }

    #[test]
    fn bad_values_name_the_file_and_the_key() {
        // Bad cadences are `config::nudges`' to refuse (its tests).
        for (name, text, says) in [
            (
                "badchan",
                "[updates]\nseverity_channels = { sev1 = [\"#exec\"] }\n",
                "updates.severity_channels.sev1",
            ),
            (
                "badsvc",
                "[updates]\nservice_channels = { checkout = [\"general\"] }\n",
                "updates.service_channels.checkout",
            ),
            (
                "nokey",
                "[statuspage]\npage_id = \"kctbh9vrtdwd\"\n",
                "statuspage.page_id",
            ),
            (
                "unsetkey",
                "[statuspage]\npage_id = \"kctbh9vrtdwd\"\napi_key_env = \"NOT_SET_ANYWHERE\"\n",
                "statuspage.api_key_env",
            ),
            (
                "badpage",
                "[statuspage]\npage_id = \"../x\"\napi_key_env = \"SP_KEY\"\n",
                "statuspage.page_id",
            ),
            (
                "badcomp",
                "[statuspage]\npage_id = \"p1\"\napi_key_env = \"SP_KEY\"\ncomponents = { checkout = [\"a b\"] }\n",
                "statuspage.components.checkout",
            ),
            (
                "orphan",
                "[statuspage]\ncomponents = { checkout = [\"abc\"] }\n",
                "statuspage.components",
            ),
        ] {
            let err = load_err(name, text);
            assert!(
                err.contains("default.toml") && err.contains(says),
                "{name}: {err}"
            );
            assert!(!err.contains("secret-sp-key"), "{name}: {err}");
        }
    }

    #[test]
    fn the_api_key_never_shows_in_debug_output() {
        let path = write_temp(
            "debug",
            "[statuspage]\npage_id = \"p1\"\napi_key_env = \"SP_KEY\"\n",
        );
        let s = Settings::load(&path, &env_of(&[("SP_KEY", "secret-sp-key")])).unwrap();
        assert!(!format!("{s:?}").contains("secret-sp-key"));
    }
}
