//! Why a sign-in did not succeed: one variant per cause a login page treats
//! differently, each with a message fit to show the person ([`SignInError::message`])
//! and an HTTP status ([`SignInError::status`]). `Display` is for the log. Neither
//! ever holds the client secret, the code, a token or the cookie; Slack's error
//! codes and team ids are outside text and are kept only when they look like one.

use axum::http::StatusCode;

use super::cookie::CookieProblem;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    /// The person pressed Cancel on Slack's page (`error=access_denied`).
    #[error("the person cancelled at Slack")]
    Cancelled,
    /// Slack sent the person back with another error on the callback.
    #[error("Slack sent the person back with error `{error}`")]
    Refused { error: String },
    /// A callback with neither a code nor an error: not a redirect from Slack.
    #[error("the callback carried no code")]
    BadCallback,
    /// The browser's sign-in cookie is missing, tampered with or expired, or its
    /// state does not match the callback's, or that state was used already.
    #[error("state check failed: {0}")]
    State(StateProblem),
    /// Slack refused to exchange the code (`openid.connect.token` said `ok:false`).
    #[error("openid.connect.token answered `{error}`")]
    Slack { error: String },
    /// The `id_token` failed verification (signature, issuer, audience, expiry,
    /// nonce or a missing claim).
    #[error("the id_token was refused: {0}")]
    IdToken(String),
    /// A real Slack account, but of another workspace than the configured one.
    #[error("the person signed in to workspace {team_id}, not the configured one")]
    WrongWorkspace { team_id: String },
    /// Slack could not be reached, or answered with something that is not its API.
    #[error("Slack could not be reached: {0}")]
    Unavailable(String),
}

/// What was wrong with the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StateProblem {
    #[error("no sign-in cookie")]
    MissingCookie,
    #[error("the sign-in cookie is not ours (tampered with, or signed under another key)")]
    ForgedCookie,
    #[error("the sign-in cookie expired")]
    Expired,
    #[error("the callback's state is not the cookie's")]
    Mismatch,
    #[error("this state was used already")]
    Replayed,
}

impl From<CookieProblem> for StateProblem {
    fn from(problem: CookieProblem) -> Self {
        match problem {
            CookieProblem::Missing => StateProblem::MissingCookie,
            CookieProblem::Forged => StateProblem::ForgedCookie,
            CookieProblem::Expired => StateProblem::Expired,
        }
    }
}

impl SignInError {
    /// The sentence to show the person on the login page.
    pub fn message(&self) -> String {
        match self {
            SignInError::Cancelled => {
                "You cancelled signing in with Slack. Sign in again when you are ready.".into()
            }
            SignInError::Refused { error } => {
                format!("Slack did not sign you in ({error}). Please try again.")
            }
            SignInError::BadCallback | SignInError::State(_) => {
                "This sign-in link has expired, was already used, or was opened in another \
                 browser. Please start again."
                    .into()
            }
            SignInError::Slack { error } => slack_error_message(error),
            SignInError::IdToken(_) => {
                "Slack's answer could not be verified, so you were not signed in. Please try \
                 again."
                    .into()
            }
            SignInError::WrongWorkspace { .. } => {
                "That Slack account belongs to another workspace. Sign in with your account \
                 in this team's workspace."
                    .into()
            }
            SignInError::Unavailable(_) => {
                "Slack could not be reached. Please try again in a minute.".into()
            }
        }
    }

    /// The status of the page that shows [`SignInError::message`].
    pub fn status(&self) -> StatusCode {
        match self {
            SignInError::Cancelled
            | SignInError::Refused { .. }
            | SignInError::BadCallback
            | SignInError::State(_) => StatusCode::BAD_REQUEST,
            SignInError::WrongWorkspace { .. } => StatusCode::FORBIDDEN,
            SignInError::Slack { .. } | SignInError::IdToken(_) => StatusCode::BAD_GATEWAY,
            SignInError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// Slack's error `code` as received, or `unknown_error` when it does not look
    /// like one of Slack's (lowercase words joined by `_`), so outside text never
    /// reaches a page or the log verbatim.
    pub(super) fn slack_code(code: &str) -> String {
        let looks_like_a_code = !code.is_empty()
            && code.len() <= 64
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if looks_like_a_code {
            code.to_string()
        } else {
            "unknown_error".to_string()
        }
    }
}

/// Slack's refusals of `openid.connect.token`, in words for the person. Those that
/// only an administrator can fix say so.
fn slack_error_message(error: &str) -> String {
    match error {
        "invalid_code" | "invalid_grant" | "code_already_used" => {
            "This sign-in link has expired or was already used. Please start again.".into()
        }
        "bad_redirect_uri" | "oauth_authorization_url_mismatch" => {
            "Warroom's Slack app does not accept this address for signing in. An \
             administrator must add it to the app's redirect URLs."
                .into()
        }
        "invalid_client_id" | "bad_client_secret" | "invalid_client" => {
            "Warroom's Slack app credentials are not accepted by Slack. An administrator \
             must check slack_client_id and the client secret."
                .into()
        }
        "ratelimited" | "service_unavailable" | "internal_error" | "fatal_error" => {
            "Slack is busy. Please try again in a minute.".into()
        }
        other => format!("Slack did not sign you in ({other}). Please try again."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_never_passes_for_a_slack_error_code() {
        assert_eq!(SignInError::slack_code("invalid_code"), "invalid_code");
        assert_eq!(
            SignInError::slack_code("team_2fa_required"),
            "team_2fa_required"
        );
        for hostile in [
            "",
            "<script>alert(1)</script>",
            "a b",
            "Invalid",
            &"x".repeat(65),
        ] {
            assert_eq!(
                SignInError::slack_code(hostile),
                "unknown_error",
                "{hostile}"
            );
        }
    }

    #[test]
    fn each_cause_reads_differently_and_maps_to_its_status() {
        let cases = [
            (SignInError::Cancelled, StatusCode::BAD_REQUEST, "cancelled"),
            (
                SignInError::State(StateProblem::Replayed),
                StatusCode::BAD_REQUEST,
                "start again",
            ),
            (
                SignInError::WrongWorkspace {
                    team_id: "T0OTHER01".into(),
                },
                StatusCode::FORBIDDEN,
                "another workspace",
            ),
            (
                SignInError::Slack {
                    error: "bad_client_secret".into(),
                },
                StatusCode::BAD_GATEWAY,
                "administrator",
            ),
            (
                SignInError::Slack {
                    error: "invalid_code".into(),
                },
                StatusCode::BAD_GATEWAY,
                "already used",
            ),
            (
                SignInError::Unavailable("connection refused".into()),
                StatusCode::SERVICE_UNAVAILABLE,
                "could not be reached",
            ),
        ];
        for (error, status, phrase) in cases {
            assert_eq!(error.status(), status, "{error}");
            assert!(error.message().contains(phrase), "{}", error.message());
        }
    }
}
