//! Keeping people informed: `[updates]` (the channels a stakeholder update goes to
//! besides the war room and the announcements channel), `[nudges.cadence]` (how often
//! an update is due, per severity) and `[statuspage]` (Atlassian Statuspage, optional:
//! on when `page_id` and `api_key_env` are set; the key is read from the variable
//! `api_key_env` names, which must be set). Every error names the file and key, or
//! the environment variable.

use super::ConfigError;
use super::file::{FileStatuspage, FileUpdates};
use super::load::{Source, is_channel_id};
use super::outside_api::{OnKey, both_or_neither};
use super::secret_var::SecretVar;
use super::settings::{StatuspageSettings, UpdateSettings};
use crate::domain::{Cadence, Severity};
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
    let components_origin = format!("{} [statuspage.components]", src.file.display());
    let on = both_or_neither(
        OnKey {
            key: "statuspage.page_id",
            value: src.pick(
                "WARROOM_STATUSPAGE_PAGE_ID",
                "statuspage.page_id",
                file.page_id,
            ),
            alone: "needs api_key_env: the name of the environment variable holding the Statuspage API key",
        },
        OnKey {
            key: "statuspage.api_key_env",
            value: src.pick(
                "WARROOM_STATUSPAGE_API_KEY_ENV",
                "statuspage.api_key_env",
                file.api_key_env,
            ),
            alone: "needs page_id: the id of the page public updates go to",
        },
    )?;
    let Some((page_id, key_env)) = on else {
        if file.components.is_some_and(|c| !c.is_empty()) {
            return Err(invalid(
                components_origin,
                "statuspage.components",
                "is set, but Statuspage is off: set page_id and api_key_env too",
            ));
        }
        return Ok(None);
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
    let api_key = SecretVar {
        like: "STATUSPAGE_API_KEY",
        set_to: "a Statuspage API key (your user's API info page)",
        at_least: None,
    }
    .read(src.env, &key_env.0)
    .map_err(|problem| invalid(key_env.1, "statuspage.api_key_env", &problem))?;
    let api_url = src.api_url(
        (
            "WARROOM_STATUSPAGE_API_URL",
            "statuspage.api_url",
            "statuspage.api_url",
        ),
        file.api_url,
        DEFAULT_STATUSPAGE_API_URL,
    )?;
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
