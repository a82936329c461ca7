//! Who may look, decided once at startup from `[dashboard]` and the address the
//! dashboard listens on. Incidents hold internal detail, so the dashboard asks for a
//! sign-in when one is configured; with none, it runs open only on a loopback
//! address, and otherwise stays off. Startup says which, and how to change it.

use crate::config::DashboardSettings;
use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Every page asks for a sign-in: a bearer token or a session cookie.
    Protected,
    /// No sign-in is configured and only this machine can connect.
    Open,
    /// No sign-in is configured and others could connect: the routes answer 404.
    Off,
}

impl Access {
    pub fn decide(settings: &DashboardSettings, listen: SocketAddr) -> Self {
        if settings.token.is_some() || settings.slack_sign_in.is_some() {
            Access::Protected
        } else if listen.ip().is_loopback() {
            Access::Open
        } else {
            Access::Off
        }
    }

    /// One log line saying how the dashboard runs (and for `Off`, how to turn it on).
    pub fn announce(self, settings: &DashboardSettings, listen: SocketAddr) {
        match self {
            Access::Protected => tracing::info!(
                url = %format!("http://{listen}/dashboard/"),
                token_env = settings.token_env.as_deref().unwrap_or_default(),
                slack_team_id = settings
                    .slack_sign_in
                    .as_ref()
                    .map(|s| s.team_id.as_str())
                    .unwrap_or_default(),
                "the dashboard asks for a sign-in: the token (a bearer header or its login form), \
                 or Sign in with Slack for the workspace named"
            ),
            Access::Open => tracing::warn!(
                url = %format!("http://{listen}/dashboard/"),
                "the dashboard is open, without sign-in, because it listens on a loopback address \
                 only; set [dashboard] token_env before listening anywhere else"
            ),
            Access::Off => tracing::warn!("{}", Self::off_reason(listen)),
        }
    }

    /// Why the dashboard is off and how to turn it on.
    pub fn off_reason(listen: SocketAddr) -> String {
        format!(
            "the dashboard is off: it would listen on {listen}, which other machines can reach, \
             and no sign-in is configured. To turn it on, set [dashboard] token_env (or \
             WARROOM_DASHBOARD_TOKEN_ENV) to the name of an environment variable holding a token \
             of at least 16 characters, or configure Sign in with Slack ([dashboard] slack_client_id, \
             slack_client_secret_env, slack_team_id, public_url), or listen on 127.0.0.1"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    #[test]
    fn a_token_protects_the_dashboard_wherever_it_listens() {
        let with_token = DashboardSettings {
            token: Some(SecretString::from("x".repeat(20))),
            ..Default::default()
        };
        let none = DashboardSettings::default();
        for (settings, addr, expected) in [
            (&with_token, "0.0.0.0:3000", Access::Protected),
            (&with_token, "127.0.0.1:8080", Access::Protected),
            (&none, "127.0.0.1:8080", Access::Open),
            (&none, "[::1]:8080", Access::Open),
            (&none, "0.0.0.0:3000", Access::Off),
            (&none, "10.0.0.5:3000", Access::Off),
        ] {
            let addr: SocketAddr = addr.parse().unwrap();
            assert_eq!(Access::decide(settings, addr), expected, "{addr}");
        }
    }
}
