//! The fallback war room on IRC (issue 17), for when Slack itself is down:
//! [`text`], what IRC text becomes in the timeline and how Warroom's text fits IRC's
//! 512-byte lines; [`irc`], the connection that joins open rooms' channels, briefs
//! them, stores what people say and runs their `!` commands through the same
//! handlers as Slack's; [`watch`], the worker that opens rooms when Slack's API has
//! failed for `fallback.after` and tells the war rooms once it is back. Opening and
//! closing by hand are `commands::fallback`. Settings are `config::IrcFallbackSettings`.

pub mod irc;
pub mod text;
pub mod watch;
