//! Seeding the fake workspace from tests: users and channels (human messages:
//! see `seed_messages.rs`).

use super::model::{Channel, ChannelKind, User};
use super::{BOT_USER_ID, FakeSlack, methods};

/// The user that "created" channels seeded with [`FakeSlack::add_channel`].
pub const SEED_USER_ID: &str = "U0SEED0001";

impl FakeSlack {
    /// Makes `users.info` answer for `id` (and, with strict users, makes it
    /// invitable). Re-adding an id replaces it (and so reactivates it).
    pub fn add_user(&self, id: &str, name: &str, real_name: &str, title: &str) {
        let mut state = self.shared.lock();
        state.users.retain(|u| u.id != id);
        state.users.push(User {
            id: id.to_string(),
            name: name.to_string(),
            real_name: real_name.to_string(),
            title: title.to_string(),
            is_bot: false,
            deleted: false,
        });
    }

    /// Deactivates a user added with [`FakeSlack::add_user`], as a workspace
    /// admin would: `users.info` still answers, with `"deleted": true`;
    /// `conversations.open` answers `user_disabled`; `conversations.invite`
    /// reports `cant_invite` for them (without holding back the others, as Slack
    /// does for removed users). Channel memberships are left as they were.
    /// Panics for an id never added (a test bug).
    pub fn deactivate_user(&self, id: &str) {
        let mut state = self.shared.lock();
        let user = state
            .users
            .iter_mut()
            .find(|u| u.id == id)
            .unwrap_or_else(|| panic!("deactivate_user: {id} was never added with add_user"));
        user.deleted = true;
    }

    /// Opens the bot's DM with `user_id` as if it had been opened earlier
    /// (`conversations.open` then answers `already_open`). Returns its `D…` id
    /// (the existing one if there is one).
    pub fn add_dm(&self, user_id: &str) -> String {
        self.shared.lock().open_dm(user_id).0
    }

    /// Creates a channel as if someone else had (creator `U0SEED0001`): a private
    /// one when `is_private`, else a public one; the bot is a member only when
    /// `bot_is_member`. Returns its id. Panics on a bad or taken name (a test
    /// bug). For a DM use [`FakeSlack::add_dm`].
    pub fn add_channel(&self, name: &str, is_private: bool, bot_is_member: bool) -> String {
        methods::check_channel_name(name).expect("add_channel: invalid channel name");
        let mut state = self.shared.lock();
        assert!(
            state.channels.iter().all(|c| c.name != name),
            "add_channel: name {name} taken"
        );
        let id = state.new_channel_id();
        let created = state.now_secs();
        let mut members = vec![SEED_USER_ID.to_string()];
        if bot_is_member {
            members.push(BOT_USER_ID.to_string());
        }
        state.channels.push(Channel {
            id: id.clone(),
            name: name.to_string(),
            kind: if is_private {
                ChannelKind::Private
            } else {
                ChannelKind::Public
            },
            is_private,
            is_archived: false,
            created,
            creator: SEED_USER_ID.to_string(),
            topic: String::new(),
            purpose: String::new(),
            members,
        });
        id
    }

    /// Adds `user_id` to a channel's members (no-op if already in or unknown channel).
    pub fn add_member(&self, channel_id: &str, user_id: &str) {
        let mut state = self.shared.lock();
        if let Some(c) = state.channel_mut(channel_id)
            && !c.members.iter().any(|m| m == user_id)
        {
            c.members.push(user_id.to_string());
        }
    }
}
