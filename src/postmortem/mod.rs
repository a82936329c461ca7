//! The postmortem draft: [`Facts`] (what was stored about an incident) build a
//! [`Draft`] (all sections as data); [`render_markdown`] (or a chosen [`Template`])
//! and [`render_blocks`] turn it into the `.md` attachment and the Slack message.
//! [`Style`] is what the config chooses: the template and the blameless review's
//! phrases. Pure, except [`gather`], which reads what a draft needs from the store.

mod blocks;
mod draft;
mod duration;
pub mod gather;
mod markdown;
mod review;
mod rich_text;
mod style;

pub use blocks::{
    MAX_BLOCKS, MAX_FALLBACK_CHARS, MAX_HEADER_CHARS, MAX_SECTION_CHARS, fallback_text,
    render_blocks,
};
pub use draft::{
    ACTION_PLAN_PROMPT, Action, Draft, Facts, GENERATED_NOTE, IMPACT_PROMPT, Impact, ImpactGroup,
    Line, LineChange, Metric, NOT_RECORDED, PageFact, PagingTally, RESOLUTION_PROMPT,
    ROOT_CAUSE_PROMPT, Stakeholder, Statement, Summary, Team, build, file_name, generated_summary,
};
pub use duration::{format_datetime, format_duration, shown_span};
pub use markdown::{
    BUILTIN_TEMPLATES, DETECTION_PROMPT, KEY_EVENTS_NOTE, LUCKY_PROMPT, REVIEW_NOTE,
    TRIGGER_PROMPT, Template, TemplateError, WENT_WELL_PROMPT, WENT_WRONG_PROMPT, render_markdown,
};
pub use review::{
    BlamePhrase, Flag, MAX_PHRASE_CHARS, MAX_QUOTE_CHARS, check_phrases, default_phrases,
    parse_phrases, review,
};
pub use rich_text::{RichText, Span};
pub use style::Style;

#[cfg(test)]
pub(crate) use draft::fixtures::{Captured, assert_summary_is_factual};
