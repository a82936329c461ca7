//! The on-call report: every incident and every page of a time window, as an on-call
//! summary log lists them per shift (each incident with its times, who was paged and
//! who answered how fast, the escalation, the team's key steps, the resolution and
//! the open action items). It is built from stored data only ([`build`]), held as
//! one serializable value ([`OncallReport`], shape documented in [`model`]) and
//! rendered as Markdown for `warroom report` ([`render_markdown`]) or as one Slack
//! message for `/incident report` ([`render_mrkdwn`]); the dashboard renders the
//! same value with its own templates.
//!
//! # Which incidents a window `[since, until)` holds
//! An incident is in when any of these is true:
//! - it was open (declared, not yet resolved) at some moment of the window: declared
//!   before `until`, and resolved (or, when never resolved, closed) at or after
//!   `since`, or not yet; so one declared, acknowledged or resolved within the window
//!   is in, and so is one that stayed open all through it;
//! - it was closed within the window (resolved before, closed in it);
//! - one of its pages was sent or acknowledged within the window.
//!
//! A page is "in the window" when it was sent within it. An incident shows all its
//! pages, each marked in or out of the window, so a shift sees who was already
//! woken before it began; the totals count only pages sent within the window.
//! Times the report shows after `until` (an incident resolved after the window) are
//! shown as they are: the record, not the window, decides what happened.
//!
//! Reads go through [`crate::store`] in one snapshot and a fixed handful of queries,
//! however many incidents the window holds.

pub mod build;
pub mod format;
pub mod markdown;
pub mod model;
pub mod mrkdwn;
pub mod window;

#[cfg(test)]
mod fixtures;

pub use build::{Stored, assemble, build, read};
pub use markdown::render as render_markdown;
pub use model::{
    ActionReport, Elapsed, EventReport, FirstAck, IncidentReport, OncallReport, PageReport,
    PersonRef, Totals,
};
pub use mrkdwn::{MAX_REPLY_CHARS, render as render_mrkdwn};
pub use window::{Age, EmptyWindow, TIME_FORMS, TimeArg, Window};
