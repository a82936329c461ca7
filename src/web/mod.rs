//! The web dashboard: server-rendered pages under `/dashboard` for people who want to
//! look rather than type (incidents, one incident, trends), served by `warroom serve`
//! beside Slack's routes and, without Slack, by `warroom dashboard` ([`server`]).
//!
//! - [`access`] decides at startup whether it runs protected, open (loopback only) or
//!   off; [`auth`] enforces it on each request (bearer token or session cookie, the
//!   login form, sign-out), [`slack_auth`] signs people in with Slack, and
//!   [`session`] signs and checks the cookies.
//! - [`routes`] maps paths to [`pages`] (one file per page) and sets the security
//!   headers; [`filters`] turns query strings into typed values (or a 400 naming the
//!   parameter).
//! - [`stats`] computes the trends and [`charts`] lays them out as SVG; [`templates`]
//!   holds the HTML (auto-escaped) and [`assets`] the stylesheet, both compiled in.
//!
//! It only reads, through [`crate::store`]: no dashboard request changes an incident.

pub mod access;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod filters;
pub mod pages;
pub mod routes;
pub mod server;
pub mod session;
pub mod slack_auth;
pub mod stats;
pub mod templates;

pub use access::Access;
pub use routes::router;
pub use server::DashboardServer;
pub use session::{Session, Sessions};

use crate::clock::Clock;
use crate::config::Settings;
use crate::config::escalation::EscalationConfig;
use crate::postmortem::Style;
use crate::slack::sign_in::SlackSignIn;
use crate::store::Store;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;

/// What every dashboard handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct DashboardState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub clock: Clock,
    pub access: Access,
    /// The token a bearer header or the login form must match.
    pub token: Option<SecretString>,
    /// Issues and checks session cookies; set whenever a sign-in method is.
    pub sessions: Option<Sessions>,
    pub show_private: bool,
    /// Where people reach the dashboard; a login form must come from its origin.
    pub public_url: Option<url::Url>,
    /// Team names for pages, and what the postmortem draft names.
    pub escalation: Arc<EscalationConfig>,
    pub postmortem: Style,
    /// Sign in with Slack, when configured ([`slack_auth`] serves its two routes).
    pub slack: Option<Arc<SlackSignIn>>,
}

impl std::ops::Deref for DashboardState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl DashboardState {
    /// The dashboard of `settings`, listening on `listen` (which decides, with the
    /// settings, who may look).
    pub fn new(
        store: Store,
        settings: &Settings,
        listen: SocketAddr,
        clock: Clock,
        postmortem: Style,
    ) -> Self {
        let d = &settings.dashboard;
        let secure = d.public_url.as_ref().is_some_and(|u| u.scheme() == "https");
        // The configured key, else one derived from the token (see `session`), else
        // from Sign in with Slack's client secret.
        let sessions = d
            .session_key
            .as_ref()
            .or(d.token.as_ref())
            .or(d.slack_sign_in.as_ref().map(|s| &s.client_secret))
            .map(|secret| Sessions::new(secret, d.session_hours, secure));
        let slack = d.slack_sign_in.clone().map(|s| {
            crate::tls::install_crypto_provider();
            let http = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(15))
                .build()
                .unwrap_or_default();
            Arc::new(SlackSignIn::new(s, http))
        });
        Self(Arc::new(Inner {
            store,
            clock,
            access: Access::decide(d, listen),
            token: d.token.clone(),
            sessions,
            show_private: d.show_private,
            public_url: d.public_url.clone(),
            escalation: settings.paging.escalation.clone(),
            postmortem,
            slack,
        }))
    }
}
