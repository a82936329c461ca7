//! `[fallback]`: when Slack counts as down (`after`), and `[fallback.irc]`, the IRC
//! server a war room moves to then (issue 17). The IRC part is optional: off without
//! the table. The password is read from the variable
//! `password_env` names, never from the file, and is never logged. Every error names
//! the file and key.

use super::ConfigError;
use super::escalation::parse_duration;
use super::file::{FileFallback, FileFallbackIrc};
use super::load::Source;
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::time::Duration;

pub const DEFAULT_CHANNEL_PREFIX: &str = "warroom";
/// How long Slack's Web API must fail (5xx, timeouts, connection errors on every
/// call; a 429 is Slack answering) before a fallback opens by itself.
pub const DEFAULT_AFTER: Duration = Duration::from_secs(3 * 60);
/// How often Slack is probed while an incident is open and nothing else calls it.
pub const DEFAULT_PROBE_EVERY: Duration = Duration::from_secs(30);
/// Past this, `after` is a typo: an hour without Slack is no time to wait.
const MAX_AFTER: Duration = Duration::from_secs(60 * 60);

/// `[fallback]`.
#[derive(Debug, Clone)]
pub struct FallbackSettings {
    /// How long Slack must have failed, with an incident open, before the fallback
    /// opens by itself.
    pub after: Duration,
    /// How often Slack is probed (`auth.test`) while an incident is open and no other
    /// call has told, for a while, whether Slack answers; also how often the fallback
    /// watch looks.
    pub probe_every: Duration,
    /// The IRC server; `None` when `[fallback.irc]` is not set (no fallback at all).
    pub irc: Option<IrcFallbackSettings>,
}

impl Default for FallbackSettings {
    fn default() -> Self {
        Self {
            after: DEFAULT_AFTER,
            probe_every: DEFAULT_PROBE_EVERY,
            irc: None,
        }
    }
}

pub(super) fn load_fallback(
    src: &Source<'_>,
    file: FileFallback,
) -> Result<FallbackSettings, ConfigError> {
    // A wait of more than 0s and at most an hour: the environment's, else the file's.
    let span = |env: &str, key: &str, value: Option<String>, default: Duration| {
        let Some((raw, origin)) = src.pick(env, key, value) else {
            return Ok(default);
        };
        let invalid = |problem: String| ConfigError::Invalid {
            origin,
            key: key.to_string(),
            problem,
        };
        match parse_duration(&raw) {
            Err(e) => Err(invalid(e.to_string())),
            Ok(d) if d.is_zero() || d > MAX_AFTER => Err(invalid(format!(
                "must be more than 0s and at most 1h, got `{raw}`"
            ))),
            Ok(d) => Ok(d),
        }
    };
    let after = span(
        "WARROOM_FALLBACK_AFTER",
        "fallback.after",
        file.after,
        DEFAULT_AFTER,
    )?;
    let probe_every = span(
        "WARROOM_FALLBACK_PROBE_EVERY",
        "fallback.probe_every",
        file.probe_every,
        DEFAULT_PROBE_EVERY,
    )?;
    Ok(FallbackSettings {
        after,
        probe_every,
        irc: load_irc(src, file.irc)?,
    })
}

/// Where the fallback war room is, and who is who on it.
#[derive(Debug, Clone)]
pub struct IrcFallbackSettings {
    pub host: String,
    pub port: u16,
    pub nick: String,
    /// The server password, from the variable `password_env` names.
    pub password: Option<SecretString>,
    /// Channels are `#<prefix>-inc-<id>`.
    pub channel_prefix: String,
    /// Slack user id → IRC nick.
    pub nicks: BTreeMap<String, String>,
    /// Whether commands from nicks missing from `nicks` are refused.
    pub trusted_only: bool,
    /// TLS to the server (on unless `tls = false`).
    pub tls: bool,
    /// A CA certificate (DER) trusted besides the system's, for an internal server.
    pub ca_file: Option<std::path::PathBuf>,
    /// How often the connection looks at the open rooms and their incidents (a
    /// wake-up also makes it look at once). Not in the file: tests shorten it.
    pub poll_interval: Duration,
    /// How long the replica holding the connection holds it without renewing; it
    /// renews every third of it. Not in the file: tests shorten it.
    pub lease: Duration,
}

/// How often the IRC connection looks at the open rooms.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);
/// How long a replica holds the IRC connection without renewing its lease.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

impl IrcFallbackSettings {
    /// Settings for `host:port` as `nick`, everything else at its default, but plain
    /// TCP (a caller who wants TLS says so).
    pub fn new(host: &str, port: u16, nick: &str) -> Self {
        Self {
            host: host.to_string(),
            port,
            nick: nick.to_string(),
            password: None,
            channel_prefix: DEFAULT_CHANNEL_PREFIX.to_string(),
            nicks: BTreeMap::new(),
            trusted_only: false,
            tls: false,
            ca_file: None,
            poll_interval: DEFAULT_POLL_INTERVAL,
            lease: DEFAULT_LEASE,
        }
    }

