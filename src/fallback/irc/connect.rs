//! The `irc` crate's configuration for Warroom's one connection: the nick and its
//! alternatives (taken in turn when the server answers that a nick is in use), the
//! server password, TLS (OpenSSL, with an extra CA for an internal server), and
//! keep-alive pings that notice a dead server.

use crate::config::IrcFallbackSettings;
use irc::client::prelude::Config;
use secrecy::ExposeSecret;

/// Seconds between our pings, and how long an answer may take before the
/// connection counts as dead (then it is made again).
const PING_TIME: u32 = 30;
const PING_TIMEOUT: u32 = 20;

/// The nicks tried after `nick`: `nick_`, `nick__`, `nick-2`, `nick-3`.
pub fn alt_nicks(nick: &str) -> Vec<String> {
    ["_", "__", "-2", "-3"]
        .iter()
        .map(|suffix| format!("{nick}{suffix}"))
        .collect()
}

pub fn config(s: &IrcFallbackSettings) -> Config {
    Config {
        nickname: Some(s.nick.clone()),
        alt_nicks: alt_nicks(&s.nick),
        username: Some("warroom".into()),
        realname: Some("Warroom incident bot".into()),
        server: Some(s.host.clone()),
        port: Some(s.port),
        password: s.password.as_ref().map(|p| p.expose_secret().to_string()),
        use_tls: Some(s.tls),
        cert_path: s.ca_file.as_ref().map(|p| p.to_string_lossy().into_owned()),
        ping_time: Some(PING_TIME),
        ping_timeout: Some(PING_TIMEOUT),
        // The brief is a dozen lines; a person's burst allowance is more than enough.
        max_messages_in_burst: Some(20),
        burst_window_length: Some(8),
        ..Config::default()
    }
}
