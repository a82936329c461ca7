//! The postmortem draft: [`build`] turns an incident, its timeline and the people in it
//! into a [`Draft`] (all sections as data); [`render_markdown`] and [`render_blocks`]
//! turn that draft into the `.md` attachment and the Slack message. Pure, except
//! [`gather`], which reads what a draft needs from the store.

mod blocks;
mod draft;
mod duration;
pub mod gather;
mod markdown;
mod paging;
mod review;
mod rich_text;

pub use blocks::{
    MAX_BLOCKS, MAX_FALLBACK_CHARS, MAX_HEADER_CHARS, MAX_SECTION_CHARS, fallback_text,
    render_blocks,
};
pub use draft::{
    ACTION_PLAN_PROMPT, Draft, Impact, Line, LineChange, Metric, NOT_RECORDED, RESOLUTION_PROMPT,
    ROOT_CAUSE_PROMPT, SUMMARY_PROMPT, Stakeholder, build, file_name,
};
pub use duration::{format_datetime, format_duration, shown_span};
pub use markdown::render_markdown;
pub use paging::{PageFact, add_pages};
pub use review::{
    BlamePhrase, Flag, MAX_PHRASE_CHARS, MAX_QUOTE_CHARS, check_phrases, default_phrases,
    parse_phrases, review,
};
pub use rich_text::{RichText, Span};