    /// The IRC nick of Slack user `user`, when mapped.
    pub fn nick_of(&self, user: &str) -> Option<&str> {
        self.nicks.get(user).map(String::as_str)
    }

    /// The Slack user an IRC nick is, when mapped (nicks compare case-insensitively,
    /// as IRC servers compare them).
    pub fn slack_user_of(&self, nick: &str) -> Option<&str> {
        self.nicks
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(nick))
            .map(|(user, _)| user.as_str())
    }

    /// The channel of incident `id`.
    pub fn channel_of(&self, id: i64) -> String {
        format!("#{}-inc-{id}", self.channel_prefix)
    }
}

fn load_irc(
    src: &Source<'_>,
    file: Option<FileFallbackIrc>,
) -> Result<Option<IrcFallbackSettings>, ConfigError> {
    let Some(file) = file else { return Ok(None) };
    let origin = format!("{} [fallback.irc]", src.file.display());
    let err = |key: &str, problem: &str| ConfigError::Invalid {
        origin: origin.clone(),
        key: format!("fallback.irc.{key}"),
        problem: problem.to_string(),
    };
    let server = file
        .server
        .ok_or_else(|| err("server", "is required: host:port"))?;
    let (host, port) = server
        .trim()
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h, p.parse::<u16>().ok().filter(|p| *p > 0)?)))
        .filter(|(h, _)| !h.is_empty() && !h.contains(char::is_whitespace))
        .ok_or_else(|| err("server", &format!("must be host:port, got `{server}`")))?;
    let tls = file.tls.unwrap_or(true);
    let ca_file = match file.ca_file.map(|f| f.trim().to_string()) {
        None => None,
        Some(f) if !tls => {
            return Err(err(
                "ca_file",
                &format!("is for TLS, but tls = false (got `{f}`)"),
            ));
        }
        Some(f) => Some(ca_file(&f).map_err(|problem| err("ca_file", &problem))?),
    };
    let nick = file.nick.ok_or_else(|| err("nick", "is required"))?;
    if !is_nick(&nick) {
        return Err(err("nick", &format!("must be an IRC nick, got `{nick}`")));
    }
    let channel_prefix = file
        .channel_prefix
        .unwrap_or_else(|| DEFAULT_CHANNEL_PREFIX.to_string());
    if channel_prefix.is_empty()
        || !channel_prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(err(
            "channel_prefix",
            &format!("must be letters, digits, - or _, got `{channel_prefix}`"),
        ));
    }
    let password = match file.password_env {
        None => None,
        Some(name) => match (src.env)(name.trim()).filter(|v| !v.is_empty()) {
            Some(v) => Some(SecretString::from(v)),
            None => {
                return Err(err(
                    "password_env",
                    &format!("names the variable `{}`, which is not set", name.trim()),
                ));
            }
        },
    };
    let nicks = file.nicks.unwrap_or_default();
    for (user, n) in &nicks {
        if !is_nick(n) {
            return Err(err(
                &format!("nicks.{user}"),
                &format!("must be an IRC nick, got `{n}`"),
            ));
        }
    }
    Ok(Some(IrcFallbackSettings {
        host: host.to_string(),
        port,
        nick,
        password,
        channel_prefix,
        nicks,
        trusted_only: file.trusted_only.unwrap_or(false),
        tls,
        ca_file,
        poll_interval: DEFAULT_POLL_INTERVAL,
        lease: DEFAULT_LEASE,
    }))
}

/// `path` as a CA file the IRC client can read: a DER certificate (the `irc`
/// crate's TLS reads DER only; a PEM file gets the command that converts it).
fn ca_file(path: &str) -> Result<std::path::PathBuf, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    if bytes.starts_with(b"-----BEGIN") {
        return Err(format!(
            "`{path}` is PEM; give the certificate in DER form \
             (`openssl x509 -in {path} -outform der -out ca.der`)"
        ));
    }
    if bytes.first() != Some(&0x30) {
        return Err(format!("`{path}` is not a DER certificate"));
    }
    Ok(std::path::PathBuf::from(path))
}

/// RFC 2812's nick characters, a little wider on length (servers allow more than 9).
fn is_nick(nick: &str) -> bool {
    let special = |c: char| "[]\\`_^{|}-".contains(c);
    let mut chars = nick.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || "[]\\`_^{|}".contains(c))
        && chars.all(|c| c.is_ascii_alphanumeric() || special(c))
        && nick.len() <= 30
}

#[cfg(test)]
mod tests {
    use crate::config::Settings;
    use crate::config::test_env::env_of;
    use secrecy::ExposeSecret;
    use std::path::PathBuf;

