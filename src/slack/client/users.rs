//! Who is who: users.info for a person's name and title, auth.test for the bot itself.

use super::{SlackApi, SlackResult};
use crate::domain::Person;
use serde::Deserialize;
use serde_json::json;

/// Who the bot is, from `auth.test`.
#[derive(Debug, Clone, Deserialize)]
pub struct BotIdentity {
    pub user_id: String,
    pub bot_id: Option<String>,
}

#[derive(Deserialize)]
struct UserReply {
    user: UserInfo,
}

#[derive(Deserialize)]
struct UserInfo {
    id: String,
    name: Option<String>,
    real_name: Option<String>,
    #[serde(default)]
    is_bot: bool,
    #[serde(default)]
    profile: UserProfile,
}

#[derive(Deserialize, Default)]
struct UserProfile {
    real_name: Option<String>,
    display_name: Option<String>,
    title: Option<String>,
}

impl SlackApi {
    pub async fn identity(&self) -> SlackResult<BotIdentity> {
        self.post("auth.test", &json!({})).await
    }

    pub async fn user_info(&self, user: &str) -> SlackResult<Person> {
        let reply: UserReply = self
            .get("users.info", &[("user", Some(user.to_string()))])
            .await?;
        let u = reply.user;
        let name = crate::domain::display_name(
            [
                u.profile.real_name.as_deref(),
                u.real_name.as_deref(),
                u.profile.display_name.as_deref(),
                u.name.as_deref(),
            ],
            &u.id,
        );
        Ok(Person {
            title: u.profile.title.filter(|t| !t.trim().is_empty()),
            kind: if u.is_bot {
                crate::domain::PersonKind::Bot
            } else {
                crate::domain::PersonKind::Human
            },
            user_id: u.id,
            name,
        })
    }
}
