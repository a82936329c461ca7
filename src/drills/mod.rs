//! Drills beyond the slash command: the Wheel of Misfortune. [`replay`] reads a past
//! incident from a Slack export, declares a drill for it through the normal declare
//! path (so its war room, topic, summary and pages are a drill's), and replays the
//! old messages into the new war room as the bot, through the outbox, at a chosen
//! speed. `/incident drill` itself is [`crate::commands`]' `drill`.

pub mod replay;

pub use replay::{REPLAY_DECLARER, ReplayLine, ReplayPlan, Speed};