    fn write_temp(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("warroom-irc-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("default.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn load_err(name: &str, text: &str) -> String {
        Settings::load(&write_temp(name, text), &env_of(&[]))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn the_irc_table_loads_with_its_defaults_and_the_password_from_the_environment() {
        let path = write_temp(
            "full",
            "[fallback.irc]\nserver = \"irc.example.org:6667\"\ntls = false\nnick = \"warroom\"\n\
             password_env = \"IRC_PASS\"\nnicks = { U0ALICE = \"alice\" }\n",
        );
        let s = Settings::load(&path, &env_of(&[("IRC_PASS", "hunter2")])).unwrap();
        let irc = s.fallback.irc.unwrap();
        assert_eq!((irc.host.as_str(), irc.port), ("irc.example.org", 6667));
        assert_eq!(irc.password.as_ref().unwrap().expose_secret(), "hunter2");
        assert_eq!(irc.channel_of(42), "#warroom-inc-42");
        assert_eq!(irc.slack_user_of("Alice"), Some("U0ALICE"));
        assert_eq!(irc.slack_user_of("mallory"), None);
        assert!(!irc.trusted_only);
        assert!(!irc.tls);
    }

    #[test]
    fn tls_is_on_unless_turned_off() {
        let path = write_temp("tls", "[fallback.irc]\nserver = \"h:6697\"\nnick = \"w\"\n");
        let irc = Settings::load(&path, &env_of(&[]))
            .unwrap()
            .fallback
            .irc
            .unwrap();
        assert!(irc.tls);
        assert_eq!(irc.ca_file, None);
    }

    #[test]
    fn slack_counts_as_down_after_three_minutes_unless_configured() {
        let s = Settings::load(&write_temp("after-default", ""), &env_of(&[])).unwrap();
        assert_eq!(s.fallback.after, std::time::Duration::from_secs(180));
        assert_eq!(s.fallback.probe_every, std::time::Duration::from_secs(30));
        let path = write_temp("after", "[fallback]\nafter = \"90s\"\n");
        let s = Settings::load(&path, &env_of(&[])).unwrap();
        assert_eq!(s.fallback.after, std::time::Duration::from_secs(90));
        let s = Settings::load(&path, &env_of(&[("WARROOM_FALLBACK_AFTER", "5m")])).unwrap();
        assert_eq!(s.fallback.after, std::time::Duration::from_secs(300));
    }

    #[test]
    fn a_bad_after_is_refused_naming_file_and_key() {
        for key in ["after", "probe_every"] {
            for (name, value) in [("zero", "0s"), ("long", "2h"), ("word", "soon")] {
                let text = format!("[fallback]\n{key} = \"{value}\"\n");
                let e = load_err(&format!("{key}-{name}"), &text);
                assert!(e.contains(&format!("fallback.{key}")), "{value}: {e}");
                assert!(e.contains("default.toml"), "{value}: {e}");
            }
        }
    }

    #[test]
    fn without_the_table_there_is_no_fallback() {
        let s = Settings::load(&write_temp("none", ""), &env_of(&[])).unwrap();
        assert!(s.fallback.irc.is_none());
    }

    #[test]
    fn bad_irc_settings_are_refused_naming_file_and_key() {
        let pem = write_temp("pem", "-----BEGIN CERTIFICATE-----\n");
        let cases = [
            (
                "noport",
                "server = \"irc.example.org\"\ntls = false\nnick = \"w\"",
                "fallback.irc.server",
            ),
            (
                "ca",
                "server = \"h:6697\"\nnick = \"w\"\nca_file = \"/nonexistent/ca.der\"",
                "fallback.irc.ca_file",
            ),
            (
                "ca-pem",
                &format!(
                    "server = \"h:6697\"\nnick = \"w\"\nca_file = \"{}\"",
                    pem.display()
                ),
                "fallback.irc.ca_file",
            ),
            (
                "ca-plain",
                "server = \"h:6667\"\ntls = false\nnick = \"w\"\nca_file = \"/etc/hostname\"",
                "fallback.irc.ca_file",
            ),
            (
                "nick",
                "server = \"h:6667\"\ntls = false\nnick = \"#bad nick\"",
                "fallback.irc.nick",
            ),
            (
                "prefix",
                "server = \"h:6667\"\ntls = false\nnick = \"w\"\nchannel_prefix = \"a b\"",
                "fallback.irc.channel_prefix",
            ),
            (
                "pass",
                "server = \"h:6667\"\ntls = false\nnick = \"w\"\npassword_env = \"NOPE\"",
                "fallback.irc.password_env",
            ),
            (
                "map",
                "server = \"h:6667\"\ntls = false\nnick = \"w\"\nnicks = { U1 = \"x y\" }",
                "fallback.irc.nicks.U1",
            ),
        ];
        for (name, body, key) in cases {
            let e = load_err(name, &format!("[fallback.irc]\n{body}\n"));
            assert!(e.contains(key), "{name}: {e}");
            assert!(e.contains("default.toml"), "{name}: {e}");
        }
    }
}
